"""Resize images by bilinear or nearest-neighbour interpolation."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


def _taps(out_size, in_size, mode, align_corners):
    """Where each output row (or column) reads along one axis.

    Returns ``(i0, i1, w1)``, arrays of length ``out_size``: output ``o`` is
    ``(1 - w1[o]) * in[i0[o]] + w1[o] * in[i1[o]]``.

    - bilinear, ``align_corners``: the corners map to the corners, output
      ``o`` samples ``o (in - 1) / (out - 1)``;
    - bilinear, otherwise: pixel centres map to pixel centres,
      ``(o + 1/2) in / out - 1/2``, clamped at 0 (as OpenCV);
    - nearest: ``floor(o in / out)``.
    """
    o = numpy.arange(out_size, dtype=numpy.float64)
    if mode == 'nearest':
        i0 = numpy.minimum(numpy.floor(o * (in_size / out_size)), in_size - 1).astype(numpy.intp)
        return i0, i0, numpy.zeros(out_size)
    if align_corners:
        pos = numpy.linspace(0, in_size - 1, num=out_size)
    else:
        pos = numpy.maximum((o + 0.5) * (in_size / out_size) - 0.5, 0)
    i0 = numpy.floor(pos)
    w1 = pos - i0
    i0 = i0.astype(numpy.intp)
    return i0, numpy.minimum(i0 + 1, in_size - 1), w1


def resize_matrix(out_size, in_size, mode='bilinear', align_corners=True):
    """The ``(out_size, in_size)`` matrix ``R`` of a resize along one axis: ``y = R x``.

    Row ``o`` holds the (at most two) weights of the input pixels that output
    ``o`` mixes (see :func:`_taps`); every row sums to 1.
    """
    i0, i1, w1 = _taps(out_size, in_size, mode, align_corners)
    r = numpy.zeros((out_size, in_size))
    rows = numpy.arange(out_size)
    # Added, not assigned: at the last pixel i0 == i1 and both weights land there.
    numpy.add.at(r, (rows, i0), 1 - w1)
    numpy.add.at(r, (rows, i1), w1)
    return r


def _apply_along(x, axis, r):
    """``r`` applied to every line of ``x`` along ``axis`` (2 or 3 of an ``(N, C, H, W)`` array).

    ``r`` has few nonzeros per row (two for bilinear, more in the transpose
    of an enlarging resize).  For short rows a dense matrix product is the
    fastest; for long ones, gathering the few nonzero taps of each row
    (``sum_t w[:, t] * x[idx[:, t]]``) avoids multiplying by zeros.  A gather
    costs about as much as 16 multiply-adds of the product, hence the switch.
    """
    r = r.astype(x.dtype)
    nonzero = r != 0
    taps = max(1, int(nonzero.sum(axis=1).max()))
    if r.shape[1] <= 16 * taps:
        return numpy.matmul(r, x) if axis == 2 else numpy.matmul(x, r.T)
    # Each row's nonzero columns first (zero weights pad the shorter rows).
    idx = numpy.argsort(~nonzero, axis=1, kind='stable')[:, :taps]
    w = numpy.take_along_axis(r, idx, axis=1)
    shape = [1] * x.ndim
    shape[axis] = -1
    y = numpy.take(x, idx[:, 0], axis=axis)
    y *= w[:, 0].reshape(shape)
    for t in range(1, taps):       # a loop over taps, not pixels
        term = numpy.take(x, idx[:, t], axis=axis)
        term *= w[:, t].reshape(shape)
        y += term
    return y


class _Resize(FunctionNode):
    """The sizes and sampling rule shared by :class:`ResizeImages` and its gradient."""

    def __init__(self, in_size, out_size, mode, align_corners):
        self.in_size = in_size
        self.out_size = out_size
        self.mode = mode
        self.align_corners = align_corners

    def _matrices(self):
        """``(R_H, R_W)``: the resize matrices of the height and the width."""
        (h, w), (oh, ow) = self.in_size, self.out_size
        return (resize_matrix(oh, h, self.mode, self.align_corners),
                resize_matrix(ow, w, self.mode, self.align_corners))


class ResizeImages(_Resize):
    """``y = R_H x R_W^T`` for each image, interpolating rows then columns; see :func:`resize_images`."""

    def __init__(self, output_shape, mode='bilinear', align_corners=True):
        name = 'ResizeImages'
        type_check.require(mode in ('bilinear', 'nearest'), name,
                           "mode in ('bilinear', 'nearest')", 'mode == {!r}'.format(mode))
        ok = isinstance(output_shape, (tuple, list)) and len(output_shape) == 2 and all(
            isinstance(s, (int, numpy.integer)) and s > 0 for s in output_shape)
        type_check.require(ok, name, 'output_shape a pair of positive ints (OH, OW)',
                           'output_shape == {!r}'.format(output_shape))
        super().__init__(None, tuple(int(s) for s in output_shape), mode, align_corners)

    @property
    def label(self):
        return 'ResizeImages {}x{} {}'.format(*self.out_size, self.mode)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.ndim == 4, x_type.dtype.kind == 'f')

    def forward(self, inputs):
        x, = inputs
        self.in_size = x.shape[2:]
        r_h, r_w = self._matrices()
        return _apply_along(_apply_along(x, 2, r_h), 3, r_w),

    def backward(self, indexes, grad_outputs):
        return ResizeImagesGrad(self.in_size, self.out_size, self.mode,
                                self.align_corners).apply(grad_outputs)


class ResizeImagesGrad(_Resize):
    """``gx = R_H^T gy R_W``, the adjoint of :class:`ResizeImages`; its backward resizes again."""

    def forward(self, inputs):
        gy, = inputs
        r_h, r_w = self._matrices()
        return _apply_along(_apply_along(gy, 3, r_w.T), 2, r_h.T),

    def backward(self, indexes, grad_outputs):
        return ResizeImages(self.out_size, self.mode, self.align_corners).apply(grad_outputs)


def resize_images(x, output_shape, *, mode='bilinear', align_corners=True):
    """Resize images to ``output_shape``, as ``chainer.functions.resize_images``.

    Each output pixel interpolates the input along the height, then the
    width (the two are separable): along one axis output ``o`` reads input
    position ``p(o)`` and mixes its two neighbours,

    .. math:: y_o = (1 - (p - \\lfloor p \\rfloor))\\, x_{\\lfloor p \\rfloor}
              + (p - \\lfloor p \\rfloor)\\, x_{\\min(\\lfloor p \\rfloor + 1, \\mathrm{in} - 1)}

    with ``p(o) = o (in - 1) / (out - 1)`` (bilinear, ``align_corners=True``:
    corners map to corners), ``(o + 1/2) in / out - 1/2`` clamped at 0
    (bilinear, ``align_corners=False``, as OpenCV), or ``floor(o in / out)``
    with no mixing (``mode='nearest'``).  Along one axis that is a matrix
    ``R`` of at most two weights per row (:func:`resize_matrix`), so each
    image becomes ``R_H x R_W^T``.  The gradient is the transpose,
    ``gx = R_H^T gy R_W``: each output's gradient goes back, weighted, to the
    pixels it read; the gradient of that is a resize again.

    Args:
        x (Variable or ndarray): floating point images of shape ``(N, C, H, W)``.
        output_shape (pair of ints): ``(OH, OW)``, height first (OpenCV's
            order is the other way round).
        mode (str): ``'bilinear'`` or ``'nearest'``.
        align_corners (bool): for bilinear, map the corner pixels to the corners.

    Returns:
        Variable: of shape ``(N, C, OH, OW)`` and ``x``'s dtype.

    >>> resize_images(numpy.array([[[[0.0, 2.0]]]]), (1, 3)).array
    array([[[[0., 1., 2.]]]])
    """
    return ResizeImages(output_shape, mode, align_corners).apply((x,))[0]
