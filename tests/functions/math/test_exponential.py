"""F.exp and F.log (minigrad/functions/math/exponential.py)."""
import math

import numpy
import pytest

import minigrad.functions as F
from minigrad import Variable, gradient_check


def _rand(*shape, seed=0, low=-1.0, high=1.0):
    return numpy.random.RandomState(seed).uniform(low, high, shape)


@pytest.mark.parametrize('shape', [(), (3,), (2, 3)])
def test_exp(shape):
    x = _rand(*shape)
    y = F.exp(x)
    expected = numpy.vectorize(math.exp)(x)
    numpy.testing.assert_allclose(y.data, expected, rtol=1e-12)
    gradient_check.check_backward(F.exp, x, _rand(*shape, seed=1), dtype=numpy.float64)


@pytest.mark.parametrize('shape', [(), (3,), (2, 3)])
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
