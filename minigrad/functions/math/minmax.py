"""Elementwise maximum and minimum of two arrays."""
import numpy

from minigrad.core import BroadcastingFunction, sum_to


class Maximum(BroadcastingFunction):
    """``y = maximum(a, b)``; the gradient goes to the larger input (to ``a`` on ties)."""

    def forward(self, inputs):
        a, b = inputs
        return numpy.maximum(a, b),

    def backward(self, inputs, grad_outputs):
        a, b = inputs
        gy, = grad_outputs
        take_a = a >= b
        return sum_to(gy * take_a, a.shape), sum_to(gy * ~take_a, b.shape)


class Minimum(BroadcastingFunction):
    """``y = minimum(a, b)``; the gradient goes to the smaller input (to ``a`` on ties)."""

    def forward(self, inputs):
        a, b = inputs
        return numpy.minimum(a, b),

    def backward(self, inputs, grad_outputs):
        a, b = inputs
        gy, = grad_outputs
        take_a = a <= b
        return sum_to(gy * take_a, a.shape), sum_to(gy * ~take_a, b.shape)


def maximum(a, b):
    """Elementwise maximum with broadcasting."""
    return Maximum()(a, b)


def minimum(a, b):
    """Elementwise minimum with broadcasting."""
    return Minimum()(a, b)
