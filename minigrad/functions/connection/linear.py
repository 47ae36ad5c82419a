"""Fully connected layer: ``y = x W^T + b``."""
import numpy

from minigrad import type_check
from minigrad.core import Function


class LinearFunction(Function):
    """``y = x W^T + b``; see :func:`linear`."""

    def __init__(self, n_batch_axes=1):
        self.n_batch_axes = n_batch_axes

    def check_type_forward(self, inputs):
        x, W = inputs[:2]
        type_check.expect_positive('Linear', 'n_batch_axes', self.n_batch_axes)
        type_check.expect_float('Linear', 'x', x)
        type_check.expect_ndim('Linear', 'W', W, 2)
        type_check.expect_equal('Linear', 'W.dtype', W.dtype, 'x.dtype', x.dtype)
        if x.ndim <= self.n_batch_axes:
            raise type_check.InvalidType(
                'Linear', 'x.ndim > n_batch_axes == {}'.format(self.n_batch_axes),
                'x.ndim == {} (shape {})'.format(x.ndim, x.shape))
        in_size = int(numpy.prod(x.shape[self.n_batch_axes:]))
        type_check.expect_equal('Linear', 'prod(x.shape[{}:])'.format(self.n_batch_axes),
                                in_size, 'W.shape[1]', W.shape[1])
        if len(inputs) == 3:
            b = inputs[2]
            type_check.expect_ndim('Linear', 'b', b, 1)
            type_check.expect_equal('Linear', 'b.dtype', b.dtype, 'x.dtype', x.dtype)
            type_check.expect_equal('Linear', 'b.shape[0]', b.shape[0], 'W.shape[0]', W.shape[0])

    def forward(self, inputs):
        x, W = inputs[:2]
        self.x_shape = x.shape
        batch = x.shape[:self.n_batch_axes]
        x2 = x.reshape(-1, W.shape[1])
        y = x2 @ W.T
        if len(inputs) == 3:
            y += inputs[2]
        return y.reshape(batch + (W.shape[0],)),

    def backward(self, inputs, grad_outputs):
        x, W = inputs[:2]
        gy = grad_outputs[0].reshape(-1, W.shape[0])
        x2 = x.reshape(-1, W.shape[1])
        needs = self.needs_input_grad or (True,) * len(inputs)
        gx = (gy @ W).reshape(self.x_shape) if needs[0] else None
        gW = gy.T @ x2 if needs[1] else None
        if len(inputs) == 3:
            return gx, gW, gy.sum(axis=0)
        return gx, gW


def linear(x, W, b=None, n_batch_axes=1):
    """Fully connected layer, as ``chainer.functions.linear``.

    .. math:: y = x W^\\top + b

    Args:
        x: input of shape ``(N, ...)``; the axes after the first
            ``n_batch_axes`` are flattened, so a ``(N, C, H, W)`` input is
            treated as ``(N, C*H*W)``.
        W: weight of shape ``(out_size, in_size)``.
        b: bias of shape ``(out_size,)`` or None.
        n_batch_axes (int): how many leading axes are batch axes.

    Returns:
        Variable of shape ``x.shape[:n_batch_axes] + (out_size,)``.
    """
    func = LinearFunction(n_batch_axes)
    return func(x, W) if b is None else func(x, W, b)
