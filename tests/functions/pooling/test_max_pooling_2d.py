"""F.max_pooling_2d (minigrad/functions/pooling/max_pooling_2d.py)."""
import gc
import itertools
import weakref

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check, type_check
from minigrad.functions.pooling.max_pooling_2d import MaxPooling2D
from minigrad.type_check import InvalidType
from minigrad.utils.conv import OutputSizeWarning
from tests.windows import (
    expect_output_size_warning, pool_pairs, skips_last_pixels, windows_by_sliding)


# ---------------------------------------------------------------------------
# Independent references

def window_starts(size, k, s, p, cover_all):
    """Starts of the windows along one axis (padded coordinates), by sliding.

    None when the kernel is wider than the padded input or the pad is not
    smaller than the kernel (a first window of padding only): both refused.
    Without cover_all the last input pixels may be left out, as in Chainer
    (a warning, see :func:`dropped`).  A window that would start past the
    image (cover_all's extra one) is dropped, never all padding.
    """
    if k > size + 2 * p or p >= k:
        return None
    starts = windows_by_sliding(size, k, s, p, cover_all)
    return [start for start in starts if start < p + size]


def pool_windows(x, ksize, stride, pad, cover_all):
    """Yield (i, j, window, its top-left pixel); windows are (N, C, KH, KW), padding -inf."""
    kh, kw, sy, sx, ph, pw = pool_pairs(ksize, stride, pad)
    n, c, h, w = x.shape
    ys = window_starts(h, kh, sy, ph, cover_all)
    xs = window_starts(w, kw, sx, pw, cover_all)
    padded = numpy.full((n, c, h + 2 * ph + kh + sy, w + 2 * pw + kw + sx), -numpy.inf)
    padded[:, :, ph:ph + h, pw:pw + w] = x
    for i, y0 in enumerate(ys):
        for j, x0 in enumerate(xs):
            yield i, j, padded[:, :, y0:y0 + kh, x0:x0 + kw], (y0 - ph, x0 - pw)


def max_pool_by_loops(x, ksize, stride=None, pad=0, cover_all=True, gy=None):
    """Output, argmax indexes (first maximum, numpy.argmax order) and the gradient of x."""
    kh, kw, sy, sx, ph, pw = pool_pairs(ksize, stride, pad)
    n, c, h, w = x.shape
    oh = len(window_starts(h, kh, sy, ph, cover_all))
    ow = len(window_starts(w, kw, sx, pw, cover_all))
    y = numpy.empty((n, c, oh, ow))
    idx = numpy.empty((n, c, oh, ow), dtype=numpy.int64)
    gx = numpy.zeros((n, c, h, w))
    for i, j, window, (top, left) in pool_windows(x, ksize, stride, pad, cover_all):
        for b in range(n):
            for ch in range(c):
                flat = window[b, ch].ravel()
                k = int(numpy.argmax(flat))
                y[b, ch, i, j] = flat[k]
                idx[b, ch, i, j] = k
                r, q = top + k // kw, left + k % kw
                if gy is not None and 0 <= r < h and 0 <= q < w:
                    gx[b, ch, r, q] += gy[b, ch, i, j]
    return y, idx, gx


def no_ties(shape, seed):
    """Distinct values 0.1 apart (far more than gradient_check's eps), shuffled, of both signs."""
    size = int(numpy.prod(shape))
    perm = numpy.random.RandomState(seed).permutation(size)
    return ((perm - size / 2) * 0.1).reshape(shape)


def has_all_padding_window(size, k, s, p, cover_all):
    """Whether some window holds no real pixel (it reads only padding)."""
    starts = window_starts(size, k, s, p, cover_all)
    return any(start + k <= p or start >= p + size for start in starts)


# ---------------------------------------------------------------------------
# Backward against numerical gradients

H, W = 5, 7
GRID = list(itertools.product([2, 3, (2, 3)], [None, 1, 2, 3], [0, 1], [False, True]))


def dropped(ksize, stride, pad, cover_all, h=H, w=W):
    """Whether, without cover_all, the last input pixels are left out (a warning)."""
    kh, kw, sy, sx, ph, pw = pool_pairs(ksize, stride, pad)
    return not cover_all and any(
        skips_last_pixels(windows_by_sliding(size, k, s, p), size, k, s, p)
        for size, k, s, p in ((h, kh, sy, ph), (w, kw, sx, pw)))


