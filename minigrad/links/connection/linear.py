"""The fully connected layer."""
import numpy

import minigrad.functions as F
from minigrad import initializers
from minigrad import type_check
from minigrad.core import Parameter
from minigrad.link import Link
from minigrad.utils.conv import check_int


class Linear(Link):
    """Fully connected layer: ``y = x W^T + b``.

    Holds ``W`` of shape ``(out_size, in_size)`` and ``b`` of shape
    ``(out_size,)``.  With ``in_size`` None (``Linear(None, 4096)`` or
    ``Linear(4096)``) ``W`` is allocated at the first call, from the size of
    the input: ``prod(x.shape[n_batch_axes:])``.

    Args:
        in_size (int or None): the input size, > 0; None defers it to the
            first call.  ``Linear(n)`` alone means ``Linear(None, n)``.
        out_size (int): the output size, > 0.  A size that is not a
            positive int (``2.0``, ``0``, ``True``) raises
            :class:`~minigrad.type_check.InvalidType` naming it.
        nobias (bool): no ``b`` (``self.b`` is None).
        initialW: initializer, array or scalar for ``W``
            (default :class:`~minigrad.initializers.LeCunNormal`).
        initial_bias: initializer, array or scalar for ``b`` (default 0).

    Example:
        >>> fc = Linear(None, 3)
        >>> y = fc(numpy.ones((2, 5), dtype=numpy.float32))   # W becomes (3, 5)
    """

    def __init__(self, in_size, out_size=None, nobias=False, initialW=None, initial_bias=None):
        super().__init__()
        if out_size is None:
            in_size, out_size = None, in_size
        # Checked here, where they are given (a float or 0 would fail later, unnamed).
        if in_size is not None:
            in_size = check_int(in_size, 'Linear', 'in_size', 1)
        out_size = check_int(out_size, 'Linear', 'out_size', 1)
        self.in_size = in_size
        self.out_size = out_size
        self.nobias = nobias
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if in_size is not None:
                self._initialize_params(in_size)
            if nobias:
                self.b = None
            else:
                bias = initializers._get_initializer(0 if initial_bias is None else initial_bias)
                self.b = Parameter(bias, out_size)

    def _initialize_params(self, in_size):
        self.W.initialize((self.out_size, in_size))

    @property
    def printable_specs(self):
        return (('in_size', self.in_size), ('out_size', self.out_size), ('nobias', self.nobias))

    def forward(self, x, n_batch_axes=1):
        """Apply the layer.

        Args:
            x (Variable or ndarray): ``(N, in_size)``, or ``(N, ...)`` flattened to it;
                the first ``n_batch_axes`` axes are batch axes.

        Returns:
            Variable: ``(N, out_size)`` (the batch axes, then ``out_size``).
        """
        in_size = int(numpy.prod(x.shape[n_batch_axes:], dtype=numpy.int64))
        if self.W.data is None:
            self._initialize_params(in_size)
        type_check.require(in_size == self.W.shape[1], 'Linear',
                           'in_size == {} (W.shape[1])'.format(self.W.shape[1]),
                           'in_size == {} (x.shape {} with n_batch_axes={})'.format(
                               in_size, tuple(x.shape), n_batch_axes))
        return F.linear(x, self.W, self.b, n_batch_axes=n_batch_axes)
