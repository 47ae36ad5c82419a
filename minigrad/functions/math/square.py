"""Elementwise square: ``y = x ** 2``."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


class Square(FunctionNode):
    """``y = x * x``; ``gx = 2 x gy`` (and the second derivative is ``2 gy``)."""

    @property
    def label(self):
        return 'square'

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        self.retain_inputs((0,))
        return numpy.square(inputs[0]),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * (x * 2.0),


def square(x):
    """Elementwise square, as ``chainer.functions.square``.

    .. math:: y_i = x_i^2, \\qquad \\frac{\\partial y_i}{\\partial x_i} = 2 x_i,
              \\qquad \\frac{\\partial^2 y_i}{\\partial x_i^2} = 2

    Args:
        x (Variable or ndarray): floating point input of any shape.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.

    >>> square(numpy.array([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])).array
    array([[ 0.,  1.,  4.],
           [ 9., 16., 25.]])
    """
    return Square().apply((x,))[0]
