"""2-D unpooling: spread each pixel over its pooling window (the adjoint of sum pooling)."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode
from minigrad.utils.conv import (col2im, get_conv_outsize, get_deconv_outsize, im2col_view,
                                 pair, pair_text)


class _Geometry:
    """The window geometry shared by :class:`Unpooling2D` and its gradient."""

    @property
    def check_name(self):
        return type(self).__name__      # the label adds the geometry

    def _set_geometry(self, ksize, stride, pad, outsize, cover_all):
        # Checked here, where they are given: ints or pairs of ints, named in the message.
        name = self.check_name
        self.kh, self.kw = pair(ksize, name, 'ksize', 1)
        self.sy, self.sx = (self.kh, self.kw) if stride is None else pair(stride, name, 'stride', 1)
        self.ph, self.pw = pair(pad, name, 'pad', 0)
        self.outsize = None if outsize is None else pair(outsize, name, 'outsize', 1)
        self.cover_all = cover_all

    @property
    def label(self):
        text = '{} {}x{} s{}'.format(self.check_name, self.kh, self.kw,
                                     pair_text(self.sy, self.sx))
        if (self.ph, self.pw) != (0, 0):
            text += ' p{}'.format(pair_text(self.ph, self.pw))
        return text


class Unpooling2D(_Geometry, FunctionNode):
    """``y = col2im(x repeated over every kernel offset)``; see :func:`unpooling_2d`."""

    def __init__(self, ksize, stride=None, pad=0, outsize=None, cover_all=True):
        self._set_geometry(ksize, stride, pad, outsize, cover_all)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.ndim == 4, x_type.dtype.kind == 'f')
        # Only light mode gets here (a failed expect raised above): x is the array.
        name = self.check_name
        x, = in_types
        h, w = x.shape[2:]
        for axis, size, k, s, p, i in (('height', h, self.kh, self.sy, self.ph, 0),
                                        ('width', w, self.kw, self.sx, self.pw, 1)):
            # (The messages are formatted only when they are needed: this runs on every call.)
            if self.outsize is None:
                out = get_deconv_outsize(size, k, s, p, self.cover_all)
                if out <= 0:
                    raise type_check.InvalidType(
                        name, 'a positive output {}'.format(axis),
                        'output {} {} (x {} {}, ksize {}, stride {}, pad {})'.format(
                            axis, out, axis, size, k, s, p))
            else:
                # The pooling that unpooling undoes must map outsize back to x's size.
                out = self.outsize[i]
                back = get_conv_outsize(out, k, s, p, self.cover_all)
                if back != size:
                    raise type_check.InvalidType(
                        name, 'pooling outsize {} back gives x.shape[{}] == {}'.format(
                            axis, 2 + i, size),
                        'outsize {} {} pools to {} (ksize {}, stride {}, pad {}, '
                        'cover_all {})'.format(axis, out, back, k, s, p, self.cover_all))

    def forward(self, inputs):
        x, = inputs
        n, c, h, w = x.shape
        if self.outsize is None:
            self.outsize = (get_deconv_outsize(h, self.kh, self.sy, self.ph, self.cover_all),
                            get_deconv_outsize(w, self.kw, self.sx, self.pw, self.cover_all))
        # Every kernel offset of the "col" holds x itself: a broadcast view, no copy.
        # col2im adds the overlapping windows, so this is the adjoint of sum pooling.
        col = numpy.broadcast_to(x[:, :, None, None], (n, c, self.kh, self.kw, h, w))
        return col2im(col, self.sy, self.sx, self.ph, self.pw, *self.outsize),

    def backward(self, indexes, grad_outputs):
        return Unpooling2DGrad(self).apply(grad_outputs)


class Unpooling2DGrad(_Geometry, FunctionNode):
    """``gx = sum over each window of gy`` (sum pooling): the adjoint of :class:`Unpooling2D`.

    Linear in ``gy``; its backward is Unpooling2D with the same geometry.
    """

    def __init__(self, unpooling):
        u = unpooling
        self._set_geometry((u.kh, u.kw), (u.sy, u.sx), (u.ph, u.pw), u.outsize, u.cover_all)

    def forward(self, inputs):
        gy, = inputs
        windows = im2col_view(gy, self.kh, self.kw, self.sy, self.sx, self.ph, self.pw,
                              cover_all=self.cover_all)
        # One add per kernel offset: much faster than windows.sum(axis=(2, 3)),
        # whose summed axes are strided.
        gx = windows[:, :, 0, 0].copy()
        for i in range(self.kh):
            for j in range(self.kw):
                if i or j:
                    gx += windows[:, :, i, j]
        return gx,

    def backward(self, indexes, grad_outputs):
        return Unpooling2D((self.kh, self.kw), (self.sy, self.sx), (self.ph, self.pw),
                           self.outsize, self.cover_all).apply(grad_outputs)


def unpooling_2d(x, ksize, stride=None, pad=0, outsize=None, cover_all=True):
    """2-D unpooling, as ``chainer.functions.unpooling_2d``.

    Each input pixel is copied to every pixel of its pooling window in the
    output; where windows overlap (stride < ksize) the copies add:

    .. math:: y_{n,c,Y,X} = \\sum_{(y, x, i, j):\\; y S_Y + i - P_H = Y,\\; x S_X + j - P_W = X}
              x_{n,c,y,x}

    It is a deconvolution with a filter of ones and no mixing of channels,
    the adjoint of sum pooling; with ``ksize == stride`` and no padding it is
    nearest-neighbour upsampling.  Its gradient sums each window of ``gy``.

    Args:
        x (Variable or ndarray): floating point input of shape ``(N, C, H, W)``.
        ksize (int or pair of ints): window size ``(KH, KW)``.
        stride (int, pair of ints or None): ``(SY, SX)``; None means ``ksize``.
        pad (int or pair of ints): ``(PH, PW)``, cropped from the output.
        outsize (None or pair of ints): the output ``(OH, OW)``. None computes
            the smallest size that pooling maps back to ``(H, W)``
            (:func:`~minigrad.utils.conv.get_deconv_outsize`); a given size
            must pool back to ``(H, W)`` with the same geometry.
        cover_all (bool): as in the pooling functions. With the default True,
            ``ksize=stride=2`` maps ``H`` to ``2H - 1``; pass False for ``2H``.

    Returns:
        Variable: of shape ``(N, C, OH, OW)`` and ``x``'s dtype.

    >>> unpooling_2d(numpy.arange(4.0).reshape(1, 1, 2, 2), 2, cover_all=False).array[0, 0]
    array([[0., 0., 1., 1.],
           [0., 0., 1., 1.],
           [2., 2., 3., 3.],
           [2., 2., 3., 3.]])
    """
    return Unpooling2D(ksize, stride, pad, outsize, cover_all).apply((x,))[0]
