"""L.MLPConvolution2D: a convolution then 1x1 convolutions, against NumPy by hand."""
import numpy
import pytest

import minigrad.functions as F
import minigrad.links as L
from minigrad import gradient_check
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


def conv(x, W, b, stride=1, pad=0):
    """y[n, o, i, j] = sum_{c,p,q} W[o, c, p, q] x_padded[n, c, i*s + p, j*s + q] + b[o]."""
    N, C, H, Wd = x.shape
    O, _, KH, KW = W.shape
    xp = numpy.pad(x.astype(numpy.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    OH, OW = (H + 2 * pad - KH) // stride + 1, (Wd + 2 * pad - KW) // stride + 1
    y = numpy.zeros((N, O, OH, OW)) + b[None, :, None, None]
    for p in range(KH):
        for q in range(KW):
            y += numpy.einsum('nchw,oc->nohw',
                              xp[:, :, p:p + stride * OH:stride, q:q + stride * OW:stride],
                              W[:, :, p, q])
    return y


def test_structure_and_forward():
    m = L.MLPConvolution2D(3, (4, 5, 2), 3, stride=2, pad=1, bias_init=0.1)
    assert len(m) == 3 and [name for name, _ in m.namedlinks(skipself=True)] == ['/0', '/1', '/2']
    assert m[0].W.shape == (4, 3, 3, 3) and m[0].stride == (2, 2) and m[0].pad == (1, 1)
    assert m[1].W.shape == (5, 4, 1, 1) and m[2].W.shape == (2, 5, 1, 1)
    x = numpy.random.randn(2, 3, 5, 4).astype(numpy.float32)
    y = m(x)
    h = numpy.maximum(conv(x, m[0].W.array, m[0].b.array, 2, 1), 0)
    h = numpy.maximum(conv(h, m[1].W.array, m[1].b.array), 0)
    expect = conv(h, m[2].W.array, m[2].b.array)       # no activation after the last
    assert y.shape == expect.shape == (2, 2, 3, 2) and y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.array, expect, rtol=1e-4, atol=1e-5)
    assert (expect < 0).any()


@pytest.mark.parametrize('make', [lambda: L.MLPConvolution2D(None, (3, 2), 2),
                                  lambda: L.MLPConvolution2D((3, 2), 2)])
def test_lazy_channels(make):
    m = make()
    assert m[0].W.array is None and m[1].W.shape == (2, 3, 1, 1)
    y = m(numpy.random.randn(1, 4, 3, 3).astype(numpy.float32))
    assert m[0].W.shape == (3, 4, 2, 2) and y.shape == (1, 2, 2, 2)


def test_activation_and_initializers():
    m = L.MLPConvolution2D(1, (2, 1), 1, activation=F.tanh, conv_init=0.5, bias_init=-1.0)
    assert m.activation is F.tanh
    x = numpy.full((1, 1, 2, 2), 3.0, dtype=numpy.float32)
    # tanh(0.5 * 3 - 1) feeds a 1x1 conv of two channels of weight 0.5 and bias -1.
    expect = 2 * 0.5 * numpy.tanh(0.5) - 1.0
    numpy.testing.assert_allclose(m(x).array, numpy.full((1, 1, 2, 2), expect), rtol=1e-6)


def test_empty_out_channels():
    with pytest.raises(InvalidType, match=r'MLPConvolution2D: expect at least one entry in '
                                          r'out_channels, actual out_channels == \(\)'):
        L.MLPConvolution2D(3, (), 3)


def test_backward_and_double_backward():
    m = L.MLPConvolution2D(2, (2, 1), 2, activation=F.tanh)
    x = numpy.random.randn(1, 2, 3, 3)
    gy = numpy.random.randn(1, 1, 2, 2)
    gradient_check.check_backward(m, x, gy, dtype=numpy.float64, atol=1e-4, rtol=1e-3)
    ggparams = tuple(numpy.random.randn(*p.shape) for p in m.params())
    gradient_check.check_double_backward(m, x, gy, numpy.random.randn(*x.shape),
                                         params_grad_grad=ggparams, dtype=numpy.float64)
