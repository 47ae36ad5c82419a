"""L.Linear: forward against x @ W.T + b, lazy shapes, initializers, gradients."""
import numpy
import pytest

import minigrad
import minigrad.links as L
from minigrad import gradient_check
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


def reference(x, W, b):
    x2 = x.reshape(len(x), -1).astype(numpy.float64)
    y = x2 @ W.astype(numpy.float64).T
    return y if b is None else y + b


@pytest.mark.parametrize('x_shape, in_size', [((3, 4), 4), ((2, 3, 2, 2), 12), ((1, 5), 5)])
@pytest.mark.parametrize('nobias', [False, True])
def test_forward(x_shape, in_size, nobias):
    fc = L.Linear(in_size, 5, nobias=nobias, initial_bias=None if nobias else 0.5)
    x = numpy.random.randn(*x_shape).astype(numpy.float32)
    y = fc(x)
    assert y.shape == (x_shape[0], 5) and y.dtype == numpy.float32
    if nobias:
        assert fc.b is None
        assert [path for path, _ in fc.namedparams()] == ['/W']
    b = None if nobias else fc.b.data
    numpy.testing.assert_allclose(y.data, reference(x, fc.W.data, b), rtol=1e-5, atol=1e-5)


def test_n_batch_axes():
    fc = L.Linear(4, 2)
    x = numpy.random.randn(2, 3, 4).astype(numpy.float32)
    y = fc(x, n_batch_axes=2)
    assert y.shape == (2, 3, 2)
    expect = x.astype(numpy.float64) @ fc.W.data.T.astype(numpy.float64) + fc.b.data
    numpy.testing.assert_allclose(y.data, expect, rtol=1e-5, atol=1e-5)


def test_parameters_and_defaults():
    fc = L.Linear(1000, 400)
    assert fc.W.shape == (400, 1000) and fc.b.shape == (400,)
    assert fc.W.dtype == numpy.float32 and fc.b.dtype == numpy.float32
    assert not fc.b.data.any()
    # LeCunNormal by default: std sqrt(1 / in_size)
    assert fc.W.data.std() == pytest.approx(numpy.sqrt(1.0 / 1000), rel=0.02)
    assert [path for path, _ in fc.namedparams()] == ['/W', '/b']


def test_initializers_arrays_and_scalars():
    W = numpy.arange(6, dtype=numpy.float64).reshape(2, 3)
    fc = L.Linear(3, 2, initialW=W, initial_bias=numpy.array([1.0, -1.0]))
    assert fc.W.dtype == numpy.float32 and fc.W.data.tolist() == W.tolist()
    assert fc.W.data is not W and fc.b.data.tolist() == [1, -1]
    fc = L.Linear(3, 2, initialW=0.5, initial_bias=minigrad.initializers.One())
    assert (fc.W.data == 0.5).all() and (fc.b.data == 1).all()
    with pytest.raises(InvalidType, match=r'Constant: expect fill_value.shape broadcastable to the parameter '
                                          r'shape \(2, 3\)'):
        L.Linear(3, 2, initialW=numpy.zeros((3, 2)))


@pytest.mark.parametrize('make', [lambda: L.Linear(None, 4), lambda: L.Linear(4)])
def test_lazy_shape_inference(make):
    fc = make()
    assert fc.W.data is None and fc.b.shape == (4,)
    x = numpy.random.randn(2, 3, 5).astype(numpy.float32)
    y = fc(x)
    assert fc.W.shape == (4, 15) and fc.W.dtype == numpy.float32
    numpy.testing.assert_allclose(y.data, reference(x, fc.W.data, fc.b.data), rtol=1e-5, atol=1e-5)
    fc(numpy.ones((7, 15), dtype=numpy.float32))      # a consistent size is fine
    with pytest.raises(InvalidType, match=r'Invalid operation in Linear: expect in_size == 15 \(W.shape\[1\]\), '
                                          r'actual in_size == 8 \(x.shape \(2, 8\)'):
        fc(numpy.ones((2, 8), dtype=numpy.float32))


def test_functions_are_scoped_to_the_link():
    fc = L.Linear(3, 2)
    y = fc(numpy.ones((1, 3), dtype=numpy.float32))
    assert y.creator.link is fc


@pytest.mark.parametrize('x_shape, in_size, out_size', [((2, 3), 3, 4), ((3, 2, 2), 4, 2), ((1, 1), 1, 1)])
@pytest.mark.parametrize('nobias', [False, True])
def test_backward(x_shape, in_size, out_size, nobias):
    fc = L.Linear(in_size, out_size, nobias=nobias)
    if not nobias:
        fc.b.data[...] = numpy.random.randn(out_size)
    x = numpy.random.randn(*x_shape)
    gy = numpy.random.randn(x_shape[0], out_size)
    gradient_check.check_backward(fc, x, gy, dtype=numpy.float64)
    assert fc.W.dtype == numpy.float32       # restored after the check


def test_backward_float32_gradients_stay_float32():
    fc = L.Linear(3, 2)
    x = minigrad.Variable(numpy.random.randn(4, 3).astype(numpy.float32))
    y = fc(x)
    y.grad = numpy.ones_like(y.data)
    y.backward()
    assert fc.W.grad.dtype == numpy.float32 and fc.b.grad.dtype == numpy.float32
    assert x.grad.dtype == numpy.float32
    numpy.testing.assert_allclose(fc.b.grad, [4, 4])
    numpy.testing.assert_allclose(fc.W.grad, numpy.ones((2, 4)) @ x.data, rtol=1e-6)
