"""Property tests: random shapes and geometry, gradients against numerical ones.

For convolution, deconvolution, max and average pooling, linear, batch
normalization, local response normalization, softmax cross entropy and the
broadcasting operators, hypothesis draws shapes, kernel sizes, strides,
pads, cover_all and the dtype.  Each example checks

- forward, in the drawn dtype, against a reference written here with plain
  loops (nothing from minigrad), and that the dtype is kept (float32 stays
  float32, gradients too);
- backward against numerical gradients in float64 (``check_backward``).

Geometry is drawn valid by this module's own rule (``valid_axis``): the
kernel fits the padded input.  Without cover_all, real input pixels may be
left out of every window (``drops_axis``): Chainer's floor size, which must
come with an ``OutputSizeWarning`` and match the loop references, and raise
``InvalidType`` under ``config.debug``.  Separate tests draw invalid geometry
and expect ``InvalidType``.  Edge cases (kernel = input size, stride > kernel, 1x1
kernels, batch 1, one channel) are pinned with ``@example``.

The ``ci`` profile (default) runs few examples; ``--hypothesis-profile=thorough``
or ``MINIGRAD_HYPOTHESIS_PROFILE=thorough`` runs many more (tests/conftest.py).
"""
import collections
import itertools

import numpy
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
import minigrad.functions as F
from minigrad import Variable
from minigrad.gradient_check import check_backward
from minigrad.type_check import InvalidType
from tests.windows import expect_output_size_warning

DTYPES = st.sampled_from([numpy.float32, numpy.float64])
SEEDS = st.integers(0, 2 ** 31 - 1)


def tolerance(dtype):
    return {'rtol': 1e-4, 'atol': 1e-4} if dtype == numpy.float32 else {'rtol': 1e-10, 'atol': 1e-10}


def assert_forward(y, reference, dtype):
    assert y.dtype == dtype, 'float32 in must give float32 out'
    assert y.shape == reference.shape
    numpy.testing.assert_allclose(y.array, reference, **tolerance(dtype))


def assert_grads_keep_dtype(y, inputs, dtype):
    """One backward in the drawn dtype: every gradient has its input's dtype."""
    y.grad = numpy.ones(y.shape, dtype=dtype)
    y.backward()
    for v in inputs:
        assert v.grad is not None and v.grad.dtype == dtype and v.grad.shape == v.shape


# ---------------------------------------------------------------------------
# Geometry, by this module's own formulas

