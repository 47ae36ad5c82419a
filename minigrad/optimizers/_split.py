"""Large parameter updates split across the cores.

An update rule's formula is elementwise and memory-bound: AlexNet's ``fc6``
alone is 151 MB of weights and 151 MB of gradient read, and the weights
written back, every step.  NumPy releases the GIL inside its loops, so the
halves of a large array can be updated by two threads at once, each through
:func:`minigrad.optimizer.elementwise` on its own slice (the scratch buffers
there are per thread).  Element ``i`` is computed by the same formula either
way, so the result is bit for bit the one-thread result.

Small arrays (below :data:`MIN_SIZE` elements) stay on the calling thread:
handing them to another thread costs more than it saves.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from minigrad import optimizer

MIN_SIZE = 1 << 20          # elements (4 MiB of float32)
MAX_THREADS = 4             # memory bandwidth is saturated well before this

_lock = threading.Lock()
_pool = None
_pool_pid = None


def n_threads():
    """Threads an update may use: ``OMP_NUM_THREADS`` if set, else the usable cores (at most 4)."""
    env = os.environ.get('OMP_NUM_THREADS', '')
    if env.isdigit() and int(env) > 0:
        n = int(env)
    else:
        try:
            n = len(os.sched_getaffinity(0))
        except AttributeError:
            n = os.cpu_count() or 1
    return max(1, min(n, MAX_THREADS))


def _get_pool(n):
    global _pool, _pool_pid
    with _lock:
        # A forked child inherits the pool object but not its threads: make a new one.
        if _pool is None or _pool_pid != os.getpid() or _pool._max_workers < n - 1:
            _pool = ThreadPoolExecutor(max_workers=n - 1, thread_name_prefix='minigrad-update')
            _pool_pid = os.getpid()
        return _pool


def elementwise(kernel, outputs, inputs=(), n_scratch=1):
    """:func:`minigrad.optimizer.elementwise`, with a large update split across threads.

    Same arguments and the same result; the arrays are cut into contiguous
    pieces, one per thread, when they are large and C-contiguous.
    """
    size = outputs[0].size
    n = n_threads() if size >= MIN_SIZE else 1
    arrays = tuple(outputs) + tuple(inputs)
    if n == 1 or not all(a.flags.c_contiguous for a in arrays):
        return optimizer.elementwise(kernel, outputs, inputs, n_scratch)
    flats = [a.reshape(-1) for a in arrays]
    n_out = len(outputs)
    bounds = [size * i // n for i in range(n + 1)]
    pieces = [([f[lo:hi] for f in flats[:n_out]], [f[lo:hi] for f in flats[n_out:]])
              for lo, hi in zip(bounds, bounds[1:])]
    pool = _get_pool(n)
    futures = [pool.submit(optimizer.elementwise, kernel, tuple(outs), tuple(ins), n_scratch)
               for outs, ins in pieces[1:]]
    try:
        optimizer.elementwise(kernel, tuple(pieces[0][0]), tuple(pieces[0][1]), n_scratch)
    finally:
        for f in futures:
            f.result()
