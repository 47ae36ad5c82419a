"""Window positions along one axis, found by sliding a window step by step.

The reference that the convolution and pooling tests build on: it uses no
output-size formula, so minigrad's formulas are checked against something
independent of them.
"""
import contextlib
import warnings

import pytest

from minigrad.utils.conv import OutputSizeWarning


def windows_by_sliding(size, k, s, p, cover_all=False, d=1):
    """Window starts (in padded coordinates) of ``k`` taps ``d`` apart, stride ``s``.

    Without cover_all a window must fit inside the padded input; with it,
    windows are added until one reaches the end of the padded input.
    """
    span = (k - 1) * d + 1
    starts = []
    start = 0
    while True:
        if cover_all:
            starts.append(start)
            if start + span >= size + 2 * p:
                return starts
        else:
            if start + span > size + 2 * p:
                return starts
            starts.append(start)
        start += s


def skips_last_pixels(starts, size, k, s, p):
    """Whether the last window ends before the last real pixel although the kernel
    is at least the stride: without cover_all minigrad then warns (Chainer's floor
    size) and refuses it under config.debug (a kernel below its stride skips
    pixels between windows anyway)."""
    return starts[-1] + k < p + size and k >= s


def pool_pairs(ksize, stride, pad):
    """Pooling's arguments as ``kh, kw, sy, sx, ph, pw`` (stride defaults to ksize)."""
    kh, kw = ksize if isinstance(ksize, tuple) else (ksize, ksize)
    stride = ksize if stride is None else stride
    sy, sx = stride if isinstance(stride, tuple) else (stride, stride)
    ph, pw = pad if isinstance(pad, tuple) else (pad, pad)
    return kh, kw, sy, sx, ph, pw


@contextlib.contextmanager
def expect_output_size_warning(dropped, func_name):
    """An OutputSizeWarning from ``func_name`` if ``dropped``, and none otherwise."""
    if dropped:
        with pytest.warns(OutputSizeWarning, match='^{}: output .* left out'.format(func_name)):
            yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter('error', OutputSizeWarning)
        yield
