"""Logarithm of the softmax along one axis."""
import numpy

from minigrad import type_check
from minigrad.core import Function
from minigrad.functions.activation.softmax import check_axis


def log_softmax_array(x, axis):
    """``x - logsumexp(x, axis)`` on an ndarray, shifted by the max so it never overflows."""
    y = x - x.max(axis=axis, keepdims=True)
    y -= numpy.log(numpy.exp(y).sum(axis=axis, keepdims=True))
    return y


class LogSoftmax(Function):
    """``y = x - log(sum(exp(x), axis))``; see :func:`log_softmax`."""

    def __init__(self, axis=1):
        self.axis = axis

    @property
    def label(self):
        return 'LogSoftmax axis={}'.format(self.axis)

    def check_type_forward(self, inputs):
        x, = inputs
        type_check.expect_float('LogSoftmax', 'x', x)
        check_axis('LogSoftmax', x, self.axis)

    def forward(self, inputs):
        self.retain_inputs(())
        self.retain_outputs((0,))
        return log_softmax_array(inputs[0], self.axis),

    def backward(self, inputs, grad_outputs):
        y, = self.output_data
        gy, = grad_outputs
        return gy - numpy.exp(y) * gy.sum(axis=self.axis, keepdims=True),


def log_softmax(x, axis=1):
    """Log-softmax along ``axis``, as ``chainer.functions.log_softmax``.

    .. math:: y_i = x_i - \\log \\sum_j e^{x_j}, \\qquad
              g_{x,i} = g_{y,i} - e^{y_i} \\sum_j g_{y,j}

    where ``i`` and ``j`` run along ``axis``. Unlike ``log(softmax(x))`` it
    stays finite when one logit dominates (``y`` may be ``-1e4``, not ``-inf``).

    Args:
        x (Variable or ndarray): floating point input, e.g. ``(N, C)`` or
            ``(N, C, H, W)`` scores.
        axis (int): the axis to normalize along (the channel axis by default).

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    return LogSoftmax(axis)(x)
