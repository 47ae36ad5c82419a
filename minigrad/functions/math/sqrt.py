"""Square root and its reciprocal: ``y = sqrt(x)``, ``y = 1 / sqrt(x)``."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


class Sqrt(FunctionNode):
    """``y = sqrt(x)``; ``gx = gy / (2 y)``, written with ``y`` so it differentiates again."""

    @property
    def label(self):
        return 'sqrt'

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        self.retain_outputs((0,))
        return numpy.sqrt(inputs[0]),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        # d/dx of 1 / (2 y) = -y' / (2 y^2) = -1 / (4 y^3): Div's backward gives it through y.
        return grad_outputs[0] / (y * 2.0),


def sqrt(x):
    """Elementwise square root, as ``chainer.functions.sqrt``.

    .. math:: y_i = \\sqrt{x_i}, \\qquad \\frac{\\partial y_i}{\\partial x_i} = \\frac{1}{2 y_i},
              \\qquad \\frac{\\partial^2 y_i}{\\partial x_i^2} = -\\frac{1}{4 y_i^3}

    A negative ``x`` gives NaN, as NumPy's ``sqrt`` does; at 0 the gradient is inf.

    Args:
        x (Variable or ndarray): floating point input of any shape.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.

    >>> sqrt(numpy.array([4.0, 9.0])).array
    array([2., 3.])
    """
    return Sqrt().apply((x,))[0]


def rsqrt(x):
    """Elementwise ``1 / sqrt(x)``, as ``chainer.functions.rsqrt``.

    .. math:: y_i = x_i^{-1/2}, \\qquad \\frac{\\partial y_i}{\\partial x_i} = -\\frac{y_i^3}{2}

    Args:
        x (Variable or ndarray): floating point input of any shape.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    return 1.0 / sqrt(x)
