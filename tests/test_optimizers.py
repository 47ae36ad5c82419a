"""Optimizers: every update rule against hand-computed steps, then the Optimizer machinery.

Hand values use float64 parameters so the arithmetic written here is exact
up to rounding; float32 runs check that dtypes and in-place updates hold.
"""
import math

import numpy
import pytest

import minigrad
from minigrad import optimizer as optimizer_module
from minigrad import optimizer_hooks
from minigrad import optimizers
from minigrad.type_check import InvalidType


class TinyLink:
    """The part of Link an optimizer uses: params(), namedparams(), cleargrads()."""

    def __init__(self, **params):
        self._params = params

    def params(self, include_uninit=True):
        return iter(self._params.values())

    def namedparams(self, include_uninit=True):
        return (('/' + name, p) for name, p in self._params.items())

    def cleargrads(self):
        for p in self._params.values():
            p.cleargrad()


def make_param(values, dtype=numpy.float64, name='W'):
    return minigrad.Parameter(numpy.array(values, dtype=dtype), name=name)


def step(opt, param, grad):
    """One update with the given gradient."""
    param.grad = numpy.array(grad, dtype=param.data.dtype)
    opt.update()


def setup(opt, *params):
    link = TinyLink(**{'p{}'.format(i): p for i, p in enumerate(params)})
    opt.setup(link)
    return link


ALL_OPTIMIZERS = [
    lambda: optimizers.SGD(lr=0.1),
    lambda: optimizers.MomentumSGD(lr=0.1, momentum=0.9),
    lambda: optimizers.AdaGrad(lr=0.1),
    lambda: optimizers.RMSprop(lr=0.1),
    lambda: optimizers.Adam(alpha=0.1),
    lambda: optimizers.Adam(alpha=0.1, amsgrad=True, weight_decay_rate=0.01, eta=0.5),
]


# ---------------------------------------------------------------------------
# Update rules by hand

def test_sgd_by_hand():
    W = make_param([1.0, -2.0, 0.5])
    opt = optimizers.SGD(lr=0.1)
    setup(opt, W)
    step(opt, W, [0.5, 1.0, -2.0])
    numpy.testing.assert_allclose(W.data, [1.0 - 0.1 * 0.5, -2.0 - 0.1 * 1.0, 0.5 + 0.1 * 2.0],
                                  rtol=0, atol=1e-15)
    step(opt, W, [-1.0, 0.0, 3.0])
    numpy.testing.assert_allclose(W.data, [0.95 + 0.1, -2.1, 0.7 - 0.3], rtol=0, atol=1e-15)
    assert opt.t == 2 and W.update_rule.t == 2


def test_momentum_sgd_by_hand():
    W = make_param([1.0, -2.0])
    opt = optimizers.MomentumSGD(lr=0.1, momentum=0.9)
    setup(opt, W)
    step(opt, W, [0.5, 1.0])
    # v = 0.9 * 0 - 0.1 * g = [-0.05, -0.1]; W += v
    numpy.testing.assert_allclose(W.update_rule.state['v'], [-0.05, -0.1], atol=1e-15)
    numpy.testing.assert_allclose(W.data, [0.95, -2.1], atol=1e-15)
    step(opt, W, [-1.0, 2.0])
    # v = 0.9 * [-0.05, -0.1] - 0.1 * [-1, 2] = [-0.045 + 0.1, -0.09 - 0.2]
    numpy.testing.assert_allclose(W.update_rule.state['v'], [0.055, -0.29], atol=1e-15)
    numpy.testing.assert_allclose(W.data, [0.95 + 0.055, -2.1 - 0.29], atol=1e-15)
    step(opt, W, [0.0, 0.0])
    # no gradient: the velocity alone moves W; v = 0.9 * [0.055, -0.29]
    numpy.testing.assert_allclose(W.data, [1.005 + 0.0495, -2.39 - 0.261], atol=1e-15)


