"""Sums and means over axes."""
import numpy

from minigrad.core import Function


def _normalize_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(a % ndim for a in axes)


class Sum(Function):
    """``y = x.sum(axis)``; the gradient broadcasts ``gy`` back over the summed axes."""

    def __init__(self, axis=None, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs(())
        self.in_shape = x.shape
        self.axes = _normalize_axis(self.axis, x.ndim)
        return numpy.asarray(x.sum(axis=self.axes, keepdims=self.keepdims)),

    def backward(self, inputs, grad_outputs):
        gy, = grad_outputs
        if not self.keepdims:
            gy = numpy.expand_dims(gy, self.axes)
        return numpy.broadcast_to(gy, self.in_shape).copy(),


def sum(x, axis=None, keepdims=False):
    """Sum of the elements of ``x`` over ``axis`` (an int, a tuple, or None for all)."""
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, weights=None, keepdims=False):
    """Mean of ``x`` over ``axis``: ``sum(x, axis) / count``."""
    from minigrad.core import as_variable
    x = as_variable(x)
    if weights is not None:
        raise NotImplementedError('mean: weights are not supported')
    axes = _normalize_axis(axis, x.ndim)
    count = 1
    for a in axes:
        count *= x.shape[a]
    return sum(x, axis, keepdims) * (1.0 / count)
