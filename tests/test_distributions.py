"""minigrad.distributions: log_prob, KL and entropy against closed forms and quadrature,
reparameterized samples against numerical gradients, shapes, and Chainer's VAE loss."""
import math

import numpy
import pytest

import minigrad
import minigrad.distributions as D
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


def normal_log_pdf(x, mu, sigma):
    return -0.5 * numpy.log(2 * numpy.pi * sigma ** 2) - (x - mu) ** 2 / (2 * sigma ** 2)


def integrate(values, grid):
    """The trapezoid rule over the last axis."""
    return ((values[..., 1:] + values[..., :-1]) * numpy.diff(grid) / 2).sum(axis=-1)


# ---------------------------------------------------------------------------
# Normal

@pytest.mark.parametrize('use_log_scale', [False, True])
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_normal_log_prob_and_moments(use_log_scale, dtype):
    mu = numpy.random.randn(2, 3).astype(dtype)
    sigma = numpy.random.uniform(0.5, 2.0, (2, 3)).astype(dtype)
    d = D.Normal(mu, log_scale=numpy.log(sigma)) if use_log_scale else D.Normal(mu, scale=sigma)
    assert d.batch_shape == (2, 3) and d.event_shape == () and d.support == 'real'
    x = numpy.random.randn(4, 2, 3).astype(dtype)
    lp = d.log_prob(x)
    assert lp.shape == (4, 2, 3) and lp.dtype == dtype
    rtol = 1e-5 if dtype == numpy.float32 else 1e-12
    numpy.testing.assert_allclose(lp.array, normal_log_pdf(x, mu, sigma), rtol=rtol)
    numpy.testing.assert_allclose(d.prob(x).array, numpy.exp(normal_log_pdf(x, mu, sigma)), rtol=rtol)
    numpy.testing.assert_allclose(d.mean.array, mu)
    numpy.testing.assert_allclose(d.stddev.array, sigma, rtol=rtol)
    numpy.testing.assert_allclose(d.variance.array, sigma ** 2, rtol=rtol)
    numpy.testing.assert_allclose(d.scale.array, sigma, rtol=rtol)
    numpy.testing.assert_allclose(d.log_scale.array, numpy.log(sigma), rtol=rtol, atol=1e-7)
    assert set(d.params) == {'loc', 'scale'}


def test_normal_hand_value_and_entropy_by_quadrature():
    d = D.Normal(numpy.zeros(1), scale=numpy.ones(1))
    numpy.testing.assert_allclose(d.log_prob(numpy.zeros(1)).array, [-0.5 * math.log(2 * math.pi)])
    mu, sigma = numpy.array([0.3, -1.0]), numpy.array([0.7, 1.8])
    d = D.Normal(mu, scale=sigma)
    grid = numpy.linspace(-20, 20, 40001)
    p = numpy.exp(normal_log_pdf(grid, mu[:, None], sigma[:, None]))
    entropy = -integrate(p * numpy.log(p + 1e-300), grid)
    numpy.testing.assert_allclose(d.entropy.array, entropy, rtol=1e-6)


def test_kl_normal_normal_closed_form_and_quadrature():
    mu1, s1 = numpy.array([0.0, 1.0, -0.5]), numpy.array([1.0, 0.5, 2.0])
    mu2, s2 = numpy.array([0.5, -1.0, 0.0]), numpy.array([1.5, 1.0, 1.0])
    kl = minigrad.distributions.kl_divergence(D.Normal(mu1, scale=s1), D.Normal(mu2, scale=s2))
    closed = numpy.log(s2 / s1) + (s1 ** 2 + (mu1 - mu2) ** 2) / (2 * s2 ** 2) - 0.5
    numpy.testing.assert_allclose(kl.array, closed, rtol=1e-12)
    grid = numpy.linspace(-25, 25, 100001)
    lp1 = normal_log_pdf(grid, mu1[:, None], s1[:, None])
    lp2 = normal_log_pdf(grid, mu2[:, None], s2[:, None])
    numpy.testing.assert_allclose(kl.array, integrate(numpy.exp(lp1) * (lp1 - lp2), grid),
                                  rtol=1e-6)
    same = D.kl_divergence(D.Normal(mu1, scale=s1), D.Normal(mu1, log_scale=numpy.log(s1)))
    numpy.testing.assert_allclose(same.array, 0, atol=1e-12)


