"""oneDNN's convolutions (minigrad/backends/intel64.py) against the NumPy path.

oneDNN adds the products in its own order, so results agree to float32
rounding: compared with a tolerance relative to each array's largest value.
The NumPy path itself is checked against loops and numerical gradients by
tests/functions/connection/; ``test_connection_tests_pass_with_ideep`` runs
those files again with the switch on.
"""
import os
import subprocess
import sys

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import gradient_check
from minigrad.backends import intel64
from tests.backends import compare

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The onednn-cpu-gomp wheel is in the test extra on Linux x86-64 (where CI runs).
pytestmark = pytest.mark.skipif(
    not (sys.platform == 'linux' and os.uname().machine == 'x86_64'),
    reason='oneDNN wheels exist for Linux x86-64 only')


def both_paths(run):
    return compare.both_paths('use_ideep', run)


def assert_close(fast, slow):
    for a, b in zip(fast, slow):
        assert a.shape == b.shape and a.dtype == b.dtype == numpy.float32
        scale = max(float(numpy.abs(b).max()), 1e-30)
        numpy.testing.assert_allclose(a, b, rtol=0, atol=2e-5 * scale)


@pytest.fixture
def calls(count_calls):
    """How often each oneDNN entry point ran: ``{'forward': n, ...}``."""
    return count_calls(intel64, {'forward': 'convolution_forward',
                                 'backward_data': 'convolution_backward_data',
                                 'backward_weights': 'convolution_backward_weights',
                                 'matmul': 'matmul'})


def test_the_library_is_installed_here():
    assert intel64.is_ideep_available(), 'pip install -e ".[test]" installs onednn-cpu-gomp'


def test_import_loads_no_library():
    code = ('import numpy, minigrad, minigrad.functions as F; '
            'F.convolution_2d(numpy.ones((1, 1, 4, 4), numpy.float32), '
            'numpy.ones((1, 1, 3, 3), numpy.float32)); '
            'print(minigrad.config.use_ideep, "libdnnl" in open("/proc/self/maps").read())')
    env = {k: v for k, v in os.environ.items() if k != 'MINIGRAD_USE_IDEEP'}
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         cwd=ROOT, env=env, check=True).stdout.split()
    assert out == ['never', 'False']


def test_a_wrong_level_names_the_setting():
    x = numpy.ones((1, 1, 4, 4), numpy.float32)
    with minigrad.using_config('use_ideep', True):
        with pytest.raises(ValueError, match=r"config.use_ideep must be one of "
                                             r"'never', 'auto', 'always'; it is True"):
            F.convolution_2d(x, x[:, :, :3, :3])


def test_always_without_the_library_says_how_to_install(monkeypatch):
    monkeypatch.setattr(intel64, 'is_ideep_available', lambda: False)
    x = numpy.ones((1, 1, 4, 4), numpy.float32)
    with minigrad.using_config('use_ideep', 'always'):
        with pytest.raises(RuntimeError, match=r'minigrad\[ideep\]'):
            F.convolution_2d(x, x[:, :, :3, :3])
    with minigrad.using_config('use_ideep', 'auto'):
        assert F.convolution_2d(x, x[:, :, :3, :3]).array[0, 0, 0, 0] == 9


CASES = [  # (x shape, W shape, stride, pad, dilate, cover_all, bias)
    ((2, 3, 9, 9), (4, 3, 3, 3), 1, 1, 1, False, True),
    ((2, 3, 9, 8), (4, 3, 3, 2), (2, 1), (1, 0), 1, False, False),
    ((2, 3, 8, 8), (4, 3, 3, 3), 2, 1, 1, True, True),        # cover_all's extra window
    ((1, 2, 10, 10), (3, 2, 3, 3), 1, 2, 2, False, True),       # dilated
    ((2, 3, 11, 11), (5, 3, 5, 5), 3, 2, 1, False, True),       # a stride that drops pixels
    ((2, 3, 23, 23), (8, 3, 11, 11), 4, 0, 1, False, True),     # AlexNet's conv1, smaller
    ((1, 4, 5, 5), (6, 4, 1, 1), 1, 0, 1, False, False),
]


@pytest.mark.parametrize('x_shape, w_shape, stride, pad, dilate, cover_all, bias', CASES)
def test_convolution_matches_numpy(calls, x_shape, w_shape, stride, pad, dilate, cover_all,
                                   bias):
    rng = numpy.random.RandomState(0)
    x = rng.randn(*x_shape).astype(numpy.float32)
    W = rng.randn(*w_shape).astype(numpy.float32)
    b = rng.randn(w_shape[0]).astype(numpy.float32) if bias else None

    def run():
        xv, Wv = minigrad.Variable(x), minigrad.Variable(W)
        bv = minigrad.Variable(b) if bias else None
        y = F.convolution_2d(xv, Wv, bv, stride, pad, cover_all, dilate=dilate)
        y.grad = numpy.random.RandomState(1).randn(*y.shape).astype(numpy.float32)
        y.backward()
        return (y.array, xv.grad, Wv.grad) + ((bv.grad,) if bias else ())

    fast, slow = both_paths(run)
    assert calls == {'forward': 1, 'backward_data': 1, 'backward_weights': 1, 'matmul': 0}
    assert_close(fast, slow)


@pytest.mark.parametrize('x_shape, w_shape, stride, pad, outsize', [
    ((2, 4, 5, 5), (4, 3, 3, 3), 2, 1, None),
    ((2, 4, 5, 5), (4, 3, 3, 3), 2, 1, (10, 10)),      # the extra row and column of cover_all
    ((2, 4, 4, 6), (4, 3, 4, 4), 2, 1, None),          # DCGAN's 4x4 stride 2
    ((1, 3, 7, 7), (3, 2, 3, 3), 1, 0, None)])
