"""col2im as one loop (see ``minigrad/utils/conv.py``).

The NumPy ``col2im`` makes one strided add per kernel offset over the whole
image batch: ``KH*KW`` reads and writes of an array the size of the input,
most of them outside the cache.  Here each ``(n, c)`` image plane (a few KB
in AlexNet) takes every column added to it while it sits in the cache, so
the image is written once and the columns are read once, in their memory
order when they come from a deconvolution's product ``(C, KH, KW, N, OH, OW)``.
AlexBN's col2im after the benchmark's 0.3 s rest (2-core Xeon, numba 0.68):
conv2's input gradient 21.5 -> 10.0 ms, conv3's 10.7 -> 7.0, conv4's 15.0 -> 8.3.
"""
from minigrad.backends.numba_kernels import kernel


@kernel
def col2im_add(numba):
    """``(col_t, sy, sx, ph, pw, dy, dx, img) -> None``: add a col into ``img``.

    ``col_t``: the col with its batch axis moved, ``(C, KH, KW, N, OH, OW)``
    (``col.transpose(1, 2, 3, 0, 4, 5)``, which is C-contiguous for a
    deconvolution's product: numba then compiles plain contiguous loads);
    ``img``: ``(N, C, H, W)``::

        img[n, c, y SY + i DY - PH, x SX + j DX - PW] += col_t[c, i, j, n, y, x]

    for the positions inside the image (the rest is padding, dropped).
    """
    @numba.njit(cache=True)
    def col2im_add(col_t, sy, sx, ph, pw, dy, dx, img):
        c_, kh, kw, n_, oh, ow = col_t.shape
        h, w = img.shape[2], img.shape[3]
        for c in range(c_):
            for i in range(kh):
                for j in range(kw):
                    for n in range(n_):
                        for y in range(oh):
                            r = y * sy + i * dy - ph
                            if r < 0 or r >= h:
                                continue
                            for x in range(ow):
                                s = x * sx + j * dx - pw
                                if 0 <= s < w:
                                    img[n, c, r, s] += col_t[c, i, j, n, y, x]

    return col2im_add