def outsize(size, k, s, p, cover_all=False, d=1):
    """Windows along one axis: floor((size + 2p - dk) / s) + 1, or the ceiling with cover_all."""
    span = size + 2 * p - ((k - 1) * d + 1)
    return (-(-span // s) if cover_all else span // s) + 1


def valid_axis(size, k, s, p, cover_all=False, d=1):
    """Whether minigrad must accept this geometry along one axis: the dilated
    kernel fits in the padded input (positive sizes, a pad >= 0).

    Dropped pixels (see :func:`drops_axis`) are valid: Chainer's floor size,
    with a warning.  With cover_all a kernel wider than the padded input is
    valid too when one window still starts on it (cover_all pads the rest).
    """
    if size < 1 or k < 1 or s < 1 or p < 0 or d < 1:
        return False
    if (k - 1) * d + 1 <= size + 2 * p:
        return True
    return cover_all and outsize(size, k, s, p, True, d) >= 1


def drops_axis(size, k, s, p, cover_all=False, d=1):
    """Whether, without cover_all, the last window ends before the last real pixel
    (padded index ``p + size - 1``) although the kernel spans at least the stride:
    minigrad then warns (OutputSizeWarning) and refuses it under config.debug."""
    dk = (k - 1) * d + 1
    return not cover_all and (outsize(size, k, s, p, False, d) - 1) * s + dk < size + p and dk >= s


def drops_pixels(g):
    """Whether a Geometry leaves input pixels out along either axis."""
    return (drops_axis(g.h, g.kh, g.sy, g.ph, g.cover_all, g.dy)
            or drops_axis(g.w, g.kw, g.sx, g.pw, g.cover_all, g.dx))


def every_window_sees_a_pixel(size, k, s, p, cover_all):
    """Max pooling over a window made only of padding gives -inf: keep such geometry out."""
    last_start = (outsize(size, k, s, p, cover_all) - 1) * s - p
    return p <= k - 1 and last_start <= size - 1


Geometry = collections.namedtuple('Geometry', 'n c_in c_out groups h w kh kw sy sx ph pw dy dx cover_all')


@st.composite
def geometries(draw, max_size=5, max_k=3, max_s=3, max_p=2, dilate=False, groups=False,
               cover_all=(False, True), pooling=False):
    """A valid 2-D geometry; each axis drawn on its own (so rectangles happen)."""
    ca = draw(st.sampled_from(cover_all))
    axes = []
    for _ in range(2):
        k = draw(st.integers(1, max_k))
        s = draw(st.integers(1, max_s))
        p = draw(st.integers(0, max_p))
        d = draw(st.integers(1, 2)) if dilate else 1
        sizes = [n for n in range(1, max_size + 1) if valid_axis(n, k, s, p, ca, d)
                 and (not pooling or every_window_sees_a_pixel(n, k, s, p, ca))]
        assume(sizes)
        axes.append((draw(st.sampled_from(sizes)), k, s, p, d))
    (h, kh, sy, ph, dy), (w, kw, sx, pw, dx) = axes
    g = draw(st.sampled_from([1, 2])) if groups else 1
    c_in = g * draw(st.integers(1, 2))
    c_out = g * draw(st.integers(1, 2))
    n = draw(st.integers(1, 2))
    return Geometry(n, c_in, c_out, g, h, w, kh, kw, sy, sx, ph, pw, dy, dx, ca)


def random(seed, *shape):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


# ---------------------------------------------------------------------------
# Convolution

def conv_reference(x, W, b, sy, sx, ph, pw, cover_all, dy, dx, groups):
    """By loops: ``y[n, o, i, j] = b[o] + sum_{c, k, l} W[o, c, k, l] x[n, g Cg + c, Y, X]``
    with ``Y = i sy + k dy - ph`` and ``X = j sx + l dx - pw`` (0 outside the image)."""
    n, c, h, w = x.shape
    c_out, cg, kh, kw = W.shape
    oh = outsize(h, kh, sy, ph, cover_all, dy)
    ow = outsize(w, kw, sx, pw, cover_all, dx)
    y = numpy.zeros((n, c_out, oh, ow))
    per_group = c_out // groups
    for b_, o, i, j in itertools.product(range(n), range(c_out), range(oh), range(ow)):
        g = o // per_group
        total = 0.0 if b is None else float(b[o])
        for ci, k, l in itertools.product(range(cg), range(kh), range(kw)):
            yy, xx = i * sy + k * dy - ph, j * sx + l * dx - pw
            if 0 <= yy < h and 0 <= xx < w:
                total += W[o, ci, k, l] * x[b_, g * cg + ci, yy, xx]
        y[b_, o, i, j] = total
    return y


EDGE_CONV = [
    # kernel = input size, batch 1, one channel
    Geometry(1, 1, 1, 1, 3, 3, 3, 3, 1, 1, 0, 0, 1, 1, False),
    # stride > kernel (every pixel still read), 1x1 kernel
    Geometry(1, 1, 2, 1, 7, 4, 1, 1, 3, 3, 0, 0, 1, 1, False),
    # stride > kernel with cover_all, padding, rectangular kernel
    Geometry(2, 2, 1, 1, 5, 4, 2, 1, 3, 2, 1, 0, 1, 1, True),
]


@given(geom=geometries(dilate=True, groups=True), bias=st.booleans(), dtype=DTYPES, seed=SEEDS)
@example(geom=EDGE_CONV[0], bias=True, dtype=numpy.float32, seed=0)
@example(geom=EDGE_CONV[1], bias=False, dtype=numpy.float64, seed=1)
@example(geom=EDGE_CONV[2], bias=True, dtype=numpy.float32, seed=2)
def test_convolution_2d(geom, bias, dtype, seed):
    with expect_output_size_warning(drops_pixels(geom), 'Convolution2D'):
        x = random(seed, geom.n, geom.c_in, geom.h, geom.w)
        W = random(seed + 1, geom.c_out, geom.c_in // geom.groups, geom.kh, geom.kw)
        b = random(seed + 2, geom.c_out) if bias else None
        options = dict(stride=(geom.sy, geom.sx), pad=(geom.ph, geom.pw), cover_all=geom.cover_all,
                       dilate=(geom.dy, geom.dx), groups=geom.groups)
        args = (x, W) + ((b,) if bias else ())
        xs = [Variable(a.astype(dtype)) for a in args]
        y = F.convolution_2d(*xs, **options)
        assert_forward(y, conv_reference(x, W, b, geom.sy, geom.sx, geom.ph, geom.pw,
                                         geom.cover_all,
                                         geom.dy, geom.dx, geom.groups), dtype)
        assert_grads_keep_dtype(y, xs, dtype)
        gy = random(seed + 3, *y.shape)
        check_backward(lambda *v: F.convolution_2d(*v, **options), args, gy, dtype=numpy.float64)


@st.composite
def invalid_axes(draw, cover_all=(False, True)):
    """One axis whose geometry must be refused (the other axis is valid)."""
    ca = draw(st.sampled_from(cover_all))
    size = draw(st.integers(1, 6))
    k = draw(st.integers(-1, 8))
    s = draw(st.integers(-1, 4))
    p = draw(st.integers(-1, 3))
    assume(not valid_axis(size, k, s, p, ca))
    return size, k, s, p, ca


@given(axis=invalid_axes(), height_first=st.booleans())
@example(axis=(4, 7, 1, 1, False), height_first=True)     # kernel larger than the padded input
@example(axis=(5, 2, 0, 0, True), height_first=True)      # zero stride
def test_convolution_2d_refuses_invalid_geometry(axis, height_first):
    size, k, s, p, ca = axis
    good = (4, 3, 1, 1)       # size 4, kernel 3, stride 1, pad 1: always fine
    h, kh, sy, ph = (size, k, s, p) if height_first else good
    w, kw, sx, pw = good if height_first else (size, k, s, p)
    x = numpy.zeros((1, 1, h, w), numpy.float32)
    W = numpy.zeros((1, 1, max(kh, 0), max(kw, 0)), numpy.float32)
    with pytest.raises(InvalidType, match='Convolution2D'):
        F.convolution_2d(x, W, stride=(sy, sx), pad=(ph, pw), cover_all=ca)


# ---------------------------------------------------------------------------
# Deconvolution

def deconv_reference(x, W, b, sy, sx, ph, pw, oh, ow):
    """Scatter: out[i*sy + k - ph, j*sx + l - pw] += x[n, c, i, j] W[c, o, k, l], cropped to (oh, ow)."""
    n, c_in, h, w = x.shape
    _, c_out, kh, kw = W.shape
    full = numpy.zeros((n, c_out, max((h - 1) * sy + kh, ph + oh), max((w - 1) * sx + kw, pw + ow)))
    for b_, c, i, j in itertools.product(range(n), range(c_in), range(h), range(w)):
        for o, k, l in itertools.product(range(c_out), range(kh), range(kw)):
            full[b_, o, i * sy + k, j * sx + l] += x[b_, c, i, j] * W[c, o, k, l]
    y = full[:, :, ph:ph + oh, pw:pw + ow]
    return y if b is None else y + b[None, :, None, None]


def deconv_outsizes(size, k, s, p):
    """The output lengths a deconvolution of ``size`` may produce: those whose convolution
    gives back ``size``, by the floor with the kernel inside the padded output, or with
    cover_all (which pads as far as its windows reach, so the kernel may be wider)."""
    return [o for o in range(1, s * (size - 1) + k + s)
            if (o + 2 * p >= k and size == outsize(o, k, s, p)) or size == outsize(o, k, s, p, True)]


@st.composite
def deconv_geometries(draw):
    axes = []
    for _ in range(2):
        size = draw(st.integers(1, 3))
        k = draw(st.integers(1, 3))
        s = draw(st.integers(1, 3))
        p = draw(st.integers(0, 1))
        default = s * (size - 1) + k - 2 * p
        given_outsize = draw(st.booleans())
        choices = deconv_outsizes(size, k, s, p) if given_outsize else [default]
        choices = [o for o in choices if o >= 1]
        assume(choices)
        axes.append((size, k, s, p, draw(st.sampled_from(choices)), given_outsize))
    return axes, draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))


@given(geom=deconv_geometries(), bias=st.booleans(), dtype=DTYPES, seed=SEEDS)
@example(geom=([(2, 2, 3, 0, 5, False), (1, 1, 1, 0, 1, False)], 1, 1, 1),     # stride > kernel
         bias=True, dtype=numpy.float32, seed=0)
@example(geom=([(3, 3, 2, 1, 6, True), (2, 1, 2, 0, 4, True)], 2, 2, 1),       # cover_all-sized outsize
         bias=False, dtype=numpy.float64, seed=1)
def test_deconvolution_2d(geom, bias, dtype, seed):
    (h, kh, sy, ph, oh, given_h), (w, kw, sx, pw, ow, given_w) = geom[0]
    n, c_in, c_out = geom[1:]
    x = random(seed, n, c_in, h, w)
    W = random(seed + 1, c_in, c_out, kh, kw)
    b = random(seed + 2, c_out) if bias else None
    outsize_arg = (oh, ow) if (given_h or given_w) else None
    options = dict(stride=(sy, sx), pad=(ph, pw), outsize=outsize_arg)
    args = (x, W) + ((b,) if bias else ())
    xs = [Variable(a.astype(dtype)) for a in args]
    y = F.deconvolution_2d(*xs, **options)
    assert_forward(y, deconv_reference(x, W, b, sy, sx, ph, pw, oh, ow), dtype)
    assert_grads_keep_dtype(y, xs, dtype)
    gy = random(seed + 3, *y.shape)
    check_backward(lambda *v: F.deconvolution_2d(*v, **options), args, gy, dtype=numpy.float64)


@given(size=st.integers(1, 4), k=st.integers(1, 3), s=st.integers(1, 3), p=st.integers(0, 1),
       out=st.integers(1, 12))
def test_deconvolution_2d_refuses_an_impossible_outsize(size, k, s, p, out):
    assume(out not in deconv_outsizes(size, k, s, p))
    x = numpy.zeros((1, 1, size, 2), numpy.float32)
    W = numpy.zeros((1, 1, k, 1), numpy.float32)
    with pytest.raises(InvalidType, match='Deconvolution2D'):
        F.deconvolution_2d(x, W, stride=(s, 1), pad=(p, 0), outsize=(out, 2))


# ---------------------------------------------------------------------------
# Pooling

def pool_reference(x, kh, kw, sy, sx, ph, pw, cover_all, reduce):
    """``reduce`` over each window; ``None`` marks padding (max skips it, mean counts it as 0)."""
    n, c, h, w = x.shape
    oh, ow = outsize(h, kh, sy, ph, cover_all), outsize(w, kw, sx, pw, cover_all)
    y = numpy.zeros((n, c, oh, ow))
    for b_, ch, i, j in itertools.product(range(n), range(c), range(oh), range(ow)):
        window = []
        for k, l in itertools.product(range(kh), range(kw)):
            yy, xx = i * sy + k - ph, j * sx + l - pw
            window.append(x[b_, ch, yy, xx] if 0 <= yy < h and 0 <= xx < w else None)
        y[b_, ch, i, j] = reduce(window)
    return y


def window_max(window):
    return max(v for v in window if v is not None)


def window_mean(window):
    return sum(0.0 if v is None else v for v in window) / len(window)


def distinct(seed, *shape):
    """Values at least 0.05 apart, so no max is within the numerical step of another."""
    size = int(numpy.prod(shape))
    return (numpy.random.RandomState(seed).permutation(size) * 0.05 - size * 0.025).reshape(shape)


EDGE_POOL = [
    Geometry(1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 0, 0, 1, 1, False),    # kernel = input size, N = C = 1
    Geometry(2, 2, 2, 1, 5, 4, 1, 1, 2, 3, 0, 0, 1, 1, False),    # 1x1 kernel, stride > kernel
    Geometry(1, 2, 2, 1, 6, 4, 2, 3, 3, 2, 1, 1, 1, 1, True),     # cover_all adds a window
]


def test_the_pinned_examples_are_valid_geometry():
    for g in EDGE_CONV + EDGE_POOL:
        assert valid_axis(g.h, g.kh, g.sy, g.ph, g.cover_all, g.dy)
        assert valid_axis(g.w, g.kw, g.sx, g.pw, g.cover_all, g.dx)
    for g in EDGE_POOL:
        assert every_window_sees_a_pixel(g.h, g.kh, g.sy, g.ph, g.cover_all)
        assert every_window_sees_a_pixel(g.w, g.kw, g.sx, g.pw, g.cover_all)
    # The pinned cases really are the edge cases they claim to be.
    assert (EDGE_CONV[0].kh, EDGE_CONV[0].kw) == (EDGE_CONV[0].h, EDGE_CONV[0].w)
    assert EDGE_CONV[1].sy > EDGE_CONV[1].kh and EDGE_CONV[1].kh == EDGE_CONV[1].kw == 1
    assert EDGE_CONV[0].n == EDGE_CONV[0].c_in == 1


@given(geom=geometries(pooling=True), dtype=DTYPES, seed=SEEDS)
@example(geom=EDGE_POOL[0], dtype=numpy.float32, seed=0)
@example(geom=EDGE_POOL[1], dtype=numpy.float64, seed=1)
@example(geom=EDGE_POOL[2], dtype=numpy.float32, seed=2)
def test_max_pooling_2d(geom, dtype, seed):
    with expect_output_size_warning(drops_pixels(geom), 'MaxPooling2D'):
        x = distinct(seed, geom.n, geom.c_in, geom.h, geom.w)
        options = dict(ksize=(geom.kh, geom.kw), stride=(geom.sy, geom.sx), pad=(geom.ph, geom.pw),
                       cover_all=geom.cover_all)
        xv = Variable(x.astype(dtype))
        y = F.max_pooling_2d(xv, **options)
        ref = pool_reference(x, geom.kh, geom.kw, geom.sy, geom.sx, geom.ph, geom.pw,
                             geom.cover_all, window_max)
        assert_forward(y, ref, dtype)
        assert_grads_keep_dtype(y, [xv], dtype)
        gy = random(seed + 1, *y.shape)
        check_backward(lambda v: F.max_pooling_2d(v, **options), x, gy, dtype=numpy.float64)


@given(geom=geometries(cover_all=(False,)), dtype=DTYPES, seed=SEEDS)
@example(geom=EDGE_POOL[0], dtype=numpy.float32, seed=0)
@example(geom=EDGE_POOL[1], dtype=numpy.float64, seed=1)
def test_average_pooling_2d(geom, dtype, seed):
    with expect_output_size_warning(drops_pixels(geom), 'AveragePooling2D'):
        x = random(seed, geom.n, geom.c_in, geom.h, geom.w)
        options = dict(ksize=(geom.kh, geom.kw), stride=(geom.sy, geom.sx), pad=(geom.ph, geom.pw))
        xv = Variable(x.astype(dtype))
        y = F.average_pooling_2d(xv, **options)
        ref = pool_reference(x, geom.kh, geom.kw, geom.sy, geom.sx, geom.ph, geom.pw, False,
                             window_mean)
        assert_forward(y, ref, dtype)
        assert_grads_keep_dtype(y, [xv], dtype)
        gy = random(seed + 1, *y.shape)
        check_backward(lambda v: F.average_pooling_2d(v, **options), x, gy, dtype=numpy.float64)


@given(axis=invalid_axes(), height_first=st.booleans(), kind=st.sampled_from(['max', 'average']))
@example(axis=(4, 7, 1, 1, True), height_first=True, kind='max')       # kernel past the padding
@example(axis=(2, 3, 1, 0, False), height_first=False, kind='average')  # kernel past the input
def test_pooling_refuses_invalid_geometry(axis, height_first, kind):
    size, k, s, p, ca = axis
    if kind == 'average':
        assume(not valid_axis(size, k, s, p, False))    # average pooling never covers all
    good = (4, 2, 2, 0)
    h, kh, sy, ph = (size, k, s, p) if height_first else good
    w, kw, sx, pw = good if height_first else (size, k, s, p)
    x = numpy.zeros((1, 1, h, w), numpy.float32)
    with pytest.raises(InvalidType, match='MaxPooling2D' if kind == 'max' else 'AveragePooling2D'):
        if kind == 'max':
            F.max_pooling_2d(x, (kh, kw), (sy, sx), (ph, pw), cover_all=ca)
        else:
            F.average_pooling_2d(x, (kh, kw), (sy, sx), (ph, pw))


@st.composite
def dropping_axes(draw):
    """An axis ``(size, k, s, p)`` whose last input pixels no window reads (without cover_all)."""
    k = draw(st.integers(2, 4))
    s = draw(st.integers(2, k))
    p = draw(st.integers(0, k - 1))
    sizes = [n for n in range(1, 9) if valid_axis(n, k, s, p) and drops_axis(n, k, s, p)]
    assume(sizes)
    return draw(st.sampled_from(sizes)), k, s, p


@given(axis=dropping_axes(), height_first=st.booleans(),
       kind=st.sampled_from(['conv', 'max', 'average']))
@example(axis=(8, 3, 2, 0), height_first=False, kind='conv')       # the last pixel left out
@example(axis=(5, 2, 2, 0), height_first=False, kind='average')    # the last column left out
def test_dropped_pixels_warn_and_fail_under_debug(axis, height_first, kind):
    """Chainer's floor size with an OutputSizeWarning; InvalidType under config.debug."""
    size, k, s, p = axis
    good = (4, 2, 2, 0)
    h, kh, sy, ph = (size, k, s, p) if height_first else good
    w, kw, sx, pw = good if height_first else (size, k, s, p)
    x = random(0, 1, 1, h, w)
    name, f = {
        'conv': ('Convolution2D', lambda: F.convolution_2d(
            x, random(1, 1, 1, kh, kw), stride=(sy, sx), pad=(ph, pw))),
        'max': ('MaxPooling2D', lambda: F.max_pooling_2d(
            x, (kh, kw), (sy, sx), (ph, pw), cover_all=False)),
        'average': ('AveragePooling2D', lambda: F.average_pooling_2d(
            x, (kh, kw), (sy, sx), (ph, pw))),
    }[kind]
    with expect_output_size_warning(True, name):
        y = f()
    assert y.shape[2:] == (outsize(h, kh, sy, ph), outsize(w, kw, sx, pw))
    with minigrad.using_config('debug', True), \
            pytest.raises(InvalidType, match=name + ': expect an integer output'):
        f()


# ---------------------------------------------------------------------------
# Linear

@given(batch=st.lists(st.integers(1, 3), min_size=1, max_size=2),
       features=st.lists(st.integers(1, 3), min_size=1, max_size=2),
       out_size=st.integers(1, 4), bias=st.booleans(), dtype=DTYPES, seed=SEEDS)
@example(batch=[1], features=[1], out_size=1, bias=True, dtype=numpy.float32, seed=0)
def test_linear(batch, features, out_size, bias, dtype, seed):
    n_batch_axes = len(batch)
    x = random(seed, *(batch + features))
    in_size = int(numpy.prod(features))
    W = random(seed + 1, out_size, in_size)
    b = random(seed + 2, out_size) if bias else None
    # Reference: y[n..., o] = b[o] + sum_i x[n..., i] W[o, i], by loops.
    flat = x.reshape(tuple(batch) + (in_size,))
    ref = numpy.zeros(tuple(batch) + (out_size,))
    for idx in numpy.ndindex(*batch):
        for o in range(out_size):
            ref[idx + (o,)] = sum(flat[idx + (i,)] * W[o, i] for i in range(in_size)) + (
                b[o] if bias else 0.0)
    args = (x, W) + ((b,) if bias else ())
    xs = [Variable(a.astype(dtype)) for a in args]
    y = F.linear(*xs, n_batch_axes=n_batch_axes)
    assert_forward(y, ref, dtype)
    assert_grads_keep_dtype(y, xs, dtype)
    gy = random(seed + 3, *y.shape)
    check_backward(lambda *v: F.linear(*v, n_batch_axes=n_batch_axes), args, gy,
                   dtype=numpy.float64)


# ---------------------------------------------------------------------------
# Softmax cross entropy

@given(n=st.integers(1, 3), n_class=st.integers(1, 4), spatial=st.lists(st.integers(1, 2), max_size=2),
       reduce=st.sampled_from(['mean', 'no']), normalize=st.booleans(), ignore=st.booleans(),
       dtype=DTYPES, seed=SEEDS)
@example(n=1, n_class=1, spatial=[], reduce='mean', normalize=True, ignore=False,
         dtype=numpy.float32, seed=0)
def test_softmax_cross_entropy(n, n_class, spatial, reduce, normalize, ignore, dtype, seed):
    rng = numpy.random.RandomState(seed)
    x = rng.uniform(-3, 3, (n, n_class) + tuple(spatial))
    t = rng.randint(0, n_class, (n,) + tuple(spatial)).astype(numpy.int32)
    if ignore:
        t[rng.uniform(size=t.shape) < 0.3] = -1
    # Reference: per label -log(exp(x_t) / sum_c exp(x_c)), 0 where ignored.
    per = numpy.zeros(t.shape)
    for idx in numpy.ndindex(*t.shape):
        if t[idx] == -1:
            continue
        scores = [x[(idx[0], c) + idx[1:]] for c in range(n_class)]
        top = max(scores)
        log_z = top + numpy.log(sum(numpy.exp(v - top) for v in scores))
        per[idx] = log_z - scores[t[idx]]
    if reduce == 'no':
        ref = per
    else:
        count = int((t != -1).sum()) if normalize else n
        ref = numpy.asarray(per.sum() / max(count, 1))
    xv = Variable(x.astype(dtype))
    loss = F.softmax_cross_entropy(xv, t, normalize=normalize, reduce=reduce)
    assert_forward(loss, ref, dtype)
    assert_grads_keep_dtype(loss, [xv], dtype)
    gy = None if reduce == 'mean' else random(seed + 1, *t.shape)
    check_backward(lambda v, t_: F.softmax_cross_entropy(v, t_, normalize=normalize, reduce=reduce),
                   (x, t), gy, dtype=numpy.float64)


# ---------------------------------------------------------------------------
# Batch normalization and local response normalization

@given(n=st.integers(1, 3), c=st.integers(1, 3), spatial=st.lists(st.integers(1, 3), max_size=2),
       eps=st.sampled_from([2e-5, 1e-2, 1.0]), dtype=DTYPES, seed=SEEDS)
@example(n=2, c=1, spatial=[], eps=2e-5, dtype=numpy.float32, seed=0)
@example(n=1, c=2, spatial=[1, 2], eps=1e-2, dtype=numpy.float64, seed=1)
def test_batch_normalization(n, c, spatial, eps, dtype, seed):
    shape = (n, c) + tuple(spatial)
    m = int(numpy.prod(shape)) // c
    assume(m >= 2)            # a single value per channel has no variance
    # Values at least 0.2 apart: with two values per channel a tiny variance would make
    # the normalization so curved that central differences (not backward) go wrong.
    x = distinct(seed, *shape) * 4 + 0.5
    gamma = random(seed + 1, c) + 1.5
    beta = random(seed + 2, c)
    running_mean, running_var = numpy.zeros(c, dtype), numpy.ones(c, dtype)
    decay = 0.9
    # Reference: per channel, the biased batch statistics by loops.
    ref = numpy.zeros(shape)
    ref_mean, ref_var = numpy.zeros(c), numpy.zeros(c)
    for ch in range(c):
        values = [x[(i, ch) + rest] for i in range(n) for rest in numpy.ndindex(*spatial)]
        mu = sum(values) / m
        var = sum((v - mu) ** 2 for v in values) / m
        ref_mean[ch], ref_var[ch] = mu, var
        for i in range(n):
            for rest in numpy.ndindex(*spatial):
                idx = (i, ch) + rest
                ref[idx] = gamma[ch] * (x[idx] - mu) / numpy.sqrt(var + eps) + beta[ch]
    xs = [Variable(a.astype(dtype)) for a in (x, gamma, beta)]
    y = F.batch_normalization(*xs, eps=eps, running_mean=running_mean, running_var=running_var,
                              decay=decay)
    # Small variances with eps = 2e-5 amplify float32 rounding: compare relative to the scale.
    tol = tolerance(dtype) if dtype == numpy.float64 else {'rtol': 1e-3, 'atol': 1e-3}
    assert y.dtype == dtype
    numpy.testing.assert_allclose(y.array, ref, **tol)
    numpy.testing.assert_allclose(running_mean, (1 - decay) * ref_mean, **tol)
    numpy.testing.assert_allclose(running_var, decay + (1 - decay) * ref_var * m / (m - 1), **tol)
    assert_grads_keep_dtype(y, xs, dtype)
    gy = random(seed + 3, *shape)
    check_backward(lambda *v: F.batch_normalization(*v, eps=eps), (x, gamma, beta), gy,
                   dtype=numpy.float64, eps=1e-4, atol=1e-5, rtol=1e-4)


@given(n=st.integers(1, 2), c=st.integers(1, 3), spatial=st.lists(st.integers(1, 3), max_size=2),
       eps=st.sampled_from([2e-5, 1e-1]), dtype=DTYPES, seed=SEEDS)
@example(n=1, c=1, spatial=[], eps=2e-5, dtype=numpy.float32, seed=0)
def test_fixed_batch_normalization(n, c, spatial, eps, dtype, seed):
    shape = (n, c) + tuple(spatial)
    x = random(seed, *shape)
    gamma, beta, mean = random(seed + 1, c) + 1.5, random(seed + 2, c), random(seed + 3, c)
    var = random(seed + 4, c) + 1.5
    ref = numpy.zeros(shape)
    for idx in numpy.ndindex(*shape):
        ch = idx[1]
        ref[idx] = gamma[ch] * (x[idx] - mean[ch]) / numpy.sqrt(var[ch] + eps) + beta[ch]
    args = (x, gamma, beta, mean, var)
    xs = [Variable(a.astype(dtype)) for a in args]
    y = F.fixed_batch_normalization(*xs, eps=eps)
    assert_forward(y, ref, dtype)
    assert_grads_keep_dtype(y, xs, dtype)
    gy = random(seed + 5, *shape)
    check_backward(lambda *v: F.fixed_batch_normalization(*v, eps=eps), args, gy,
                   dtype=numpy.float64)


@given(n_window=st.integers(1, 6), c=st.integers(1, 5), spatial=st.lists(st.integers(1, 3), max_size=2),
       k=st.sampled_from([1.0, 2.0]), alpha=st.sampled_from([1e-4, 0.5]),
       beta=st.sampled_from([0.75, 1.5]), dtype=DTYPES, seed=SEEDS)
@example(n_window=5, c=1, spatial=[1, 1], k=2.0, alpha=1e-4, beta=0.75, dtype=numpy.float32, seed=0)
def test_local_response_normalization(n_window, c, spatial, k, alpha, beta, dtype, seed):
    shape = (2, c) + tuple(spatial)
    x = random(seed, *shape) * 2
    half = n_window // 2
    # Reference: y = x / (k + alpha * sum of x^2 over channels c - n//2 .. c + n//2) ** beta.
    ref = numpy.zeros(shape)
    for idx in numpy.ndindex(*shape):
        ch = idx[1]
        energy = sum(x[(idx[0], d) + idx[2:]] ** 2
                     for d in range(max(0, ch - half), min(c - 1, ch + half) + 1))
        ref[idx] = x[idx] / (k + alpha * energy) ** beta
    xv = Variable(x.astype(dtype))
    options = dict(n=n_window, k=k, alpha=alpha, beta=beta)
    y = F.local_response_normalization(xv, **options)
    assert_forward(y, ref, dtype)
    assert_grads_keep_dtype(y, [xv], dtype)
    gy = random(seed + 1, *shape)
    check_backward(lambda v: F.local_response_normalization(v, **options), x, gy,
                   dtype=numpy.float64)


# ---------------------------------------------------------------------------
# Broadcasting operators

OPERATORS = {
    '+': (lambda a, b: a + b, lambda p, q: p + q),
    '-': (lambda a, b: a - b, lambda p, q: p - q),
    '*': (lambda a, b: a * b, lambda p, q: p * q),
    '/': (lambda a, b: a / b, lambda p, q: p / q),
}


def broadcast_reference(op, a, b):
    """Apply a scalar ``op`` at every index of the broadcast shape, by NumPy's rule written out."""
    ndim = max(a.ndim, b.ndim)
    sa = (1,) * (ndim - a.ndim) + a.shape
    sb = (1,) * (ndim - b.ndim) + b.shape
    shape = tuple(max(p, q) for p, q in zip(sa, sb))
    a2, b2 = a.reshape(sa), b.reshape(sb)
    out = numpy.zeros(shape)
    for idx in numpy.ndindex(*shape):
        ia = tuple(i if n > 1 else 0 for i, n in zip(idx, sa))
        ib = tuple(i if n > 1 else 0 for i, n in zip(idx, sb))
        out[idx] = op(float(a2[ia]), float(b2[ib]))
    return out


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       op=st.sampled_from(sorted(OPERATORS)), variables=st.sampled_from(['both', 'left', 'right']),
       dtype=DTYPES, seed=SEEDS)
