"""F.average_pooling_2d (minigrad/functions/pooling/average_pooling_2d.py)."""
import gc
import itertools
import weakref

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check, type_check
from minigrad.type_check import InvalidType
from minigrad.utils.conv import OutputSizeWarning
from tests.windows import (
    expect_output_size_warning, pool_pairs, skips_last_pixels, windows_by_sliding)


# ---------------------------------------------------------------------------
# Independent reference

def window_starts(size, k, s, p):
    """Starts of the windows that fit in the padded input, by sliding; None if refused.

    Refused: a kernel wider than the padded input.  A last window that ends
    before the last real pixel (average pooling has no cover_all) leaves those
    pixels out, as in Chainer, with a warning (see :func:`_dropped`).
    """
    if k > size + 2 * p:
        return None
    return windows_by_sliding(size, k, s, p)


def avg_pool_by_loops(x, ksize, stride=None, pad=0, gy=None):
    """Mean of each window with zero padding (divisor always KH*KW), and x's gradient."""
    kh, kw, sy, sx, ph, pw = pool_pairs(ksize, stride, pad)
    n, c, h, w = x.shape
    ys, xs = window_starts(h, kh, sy, ph), window_starts(w, kw, sx, pw)
    y = numpy.zeros((n, c, len(ys), len(xs)))
    gx = numpy.zeros((n, c, h, w))
    for b in range(n):
        for ch in range(c):
            for i, y0 in enumerate(ys):
                for j, x0 in enumerate(xs):
                    total = 0.0
                    for k in range(kh):
                        for l in range(kw):
                            r, q = y0 + k - ph, x0 + l - pw
                            if 0 <= r < h and 0 <= q < w:      # padding adds zero
                                total += x[b, ch, r, q]
                                if gy is not None:
                                    gx[b, ch, r, q] += gy[b, ch, i, j] / (kh * kw)
                    y[b, ch, i, j] = total / (kh * kw)
    return y, gx


def _data(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


# ---------------------------------------------------------------------------
# Backward against numerical gradients

H, W = 5, 7
GRID = list(itertools.product([2, 3, (2, 3)], [None, 1, 2, (1, 2)], [0, 1, (1, 0)]))


def _refused(ksize, stride, pad):
    kh, kw, sy, sx, ph, pw = pool_pairs(ksize, stride, pad)
    return window_starts(H, kh, sy, ph) is None or window_starts(W, kw, sx, pw) is None


def _dropped(ksize, stride, pad):
    """Whether the last input pixels are left out (a warning; an error under debug)."""
    kh, kw, sy, sx, ph, pw = pool_pairs(ksize, stride, pad)
    return any(skips_last_pixels(window_starts(size, k, s, p), size, k, s, p)
               for size, k, s, p in ((H, kh, sy, ph), (W, kw, sx, pw)))


@pytest.mark.parametrize('ksize, stride, pad', GRID)
def test_backward_grid(ksize, stride, pad):
    x = _data((2, 2, H, W), 0)

    def f(x):
        return F.average_pooling_2d(x, ksize, stride=stride, pad=pad)

    assert not _refused(ksize, stride, pad)
    dropped = _dropped(ksize, stride, pad)
    if dropped:
        with minigrad.using_config('debug', True), pytest.raises(
                InvalidType, match=r'^Invalid operation in AveragePooling2D: expect an '
                                   r'integer output .*: change pad or stride'):
            f(x)
    with expect_output_size_warning(dropped, 'AveragePooling2D'):
        y = f(x)
        gy = _data(y.shape, 1)
        expected_y, expected_gx = avg_pool_by_loops(x, ksize, stride, pad, gy)
        numpy.testing.assert_allclose(y.data, expected_y, atol=1e-14)
        gradient_check.check_backward(f, x, gy, dtype=numpy.float64)
        xv = Variable(x)
        y = f(xv)
        y.grad = gy
        y.backward()
        numpy.testing.assert_allclose(xv.grad, expected_gx, atol=1e-14)


@pytest.mark.parametrize('ksize, stride, pad', [g for g in GRID if not _refused(*g)])
def test_double_backward_grid(ksize, stride, pad):
    x = _data((1, 1, H, W), 5)

    def f(x):
        return F.average_pooling_2d(x, ksize, stride=stride, pad=pad)

    with expect_output_size_warning(_dropped(ksize, stride, pad), 'AveragePooling2D'):
        gy = _data(f(x).shape, 6)
        gradient_check.check_double_backward(f, x, gy, _data(x.shape, 7), dtype=numpy.float64)


def test_grid_has_both_exact_and_dropped_geometries():
    dropped = [_dropped(*g) for g in GRID]
    assert not any(_refused(*g) for g in GRID)
    assert any(dropped) and dropped.count(False) >= 20


# ---------------------------------------------------------------------------
# Forward

@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('ksize, stride, pad', [
    ((2, 3), None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 0)), (3, 1, 1), (7, 1, 0)])
