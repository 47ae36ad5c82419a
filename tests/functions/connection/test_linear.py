"""F.linear (minigrad/functions/connection/linear.py)."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def linear_by_loops(x, W, b, n_batch_axes=1):
    """y[batch, o] = sum_k x[batch, k] W[o, k] + b[o], with x's other axes read as one."""
    batch = x.shape[:n_batch_axes]
    rows = x.reshape(int(numpy.prod(batch)), -1)
    y = numpy.zeros((rows.shape[0], W.shape[0]))
    for r in range(rows.shape[0]):
        for o in range(W.shape[0]):
            total = 0.0
            for k in range(W.shape[1]):
                total += float(rows[r, k]) * float(W[o, k])
            y[r, o] = total + (0.0 if b is None else float(b[o]))
    return y.reshape(batch + (W.shape[0],))


def _data(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


CASES = [
    # x shape, n_batch_axes
    ((3, 4), 1),                 # 2-D
    ((2, 2, 2, 3), 1),           # 4-D, flattened to (2, 12)
    ((2, 3, 4), 2),              # two batch axes
    ((2, 3, 2, 2), 2),           # two batch axes, two feature axes
]


@pytest.mark.parametrize('x_shape, n_batch_axes', CASES)
@pytest.mark.parametrize('use_bias', [False, True])
def test_backward(x_shape, n_batch_axes, use_bias):
    in_size = int(numpy.prod(x_shape[n_batch_axes:]))
    x, W = _data(x_shape, 0), _data((3, in_size), 1)
    b = _data((3,), 2) if use_bias else None
    inputs = (x, W) if b is None else (x, W, b)

    def f(*args):
        return F.linear(*args, n_batch_axes=n_batch_axes)

    y = f(*inputs)
    assert y.shape == x_shape[:n_batch_axes] + (3,)
    numpy.testing.assert_allclose(y.data, linear_by_loops(x, W, b, n_batch_axes), atol=1e-12)
    gradient_check.check_backward(f, inputs, _data(y.shape, 3), dtype=numpy.float64,
                                  atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('x_shape, n_batch_axes', CASES)
def test_forward_matches_loops(dtype, x_shape, n_batch_axes):
    in_size = int(numpy.prod(x_shape[n_batch_axes:]))
    x = _data(x_shape, 4).astype(dtype)
    W = _data((5, in_size), 5).astype(dtype)
    b = _data((5,), 6).astype(dtype)
    y = F.linear(x, W, b, n_batch_axes=n_batch_axes)
    assert y.dtype == dtype
    tol = 1e-6 if dtype == numpy.float32 else 1e-13
    numpy.testing.assert_allclose(y.data, linear_by_loops(x, W, b, n_batch_axes),
                                  rtol=tol, atol=tol)


@pytest.mark.parametrize('x_shape, n_batch_axes', [((2, 6), 1), ((1, 2, 3, 2), 2)])
def test_few_rows_against_a_wide_W(x_shape, n_batch_axes):
    # Two rows and 16 outputs: forward multiplies W X^T (faster in OpenBLAS
    # for few rows) and transposes back; same values, C-contiguous y.
    in_size = int(numpy.prod(x_shape[n_batch_axes:]))
    x = _data(x_shape, 7).astype(numpy.float32)
    W = _data((16, in_size), 8).astype(numpy.float32)
    b = _data((16,), 9).astype(numpy.float32)
    y = F.linear(x, W, b, n_batch_axes=n_batch_axes)
    assert y.shape == x_shape[:n_batch_axes] + (16,) and y.data.flags.c_contiguous
    numpy.testing.assert_allclose(y.data, linear_by_loops(x, W, b, n_batch_axes),
                                  rtol=1e-6, atol=1e-6)


def test_by_hand():
    x = numpy.array([[1.0, 2.0]])
    W = numpy.array([[3.0, 4.0], [-1.0, 0.5]])
    y = F.linear(x, W, numpy.array([0.5, 1.0]))
    numpy.testing.assert_array_equal(y.data, [[1 * 3 + 2 * 4 + 0.5, -1 + 1 + 1.0]])


@pytest.mark.parametrize('use_bias', [False, True])
def test_float32_in_float32_out_and_gradients(use_bias):
    x = Variable(_data((2, 3, 2, 2), 7).astype(numpy.float32))
    W = Variable(_data((4, 12), 8).astype(numpy.float32))
    b = Variable(_data((4,), 9).astype(numpy.float32))
    y = F.linear(x, W, b) if use_bias else F.linear(x, W)
    assert y.dtype == numpy.float32
    F.sum(y * y).backward()
    for v in (x, W) + ((b,) if use_bias else ()):
        assert v.grad.dtype == numpy.float32 and v.grad.shape == v.shape


def test_gradients_by_hand():
    x = Variable(numpy.array([[1.0, 2.0], [3.0, 4.0]]))
    W = Variable(numpy.array([[1.0, -1.0]]))
    b = Variable(numpy.array([0.0]))
    y = F.linear(x, W, b)
    y.grad = numpy.array([[1.0], [10.0]])
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [[1, -1], [10, -10]])      # gy W
    numpy.testing.assert_array_equal(W.grad, [[1 + 30, 2 + 40]])        # gy^T x
    numpy.testing.assert_array_equal(b.grad, [11])                      # sum of gy


def test_gradient_of_W_only_when_x_needs_none():
    x = Variable(_data((3, 4), 10), requires_grad=False)
    W = Variable(_data((2, 4), 11))
    y = F.linear(x, W)
    y.grad = _data((3, 2), 12)
    y.backward()
    assert x.grad is None
    numpy.testing.assert_allclose(W.grad, y.grad.T @ x.data, atol=1e-13)


def test_alexnet_fc6_sees_9216_inputs():
    # 256 channels of 6x6 after the third pooling are flattened into fc6
    x = numpy.zeros((2, 256, 6, 6), numpy.float32)
    y = F.linear(x, numpy.zeros((7, 9216), numpy.float32))
    assert y.shape == (2, 7)
    with pytest.raises(InvalidType, match=r'actual 9216 != 9215'):
        F.linear(x, numpy.zeros((7, 9215), numpy.float32))


def test_keeps_only_x_and_W_for_backward():
    x, W, b = Variable(_data((2, 3), 13)), Variable(_data((4, 3), 14)), Variable(_data((4,), 15))
    y = F.linear(x, W, b)
    func = y.creator
    assert [node.data is not None for node in func.inputs] == [True, True, False]
    held = [k for k, v in vars(func).items() if isinstance(v, numpy.ndarray)]
    F.sum(y).backward()
    held += [k for k, v in vars(func).items() if isinstance(v, numpy.ndarray)]
    assert held == []


# ---------------------------------------------------------------------------
# Second derivatives

@pytest.mark.parametrize('x_shape, n_batch_axes', CASES)
@pytest.mark.parametrize('use_bias', [False, True])
def test_double_backward(x_shape, n_batch_axes, use_bias):
    in_size = int(numpy.prod(x_shape[n_batch_axes:]))
    x, W = _data(x_shape, 20), _data((3, in_size), 21)
    b = _data((3,), 22) if use_bias else None
    inputs = (x, W) if b is None else (x, W, b)

    def f(*args):
        return F.linear(*args, n_batch_axes=n_batch_axes)

    gy = _data(x_shape[:n_batch_axes] + (3,), 23)
    ggs = tuple(_data(a.shape, 24 + i) for i, a in enumerate(inputs))
    gradient_check.check_double_backward(f, inputs, gy, ggs, dtype=numpy.float64,
                                         atol=1e-7, rtol=1e-6)


def test_double_backward_through_a_nonlinearity():
    # sum(linear(x, W)^3): the Hessian with respect to x and W is not zero
    x, W = _data((2, 2, 3), 25), _data((2, 6), 26)
    gradient_check.check_double_backward(lambda a, w: F.linear(a, w) ** 3, (x, W),
                                         _data((2, 2), 27), (_data(x.shape, 28),
                                                             _data(W.shape, 29)),
                                         dtype=numpy.float64, atol=1e-6, rtol=1e-5)


def test_second_derivative_by_hand():
    # y = sum((x . w)^2) for one sample: dy/dx = 2 (x . w) w,
    # d/dw of sum(dy/dx) = 2 x sum(w) + 2 (x . w)
    x = Variable(numpy.array([[1.0, 2.0]]))
    W = Variable(numpy.array([[3.0, -1.0]]))
    gx, = minigrad.grad([F.sum(F.linear(x, W) ** 2)], [x], enable_double_backprop=True)
    numpy.testing.assert_array_equal(gx.data, [[2 * 1.0 * 3, 2 * 1.0 * -1]])     # x . w = 1
    gxw, = minigrad.grad([F.sum(gx)], [W])
    numpy.testing.assert_array_equal(gxw.data, [[2 * 1 * 2 + 2 * 1, 2 * 2 * 2 + 2 * 1]])


def test_gradients_are_differentiable_nodes():
    x, W, b = Variable(_data((2, 3), 30)), Variable(_data((4, 3), 31)), Variable(_data((4,), 32))
    y = F.linear(x, W, b)
    gx, gW, gb = minigrad.grad([y], [x, W, b], [Variable(_data(y.shape, 33))],
                               enable_double_backprop=True)
    assert type(gx.creator).__name__ == 'LinearGradData'
    assert type(gW.creator).__name__ == 'LinearGradWeight'
    assert type(gb.creator).__name__ == 'Sum'


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_second_derivatives_keep_the_dtype(dtype):
    x = Variable(_data((2, 3, 2), 34).astype(dtype))
    W = Variable(_data((4, 6), 35).astype(dtype))
    y = F.linear(x, W)
    gx, gW = minigrad.grad([F.sum(y * y)], [x, W], enable_double_backprop=True)
    ggx, ggW = minigrad.grad([F.sum(gx * gx) + F.sum(gW * gW)], [x, W])
    assert gx.dtype == gW.dtype == ggx.dtype == ggW.dtype == dtype


# ---------------------------------------------------------------------------
# Bad inputs

def _raises(match, *args, **kwargs):
    with pytest.raises(InvalidType, match=match) as info:
        F.linear(*args, **kwargs)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    assert str(info.value).startswith('Invalid operation in Linear: expect ')


def test_wrong_in_size():
    _raises(r'expect prod\(x\.shape\[1:\]\) == W\.shape\[1\], actual 6 != 5',
            numpy.zeros((2, 6)), numpy.zeros((3, 5)))
    _raises(r'expect prod\(x\.shape\[1:\]\) == W\.shape\[1\], actual 12 != 5',
            numpy.zeros((2, 3, 2, 2)), numpy.zeros((3, 5)))
    _raises(r'expect prod\(x\.shape\[2:\]\) == W\.shape\[1\], actual 4 != 12',
            numpy.zeros((2, 3, 4)), numpy.zeros((3, 12)), n_batch_axes=2)


def test_wrong_ndim():
    _raises(r'expect W\.ndim == 2, actual 3 != 2$', numpy.zeros((2, 3)),
            numpy.zeros((1, 3, 3)))
    _raises(r'expect x\.ndim > n_batch_axes, actual 1 <= 1$',
            numpy.zeros(3), numpy.zeros((2, 3)))
    _raises(r'expect x\.ndim > n_batch_axes, actual 2 <= 2$',
            numpy.zeros((2, 3)), numpy.zeros((2, 3)), n_batch_axes=2)


def test_n_batch_axes_must_be_positive():
    # Chainer refuses it too ("n_batch_axes should be ... greater than 0"); here
    # 0 would silently read the whole x as one sample and -1 the last axis as features
    for n in (0, -1):
        _raises(r'expect n_batch_axes to be an int > 0, actual n_batch_axes == {}$'.format(n),
                numpy.zeros((2, 3)), numpy.zeros((2, 6 if n == 0 else 3)), n_batch_axes=n)
    _raises(r'expect n_batch_axes to be an int > 0, actual n_batch_axes == 1\.0 \(float\)$',
            numpy.zeros((2, 3)), numpy.zeros((2, 3)), n_batch_axes=1.0)


def test_dtypes():
    _raises(r'expect x\.dtype\.kind == f, actual i != f$',
            numpy.zeros((2, 3), numpy.int64), numpy.zeros((2, 3)))
    _raises(r'expect W\.dtype == x\.dtype, actual float64 != float32$',
            numpy.zeros((2, 3), numpy.float32), numpy.zeros((2, 3)))


def test_bias_dtype_must_match():
    # as convolution_2d and Chainer's linear check: a float64 bias on float32 data
    _raises(r'expect b\.dtype == x\.dtype, actual float64 != float32',
            numpy.zeros((2, 3), numpy.float32), numpy.zeros((4, 3), numpy.float32),
            numpy.zeros(4))


def test_bias_of_wrong_shape():
    _raises(r'expect b\.shape\[0\] == W\.shape\[0\], actual 3 != 4',
            numpy.zeros((2, 3)), numpy.zeros((4, 3)), numpy.zeros(3))
    _raises(r'expect b\.ndim == 1, actual 2 != 1$',
            numpy.zeros((2, 3)), numpy.zeros((4, 3)), numpy.zeros((1, 4)))


def test_messages_name_linear_while_graphs_show_the_node():
    # Users call F.linear and L.Linear; the graph shows the node's class, as Chainer's does.
    y = F.linear(Variable(numpy.zeros((2, 3))), numpy.zeros((4, 3)))
    assert y.creator.label == 'LinearFunction' and y.creator.check_name == 'Linear'
