"""Thread-local configuration, as in Chainer.

``config.train`` switches layers such as dropout and batch normalization,
``config.enable_backprop`` decides whether a graph is recorded, and
``config.debug`` makes every function check its results for NaN and inf.

A value set through ``config`` (or ``using_config``) is seen only by the
thread that set it; other threads fall back to ``global_config``.
"""
import contextlib
import os
import threading


class GlobalConfig:
    """Process-wide defaults that every thread starts from."""

    def __init__(self):
        self.train = True
        self.enable_backprop = True
        self.debug = False
        self.dtype = 'float32'
        # DumpGraph turns this on for the first iteration: report() then keeps
        # the reported Variable (and its graph) instead of a plain number.
        self.keep_graph_on_report = False
        # The numba kernels of minigrad.backends.numba_kernels: 'never' (the
        # default: NumPy only), 'auto' (where numba is installed) or 'always'.
        # MINIGRAD_USE_NUMBA sets the default, as CHAINER_USE_IDEEP in Chainer.
        self.use_numba = os.environ.get('MINIGRAD_USE_NUMBA', 'never')
        # oneDNN's convolutions (minigrad.backends.intel64), Chainer's switch:
        # 'never' (default), 'auto' or 'always'; MINIGRAD_USE_IDEEP sets the default.
        self.use_ideep = os.environ.get('MINIGRAD_USE_IDEEP', 'never')

    def show(self):
        """Return ``{name: value}`` of every setting."""
        return dict(vars(self))


class LocalConfig:
    """Per-thread overrides in front of a :class:`GlobalConfig`."""

    def __init__(self, global_config):
        super().__setattr__('_global', global_config)
        super().__setattr__('_local', threading.local())

    def __getattr__(self, name):
        local = self._local
        if name in local.__dict__:
            return local.__dict__[name]
        return getattr(self._global, name)

    def __setattr__(self, name, value):
        setattr(self._local, name, value)

    def __delattr__(self, name):
        delattr(self._local, name)

    def show(self):
        """Return ``{name: value}`` of every setting as this thread sees it."""
        values = self._global.show()
        values.update(self._local.__dict__)
        return values


global_config = GlobalConfig()
config = LocalConfig(global_config)

_MISSING = object()


@contextlib.contextmanager
def using_config(name, value, config=config):
    """Set ``config.<name>`` to ``value`` inside a ``with`` block.

    With the default ``config`` the change is seen by this thread only; with
    ``global_config`` it is process-wide.  The old value comes back on exit,
    even if the block raises.
    """
    # A thread that had no value of its own must go back to following the
    # global one, so restore by deleting rather than by copying it.
    own = config._local.__dict__ if isinstance(config, LocalConfig) else vars(config)
    old = own.get(name, _MISSING)
    setattr(config, name, value)
    try:
        yield
    finally:
        if old is _MISSING:
            delattr(config, name)
        else:
            setattr(config, name, old)


def no_backprop_mode():
    """Inside the block no graph is recorded, so no input is kept alive."""
    return using_config('enable_backprop', False)


def force_backprop_mode():
    """Record a graph even inside ``no_backprop_mode``."""
    return using_config('enable_backprop', True)
