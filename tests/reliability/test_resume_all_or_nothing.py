"""Resuming from a snapshot that fails anywhere changes nothing; so does a failed optimizer load.

A trainer with state everywhere (Adam's moments, batch normalization's
averages, a shuffled iterator, a LogReport and a PlotReport in the middle of
an interval, a learning-rate shift, a best-value trigger, NumPy's random
state) is saved, the snapshot is damaged in one place, and loading it into
another trainer must raise an error naming the damaged key and leave that
trainer exactly as it was: every array compared bit for bit, every update
rule that had no state still without one.
"""
import re
import zipfile

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import datasets, iterators, optimizers, serializers, training
from minigrad.training import extensions, triggers
from minigrad.type_check import InvalidType


class Net(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(2, 5)
            self.bn = L.BatchNormalization(5)
            self.l2 = L.Linear(5, 2)
            self.unused = L.Linear(2, 2)    # never gets a gradient: its rules keep no state

    def forward(self, x):
        return self.l2(F.dropout(F.relu(self.bn(self.l1(x))), 0.2))


class Count:
    """An extension fired by a best-value trigger (whose state is in the snapshot)."""
    default_name = 'count'

    def __init__(self):
        self.calls = 0

    def __call__(self, trainer):
        self.calls += 1


def make_trainer(out, seed, stop):
    numpy.random.seed(seed)
    model = L.Classifier(Net())
    optimizer = optimizers.Adam(alpha=0.01)
    optimizer.setup(model)
    rng = numpy.random.RandomState(1)
    x = rng.randn(40, 2).astype(numpy.float32)
    t = (x[:, 0] * x[:, 1] > 0).astype(numpy.int32)
    train = iterators.SerialIterator(datasets.TupleDataset(x, t), 6, shuffle=True)
    trainer = training.Trainer(training.StandardUpdater(train, optimizer), stop, out=str(out))
    trainer.extend(extensions.LogReport(trigger=(4, 'iteration')))
    trainer.extend(extensions.PlotReport(['main/loss'], 'iteration', trigger=(3, 'iteration'),
                                         filename='loss.png'))
    trainer.extend(extensions.ExponentialShift('alpha', 0.9), trigger=(2, 'iteration'))
    trainer.extend(Count(), trigger=triggers.MinValueTrigger('main/loss', (2, 'iteration')))
    return trainer


@pytest.fixture(scope='module')
def snapshot(tmp_path_factory):
    """The arrays of a snapshot taken after 7 iterations (mid-interval for the reports)."""
    out = tmp_path_factory.mktemp('source')
    trainer = make_trainer(out, 0, (7, 'iteration'))
    trainer.run()
    path = out / 'snapshot.npz'
    serializers.save_npz(str(path), trainer, compression=False)
    with numpy.load(str(path)) as npz:
        arrays = {key: npz[key] for key in npz.files}
    assert json_names(arrays, 'extensions/LogReport/_summary/_names')     # summaries to damage
    return arrays


def json_names(arrays, key):
    import json
    return json.loads(str(arrays[key]))


@pytest.fixture(params=['trained', 'fresh'])
def target(request, tmp_path):
    """A trainer of the same model: one trained otherwise for 3 iterations, or one never run."""
    numpy.random.seed(7)
    trainer = make_trainer(tmp_path / 'target', 5, (3, 'iteration'))
    if request.param == 'trained':
        trainer.run()
    numpy.random.seed(11)      # a global random state of its own, to be kept
    return trainer


def everything(trainer):
    """The trainer's whole state: what a snapshot holds, copied, and what it cannot show."""
    saver = serializers.DictionarySerializer()
    saver.save(trainer)
    state = {key: numpy.array(value, copy=True) for key, value in saver.target.items()}
    optimizer = trainer.updater.get_optimizer('main')
    for path, param in optimizer.target.namedparams():
        rule = param.update_rule
        state['has state ' + path] = rule.state is not None
        for key, value in (rule.state or {}).items():
            state['state ' + path + '/' + key] = value.copy()
    state['alpha'] = optimizer.alpha
    state['count'] = trainer.get_extension('count').calls
    return state


def assert_unchanged(before, after):
    assert sorted(before) == sorted(after)
    for key, value in before.items():
        other = after[key]
        if isinstance(value, numpy.ndarray):
            assert value.dtype == other.dtype and value.shape == other.shape, key
            if value.dtype.hasobject:
                assert value.tolist() == other.tolist(), key
            else:
                assert value.tobytes() == other.tobytes(), key     # bit for bit, NaN included
        else:
            assert value == other, key


def write(tmp_path, arrays, name='damaged.npz'):
    path = tmp_path / name
    numpy.savez(str(path), **arrays)
    return str(path)


def load_fails(target, path, error, match):
    before = everything(target)
    with pytest.raises(error, match=match):
        serializers.load_npz(path, target)
    assert_unchanged(before, everything(target))


# ---------------------------------------------------------------------------
# Any entry missing

def test_a_snapshot_missing_any_one_entry_is_refused_and_changes_nothing(snapshot, target,
                                                                          tmp_path):
    keys = sorted(snapshot)
    assert len(keys) > 60
    for key in keys:
        damaged = {k: v for k, v in snapshot.items() if k != key}
        load_fails(target, write(tmp_path, damaged), KeyError, re.escape(key))


def test_a_summary_listed_by_name_but_missing_is_refused(snapshot, target, tmp_path):
    # The series' keys are known only from _names: load_npz's checking pass cannot see them.
    damaged = dict(snapshot)
    damaged['extensions/LogReport/_summary/_names'] = numpy.array(
        '["main/loss", "main/accuracy", "main/other"]')
    load_fails(target, write(tmp_path, damaged), KeyError,
               re.escape("'extensions/LogReport/_summary/_summaries/2/_x' is not in"))


def test_a_random_state_saved_in_part_is_refused(snapshot, target, tmp_path):
    damaged = {k: v for k, v in snapshot.items() if k != 'random_state/has_gauss'}
    load_fails(target, write(tmp_path, damaged), KeyError,
               r"'random_state/has_gauss' is missing, though 'random_state/cached_gaussian' is "
               r'there: the random state is saved in part only')


def test_a_snapshot_without_any_random_state_loads_and_keeps_it(snapshot, target, tmp_path):
    # As Chainer writes them: the random state is left alone, the rest loads.
    damaged = {k: v for k, v in snapshot.items() if not k.startswith('random_state/')}
    expected = numpy.random.get_state()[1].copy()
    serializers.load_npz(write(tmp_path, damaged), target)
    assert numpy.random.get_state()[1].tobytes() == expected.tobytes()
    assert target.updater.iteration == 7


# ---------------------------------------------------------------------------
# Any entry corrupt

def _optimizer_key(snapshot, suffix):
    return next(k for k in sorted(snapshot) if k.startswith('updater/optimizer:main/')
                and k.endswith(suffix))


CORRUPTIONS = [
    # (id, key, stored value, error, message)
    ('log-not-json', 'extensions/LogReport/_log', numpy.array('[{"epoch": 0'), InvalidType,
     r'LogReport: expect extensions/LogReport/_log to be JSON text of a list of log entries, '
     r'actual not JSON'),
    ('log-not-a-list', 'extensions/LogReport/_log', numpy.array('{"epoch": 0}'), InvalidType,
     r"extensions/LogReport/_log to be JSON text of a list of log entries, actual \{'epoch': 0\}"),
    ('log-a-number', 'extensions/LogReport/_log', numpy.array(3.0), InvalidType,
     r'extensions/LogReport/_log to be text, actual 3.0 \(shape \(\), dtype float64\)'),
    ('summary-names-not-json', 'extensions/LogReport/_summary/_names', numpy.array('main/loss'),
     InvalidType, r'DictSummary: expect extensions/LogReport/_summary/_names to be JSON text'),
    ('summary-sum-text', 'extensions/LogReport/_summary/_summaries/0/_x', numpy.array('abc'),
     InvalidType, r"extensions/LogReport/_summary/_summaries/0/_x to be a real number, actual 'abc'"),
    ('plot-points', 'extensions/PlotReport/_plot_loss.png', numpy.array('{"main/loss": [[1]]}'),
     InvalidType, r'PlotReport: expect extensions/PlotReport/_plot_loss.png to be JSON text of a '
                  r'dict of lists of \(x, y\) points'),
    ('position-past-the-epoch', 'updater/iterator:main/current_position', numpy.array(41),
     InvalidType, r'SerialIterator: expect updater/iterator:main/current_position to be an '
                  r'integer in \[0, 40\], actual 41'),
    ('position-negative', 'updater/iterator:main/current_position', numpy.array(-1),
     InvalidType, r'current_position to be an integer in \[0, 40\], actual -1'),
    ('position-float', 'updater/iterator:main/current_position', numpy.array(2.5),
     InvalidType, r'updater/iterator:main/current_position to be a scalar convertible to int'),
    ('epoch-negative', 'updater/iterator:main/epoch', numpy.array(-2), InvalidType,
     r'updater/iterator:main/epoch to be an integer in \[0, inf\], actual -2'),
    ('order-out-of-range', 'updater/iterator:main/order', numpy.arange(40)[::-1] + 1, InvalidType,
     r'updater/iterator:main/order to be 40 indices into the dataset of 40 examples'),
    ('order-too-short', 'updater/iterator:main/order', numpy.arange(39), InvalidType,
     r"updater/iterator:main/order to have the model's shape \(40,\)"),
    ('iteration-negative', 'updater/iteration', numpy.array(-3), InvalidType,
     r'StandardUpdater: expect updater/iteration to be an integer in \[0, inf\], actual -3'),
    ('shift-t-float', 'extensions/ExponentialShift/_t', numpy.array(1.5), InvalidType,
     r'ExponentialShift: expect extensions/ExponentialShift/_t to be an integer'),
    ('best-value-text', 'extension_triggers/count/best_value', numpy.array('low'), InvalidType,
     r'MinValueTrigger: expect extension_triggers/count/best_value to be a real number'),
    ('random-pos', 'random_state/pos', numpy.array(700), InvalidType,
     r'Trainer: expect random_state/pos to be an integer in \[0, 624\], actual 700'),
    ('random-has-gauss', 'random_state/has_gauss', numpy.array(2), InvalidType,
     r'random_state/has_gauss to be an integer in \[0, 1\], actual 2'),
    ('random-keys-short', 'random_state/keys', numpy.arange(10, dtype=numpy.uint32), InvalidType,
     r'random_state/keys to be the 624 words \(uint32\) of a Mersenne Twister state'),
    ('random-keys-float', 'random_state/keys', numpy.zeros(624), InvalidType,
     r'random_state/keys to be the 624 words'),
    ('model-shape', 'updater/model:main/predictor/l2/W', numpy.zeros((2, 6), numpy.float32),
     InvalidType, r"updater/model:main/predictor/l2/W to have the model's shape \(2, 5\)"),
    ('bn-average-complex', 'updater/model:main/predictor/bn/avg_var', numpy.zeros(5, complex),
     InvalidType, r'bn/avg_var castable to the model'),
    ('optimizer-t-text', 'updater/optimizer:main/t', numpy.array('seven'), InvalidType,
     r'updater/optimizer:main/t to be a scalar convertible to int'),
    ('elapsed-text', '_snapshot_elapsed_time', numpy.array('soon'), InvalidType,
     r'_snapshot_elapsed_time to be a scalar convertible to float'),
]


@pytest.mark.parametrize('key, value, error, match', [c[1:] for c in CORRUPTIONS],
                         ids=[c[0] for c in CORRUPTIONS])
def test_a_corrupt_entry_is_refused_naming_it_and_changes_nothing(snapshot, target, tmp_path, key,
                                                                 value, error, match):
    assert key in snapshot
    damaged = dict(snapshot)
    damaged[key] = value
    load_fails(target, write(tmp_path, damaged), error, match)


def test_an_optimizer_state_of_the_wrong_shape_is_refused(snapshot, target, tmp_path):
    # Into a trained rule load_npz compares shapes; into a rule with no state yet the
    # optimizer compares the stored state with its parameter, before anything changes.
    key = _optimizer_key(snapshot, 'predictor/l2/b/v')
    damaged = dict(snapshot)
    damaged[key] = numpy.zeros(3, numpy.float32)
    load_fails(target, write(tmp_path, damaged), InvalidType,
               re.escape(key.split('optimizer:main/')[1]) + r'.* \(2,\)')


def test_an_optimizer_state_saved_in_part_is_refused(snapshot, target, tmp_path):
    m = _optimizer_key(snapshot, 'predictor/l1/W/m')
    damaged = {k: v for k, v in snapshot.items() if k != m}
    load_fails(target, write(tmp_path, damaged), KeyError, re.escape(m))


def test_a_truncated_member_is_refused_naming_it(snapshot, target, tmp_path):
    path = write(tmp_path, snapshot, 'whole.npz')
    member = 'extensions/LogReport/_log.npy'
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(str(tmp_path / 'bad.npz'), 'w') as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == member:
                data = data[:len(data) - 5]          # the text cut short: its header lies
            dst.writestr(info, data)
    load_fails(target, str(tmp_path / 'bad.npz'), ValueError,
               r"'extensions/LogReport/_log'.*corrupt or truncated")


def test_the_undamaged_snapshot_loads_into_the_same_targets(snapshot, target, tmp_path):
    serializers.load_npz(write(tmp_path, snapshot, 'good.npz'), target)
    assert target.updater.iteration == 7
    loaded = everything(target)
    for key, value in snapshot.items():
        if key.startswith(('updater/', 'random_state/')):
            assert loaded[key].tobytes() == value.tobytes(), key
    optimizer = target.updater.get_optimizer('main')
    rules = {path: p.update_rule for path, p in optimizer.target.namedparams()}
    assert rules['/predictor/unused/W'].state is None            # never updated in the source
    assert rules['/predictor/l1/W'].state['m'].shape == (5, 2)


# ---------------------------------------------------------------------------
# The optimizer alone

def trained_optimizer(seed, steps):
    numpy.random.seed(seed)
    model = Net()
    optimizer = optimizers.Adam(alpha=0.01)
    optimizer.setup(model)
    x = numpy.random.randn(6, 2).astype(numpy.float32)
    t = numpy.array([0, 1, 0, 1, 1, 0], numpy.int32)
    for _ in range(steps):
        optimizer.update(lambda: F.softmax_cross_entropy(model(x), t))
    return model, optimizer


def optimizer_state(optimizer):
    state = {'t': optimizer.t, 'epoch': optimizer.epoch}
    for path, param in optimizer.target.namedparams():
        rule = param.update_rule
        state[path + '/t'] = rule.t
        state[path + '/state'] = None if rule.state is None else {
            key: value.copy() for key, value in rule.state.items()}
        state[path + '/arrays'] = None if rule.state is None else {
            key: id(value) for key, value in rule.state.items()}
    return state


def assert_same_optimizer_state(before, after):
    assert sorted(before) == sorted(after)
    for key, value in before.items():
        if isinstance(value, dict) and key.endswith('/state'):
            assert sorted(value) == sorted(after[key]), key
            for k in value:
                assert value[k].tobytes() == after[key][k].tobytes(), (key, k)
        else:
            assert value == after[key], key


@pytest.mark.parametrize('steps', [0, 2], ids=['no-state-yet', 'trained'])
@pytest.mark.parametrize('damage', ['last-key-wrong-shape', 'last-key-missing', 'first-t-text'])
def test_a_failed_optimizer_load_leaves_every_rule_as_it_was(tmp_path, steps, damage):
    _, source = trained_optimizer(0, 3)
    saver = serializers.DictionarySerializer()
    saver.save(source)
    arrays = {k: numpy.array(v) for k, v in saver.target.items()}
    state_keys = [k for k in arrays if k.endswith(('/m', '/v'))]
    last = state_keys[-1]
    if damage == 'last-key-wrong-shape':
        arrays[last] = numpy.zeros(arrays[last].shape + (2,), numpy.float32)
        error, match = InvalidType, re.escape(last)
    elif damage == 'last-key-missing':
        del arrays[last]
        error, match = KeyError, re.escape(last)
    else:
        first_t = next(k for k in arrays if k.endswith('/t'))
        arrays[first_t] = numpy.array('three')
        error, match = InvalidType, re.escape(first_t)
    path = str(tmp_path / 'opt.npz')
    numpy.savez(path, **arrays)
    _, optimizer = trained_optimizer(1, steps)
    before = optimizer_state(optimizer)
    assert any(v is None for k, v in before.items() if k.endswith('/state'))   # 'unused'
    with pytest.raises(error, match=match):
        serializers.load_npz(path, optimizer)
    assert_same_optimizer_state(before, optimizer_state(optimizer))
