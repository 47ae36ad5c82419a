"""F.sigmoid (minigrad/functions/activation/sigmoid.py)."""
import math

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


@pytest.mark.parametrize('shape', [(), (5,), (2, 3), (2, 3, 2, 2)])
def test_forward_and_backward(shape):
    x = numpy.random.RandomState(0).uniform(-4, 4, shape)
    expected = numpy.array([1 / (1 + math.exp(-v)) for v in x.ravel()]).reshape(shape)
    numpy.testing.assert_allclose(F.sigmoid(x).data, expected, rtol=1e-12)
    gy = numpy.random.RandomState(1).uniform(-1, 1, shape)
    gradient_check.check_backward(F.sigmoid, x, gy, dtype=numpy.float64)


@pytest.mark.parametrize('shape', [(), (5,), (2, 3), (2, 3, 2, 2)])
def test_double_backward(shape):
    rng = numpy.random.RandomState(2)
    x = rng.uniform(-4, 4, shape)
    gy, ggx = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    gradient_check.check_double_backward(F.sigmoid, x, gy, ggx, dtype=numpy.float64)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_second_derivative_by_hand(dtype):
    # sigmoid'' = s (1 - s) (1 - 2 s)
    x = Variable(numpy.array([-2.0, 0.0, 0.5, 3.0], dtype=dtype))
    gx, = minigrad.grad([F.sum(F.sigmoid(x))], [x], enable_double_backprop=True)
    ggx, = minigrad.grad([F.sum(gx)], [x])
    s = 1 / (1 + numpy.exp(-x.array.astype(numpy.float64)))
    numpy.testing.assert_allclose(gx.array, s * (1 - s), rtol=1e-6)
    numpy.testing.assert_allclose(ggx.array, s * (1 - s) * (1 - 2 * s), rtol=1e-5, atol=1e-7)
    assert gx.dtype == ggx.dtype == dtype


def test_derivative_by_hand_float32():
    # sigmoid(0) = 1/2 and sigmoid'(0) = 1/2 * (1 - 1/2) = 1/4
    x = Variable(numpy.zeros(2, dtype=numpy.float32))
    y = F.sigmoid(x)
    assert y.dtype == numpy.float32
    numpy.testing.assert_array_equal(y.data, [0.5, 0.5])
    F.sum(y).backward()
    assert x.grad.dtype == numpy.float32
    numpy.testing.assert_array_equal(x.grad, [0.25, 0.25])


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_large_logits_stay_finite(dtype):
    x = Variable(numpy.array([1e4, -1e4, 0.0], dtype=dtype))
    with numpy.errstate(over='raise', invalid='raise', divide='raise'):
        y = F.sigmoid(x)
        F.sum(y).backward()
    numpy.testing.assert_array_equal(y.data, [1.0, 0.0, 0.5])
    numpy.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.25])
    assert y.dtype == dtype and x.grad.dtype == dtype


def test_keeps_only_the_output():
    x = Variable(numpy.zeros(2))
    loss = F.sum(F.sigmoid(x))
    assert x.node.data is None          # backward reads y, not x
    loss.backward()
    numpy.testing.assert_array_equal(x.grad, [0.25, 0.25])


def test_integer_input_is_rejected():
    with pytest.raises(InvalidType, match=r"Sigmoid.*: expect x\.dtype\.kind == f, actual i != f"):
        F.sigmoid(numpy.array([1, 2]))
