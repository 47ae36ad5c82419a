"""The shared geometry (minigrad/utils/conv.py): output sizes, im2col, col2im.

References are written here with explicit loops over window positions, not
with the formulas under test.
"""
import itertools
import warnings

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad.type_check import InvalidType
from minigrad.utils.conv import (
    OutputSizeWarning, col2im, conv_outsize_checked, get_conv_outsize, get_deconv_outsize, im2col,
    im2col_view)
from tests.windows import windows_by_sliding


# ---------------------------------------------------------------------------
# Independent references

def padded_by_loops(img, ph, pw, pval, extra):
    """``img`` padded by ph/pw with pval, plus ``extra`` rows/columns at the bottom/right."""
    n, c, h, w = img.shape
    out = numpy.full((n, c, h + 2 * ph + extra, w + 2 * pw + extra), pval, dtype=img.dtype)
    for a in range(h):
        for b in range(w):
            out[:, :, ph + a, pw + b] = img[:, :, a, b]
    return out


def im2col_by_loops(img, kh, kw, sy, sx, ph, pw, pval=0, cover_all=False, dy=1, dx=1):
    n, c, h, w = img.shape
    ys = windows_by_sliding(h, kh, sy, ph, cover_all, dy)
    xs = windows_by_sliding(w, kw, sx, pw, cover_all, dx)
    padded = padded_by_loops(img, ph, pw, pval, extra=max(sy, sx) + max(kh * dy, kw * dx))
    col = numpy.empty((n, c, kh, kw, len(ys), len(xs)), dtype=img.dtype)
    for b in range(n):
        for ch in range(c):
            for i in range(kh):
                for j in range(kw):
                    for oy, y0 in enumerate(ys):
                        for ox, x0 in enumerate(xs):
                            col[b, ch, i, j, oy, ox] = padded[b, ch, y0 + i * dy, x0 + j * dx]
    return col


def col2im_by_loops(col, sy, sx, ph, pw, h, w, dy=1, dx=1):
    n, c, kh, kw, oh, ow = col.shape
    img = numpy.zeros((n, c, h, w), dtype=col.dtype)
    for b in range(n):
        for ch in range(c):
            for i in range(kh):
                for j in range(kw):
                    for oy in range(oh):
                        for ox in range(ow):
                            y = oy * sy + i * dy - ph
                            x = ox * sx + j * dx - pw
                            if 0 <= y < h and 0 <= x < w:    # the padding is dropped
                                img[b, ch, y, x] += col[b, ch, i, j, oy, ox]
    return img


# ---------------------------------------------------------------------------
# Output sizes

OUTSIZE_GRID = [
    (size, k, s, p, d, cover_all)
    for size, k, s, p, d, cover_all in itertools.product(
        [1, 2, 5, 6, 7, 13], [1, 2, 3], [1, 2, 3], [0, 1, 2], [1, 2], [False, True])
    if size + 2 * p >= (k - 1) * d + 1      # at least one window fits
]


@pytest.mark.parametrize('size, k, s, p, d, cover_all', OUTSIZE_GRID)
def test_get_conv_outsize_counts_sliding_windows(size, k, s, p, d, cover_all):
    expected = len(windows_by_sliding(size, k, s, p, cover_all, d))
    assert get_conv_outsize(size, k, s, p, cover_all=cover_all, d=d) == expected


def test_seed_formulas():
    # (H + 2P - FH) / S + 1, the blog posts' formula
    assert get_conv_outsize(6, 2, 1, 1) == 7                  # 6x6, 2x2 filter, stride 1, pad 1
    assert get_conv_outsize(4, 3, 1, 1) == 4                  # "same" padding
    assert get_conv_outsize(227, 11, 4, 0) == 55              # AlexNet conv1
    assert get_conv_outsize(27, 5, 1, 2) == 27                # AlexNet conv2
    sizes = [55]
    for _ in range(3):                                        # three 3x3 stride-2 max poolings
        sizes.append(get_conv_outsize(sizes[-1], 3, 2, 0, cover_all=True))
    assert sizes == [55, 27, 13, 6]
    assert 256 * sizes[-1] * sizes[-1] == 9216                # fc6's input size


def test_cover_all_by_hand():
    # 7 pixels, windows of 2 with stride 2: 0-1, 2-3, 4-5, and cover_all adds 6-7
    assert get_conv_outsize(7, 2, 2, 0) == 3
    assert get_conv_outsize(7, 2, 2, 0, cover_all=True) == 4
    # dilation 2 turns a 3-tap kernel into a span of 5
    assert get_conv_outsize(7, 3, 1, 0, d=2) == 3


