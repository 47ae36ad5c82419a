"""Sums and means over axes."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode, as_variable, broadcast_to, reshape


def _normalize_axis(axis, ndim, func_name='Sum'):
    """``axis`` (None, an int or a tuple) as a tuple of non-negative axes, checked."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    for a in axes:
        type_check.require(-ndim <= a < ndim, func_name, '-x.ndim <= axis < x.ndim',
                           'axis == {}, x.ndim == {}'.format(a, ndim))
    axes = tuple(a % ndim for a in axes)
    type_check.require(len(set(axes)) == len(axes), func_name, 'no repeated axis',
                       'axis == {}'.format(axis))
    return axes


class Sum(FunctionNode):
    """``y = x.sum(axis)``; the gradient broadcasts ``gy`` back over the summed axes.

    ``gx[i] = gy[i with the summed axes dropped]``: every element of a sum
    gets the sum's gradient.
    """

    def __init__(self, axis=None, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, inputs):
        x, = inputs
        self.in_shape = x.shape
        self.axes = _normalize_axis(self.axis, x.ndim)
        return numpy.asarray(x.sum(axis=self.axes, keepdims=self.keepdims)),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        if not self.keepdims:
            shape = list(self.in_shape)
            for a in self.axes:
                shape[a] = 1
            gy = reshape(gy, tuple(shape))
        return broadcast_to(gy, self.in_shape),


def sum(x, axis=None, keepdims=False):
    """Sum of the elements of ``x`` over ``axis``.

    Args:
        x (Variable or ndarray): any shape.
        axis (None, int or tuple of ints): the axes to sum; None sums all.
        keepdims (bool): keep the summed axes with length 1.

    Returns:
        Variable: ``x``'s shape without (or with length 1 at) the summed axes.
    """
    return Sum(axis, keepdims).apply((x,))[0]


def mean(x, axis=None, weights=None, keepdims=False):
    """Mean of ``x`` over ``axis``: ``sum(x, axis) / count``.

    Args:
        x (Variable or ndarray): any shape.
        axis (None, int or tuple of ints): the axes to average; None averages all.
        weights: not supported (must be None).
        keepdims (bool): keep the averaged axes with length 1.
    """
    x = as_variable(x)
    if weights is not None:
        raise NotImplementedError('mean: weights are not supported')
    axes = _normalize_axis(axis, x.ndim, 'Mean')
    count = 1
    for a in axes:
        count *= x.shape[a]
    type_check.require(count > 0, 'Mean', 'at least one element to average over axis {}'.format(
        axis), '0 elements (x.shape == {})'.format(x.shape))
    return sum(x, axis, keepdims) * (1.0 / count)
