"""Logarithm of the softmax along one axis."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode, exp
from minigrad.functions.activation.softmax import check_axis
from minigrad.functions.math.sum import sum as sum_


def log_softmax_array(x, axis):
    """``x - logsumexp(x, axis)`` on an ndarray, shifted by the max so it never overflows."""
    y = x - x.max(axis=axis, keepdims=True)
    y -= numpy.log(numpy.exp(y).sum(axis=axis, keepdims=True))
    return y


class LogSoftmax(FunctionNode):
    """``y = x - log(sum(exp(x), axis))``; see :func:`log_softmax`."""

    def __init__(self, axis=1):
        self.axis = axis

    @property
    def label(self):
        return 'LogSoftmax axis={}'.format(self.axis)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')
        check_axis('LogSoftmax', x_type, self.axis)

    def forward(self, inputs):
        self.retain_outputs((0,))
        return log_softmax_array(inputs[0], self.axis),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return LogSoftmaxGrad(self.axis).apply((y, grad_outputs[0]))


class LogSoftmaxGrad(FunctionNode):
    """``gx = gy - exp(y) * sum(gy, axis)``, the gradient of :class:`LogSoftmax`.

    Its inputs are ``(y, gy)`` (``exp(y)`` is the softmax); forward is the
    array kernel (one node on the first-order path).  Backward
    differentiates ``gx`` for an incoming ``g``::

        d<g, gx>/dgy = g - sum(exp(y) * g, axis)
        d<g, gx>/dy  = -g * exp(y) * sum(gy, axis)

    written with differentiable functions, so ``y`` carries the second
    derivative on to ``x`` through LogSoftmax.
    """

    def __init__(self, axis):
        self.axis = axis

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        y, gy = inputs
        return gy - numpy.exp(y) * gy.sum(axis=self.axis, keepdims=True),

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        g, = grad_outputs
        softmax = exp(y)
        out = []
        for i in indexes:
            if i == 0:
                out.append(-g * softmax * sum_(gy, axis=self.axis, keepdims=True))
            else:
                out.append(g - sum_(softmax * g, axis=self.axis, keepdims=True))
        return tuple(out)


def log_softmax(x, axis=1):
    """Log-softmax along ``axis``, as ``chainer.functions.log_softmax``.

    .. math:: y_i = x_i - \\log \\sum_j e^{x_j}, \\qquad
              g_{x,i} = g_{y,i} - e^{y_i} \\sum_j g_{y,j}

    where ``i`` and ``j`` run along ``axis``. Unlike ``log(softmax(x))`` it
    stays finite when one logit dominates (``y`` may be ``-1e4``, not ``-inf``).
    The gradient is differentiable again (:class:`LogSoftmaxGrad`).

    Args:
        x (Variable or ndarray): floating point input, e.g. ``(N, C)`` or
            ``(N, C, H, W)`` scores.
        axis (int): the axis to normalize along (the channel axis by default).

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    return LogSoftmax(axis).apply((x,))[0]
