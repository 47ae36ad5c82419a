"""Two-dimensional convolution through im2col and one matrix product per group."""
import numpy

from minigrad import type_check
from minigrad.backends import intel64
from minigrad.core import FunctionNode
from minigrad.functions.math.sum import Sum
from minigrad.utils.conv import (
    check_int, conv_outsize_checked, get_conv_outsize, im2col_view, pair, pair_text)


def check_conv_types(in_types, groups, transposed=False):
    """The input conditions of convolution and deconvolution, in the type-check language.

    ``in_types`` are ``(x, W)`` or ``(x, W, b)``.  A convolution's ``W`` is
    ``(C_out, C/G, KH, KW)``; a deconvolution's (``transposed``) is
    ``(C, C_out/G, KH, KW)``: x's channels meet its first axis.  Either way
    ``W.shape[0]`` splits into the ``groups``, and ``b`` has one entry per
    output channel.
    """
    n_in = in_types.size()
    type_check.expect(2 <= n_in, n_in <= 3)
    type_check.argname(in_types, ('x', 'W', 'b')[:len(in_types)])
    x_type, w_type = in_types[:2]
    groups = type_check.make_variable(groups, 'groups')
    if transposed:
        channels, n_out = w_type.shape[0], w_type.shape[1] * groups
    else:
        channels, n_out = w_type.shape[1] * groups, w_type.shape[0]
    # (A W of fewer axes fails to index in light mode; the check then runs
    # again on expressions, which stop at the first false condition.)
    type_check.expect(
        x_type.ndim == 4,
        w_type.ndim == 4,
        x_type.dtype.kind == 'f',
        w_type.dtype == x_type.dtype,
        x_type.shape[1] == channels,
        w_type.shape[0] % groups == 0,
    )
    if len(in_types) == 3:
        b_type = in_types[2]
        type_check.expect(
            b_type.ndim == 1,
            b_type.dtype == x_type.dtype,
            b_type.shape[0] == n_out,
        )


# The array kernels below are shared with deconvolution_2d (convolution's
# input gradient as a layer).  ``col`` is kept in the layout
# (G, C/G*KH*KW, N*OH*OW): one matrix product per group, and the output
# comes out channel-major with a single transpose.

