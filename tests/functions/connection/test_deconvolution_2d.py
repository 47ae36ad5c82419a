"""F.deconvolution_2d (minigrad/functions/connection/deconvolution_2d.py)."""
import itertools

import numpy
import pytest

import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType
from tests.windows import windows_by_sliding


# ---------------------------------------------------------------------------
# Independent references

def conv_size_by_sliding(size, k, s, p, cover_all):
    """How many windows of ``k`` with stride ``s`` a padded input of ``size`` holds."""
    if size + 2 * p < k:
        return None
    return len(windows_by_sliding(size, k, s, p, cover_all))


def consistent_outsizes(h, k, s, p):
    """Output sizes whose convolution (with or without cover_all) comes back to ``h``."""
    return [out for out in range(1, s * (h + 2) + k)
            if h in (conv_size_by_sliding(out, k, s, p, False),
                     conv_size_by_sliding(out, k, s, p, True))]


def deconv_by_loops(x, W, b, stride, pad, outsize=None):
    """Scatter: every input pixel adds ``x[n, c, i, j] * W[c]`` at ``(i*SY - PH, j*SX - PW)``."""
    (sy, sx), (ph, pw) = [v if isinstance(v, tuple) else (v, v) for v in (stride, pad)]
    n, c_in, h, w = x.shape
    _, c_out, kh, kw = W.shape
    if outsize is None:
        outsize = (sy * (h - 1) + kh - 2 * ph, sx * (w - 1) + kw - 2 * pw)
    oh, ow = outsize
    canvas = numpy.zeros((n, c_out, max(oh + 2 * ph, (h - 1) * sy + kh),
                          max(ow + 2 * pw, (w - 1) * sx + kw)))
    for b_ in range(n):
        for c in range(c_in):
            for i in range(h):
                for j in range(w):
                    canvas[b_, :, i * sy:i * sy + kh, j * sx:j * sx + kw] += x[b_, c, i, j] * W[c]
    y = canvas[:, :, ph:ph + oh, pw:pw + ow]
    if b is not None:
        y = y + b[None, :, None, None]
    return y


