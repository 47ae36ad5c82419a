"""Stack: join arrays of one shape along a new axis."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


class Stack(FunctionNode):
    """``y = stack(xs, axis)``; the gradient of ``xs[i]`` is ``gy`` at index ``i`` of ``axis``.

    Its backward is :func:`~minigrad.functions.array.separate.separate`, whose
    backward is Stack again.
    """

    def __init__(self, axis=0):
        self.axis = axis

    @property
    def label(self):
        return 'Stack axis={}'.format(self.axis)

    def check_type_forward(self, inputs):
        name = 'Stack'
        type_check.expect(len(inputs) > 0, name, 'at least one input', '0 inputs')
        first = inputs[0]
        type_check.expect(-first.ndim - 1 <= self.axis <= first.ndim, name,
                          '-xs[0].ndim - 1 <= axis <= xs[0].ndim',
                          'axis == {}, xs[0].ndim == {}'.format(self.axis, first.ndim))
        for i, x in enumerate(inputs[1:], 1):
            type_check.expect_equal(name, 'xs[{}].shape'.format(i), x.shape, 'xs[0].shape', first.shape)
            type_check.expect_equal(name, 'xs[{}].dtype'.format(i), x.dtype, 'xs[0].dtype', first.dtype)

    def forward(self, inputs):
        return numpy.stack(inputs, axis=self.axis),

    def backward(self, indexes, grad_outputs):
        # Imported here: separate's backward is a Stack, so the modules refer to each other.
        from minigrad.functions.array.separate import separate
        gxs = separate(grad_outputs[0], self.axis)
        return tuple(gxs[i] for i in indexes)


def stack(xs, axis=0):
    """Join Variables of one shape along a new axis, as ``chainer.functions.stack``.

    ``y`` indexed with ``i`` at ``axis`` is ``xs[i]``.

    Args:
        xs (list of Variables or ndarrays): ``n`` arrays of one shape and dtype.
        axis (int): where the new axis goes, ``-ndim - 1 <= axis <= ndim``
            (``ndim`` of the inputs; negative counts from the end of the output).

    Returns:
        Variable: of the inputs' shape with ``n`` inserted at ``axis``.

    >>> stack([numpy.zeros((3, 4)), numpy.ones((3, 4))], axis=1).shape
    (3, 2, 4)
    """
    return Stack(axis).apply(tuple(xs))[0]
