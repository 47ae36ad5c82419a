"""Hard sigmoid: the piecewise linear ``y = clip(0.2 x + 0.5, 0, 1)``."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


class HardSigmoid(FunctionNode):
    """``y = clip(0.2 x + 0.5, 0, 1)``; see :func:`hard_sigmoid`."""

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        x, = inputs
        # Where the line is not clipped: the only thing backward needs.
        self.inside = (x > -2.5) & (x < 2.5)
        return numpy.clip(x * 0.2 + 0.5, 0.0, 1.0),

    def backward(self, indexes, grad_outputs):
        return HardSigmoidGrad(self.inside).apply(grad_outputs)


class HardSigmoidGrad(FunctionNode):
    """``gx = 0.2 gy`` where ``-2.5 < x < 2.5``, else 0: linear in ``gy``, so its backward is itself.

    Args:
        inside (ndarray of bool): where ``|x| < 2.5``.
    """

    def __init__(self, inside):
        self.inside = inside

    def forward(self, inputs):
        gy, = inputs
        gx = gy * 0.2
        gx *= self.inside
        return gx,

    def backward(self, indexes, grad_outputs):
        return HardSigmoidGrad(self.inside).apply(grad_outputs)


def hard_sigmoid(x):
    """Elementwise hard sigmoid, as ``chainer.functions.hard_sigmoid``.

    .. math:: y_i = \\begin{cases} 0 & x_i \\le -2.5 \\\\ 0.2 x_i + 0.5 & -2.5 < x_i < 2.5 \\\\
              1 & x_i \\ge 2.5 \\end{cases}, \\qquad
              \\frac{\\partial y_i}{\\partial x_i} = 0.2 \\, [|x_i| < 2.5]

    The second derivative is 0 (away from ``x == +-2.5``).

    Args:
        x (Variable or ndarray): floating point input of any shape.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype, in ``[0, 1]``.

    >>> hard_sigmoid(numpy.array([-3.0, -1.0, 0.0, 1.0, 3.0])).array
    array([0. , 0.3, 0.5, 0.7, 1. ])
    """
    return HardSigmoid().apply((x,))[0]
