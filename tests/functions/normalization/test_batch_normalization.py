"""F.batch_normalization and F.fixed_batch_normalization
(minigrad/functions/normalization/batch_normalization.py)."""
import itertools
import math

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def _rng(seed=0):
    return numpy.random.RandomState(seed)


def _kept_axes(ndim, axis, gamma_ndim=1):
    if axis is None:
        axis = (0,) + tuple(range(gamma_ndim + 1, ndim))
    return [i for i in range(ndim) if i not in axis]


def _per_channel_reference(x, gamma, beta, kept, eps, mean=None, var=None):
    """y, mean, biased var: one channel at a time, channel axes moved to the front."""
    x = x.astype(numpy.float64)
    xt = numpy.moveaxis(x, kept, list(range(len(kept))))
    yt = numpy.empty_like(xt)
    means = numpy.empty(gamma.shape)
    variances = numpy.empty(gamma.shape)
    for c in numpy.ndindex(gamma.shape):
        values = xt[c]
        mu = values.sum() / values.size if mean is None else float(mean[c])
        v = ((values - mu) ** 2).sum() / values.size if var is None else float(var[c])
        yt[c] = float(gamma[c]) * (values - mu) / math.sqrt(v + eps) + float(beta[c])
        means[c], variances[c] = mu, v
    return numpy.moveaxis(yt, list(range(len(kept))), kept), means, variances


# (x shape, axis, gamma shape): default axes, explicit axes, channels adjacent
# or split by a normalized axis (the layout's two paths), more than one channel axis.
CASES = [
    ((5, 3), None, (3,)),
    ((2, 3, 2, 2), None, (3,)),
    ((2, 2, 4, 5), None, (2,)),           # 20 values a row: the matmul dot products
    ((3, 2, 3), None, (2,)),
    ((5, 3), (0,), (3,)),
    ((5, 3), 0, (3,)),
    ((2, 3, 2, 2), (0, 2, 3), (3,)),
    ((2, 3, 4, 2), None, (3, 4)),         # gamma.ndim == 2: statistics over (0, 3), as Chainer
    ((2, 3, 2, 2), (0, 1), (2, 2)),
    ((2, 3, 2, 2), (2, 3), (2, 3)),       # per-sample statistics
    ((2, 3, 4, 2), (0, 2), (3, 2)),       # channel axes 1 and 3 split by axis 2
    ((4, 3, 2), (1,), (4, 2)),
    ((4, 6, 16), (1,), (4, 16)),          # channels split, 16 a row: not the (A, C, B) dot
    ((3, 4, 2), (0, -1), (4,)),
]


def _data(shape, gamma_shape, seed=0, dtype=numpy.float64):
    rng = _rng(seed)
    x = (rng.randn(*shape) * 2 + 1).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, gamma_shape).astype(dtype)
    beta = rng.randn(*gamma_shape).astype(dtype)
    return x, gamma, beta


def _axis_kw(axis):
    return {} if axis is None else {'axis': axis}


def _normalized(axis, ndim):
    if axis is None:
        return None
    axis = (axis,) if isinstance(axis, int) else axis
    return tuple(a % ndim for a in axis)


def _with_constants(f, arrays, needs):
    """``f`` as a function of the arrays with ``needs`` True; the others are constants."""
    def g(*variables):
        it = iter(variables)
        return f(*(next(it) if n else a for a, n in zip(arrays, needs)))
    return g, tuple(a for a, n in zip(arrays, needs) if n)


def _grad_grads(arrays, seed):
    """Random incoming gradients for the first-order gradients of ``arrays``."""
    rng = _rng(seed)
    return tuple(rng.randn(*a.shape) for a in arrays)


def _first_order_gradient(f, gy):
    """The function ``inputs -> gradients of <f(inputs), gy>``, recorded for differentiation."""
    def g(*xs):
        y = f(*xs)
        return tuple(minigrad.grad([F.sum(y * gy)], list(xs), enable_double_backprop=True))
    return g


# ---------------------------------------------------------------------------
# batch_normalization: forward, running statistics, backward

