"""Elementwise maximum and minimum of two arrays."""
import numpy

from minigrad.core import BroadcastingFunction, binary_operands, sum_to


class _Select(BroadcastingFunction):
    """Base of maximum and minimum: the gradient goes to the input that was chosen."""

    def forward(self, inputs):
        a, b = inputs
        self.take_a = self.chooses_a(a, b)    # a boolean mask, broadcast shape
        return self.select(a, b),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        mask = self.take_a
        out = []
        for i in indexes:
            chosen = mask if i == 0 else ~mask
            out.append(sum_to(gy * chosen.astype(gy.dtype), self.inputs[i].shape))
        return tuple(out)


class Maximum(_Select):
    """``y = maximum(a, b)``; the gradient goes to the larger input (to ``a`` on ties)."""

    select = staticmethod(numpy.maximum)

    @staticmethod
    def chooses_a(a, b):
        return a >= b


class Minimum(_Select):
    """``y = minimum(a, b)``; the gradient goes to the smaller input (to ``a`` on ties)."""

    select = staticmethod(numpy.minimum)

    @staticmethod
    def chooses_a(a, b):
        return a <= b


def maximum(a, b):
    """Elementwise maximum with broadcasting; a constant takes the Variable's dtype."""
    return Maximum().apply(binary_operands(a, b))[0]


def minimum(a, b):
    """Elementwise minimum with broadcasting; a constant takes the Variable's dtype."""
    return Minimum().apply(binary_operands(a, b))[0]
