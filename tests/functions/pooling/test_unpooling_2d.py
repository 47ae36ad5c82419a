"""F.unpooling_2d (minigrad/functions/pooling/unpooling_2d.py)."""
import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.pooling.unpooling_2d import unpooling_2d
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order
from tests.windows import pool_pairs, windows_by_sliding

N, C, H, W = 1, 2, 3, 4

# (ksize, stride, pad, cover_all, outsize)
CASES = [
    (2, None, 0, True, None),
    (2, None, 0, False, None),
    (3, 2, 1, True, None),
    (3, 2, 1, False, None),
    ((2, 3), (1, 2), (0, 1), False, None),
    (3, 1, 1, False, None),             # windows overlap: the copies add
    (2, 2, 0, False, (7, 9)),           # the last row and column are in no window: zeros
    (2, 2, 0, True, (6, 8)),
]


def _rand(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


def _smallest_size_pooling_back(n, k, s, p, cover_all):
    """The smallest output length whose pooling (same geometry) has ``n`` windows, by trying each."""
    size = 1
    while len(windows_by_sliding(size, k, s, p, cover_all)) != n:
        size += 1
    return size


def _unpool_loops(x, kh, kw, sy, sx, ph, pw, oh, ow):
    """Add each input pixel into every pixel of its window, one at a time."""
    y = numpy.zeros(x.shape[:2] + (oh, ow))
    for n, c, i, j in numpy.ndindex(x.shape):
        for di in range(kh):
            for dj in range(kw):
                row, col = i * sy + di - ph, j * sx + dj - pw
                if 0 <= row < oh and 0 <= col < ow:
                    y[n, c, row, col] += x[n, c, i, j]
    return y


@pytest.mark.parametrize('ksize, stride, pad, cover_all, outsize', CASES)
def test_forward_backward_and_double_backward(ksize, stride, pad, cover_all, outsize):
    kh, kw, sy, sx, ph, pw = pool_pairs(ksize, stride, pad)
    if outsize is None:
        oh = _smallest_size_pooling_back(H, kh, sy, ph, cover_all)
        ow = _smallest_size_pooling_back(W, kw, sx, pw, cover_all)
    else:
        oh, ow = outsize
    x = _rand((N, C, H, W), 0)
    y = unpooling_2d(x, ksize, stride, pad, outsize=outsize, cover_all=cover_all)
    assert y.shape == (N, C, oh, ow)
    numpy.testing.assert_allclose(y.data, _unpool_loops(x, kh, kw, sy, sx, ph, pw, oh, ow),
                                  rtol=1e-14)
    gy = _rand(y.shape, 1)
    f = lambda v: unpooling_2d(v, ksize, stride, pad, outsize=outsize, cover_all=cover_all)   # NOQA
    gradient_check.check_backward(f, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, gy, _rand(x.shape, 2), dtype=numpy.float64)


def test_by_hand():
    x = numpy.arange(4.0).reshape(1, 1, 2, 2)
    # cover_all=True (the default, as Chainer): 2 pixels -> 3, the last window cut off.
    numpy.testing.assert_array_equal(unpooling_2d(x, 2).data[0, 0],
                                     [[0, 0, 1], [0, 0, 1], [2, 2, 3]])
    numpy.testing.assert_array_equal(unpooling_2d(x, 2, cover_all=False).data[0, 0],
                                      [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]])
    # The gradient sums each window of gy.
    v = Variable(x)
    gx, = grad([unpooling_2d(v, 2, cover_all=False)], [v],
               grad_outputs=[numpy.arange(16.0).reshape(1, 1, 4, 4)])
    numpy.testing.assert_array_equal(gx.data[0, 0], [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7],
                                                     [8 + 9 + 12 + 13, 10 + 11 + 14 + 15]])


def test_float32_stays_float32():
    assert_float32_to_second_order(lambda v: unpooling_2d(v, 3, 2, 1), _rand((N, C, H, W), 0))


def test_bad_inputs_are_rejected():
    x = numpy.zeros((N, C, H, W))
    with pytest.raises(InvalidType, match=r'^Invalid operation in Unpooling2D: expect x\.ndim == 4, '
                                          r'actual 3 != 4$'):
        unpooling_2d(numpy.zeros((C, H, W)), 2)
    with pytest.raises(InvalidType, match=r'^Invalid operation in Unpooling2D: expect '
                                          r'x\.dtype\.kind == f, actual i != f$'):
        unpooling_2d(numpy.zeros((N, C, H, W), dtype=numpy.int32), 2)
    with pytest.raises(InvalidType, match=r'Unpooling2D: expect ksize to be an int > 0 or a pair of ints > 0, '
                                          r'actual ksize == 0$'):
        unpooling_2d(x, 0)
    with pytest.raises(InvalidType, match=r'Unpooling2D: expect pooling outsize height back gives '
                                          r'x\.shape\[2\] == 3, '
                                          r'actual outsize height 8 pools to 4 \(ksize 2, stride 2, '
                                          r'pad 0, cover_all False\)'):
        unpooling_2d(x, 2, outsize=(8, 8), cover_all=False)
    with pytest.raises(InvalidType, match=r'Unpooling2D: expect a positive output height, actual '
                                          r'output height 0'):
        unpooling_2d(numpy.zeros((N, C, 1, 1)), 3, 2, 1)