def _geometry(ksize, stride, pad, cover_all):
    kh, kw, sy, sx, ph, pw = pool_pairs(ksize, stride, pad)
    ys = window_starts(H, kh, sy, ph, cover_all)
    xs = window_starts(W, kw, sx, pw, cover_all)
    if ys is None or xs is None:
        return 'refused'
    if (has_all_padding_window(H, kh, sy, ph, cover_all)
            or has_all_padding_window(W, kw, sx, pw, cover_all)):
        return 'all-padding window'     # see test_padding_never_wins_a_whole_window
    return 'ok'


@pytest.mark.parametrize('ksize, stride, pad, cover_all',
                         [g for g in GRID if _geometry(*g) != 'all-padding window'])
def test_backward_grid(ksize, stride, pad, cover_all):
    x = no_ties((2, 2, H, W), 0)

    def f(x):
        return F.max_pooling_2d(x, ksize, stride=stride, pad=pad, cover_all=cover_all)

    if _geometry(ksize, stride, pad, cover_all) == 'refused':
        with pytest.raises(InvalidType, match=r'^Invalid operation in MaxPooling2D: expect '):
            f(x)
        return
    is_dropped = dropped(ksize, stride, pad, cover_all)
    if is_dropped:
        with minigrad.using_config('debug', True), pytest.raises(
                InvalidType, match=r'^Invalid operation in MaxPooling2D: expect an '
                                   r'integer output .*, or cover_all=True'):
            f(x)
    with expect_output_size_warning(is_dropped, 'MaxPooling2D'):
        y = f(x)
        gy = numpy.random.RandomState(1).uniform(-1, 1, y.shape)
        expected_y, _, expected_gx = max_pool_by_loops(x, ksize, stride, pad, cover_all, gy)
        numpy.testing.assert_array_equal(y.data, expected_y)
        gradient_check.check_backward(f, x, gy, dtype=numpy.float64)
        xv = Variable(x)
        y = f(xv)
        y.grad = gy
        y.backward()
        numpy.testing.assert_allclose(xv.grad, expected_gx, atol=1e-14)


@pytest.mark.parametrize('ksize, stride, pad, cover_all',
                         [g for g in GRID if _geometry(*g) == 'ok'])
def test_double_backward_grid(ksize, stride, pad, cover_all):
    # no ties, values 0.1 apart: the eps=1e-3 steps never change a winner
    x = no_ties((1, 1, H, W), 0)

    def f(x):
        return F.max_pooling_2d(x, ksize, stride=stride, pad=pad, cover_all=cover_all)

    rng = numpy.random.RandomState(1)
    with expect_output_size_warning(dropped(ksize, stride, pad, cover_all), 'MaxPooling2D'):
        gy = rng.uniform(-1, 1, f(x).shape)
        gradient_check.check_double_backward(f, x, gy, rng.uniform(-1, 1, x.shape),
                                             dtype=numpy.float64)


def test_grid_covers_each_kind():
    kinds = {_geometry(*g) for g in GRID}
    # minigrad drops or refuses every window of padding only, so none is left;
    # pads below the kernel refuse nothing here (dropped pixels only warn)
    assert kinds == {'ok'}
    assert sum(_geometry(*g) == 'ok' for g in GRID) >= 30
    assert any(dropped(*g) for g in GRID if _geometry(*g) == 'ok')


# ---------------------------------------------------------------------------
# Forward against loops; ties; padding

@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('ksize, stride, pad, cover_all', [
    (2, None, 0, True), (3, 2, 1, True), ((2, 3), (1, 2), (1, 0), False), (3, 1, 1, False),
    (3, 3, 0, True)])
def test_forward_and_indices_match_loops(dtype, ksize, stride, pad, cover_all):
    # small integers: plenty of ties
    x = numpy.random.RandomState(2).randint(-3, 3, (2, 3, 7, 9)).astype(dtype)
    y, indexes = F.max_pooling_2d(x, ksize, stride, pad, cover_all, return_indices=True)
    expected_y, expected_idx, _ = max_pool_by_loops(x, ksize, stride, pad, cover_all)
    assert y.dtype == dtype
    numpy.testing.assert_array_equal(y.data, expected_y)
    assert indexes.dtype == numpy.int64
    numpy.testing.assert_array_equal(indexes, expected_idx)