def test_kl_broadcasts_over_the_batch():
    # A posterior per data point against one prior, as in the VAE.
    q = D.Normal(numpy.random.randn(4, 3), log_scale=numpy.random.randn(4, 3) * 0.3)
    p = D.Normal(numpy.zeros(3), scale=numpy.ones(3))
    kl = D.kl_divergence(q, p)
    assert kl.shape == (4, 3)
    s = numpy.exp(q.log_scale.array)
    numpy.testing.assert_allclose(kl.array, -numpy.log(s) + (s ** 2 + q.loc.array ** 2) / 2 - 0.5)
    # It matches the existing F.gaussian_kl_divergence summed.
    numpy.testing.assert_allclose(
        kl.array.sum(), F.gaussian_kl_divergence(q.loc, 2 * q.log_scale, reduce='sum').array)


def test_normal_gradients():
    x = numpy.random.randn(3, 2)
    mu, log_s = numpy.random.randn(2), numpy.random.randn(2) * 0.3
    gy = numpy.random.randn(3, 2)

    def log_prob(x, mu, log_s):
        return D.Normal(mu, log_scale=log_s).log_prob(x)

    gradient_check.check_backward(log_prob, (x, mu, log_s), gy, dtype=numpy.float64)
    gradient_check.check_double_backward(log_prob, (x, mu, log_s), gy,
                                         (numpy.random.randn(3, 2), numpy.random.randn(2),
                                          numpy.random.randn(2)), dtype=numpy.float64)

    def kl(mu1, s1, mu2, s2):
        return D.kl_divergence(D.Normal(mu1, scale=s1), D.Normal(mu2, scale=s2))

    args = (numpy.random.randn(2), numpy.random.uniform(0.5, 1.5, 2), numpy.random.randn(2),
            numpy.random.uniform(0.5, 1.5, 2))
    gk = numpy.random.randn(2)
    gradient_check.check_backward(kl, args, gk, dtype=numpy.float64)
    gradient_check.check_double_backward(kl, args, gk, tuple(numpy.random.randn(2) for _ in args),
                                         dtype=numpy.float64)


def test_kl_gradient_by_hand():
    # d KL / d mu1 = (mu1 - mu2) / s2^2,  d KL / d s1 = -1/s1 + s1 / s2^2
    mu1, s1 = Variable(numpy.array([0.5])), Variable(numpy.array([0.8]))
    kl = D.kl_divergence(D.Normal(mu1, scale=s1), D.Normal(numpy.array([-1.0]), scale=numpy.array([2.0])))
    kl.backward()
    numpy.testing.assert_allclose(mu1.grad, [1.5 / 4])
    numpy.testing.assert_allclose(s1.grad, [-1 / 0.8 + 0.8 / 4])


def test_normal_sample_shapes_and_statistics():
    mu = numpy.array([1.0, -2.0], dtype=numpy.float32)
    sigma = numpy.array([0.5, 3.0], dtype=numpy.float32)
    d = D.Normal(mu, scale=sigma)
    assert d.sample().shape == (2,)
    assert d.sample(5).shape == (5, 2) and d.sample((3, 4)).shape == (3, 4, 2)
    z = d.sample(20000)
    assert z.dtype == numpy.float32
    numpy.testing.assert_allclose(z.array.mean(axis=0), mu, atol=0.05)
    numpy.testing.assert_allclose(z.array.std(axis=0), sigma, rtol=0.03)


