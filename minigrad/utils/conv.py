"""Convolution geometry, written once: output sizes, ``im2col`` and ``col2im``.

Every convolution and pooling function uses these.  Shapes use the letters
``N, C, H, W`` (batch, channels, height, width), ``KH, KW`` (kernel),
``SY, SX`` (stride), ``PH, PW`` (padding), ``DY, DX`` (dilation) and
``OH, OW`` (output).

A window of a kernel ``k`` dilated by ``d`` spans ``dk = k + (k - 1)(d - 1)``
pixels.  Along one axis the output size is::

    out = (size + 2p - dk) // s + 1                 (cover_all=False)
    out = (size + 2p - dk + s - 1) // s + 1         (cover_all=True)

``cover_all=True`` adds one more window when the stride would otherwise skip
the last pixels (the window then reaches into extra padding).

``im2col`` lays every window out as a column, so that a convolution becomes
one matrix product.  ``col2im`` is its *adjoint*, not its inverse: where
windows overlap, a pixel appears in several columns, and ``col2im`` *adds*
those columns' values back into the pixel.  That sum is exactly the
gradient of ``im2col``, which is why convolution's backward uses it.
"""
import operator
import os
import sys
import warnings

import numpy
from numpy.lib.stride_tricks import as_strided

from minigrad import type_check
from minigrad.backends import numba_kernels
from minigrad.configuration import config


def get_dilated_ksize(k, d):
    """The span of a kernel ``k`` dilated by ``d``: ``k + (k - 1)(d - 1)`` pixels."""
    return k + (k - 1) * (d - 1)


def get_windows_extent(out, k, s, d=1):
    """How far ``out`` windows reach into the padded input: ``(out - 1) s + dk``.

    It is one past the last padded pixel any window reads; with cover_all it
    may exceed the padded size, and the canvases of im2col and col2im grow to it.
    """
    return (out - 1) * s + get_dilated_ksize(k, d)


def get_conv_outsize(size, k, s, p, cover_all=False, d=1):
    """Output length of a convolution or pooling along one axis.

    Args:
        size (int): input length. k (int): kernel size. s (int): stride.
        p (int): padding on each side. cover_all (bool): see the module
        docstring. d (int): dilation.

    Returns:
        int: the output length (may be <= 0 when the kernel does not fit).

    >>> get_conv_outsize(227, 11, 4, 0)     # AlexNet's conv1
    55
    """
    dk = get_dilated_ksize(k, d)
    if cover_all:
        return (size + p * 2 - dk + s - 1) // s + 1
    return (size + p * 2 - dk) // s + 1


def get_deconv_outsize(size, k, s, p, cover_all=False, d=1):
    """Output length of a transposed convolution: the input length of the
    convolution it transposes, ``s (size - 1) + dk - 2p`` (``- (s - 1)`` with
    cover_all)."""
    dk = get_dilated_ksize(k, d)
    if cover_all:
        return s * (size - 1) + dk - s + 1 - 2 * p
    return s * (size - 1) + dk - 2 * p


def _bound_text(minimum):
    return '' if minimum is None else ' > 0' if minimum == 1 else ' >= {}'.format(minimum)


def check_int(value, func_name, arg_name, minimum=None):
    """``value`` as a Python int, after checking it is one (and ``>= minimum``).

    Ints and integral NumPy ints (``numpy.int64(3)``) are accepted; a bool,
    a float (even ``2.0``), a string or None raises :class:`InvalidType`
    naming ``func_name`` and ``arg_name`` with the value given::

        Invalid operation in Linear: expect out_size to be an int > 0, actual out_size == 0

    Args:
        value: what the user passed.
        func_name (str): the function or link, for the message.
        arg_name (str): the argument, for the message.
        minimum (int or None): the smallest value allowed (None: any).

    Returns:
        int: ``value``.
    """
    if not _is_int(value) or (minimum is not None and value < minimum):
        raise type_check.InvalidType(
            func_name, '{} to be an int{}'.format(arg_name, _bound_text(minimum)),
            '{} == {}'.format(arg_name, _given(value, arg_name)))
    return int(value)


def _is_int(value):
    if isinstance(value, (bool, numpy.bool_)):
        return False
    try:
        operator.index(value)       # int, numpy.integer, a 0-d integer array
    except TypeError:
        return False
    return True


