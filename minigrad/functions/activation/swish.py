"""Swish: ``y = x * sigmoid(beta x)`` with a (learnable) ``beta`` per feature."""
from minigrad import type_check
from minigrad.core import FunctionNode, reshape, sum_to
from minigrad.functions.activation.sigmoid import sigmoid
from minigrad.functions.activation.softplus import _sigmoid_array


def _beta_shape(beta_shape, x_ndim):
    """``beta``'s shape padded to ``x``'s rank: ``(1,) + beta.shape + (1, ..., 1)``."""
    return (1,) + tuple(beta_shape) + (1,) * (x_ndim - len(beta_shape) - 1)


class Swish(FunctionNode):
    """``y = x * sigmoid(beta x)``, ``beta`` broadcast over the batch axis; see :func:`swish`."""

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x', 'beta'))
        x_type, beta_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            beta_type.dtype == x_type.dtype,
            beta_type.ndim < x_type.ndim,      # axis 0 of x is the batch
            beta_type.shape == x_type.shape[1:1 + beta_type.ndim],
        )

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, beta = inputs
        b = beta.reshape(_beta_shape(beta.shape, x.ndim))
        return x * _sigmoid_array(b * x),

    def backward(self, indexes, grad_outputs):
        x, beta = self.get_retained_inputs()
        return SwishGrad().apply((x, beta, grad_outputs[0]))


class SwishGrad(FunctionNode):
    """The gradients of :class:`Swish`: inputs ``(x, beta, gy)``, outputs ``(gx, gbeta)``.

    With :math:`s = \\sigma(\\beta x)` and :math:`y = x s`:

    .. math:: D = \\frac{\\partial y}{\\partial x} = s + \\beta y (1 - s), \\qquad
              E = \\frac{\\partial y}{\\partial \\beta} = x y (1 - s),

    ``gx = gy D`` and ``gbeta = sum(gy E)`` over the axes ``beta`` was
    broadcast along.  Its backward needs the second derivatives of ``y``
    (with :math:`c = 2 + \\beta x (1 - 2s)`):

    .. math:: D_x = \\beta s (1 - s) c, \\qquad D_\\beta = E_x = x s (1 - s) c, \\qquad
              E_\\beta = x^3 s (1 - s)(1 - 2s)

    written with differentiable functions of ``x`` and ``beta``.
    """

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, beta, gy = inputs
        b = beta.reshape(_beta_shape(beta.shape, x.ndim))
        s = _sigmoid_array(b * x)
        y = x * s
        one_minus_s = 1 - s
        gx = gy * (s + b * y * one_minus_s)
        gb = gy * x * y * one_minus_s
        # Sum over the batch axis and the trailing axes beta was broadcast along.
        axes = (0,) + tuple(range(1 + beta.ndim, x.ndim))
        return gx, gb.sum(axis=axes)

    def backward(self, indexes, grad_outputs):
        x, beta, gy = self.get_retained_inputs()
        ggx, ggb = grad_outputs
        shape = _beta_shape(beta.shape, x.ndim)
        b, ggb = reshape(beta, shape), reshape(ggb, shape)
        s = sigmoid(b * x)
        ds = s * (1 - s)
        c = 2 + b * x * (1 - 2 * s)
        d_b = x * ds * c             # d^2 y / dx dbeta
        out = []
        for i in indexes:
            if i == 0:
                out.append(gy * (ggx * (b * ds * c) + ggb * d_b))
            elif i == 1:
                g = gy * (ggx * d_b + ggb * (x * x * x * ds * (1 - 2 * s)))
                out.append(reshape(sum_to(g, shape), beta.shape))
            else:
                y = x * s
                out.append(ggx * (s + b * y * (1 - s)) + ggb * (x * y * (1 - s)))
        return tuple(out)


def swish(x, beta):
    """Swish activation, as ``chainer.functions.swish``.

    .. math:: y = x \\, \\sigma(\\beta x), \\qquad y(x, 0) = \\frac{x}{2}, \\qquad
              \\lim_{\\beta \\to \\infty} y = \\max(0, x)

    ``beta`` of shape ``(s_1, ..., s_M)`` is matched to ``x`` of shape
    ``(N, s_1, ..., s_M, ...)`` by reshaping it to ``(1, s_1, ..., s_M, 1, ..., 1)``.
    See https://arxiv.org/abs/1710.05941, where ``beta`` is learned: pass a
    Parameter of shape ``(s_1, ..., s_M)`` to train it.

    Args:
        x (Variable or ndarray): floating point input of shape ``(N, s_1, ..., s_K)``.
        beta (Variable or ndarray): of ``x``'s dtype and shape ``(s_1, ..., s_M)``
            with ``0 <= M <= K``.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    return Swish().apply((x, beta))[0]
