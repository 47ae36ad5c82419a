"""F.softmax (minigrad/functions/activation/softmax.py)."""
import math

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType

SHAPES_AXES = [((3,), 0), ((2, 4), 1), ((2, 4), 0), ((2, 4), -1),
               ((2, 3, 2, 2), 1), ((2, 3, 2, 2), 3), ((2, 3, 2, 2), -3)]


def _softmax_loops(x, axis):
    """Softmax along ``axis`` one slice at a time, with math.exp."""
    moved = numpy.moveaxis(x, axis, -1)
    out = numpy.empty_like(moved)
    for idx in numpy.ndindex(moved.shape[:-1]):
        row = moved[idx]
        exps = [math.exp(v) for v in row]
        total = sum(exps)
        out[idx] = [e / total for e in exps]
    return numpy.moveaxis(out, -1, axis)


@pytest.mark.parametrize('shape, axis', SHAPES_AXES)
def test_forward_and_backward(shape, axis):
    x = numpy.random.RandomState(0).uniform(-2, 2, shape)
    numpy.testing.assert_allclose(F.softmax(x, axis).data, _softmax_loops(x, axis), rtol=1e-12)
    gy = numpy.random.RandomState(1).uniform(-1, 1, shape)
    gradient_check.check_backward(lambda v: F.softmax(v, axis), x, gy, dtype=numpy.float64)


@pytest.mark.parametrize('shape, axis', SHAPES_AXES)
def test_double_backward(shape, axis):
    rng = numpy.random.RandomState(2)
    x = rng.uniform(-2, 2, shape)
    gy, ggx = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    gradient_check.check_double_backward(lambda v: F.softmax(v, axis), x, gy, ggx,
                                         dtype=numpy.float64)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_second_derivative_by_hand(dtype):
    # Two classes: y0 = sigmoid(x0 - x1), so d2 y0 / dx0^2 = s (1 - s) (1 - 2 s) with s = y0.
    x = Variable(numpy.array([[0.5, -0.25]], dtype=dtype))
    y = F.softmax(x)
    gx, = minigrad.grad([y[:, 0]], [x], enable_double_backprop=True)
    ggx, = minigrad.grad([gx[:, 0]], [x])
    s = 1 / (1 + numpy.exp(-0.75))
    numpy.testing.assert_allclose(gx.array, [[s * (1 - s), -s * (1 - s)]], rtol=1e-6)
    d2 = s * (1 - s) * (1 - 2 * s)
    numpy.testing.assert_allclose(ggx.array, [[d2, -d2]], rtol=1e-5)
    assert gx.dtype == ggx.dtype == dtype


def test_default_axis_is_1():
    x = numpy.random.RandomState(0).uniform(-1, 1, (2, 3, 4))
    numpy.testing.assert_allclose(F.softmax(x).data.sum(axis=1), numpy.ones((2, 4)), rtol=1e-12)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_large_logits_stay_finite(dtype):
    x = Variable(numpy.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]], dtype=dtype))
    with numpy.errstate(over='raise', invalid='raise', divide='raise'):
        y = F.softmax(x)
        y.grad = numpy.array([[1, 2, 3], [1, 2, 3]], dtype=dtype)
        y.backward()
    numpy.testing.assert_array_equal(y.data[0], [1.0, 0.0, 0.0])
    numpy.testing.assert_allclose(y.data[1], [1 / 3] * 3, rtol=1e-6)
    # gx = y * (gy - sum(y * gy)): row 0 is one-hot, so 0; row 1: (gy - 2) / 3
    numpy.testing.assert_array_equal(x.grad[0], [0, 0, 0])
    numpy.testing.assert_allclose(x.grad[1], [-1 / 3, 0, 1 / 3], rtol=1e-5, atol=1e-7)
    assert y.dtype == dtype and x.grad.dtype == dtype


def test_keeps_only_the_output():
    x = Variable(numpy.zeros((1, 2)))
    loss = F.sum(F.softmax(x) * numpy.array([[1.0, 3.0]]))
    assert x.node.data is None          # backward reads y, not x
    loss.backward()
    numpy.testing.assert_allclose(x.grad, [[-0.5, 0.5]])   # y (gy - sum(y gy)) = (1 - 2, 3 - 2) / 2


def test_bad_axis_is_rejected():
    with pytest.raises(InvalidType, match=r'Invalid operation in Softmax: expect -x\.ndim <= axis < x\.ndim.*'
                                          r'actual axis == 2, x\.ndim == 2 \(shape \(2, 3\)\)'):
        F.softmax(numpy.ones((2, 3)), axis=2)
    with pytest.raises(InvalidType, match=r'Softmax: .*actual axis == 1, x\.ndim == 1'):
        F.softmax(numpy.ones(3))           # the default axis=1 needs a batch axis


def test_integer_input_is_rejected():
    with pytest.raises(InvalidType, match=r"Softmax.*: expect x\.dtype\.kind == f, actual i != f"):
        F.softmax(numpy.ones((2, 3), dtype=numpy.int32))
