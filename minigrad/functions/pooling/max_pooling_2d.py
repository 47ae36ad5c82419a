"""Max pooling: each output is the largest value in its window.

Three nodes, each the gradient of the one before, with the winners of the
forward pass fixed (the ``indexes``)::

    MaxPooling2D            x  -> y     the max of each window
    MaxPooling2DGrad        gy -> gx    gy added at each window's winner
    MaxPooling2DWithIndexes x  -> y     x read at each window's winner

The last two are linear and each other's adjoint, so second and higher
derivatives alternate between them.
"""
import numpy

from minigrad import type_check
from minigrad.backends import numba_kernels
from minigrad.core import FunctionNode
from minigrad.functions.pooling.pooling_2d import Pooling2D
from minigrad.utils.conv import get_conv_outsize, im2col_view


class MaxPooling2D(Pooling2D):
    """2-D max pooling; see :func:`max_pooling_2d`.

    ``indexes`` (set by forward, shape ``(N, C, OH, OW)``, the smallest
    unsigned dtype that holds ``KH*KW - 1``) is the flat offset, inside its
    ``(KH, KW)`` window, of each maximum: all that backward needs.
    """

    name = 'MaxPooling2D'

    def __init__(self, ksize, stride=None, pad=0, cover_all=True):
        super().__init__(ksize, stride, pad, cover_all)
        # A window made only of padding would output -inf and lose its
        # gradient.  A pad smaller than the kernel keeps every regular window
        # on the image; cover_all's extra window is dropped when it would
        # start past the image (see out_size).
        for axis, k, p in (('height', self.kh, self.ph), ('width', self.kw, self.pw)):
            if p >= k:
                raise type_check.InvalidType(
                    self.name, 'pad < ksize along the {} (a window of padding only)'.format(axis),
                    'pad {} >= ksize {}'.format(p, k))

    def out_size(self, h, w):
        """``(OH, OW)``: the convolution's output size, less cover_all's extra
        window where it would start past the image (as PyTorch's ceil_mode does)."""
        sizes = []
        for size, k, s, p in ((h, self.kh, self.sy, self.ph), (w, self.kw, self.sx, self.pw)):
            out = get_conv_outsize(size, k, s, p, self.cover_all)
            sizes.append(out - 1 if (out - 1) * s >= size + p else out)
        return tuple(sizes)

    def windows(self, x, pval):
        """The windows of ``x`` as a view ``(N, C, KH, KW, OH, OW)``, padding ``pval``."""
        oh, ow = self.out_size(*x.shape[2:])
        windows = im2col_view(x, self.kh, self.kw, self.sy, self.sx, self.ph, self.pw,
                              pval=pval, cover_all=self.cover_all)
        return windows[..., :oh, :ow]

    def winners(self):
        """Where each window's maximum is in ``x``: ``(flat, inside)``.

        ``flat`` (shape ``(N, C, OH, OW)``, int64) indexes ``x.ravel()``:
        ``flat = ((n C + c) H + i SY - PH + k // KW) W + j SX - PW + k % KW``
        with ``k`` the offset in ``indexes``.  ``inside`` is None when every
        winner is an input pixel, else a bool mask of those that are: a
        winner may be padding only when its window is all ``-inf``.
        """
        n, c, h, w = self.x_shape
        oh, ow = self.indexes.shape[2:]
        offsets = numpy.arange(self.kh * self.kw)
        ki, kj = offsets // self.kw, offsets % self.kw
        # The top-left corner of every window, then each winner's offset from it.
        top = numpy.arange(oh) * self.sy - self.ph
        left = numpy.arange(ow) * self.sx - self.pw
        corner = ((numpy.arange(n * c, dtype=numpy.int64) * (h * w)).reshape(n, c, 1, 1)
                  + (top * w)[:, None] + left)
        flat = corner + (ki * w + kj)[self.indexes]
        reaches_out = (self.ph > 0 or self.pw > 0 or
                       top[-1] + self.kh > h or left[-1] + self.kw > w)
        if not reaches_out:
            return flat, None
        rows = top[:, None] + ki[self.indexes]
        cols = left + kj[self.indexes]
        inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
        return flat, inside

    def forward(self, inputs):
        x, = inputs
        self.x_shape = x.shape      # backward needs only this and where each maximum was
        if numba_kernels.should_use_numba(x):
            return self._forward_numba(x),
        # Padding is -inf so that it never wins the max.
        windows = self.windows(x, -numpy.inf)
        y = windows[:, :, 0, 0].copy()
        # The offset of the maximum, the first one on ties (as numpy.argmax).
        # Offsets only grow, so "idx = max(idx, k * (v > y))" records the
        # latest strict improvement; arithmetic beats masked writes (where=)
        # by an order of magnitude on random masks.
        # A NaN wins its window (numpy.maximum propagates it, numpy.argmax points
        # at the first one): a window that is NaN sends its gradient to its NaN.
        # "v > y" is False for NaNs, so with NaNs about the test is "not v <= y,
        # while y is not yet NaN"; one max over x tells which test is needed.
        has_nan = x.size > 0 and numpy.isnan(x.max())
        n_offsets = self.kh * self.kw
        self.indexes = numpy.zeros(y.shape, dtype=numpy.min_scalar_type(n_offsets - 1))
        hit = numpy.empty(y.shape, dtype=bool)
        y_is_number = numpy.empty(y.shape, dtype=bool) if has_nan else None
        step = numpy.empty(y.shape, dtype=self.indexes.dtype)
        for k in range(1, n_offsets):
            v = windows[:, :, k // self.kw, k % self.kw]
            if has_nan:
                numpy.less_equal(v, y, out=hit)
                numpy.logical_not(hit, out=hit)
                numpy.equal(y, y, out=y_is_number)
                hit &= y_is_number
            else:
                numpy.greater(v, y, out=hit)
            numpy.maximum(y, v, out=y)
            numpy.multiply(hit, self.indexes.dtype.type(k), out=step)
            numpy.maximum(self.indexes, step, out=self.indexes)
        return y,

    def _forward_numba(self, x):
        """The same ``y`` and ``indexes`` from one compiled loop (config.use_numba)."""
        from minigrad.backends.numba_kernels import pooling
        oh, ow = self.out_size(*x.shape[2:])
        y = numpy.empty(x.shape[:2] + (oh, ow), dtype=x.dtype)
        self.indexes = numpy.empty(y.shape, dtype=numpy.min_scalar_type(self.kh * self.kw - 1))
        pooling.max_pooling_forward(x, self.kh, self.kw, self.sy, self.sx, self.ph, self.pw,
                                    y, self.indexes)
        return y

    def backward(self, indexes, grad_outputs):
        return MaxPooling2DGrad(self).apply(grad_outputs)


class MaxPooling2DGrad(FunctionNode):
    """Max pooling's gradient: each ``gy`` added at the input that won its window.

    .. math:: g_x = \\mathrm{col2im}(\\mathrm{col}), \\quad
              \\mathrm{col}_{n,c,k,i,j} = g_{y,n,c,i,j}\\,[\\mathrm{indexes}_{n,c,i,j} = k]

    Input ``gy`` of shape ``(N, C, OH, OW)``, output of the pooling's input
    shape ``(N, C, H, W)``; windows may overlap, so col2im adds.  Linear in
    ``gy``: its gradient is :class:`MaxPooling2DWithIndexes`.
    """

    def __init__(self, pool):
        self.pool = pool

    def forward(self, inputs):
        gy, = inputs
        gx = numpy.zeros(self.pool.x_shape, dtype=gy.dtype)
        pool = self.pool
        if numba_kernels.should_use_numba(gy):
            from minigrad.backends.numba_kernels import pooling
            pooling.max_pooling_grad(gy, pool.indexes, pool.kw, pool.sy, pool.sx,
                                     pool.ph, pool.pw, gx)
            return gx,
        flat, inside = pool.winners()
        # Overlapping windows may share a winner: add.at adds every gy there
        # (a plain "gx[flat] += gy" would keep only one).  Only the winners
        # are touched, so an infinite or NaN gy reaches its winner alone.
        if inside is None:
            numpy.add.at(gx.reshape(-1), flat.reshape(-1), gy.reshape(-1))
        else:       # a winner in the padding has no input to send its gradient to
            numpy.add.at(gx.reshape(-1), flat[inside], gy[inside])
        return gx,

    def backward(self, indexes, grad_outputs):
        return MaxPooling2DWithIndexes(self.pool).apply(grad_outputs)


class MaxPooling2DWithIndexes(FunctionNode):
    """``x`` read at the winners of a max pooling: ``y = x`` at ``indexes`` in each window.

    Input ``x`` of the pooling's input shape, output ``(N, C, OH, OW)``.  It
    is the max pooling with the winners fixed, and linear in ``x``; its
    gradient is :class:`MaxPooling2DGrad` again.
    """

    def __init__(self, pool):
        self.pool = pool

    def forward(self, inputs):
        x, = inputs
        flat, inside = self.pool.winners()
        if inside is None:
            return x.reshape(-1).take(flat),
        # A winner in the padding reads the padding's 0 (its index is wrapped
        # into x only to be read, then masked).
        y = x.reshape(-1).take(flat, mode='wrap')
        y[~inside] = 0
        return y,

    def backward(self, indexes, grad_outputs):
        return MaxPooling2DGrad(self.pool).apply(grad_outputs)


def max_pooling_2d(x, ksize, stride=None, pad=0, cover_all=True, return_indices=False):
    """Spatial max pooling, as ``chainer.functions.max_pooling_2d``.

    .. math:: y_{n,c,i,j} = \\max_{0 \\le k < K_H,\\ 0 \\le l < K_W}
              x_{n,c,\\; i S_Y + k - P_H,\\; j S_X + l - P_W}

    Padding is ``-inf``, so it never wins.  A NaN in a window wins it (the
    output is NaN, as with ``numpy.max``) and gets its gradient; on ties the
    first maximum wins, as ``numpy.argmax``.  Only the position of each maximum
    is kept for backward, which sends each output's gradient to that input
    (:class:`MaxPooling2DGrad`); that is differentiable again.

    Args:
        x: input of shape ``(N, C, H, W)``.
        ksize: window size, an int or a ``(h, w)`` pair.
        stride: an int or a pair; ``None`` means ``ksize`` (disjoint windows).
        pad: an int or a pair.
        cover_all (bool): add a last window where the stride would leave input
            pixels out (Chainer's default, True).
        return_indices (bool): also return the flat index, inside the padded
            window ``(KH, KW)``, of each maximum (shape ``(N, C, OH, OW)``).

    Returns:
        Variable of shape ``(N, C, OH, OW)``, or ``(y, indexes)``.

    >>> x = numpy.zeros((1, 96, 55, 55), numpy.float32)
    >>> max_pooling_2d(x, 3, stride=2).shape        # AlexNet's first pooling
    (1, 96, 27, 27)
    """
    func = MaxPooling2D(ksize, stride, pad, cover_all)
    y, = func.apply((x,))
    return (y, func.indexes.astype(numpy.int64)) if return_indices else y
