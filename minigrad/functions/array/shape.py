"""Functions that move elements without computing: broadcast, flatten, concat, indexing."""
import numpy

from minigrad import type_check
from minigrad.core import Function, GetItem, as_variable, reshape, sum_to, transpose


def _broadcastable(small, big):
    """True if an array of shape ``small`` broadcasts to shape ``big``."""
    if len(small) > len(big):
        return False
    return all(s == 1 or s == b for s, b in zip(small[::-1], big[::-1]))


class BroadcastTo(Function):
    """``y = broadcast_to(x, shape)``; the gradient is summed back to ``x``'s shape."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def check_type_forward(self, inputs):
        x, = inputs
        type_check.expect(_broadcastable(x.shape, self.shape), 'BroadcastTo',
                          'x.shape broadcastable to {}'.format(self.shape),
                          'x.shape == {}'.format(x.shape))

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs(())
        self.in_shape = x.shape
        # A broadcast view is read-only and aliases x; later in-place code needs its own array.
        return numpy.broadcast_to(x, self.shape).copy(),

    def backward(self, inputs, grad_outputs):
        return sum_to(grad_outputs[0], self.in_shape),


class SumTo(Function):
    """``y = sum_to(x, shape)``, the adjoint of broadcast_to: sums the broadcast axes away."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def check_type_forward(self, inputs):
        x, = inputs
        type_check.expect(_broadcastable(self.shape, x.shape), 'SumTo',
                          '{} broadcastable to x.shape'.format(self.shape),
                          'x.shape == {}'.format(x.shape))

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs(())
        self.in_shape = x.shape
        y = sum_to(x, self.shape)
        # sum_to returns x itself when nothing is summed; an output must not alias its input.
        return (y.copy() if y is x else y),

    def backward(self, inputs, grad_outputs):
        return numpy.broadcast_to(grad_outputs[0], self.in_shape).copy(),


class Concat(Function):
    """``y = concatenate(xs, axis)``; the gradient is split at the same places."""

    def __init__(self, axis=1):
        self.axis = axis

    def check_type_forward(self, inputs):
        type_check.expect(len(inputs) > 0, 'Concat', 'at least one input', '0 inputs')
        first = inputs[0]
        type_check.expect(-first.ndim <= self.axis < first.ndim, 'Concat',
                          '-xs[0].ndim <= axis < xs[0].ndim',
                          'axis == {}, xs[0].ndim == {}'.format(self.axis, first.ndim))
        a = self.axis % first.ndim
        for i, x in enumerate(inputs[1:], 1):
            type_check.expect_equal('Concat', 'xs[{}].ndim'.format(i), x.ndim, 'xs[0].ndim', first.ndim)
            for d in range(first.ndim):
                if d != a:
                    type_check.expect_equal('Concat', 'xs[{}].shape[{}]'.format(i, d), x.shape[d],
                                            'xs[0].shape[{}]'.format(d), first.shape[d])

    def forward(self, inputs):
        self.retain_inputs(())
        self.sizes = numpy.cumsum([x.shape[self.axis] for x in inputs])[:-1].tolist()
        return numpy.concatenate(inputs, axis=self.axis),

    def backward(self, inputs, grad_outputs):
        return tuple(numpy.split(grad_outputs[0], self.sizes, axis=self.axis))


def broadcast_to(x, shape):
    """Broadcast ``x`` to ``shape`` as NumPy would.

    Args:
        x (Variable or ndarray): a shape broadcastable to ``shape``.
        shape (tuple of ints): the output shape.
    """
    x = as_variable(x)
    if x.shape == tuple(shape):
        return x
    return BroadcastTo(shape)(x)


def sum_to_shape(x, shape):
    """Sum ``x`` down to ``shape`` (the reverse of broadcasting); ``F.sum_to``.

    Args:
        x (Variable or ndarray): any shape that ``shape`` broadcasts to.
        shape (tuple of ints): the output shape.
    """
    x = as_variable(x)
    if x.shape == tuple(shape):
        return x
    return SumTo(shape)(x)


def flatten(x):
    """Flatten ``x`` to one dimension of ``x.size`` elements."""
    return reshape(x, (-1,))


def concat(xs, axis=1):
    """Concatenate Variables along ``axis`` (Chainer's default is 1, the channels).

    Args:
        xs (list of Variables or ndarrays): equal shapes except along ``axis``.
        axis (int): the axis to join along.
    """
    return Concat(axis)(*xs)


def get_item(x, slices):
    """``x[slices]`` with basic or advanced indexing; repeated indices add their gradients."""
    return GetItem(slices)(x)


def expand_dims(x, axis):
    """Insert an axis of length 1 at ``axis`` (``-x.ndim - 1 <= axis <= x.ndim``)."""
    x = as_variable(x)
    type_check.expect(-x.ndim - 1 <= axis <= x.ndim, 'ExpandDims',
                      '-x.ndim - 1 <= axis <= x.ndim', 'axis == {}, x.ndim == {}'.format(axis, x.ndim))
    shape = list(x.shape)
    shape.insert(axis % (x.ndim + 1), 1)
    return reshape(x, tuple(shape))


__all__ = ['broadcast_to', 'sum_to_shape', 'flatten', 'concat', 'get_item', 'expand_dims',
           'reshape', 'transpose']
