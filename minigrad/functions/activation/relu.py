"""Rectified linear unit: ``y = max(0, x)``."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


class ReLU(FunctionNode):
    """``y = max(0, x)``; see :func:`relu`."""

    def check_type_forward(self, in_types):
        # The one check relu affords: it runs on tiny arrays in tight loops.
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        self.retain_outputs((0,))      # y > 0 exactly where x > 0
        return numpy.maximum(inputs[0], 0),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return ReLUGrad(y.array).apply(grad_outputs)


class ReLUGrad(FunctionNode):
    """``gx = gy * [y > 0]``, the gradient of :class:`ReLU` as a function of ``gy``.

    The mask is a constant (relu's second derivative is 0 away from 0), so
    this is linear in ``gy`` and its own gradient is the same masking:
    the backward of ReLUGrad is ReLUGrad again.

    Args:
        y (ndarray): relu's output, from which the mask is read.
    """

    def __init__(self, y):
        self.y = y

    def forward(self, inputs):
        # y >= 0, so sign(y) is the 0/1 mask [x > 0] already in y's dtype:
        # cheaper than multiplying by a boolean array, which NumPy must cast.
        # The mask is written into the output and multiplied in place: one
        # array allocated, not two.
        gy, = inputs
        if gy.dtype != self.y.dtype or gy.shape != self.y.shape or gy.ndim == 0:
            return gy * numpy.sign(self.y),
        gx = numpy.sign(self.y)
        gx *= gy
        return gx,

    def backward(self, indexes, grad_outputs):
        return ReLUGrad(self.y).apply(grad_outputs)


def relu(x):
    """Rectified linear unit, as ``chainer.functions.relu``.

    .. math:: y_i = \\max(0, x_i), \\qquad
              \\frac{\\partial y_i}{\\partial x_i} = [x_i > 0], \\qquad
              \\frac{\\partial^2 y_i}{\\partial x_i^2} = 0

    The gradient at ``x == 0`` is taken as 0.

    Args:
        x (Variable or ndarray): floating point input of any shape.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    return ReLU().apply((x,))[0]
