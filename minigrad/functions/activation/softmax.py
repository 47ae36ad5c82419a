"""Softmax along one axis."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode
from minigrad.functions.math.sum import sum as sum_


def check_axis(func_name, x, axis):
    """Check that ``axis`` is an int with ``-x.ndim <= axis < x.ndim``.

    ``x`` is an array: call this after the ``type_check.expect`` conditions on
    ``x``, which are the only ones a failing check runs again on expressions.
    """
    ok = (isinstance(axis, (int, numpy.integer)) and not isinstance(axis, bool)
          and -x.ndim <= axis < x.ndim)
    type_check.require(ok, func_name, '-x.ndim <= axis < x.ndim (an int)',
                       'axis == {!r}, x.ndim == {} (shape {})'.format(axis, x.ndim, x.shape))


class Softmax(FunctionNode):
    """``y = exp(x) / sum(exp(x), axis)``; see :func:`softmax`."""

    def __init__(self, axis=1):
        self.axis = axis

    @property
    def label(self):
        return 'Softmax axis={}'.format(self.axis)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')
        check_axis('Softmax', x_type, self.axis)

    def forward(self, inputs):
        x, = inputs
        self.retain_outputs((0,))
        # Shifting by the max leaves y unchanged and keeps exp in [0, 1].
        y = x - x.max(axis=self.axis, keepdims=True)
        numpy.exp(y, out=y)
        y /= y.sum(axis=self.axis, keepdims=True)
        return y,

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return SoftmaxGrad(self.axis).apply((y, grad_outputs[0]))


class SoftmaxGrad(FunctionNode):
    """``gx = y * (gy - sum(y * gy, axis))``, the gradient of :class:`Softmax`.

    Its inputs are ``(y, gy)``; forward is the array kernel (one node on the
    first-order path).  Backward differentiates ``gx`` for an incoming ``g``,
    with ``S = sum(y * gy, axis)`` and ``T = sum(y * g, axis)``::

        d<g, gx>/dgy = y * (g - T)                 (SoftmaxGrad again: gx is linear in gy)
        d<g, gx>/dy  = g * (gy - S) - gy * T

    written with differentiable functions, so ``y`` carries the second
    derivative on to ``x`` through Softmax.
    """

    def __init__(self, axis):
        self.axis = axis

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        y, gy = inputs
        gx = y * gy
        gx -= y * gx.sum(axis=self.axis, keepdims=True)
        return gx,

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        g, = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                s = sum_(y * gy, axis=self.axis, keepdims=True)
                t = sum_(y * g, axis=self.axis, keepdims=True)
                out.append(g * (gy - s) - gy * t)
            else:
                out.append(SoftmaxGrad(self.axis).apply((y, g))[0])
        return tuple(out)


def softmax(x, axis=1):
    """Softmax along ``axis``, as ``chainer.functions.softmax``.

    .. math:: y_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}, \\qquad
              g_{x,i} = y_i \\Big(g_{y,i} - \\sum_j y_j g_{y,j}\\Big)

    where ``i`` and ``j`` run along ``axis``. The input is shifted by its
    maximum first, so large logits (``1e4``) neither overflow nor give NaN.
    The gradient is differentiable again (:class:`SoftmaxGrad`).

    Args:
        x (Variable or ndarray): floating point input, e.g. ``(N, C)`` or
            ``(N, C, H, W)`` scores.
        axis (int): the axis to normalize along (the channel axis by default).

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype; it sums to 1 along ``axis``.
    """
    return Softmax(axis).apply((x,))[0]
