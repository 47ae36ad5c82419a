"""F.tanh (minigrad/functions/activation/tanh.py)."""
import math

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


@pytest.mark.parametrize('shape', [(), (5,), (2, 3), (2, 3, 2, 2)])
def test_forward_and_backward(shape):
    x = numpy.random.RandomState(0).uniform(-2, 2, shape)
    expected = numpy.vectorize(math.tanh)(x)
    numpy.testing.assert_allclose(F.tanh(x).data, expected, rtol=1e-12)
    gy = numpy.random.RandomState(1).uniform(-1, 1, shape)
    gradient_check.check_backward(F.tanh, x, gy, dtype=numpy.float64)


@pytest.mark.parametrize('shape', [(), (5,), (2, 3), (2, 3, 2, 2)])
def test_double_backward(shape):
    rng = numpy.random.RandomState(2)
    x = rng.uniform(-2, 2, shape)
    gy, ggx = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    gradient_check.check_double_backward(F.tanh, x, gy, ggx, dtype=numpy.float64)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_second_derivative_by_hand(dtype):
    # tanh'' = -2 tanh (1 - tanh^2)
    x = Variable(numpy.array([-2.0, 0.0, 0.5, 1.5], dtype=dtype))
    gx, = minigrad.grad([F.sum(F.tanh(x))], [x], enable_double_backprop=True)
    ggx, = minigrad.grad([F.sum(gx)], [x])
    t = numpy.tanh(x.array.astype(numpy.float64))
    numpy.testing.assert_allclose(gx.array, 1 - t * t, rtol=1e-6)
    numpy.testing.assert_allclose(ggx.array, -2 * t * (1 - t * t), rtol=1e-5, atol=1e-7)
    assert gx.dtype == ggx.dtype == dtype


def test_by_hand_float32():
    x = Variable(numpy.array([0.0, 1e4, -1e4], dtype=numpy.float32))
    y = F.tanh(x)
    assert y.dtype == numpy.float32
    numpy.testing.assert_array_equal(y.data, [0.0, 1.0, -1.0])
    F.sum(y).backward()                      # 1 - tanh(x)^2
    assert x.grad.dtype == numpy.float32
    numpy.testing.assert_array_equal(x.grad, [1.0, 0.0, 0.0])


def test_keeps_only_the_output():
    x = Variable(numpy.zeros(2))
    loss = F.sum(F.tanh(x))
    assert x.node.data is None          # backward reads y, not x
    loss.backward()
    numpy.testing.assert_array_equal(x.grad, [1, 1])


def test_integer_input_is_rejected():
    with pytest.raises(InvalidType, match=r"Tanh.*: expect x\.dtype\.kind == f, actual i != f"):
        F.tanh(numpy.array([1, 2]))