@pytest.mark.parametrize('size, k, s, p, d, cover_all', [
    (size, k, s, p, d, cover_all)
    for size, k, s, p, d, cover_all in itertools.product(
        [1, 2, 3, 5, 6], [1, 2, 3, 4], [1, 2, 3], [0, 1], [1, 2], [False, True])
    # With cover_all a 1-pixel output comes from any image no wider than the
    # kernel; Chainer's formula may then answer s - 1 less (even 0), so that
    # corner is left out, as in Chainer.
    if not (cover_all and size == 1)])
def test_get_deconv_outsize_is_the_smallest_size_convolved_back(size, k, s, p, d, cover_all):
    """A transposed convolution gives the smallest image its convolution maps back to ``size``."""
    span = (k - 1) * d + 1
    candidates = [out for out in range(1, s * size + span + 1)
                  if out + 2 * p >= span
                  and len(windows_by_sliding(out, k, s, p, cover_all, d)) == size]
    got = get_deconv_outsize(size, k, s, p, cover_all=cover_all, d=d)
    if got >= 1:
        assert got == min(candidates)
    else:       # only when the padding alone is as wide as the kernel
        assert 2 * p >= span


def test_get_deconv_outsize_by_hand():
    assert get_deconv_outsize(3, 3, 2, 1) == 5       # the transpose of 5 -> 3
    assert get_deconv_outsize(55, 11, 4, 0) == 227   # the transpose of AlexNet's conv1
    assert get_deconv_outsize(4, 2, 2, 0, cover_all=True) == 7


# ---------------------------------------------------------------------------
# conv_outsize_checked

def test_conv_outsize_checked_accepts_valid_geometry():
    assert conv_outsize_checked('Conv', 227, 227, 11, 11, 4, 4, 0, 0) == (55, 55)
    assert conv_outsize_checked('Conv', 6, 6, 2, 2, 1, 1, 1, 1) == (7, 7)
    assert conv_outsize_checked('Conv', 7, 8, 2, 2, 2, 2, 0, 0, cover_all=True) == (4, 4)
    # a leftover *padded* row is fine (ResNet's 3x3 stride-2 pad-1 on even sizes)
    assert conv_outsize_checked('Conv', 8, 8, 3, 3, 2, 2, 1, 1) == (4, 4)


def test_conv_outsize_checked_warns_of_dropped_pixels_and_floors():
    # Chainer's size: the floor of (7 - 2) / 2 + 1 = 3.5, the last row left out
    with pytest.warns(OutputSizeWarning) as record:
        assert conv_outsize_checked('MyConv', 7, 8, 2, 2, 2, 2, 0, 0) == (3, 4)
    assert len(record) == 1
    msg = str(record[0].message)
    assert msg.startswith('MyConv: output height (7 + 2*0 - 2) / 2 + 1 = 3.5 is not an integer, '
                          'so it is 3')
    assert 'the last 1 input pixels along the height are left out' in msg
    assert 'cover_all=True or another pad or stride uses them' in msg
    assert 'config.debug makes this an error' in msg
    assert issubclass(OutputSizeWarning, UserWarning)
    assert record[0].filename == __file__     # points at the caller, not at minigrad
    with pytest.warns(OutputSizeWarning, match=r'MyConv: output width \(8 \+ 2\*0 - 3\) / 2 '
                                               r'\+ 1 = 3\.5 .* so it is 3 .*the last 1 input'):
        assert conv_outsize_checked('MyConv', 7, 8, 1, 3, 1, 2, 0, 0) == (7, 3)


def test_conv_outsize_checked_refuses_dropped_pixels_under_debug():
    with minigrad.using_config('debug', True), pytest.raises(InvalidType) as info:
        conv_outsize_checked('MyConv', 7, 8, 2, 2, 2, 2, 0, 0)
    msg = str(info.value)
    assert msg.startswith('Invalid operation in MyConv: expect an integer output height')
    assert 'cover_all=True' in msg
    assert '(7 + 2*0 - 2) / 2 + 1 = 3.5' in msg
    assert 'the last 1 input pixels would be dropped' in msg
    with minigrad.using_config('debug', True), \
            pytest.raises(InvalidType, match=r'MyConv: expect an integer output width .*'
                                             r'actual \(8 \+ 2\*0 - 3\) / 2 \+ 1 = 3\.5'):
        conv_outsize_checked('MyConv', 7, 8, 1, 3, 1, 2, 0, 0)


