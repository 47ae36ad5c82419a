"""F.deconvolution_2d (minigrad/functions/connection/deconvolution_2d.py)."""
import itertools

import numpy
import pytest

import minigrad
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


def deconv_by_loops(x, W, b, stride, pad, outsize=None, dilate=1, groups=1):
    """Scatter: every input pixel adds ``x[n, c, i, j] * W[c]`` at ``(i*SY - PH, j*SX - PW)``
    (the kernel's taps ``DY``/``DX`` apart) into the output channels of ``c``'s group."""
    (sy, sx), (ph, pw), (dy, dx) = [v if isinstance(v, tuple) else (v, v)
                                    for v in (stride, pad, dilate)]
    n, c_in, h, w = x.shape
    _, c_out_g, kh, kw = W.shape
    span_h, span_w = (kh - 1) * dy + 1, (kw - 1) * dx + 1
    if outsize is None:
        outsize = (sy * (h - 1) + span_h - 2 * ph, sx * (w - 1) + span_w - 2 * pw)
    oh, ow = outsize
    canvas = numpy.zeros((n, c_out_g * groups, max(oh + 2 * ph, (h - 1) * sy + span_h),
                          max(ow + 2 * pw, (w - 1) * sx + span_w)))
    in_per_group = c_in // groups
    for b_ in range(n):
        for c in range(c_in):
            g = c // in_per_group
            out = canvas[b_, g * c_out_g:(g + 1) * c_out_g]
            for i in range(h):
                for j in range(w):
                    out[:, i * sy:i * sy + span_h:dy, j * sx:j * sx + span_w:dx] += \
                        x[b_, c, i, j] * W[c]
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


@pytest.mark.parametrize('stride, pad, dilate, groups', [
    (1, 0, 2, 1), (2, 1, 1, 2), (3, 1, (2, 1), 2), ((1, 2), (0, 1), (1, 2), 1)])
@pytest.mark.parametrize('outsize_kind', [None, 'largest'])
def test_backward_with_dilate_and_groups(stride, pad, dilate, groups, outsize_kind):
    x = _data((2, 4, 3, 4), 20)
    W = _data((4, 2, 2, 3), 21)           # C_in=4 -> C_out = 2 * groups
    b = _data((2 * groups,), 22)
    outsize = None
    if outsize_kind == 'largest':
        (sy, sx), (ph, pw), (dy, dx) = [v if isinstance(v, tuple) else (v, v)
                                        for v in (stride, pad, dilate)]
        outsize = tuple(max(consistent_outsizes(x.shape[2 + a], k + (k - 1) * (d - 1), s, p))
                        for a, k, s, p, d in ((0, 2, sy, ph, dy), (1, 3, sx, pw, dx)))

    def f(*args):
        return F.deconvolution_2d(*args, stride=stride, pad=pad, outsize=outsize,
                                  dilate=dilate, groups=groups)

    y = f(x, W, b)
    numpy.testing.assert_allclose(y.data, deconv_by_loops(x, W, b, stride, pad, outsize,
                                                          dilate, groups), atol=1e-12)
    gradient_check.check_backward(f, (x, W, b), _data(y.shape, 23), dtype=numpy.float64,
                                  atol=1e-7, rtol=1e-6)
    ggs = (_data(x.shape, 24), _data(W.shape, 25), _data(b.shape, 26))
    gradient_check.check_double_backward(f, (x, W, b), _data(y.shape, 23), ggs,
                                         dtype=numpy.float64, atol=1e-7, rtol=1e-6)


# ---------------------------------------------------------------------------
# Second derivatives against numerical ones, over the same grid

@pytest.mark.parametrize('stride, pad, outsize_kind, use_bias', list(itertools.product(
    [1, 2, 3], [0, 1], [None, 'smallest', 'largest'], [False, True])))
