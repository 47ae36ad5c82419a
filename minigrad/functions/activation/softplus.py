"""Softplus: a smooth ReLU, ``y = log(1 + exp(beta x)) / beta``."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode
from minigrad.functions.activation.sigmoid import sigmoid


def _sigmoid_array(x):
    """``1 / (1 + exp(-x))`` as ``(tanh(x / 2) + 1) / 2``: finite for any finite ``x``."""
    half = x.dtype.type(0.5)
    s = numpy.tanh(x * half)
    s *= half
    s += half
    return s


class Softplus(FunctionNode):
    """``y = log(1 + exp(beta x)) / beta``; see :func:`softplus`."""

    def __init__(self, beta=1.0):
        # A Python float keeps float32 arrays float32 (a NumPy float64 scalar would not).
        self.beta = float(beta)
        type_check.require(self.beta != 0, 'Softplus', 'beta != 0', 'beta == {!r}'.format(beta))

    @property
    def label(self):
        return 'Softplus beta={}'.format(self.beta)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        # log(1 + e^z) = max(z, 0) + log(1 + e^-|z|): no exp of a large positive
        # number, so z = +-1e4 gives z and 0 instead of inf and log(1) trouble.
        bx = x * self.beta
        y = numpy.log1p(numpy.exp(-numpy.abs(bx)))
        y += numpy.maximum(bx, 0)
        y *= 1.0 / self.beta
        return y,

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return SoftplusGrad(self.beta).apply((x, grad_outputs[0]))


class SoftplusGrad(FunctionNode):
    """``gx = gy * sigmoid(beta x)``, the gradient of :class:`Softplus`.

    Its inputs are ``(x, gy)``:

    .. math:: \\frac{\\partial g_x}{\\partial x} = g_y \\beta s (1 - s), \\qquad
              \\frac{\\partial g_x}{\\partial g_y} = s, \\qquad s = \\sigma(\\beta x)

    so its backward is a product of differentiable functions of ``x`` and
    SoftplusGrad again (linear in ``gy``).
    """

    def __init__(self, beta):
        self.beta = beta

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        return gy * _sigmoid_array(x * self.beta),

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        ggx, = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                s = sigmoid(x * self.beta)
                out.append(ggx * gy * (s * (1 - s)) * self.beta)
            else:
                out.append(SoftplusGrad(self.beta).apply((x, ggx))[0])
        return tuple(out)


def softplus(x, beta=1.0):
    """Elementwise softplus, a smooth approximation of ReLU, as ``chainer.functions.softplus``.

    .. math:: y_i = \\frac{1}{\\beta} \\log(1 + e^{\\beta x_i}), \\qquad
              \\frac{\\partial y_i}{\\partial x_i} = \\sigma(\\beta x_i), \\qquad
              \\frac{\\partial^2 y_i}{\\partial x_i^2} = \\beta \\sigma(\\beta x_i)(1 - \\sigma(\\beta x_i))

    The larger ``beta``, the closer to ``max(x, 0)``. Computed as
    ``(max(bx, 0) + log(1 + exp(-|bx|))) / beta``, finite for any finite ``x``.

    Args:
        x (Variable or ndarray): floating point input of any shape.
        beta (float): the sharpness :math:`\\beta` (not 0).

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.

    >>> softplus(numpy.array([-2.0, 0.0, 2.0])).array.round(4)
    array([0.1269, 0.6931, 2.1269])
    """
    return Softplus(beta).apply((x,))[0]
