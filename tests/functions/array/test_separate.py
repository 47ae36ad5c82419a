"""F.separate (minigrad/functions/array/separate.py)."""
import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.array.separate import separate
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

SHAPE = (2, 3, 2)


def _rand(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


@pytest.mark.parametrize('axis', [0, 1, 2, -1, -3])
def test_forward_backward_and_double_backward(axis):
    x = _rand(SHAPE, 0)
    ys = separate(x, axis)
    a = axis % 3
    assert isinstance(ys, tuple) and len(ys) == SHAPE[a]
    for i, y in enumerate(ys):
        assert y.shape == SHAPE[:a] + SHAPE[a + 1:]
        for idx in numpy.ndindex(y.shape):
            full = list(idx)
            full.insert(a, i)
            assert y.data[idx] == x[tuple(full)]
    gys = tuple(_rand(y.shape, 10 + i) for i, y in enumerate(ys))
    f = lambda v: separate(v, axis)     # NOQA
    gradient_check.check_backward(f, x, gys, dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, gys, _rand(SHAPE, 2), dtype=numpy.float64)


def test_outputs_without_gradient_count_as_zero():
    x = Variable(numpy.ones((3, 2)))
    ys = separate(x)
    gx, = grad([sum_(ys[1] * 2.0)], [x])
    numpy.testing.assert_array_equal(gx.data, [[0.0, 0.0], [2.0, 2.0], [0.0, 0.0]])


def test_one_dimensional_gives_scalars():
    ys = separate(numpy.array([1.0, 2.0]))
    assert [y.shape for y in ys] == [(), ()]
    assert [float(y.data) for y in ys] == [1.0, 2.0]


def test_float32_stays_float32():
    assert_float32_to_second_order(lambda v: separate(v, 1), _rand(SHAPE, 0))


def test_bad_inputs_are_rejected():
    with pytest.raises(InvalidType, match=r'Separate axis=3: expect axis < x\.ndim, actual 3 >= 3'):
        separate(numpy.zeros(SHAPE), 3)
    with pytest.raises(InvalidType, match=r'Separate axis=0: expect axis < x\.ndim, actual 0 >= 0'):
        separate(numpy.zeros(()))
