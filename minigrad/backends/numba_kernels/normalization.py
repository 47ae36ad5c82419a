"""Batch normalization's forward and gradient, one channel at a time (see
``functions/normalization/batch_normalization.py``).

Both work on the 3-D view ``(A, C, B)`` of ``x`` that the NumPy path uses:
channel ``c`` is the ``A`` rows ``x[:, c, :]`` of ``B`` contiguous values,
``m = A B`` values in all.  A channel of AlexBN's first batch normalization
(8x96x55x55) is 97 KB in float32, so it stays in the core's L2 cache from
one pass over it to the next: the NumPy path's passes over all of ``x``
(four in the forward, six in the gradient) become one read from memory,
and one write, per channel.

Sums are added in float64 whatever the dtype, more accurate than the NumPy
path's float32 pairwise sums; ``mean``, ``var``, ``inv_std`` and the
gradients are rounded to the dtype once, when stored.

Only the sums are compiled with ``fastmath={'reassoc'}``, in their own
small functions (numba inlines them): it lets a sum be split across SIMD
lanes, without which each float64 addition waits for the one before and the
forward takes 3.7 ms instead of 1.1.  The loops that write ``y`` and ``gx``
keep strict arithmetic: with ``reassoc`` on them LLVM moved the ``/ m`` of
a per-channel factor into the gradient's inner loop (a division per value,
2.4 ms instead of 1.4).  Nothing assumes away NaN or infinity: they
propagate as in NumPy.

Serial loops over the channels.  A ``parallel=True`` version (``prange``
over the channels) halves the kernels' time back to back, but is slower and
erratic after the benchmark's rest, when its second thread must be woken,
and stalls when another process holds the other core.  The
``batchnorm_fwd_bwd`` case (8x96x55x55 float32, forward and backward, numba
0.68, 2-core Xeon, medians of 15 steps, six runs):

    ============== ============== =============
    path           rested (ms)    back to back
    ============== ============== =============
    NumPy          14.7 - 19.6    9.0 - 12.7
    numba serial    8.0 -  9.7    3.0 -  4.1
    numba parallel 11.7 - 14.5    1.7 -  3.3
    ============== ============== =============
"""
import math

from minigrad.backends.numba_kernels import kernel


@kernel
def batch_normalization_forward(numba):
    """``(x, gamma, beta, eps, y, mean, var, inv_std) -> None``: normalize ``x`` into ``y``.

    ``x``, ``y``: ``(A, C, B)``, C-contiguous, ``y`` written; ``gamma``,
    ``beta``: ``(C,)``; ``mean``, ``var``, ``inv_std``: ``(C,)``, written.
    Per channel, over its ``m = A B`` values::

        mean = sum(x) / m
        var = sum((x - mean)^2) / m          (a second pass: no cancellation)
        inv_std = 1 / sqrt(var + eps)
        y = (x - mean) gamma inv_std + beta
    """
    @numba.njit(cache=True, fastmath={'reassoc'})
    def channel_moments(x, c):
        """``(mean, var)`` of channel ``c``, in float64."""
        a_, _, b_ = x.shape
        total = 0.0
        for a in range(a_):
            for b in range(b_):
                total += x[a, c, b]
        mu = total / (a_ * b_)
        squares = 0.0
        for a in range(a_):
            for b in range(b_):
                d = x[a, c, b] - mu
                squares += d * d
        return mu, squares / (a_ * b_)

    @numba.njit(cache=True)
    def forward(x, gamma, beta, eps, y, mean, var, inv_std):
        a_, c_, b_ = x.shape
        for c in range(c_):
            mu, v = channel_moments(x, c)
            s = 1.0 / math.sqrt(v + eps)
            scale, shift = gamma[c] * s, float(beta[c])
            for a in range(a_):
                for b in range(b_):
                    y[a, c, b] = (x[a, c, b] - mu) * scale + shift
            mean[c], var[c], inv_std[c] = mu, v, s

    return forward


@kernel
def batch_normalization_grad(numba):
    """``(x, gamma, gy, mean, inv_std, with_gx, gx, ggamma, gbeta) -> None``: the gradients.

    ``x``, ``gy``: ``(A, C, B)``, C-contiguous; ``gamma``, ``mean``,
    ``inv_std`` (``s``): ``(C,)``; ``ggamma``, ``gbeta``: ``(C,)``, written;
    ``gx``: ``(A, C, B)``, written if ``with_gx`` (otherwise untouched: it
    may be empty).  Per channel, over its ``m`` values, ``x_hat = (x - mean) s``::

        gbeta = sum(gy)                                  (one pass reading x and gy
        ggamma = s sum(gy (x - mean))                     for both sums)
        gx = gamma s (gy - gbeta / m - x_hat ggamma / m)     (one pass writing gx)
    """
    @numba.njit(cache=True, fastmath={'reassoc'})
    def channel_sums(x, gy, c, mu):
        """``(sum(gy), sum(gy (x - mu)))`` over channel ``c``, in float64."""
        a_, _, b_ = x.shape
        sum_gy = 0.0
        sum_gy_xc = 0.0
        for a in range(a_):
            for b in range(b_):
                g = gy[a, c, b]
                sum_gy += g
                sum_gy_xc += g * (x[a, c, b] - mu)
        return sum_gy, sum_gy_xc

    @numba.njit(cache=True)
    def grad(x, gamma, gy, mean, inv_std, with_gx, gx, ggamma, gbeta):
        a_, c_, b_ = x.shape
        m = a_ * b_
        for c in range(c_):
            mu, s = float(mean[c]), float(inv_std[c])
            sum_gy, sum_gy_xc = channel_sums(x, gy, c, mu)
            gg = sum_gy_xc * s
            gbeta[c], ggamma[c] = sum_gy, gg
            if with_gx:
                # gx = k gy + k_xc (x - mean) + k0: the formula's factors, once per channel
                k = gamma[c] * s
                k_xc = -k * s * gg / m
                k0 = -k * sum_gy / m
                for a in range(a_):
                    for b in range(b_):
                        gx[a, c, b] = k * gy[a, c, b] + k_xc * (x[a, c, b] - mu) + k0

    return grad