@example(shapes=hnp.BroadcastableShapes(input_shapes=((2, 1, 3), (4, 1)), result_shape=(2, 4, 3)),
         op='/', variables='both', dtype=numpy.float32, seed=0)
@example(shapes=hnp.BroadcastableShapes(input_shapes=((), (2, 3)), result_shape=(2, 3)),
         op='-', variables='right', dtype=numpy.float64, seed=1)
def test_broadcasting_operators(shapes, op, variables, dtype, seed):
    shape_a, shape_b = shapes.input_shapes
    rng = numpy.random.RandomState(seed)
    a = rng.uniform(-1, 1, shape_a)
    # Away from 0, so division and its gradient stay well conditioned.
    b = rng.uniform(0.5, 1.5, shape_b) * rng.choice([-1, 1], shape_b)
    apply, scalar = OPERATORS[op]
    ref = broadcast_reference(scalar, a, b)
    # The operator with a Variable on the left, on the right, or on both sides (__r*__).
    wrap = {'both': (True, True), 'left': (True, False), 'right': (False, True)}[variables]
    va = Variable(a.astype(dtype)) if wrap[0] else a.astype(dtype)
    vb = Variable(b.astype(dtype)) if wrap[1] else b.astype(dtype)
    y = apply(va, vb)
    assert_forward(y, ref, dtype)
    assert_grads_keep_dtype(y, [v for v in (va, vb) if isinstance(v, Variable)], dtype)
    gy = random(seed + 1, *ref.shape)
    check_backward(apply, (a, b), gy, dtype=numpy.float64)
