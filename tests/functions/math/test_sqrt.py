"""F.sqrt and F.rsqrt (minigrad/functions/math/sqrt.py)."""
import math

import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.math.sqrt import rsqrt, sqrt
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

SHAPES = [(), (5,), (2, 3), (2, 3, 2)]


def _positive(shape, seed):
    return numpy.random.RandomState(seed).uniform(0.5, 3, shape)


def _rand(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('func, scalar', [(sqrt, math.sqrt), (rsqrt, lambda v: 1 / math.sqrt(v))])
def test_forward_backward_and_double_backward(shape, func, scalar):
    x = _positive(shape, 0)
    expected = numpy.array([scalar(v) for v in x.ravel()]).reshape(shape)
    numpy.testing.assert_allclose(func(x).data, expected, rtol=1e-14)
    gy, ggx = _rand(shape, 1), _rand(shape, 2)
    gradient_check.check_backward(func, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(func, x, gy, ggx, dtype=numpy.float64)


def test_derivatives_by_hand():
    # sqrt at 4: y = 2, y' = 1 / (2 y) = 1/4, y'' = -1 / (4 y^3) = -1/32.
    x = Variable(numpy.array([4.0]))
    gx, = grad([sum_(sqrt(x))], [x], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.data, [0.25])
    ggx, = grad([sum_(gx)], [x])
    numpy.testing.assert_allclose(ggx.data, [-1 / 32])


def test_negative_gives_nan_as_numpy():
    with numpy.errstate(invalid='ignore'):
        assert numpy.isnan(sqrt(numpy.array([-1.0])).data).all()


@pytest.mark.parametrize('func', [sqrt, rsqrt])
def test_float32_stays_float32(func):
    assert_float32_to_second_order(func, _positive((2, 3), 0))


def test_bad_inputs_are_rejected():
    with pytest.raises(InvalidType, match=r"sqrt.*: expect x\.dtype\.kind == f, actual i != f"):
        sqrt(numpy.array([1, 4]))
    with pytest.raises(InvalidType, match=r"sqrt.*: expect x\.dtype\.kind == f, actual i != f"):
        rsqrt(numpy.array([1, 4]))