def test_conv_outsize_checked_without_cover_all_advice():
    with pytest.warns(OutputSizeWarning) as record:
        conv_outsize_checked('AveragePooling2D', 7, 7, 2, 2, 2, 2, 0, 0, has_cover_all=False)
    assert all('cover_all' not in str(r.message) for r in record)
    assert 'another pad or stride uses them' in str(record[0].message)
    with minigrad.using_config('debug', True), pytest.raises(InvalidType) as info:
        conv_outsize_checked('AveragePooling2D', 7, 7, 2, 2, 2, 2, 0, 0, has_cover_all=False)
    assert 'cover_all' not in str(info.value)
    assert 'change pad or stride' in str(info.value)


def test_conv_outsize_checked_is_quiet_without_dropped_pixels():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        # cover_all, a leftover padded row, and a kernel smaller than its stride
        assert conv_outsize_checked('Conv', 7, 8, 2, 2, 2, 2, 0, 0, cover_all=True) == (4, 4)
        assert conv_outsize_checked('Conv', 8, 8, 3, 3, 2, 2, 1, 1) == (4, 4)
        assert conv_outsize_checked('Conv', 8, 8, 1, 1, 2, 2, 0, 0) == (4, 4)


def test_conv_outsize_checked_refuses_kernel_larger_than_padded_input():
    with pytest.raises(InvalidType, match=r'^Invalid operation in MyConv: expect kernel height <= '
                                          r'padded input 5 \(3 \+ 2 \* pad 1\), actual kernel '
                                          r'height 7 \(ksize 4, dilate 2\)$'):
        conv_outsize_checked('MyConv', 3, 9, 4, 2, 1, 1, 1, 1, dy=2)
    with pytest.raises(InvalidType, match=r'expect kernel width <= padded input 2 '
                                          r'\(2 \+ 2 \* pad 0\), actual kernel width 3'):
        conv_outsize_checked('MyConv', 5, 2, 1, 3, 1, 1, 0, 0, cover_all=True)


@pytest.mark.parametrize('args, expect, actual', [
    ((5, 5, 0, 2, 1, 1, 0, 0), 'ksize > 0', 'ksize == (0, 2)'),
    ((5, 5, 2, -1, 1, 1, 0, 0), 'ksize > 0', 'ksize == (2, -1)'),
    ((5, 5, 2, 2, 0, 1, 0, 0), 'stride > 0', 'stride == (0, 1)'),
    ((5, 5, 2, 2, 1, -2, 0, 0), 'stride > 0', 'stride == (1, -2)'),
    ((5, 5, 2, 2, 1, 1, -1, 0), 'pad >= 0', 'pad == (-1, 0)'),
])
def test_conv_outsize_checked_refuses_bad_numbers(args, expect, actual):
    with pytest.raises(InvalidType) as info:
        conv_outsize_checked('MyConv', *args, cover_all=True)
    assert str(info.value) == 'Invalid operation in MyConv: expect {}, actual {}'.format(
        expect, actual)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


def test_conv_outsize_checked_refuses_zero_dilation():
    with pytest.raises(InvalidType, match=r'MyConv: expect dilate > 0, actual dilate == \(0, 1\)'):
        conv_outsize_checked('MyConv', 5, 5, 2, 2, 1, 1, 0, 0, dy=0, dx=1)


# ---------------------------------------------------------------------------
# im2col, im2col_view, col2im

GEOMETRIES = [
    # kh, kw, sy, sx, ph, pw, cover_all, dy, dx
    (2, 2, 1, 1, 0, 0, False, 1, 1),
    (3, 2, 2, 1, 1, 0, False, 1, 1),
    (2, 3, 2, 3, 1, 2, True, 1, 1),
    (3, 3, 3, 2, 2, 1, True, 1, 1),
    (2, 3, 1, 2, 0, 1, False, 2, 1),
    (3, 2, 2, 2, 1, 1, True, 2, 2),
    (1, 1, 3, 3, 0, 0, True, 1, 1),
    (2, 2, 2, 2, 0, 0, True, 2, 2),
]


