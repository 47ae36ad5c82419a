"""SGD and momentum SGD updates as one pass (see ``minigrad/optimizers/``).

NumPy has no fused multiply-add: ``W -= lr * g`` is two passes (``lr * g``
into a scratch block, then the subtraction), momentum SGD four.  Here each
element is read once and written once.  The formulas and their order of
operations are the NumPy path's, so the results are bit for bit the same.

Serial loops.  An update runs right after back-propagation's last matrix
product, while OpenBLAS's worker thread still spins on the second core (for
about 0.1 s by default): a ``prange`` loop's second thread then waits for
that core.  AlexBN's whole update (SGD, 62 M parameters, 2-core Xeon,
numba 0.68), in training steps: NumPy's two passes 54 ms, this serial loop
37 ms, a ``prange`` loop 82 ms, and 20 ms only when Python was started with
``OPENBLAS_THREAD_TIMEOUT=20`` (the worker then sleeps at once).
"""
from minigrad.backends.numba_kernels import kernel


@kernel
def sgd_update(numba):
    """``(w, g, lr) -> None``: ``w -= lr * g`` on 1-D arrays."""
    @numba.njit(cache=True)
    def sgd_update(w, g, lr):
        for i in range(w.size):
            w[i] -= g[i] * lr

    return sgd_update


@kernel
def momentum_sgd_update(numba):
    """``(w, v, g, lr, momentum) -> None``: ``v = momentum v - lr g; w += v`` on 1-D arrays."""
    @numba.njit(cache=True)
    def momentum_sgd_update(w, v, g, lr, momentum):
        for i in range(w.size):
            vi = v[i] * momentum - g[i] * lr
            v[i] = vi
            w[i] += vi

    return momentum_sgd_update