def _given(value, arg_name):
    """A user's value as a message shows it.

    ``2.0 (float)``, ``(2, 2, 2)``, ``(2.0, 1) (ksize[0] is a float)``.
    """
    def show(v):
        if _is_int(v):
            return str(int(v))
        return repr(v.item() if isinstance(v, numpy.generic) else v)

    if isinstance(value, (tuple, list, numpy.ndarray)) and numpy.ndim(value) == 1:
        items = [show(v) for v in value]
        text = ('[{}]' if isinstance(value, list) else '({})').format(', '.join(items))
        if len(items) == 1 and not isinstance(value, list):
            text = '({},)'.format(items[0])
        odd = [(i, v) for i, v in enumerate(value) if not _is_int(v)]
        if odd:
            i, v = odd[0]
            text += ' ({}[{}] is a {})'.format(arg_name, i, type(v).__name__)
        return text
    if _is_int(value) or value is None or isinstance(value, str):
        return show(value)
    return '{} ({})'.format(show(value), type(value).__name__)


def pair(value, func_name=None, arg_name=None, minimum=None):
    """``3 -> (3, 3)``; a pair stays a pair: the one reading of ``ksize``, ``stride``, ``pad``...

    Given ``func_name`` and ``arg_name`` it also checks the value: an int
    (or an integral NumPy int) or a pair (tuple, list, 1-D array) of them,
    each ``>= minimum``; anything else (a float, a bool, a tuple of the
    wrong length, a negative value) raises :class:`InvalidType` naming the
    function and the argument with the value given.  ``pair(2.0,
    'MaxPooling2D', 'ksize', 1)`` raises::

        Invalid operation in MaxPooling2D: expect ksize to be an int > 0 or a pair
        of ints > 0, actual ksize == 2.0 (float)

    Checked values come back as a tuple of Python ints.  Without the names it
    checks only that a sequence has two elements, as it always did.

    Args:
        value: an int or a pair.
        func_name (str): the function or link, for the message.
        arg_name (str): the argument, for the message.
        minimum (int or None): the smallest value allowed: 1 for ``ksize``,
            ``stride`` and ``dilate``, 0 for ``pad`` (None: any).

    Returns:
        tuple: ``(a, b)``.
    """
    is_sequence = isinstance(value, (tuple, list)) or (
        isinstance(value, numpy.ndarray) and value.ndim == 1)
    if func_name is None:
        if is_sequence:
            if len(value) != 2:
                raise ValueError('expect an int or a pair, actual {!r}'.format(value))
            return tuple(value)
        return value, value
    values = tuple(value) if is_sequence else (value, value)
    bound = _bound_text(minimum)
    if len(values) != 2 or not all(_is_int(v) and (minimum is None or v >= minimum)
                                   for v in values):
        actual = '{} == {}'.format(arg_name, _given(value, arg_name))
        if is_sequence and len(values) != 2:
            actual += ' (a {} of length {})'.format(type(value).__name__, len(values))
        raise type_check.InvalidType(
            func_name, '{} to be an int{} or a pair of ints{}'.format(arg_name, bound, bound),
            actual)
    return int(values[0]), int(values[1])


def pair_text(a, b):
    """``'3'`` for ``(3, 3)``, ``'1x2'`` for ``(1, 2)``: hyperparameters in labels."""
    return str(a) if a == b else '{}x{}'.format(a, b)


class OutputSizeWarning(UserWarning):
    """A convolution or pooling whose output size is not an integer.

    Without ``cover_all``, ``(size + 2p - dk) / s + 1`` may have a fraction:
    the output size is then its floor, as in Chainer, and the last input
    pixels are read by no window.  GoogLeNetBN's ``average_pooling_2d(h, 5,
    stride=3)`` on 14x14 relies on it.  :func:`conv_outsize_checked` reports
    it with this warning, and raises ``InvalidType`` under ``config.debug``.
    """