@pytest.mark.parametrize('geometry', GEOMETRIES)
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_im2col_matches_loops(geometry, dtype):
    kh, kw, sy, sx, ph, pw, cover_all, dy, dx = geometry
    img = numpy.random.RandomState(0).uniform(-1, 1, (2, 3, 5, 6)).astype(dtype)
    col = im2col(img, kh, kw, sy, sx, ph, pw, cover_all=cover_all, dy=dy, dx=dx)
    expected = im2col_by_loops(img, kh, kw, sy, sx, ph, pw, 0, cover_all, dy, dx)
    assert col.dtype == dtype
    assert col.shape == expected.shape
    numpy.testing.assert_array_equal(col, expected)
    assert col.flags.writeable and col.flags.c_contiguous


def test_im2col_by_hand():
    x = numpy.arange(16.0).reshape(1, 1, 4, 4)
    col = im2col(x, 2, 2, 2, 2, 0, 0)
    assert col.shape == (1, 1, 2, 2, 2, 2)
    numpy.testing.assert_array_equal(col[0, 0, :, :, 0, 0], [[0, 1], [4, 5]])
    numpy.testing.assert_array_equal(col[0, 0, :, :, 1, 1], [[10, 11], [14, 15]])
    # offset (0, 1) of every window: x[y*2, x*2 + 1]
    numpy.testing.assert_array_equal(col[0, 0, 0, 1], [[1, 3], [9, 11]])


@pytest.mark.parametrize('pval', [0, -numpy.inf, 7.5])
def test_im2col_pad_value(pval):
    img = numpy.random.RandomState(1).uniform(-1, 1, (1, 2, 3, 4))
    col = im2col(img, 3, 3, 2, 2, 1, 1, pval=pval, cover_all=True)
    numpy.testing.assert_array_equal(
        col, im2col_by_loops(img, 3, 3, 2, 2, 1, 1, pval, True))
    assert col[0, 0, 0, 0, 0, 0] == pval      # the top-left corner is padding


@pytest.mark.parametrize('geometry', GEOMETRIES)
def test_im2col_view_is_a_read_only_view(geometry):
    kh, kw, sy, sx, ph, pw, cover_all, dy, dx = geometry
    img = numpy.random.RandomState(2).uniform(-1, 1, (2, 3, 5, 6))
    view = im2col_view(img, kh, kw, sy, sx, ph, pw, cover_all=cover_all, dy=dy, dx=dx)
    numpy.testing.assert_array_equal(
        view, im2col_by_loops(img, kh, kw, sy, sx, ph, pw, 0, cover_all, dy, dx))
    assert not view.flags.writeable
    with pytest.raises(ValueError):
        view[0, 0, 0, 0, 0, 0] = 1.0
    last_y = windows_by_sliding(5, kh, sy, ph, cover_all, dy)[-1] + (kh - 1) * dy + 1
    last_x = windows_by_sliding(6, kw, sx, pw, cover_all, dx)[-1] + (kw - 1) * dx + 1
    if ph == pw == 0 and last_y <= 5 and last_x <= 6:
        # no padding at all: the windows are img's own memory, not a copy
        assert numpy.shares_memory(view, img)


@pytest.mark.parametrize('geometry', GEOMETRIES)
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_col2im_matches_loops(geometry, dtype):
    kh, kw, sy, sx, ph, pw, cover_all, dy, dx = geometry
    h, w = 5, 6
    oh = len(windows_by_sliding(h, kh, sy, ph, cover_all, dy))
    ow = len(windows_by_sliding(w, kw, sx, pw, cover_all, dx))
    col = numpy.random.RandomState(3).uniform(-1, 1, (2, 3, kh, kw, oh, ow)).astype(dtype)
    img = col2im(col, sy, sx, ph, pw, h, w, dy, dx)
    assert img.dtype == dtype
    assert img.shape == (2, 3, h, w)
    tol = 1e-6 if dtype == numpy.float32 else 1e-13
    numpy.testing.assert_allclose(img, col2im_by_loops(col, sy, sx, ph, pw, h, w, dy, dx),
                                  rtol=tol, atol=tol)


def test_col2im_adds_overlapping_windows_by_hand():
    # 3 pixels, windows of 2 with stride 1: the middle pixel is in both windows
    col = numpy.ones((1, 1, 1, 2, 1, 2))
    img = col2im(col, 1, 1, 0, 0, 1, 3)
    numpy.testing.assert_array_equal(img, [[[[1, 2, 1]]]])
    # the same with padding 1 on each side: windows at -1..0, 0..1, 1..2, 2..3
    col = numpy.arange(1.0, 9.0).reshape(1, 1, 1, 2, 1, 4)    # [[1,2,3,4],[5,6,7,8]] by offset
    img = col2im(col, 1, 1, 0, 1, 1, 3)
    # pixel 0: offset 1 of window 0 (5) + offset 0 of window 1 (2), and so on
    numpy.testing.assert_array_equal(img, [[[[5 + 2, 6 + 3, 7 + 4]]]])


