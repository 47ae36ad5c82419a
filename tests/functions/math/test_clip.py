"""F.clip (minigrad/functions/math/clip.py)."""
import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.math.clip import clip
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

BOUNDS = [(-0.5, 0.5), (None, 0.3), (-0.2, None), (numpy.float64(-1.0), numpy.float64(1.5))]


def _away_from(bounds, shape, seed):
    """Values in [-2, 2] at least 0.05 from either bound (where the slope jumps)."""
    x = numpy.random.RandomState(seed).uniform(-2, 2, shape)
    for b in bounds:
        if b is not None:
            x[numpy.abs(x - b) < 0.05] = b + 0.1
    return x


@pytest.mark.parametrize('shape', [(), (7,), (2, 3), (2, 3, 2)])
@pytest.mark.parametrize('x_min, x_max', BOUNDS)
def test_forward_backward_and_double_backward(shape, x_min, x_max):
    x = _away_from((x_min, x_max), shape, 0)
    lo = -numpy.inf if x_min is None else x_min
    hi = numpy.inf if x_max is None else x_max
    expected = numpy.array([min(max(v, lo), hi) for v in x.ravel()]).reshape(shape)
    numpy.testing.assert_array_equal(clip(x, x_min, x_max).data, expected)
    rng = numpy.random.RandomState(1)
    gy, ggx = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    f = lambda v: clip(v, x_min, x_max)     # NOQA
    gradient_check.check_backward(f, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, gy, ggx, dtype=numpy.float64)


def test_gradient_is_one_at_the_bounds():
    x = Variable(numpy.array([-1.0, -0.5, 0.0, 0.5, 1.0]))
    gx, = grad([sum_(clip(x, -0.5, 0.5))], [x])
    numpy.testing.assert_array_equal(gx.data, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_float32_stays_float32_with_float64_bounds():
    x = numpy.array([-2.0, 0.25, 2.0], dtype=numpy.float32)
    y = clip(x, numpy.float64(-1.0), numpy.float64(1.0))
    assert y.dtype == numpy.float32
    numpy.testing.assert_array_equal(y.data, [-1.0, 0.25, 1.0])
    assert_float32_to_second_order(lambda v: clip(v, -0.5, 0.5), _away_from((-0.5, 0.5), (2, 3), 0))


def test_bad_inputs_are_rejected():
    x = numpy.zeros(3)
    with pytest.raises(InvalidType, match=r'Clip: expect x_min or x_max to be given, actual x_min '
                                          r'== x_max == None'):
        clip(x, None, None)
    with pytest.raises(InvalidType, match=r'Clip: expect x_min < x_max, actual x_min == 1\.0, x_max == 1\.0'):
        clip(x, 1.0, 1.0)
    with pytest.raises(InvalidType, match=r'Clip: expect x_max a scalar or None, actual x_max == array'):
        clip(x, 0.0, numpy.ones(3))
    with pytest.raises(InvalidType, match=r"Clip.*: expect x\.dtype\.kind == f, actual i != f"):
        clip(numpy.array([1, 2]), 0, 1)
