"""Split an array into pieces along an axis, at given indices or into equal sections."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode
from minigrad.functions.array.shape import Concat


def _indices_or_sections(value):
    """``value`` as ``(indices, None)`` for a sequence or ``(None, sections)`` for an int."""
    if isinstance(value, (int, numpy.integer)) and not isinstance(value, bool):
        return None, int(value)
    if isinstance(value, numpy.ndarray) and value.ndim == 0 and value.dtype.kind in 'iu':
        return None, int(value)
    indices = numpy.asarray(value)
    # An empty list reads as float64 in NumPy: no indices, one piece.
    type_check.require(indices.ndim == 1 and (indices.dtype.kind in 'iu' or indices.size == 0),
                       'SplitAxis', 'indices_or_sections an int or a 1-D sequence of ints',
                       'indices_or_sections == {!r}'.format(value))
    return [int(i) for i in indices], None


class SplitAxis(FunctionNode):
    """``ys = split(x, indices_or_sections, axis)``; the gradient concatenates the ``gys``."""

    def __init__(self, indices_or_sections, axis):
        self.indices, self.sections = _indices_or_sections(indices_or_sections)
        self.axis = axis

    @property
    def label(self):
        return 'SplitAxis axis={}'.format(self.axis)

    def check_type_forward(self, in_types):
        name = 'SplitAxis'
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        axis = type_check.make_variable(self.axis, 'axis')
        type_check.expect(-x_type.ndim <= axis, axis < x_type.ndim)
        # Only light mode gets here (a failed expect raised above): x_type is the array.
        size = x_type.shape[self.axis]
        if self.sections is not None:
            type_check.require(self.sections > 0 and size % self.sections == 0, name,
                               'sections > 0 dividing x.shape[axis]',
                               'sections == {}, x.shape[{}] == {}'.format(
                                   self.sections, self.axis, size))
        else:
            ok = all(0 <= i <= size for i in self.indices) and all(
                a <= b for a, b in zip(self.indices, self.indices[1:]))
            type_check.require(ok, name,
                               'sorted indices in [0, x.shape[axis]] == [0, {}]'.format(size),
                               'indices == {}'.format(self.indices))

    def forward(self, inputs):
        x, = inputs
        # numpy.split returns views into x: no copy.
        split = self.indices if self.indices is not None else self.sections
        return tuple(numpy.split(x, split, self.axis))

    def backward(self, indexes, grad_outputs):
        # Every output has a gradient here (the core fills zeros for the others).
        return Concat(self.axis).apply(grad_outputs)


def split_axis(x, indices_or_sections, axis, force_tuple=True):
    """Split ``x`` along ``axis``, as ``chainer.functions.split_axis``.

    Args:
        x (Variable or ndarray): any shape.
        indices_or_sections (int or 1-D sequence of ints): ``n`` splits ``x``
            into ``n`` equal pieces (``n`` divides ``x.shape[axis]``); a sorted
            sequence gives the positions where a new piece starts, as
            ``numpy.split`` reads it (pieces may be empty).
        axis (int): the axis to split along.
        force_tuple (bool): return a tuple even for one piece; with False a
            single piece is returned as a Variable.

    Returns:
        tuple of Variable (or a Variable): the pieces, each of ``x``'s shape
        except along ``axis``.

    >>> [y.shape for y in split_axis(numpy.zeros((2, 7)), [2, 5], axis=1)]
    [(2, 2), (2, 3), (2, 2)]
    """
    ys = SplitAxis(indices_or_sections, axis).apply((x,))
    if force_tuple or len(ys) != 1:
        return ys
    return ys[0]