def test_forward_matches_loops(dtype, ksize, stride, pad):
    x = _data((2, 3, 8, 9), 2).astype(dtype)
    y = F.average_pooling_2d(x, ksize, stride, pad)
    assert y.dtype == dtype
    tol = 1e-6 if dtype == numpy.float32 else 1e-14
    numpy.testing.assert_allclose(y.data, avg_pool_by_loops(x.astype(numpy.float64), ksize,
                                                            stride, pad)[0], rtol=tol, atol=tol)


def test_padding_counts_as_zero_by_hand():
    # ones, 2x2 windows with stride 1 and pad 1: corners see 1 pixel, edges 2, the middle 4
    x = Variable(numpy.ones((1, 1, 2, 2)))
    y = F.average_pooling_2d(x, 2, stride=1, pad=1)
    numpy.testing.assert_array_equal(y.data, [[[[0.25, 0.5, 0.25],
                                                 [0.5, 1.0, 0.5],
                                                 [0.25, 0.5, 0.25]]]])
    F.sum(y).backward()
    # every pixel is in 4 windows, each passing on 1/4 of its gradient
    numpy.testing.assert_array_equal(x.grad, numpy.ones((1, 1, 2, 2)))


def test_stride_defaults_to_ksize():
    x = Variable(numpy.arange(24.0).reshape(1, 1, 4, 6))
    y = F.average_pooling_2d(x, (2, 3))
    # blocks [[0,1,2],[6,7,8]] -> 4, [[3,4,5],[9,10,11]] -> 7, and 12 more below
    numpy.testing.assert_array_equal(y.data, [[[[4.0, 7.0], [16.0, 19.0]]]])
    assert y.creator.label == 'AveragePooling2D 2x3 s2x3'


