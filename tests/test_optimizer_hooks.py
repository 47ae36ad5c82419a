"""Optimizer hooks: WeightDecay, Lasso and GradientClipping against hand-computed gradients."""
import math

import numpy
import pytest

import minigrad
from minigrad import optimizer as optimizer_module
from minigrad import optimizer_hooks
from minigrad import optimizers


class TinyLink:
    def __init__(self, *params):
        self._params = params

    def params(self, include_uninit=True):
        return iter(self._params)

    def namedparams(self, include_uninit=True):
        return (('/p{}'.format(i), p) for i, p in enumerate(self._params))

    def cleargrads(self):
        for p in self._params:
            p.cleargrad()


def param(values, grad, dtype=numpy.float64):
    p = minigrad.Parameter(numpy.array(values, dtype=dtype))
    p.grad = numpy.array(grad, dtype=dtype)
    return p


def sgd_with(hook, *params, lr=1.0):
    opt = optimizers.SGD(lr=lr)
    opt.setup(TinyLink(*params))
    opt.add_hook(hook)
    return opt


def test_weight_decay_by_hand():
    W = param([1.0, -2.0], [0.5, 0.5])
    opt = sgd_with(optimizer_hooks.WeightDecay(0.1), W)
    opt.update()
    # g += 0.1 * W = [0.5 + 0.1, 0.5 - 0.2]; W -= 1.0 * g
    numpy.testing.assert_allclose(W.grad, [0.6, 0.3], rtol=1e-15)
    numpy.testing.assert_allclose(W.data, [1.0 - 0.6, -2.0 - 0.3], rtol=1e-15)


def test_lasso_by_hand():
    W = param([1.0, -2.0, 0.0], [0.5, 0.5, 0.5])
    opt = sgd_with(optimizer_hooks.Lasso(0.1), W)
    opt.update()
    # g += 0.1 * sign(W) = [0.5 + 0.1, 0.5 - 0.1, 0.5 + 0]
    numpy.testing.assert_allclose(W.grad, [0.6, 0.4, 0.5], rtol=1e-15)
    numpy.testing.assert_allclose(W.data, [0.4, -2.4, -0.5], rtol=1e-15)


def test_gradient_clipping_by_hand():
    a = param([0.0, 0.0], [3.0, 0.0])
    b = param([0.0], [4.0])
    opt = sgd_with(optimizer_hooks.GradientClipping(1.0), a, b)
    opt.update()
    # global norm sqrt(9 + 0 + 16) = 5 > 1: every gradient times 1 / 5
    numpy.testing.assert_allclose(a.grad, [0.6, 0.0], rtol=1e-15)
    numpy.testing.assert_allclose(b.grad, [0.8], rtol=1e-15)
    numpy.testing.assert_allclose(a.data, [-0.6, 0.0], rtol=1e-15)


@pytest.mark.parametrize('threshold', [5.0, 10.0])
def test_gradient_clipping_leaves_small_norms(threshold):
    a = param([0.0, 0.0], [3.0, 0.0])
    b = param([0.0], [4.0])
    sgd_with(optimizer_hooks.GradientClipping(threshold), a, b).update()
    numpy.testing.assert_array_equal(a.grad, [3.0, 0.0])
    numpy.testing.assert_array_equal(b.grad, [4.0])


def test_gradient_clipping_zero_gradients():
    a = param([1.0], [0.0])
    sgd_with(optimizer_hooks.GradientClipping(1.0), a).update()
    numpy.testing.assert_array_equal(a.grad, [0.0])


def test_gradient_clipping_ignores_frozen_and_gradless_params():
    a = param([0.0, 0.0], [3.0, 0.0])
    frozen = param([0.0], [4.0])
    frozen.update_enabled = False
    gradless = minigrad.Parameter(numpy.zeros(2))
    sgd_with(optimizer_hooks.GradientClipping(1.0), a, frozen, gradless).update()
    # the norm is 3 (the frozen gradient does not count) and the frozen one is not scaled
    numpy.testing.assert_allclose(a.grad, [1.0, 0.0], rtol=1e-15)
    numpy.testing.assert_array_equal(frozen.grad, [4.0])
    assert gradless.grad is None


@pytest.mark.parametrize('hook', [optimizer_hooks.WeightDecay(0.1), optimizer_hooks.Lasso(0.1)])
def test_per_param_hooks_skip_frozen_and_gradless(hook):
    frozen = param([1.0, -1.0], [0.5, 0.5])
    frozen.update_enabled = False
    gradless = minigrad.Parameter(numpy.array([1.0, -1.0]))
    sgd_with(hook, frozen, gradless).update()
    numpy.testing.assert_array_equal(frozen.grad, [0.5, 0.5])
    numpy.testing.assert_array_equal(frozen.data, [1.0, -1.0])
    assert gradless.grad is None


def test_hooks_compose_in_registration_order():
    W = param([2.0, -1.0], [1.0, 1.0])
    opt = optimizers.SGD(lr=1.0)
    opt.setup(TinyLink(W))
    opt.add_hook(optimizer_hooks.WeightDecay(0.5))     # g = [1 + 1, 1 - 0.5] = [2, 0.5]
    opt.add_hook(optimizer_hooks.Lasso(0.5))           # g = [2.5, 0]
    opt.add_hook(optimizer_hooks.GradientClipping(1.0))  # norm 2.5: g = [1, 0]
    opt.update()
    numpy.testing.assert_allclose(W.grad, [1.0, 0.0], rtol=1e-15, atol=1e-15)
    numpy.testing.assert_allclose(W.data, [1.0, -1.0], rtol=1e-15)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_hooks_on_large_arrays_keep_dtype(dtype):
    n = 2 * optimizer_module._CHUNK + 3          # several blocks
    rng = numpy.random.RandomState(0)
    w = rng.uniform(-1, 1, n).astype(dtype)
    g = rng.uniform(-1, 1, n).astype(dtype)
    W = minigrad.Parameter(w.copy())
    W.grad = g.copy()
    grad_buffer = W.grad
    opt = optimizers.SGD(lr=0.1)     # the step does not matter: only W.grad is checked
    opt.setup(TinyLink(W))
    opt.add_hook(optimizer_hooks.WeightDecay(0.25))
    opt.add_hook(optimizer_hooks.Lasso(0.5))
    opt.add_hook(optimizer_hooks.GradientClipping(3.0))
    opt.update()
    expected = g.astype(numpy.float64) + 0.25 * w + 0.5 * numpy.sign(w)
    norm = math.sqrt(float((expected ** 2).sum()))
    expected *= 3.0 / norm
    assert W.grad is grad_buffer and W.grad.dtype == dtype
    rtol = 1e-5 if dtype == numpy.float32 else 1e-12
    numpy.testing.assert_allclose(W.grad, expected, rtol=rtol, atol=rtol)


def test_hook_attributes_match_chainer():
    assert optimizer_hooks.WeightDecay(1).name == 'WeightDecay'
    assert optimizer_hooks.Lasso(1).name == 'Lasso'
    assert optimizer_hooks.GradientClipping(1).name == 'GradientClipping'
    assert optimizer_hooks.WeightDecay(1).call_for_each_param
    assert not getattr(optimizer_hooks.GradientClipping(1), 'call_for_each_param', False)
    assert all(h.timing == 'pre' for h in (optimizer_hooks.WeightDecay(1),
                                           optimizer_hooks.Lasso(1),
                                           optimizer_hooks.GradientClipping(1)))
