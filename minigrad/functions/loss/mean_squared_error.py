"""Mean squared error between two arrays."""
import numpy

from minigrad import type_check
from minigrad.core import Function


class MeanSquaredError(Function):
    """``loss = mean((x0 - x1) ** 2)``; see :func:`mean_squared_error`."""

    def check_type_forward(self, inputs):
        name = 'MeanSquaredError'
        x0, x1 = inputs
        type_check.expect_float(name, 'x0', x0)
        type_check.expect_equal(name, 'x0.dtype', x0.dtype, 'x1.dtype', x1.dtype)
        type_check.expect_equal(name, 'x0.shape', x0.shape, 'x1.shape', x1.shape)

    def forward(self, inputs):
        x0, x1 = inputs
        self.retain_inputs(())
        self.diff = x0 - x1
        d = self.diff.ravel()
        return numpy.asarray(d.dot(d) / d.size, dtype=d.dtype),

    def backward(self, inputs, grad_outputs):
        gx0 = self.diff * (grad_outputs[0] * (2.0 / self.diff.size))
        return gx0, -gx0


def mean_squared_error(x0, x1):
    """Mean squared error, as ``chainer.functions.mean_squared_error``.

    .. math:: \\ell = \\frac{1}{n} \\sum_i (x_{0,i} - x_{1,i})^2, \\qquad
              \\frac{\\partial \\ell}{\\partial x_0} = -\\frac{\\partial \\ell}{\\partial x_1}
              = \\frac{2}{n} (x_0 - x_1)

    Args:
        x0, x1 (Variable or ndarray): floating point arrays of one shape and
            dtype, with ``n`` elements each.

    Returns:
        Variable: a scalar of the inputs' dtype.
    """
    return MeanSquaredError()(x0, x1)
