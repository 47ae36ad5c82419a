"""Max pooling's forward and gradient as single loops (see ``functions/pooling/max_pooling_2d.py``).

The NumPy forward makes ``KH*KW`` strided passes over the windows (a
``maximum`` and an index update per kernel offset); here each output reads
its window once and keeps the running maximum in a register.  The outputs
are the same arrays the NumPy path makes: ``y`` and ``indexes``, the offset
inside the ``(KH, KW)`` window of each maximum, with the same rules (padding
is ``-inf``; the first maximum wins ties; the first NaN wins its window), so
the gradient nodes after it are unchanged.

Serial loops: in a training step the second core is taken by OpenBLAS's
worker, which spins for a while after each matrix product.  AlexBN's pool1
forward and gradient (8x96x55x55, 3x3 stride 2, numba 0.68, 2-core Xeon,
each run after a 0.3 s rest): NumPy 20.1 ms, this kernel 12.5; a draft
without the padding and NaN rules took 11.1 ms serial and 13.1 with
``prange`` over the planes.
"""
import numpy

from minigrad.backends.numba_kernels import kernel


@kernel
def max_pooling_forward(numba):
    """``(x, kh, kw, sy, sx, ph, pw, y, indexes) -> None``: fill ``y`` and ``indexes``.

    ``x``: ``(N, C, H, W)``; ``y`` and ``indexes``: ``(N, C, OH, OW)``, written.
    ``y[n, c, i, j] = max_{a, b} x[n, c, i SY - PH + a, j SX - PW + b]``
    (``-inf`` outside the image), ``indexes = a KW + b`` of the winner.
    """
    @numba.njit(cache=True)
    def forward(x, kh, kw, sy, sx, ph, pw, y, indexes):
        n_, c_, h, w = x.shape
        oh, ow = y.shape[2], y.shape[3]
        # Windows reading padding (or cover_all's extra window) read a padded
        # copy of their plane: a small canvas, -inf around, that stays in cache.
        ch = max((oh - 1) * sy + kh, ph + h)
        cw = max((ow - 1) * sx + kw, pw + w)
        padded = ph > 0 or pw > 0 or ch > h or cw > w
        canvas = numpy.full((ch, cw), -numpy.inf, dtype=x.dtype)
        for n in range(n_):
            for c in range(c_):
                src = x[n, c]
                if padded:
                    canvas[ph:ph + h, pw:pw + w] = src
                    src = canvas
                # The NaN rule costs a third of the time: apply it only to planes with a NaN.
                has_nan = False
                for r in range(src.shape[0]):
                    for s in range(src.shape[1]):
                        has_nan |= src[r, s] != src[r, s]
                for i in range(oh):
                    top = i * sy
                    for j in range(ow):
                        left = j * sx
                        best = src[top, left]       # offset 0; then a KW + b in order
                        winner = 0
                        for a in range(kh):
                            for b in range(1 if a == 0 else 0, kw):
                                v = src[top + a, left + b]
                                if has_nan:     # greater, or the first NaN; nothing beats a NaN
                                    wins = best == best and not v <= best
                                else:
                                    wins = v > best
                                # Selects, not a branch: which offset wins is unpredictable.
                                best = v if wins else best
                                winner = a * kw + b if wins else winner
                        y[n, c, i, j] = best
                        indexes[n, c, i, j] = winner

    return forward


@kernel
def max_pooling_grad(numba):
    """``(gy, indexes, kw, sy, sx, ph, pw, gx) -> None``: add each ``gy`` at its winner.

    ``gx`` (``(N, C, H, W)``, zeros on entry) gets
    ``gx[n, c, i SY - PH + k // KW, j SX - PW + k % KW] += gy[n, c, i, j]``
    with ``k = indexes[n, c, i, j]``; a winner in the padding is dropped.
    """
    @numba.njit(cache=True)
    def grad(gy, indexes, kw, sy, sx, ph, pw, gx):
        n_, c_, oh, ow = gy.shape
        h, w = gx.shape[2], gx.shape[3]
        for n in range(n_):
            for c in range(c_):
                for i in range(oh):
                    for j in range(ow):
                        k = indexes[n, c, i, j]
                        r = i * sy - ph + k // kw
                        s = j * sx - pw + k % kw
                        if 0 <= r < h and 0 <= s < w:
                            gx[n, c, r, s] += gy[n, c, i, j]

    return grad
