"""Logistic sigmoid: ``y = 1 / (1 + exp(-x))``."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


def sigmoid_array(x):
    """``1 / (1 + exp(-x))`` on an ndarray as ``(tanh(x / 2) + 1) / 2``.

    Unlike ``exp(-x)`` at ``x = -1e4`` it never overflows: finite for any finite ``x``.
    """
    half = x.dtype.type(0.5)
    y = numpy.tanh(x * half)
    y *= half
    y += half
    return y


class Sigmoid(FunctionNode):
    """``y = 1 / (1 + exp(-x))``; see :func:`sigmoid`."""

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        self.retain_outputs((0,))
        return sigmoid_array(inputs[0]),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return SigmoidGrad().apply((y, grad_outputs[0]))


class SigmoidGrad(FunctionNode):
    """``gx = gy * y * (1 - y)``, the gradient of :class:`Sigmoid` from its output ``y``.

    Its inputs are ``(y, gy)``; forward is the array kernel.  Backward
    differentiates ``gx`` for an incoming ``g``::

        d<g, gx>/dy  = g * gy * (1 - 2 y)
        d<g, gx>/dgy = g * y * (1 - y)         (SigmoidGrad again: gx is linear in gy)

    written with differentiable functions, so ``y`` carries the second
    derivative on to ``x`` through Sigmoid.
    """

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        y, gy = inputs
        return gy * y * (1 - y),

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        g, = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(g * gy * (1 - 2 * y))
            else:
                out.append(SigmoidGrad().apply((y, g))[0])
        return tuple(out)

def sigmoid(x):
    """Elementwise logistic sigmoid, as ``chainer.functions.sigmoid``.

    .. math:: y_i = \\frac{1}{1 + e^{-x_i}}, \\qquad
              \\frac{\\partial y_i}{\\partial x_i} = y_i (1 - y_i), \\qquad
              \\frac{\\partial^2 y_i}{\\partial x_i^2} = y_i (1 - y_i) (1 - 2 y_i)

    Computed as ``(tanh(x / 2) + 1) / 2``, which is finite for any finite ``x``.

    Args:
        x (Variable or ndarray): floating point input of any shape.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype, in ``[0, 1]``.
    """
    return Sigmoid().apply((x,))[0]
