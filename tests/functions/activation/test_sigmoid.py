"""F.sigmoid (minigrad/functions/activation/sigmoid.py)."""
import math

import numpy
import pytest

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
    y = F.sigmoid(Variable(numpy.ones(3)))
    assert y.creator._retained_inputs == ()
    assert y.creator.output_data[0] is y.data


def test_integer_input_is_rejected():
    with pytest.raises(InvalidType, match=r'Sigmoid: expect x\.dtype\.kind == "f", actual x\.dtype == int'):
        F.sigmoid(numpy.array([1, 2]))
