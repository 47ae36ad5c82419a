"""L.BatchNormalization: batch statistics and running averages by hand, test mode, fine-tuning."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import gradient_check, serializers
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


def channel_axes(x):
    return (0,) + tuple(range(2, x.ndim))


def per_channel(v, x):
    """Broadcast a per-channel vector against x of shape (N, C, ...)."""
    return v.reshape((1, -1) + (1,) * (x.ndim - 2))


def make_bn(C, dtype=numpy.float32, **kwargs):
    bn = L.BatchNormalization(C, dtype=dtype, **kwargs)
    bn.gamma.data[...] = numpy.random.rand(C) + 0.5
    bn.beta.data[...] = numpy.random.randn(C)
    return bn


@pytest.mark.parametrize('shape', [(5, 3), (4, 3, 2, 2)])
def test_training_step_uses_batch_statistics_and_updates_running_averages(shape):
    bn = make_bn(3)
    x = (numpy.random.randn(*shape) * 2 + 1).astype(numpy.float32)
    y = bn(x)
    assert y.dtype == numpy.float32 and y.shape == x.shape
    x64 = x.astype(numpy.float64)
    axes = channel_axes(x)
    m = x.size // 3
    mean = x64.sum(axis=axes) / m
    biased = ((x64 - per_channel(mean, x)) ** 2).sum(axis=axes) / m
    unbiased = ((x64 - per_channel(mean, x)) ** 2).sum(axis=axes) / (m - 1)
    gamma, beta = bn.gamma.data.astype(numpy.float64), bn.beta.data.astype(numpy.float64)
    expect = per_channel(gamma, x) * (x64 - per_channel(mean, x)) / numpy.sqrt(
        per_channel(biased, x) + 2e-5) + per_channel(beta, x)
    numpy.testing.assert_allclose(y.data, expect, rtol=1e-4, atol=1e-4)
    numpy.testing.assert_allclose(bn.avg_mean, 0.9 * 0.0 + 0.1 * mean, rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(bn.avg_var, 0.9 * 1.0 + 0.1 * unbiased, rtol=1e-5, atol=1e-6)
    assert bn.avg_mean.dtype == numpy.float32 and bn.N == 0     # N counts fine-tuning steps only
    # a second step decays again
    first_mean = bn.avg_mean.copy()
    x2 = numpy.random.randn(*shape).astype(numpy.float32)
    bn(x2)
    mean2 = x2.astype(numpy.float64).mean(axis=axes)
    numpy.testing.assert_allclose(bn.avg_mean, 0.9 * first_mean + 0.1 * mean2, rtol=1e-5, atol=1e-6)


def test_decay_and_eps_are_used():
    bn = make_bn(2, decay=0.5, eps=0.1)
    x = numpy.random.randn(6, 2).astype(numpy.float32)
    y = bn(x)
    x64 = x.astype(numpy.float64)
    mean, var = x64.mean(axis=0), x64.var(axis=0)
    numpy.testing.assert_allclose(bn.avg_mean, 0.5 * mean, rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(bn.avg_var, 0.5 + 0.5 * x64.var(axis=0, ddof=1), rtol=1e-5)
    expect = bn.gamma.data * (x64 - mean) / numpy.sqrt(var + 0.1) + bn.beta.data
    numpy.testing.assert_allclose(y.data, expect, rtol=1e-4, atol=1e-5)


def fixed_reference(bn, x):
    x64 = x.astype(numpy.float64)
    return (per_channel(bn.gamma.data, x) * (x64 - per_channel(bn.avg_mean, x))
            / numpy.sqrt(per_channel(bn.avg_var, x) + 2e-5) + per_channel(bn.beta.data, x))


@pytest.mark.parametrize('shape', [(5, 3), (2, 3, 2, 3)])
def test_test_mode_uses_running_averages(shape):
    bn = make_bn(3)
    bn.avg_mean[...] = [0.5, -1.0, 2.0]
    bn.avg_var[...] = [0.25, 4.0, 1.0]
    x = numpy.random.randn(*shape).astype(numpy.float32)
    before = bn.avg_mean.copy(), bn.avg_var.copy()
    with minigrad.using_config('train', False):
        y = bn(x)
    numpy.testing.assert_allclose(y.data, fixed_reference(bn, x), rtol=1e-5, atol=1e-5)
    y2 = bn(x, test=True)                    # v1: test overrides config.train (True here)
    numpy.testing.assert_allclose(y2.data, fixed_reference(bn, x), rtol=1e-5, atol=1e-5)
    assert numpy.array_equal(bn.avg_mean, before[0]) and numpy.array_equal(bn.avg_var, before[1])
    with minigrad.using_config('train', False):
        bn(x, test=False)                    # ...and the other way round
    assert not numpy.array_equal(bn.avg_mean, before[0])


def test_v1_style_model_switches_with_self_train():
    class Net(minigrad.Chain):
        def __init__(self):
            super().__init__(bn1=L.BatchNormalization(2))
            self.train = True

        def __call__(self, x):
            return self.bn1(x, test=not self.train)

    net = Net()
    x = numpy.random.randn(4, 2).astype(numpy.float32)
    net(x)
    moved = net.bn1.avg_mean.copy()
    assert moved.any()
    net.train = False
    y = net(x)
    assert numpy.array_equal(net.bn1.avg_mean, moved)
    numpy.testing.assert_allclose(y.data, fixed_reference(net.bn1, x), rtol=1e-5, atol=1e-5)


def test_finetune_accumulates_exact_averages_and_counts_N():
    bn = make_bn(3)
    batches = [numpy.random.randn(6, 3, 2).astype(numpy.float32) * (i + 1) + i for i in range(3)]
    for i, x in enumerate(batches):
        bn(x, finetune=True)
        assert bn.N == i + 1
    means = [x.astype(numpy.float64).mean(axis=(0, 2)) for x in batches]
    variances = [x.astype(numpy.float64).var(axis=(0, 2), ddof=1) for x in batches]
    numpy.testing.assert_allclose(bn.avg_mean, numpy.mean(means, axis=0), rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(bn.avg_var, numpy.mean(variances, axis=0), rtol=1e-5, atol=1e-5)
    with minigrad.using_config('train', False):
        bn(batches[0], finetune=True)        # no fine-tuning outside training
    assert bn.N == 3
    bn.start_finetuning()
    assert bn.N == 0
    bn(batches[2], finetune=True)           # decay 0: the averages restart from this batch
    assert bn.N == 1
    numpy.testing.assert_allclose(bn.avg_mean, means[2], rtol=1e-5, atol=1e-5)


def test_params_persistents_and_serialization_keys():
    bn = L.BatchNormalization(4)
    assert [(path, p.shape) for path, p in bn.namedparams()] == [('/gamma', (4,)), ('/beta', (4,))]
    assert (bn.gamma.data == 1).all() and not bn.beta.data.any()
    assert not bn.avg_mean.any() and (bn.avg_var == 1).all() and bn.N == 0
    assert bn.avg_mean.dtype == bn.gamma.dtype == numpy.float32
    target = {}
    serializers.DictionarySerializer(target).save(bn)
    assert list(target) == ['gamma', 'beta', 'avg_mean', 'avg_var', 'N']
    bn64 = L.BatchNormalization(2, dtype=numpy.float64)
    assert bn64.gamma.dtype == bn64.avg_var.dtype == numpy.float64


def test_use_gamma_beta_and_initial_values():
    bn = L.BatchNormalization(3, use_gamma=False, use_beta=False)
    assert bn.gamma is None and bn.beta is None and list(bn.params()) == []
    x = numpy.random.randn(5, 3).astype(numpy.float32)
    y = bn(x)
    x64 = x.astype(numpy.float64)
    numpy.testing.assert_allclose(y.data, (x64 - x64.mean(0)) / numpy.sqrt(x64.var(0) + 2e-5),
                                  rtol=1e-4, atol=1e-4)
    bn = L.BatchNormalization(2, initial_gamma=2.0, initial_beta=numpy.array([1.0, -1.0]))
    assert bn.gamma.data.tolist() == [2, 2] and bn.beta.data.tolist() == [1, -1]


def test_lazy_size_and_inconsistent_channels():
    bn = L.BatchNormalization()
    assert bn.avg_mean is None
    bn(numpy.random.randn(4, 5, 2, 2).astype(numpy.float32))
    assert bn.gamma.shape == (5,) and bn.avg_var.shape == (5,)
    with pytest.raises(InvalidType, match=r'Invalid operation in BatchNormalization: expect .*\(5,\).*'
                                          r'actual \(3,\) \(x.shape \(4, 3\)\)'):
        bn(numpy.ones((4, 3), dtype=numpy.float32))


def test_functions_are_scoped_to_the_link():
    bn = L.BatchNormalization(2)
    y = bn(numpy.random.randn(3, 2).astype(numpy.float32))
    assert y.creator.link is bn


@pytest.mark.parametrize('shape', [(4, 3), (2, 3, 2, 2)])
@pytest.mark.parametrize('train', [True, False])
def test_backward(shape, train):
    bn = make_bn(3, dtype=numpy.float64)
    bn.avg_mean[...] = numpy.random.randn(3)
    bn.avg_var[...] = numpy.random.rand(3) + 0.5
    x = numpy.random.randn(*shape)
    gy = numpy.random.randn(*shape)
    with minigrad.using_config('train', train):
        gradient_check.check_backward(bn, x, gy, dtype=numpy.float64, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize('shape', [(4, 3), (2, 3, 2, 2)])
@pytest.mark.parametrize('train', [True, False])
def test_double_backward(shape, train):
    bn = make_bn(3, dtype=numpy.float64)
    bn.avg_mean[...] = numpy.random.randn(3)
    bn.avg_var[...] = numpy.random.rand(3) + 0.5
    x, gy, ggx = (numpy.random.randn(*shape) for _ in range(3))
    gg_params = tuple(numpy.random.randn(3) for _ in range(2))
    with minigrad.using_config('train', train):
        gradient_check.check_double_backward(bn, x, gy, ggx, params_grad_grad=gg_params,
                                             dtype=numpy.float64, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize('train', [True, False])
def test_gradient_penalty_step_in_float32(train):
    # A loss on the gradient with respect to the input (as in WGAN-GP)
    # reaches gamma and beta through the second derivatives, in float32.
    bn = make_bn(3)
    x = minigrad.Variable(numpy.random.randn(4, 3, 2, 2).astype(numpy.float32))
    with minigrad.using_config('train', train):
        y = bn(x)
        gx, = minigrad.grad([F.sum(y * y * y)], [x], enable_double_backprop=True)
    assert gx.dtype == numpy.float32
    moved = bn.avg_mean.copy()
    F.sum(gx * gx).backward()
    assert bn.gamma.grad.dtype == bn.beta.grad.dtype == numpy.float32
    assert numpy.isfinite(bn.gamma.grad).all() and bn.gamma.grad.any()
    numpy.testing.assert_array_equal(bn.avg_mean, moved)     # backward updates no statistics