def test_ada_grad_by_hand():
    eps = 1e-8
    W = make_param([1.0, -2.0])
    opt = optimizers.AdaGrad(lr=0.1, eps=eps)
    setup(opt, W)
    step(opt, W, [3.0, 4.0])
    # h = [9, 16]; W -= 0.1 * g / (sqrt(h) + eps)
    numpy.testing.assert_allclose(W.update_rule.state['h'], [9.0, 16.0])
    numpy.testing.assert_allclose(W.data, [1.0 - 0.1 * 3 / (3 + eps), -2.0 - 0.1 * 4 / (4 + eps)],
                                  rtol=1e-14)
    step(opt, W, [4.0, -3.0])
    # h = [9 + 16, 16 + 9] = [25, 25]
    numpy.testing.assert_allclose(W.update_rule.state['h'], [25.0, 25.0])
    numpy.testing.assert_allclose(W.data, [0.9 - 0.1 * 4 / 5, -2.1 + 0.1 * 3 / 5], rtol=1e-7)


def test_ada_grad_defaults():
    opt = optimizers.AdaGrad()
    assert opt.lr == 0.001 and opt.eps == 1e-8


def test_rmsprop_by_hand():
    eps = 1e-8
    W = make_param([1.0, -2.0])
    opt = optimizers.RMSprop(lr=0.1, alpha=0.9, eps=eps)
    setup(opt, W)
    step(opt, W, [1.0, -2.0])
    # ms = 0.9 * 0 + 0.1 * g^2 = [0.1, 0.4]
    numpy.testing.assert_allclose(W.update_rule.state['ms'], [0.1, 0.4], rtol=1e-15)
    w1 = [1.0 - 0.1 * 1.0 / (math.sqrt(0.1) + eps), -2.0 + 0.1 * 2.0 / (math.sqrt(0.4) + eps)]
    numpy.testing.assert_allclose(W.data, w1, rtol=1e-14)
    step(opt, W, [3.0, 1.0])
    # ms = 0.9 * [0.1, 0.4] + 0.1 * [9, 1] = [0.99, 0.46]
    numpy.testing.assert_allclose(W.update_rule.state['ms'], [0.99, 0.46], rtol=1e-15)
    w2 = [w1[0] - 0.1 * 3.0 / (math.sqrt(0.99) + eps), w1[1] - 0.1 * 1.0 / (math.sqrt(0.46) + eps)]
    numpy.testing.assert_allclose(W.data, w2, rtol=1e-14)


def test_rmsprop_eps_inside_sqrt_by_hand():
    W = make_param([1.0])
    opt = optimizers.RMSprop(lr=0.1, alpha=0.9, eps=0.01, eps_inside_sqrt=True)
    setup(opt, W)
    step(opt, W, [1.0])
    # ms = 0.1; W -= 0.1 * 1 / sqrt(0.1 + 0.01)
    numpy.testing.assert_allclose(W.data, [1.0 - 0.1 / math.sqrt(0.11)], rtol=1e-14)


def test_rmsprop_defaults():
    opt = optimizers.RMSprop()
    assert (opt.lr, opt.alpha, opt.eps) == (0.01, 0.99, 1e-8)


def test_adam_by_hand_with_bias_correction():
    eps = 1e-8
    W = make_param([1.0, -2.0])
    opt = optimizers.Adam(alpha=0.1, beta1=0.9, beta2=0.99, eps=eps)
    setup(opt, W)
    with pytest.raises(RuntimeError, match='before the first update'):
        opt.lr
    step(opt, W, [1.0, -2.0])
    # m = 0.1 * g = [0.1, -0.2]; v = 0.01 * g^2 = [0.01, 0.04]
    # alpha_1 = 0.1 * sqrt(1 - 0.99) / (1 - 0.9) = 0.1 * 0.1 / 0.1 = 0.1
    state = W.update_rule.state
    numpy.testing.assert_allclose(state['m'], [0.1, -0.2], rtol=1e-15)
    numpy.testing.assert_allclose(state['v'], [0.01, 0.04], rtol=1e-15)
    assert opt.lr == pytest.approx(0.1, rel=1e-12)
    w1 = [1.0 - 0.1 * 0.1 / (0.1 + eps), -2.0 - 0.1 * -0.2 / (0.2 + eps)]
    numpy.testing.assert_allclose(W.data, w1, rtol=1e-14)
    step(opt, W, [-1.0, 0.5])
    # m = m + 0.1 * (g - m) = [0.1 - 0.11, -0.2 + 0.07]; v = v + 0.01 * (g^2 - v)
    m2 = [-0.01, -0.13]
    v2 = [0.01 + 0.01 * (1.0 - 0.01), 0.04 + 0.01 * (0.25 - 0.04)]
    numpy.testing.assert_allclose(state['m'], m2, rtol=1e-13)
    numpy.testing.assert_allclose(state['v'], v2, rtol=1e-13)
    alpha_2 = 0.1 * math.sqrt(1 - 0.99 ** 2) / (1 - 0.9 ** 2)
    assert opt.lr == pytest.approx(alpha_2, rel=1e-12)
    assert W.update_rule.alpha_t == pytest.approx(alpha_2, rel=1e-12)
    w2 = [w1[i] - alpha_2 * m2[i] / (math.sqrt(v2[i]) + eps) for i in range(2)]
    numpy.testing.assert_allclose(W.data, w2, rtol=1e-13)