def test_deconvolution_matches_numpy(calls, x_shape, w_shape, stride, pad, outsize):
    rng = numpy.random.RandomState(2)
    x = rng.randn(*x_shape).astype(numpy.float32)
    W = rng.randn(*w_shape).astype(numpy.float32)
    b = rng.randn(w_shape[1]).astype(numpy.float32)
    fast, slow = both_paths(
        lambda: (F.deconvolution_2d(x, W, b, stride, pad, outsize).array,))
    assert calls['backward_data'] == 1
    assert_close(fast, slow)


@pytest.mark.parametrize('x_shape, out_size, n_batch_axes, bias', [
    ((8, 300), 1000, 1, True),          # few rows against a wide W (fc6's shape, smaller)
    ((50, 40), 30, 1, False),
    ((4, 3, 5, 6), 7, 2, True),         # two batch axes, the rest flattened
    ((6, 2, 3, 4), 5, 1, True)])
def test_linear_matches_numpy(calls, x_shape, out_size, n_batch_axes, bias):
    rng = numpy.random.RandomState(4)
    x = rng.randn(*x_shape).astype(numpy.float32)
    in_size = int(numpy.prod(x_shape[n_batch_axes:]))
    W = rng.randn(out_size, in_size).astype(numpy.float32)
    b = rng.randn(out_size).astype(numpy.float32) if bias else None

    def run():
        xv, Wv = minigrad.Variable(x), minigrad.Variable(W)
        y = F.linear(xv, Wv, b, n_batch_axes=n_batch_axes)
        y.grad = numpy.random.RandomState(5).randn(*y.shape).astype(numpy.float32)
        y.backward()
        return y.array, xv.grad, Wv.grad

    fast, slow = both_paths(run)
    assert calls['matmul'] == 3         # y, gx and gW
    assert_close(fast, slow)


@pytest.mark.parametrize('dtype, groups', [(numpy.float64, 1), (numpy.float32, 2)])
def test_float64_and_groups_stay_on_numpy(calls, dtype, groups):
    x = numpy.ones((1, 4, 5, 5), dtype)
    W = numpy.ones((4, 4 // groups, 3, 3), dtype)
    with minigrad.using_config('use_ideep', 'always'):
        y = F.convolution_2d(x, W, groups=groups)
    assert calls['forward'] == 0
    assert (y.array == 36 // groups).all()


def test_first_derivatives_in_float32_against_numerical_gradients():
    # oneDNN works in float32 only: the numerical gradient is taken in float32
    # too, with a step and tolerances to match.
    rng = numpy.random.RandomState(3)
    x = rng.randn(2, 3, 7, 7).astype(numpy.float32)
    W = rng.randn(4, 3, 3, 3).astype(numpy.float32)
    b = rng.randn(4).astype(numpy.float32)
    gy = rng.randn(2, 4, 4, 4).astype(numpy.float32)
    with minigrad.using_config('use_ideep', 'always'):
        gradient_check.check_backward(
            lambda x, W, b: F.convolution_2d(x, W, b, stride=2, pad=1), (x, W, b), gy,
            eps=1e-2, atol=1e-2, rtol=1e-2, dtype=numpy.float32)


def test_second_derivatives_in_float32_against_numerical_gradients(calls):
    # Convolution's gradients are a deconvolution and Convolution2DGradW,
    # both on oneDNN here, and so are their own gradients.
    rng = numpy.random.RandomState(6)
    x = rng.randn(2, 3, 6, 6).astype(numpy.float32)
    W = rng.randn(4, 3, 3, 3).astype(numpy.float32)
    gy = rng.randn(2, 4, 6, 6).astype(numpy.float32)
    ggx, ggW = rng.randn(*x.shape).astype(numpy.float32), rng.randn(*W.shape).astype(numpy.float32)
    with minigrad.using_config('use_ideep', 'always'):
        gradient_check.check_double_backward(
            lambda x, W: F.convolution_2d(x, W, pad=1), (x, W), gy, (ggx, ggW),
            eps=1e-2, atol=1e-2, rtol=1e-2, dtype=numpy.float32)
    assert calls['forward'] and calls['backward_data'] and calls['backward_weights']


def test_connection_tests_pass_with_ideep():
    """The convolution, deconvolution and linear test files, run again with MINIGRAD_USE_IDEEP=always."""
    paths = ['tests/functions/connection/test_convolution_2d.py',
             'tests/functions/connection/test_deconvolution_2d.py',
             'tests/functions/connection/test_linear.py',
             'tests/links/connection']
    env = dict(os.environ, MINIGRAD_USE_IDEEP='always')
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                           '-x', *paths], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ' passed' in proc.stdout and 'skipped' not in proc.stdout


def test_many_geometries_evict_and_free_their_primitives(calls):
    # More geometries than the cache keeps: the evicted ones free their oneDNN
    # objects, and the results stay right.
    W = numpy.ones((2, 1, 3, 3), numpy.float32)
    with minigrad.using_config('use_ideep', 'always'):
        for size in range(3, 3 + intel64._CACHE_SIZE + 6):
            y = F.convolution_2d(numpy.ones((1, 1, size, size), numpy.float32), W)
            assert y.shape == (1, 2, size - 2, size - 2) and (y.array == 9).all()
    assert calls['forward'] == intel64._CACHE_SIZE + 6
    assert intel64._primitives.cache_info().currsize == intel64._CACHE_SIZE
