"""Functions that move elements without computing: broadcast, flatten, concat, indexing."""
import numpy

from minigrad import type_check
from minigrad.core import (FunctionNode, as_variable, broadcast_to, get_item, reshape,  # NOQA
                           sum_to, transpose)


class Concat(FunctionNode):
    """``y = concatenate(xs, axis)``; the gradient is ``gy`` sliced at the same places."""

    def __init__(self, axis=1):
        self.axis = axis

    def check_type_forward(self, in_types):
        type_check.require(len(in_types) > 0, 'Concat', 'at least one input', '0 inputs')
        if not type_check.in_light_mode():
            type_check.argname(in_types, ['xs[{}]'.format(i) for i in range(len(in_types))])
        first = in_types[0]
        axis = type_check.make_variable(self.axis, 'axis')
        type_check.expect(-first.ndim <= axis, axis < first.ndim)
        ndim = type_check.eval(first.ndim)
        a = self.axis % ndim
        for x_type in in_types[1:]:
            type_check.expect(x_type.ndim == first.ndim)
            for d in range(ndim):
                if d != a:
                    type_check.expect(x_type.shape[d] == first.shape[d])

    def forward(self, inputs):
        self.bounds = numpy.cumsum([0] + [x.shape[self.axis] for x in inputs]).tolist()
        return numpy.concatenate(inputs, axis=self.axis),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        axis = self.axis % gy.ndim
        lead = (slice(None),) * axis
        return tuple(get_item(gy, lead + (slice(self.bounds[i], self.bounds[i + 1]),))
                     for i in indexes)


def sum_to_shape(x, shape):
    """Sum ``x`` down to ``shape`` (the reverse of broadcasting); ``F.sum_to``."""
    return sum_to(x, shape)


def flatten(x):
    """Flatten ``x`` to one dimension of ``x.size`` elements."""
    return reshape(x, (-1,))


def concat(xs, axis=1):
    """Concatenate Variables along ``axis`` (Chainer's default is 1, the channels).

    Args:
        xs (list of Variables or ndarrays): equal shapes except along ``axis``.
        axis (int): the axis to join along.
    """
    return Concat(axis).apply(xs)[0]


def expand_dims(x, axis):
    """Insert an axis of length 1 at ``axis`` (``-x.ndim - 1 <= axis <= x.ndim``)."""
    x = as_variable(x)
    type_check.require(-x.ndim - 1 <= axis <= x.ndim, 'ExpandDims',
                       '-x.ndim - 1 <= axis <= x.ndim', 'axis == {}, x.ndim == {}'.format(axis, x.ndim))
    shape = list(x.shape)
    shape.insert(axis % (x.ndim + 1), 1)
    return reshape(x, tuple(shape))


__all__ = ['broadcast_to', 'sum_to_shape', 'flatten', 'concat', 'get_item', 'expand_dims',
           'reshape', 'transpose']