def test_adam_weight_decay_and_eta_by_hand():
    W = make_param([1.0, -3.0])
    opt = optimizers.Adam(alpha=0.1, beta1=0.9, beta2=0.99, eps=1e-300, eta=0.5,
                          weight_decay_rate=0.1)   # eps must be > 0; 1e-300 vanishes
    setup(opt, W)
    step(opt, W, [1.0, 2.0])
    # m / sqrt(v) = sign(g) at t = 1, alpha_1 = 0.1:
    # W -= 0.5 * (0.1 * sign(g) + 0.1 * W)
    numpy.testing.assert_allclose(W.data, [1.0 - 0.5 * (0.1 + 0.1), -3.0 - 0.5 * (0.1 - 0.3)],
                                  rtol=1e-14)


def test_adam_amsgrad_by_hand():
    W = make_param([1.0])
    opt = optimizers.Adam(alpha=0.1, beta1=0.9, beta2=0.99, eps=1e-300, amsgrad=True)
    setup(opt, W)
    step(opt, W, [2.0])
    # m = 0.2, v = vhat = 0.04, alpha_1 = 0.1: W -= 0.1 * 0.2 / 0.2
    numpy.testing.assert_allclose(W.data, [0.9], rtol=1e-14)
    step(opt, W, [0.0])
    # m = 0.18, v = 0.99 * 0.04 = 0.0396 shrinks, but vhat keeps max(0.04, 0.0396) = 0.04
    state = W.update_rule.state
    numpy.testing.assert_allclose(state['v'], [0.0396], rtol=1e-14)
    numpy.testing.assert_allclose(state['vhat'], [0.04], rtol=1e-14)
    alpha_2 = 0.1 * math.sqrt(1 - 0.99 ** 2) / (1 - 0.9 ** 2)
    numpy.testing.assert_allclose(W.data, [0.9 - alpha_2 * 0.18 / 0.2], rtol=1e-13)


def test_adam_defaults():
    opt = optimizers.Adam()
    assert (opt.alpha, opt.beta1, opt.beta2, opt.eps, opt.eta, opt.weight_decay_rate, opt.amsgrad) \
        == (0.001, 0.9, 0.999, 1e-8, 1.0, 0, False)


def test_adam_eps_too_small_for_float16():
    W = make_param([1.0], dtype=numpy.float16)
    opt = optimizers.Adam(eps=1e-10)
    setup(opt, W)
    with pytest.raises(ValueError, match='eps .* too small for float16'):
        step(opt, W, [1.0])


def test_defaults_sgd_momentum():
    assert optimizers.SGD().lr == 0.01
    opt = optimizers.MomentumSGD()
    assert (opt.lr, opt.momentum) == (0.01, 0.9)


# ---------------------------------------------------------------------------
# In place, dtype, large and non-contiguous arrays

def _reference_steps(name, w, grads):
    """The same formulas on whole arrays in float64, written independently."""
    w = w.astype(numpy.float64)
    s1 = numpy.zeros_like(w)
    s2 = numpy.zeros_like(w)
    for t, g in enumerate(grads, 1):
        g = g.astype(numpy.float64)
        if name == 'sgd':
            w = w - 0.1 * g
        elif name == 'momentum':
            s1 = 0.9 * s1 - 0.1 * g
            w = w + s1
        elif name == 'adagrad':
            s1 = s1 + g * g
            w = w - 0.1 * g / (numpy.sqrt(s1) + 1e-8)
        elif name == 'rmsprop':
            s1 = 0.99 * s1 + 0.01 * g * g
            w = w - 0.1 * g / (numpy.sqrt(s1) + 1e-8)
        elif name == 'adam':
            s1 = 0.9 * s1 + 0.1 * g
            s2 = 0.999 * s2 + 0.001 * g * g
            lr = 0.1 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            w = w - lr * s1 / (numpy.sqrt(s2) + 1e-8)
    return w


