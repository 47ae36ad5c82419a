"""Inverted dropout: zero a random fraction of the inputs, scale up the rest."""
import numpy

from minigrad import type_check
from minigrad.configuration import config
from minigrad.core import FunctionNode, as_variable


class Dropout(FunctionNode):
    """``y = x * mask``; see :func:`dropout`."""

    def __init__(self, dropout_ratio):
        self.dropout_ratio = dropout_ratio

    @property
    def label(self):
        return 'Dropout ratio={}'.format(self.dropout_ratio)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        x, = inputs
        # NumPy's global RNG, so numpy.random.seed reproduces a run; the mask
        # is built in x's dtype so float32 stays float32 end to end.
        keep = numpy.random.random_sample(x.shape) >= self.dropout_ratio
        scale = x.dtype.type(1.0 / (1.0 - self.dropout_ratio))
        self.mask = numpy.multiply(keep, scale, dtype=x.dtype)
        return x * self.mask,

    def backward(self, indexes, grad_outputs):
        # A product node with the same constant mask: linear in gy, so its own
        # gradient is the mask again, and x's second derivative is 0.
        return grad_outputs[0] * self.mask,


def dropout(x, ratio=0.5, **kwargs):
    """Inverted dropout, as ``chainer.functions.dropout``.

    In training mode every element is kept with probability ``1 - ratio``
    and scaled so that the expected output equals the input:

    .. math:: m_i = \\frac{[u_i \\ge r]}{1 - r}, \\quad u_i \\sim U[0, 1), \\qquad
              y_i = m_i x_i, \\qquad g_{x,i} = m_i g_{y,i}

    Otherwise it is the identity (``x`` is returned as a Variable, not copied),
    so nothing needs rescaling at test time.

    Args:
        x (Variable or ndarray): floating point input of any shape.
        ratio (float): the probability ``r`` of dropping an element, ``0 <= r < 1``.
        train (bool): Chainer v1's keyword (``F.dropout(h, train=self.train)``);
            if given it decides the mode instead of ``minigrad.config.train``.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    train = kwargs.pop('train', None)
    if kwargs:
        raise TypeError('dropout() got an unexpected keyword argument {!r}'
                        .format(next(iter(kwargs))))
    type_check.require(0.0 <= ratio < 1.0, 'Dropout', '0 <= ratio < 1',
                       'ratio == {!r}'.format(ratio))
    if not (config.train if train is None else train):
        return as_variable(x)
    return Dropout(float(ratio)).apply((x,))[0]
