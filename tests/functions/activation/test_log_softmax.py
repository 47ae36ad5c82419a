"""F.log_softmax (minigrad/functions/activation/log_softmax.py)."""
import math

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType

SHAPES_AXES = [((3,), 0), ((2, 4), 1), ((2, 4), 0), ((2, 3, 2, 2), 1), ((2, 3, 2, 2), -1)]


def _log_softmax_loops(x, axis):
    """``x_i - log(sum_j exp(x_j))`` one slice at a time, with math."""
    moved = numpy.moveaxis(x, axis, -1)
    out = numpy.empty_like(moved)
    for idx in numpy.ndindex(moved.shape[:-1]):
        row = moved[idx]
        log_total = math.log(sum(math.exp(v) for v in row))
        out[idx] = [v - log_total for v in row]
    return numpy.moveaxis(out, -1, axis)


@pytest.mark.parametrize('shape, axis', SHAPES_AXES)
def test_forward_and_backward(shape, axis):
    x = numpy.random.RandomState(0).uniform(-2, 2, shape)
    numpy.testing.assert_allclose(F.log_softmax(x, axis).data, _log_softmax_loops(x, axis),
                                  rtol=1e-12)
    gy = numpy.random.RandomState(1).uniform(-1, 1, shape)
    gradient_check.check_backward(lambda v: F.log_softmax(v, axis), x, gy, dtype=numpy.float64)


@pytest.mark.parametrize('shape, axis', SHAPES_AXES)
def test_double_backward(shape, axis):
    rng = numpy.random.RandomState(2)
    x = rng.uniform(-2, 2, shape)
    gy, ggx = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    gradient_check.check_double_backward(lambda v: F.log_softmax(v, axis), x, gy, ggx,
                                         dtype=numpy.float64)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_second_derivative_by_hand(dtype):
    # Two classes: y0 = -log(1 + e^(x1 - x0)), y0' = 1 - s, y0'' = -s (1 - s) with s = softmax(x)0.
    x = Variable(numpy.array([[0.5, -0.25]], dtype=dtype))
    y = F.log_softmax(x)
    gx, = minigrad.grad([y[:, 0]], [x], enable_double_backprop=True)
    ggx, = minigrad.grad([gx[:, 0]], [x])
    s = 1 / (1 + numpy.exp(-0.75))
    numpy.testing.assert_allclose(gx.array, [[1 - s, s - 1]], rtol=1e-6)
    numpy.testing.assert_allclose(ggx.array, [[-s * (1 - s), s * (1 - s)]], rtol=1e-5)
    assert gx.dtype == ggx.dtype == dtype


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_large_logits_stay_finite(dtype):
    x = Variable(numpy.array([[1e4, 0.0, -1e4]], dtype=dtype))
    with numpy.errstate(over='raise', invalid='raise', divide='raise'):
        y = F.log_softmax(x)
        y.grad = numpy.array([[1, 2, 3]], dtype=dtype)
        y.backward()
    # log(1 + e^-1e4 + e^-2e4) is 0 in floating point
    numpy.testing.assert_array_equal(y.data, [[0.0, -1e4, -2e4]])
    # gx = gy - softmax(x) * sum(gy) = [1, 2, 3] - [6, 0, 0]
    numpy.testing.assert_array_equal(x.grad, [[-5.0, 2.0, 3.0]])
    assert y.dtype == dtype and x.grad.dtype == dtype


def test_keeps_only_the_output():
    x = Variable(numpy.zeros((1, 2)))
    loss = F.sum(F.log_softmax(x) * numpy.array([[1.0, 3.0]]))
    assert x.node.data is None          # backward reads y, not x
    loss.backward()
    numpy.testing.assert_allclose(x.grad, [[-1.0, 1.0]])   # gy - exp(y) sum(gy) = gy - 4 / 2


def test_bad_input_is_rejected():
    with pytest.raises(InvalidType, match=r'Invalid operation in LogSoftmax: expect -x\.ndim <= axis < x\.ndim.*'
                                          r'actual axis == -3, x\.ndim == 2'):
        F.log_softmax(numpy.ones((2, 3)), axis=-3)
    with pytest.raises(InvalidType, match=r"LogSoftmax.*: expect x\.dtype\.kind == f, actual i != f"):
        F.log_softmax(numpy.ones((2, 3), dtype=numpy.int64))
