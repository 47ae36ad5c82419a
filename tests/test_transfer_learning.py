"""Transfer learning: freeze layers, replace the head, load or copy lower layers, fine-tune.

Everything here runs on real Links, a real backward pass and the real
optimizers, so it checks the pieces together: what a frozen parameter is
(its array, its update rule's state and step count stay bit-identical
through updates with every optimizer and hook), that gradients still flow
*through* a frozen layer, how a child is replaced, and how the lower layers
of one model get into another (``load_npz`` by path, ``copyparams``).
"""
import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import optimizer_hooks
from minigrad import optimizers
from minigrad import serializers
from minigrad import type_check


# ---------------------------------------------------------------------------
# A tiny CNN on 1x4x4 images and a batch to train it on

class Net(minigrad.Chain):
    """conv1 - relu - 2x2 max pool - conv2 - relu - head.

    ``(N, 1, 4, 4) -> (N, 2, 4, 4) -> (N, 2, 2, 2) -> (N, 3, 2, 2) -> (N, n_out)``.
    The head is a ``Linear(None, n_out)`` registered as ``head`` (default ``fc``).
    """

    def __init__(self, n_out=3, head='fc'):
        super().__init__()
        self.head_name = head
        with self.init_scope():
            self.conv1 = L.Convolution2D(1, 2, 3, pad=1)
            self.conv2 = L.Convolution2D(2, 3, 3, pad=1)
            setattr(self, head, L.Linear(None, n_out))

    def features(self, x):
        h = F.max_pooling_2d(F.relu(self.conv1(x)), 2)
        return F.relu(self.conv2(h))

    def forward(self, x):
        return getattr(self, self.head_name)(self.features(x))


class Wrapper(minigrad.Chain):
    """A model holding the network as ``predictor``, as ``L.Classifier`` does (keys ``predictor/...``)."""

    def __init__(self, predictor):
        super().__init__()
        with self.init_scope():
            self.predictor = predictor

    def forward(self, x, t):
        return F.softmax_cross_entropy(self.predictor(x), t)


def make_net(seed=0, n_out=3, head='fc', dtype=numpy.float32):
    """A Net with every parameter initialized (the head by one forward pass)."""
    numpy.random.seed(seed)
    net = Net(n_out, head)
    net(numpy.zeros((1, 1, 4, 4), dtype=dtype))
    return net


def batch(seed=1, n=6, n_out=3, dtype=numpy.float32):
    rng = numpy.random.RandomState(seed)
    x = rng.randn(n, 1, 4, 4).astype(dtype)
    t = rng.randint(0, n_out, size=n).astype(numpy.int32)
    return x, t


def loss_of(net):
    return lambda x, t: F.softmax_cross_entropy(net(x), t)


def snapshot(net):
    """``{path: (data bytes, rule.t, {state key: bytes})}`` of every parameter."""
    snap = {}
    for path, p in net.namedparams():
        rule = p.update_rule
        state = {} if rule is None or rule.state is None else \
            {k: v.tobytes() for k, v in rule.state.items()}
        snap[path] = (p.data.tobytes(), None if rule is None else rule.t, state)
    return snap


def run(opt, net, steps, seed=1):
    """``steps`` updates ``opt.update(loss, x, t)`` on fresh batches."""
    for i in range(steps):
        x, t = batch(seed + i)
        opt.update(loss_of(net), x, t)


OPTIMIZERS = {
    'SGD': (lambda: optimizers.SGD(lr=0.1), ()),
    'MomentumSGD': (lambda: optimizers.MomentumSGD(lr=0.1, momentum=0.9), ('v',)),
    'AdaGrad': (lambda: optimizers.AdaGrad(lr=0.1), ('h',)),
    'RMSprop': (lambda: optimizers.RMSprop(lr=0.1), ('ms',)),
    'Adam': (lambda: optimizers.Adam(alpha=0.05), ('m', 'v')),
    'AMSGrad': (lambda: optimizers.Adam(alpha=0.05, amsgrad=True, weight_decay_rate=0.01),
                ('m', 'v', 'vhat')),
}

