"""Exponential and logarithm."""
import numpy

from minigrad import type_check
from minigrad.core import Function


class Exp(Function):
    """``y = exp(x)``; ``gx = y * gy``."""

    def check_type_forward(self, inputs):
        type_check.expect_float('Exp', 'x', inputs[0])

    def forward(self, inputs):
        self.retain_inputs(())
        self.retain_outputs((0,))
        return numpy.exp(inputs[0]),

    def backward(self, inputs, grad_outputs):
        return self.output_data[0] * grad_outputs[0],


class Log(Function):
    """``y = log(x)``; ``gx = gy / x``."""

    def check_type_forward(self, inputs):
        type_check.expect_float('Log', 'x', inputs[0])

    def forward(self, inputs):
        return numpy.log(inputs[0]),

    def backward(self, inputs, grad_outputs):
        return grad_outputs[0] / inputs[0],


def exp(x):
    """Elementwise ``e ** x``."""
    return Exp()(x)


def log(x):
    """Elementwise natural logarithm."""
    return Log()(x)
