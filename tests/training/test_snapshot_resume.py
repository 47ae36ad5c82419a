"""Resuming from a trainer snapshot repeats an uninterrupted run bit for bit."""
import os

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import datasets, iterators, optimizers, serializers, training
from minigrad.training import extensions
from minigrad.type_check import InvalidType


class Net(minigrad.Chain):
    """Linear, batch normalization, ReLU, dropout, Linear: state in Adam, BN and the RNG."""

    def __init__(self, hidden=8):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(2, hidden)
            self.bn = L.BatchNormalization(hidden)
            self.l2 = L.Linear(hidden, 2)

    def forward(self, x):
        return self.l2(F.dropout(F.relu(self.bn(self.l1(x))), 0.3))


def make_trainer(out, stop, init_seed=0, hidden=8):
    """40 shuffled points in batches of 6: epochs end inside batches."""
    numpy.random.seed(init_seed)
    model = L.Classifier(Net(hidden))
    optimizer = optimizers.Adam(alpha=0.01)
    optimizer.setup(model)
    rng = numpy.random.RandomState(1)
    x = rng.randn(40, 2).astype(numpy.float32)
    t = (x[:, 0] * x[:, 1] > 0).astype(numpy.int32)
    valid = iterators.SerialIterator(datasets.TupleDataset(x[:12], t[:12]), 6, repeat=False,
                                     shuffle=False)
    train = iterators.SerialIterator(datasets.TupleDataset(x, t), 6, shuffle=True)
    updater = training.StandardUpdater(train, optimizer)
    trainer = training.Trainer(updater, stop, out=str(out))
    trainer.extend(extensions.Evaluator(valid, model))
    trainer.extend(extensions.LogReport(trigger=(4, 'iteration')))
    trainer.extend(extensions.PlotReport(['main/loss'], 'iteration', trigger=(10, 'iteration')))
    return trainer, model


def training_state(trainer):
    """Everything that decides the rest of training, copied."""
    updater = trainer.updater
    optimizer = updater.get_optimizer('main')
    model = optimizer.target
    it = updater.get_iterator('main')
    state = {
        'iteration': updater.iteration,
        'optimizer.t': optimizer.t,
        'optimizer.epoch': optimizer.epoch,
        'iterator': (it.current_position, it.epoch, it.is_new_epoch, it._order.tolist()),
        'random': [numpy.asarray(v).tolist() for v in numpy.random.get_state()[1:]],
        'log': [{k: v for k, v in e.items() if k != 'elapsed_time'}
                for e in trainer.get_extension('LogReport').log],
        'plot': trainer.get_extension('PlotReport')._data,
    }
    for path, param in model.namedparams():
        rule = param.update_rule
        state[path] = param.data.copy()
        state[path + '/t'] = rule.t
        for key, value in rule.state.items():
            state[path + '/' + key] = value.copy()
    bn = model.predictor.bn
    state['bn'] = (bn.avg_mean.copy(), bn.avg_var.copy(), bn.N)
    return state


def assert_same_state(a, b):
    assert sorted(a) == sorted(b)
    for key in a:
        if isinstance(a[key], numpy.ndarray):
            assert a[key].dtype == b[key].dtype, key
            numpy.testing.assert_array_equal(a[key], b[key], err_msg=key)
        elif key == 'bn':
            for x, y in zip(a[key], b[key]):
                numpy.testing.assert_array_equal(x, y)
        else:
            assert a[key] == b[key], key