HOOKS = {
    'no hooks': lambda: [],
    'WeightDecay+Lasso+GradientClipping': lambda: [
        optimizer_hooks.WeightDecay(1e-2), optimizer_hooks.Lasso(1e-3),
        optimizer_hooks.GradientClipping(0.5)],
    'GradientClipping tight': lambda: [optimizer_hooks.GradientClipping(1e-3)],
}


def make_optimizer(name, hooks, net):
    make, _ = OPTIMIZERS[name]
    opt = make().setup(net)
    for hook in HOOKS[hooks]():
        opt.add_hook(hook)
    return opt


FROZEN = ('/conv1/W', '/conv1/b', '/conv2/W', '/conv2/b')
HEAD = ('/fc/W', '/fc/b')


def assert_frozen_and_trained(before, after, frozen, trained):
    for path in frozen:
        assert after[path] == before[path], '{} changed although frozen'.format(path)
    for path in trained:
        data, t, state = after[path]
        assert data != before[path][0], '{} did not change'.format(path)
        assert t > before[path][1]
        for key, value in state.items():
            assert value != before[path][2].get(key), '{} state {} did not change'.format(path, key)


# ---------------------------------------------------------------------------
# Frozen parameters are left bit-identical by every optimizer and hook

@pytest.mark.parametrize('hooks', sorted(HOOKS))
@pytest.mark.parametrize('name', sorted(OPTIMIZERS))
def test_disable_update_keeps_arrays_and_state_bit_identical(name, hooks):
    net = make_net()
    opt = make_optimizer(name, hooks, net)
    run(opt, net, 2)                    # every parameter has state and a step count now
    expected_keys = OPTIMIZERS[name][1]
    for path, p in net.namedparams():
        assert p.update_rule.t == 2
        assert tuple(sorted(p.update_rule.state)) == tuple(sorted(expected_keys)), path

    net.conv1.disable_update()
    net.conv2.disable_update()
    assert not net.conv1.update_enabled and net.update_enabled
    before = snapshot(net)
    run(opt, net, 4, seed=10)
    after = snapshot(net)
    assert_frozen_and_trained(before, after, FROZEN, HEAD)
    assert opt.t == 6


@pytest.mark.parametrize('name', sorted(OPTIMIZERS))
def test_frozen_before_the_first_update_never_gets_state(name):
    net = make_net()
    opt = make_optimizer(name, 'WeightDecay+Lasso+GradientClipping', net)
    net.conv1.disable_update()          # before setup or after: the flag lives on the parameter
    net.conv2.disable_update()
    before = snapshot(net)
    run(opt, net, 3)
    for path, p in net.namedparams():
        if path in FROZEN:
            assert p.data.tobytes() == before[path][0]
            assert p.update_rule.state is None and p.update_rule.t == 0
        else:
            assert p.data.tobytes() != before[path][0]
            assert p.update_rule.t == 3


def test_disable_update_before_setup_survives_setup():
    # Chainer's disable_update only reaches parameters that already have an update
    # rule; here the switch is on the parameter, so freezing first also works.
    net = make_net()
    net.conv1.disable_update()
    opt = optimizers.MomentumSGD(lr=0.1).setup(net)
    before = snapshot(net)
    run(opt, net, 3)
    assert snapshot(net)['/conv1/W'][0] == before['/conv1/W'][0]
    assert snapshot(net)['/conv2/W'][0] != before['/conv2/W'][0]