NAMED = {
    'sgd': lambda: optimizers.SGD(lr=0.1),
    'momentum': lambda: optimizers.MomentumSGD(lr=0.1, momentum=0.9),
    'adagrad': lambda: optimizers.AdaGrad(lr=0.1),
    'rmsprop': lambda: optimizers.RMSprop(lr=0.1),
    'adam': lambda: optimizers.Adam(alpha=0.1),
}


@pytest.mark.parametrize('name', sorted(NAMED))
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('layout', ['small', 'several_blocks', 'fortran', 'strided_grad'])
def test_update_in_place_against_whole_array_reference(name, dtype, layout):
    rng = numpy.random.RandomState(0)
    if layout == 'several_blocks':      # crosses the block boundary of the blockwise update
        shape = (3 * optimizer_module._CHUNK + 7,)
    else:
        shape = (5, 3)
    w0 = rng.uniform(-1, 1, shape).astype(dtype)
    grads = [rng.uniform(-1, 1, shape).astype(dtype) for _ in range(3)]
    data = numpy.asfortranarray(w0) if layout == 'fortran' else w0.copy()
    W = minigrad.Parameter(data)
    opt = NAMED[name]()
    setup(opt, W)
    for g in grads:
        if layout == 'strided_grad':
            W.grad = numpy.ascontiguousarray(g.T).T     # a transposed (non C-contiguous) view
        else:
            W.grad = g.copy()
        opt.update()
    assert W.data is data                    # updated in place
    assert W.data.dtype == dtype
    for value in (W.update_rule.state or {}).values():
        assert value.dtype == dtype and value.shape == shape
    rtol = 1e-5 if dtype == numpy.float32 else 1e-12
    numpy.testing.assert_allclose(W.data, _reference_steps(name, w0, grads), rtol=rtol, atol=rtol)


@pytest.mark.parametrize('make', ALL_OPTIMIZERS)
def test_grad_is_not_modified_by_the_update(make):
    W = make_param([1.0, -2.0, 0.5], dtype=numpy.float32)
    opt = make()
    setup(opt, W)
    g = numpy.array([0.5, 1.0, -2.0], dtype=numpy.float32)
    W.grad = g.copy()
    opt.update()
    numpy.testing.assert_array_equal(W.grad, g)


# ---------------------------------------------------------------------------
# Skipped parameters: frozen, disabled rule, no gradient

@pytest.mark.parametrize('make', ALL_OPTIMIZERS)
def test_frozen_param_left_bit_identical(make):
    rng = numpy.random.RandomState(1)
    live = minigrad.Parameter(rng.randn(3, 2).astype(numpy.float32))
    frozen = minigrad.Parameter(rng.randn(4).astype(numpy.float32))
    frozen.update_enabled = False
    before = frozen.data.copy()
    opt = make()
    setup(opt, live, frozen)
    opt.add_hook(optimizer_hooks.WeightDecay(0.1))
    opt.add_hook(optimizer_hooks.Lasso(0.1))
    opt.add_hook(optimizer_hooks.GradientClipping(1e-3))
    live0 = live.data.copy()
    for _ in range(3):
        live.grad = rng.randn(3, 2).astype(numpy.float32)
        frozen.grad = rng.randn(4).astype(numpy.float32)
        frozen_grad = frozen.grad.copy()
        opt.update()
        numpy.testing.assert_array_equal(frozen.grad, frozen_grad)    # hooks skipped it too
    assert frozen.data.tobytes() == before.tobytes()
    assert frozen.update_rule.state is None
    assert frozen.update_rule.t == 0
    assert not numpy.array_equal(live.data, live0)
    assert live.update_rule.t == 3 and opt.t == 3


@pytest.mark.parametrize('make', ALL_OPTIMIZERS)
def test_frozen_after_some_steps_keeps_state_untouched(make):
    W = make_param([1.0, -2.0], dtype=numpy.float32)
    opt = make()
    setup(opt, W)
    step(opt, W, [0.5, -1.0])
    W.update_enabled = False
    data = W.data.copy()
    state = {k: v.copy() for k, v in (W.update_rule.state or {}).items()}
    step(opt, W, [3.0, 3.0])
    assert W.data.tobytes() == data.tobytes()
    for k, v in state.items():
        assert W.update_rule.state[k].tobytes() == v.tobytes()
    assert W.update_rule.t == 1


