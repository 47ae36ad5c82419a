"""F.gaussian_kl_divergence, F.bernoulli_nll, F.gaussian_nll (minigrad/functions/loss/vae.py)."""
import math

import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.loss.vae import bernoulli_nll, gaussian_kl_divergence, gaussian_nll
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

SHAPES = [(4,), (2, 3)]
REDUCES = ['sum', 'mean', 'no']


def _rand(shape, seed, low=-1, high=1):
    return numpy.random.RandomState(seed).uniform(low, high, shape)


def _kl(mu, ln_var):
    """KL(N(mu, s2) || N(0, 1)) of each element from its definition, log(1/s) + (s2 + mu^2) / 2 - 1/2."""
    out = numpy.empty_like(mu)
    for i in numpy.ndindex(mu.shape):
        s2 = math.exp(ln_var[i])
        out[i] = math.log(1 / math.sqrt(s2)) + (s2 + mu[i] ** 2) / 2 - 0.5
    return out


def _bernoulli(x, y):
    """-(x log p + (1 - x) log(1 - p)) with p = sigmoid(y), element by element."""
    out = numpy.empty_like(x)
    for i in numpy.ndindex(x.shape):
        p = 1 / (1 + math.exp(-y[i]))
        out[i] = -(x[i] * math.log(p) + (1 - x[i]) * math.log(1 - p))
    return out


def _gaussian(x, mu, ln_var):
    """-log of the normal density at x, element by element."""
    out = numpy.empty_like(x)
    for i in numpy.ndindex(x.shape):
        s2 = math.exp(ln_var[i])
        density = math.exp(-(x[i] - mu[i]) ** 2 / (2 * s2)) / math.sqrt(2 * math.pi * s2)
        out[i] = -math.log(density)
    return out


def _reduced(loss, reduce):
    return {'sum': loss.sum(), 'mean': loss.mean(), 'no': loss}[reduce]


def _gy(shape, reduce):
    return None if reduce != 'no' else _rand(shape, 9)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('reduce', REDUCES)
def test_gaussian_kl_divergence(shape, reduce):
    mu, ln_var = _rand(shape, 0), _rand(shape, 1)
    loss = gaussian_kl_divergence(mu, ln_var, reduce=reduce)
    numpy.testing.assert_allclose(loss.data, _reduced(_kl(mu, ln_var), reduce), rtol=1e-12)
    f = lambda m, v: gaussian_kl_divergence(m, v, reduce=reduce)     # NOQA
    gy = _gy(shape, reduce)
    gradient_check.check_backward(f, (mu, ln_var), gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, (mu, ln_var), gy, (_rand(shape, 2), _rand(shape, 3)),
                                         dtype=numpy.float64)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('reduce', REDUCES)
def test_bernoulli_nll(shape, reduce):
    x, y = _rand(shape, 0, 0, 1), _rand(shape, 1, -3, 3)
    loss = bernoulli_nll(x, y, reduce=reduce)
    numpy.testing.assert_allclose(loss.data, _reduced(_bernoulli(x, y), reduce), rtol=1e-12)
    f = lambda a, b: bernoulli_nll(a, b, reduce=reduce)     # NOQA
    gy = _gy(shape, reduce)
    gradient_check.check_backward(f, (x, y), gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, (x, y), gy, (_rand(shape, 2), _rand(shape, 3)),
                                         dtype=numpy.float64)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('reduce', REDUCES)
def test_gaussian_nll(shape, reduce):
    x, mu, ln_var = _rand(shape, 0), _rand(shape, 1), _rand(shape, 2)
    loss = gaussian_nll(x, mu, ln_var, reduce=reduce)
    numpy.testing.assert_allclose(loss.data, _reduced(_gaussian(x, mu, ln_var), reduce), rtol=1e-12)
    f = lambda a, m, v: gaussian_nll(a, m, v, reduce=reduce)     # NOQA
    gy = _gy(shape, reduce)
    gradient_check.check_backward(f, (x, mu, ln_var), gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, (x, mu, ln_var), gy,
                                         (_rand(shape, 3), _rand(shape, 4), _rand(shape, 5)),
                                         dtype=numpy.float64)


