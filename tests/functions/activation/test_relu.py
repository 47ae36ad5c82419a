"""F.relu (minigrad/functions/activation/relu.py)."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def _away_from_zero(shape, seed=0):
    """Values in [-1, -0.1] or [0.1, 1]: relu is not differentiable at 0."""
    rng = numpy.random.RandomState(seed)
    return rng.uniform(0.1, 1.0, shape) * rng.choice([-1.0, 1.0], shape)


@pytest.mark.parametrize('shape', [(), (5,), (2, 3), (2, 3, 2, 2)])
def test_forward_matches_definition(shape):
    x = _away_from_zero(shape)
    y = F.relu(x)
    expected = numpy.array([v if v > 0 else 0.0 for v in x.ravel()]).reshape(shape)
    numpy.testing.assert_array_equal(y.data, expected)


SHAPES = [(), (5,), (2, 3), (2, 3, 2, 2)]


@pytest.mark.parametrize('shape', SHAPES)
def test_backward(shape):
    gy = numpy.random.RandomState(1).uniform(-1, 1, shape)
    gradient_check.check_backward(F.relu, _away_from_zero(shape), gy, dtype=numpy.float64)


@pytest.mark.parametrize('shape', SHAPES)
def test_double_backward(shape):
    rng = numpy.random.RandomState(2)
    gy, ggx = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    gradient_check.check_double_backward(F.relu, _away_from_zero(shape), gy, ggx,
                                         dtype=numpy.float64)


def test_by_hand_float32():
    x = Variable(numpy.array([[-2.0, -0.5, 0.0, 0.5, 3.0]], dtype=numpy.float32))
    y = F.relu(x)
    assert y.dtype == numpy.float32
    numpy.testing.assert_array_equal(y.data, [[0, 0, 0, 0.5, 3.0]])
    y.grad = numpy.array([[1, 2, 3, 4, 5]], dtype=numpy.float32)
    y.backward()
    assert x.grad.dtype == numpy.float32
    numpy.testing.assert_array_equal(x.grad, [[0, 0, 0, 4, 5]])   # 0 at x == 0


def test_float64_stays_float64():
    x = Variable(numpy.array([-1.0, 1.0]))
    F.sum(F.relu(x)).backward()
    assert x.grad.dtype == numpy.float64


def test_second_derivative_is_zero_and_float32():
    # d/dx (gy * [x > 0]) = 0 away from 0; the gradient of gx with respect to gy is the mask.
    x = Variable(numpy.array([-1.0, 2.0, 0.5], dtype=numpy.float32))
    gx, = minigrad.grad([F.sum(F.relu(x) * F.relu(x))], [x], enable_double_backprop=True)
    numpy.testing.assert_array_equal(gx.array, [0, 4, 1])          # 2 relu(x) [x > 0]
    ggx, = minigrad.grad([F.sum(gx)], [x])
    numpy.testing.assert_array_equal(ggx.array, [0, 2, 2])         # 2 [x > 0]
    assert gx.dtype == ggx.dtype == numpy.float32


def test_keeps_only_the_output():
    x = Variable(numpy.array([-1.0, 2.0]))
    loss = F.sum(F.relu(x))             # nobody but relu's node holds its output
    assert x.node.data is None          # the input is not kept ...
    loss.backward()                     # ... the output is, and backward reads the mask from it
    numpy.testing.assert_array_equal(x.grad, [0, 1])


def test_integer_input_is_rejected():
    with pytest.raises(InvalidType, match=r'^Invalid operation in ReLU: expect x\.dtype\.kind == f, '
                                          r'actual i != f$'):
        F.relu(numpy.array([1, -1]))
