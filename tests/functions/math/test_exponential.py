"""F.exp and F.log (minigrad/functions/math/exponential.py)."""
import math

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check


def _rand(*shape, seed=0, low=-1.0, high=1.0):
    return numpy.random.RandomState(seed).uniform(low, high, shape)


SHAPES = [(), (3,), (2, 3)]


@pytest.mark.parametrize('shape', SHAPES)
def test_exp(shape):
    x = _rand(*shape)
    y = F.exp(x)
    expected = numpy.vectorize(math.exp)(x)
    numpy.testing.assert_allclose(y.data, expected, rtol=1e-12)
    gradient_check.check_backward(F.exp, x, _rand(*shape, seed=1), dtype=numpy.float64)


@pytest.mark.parametrize('shape', SHAPES)
def test_log(shape):
    x = _rand(*shape, low=0.5, high=2.0)
    y = F.log(x)
    expected = numpy.vectorize(math.log)(x)
    numpy.testing.assert_allclose(y.data, expected, rtol=1e-12)
    gradient_check.check_backward(F.log, x, _rand(*shape, seed=1), dtype=numpy.float64)


def test_exp_log_by_hand_in_float32():
    x = Variable(numpy.array([1.0, 2.0], dtype=numpy.float32))
    y = F.exp(x)
    assert y.dtype == numpy.float32
    F.sum(y).backward()                   # d e^x / dx = e^x
    numpy.testing.assert_allclose(x.grad, [math.e, math.e ** 2], rtol=1e-6)
    assert x.grad.dtype == numpy.float32
    x.cleargrad()
    y = F.log(x)
    assert y.dtype == numpy.float32
    F.sum(y).backward()                   # d log x / dx = 1 / x
    numpy.testing.assert_allclose(x.grad, [1.0, 0.5], rtol=1e-6)
    assert x.grad.dtype == numpy.float32


# ---------------------------------------------------------------------------
# Second derivatives


@pytest.mark.parametrize('shape', SHAPES)
def test_exp_double_backward(shape):
    gradient_check.check_double_backward(F.exp, _rand(*shape), _rand(*shape, seed=1),
                                         _rand(*shape, seed=2), dtype=numpy.float64)


@pytest.mark.parametrize('shape', SHAPES)
def test_log_double_backward(shape):
    gradient_check.check_double_backward(F.log, _rand(*shape, low=0.5, high=2.0), _rand(*shape, seed=1),
                                         _rand(*shape, seed=2), dtype=numpy.float64)


def _second_derivative(f, x):
    """``d/dx sum(d sum(f(x)) / dx)``: the diagonal of the Hessian of an elementwise ``f``."""
    gx, = minigrad.grad([F.sum(f(x))], [x], enable_double_backprop=True)
    return gx, minigrad.grad([F.sum(gx)], [x])[0]


def test_second_derivatives_by_hand():
    x = Variable(numpy.array([-1.0, 0.5, 2.0]))
    gx, ggx = _second_derivative(F.exp, x)            # d²/dx² sum(e^x) = e^x
    expected = numpy.vectorize(math.exp)(x.array)
    numpy.testing.assert_allclose(gx.array, expected, rtol=1e-12)
    numpy.testing.assert_allclose(ggx.array, expected, rtol=1e-12)
    x = Variable(numpy.array([0.5, 1.0, 4.0]))
    gx, ggx = _second_derivative(F.log, x)            # d²/dx² sum(log x) = -1 / x²
    numpy.testing.assert_allclose(gx.array, [2.0, 1.0, 0.25], rtol=1e-12)
    numpy.testing.assert_allclose(ggx.array, [-4.0, -1.0, -0.0625], rtol=1e-12)


def test_second_derivatives_stay_float32():
    for f in (F.exp, F.log):
        x = Variable(numpy.array([0.5, 2.0], dtype=numpy.float32))
        gx, ggx = _second_derivative(f, x)
        assert gx.dtype == ggx.dtype == numpy.float32
