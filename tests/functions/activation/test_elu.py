"""F.elu (minigrad/functions/activation/elu.py)."""
import math

import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.activation.elu import elu
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

SHAPES = [(), (5,), (2, 3), (2, 3, 2)]
ALPHAS = [1.0, 0.5, 0.0, -0.3]


def _away_from_zero(shape, seed):
    """Values in [-3, 3] at least 0.1 from 0, where elu's second derivative jumps."""
    x = numpy.random.RandomState(seed).uniform(-3, 3, shape)
    x[numpy.abs(x) < 0.1] = 0.5
    return x


def _rand(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('alpha', ALPHAS)
def test_forward_matches_the_formula(shape, alpha):
    x = _away_from_zero(shape, 0)
    expected = numpy.array([v if v > 0 else alpha * (math.exp(v) - 1) for v in x.ravel()])
    y = elu(x, alpha)
    assert y.shape == shape
    numpy.testing.assert_allclose(y.data, expected.reshape(shape), rtol=1e-12, atol=1e-15)


def test_zero_is_on_the_exponential_side():
    numpy.testing.assert_array_equal(elu(numpy.array([0.0, -0.0])).data, [0.0, 0.0])
    x = Variable(numpy.array([0.0]))
    gx, = grad([elu(x, alpha=0.5)], [x])
    numpy.testing.assert_array_equal(gx.data, [0.5])     # alpha * exp(0)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('alpha', ALPHAS)
def test_backward_and_double_backward(shape, alpha):
    x, gy, ggx = _away_from_zero(shape, 0), _rand(shape, 1), _rand(shape, 2)
    f = lambda v: elu(v, alpha)        # NOQA
    gradient_check.check_backward(f, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, gy, ggx, dtype=numpy.float64)


def test_derivatives_by_hand():
    # For x <= 0: elu' = alpha e^x, elu'' = alpha e^x; for x > 0: 1 and 0.
    x = Variable(numpy.array([-1.0, 2.0]))
    gx, = grad([sum_(elu(x, alpha=2.0))], [x], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.data, [2 * math.exp(-1), 1.0])
    ggx, = grad([sum_(gx)], [x])
    numpy.testing.assert_allclose(ggx.data, [2 * math.exp(-1), 0.0])


def test_large_negative_inputs_stay_finite():
    with numpy.errstate(over='raise', invalid='raise'):
        y = elu(numpy.array([-1e4, 1e4], dtype=numpy.float32))
    numpy.testing.assert_array_equal(y.data, [-1.0, 1e4])


def test_float32_stays_float32():
    assert_float32_to_second_order(lambda v: elu(v, 0.7), _away_from_zero((2, 3), 0))


def test_bad_inputs_are_rejected():
    with pytest.raises(InvalidType, match=r"ELU.*: expect x\.dtype\.kind == f, actual i != f"):
        elu(numpy.array([1, -2]))
