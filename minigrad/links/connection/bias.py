"""The bias layer: add a learned (or given) array along some axes of the input."""
from minigrad import type_check
from minigrad.core import Parameter
from minigrad.functions.math.bias import bias
from minigrad.link import Link


class Bias(Link):
    """Add ``b`` broadcast from ``axis`` of the input (see :func:`minigrad.functions.bias`).

    ``Bias(axis=1, shape=(C,))`` on ``x: (N, C, H, W)`` adds ``b[c]`` to
    channel ``c``.  Without ``shape`` the layer holds nothing and the bias is
    its call's second argument: ``Bias(axis=1)(x, b)``.

    Args:
        axis (int): the first axis of ``x`` that ``b`` lines up with.
        shape (tuple of ints or None): the shape of the learned ``b`` (zeros
            at first); None: no parameter.

    Attributes:
        b (Parameter): the bias, only when ``shape`` is given.
    """

    def __init__(self, axis=1, shape=None):
        super().__init__()
        if shape is not None:
            with self.init_scope():
                self.b = Parameter(0, shape)
        self.axis = axis

    @property
    def printable_specs(self):
        return (('axis', self.axis),) + ((('shape', self.b.shape),) if 'b' in self._params else ())

    def forward(self, *xs):
        """``x + b`` (one argument, with the learned ``b``) or ``x + y`` (two arguments).

        Args:
            *xs: ``(x,)`` when the layer holds ``b``, else ``(x, y)``.

        Returns:
            Variable: ``x``'s shape.
        """
        if 'b' in self._params:
            x, = _arguments('Bias', xs, 1, 'the input (the bias is the parameter b)')
            return bias(x, self.b, self.axis)
        x, y = _arguments('Bias', xs, 2, 'the input and the bias (the layer holds no b)')
        return bias(x, y, self.axis)


def _arguments(func_name, xs, n, what):
    """``xs`` if it has ``n`` items, else an error saying what the layer expects."""
    type_check.require(len(xs) == n, func_name, '{} argument(s): {}'.format(n, what),
                       '{} argument(s)'.format(len(xs)))
    return xs
