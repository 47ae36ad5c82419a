"""F.average (minigrad/functions/math/average.py)."""
import itertools

import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.math.average import average
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

SHAPE = (2, 3, 4)


def _rand(shape, seed, low=-1, high=1):
    return numpy.random.RandomState(seed).uniform(low, high, shape)


def _reference(x, axis, w, keepdims):
    """Weighted average by visiting every element: numerator and denominator per output cell."""
    if axis is None:
        axes = set(range(x.ndim))
    else:
        axes = {a % x.ndim for a in (axis if isinstance(axis, tuple) else (axis,))}
    num = numpy.zeros(tuple(1 if d in axes else n for d, n in enumerate(x.shape)))
    den = numpy.zeros_like(num)
    for idx in itertools.product(*(range(n) for n in x.shape)):
        if w is None:
            weight = 1.0
        elif axis is None:
            weight = w[idx]
        else:
            weight = w[idx[min(axes)]]
        out = tuple(0 if d in axes else i for d, i in enumerate(idx))
        num[out] += weight * x[idx]
        den[out] += weight
    y = num / den
    if axis is None and w is not None:      # one denominator: the sum of every weight
        y = num / w.sum()
    if not keepdims:
        y = y.reshape(tuple(n for d, n in enumerate(x.shape) if d not in axes))
    return y


@pytest.mark.parametrize('axis', [None, 0, 1, -1, (0, 2), ()])
@pytest.mark.parametrize('keepdims', [False, True])
def test_unweighted_is_the_mean(axis, keepdims):
    x = _rand(SHAPE, 0)
    y = average(x, axis=axis, keepdims=keepdims)
    expected = _reference(x, axis, None, keepdims)
    assert y.shape == expected.shape
    numpy.testing.assert_allclose(y.data, expected, rtol=1e-12)
    gy = _rand(y.shape, 1)
    f = lambda v: average(v, axis=axis, keepdims=keepdims)      # NOQA
    gradient_check.check_backward(f, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, gy, _rand(SHAPE, 2), dtype=numpy.float64)


@pytest.mark.parametrize('axis', [None, 0, 1, -1])
@pytest.mark.parametrize('keepdims', [False, True])
def test_weighted(axis, keepdims):
    x = _rand(SHAPE, 0)
    w = _rand(SHAPE if axis is None else (SHAPE[axis],), 3, 0.5, 2)
    y = average(x, axis=axis, weights=w, keepdims=keepdims)
    expected = _reference(x, axis, w, keepdims)
    assert y.shape == expected.shape
    numpy.testing.assert_allclose(y.data, expected, rtol=1e-12)
    gy = _rand(y.shape, 1)
    f = lambda v, w: average(v, axis=axis, weights=w, keepdims=keepdims)     # NOQA
    gradient_check.check_backward(f, (x, w), gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, (x, w), gy, (_rand(SHAPE, 2), _rand(w.shape, 4)),
                                         dtype=numpy.float64)


def test_by_hand():
    # (1*1 + 1*2 + 2*6) / 4 = 3.75; d/dw_i = (x_i - avg) / sum(w).
    x = Variable(numpy.array([1.0, 2.0, 6.0]))
    w = Variable(numpy.array([1.0, 1.0, 2.0]))
    y = average(x, weights=w)
    numpy.testing.assert_allclose(y.data, 3.75)
    gx, gw = grad([y], [x, w], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.data, [0.25, 0.25, 0.5])
    numpy.testing.assert_allclose(gw.data, [(1 - 3.75) / 4, (2 - 3.75) / 4, (6 - 3.75) / 4])
    # d^2 y / dx_i dw_j = ([i == j] - w_i / sum(w)) / sum(w); summed over i: 0.
    ggw, = grad([sum_(gx)], [w])
    numpy.testing.assert_allclose(ggw.data, [0.0, 0.0, 0.0], atol=1e-15)


def test_float32_stays_float32():
    assert_float32_to_second_order(lambda v, w: average(v, axis=1, weights=w),
                                   _rand((2, 3), 0), _rand((3,), 1, 0.5, 1))
    y = average(Variable(numpy.ones((2, 3), dtype=numpy.float32)), axis=1, weights=numpy.ones(3))
    assert y.dtype == numpy.float32     # a constant float64 weights array takes x's dtype


def test_bad_inputs_are_rejected():
    x = numpy.zeros((2, 3))
    with pytest.raises(InvalidType, match=r'Average: expect weights\.shape == \(x\.shape\[1\],\), '
                                          r'actual \(2,\) != \(3,\)'):
        average(x, axis=1, weights=numpy.ones(2))
    with pytest.raises(InvalidType, match=r'Average: expect weights\.shape == x\.shape, actual '
                                          r'\(3,\) != \(2, 3\)'):
        average(x, weights=numpy.ones(3))
    with pytest.raises(InvalidType, match=r'Average: expect a single axis with weights, actual axis '
                                          r'== \(0, 1\)'):
        average(x, axis=(0, 1), weights=numpy.ones((2, 3)))
    with pytest.raises(InvalidType, match=r'Average: expect -x\.ndim <= axis < x\.ndim, actual axis == 2'):
        average(x, axis=2)
    with pytest.raises(InvalidType, match=r'Average: expect weights\.dtype == x\.dtype, actual '
                                          r'float32 != float64'):
        average(x, axis=1, weights=Variable(numpy.ones(3, dtype=numpy.float32)))
    with pytest.raises(InvalidType, match=r'Average: expect x\.dtype\.kind == "f", actual x\.dtype == int'):
        average(numpy.array([1, 2]))
