"""L.Inception and L.InceptionBN against their paths composed by hand in NumPy."""
import numpy
import pytest

import minigrad
import minigrad.links as L
from minigrad import gradient_check
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


# ---------------------------------------------------------------------------
# NumPy references: a sum over kernel taps, pooling over the shifted windows

def conv(x, W, b=None, stride=1, pad=0):
    """y[n, o, i, j] = sum_{c,p,q} W[o, c, p, q] x_padded[n, c, i*s + p, j*s + q] (+ b[o])."""
    N, C, H, Wd = x.shape
    O, _, KH, KW = W.shape
    xp = numpy.pad(x.astype(numpy.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    OH, OW = (H + 2 * pad - KH) // stride + 1, (Wd + 2 * pad - KW) // stride + 1
    y = numpy.zeros((N, O, OH, OW))
    for p in range(KH):
        for q in range(KW):
            window = xp[:, :, p:p + stride * OH:stride, q:q + stride * OW:stride]
            y += numpy.einsum('nchw,oc->nohw', window, W[:, :, p, q])
    return y if b is None else y + b[None, :, None, None]


def pool3x3(x, stride, kind):
    """3x3 pooling with pad 1: max over the taps (padding never wins), or their sum / 9."""
    N, C, H, Wd = x.shape
    fill = -numpy.inf if kind == 'max' else 0.0
    xp = numpy.pad(x.astype(numpy.float64), ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=fill)
    OH, OW = (H - 1) // stride + 1, (Wd - 1) // stride + 1
    taps = [xp[:, :, p:p + stride * OH:stride, q:q + stride * OW:stride]
            for p in range(3) for q in range(3)]
    return numpy.max(taps, axis=0) if kind == 'max' else numpy.sum(taps, axis=0) / 9.0


def relu(x):
    return numpy.maximum(x, 0)


def batch_norm(x, bn):
    """Training-mode BN with the batch's statistics per channel (biased variance)."""
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    g, b = bn.gamma.array[None, :, None, None], bn.beta.array[None, :, None, None]
    return g * (x - mean) / numpy.sqrt(var + bn.eps) + b


# ---------------------------------------------------------------------------
# Inception

def inception_by_hand(m, x):
    p = {name: (link.W.array, link.b.array) for name, link in m.namedlinks(skipself=True)}
    path1 = conv(x, *p['/conv1'])
    path3 = conv(relu(conv(x, *p['/proj3'])), *p['/conv3'], pad=1)
    path5 = conv(relu(conv(x, *p['/proj5'])), *p['/conv5'], pad=2)
    pathp = conv(pool3x3(x, 1, 'max'), *p['/projp'])
    return relu(numpy.concatenate([path1, path3, path5, pathp], axis=1))


def test_inception_forward():
    m = L.Inception(3, 2, 2, 3, 1, 2, 2, bias_init=0.1)
    assert [name for name, _ in m.namedlinks(skipself=True)] == [
        '/conv1', '/proj3', '/conv3', '/proj5', '/conv5', '/projp']
    assert m.conv3.W.shape == (3, 2, 3, 3) and m.conv5.W.shape == (2, 1, 5, 5)
    x = numpy.random.randn(2, 3, 5, 4).astype(numpy.float32)
    y = m(x)
    assert y.shape == (2, 2 + 3 + 2 + 2, 5, 4) and y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.array, inception_by_hand(m, x), rtol=1e-4, atol=1e-5)


def test_inception_initializers_and_lazy_channels():
    m = L.Inception(None, 2, 2, 3, 1, 2, 2, conv_init=0.5, bias_init=0.25)
    assert m.conv1.W.array is None and m.conv3.W.array is not None     # conv3 knows proj3
    x = numpy.random.randn(1, 4, 3, 3).astype(numpy.float32)
    y = m(x)
    assert m.conv1.W.shape == (2, 4, 1, 1) and (m.conv1.W.array == 0.5).all()
    assert all((link.b.array == 0.25).all() for link in m.children())
    numpy.testing.assert_allclose(y.array, inception_by_hand(m, x), rtol=1e-4, atol=1e-5)


def test_inception_backward():
    m = L.Inception(2, 1, 1, 1, 1, 1, 1)
    # Nonzero biases: with zero ones, a window of ReLU zeros gives exactly 0,
    # a kink the numerical slope straddles.
    for conv in m.children():
        conv.b.array[...] = numpy.random.uniform(0.1, 0.5, conv.b.shape)
    x = numpy.random.randn(1, 2, 3, 3)
    gy = numpy.random.randn(1, 4, 3, 3)
    gradient_check.check_backward(m, x, gy, dtype=numpy.float64, atol=1e-4, rtol=1e-3)


# ---------------------------------------------------------------------------
# InceptionBN

def inception_bn_by_hand(m, x):
    def unit(h, conv_name, bn_name, stride=1):
        link = getattr(m, conv_name)
        k = link.W.shape[2]
        return relu(batch_norm(conv(h, link.W.array, stride=stride, pad=k // 2),
                               getattr(m, bn_name)))

    outs = []
    if m.out1 > 0:
        outs.append(unit(x, 'conv1', 'conv1n'))
    outs.append(unit(unit(x, 'proj3', 'proj3n'), 'conv3', 'conv3n', m.stride))
    h = unit(unit(x, 'proj33', 'proj33n'), 'conv33a', 'conv33an')
    outs.append(unit(h, 'conv33b', 'conv33bn', m.stride))
    pooled = pool3x3(x, m.stride, m.pooltype)
    outs.append(pooled if m.proj_pool is None else unit(pooled, 'poolp', 'poolpn'))
    return numpy.concatenate(outs, axis=1)


@pytest.mark.parametrize('out1, pooltype, proj_pool, stride', [
    (2, 'max', 2, 1), (2, 'avg', 1, 1), (0, 'max', None, 2), (0, 'avg', 2, 2), (0, 'max', 3, 1)])
def test_inception_bn_forward(out1, pooltype, proj_pool, stride):
    m = L.InceptionBN(3, out1, 2, 3, 2, 2, pooltype, proj_pool=proj_pool, stride=stride)
    for bn in m.links():
        if isinstance(bn, L.BatchNormalization):
            bn.gamma.array[...] = numpy.random.uniform(0.5, 1.5, bn.gamma.shape)
            bn.beta.array[...] = numpy.random.randn(*bn.beta.shape)
    x = numpy.random.randn(3, 3, 5, 6).astype(numpy.float32)
    y = m(x)
    expect = inception_bn_by_hand(m, x)
    assert y.shape == expect.shape == (3, out1 + 3 + 2 + (proj_pool or 3), (5 - 1) // stride + 1,
                                       (6 - 1) // stride + 1)
    assert y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.array, expect, rtol=1e-3, atol=1e-4)
    # Every convolution is bias-free; every path has its own normalization.
    assert all(conv.b is None for conv in m.links() if isinstance(conv, L.Convolution2D))
    assert ('conv1' in m._children) == (out1 > 0) and ('poolp' in m._children) == (proj_pool is not None)


def test_inception_bn_test_mode_uses_running_averages():
    m = L.InceptionBN(2, 1, 1, 1, 1, 1, 'max', proj_pool=1)
    x = numpy.random.randn(2, 2, 3, 3).astype(numpy.float32)
    m(x)
    assert not (m.proj3n.avg_mean == 0).all()       # training updated the running statistics
    with minigrad.using_config('train', False):
        y1 = m(x).array
        y2 = m(x[:1]).array
    numpy.testing.assert_allclose(y1[:1], y2, rtol=1e-5, atol=1e-6)   # each sample on its own


def test_inception_bn_dtype():
    m = L.InceptionBN(2, 1, 1, 1, 1, 1, 'avg', proj_pool=1, dtype=numpy.float64)
    assert m.proj3n.gamma.dtype == numpy.float64 and m.proj3n.avg_mean.dtype == numpy.float64
    with minigrad.using_config('dtype', numpy.float64):
        assert L.InceptionBN(2, 1, 1, 1, 1, 1, 'avg', proj_pool=1).conv3n.beta.dtype == numpy.float64


def test_inception_bn_bad_arguments():
    with pytest.raises(InvalidType, match=r"InceptionBN: expect pooltype 'max' or 'avg', "
                                          r"actual pooltype == 'min'"):
        L.InceptionBN(2, 1, 1, 1, 1, 1, 'min', proj_pool=1)
    with pytest.raises(InvalidType, match=r'InceptionBN: expect stride == 1 when out1 > 0'):
        L.InceptionBN(2, 1, 1, 1, 1, 1, 'max', proj_pool=1, stride=2)
    with pytest.raises(InvalidType, match=r'InceptionBN: expect proj_pool given when out1 > 0'):
        L.InceptionBN(2, 1, 1, 1, 1, 1, 'max')


def test_inception_bn_backward():
    m = L.InceptionBN(2, 1, 1, 1, 1, 1, 'avg', proj_pool=1)
    x = numpy.random.randn(3, 2, 3, 3)
    gy = numpy.random.randn(3, 4, 3, 3)
    gradient_check.check_backward(m, x, gy, dtype=numpy.float64, atol=1e-4, rtol=1e-3)


def _random_like_params(link):
    return tuple(numpy.random.randn(*p.shape) for p in link.params())


def test_inception_double_backward():
    m = L.Inception(2, 1, 1, 1, 1, 1, 1)
    for conv in m.children():
        conv.b.array[...] = numpy.random.uniform(0.1, 0.5, conv.b.shape)
    x = numpy.random.randn(1, 2, 3, 3)
    gy = numpy.random.randn(1, 4, 3, 3)
    gradient_check.check_double_backward(m, x, gy, numpy.random.randn(*x.shape),
                                         params_grad_grad=_random_like_params(m),
                                         dtype=numpy.float64)


def test_inception_bn_double_backward():
    m = L.InceptionBN(2, 1, 1, 1, 1, 1, 'avg', proj_pool=1)
    x = numpy.random.randn(3, 2, 2, 2)
    gy = numpy.random.randn(3, 4, 2, 2)
    gradient_check.check_double_backward(m, x, gy, numpy.random.randn(*x.shape),
                                         params_grad_grad=_random_like_params(m),
                                         dtype=numpy.float64)
