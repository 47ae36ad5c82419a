"""Weighted average over axes: ``sum(x * w, axis) / sum(w)``."""
import numpy

from minigrad import type_check
from minigrad.core import Variable, as_variable, reshape
from minigrad.functions.math.sum import _normalize_axis, mean, sum as sum_


def average(x, axis=None, weights=None, keepdims=False):
    """Weighted average of ``x`` over ``axis``, as ``chainer.functions.average``.

    .. math:: y = \\frac{\\sum_i w_i x_i}{\\sum_i w_i}

    over the elements along ``axis`` (every weight 1 when ``weights`` is
    None: the mean).  A composition of sums and products, so it is twice
    differentiable with respect to ``x`` and ``weights``.

    Args:
        x (Variable or ndarray): floating point input of any shape.
        axis (None, int or tuple of ints): the axes to average over; None
            averages every element.  With ``weights``, at most one axis.
        weights (Variable, ndarray or None): of ``x``'s shape when ``axis`` is
            None, else of shape ``(x.shape[axis],)``.
        keepdims (bool): keep the averaged axes with length 1.

    Returns:
        Variable: ``x``'s shape without (or with length 1 at) the averaged axes.

    >>> average(numpy.array([1.0, 2.0, 6.0]), weights=numpy.array([1.0, 1.0, 2.0])).array
    array(3.75)
    """
    name = 'Average'
    x = as_variable(x)
    type_check.expect_float(name, 'x', x)
    axes = _normalize_axis(axis, x.ndim, name)
    if weights is None:
        return mean(x, axis, keepdims=keepdims)
    if isinstance(weights, Variable):
        type_check.expect_equal(name, 'weights.dtype', weights.dtype, 'x.dtype', x.dtype)
    else:       # a constant takes x's dtype, so float32 stays float32
        weights = Variable(numpy.asarray(weights, dtype=x.dtype), requires_grad=False)
    if axis is None:
        type_check.expect_equal(name, 'weights.shape', weights.shape, 'x.shape', x.shape)
    else:
        type_check.require(len(axes) == 1, name, 'a single axis with weights',
                           'axis == {!r}'.format(axis))
        a, = axes
        type_check.expect_equal(name, 'weights.shape', weights.shape,
                                '(x.shape[{}],)'.format(axis), (x.shape[a],))
        # Lay the weights along axis a; the product broadcasts them over the other axes.
        weights = reshape(weights, tuple(n if d == a else 1 for d, n in enumerate(x.shape)))
    return sum_(x * weights, axis, keepdims) / sum_(weights)