@pytest.mark.parametrize('ksize, stride, pad, cover_all', [
    (2, 1, 0, False), (3, 1, 1, True), (3, 2, 1, True), ((3, 2), (2, 1), (0, 1), True)])
def test_ties_send_the_gradient_to_the_first_maximum(ksize, stride, pad, cover_all):
    x = Variable(numpy.random.RandomState(3).randint(0, 2, (2, 2, 6, 7)).astype(numpy.float64))
    y = F.max_pooling_2d(x, ksize, stride, pad, cover_all)
    gy = numpy.random.RandomState(4).uniform(-1, 1, y.shape)
    y.grad = gy
    y.backward()
    _, _, expected = max_pool_by_loops(x.data, ksize, stride, pad, cover_all, gy)
    numpy.testing.assert_allclose(x.grad, expected, atol=1e-14)


def test_ties_by_hand():
    x = Variable(numpy.array([[[[1.0, 5.0], [5.0, 0.0]]]]))
    y, indexes = F.max_pooling_2d(x, 2, return_indices=True)
    assert indexes.tolist() == [[[[1]]]]       # (0, 1) comes before (1, 0)
    y.grad = numpy.array([[[[7.0]]]])
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [[[[0, 7], [0, 0]]]])
    # all equal: the top-left one
    x = Variable(numpy.full((1, 1, 2, 2), -2.0))
    F.sum(F.max_pooling_2d(x, 2)).backward()
    numpy.testing.assert_array_equal(x.grad, [[[[1, 0], [0, 0]]]])


@pytest.mark.parametrize('ksize, stride, pad', [(3, 1, 1), (3, 2, 1), (2, 1, 1), (3, 1, 2)])
def test_padding_never_wins(ksize, stride, pad):
    x = Variable(-1.0 - no_ties((2, 2, 5, 6), 5) ** 2)     # all <= -1
    y = F.max_pooling_2d(x, ksize, stride, pad)
    assert numpy.all(y.data <= -1)         # never the zero (nor -inf) of the padding
    expected, _, _ = max_pool_by_loops(x.data, ksize, stride, pad, True)
    numpy.testing.assert_array_equal(y.data, expected)
    F.sum(y).backward()
    # every output's gradient reached a real pixel
    assert x.grad.sum() == y.size


def _accepted(ksize, stride, pad, cover_all, size):
    kh, kw, sy, sx, ph, pw = pool_pairs(ksize, stride, pad)
    return (window_starts(size, kh, sy, ph, cover_all) is not None
            and window_starts(size, kw, sx, pw, cover_all) is not None)


ALL_PADDING_CASES = [
    # size, ksize, stride, pad, cover_all
    (5, 2, 2, 1, True),      # windows at -1..0, 1..2, 3..4 and cover_all's 5..6 (all padding)
    (4, 1, 2, 0, True),      # a 1x1 window at 4, past the image
    (5, 2, 1, 2, False),     # the first window -2..-1 is all padding
    (6, 3, 2, 2, True),      # windows start at -2, 0, 2, 4 and 6 (past the image's 0..5)
]


@pytest.mark.parametrize('size, ksize, stride, pad, cover_all', ALL_PADDING_CASES)
def test_padding_never_wins_a_whole_window(size, ksize, stride, pad, cover_all):
    """A window of padding only would output -inf: refuse the geometry or keep outputs finite."""
    starts = []
    while starts == [] or starts[-1] + ksize < size + 2 * pad:   # Chainer's windows, by sliding
        starts.append(len(starts) * stride)
    if not cover_all:
        starts = [t for t in starts if t + ksize <= size + 2 * pad]
    assert any(t + ksize <= pad or t >= pad + size for t in starts)   # the case is real
    x = Variable(no_ties((1, 2, size, size), 6))
    try:
        y = F.max_pooling_2d(x, ksize, stride, pad, cover_all)
    except InvalidType as e:
        assert str(e).startswith('Invalid operation in MaxPooling2D: expect ')
        return
    assert numpy.all(numpy.isfinite(y.data)), y.data
    F.sum(y).backward()
    assert numpy.all(numpy.isfinite(x.grad))


