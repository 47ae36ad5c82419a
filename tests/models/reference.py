"""Plain NumPy references for the model tests, written independently of minigrad.

Every layer is computed in float64 by the textbook definition: a
convolution as a sum over kernel offsets of shifted input windows, pooling
as a max over the offsets of each window, batch normalization from its
formula.  Nothing here calls minigrad's functions.
"""
import numpy

import minigrad


def conv2d(x, W, b=None, stride=1, pad=0):
    """``y[n, o, i, j] = sum_{c, ky, kx} W[o, c, ky, kx] xpad[n, c, i s + ky, j s + kx] + b[o]``."""
    x = numpy.asarray(x, dtype=numpy.float64)
    W = numpy.asarray(W, dtype=numpy.float64)
    n, c, h, w = x.shape
    o, c2, kh, kw = W.shape
    assert c == c2
    xp = numpy.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (w + 2 * pad - kw) // stride + 1
    y = numpy.zeros((n, oh, ow, o))
    for ky in range(kh):
        for kx in range(kw):
            window = xp[:, :, ky:ky + stride * (oh - 1) + 1:stride, kx:kx + stride * (ow - 1) + 1:stride]
            # sum over c of window[n, c, i, j] * W[o, c, ky, kx]
            y += numpy.tensordot(window, W[:, :, ky, kx], axes=([1], [1]))
    if b is not None:
        y += numpy.asarray(b, dtype=numpy.float64)
    return y.transpose(0, 3, 1, 2)


def max_pool(x, k, stride):
    """Max over each ``k x k`` window; the last window may hang over the edge (Chainer's cover_all)."""
    n, c, h, w = x.shape
    oh = -(-(h - k) // stride) + 1     # ceil((h - k) / stride) + 1
    ow = -(-(w - k) // stride) + 1
    xp = numpy.full((n, c, (oh - 1) * stride + k, (ow - 1) * stride + k), -numpy.inf)
    xp[:, :, :h, :w] = x
    y = numpy.full((n, c, oh, ow), -numpy.inf)
    for ky in range(k):
        for kx in range(k):
            y = numpy.maximum(y, xp[:, :, ky:ky + stride * (oh - 1) + 1:stride,
                                    kx:kx + stride * (ow - 1) + 1:stride])
    return y


def linear(x, W, b=None):
    x = numpy.asarray(x, dtype=numpy.float64).reshape(len(x), -1)
    y = x @ numpy.asarray(W, dtype=numpy.float64).T
    return y if b is None else y + numpy.asarray(b, dtype=numpy.float64)


def relu(x):
    return numpy.maximum(x, 0)


def sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


def batch_norm(x, gamma, beta, mean=None, var=None, eps=2e-5):
    """Per channel (axis 1); without ``mean``/``var`` the batch statistics (biased variance)."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = [1, -1] + [1] * (x.ndim - 2)
    if mean is None:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
    mean, var, gamma, beta = (numpy.asarray(a, dtype=numpy.float64).reshape(shape)
                              for a in (mean, var, gamma, beta))
    return gamma * (x - mean) / numpy.sqrt(var + eps) + beta


def lrn(x, n=5, k=2, alpha=1e-4, beta=0.75):
    """``y_c = x_c / (k + alpha sum_{|c' - c| <= n // 2} x_c'^2) ** beta``."""
    channels = x.shape[1]
    y = numpy.empty_like(x)
    for c in range(channels):
        lo, hi = max(0, c - n // 2), min(channels, c + n // 2 + 1)
        y[:, c] = x[:, c] / (k + alpha * (x[:, lo:hi] ** 2).sum(axis=1)) ** beta
    return y


def softmax_cross_entropy(logits, t):
    """Mean over the batch of ``-log softmax(logits)[t]``."""
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - numpy.log(numpy.exp(z).sum(axis=1, keepdims=True))
    return -log_p[numpy.arange(len(t)), t].mean()


def p(link, name):
    """A parameter's data as float64 (None for a missing one)."""
    param = getattr(link, name)
    return None if param is None else numpy.asarray(param.data, dtype=numpy.float64)


def check_directional_derivative(model, inputs, params, seed=0, n_directions=2, eps=1e-7,
                                 rtol=1e-4, atol=1e-7, before_forward=None):
    """Check backward against a central difference along random directions.

    For ``L = sum(y * gy)`` (``gy`` fixed random weights, ``y = model(*inputs)``)
    and a random direction ``d`` over every input and parameter,
    ``(L(theta + eps d) - L(theta - eps d)) / (2 eps)`` must equal
    ``<grad L, d>``.  Two forwards per direction, whatever the model's
    size: the check for models too large for element-wise
    ``check_backward``.  ``model`` and ``inputs`` must be float64.
    ``before_forward`` is called before every forward (e.g. to reseed
    NumPy so that dropout draws the same masks each time).

    ``eps`` is small because a step along *every* parameter at once moves
    thousands of ReLU and max-pooling inputs, and the difference is only
    exact for a step too short to carry any of them across a kink; float64
    leaves ample precision at ``1e-7``.
    """
    rng = numpy.random.RandomState(seed)
    call = before_forward or (lambda: None)
    xs = [minigrad.Variable(numpy.array(x)) for x in inputs]
    for q in params:
        q.cleargrad()
    call()
    y = model(*xs)
    gy = rng.standard_normal(y.shape)
    minigrad.functions.sum(y * gy).backward()
    arrays = [x.data for x in xs] + [q.data for q in params]
    grads = [x.grad for x in xs] + [q.grad for q in params]
    for name, g in zip(['input'] * len(xs) + ['param'] * len(params), grads):
        assert g is not None, 'no gradient for a {}'.format(name)

    def loss():
        call()
        with minigrad.no_backprop_mode():
            return float((model(*[minigrad.Variable(a) for a in arrays[:len(xs)]]).data * gy).sum())

    for _ in range(n_directions):
        directions = [rng.standard_normal(a.shape) for a in arrays]
        analytic = sum(float((g * d).sum()) for g, d in zip(grads, directions))
        originals = [a.copy() for a in arrays]
        for a, d in zip(arrays, directions):
            a += eps * d
        plus = loss()
        for a, o, d in zip(arrays, originals, directions):
            a[...] = o - eps * d
        minus = loss()
        for a, o in zip(arrays, originals):
            a[...] = o
        numerical = (plus - minus) / (2 * eps)
        assert abs(analytic - numerical) <= atol + rtol * abs(numerical), \
            'directional derivative: backward {!r}, numerical {!r}'.format(analytic, numerical)


def to_float64(model):
    """Cast every (initialized) parameter and persistent array of ``model`` to float64, in place."""
    for param in model.params():
        assert param.data is not None, 'initialize the model (run it once) before casting'
        param.data = param.data.astype(numpy.float64)
        param.cleargrad()
    for link in model.links():
        for name in link._persistent:
            value = getattr(link, name)
            if isinstance(value, numpy.ndarray) and value.dtype.kind == 'f':
                object.__setattr__(link, name, value.astype(numpy.float64))
    return model