def conv_outsize_checked(func_name, h, w, kh, kw, sy, sx, ph, pw, cover_all=False,
                         dy=1, dx=1, has_cover_all=True):
    """``(OH, OW)`` after checking the geometry; raise ``InvalidType`` if it is wrong.

    Sizes and strides must be positive, and a kernel larger than the padded
    input (an empty output) is an error.  Without ``cover_all``, a stride
    that leaves real input pixels outside every window (the "non-integer
    output size" of the seeds' formula) gives the floor size, as in Chainer,
    with an :class:`OutputSizeWarning` that names the pixels left out; under
    ``config.debug`` it raises ``InvalidType`` instead.  Leftover *padding*
    is no news: ResNet's 3x3 stride-2 pad-1 layers on even sizes drop only a
    padded row, as in Chainer and PyTorch; a kernel smaller than its stride
    skips pixels anyway, so it may skip the last ones too.
    ``has_cover_all=False`` (average pooling) leaves cover_all out of the advice.
    """
    type_check.expect_positive(func_name, 'ksize', (kh, kw))
    type_check.expect_positive(func_name, 'stride', (sy, sx))
    type_check.expect_nonnegative(func_name, 'pad', (ph, pw))
    type_check.expect_positive(func_name, 'dilate', (dy, dx))
    outs, left_out = [], []
    for axis, size, k, s, p, d in (('height', h, kh, sy, ph, dy), ('width', w, kw, sx, pw, dx)):
        dk = get_dilated_ksize(k, d)
        # cover_all pads the bottom/right as far as the last window needs, so a
        # kernel wider than the input still gives a window (Chainer's LeNet5
        # pools a 1x1 map by 2x2 that way); without it there is none.
        if size + 2 * p < dk and not (cover_all and get_conv_outsize(size, k, s, p, True, d) >= 1):
            raise type_check.InvalidType(
                func_name, 'kernel {} <= padded input {} ({} + 2 * pad {})'.format(
                    axis, size + 2 * p, size, p),
                'kernel {} {} (ksize {}, dilate {})'.format(axis, dk, k, d))
        out = get_conv_outsize(size, k, s, p, cover_all, d)
        last = get_windows_extent(out, k, s, d)
        # A kernel smaller than its stride skips pixels between windows by
        # design (ResNet's 1x1 stride-2 shortcut); dropping the last is no news.
        if not cover_all and last < size + p and dk >= s:
            left_out.append((axis, size, p, dk, s, out, size + p - last))
        outs.append(out)
    for axis, size, p, dk, s, out, n_left in left_out:
        formula = '({} + 2*{} - {}) / {} + 1'.format(size, p, dk, s)
        value = (size + 2 * p - dk) / s + 1
        if config.debug:
            raise type_check.InvalidType(
                func_name, 'an integer output {} ({}){}'.format(
                    axis, formula, ', or cover_all=True' if has_cover_all else
                    ': change pad or stride'),
                '{} = {:g}: the last {} input pixels would be dropped'.format(
                    formula, value, n_left))
        warnings.warn(OutputSizeWarning(
            '{}: output {} {} = {:g} is not an integer, so it is {} (as in Chainer) and the '
            'last {} input pixels along the {} are left out; {}another pad or stride uses '
            'them, and config.debug makes this an error'.format(
                func_name, axis, formula, value, out, n_left, axis,
                'cover_all=True or ' if has_cover_all else '')),
            stacklevel=_caller_stacklevel())
    return tuple(outs)