def im2col_grouped(x, kh, kw, sy, sx, ph, pw, cover_all, dy, dx, groups):
    """Windows of ``x`` as a contiguous ``(G, C/G*KH*KW, N*OH*OW)`` array.

    ``cover_all`` may be a pair, one flag per axis: the gradients of a
    deconvolution need cover_all's extra window along one axis only when its
    ``outsize`` asks for that.
    """
    n, c, h, w = x.shape
    cover_h, cover_w = pair(cover_all)
    view = im2col_view(x, kh, kw, sy, sx, ph, pw, 0, cover_h or cover_w, dy, dx)
    if cover_h != cover_w:
        # The windows of one axis without cover_all are the first ones of cover_all's.
        view = view[..., :get_conv_outsize(h, kh, sy, ph, cover_h, dy),
                    :get_conv_outsize(w, kw, sx, pw, cover_w, dx)]
    oh, ow = view.shape[4:]
    # One copy of the windows, straight into the layout the product wants.
    col = numpy.ascontiguousarray(view.transpose(1, 2, 3, 0, 4, 5))
    return col.reshape(groups, c // groups * kh * kw, n * oh * ow), (oh, ow)


def conv_output_shape(x_shape, W_shape, sy, sx, ph, pw, cover_all, dy, dx):
    """``(N, C_out, OH, OW)`` of a convolution; ``cover_all`` may be a pair ``(H, W)``."""
    cover_h, cover_w = pair(cover_all)
    return (x_shape[0], W_shape[0],
            get_conv_outsize(x_shape[2], W_shape[2], sy, ph, cover_h, dy),
            get_conv_outsize(x_shape[3], W_shape[3], sx, pw, cover_w, dx))


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
    # Written into an array of W's shape: a reshaped view of the product
    # would be copied again when it becomes a parameter's grad.
    gW = numpy.empty(W_shape, dtype=numpy.result_type(gy_rows, col))
    numpy.matmul(gy_rows, col.transpose(0, 2, 1), out=gW.reshape(gy_rows.shape[:2] + (-1,)))
    return gW


def conv_label(name, ksize, sy, sx, ph, pw, dy, dx, groups):
    """``'Convolution2D 3x2 s1x2 p1 d2 g2'``: the hyperparameters in graphs and errors."""
    kh, kw = ksize or ('?', '?')
    text = '{} {}x{} s{} p{}'.format(name, kh, kw, pair_text(sy, sx), pair_text(ph, pw))
    if (dy, dx) != (1, 1):
        text += ' d{}'.format(pair_text(dy, dx))
    if groups != 1:
        text += ' g{}'.format(groups)
    return text


class Convolution2D(FunctionNode):
    """2-D convolution; see :func:`convolution_2d`.

    Its gradients are functions of their own, so they can be differentiated again::

        gx = deconvolution_2d(gy, W, outsize=x.shape[2:])   (Deconvolution2D)
        gW = Convolution2DGradW(x, gy)
        gb = sum(gy, axis=(0, 2, 3))

    ``geometry_checked=True`` skips the checks of sizes, strides and pads: the
    gradients of a deconvolution pass it, since a deconvolution's ``outsize``
    may leave trailing pixels that no window reads (they got only the bias),
    and the convolution that is its gradient ignores them.  A user's
    convolution warns of that geometry as a likely mistake
    (:class:`~minigrad.utils.conv.OutputSizeWarning`; an error under
    ``config.debug``).  Such a gradient
    may also need cover_all along one axis only: ``cover_all`` is then a
    pair ``(H, W)``.
    """

    ksize = None
    check_name = 'Convolution2D'    # the label's kernel size is known only after forward

    def __init__(self, stride=1, pad=0, cover_all=False, dilate=1, groups=1,
                 geometry_checked=False):
        self.sy, self.sx = pair(stride, 'Convolution2D', 'stride', 1)
        self.ph, self.pw = pair(pad, 'Convolution2D', 'pad', 0)
        self.dy, self.dx = pair(dilate, 'Convolution2D', 'dilate', 1)
        self.cover_all = cover_all
        self.groups = check_int(groups, 'Convolution2D', 'groups', 1)
        self.geometry_checked = geometry_checked

    @property
    def label(self):
        return conv_label('Convolution2D', self.ksize, self.sy, self.sx, self.ph, self.pw,
                          self.dy, self.dx, self.groups)

    def check_type_forward(self, in_types):
        check_conv_types(in_types, self.groups)
        if not self.geometry_checked:
            # Only light mode gets here (a failed expect raised above): x and W are the arrays.
            x, W = in_types[:2]
            conv_outsize_checked(self.check_name, x.shape[2], x.shape[3], W.shape[2], W.shape[3],
                                 self.sy, self.sx, self.ph, self.pw, self.cover_all,
                                 self.dy, self.dx)

    def forward(self, inputs):
        # Backward needs x and W.  The windows (im2col) it needs for gW are
        # 5-25x larger than x in AlexNet, so Convolution2DGradW rebuilds them
        # (one copy) instead of keeping them alive through the rest of the
        # forward pass.
        self.retain_inputs((0, 1))
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        self.ksize = W.shape[2:]
        if self.groups == 1 and intel64.should_use_ideep(x, W, *(() if b is None else (b,))):
            y_shape = conv_output_shape(x.shape, W.shape, self.sy, self.sx, self.ph, self.pw,
                                        self.cover_all, self.dy, self.dx)
            geometry = ((self.sy, self.sx), (self.ph, self.pw), (self.dy, self.dx))
            if intel64.supports(x.shape, W.shape, y_shape, *geometry):
                return intel64.convolution_forward(x, W, b, y_shape, *geometry),
        col, (oh, ow) = im2col_grouped(x, *self.ksize, self.sy, self.sx, self.ph, self.pw,
                                       self.cover_all, self.dy, self.dx, self.groups)
        return conv_product(W, col, x.shape[0], oh, ow, b),

    def backward(self, indexes, grad_outputs):
        # Imported here: deconvolution_2d imports this module's kernels.
        from minigrad.functions.connection.deconvolution_2d import Deconvolution2D
        x, W = self.get_retained_inputs()
        gy, = grad_outputs
        stride, pad, dilate = (self.sy, self.sx), (self.ph, self.pw), (self.dy, self.dx)
        ret = []
        if 0 in indexes:
            # The transposed convolution back to x's size; the outsize picks
            # cover_all's geometry when it gave gy its size.
            ret.append(Deconvolution2D(stride, pad, x.shape[2:], dilate, self.groups)
                       .apply((gy, W))[0])
        if 1 in indexes:
            ret.append(Convolution2DGradW(W.shape[2:], stride, pad, self.cover_all, dilate,
                                          self.groups).apply((x, gy))[0])
        if 2 in indexes:
            ret.append(Sum(axis=(0, 2, 3)).apply((gy,))[0])
        return tuple(ret)


class Convolution2DGradW(FunctionNode):
    """The filter gradient of a convolution, ``gW = gy (*) x``, as a node of its own.

    ``gW[o, c, k, l] = sum_{n,i,j} gy[n, o, i, j] xpad[n, g(o) C_g + c, i SY + k DY, j SX + l DX]``:
    one product per group of ``gy``'s rows with the windows of ``x``
    (rebuilt here with im2col, never kept from the forward pass).

    It is bilinear in ``(x, gy)``, so for a gradient ``ggW`` of ``gW``::

        d/dx  = deconvolution_2d(gy, ggW, outsize=(H, W))   (convolution's gx with filters ggW)
        d/dgy = convolution_2d(x, ggW)

    A deconvolution uses it with the roles swapped: its ``gW`` is this node
    applied to ``(gy, x)``.

    Args:
        ksize: ``(KH, KW)``; the rest as :class:`Convolution2D`.
    """

    def __init__(self, ksize, stride, pad, cover_all, dilate, groups):
        self.kh, self.kw = ksize
        self.sy, self.sx = pair(stride)
        self.ph, self.pw = pair(pad)
        self.dy, self.dx = pair(dilate)
        self.cover_all = cover_all
        self.groups = groups

    @property
    def label(self):
        return conv_label('Convolution2DGradW', (self.kh, self.kw), self.sy, self.sx,
                          self.ph, self.pw, self.dy, self.dx, self.groups)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        W_shape = (gy.shape[1], x.shape[1] // self.groups, self.kh, self.kw)
        if self.groups == 1 and intel64.should_use_ideep(x, gy):
            geometry = ((self.sy, self.sx), (self.ph, self.pw), (self.dy, self.dx))
            if intel64.supports(x.shape, W_shape, gy.shape, *geometry):
                return intel64.convolution_backward_weights(x, gy, W_shape, *geometry),
        col, _ = im2col_grouped(x, self.kh, self.kw, self.sy, self.sx, self.ph, self.pw,
                                self.cover_all, self.dy, self.dx, self.groups)
        return filter_grad(grouped_rows(gy, self.groups), col, W_shape),

    def backward(self, indexes, grad_outputs):
        from minigrad.functions.connection.deconvolution_2d import Deconvolution2D
        x, gy = self.get_retained_inputs()
        ggW, = grad_outputs
        stride, pad, dilate = (self.sy, self.sx), (self.ph, self.pw), (self.dy, self.dx)
        ret = []
        if 0 in indexes:
            ret.append(Deconvolution2D(stride, pad, x.shape[2:], dilate, self.groups)
                       .apply((gy, ggW))[0])
        if 1 in indexes:
            ret.append(Convolution2D(stride, pad, self.cover_all, dilate, self.groups,
                                     geometry_checked=True).apply((x, ggW))[0])
        return tuple(ret)


def convolution_2d(x, W, b=None, stride=1, pad=0, cover_all=False, *, dilate=1, groups=1):
    """Two-dimensional convolution (cross-correlation), as ``chainer.functions.convolution_2d``.

    .. math::
        y_{n,o,i,j} = b_o + \\sum_{c,k,l} W_{o,c,k,l}\\,
                      x_{n,\\, g(o) C_g + c,\\; i S_Y + k D_Y - P_H,\\; j S_X + l D_X - P_W}

    where ``x`` is zero outside the image and ``g(o)`` is the group of output
    channel ``o``.  Computed as im2col followed by one matrix product per
    group.  The gradients are a deconvolution (col2im, im2col's adjoint) for
    ``gx``, :class:`Convolution2DGradW` for ``gW`` and a sum for ``gb``; each
    is a differentiable function, so second derivatives work.

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
    return func.apply((x, W) if b is None else (x, W, b))[0]
