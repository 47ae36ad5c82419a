"""F.squeeze (minigrad/functions/array/squeeze.py)."""
import numpy
import pytest

from minigrad import gradient_check
from minigrad.functions.array.squeeze import squeeze
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

SHAPE = (2, 1, 3, 1)


def _rand(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


@pytest.mark.parametrize('axis, out_shape', [(None, (2, 3)), (1, (2, 3, 1)), (-1, (2, 1, 3)),
                                             ((1, 3), (2, 3)), ((3, -3), (2, 3))])
def test_forward_backward_and_double_backward(axis, out_shape):
    x = _rand(SHAPE, 0)
    y = squeeze(x, axis)
    assert y.shape == out_shape
    # The same elements in the same order, by hand: x[n, 0, c, 0] is y's (n, c) element.
    for n in range(2):
        for c in range(3):
            assert y.data.reshape(2, 3)[n, c] == x[n, 0, c, 0]
    f = lambda v: squeeze(v, axis)      # NOQA
    gradient_check.check_backward(f, x, _rand(out_shape, 1), dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, _rand(out_shape, 1), _rand(SHAPE, 2), dtype=numpy.float64)


def test_all_ones_squeeze_to_a_scalar():
    assert squeeze(numpy.ones((1, 1))).shape == ()
    assert squeeze(numpy.ones(3)).shape == (3,)


def test_float32_stays_float32():
    assert_float32_to_second_order(squeeze, _rand(SHAPE, 0))


def test_bad_inputs_are_rejected():
    x = numpy.zeros(SHAPE)
    with pytest.raises(InvalidType, match=r'Squeeze: expect x\.shape\[2\] == 1, actual 3 != 1'):
        squeeze(x, 2)
    with pytest.raises(InvalidType, match=r'Squeeze: expect axis < x\.ndim, actual 4 >= 4'):
        squeeze(x, 4)
    with pytest.raises(InvalidType, match=r'Squeeze: expect no repeated axis, actual axis == \(1, -3\)'):
        squeeze(x, (1, -3))
    with pytest.raises(InvalidType, match=r'Squeeze: expect axis None, an int or a tuple of ints, '
                                          r'actual axis == \(1\.5,\)'):
        squeeze(x, 1.5)
