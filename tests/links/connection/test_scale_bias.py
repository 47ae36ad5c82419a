"""F.scale, F.bias, L.Scale and L.Bias: Caffe-style broadcasting from an axis."""
import numpy
import pytest

import minigrad.links as L
from minigrad import gradient_check
from minigrad.functions.math.bias import bias
from minigrad.functions.math.scale import scale
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


def along_axis(x, y, axis, op):
    """z[i0, ..., in-1] = op(x[i0, ..., in-1], y[i_axis, ..., i_axis+m-1]) by loops."""
    z = numpy.empty_like(x)
    for index in numpy.ndindex(*x.shape):
        z[index] = op(x[index], y[index[axis:axis + y.ndim]])
    return z


# (x shape, y shape, axis)
CASES = [((2, 3, 4), (3,), 1), ((2, 3, 4), (3, 4), 1), ((2, 3, 4), (2,), 0),
         ((2, 3, 4), (4,), 2), ((3, 2), (3, 2), 0), ((2, 3, 2, 2), (3, 2), 1)]


@pytest.mark.parametrize('x_shape, y_shape, axis', CASES)
@pytest.mark.parametrize('func, op', [(scale, numpy.multiply), (bias, numpy.add)])
def test_forward(x_shape, y_shape, axis, func, op):
    x = numpy.random.randn(*x_shape).astype(numpy.float32)
    y = numpy.random.randn(*y_shape).astype(numpy.float32)
    z = func(x, y, axis)
    assert z.shape == x_shape and z.dtype == numpy.float32
    numpy.testing.assert_allclose(z.array, along_axis(x, y, axis, op), rtol=1e-6)


def test_hand_values():
    x = numpy.ones((2, 3, 2))
    numpy.testing.assert_array_equal(scale(x, numpy.array([1., 2., 3.])).array[1],
                                     [[1, 1], [2, 2], [3, 3]])
    numpy.testing.assert_array_equal(bias(numpy.zeros((2, 3)), numpy.array([1., 2.]), axis=0).array,
                                     [[1, 1, 1], [2, 2, 2]])


@pytest.mark.parametrize('x_shape, y_shape, axis', CASES)
@pytest.mark.parametrize('func', [scale, bias])
def test_backward_and_double_backward(x_shape, y_shape, axis, func):
    x = numpy.random.randn(*x_shape)
    y = numpy.random.randn(*y_shape)
    gz = numpy.random.randn(*x_shape)
    f = lambda x, y: func(x, y, axis)       # NOQA
    gradient_check.check_backward(f, (x, y), gz, dtype=numpy.float64)
    gradient_check.check_double_backward(f, (x, y), gz, (numpy.random.randn(*x_shape),
                                                         numpy.random.randn(*y_shape)),
                                         dtype=numpy.float64)


def test_scale_second_derivative_by_hand():
    # z = x * y: d/dy <gx, ggx> with gx = gz * y gives sum(gz * ggx) over the broadcast axes.
    from minigrad import Variable, grad
    x = Variable(numpy.random.randn(2, 3))
    y = Variable(numpy.random.randn(3))
    gz = numpy.random.randn(2, 3)
    gx, = grad([scale(x, y)], [x], [gz], enable_double_backprop=True)
    ggx = numpy.random.randn(2, 3)
    gy, = grad([gx], [y], [ggx])
    numpy.testing.assert_allclose(gy.array, (gz * ggx).sum(axis=0))


@pytest.mark.parametrize('func, name', [(scale, 'scale'), (bias, 'bias')])
def test_bad_shapes(func, name):
    with pytest.raises(InvalidType, match=r'Invalid operation in {}: expect x.shape\[axis:axis \+ '
                                          r'y.ndim\] == y.shape .*actual x.shape == \(2, 3\), '
                                          r'y.shape == \(2,\), axis == 1'.format(name)):
        func(numpy.ones((2, 3)), numpy.ones(2), axis=1)
    with pytest.raises(InvalidType, match=name):
        func(numpy.ones((2, 3)), numpy.ones((3, 1)), axis=1)     # runs past x's last axis


# ---------------------------------------------------------------------------
# The links

def test_scale_link_with_parameter():
    link = L.Scale(axis=1, W_shape=(3,))
    assert [name for name, _ in link.namedparams()] == ['/W']
    numpy.testing.assert_array_equal(link.W.array, numpy.ones(3, dtype=numpy.float32))
    link.W.array[...] = [1, 2, 3]
    x = numpy.random.randn(2, 3, 2).astype(numpy.float32)
    numpy.testing.assert_allclose(link(x).array, along_axis(x, link.W.array, 1, numpy.multiply))
    with pytest.raises(InvalidType, match=r'Scale: expect 1 argument\(s\)'):
        link(x, x)


def test_scale_link_with_bias_term():
    link = L.Scale(axis=1, W_shape=(3, 2), bias_term=True)
    assert [name for name, _ in link.namedparams()] == ['/W', '/bias/b']
    assert link.bias.b.shape == (3, 2) and not link.bias.b.array.any()
    link.W.array[...] = numpy.random.randn(3, 2)
    link.bias.b.array[...] = numpy.random.randn(3, 2)
    x = numpy.random.randn(2, 3, 2).astype(numpy.float32)
    expect = x * link.W.array + link.bias.b.array
    numpy.testing.assert_allclose(link(x).array, expect, rtol=1e-6)
    gradient_check.check_backward(link, x, numpy.random.randn(2, 3, 2), dtype=numpy.float64)


def test_scale_link_without_parameter():
    link = L.Scale(axis=0, bias_term=True, bias_shape=(2,))
    assert [name for name, _ in link.namedparams()] == ['/bias/b']
    x = numpy.random.randn(2, 3).astype(numpy.float32)
    y = numpy.array([2.0, -1.0], dtype=numpy.float32)
    numpy.testing.assert_allclose(link(x, y).array, x * y[:, None])
    with pytest.raises(InvalidType, match=r'Scale: expect 2 argument\(s\)'):
        link(x)
    with pytest.raises(InvalidType, match='Scale: expect bias_shape given'):
        L.Scale(bias_term=True)
    assert not list(L.Scale().params())


def test_bias_link():
    link = L.Bias(axis=1, shape=(3,))
    assert [name for name, _ in link.namedparams()] == ['/b'] and not link.b.array.any()
    link.b.array[...] = [1, 2, 3]
    x = numpy.random.randn(2, 3).astype(numpy.float32)
    numpy.testing.assert_allclose(link(x).array, x + link.b.array)
    gradient_check.check_backward(link, x, numpy.random.randn(2, 3), dtype=numpy.float64)
    free = L.Bias(axis=0)
    assert not list(free.params())
    numpy.testing.assert_allclose(free(x, numpy.ones(2, dtype=numpy.float32)).array, x + 1)
    with pytest.raises(InvalidType, match=r'Bias: expect 2 argument\(s\)'):
        free(x)
