"""F.where (minigrad/functions/array/where.py)."""
import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.array.where import where
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order


def _rand(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


# (condition, x, y) shapes: equal, and each of them broadcast.
SHAPES = [((2, 3), (2, 3), (2, 3)), ((2, 3), (3,), (2, 1)), ((3,), (2, 3), ()), ((2, 1), (1, 3), (2, 3))]


@pytest.mark.parametrize('c_shape, x_shape, y_shape', SHAPES)
def test_forward_backward_and_double_backward(c_shape, x_shape, y_shape):
    cond = numpy.random.RandomState(5).rand(*c_shape) > 0.5
    x, y = _rand(x_shape, 0), _rand(y_shape, 1)
    z = where(cond, x, y)
    shape = numpy.broadcast_shapes(c_shape, x_shape, y_shape)
    assert z.shape == shape
    cb, xb, yb = (numpy.broadcast_to(a, shape) for a in (cond, x, y))
    for idx in numpy.ndindex(shape):
        assert z.data[idx] == (xb[idx] if cb[idx] else yb[idx])
    gz = _rand(shape, 2)
    f = lambda a, b: where(cond, a, b)      # NOQA
    gradient_check.check_backward(f, (x, y), gz, dtype=numpy.float64)
    gradient_check.check_double_backward(f, (x, y), gz, (_rand(x_shape, 3), _rand(y_shape, 4)),
                                         dtype=numpy.float64)


def test_gradients_by_hand():
    x, y = Variable(numpy.zeros(3)), Variable(numpy.zeros(3))
    cond = Variable(numpy.array([True, False, True]))     # a Variable condition is read as its array
    gx, gy = grad([where(cond, x, y)], [x, y], grad_outputs=[numpy.array([1.0, 2.0, 3.0])])
    numpy.testing.assert_array_equal(gx.data, [1.0, 0.0, 3.0])
    numpy.testing.assert_array_equal(gy.data, [0.0, 2.0, 0.0])


def test_scalar_condition_and_constant_operand():
    x = Variable(numpy.arange(3, dtype=numpy.float32))
    z = where(True, x, 0.0)
    assert z.dtype == numpy.float32
    numpy.testing.assert_array_equal(z.data, [0.0, 1.0, 2.0])
    gx, = grad([sum_(where(numpy.array([False, True, False]), x, numpy.zeros(3)))], [x])
    numpy.testing.assert_array_equal(gx.data, [0.0, 1.0, 0.0])


def test_float32_stays_float32():
    cond = numpy.array([[True, False, True], [False, False, True]])
    assert_float32_to_second_order(lambda a, b: where(cond, a, b), _rand((2, 3), 0), _rand((3,), 1))


def test_bad_inputs_are_rejected():
    x = numpy.zeros((2, 3))
    with pytest.raises(InvalidType, match=r'Where: expect condition\.dtype == bool, actual '
                                          r'condition\.dtype == int64'):
        where(numpy.ones((2, 3), dtype=numpy.int64), x, x)
    with pytest.raises(InvalidType, match=r'Where: expect x\.dtype == y\.dtype, actual float64 != float32'):
        where(x > 0, Variable(x), Variable(x.astype(numpy.float32)))
    with pytest.raises(InvalidType, match=r'Where: expect condition\.shape, x\.shape and y\.shape '
                                          r'broadcastable, '
                                          r'actual \(2, 3\), \(2, 3\) and \(2,\)'):
        where(x > 0, x, numpy.zeros(2))
