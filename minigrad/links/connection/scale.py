"""The scale layer: multiply by a learned (or given) array along some axes of the input."""
from minigrad import type_check
from minigrad.core import Parameter
from minigrad.functions.math.scale import scale
from minigrad.link import Chain
from minigrad.links.connection.bias import Bias, _arguments


class Scale(Chain):
    """Multiply by ``W`` broadcast from ``axis`` of the input (see :func:`minigrad.functions.scale`).

    ``Scale(axis=1, W_shape=(C,))`` on ``x: (N, C, H, W)`` multiplies
    channel ``c`` by ``W[c]`` (ones at first).  Without ``W_shape`` the
    factor is the call's second argument: ``Scale(axis=1)(x, y)``.  With
    ``bias_term`` a :class:`Bias` child adds a learned bias afterwards::

        z = x * W (+ b)

    Args:
        axis (int): the first axis of ``x`` that ``W`` lines up with.
        W_shape (tuple of ints or None): the shape of the learned ``W``;
            None: no parameter.
        bias_term (bool): add a learned bias (a ``Bias`` child named ``bias``).
        bias_shape (tuple of ints or None): the bias's shape; needed only
            when ``W_shape`` is None (otherwise the bias has ``W_shape``).

    Attributes:
        W (Parameter): the factor, only when ``W_shape`` is given.
        bias (Bias): the bias layer, only when ``bias_term`` is True.
    """

    def __init__(self, axis=1, W_shape=None, bias_term=False, bias_shape=None):
        super().__init__()
        self.axis = axis
        with self.init_scope():
            if W_shape is not None:
                self.W = Parameter(1, W_shape)
                if bias_term:
                    self.bias = Bias(axis, W_shape)
            elif bias_term:
                type_check.require(bias_shape is not None, 'Scale',
                                   'bias_shape given when bias_term is True and W_shape is None',
                                   'bias_shape == None')
                self.bias = Bias(axis, bias_shape)

    @property
    def printable_specs(self):
        return (('axis', self.axis),) + ((('W_shape', self.W.shape),) if 'W' in self._params else ())

    def forward(self, *xs):
        """``x * W`` (one argument, with the learned ``W``) or ``x * y`` (two arguments), then the bias.

        Args:
            *xs: ``(x,)`` when the layer holds ``W``, else ``(x, y)``.

        Returns:
            Variable: ``x``'s shape.
        """
        if 'W' in self._params:
            x, = _arguments('Scale', xs, 1, 'the input (the factor is the parameter W)')
            z = scale(x, self.W, self.axis)
        else:
            x, y = _arguments('Scale', xs, 2, 'the input and the factor (the layer holds no W)')
            z = scale(x, y, self.axis)
        return self.bias(z) if 'bias' in self._children else z
