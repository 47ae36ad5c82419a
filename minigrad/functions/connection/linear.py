"""Fully connected layer: ``y = x W^T + b``."""
import numpy

from minigrad import type_check
from minigrad.backends import intel64
from minigrad.core import FunctionNode
from minigrad.functions.math.sum import Sum
from minigrad.utils.conv import check_int


class LinearFunction(FunctionNode):
    """``y = x W^T + b``; see :func:`linear`.

    With ``x`` read as a matrix ``X`` of shape ``(rows, in_size)`` (the batch
    axes flattened into rows) and ``gy`` as ``GY`` of shape ``(rows, out_size)``,
    the gradients are matrix products, each a node of its own so that it can
    be differentiated again::

        gx = GY W                   (LinearGradData, reshaped to x's shape)
        gW = GY^T X                 (LinearGradWeight)
        gb = sum of GY over the batch axes
    """

    check_name = 'Linear'     # the function as users call it (F.linear, L.Linear)

    def __init__(self, n_batch_axes=1):
        # Checked here, where it is given: 0 would read the whole x as one
        # sample, and -1 its last axis as the features.
        self.n_batch_axes = check_int(n_batch_axes, self.check_name, 'n_batch_axes', 1)

    def check_type_forward(self, in_types):
        n_in = in_types.size()
        type_check.expect(2 <= n_in, n_in <= 3)
        type_check.argname(in_types, ('x', 'W', 'b')[:len(in_types)])
        x_type, w_type = in_types[:2]
        type_check.expect(
            x_type.dtype.kind == 'f',
            w_type.ndim == 2,
            w_type.dtype == x_type.dtype,
            x_type.ndim > type_check.make_variable(self.n_batch_axes, 'n_batch_axes'),
        )
        # The axes after the batch axes are flattened into the features.
        type_check.expect(
            type_check.prod(x_type.shape[self.n_batch_axes:]) == w_type.shape[1])
        if len(in_types) == 3:
            b_type = in_types[2]
            type_check.expect(
                b_type.ndim == 1,
                b_type.dtype == x_type.dtype,
                b_type.shape[0] == w_type.shape[0],
            )

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, W = inputs[:2]
        batch = x.shape[:self.n_batch_axes]
        x2 = x.reshape(-1, W.shape[1])
        if _use_ideep(x2, W):
            y = intel64.matmul(x2, W.T)
        elif 4 * x2.shape[0] <= W.shape[0]:
            # A few rows against a large W (AlexNet's fc6 at batch 8): OpenBLAS
            # is 20-35% faster at W X^T than at X W^T, and the transpose back
            # is only as large as y.
            y = numpy.ascontiguousarray(numpy.matmul(W, x2.T).T)
        else:
            y = numpy.matmul(x2, W.T)
        if len(inputs) == 3:
            y += inputs[2]
        return y.reshape(batch + (W.shape[0],)),

    def backward(self, indexes, grad_outputs):
        x, W = self.get_retained_inputs()
        gy, = grad_outputs
        ret = []
        if 0 in indexes:
            ret.append(LinearGradData(x.shape, self.n_batch_axes).apply((W, gy))[0])
        if 1 in indexes:
            ret.append(LinearGradWeight().apply((x, gy))[0])
        if 2 in indexes:
            ret.append(Sum(axis=tuple(range(self.n_batch_axes))).apply((gy,))[0])
        return tuple(ret)


class LinearGradData(FunctionNode):
    """Linear's input gradient ``gx = GY W``, reshaped to ``x_shape``.

    It is bilinear in ``(W, gy)``; for a gradient ``ggx`` of ``gx``::

        d/dW  = GY^T GGX        (LinearGradWeight of (ggx, gy))
        d/dgy = GGX W^T         (linear(ggx, W))
    """

    def __init__(self, x_shape, n_batch_axes):
        self.x_shape = x_shape
        self.n_batch_axes = n_batch_axes

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        W, gy = inputs
        return _matmul(gy.reshape(-1, W.shape[0]), W).reshape(self.x_shape),

    def backward(self, indexes, grad_outputs):
        W, gy = self.get_retained_inputs()
        ggx, = grad_outputs
        ret = []
        if 0 in indexes:
            ret.append(LinearGradWeight().apply((ggx, gy))[0])
        if 1 in indexes:
            ret.append(LinearFunction(self.n_batch_axes).apply((ggx, W))[0])
        return tuple(ret)


class LinearGradWeight(FunctionNode):
    """Linear's weight gradient ``gW = GY^T X``.

    It is bilinear in ``(x, gy)``; for a gradient ``ggW`` of ``gW``::

        d/dx  = GY ggW          (LinearGradData of (ggW, gy))
        d/dgy = X ggW^T         (linear(x, ggW))
    """

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        n_batch_axes = gy.ndim - 1
        rows = int(numpy.prod(gy.shape[:n_batch_axes]))
        return _matmul(gy.reshape(rows, -1).T, x.reshape(rows, -1)),

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        ggW, = grad_outputs
        n_batch_axes = gy.ndim - 1
        ret = []
        if 0 in indexes:
            ret.append(LinearGradData(x.shape, n_batch_axes).apply((ggW, gy))[0])
        if 1 in indexes:
            ret.append(LinearFunction(n_batch_axes).apply((x, ggW))[0])
        return tuple(ret)


def _use_ideep(a, b):
    """Whether ``a @ b`` goes to oneDNN (config.use_ideep; 2-D float32)."""
    return intel64.should_use_ideep() and intel64.matmul_supports(a, b)


def _matmul(a, b):
    """``a @ b`` of 2-D arrays: oneDNN's under ``config.use_ideep``, else NumPy's."""
    return intel64.matmul(a, b) if _use_ideep(a, b) else numpy.matmul(a, b)


def linear(x, W, b=None, n_batch_axes=1):
    """Fully connected layer, as ``chainer.functions.linear``.

    .. math:: y = x W^\\top + b

    Args:
        x: input of shape ``(N, ...)``; the axes after the first
            ``n_batch_axes`` are flattened, so a ``(N, C, H, W)`` input is
            treated as ``(N, C*H*W)``.
        W: weight of shape ``(out_size, in_size)``.
        b: bias of shape ``(out_size,)`` or None.
        n_batch_axes (int): how many leading axes are batch axes (at least 1).

    Returns:
        Variable of shape ``x.shape[:n_batch_axes] + (out_size,)``.
    """
    func = LinearFunction(n_batch_axes)
    return func.apply((x, W) if b is None else (x, W, b))[0]
