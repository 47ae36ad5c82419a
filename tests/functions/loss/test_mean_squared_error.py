"""F.mean_squared_error (minigrad/functions/loss/mean_squared_error.py)."""
import numpy
import pytest

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
    with pytest.raises(InvalidType, match=r'MeanSquaredError: expect x0\.dtype\.kind == "f", '
                                          r'actual x0\.dtype == int'):
        F.mean_squared_error(numpy.zeros(3, dtype=numpy.int32), numpy.zeros(3, dtype=numpy.int32))
