"""Mean squared error between two arrays."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode
from minigrad.functions.math.sum import sum as sum_


class MeanSquaredError(FunctionNode):
    """``loss = mean((x0 - x1) ** 2)``; see :func:`mean_squared_error`."""

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x0', 'x1'))
        x0_type, x1_type = in_types
        type_check.expect(
            x0_type.dtype.kind == 'f',
            x0_type.dtype == x1_type.dtype,
            x0_type.shape == x1_type.shape,
        )

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x0, x1 = inputs
        d = (x0 - x1).ravel()
        self.coeff = 2.0 / max(d.size, 1)
        return numpy.asarray(d.dot(d) / d.size, dtype=d.dtype),

    def backward(self, indexes, grad_outputs):
        x0, x1 = self.get_retained_inputs()
        return MeanSquaredErrorGrad(self.coeff).apply((x0, x1, grad_outputs[0]))


class MeanSquaredErrorGrad(FunctionNode):
    """``gx0 = c * gy * (x0 - x1)`` and ``gx1 = -gx0`` with ``c = 2 / n``: the gradient of MSE.

    Inputs are ``(x0, x1, gy)`` (``gy`` a scalar); forward is the array
    kernel.  Backward differentiates ``(gx0, gx1)`` for incoming ``(g0, g1)``,
    with ``dg = g0 - g1``::

        d/dx0 = c * gy * dg,    d/dx1 = -d/dx0,    d/dgy = c * sum((x0 - x1) * dg)
    """

    def __init__(self, coeff):
        self.coeff = coeff

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x0, x1, gy = inputs
        gx0 = x0 - x1
        gx0 *= gy * self.coeff
        return gx0, -gx0

    def backward(self, indexes, grad_outputs):
        x0, x1, gy = self.get_retained_inputs()
        g0, g1 = grad_outputs
        dg = g0 - g1
        out = []
        for i in indexes:
            if i == 2:
                out.append(sum_((x0 - x1) * dg) * self.coeff)
            else:
                h = dg * (gy * self.coeff)
                out.append(h if i == 0 else -h)
        return tuple(out)

def mean_squared_error(x0, x1):
    """Mean squared error, as ``chainer.functions.mean_squared_error``.

    .. math:: \\ell = \\frac{1}{n} \\sum_i (x_{0,i} - x_{1,i})^2, \\qquad
              \\frac{\\partial \\ell}{\\partial x_0} = -\\frac{\\partial \\ell}{\\partial x_1}
              = \\frac{2}{n} (x_0 - x_1)

    The gradient is differentiable again (:class:`MeanSquaredErrorGrad`).

    Args:
        x0, x1 (Variable or ndarray): floating point arrays of one shape and
            dtype, with ``n`` elements each.

    Returns:
        Variable: a scalar of the inputs' dtype.
    """
    return MeanSquaredError().apply((x0, x1))[0]