@pytest.mark.parametrize('make', ALL_OPTIMIZERS)
def test_disabled_rule_and_missing_grad_are_skipped(make):
    a = make_param([1.0, 2.0])
    b = make_param([3.0, 4.0])
    opt = make()
    setup(opt, a, b)
    a.update_rule.enabled = False
    a.grad = numpy.array([1.0, 1.0])
    b.grad = None
    opt.update()
    numpy.testing.assert_array_equal(a.data, [1.0, 2.0])
    numpy.testing.assert_array_equal(b.data, [3.0, 4.0])
    assert a.update_rule.state is None and b.update_rule.state is None
    assert a.update_rule.t == 0 and b.update_rule.t == 0
    assert opt.t == 1


# ---------------------------------------------------------------------------
# The Optimizer machinery

def test_update_with_lossfun_clears_backprops_and_updates():
    # loss = sum((W * x - y) ** 2); dloss/dW = 2 * (W * x - y) * x
    W = make_param([1.0, 2.0])
    W.grad = numpy.array([100.0, 100.0])       # stale: must be cleared, not accumulated into
    opt = optimizers.SGD(lr=0.1)
    setup(opt, W)
    calls = []

    def lossfun(x, y=None):
        calls.append((x, y))
        assert W.grad is None                   # cleared before the forward pass
        d = W * x - y
        return minigrad.functions.sum(d * d)

    x = numpy.array([3.0, -1.0])
    y = numpy.array([1.0, 1.0])
    opt.update(lossfun, x, y=y)
    assert len(calls) == 1 and calls[0][0] is x and calls[0][1] is y
    # W * x - y = [2, -3]; grad = 2 * [2, -3] * [3, -1] = [12, 6]
    numpy.testing.assert_allclose(W.grad, [12.0, 6.0])
    numpy.testing.assert_allclose(W.data, [1.0 - 1.2, 2.0 - 0.6])
    assert opt.t == 1
    opt.update(lossfun, x, y=y)
    # W = [-0.2, 1.4]; W * x - y = [-1.6, -2.4]; grad = 2 * [-1.6, -2.4] * [3, -1] = [-9.6, 4.8]
    numpy.testing.assert_allclose(W.grad, [-9.6, 4.8])
    numpy.testing.assert_allclose(W.data, [-0.2 + 0.96, 1.4 - 0.48])
    assert opt.t == 2


def test_update_without_lossfun_uses_existing_grads_and_counts_t():
    W = make_param([1.0])
    opt = optimizers.SGD(lr=0.5)
    setup(opt, W)
    assert opt.t == 0
    for k in range(1, 4):
        W.grad = numpy.array([1.0])
        opt.update()
        assert opt.t == k
    numpy.testing.assert_allclose(W.data, [1.0 - 3 * 0.5])


def test_hyperparameter_chained_to_the_optimizer():
    a, b = make_param([0.0]), make_param([0.0])
    opt = optimizers.SGD(lr=0.1)
    setup(opt, a, b)
    assert a.update_rule.hyperparam.lr == 0.1
    opt.lr = 0.5                                 # changes every rule
    assert a.update_rule.hyperparam.lr == 0.5 and opt.hyperparam.lr == 0.5
    b.update_rule.hyperparam.lr = 2.0            # overrides one parameter only
    a.grad = numpy.array([1.0])
    b.grad = numpy.array([1.0])
    opt.update()
    numpy.testing.assert_allclose(a.data, [-0.5])
    numpy.testing.assert_allclose(b.data, [-2.0])
    assert opt.lr == 0.5
    assert 'lr=0.5' in repr(opt.hyperparam)
    assert a.update_rule.hyperparam.get_dict() == {'lr': 0.5}
    with pytest.raises(AttributeError, match='momentum'):
        a.update_rule.hyperparam.momentum


def test_state_initialized_lazily_with_zeros():
    W = make_param([1.0, 2.0])
    opt = optimizers.Adam()
    setup(opt, W)
    assert W.update_rule.state is None
    W.grad = numpy.zeros(2)
    opt.update()
    # g = 0: the moments stay at their zero initial values
    numpy.testing.assert_array_equal(W.update_rule.state['m'], [0.0, 0.0])
    numpy.testing.assert_array_equal(W.update_rule.state['v'], [0.0, 0.0])


