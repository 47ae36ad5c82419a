"""Max pooling: each output is the largest value in its window."""
import numpy

from minigrad import type_check
from minigrad.functions.pooling.pooling_2d import Pooling2D
from minigrad.utils.conv import im2col_view


class MaxPooling2D(Pooling2D):
    """2-D max pooling; see :func:`max_pooling_2d`."""

    name = 'MaxPooling2D'

    def check_type_forward(self, inputs):
        # A window made only of padding would output -inf and lose its
        # gradient.  A pad smaller than the kernel keeps every regular window
        # on the image; cover_all's extra window is dropped when it would
        # start past the image (as PyTorch's ceil_mode does).
        super().check_type_forward(inputs)
        for axis, k, p in (('height', self.kh, self.ph), ('width', self.kw, self.pw)):
            if p >= k:
                raise type_check.InvalidType(
                    self.name, 'pad < ksize along the {} (a window of padding only)'.format(axis),
                    'pad {} >= ksize {}'.format(p, k))
        x, = inputs
        self.out_hw = tuple(out - 1 if (out - 1) * s >= size + p else out for out, size, s, p in
                            zip(self.out_hw, x.shape[2:], (self.sy, self.sx), (self.ph, self.pw)))

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs(())     # backward needs only where each maximum was
        self.x_shape = x.shape
        # Padding is -inf so that it never wins the max.
        windows = im2col_view(x, self.kh, self.kw, self.sy, self.sx, self.ph, self.pw,
                              pval=-numpy.inf, cover_all=self.cover_all)
        windows = windows[..., :self.out_hw[0], :self.out_hw[1]]
        y = windows[:, :, 0, 0].copy()
        # The offset of the maximum, the first one on ties (as numpy.argmax).
        # Offsets only grow, so "idx = max(idx, k * (v > y))" records the
        # latest strict improvement; arithmetic beats masked writes (where=)
        # by an order of magnitude on random masks.
        n_offsets = self.kh * self.kw
        self.indexes = numpy.zeros(y.shape, dtype=numpy.min_scalar_type(n_offsets - 1))
        hit = numpy.empty(y.shape, dtype=bool)
        step = numpy.empty(y.shape, dtype=self.indexes.dtype)
        for k in range(1, n_offsets):
            v = windows[:, :, k // self.kw, k % self.kw]
            numpy.greater(v, y, out=hit)
            numpy.maximum(y, v, out=y)
            numpy.multiply(hit, self.indexes.dtype.type(k), out=step)
            numpy.maximum(self.indexes, step, out=self.indexes)
        # Handed to max_pooling_2d(return_indices=True) in a list, which
        # release() (dropping ndarray attributes after use) leaves alone.
        self.indexes_for_caller = [self.indexes]
        return y,

    def backward(self, inputs, grad_outputs):
        gy, = grad_outputs
        out_hw = gy.shape[2:]
        canvas = numpy.zeros(self._scatter_canvas_shape(self.x_shape, out_hw), dtype=gy.dtype)
        hit = numpy.empty(gy.shape, dtype=bool)
        share = numpy.empty_like(gy)
        # Each output's gradient goes to the one input that won its window;
        # windows may overlap, so offsets add into the canvas.
        for k in range(self.kh * self.kw):
            numpy.equal(self.indexes, k, out=hit)
            numpy.multiply(gy, hit, out=share)
            target = self._window(canvas, k // self.kw, k % self.kw, out_hw)
            target += share
        gx = self._crop(canvas, self.x_shape)
        return (gx if gx.base is None else numpy.ascontiguousarray(gx)),


def max_pooling_2d(x, ksize, stride=None, pad=0, cover_all=True, return_indices=False):
    """Spatial max pooling, as ``chainer.functions.max_pooling_2d``.

    .. math:: y_{n,c,i,j} = \\max_{0 \\le k < K_H,\\ 0 \\le l < K_W}
              x_{n,c,\\; i S_Y + k - P_H,\\; j S_X + l - P_W}

    Padding is ``-inf``, so it never wins.  Only the position of each maximum
    is kept for backward, which sends each output's gradient to that input.

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
    y = func(x)
    indexes = func.indexes_for_caller.pop()
    return (y, indexes.astype(numpy.int64)) if return_indices else y