def test_broadcasting_parameters():
    # One mean and log-variance per feature, shared by the batch.
    x, mu, ln_var = _rand((3, 2), 0), _rand((2,), 1), _rand((2,), 2)
    expected = _gaussian(x, numpy.broadcast_to(mu, x.shape), numpy.broadcast_to(ln_var, x.shape))
    numpy.testing.assert_allclose(gaussian_nll(x, mu, ln_var).data, expected.sum(), rtol=1e-12)
    gradient_check.check_backward(gaussian_nll, (x, mu, ln_var), None, dtype=numpy.float64)


def test_by_hand():
    zero = numpy.zeros(3)
    # N(0, 1) against itself: no divergence; its density at the mean is 1 / sqrt(2 pi).
    assert gaussian_kl_divergence(zero, zero).data == 0.0
    numpy.testing.assert_allclose(gaussian_nll(zero, zero, zero, reduce='no').data,
                                  [0.5 * math.log(2 * math.pi)] * 3)
    # Logit 0 is p = 1/2: log 2 whatever x; d/dy = sigmoid(y) - x, d2/dy2 = 1/4.
    x, y = Variable(numpy.array([0.0, 1.0])), Variable(numpy.zeros(2))
    loss = bernoulli_nll(x, y)
    numpy.testing.assert_allclose(loss.data, 2 * math.log(2))
    gy, = grad([loss], [y], enable_double_backprop=True)
    numpy.testing.assert_allclose(gy.data, [0.5, -0.5])
    ggy, = grad([sum_(gy)], [y])
    numpy.testing.assert_allclose(ggy.data, [0.25, 0.25])
    # KL: d/dln_var = (exp(ln_var) - 1) / 2, d2/dln_var2 = exp(ln_var) / 2.
    v = Variable(numpy.array([0.0, math.log(3)]))
    g, = grad([gaussian_kl_divergence(numpy.zeros(2), v)], [v], enable_double_backprop=True)
    numpy.testing.assert_allclose(g.data, [0.0, 1.0])
    gg, = grad([sum_(g)], [v])
    numpy.testing.assert_allclose(gg.data, [0.5, 1.5])


def test_float32_stays_float32():
    a, b, c = _rand((2, 3), 0), _rand((2, 3), 1), _rand((2, 3), 2)
    assert_float32_to_second_order(gaussian_kl_divergence, a, b)
    assert_float32_to_second_order(bernoulli_nll, a, b)
    assert_float32_to_second_order(gaussian_nll, a, b, c)
    # A float64 constant next to a float32 Variable takes the Variable's dtype.
    assert bernoulli_nll(a, Variable(b.astype(numpy.float32))).dtype == numpy.float32


def test_bad_inputs_are_rejected():
    a = numpy.zeros((2, 3))
    with pytest.raises(InvalidType, match=r"GaussianKLDivergence: expect reduce in \('sum', 'mean', 'no'\), "
                                          r"actual reduce == 'average'"):
        gaussian_kl_divergence(a, a, reduce='average')
    with pytest.raises(InvalidType, match=r'BernoulliNLL: expect x\.dtype\.kind == "f", actual '
                                          r'x\.dtype == int'):
        bernoulli_nll(numpy.zeros((2, 3), dtype=numpy.int32), a)
    with pytest.raises(InvalidType, match=r'GaussianNLL: expect mean\.dtype == x\.dtype, actual '
                                          r'float32 != float64'):
        gaussian_nll(Variable(a), Variable(a.astype(numpy.float32)), Variable(a))
    with pytest.raises(InvalidType, match=r'GaussianNLL: expect x\.shape, mean\.shape, '
                                          r'ln_var\.shape broadcastable, '
                                          r'actual \(2, 3\), \(2,\), \(2, 3\)'):
        gaussian_nll(a, numpy.zeros(2), a)
