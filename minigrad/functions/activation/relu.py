"""Rectified linear unit: ``y = max(0, x)``."""
import numpy

from minigrad import type_check
from minigrad.core import Function


class ReLU(Function):
    """``y = max(0, x)``; see :func:`relu`."""

    def check_type_forward(self, inputs):
        # The one check relu affords: it runs on tiny arrays in tight loops.
        if inputs[0].dtype.kind != 'f':
            type_check.expect_float('ReLU', 'x', inputs[0])

    def forward(self, inputs):
        self.retain_inputs(())
        self.retain_outputs((0,))      # y > 0 exactly where x > 0
        return numpy.maximum(inputs[0], 0),

    def backward(self, inputs, grad_outputs):
        # y >= 0, so sign(y) is the 0/1 mask [x > 0] already in y's dtype:
        # cheaper than multiplying by a boolean array, which NumPy must cast.
        return grad_outputs[0] * numpy.sign(self.output_data[0]),


def relu(x):
    """Rectified linear unit, as ``chainer.functions.relu``.

    .. math:: y_i = \\max(0, x_i), \\qquad
              \\frac{\\partial y_i}{\\partial x_i} = [x_i > 0]

    The gradient at ``x == 0`` is taken as 0.

    Args:
        x (Variable or ndarray): floating point input of any shape.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    return ReLU()(x)
