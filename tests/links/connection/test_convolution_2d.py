"""L.Convolution2D: forward against a loop convolution, lazy channels, groups, gradients."""
import numpy
import pytest

import minigrad.links as L
from minigrad import gradient_check
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


def loop_conv(x, W, b, stride, pad, dilate=1, groups=1):
    """Direct nested loops: y[n, o, i, j] = sum over the group's c, kh, kw of W * x_padded."""
    N, C, H, Wd = x.shape
    O, Cg, KH, KW = W.shape
    xp = numpy.zeros((N, C, H + 2 * pad, Wd + 2 * pad))
    xp[:, :, pad:pad + H, pad:pad + Wd] = x
    OH = (H + 2 * pad - dilate * (KH - 1) - 1) // stride + 1
    OW = (Wd + 2 * pad - dilate * (KW - 1) - 1) // stride + 1
    y = numpy.zeros((N, O, OH, OW))
    per_group = O // groups
    for n in range(N):
        for o in range(O):
            g = o // per_group
            for i in range(OH):
                for j in range(OW):
                    total = 0.0
                    for c in range(Cg):
                        for p in range(KH):
                            for q in range(KW):
                                total += W[o, c, p, q] * xp[n, g * Cg + c, i * stride + p * dilate,
                                                            j * stride + q * dilate]
                    y[n, o, i, j] = total + (0.0 if b is None else b[o])
    return y


@pytest.mark.parametrize('stride, pad, dilate, groups', [
    (1, 0, 1, 1), (2, 1, 1, 1), (1, 1, 2, 1), (1, 0, 1, 2), (3, 2, 1, 1)])
@pytest.mark.parametrize('nobias', [False, True])
def test_forward(stride, pad, dilate, groups, nobias):
    conv = L.Convolution2D(4, 6, 3, stride=stride, pad=pad, nobias=nobias, dilate=dilate, groups=groups,
                           initial_bias=None if nobias else numpy.arange(6.0))
    assert conv.W.shape == (6, 4 // groups, 3, 3)
    x = numpy.random.randn(2, 4, 7, 6).astype(numpy.float32)
    y = conv(x)
    assert y.dtype == numpy.float32
    expect = loop_conv(x, conv.W.data, None if nobias else conv.b.data, stride, pad, dilate, groups)
    assert y.shape == expect.shape
    numpy.testing.assert_allclose(y.data, expect, rtol=1e-4, atol=1e-4)


def test_alexnet_first_layer_signature():
    conv = L.Convolution2D(3, 96, 11, stride=4)
    assert conv.W.shape == (96, 3, 11, 11) and conv.b.shape == (96,)
    assert conv.stride == (4, 4) and conv.pad == (0, 0)
    assert not conv.b.data.any()
    assert conv.W.data.std() == pytest.approx(numpy.sqrt(1.0 / (3 * 121)), rel=0.03)   # LeCunNormal
    rect = L.Convolution2D(2, 3, (2, 3), stride=(1, 2), pad=(0, 1))
    assert rect.W.shape == (3, 2, 2, 3) and rect.stride == (1, 2) and rect.pad == (0, 1)


@pytest.mark.parametrize('make', [lambda: L.Convolution2D(None, 5, 3, pad=1),
                                  lambda: L.Convolution2D(5, 3, pad=1)])
def test_lazy_channels(make):
    conv = make()
    assert conv.W.data is None and conv.out_channels == 5 and conv.ksize == 3
    x = numpy.random.randn(2, 3, 4, 4).astype(numpy.float32)
    y = conv(x)
    assert conv.W.shape == (5, 3, 3, 3) and y.shape == (2, 5, 4, 4)
    numpy.testing.assert_allclose(y.data, loop_conv(x, conv.W.data, conv.b.data, 1, 1), rtol=1e-4, atol=1e-4)
    with pytest.raises(InvalidType, match=r'Invalid operation in Convolution2D: expect x.shape\[1\] == 3 .*'
                                          r'actual x.shape\[1\] == 4 \(x.shape \(2, 4, 4, 4\)\)'):
        conv(numpy.ones((2, 4, 4, 4), dtype=numpy.float32))


def test_bad_arguments():
    with pytest.raises(InvalidType, match='Convolution2D: expect out_channels % groups == 0'):
        L.Convolution2D(4, 6, 3, groups=4)
    with pytest.raises(InvalidType, match=r'Convolution2D: expect in_channels % groups == 0, '
                                          r'actual in_channels == 3, groups == 2'):
        L.Convolution2D(3, 6, 3, groups=2)
    conv = L.Convolution2D(None, 2, 3, groups=2)
    with pytest.raises(InvalidType, match='in_channels % groups == 0'):
        conv(numpy.ones((1, 3, 4, 4), dtype=numpy.float32))
    # worded as the function's own check of x
    with pytest.raises(InvalidType, match=r'^Invalid operation in Convolution2D: expect x\.ndim == 4, '
                                          r'actual 3 != 4$'):
        L.Convolution2D(3, 2, 3)(numpy.ones((3, 4, 4), dtype=numpy.float32))


def test_functions_are_scoped_to_the_link():
    conv = L.Convolution2D(1, 1, 1)
    y = conv(numpy.ones((1, 1, 2, 2), dtype=numpy.float32))
    assert y.creator.link is conv


@pytest.mark.parametrize('stride, pad, groups, nobias', [
    (1, 0, 1, False), (2, 1, 1, True), (1, 1, 2, False)])
def test_backward(stride, pad, groups, nobias):
    conv = L.Convolution2D(2, 2, 2, stride=stride, pad=pad, groups=groups, nobias=nobias)
    if not nobias:
        conv.b.data[...] = numpy.random.randn(2)
    x = numpy.random.randn(2, 2, 3, 3)
    gy = numpy.random.randn(*conv(x.astype(numpy.float32)).shape)
    gradient_check.check_backward(conv, x, gy, dtype=numpy.float64)
