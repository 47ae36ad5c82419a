"""Nothing lost: a failed load or save, or an interrupted run, never costs a trained model.

- A failed ``load_npz`` leaves every parameter, persistent value and
  optimizer state exactly as it was (lazy parameters stay uninitialized).
- A failed ``save_npz`` (the disk refusing the write, the rename failing,
  an interrupt) leaves the previous file byte-for-byte intact and no
  temporary file behind.
- Trainer snapshots are written the same way, so they are atomic too.
- Resuming from a snapshot gives bit-identical parameters to a run that was
  never interrupted, stopped at the same iteration.
"""
import os

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import datasets, iterators, optimizers, serializers, training
from minigrad.optimizer_hooks import WeightDecay
from minigrad.training import extensions
from minigrad.type_check import InvalidType


class Net(minigrad.Chain):
    """conv -> BN -> relu -> pool -> lazy linear: parameters, persistents and a lazy link."""

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(1, 3, 3, pad=1)
            self.bn = L.BatchNormalization(3)
            self.fc = L.Linear(None, 4)

    def forward(self, x):
        h = F.max_pooling_2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(h)


def make_net(seed, init_fc=True):
    numpy.random.seed(seed)
    net = Net()
    net.bn.avg_mean[...] = numpy.random.randn(3)
    net.bn.avg_var[...] = numpy.random.rand(3) + 0.5
    net.bn.N = seed + 2
    if init_fc:
        net.fc.W.initialize((4, 12))
        net.fc.W.array[...] = numpy.random.randn(4, 12)
    return net


def model_state(model):
    """Every parameter (None if uninitialized) and every persistent value, copied.

    Walks the links directly rather than through ``serialize``, so a value
    that serialization forgot would still be compared.
    """
    out = {}
    for path, param in model.namedparams():
        out['param ' + path] = None if param.array is None else param.array.copy()
    for path, link in model.namedlinks():
        for name in link._persistent:
            value = getattr(link, name)
            out['persistent {}/{}'.format(path, name)] = (
                value.copy() if isinstance(value, numpy.ndarray) else value)
    return out


def optimizer_state(optimizer):
    out = {'t': optimizer.t, 'epoch': optimizer.epoch}
    for path, param in optimizer.target.namedparams():
        rule = param.update_rule
        out[path + '/t'] = rule.t
        for key, value in (rule.state or {}).items():
            out['{}/{}'.format(path, key)] = value.copy()
    return out


def assert_same(before, after):
    assert list(before) == list(after)
    for key in before:
        a, b = before[key], after[key]
        if isinstance(a, numpy.ndarray) or isinstance(b, numpy.ndarray):
            assert isinstance(a, numpy.ndarray) and isinstance(b, numpy.ndarray), key
            assert a.dtype == b.dtype and numpy.array_equal(a, b), key
        else:
            assert a == b and type(a) is type(b), key


def saved_arrays(obj):
    target = {}
    serializers.DictionarySerializer(target).save(obj)
    return {key: numpy.array(value) for key, value in target.items()}


def write_npz(path, arrays):
    numpy.savez(path, **arrays)
    return path


# ---------------------------------------------------------------------------
# A failed load changes nothing

