"""The optional numba path (minigrad/backends/numba_kernels/): switch, and kernels against NumPy.

Each kernel must give what the NumPy path gives.  Max pooling, col2im and
the SGD updates add and multiply in the NumPy path's order, so they are
compared bit for bit; the functions' own tests (run once more with the
kernels on by ``test_gradient_tests_pass_with_numba``) check them against
loops and numerical gradients.
"""
import os
import subprocess
import sys
import warnings

import numba  # noqa: F401  (in the test extra: a missing numba must fail, not skip)
import numpy
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad
import minigrad.functions as F
from minigrad import optimizers
from minigrad.backends import numba_kernels
from minigrad.backends.numba_kernels import conv as numba_conv
from minigrad.backends.numba_kernels import optimizers as numba_optimizers
from minigrad.backends.numba_kernels import pooling as numba_pooling
from minigrad.type_check import InvalidType
from minigrad.utils.conv import OutputSizeWarning, col2im
from tests.backends import compare

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def both_paths(run):
    return compare.both_paths('use_numba', run)


# -- the switch ---------------------------------------------------------------

def test_default_is_never_and_import_does_not_load_numba():
    code = ('import sys, numpy, minigrad, minigrad.functions as F; '
            'F.max_pooling_2d(numpy.ones((1, 1, 4, 4), numpy.float32), 2); '
            'print(minigrad.config.use_numba, "numba" in sys.modules)')
    env = {k: v for k, v in os.environ.items() if k != 'MINIGRAD_USE_NUMBA'}
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         cwd=ROOT, env=env, check=True).stdout.split()
    assert out == ['never', 'False']


def test_environment_variable_sets_the_default():
    code = 'import minigrad; print(minigrad.config.use_numba)'
    env = dict(os.environ, MINIGRAD_USE_NUMBA='auto')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         cwd=ROOT, env=env, check=True).stdout.strip()
    assert out == 'auto'


def test_a_wrong_level_names_the_setting():
    x = numpy.ones((1, 1, 4, 4), numpy.float32)
    with minigrad.using_config('use_numba', 'yes'):
        with pytest.raises(ValueError, match=r"config.use_numba must be one of "
                                             r"'never', 'auto', 'always'; it is 'yes'"):
            F.max_pooling_2d(x, 2)


def test_always_without_numba_says_how_to_install(monkeypatch):
    monkeypatch.setattr(numba_kernels, 'is_numba_available', lambda: False)
    x = numpy.ones((1, 1, 4, 4), numpy.float32)
    with minigrad.using_config('use_numba', 'always'):
        with pytest.raises(RuntimeError, match=r'minigrad\[numba\]'):
            F.max_pooling_2d(x, 2)
    with minigrad.using_config('use_numba', 'auto'):       # auto falls back to NumPy
        assert F.max_pooling_2d(x, 2).array.shape == (1, 1, 2, 2)


@pytest.mark.parametrize('dtype, contiguous, used', [
    (numpy.float32, True, True), (numpy.float64, True, True),
    (numpy.float16, True, False), (numpy.float32, False, False)])
def test_only_contiguous_float32_and_float64_take_the_kernels(count_calls, dtype, contiguous,
                                                              used):
    calls = count_calls(numba_pooling, {'n': 'max_pooling_forward'})
    x = numpy.random.RandomState(0).randn(2, 3, 6, 6).astype(dtype)
    if not contiguous:
        x = numpy.asfortranarray(x)
    with minigrad.using_config('use_numba', 'always'):
        y = F.max_pooling_2d(x, 2)
    assert (calls['n'] > 0) == used
    numpy.testing.assert_array_equal(y.array, x.reshape(2, 3, 3, 2, 3, 2).max(axis=(3, 5)))


def test_never_calls_no_kernel(count_calls):
    calls = count_calls(numba_pooling, {'n': 'max_pooling_forward'})
    x = minigrad.Variable(numpy.ones((1, 2, 4, 4), numpy.float32))
    with minigrad.using_config('use_numba', 'never'):
        F.sum(F.max_pooling_2d(x, 2)).backward()
    assert calls['n'] == 0


