"""Clip: limit every element to ``[x_min, x_max]``."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


def _as_bound(value):
    """A bound as a Python number (a NumPy float64 scalar would promote float32 arrays)."""
    return value.item() if isinstance(value, (numpy.generic, numpy.ndarray)) else value


class Clip(FunctionNode):
    """``y = min(max(x, x_min), x_max)``; see :func:`clip`."""

    def __init__(self, x_min, x_max):
        name = 'Clip'
        type_check.require(x_min is not None or x_max is not None, name,
                           'x_min or x_max to be given', 'x_min == x_max == None')
        for arg, value in (('x_min', x_min), ('x_max', x_max)):
            type_check.require(value is None or numpy.ndim(value) == 0, name,
                               '{} a scalar or None'.format(arg), '{} == {!r}'.format(arg, value))
        x_min, x_max = _as_bound(x_min), _as_bound(x_max)
        type_check.require(x_min is None or x_max is None or x_min < x_max, name,
                           'x_min < x_max', 'x_min == {!r}, x_max == {!r}'.format(x_min, x_max))
        self.x_min = x_min
        self.x_max = x_max

    @property
    def label(self):
        return 'Clip [{}, {}]'.format(self.x_min, self.x_max)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        x, = inputs
        # The gradient passes where x is inside the closed interval (1 at the edges, as Chainer).
        inside = True
        if self.x_min is not None:
            inside = x >= self.x_min
        if self.x_max is not None:
            inside = inside & (x <= self.x_max)
        self.inside = inside
        return numpy.clip(x, self.x_min, self.x_max),

    def backward(self, indexes, grad_outputs):
        return ClipGrad(self.inside).apply(grad_outputs)


class ClipGrad(FunctionNode):
    """``gx = gy`` inside ``[x_min, x_max]``, 0 outside: linear in ``gy``, so its backward is itself.

    Args:
        inside (ndarray of bool): where ``x_min <= x <= x_max``.
    """

    def __init__(self, inside):
        self.inside = inside

    def forward(self, inputs):
        return inputs[0] * self.inside,

    def backward(self, indexes, grad_outputs):
        return ClipGrad(self.inside).apply(grad_outputs)


def clip(x, x_min, x_max):
    """Clip the elements of ``x`` to ``[x_min, x_max]``, as ``chainer.functions.clip``.

    .. math:: y_i = \\min(\\max(x_i, x_{min}), x_{max}), \\qquad
              \\frac{\\partial y_i}{\\partial x_i} = [x_{min} \\le x_i \\le x_{max}]

    The gradient at ``x_min`` and ``x_max`` themselves is 1.

    Args:
        x (Variable or ndarray): floating point input of any shape.
        x_min (float or None): the lower bound; None for none.
        x_max (float or None): the upper bound; None for none. At least one
            bound is given, and ``x_min < x_max``.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.

    >>> clip(numpy.array([-2.0, 0.5, 3.0]), -1.0, 1.0).array
    array([-1. ,  0.5,  1. ])
    """
    return Clip(x_min, x_max).apply((x,))[0]