def _data(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


# ---------------------------------------------------------------------------
# Backward against numerical gradients

X_SHAPE = (2, 2, 3, 4)          # a non-square input
W_SHAPE = (2, 3, 3, 2)          # C_in=2 -> C_out=3, a non-square kernel


def _outsize(kind, stride, pad):
    """None (the default), or the smallest/largest size consistent with the input."""
    if kind is None:
        return None
    sizes = [consistent_outsizes(X_SHAPE[2 + a], W_SHAPE[2 + a], stride, pad) for a in (0, 1)]
    return tuple(min(s) if kind == 'smallest' else max(s) for s in sizes)


@pytest.mark.parametrize('stride, pad, outsize_kind, use_bias', list(itertools.product(
    [1, 2, 3], [0, 1], [None, 'smallest', 'largest'], [False, True])))
def test_backward_grid(stride, pad, outsize_kind, use_bias):
    x, W = _data(X_SHAPE, 0), _data(W_SHAPE, 1)
    b = _data((W_SHAPE[1],), 2) if use_bias else None
    outsize = _outsize(outsize_kind, stride, pad)
    inputs = (x, W) if b is None else (x, W, b)

    def f(*args):
        return F.deconvolution_2d(*args, stride=stride, pad=pad, outsize=outsize)

    y = f(*inputs)
    expected = deconv_by_loops(x, W, b, stride, pad, outsize)
    assert y.shape == expected.shape
    numpy.testing.assert_allclose(y.data, expected, atol=1e-12)
    gradient_check.check_backward(f, inputs, _data(y.shape, 3), dtype=numpy.float64,
                                  atol=1e-7, rtol=1e-6)


def test_outsize_grid_covers_cover_all_sizes():
    # with stride 3 an input of 3 comes from several output sizes, some only via cover_all
    assert _outsize('smallest', 3, 1) != _outsize('largest', 3, 1)
    assert consistent_outsizes(3, 3, 2, 1) == [4, 5, 6]


@pytest.mark.parametrize('stride, pad', [((1, 2), (0, 1)), ((3, 2), (1, 0))])
def test_backward_with_pairs(stride, pad):
    x, W, b = _data((1, 2, 4, 3), 4), _data((2, 2, 2, 3), 5), _data((2,), 6)

    def f(*args):
        return F.deconvolution_2d(*args, stride=stride, pad=pad)

    y = f(x, W, b)
    numpy.testing.assert_allclose(y.data, deconv_by_loops(x, W, b, stride, pad), atol=1e-12)
    gradient_check.check_backward(f, (x, W, b), _data(y.shape, 7), dtype=numpy.float64,
                                  atol=1e-7, rtol=1e-6)


# ---------------------------------------------------------------------------
# Forward

@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('stride, pad, outsize', [
    (1, 0, None), (2, 1, None), (2, 1, (6, 8)), (3, 0, (7, 10)), (4, 0, None)])
def test_forward_matches_scatter_loops(dtype, stride, pad, outsize):
    x = _data((3, 4, 3, 4), 8).astype(dtype)
    W = _data((4, 2, 3, 3), 9).astype(dtype)
    b = _data((2,), 10).astype(dtype)
    y = F.deconvolution_2d(x, W, b, stride=stride, pad=pad, outsize=outsize)
    assert y.dtype == dtype
    expected = deconv_by_loops(x.astype(numpy.float64), W.astype(numpy.float64),
                               b.astype(numpy.float64), stride, pad, outsize)
    tol = 1e-5 if dtype == numpy.float32 else 1e-12
    numpy.testing.assert_allclose(y.data, expected, rtol=tol, atol=tol)


def test_by_hand():
    # two pixels 1 and 2 scatter a 1x2 kernel [10, 1] with stride 1: [10, 1 + 20, 2]
    x = numpy.array([[[[1.0, 2.0]]]])
    W = numpy.array([[[[10.0, 1.0]]]])
    numpy.testing.assert_array_equal(F.deconvolution_2d(x, W).data, [[[[10, 21, 2]]]])
    # stride 2 leaves a gap the kernel does not reach: [10, 1, 20, 2]
    numpy.testing.assert_array_equal(F.deconvolution_2d(x, W, stride=(1, 2)).data,
                                     [[[[10, 1, 20, 2]]]])


@pytest.mark.parametrize('stride, pad, cover_all', [(1, 0, False), (2, 1, False), (3, 1, True)])
def test_is_the_transpose_of_convolution(stride, pad, cover_all):
    """<conv(x, W), y> == <x, deconv(y, W)> with the same filters."""
    x = _data((2, 3, 7, 6), 11)
    W = _data((4, 3, 3, 2), 12)      # convolution: 3 -> 4 channels; deconvolution: 4 -> 3
    conv = F.convolution_2d(x, W, stride=stride, pad=pad, cover_all=cover_all).data
    y = _data(conv.shape, 13)
    back = F.deconvolution_2d(y, W, stride=stride, pad=pad, outsize=x.shape[2:]).data
    assert back.shape == x.shape
    assert numpy.sum(conv * y) == pytest.approx(numpy.sum(x * back), rel=1e-12)


def test_alexnet_conv1_transposed():
    y = F.deconvolution_2d(numpy.zeros((1, 2, 55, 55), numpy.float32),
                           numpy.zeros((2, 3, 11, 11), numpy.float32), stride=4)
    assert y.shape == (1, 3, 227, 227)
    assert y.dtype == numpy.float32


def test_float32_in_float32_out_and_gradients():
    x = Variable(_data((2, 3, 4, 3), 14).astype(numpy.float32))
    W = Variable(_data((3, 2, 3, 3), 15).astype(numpy.float32))
    b = Variable(_data((2,), 16).astype(numpy.float32))
    y = F.deconvolution_2d(x, W, b, stride=2, pad=1, outsize=(8, 6))
    assert y.dtype == numpy.float32 and y.shape == (2, 2, 8, 6)
    F.sum(y * y).backward()
    for v in (x, W, b):
        assert v.grad.dtype == numpy.float32 and v.grad.shape == v.shape


# ---------------------------------------------------------------------------
# Label and memory

def test_label():
    y = F.deconvolution_2d(Variable(numpy.zeros((1, 2, 3, 3))), numpy.zeros((2, 1, 3, 2)),
                           stride=2, pad=1)
    assert y.creator.label == 'Deconvolution2D 3x2 s2 p1'


def test_label_shows_both_strides_and_pads():
    # as Convolution2D's label does: a (1, 2) stride must not read as "s1"
    y = F.deconvolution_2d(Variable(numpy.zeros((1, 2, 3, 3))), numpy.zeros((2, 1, 3, 2)),
                           stride=(1, 2), pad=(1, 0))
    assert y.creator.label == 'Deconvolution2D 3x2 s1x2 p1x0'


def test_frees_everything_after_backward():
    x = Variable(_data((1, 2, 3, 3), 17))
    W = Variable(_data((2, 2, 2, 2), 18))
    y = F.deconvolution_2d(x, W, stride=2)
    func = y.creator
    F.sum(y).backward()
    assert [k for k, v in vars(func).items() if isinstance(v, numpy.ndarray)] == []
    assert func.output_data is None


# ---------------------------------------------------------------------------
# Bad inputs

def _raises(match, *args, **kwargs):
    with pytest.raises(InvalidType, match=match) as info:
        F.deconvolution_2d(*args, **kwargs)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    assert str(info.value).startswith('Invalid operation in Deconvolution2D: expect ')


def test_wrong_ndim():
    _raises(r'expect x\.ndim == 4, actual x\.ndim == 2', numpy.zeros((2, 3)),
            numpy.zeros((3, 2, 2, 2)))
    _raises(r'expect W\.ndim == 4, actual W\.ndim == 3', numpy.zeros((1, 3, 4, 4)),
            numpy.zeros((3, 2, 2)))


def test_channel_mismatch():
    # deconvolution's W is (C_in, C_out, KH, KW): x's channels meet W.shape[0]
    _raises(r'expect x\.shape\[1\] == W\.shape\[0\], actual 3 != 2',
            numpy.zeros((1, 3, 4, 4)), numpy.zeros((2, 3, 2, 2)))


def test_dtypes():
    _raises(r'expect x\.dtype\.kind == "f", actual x\.dtype == int32',
            numpy.zeros((1, 2, 4, 4), numpy.int32), numpy.zeros((2, 3, 2, 2)))
    _raises(r'expect W\.dtype == x\.dtype, actual float32 != float64',
            numpy.zeros((1, 2, 4, 4)), numpy.zeros((2, 3, 2, 2), numpy.float32))


def test_bias_of_wrong_length():
    # the bias has one entry per output channel, W.shape[1]
    _raises(r'expect b\.shape\[0\] == output channels, actual 2 != 3',
            numpy.zeros((1, 2, 4, 4)), numpy.zeros((2, 3, 2, 2)), numpy.zeros(2))


def test_outsize_inconsistent_with_x():
    x, W = numpy.zeros((1, 1, 3, 3)), numpy.zeros((1, 1, 3, 3))
    # sizes 4, 5, 6 convolve back to 3 (k 3, s 2, p 1); 7 convolves to 4
    assert F.deconvolution_2d(x, W, stride=2, pad=1, outsize=(4, 6)).shape == (1, 1, 4, 6)
    _raises(r'expect x\.shape\[2\] == the convolution size of outsize 7 \(k 3, s 2, p 1\): 4, '
            r'actual x\.shape\[2\] == 3', x, W, stride=2, pad=1, outsize=(7, 5))
    _raises(r'expect x\.shape\[3\] == the convolution size of outsize 3 .*: 2, '
            r'actual x\.shape\[3\] == 3', x, W, stride=2, pad=1, outsize=(5, 3))


def test_empty_output():
    # a 1x1 kernel with pad 1 on one pixel: 1 + 0 - 2 = -1 output pixels
    _raises(r'expect outsize > 0, actual outsize == \(-1, -1\)',
            numpy.zeros((1, 1, 1, 1)), numpy.zeros((1, 1, 1, 1)), pad=1)
