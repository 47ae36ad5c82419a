"""Hyperbolic tangent."""
import numpy

from minigrad import type_check
from minigrad.core import Function


class Tanh(Function):
    """``y = tanh(x)``; see :func:`tanh`."""

    def check_type_forward(self, inputs):
        type_check.expect_float('Tanh', 'x', inputs[0])

    def forward(self, inputs):
        self.retain_inputs(())
        self.retain_outputs((0,))
        return numpy.tanh(inputs[0]),

    def backward(self, inputs, grad_outputs):
        y, = self.output_data
        return grad_outputs[0] * (1 - y * y),


def tanh(x):
    """Elementwise hyperbolic tangent, as ``chainer.functions.tanh``.

    .. math:: y_i = \\tanh x_i, \\qquad \\frac{\\partial y_i}{\\partial x_i} = 1 - y_i^2

    Args:
        x (Variable or ndarray): floating point input of any shape.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype, in ``[-1, 1]``.
    """
    return Tanh()(x)