def test_double_backward_grid(stride, pad, outsize_kind, use_bias):
    # one sample keeps the element-by-element numerical check short
    x, W = _data((1,) + X_SHAPE[1:], 30), _data(W_SHAPE, 31)
    b = _data((W_SHAPE[1],), 32) if use_bias else None
    outsize = _outsize(outsize_kind, stride, pad)
    inputs = (x, W) if b is None else (x, W, b)

    def f(*args):
        return F.deconvolution_2d(*args, stride=stride, pad=pad, outsize=outsize)

    gy = _data(f(*inputs).shape, 33)
    ggs = tuple(_data(a.shape, 34 + i) for i, a in enumerate(inputs))
    gradient_check.check_double_backward(f, inputs, gy, ggs, dtype=numpy.float64,
                                         atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize('x_shape, W_shape, outsize, dilate, cover_all', [
    # stride 2 and a 1x1 kernel: 1 <- 2 without cover_all, 2 <- 2 only with it
    ((2, 2, 1, 2), (2, 3, 1, 1), (2, 2), 1, (False, True)),
    ((2, 2, 2, 3), (2, 3, 1, 1), (2, 6), 1, (True, False)),
    # a 1x2 kernel dilated by 2 spans 3: 2 <- 4 with cover_all; the 1x1 height 2 <- 4 without
    ((2, 2, 2, 2), (2, 3, 1, 2), (4, 4), (1, 2), (False, True)),
])
def test_cover_all_along_one_axis_only(x_shape, W_shape, outsize, dilate, cover_all):
    # the convolution this deconvolution transposes needs cover_all's extra
    # window along one axis only; its gradients convolve with that geometry
    x, W, b = _data(x_shape, 60), _data(W_shape, 61), _data((3,), 62)

    def f(*args):
        return F.deconvolution_2d(*args, stride=2, outsize=outsize, dilate=dilate)

    assert f(Variable(x), W, b).creator.cover_all == cover_all
    y = f(x, W, b)
    numpy.testing.assert_allclose(y.data, deconv_by_loops(x, W, b, 2, 0, outsize, dilate),
                                  atol=1e-12)
    gy = _data(y.shape, 63)
    gradient_check.check_backward(f, (x, W, b), gy, dtype=numpy.float64, atol=1e-7, rtol=1e-6)
    ggs = (_data(x.shape, 64), _data(W.shape, 65), _data(b.shape, 66))
    gradient_check.check_double_backward(f, (x, W, b), gy, ggs, dtype=numpy.float64,
                                         atol=1e-7, rtol=1e-6)
    # and with x or W fixed, through the nodes of one gradient each
    gradient_check.check_double_backward(lambda a: f(a, W), x, gy, ggs[0], dtype=numpy.float64,
                                         atol=1e-7, rtol=1e-6)
    gradient_check.check_double_backward(lambda w: f(x, w), W, gy, ggs[1], dtype=numpy.float64,
                                         atol=1e-7, rtol=1e-6)


def test_second_derivative_by_hand():
    # one pixel x through a 1x1 filter w: y = w x, and sum(y^2) = w^2 x^2;
    # d/dx = 2 w^2 x, d2/dxdw = 4 w x
    x = Variable(numpy.array([[[[3.0]]]]))
    W = Variable(numpy.array([[[[2.0]]]]))
    gx, = minigrad.grad([F.sum(F.deconvolution_2d(x, W) ** 2)], [x], enable_double_backprop=True)
    assert gx.data.item() == 2 * 2.0 ** 2 * 3.0
    gxw, = minigrad.grad([gx], [W])
    assert gxw.data.item() == 4 * 2.0 * 3.0


def test_gradients_are_differentiable_nodes():
    x, W, b = (Variable(_data(s, 40 + i)) for i, s in enumerate(((1, 2, 3, 3), (2, 3, 2, 2), (3,))))
    y = F.deconvolution_2d(x, W, b, stride=2)
    gx, gW, gb = minigrad.grad([y], [x, W, b], [Variable(_data(y.shape, 43))],
                               enable_double_backprop=True)
    # gx and gW read the same windows of gy: one node makes both
    assert gx.creator is gW.creator
    assert type(gx.creator).__name__ == 'Deconvolution2DGrad'
    assert type(gb.creator).__name__ == 'Sum'
    # with one of them needed, its own node
    gx, = minigrad.grad([F.deconvolution_2d(x, W.data, stride=2)], [x],
                        [Variable(_data(y.shape, 43))], enable_double_backprop=True)
    gW, = minigrad.grad([F.deconvolution_2d(x.data, W, stride=2)], [W],
                        [Variable(_data(y.shape, 43))], enable_double_backprop=True)
    assert type(gx.creator).__name__ == 'Convolution2D'
    assert type(gW.creator).__name__ == 'Convolution2DGradW'


@pytest.mark.parametrize('stride, pad, outsize_kind', [(1, 0, None), (2, 1, 'smallest'),
                                                       (3, 1, 'largest')])
@pytest.mark.parametrize('constant', ['x', 'W'])
def test_double_backward_of_one_gradient(stride, pad, outsize_kind, constant):
    # x or W without a gradient: the other gradient comes from its own node
    x, W, b = _data((1,) + X_SHAPE[1:], 50), _data(W_SHAPE, 51), _data((W_SHAPE[1],), 52)
    outsize = _outsize(outsize_kind, stride, pad)

    def f(v, b):
        args = (x, v) if constant == 'x' else (v, W)
        return F.deconvolution_2d(*args, b, stride=stride, pad=pad, outsize=outsize)

    v = W if constant == 'x' else x
    gy = _data(f(v, b).shape, 53)
    gradient_check.check_double_backward(f, (v, b), gy, (_data(v.shape, 54), _data(b.shape, 55)),
                                         dtype=numpy.float64, atol=1e-7, rtol=1e-6)


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


@pytest.mark.parametrize('stride, pad, cover_all, dilate, groups', [
    (1, 0, False, 1, 1), (2, 1, False, 1, 1), (3, 1, True, 1, 1), (2, 1, True, 2, 1),
    (1, 1, False, (1, 2), 2)])
def test_is_the_transpose_of_convolution(stride, pad, cover_all, dilate, groups):
    """<conv(x, W), y> == <x, deconv(y, W)> with the same filters."""
    x = _data((2, 4, 7, 6), 11)
    W = _data((6, 4 // groups, 3, 2), 12)      # convolution: 4 -> 6 channels; deconvolution: 6 -> 4
    conv = F.convolution_2d(x, W, stride=stride, pad=pad, cover_all=cover_all,
                            dilate=dilate, groups=groups).data
    y = _data(conv.shape, 13)
    back = F.deconvolution_2d(y, W, stride=stride, pad=pad, outsize=x.shape[2:],
                              dilate=dilate, groups=groups).data
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


def test_label_shows_dilate_and_groups():
    y = F.deconvolution_2d(Variable(numpy.zeros((1, 2, 3, 3))), numpy.zeros((2, 1, 3, 2)),
                           stride=2, pad=1, dilate=(1, 2), groups=2)
    assert y.creator.label == 'Deconvolution2D 3x2 s2 p1 d1x2 g2'


def test_label_shows_both_strides_and_pads():
    # as Convolution2D's label does: a (1, 2) stride must not read as "s1"
    y = F.deconvolution_2d(Variable(numpy.zeros((1, 2, 3, 3))), numpy.zeros((2, 1, 3, 2)),
                           stride=(1, 2), pad=(1, 0))
    assert y.creator.label == 'Deconvolution2D 3x2 s1x2 p1x0'


def test_keeps_only_x_and_W_for_backward():
    x = Variable(_data((1, 2, 3, 3), 17))
    W = Variable(_data((2, 2, 2, 2), 18))
    b = Variable(_data((2,), 19))
    y = F.deconvolution_2d(x, W, b, stride=2)
    func = y.creator
    assert [node.data is not None for node in func.inputs] == [True, True, False]
    held = [k for k, v in vars(func).items() if isinstance(v, numpy.ndarray)]
    F.sum(y).backward()
    held += [k for k, v in vars(func).items() if isinstance(v, numpy.ndarray)]
    assert held == []


# ---------------------------------------------------------------------------
# Bad inputs

def _raises(match, *args, **kwargs):
    with pytest.raises(InvalidType, match=match) as info:
        F.deconvolution_2d(*args, **kwargs)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    assert str(info.value).startswith('Invalid operation in Deconvolution2D: expect ')


def test_wrong_ndim():
    _raises(r'expect x\.ndim == 4, actual 2 != 4$', numpy.zeros((2, 3)),
            numpy.zeros((3, 2, 2, 2)))
    _raises(r'expect W\.ndim == 4, actual 3 != 4$', numpy.zeros((1, 3, 4, 4)),
            numpy.zeros((3, 2, 2)))


def test_channel_mismatch():
    # deconvolution's W is (C_in, C_out, KH, KW): x's channels meet W.shape[0]
    _raises(r'expect x\.shape\[1\] == W\.shape\[0\], actual 3 != 2$',
            numpy.zeros((1, 3, 4, 4)), numpy.zeros((2, 3, 2, 2)))


def test_dtypes():
    _raises(r'expect x\.dtype\.kind == f, actual i != f$',
            numpy.zeros((1, 2, 4, 4), numpy.int32), numpy.zeros((2, 3, 2, 2)))
    _raises(r'expect W\.dtype == x\.dtype, actual float32 != float64$',
            numpy.zeros((1, 2, 4, 4)), numpy.zeros((2, 3, 2, 2), numpy.float32))


def test_bias_of_wrong_length():
    # the bias has one entry per output channel, W.shape[1] * groups
    _raises(r'expect b\.shape\[0\] == W\.shape\[1\] \* groups, actual 2 != 3$',
            numpy.zeros((1, 2, 4, 4)), numpy.zeros((2, 3, 2, 2)), numpy.zeros(2))


def test_outsize_inconsistent_with_x():
    x, W = numpy.zeros((1, 1, 3, 3)), numpy.zeros((1, 1, 3, 3))
    # sizes 4, 5, 6 convolve back to 3 (k 3, s 2, p 1); 7 convolves to 4
    assert F.deconvolution_2d(x, W, stride=2, pad=1, outsize=(4, 6)).shape == (1, 1, 4, 6)
    _raises(r'expect x\.shape\[2\] == the convolution size of outsize 7 \(k 3, s 2, p 1\): 4, '
            r'actual x\.shape\[2\] == 3', x, W, stride=2, pad=1, outsize=(7, 5))
    _raises(r'expect x\.shape\[3\] == the convolution size of outsize 3 .*: 2, '
            r'actual x\.shape\[3\] == 3', x, W, stride=2, pad=1, outsize=(5, 3))


def test_groups():
    # x's channels, W.shape[0], split into the groups; the bias has W.shape[1] * groups entries
    _raises(r'expect W\.shape\[0\] % groups == 0, actual 1 != 0$',
            numpy.zeros((1, 3, 4, 4)), numpy.zeros((3, 2, 2, 2)), groups=2)
    _raises(r'expect b\.shape\[0\] == W\.shape\[1\] \* groups, actual 2 != 4$',
            numpy.zeros((1, 4, 4, 4)), numpy.zeros((4, 2, 2, 2)), numpy.zeros(2), groups=2)
    assert F.deconvolution_2d(numpy.zeros((1, 4, 4, 4)), numpy.zeros((4, 2, 2, 2)),
                              numpy.zeros(4), groups=2).shape == (1, 4, 5, 5)


def test_dilate():
    _raises(r'expect dilate to be an int > 0 or a pair of ints > 0, actual dilate == 0',
            numpy.zeros((1, 1, 3, 3)), numpy.zeros((1, 1, 2, 2)), dilate=0)
    # a 2x2 kernel dilated by 2 spans 3 pixels: outsize 6 convolves to 4, not 3
    _raises(r'expect x\.shape\[2\] == the convolution size of outsize 6 '
            r'\(k 2, s 1, p 0, d 2\): 4, actual x\.shape\[2\] == 3',
            numpy.zeros((1, 1, 3, 3)), numpy.zeros((1, 1, 2, 2)), dilate=2, outsize=(6, 5))
    assert F.deconvolution_2d(numpy.zeros((1, 1, 3, 3)), numpy.zeros((1, 1, 2, 2)),
                              dilate=2).shape == (1, 1, 5, 5)


def test_empty_output():
    # a 1x1 kernel with pad 1 on one pixel: 1 + 0 - 2 = -1 output pixels
    _raises(r'expect outsize > 0, actual outsize == \(-1, -1\)',
            numpy.zeros((1, 1, 1, 1)), numpy.zeros((1, 1, 1, 1)), pad=1)
