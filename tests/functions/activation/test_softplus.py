"""F.softplus (minigrad/functions/activation/softplus.py)."""
import math

import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.activation.softplus import softplus
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

SHAPES = [(), (5,), (2, 3), (2, 3, 2)]
BETAS = [1.0, 2.0, 0.5, -1.5]


def _rand(shape, seed, low=-3, high=3):
    return numpy.random.RandomState(seed).uniform(low, high, shape)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('beta', BETAS)
def test_forward_matches_the_formula(shape, beta):
    x = _rand(shape, 0)
    expected = numpy.array([math.log(1 + math.exp(beta * v)) / beta for v in x.ravel()]).reshape(shape)
    y = softplus(x, beta)
    assert y.shape == shape
    numpy.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('beta', BETAS)
def test_backward_and_double_backward(shape, beta):
    x, gy, ggx = _rand(shape, 0), _rand(shape, 1, -1, 1), _rand(shape, 2, -1, 1)
    f = lambda v: softplus(v, beta)        # NOQA
    gradient_check.check_backward(f, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, gy, ggx, dtype=numpy.float64)


def test_derivatives_by_hand():
    # softplus'(x) = sigmoid(beta x): 1/2 at 0; softplus''(0) = beta / 4.
    x = Variable(numpy.array([0.0]))
    gx, = grad([softplus(x, beta=2.0)], [x], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.data, [0.5])
    ggx, = grad([gx], [x])
    numpy.testing.assert_allclose(ggx.data, [0.5])


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_large_inputs_stay_finite(dtype):
    x = Variable(numpy.array([1e4, -1e4, 0.0], dtype=dtype))
    with numpy.errstate(over='raise', invalid='raise', divide='raise'):
        y = softplus(x)
        y.grad = numpy.ones(3, dtype=dtype)
        y.backward()
    numpy.testing.assert_allclose(y.data, [1e4, 0.0, math.log(2)], rtol=1e-6)
    numpy.testing.assert_array_equal(x.grad, [1.0, 0.0, 0.5])


def test_float32_stays_float32():
    assert_float32_to_second_order(lambda v: softplus(v, 2.0), _rand((2, 3), 0))


def test_bad_inputs_are_rejected():
    with pytest.raises(InvalidType, match=r"Softplus.*: expect x\.dtype\.kind == f, actual i != f"):
        softplus(numpy.array([1, 2]))
    with pytest.raises(InvalidType, match=r'Softplus: expect beta != 0, actual beta == 0'):
        softplus(numpy.zeros(2), beta=0)
