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

    def check_type_forward(self, in_types):
        type_check.require(len(in_types) > 0, 'Stack', 'at least one input', '0 inputs')
        if not type_check.in_light_mode():
            type_check.argname(in_types, ['xs[{}]'.format(i) for i in range(len(in_types))])
        first = in_types[0]
        axis = type_check.make_variable(self.axis, 'axis')
        type_check.expect(-first.ndim - 1 <= axis, axis <= first.ndim)
        for x_type in in_types[1:]:
            type_check.expect(x_type.shape == first.shape, x_type.dtype == first.dtype)

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