def test_stride_defaults_to_ksize():
    x = Variable(no_ties((2, 2, 6, 9), 7))
    y = F.max_pooling_2d(x, (2, 3))
    assert y.shape == (2, 2, 3, 3)
    assert y.creator.label == 'MaxPooling2D 2x3 s2x3'
    numpy.testing.assert_array_equal(y.data, max_pool_by_loops(x.data, (2, 3), (2, 3))[0])
    # disjoint windows: each 2x3 block of the gradient holds exactly one 1
    F.sum(y).backward()
    blocks = x.grad.reshape(2, 2, 3, 2, 3, 3).sum(axis=(3, 5))
    numpy.testing.assert_array_equal(blocks, numpy.ones((2, 2, 3, 3)))


def test_return_indices_survive_backward():
    x = Variable(no_ties((1, 2, 4, 4), 8))
    y, indexes = F.max_pooling_2d(x, 2, return_indices=True)
    before = indexes.copy()
    F.sum(y).backward()
    numpy.testing.assert_array_equal(indexes, before)
    # the gradient lands where the indexes say
    for b, c, i, j in numpy.ndindex(*indexes.shape):
        k = indexes[b, c, i, j]
        assert x.grad[b, c, 2 * i + k // 2, 2 * j + k % 2] == 1
    assert x.grad.sum() == y.size


def test_return_indices_without_backprop():
    from minigrad.configuration import no_backprop_mode
    x = numpy.array([[[[1.0, 3.0], [4.0, 2.0]]]])
    with no_backprop_mode():
        y, indexes = F.max_pooling_2d(Variable(x), 2, return_indices=True)
    assert y.creator is None
    assert indexes.tolist() == [[[[2]]]]
    assert y.data.tolist() == [[[[4.0]]]]


def test_float32_in_float32_out_and_gradients():
    x = Variable(no_ties((2, 3, 7, 7), 9).astype(numpy.float32))
    y = F.max_pooling_2d(x, 3, 2)
    assert y.dtype == numpy.float32
    F.sum(y * y).backward()
    assert x.grad.dtype == numpy.float32
    _, _, expected = max_pool_by_loops(x.data.astype(numpy.float64), 3, 2, 0, True,
                                       gy=2 * y.data.astype(numpy.float64))
    numpy.testing.assert_allclose(x.grad, expected, rtol=1e-6)


# ---------------------------------------------------------------------------
# The seeds: AlexBN's three 3/2 poolings

@pytest.mark.parametrize('cover_all', [True, False])
def test_alexnet_pooling_sizes(cover_all):
    x = numpy.zeros((1, 256, 55, 55), numpy.float32)
    sizes = [55]
    for _ in range(3):
        x = F.max_pooling_2d(x, 3, stride=2, cover_all=cover_all).data
        sizes.append(x.shape[2])
        assert x.shape[3] == x.shape[2]
    assert sizes == [55, 27, 13, 6]
    assert x.shape == (1, 256, 6, 6)
    assert x.size == 256 * 6 * 6 == 9216


# ---------------------------------------------------------------------------
# Label and memory

def test_label():
    x = Variable(numpy.zeros((1, 1, 55, 55), numpy.float32))
    assert F.max_pooling_2d(x, 3, stride=2).creator.label == 'MaxPooling2D 3x3 s2'
    assert F.max_pooling_2d(x, (3, 2), (1, 2), pad=1).creator.label == \
        'MaxPooling2D 3x2 s1x2 p1'


def _ndarray_attributes(func):
    return {k: v for k, v in vars(func).items() if isinstance(v, numpy.ndarray)}


def test_keeps_only_a_small_index_array():
    data = no_ties((2, 3, 9, 9), 10).astype(numpy.float32)
    x = Variable(data)
    y = F.max_pooling_2d(x, 3, stride=2)
    func = y.creator
    assert func.get_retained_inputs() == () and func.get_retained_outputs() == ()
    held = _ndarray_attributes(func)
    assert list(held) == ['indexes']
    assert held['indexes'].shape == y.shape
    assert held['indexes'].dtype.itemsize == 1     # 9 offsets fit in one byte
    # x itself is not kept: dropping it frees its array
    F.sum(y).backward()
    first = x.grad.copy()
    alive = weakref.ref(data)
    x.cleargrad()
    F.sum(y).backward()      # the indexes stay for another backward over the graph
    numpy.testing.assert_array_equal(x.grad, first)
    del x, data
    gc.collect()
    assert alive() is None


def test_index_dtype_grows_with_the_window():
    # 17 x 17 = 289 offsets do not fit in one byte
    y = F.max_pooling_2d(Variable(no_ties((1, 1, 17, 17), 11)), 17)
    assert y.creator.indexes.dtype.itemsize == 2
    assert y.creator.indexes.dtype.kind in 'iu'


def test_check_type_forward_only_validates():
    func = F.max_pooling_2d(Variable(no_ties((1, 1, 6, 6), 12)), 3, 1, 1).creator
    before = {k: v for k, v in vars(func).items() if k != 'indexes'}
    type_check.run_check(func, func.check_type_forward, (numpy.zeros((2, 3, 5, 5)),))
    assert {k: v for k, v in vars(func).items() if k != 'indexes'} == before
    assert func.indexes.shape == (1, 1, 6, 6)
    # forward needs no check before it, not even for cover_all's dropped
    # window (5 pixels, k2 s2 p1: the fourth window would be all padding)
    x = no_ties((2, 3, 5, 5), 13)
    y, = type(func)(2, 2, 1, True).forward((x,))
    assert y.shape == (2, 3, 3, 3)
    numpy.testing.assert_array_equal(y, F.max_pooling_2d(x, 2, 2, 1, True).data)


# ---------------------------------------------------------------------------
# Second derivatives

def gather_by_loops(v, indexes, ksize, stride, pad, cover_all):
    """``v`` read at each window's winner (the flat offsets ``indexes``)."""
    out = numpy.empty(indexes.shape)
    for i, j, window, _ in pool_windows(v, ksize, stride, pad, cover_all):
        n, c = window.shape[:2]
        for b in range(n):
            for ch in range(c):
                out[b, ch, i, j] = window[b, ch].ravel()[indexes[b, ch, i, j]]
    return out


def _first_order(x, gy, *args):
    """``gx`` of max pooling, recorded so that it can be differentiated again."""
    y = F.max_pooling_2d(x, *args)
    gx, = minigrad.grad([y], [x], [gy], enable_double_backprop=True)
    return gx


@pytest.mark.parametrize('ksize, stride, pad, cover_all', [
    (3, 2, 1, True), ((2, 3), (1, 2), (1, 0), False), (2, None, 0, True)])
def test_gradient_is_linear_and_its_gy_derivative_gathers(ksize, stride, pad, cover_all):
    # With the winners fixed y is linear in x: gx depends on gy only (the
    # second derivative in x is zero), and d<gx, v>/dgy reads v at the winners.
    x = Variable(no_ties((2, 3, 7, 9), 14))
    y, indexes = F.max_pooling_2d(x, ksize, stride, pad, cover_all, return_indices=True)
    gy = Variable(numpy.random.RandomState(15).uniform(-1, 1, y.shape))
    v = numpy.random.RandomState(16).uniform(-1, 1, x.shape)
    gx = _first_order(x, gy, ksize, stride, pad, cover_all)
    ggx_x, ggx_gy = minigrad.grad([gx], [x, gy], [v])
    assert ggx_x is None
    numpy.testing.assert_allclose(
        ggx_gy.data, gather_by_loops(v, indexes, ksize, stride, pad, cover_all), atol=1e-14)


@pytest.mark.parametrize('ksize, stride, pad, cover_all',
                         [g for g in GRID if _geometry(*g) == 'ok' and g[2] == 1])
def test_minus_inf_tied_with_the_padding(ksize, stride, pad, cover_all):
    # A border of -inf ties with the -inf padding: where a window's first
    # maximum is then padding, its gradient has no pixel to go to (dropped),
    # and the gradient's own derivative reads 0 there.
    x_data = no_ties((2, 2, H, W), 17)
    x_data[:, :, 0, :] = x_data[:, :, :, 0] = -numpy.inf
    x_data[:, :, -1, :] = x_data[:, :, :, -1] = -numpy.inf
    gy_data = numpy.random.RandomState(18).uniform(-1, 1, (2, 2) + F.max_pooling_2d(
        x_data, ksize, stride, pad, cover_all).shape[2:])
    _, indexes, gx_ref = max_pool_by_loops(x_data, ksize, stride, pad, cover_all, gy=gy_data)
    x, gy = Variable(x_data), Variable(gy_data)
    gx = _first_order(x, gy, ksize, stride, pad, cover_all)
    numpy.testing.assert_allclose(gx.data, gx_ref, atol=1e-14)
    v = numpy.random.RandomState(19).uniform(-1, 1, x.shape)
    ggx_gy, = minigrad.grad([gx], [gy], [v])
    # gather_by_loops pads v with -inf: a finite v reads -inf only at a padding
    # winner (16 of these 24 geometries have some).
    read = gather_by_loops(v, indexes, ksize, stride, pad, cover_all)
    numpy.testing.assert_allclose(ggx_gy.data, numpy.where(numpy.isneginf(read), 0, read),
                                  atol=1e-14)


def test_hessian_of_the_squared_max_by_hand():
    # f = max(x)^2 over one 2x2 window whose maximum is x[0, 1] = 5:
    # df/dx = 2 * 5 there, and the Hessian is 2 at (winner, winner) only.
    x = Variable(numpy.array([[[[1.0, 5.0], [3.0, 2.0]]]]))
    y = F.max_pooling_2d(x, 2)
    gx, = minigrad.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    numpy.testing.assert_array_equal(gx.data, [[[[0.0, 10.0], [0.0, 0.0]]]])
    hv, = minigrad.grad([gx], [x], [numpy.array([[[[1.0, -2.0], [0.5, 4.0]]]])])
    numpy.testing.assert_array_equal(hv.data, [[[[0.0, -4.0], [0.0, 0.0]]]])


def test_second_derivative_follows_the_first_maximum_on_ties():
    x = Variable(numpy.array([[[[1.0, 5.0], [5.0, 0.0]]]]))
    gy = Variable(numpy.array([[[[7.0]]]]))
    gx = _first_order(x, gy, 2)
    ggy, = minigrad.grad([gx], [gy], [numpy.array([[[[1.0, 2.0], [3.0, 4.0]]]])])
    assert ggy.data.tolist() == [[[[2.0]]]]     # v at (0, 1), where gy went


def test_third_derivative_is_the_gradient_again():
    # gx = G(gy), its gy-derivative is the gather P, and P's derivative is G:
    # differentiating twice more along u gives the plain first-order gradient.
    x = Variable(no_ties((1, 2, 7, 7), 17))
    gy = Variable(numpy.random.RandomState(18).uniform(-1, 1, (1, 2, 4, 4)))
    v = Variable(numpy.random.RandomState(19).uniform(-1, 1, x.shape))
    u = numpy.random.RandomState(20).uniform(-1, 1, (1, 2, 4, 4))
    gx = _first_order(x, gy, 3, 2, 1)
    gathered, = minigrad.grad([gx], [gy], [v], enable_double_backprop=True)
    back, = minigrad.grad([gathered], [v], [u])
    _, _, expected = max_pool_by_loops(x.data, 3, 2, 1, True, gy=u)
    numpy.testing.assert_allclose(back.data, expected, atol=1e-14)


def test_float32_second_derivatives():
    x = Variable(no_ties((2, 3, 7, 7), 21).astype(numpy.float32))
    y = F.max_pooling_2d(x, 3, 2)
    gx, = minigrad.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    hv, = minigrad.grad([gx], [x], [numpy.ones(x.shape, numpy.float32)])
    assert gx.dtype == hv.dtype == numpy.float32
    # the Hessian of y^2 is 2 at each winner: H 1 = 2 * (windows each pixel wins)
    _, _, wins = max_pool_by_loops(x.data.astype(numpy.float64), 3, 2, 0, True,
                                   gy=numpy.ones(y.shape))
    numpy.testing.assert_array_equal(hv.data, 2 * wins)


# ---------------------------------------------------------------------------
# Bad inputs

def _raises(match, *args, **kwargs):
    with pytest.raises(InvalidType, match=match) as info:
        F.max_pooling_2d(*args, **kwargs)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    assert str(info.value).startswith('Invalid operation in MaxPooling2D: expect ')
    return str(info.value)


def test_wrong_ndim_and_dtype():
    _raises(r'expect x\.ndim == 4, actual 3 != 4$',
            numpy.zeros((2, 5, 5)), 2)
    _raises(r'expect x\.dtype\.kind == f, actual i != f$',
            numpy.zeros((1, 1, 4, 4), numpy.int64), 2)


def test_pad_as_wide_as_the_kernel_is_refused_when_given():
    # a window of padding only would output -inf; checked where the pad is given
    for ksize, pad, axis, actual in ((2, 2, 'height', 'pad 2 >= ksize 2'),
                                     ((3, 2), (1, 3), 'width', 'pad 3 >= ksize 2')):
        with pytest.raises(InvalidType, match=r'^Invalid operation in MaxPooling2D: expect pad < ksize '
                                              r'along the {} \(a window of padding only\), '
                                              r'actual {}$'.format(axis, actual)):
            MaxPooling2D(ksize, pad=pad)


def test_messages_name_the_function_while_graphs_show_the_window():
    y = F.max_pooling_2d(Variable(numpy.zeros((1, 1, 4, 4))), 2)
    assert y.creator.label == 'MaxPooling2D 2x2 s2' and y.creator.check_name == 'MaxPooling2D'


def test_kernel_larger_than_padded_input():
    _raises(r'expect kernel height <= padded input 4 \(2 \+ 2 \* pad 1\), actual kernel height 5',
            numpy.zeros((1, 1, 2, 9)), 5, pad=1, cover_all=False)


def test_non_integer_output_size_floors_without_cover_all():
    x = numpy.zeros((1, 1, 7, 7))
    with pytest.warns(OutputSizeWarning,
                      match=r'3\.5 is not an integer, so it is 3 .*cover_all=True'):
        assert F.max_pooling_2d(x, 2, 2, cover_all=False).shape == (1, 1, 3, 3)
    with minigrad.using_config('debug', True):
        msg = _raises(r'expect an integer output height', x, 2, 2, cover_all=False)
    assert '(7 + 2*0 - 2) / 2 + 1 = 3.5' in msg and 'cover_all=True' in msg
    assert F.max_pooling_2d(x, 2, 2, cover_all=True).shape == (1, 1, 4, 4)
    assert F.max_pooling_2d(x, 2, 2).shape == (1, 1, 4, 4)     # cover_all=True by default


_POSITIVE = 'expect {0} to be an int > 0 or a pair of ints > 0, actual'
_NONNEGATIVE = 'expect pad to be an int >= 0 or a pair of ints >= 0, actual'


@pytest.mark.parametrize('args, kwargs, text', [
    ((0,), {}, _POSITIVE.format('ksize') + r' ksize == 0$'),
    (((2, -1),), {}, _POSITIVE.format('ksize') + r' ksize == \(2, -1\)$'),
    ((2, 0), {}, _POSITIVE.format('stride') + r' stride == 0$'),
    ((2, (1, -2)), {}, _POSITIVE.format('stride') + r' stride == \(1, -2\)$'),
    ((2,), dict(pad=-1), _NONNEGATIVE + r' pad == -1$'),
])
def test_bad_numbers(args, kwargs, text):
    _raises(text, numpy.zeros((1, 1, 6, 6)), *args, **kwargs)


def test_a_window_wider_than_the_image_with_cover_all_as_chainers_lenet5():
    # Chainer's CNN guide pools a 1x1 map with ksize 2, stride 2: cover_all
    # pads as far as one window reaches, and that window holds the one pixel.
    x = numpy.random.RandomState(0).uniform(-1, 1, (2, 3, 1, 1))
    y = F.max_pooling_2d(x, 2, stride=2)
    numpy.testing.assert_array_equal(y.array, x)
    gradient_check.check_backward(lambda a: F.max_pooling_2d(a, 2, stride=2), x,
                                  numpy.ones((2, 3, 1, 1)), dtype=numpy.float64)
    x = numpy.arange(16.0).reshape(1, 1, 4, 4)
    assert F.max_pooling_2d(x, 7).array.item() == 15.0          # one window over everything
    with pytest.raises(InvalidType, match=r'kernel height <= padded input 4'):
        F.max_pooling_2d(x, 7, cover_all=False)
