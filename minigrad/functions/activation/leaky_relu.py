"""Leaky rectified linear unit: ``y = x`` for ``x >= 0``, ``slope * x`` otherwise."""
import numpy

from minigrad import type_check
from minigrad.core import Function


class LeakyReLU(Function):
    """``y = x if x >= 0 else slope * x``; see :func:`leaky_relu`."""

    def __init__(self, slope=0.2):
        # A Python float keeps float32 arrays float32 (a NumPy float64 scalar would not).
        self.slope = float(slope)

    @property
    def label(self):
        return 'LeakyReLU slope={}'.format(self.slope)

    def check_type_forward(self, inputs):
        type_check.expect_float('LeakyReLU', 'x', inputs[0])

    def forward(self, inputs):
        x, = inputs
        # With slope > 0 the output has the input's sign, so backward can read
        # the side of zero from y and x can be freed; otherwise it needs x.
        self.from_output = self.slope > 0
        if self.from_output:
            self.retain_inputs(())
            self.retain_outputs((0,))
        return numpy.where(x >= 0, x, x * self.slope),

    def backward(self, inputs, grad_outputs):
        gy, = grad_outputs
        a = self.output_data[0] if self.from_output else inputs[0]
        return numpy.where(a >= 0, gy, gy * self.slope),


def leaky_relu(x, slope=0.2):
    """Leaky rectified linear unit, as ``chainer.functions.leaky_relu``.

    .. math:: y_i = \\begin{cases} x_i & x_i \\ge 0 \\\\ a x_i & x_i < 0 \\end{cases},
              \\qquad \\frac{\\partial y_i}{\\partial x_i} =
              \\begin{cases} 1 & x_i \\ge 0 \\\\ a & x_i < 0 \\end{cases}

    Args:
        x (Variable or ndarray): floating point input of any shape.
        slope (float): the slope ``a`` for negative inputs.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    return LeakyReLU(slope)(x)
