"""Batch normalization's numba kernels (minigrad/backends/numba_kernels/normalization.py)
against its NumPy path (functions/normalization/batch_normalization.py)."""
import numba  # NOQA: in the test extra; a missing numba must fail here, not skip
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.backends.numba_kernels import normalization

SHAPES = [(6, 3), (4, 3, 5, 6), (2, 3, 4, 3, 5), (2, 3, 1, 1)]
# float32: the kernels add in float64, NumPy in float32 (pairwise): they differ
# by float32 roundings of the terms summed.  atol 1e-5 rather than 1e-6 for
# the (2, 3, 1, 1) case: with 2 values a channel, gx is a cancellation near 0
# (1e-6 fails on some seeds; 1e-5 holds with a margin of 4 over 50 seeds).
TOLERANCES = {numpy.float32: {'rtol': 1e-5, 'atol': 1e-5},
              numpy.float64: {'rtol': 1e-12, 'atol': 1e-12}}
NAMES = ('y', 'gx', 'ggamma', 'gbeta', 'running_mean', 'running_var')


def _data(shape, dtype, seed=0, loc=1.0):
    rng = numpy.random.RandomState(seed)
    channels = shape[1]
    x = (rng.randn(*shape) * 2 + loc).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, channels).astype(dtype)
    beta = rng.randn(channels).astype(dtype)
    gy = rng.randn(*shape).astype(dtype)
    return x, gamma, beta, gy


def _run(level, x, gamma, beta, gy):
    """``y, gx, ggamma, gbeta, running_mean, running_var`` of a forward and backward."""
    running_mean = numpy.full(gamma.shape, 0.5, dtype=x.dtype)
    running_var = numpy.full(gamma.shape, 2.0, dtype=x.dtype)
    xv, gv, bv = Variable(x), Variable(gamma), Variable(beta)
    with minigrad.using_config('use_numba', level):
        y = F.batch_normalization(xv, gv, bv, running_mean=running_mean,
                                  running_var=running_var, decay=0.8)
        y.grad = gy
        y.backward()
    return y.data, xv.grad, gv.grad, bv.grad, running_mean, running_var


def _assert_close(actual, expected, **tolerances):
    for name, a, e in zip(NAMES, actual, expected):
        assert a.dtype == e.dtype and a.shape == e.shape, name
        numpy.testing.assert_allclose(a, e, err_msg=name, **tolerances)


@pytest.fixture
def calls(count_calls):
    """Count the calls of the two kernels: ``{'forward': n, 'grad': n}``."""
    return count_calls(normalization, {'forward': 'batch_normalization_forward',
                                       'grad': 'batch_normalization_grad'})


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', SHAPES)
def test_kernels_match_numpy(shape, dtype, calls):
    arrays = _data(shape, dtype)
    expected = _run('never', *arrays)
    assert calls == {'forward': 0, 'grad': 0}
    _assert_close(_run('always', *arrays), expected, **TOLERANCES[dtype])
    assert calls == {'forward': 1, 'grad': 1}


def test_auto_uses_the_kernels_where_numba_is_installed(calls):
    arrays = _data((4, 3, 5, 6), numpy.float32)
    _assert_close(_run('auto', *arrays), _run('never', *arrays), **TOLERANCES[numpy.float32])
    assert calls == {'forward': 1, 'grad': 1}


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_large_mean_keeps_the_variance(dtype, calls):
    # 1000 + 2 randn: E[x^2] - mean^2 would cancel 6 digits of the variance.
    # The kernels' statistics are float64 sums: within float32 rounding of the
    # exact ones (those of the float64 NumPy path on the same values).
    arrays = _data((4, 3, 5, 6), dtype, loc=1000.0)
    exact = _run('never', *(a.astype(numpy.float64) for a in arrays))
    actual = _run('always', *arrays)
    assert calls == {'forward': 1, 'grad': 1}
    if dtype == numpy.float64:
        _assert_close(actual, _run('never', *arrays), rtol=1e-12, atol=1e-11)
        return
    exact = [e.astype(numpy.float32) for e in exact]
    for i in (0, 4, 5):     # y, running_mean, running_var: float32's rounding
        numpy.testing.assert_allclose(actual[i], exact[i], rtol=1e-6, atol=1e-6,
                                      err_msg=NAMES[i])
    # The gradients use the mean stored in float32 (as the NumPy path does):
    # rounded to 2^-15 ~ 3e-5 near 1000, which shifts x_hat by as much.
    for i in (1, 2, 3):
        numpy.testing.assert_allclose(actual[i], exact[i], rtol=1e-4, atol=1e-4,
                                      err_msg=NAMES[i])


def test_nan_and_inf_spread_over_their_channel_as_in_numpy(calls):
    # fastmath is 'reassoc' only: NaN and infinity are not assumed away.
    x, gamma, beta, gy = _data((4, 3, 5), numpy.float32, seed=7)
    x[1, 1, 2], x[2, 2, 0] = numpy.nan, numpy.inf
    with numpy.errstate(invalid='ignore'):
        expected = _run('never', x, gamma, beta, gy)
    actual = _run('always', x, gamma, beta, gy)
    assert calls == {'forward': 1, 'grad': 1}
    assert numpy.isnan(actual[0][:, 1:]).all() and numpy.isnan(actual[1][:, 1:]).all()
    _assert_close(actual, expected, **TOLERANCES[numpy.float32])    # NaN where NaN


