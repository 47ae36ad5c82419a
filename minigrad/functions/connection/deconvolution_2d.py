"""Two-dimensional transposed convolution: convolution's input gradient as a layer."""
import numpy

from minigrad import type_check
from minigrad.core import Function
from minigrad.functions.connection.convolution_2d import (
    check_conv_inputs, conv_product, data_grad, filter_grad, grouped_rows, im2col_grouped)
from minigrad.utils.conv import get_conv_outsize, get_deconv_outsize, pair, pair_text


class Deconvolution2D(Function):
    """2-D transposed convolution; see :func:`deconvolution_2d`."""

    def __init__(self, stride=1, pad=0, outsize=None):
        self.sy, self.sx = pair(stride)
        self.ph, self.pw = pair(pad)
        self.outsize = None if outsize is None else pair(outsize)

    @property
    def label(self):
        kh, kw = getattr(self, 'ksize', ('?', '?'))
        return 'Deconvolution2D {}x{} s{} p{}'.format(
            kh, kw, pair_text(self.sy, self.sx), pair_text(self.ph, self.pw))

    def _outsize(self, x, W):
        kh, kw = W.shape[2:]
        if self.outsize is not None:
            return self.outsize
        return (get_deconv_outsize(x.shape[2], kh, self.sy, self.ph),
                get_deconv_outsize(x.shape[3], kw, self.sx, self.pw))

    def check_type_forward(self, inputs):
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        check_conv_inputs('Deconvolution2D', x, W, b, 1, in_axis=0, out_axis=1)
        type_check.expect_positive('Deconvolution2D', 'stride', (self.sy, self.sx))
        type_check.expect_nonnegative('Deconvolution2D', 'pad', (self.ph, self.pw))
        oh, ow = self._outsize(x, W)
        type_check.expect_positive('Deconvolution2D', 'outsize', (oh, ow))
        for axis, out, k, s, p in ((2, oh, W.shape[2], self.sy, self.ph),
                                   (3, ow, W.shape[3], self.sx, self.pw)):
            # The convolution this transposes must take the output back to x's size.
            sizes = (get_conv_outsize(out, k, s, p), get_conv_outsize(out, k, s, p, True))
            if out + 2 * p < k or x.shape[axis] not in sizes:
                raise type_check.InvalidType(
                    'Deconvolution2D',
                    'x.shape[{}] == the convolution size of outsize {} (k {}, s {}, p {}): {}'
                    .format(axis, out, k, s, p, ' or '.join(map(str, sorted(set(sizes))))),
                    'x.shape[{}] == {}'.format(axis, x.shape[axis]))

    def forward(self, inputs):
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        self.ksize = W.shape[2:]
        n = x.shape[0]
        oh, ow = self._outsize(x, W)
        x_rows = grouped_rows(x, 1)                       # (1, C_in, N*H*W)
        y = data_grad(W, x_rows, (n, W.shape[1], oh, ow), *self.ksize, self.sy, self.sx,
                      self.ph, self.pw, 1, 1, x.shape[2:])
        if b is not None:
            y += b[:, None, None]
        return y,

    def backward(self, inputs, grad_outputs):
        x, W = inputs[:2]
        gy, = grad_outputs
        kh, kw = self.ksize
        h, w = x.shape[2:]
        col, (oh, ow) = im2col_grouped(gy, kh, kw, self.sy, self.sx, self.ph, self.pw,
                                       cover_all=(h, w) != _floor_outsize(*gy.shape[2:], W, self),
                                       dy=1, dx=1, groups=1)
        # Windows cover_all adds past x's size are dropped: they do not exist in x.
        col = col.reshape(col.shape[1], gy.shape[0], oh, ow)[:, :, :h, :w]
        col = numpy.ascontiguousarray(col).reshape(1, -1, gy.shape[0] * h * w)
        gx = conv_product(W, col, gy.shape[0], h, w)
        gW = filter_grad(grouped_rows(x, 1), col, W.shape)
        if len(inputs) == 3:
            return gx, gW, gy.sum(axis=(0, 2, 3))
        return gx, gW


def _floor_outsize(oh, ow, W, func):
    return (get_conv_outsize(oh, W.shape[2], func.sy, func.ph),
            get_conv_outsize(ow, W.shape[3], func.sx, func.pw))


def deconvolution_2d(x, W, b=None, stride=1, pad=0, outsize=None):
    """Two-dimensional transposed convolution, as ``chainer.functions.deconvolution_2d``.

    It is the gradient of :func:`convolution_2d` with respect to its input,
    used as a layer: each input pixel scatters ``W`` scaled by its value into
    the output, and overlapping scatters add (``col2im``)::

        y = col2im(W^T x) + b

    Args:
        x: input of shape ``(N, C_in, H, W)``.
        W: filters of shape ``(C_in, C_out, KH, KW)``.
        b: bias of shape ``(C_out,)`` or None.
        stride, pad: an int or a ``(h, w)`` pair.
        outsize: ``(OH, OW)``; by default ``OH = SY (H - 1) + KH - 2 PH``.

    Returns:
        Variable of shape ``(N, C_out, OH, OW)``.
    """
    func = Deconvolution2D(stride, pad, outsize)
    return func(x, W) if b is None else func(x, W, b)
