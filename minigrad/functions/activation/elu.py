"""Exponential linear unit: ``y = x`` for ``x > 0``, ``alpha (exp(x) - 1)`` otherwise."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


class ELU(FunctionNode):
    """``y = scale * (x if x > 0 else alpha (exp(x) - 1))``; see :func:`elu`.

    ``scale`` is 1 for ELU; :class:`~minigrad.functions.activation.selu.SELU`
    is this node with another ``scale``, so that SELU costs one node, not two.
    """

    name = 'ELU'

    def __init__(self, alpha=1.0, scale=1.0):
        # Python floats keep float32 arrays float32 (NumPy float64 scalars would not).
        self.alpha = float(alpha)
        self.scale = float(scale)

    @property
    def label(self):
        return '{} alpha={:g}'.format(self.name, self.alpha)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        x, = inputs
        self.retain_outputs((0,))
        # The side of zero, kept as a mask: y alone cannot tell it when alpha <= 0.
        self.positive = x > 0
        y = numpy.expm1(numpy.minimum(x, 0))     # the min keeps exp from overflowing on the side it is unused
        y *= self.alpha
        y = numpy.where(self.positive, x, y)
        if self.scale != 1.0:
            y *= self.scale
        return y,

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return ELUGrad(self.positive, self.alpha, self.scale).apply((y, grad_outputs[0]))


class ELUGrad(FunctionNode):
    """``gx = gy * (scale if x > 0 else y + scale * alpha)``, the gradient of :class:`ELU`.

    For ``x <= 0``, ``dy/dx = scale * alpha * exp(x) = y + scale * alpha``, so
    the slope is read from the output ``y``.  The inputs are ``(y, gy)``:

    .. math:: \\frac{\\partial g_x}{\\partial y} = g_y [x \\le 0], \\qquad
              \\frac{\\partial g_x}{\\partial g_y} = \\text{the slope}

    so its backward is one product and ELUGrad again (linear in ``gy``); ``y``
    carries the gradient on to ``x`` through ELU.

    Args:
        positive (ndarray of bool): ``x > 0``.
        alpha, scale (float): ELU's parameters.
    """

    def __init__(self, positive, alpha, scale):
        self.positive = positive
        self.alpha = alpha
        self.scale = scale

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        y, gy = inputs
        as_y = y.dtype.type    # scalars of y's dtype, so float32 stays float32
        slope = numpy.where(self.positive, as_y(self.scale), y + as_y(self.scale * self.alpha))
        slope *= gy
        return slope,

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        ggx, = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(ggx * gy * (~self.positive))
            else:
                out.append(ELUGrad(self.positive, self.alpha, self.scale).apply((y, ggx))[0])
        return tuple(out)


def elu(x, alpha=1.0):
    """Exponential linear unit, as ``chainer.functions.elu``.

    .. math:: y_i = \\begin{cases} x_i & x_i > 0 \\\\ \\alpha (e^{x_i} - 1) & x_i \\le 0 \\end{cases},
              \\qquad \\frac{\\partial y_i}{\\partial x_i} =
              \\begin{cases} 1 & x_i > 0 \\\\ \\alpha e^{x_i} = y_i + \\alpha & x_i \\le 0 \\end{cases}

    The second derivative is ``alpha exp(x)`` for ``x <= 0`` and 0 for ``x > 0``.
    See https://arxiv.org/abs/1511.07289.

    Args:
        x (Variable or ndarray): floating point input of any shape.
        alpha (float): the parameter :math:`\\alpha`.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.

    >>> elu(numpy.array([-1.0, 0.0, 2.0])).array.round(4)
    array([-0.6321,  0.    ,  2.    ])
    """
    return ELU(alpha).apply((x,))[0]