@pytest.mark.parametrize('use_log_scale', [False, True])
def test_sample_is_reparameterized(use_log_scale):
    """With the noise fixed (the seed), a draw is a differentiable function of loc and scale."""
    mu = numpy.random.randn(2, 3)
    spread = numpy.random.randn(2, 3) * 0.3 if use_log_scale else numpy.random.uniform(0.5, 2, (2, 3))

    def draw(mu, spread):
        numpy.random.seed(7)
        d = D.Normal(mu, log_scale=spread) if use_log_scale else D.Normal(mu, scale=spread)
        return d.sample(4)

    gz = numpy.random.randn(4, 2, 3)
    gradient_check.check_backward(draw, (mu, spread), gz, dtype=numpy.float64)
    gradient_check.check_double_backward(draw, (mu, spread), gz,
                                         (numpy.random.randn(2, 3), numpy.random.randn(2, 3)),
                                         dtype=numpy.float64)
    # By hand: z = mu + sigma * eps, so dz/dmu = 1 and dz/dsigma = eps = (z - mu) / sigma.
    m, s = Variable(mu), Variable(numpy.random.uniform(0.5, 2, (2, 3)))
    z = D.Normal(m, scale=s).sample(4)
    z.grad = numpy.ones_like(z.array)
    z.backward()
    numpy.testing.assert_allclose(m.grad, numpy.full((2, 3), 4.0))
    numpy.testing.assert_allclose(s.grad, ((z.array - mu) / s.array).sum(axis=0))


def test_normal_bad_arguments():
    with pytest.raises(InvalidType, match='Normal: expect either scale or log_scale'):
        D.Normal(numpy.zeros(2))
    with pytest.raises(InvalidType, match='Normal: expect either scale or log_scale'):
        D.Normal(numpy.zeros(2), scale=numpy.ones(2), log_scale=numpy.zeros(2))
    with pytest.raises(InvalidType, match=r'Normal: expect loc.shape and scale.shape broadcastable, '
                                          r'actual \(2,\) and \(3,\)'):
        D.Normal(numpy.zeros(2), scale=numpy.ones(3))
    with pytest.raises(InvalidType, match=r'Normal: expect scale.dtype == loc.dtype'):
        D.Normal(numpy.zeros(2), scale=numpy.ones(2, dtype=numpy.float32))
    with pytest.raises(InvalidType, match=r'Normal: expect loc a Variable or an ndarray, '
                                          r'actual loc of type list'):
        D.Normal([0.0], scale=numpy.ones(1))


# ---------------------------------------------------------------------------
# Bernoulli

def test_bernoulli_log_prob_by_hand():
    p = numpy.array([0.2, 0.5, 0.9])
    for d in (D.Bernoulli(p=p), D.Bernoulli(logit=numpy.log(p / (1 - p)))):
        assert d.batch_shape == (3,) and d.event_shape == () and d.support == '{0, 1}'
        for x in (numpy.zeros(3), numpy.ones(3), numpy.array([0.25, 0.5, 1.0])):
            expect = x * numpy.log(p) + (1 - x) * numpy.log(1 - p)
            numpy.testing.assert_allclose(d.log_prob(x).array, expect, rtol=1e-12)
        numpy.testing.assert_allclose(d.prob(numpy.array([1.0, 0.0, 1.0])).array, [0.2, 0.5, 0.9])
        numpy.testing.assert_allclose(d.mean.array, p)
        numpy.testing.assert_allclose(d.variance.array, p * (1 - p))
        numpy.testing.assert_allclose(d.stddev.array, numpy.sqrt(p * (1 - p)))
        numpy.testing.assert_allclose(d.entropy.array, -p * numpy.log(p) - (1 - p) * numpy.log(1 - p))
        numpy.testing.assert_allclose(d.p.array, p)
        numpy.testing.assert_allclose(d.logit.array, numpy.log(p / (1 - p)))


def test_bernoulli_large_logits_are_finite():
    d = D.Bernoulli(logit=numpy.array([-200.0, 200.0], dtype=numpy.float32))
    lp = d.log_prob(numpy.array([1.0, 0.0], dtype=numpy.float32))
    assert lp.dtype == numpy.float32
    numpy.testing.assert_allclose(lp.array, [-200.0, -200.0])
    numpy.testing.assert_allclose(d.log_prob(numpy.array([0.0, 1.0])).array, [0.0, 0.0], atol=1e-30)