def test_float32_in_float32_out_and_gradients():
    x = Variable(_data((2, 3, 6, 6), 3).astype(numpy.float32))
    y = F.average_pooling_2d(x, 3, 1, 1)
    assert y.dtype == numpy.float32
    F.sum(y * y).backward()
    assert x.grad.dtype == numpy.float32
    _, expected = avg_pool_by_loops(x.data.astype(numpy.float64), 3, 1, 1,
                                    gy=2 * y.data.astype(numpy.float64))
    numpy.testing.assert_allclose(x.grad, expected, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------
# Second derivatives

def _first_order(x, gy, *args):
    """``gx`` of average pooling, recorded so that it can be differentiated again."""
    y = F.average_pooling_2d(x, *args)
    gx, = minigrad.grad([y], [x], [gy], enable_double_backprop=True)
    return gx


def test_gradient_is_linear_and_its_gy_derivative_is_the_pooling():
    # y is linear in x: gx depends on gy only (the second derivative in x is
    # zero), and d<gx, v>/dgy = average_pooling_2d(v), as gx is its adjoint.
    x = Variable(_data((2, 3, 6, 6), 11))
    gy = Variable(_data((2, 3, 4, 4), 12))
    v = _data((2, 3, 6, 6), 13)
    gx = _first_order(x, gy, 3, 1, 0)
    ggx_x, ggx_gy = minigrad.grad([gx], [x, gy], [v])
    assert ggx_x is None
    numpy.testing.assert_allclose(ggx_gy.data, F.average_pooling_2d(v, 3, 1, 0).data,
                                  atol=1e-14)


def test_hessian_of_the_squared_mean_by_hand():
    # f = mean(x)^2 over one 2x2 window: df/dx_i = 2 mean / 4, and the
    # Hessian is 2/16 = 1/8 everywhere, so H v = sum(v) / 8 in every entry.
    x = Variable(numpy.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    y = F.average_pooling_2d(x, 2)
    gx, = minigrad.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.data, numpy.full((1, 1, 2, 2), 2 * 2.5 / 4))
    v = numpy.array([[[[1.0, -2.0], [0.5, 4.0]]]])
    hv, = minigrad.grad([gx], [x], [v])
    numpy.testing.assert_allclose(hv.data, numpy.full((1, 1, 2, 2), 3.5 / 8))


def test_third_derivative_is_the_gradient_again():
    # gx = G(gy), its gy-derivative is the pooling P, and P's derivative is G:
    # differentiating twice more along u gives the plain first-order gradient.
    x = Variable(_data((1, 2, 5, 5), 14))
    gy = Variable(_data((1, 2, 5, 5), 15))
    v = Variable(_data((1, 2, 5, 5), 16))
    u = _data((1, 2, 5, 5), 17)
    gx = _first_order(x, gy, 3, 1, 1)
    pooled_v, = minigrad.grad([gx], [gy], [v], enable_double_backprop=True)
    back, = minigrad.grad([pooled_v], [v], [u])
    _, expected = avg_pool_by_loops(v.data, 3, 1, 1, gy=u)
    numpy.testing.assert_allclose(back.data, expected, atol=1e-14)


def test_float32_second_derivatives():
    x = Variable(_data((2, 3, 6, 6), 18).astype(numpy.float32))
    y = F.average_pooling_2d(x, 3, 1, 1)
    gx, = minigrad.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    hv, = minigrad.grad([gx], [x], [numpy.ones(x.shape, numpy.float32)])
    assert gx.dtype == hv.dtype == numpy.float32


# ---------------------------------------------------------------------------
# Label and memory

def test_label():
    x = Variable(numpy.zeros((1, 1, 6, 6)))
    assert F.average_pooling_2d(x, 2).creator.label == 'AveragePooling2D 2x2 s2'
    assert F.average_pooling_2d(x, 3, 1, 1).creator.label == 'AveragePooling2D 3x3 s1 p1'


def test_keeps_no_array():
    # y is linear in x: the graph holds neither x nor y, only x's shape
    data = _data((2, 3, 6, 6), 4)
    x = Variable(data)
    y = F.average_pooling_2d(x, 2)
    func = y.creator
    assert func.get_retained_inputs() == () and func.get_retained_outputs() == ()
    assert [k for k, v in vars(func).items() if isinstance(v, numpy.ndarray)] == []
    alive = weakref.ref(data)
    del x, data
    gc.collect()
    assert alive() is None
    y.grad = numpy.ones(y.shape)
    y.backward()                # nothing left to reach, but the graph still runs


def test_check_type_forward_only_validates():
    func = F.average_pooling_2d(Variable(numpy.zeros((1, 1, 6, 6))), 3, 1, 1).creator
    before = dict(vars(func))
    type_check.run_check(func, func.check_type_forward, (numpy.zeros((2, 3, 9, 5)),))
    assert vars(func) == before
    # forward needs no check before it: it computes the output size itself
    x = _data((2, 3, 9, 5), 19)
    fresh = F.average_pooling_2d(x, 3, 2, 1)
    y, = type(func)(3, 2, 1).forward((x,))
    numpy.testing.assert_array_equal(y, fresh.data)


# ---------------------------------------------------------------------------
# Bad inputs

def _raises(match, *args, **kwargs):
    with pytest.raises(InvalidType, match=match) as info:
        F.average_pooling_2d(*args, **kwargs)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    assert str(info.value).startswith('Invalid operation in AveragePooling2D: expect ')
    return str(info.value)


def test_wrong_ndim_and_dtype():
    _raises(r'expect x\.ndim == 4, actual 5 != 4$', numpy.zeros((1, 1, 1, 4, 4)), 2)
    _raises(r'expect x\.dtype\.kind == f, actual b != f$',
            numpy.zeros((1, 1, 4, 4), bool), 2)


def test_kernel_larger_than_padded_input():
    _raises(r'expect kernel width <= padded input 3 \(3 \+ 2 \* pad 0\), actual kernel width 4',
            numpy.zeros((1, 1, 9, 3)), (2, 4), 1)


def test_non_integer_output_size():
    with pytest.warns(OutputSizeWarning, match=r'3\.5 is not an integer, so it is 3') as record:
        assert F.average_pooling_2d(numpy.zeros((1, 1, 7, 7)), 2, 2).shape == (1, 1, 3, 3)
    assert all('cover_all' not in str(r.message) for r in record)
    with minigrad.using_config('debug', True):
        msg = _raises(r'expect an integer output height', numpy.zeros((1, 1, 7, 7)), 2, 2)
    assert '(7 + 2*0 - 2) / 2 + 1 = 3.5' in msg
    assert 'cover_all' not in msg          # average pooling has none to offer


_POSITIVE = 'expect {0} to be an int > 0 or a pair of ints > 0, actual'
_NONNEGATIVE = 'expect pad to be an int >= 0 or a pair of ints >= 0, actual'


@pytest.mark.parametrize('args, kwargs, text', [
    ((0,), {}, _POSITIVE.format('ksize') + r' ksize == 0$'),
    ((2, -1), {}, _POSITIVE.format('stride') + r' stride == -1$'),
    ((2,), dict(pad=(0, -1)), _NONNEGATIVE + r' pad == \(0, -1\)$'),
])
def test_bad_numbers(args, kwargs, text):
    _raises(text, numpy.zeros((1, 1, 6, 6)), *args, **kwargs)
