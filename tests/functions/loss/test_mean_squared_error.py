"""F.mean_squared_error (minigrad/functions/loss/mean_squared_error.py)."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


@pytest.mark.parametrize('shape', [(), (4,), (3, 4), (2, 3, 2, 2)])
def test_forward_and_backward(shape):
    rng = numpy.random.RandomState(0)
    x0, x1 = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    total = 0.0
    for i in numpy.ndindex(shape):
        total += (x0[i] - x1[i]) ** 2
    loss = F.mean_squared_error(x0, x1)
    assert loss.shape == ()
    numpy.testing.assert_allclose(loss.data, total / x0.size, rtol=1e-12)
    gradient_check.check_backward(F.mean_squared_error, (x0, x1), None, dtype=numpy.float64)


@pytest.mark.parametrize('shape', [(), (4,), (3, 4), (2, 3, 2, 2)])
def test_double_backward(shape):
    rng = numpy.random.RandomState(0)
    x0, x1, ggx0, ggx1 = (rng.uniform(-1, 1, shape) for _ in range(4))
    gy = numpy.asarray(rng.uniform(-1, 1))      # a Variable's gradient, also differentiated
    gradient_check.check_double_backward(F.mean_squared_error, (x0, x1), gy, (ggx0, ggx1),
                                         dtype=numpy.float64)


def test_second_derivative_by_hand_float32():
    # The Hessian is 2/n [[I, -I], [-I, I]]: constant.
    x0 = Variable(numpy.array([1.0, 2.0, 3.0, 4.0], dtype=numpy.float32))
    x1 = Variable(numpy.array([1.0, 0.0, 3.0, 5.0], dtype=numpy.float32))
    gx0, gx1 = minigrad.grad([F.mean_squared_error(x0, x1)], [x0, x1],
                             enable_double_backprop=True)
    h00, h01 = minigrad.grad([F.sum(gx0 * numpy.arange(4))], [x0, x1])
    numpy.testing.assert_allclose(h00.array, numpy.arange(4) / 2, rtol=1e-6)
    numpy.testing.assert_allclose(h01.array, -numpy.arange(4) / 2, rtol=1e-6)
    assert gx0.dtype == gx1.dtype == h00.dtype == h01.dtype == numpy.float32


def test_against_a_constant_target():
    x0 = Variable(numpy.array([1.0, 2.0]))
    loss = F.mean_squared_error(x0, numpy.array([0.0, 0.0]))    # a constant target
    loss.backward()
    numpy.testing.assert_allclose(x0.grad, [1.0, 2.0])


def test_by_hand_float32():
    x0 = Variable(numpy.array([1.0, 2.0, 3.0, 4.0], dtype=numpy.float32))
    x1 = Variable(numpy.array([1.0, 0.0, 3.0, 5.0], dtype=numpy.float32))
    loss = F.mean_squared_error(x0, x1)
    assert loss.dtype == numpy.float32
    numpy.testing.assert_allclose(loss.data, (0 + 4 + 0 + 1) / 4, rtol=1e-6)
    loss.backward()                       # 2 (x0 - x1) / n
    assert x0.grad.dtype == numpy.float32 and x1.grad.dtype == numpy.float32
    numpy.testing.assert_allclose(x0.grad, [0, 1, 0, -0.5], rtol=1e-6)
    numpy.testing.assert_allclose(x1.grad, [0, -1, 0, 0.5], rtol=1e-6)


def test_bad_inputs_are_rejected():
    a = numpy.zeros((2, 3), dtype=numpy.float32)
    with pytest.raises(InvalidType, match=r'Invalid operation in MeanSquaredError: expect x0\.shape == '
                                          r'x1\.shape, actual \(2, 3\) != \(3, 2\)'):
        F.mean_squared_error(a, numpy.zeros((3, 2), dtype=numpy.float32))
    with pytest.raises(InvalidType, match=r'MeanSquaredError: expect x0\.dtype == x1\.dtype, '
                                          r'actual float32 != float64'):
        F.mean_squared_error(a, numpy.zeros((2, 3)))
    with pytest.raises(InvalidType, match=r"MeanSquaredError: expect x0\.dtype\.kind == f, "
                                          r'actual i != f'):
        F.mean_squared_error(numpy.zeros(3, dtype=numpy.int32), numpy.zeros(3, dtype=numpy.int32))
