"""L.Deconvolution2D: forward against a scatter by loops, lazy channels, outsize, gradients."""
import numpy
import pytest

import minigrad.links as L
from minigrad import gradient_check
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


def scatter_by_loops(x, W, b, stride, pad, outsize=None, groups=1):
    """Every input pixel x[n, c, i, j] adds x * W[c, o] at rows i*S - P .. (the transposed convolution)."""
    N, C, H, Wd = x.shape
    _, Og, KH, KW = W.shape
    if outsize is None:
        outsize = (stride * (H - 1) + KH - 2 * pad, stride * (Wd - 1) + KW - 2 * pad)
    OH, OW = outsize
    Cg = C // groups
    # A canvas large enough for every tap, with the padding as a border to crop.
    canvas = numpy.zeros((N, Og * groups, max(OH, stride * (H - 1) + KH - 2 * pad) + 2 * pad,
                          max(OW, stride * (Wd - 1) + KW - 2 * pad) + 2 * pad))
    for n in range(N):
        for c in range(C):
            g = c // Cg
            for i in range(H):
                for j in range(Wd):
                    for o in range(Og):
                        for p in range(KH):
                            for q in range(KW):
                                canvas[n, g * Og + o, i * stride + p, j * stride + q] += \
                                    x[n, c, i, j] * W[c, o, p, q]
    y = canvas[:, :, pad:pad + OH, pad:pad + OW]
    if b is not None:
        y = y + b[None, :, None, None]
    return y


@pytest.mark.parametrize('stride, pad, outsize, groups', [
    (1, 0, None, 1), (2, 1, None, 1), (2, 1, (8, 6), 1), (3, 0, None, 1), (1, 1, None, 2),
    (2, 0, (10, 7), 2)])
@pytest.mark.parametrize('nobias', [False, True])
def test_forward_against_loops(stride, pad, outsize, groups, nobias):
    deconv = L.Deconvolution2D(4, 6, 3, stride=stride, pad=pad, nobias=nobias, outsize=outsize,
                               groups=groups, initial_bias=None if nobias else numpy.arange(6.0))
    assert deconv.W.shape == (4, 6 // groups, 3, 3)
    x = numpy.random.randn(2, 4, 4, 3).astype(numpy.float32)
    y = deconv(x)
    assert y.dtype == numpy.float32
    expect = scatter_by_loops(x, deconv.W.array, None if nobias else deconv.b.array, stride, pad,
                              outsize, groups)
    assert y.shape == expect.shape
    numpy.testing.assert_allclose(y.array, expect, rtol=1e-4, atol=1e-4)


def test_rectangular_geometry():
    deconv = L.Deconvolution2D(2, 3, (2, 3), stride=(1, 2), pad=(0, 1))
    assert deconv.W.shape == (2, 3, 2, 3) and deconv.stride == (1, 2) and deconv.pad == (0, 1)
    y = deconv(numpy.ones((1, 2, 3, 3), dtype=numpy.float32))
    assert y.shape == (1, 3, 3 - 1 + 2, 2 * (3 - 1) + 3 - 2)


@pytest.mark.parametrize('make, shape', [
    (lambda: L.Deconvolution2D(3, 7, 4), (1, 7, 13, 13)),
    (lambda: L.Deconvolution2D(7, 4), (1, 7, 13, 13)),
    (lambda: L.Deconvolution2D(None, 7, 4), (1, 7, 13, 13)),
    (lambda: L.Deconvolution2D(None, 7, 4, 2, 1), (1, 7, 20, 20)),
    (lambda: L.Deconvolution2D(7, 4, stride=2, pad=1), (1, 7, 20, 20))])
def test_the_ways_to_make_one(make, shape):
    # Chainer's documented forms: the first argument may be left out (None).
    x = numpy.arange(1 * 3 * 10 * 10, dtype=numpy.float32).reshape(1, 3, 10, 10)
    deconv = make()
    y = deconv(x)
    assert y.shape == shape
    assert deconv.W.shape == (3, 7, 4, 4)


def test_lazy_initialization():
    deconv = L.Deconvolution2D(None, 5, 3, pad=1)
    assert deconv.W.array is None and deconv.b.shape == (5,)
    x = numpy.random.randn(2, 3, 4, 4).astype(numpy.float32)
    y = deconv(x)
    assert deconv.W.shape == (3, 5, 3, 3)
    numpy.testing.assert_allclose(y.array, scatter_by_loops(x, deconv.W.array, deconv.b.array, 1, 1),
                                  rtol=1e-4, atol=1e-4)
    with pytest.raises(InvalidType, match=r'Invalid operation in Deconvolution2D: expect '
                                          r'x.shape\[1\] == 3 .*actual x.shape\[1\] == 4'):
        deconv(numpy.ones((2, 4, 4, 4), dtype=numpy.float32))


def test_initializers():
    W = numpy.random.randn(2, 3, 2, 2).astype(numpy.float32)
    deconv = L.Deconvolution2D(2, 3, 2, initialW=W, initial_bias=0.5)
    numpy.testing.assert_array_equal(deconv.W.array, W)
    numpy.testing.assert_array_equal(deconv.b.array, numpy.full(3, 0.5, numpy.float32))
    assert L.Deconvolution2D(2, 3, 2, nobias=True).b is None
    assert [name for name, _ in L.Deconvolution2D(2, 3, 2, nobias=True).namedparams()] == ['/W']


def test_bad_arguments():
    with pytest.raises(InvalidType, match='Deconvolution2D: expect out_channels % groups == 0'):
        L.Deconvolution2D(4, 6, 3, groups=4)
    with pytest.raises(InvalidType, match=r'Deconvolution2D: expect in_channels % groups == 0, '
                                          r'actual in_channels == 3, groups == 2'):
        L.Deconvolution2D(3, 6, 3, groups=2)
    with pytest.raises(InvalidType, match=r'^Invalid operation in Deconvolution2D: expect x\.ndim == 4, '
                                          r'actual 3 != 4$'):
        L.Deconvolution2D(3, 2, 3)(numpy.ones((3, 4, 4), dtype=numpy.float32))


@pytest.mark.parametrize('stride, pad, outsize, nobias', [
    (1, 0, None, False), (2, 1, None, True), (2, 1, (6, 6), False)])
def test_backward(stride, pad, outsize, nobias):
    deconv = L.Deconvolution2D(2, 2, 3, stride=stride, pad=pad, outsize=outsize, nobias=nobias)
    if not nobias:
        deconv.b.array[...] = numpy.random.randn(2)
    x = numpy.random.randn(2, 2, 3, 3)
    gy = numpy.random.randn(*deconv(x.astype(numpy.float32)).shape)
    gradient_check.check_backward(deconv, x, gy, dtype=numpy.float64, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize('stride, pad, nobias', [(1, 0, False), (2, 1, True)])
def test_double_backward(stride, pad, nobias):
    deconv = L.Deconvolution2D(2, 2, 2, stride=stride, pad=pad, nobias=nobias)
    x = numpy.random.randn(1, 2, 3, 3)
    gy = numpy.random.randn(*deconv(x.astype(numpy.float32)).shape)
    ggx = numpy.random.randn(*x.shape)
    ggparams = tuple(numpy.random.randn(*p.shape) for p in deconv.params())
    gradient_check.check_double_backward(deconv, x, gy, ggx, params_grad_grad=ggparams,
                                         dtype=numpy.float64)


def test_functions_are_scoped_to_the_link():
    deconv = L.Deconvolution2D(1, 1, 1)
    y = deconv(numpy.ones((1, 1, 2, 2), dtype=numpy.float32))
    assert y.creator.link is deconv
