"""The optional numba path: compiled kernels for the memory-bound functions.

NumPy makes one pass over memory per ufunc call, so a formula of five
operations reads and writes its arrays five times.  A numba kernel does the
whole formula in one loop: max pooling's forward reads each window once
instead of once per kernel offset, col2im adds a column into a small image
plane that stays in cache, an SGD update reads ``W`` and ``g`` once.

Nothing here is required.  The NumPy code stays the reference and is what
runs by default; a function that has a kernel asks :func:`should_use_numba`
each call and otherwise takes its NumPy path.  The switch is
``config.use_numba``, modelled on Chainer's ``config.use_ideep``:

* ``'never'`` (the default): NumPy only;
* ``'auto'``: the kernels where numba is installed, NumPy elsewhere;
* ``'always'``: the kernels, and an error where numba is missing.

The environment variable ``MINIGRAD_USE_NUMBA`` sets the default.  Install
with ``pip install "minigrad[numba]"``.  Results are the NumPy path's, bit
for bit, except batch normalization's, which adds its sums in float64 (a
float32 rounding apart); the comparisons are in ``tests/backends/``.

The kernels live in this package, one module per family (``pooling``,
``conv``, ``normalization``, ``optimizers``), so the functions keep their
NumPy code as it was and make a single call here when the switch is on.
A kernel is written as a *builder* under :func:`kernel`: a function that
receives the ``numba`` module and returns the compiled function.  Nothing is
imported or compiled until the first call, so ``import minigrad`` never
imports numba; numba's on-disk cache keeps the compiled code between runs.
"""
import functools
import importlib.util

import numpy

from minigrad.backends import _switch

_DTYPES = (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))


@functools.lru_cache(maxsize=None)
def is_numba_available():
    """True when the ``numba`` package can be imported (it is not imported here).

    Looked up once: under ``'auto'`` every call of a function with a kernel asks.
    """
    return importlib.util.find_spec('numba') is not None


def should_use_numba(*arrays):
    """Whether a function with a numba kernel should use it now, for these ``arrays``.

    True when ``config.use_numba`` asks for the kernels (``'auto'`` with numba
    installed, or ``'always'``) and every array given is C-contiguous float32
    or float64: the kernels are compiled for those (other layouts and dtypes
    take the NumPy path rather than a compilation of their own).

    Raises:
        ValueError: ``config.use_numba`` is not one of ``'never'``, ``'auto'``, ``'always'``.
        RuntimeError: it is ``'always'`` and numba is not installed.
    """
    return (_switch.wanted('use_numba', is_numba_available, 'numba', 'numba')
            and all(a.dtype in _DTYPES and a.flags.c_contiguous for a in arrays))


def kernel(build):
    """Compile ``build(numba)`` on the first call and call the result from then on.

    ``build`` imports nothing itself: it gets the ``numba`` module and returns
    a compiled function (``numba.njit(cache=True)`` on a nested function).
    """
    compiled = None

    @functools.wraps(build)
    def call(*args):
        nonlocal compiled
        if compiled is None:
            import numba
            compiled = build(numba)
        return compiled(*args)

    return call