def test_setup_returns_self_and_rejects_non_links():
    opt = optimizers.SGD()
    link = TinyLink(W=make_param([1.0]))
    assert opt.setup(link) is opt
    assert opt.target is link
    with pytest.raises(TypeError, match='expect a Link'):
        optimizers.SGD().setup(numpy.zeros(3))


def test_update_before_setup_says_so():
    with pytest.raises(RuntimeError, match='call setup'):
        optimizers.SGD().update()
    with pytest.raises(RuntimeError, match='call setup'):
        optimizers.SGD().add_hook(optimizer_hooks.WeightDecay(0.1))


def test_new_epoch():
    opt = optimizers.SGD()
    setup(opt, make_param([1.0]))
    assert opt.epoch == 0
    opt.new_epoch()
    opt.new_epoch()
    assert opt.epoch == 2
    with pytest.raises(RuntimeError, match='use_auto_new_epoch'):
        opt.new_epoch(auto=True)
    opt.use_auto_new_epoch = True
    opt.new_epoch(auto=True)
    assert opt.epoch == 3
    with pytest.raises(RuntimeError, match='count twice'):
        opt.new_epoch()


def test_hooks_order_timing_and_removal():
    W = make_param([1.0])
    opt = optimizers.SGD(lr=1.0)
    setup(opt, W)
    log = []

    def pre(o):
        log.append(('pre', float(W.data[0])))

    def post(o):
        log.append(('post', float(W.data[0])))

    class EachParam:
        name = 'each'
        call_for_each_param = True

        def __call__(self, rule, param):
            log.append(('each', rule is param.update_rule))

    opt.add_hook(pre)
    opt.add_hook(post, timing='post')
    opt.add_hook(EachParam())
    with pytest.raises(KeyError, match='already exists'):
        opt.add_hook(pre)
    with pytest.raises(ValueError, match='timing'):
        opt.add_hook(pre, name='other', timing='later')
    step(opt, W, [0.25])
    assert log == [('pre', 1.0), ('each', True), ('post', 0.75)]
    opt.remove_hook('pre')
    opt.remove_hook('post')
    opt.remove_hook('each')
    log.clear()
    step(opt, W, [0.25])
    assert log == []
    with pytest.raises(KeyError):
        opt.remove_hook('pre')


def test_update_rule_hooks():
    W = make_param([1.0])
    opt = optimizers.SGD(lr=1.0)
    setup(opt, W)
    seen = []
    W.update_rule.add_hook(lambda rule, p: seen.append(float(p.data[0])), name='before')
    W.update_rule.add_hook(lambda rule, p: seen.append(float(p.data[0])), name='after', timing='post')
    step(opt, W, [0.5])
    assert seen == [1.0, 0.5]
    W.update_rule.remove_hook('before')
    with pytest.raises(ValueError, match='already exists'):
        W.update_rule.add_hook(lambda rule, p: None, name='after')


def test_setup_again_discards_state():
    W = make_param([1.0])
    opt = optimizers.MomentumSGD()
    setup(opt, W)
    step(opt, W, [1.0])
    assert W.update_rule.state is not None
    setup(opt, W)
    assert W.update_rule.state is None and opt.t == 0


# ---------------------------------------------------------------------------
# Serialization (through a minimal dict serializer written here)

class DictSerializer:
    """Saves into a flat dict with '/'-separated keys, like save_npz."""

    def __init__(self, target=None, path=''):
        self.target = {} if target is None else target
        self.path = path

    def __getitem__(self, key):
        return DictSerializer(self.target, self.path + key.strip('/') + '/')

    def __call__(self, key, value):
        self.target[self.path + key] = numpy.array(value)
        return value


class DictDeserializer:
    """Loads from such a dict: arrays in place, scalars returned, None -> the stored array."""
    is_loading = True

    def __init__(self, target, path=''):
        self.target = target
        self.path = path

    def __getitem__(self, key):
        return DictDeserializer(self.target, self.path + key.strip('/') + '/')

    def __call__(self, key, value):
        stored = self.target[self.path + key]
        if value is None:
            return stored.copy()
        if isinstance(value, numpy.ndarray):
            numpy.copyto(value, stored)
            return value
        return type(value)(stored)


def _run(opt, params, grads):
    for g in grads:
        for p, gp in zip(params, g):
            p.grad = gp.copy()
        opt.update()


