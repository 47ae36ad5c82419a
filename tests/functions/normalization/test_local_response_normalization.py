"""F.local_response_normalization (minigrad/functions/normalization/local_response_normalization.py)."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def _reference(x, n, k, alpha, beta):
    """An explicit window sum for every channel, the window clipped at the edges."""
    x = x.astype(numpy.float64)
    C = x.shape[1]
    y = numpy.empty_like(x)
    for c in range(C):
        s = numpy.zeros_like(x[:, 0])
        for c2 in range(max(0, c - n // 2), min(C - 1, c + n // 2) + 1):
            s += x[:, c2] ** 2
        y[:, c] = x[:, c] / (k + alpha * s) ** beta
    return y


PARAMS = [
    dict(),                                           # AlexNet's n=5, k=2, alpha=1e-4, beta=0.75
    dict(n=5, k=1, alpha=1.0, beta=0.75),
    dict(n=3, k=1, alpha=0.5, beta=1.0),
    dict(n=4, k=1, alpha=1.0, beta=0.5),              # even n: the window is n + 1 wide
    dict(n=1, k=0.5, alpha=2.0, beta=0.75),
    dict(n=9, k=1, alpha=1.0, beta=0.75),             # wider than the channels
]


@pytest.mark.parametrize('shape', [(2, 7, 3, 2), (3, 4), (2, 6, 3)])
@pytest.mark.parametrize('params', PARAMS)
def test_forward_matches_window_sum(shape, params):
    x = numpy.random.RandomState(0).randn(*shape) * 2
    y = F.local_response_normalization(x, **params)
    full = {**dict(n=5, k=2, alpha=1e-4, beta=0.75), **params}     # Chainer's defaults
    numpy.testing.assert_allclose(y.data, _reference(x, **full), rtol=1e-13, atol=1e-14)


def test_forward_by_hand():
    # n=3 around 2 channels: both windows hold both channels, 1 + 1 * (1 + 4) = 6.
    x = numpy.array([1.0, 2.0]).reshape(1, 2, 1, 1)
    y = F.local_response_normalization(x, n=3, k=1, alpha=1, beta=1)
    numpy.testing.assert_allclose(y.data.ravel(), [1 / 6, 2 / 6], rtol=1e-15)
    # n=1: each channel alone, 2 + 1 * x^2, to the power 1/2
    y = F.local_response_normalization(x, n=1, k=2, alpha=1, beta=0.5)
    numpy.testing.assert_allclose(y.data.ravel(), [1 / 3 ** 0.5, 2 / 6 ** 0.5], rtol=1e-15)


@pytest.mark.parametrize('shape', [(2, 7, 2, 2), (3, 4), (2, 5, 3)])
@pytest.mark.parametrize('params', PARAMS)
def test_backward(shape, params):
    rng = numpy.random.RandomState(1)
    x = rng.randn(*shape)
    gy = rng.randn(*shape)
    gradient_check.check_backward(lambda v: F.local_response_normalization(v, **params),
                                  x, gy, dtype=numpy.float64, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('shape', [(2, 7, 2, 2), (3, 4), (2, 5, 3)])
@pytest.mark.parametrize('params', PARAMS)
def test_double_backward(shape, params):
    rng = numpy.random.RandomState(2)
    x, gy, ggx = (rng.randn(*shape) for _ in range(3))
    gradient_check.check_double_backward(lambda v: F.local_response_normalization(v, **params),
                                         x, gy, ggx, dtype=numpy.float64, atol=1e-5, rtol=1e-4)


def test_third_derivative():
    # The second derivatives recompute the window sums from x with
    # differentiable functions, so they are differentiable too.
    rng = numpy.random.RandomState(3)
    gy = rng.randn(2, 5, 2)

    def gradient(x):
        y = F.local_response_normalization(x, n=3, k=1, alpha=1.0, beta=0.75)
        return minigrad.grad([F.sum(y * gy)], [x], enable_double_backprop=True)[0]
    x, ggx, gggx = (rng.randn(2, 5, 2) for _ in range(3))
    gradient_check.check_double_backward(gradient, x, ggx, gggx, dtype=numpy.float64,
                                         atol=1e-5, rtol=1e-4)


def test_second_derivative_by_hand():
    # n=1, k=1, alpha=1, beta=1: each value alone, y = x / (1 + x^2),
    # y' = (1 - x^2) / (1 + x^2)^2, y'' = 2 x (x^2 - 3) / (1 + x^2)^3.
    x = Variable(numpy.array([[1.0, 2.0, -0.5]]))
    y = F.local_response_normalization(x, n=1, k=1, alpha=1, beta=1)
    gx, = minigrad.grad([F.sum(y)], [x], enable_double_backprop=True)
    v = x.data
    numpy.testing.assert_allclose(gx.data, (1 - v ** 2) / (1 + v ** 2) ** 2, rtol=1e-14)
    ggx, = minigrad.grad([F.sum(gx)], [x])
    numpy.testing.assert_allclose(ggx.data, 2 * v * (v ** 2 - 3) / (1 + v ** 2) ** 3, rtol=1e-14)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_dtype_is_kept_for_second_derivatives(dtype):
    x = Variable(numpy.random.RandomState(4).randn(2, 6, 3, 3).astype(dtype))
    y = F.local_response_normalization(x, k=numpy.float64(1), alpha=numpy.float64(1))
    gx, = minigrad.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    assert gx.dtype == dtype
    ggx, = minigrad.grad([F.sum(gx * gx)], [x])
    assert ggx.dtype == dtype


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_dtype_is_kept(dtype):
    x = Variable(numpy.random.RandomState(2).randn(2, 6, 3, 3).astype(dtype))
    y = F.local_response_normalization(x, k=numpy.float64(1), alpha=numpy.float64(1))
    assert y.dtype == dtype
    y.grad = numpy.ones(y.shape, dtype)
    y.backward()
    assert x.grad.dtype == dtype
    tol = 1e-5 if dtype == numpy.float32 else 1e-13
    numpy.testing.assert_allclose(y.data, _reference(x.data, 5, 1, 1, 0.75), rtol=tol, atol=tol)


def test_label():
    y = F.local_response_normalization(Variable(numpy.ones((1, 3))))
    assert y.creator.label == 'LocalResponseNormalization n=5 k=2 alpha=0.0001 beta=0.75'


def test_integer_x():
    with pytest.raises(InvalidType, match=r'^Invalid operation in LocalResponseNormalization .*: '
                                          r"expect x\.dtype\.kind == f, actual i != f$"):
        F.local_response_normalization(numpy.ones((1, 3, 2, 2), numpy.int64))


def test_one_dimensional_x():
    with pytest.raises(InvalidType, match=r'in LocalResponseNormalization .*: expect x\.ndim >= 2, '
                                          r'actual 1 < 2$'):
        F.local_response_normalization(numpy.ones(3, numpy.float32))


@pytest.mark.parametrize('n', [0, -1, 2.5])
def test_bad_window_size(n):
    with pytest.raises(InvalidType, match=r'in LocalResponseNormalization: expect n to be a positive '
                                          r'int, actual n == {}'.format(n)):
        F.local_response_normalization(numpy.ones((1, 3), numpy.float32), n=n)
