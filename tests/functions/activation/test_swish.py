"""F.swish (minigrad/functions/activation/swish.py)."""
import math

import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.configuration import force_backprop_mode
from minigrad.functions.activation.swish import swish
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

# (x.shape, beta.shape): beta covers the axes after the batch axis, from the left.
SHAPES = [((5,), ()), ((3, 4), ()), ((3, 4), (4,)), ((2, 3, 2), (3,)), ((2, 3, 2), (3, 2))]


def _rand(shape, seed, low=-2, high=2):
    return numpy.random.RandomState(seed).uniform(low, high, shape)


def _reference(x, beta):
    y = numpy.empty_like(x)
    for idx in numpy.ndindex(x.shape):
        b = beta[idx[1:1 + beta.ndim]]
        y[idx] = x[idx] / (1 + math.exp(-b * x[idx]))
    return y


@pytest.mark.parametrize('x_shape, beta_shape', SHAPES)
def test_forward_matches_loops(x_shape, beta_shape):
    x, beta = _rand(x_shape, 0), _rand(beta_shape, 1)
    y = swish(x, beta)
    assert y.shape == x_shape
    numpy.testing.assert_allclose(y.data, _reference(x, beta), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize('x_shape, beta_shape', SHAPES)
def test_backward_and_double_backward(x_shape, beta_shape):
    x, beta = _rand(x_shape, 0), _rand(beta_shape, 1)
    gy, ggx, ggb = _rand(x_shape, 2, -1, 1), _rand(x_shape, 3, -1, 1), _rand(beta_shape, 4, -1, 1)
    gradient_check.check_backward(swish, (x, beta), gy, dtype=numpy.float64)
    gradient_check.check_double_backward(swish, (x, beta), gy, (ggx, ggb), dtype=numpy.float64)


def test_third_derivative_is_differentiable_too():
    # The second derivatives are written with differentiable functions, so a
    # third order check passes as well (d/dx of the Hessian-vector product).
    x, beta = _rand((2, 3), 0), _rand((3,), 1)

    def hessian_vector(x, beta):
        with force_backprop_mode():     # the numerical check calls this without backprop
            gx, gb = grad([sum_(swish(x, beta))], [x, beta], enable_double_backprop=True)
        return sum_(gx * gx) + sum_(gb * gb)
    gradient_check.check_backward(hessian_vector, (x, beta), None, dtype=numpy.float64)


def test_values_by_hand():
    # beta = 0: y = x / 2, dy/dx = 1/2, dy/dbeta = x^2 / 4.
    x = Variable(numpy.array([[1.0, -2.0]]))
    beta = Variable(numpy.zeros(2))
    y = swish(x, beta)
    numpy.testing.assert_allclose(y.data, [[0.5, -1.0]])
    gx, gb = grad([sum_(y)], [x, beta], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.data, [[0.5, 0.5]])
    numpy.testing.assert_allclose(gb.data, [0.25, 1.0])
    # d^2 y / dx^2 at beta = 0 is beta s (1 - s)(2 + ...) = 0; d^2 y / dx dbeta = x s (1 - s) 2 = x / 2.
    ggx, = grad([sum_(gx)], [x])
    numpy.testing.assert_allclose(ggx.data, [[0.0, 0.0]])
    ggb, = grad([sum_(gx)], [beta])
    numpy.testing.assert_allclose(ggb.data, [0.5, -1.0])


def test_float32_stays_float32():
    assert_float32_to_second_order(swish, _rand((2, 3), 0), _rand((3,), 1))


def test_bad_inputs_are_rejected():
    x = numpy.zeros((2, 3))
    with pytest.raises(InvalidType, match=r'Swish: expect beta\.shape == x\.shape\[1:1 \+ beta\.ndim\], '
                                          r'actual \(2,\) != \(3,\)'):
        swish(x, numpy.zeros(2))
    with pytest.raises(InvalidType, match=r'Swish: expect beta\.ndim < x\.ndim, actual 2 >= 2'):
        swish(x, numpy.zeros((2, 3)))
    with pytest.raises(InvalidType, match=r'Swish: expect beta\.dtype == x\.dtype, actual float32 '
                                          r'!= float64'):
        swish(x, numpy.zeros(3, dtype=numpy.float32))
    with pytest.raises(InvalidType, match=r"Swish.*: expect x\.dtype\.kind == f, actual i != f"):
        swish(numpy.zeros((2, 3), dtype=numpy.int32), numpy.zeros(3))