@pytest.mark.parametrize('make', ALL_OPTIMIZERS)
def test_serialize_round_trip_resumes_exactly(make):
    rng = numpy.random.RandomState(2)
    w0 = [rng.randn(3, 2).astype(numpy.float32), rng.randn(2).astype(numpy.float32)]
    grads = [[rng.randn(3, 2).astype(numpy.float32), rng.randn(2).astype(numpy.float32)]
             for _ in range(5)]
    # an uninterrupted run
    ref = [minigrad.Parameter(w.copy()) for w in w0]
    opt_ref = make()
    setup(opt_ref, *ref)
    opt_ref.new_epoch()
    _run(opt_ref, ref, grads)
    # the same run, saved after 3 steps and resumed in a fresh optimizer
    first = [minigrad.Parameter(w.copy()) for w in w0]
    opt = make()
    setup(opt, *first)
    opt.new_epoch()
    _run(opt, first, grads[:3])
    saved = DictSerializer()
    opt.serialize(saved)
    store = saved.target
    assert int(store['t']) == 3 and int(store['epoch']) == 1
    assert int(store['p0/t']) == 3
    resumed = [minigrad.Parameter(p.data.copy()) for p in first]
    opt2 = make()
    setup(opt2, *resumed)
    opt2.serialize(DictDeserializer(store))
    assert opt2.t == 3 and opt2.epoch == 1 and resumed[0].update_rule.t == 3
    _run(opt2, resumed, grads[3:])
    for a, b in zip(resumed, ref):
        assert a.data.tobytes() == b.data.tobytes()


def test_serialize_keys_follow_chainer_layout():
    W = make_param([1.0, 2.0], name='W')
    b = make_param([0.0], name='b')
    opt = optimizers.Adam()
    opt.setup(TinyLink(W=W, b=b))
    W.grad = numpy.array([1.0, 1.0])
    opt.update()                          # b has no gradient: its rule never ran
    saved = DictSerializer()
    opt.serialize(saved)
    assert set(saved.target) == {'t', 'epoch', 'W/t', 'W/m', 'W/v', 'b/t'}


def test_load_snapshot_taken_before_first_update_keeps_state_fresh():
    W = make_param([1.0])
    opt = optimizers.MomentumSGD()
    setup(opt, W)
    saved = DictSerializer()
    opt.serialize(saved)                  # no state yet
    step(opt, W, [1.0])                   # state now exists
    opt.serialize(DictDeserializer(saved.target))
    assert W.update_rule.state is None and W.update_rule.t == 0 and opt.t == 0
    fresh = make_param([1.0])
    opt3 = optimizers.MomentumSGD()
    setup(opt3, fresh)
    opt3.serialize(DictDeserializer(saved.target))
    assert fresh.update_rule.state is None


def test_loaded_state_of_the_wrong_shape_is_reported():
    # Refused by the load itself, which changes nothing (not at the next update).
    W = make_param([1.0, 2.0])
    opt = optimizers.MomentumSGD()
    setup(opt, W)
    store = {'t': numpy.array(1), 'epoch': numpy.array(0), 'p0/t': numpy.array(1),
             'p0/v': numpy.zeros(3)}
    with pytest.raises(InvalidType, match=r"MomentumSGD: expect p0/v to have the shape \(2,\) of "
                                          r"parameter 'W', actual shape \(3,\)"):
        opt.serialize(DictDeserializer(store))
    assert W.update_rule.state is None and W.update_rule.t == 0 and opt.t == 0
    W.grad = numpy.ones(2)
    opt.update()                            # the rule starts afresh
    assert W.update_rule.state['v'].shape == (2,)


@pytest.mark.parametrize('make', ALL_OPTIMIZERS)
def test_update_allocates_no_full_size_temporaries(make):
    import tracemalloc
    n = 1 << 20                                  # 4 MB of float32, 16 blocks
    rng = numpy.random.RandomState(0)
    W = minigrad.Parameter(rng.rand(n).astype(numpy.float32))
    opt = make()
    setup(opt, W)
    opt.add_hook(optimizer_hooks.WeightDecay(1e-4))
    opt.add_hook(optimizer_hooks.Lasso(1e-4))
    opt.add_hook(optimizer_hooks.GradientClipping(1.0))
    W.grad = rng.rand(n).astype(numpy.float32)
    opt.update()                                 # allocates the state (full size, by design)
    tracemalloc.start()
    try:
        opt.update()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < W.data.nbytes // 8, 'an update allocated {} bytes'.format(peak)