@pytest.mark.parametrize('shape, axis, gamma_shape', CASES)
def test_forward_matches_per_channel_formula(shape, axis, gamma_shape):
    x, gamma, beta = _data(shape, gamma_shape)
    y = F.batch_normalization(x, gamma, beta, eps=1e-3, **_axis_kw(axis))
    kept = _kept_axes(len(shape), _normalized(axis, len(shape)), len(gamma_shape))
    expect, _, _ = _per_channel_reference(x, gamma, beta, kept, 1e-3)
    assert y.shape == x.shape and y.dtype == numpy.float64
    numpy.testing.assert_allclose(y.data, expect, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('shape, axis, gamma_shape', CASES)
def test_running_statistics_after_one_step(shape, axis, gamma_shape):
    x, gamma, beta = _data(shape, gamma_shape, seed=1)
    rng = _rng(2)
    running_mean = rng.randn(*gamma_shape)
    running_var = rng.uniform(0.5, 2.0, gamma_shape)
    mean0, var0 = running_mean.copy(), running_var.copy()
    F.batch_normalization(x, gamma, beta, running_mean=running_mean, running_var=running_var,
                          decay=0.8, **_axis_kw(axis))
    kept = _kept_axes(len(shape), _normalized(axis, len(shape)), len(gamma_shape))
    _, mean, biased = _per_channel_reference(x, gamma, beta, kept, 2e-5)
    m = x.size // gamma.size
    numpy.testing.assert_allclose(running_mean, 0.8 * mean0 + 0.2 * mean, rtol=1e-12)
    numpy.testing.assert_allclose(running_var, 0.8 * var0 + 0.2 * biased * m / (m - 1), rtol=1e-12)


def test_running_statistics_by_hand():
    # channel 0: 1, 2, 3, 4 -> mean 2.5, unbiased variance 5/3
    # channel 1: 0, 0, 2, 2 -> mean 1,   unbiased variance 4/3
    x = numpy.array([[1, 0], [2, 0], [3, 2], [4, 2]], dtype=numpy.float32)
    gamma, beta = numpy.ones(2, numpy.float32), numpy.zeros(2, numpy.float32)
    running_mean = numpy.array([0.5, -1.0], dtype=numpy.float32)
    running_var = numpy.array([1.0, 2.0], dtype=numpy.float32)
    arrays = running_mean, running_var
    F.batch_normalization(x, gamma, beta, running_mean=running_mean, running_var=running_var)
    assert (running_mean, running_var) == arrays   # the same arrays, updated in place
    numpy.testing.assert_allclose(running_mean, [0.9 * 0.5 + 0.1 * 2.5, 0.9 * -1 + 0.1 * 1],
                                  rtol=1e-6)
    numpy.testing.assert_allclose(running_var, [0.9 * 1 + 0.1 * 5 / 3, 0.9 * 2 + 0.1 * 4 / 3],
                                  rtol=1e-6)
    assert running_mean.dtype == running_var.dtype == numpy.float32


def test_running_statistics_may_be_given_alone():
    x, gamma, beta = _data((4, 3), (3,))
    running_var = numpy.ones(3)
    F.batch_normalization(x, gamma, beta, running_var=running_var, decay=0.5)
    numpy.testing.assert_allclose(running_var, 0.5 + 0.5 * x.var(axis=0, ddof=1), rtol=1e-12)


def test_one_value_per_channel_is_refused_and_changes_nothing():
    # The variance of one value is undefined: PyTorch raises "Expected more than 1 value
    # per channel when training"; so do we, before the running statistics move.
    x = numpy.array([[1.0, -2.0]])
    running_mean, running_var = numpy.array([0.5, 0.25]), numpy.array([1.0, 2.0])
    with pytest.raises(InvalidType, match=r'BatchNormalization: expect more than 1 value per '
                                          r'channel in training .*actual 1 value per channel '
                                          r'\(x.shape \(1, 2\), statistics over the axes \(0,\)\)'):
        F.batch_normalization(x, numpy.ones(2), numpy.zeros(2), running_mean=running_mean,
                              running_var=running_var)
    numpy.testing.assert_array_equal(running_mean, [0.5, 0.25])
    numpy.testing.assert_array_equal(running_var, [1.0, 2.0])
    # Test time (fixed statistics) is fine with one example.
    y = F.fixed_batch_normalization(x, numpy.ones(2), numpy.zeros(2), running_mean, running_var)
    assert y.shape == (1, 2)


def test_forward_and_gradients_by_hand():
    # One channel 0, 1, 2: mean 1, variance 2/3, x_hat = (-r, 0, r) with r = sqrt(3/2).
    r = math.sqrt(1.5)
    x = Variable(numpy.array([[0.0], [1.0], [2.0]]))
    gamma = Variable(numpy.array([2.0]))
    beta = Variable(numpy.array([0.5]))
    y = F.batch_normalization(x, gamma, beta, eps=0.0)
    numpy.testing.assert_allclose(y.data[:, 0], [0.5 - 2 * r, 0.5, 0.5 + 2 * r], rtol=1e-14)
    y.grad = numpy.array([[1.0], [0.0], [0.0]])
    y.backward()
    # gbeta = 1, ggamma = -r, gx = gamma r / 3 * (3 gy - 1 - x_hat * (-r))
    numpy.testing.assert_allclose(beta.grad, [1.0], rtol=1e-14)
    numpy.testing.assert_allclose(gamma.grad, [-r], rtol=1e-14)
    numpy.testing.assert_allclose(x.grad[:, 0], 2 * r / 3 * numpy.array([0.5, -1.0, 0.5]),
                                  rtol=1e-13)


@pytest.mark.parametrize('shape, axis, gamma_shape', CASES)
def test_backward(shape, axis, gamma_shape):
    x, gamma, beta = _data(shape, gamma_shape, seed=3)
    gy = _rng(4).randn(*shape)

    def f(x, gamma, beta):
        return F.batch_normalization(x, gamma, beta, **_axis_kw(axis))
    gradient_check.check_backward(f, (x, gamma, beta), gy, dtype=numpy.float64,
                                  atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('shape, axis, gamma_shape', CASES)
def test_double_backward(shape, axis, gamma_shape):
    x, gamma, beta = _data(shape, gamma_shape, seed=3)
    gy = _rng(4).randn(*shape)

    def f(x, gamma, beta):
        return F.batch_normalization(x, gamma, beta, **_axis_kw(axis))
    gradient_check.check_double_backward(f, (x, gamma, beta), gy, _grad_grads((x, gamma, beta), 5),
                                         dtype=numpy.float64, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('needs', [(False, True, True), (True, False, False), (True, True, False),
                                   (False, True, False), (False, False, True)])
@pytest.mark.parametrize('shape, axis, gamma_shape', [CASES[1], CASES[10]])
def test_double_backward_with_constant_inputs(needs, shape, axis, gamma_shape):
    # An input that needs no gradient: the Grad node computes fewer gradients,
    # and its backward treats the missing ones as zero.
    arrays = _data(shape, gamma_shape, seed=6)
    f, inputs = _with_constants(
        lambda *a: F.batch_normalization(*a, **_axis_kw(axis)), arrays, needs)
    gradient_check.check_double_backward(f, inputs, _rng(7).randn(*shape), _grad_grads(inputs, 8),
                                         dtype=numpy.float64, atol=1e-5, rtol=1e-4)


def test_third_derivative():
    # The second derivatives recompute the statistics from x with differentiable
    # functions, so they are differentiable too.
    arrays = _data((4, 3), (3,), seed=9)
    f = _first_order_gradient(F.batch_normalization, _rng(10).randn(4, 3))
    gradient_check.check_double_backward(f, arrays, _grad_grads(arrays, 11),
                                         _grad_grads(arrays, 12), dtype=numpy.float64,
                                         atol=1e-5, rtol=1e-4)


def test_second_derivatives_by_hand():
    # The channel of test_forward_and_gradients_by_hand: x = 0, 1, 2, x_hat = (-r, 0, r),
    # inv_std = r = sqrt(3/2), gamma 2, gy = (1, 0, 0), gx = r / 3 (1, -2, 1).
    r = math.sqrt(1.5)
    x = Variable(numpy.array([[0.0], [1.0], [2.0]]))
    gamma = Variable(numpy.array([2.0]))
    beta = Variable(numpy.array([0.5]))
    gy = Variable(numpy.array([[1.0], [0.0], [0.0]]))
    y = F.batch_normalization(x, gamma, beta, eps=0.0)
    gx, = minigrad.grad([y], [x], [gy], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.data[:, 0], r / 3 * numpy.array([1.0, -2.0, 1.0]), rtol=1e-13)
    # gx is linear in gamma: d gx_0 / d gamma = gx_0 / gamma = r / 6
    # gx is linear in gy, with the symmetric matrix gamma r (I - 1/3 - x_hat x_hat^T / 3):
    # d gx_0 / d gy = its first row, 2 r (1/6, -1/3, 1/6)
    ggamma, ggy = minigrad.grad([gx[0, 0]], [gamma, gy])
    numpy.testing.assert_allclose(ggamma.data, [r / 6], rtol=1e-13)
    numpy.testing.assert_allclose(ggy.data[:, 0], r / 3 * numpy.array([1.0, -2.0, 1.0]),
                                  rtol=1e-13)
    # y does not change when x is shifted or scaled (eps = 0): sum(gx) == 0 and
    # sum(x_hat gx) == 0 for every x, so their gradients with respect to x vanish.
    gsum, = minigrad.grad([F.sum(gx)], [x])
    numpy.testing.assert_allclose(gsum.data, 0.0, atol=1e-13)


def test_double_backprop_leaves_the_running_statistics_alone():
    x, gamma, beta = (Variable(a) for a in _data((4, 3, 2, 2), (3,), seed=13))
    running_mean, running_var = numpy.zeros(3), numpy.ones(3)
    y = F.batch_normalization(x, gamma, beta, running_mean=running_mean,
                              running_var=running_var)
    after_forward = running_mean.copy(), running_var.copy()
    gx, = minigrad.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    F.sum(gx * gx).backward()
    numpy.testing.assert_array_equal(running_mean, after_forward[0])
    numpy.testing.assert_array_equal(running_var, after_forward[1])
    _, mean, biased = _per_channel_reference(x.data, gamma.data, beta.data, [1], 2e-5)
    numpy.testing.assert_allclose(running_mean, 0.1 * mean, rtol=1e-12)
    numpy.testing.assert_allclose(running_var, 0.9 + 0.1 * biased * 16 / 15, rtol=1e-12)


@pytest.mark.parametrize('needs', [(False, True, True), (True, False, False), (True, True, False)])
def test_only_the_gradients_asked_for(needs):
    x, gamma, beta = _data((3, 2, 2, 2), (2,), seed=5)
    gy = _rng(6).randn(3, 2, 2, 2)
    full = [Variable(a) for a in (x, gamma, beta)]
    y = F.batch_normalization(*full)
    y.grad = gy
    y.backward()
    some = [Variable(a, requires_grad=n) for a, n in zip((x, gamma, beta), needs)]
    y = F.batch_normalization(*some)
    y.grad = gy
    y.backward()
    for v, ref, n in zip(some, full, needs):
        if n:
            numpy.testing.assert_allclose(v.grad, ref.grad, rtol=1e-12, atol=1e-12)
        else:
            assert v.grad is None


def test_stable_for_a_large_mean_in_float32():
    # A float32 E[x^2] - mean^2 loses every digit of a variance of 1 at a mean of 1e4.
    x = (1e4 + _rng(7).randn(4, 3, 5, 5)).astype(numpy.float32)
    gamma, beta = numpy.ones(3, numpy.float32), numpy.zeros(3, numpy.float32)
    y = F.batch_normalization(x, gamma, beta)
    expect, _, _ = _per_channel_reference(x, gamma, beta, [1], 2e-5)
    numpy.testing.assert_allclose(y.data, expect, atol=1e-2)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_dtype_is_kept_for_outputs_gradients_and_statistics(dtype):
    x, gamma, beta = (Variable(a) for a in _data((4, 3, 2, 2), (3,), dtype=dtype))
    running_mean, running_var = numpy.zeros(3, dtype), numpy.ones(3, dtype)
    # NumPy float64 scalars must not promote float32 arrays either.
    y = F.batch_normalization(x, gamma, beta, eps=numpy.float64(1e-5), running_mean=running_mean,
                              running_var=running_var, decay=numpy.float64(0.9))
    assert y.dtype == dtype
    y.grad = numpy.ones(y.shape, dtype)
    y.backward()
    assert x.grad.dtype == gamma.grad.dtype == beta.grad.dtype == dtype
    assert running_mean.dtype == running_var.dtype == dtype
    expect, _, _ = _per_channel_reference(x.data, gamma.data, beta.data, [1], 1e-5)
    tol = 1e-5 if dtype == numpy.float32 else 1e-12
    numpy.testing.assert_allclose(y.data, expect, rtol=tol, atol=tol)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_dtype_is_kept_for_second_derivatives(dtype):
    x, gamma, beta = (Variable(a) for a in _data((4, 3, 2, 2), (3,), dtype=dtype))
    y = F.batch_normalization(x, gamma, beta, eps=numpy.float64(1e-5))
    grads = minigrad.grad([F.sum(y * y * y)], [x, gamma, beta], enable_double_backprop=True)
    assert all(g.dtype == dtype for g in grads)
    second = minigrad.grad([F.sum(g * g) for g in grads], [x, gamma])
    assert all(g.dtype == dtype for g in second)


def test_gradient_of_x_owns_its_memory():
    x = Variable(_data((4, 3, 2, 2), (3,))[0])
    y = F.batch_normalization(x, numpy.ones(3), numpy.zeros(3))
    y.grad = numpy.ones(y.shape)
    y.backward()
    assert y.data.base is None and x.grad.base is None


def test_label():
    y = F.batch_normalization(Variable(numpy.ones((2, 3))), numpy.ones(3), numpy.zeros(3), eps=1e-3)
    assert y.creator.label == 'BatchNormalization eps=0.001'


# ---------------------------------------------------------------------------
# fixed_batch_normalization

def _fixed_data(shape, gamma_shape, seed=0, dtype=numpy.float64):
    x, gamma, beta = _data(shape, gamma_shape, seed, dtype)
    rng = _rng(seed + 100)
    mean = rng.randn(*gamma_shape).astype(dtype)
    var = rng.uniform(0.5, 1.5, gamma_shape).astype(dtype)
    return x, gamma, beta, mean, var


@pytest.mark.parametrize('shape, axis, gamma_shape', CASES)
def test_fixed_forward_matches_per_channel_formula(shape, axis, gamma_shape):
    x, gamma, beta, mean, var = _fixed_data(shape, gamma_shape)
    y = F.fixed_batch_normalization(x, gamma, beta, mean, var, eps=1e-3, **_axis_kw(axis))
    kept = _kept_axes(len(shape), _normalized(axis, len(shape)), len(gamma_shape))
    expect, _, _ = _per_channel_reference(x, gamma, beta, kept, 1e-3, mean, var)
    numpy.testing.assert_allclose(y.data, expect, rtol=1e-12, atol=1e-12)


def test_fixed_by_hand():
    x = numpy.array([[1.0, 4.0], [3.0, 0.0]])
    y = F.fixed_batch_normalization(x, numpy.array([2.0, 1.0]), numpy.array([0.0, 1.0]),
                                    numpy.array([1.0, 2.0]), numpy.array([4.0, 1.0]), eps=0.0)
    # channel 0: 2 * (x - 1) / 2; channel 1: (x - 2) / 1 + 1
    numpy.testing.assert_allclose(y.data, [[0.0, 3.0], [2.0, -1.0]], rtol=1e-15)


@pytest.mark.parametrize('shape, axis, gamma_shape', CASES)
def test_fixed_backward(shape, axis, gamma_shape):
    inputs = _fixed_data(shape, gamma_shape, seed=8)
    gy = _rng(9).randn(*shape)

    def f(*args):
        return F.fixed_batch_normalization(*args, **_axis_kw(axis))
    gradient_check.check_backward(f, inputs, gy, dtype=numpy.float64, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('shape, axis, gamma_shape', CASES)
def test_fixed_double_backward(shape, axis, gamma_shape):
    inputs = _fixed_data(shape, gamma_shape, seed=8)
    gy = _rng(9).randn(*shape)

    def f(*args):
        return F.fixed_batch_normalization(*args, **_axis_kw(axis))
    gradient_check.check_double_backward(f, inputs, gy, _grad_grads(inputs, 10),
                                         dtype=numpy.float64, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('needs', [(True, False, False, False, False),
                                   (False, True, True, False, False),
                                   (True, True, True, False, False),
                                   (False, False, False, True, True),
                                   (True, False, False, False, True),
                                   (False, True, False, True, False)])
def test_fixed_double_backward_with_constant_inputs(needs):
    arrays = _fixed_data((3, 2, 2), (2,), seed=14)
    f, inputs = _with_constants(F.fixed_batch_normalization, arrays, needs)
    gradient_check.check_double_backward(f, inputs, _rng(15).randn(3, 2, 2),
                                         _grad_grads(inputs, 16), dtype=numpy.float64,
                                         atol=1e-5, rtol=1e-4)


def test_fixed_third_derivative():
    arrays = _fixed_data((3, 2), (2,), seed=17)
    f = _first_order_gradient(F.fixed_batch_normalization, _rng(18).randn(3, 2))
    gradient_check.check_double_backward(f, arrays, _grad_grads(arrays, 19),
                                         _grad_grads(arrays, 20), dtype=numpy.float64,
                                         atol=1e-5, rtol=1e-4)


def test_fixed_second_derivatives_by_hand():
    # One channel, gamma 3, var 4 (eps 0, s = 1/2): gx = 3 gy / 2, so
    # d sum(gx) / d gamma = sum(gy) / 2 and d sum(gx) / d var = -3 sum(gy) / 16.
    x = Variable(numpy.array([[1.0], [5.0]]))
    gamma, beta, mean, var = (Variable(numpy.array([v])) for v in (3.0, 0.0, 2.0, 4.0))
    gy = numpy.array([[1.0], [2.0]])
    y = F.fixed_batch_normalization(x, gamma, beta, mean, var, eps=0.0)
    gx, = minigrad.grad([y], [x], [gy], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.data, 1.5 * gy, rtol=1e-15)
    ggamma, gvar, gx2 = minigrad.grad([F.sum(gx)], [gamma, var, x])
    numpy.testing.assert_allclose(ggamma.data, [1.5], rtol=1e-15)
    numpy.testing.assert_allclose(gvar.data, [-9 / 16], rtol=1e-15)
    assert gx2 is None or not gx2.data.any()     # y is linear in x


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_fixed_dtype_is_kept_for_second_derivatives(dtype):
    variables = [Variable(a) for a in _fixed_data((3, 2, 2, 2), (2,), dtype=dtype)]
    y = F.fixed_batch_normalization(*variables, eps=numpy.float64(1e-5))
    grads = minigrad.grad([F.sum(y * y)], variables, enable_double_backprop=True)
    assert all(g.dtype == dtype for g in grads)
    second = minigrad.grad([F.sum(g * g) for g in grads], variables)
    assert all(g.dtype == dtype for g in second)


def test_fixed_only_the_gradients_asked_for():
    arrays = _fixed_data((3, 2, 2), (2,), seed=10)
    gy = _rng(11).randn(3, 2, 2)
    full = [Variable(a) for a in arrays]
    y = F.fixed_batch_normalization(*full)
    y.grad = gy
    y.backward()
    for needs in itertools.product([False, True], repeat=5):
        some = [Variable(a, requires_grad=n) for a, n in zip(arrays, needs)]
        y = F.fixed_batch_normalization(*some)
        if not any(needs):
            assert y.creator is None
            continue
        y.grad = gy
        y.backward()
        for v, ref, n in zip(some, full, needs):
            if n:
                numpy.testing.assert_allclose(v.grad, ref.grad, rtol=1e-12, atol=1e-12)
            else:
                assert v.grad is None


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_fixed_dtype_is_kept(dtype):
    variables = [Variable(a) for a in _fixed_data((3, 2, 2, 2), (2,), dtype=dtype)]
    y = F.fixed_batch_normalization(*variables, eps=numpy.float64(1e-5))
    assert y.dtype == dtype
    y.grad = numpy.ones(y.shape, dtype)
    y.backward()
    assert all(v.grad.dtype == dtype for v in variables)


def test_fixed_stable_for_a_large_mean_in_float32():
    x = (1e4 + _rng(12).randn(4, 3)).astype(numpy.float32)
    mean = numpy.full(3, 1e4, numpy.float32)
    var = numpy.ones(3, numpy.float32)
    gamma, beta = numpy.ones(3, numpy.float32), numpy.zeros(3, numpy.float32)
    y = F.fixed_batch_normalization(x, gamma, beta, mean, var)
    expect, _, _ = _per_channel_reference(x, gamma, beta, [1], 2e-5, mean, var)
    numpy.testing.assert_allclose(y.data, expect, atol=1e-4)


# ---------------------------------------------------------------------------
# bad inputs

def _f32(*shape):
    return numpy.ones(shape, numpy.float32)


def test_integer_x():
    with pytest.raises(InvalidType, match=r'^Invalid operation in BatchNormalization eps=2e-05: '
                                          r"expect x\.dtype\.kind == f, actual i != f$"):
        F.batch_normalization(numpy.ones((2, 3), numpy.int64), _f32(3), _f32(3))


def test_one_dimensional_x():
    with pytest.raises(InvalidType, match=r'in BatchNormalization eps=2e-05: expect x\.ndim >= 2, '
                                          r'actual 1 < 2$'):
        F.batch_normalization(_f32(3), _f32(3), _f32(3))


def test_gamma_of_the_wrong_shape():
    with pytest.raises(InvalidType, match=r'in BatchNormalization: expect gamma\.shape == \(3,\) '
                                          r'\(x\.shape \(2, 3, 4, 4\) without the axes \(0, 2, 3\)\), '
                                          r'actual gamma\.shape == \(5,\)'):
        F.batch_normalization(_f32(2, 3, 4, 4), _f32(5), _f32(3))


def test_beta_of_the_wrong_shape():
    with pytest.raises(InvalidType, match=r'in BatchNormalization: expect beta\.shape == \(3,\) .*'
                                          r'actual beta\.shape == \(3, 1\)'):
        F.batch_normalization(_f32(2, 3), _f32(3), _f32(3, 1))


def test_gamma_of_another_dtype():
    with pytest.raises(InvalidType, match=r'in BatchNormalization eps=2e-05: expect gamma\.dtype == x\.dtype, '
                                          r'actual float64 != float32$'):
        F.batch_normalization(_f32(2, 3), numpy.ones(3), _f32(3))


@pytest.mark.parametrize('arg', ['running_mean', 'running_var'])
def test_running_statistics_of_the_wrong_shape(arg):
    with pytest.raises(InvalidType, match=r'in BatchNormalization: expect {0}\.shape == \(3,\) '
                                          r'\(the shape of gamma\), actual {0}\.shape == \(4,\)'
                                          .format(arg)):
        F.batch_normalization(_f32(2, 3), _f32(3), _f32(3), **{arg: _f32(4)})


def test_running_statistics_not_an_array():
    with pytest.raises(InvalidType, match=r'in BatchNormalization: expect running_mean to be a '
                                          r'numpy\.ndarray .*actual running_mean is a list'):
        F.batch_normalization(_f32(2, 3), _f32(3), _f32(3), running_mean=[0.0, 0.0, 0.0])


def test_integer_running_statistics():
    with pytest.raises(InvalidType, match=r'in BatchNormalization: expect running_var\.dtype\.kind '
                                          r'== "f", actual running_var\.dtype == int32'):
        F.batch_normalization(_f32(2, 3), _f32(3), _f32(3),
                              running_var=numpy.ones(3, numpy.int32))


@pytest.mark.parametrize('axis, actual', [((2, 0), r'\(2, 0\)'), ((0, 0), r'\(0, 0\)'),
                                          ((), r'\(\)')])
def test_axis_not_ascending(axis, actual):
    with pytest.raises(InvalidType, match=r'in BatchNormalization: expect axis non-empty, without '
                                          r'repeats, in ascending order, actual axis == ' + actual):
        F.batch_normalization(_f32(2, 3, 4), _f32(3), _f32(3), axis=axis)


def test_axis_out_of_range():
    with pytest.raises(InvalidType, match=r'in BatchNormalization: expect every axis in '
                                          r'range\(-x\.ndim, x\.ndim\) == range\(-2, 2\), '
                                          r'actual axis == \(0, 2\)'):
        F.batch_normalization(_f32(2, 3), _f32(3), _f32(3), axis=(0, 2))


@pytest.mark.parametrize('arg, index', [('gamma', 1), ('beta', 2), ('mean', 3), ('var', 4)])
def test_fixed_arrays_of_the_wrong_shape(arg, index):
    arrays = [_f32(2, 3), _f32(3), _f32(3), _f32(3), _f32(3)]
    arrays[index] = _f32(2)
    with pytest.raises(InvalidType, match=r'in FixedBatchNormalization: expect {0}\.shape == \(3,\) '
                                          r'.*actual {0}\.shape == \(2,\)'.format(arg)):
        F.fixed_batch_normalization(*arrays)


def test_fixed_integer_x_and_mean_of_another_dtype():
    with pytest.raises(InvalidType, match=r"in FixedBatchNormalization eps=2e-05: expect x\.dtype\.kind == f, actual i != f"):
        F.fixed_batch_normalization(numpy.ones((2, 3), numpy.int32), _f32(3), _f32(3), _f32(3),
                                    _f32(3))
    with pytest.raises(InvalidType, match=r'in FixedBatchNormalization eps=2e-05: expect mean\.dtype == '
                                          r'x\.dtype, actual float64 != float32$'):
        F.fixed_batch_normalization(_f32(2, 3), _f32(3), _f32(3), numpy.zeros(3), _f32(3))
