"""Leaky rectified linear unit: ``y = x`` for ``x >= 0``, ``slope * x`` otherwise."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


class LeakyReLU(FunctionNode):
    """``y = x if x >= 0 else slope * x``; see :func:`leaky_relu`."""

    def __init__(self, slope=0.2):
        # A Python float keeps float32 arrays float32 (a NumPy float64 scalar would not).
        self.slope = float(slope)

    @property
    def label(self):
        return 'LeakyReLU slope={}'.format(self.slope)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        x, = inputs
        # With slope > 0 the output has the input's sign, so backward can read
        # the side of zero from y and x can be freed; otherwise it needs x.
        if self.slope > 0:
            self.retain_outputs((0,))
        else:
            self.retain_inputs((0,))
        return numpy.where(x >= 0, x, x * self.slope),

    def backward(self, indexes, grad_outputs):
        if self.slope > 0:
            a, = self.get_retained_outputs()
        else:
            a, = self.get_retained_inputs()
        return LeakyReLUGrad(a.array, self.slope).apply(grad_outputs)


class LeakyReLUGrad(FunctionNode):
    """``gx = gy if a >= 0 else slope * gy``, the gradient of :class:`LeakyReLU`.

    ``a`` (the input, or the output when ``slope > 0``) only says which side of
    zero each element is on: a constant, so this is linear in ``gy`` and its
    backward is LeakyReLUGrad again.

    Args:
        a (ndarray): leaky_relu's input or output.
        slope (float): the slope for negative inputs.
    """

    def __init__(self, a, slope):
        self.a = a
        self.slope = slope

    def forward(self, inputs):
        gy, = inputs
        return numpy.where(self.a >= 0, gy, gy * self.slope),

    def backward(self, indexes, grad_outputs):
        return LeakyReLUGrad(self.a, self.slope).apply(grad_outputs)


def leaky_relu(x, slope=0.2):
    """Leaky rectified linear unit, as ``chainer.functions.leaky_relu``.

    .. math:: y_i = \\begin{cases} x_i & x_i \\ge 0 \\\\ a x_i & x_i < 0 \\end{cases},
              \\qquad \\frac{\\partial y_i}{\\partial x_i} =
              \\begin{cases} 1 & x_i \\ge 0 \\\\ a & x_i < 0 \\end{cases}

    The second derivative is 0 (away from ``x == 0``).

    Args:
        x (Variable or ndarray): floating point input of any shape.
        slope (float): the slope ``a`` for negative inputs.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    return LeakyReLU(slope).apply((x,))[0]