# -- max pooling --------------------------------------------------------------

POOLING_CASES = [  # (shape, ksize, stride, pad, cover_all)
    ((2, 3, 7, 7), 3, 2, 0, True), ((2, 3, 7, 7), 3, 2, 1, True), ((2, 3, 8, 8), 2, 2, 0, False),
    ((1, 2, 5, 6), (2, 3), (1, 2), (1, 0), True), ((1, 2, 6, 5), 3, 3, 2, True),
    ((2, 4, 13, 13), 3, 2, 0, True), ((1, 2, 1, 1), 2, 2, 0, True)]


def _pooling_input(shape, kind, seed=0):
    rng = numpy.random.RandomState(seed)
    if kind == 'ties':      # few distinct values: many ties
        return rng.randint(0, 3, shape).astype(numpy.float32)
    x = rng.randn(*shape).astype(numpy.float32)
    if kind == 'nonfinite':
        flat = x.reshape(-1)
        flat[rng.choice(flat.size, flat.size // 7, replace=False)] = numpy.nan
        flat[rng.choice(flat.size, flat.size // 7, replace=False)] = -numpy.inf
        flat[rng.choice(flat.size, flat.size // 11, replace=False)] = numpy.inf
    return x


@pytest.mark.parametrize('shape, ksize, stride, pad, cover_all', POOLING_CASES)
@pytest.mark.parametrize('kind', ['random', 'ties', 'nonfinite'])
def test_max_pooling_matches_numpy(count_calls, shape, ksize, stride, pad, cover_all, kind):
    calls = count_calls(numba_pooling, {'forward': 'max_pooling_forward',
                                        'grad': 'max_pooling_grad'})
    x = _pooling_input(shape, kind)

    def run():
        xv = minigrad.Variable(x)
        y, indexes = F.max_pooling_2d(xv, ksize, stride, pad, cover_all, return_indices=True)
        y.grad = numpy.random.RandomState(1).randn(*y.shape).astype(numpy.float32)
        y.backward()
        return y.array, indexes, xv.grad

    fast, slow = both_paths(run)
    assert calls['forward'] > 0 and calls['grad'] > 0
    for a, b in zip(fast, slow):
        numpy.testing.assert_array_equal(a, b)      # NaNs in the same places too


def test_max_pooling_all_minus_inf_window_in_the_padding():
    # Every window all -inf: the first offset wins.  It is padding for the
    # windows of the first row or column (dropped on both paths), the pixel
    # (i SY - 1, j SX - 1) for the other 2x2.
    x = numpy.full((1, 1, 4, 4), -numpy.inf, numpy.float32)

    def run():
        xv = minigrad.Variable(x)
        y, indexes = F.max_pooling_2d(xv, 3, 2, 1, return_indices=True)
        y.grad = numpy.ones(y.shape, numpy.float32)
        y.backward()
        return y.array, indexes, xv.grad

    fast, slow = both_paths(run)
    for a, b in zip(fast, slow):
        numpy.testing.assert_array_equal(a, b)
    assert (fast[1] == 0).all()
    numpy.testing.assert_array_equal(fast[2][0, 0], [[0, 0, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0],
                                                     [0, 1, 0, 1]])


# -- col2im -------------------------------------------------------------------

COL2IM_CASES = [  # (n, c, h, w, kh, kw, sy, sx, ph, pw, dy, dx, cover_all)
    (2, 3, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, False), (2, 3, 9, 8, 3, 2, 2, 3, 1, 0, 1, 1, True),
    (1, 2, 10, 10, 3, 3, 1, 1, 2, 2, 2, 2, False), (2, 4, 27, 27, 5, 5, 1, 1, 2, 2, 1, 1, False),
    (1, 3, 23, 23, 11, 11, 4, 4, 0, 0, 1, 1, False), (1, 1, 5, 5, 5, 5, 1, 1, 0, 0, 1, 1, True)]


@pytest.mark.parametrize('n, c, h, w, kh, kw, sy, sx, ph, pw, dy, dx, cover_all', COL2IM_CASES)
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_col2im_matches_numpy(count_calls, n, c, h, w, kh, kw, sy, sx, ph, pw, dy, dx,
                              cover_all, dtype):
    from minigrad.utils.conv import get_conv_outsize
    calls = count_calls(numba_conv, {'n': 'col2im_add'})
    oh = get_conv_outsize(h, kh, sy, ph, cover_all, dy)
    ow = get_conv_outsize(w, kw, sx, pw, cover_all, dx)
    # A deconvolution's layout (C, KH, KW, N, OH, OW), seen as (N, C, KH, KW, OH, OW).
    col = numpy.random.RandomState(0).randn(c, kh, kw, n, oh, ow).astype(dtype)
    col = col.transpose(3, 0, 1, 2, 4, 5)
    out = numpy.random.RandomState(1).randn(n, c, h, w).astype(dtype)
    fast, slow = both_paths(lambda: col2im(col, sy, sx, ph, pw, h, w, dy, dx))
    assert calls['n'] == 1
    # The same additions in the same order (kernel offset by offset) for every pixel.
    numpy.testing.assert_array_equal(fast, slow)
    # Adding into an image of the caller's stays on NumPy (no caller of the library does).
    fast_out, slow_out = both_paths(lambda: col2im(col, sy, sx, ph, pw, h, w, dy, dx,
                                                   out=out.copy()))
    assert calls['n'] == 1
    numpy.testing.assert_array_equal(fast_out, slow_out)


def test_col2im_of_another_layout_stays_on_numpy(count_calls):
    calls = count_calls(numba_conv, {'n': 'col2im_add'})
    col = numpy.ones((2, 2, 2, 2, 3, 3), numpy.float32)     # contiguous (N, C, ...): not the kernel's
    with minigrad.using_config('use_numba', 'always'):
        img = col2im(col, 1, 1, 0, 0, 4, 4)
    assert calls['n'] == 0
    numpy.testing.assert_array_equal(img[1, 1], [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2],
                                                 [1, 2, 2, 1]])


def test_deconvolution_uses_the_kernel_and_matches(count_calls):
    calls = count_calls(numba_conv, {'n': 'col2im_add'})
    rng = numpy.random.RandomState(0)
    x = rng.randn(2, 4, 5, 5).astype(numpy.float32)
    W = rng.randn(4, 3, 3, 3).astype(numpy.float32)
    fast, slow = both_paths(lambda: F.deconvolution_2d(x, W, stride=2, pad=1).array)
    assert calls['n'] > 0
    numpy.testing.assert_array_equal(fast, slow)


# -- the SGD updates ----------------------------------------------------------

@pytest.mark.parametrize('make, kernel', [
    (lambda: optimizers.SGD(lr=0.1), 'sgd_update'),
    (lambda: optimizers.MomentumSGD(lr=0.1, momentum=0.9), 'momentum_sgd_update')])
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_updates_match_numpy_bit_for_bit(count_calls, make, kernel, dtype):
    calls = count_calls(numba_optimizers, {'n': kernel})
    rng = numpy.random.RandomState(0)
    w0 = rng.randn(300, 7).astype(dtype)
    grads = [rng.randn(300, 7).astype(dtype) for _ in range(3)]

    def run():
        param = minigrad.Parameter(w0.copy())
        link = minigrad.Link()
        with link.init_scope():
            link.W = param
        opt = make()
        opt.setup(link)
        for g in grads:
            param.grad = g.copy()
            opt.update()
        assert param.array.dtype == dtype
        return param.array

    fast, slow = both_paths(run)
    assert calls['n'] == 3
    numpy.testing.assert_array_equal(fast, slow)


def test_a_non_contiguous_parameter_stays_on_numpy(count_calls):
    calls = count_calls(numba_optimizers, {'n': 'sgd_update'})
    param = minigrad.Parameter(numpy.ones((4, 6), numpy.float32)[:, ::2])
    link = minigrad.Link()
    with link.init_scope():
        link.W = param
    opt = optimizers.SGD(lr=0.5)
    opt.setup(link)
    param.grad = numpy.full((4, 3), 2, numpy.float32)
    with minigrad.using_config('use_numba', 'always'):
        opt.update()
    assert calls['n'] == 0
    numpy.testing.assert_array_equal(param.array, numpy.zeros((4, 3)))


# -- the functions' own tests, with the kernels on ------------------------------

def test_gradient_tests_pass_with_numba():
    """The tests of every function with a kernel, run again with MINIGRAD_USE_NUMBA=always.

    They check forward results against loops and hand computations, and
    first and second derivatives against numerical ones (float64).
    """
    paths = ['tests/functions/pooling/test_max_pooling_2d.py',
             'tests/functions/connection/test_deconvolution_2d.py',
             'tests/functions/connection/test_convolution_2d.py',
             'tests/functions/normalization/test_batch_normalization.py',
             'tests/test_optimizers.py']
    env = dict(os.environ, MINIGRAD_USE_NUMBA='always')
    proc = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                           '-x', *paths], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ' passed' in proc.stdout and 'skipped' not in proc.stdout


# -- random geometries ----------------------------------------------------------

@st.composite
def _pooling_geometry(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return dict(shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3)),
                       draw(st.integers(1, 11)), draw(st.integers(1, 11))),
                ksize=(kh, kw), stride=(draw(st.integers(1, 4)), draw(st.integers(1, 4))),
                pad=(draw(st.integers(0, kh - 1)), draw(st.integers(0, kw - 1))),
                cover_all=draw(st.booleans()), seed=draw(st.integers(0, 2 ** 16)),
                special=draw(st.sampled_from(['none', 'nan', 'inf'])))


@given(_pooling_geometry())
def test_max_pooling_matches_numpy_on_random_geometries(g):
    rng = numpy.random.RandomState(g['seed'])
    x = rng.randint(-2, 3, g['shape']).astype(numpy.float32)     # small integers: ties
    if g['special'] != 'none':
        special = numpy.nan if g['special'] == 'nan' else -numpy.inf
        x[rng.rand(*g['shape']) < 0.2] = special

    def run():
        xv = minigrad.Variable(x)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', OutputSizeWarning)
                y, indexes = F.max_pooling_2d(xv, g['ksize'], g['stride'], g['pad'],
                                              g['cover_all'], return_indices=True)
        except InvalidType:         # a kernel larger than the padded input
            return None
        y.grad = numpy.random.RandomState(g['seed'] + 1).randn(*y.shape).astype(numpy.float32)
        y.backward()
        return y.array, indexes, xv.grad

    fast, slow = both_paths(run)
    assume(slow is not None)
    for a, b in zip(fast, slow):
        numpy.testing.assert_array_equal(a, b)


@given(st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(1, 9),
       st.integers(1, 9), st.integers(1, 4), st.integers(1, 4), st.integers(1, 3),
       st.integers(1, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 2 ** 16))
def test_deconvolution_matches_numpy_on_random_geometries(n, c_in, c_out, h, w, kh, kw, sy, sx,
                                                         ph, pw, seed):
    rng = numpy.random.RandomState(seed)
    x = rng.randn(n, c_in, h, w)
    W = rng.randn(c_in, c_out, kh, kw)
    assume(sy * (h - 1) + kh - 2 * ph > 0 and sx * (w - 1) + kw - 2 * pw > 0)
    fast, slow = both_paths(
        lambda: F.deconvolution_2d(x, W, stride=(sy, sx), pad=(ph, pw)).array)
    numpy.testing.assert_array_equal(fast, slow)