@pytest.mark.parametrize('snapshot_trigger, snapshot_name, stop', [
    ((9, 'iteration'), 'snapshot_iter_9', (23, 'iteration')),     # mid-epoch
    ((1, 'epoch'), 'snapshot_iter_7', (3, 'epoch')),               # right after an epoch ended
])
def test_resume_is_bit_identical_to_an_uninterrupted_run(tmp_path, snapshot_trigger, snapshot_name,
                                                         stop):
    full, _ = make_trainer(tmp_path / 'full', stop)
    full.extend(extensions.snapshot(), trigger=snapshot_trigger)
    full.run()
    expected = training_state(full)

    # Another initialization and a disturbed global random state: the snapshot must restore both.
    resumed, _ = make_trainer(tmp_path / 'resumed', stop, init_seed=123)
    resumed.extend(extensions.snapshot(), trigger=snapshot_trigger)
    numpy.random.seed(999)
    serializers.load_npz(str(tmp_path / 'full' / snapshot_name), resumed)
    start = resumed.updater.iteration
    assert start == int(snapshot_name.rsplit('_', 1)[1])
    assert resumed.get_extension('LogReport').log == full.get_extension('LogReport').log[:start // 4]
    resumed.run()
    assert_same_state(training_state(resumed), expected)


def test_snapshot_keys_follow_chainer_layout(tmp_path):
    trainer, _ = make_trainer(tmp_path, (2, 'iteration'))
    trainer.extend(extensions.snapshot(), trigger=(2, 'iteration'))
    trainer.run()
    with numpy.load(os.path.join(trainer.out, 'snapshot_iter_2')) as npz:
        keys = set(npz.files)
    expected = {
        'updater/iteration', 'updater/iterator:main/current_position', 'updater/iterator:main/order',
        'updater/optimizer:main/t', 'updater/optimizer:main/predictor/l1/W/m',
        'updater/optimizer:main/predictor/l1/W/v', 'updater/optimizer:main/predictor/l1/W/t',
        'updater/model:main/predictor/l1/W', 'updater/model:main/predictor/bn/avg_mean',
        'stop_trigger/previous_iteration', 'extensions/LogReport/_log',
        'extension_triggers/validation/previous_epoch_detail', '_snapshot_elapsed_time',
        'random_state/keys',
    }
    assert expected <= keys, expected - keys


def test_elapsed_time_continues_after_resume(tmp_path):
    first, _ = make_trainer(tmp_path / 'a', (4, 'iteration'))
    first.extend(extensions.snapshot(), trigger=(4, 'iteration'))
    first.run()
    with numpy.load(os.path.join(first.out, 'snapshot_iter_4')) as npz:
        saved = float(npz['_snapshot_elapsed_time'])
    assert 0 < saved <= first.elapsed_time
    second, _ = make_trainer(tmp_path / 'b', (8, 'iteration'))
    serializers.load_npz(os.path.join(first.out, 'snapshot_iter_4'), second)
    second.run()
    assert second.elapsed_time > saved
    assert second.get_extension('LogReport').log[-1]['elapsed_time'] > saved


def test_failed_load_changes_nothing(tmp_path):
    source, _ = make_trainer(tmp_path / 'a', (8, 'iteration'))
    source.extend(extensions.snapshot(), trigger=(8, 'iteration'))
    source.run()
    other, model = make_trainer(tmp_path / 'b', (8, 'iteration'), hidden=5)   # other shapes
    before = training_state_before_run(other)
    random_before = numpy.random.get_state()[1].copy()
    with pytest.raises(InvalidType, match=r'load_npz: expect updater/model:main/predictor/l1/W'):
        serializers.load_npz(os.path.join(source.out, 'snapshot_iter_8'), other)
    assert training_state_before_run(other) == before
    numpy.testing.assert_array_equal(numpy.random.get_state()[1], random_before)


def training_state_before_run(trainer):
    updater = trainer.updater
    it = updater.get_iterator('main')
    model = updater.get_optimizer('main').target
    return (updater.iteration, updater.get_optimizer('main').t, it.current_position, it.epoch,
            it._order.tolist(), trainer.get_extension('LogReport').log,
            [p.data.tolist() for p in model.params()])


def test_snapshot_without_random_state_still_loads(tmp_path):
    """A snapshot without random_state/ (as Chainer writes them) loads; the state is left alone."""
    source, _ = make_trainer(tmp_path / 'a', (4, 'iteration'))
    source.extend(extensions.snapshot(), trigger=(4, 'iteration'))
    source.run()
    path = os.path.join(source.out, 'snapshot_iter_4')
    with numpy.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files if not k.startswith('random_state/')}
    stripped = str(tmp_path / 'stripped.npz')
    numpy.savez(stripped, **arrays)
    target, _ = make_trainer(tmp_path / 'b', (8, 'iteration'))
    numpy.random.seed(5)
    expected = numpy.random.get_state()[1].copy()
    serializers.load_npz(stripped, target)
    numpy.testing.assert_array_equal(numpy.random.get_state()[1], expected)
    assert target.updater.iteration == 4