def _caller_stacklevel():
    """The ``stacklevel`` of the first frame outside minigrad: the user's call."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _padded(img, ph, pw, extra_h, extra_w, pval):
    """``img`` padded by ``ph``/``pw`` on each side plus ``extra`` at the bottom/right."""
    if ph == pw == extra_h == extra_w == 0:
        return img
    n, c, h, w = img.shape
    out = numpy.empty((n, c, h + 2 * ph + extra_h, w + 2 * pw + extra_w), dtype=img.dtype)
    # Fill only the border, then copy the image once (numpy.pad makes more passes).
    out[:, :, :ph] = pval
    out[:, :, ph + h:] = pval
    out[:, :, ph:ph + h, :pw] = pval
    out[:, :, ph:ph + h, pw + w:] = pval
    out[:, :, ph:ph + h, pw:pw + w] = img
    return out


def im2col_view(img, kh, kw, sy, sx, ph, pw, pval=0, cover_all=False, dy=1, dx=1):
    """The windows of ``img`` as a strided view, no copy of the windows.

    Args:
        img: array of shape ``(N, C, H, W)``.

    Returns:
        A read-only view of shape ``(N, C, KH, KW, OH, OW)`` whose element
        ``[n, c, i, j, y, x]`` is the padded image at
        ``(n, c, y*SY + i*DY, x*SX + j*DX)``.  It shares memory with ``img``
        (or with its padded copy, when there is padding).
    """
    n, c, h, w = img.shape
    oh = get_conv_outsize(h, kh, sy, ph, cover_all, dy)
    ow = get_conv_outsize(w, kw, sx, pw, cover_all, dx)
    # Extra rows/columns at the bottom/right for the windows cover_all adds.
    extra_h = max(0, get_windows_extent(oh, kh, sy, dy) - (h + 2 * ph))
    extra_w = max(0, get_windows_extent(ow, kw, sx, dx) - (w + 2 * pw))
    padded = _padded(img, ph, pw, extra_h, extra_w, pval)
    st_n, st_c, st_h, st_w = padded.strides
    return as_strided(padded, shape=(n, c, kh, kw, oh, ow),
                      strides=(st_n, st_c, st_h * dy, st_w * dx, st_h * sy, st_w * sx),
                      writeable=False)


def im2col(img, kh, kw, sy, sx, ph, pw, pval=0, cover_all=False, dy=1, dx=1):
    """Copy every window of ``img`` into columns (Chainer's ``im2col_cpu``).

    Args:
        img: array of shape ``(N, C, H, W)``.
        kh, kw: kernel size. sy, sx: stride. ph, pw: padding (filled with
        ``pval``). cover_all: see the module docstring. dy, dx: dilation.

    Returns:
        A new array of shape ``(N, C, KH, KW, OH, OW)``: ``col[n, c, i, j, y, x]``
        is the padded input at ``(y*SY + i*DY, x*SX + j*DX)``.

    >>> x = numpy.arange(16.).reshape(1, 1, 4, 4)
    >>> im2col(x, 2, 2, 2, 2, 0, 0)[0, 0, :, :, 0, 0]      # the top-left window
    array([[0., 1.],
           [4., 5.]])
    """
    return im2col_view(img, kh, kw, sy, sx, ph, pw, pval, cover_all, dy, dx).copy()


def col2im(col, sy, sx, ph, pw, h, w, dy=1, dx=1, out=None):
    """Add the columns back into an image: the adjoint of :func:`im2col`.

    ``img[n, c, y*SY + i*DY - PH, x*SX + j*DX - PW] += col[n, c, i, j, y, x]``
    for every window position; values that fall into the padding are dropped.
    Overlapping windows *add*, which is what makes this the gradient of
    ``im2col`` (it is not an inverse).

    Args:
        col: array of shape ``(N, C, KH, KW, OH, OW)``, any strides.
        sy, sx, ph, pw, dy, dx: the stride, padding and dilation im2col used.
        h, w: height and width of the unpadded image.
        out: optional array ``(N, C, H, W)`` to add into (instead of zeros).

    Returns:
        The image, shape ``(N, C, H, W)``.
    """
    # A deconvolution's col is a product laid out (C, KH, KW, N, OH, OW).
    col_t = col.transpose(1, 2, 3, 0, 4, 5)
    if out is None and numba_kernels.should_use_numba(col_t):
        from minigrad.backends.numba_kernels import conv
        img = numpy.zeros(col.shape[:2] + (h, w), dtype=col.dtype)
        conv.col2im_add(col_t, sy, sx, ph, pw, dy, dx, img)
        return img
    return col2im_by_offset(lambda i, j: col[:, :, i, j], col.shape, col.dtype,
                            sy, sx, ph, pw, h, w, dy, dx, out)


def col2im_by_offset(col_at, col_shape, dtype, sy, sx, ph, pw, h, w, dy=1, dx=1, out=None):
    """:func:`col2im` of a col given one kernel offset at a time.

    ``col_at(i, j)`` returns ``col[:, :, i, j]``, of shape ``(N, C, OH, OW)``.
    Each slice is added at once, so ``col_at`` may fill and return the same
    buffer every time: a caller whose col is mostly zeros (max pooling's
    gradient, one nonzero per window) never builds the ``KH*KW`` times larger
    col.  This is the one scatter of the library; :func:`col2im` calls it.

    Args:
        col_at: ``(i, j) -> array (N, C, OH, OW)``.
        col_shape: ``(N, C, KH, KW, OH, OW)``. dtype: the image's dtype.
        The others: as :func:`col2im`.

    Returns:
        The image, shape ``(N, C, H, W)`` (``out`` when given).
    """
    n, c, kh, kw, oh, ow = col_shape
    # The padded canvas must hold every window, including cover_all's extra ones.
    hp = max(h + 2 * ph, get_windows_extent(oh, kh, sy, dy))
    wp = max(w + 2 * pw, get_windows_extent(ow, kw, sx, dx))
    if ph == pw == 0 and hp == h and wp == w and out is not None:
        canvas = out
    else:
        canvas = numpy.zeros((n, c, hp, wp), dtype=dtype)
    # One strided add per kernel offset: the loop is over KH*KW, never pixels.
    for i in range(kh):
        y0 = i * dy
        for j in range(kw):
            x0 = j * dx
            canvas[:, :, y0:y0 + sy * oh:sy, x0:x0 + sx * ow:sx] += col_at(i, j)
    if canvas is out:
        return out
    img = canvas[:, :, ph:ph + h, pw:pw + w]
    if out is not None:
        out += img
        return out
    return img if img.base is None else numpy.ascontiguousarray(img)
