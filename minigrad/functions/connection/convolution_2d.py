"""Two-dimensional convolution through im2col and one matrix product per group."""
import numpy

from minigrad import type_check
from minigrad.core import Function
from minigrad.utils.conv import col2im, conv_outsize_checked, im2col_view, pair, pair_text


def check_conv_inputs(func_name, x, W, b, groups, in_axis=1, out_axis=0):
    """The checks shared by convolution and deconvolution.

    ``in_axis`` / ``out_axis`` say which axis of ``W`` meets x's channels and
    which gives the output channels (convolution: 1 and 0; deconvolution: 0 and 1).
    """
    type_check.expect_ndim(func_name, 'x', x, 4)
    type_check.expect_ndim(func_name, 'W', W, 4)
    type_check.expect_float(func_name, 'x', x)
    type_check.expect_equal(func_name, 'W.dtype', W.dtype, 'x.dtype', x.dtype)
    type_check.expect_positive(func_name, 'groups', groups)
    if in_axis == 1:
        type_check.expect_equal(func_name, 'x.shape[1]', x.shape[1],
                                'W.shape[1] * groups', W.shape[1] * groups)
    else:
        type_check.expect_equal(func_name, 'x.shape[1]', x.shape[1], 'W.shape[0]', W.shape[0])
    for axis, name in ((0, 'W.shape[0]'), (1, 'x.shape[1]')):
        size = W.shape[0] if axis == 0 else x.shape[1]
        if size % groups:
            raise type_check.InvalidType(func_name, '{} % groups == 0'.format(name),
                                         '{} % {} == {}'.format(size, groups, size % groups))
    if b is not None:
        type_check.expect_ndim(func_name, 'b', b, 1)
        type_check.expect_equal(func_name, 'b.dtype', b.dtype, 'x.dtype', x.dtype)
        n_out = W.shape[out_axis] * (groups if out_axis == 1 else 1)
        type_check.expect_equal(func_name, 'b.shape[0]', b.shape[0], 'output channels', n_out)


# The computations below are shared with deconvolution_2d, whose forward is
# convolution's input gradient and whose input gradient is a convolution.
# ``col`` is kept in the layout (G, C/G*KH*KW, N*OH*OW): one matrix product per
# group, and the output comes out channel-major with a single transpose.

