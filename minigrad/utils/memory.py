"""Memory settings for training loops: an explicit, opt-in allocator setting.

A training step allocates the same large work arrays every iteration (the
windows of a convolution, gradients as large as the weights).  glibc's
``malloc`` serves each array larger than its mmap threshold (128 KiB to
32 MiB) with a fresh ``mmap`` and gives it back to the kernel with
``munmap`` when NumPy frees it, so every step pays a page fault, and the
kernel zeroes a page, for every 4 KiB (or 2 MiB hugepage) of every large
temporary.  On AlexBN at batch 8 that is a few hundred MB of faults per step.

:func:`keep_freed_memory` tells glibc to keep freed memory in the process
instead: large arrays come from the heap, and a freed block is reused by the
next array of the same size, already mapped.  Nothing else changes: the
results are bit for bit the same.  The cost is that the process keeps its
peak footprint (its resident memory no longer shrinks after the peak),
which a long training run reaches on its first step anyway.

It is never applied at import: a library should not change the allocator of
the process that imports it.  Call it once at the start of a training script
(the benchmarks and the examples do)::

    from minigrad.utils.memory import keep_freed_memory
    keep_freed_memory()

The same effect without code, for any glibc program::

    MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_TOP_PAD_=268435456 python train.py
"""
import ctypes
import ctypes.util
import sys

# mallopt parameters, from glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_MAX = -4

_INT_MAX = 2 ** 31 - 1


def _libc():
    if not sys.platform.startswith('linux'):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        libc.mallopt.restype = ctypes.c_int
        libc.malloc_trim.argtypes = (ctypes.c_size_t,)
        libc.malloc_trim.restype = ctypes.c_int
    except (OSError, AttributeError):      # not glibc (musl, ...): no mallopt
        return None
    return libc


def keep_freed_memory(top_pad=256 << 20):
    """Keep freed memory in the process for reuse, instead of returning it to the kernel.

    Sets glibc's ``M_MMAP_MAX`` to 0 (large blocks come from the heap, not
    from a fresh ``mmap`` each), ``M_TRIM_THRESHOLD`` to its maximum (the
    heap's free top is not given back) and ``M_TOP_PAD`` to ``top_pad``
    bytes (the heap grows in steps of at least that, fewer system calls).

    Args:
        top_pad (int): extra bytes asked of the kernel whenever the heap grows.

    Returns:
        bool: True when applied; False where there is no glibc ``mallopt``
        (macOS, Windows, musl), in which case nothing changed.
    """
    libc = _libc()
    if libc is None:
        return False
    ok = libc.mallopt(M_MMAP_MAX, 0)
    ok &= libc.mallopt(M_TRIM_THRESHOLD, _INT_MAX)
    ok &= libc.mallopt(M_TOP_PAD, min(int(top_pad), _INT_MAX))
    return bool(ok)


def release_freed_memory():
    """Give the heap's free memory back to the kernel (glibc's ``malloc_trim(0)``).

    Useful after training, before a long phase that needs less memory.
    Returns True when some memory was released, False otherwise (or without glibc).
    """
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0))
