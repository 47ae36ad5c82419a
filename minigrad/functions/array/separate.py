"""Separate: split an array into its slices along an axis (the inverse of stack)."""
from minigrad import type_check
from minigrad.core import FunctionNode
from minigrad.functions.array.stack import Stack


class Separate(FunctionNode):
    """``ys[i] = x[..., i, ...]`` (``i`` at ``axis``); the gradient stacks the ``gys`` back."""

    def __init__(self, axis=0):
        self.axis = axis

    @property
    def label(self):
        return 'Separate axis={}'.format(self.axis)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        axis = type_check.make_variable(self.axis, 'axis')
        type_check.expect(-x_type.ndim <= axis, axis < x_type.ndim)

    def forward(self, inputs):
        x, = inputs
        lead = (slice(None),) * (self.axis % x.ndim)
        # Views into x, one per index along the axis: no copy.
        return tuple(x[lead + (i,)] for i in range(x.shape[self.axis]))

    def backward(self, indexes, grad_outputs):
        # Every output has a gradient here (the core fills zeros for the others).
        return Stack(self.axis).apply(grad_outputs)


def separate(x, axis=0):
    """Split ``x`` into its slices along ``axis``, as ``chainer.functions.separate``.

    The inverse of :func:`~minigrad.functions.array.stack.stack`: an array of
    shape ``(2, 3, 4)`` separated along ``axis=1`` gives three of shape ``(2, 4)``.

    Args:
        x (Variable or ndarray): any shape with at least one axis.
        axis (int): the axis to split along.

    Returns:
        tuple of Variable: ``x.shape[axis]`` Variables, each of ``x``'s shape without ``axis``.

    >>> [y.shape for y in separate(numpy.zeros((2, 3, 4)), axis=1)]
    [(2, 4), (2, 4), (2, 4)]
    """
    return Separate(axis).apply((x,))
