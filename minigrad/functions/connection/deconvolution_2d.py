"""Two-dimensional transposed convolution: convolution's input gradient as a layer."""
import numpy

from minigrad import type_check
from minigrad.backends import intel64
from minigrad.core import FunctionNode
from minigrad.functions.connection.convolution_2d import (
    Convolution2D, Convolution2DGradW, check_conv_types, conv_label, conv_product, filter_grad,
    grouped_rows, im2col_grouped)
from minigrad.functions.math.sum import Sum
from minigrad.utils.conv import col2im, check_int, get_conv_outsize, get_deconv_outsize, pair


class Deconvolution2D(FunctionNode):
    """2-D transposed convolution; see :func:`deconvolution_2d`.

    It is the transpose of the convolution that takes an ``(OH, OW)`` image
    back to ``x``'s ``(H, W)``, so its gradients are that convolution's pieces::

        gx = convolution_2d(gy, W)                  (Convolution2D)
        gW = Convolution2DGradW(gy, x)              (the convolution's gW, roles swapped)
        gb = sum(gy, axis=(0, 2, 3))

    When both ``gx`` and ``gW`` are needed, :class:`Deconvolution2DGrad`
    computes them together, so the windows of ``gy`` are built once.

    :class:`Convolution2D`'s backward uses it for its ``gx``.
    """

    ksize = None
    check_name = 'Deconvolution2D'      # the label's kernel size is known only after forward

    def __init__(self, stride=1, pad=0, outsize=None, dilate=1, groups=1):
        self.sy, self.sx = pair(stride, 'Deconvolution2D', 'stride', 1)
        self.ph, self.pw = pair(pad, 'Deconvolution2D', 'pad', 0)
        self.dy, self.dx = pair(dilate, 'Deconvolution2D', 'dilate', 1)
        self.outsize = None if outsize is None else pair(outsize, 'Deconvolution2D', 'outsize', 1)
        self.groups = check_int(groups, 'Deconvolution2D', 'groups', 1)

    @property
    def label(self):
        return conv_label('Deconvolution2D', self.ksize, self.sy, self.sx, self.ph, self.pw,
                          self.dy, self.dx, self.groups)

    def _outsize(self, x, W):
        kh, kw = W.shape[2:]
        if self.outsize is not None:
            return self.outsize
        return (get_deconv_outsize(x.shape[2], kh, self.sy, self.ph, d=self.dy),
                get_deconv_outsize(x.shape[3], kw, self.sx, self.pw, d=self.dx))

    def check_type_forward(self, in_types):
        check_conv_types(in_types, self.groups, transposed=True)
        # Only light mode gets here (a failed expect raised above): x and W are the arrays.
        # (stride, pad and dilate were checked when given, in __init__.)
        x, W = in_types[:2]
        oh, ow = self._outsize(x, W)
        if oh <= 0 or ow <= 0:
            raise type_check.InvalidType(self.check_name, 'outsize > 0',
                                         'outsize == ({}, {})'.format(oh, ow))
        for axis, out, k, s, p, d in ((2, oh, W.shape[2], self.sy, self.ph, self.dy),
                                      (3, ow, W.shape[3], self.sx, self.pw, self.dx)):
            # The convolution this transposes must take the output back to x's size.
            sizes = (get_conv_outsize(out, k, s, p, False, d),
                     get_conv_outsize(out, k, s, p, True, d))
            # (A kernel wider than outsize has floor size <= 0: only cover_all's size can match.)
            if x.shape[axis] not in sizes:
                raise type_check.InvalidType(
                    self.check_name,
                    'x.shape[{}] == the convolution size of outsize {} (k {}, s {}, p {}{}): {}'
                    .format(axis, out, k, s, p, '' if d == 1 else ', d {}'.format(d),
                            ' or '.join(map(str, sorted(set(sizes))))),
                    'x.shape[{}] == {}'.format(axis, x.shape[axis]))

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        self.ksize = kh, kw = W.shape[2:]
        n, c_in, h, w = x.shape
        oh, ow = self._outsize(x, W)
        # The convolution from (OH, OW) back to (H, W) may need cover_all's
        # extra window, along either axis or both; backward convolves with it.
        self.cover_all = (h != get_conv_outsize(oh, kh, self.sy, self.ph, d=self.dy),
                          w != get_conv_outsize(ow, kw, self.sx, self.pw, d=self.dx))
        geometry = ((self.sy, self.sx), (self.ph, self.pw), (self.dy, self.dx))
        y_shape = (n, W.shape[1] * self.groups, oh, ow)
        if (self.groups == 1 and intel64.should_use_ideep(x, W, *(() if b is None else (b,)))
                and intel64.supports(y_shape, W.shape, x.shape, *geometry)):
            # The input gradient of the convolution from y's size back to x's.
            y = intel64.convolution_backward_data(x, W, y_shape, *geometry)
            if b is not None:
                y += b[:, None, None]
            return y,
        # Each input pixel scatters its filters: col = W^T x per group, then
        # col2im adds the overlapping windows into the output.
        G = self.groups
        c_out = W.shape[1] * G
        Wt = W.reshape(G, c_in // G, -1).transpose(0, 2, 1)       # (G, C_out/G*KH*KW, C_in/G)
        col = numpy.matmul(Wt, grouped_rows(x, G))                # (G, C_out/G*KH*KW, N*H*W)
        col = col.reshape(c_out, kh, kw, n, h, w).transpose(3, 0, 1, 2, 4, 5)
        y = col2im(col, self.sy, self.sx, self.ph, self.pw, oh, ow, self.dy, self.dx)
        if b is not None:
            y += b[:, None, None]
        return y,

    def backward(self, indexes, grad_outputs):
        x, W = self.get_retained_inputs()
        gy, = grad_outputs
        geometry = ((self.sy, self.sx), (self.ph, self.pw), self.cover_all,
                    (self.dy, self.dx), self.groups)
        if 0 in indexes and 1 in indexes:
            # Both read the windows of gy: one node builds them once.
            ret = list(Deconvolution2DGrad(*geometry).apply((x, W, gy)))
        else:
            ret = []
            if 0 in indexes:
                ret.append(Convolution2D(*geometry, geometry_checked=True).apply((gy, W))[0])
            if 1 in indexes:
                ret.append(Convolution2DGradW(W.shape[2:], *geometry).apply((gy, x))[0])
        if 2 in indexes:
            ret.append(Sum(axis=(0, 2, 3)).apply((gy,))[0])
        return tuple(ret)


class Deconvolution2DGrad(FunctionNode):
    """A deconvolution's ``gx`` and ``gW`` at once, from one im2col of ``gy``.

    Inputs ``(x, W, gy)``, outputs ``(gx, gW)``::

        gx = convolution_2d(gy, W)
        gW = Convolution2DGradW(gy, x)

    Both are bilinear, so for gradients ``ggx`` and ``ggW`` of the outputs::

        d/dx  = convolution_2d(gy, ggW)
        d/dW  = Convolution2DGradW(gy, ggx)
        d/dgy = deconvolution_2d(ggx, W) + deconvolution_2d(x, ggW)    (outsize gy's)

    Args: the geometry of the :class:`Deconvolution2D`, with the
    ``cover_all`` pair of the convolution it transposes.
    """

    def __init__(self, stride, pad, cover_all, dilate, groups):
        self.sy, self.sx = stride
        self.ph, self.pw = pad
        self.dy, self.dx = dilate
        self.cover_all = cover_all
        self.groups = groups

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, W, gy = inputs
        col, (h, w) = im2col_grouped(gy, *W.shape[2:], self.sy, self.sx, self.ph, self.pw,
                                     self.cover_all, self.dy, self.dx, self.groups)
        gx = conv_product(W, col, gy.shape[0], h, w)
        gW = filter_grad(grouped_rows(x, self.groups), col, W.shape)
        return gx, gW

    def backward(self, indexes, grad_outputs):
        x, W, gy = self.get_retained_inputs()
        ggx, ggW = grad_outputs
        stride, pad, dilate = (self.sy, self.sx), (self.ph, self.pw), (self.dy, self.dx)
        geometry = (stride, pad, self.cover_all, dilate, self.groups)
        ret = []
        if 0 in indexes:
            ret.append(Convolution2D(*geometry, geometry_checked=True).apply((gy, ggW))[0])
        if 1 in indexes:
            ret.append(Convolution2DGradW(W.shape[2:], *geometry).apply((gy, ggx))[0])
        if 2 in indexes:
            outsize = gy.shape[2:]
            ret.append(
                Deconvolution2D(stride, pad, outsize, dilate, self.groups).apply((ggx, W))[0]
                + Deconvolution2D(stride, pad, outsize, dilate, self.groups).apply((x, ggW))[0])
        return tuple(ret)


def deconvolution_2d(x, W, b=None, stride=1, pad=0, outsize=None, *, dilate=1, groups=1):
    """Two-dimensional transposed convolution, as ``chainer.functions.deconvolution_2d``.

    It is the gradient of :func:`convolution_2d` with respect to its input,
    used as a layer: each input pixel scatters ``W`` scaled by its value into
    the output, and overlapping scatters add (``col2im``)::

        y = col2im(W^T x) + b

    Args:
        x: input of shape ``(N, C_in, H, W)``.
        W: filters of shape ``(C_in, C_out / groups, KH, KW)``.
        b: bias of shape ``(C_out,)`` or None.
        stride, pad, dilate: an int or a ``(h, w)`` pair.
        outsize: ``(OH, OW)``; by default ``OH = SY (H - 1) + DKH - 2 PH``
            with the dilated kernel ``DKH = KH + (KH - 1)(DY - 1)``.
        groups (int): split channels into groups, as in :func:`convolution_2d`.

    Returns:
        Variable of shape ``(N, C_out, OH, OW)``.
    """
    func = Deconvolution2D(stride, pad, outsize, dilate, groups)
    return func.apply((x, W) if b is None else (x, W, b))[0]
