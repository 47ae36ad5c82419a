"""F.square (minigrad/functions/math/square.py)."""
import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.math.square import square
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order


def _rand(shape, seed):
    return numpy.random.RandomState(seed).uniform(-2, 2, shape)


@pytest.mark.parametrize('shape', [(), (5,), (2, 3), (2, 3, 2)])
def test_forward_backward_and_double_backward(shape):
    x = _rand(shape, 0)
    expected = numpy.array([v * v for v in x.ravel()]).reshape(shape)
    numpy.testing.assert_array_equal(square(x).data, expected)
    gy, ggx = _rand(shape, 1), _rand(shape, 2)
    gradient_check.check_backward(square, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(square, x, gy, ggx, dtype=numpy.float64)


def test_derivatives_by_hand():
    x = Variable(numpy.array([3.0, -1.5]))
    gx, = grad([sum_(square(x))], [x], enable_double_backprop=True)
    numpy.testing.assert_array_equal(gx.data, [6.0, -3.0])
    ggx, = grad([sum_(gx)], [x])
    numpy.testing.assert_array_equal(ggx.data, [2.0, 2.0])


def test_float32_stays_float32():
    assert_float32_to_second_order(square, _rand((2, 3), 0))


def test_bad_inputs_are_rejected():
    with pytest.raises(InvalidType, match=r"square.*: expect x\.dtype\.kind == f, actual i != f"):
        square(numpy.array([1, 2]))
