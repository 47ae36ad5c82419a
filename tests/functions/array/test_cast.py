"""F.cast (minigrad/core.py): a dtype change whose gradient comes back in the input's dtype."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check


def _rand(*shape, seed=0, dtype=numpy.float64):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(dtype)


PAIRS = [(numpy.float32, numpy.float64), (numpy.float64, numpy.float32)]


@pytest.mark.parametrize('src, dst', PAIRS)
@pytest.mark.parametrize('shape', [(), (3,), (2, 3)])
def test_cast(src, dst, shape):
    x_data = _rand(*shape, dtype=src)
    x = Variable(x_data.copy())
    y = F.cast(x, dst)
    assert y.dtype == dst and y.shape == shape
    numpy.testing.assert_array_equal(y.data, x_data.astype(dst))
    gy = _rand(*shape, seed=1, dtype=dst)
    y.grad = gy.copy()
    y.backward()
    assert x.grad.dtype == src                     # the gradient takes the input's dtype back
    numpy.testing.assert_array_equal(x.grad, gy.astype(src))


# Cast is linear, so a central difference is exact at any step: a large eps keeps float32's
# rounding (about 1e-7) far below the tolerance.  No dtype= here: it would turn the cast into a no-op.
@pytest.mark.parametrize('src, dst', PAIRS)
def test_cast_first_and_second_derivatives(src, dst):
    x, gy, ggx = _rand(2, 3, dtype=src), _rand(2, 3, seed=1, dtype=dst), _rand(2, 3, seed=2, dtype=src)
    gradient_check.check_backward(lambda v: F.cast(v, dst), x, gy, eps=0.5)
    gradient_check.check_double_backward(lambda v: F.cast(v, dst), x, gy, ggx, eps=0.5)


@pytest.mark.parametrize('src, dst', PAIRS)
def test_gradient_of_the_gradient_keeps_each_dtype(src, dst):
    x = Variable(_rand(2, 3, dtype=src))
    gy = Variable(_rand(2, 3, seed=1, dtype=dst))
    gx, = minigrad.grad([F.cast(x, dst)], [x], grad_outputs=[gy], enable_double_backprop=True)
    assert gx.dtype == src
    numpy.testing.assert_array_equal(gx.array, gy.array.astype(src))
    v = _rand(2, 3, seed=2, dtype=src)
    ggy, = minigrad.grad([F.sum(gx * v)], [gy])    # d <cast(gy), v> / d gy = cast(v), in gy's dtype
    assert ggy.dtype == dst
    numpy.testing.assert_array_equal(ggy.array, v.astype(dst))
    assert minigrad.grad([F.sum(gx * gx)], [x]) == [None]


def test_cast_in_a_float32_computation_and_back():
    # The common use: compute one step in float64, return to float32; every gradient is float32.
    x = Variable(numpy.array([0.5, 2.0], dtype=numpy.float32))
    y = F.cast(F.exp(F.cast(x, numpy.float64)) * 3.0, numpy.float32)
    assert y.dtype == numpy.float32
    gx, = minigrad.grad([F.sum(y)], [x], enable_double_backprop=True)
    ggx, = minigrad.grad([F.sum(gx)], [x])
    assert gx.dtype == ggx.dtype == numpy.float32
    expected = 3.0 * numpy.exp(numpy.array([0.5, 2.0]))     # d/dx and d²/dx² of 3 e^x
    numpy.testing.assert_allclose(gx.array, expected, rtol=1e-6)
    numpy.testing.assert_allclose(ggx.array, expected, rtol=1e-6)


def test_cast_to_the_same_dtype_passes_through():
    x = Variable(_rand(3))
    y = F.cast(x, numpy.float64)
    numpy.testing.assert_array_equal(y.data, x.data)
    F.sum(y * 2.0).backward()
    numpy.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