@pytest.mark.parametrize('strided', ['x', 'gy', 'both'])
def test_non_contiguous_arrays_fall_back(strided, calls):
    # A strided x (or gy) takes the NumPy path, the other node still the kernel.
    x, gamma, beta, gy = _data((4, 3, 5, 12), numpy.float32)
    x, gy = (a[..., ::2] if strided in (name, 'both') else numpy.ascontiguousarray(a[..., ::2])
             for a, name in ((x, 'x'), (gy, 'gy')))
    assert x.flags.c_contiguous == (strided == 'gy') and gy.flags.c_contiguous == (strided == 'x')
    expected = _run('never', x, gamma, beta, gy)
    _assert_close(_run('always', x, gamma, beta, gy), expected, **TOLERANCES[numpy.float32])
    assert calls == {'forward': int(strided == 'gy'), 'grad': 0}


def test_numpy_forward_then_kernel_gradient(calls):
    # The setting is read by each node's forward: the gradient kernel takes the
    # statistics that the NumPy forward kept.
    x, gamma, beta, gy = _data((4, 3, 5, 6), numpy.float32, seed=6)
    expected = _run('never', x, gamma, beta, gy)
    xv, gv, bv = Variable(x), Variable(gamma), Variable(beta)
    with minigrad.using_config('use_numba', 'never'):
        y = F.batch_normalization(xv, gv, bv)
    y.grad = gy
    with minigrad.using_config('use_numba', 'always'):
        y.backward()
    assert calls == {'forward': 0, 'grad': 1}
    for name, actual, e in zip(NAMES[1:4], (xv.grad, gv.grad, bv.grad), expected[1:4]):
        numpy.testing.assert_allclose(actual, e, err_msg=name, **TOLERANCES[numpy.float32])


@pytest.mark.parametrize('shape, axis', [((2, 3, 4, 2), (0, 2)), ((4, 3, 2), (1,))])
def test_channels_split_by_a_reduced_axis_fall_back(shape, axis, calls):
    # The channel axes are not adjacent: no (A, C, B) view, even for a 3-D x.
    rng = numpy.random.RandomState(1)
    channels = tuple(d for i, d in enumerate(shape) if i not in axis)
    x, gy = rng.randn(*shape), rng.randn(*shape)
    gamma, beta = rng.uniform(0.5, 1.5, channels), rng.randn(*channels)
    results = {}
    for level in ('never', 'always'):
        xv, gv, bv = Variable(x), Variable(gamma), Variable(beta)
        with minigrad.using_config('use_numba', level):
            y = F.batch_normalization(xv, gv, bv, axis=axis)
            y.grad = gy
            y.backward()
        results[level] = (y.data, xv.grad, gv.grad, bv.grad)
    for actual, expected in zip(results['always'], results['never']):
        numpy.testing.assert_array_equal(actual, expected)
    assert calls == {'forward': 0, 'grad': 0}


def test_empty_batch_takes_the_numpy_path(calls):
    x = Variable(numpy.zeros((0, 3, 2, 2), numpy.float32))
    gamma = Variable(numpy.ones(3, numpy.float32))
    beta = Variable(numpy.zeros(3, numpy.float32))
    running_mean = numpy.ones(3, numpy.float32)
    with minigrad.using_config('use_numba', 'always'):
        y = F.batch_normalization(x, gamma, beta, running_mean=running_mean)
        y.grad = numpy.zeros(y.shape, numpy.float32)
        y.backward()
    assert y.shape == (0, 3, 2, 2) and x.grad.shape == (0, 3, 2, 2)
    numpy.testing.assert_array_equal(gamma.grad, numpy.zeros(3))
    numpy.testing.assert_array_equal(beta.grad, numpy.zeros(3))
    numpy.testing.assert_array_equal(running_mean, numpy.ones(3))
    assert calls == {'forward': 0, 'grad': 0}


@pytest.mark.parametrize('needs', [(False, True, True), (True, False, False),
                                   (True, True, False), (False, False, True)])
def test_only_the_gradients_asked_for(needs, calls):
    # A constant input gets no gradient: the kernel skips gx when x is constant.
    x, gamma, beta, gy = _data((4, 3, 5, 6), numpy.float64, seed=2)
    grads = {}
    for level in ('never', 'always'):
        inputs = [Variable(a) if n else a for a, n in zip((x, gamma, beta), needs)]
        with minigrad.using_config('use_numba', level):
            y = F.batch_normalization(*inputs)
            y.grad = gy
            y.backward()
        grads[level] = [v.grad for v, n in zip(inputs, needs) if n]
    for actual, expected in zip(grads['always'], grads['never']):
        numpy.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)
    assert calls == {'forward': 1, 'grad': 1}


@pytest.mark.parametrize('shape', [(5, 3), (2, 3, 2, 2), (2, 2, 3, 2, 2)])
def test_backward_with_numba(shape):
    x, gamma, beta, gy = _data(shape, numpy.float64, seed=3)
    with minigrad.using_config('use_numba', 'always'):
        gradient_check.check_backward(F.batch_normalization, (x, gamma, beta), gy,
                                      dtype=numpy.float64, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('shape', [(5, 3), (2, 3, 2, 2), (2, 2, 3, 2, 2)])
def test_double_backward_with_numba(shape):
    x, gamma, beta, gy = _data(shape, numpy.float64, seed=4)
    rng = numpy.random.RandomState(5)
    ggs = tuple(rng.randn(*a.shape) for a in (x, gamma, beta))
    with minigrad.using_config('use_numba', 'always'):
        gradient_check.check_double_backward(F.batch_normalization, (x, gamma, beta), gy, ggs,
                                             dtype=numpy.float64, atol=1e-5, rtol=1e-4)


def test_bogus_setting_names_config_use_numba():
    x, gamma, beta, _ = _data((4, 3), numpy.float32)
    with minigrad.using_config('use_numba', 'bogus'):
        with pytest.raises(ValueError, match=r"config\.use_numba must be one of 'never', "
                                             r"'auto', 'always'; it is 'bogus'"):
            F.batch_normalization(x, gamma, beta)
