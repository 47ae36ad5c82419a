"""broadcast_to, sum_to, flatten, concat, get_item, expand_dims, reshape, transpose
(minigrad/functions/array/shape.py)."""
import itertools

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def _rand(*shape, seed=0, dtype=numpy.float64):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(dtype)


BROADCAST_TO_SHAPES = [((3,), (2, 3)), ((2, 1), (2, 4)), ((), (2, 2)), ((1, 3, 1), (2, 3, 4)),
                       ((2, 3), (2, 3))]


@pytest.mark.parametrize('in_shape, out_shape', BROADCAST_TO_SHAPES)
def test_broadcast_to(in_shape, out_shape):
    x = _rand(*in_shape)
    y = F.broadcast_to(x, out_shape)
    assert y.shape == out_shape
    lead = len(out_shape) - len(in_shape)
    for idx in itertools.product(*(range(n) for n in out_shape)):
        src = tuple(0 if n == 1 else i for i, n in zip(idx[lead:], in_shape))
        assert y.data[idx] == x[src]
    gradient_check.check_backward(lambda v: F.broadcast_to(v, out_shape), x,
                                  _rand(*out_shape, seed=1), dtype=numpy.float64)


def test_broadcast_to_gradient_by_hand():
    x = Variable(numpy.zeros((2, 1), dtype=numpy.float32))
    y = F.broadcast_to(x, (3, 2, 4))
    y.grad = numpy.ones((3, 2, 4), dtype=numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [[12.0], [12.0]])
    assert x.grad.dtype == numpy.float32
    y.data[0, 0, 0] = 5          # the output is an array of its own, not a read-only view
    assert x.data[0, 0] == 0


def test_broadcast_to_error():
    with pytest.raises(InvalidType, match=r'Invalid operation in BroadcastTo: expect x.shape broadcastable to '
                                          r'\(2, 4\), actual x.shape == \(3,\)'):
        F.broadcast_to(numpy.zeros(3), (2, 4))
    with pytest.raises(InvalidType, match='BroadcastTo'):
        F.broadcast_to(numpy.zeros((2, 3)), (3,))


SUM_TO_SHAPES = [((2, 3), (3,)), ((2, 4), (2, 1)), ((2, 2), ()), ((2, 3, 4), (1, 3, 1)), ((2, 3, 4), (3, 1)),
                 ((2, 3), (2, 3))]


@pytest.mark.parametrize('in_shape, out_shape', SUM_TO_SHAPES)
def test_sum_to(in_shape, out_shape):
    x = _rand(*in_shape)
    y = F.sum_to(x, out_shape)
    assert y.shape == out_shape
    expected = numpy.zeros(out_shape)
    lead = len(in_shape) - len(out_shape)
    for idx in itertools.product(*(range(n) for n in in_shape)):
        dst = tuple(0 if n == 1 else i for i, n in zip(idx[lead:], out_shape))
        expected[dst] += x[idx]
    numpy.testing.assert_allclose(y.data, expected, rtol=1e-12)
    gradient_check.check_backward(lambda v: F.sum_to(v, out_shape), x,
                                  _rand(*out_shape, seed=1), dtype=numpy.float64)


def test_sum_to_error():
    with pytest.raises(InvalidType, match=r'Invalid operation in SumTo: expect \(2,\) broadcastable to x.shape, '
                                          r'actual x.shape == \(2, 3\)'):
        F.sum_to(numpy.zeros((2, 3)), (2,))


FLATTEN_SHAPES = [(), (4,), (2, 3), (2, 1, 3)]


@pytest.mark.parametrize('shape', FLATTEN_SHAPES)
def test_flatten(shape):
    x = _rand(*shape)
    y = F.flatten(x)
    assert y.shape == (x.size,)
    for i, idx in enumerate(itertools.product(*(range(n) for n in shape))):
        assert y.data[i] == x[idx]      # C order
    gradient_check.check_backward(F.flatten, x, _rand(x.size, seed=1), dtype=numpy.float64)


CONCAT_CASES = [
    ([(2, 3), (2, 1), (2, 2)], 1), ([(1, 3), (2, 3)], 0), ([(2, 3), (2, 3)], -1),
    ([(2, 1, 2), (2, 3, 2)], 1), ([(3,)], 0), ([(2, 2, 1), (2, 2, 2)], 2),
]


@pytest.mark.parametrize('shapes, axis', CONCAT_CASES)
def test_concat(shapes, axis):
    xs = [_rand(*s, seed=i) for i, s in enumerate(shapes)]
    y = F.concat(xs, axis=axis)
    a = axis % len(shapes[0])
    # Reference: walk the output along `axis`, taking rows from each input in turn.
    pieces = [(x, j) for x in xs for j in range(x.shape[a])]
    assert y.shape[a] == len(pieces)
    for k, (x, j) in enumerate(pieces):
        numpy.testing.assert_array_equal(numpy.take(y.data, k, axis=a), numpy.take(x, j, axis=a))
    gradient_check.check_backward(lambda *vs: F.concat(vs, axis=axis), tuple(xs),
                                  _rand(*y.shape, seed=9), dtype=numpy.float64)