def bad_files(tmp_path):
    """(name, path, exception type, message pattern) for every way a model file can be wrong."""
    good = saved_arrays(make_net(0))
    # Keys in Chainer's order; the broken key is always the last one read, so a
    # non-transactional loader would already have overwritten everything else.
    assert list(good)[-1] == 'fc/b'
    cases = []
    missing = dict(good)
    del missing['fc/b']
    cases.append(('missing key', write_npz(tmp_path / 'missing.npz', missing), KeyError,
                  "'fc/b' is not in .*missing.npz"))
    shape = dict(good, **{'fc/b': numpy.zeros(5, numpy.float32)})
    cases.append(('wrong shape', write_npz(tmp_path / 'shape.npz', shape), InvalidType,
                  r"expect fc/b to have the model's shape \(4,\), actual \(5,\)"))
    kind = dict(good, **{'fc/b': numpy.array([1j, 0, 0, 0])})
    cases.append(('wrong dtype', write_npz(tmp_path / 'dtype.npz', kind), InvalidType,
                  "fc/b castable to the model's dtype float32, actual complex128"))
    scalar = dict(good, **{'bn/N': numpy.zeros(2)})
    cases.append(('persistent of the wrong kind', write_npz(tmp_path / 'scalar.npz', scalar),
                  InvalidType, r'bn/N to be a scalar convertible to int, actual shape \(2,\)'))
    whole = tmp_path / 'whole.npz'
    serializers.save_npz(whole, make_net(0))
    data = whole.read_bytes()
    for name, size in (('truncated file', len(data) * 3 // 4), ('empty file', 0)):
        cut = tmp_path / (name.replace(' ', '_') + '.npz')
        cut.write_bytes(data[:size])
        cases.append((name, cut, ValueError, 'cannot read .*{}'.format(cut.name)))
    return cases


@pytest.mark.parametrize('index', range(6))
def test_failed_load_leaves_an_initialized_model_unchanged(tmp_path, index):
    name, path, error, pattern = bad_files(tmp_path)[index]
    model = make_net(1)
    before = model_state(model)
    with pytest.raises(error, match=pattern):
        serializers.load_npz(path, model)
    assert_same(before, model_state(model))


@pytest.mark.parametrize('index', range(6))
def test_failed_load_leaves_a_lazy_parameter_uninitialized(tmp_path, index):
    name, path, error, pattern = bad_files(tmp_path)[index]
    model = make_net(1, init_fc=False)
    assert model.fc.W.array is None
    before = model_state(model)
    with pytest.raises(error):
        serializers.load_npz(path, model)
    assert model.fc.W.array is None
    assert_same(before, model_state(model))


def test_a_good_load_after_a_failed_one_loads_everything(tmp_path):
    model = make_net(1, init_fc=False)
    for _, path, error, _ in bad_files(tmp_path):
        with pytest.raises(error):
            serializers.load_npz(path, model)
    good = tmp_path / 'good.npz'
    serializers.save_npz(good, make_net(0))
    serializers.load_npz(good, model)
    assert_same(model_state(make_net(0)), model_state(model))


def trained_optimizer(seed):
    numpy.random.seed(seed)
    model = Net()
    opt = optimizers.Adam()
    opt.setup(model)
    x = numpy.random.randn(2, 1, 4, 4).astype(numpy.float32)
    t = numpy.array([0, 3], dtype=numpy.int32)
    for _ in range(2):
        model.cleargrads()
        F.softmax_cross_entropy(model(x), t).backward()
        opt.update()
    return model, opt


def test_failed_optimizer_load_leaves_its_state_unchanged(tmp_path):
    _, saved = trained_optimizer(0)
    arrays = saved_arrays(saved)
    last = list(arrays)[-1]
    assert last.endswith('/v')            # Adam's second moment of the last parameter
    arrays[last] = numpy.zeros(arrays[last].shape + (2,), numpy.float32)
    path = write_npz(tmp_path / 'opt.npz', arrays)
    model, opt = trained_optimizer(1)
    before = optimizer_state(opt), model_state(model)
    with pytest.raises(InvalidType, match=last):
        serializers.load_npz(path, opt)
    assert_same(before[0], optimizer_state(opt))
    assert_same(before[1], model_state(model))


# ---------------------------------------------------------------------------
# A failed save keeps the previous file

def only_file(folder, name):
    assert sorted(os.listdir(folder)) == [name], 'temporary files left behind'


@pytest.fixture
def previous(tmp_path):
    path = tmp_path / 'model.npz'
    serializers.save_npz(path, make_net(0))
    return path, path.read_bytes()


def test_disk_refusing_the_write_midway_keeps_the_previous_file(previous, monkeypatch):
    path, old = previous
    real = numpy.savez_compressed

    def disk_full_midway(file, **arrays):
        real(file, **arrays)            # most of the bytes reach the temporary file...
        file.truncate(file.tell() // 2)
        raise OSError(28, 'No space left on device')    # ...then the disk refuses

    monkeypatch.setattr(numpy, 'savez_compressed', disk_full_midway)
    with pytest.raises(OSError, match='No space left on device'):
        serializers.save_npz(path, make_net(5))
    assert path.read_bytes() == old
    only_file(path.parent, 'model.npz')


def test_rename_failing_keeps_the_previous_file(previous, monkeypatch):
    path, old = previous

    def refuse(src, dst):
        assert os.path.getsize(src) > 0         # the complete new file was written first
        raise PermissionError(13, 'Permission denied', str(dst))

    monkeypatch.setattr(os, 'replace', refuse)
    with pytest.raises(PermissionError):
        serializers.save_npz(path, make_net(5))
    assert path.read_bytes() == old
    only_file(path.parent, 'model.npz')


def test_fsync_failing_keeps_the_previous_file(previous, monkeypatch):
    path, old = previous

    def io_error(fd):
        raise OSError(5, 'Input/output error')

    monkeypatch.setattr(os, 'fsync', io_error)
    with pytest.raises(OSError, match='Input/output error'):
        serializers.save_npz(path, make_net(5))
    assert path.read_bytes() == old
    only_file(path.parent, 'model.npz')


def test_interrupt_during_save_keeps_the_previous_file(previous, monkeypatch):
    path, old = previous

    def interrupted(file, **arrays):
        file.write(b'PK\x03\x04')
        raise KeyboardInterrupt

    monkeypatch.setattr(numpy, 'savez', interrupted)
    with pytest.raises(KeyboardInterrupt):
        serializers.save_npz(path, make_net(5), compression=False)
    assert path.read_bytes() == old
    only_file(path.parent, 'model.npz')


def test_the_previous_file_still_loads_after_a_failed_save(previous, monkeypatch):
    path, _ = previous
    monkeypatch.setattr(os, 'replace', lambda src, dst: (_ for _ in ()).throw(OSError('no')))
    with pytest.raises(OSError):
        serializers.save_npz(path, make_net(5))
    monkeypatch.undo()
    model = make_net(3)
    serializers.load_npz(path, model)
    assert_same(model_state(make_net(0)), model_state(model))


def test_save_into_a_missing_folder_creates_nothing(tmp_path):
    target = tmp_path / 'missing' / 'model.npz'
    with pytest.raises(FileNotFoundError, match='missing'):
        serializers.save_npz(target, make_net(0))
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------------------
# Snapshots and resuming

class DropoutNet(minigrad.Chain):
    """Net with dropout, so the run also depends on NumPy's random stream."""

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.net = Net()

    def forward(self, x):
        return self.net(F.dropout(x, 0.2))


def tiny_data():
    rng = numpy.random.RandomState(7)
    x = rng.randn(23, 1, 4, 4).astype(numpy.float32)    # 23: batches of 5 wrap around epochs
    t = rng.randint(0, 4, 23).astype(numpy.int32)
    return datasets.TupleDataset(x, t)


def make_trainer(out, stop, model_seed, snapshot_every=None, snapshot_name=None,
                 extra_extensions=()):
    """A Classifier(conv-BN-relu-pool-linear with dropout), MomentumSGD + WeightDecay, a
    shuffling iterator; built identically except for the initial weights (``model_seed``)."""
    numpy.random.seed(model_seed)
    model = L.Classifier(DropoutNet())
    optimizer = optimizers.MomentumSGD(lr=0.05)
    optimizer.setup(model)
    optimizer.add_hook(WeightDecay(1e-3))
    iterator = iterators.SerialIterator(tiny_data(), 5, shuffle=True)
    updater = training.StandardUpdater(iterator, optimizer)
    trainer = training.Trainer(updater, (stop, 'iteration'), out=str(out))
    if snapshot_every:
        kwargs = {} if snapshot_name is None else {'filename': snapshot_name}
        trainer.extend(extensions.snapshot(**kwargs), trigger=(snapshot_every, 'iteration'))
    for ext, trigger in extra_extensions:
        trainer.extend(ext, trigger=trigger)
    return trainer, model, optimizer


def full_state(model, optimizer, trainer):
    state = model_state(model)
    state.update(('optimizer ' + k, v) for k, v in optimizer_state(optimizer).items())
    iterator = trainer.updater.get_iterator('main')
    state['iterator position'] = iterator.current_position
    state['iterator epoch'] = iterator.epoch
    state['iteration'] = trainer.updater.iteration
    return state


class Crash(Exception):
    pass


def crash_at(iteration):
    def extension(trainer):
        if trainer.updater.iteration == iteration:
            raise Crash('the machine went down at iteration {}'.format(iteration))
    extension.name = 'crash'
    return extension


def uninterrupted(tmp_path, stop):
    numpy.random.seed(0)
    trainer, model, optimizer = make_trainer(tmp_path / 'straight', stop, model_seed=0)
    trainer.run()
    return full_state(model, optimizer, trainer)


def test_resume_after_a_crash_is_bit_identical_to_an_uninterrupted_run(tmp_path):
    stop = 14                     # about three epochs of 23 examples in batches of 5
    expected = uninterrupted(tmp_path, stop)

    # The same run, snapshotting every 4 iterations, dies at iteration 10.
    out = tmp_path / 'crashed'
    trainer, _, _ = make_trainer(out, stop, model_seed=0, snapshot_every=4,
                                 extra_extensions=[(crash_at(10), (1, 'iteration'))])
    with pytest.raises(Crash):
        trainer.run(show_loop_exception_msg=False)
    assert sorted(os.listdir(out)) == ['snapshot_iter_4', 'snapshot_iter_8']

    # A new process: other weights, another random state; everything must come from the file.
    resumed, model, optimizer = make_trainer(out, stop, model_seed=1, snapshot_every=4)
    numpy.random.seed(12345)
    serializers.load_npz(out / 'snapshot_iter_8', resumed)
    assert resumed.updater.iteration == 8
    resumed.run()
    assert_same(expected, full_state(model, optimizer, resumed))


def test_the_resume_check_would_see_a_different_random_stream(tmp_path):
    """The check above is not vacuous: without the snapshot's random state (as with a
    Chainer snapshot) the shuffles and dropout masks differ, and so do the weights."""
    stop = 14
    expected = uninterrupted(tmp_path, stop)
    out = tmp_path / 'first'
    first, _, _ = make_trainer(out, 8, model_seed=0, snapshot_every=8)
    first.run()
    resumed, model, optimizer = make_trainer(tmp_path / 'second', stop, model_seed=1)
    numpy.random.seed(12345)
    serializers.load_npz(out / 'snapshot_iter_8', resumed,
                         ignore_names=lambda key: key.startswith('random_state/'))
    resumed.run()
    got = full_state(model, optimizer, resumed)
    assert got['iteration'] == expected['iteration']
    assert not numpy.array_equal(got['param /predictor/net/fc/W'],
                                 expected['param /predictor/net/fc/W'])


def test_resume_at_an_epoch_boundary(tmp_path):
    stop = 10
    expected = uninterrupted(tmp_path, stop)
    out = tmp_path / 'first'
    first, _, _ = make_trainer(out, 5, model_seed=0, snapshot_every=5)    # 25 examples: past epoch 1
    first.run()
    resumed, model, optimizer = make_trainer(tmp_path / 'second', stop, model_seed=3)
    serializers.load_npz(out / 'snapshot_iter_5', resumed)
    resumed.run()
    assert_same(expected, full_state(model, optimizer, resumed))


def test_a_snapshot_that_fails_midway_keeps_the_previous_snapshot(tmp_path, monkeypatch):
    out = tmp_path / 'out'
    trainer, _, _ = make_trainer(out, 6, model_seed=0, snapshot_every=2, snapshot_name='snapshot')
    real = numpy.savez_compressed
    calls = []

    def disk_full_on_second_snapshot(file, **arrays):
        calls.append(1)
        real(file, **arrays)
        if len(calls) == 2:
            file.truncate(100)
            raise OSError(28, 'No space left on device')

    monkeypatch.setattr(numpy, 'savez_compressed', disk_full_on_second_snapshot)
    with pytest.raises(OSError, match='No space left'):
        trainer.run(show_loop_exception_msg=False)
    monkeypatch.undo()
    assert sorted(os.listdir(out)) == ['snapshot']           # no temporary file
    resumed, _, _ = make_trainer(tmp_path / 'again', 6, model_seed=1)
    serializers.load_npz(out / 'snapshot', resumed)            # the first snapshot, whole
    assert resumed.updater.iteration == 2


def test_a_custom_savefun_that_fails_keeps_the_previous_snapshot(tmp_path):
    out = tmp_path / 'out'
    calls = []

    def savefun(path, obj):
        calls.append(path)
        serializers.save_npz(path, obj)
        if len(calls) == 2:
            with open(path, 'r+b') as f:
                f.truncate(10)
            raise OSError(5, 'Input/output error')

    numpy.random.seed(0)
    trainer, _, _ = make_trainer(out, 6, model_seed=0)
    trainer.extend(extensions.snapshot(savefun=savefun, filename='snap'), trigger=(2, 'iteration'))
    with pytest.raises(OSError, match='Input/output error'):
        trainer.run(show_loop_exception_msg=False)
    assert calls[1] != str(out / 'snap')                       # it wrote to a temporary name
    assert sorted(os.listdir(out)) == ['snap']
    resumed, _, _ = make_trainer(tmp_path / 'again', 6, model_seed=1)
    serializers.load_npz(out / 'snap', resumed)
    assert resumed.updater.iteration == 2


def test_snapshot_on_error_saves_a_whole_snapshot_of_the_crash_iteration(tmp_path):
    out = tmp_path / 'out'
    trainer, _, _ = make_trainer(out, 20, model_seed=0,
                                 extra_extensions=[(crash_at(3), (1, 'iteration'))])
    trainer.extend(extensions.snapshot(filename='on_error', snapshot_on_error=True),
                   trigger=(100, 'iteration'))
    with pytest.raises(Crash):
        trainer.run(show_loop_exception_msg=False)
    assert sorted(os.listdir(out)) == ['on_error']
    resumed, _, _ = make_trainer(tmp_path / 'again', 20, model_seed=1)
    serializers.load_npz(out / 'on_error', resumed)
    assert resumed.updater.iteration == 3
