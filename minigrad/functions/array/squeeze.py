"""Squeeze: drop axes of length 1."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode, reshape


class Squeeze(FunctionNode):
    """``y = x`` without the length-1 axes ``axis`` (all of them for None); see :func:`squeeze`."""

    def __init__(self, axis=None):
        if axis is not None and not isinstance(axis, tuple):
            axis = (axis,)
        type_check.require(axis is None or all(isinstance(a, (int, numpy.integer)) for a in axis),
                           'Squeeze', 'axis None, an int or a tuple of ints',
                           'axis == {!r}'.format(axis))
        self.axis = axis

    def check_type_forward(self, in_types):
        if self.axis is None:
            return
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        for a in self.axis:
            axis = type_check.make_variable(a, 'axis')
            type_check.expect(-x_type.ndim <= axis, axis < x_type.ndim, x_type.shape[a] == 1)
        # Only light mode gets here (a failed expect raised above): x_type is the array.
        axes = [a % x_type.ndim for a in self.axis]
        type_check.require(len(set(axes)) == len(axes), 'Squeeze', 'no repeated axis',
                           'axis == {}'.format(self.axis))

    def forward(self, inputs):
        x, = inputs
        return numpy.squeeze(x, self.axis),

    def backward(self, indexes, grad_outputs):
        # Put the length-1 axes back: a reshape, differentiable again.
        return reshape(grad_outputs[0], self.inputs[0].shape),


def squeeze(x, axis=None):
    """Remove axes of length 1, as ``chainer.functions.squeeze``.

    Args:
        x (Variable or ndarray): any shape.
        axis (None, int or tuple of ints): the axes to remove (each of length
            1); None removes every axis of length 1.

    Returns:
        Variable: ``x``'s elements in the shape without those axes.

    >>> squeeze(numpy.zeros((2, 1, 1, 3))).shape
    (2, 3)
    >>> squeeze(numpy.zeros((2, 1, 1, 3)), axis=1).shape
    (2, 1, 3)
    """
    return Squeeze(axis).apply((x,))[0]