def test_bernoulli_certain_outcomes():
    d = D.Bernoulli(p=numpy.array([0.0, 1.0]))
    with numpy.errstate(divide='ignore'):
        numpy.testing.assert_array_equal(d.log_prob(numpy.array([0.0, 1.0])).array, [0.0, 0.0])
        numpy.testing.assert_array_equal(d.log_prob(numpy.array([1.0, 0.0])).array,
                                         [-numpy.inf, -numpy.inf])


def test_bernoulli_binary_check():
    d = D.Bernoulli(p=numpy.array([0.3, 0.3, 0.3]), binary_check=True)
    lp = d.log_prob(numpy.array([0.0, 1.0, 0.5]))
    numpy.testing.assert_allclose(lp.array, [numpy.log(0.7), numpy.log(0.3), -numpy.inf])
    numpy.testing.assert_allclose(d.prob(numpy.array([0.0, 1.0, 0.5])).array, [0.7, 0.3, 0.0])


def test_bernoulli_gradients_and_kl():
    logit = numpy.random.randn(2, 3)
    x = numpy.random.uniform(0, 1, (2, 3))
    gy = numpy.random.randn(2, 3)

    def log_prob(logit):
        return D.Bernoulli(logit=logit).log_prob(x)

    gradient_check.check_backward(log_prob, logit, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(log_prob, logit, gy, numpy.random.randn(2, 3),
                                         dtype=numpy.float64)
    # d log P / d logit = x - sigmoid(logit)
    lv = Variable(logit)
    lp = D.Bernoulli(logit=lv).log_prob(x)
    lp.grad = numpy.ones_like(x)
    lp.backward()
    numpy.testing.assert_allclose(lv.grad, x - 1 / (1 + numpy.exp(-logit)))

    p1, p2 = numpy.array([0.1, 0.6]), numpy.array([0.5, 0.3])
    kl = D.kl_divergence(D.Bernoulli(p=p1), D.Bernoulli(logit=numpy.log(p2 / (1 - p2))))
    expect = p1 * numpy.log(p1 / p2) + (1 - p1) * numpy.log((1 - p1) / (1 - p2))
    numpy.testing.assert_allclose(kl.array, expect, rtol=1e-12)

    def kl_of(l1, l2):
        return D.kl_divergence(D.Bernoulli(logit=l1), D.Bernoulli(logit=l2))

    args = (numpy.random.randn(3), numpy.random.randn(3))
    gradient_check.check_backward(kl_of, args, numpy.random.randn(3), dtype=numpy.float64)
    gradient_check.check_double_backward(kl_of, args, numpy.random.randn(3),
                                         (numpy.random.randn(3), numpy.random.randn(3)),
                                         dtype=numpy.float64)


def test_bernoulli_sample():
    p = numpy.array([0.1, 0.5, 0.8], dtype=numpy.float32)
    z = D.Bernoulli(p=p).sample(20000)
    assert z.shape == (20000, 3) and z.dtype == numpy.float32
    assert set(numpy.unique(z.array)) <= {0.0, 1.0}
    numpy.testing.assert_allclose(z.array.mean(axis=0), p, atol=0.02)


def test_bernoulli_bad_arguments():
    with pytest.raises(InvalidType, match='Bernoulli: expect either p or logit'):
        D.Bernoulli()
    with pytest.raises(InvalidType, match='Bernoulli: expect either p or logit'):
        D.Bernoulli(p=numpy.ones(1), logit=numpy.ones(1))
    with pytest.raises(InvalidType, match=r'Bernoulli: expect logit.dtype.kind == "f"'):
        D.Bernoulli(logit=numpy.ones(2, dtype=numpy.int32))


# ---------------------------------------------------------------------------
# Categorical

def test_categorical():
    p = numpy.array([[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]])
    logit = numpy.log(numpy.array([[0.2, 0.3, 0.5], [0.6, 0.4, 1e-300]])) + 3.0
    for d in (D.Categorical(p), D.Categorical(logit=logit)):
        assert d.batch_shape == (2,) and d.event_shape == ()
        x = numpy.array([[2, 0], [0, 1], [1, 1]], dtype=numpy.int32)
        expect = numpy.log(p[numpy.arange(2), x])
        numpy.testing.assert_allclose(d.log_prob(x).array, expect, rtol=1e-9)
        numpy.testing.assert_allclose(d.p.array, p, atol=1e-12)
        numpy.testing.assert_allclose(d.entropy.array, [-(p[0] * numpy.log(p[0])).sum(),
                                                        -(p[1, :2] * numpy.log(p[1, :2])).sum()])
    q = numpy.array([[0.3, 0.3, 0.4], [0.5, 0.25, 0.25]])
    kl = D.kl_divergence(D.Categorical(p), D.Categorical(q))
    numpy.testing.assert_allclose(kl.array, [(p[0] * numpy.log(p[0] / q[0])).sum(),
                                             (p[1, :2] * numpy.log(p[1, :2] / q[1, :2])).sum()])
    z = D.Categorical(p).sample(20000)
    assert z.shape == (20000, 2) and z.dtype.kind == 'i'
    counts = numpy.stack([(z.array == k).mean(axis=0) for k in range(3)], axis=1)
    numpy.testing.assert_allclose(counts, p, atol=0.02)
    assert not (z.array[:, 1] == 2).any()


def test_categorical_gradients():
    x = numpy.array([[2, 0], [1, 1]], dtype=numpy.int32)
    gy = numpy.random.randn(2, 2)

    def log_prob(logit):
        return D.Categorical(logit=logit).log_prob(x)

    logit = numpy.random.randn(2, 3)
    gradient_check.check_backward(log_prob, logit, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(log_prob, logit, gy, numpy.random.randn(2, 3),
                                         dtype=numpy.float64)


# ---------------------------------------------------------------------------
# Independent

def test_independent_shapes_and_log_prob():
    mu, sigma = numpy.random.randn(4, 2, 3), numpy.random.uniform(0.5, 2, (4, 2, 3))
    base = D.Normal(mu, scale=sigma)
    d = D.Independent(base)             # all but the first batch axis
    assert d.reinterpreted_batch_ndims == 2
    assert d.batch_shape == (4,) and d.event_shape == (2, 3)
    d1 = D.Independent(base, reinterpreted_batch_ndims=1)
    assert d1.batch_shape == (4, 2) and d1.event_shape == (3,)
    x = numpy.random.randn(5, 4, 2, 3)
    numpy.testing.assert_allclose(d.log_prob(x).array,
                                  normal_log_pdf(x, mu, sigma).sum(axis=(-1, -2)), rtol=1e-12)
    numpy.testing.assert_allclose(d1.log_prob(x).array, normal_log_pdf(x, mu, sigma).sum(axis=-1),
                                  rtol=1e-12)
    assert d.sample(7).shape == (7, 4, 2, 3) and d.sample().shape == (4, 2, 3)
    numpy.testing.assert_allclose(d.entropy.array, base.entropy.array.sum(axis=(1, 2)))
    assert d.mean is base.mean and d.stddev is base.stddev
    d0 = D.Independent(base, 0)
    assert d0.batch_shape == (4, 2, 3) and d0.event_shape == ()
    numpy.testing.assert_allclose(d0.log_prob(x).array, base.log_prob(x).array)
    with pytest.raises(InvalidType, match=r'Independent: expect 0 <= reinterpreted_batch_ndims <= '
                                          r'len\(distribution.batch_shape\) == 3, actual '
                                          r'reinterpreted_batch_ndims == 4'):
        D.Independent(base, 4)


def test_independent_kl():
    q = D.Independent(D.Normal(numpy.random.randn(4, 3), log_scale=numpy.random.randn(4, 3) * 0.2))
    p = D.Independent(D.Normal(numpy.zeros(3), scale=numpy.ones(3)), reinterpreted_batch_ndims=1)
    assert q.event_shape == p.event_shape == (3,)
    kl = D.kl_divergence(q, p)
    assert kl.shape == (4,)
    numpy.testing.assert_allclose(kl.array, D.kl_divergence(q.distribution, p.distribution)
                                  .array.sum(axis=-1))
    with pytest.raises(InvalidType, match='kl_divergence: expect Independent distributions with '
                                          'equal event shapes'):
        D.kl_divergence(q, D.Independent(D.Normal(numpy.zeros((4, 3)), scale=numpy.ones((4, 3))), 2))


def test_kl_divergence_unknown_pair():
    with pytest.raises(NotImplementedError, match=r'kl_divergence: expect a pair .*actual '
                                                  r'\(Normal, Bernoulli\)'):
        D.kl_divergence(D.Normal(numpy.zeros(1), scale=numpy.ones(1)), D.Bernoulli(p=numpy.ones(1)))


def test_register_kl_and_cross_entropy():
    class Point(D.Normal):
        pass

    a = Point(numpy.zeros(2), scale=numpy.ones(2))
    b = D.Normal(numpy.ones(2), scale=numpy.ones(2))
    numpy.testing.assert_allclose(D.kl_divergence(a, b).array, [0.5, 0.5])      # the base's form

    @D.register_kl(Point, D.Normal)
    def _kl(p, q):
        return F.sum(p.loc * 0, axis=0)

    try:
        assert D.kl_divergence(a, b).array == 0
    finally:
        del minigrad.distributions.distribution._KL_DIVERGENCES[Point, D.Normal]
    numpy.testing.assert_allclose(D.cross_entropy(b, a).array,
                                  b.entropy.array + D.kl_divergence(b, a).array)


# ---------------------------------------------------------------------------
# Chainer's VAE loss (examples/vae/net.py) with the noise fixed

def test_vae_elbo_against_numpy():
    import minigrad.links as L
    n_in, n_latent, n_h, k = 6, 2, 4, 3
    enc, mu_l, ls_l = L.Linear(n_in, n_h), L.Linear(n_h, n_latent), L.Linear(n_h, n_latent)
    dec_h, dec_out = L.Linear(n_latent, n_h), L.Linear(n_h, n_in)
    x = numpy.random.uniform(0, 1, (5, n_in)).astype(numpy.float32)

    h = F.tanh(enc(x))
    q_z = D.Independent(D.Normal(loc=mu_l(h), log_scale=ls_l(h)))
    numpy.random.seed(3)
    z = q_z.sample(k)
    logits = dec_out(F.tanh(dec_h(z, n_batch_axes=2)), n_batch_axes=2)
    p_x = D.Independent(D.Bernoulli(logit=logits, binary_check=False), reinterpreted_batch_ndims=1)
    p_z = D.Independent(D.Normal(numpy.zeros(n_latent, numpy.float32),
                                 scale=numpy.ones(n_latent, numpy.float32)), reinterpreted_batch_ndims=1)
    reconstr = F.mean(p_x.log_prob(F.broadcast_to(x[None, :], (k,) + x.shape)))
    kl_penalty = F.mean(D.kl_divergence(q_z, p_z))
    loss = -(reconstr - kl_penalty)
    assert loss.dtype == numpy.float32

    # The same in NumPy, float64.
    def lin(link, v):
        return v @ link.W.array.T.astype(numpy.float64) + link.b.array

    hn = numpy.tanh(lin(enc, x))
    mu, log_s = lin(mu_l, hn), lin(ls_l, hn)
    numpy.random.seed(3)
    eps = numpy.random.standard_normal((k,) + mu.shape).astype(numpy.float32)
    zn = mu + numpy.exp(log_s) * eps
    ln = lin(dec_out, numpy.tanh(lin(dec_h, zn)))
    pn = 1 / (1 + numpy.exp(-ln))
    rec = (x * numpy.log(pn) + (1 - x) * numpy.log(1 - pn)).sum(axis=-1).mean()
    kl = (-log_s + (numpy.exp(2 * log_s) + mu ** 2) / 2 - 0.5).sum(axis=-1).mean()
    numpy.testing.assert_allclose(z.array, zn, rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(loss.array, -(rec - kl), rtol=1e-4)
    loss.backward()
    assert enc.W.grad is not None and mu_l.W.grad.any() and ls_l.W.grad.any()
