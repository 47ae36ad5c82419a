"""F.leaky_relu (minigrad/functions/activation/leaky_relu.py)."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def _away_from_zero(shape, seed=0):
    rng = numpy.random.RandomState(seed)
    return rng.uniform(0.1, 1.0, shape) * rng.choice([-1.0, 1.0], shape)


def _reference(x, slope):
    return numpy.array([v if v >= 0 else slope * v for v in x.ravel()]).reshape(x.shape)


@pytest.mark.parametrize('shape', [(5,), (2, 3), (2, 3, 2, 2)])
@pytest.mark.parametrize('slope', [0.2, 0.0, -0.5, 1.5])
def test_forward_and_backward(shape, slope):
    x = _away_from_zero(shape)
    numpy.testing.assert_allclose(F.leaky_relu(x, slope).data, _reference(x, slope), rtol=1e-15)
    gy = numpy.random.RandomState(1).uniform(-1, 1, shape)
    gradient_check.check_backward(lambda v: F.leaky_relu(v, slope), x, gy, dtype=numpy.float64)


@pytest.mark.parametrize('shape', [(5,), (2, 3), (2, 3, 2, 2)])
@pytest.mark.parametrize('slope', [0.2, 0.0, -0.5, 1.5])
def test_double_backward(shape, slope):
    rng = numpy.random.RandomState(2)
    gy, ggx = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    gradient_check.check_double_backward(lambda v: F.leaky_relu(v, slope), _away_from_zero(shape),
                                         gy, ggx, dtype=numpy.float64)


@pytest.mark.parametrize('slope', [0.2, -0.5])
def test_second_derivative_by_hand_float32(slope):
    # y = leaky_relu(x)^2: y' = 2 y a(x), y'' = 2 a(x)^2 with a = 1 or slope.
    x = Variable(numpy.array([-2.0, 3.0], dtype=numpy.float32))
    y = F.leaky_relu(x, slope)
    gx, = minigrad.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.array, [2 * (-2 * slope) * slope, 6], rtol=1e-6)
    ggx, = minigrad.grad([F.sum(gx)], [x])
    numpy.testing.assert_allclose(ggx.array, [2 * slope ** 2, 2], rtol=1e-6)
    assert gx.dtype == ggx.dtype == numpy.float32


@pytest.mark.parametrize('slope, keeps_input', [(0.2, False), (0.0, True), (-0.5, True)])
def test_keeps_the_output_when_it_has_the_sign_of_the_input(slope, keeps_input):
    x = Variable(numpy.array([-1.0, 2.0]))
    loss = F.sum(F.leaky_relu(x, slope))
    assert (x.node.data is not None) == keeps_input
    loss.backward()
    numpy.testing.assert_array_equal(x.grad, [slope, 1])


def test_default_slope_by_hand_float32():
    x = Variable(numpy.array([-2.0, 0.0, 3.0], dtype=numpy.float32))
    y = F.leaky_relu(x)
    assert y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.data, [-0.4, 0.0, 3.0], rtol=1e-6)
    y.grad = numpy.ones(3, dtype=numpy.float32)
    y.backward()
    assert x.grad.dtype == numpy.float32
    numpy.testing.assert_allclose(x.grad, [0.2, 1.0, 1.0], rtol=1e-6)


def test_numpy_scalar_slope_keeps_float32():
    x = Variable(numpy.array([-1.0, 1.0], dtype=numpy.float32))
    y = F.leaky_relu(x, numpy.float64(0.1))
    y.grad = numpy.ones(2, dtype=numpy.float32)
    y.backward()
    assert y.dtype == numpy.float32 and x.grad.dtype == numpy.float32


def test_label_shows_slope():
    y = F.leaky_relu(Variable(numpy.ones(2)), 0.3)
    assert y.creator.label == 'LeakyReLU slope=0.3'


def test_integer_input_is_rejected():
    with pytest.raises(InvalidType, match=r"LeakyReLU.*: expect x\.dtype\.kind == f, actual i != f"):
        F.leaky_relu(numpy.array([1, -1]))
