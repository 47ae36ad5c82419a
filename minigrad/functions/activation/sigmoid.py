"""Logistic sigmoid: ``y = 1 / (1 + exp(-x))``."""
import numpy

from minigrad import type_check
from minigrad.core import Function


class Sigmoid(Function):
    """``y = 1 / (1 + exp(-x))``; see :func:`sigmoid`."""

    def check_type_forward(self, inputs):
        type_check.expect_float('Sigmoid', 'x', inputs[0])

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs(())
        self.retain_outputs((0,))
        # sigmoid(x) = (tanh(x / 2) + 1) / 2 never overflows, unlike exp(-x) at x = -1e4.
        half = x.dtype.type(0.5)
        y = numpy.tanh(x * half)
        y *= half
        y += half
        return y,

    def backward(self, inputs, grad_outputs):
        y, = self.output_data
        return grad_outputs[0] * y * (1 - y),


def sigmoid(x):
    """Elementwise logistic sigmoid, as ``chainer.functions.sigmoid``.

    .. math:: y_i = \\frac{1}{1 + e^{-x_i}}, \\qquad
              \\frac{\\partial y_i}{\\partial x_i} = y_i (1 - y_i)

    Computed as ``(tanh(x / 2) + 1) / 2``, which is finite for any finite ``x``.

    Args:
        x (Variable or ndarray): floating point input of any shape.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype, in ``[0, 1]``.
    """
    return Sigmoid()(x)