def test_concat_default_axis_is_one():
    y = F.concat([numpy.zeros((2, 1, 3)), numpy.ones((2, 2, 3))])
    assert y.shape == (2, 3, 3)


def test_concat_errors():
    with pytest.raises(InvalidType, match=r'Invalid operation in Concat: expect xs\[1\].shape\[0\] == xs\[0\].shape\[0\], '
                                          r'actual 3 != 2'):
        F.concat([numpy.zeros((2, 1)), numpy.zeros((3, 1))], axis=1)
    with pytest.raises(InvalidType, match=r'expect xs\[1\].ndim == xs\[0\].ndim, actual 1 != 2'):
        F.concat([numpy.zeros((2, 1)), numpy.zeros(3)])
    with pytest.raises(InvalidType, match=r'Concat: expect axis < xs\[0\]\.ndim, actual 2 >= 2'):
        F.concat([numpy.zeros((2, 1)), numpy.zeros((2, 1))], axis=2)
    with pytest.raises(InvalidType, match='at least one input'):
        F.concat([])


INDEXES = [
    0, (slice(None), 1), (Ellipsis, slice(0, 2)), [1, 1, 0], (slice(None), [2, 2, 0]), (numpy.array([0, 0]), numpy.array([1, 1])),
    numpy.array([[True, False, True], [False, False, True]]),
]


@pytest.mark.parametrize('index', INDEXES)
def test_get_item(index):
    x = _rand(2, 3)
    y = F.get_item(x, index)
    numpy.testing.assert_array_equal(y.data, x[index])
    gradient_check.check_backward(lambda v: F.get_item(v, index), x, _rand(*y.shape, seed=1),
                                  dtype=numpy.float64)


def test_get_item_repeated_index_gradient_by_hand():
    x = Variable(numpy.zeros((2, 2), dtype=numpy.float32))
    y = F.get_item(x, ([0, 0, 1], [1, 1, 1]))
    y.grad = numpy.array([1.0, 2.0, 4.0], dtype=numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [[0.0, 3.0], [0.0, 4.0]])


EXPAND_DIMS_CASES = [(0, (1, 2, 3)), (1, (2, 1, 3)), (2, (2, 3, 1)), (-1, (2, 3, 1)), (-3, (1, 2, 3))]


@pytest.mark.parametrize('axis, shape', EXPAND_DIMS_CASES)
def test_expand_dims(axis, shape):
    x = _rand(2, 3)
    y = F.expand_dims(x, axis)
    assert y.shape == shape
    numpy.testing.assert_array_equal(y.data.reshape(2, 3), x)
    gradient_check.check_backward(lambda v: F.expand_dims(v, axis), x, _rand(*shape, seed=1),
                                  dtype=numpy.float64)


def test_expand_dims_error():
    with pytest.raises(InvalidType, match=r'Invalid operation in ExpandDims: expect -x.ndim - 1 <= axis <= x.ndim, '
                                          r'actual axis == 3, x.ndim == 2'):
        F.expand_dims(numpy.zeros((2, 3)), 3)


RESHAPES = [(6,), (3, 2), (1, 6, 1), (-1, 2), 6]


@pytest.mark.parametrize('shape', RESHAPES)
def test_reshape_function(shape):
    x = _rand(2, 3)
    y = F.reshape(x, shape)
    numpy.testing.assert_array_equal(y.data.ravel(), x.ravel())
    gradient_check.check_backward(lambda v: F.reshape(v, shape), x, _rand(*y.shape, seed=1),
                                  dtype=numpy.float64)


TRANSPOSE_AXES = [None, (1, 0, 2), (2, 0, 1), (-1, -3, -2)]


@pytest.mark.parametrize('axes', TRANSPOSE_AXES)
def test_transpose_function(axes):
    x = _rand(2, 3, 4)
    y = F.transpose(x, axes)
    perm = (2, 1, 0) if axes is None else tuple(a % 3 for a in axes)
    for idx in itertools.product(range(2), range(3), range(4)):
        assert y.data[tuple(idx[p] for p in perm)] == x[idx]
    gradient_check.check_backward(lambda v: F.transpose(v, axes), x, _rand(*y.shape, seed=1),
                                  dtype=numpy.float64)


# ---------------------------------------------------------------------------
# Second derivatives.  Every function here is linear: the gradient's gradient with respect to x
# is zero, and with respect to gy it is the function itself (each backward is the adjoint's node).


