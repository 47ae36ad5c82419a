"""Average pooling: each output is the mean of its window."""
import numpy

from minigrad.functions.pooling.pooling_2d import Pooling2D
from minigrad.utils.conv import im2col_view


class AveragePooling2D(Pooling2D):
    """2-D average pooling; see :func:`average_pooling_2d`."""

    name = 'AveragePooling2D'

    def __init__(self, ksize, stride=None, pad=0):
        super().__init__(ksize, stride, pad, cover_all=False)

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs(())
        self.x_shape = x.shape
        windows = im2col_view(x, self.kh, self.kw, self.sy, self.sx, self.ph, self.pw, pval=0)
        y = windows[:, :, 0, 0].copy()
        for i in range(self.kh):
            for j in range(self.kw):
                if i or j:
                    y += windows[:, :, i, j]
        y *= x.dtype.type(1.0 / (self.kh * self.kw))
        return y,

    def backward(self, inputs, grad_outputs):
        gy, = grad_outputs
        out_hw = gy.shape[2:]
        share = gy * gy.dtype.type(1.0 / (self.kh * self.kw))
        canvas = numpy.zeros(self._scatter_canvas_shape(self.x_shape, out_hw), dtype=gy.dtype)
        for i in range(self.kh):
            for j in range(self.kw):
                target = self._window(canvas, i, j, out_hw)
                target += share
        gx = self._crop(canvas, self.x_shape)
        return (gx if gx.base is None else numpy.ascontiguousarray(gx)),


def average_pooling_2d(x, ksize, stride=None, pad=0):
    """Spatial average pooling, as ``chainer.functions.average_pooling_2d``.

    .. math:: y_{n,c,i,j} = \\frac{1}{K_H K_W} \\sum_{k,l}
              x_{n,c,\\; i S_Y + k - P_H,\\; j S_X + l - P_W}

    Padding counts as zeros and the divisor is always ``KH * KW``, as in
    Chainer.  Backward spreads each output's gradient evenly over its window.

    Args:
        x: input of shape ``(N, C, H, W)``.
        ksize: window size, an int or a ``(h, w)`` pair.
        stride: an int or a pair; ``None`` means ``ksize``.
        pad: an int or a pair.

    Returns:
        Variable of shape ``(N, C, OH, OW)``.
    """
    return AveragePooling2D(ksize, stride, pad)(x)
