"""F.sum and F.mean (minigrad/functions/math/sum.py)."""
import itertools

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def _rand(*shape, seed=0, dtype=numpy.float64):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(dtype)


def _sum_reference(x, axis, keepdims):
    """Sum by visiting every element and adding it to its output cell."""
    axes = range(x.ndim) if axis is None else [a % x.ndim for a in (axis if isinstance(axis, tuple) else (axis,))]
    axes = set(axes)
    out_shape = tuple(1 if d in axes else n for d, n in enumerate(x.shape))
    y = numpy.zeros(out_shape)
    for idx in itertools.product(*(range(n) for n in x.shape)):
        y[tuple(0 if d in axes else i for d, i in enumerate(idx))] += x[idx]
    if not keepdims:
        y = y.reshape(tuple(n for d, n in enumerate(x.shape) if d not in axes))
    return y


AXES = [None, 0, 1, -1, (0, 2), (2, 0), (0, 1, 2), ()]


@pytest.mark.parametrize('axis', AXES)
@pytest.mark.parametrize('keepdims', [False, True])
def test_sum(axis, keepdims):
    x = _rand(2, 3, 4)
    y = F.sum(x, axis=axis, keepdims=keepdims)
    expected = _sum_reference(x, axis, keepdims)
    assert y.shape == expected.shape
    numpy.testing.assert_allclose(y.data, expected, rtol=1e-12)
    gradient_check.check_backward(lambda v: F.sum(v, axis=axis, keepdims=keepdims), x,
                                  _rand(*y.shape, seed=1), dtype=numpy.float64)


@pytest.mark.parametrize('axis', AXES)
@pytest.mark.parametrize('keepdims', [False, True])
def test_mean(axis, keepdims):
    x = _rand(2, 3, 4)
    y = F.mean(x, axis=axis, keepdims=keepdims)
    count = {None: 24, 0: 2, 1: 3, -1: 4, (0, 2): 8, (2, 0): 8, (0, 1, 2): 24, (): 1}[axis]
    numpy.testing.assert_allclose(y.data, _sum_reference(x, axis, keepdims) / count, rtol=1e-12)
    gradient_check.check_backward(lambda v: F.mean(v, axis=axis, keepdims=keepdims), x,
                                  _rand(*y.shape, seed=1), dtype=numpy.float64)


def test_sum_and_mean_by_hand():
    x = Variable(numpy.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=numpy.float32))
    s = F.sum(x, axis=0)
    numpy.testing.assert_array_equal(s.data, [5.0, 7.0, 9.0])
    assert s.dtype == numpy.float32
    m = F.mean(x, axis=1)
    numpy.testing.assert_array_equal(m.data, [2.0, 5.0])
    assert m.dtype == numpy.float32
    total = F.sum(s) + F.sum(m)       # d/dx = 1 + 1/3
    total.backward()
    numpy.testing.assert_allclose(x.grad, numpy.full((2, 3), 4.0 / 3.0), rtol=1e-6)
    assert x.grad.dtype == numpy.float32
    assert F.sum(x).shape == ()


def test_sum_axis_errors():
    with pytest.raises(InvalidType, match=r'Invalid operation in Sum: expect -x.ndim <= axis < x.ndim, '
                                          r'actual axis == 2, x.ndim == 2'):
        F.sum(numpy.zeros((2, 3)), axis=2)
    with pytest.raises(InvalidType, match=r'Invalid operation in Sum: expect no repeated axis, actual axis == \(1, -1\)'):
        F.sum(numpy.zeros((2, 3)), axis=(1, -1))
    with pytest.raises(InvalidType, match='Invalid operation in Mean: expect -x.ndim <= axis'):
        F.mean(numpy.zeros((2, 3)), axis=-3)


# ---------------------------------------------------------------------------
# Second derivatives: sum and mean are linear, so the gradient's gradient goes to gy only


@pytest.mark.parametrize('f', [F.sum, F.mean])
@pytest.mark.parametrize('axis', AXES)
@pytest.mark.parametrize('keepdims', [False, True])
def test_sum_and_mean_double_backward(f, axis, keepdims):
    x = _rand(2, 3, 4)
    y_shape = _sum_reference(x, axis, keepdims).shape
    gradient_check.check_double_backward(lambda v: f(v, axis=axis, keepdims=keepdims), x,
                                         _rand(*y_shape, seed=1), _rand(2, 3, 4, seed=2),
                                         dtype=numpy.float64)


def test_gradient_of_the_gradient_by_hand():
    x = Variable(_rand(2, 3))
    gy = Variable(numpy.array([1.0, 2.0]))
    gx, = minigrad.grad([F.mean(x, axis=1)], [x], grad_outputs=[gy], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.array, [[1 / 3] * 3, [2 / 3] * 3], rtol=1e-12)
    assert minigrad.grad([F.sum(gx * gx)], [x]) == [None]     # no dependence on x
    v = numpy.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    ggy, = minigrad.grad([F.sum(gx * v)], [gy])            # d <gx, v> / d gy = row sums of v / 3
    numpy.testing.assert_allclose(ggy.array, [2.0, 5.0], rtol=1e-12)
    x32 = Variable(_rand(2, 3, dtype=numpy.float32))
    gx, = minigrad.grad([F.sum(F.mean(x32, axis=0) ** 2)], [x32], enable_double_backprop=True)
    assert gx.dtype == numpy.float32
    assert minigrad.grad([F.sum(gx)], [x32])[0].dtype == numpy.float32