def _check_double(f, x_shapes, y_shape):
    xs = tuple(_rand(*s, seed=i) for i, s in enumerate(x_shapes))
    ggxs = tuple(_rand(*s, seed=10 + i) for i, s in enumerate(x_shapes))
    gradient_check.check_double_backward(f, xs, _rand(*y_shape, seed=9), ggxs, dtype=numpy.float64)


@pytest.mark.parametrize('in_shape, out_shape', BROADCAST_TO_SHAPES)
def test_broadcast_to_double_backward(in_shape, out_shape):
    _check_double(lambda v: F.broadcast_to(v, out_shape), [in_shape], out_shape)


@pytest.mark.parametrize('in_shape, out_shape', SUM_TO_SHAPES)
def test_sum_to_double_backward(in_shape, out_shape):
    _check_double(lambda v: F.sum_to(v, out_shape), [in_shape], out_shape)


@pytest.mark.parametrize('shape', FLATTEN_SHAPES)
def test_flatten_double_backward(shape):
    _check_double(F.flatten, [shape], (int(numpy.prod(shape)),))


@pytest.mark.parametrize('shapes, axis', CONCAT_CASES)
def test_concat_double_backward(shapes, axis):
    a = axis % len(shapes[0])
    y_shape = list(shapes[0])
    y_shape[a] = sum(s[a] for s in shapes)
    _check_double(lambda *vs: F.concat(vs, axis=axis), shapes, tuple(y_shape))


@pytest.mark.parametrize('index', INDEXES + [
    ([0, 0, 1], [1, 1, 1]), (slice(None, None, -1), [0, 2, 0]), (None, 1, slice(1, None)),
    numpy.array([1, 1]),
])
def test_get_item_double_backward(index):
    _check_double(lambda v: F.get_item(v, index), [(2, 3)], numpy.empty((2, 3))[index].shape)


@pytest.mark.parametrize('axis, shape', EXPAND_DIMS_CASES)
def test_expand_dims_double_backward(axis, shape):
    _check_double(lambda v: F.expand_dims(v, axis), [(2, 3)], shape)


@pytest.mark.parametrize('shape', RESHAPES)
def test_reshape_double_backward(shape):
    _check_double(lambda v: F.reshape(v, shape), [(2, 3)], numpy.empty((2, 3)).reshape(shape).shape)


@pytest.mark.parametrize('axes', TRANSPOSE_AXES)
def test_transpose_double_backward(axes):
    _check_double(lambda v: F.transpose(v, axes), [(2, 3, 4)], numpy.empty((2, 3, 4)).transpose(axes).shape)


def test_get_item_gradient_of_the_gradient_by_hand():
    # gx = zeros; gx[index] += gy.  Its gradient with respect to gy picks the same elements again,
    # repeated indices included, and nothing flows to x.
    x = Variable(_rand(2, 2))
    index = ([0, 0, 1], [1, 1, 1])
    gy = Variable(numpy.array([1.0, 2.0, 4.0]))
    gx, = minigrad.grad([F.get_item(x, index)], [x], grad_outputs=[gy], enable_double_backprop=True)
    numpy.testing.assert_array_equal(gx.array, [[0.0, 3.0], [0.0, 4.0]])
    v = numpy.array([[10.0, 20.0], [30.0, 40.0]])
    ggy, = minigrad.grad([F.sum(gx * v)], [gy])
    numpy.testing.assert_array_equal(ggy.array, [20.0, 20.0, 40.0])
    assert minigrad.grad([F.sum(gx * gx)], [x]) == [None]


def test_broadcast_and_sum_to_are_each_others_gradient_by_hand():
    x = Variable(_rand(2, 1))
    gy = Variable(numpy.arange(6.0).reshape(2, 3))
    gx, = minigrad.grad([F.broadcast_to(x, (2, 3))], [x], grad_outputs=[gy], enable_double_backprop=True)
    numpy.testing.assert_array_equal(gx.array, [[3.0], [12.0]])
    ggy, = minigrad.grad([F.sum(gx * numpy.array([[1.0], [-1.0]]))], [gy])
    numpy.testing.assert_array_equal(ggy.array, [[1.0] * 3, [-1.0] * 3])


def test_second_derivatives_stay_float32():
    x = Variable(_rand(2, 3, dtype=numpy.float32))
    for f in (lambda v: F.broadcast_to(v, (2, 2, 3)), lambda v: F.sum_to(v, (3,)), F.flatten,
              lambda v: F.concat([v, v], axis=0), lambda v: F.get_item(v, ([0, 0], [1, 1])),
              lambda v: F.expand_dims(v, 1), lambda v: F.reshape(v, (3, 2)), F.transpose):
        gx, = minigrad.grad([F.sum(f(x) ** 2)], [x], enable_double_backprop=True)
        ggx, = minigrad.grad([F.sum(gx)], [x])
        assert gx.dtype == ggx.dtype == numpy.float32
