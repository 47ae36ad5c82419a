"""Average pooling: each output is the mean of its window."""
import numpy

from minigrad.core import FunctionNode
from minigrad.functions.pooling.pooling_2d import Pooling2D
from minigrad.utils.conv import col2im, im2col_view


class AveragePooling2D(Pooling2D):
    """2-D average pooling; see :func:`average_pooling_2d`.

    Linear in ``x``: its gradient is :class:`AveragePooling2DGrad`, its adjoint.
    """

    name = 'AveragePooling2D'
    has_cover_all = False

    def __init__(self, ksize, stride=None, pad=0):
        super().__init__(ksize, stride, pad, cover_all=False)

    def forward(self, inputs):
        x, = inputs
        self.x_shape = x.shape      # backward needs no array, only the shape
        windows = im2col_view(x, self.kh, self.kw, self.sy, self.sx, self.ph, self.pw, pval=0)
        y = windows[:, :, 0, 0].copy()
        for i in range(self.kh):
            for j in range(self.kw):
                if i or j:
                    y += windows[:, :, i, j]
        y *= x.dtype.type(1.0 / (self.kh * self.kw))
        return y,

    def backward(self, indexes, grad_outputs):
        return AveragePooling2DGrad(self).apply(grad_outputs)


class AveragePooling2DGrad(FunctionNode):
    """Average pooling's gradient: each ``gy`` spread evenly over its window.

    .. math:: g_x = \\mathrm{col2im}\\big(g_y / (K_H K_W)\\ \\text{at every offset}\\big)

    Input ``gy`` of shape ``(N, C, OH, OW)``, output of the pooling's input
    shape ``(N, C, H, W)``.  Linear in ``gy`` and the adjoint of average
    pooling, so its gradient is average pooling with the same geometry.
    """

    def __init__(self, pool):
        self.pool = pool

    def forward(self, inputs):
        gy, = inputs
        p = self.pool
        n, c, oh, ow = gy.shape
        share = gy * gy.dtype.type(1.0 / (p.kh * p.kw))
        # Every offset of a window gets the same share: a broadcast view of
        # it is the col, with no copy.
        col = numpy.broadcast_to(share[:, :, None, None], (n, c, p.kh, p.kw, oh, ow))
        return col2im(col, p.sy, p.sx, p.ph, p.pw, *p.x_shape[2:]),

    def backward(self, indexes, grad_outputs):
        p = self.pool
        return average_pooling_2d(grad_outputs[0], (p.kh, p.kw), (p.sy, p.sx), (p.ph, p.pw)),


def average_pooling_2d(x, ksize, stride=None, pad=0):
    """Spatial average pooling, as ``chainer.functions.average_pooling_2d``.

    .. math:: y_{n,c,i,j} = \\frac{1}{K_H K_W} \\sum_{k,l}
              x_{n,c,\\; i S_Y + k - P_H,\\; j S_X + l - P_W}

    Padding counts as zeros and the divisor is always ``KH * KW``, as in
    Chainer.  Backward spreads each output's gradient evenly over its window
    (:class:`AveragePooling2DGrad`); differentiating that again gives
    average pooling back, so derivatives of any order exist.

    Args:
        x: input of shape ``(N, C, H, W)``.
        ksize: window size, an int or a ``(h, w)`` pair.
        stride: an int or a pair; ``None`` means ``ksize``.
        pad: an int or a pair.

    Returns:
        Variable of shape ``(N, C, OH, OW)``.
    """
    return AveragePooling2D(ksize, stride, pad).apply((x,))[0]