def im2col_grouped(x, kh, kw, sy, sx, ph, pw, cover_all, dy, dx, groups):
    """Windows of ``x`` as a contiguous ``(G, C/G*KH*KW, N*OH*OW)`` array."""
    n, c = x.shape[:2]
    view = im2col_view(x, kh, kw, sy, sx, ph, pw, 0, cover_all, dy, dx)
    oh, ow = view.shape[4:]
    # One copy of the windows, straight into the layout the product wants.
    col = numpy.ascontiguousarray(view.transpose(1, 2, 3, 0, 4, 5))
    return col.reshape(groups, c // groups * kh * kw, n * oh * ow), (oh, ow)


def conv_product(W, col, n, oh, ow, b=None):
    """``y[n, o] = sum_k W[o, k] col[k, n]`` per group, as ``(N, C_out, OH, OW)``."""
    groups = col.shape[0]
    c_out = W.shape[0]
    ym = numpy.matmul(W.reshape(groups, c_out // groups, -1), col)     # (G, C_out/G, N*P)
    ym = ym.reshape(c_out, n, oh, ow)
    y = numpy.empty((n, c_out, oh, ow), dtype=ym.dtype)
    y_t = y.transpose(1, 0, 2, 3)
    if b is None:
        numpy.copyto(y_t, ym)
    else:     # the transpose and the bias in one pass
        numpy.add(ym, b[:, None, None, None], out=y_t)
    return y


def grouped_rows(gy, groups):
    """``gy`` of shape ``(N, C_out, OH, OW)`` as a contiguous ``(G, C_out/G, N*OH*OW)``."""
    n, c_out, oh, ow = gy.shape
    rows = numpy.ascontiguousarray(gy.transpose(1, 0, 2, 3))
    return rows.reshape(groups, c_out // groups, n * oh * ow)


def filter_grad(gy_rows, col, W_shape):
    """``gW[o, k] = sum_{n,p} gy[n, o, p] col[k, n, p]``: one product per group."""
    return numpy.matmul(gy_rows, col.transpose(0, 2, 1)).reshape(W_shape)


def data_grad(W, gy_rows, x_shape, kh, kw, sy, sx, ph, pw, dy, dx, out_hw):
    """Convolution's input gradient: ``col2im(W^T gy)``, shape ``x_shape``."""
    groups = gy_rows.shape[0]
    n, c, h, w = x_shape
    oh, ow = out_hw
    c_out = W.shape[0]
    Wt = W.reshape(groups, c_out // groups, -1).transpose(0, 2, 1)
    gcol = numpy.matmul(Wt, gy_rows)                        # (G, C/G*KH*KW, N*P)
    gcol = gcol.reshape(c, kh, kw, n, oh, ow).transpose(3, 0, 1, 2, 4, 5)
    return col2im(gcol, sy, sx, ph, pw, h, w, dy, dx)


class Convolution2D(Function):
    """2-D convolution; see :func:`convolution_2d`."""

    def __init__(self, stride=1, pad=0, cover_all=False, dilate=1, groups=1):
        self.sy, self.sx = pair(stride)
        self.ph, self.pw = pair(pad)
        self.dy, self.dx = pair(dilate)
        self.cover_all = cover_all
        self.groups = groups

    @property
    def label(self):
        kh, kw = self.ksize if hasattr(self, 'ksize') else ('?', '?')
        text = 'Convolution2D {}x{} s{} p{}'.format(
            kh, kw, pair_text(self.sy, self.sx), pair_text(self.ph, self.pw))
        if (self.dy, self.dx) != (1, 1):
            text += ' d{}'.format(pair_text(self.dy, self.dx))
        if self.groups != 1:
            text += ' g{}'.format(self.groups)
        return text

    def check_type_forward(self, inputs):
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        check_conv_inputs('Convolution2D', x, W, b, self.groups)
        conv_outsize_checked('Convolution2D', x.shape[2], x.shape[3], W.shape[2], W.shape[3],
                             self.sy, self.sx, self.ph, self.pw, self.cover_all,
                             self.dy, self.dx)

    def forward(self, inputs):
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        self.ksize = W.shape[2:]
        self.x_shape = x.shape
        # Backward needs x and W, which the graph holds anyway, and the
        # windows for gW.  The windows are 5-25x larger than x in AlexNet, so
        # backward rebuilds them (one copy) instead of keeping them alive
        # through the rest of the forward pass.
        col, (oh, ow) = self._windows(x)
        return conv_product(W, col, x.shape[0], oh, ow, b),

    def _windows(self, x):
        return im2col_grouped(x, *self.ksize, self.sy, self.sx, self.ph, self.pw,
                              self.cover_all, self.dy, self.dx, self.groups)

    def backward(self, inputs, grad_outputs):
        x, W = inputs[:2]
        gy, = grad_outputs
        gy_rows = grouped_rows(gy, self.groups)
        col, _ = self._windows(x)
        gW = filter_grad(gy_rows, col, W.shape)
        del col           # the largest buffer: free it before allocating gx
        gx = None
        if not self.needs_input_grad or self.needs_input_grad[0]:
            gx = data_grad(W, gy_rows, self.x_shape, *self.ksize, self.sy, self.sx,
                           self.ph, self.pw, self.dy, self.dx, gy.shape[2:])
        if len(inputs) == 3:
            return gx, gW, gy_rows.sum(axis=2).reshape(-1)
        return gx, gW


def convolution_2d(x, W, b=None, stride=1, pad=0, cover_all=False, *, dilate=1, groups=1):
    """Two-dimensional convolution (cross-correlation), as ``chainer.functions.convolution_2d``.

    .. math::
        y_{n,o,i,j} = b_o + \\sum_{c,k,l} W_{o,c,k,l}\\,
                      x_{n,\\, g(o) C_g + c,\\; i S_Y + k D_Y - P_H,\\; j S_X + l D_X - P_W}

    where ``x`` is zero outside the image and ``g(o)`` is the group of output
    channel ``o``.  Computed as im2col followed by one matrix product per
    group; the backward uses col2im (im2col's adjoint) for ``gx``.

    Args:
        x: input of shape ``(N, C, H, W)``.
        W: filters of shape ``(C_out, C / groups, KH, KW)``.
        b: bias of shape ``(C_out,)`` or None.
        stride, pad, dilate: an int or a ``(h, w)`` pair.
        cover_all (bool): add windows so that no input pixel is left out.
        groups (int): split channels into groups convolved separately.

    Returns:
        Variable of shape ``(N, C_out, OH, OW)`` with
        ``OH = (H + 2 PH - DKH) // SY + 1`` (see :func:`minigrad.utils.conv.get_conv_outsize`).

    >>> x = numpy.zeros((1, 3, 227, 227), numpy.float32)
    >>> W = numpy.zeros((96, 3, 11, 11), numpy.float32)
    >>> convolution_2d(x, W, stride=4).shape
    (1, 96, 55, 55)
    """
    func = Convolution2D(stride, pad, cover_all, dilate, groups)
    return func(x, W) if b is None else func(x, W, b)
