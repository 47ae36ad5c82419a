"""Hyperbolic tangent."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


class Tanh(FunctionNode):
    """``y = tanh(x)``; see :func:`tanh`."""

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        self.retain_outputs((0,))
        return numpy.tanh(inputs[0]),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return TanhGrad().apply((y, grad_outputs[0]))


class TanhGrad(FunctionNode):
    """``gx = gy * (1 - y^2)``, the gradient of :class:`Tanh` from its output ``y``.

    Its inputs are ``(y, gy)``; forward is the array kernel.  Backward
    differentiates ``gx`` for an incoming ``g``::

        d<g, gx>/dy  = -2 g * gy * y
        d<g, gx>/dgy = g * (1 - y^2)           (TanhGrad again: gx is linear in gy)

    written with differentiable functions, so ``y`` carries the second
    derivative on to ``x`` through Tanh.
    """

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        y, gy = inputs
        return gy * (1 - y * y),

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        g, = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(g * gy * y * -2.0)
            else:
                out.append(TanhGrad().apply((y, g))[0])
        return tuple(out)

def tanh(x):
    """Elementwise hyperbolic tangent, as ``chainer.functions.tanh``.

    .. math:: y_i = \\tanh x_i, \\qquad \\frac{\\partial y_i}{\\partial x_i} = 1 - y_i^2,
              \\qquad \\frac{\\partial^2 y_i}{\\partial x_i^2} = -2 y_i (1 - y_i^2)

    Args:
        x (Variable or ndarray): floating point input of any shape.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype, in ``[-1, 1]``.
    """
    return Tanh().apply((x,))[0]
