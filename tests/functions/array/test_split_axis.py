"""F.split_axis (minigrad/functions/array/split_axis.py)."""
import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.array.split_axis import split_axis
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

SHAPE = (4, 6)


def _rand(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


# (indices_or_sections, axis, the pieces' [start, stop) along the axis, written by hand)
CASES = [
    (2, 0, [(0, 2), (2, 4)]),
    (3, 1, [(0, 2), (2, 4), (4, 6)]),
    (1, -1, [(0, 6)]),
    ([1, 3], 0, [(0, 1), (1, 3), (3, 4)]),
    ([0, 2], 1, [(0, 0), (0, 2), (2, 6)]),
    ([2, 2, 5], -1, [(0, 2), (2, 2), (2, 5), (5, 6)]),
    (numpy.array([3]), 1, [(0, 3), (3, 6)]),
    ([], 0, [(0, 4)]),
]


@pytest.mark.parametrize('ios, axis, bounds', CASES)
def test_forward_backward_and_double_backward(ios, axis, bounds):
    x = _rand(SHAPE, 0)
    ys = split_axis(x, ios, axis)
    assert isinstance(ys, tuple) and len(ys) == len(bounds)
    a = axis % 2
    for y, (start, stop) in zip(ys, bounds):
        expected = x[start:stop] if a == 0 else x[:, start:stop]
        assert y.shape == expected.shape
        numpy.testing.assert_array_equal(y.data, expected)
    gys = tuple(_rand(y.shape, 10 + i) for i, y in enumerate(ys))
    f = lambda v: split_axis(v, ios, axis)      # NOQA
    gradient_check.check_backward(f, x, gys, dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, gys, _rand(SHAPE, 2), dtype=numpy.float64)


def test_force_tuple():
    x = numpy.zeros(SHAPE)
    assert isinstance(split_axis(x, 1, 0), tuple)
    y = split_axis(x, 1, 0, force_tuple=False)
    assert isinstance(y, Variable) and y.shape == SHAPE
    assert isinstance(split_axis(x, 2, 0, force_tuple=False), tuple)


def test_pieces_without_gradient_count_as_zero():
    x = Variable(numpy.ones((2, 3)))
    ys = split_axis(x, [1], axis=1)
    gx, = grad([sum_(ys[0] * 3.0)], [x])
    numpy.testing.assert_array_equal(gx.data, [[3.0, 0.0, 0.0], [3.0, 0.0, 0.0]])


def test_float32_stays_float32():
    assert_float32_to_second_order(lambda v: split_axis(v, [1, 4], 1), _rand(SHAPE, 0))


def test_bad_inputs_are_rejected():
    x = numpy.zeros(SHAPE)
    with pytest.raises(InvalidType, match=r'SplitAxis: expect sections > 0 dividing x\.shape\[axis\], '
                                          r'actual sections == 4, x\.shape\[1\] == 6'):
        split_axis(x, 4, 1)
    with pytest.raises(InvalidType, match=r'SplitAxis: expect sorted indices in \[0, '
                                          r'x\.shape\[axis\]\] == \[0, 4\], '
                                          r'actual indices == \[1, 5\]'):
        split_axis(x, [1, 5], 0)
    with pytest.raises(InvalidType, match=r'SplitAxis: expect sorted indices .*actual indices == \[3, 1\]'):
        split_axis(x, [3, 1], 0)
    with pytest.raises(InvalidType, match=r'SplitAxis: expect indices_or_sections an int or a 1-D '
                                          r'sequence of ints, '
                                          r'actual indices_or_sections == \[1\.5\]'):
        split_axis(x, [1.5], 0)
    with pytest.raises(InvalidType, match=r'SplitAxis axis=2: expect axis < x\.ndim, actual 2 >= 2'):
        split_axis(x, 2, 2)