@pytest.mark.parametrize('with_pad', [False, True])
def test_col2im_adds_into_out(with_pad):
    p = 1 if with_pad else 0
    rng = numpy.random.RandomState(4)
    col = rng.uniform(-1, 1, (2, 2, 2, 2, 4 + 2 * p - 1, 5 + 2 * p - 1))
    base = rng.uniform(-1, 1, (2, 2, 4, 5))
    out = base.copy()
    img = col2im(col, 1, 1, p, p, 4, 5, out=out)
    assert img is out
    numpy.testing.assert_allclose(out, base + col2im_by_loops(col, 1, 1, p, p, 4, 5), atol=1e-13)


ADJOINT_GRID = list(itertools.product(
    [(2, 2), (3, 2)],          # kh, kw
    [(1, 1), (2, 3)],          # sy, sx
    [(0, 0), (1, 2)],          # ph, pw
    [(1, 1), (2, 1)],          # dy, dx
    [False, True],             # cover_all
))


@pytest.mark.parametrize('k, s, p, d, cover_all', ADJOINT_GRID)
def test_col2im_is_the_adjoint_of_im2col(k, s, p, d, cover_all):
    """<im2col(x), c> == <x, col2im(c)>: col2im is the transpose of im2col, not its inverse."""
    (kh, kw), (sy, sx), (ph, pw), (dy, dx) = k, s, p, d
    h, w = 6, 7
    rng = numpy.random.RandomState(5)
    x = rng.standard_normal((2, 3, h, w))
    col_x = im2col(x, kh, kw, sy, sx, ph, pw, cover_all=cover_all, dy=dy, dx=dx)
    c = rng.standard_normal(col_x.shape)
    lhs = numpy.sum(col_x * c)
    rhs = numpy.sum(x * col2im(c, sy, sx, ph, pw, h, w, dy, dx))
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


def test_col2im_is_not_the_inverse():
    x = numpy.ones((1, 1, 3, 3))
    back = col2im(im2col(x, 2, 2, 1, 1, 0, 0), 1, 1, 0, 0, 3, 3)
    # each pixel comes back once per window that holds it
    numpy.testing.assert_array_equal(back[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


# ---------------------------------------------------------------------------
# Chainer's examples: the sizes Chainer gives them

def test_chainer_example_geometries_get_chainer_sizes():
    with warnings.catch_warnings():
        warnings.simplefilter('error', OutputSizeWarning)
        # The LeNet5 of Chainer's CNN guide on 28x28 MNIST: stride-1 convolutions
        # and 2x2 max pooling (cover_all) are exact.
        h = numpy.zeros((1, 1, 28, 28), numpy.float32)
        for k, c_out in ((5, 6), (5, 16), (4, 120)):
            h = F.convolution_2d(h, numpy.zeros((c_out, h.shape[1], k, k), numpy.float32))
            if k == 5:
                h = F.max_pooling_2d(h, 2, 2)
        assert h.shape == (1, 120, 1, 1)
        # GoogLeNetBN's auxiliary average pooling on 14x14: (14 - 5) / 3 + 1 = 4, exact.
        assert F.average_pooling_2d(numpy.zeros((1, 1, 14, 14)), 5, stride=3).shape == (1, 1, 4, 4)
    # The same pooling on 15x15 (or a LeNet-style 2x2 average pooling of 5x5)
    # is not exact: Chainer's floor size, with a warning; an error under debug.
    for size, k, s, out in ((15, 5, 3, 4), (5, 2, 2, 2)):
        x = numpy.zeros((1, 1, size, size))
        match = 'AveragePooling2D: output (height|width) .* so it is {} .*left out'.format(out)
        with pytest.warns(OutputSizeWarning, match=match):
            assert F.average_pooling_2d(x, k, stride=s).shape == (1, 1, out, out)
        with minigrad.using_config('debug', True), \
                pytest.raises(InvalidType, match='AveragePooling2D: expect an integer output'):
            F.average_pooling_2d(x, k, stride=s)