@pytest.mark.parametrize('hooks', sorted(HOOKS))
@pytest.mark.parametrize('name', sorted(OPTIMIZERS))
def test_frozen_lower_layers_train_the_head_as_on_fixed_features(name, hooks):
    # Training the head of a network whose lower layers are frozen is exactly training
    # the head alone on the (fixed) features: frozen gradients are not counted by
    # GradientClipping's norm nor touched by WeightDecay or Lasso.
    net = make_net()
    alone = L.Linear(12, 3, initialW=net.fc.W.data.copy(), initial_bias=net.fc.b.data.copy())
    net.conv1.disable_update()
    net.conv2.disable_update()
    opt_net = make_optimizer(name, hooks, net)
    opt_alone = make_optimizer(name, hooks, alone)
    for i in range(4):
        x, t = batch(20 + i)
        with minigrad.no_backprop_mode():
            h = net.features(x).array
        opt_net.update(loss_of(net), x, t)
        opt_alone.update(lambda: F.softmax_cross_entropy(alone(h), t))
    numpy.testing.assert_allclose(net.fc.W.data, alone.W.data, rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(net.fc.b.data, alone.b.data, rtol=1e-5, atol=1e-6)


def test_gradients_flow_through_a_frozen_layer():
    # Freezing the middle layer must not stop the layer below it from training.
    net = make_net()
    net.conv2.disable_update()
    opt = make_optimizer('Adam', 'WeightDecay+Lasso+GradientClipping', net)
    before = snapshot(net)
    run(opt, net, 3)
    assert_frozen_and_trained(before, snapshot(net), ('/conv2/W', '/conv2/b'),
                              ('/conv1/W', '/conv1/b') + HEAD)


# ---------------------------------------------------------------------------
# One parameter at a time

def _freeze_by_flag(p):
    p.update_enabled = False


def _freeze_by_rule(p):             # Chainer's per-parameter switch
    p.update_rule.enabled = False


@pytest.mark.parametrize('freeze', [_freeze_by_flag, _freeze_by_rule], ids=['update_enabled', 'rule.enabled'])
@pytest.mark.parametrize('name', sorted(OPTIMIZERS))
def test_per_parameter_switch(name, freeze):
    net = make_net()
    opt = make_optimizer(name, 'WeightDecay+Lasso+GradientClipping', net)
    run(opt, net, 2)
    freeze(net.conv1.W)                 # only the weight: its bias keeps training
    before = snapshot(net)
    run(opt, net, 3, seed=5)
    assert_frozen_and_trained(before, snapshot(net), ('/conv1/W',),
                              ('/conv1/b', '/conv2/W', '/conv2/b') + HEAD)


# ---------------------------------------------------------------------------
# enable_update brings them back

@pytest.mark.parametrize('name', sorted(OPTIMIZERS))
def test_enable_update_brings_frozen_layers_back(name):
    net = make_net()
    opt = make_optimizer(name, 'WeightDecay+Lasso+GradientClipping', net)
    run(opt, net, 2)
    net.disable_update()
    assert not net.update_enabled
    frozen = snapshot(net)
    run(opt, net, 2, seed=7)
    assert snapshot(net) == frozen                  # nothing at all moved
    net.enable_update()
    assert net.update_enabled and all(p.update_enabled for p in net.params())
    run(opt, net, 2, seed=9)
    after = snapshot(net)
    assert_frozen_and_trained(frozen, after, (), FROZEN + HEAD)
    for path, p in net.namedparams():               # the step count resumes where it stopped
        assert p.update_rule.t == 4


def test_enable_update_resumes_momentum_from_the_kept_velocity():
    # By hand: after unfreezing, the first step is v <- mu v_kept - lr g; W <- W + v.
    net = make_net()
    for p in net.params():
        p.data = p.data.astype(numpy.float64)
    lr, mu = 0.1, 0.9
    opt = optimizers.MomentumSGD(lr=lr, momentum=mu).setup(net)
    run_f64 = [batch(30 + i, dtype=numpy.float64) for i in range(4)]
    for x, t in run_f64[:2]:
        opt.update(loss_of(net), x, t)
    net.conv1.disable_update()
    W_kept = net.conv1.W.data.copy()
    v_kept = net.conv1.W.update_rule.state['v'].copy()
    opt.update(loss_of(net), *run_f64[2])
    assert net.conv1.W.data.tobytes() == W_kept.tobytes()
    net.conv1.enable_update()
    opt.update(loss_of(net), *run_f64[3])
    g = net.conv1.W.grad
    v = mu * v_kept - lr * g
    numpy.testing.assert_allclose(net.conv1.W.update_rule.state['v'], v, rtol=1e-12, atol=1e-15)
    numpy.testing.assert_allclose(net.conv1.W.data, W_kept + v, rtol=1e-12, atol=1e-15)


def test_link_update_enabled_sees_rules_disabled_one_by_one():
    # Chainer: Link.update_enabled is True when at least one parameter's rule is enabled.
    net = make_net()
    optimizers.SGD(lr=0.1).setup(net)
    net.conv1.W.update_rule.enabled = False
    assert net.conv1.update_enabled                 # conv1/b is still updated
    net.conv1.b.update_rule.enabled = False
    assert not net.conv1.update_enabled             # no parameter of conv1 is updated
    assert net.update_enabled


def test_enable_update_reenables_rules_disabled_one_by_one():
    # Chainer: Link.enable_update() sets ``update_rule.enabled = True`` on every
    # parameter, so a parameter frozen the Chainer way comes back with it.
    net = make_net()
    opt = optimizers.SGD(lr=0.1).setup(net)
    net.conv1.W.update_rule.enabled = False
    before = snapshot(net)
    run(opt, net, 1)
    assert snapshot(net)['/conv1/W'][0] == before['/conv1/W'][0]
    net.enable_update()
    assert net.conv1.W.update_rule.enabled
    before = snapshot(net)
    run(opt, net, 1, seed=2)
    assert snapshot(net)['/conv1/W'][0] != before['/conv1/W'][0]


# ---------------------------------------------------------------------------
# Partial loading by path

def _save_wrapped(tmp_path, seed=3, n_out=3):
    """Train a Wrapper(Net) for two steps (so nothing is at its initial value) and save it."""
    model = Wrapper(make_net(seed, n_out))
    opt = optimizers.Adam(alpha=0.05).setup(model)
    for i in range(2):
        x, t = batch(40 + i, n_out=n_out)
        opt.update(model, x, t)
    path = str(tmp_path / 'model.npz')
    serializers.save_npz(path, model)
    return path, {k: p.data.copy() for k, p in model.predictor.namedparams()}


def _params(net):
    return {k: p.data.copy() for k, p in net.namedparams() if p.data is not None}


def test_load_predictor_by_path(tmp_path):
    path, saved = _save_wrapped(tmp_path)
    net = make_net(seed=9)
    serializers.load_npz(path, net, path='predictor/')
    loaded = _params(net)
    assert sorted(loaded) == sorted(saved)
    for k in saved:
        numpy.testing.assert_array_equal(loaded[k], saved[k])
        assert not numpy.shares_memory(loaded[k], saved[k])


def test_load_predictor_into_an_uninitialized_net(tmp_path):
    path, saved = _save_wrapped(tmp_path)
    numpy.random.seed(9)
    net = Net()                         # the head is Linear(None, 3): no W yet
    assert net.fc.W.data is None
    serializers.load_npz(path, net, path='predictor/')
    for k, value in _params(net).items():
        numpy.testing.assert_array_equal(value, saved[k])


def test_lower_layers_into_a_net_with_a_differently_named_head(tmp_path):
    path, saved = _save_wrapped(tmp_path)
    net = make_net(seed=9, n_out=5, head='classifier')
    head = {k: v for k, v in _params(net).items() if k.startswith('/classifier/')}
    with pytest.raises(KeyError, match="predictor/classifier/W"):
        serializers.load_npz(path, net, path='predictor/')           # strict: the new head is missing
    serializers.load_npz(path, net, path='predictor/', strict=False)
    loaded = _params(net)
    for k in ('/conv1/W', '/conv1/b', '/conv2/W', '/conv2/b'):
        numpy.testing.assert_array_equal(loaded[k], saved[k])
    for k, v in head.items():
        assert loaded[k].tobytes() == v.tobytes()                   # the head stays as it was


def test_lower_layers_into_a_net_whose_head_has_another_shape(tmp_path):
    path, saved = _save_wrapped(tmp_path, n_out=3)
    net = make_net(seed=9, n_out=5)         # same name ``fc``, 5 outputs instead of 3
    before = _params(net)
    # strict=False skips missing keys, not misfits: the load fails and changes nothing
    with pytest.raises(type_check.InvalidType,
                       match=r"load_npz.*predictor/fc/W.*\(5, 12\).*\(3, 12\)"):
        serializers.load_npz(path, net, path='predictor/', strict=False)
    for k, v in _params(net).items():
        assert v.tobytes() == before[k].tobytes()
    # skip the head by name: the lower layers load, the head stays
    serializers.load_npz(path, net, path='predictor/',
                         ignore_names=lambda key: key.startswith('predictor/fc/'))
    loaded = _params(net)
    for k in FROZEN:
        numpy.testing.assert_array_equal(loaded[k], saved[k])
    for k in HEAD:
        assert loaded[k].tobytes() == before[k].tobytes()


def test_load_one_layer_by_its_path(tmp_path):
    path, saved = _save_wrapped(tmp_path)
    net = make_net(seed=9)
    before = _params(net)
    serializers.load_npz(path, net.conv1, path='predictor/conv1/')
    loaded = _params(net)
    numpy.testing.assert_array_equal(loaded['/conv1/W'], saved['/conv1/W'])
    numpy.testing.assert_array_equal(loaded['/conv1/b'], saved['/conv1/b'])
    for k in ('/conv2/W', '/conv2/b') + HEAD:
        assert loaded[k].tobytes() == before[k].tobytes()


def test_load_lower_layers_then_fine_tune_only_the_head(tmp_path):
    path, saved = _save_wrapped(tmp_path)
    model = Wrapper(make_net(seed=9, n_out=4, head='new_fc'))
    serializers.load_npz(path, model, strict=False)     # the Wrapper has the same 'predictor/' keys
    model.predictor.conv1.disable_update()
    model.predictor.conv2.disable_update()
    opt = optimizers.Adam(alpha=0.05).setup(model)
    for i in range(3):
        x, t = batch(50 + i, n_out=4)
        opt.update(model, x, t)
    loaded = _params(model.predictor)
    for k in FROZEN:
        assert loaded[k].tobytes() == saved[k].tobytes()


# ---------------------------------------------------------------------------
# Replacing the head

def _check_head_trains_alone(net, head_paths, opt_name='MomentumSGD'):
    net.disable_update()
    getattr(net, net.head_name).enable_update()
    opt = make_optimizer(opt_name, 'WeightDecay+Lasso+GradientClipping', net)
    x, t = batch(60, n_out=5)
    before = snapshot(net)
    with minigrad.no_backprop_mode():
        loss0 = float(F.softmax_cross_entropy(net(x), t).array)
    for _ in range(10):
        opt.update(loss_of(net), x, t)
    with minigrad.no_backprop_mode():
        loss1 = float(F.softmax_cross_entropy(net(x), t).array)
    assert_frozen_and_trained(before, snapshot(net), FROZEN, head_paths)
    assert loss1 < loss0


def test_replace_head_in_init_scope():
    net = make_net()
    old = net.fc
    with net.init_scope():
        net.fc = L.Linear(None, 5)
    assert [k for k, _ in net.namedparams()] == list(FROZEN + HEAD)     # same place in the order
    assert net.fc is not old and net.fc.name == 'fc'
    assert net['fc'] is net.fc
    assert all(a is b for a, b in zip(net.fc.params(), [p for k, p in net.namedparams() if k in HEAD]))
    assert not any(p is old.W or p is old.b for p in net.params())
    assert net.fc.W.data is None                        # lazily sized by the next forward
    y = net(batch(60)[0])
    assert y.shape == (6, 5) and net.fc.W.shape == (5, 12)
    _check_head_trains_alone(net, HEAD)


def test_replace_head_by_del_and_add_link():
    net = make_net()
    del net.fc
    assert [k for k, _ in net.namedparams()] == list(FROZEN)
    assert not hasattr(net, 'fc')
    net.add_link('fc', L.Linear(None, 5))
    with pytest.raises(AttributeError, match="'fc'.*attribute exists"):
        net.add_link('fc', L.Linear(None, 5))   # replacing needs the del first
    assert [k for k, _ in net.namedparams()] == list(FROZEN + HEAD)
    assert net(batch(60)[0]).shape == (6, 5)
    _check_head_trains_alone(net, HEAD)


def test_replaced_head_after_setup_trains_once_the_optimizer_is_set_up_again():
    # An optimizer gives update rules to the parameters it sees at setup(); a head
    # added later has none until setup() is called again (as in Chainer).
    net = make_net()
    opt = optimizers.Adam(alpha=0.05).setup(net)
    run(opt, net, 1)
    with net.init_scope():
        net.fc = L.Linear(None, 5)
    net(batch(60)[0])
    assert net.fc.W.update_rule is None
    net.conv1.disable_update()
    net.conv2.disable_update()
    opt.setup(net)
    assert all(p.update_rule is not None for p in net.params())
    before = snapshot(net)
    for i in range(3):
        x, t = batch(70 + i, n_out=5)
        opt.update(loss_of(net), x, t)
    assert_frozen_and_trained(before, snapshot(net), FROZEN, HEAD)


# ---------------------------------------------------------------------------
# copyparams

def test_copyparams_between_two_models():
    src = make_net(seed=1)
    dst = make_net(seed=2)
    dst.copyparams(src)
    for (k, a), (_, b) in zip(dst.namedparams(), src.namedparams()):
        assert a.data.tobytes() == b.data.tobytes(), k
        assert a is not b and not numpy.shares_memory(a.data, b.data), k
    src.conv1.W.data += 1                   # a copy, not a view
    assert not numpy.array_equal(dst.conv1.W.data, src.conv1.W.data)


def test_copyparams_into_an_uninitialized_model():
    src = make_net(seed=1)
    numpy.random.seed(2)
    dst = Net()
    assert dst.fc.W.data is None
    dst.copyparams(src)
    numpy.testing.assert_array_equal(dst.fc.W.data, src.fc.W.data)


def test_copy_lower_layers_into_a_model_with_another_head():
    src = make_net(seed=1, n_out=3)
    dst = make_net(seed=2, n_out=5)
    head = (dst.fc.W.data.copy(), dst.fc.b.data.copy())
    with pytest.raises(type_check.InvalidType, match=r'copyparams.*/fc/W.*\(5, 12\).*\(3, 12\)'):
        dst.copyparams(src)
    for name in ('conv1', 'conv2'):
        dst[name].copyparams(src[name])
    for k in FROZEN:
        numpy.testing.assert_array_equal(dict(dst.namedparams())[k].data,
                                         dict(src.namedparams())[k].data)
    assert dst.fc.W.data.tobytes() == head[0].tobytes()
    assert dst.fc.b.data.tobytes() == head[1].tobytes()
    # and fine-tune: the copied layers stay equal to the source
    dst.conv1.disable_update()
    dst.conv2.disable_update()
    opt = make_optimizer('Adam', 'WeightDecay+Lasso+GradientClipping', dst)
    for i in range(3):
        x, t = batch(80 + i, n_out=5)
        opt.update(loss_of(dst), x, t)
    for k in FROZEN:
        assert dict(dst.namedparams())[k].data.tobytes() == dict(src.namedparams())[k].data.tobytes()


def test_copyparams_names_the_missing_link():
    src = make_net(seed=1, head='classifier')
    dst = make_net(seed=2)
    with pytest.raises(ValueError, match='/fc'):
        dst.copyparams(src)


# ---------------------------------------------------------------------------
# Batch normalization: its running averages are persistent values, not parameters

class BNNet(minigrad.Chain):
    """conv - batch normalization - relu - head, on 1x4x4 inputs."""

    def __init__(self, n_out=3):
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(1, 2, 3, pad=1)
            self.bn = L.BatchNormalization(2)
            self.fc = L.Linear(32, n_out)

    def forward(self, x):
        return self.fc(F.relu(self.bn(self.conv(x))))


def make_bn_net(seed):
    numpy.random.seed(seed)
    net = BNNet()
    rng = numpy.random.RandomState(seed)
    net.bn.avg_mean[...] = rng.randn(2)
    net.bn.avg_var[...] = rng.rand(2) + 0.5
    net.bn.N = seed
    return net


def test_copyparams_copies_batch_norm_statistics_unless_told_not_to():
    src, dst, kept = make_bn_net(1), make_bn_net(2), make_bn_net(2)
    dst.copyparams(src, copy_persistent=False)
    assert dst.bn.avg_mean.tobytes() == kept.bn.avg_mean.tobytes() and dst.bn.N == 2
    dst.copyparams(src)
    numpy.testing.assert_array_equal(dst.bn.avg_mean, src.bn.avg_mean)
    numpy.testing.assert_array_equal(dst.bn.avg_var, src.bn.avg_var)
    assert dst.bn.N == 1
    assert not numpy.shares_memory(dst.bn.avg_mean, src.bn.avg_mean)


def test_load_npz_by_path_brings_batch_norm_statistics(tmp_path):
    src = Wrapper(make_bn_net(1))
    path = str(tmp_path / 'bn.npz')
    serializers.save_npz(path, src)
    dst = make_bn_net(2)
    serializers.load_npz(path, dst.bn, path='predictor/bn/')
    numpy.testing.assert_array_equal(dst.bn.avg_mean, src.predictor.bn.avg_mean)
    numpy.testing.assert_array_equal(dst.bn.avg_var, src.predictor.bn.avg_var)
    assert dst.bn.N == 1


def test_frozen_batch_norm_in_train_mode_still_moves_its_averages():
    # As in Chainer, disable_update() stops the optimizer, not the forward pass: in
    # training mode a frozen BatchNormalization still updates avg_mean and avg_var.
    # Running it with train=False keeps them (and normalizes with them).
    net = make_bn_net(3)
    net.bn.disable_update()
    opt = optimizers.MomentumSGD(lr=0.1).setup(net)
    mean, var = net.bn.avg_mean.copy(), net.bn.avg_var.copy()
    gamma, beta = net.bn.gamma.data.copy(), net.bn.beta.data.copy()
    run(opt, net, 2)
    assert not numpy.array_equal(net.bn.avg_mean, mean)
    assert not numpy.array_equal(net.bn.avg_var, var)
    assert net.bn.gamma.data.tobytes() == gamma.tobytes()
    assert net.bn.beta.data.tobytes() == beta.tobytes()

    mean, var = net.bn.avg_mean.copy(), net.bn.avg_var.copy()
    with minigrad.using_config('train', False):
        run(opt, net, 2, seed=5)
    assert net.bn.avg_mean.tobytes() == mean.tobytes()
    assert net.bn.avg_var.tobytes() == var.tobytes()
    assert net.bn.gamma.data.tobytes() == gamma.tobytes()
