"""StandardUpdater: one optimizer step per update, epoch bookkeeping, serialize."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import datasets, iterators, optimizers, serializers, training


def make_data(n=40, seed=0):
    rng = numpy.random.RandomState(seed)
    x = rng.randn(n, 2).astype(numpy.float32)
    t = (x[:, 0] + x[:, 1] > 0).astype(numpy.int32)
    return datasets.TupleDataset(x, t)


def make_updater(batch_size=4, lr=0.1, shuffle=False, **kwargs):
    numpy.random.seed(0)
    data = make_data()
    model = L.Classifier(L.Linear(2, 2))
    optimizer = optimizers.SGD(lr=lr)
    optimizer.setup(model)
    it = iterators.SerialIterator(data, batch_size, shuffle=shuffle)
    return training.StandardUpdater(it, optimizer, **kwargs), model, data


def test_one_update_is_one_sgd_step_by_hand():
    updater, model, data = make_updater(lr=0.5, shuffle=False)
    lin = model.predictor
    W0, b0 = lin.W.data.astype(numpy.float64), lin.b.data.astype(numpy.float64)
    x = numpy.stack([data[i][0] for i in range(4)]).astype(numpy.float64)
    target = numpy.array([[0.5, -1.0]])

    def loss_func(x, t):      # mean over the batch of |x W^T + b - target|^2
        r = lin(x) - target.astype(numpy.float32)
        return F.sum(r * r) / len(x)

    updater.loss_func = loss_func
    updater.update()
    r = x @ W0.T + b0 - target                 # (4, 2)
    gW = 2 * r.T @ x / 4
    gb = 2 * r.sum(axis=0) / 4
    numpy.testing.assert_allclose(lin.W.data, W0 - 0.5 * gW, rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(lin.b.data, b0 - 0.5 * gb, rtol=1e-5, atol=1e-6)
    assert lin.W.data.dtype == numpy.float32
    assert updater.iteration == 1


def test_epoch_bookkeeping():
    updater, model, _ = make_updater(batch_size=16)      # 40 examples: 2.5 batches per epoch
    optimizer = updater.get_optimizer('main')
    assert optimizer.use_auto_new_epoch
    seen = []
    for _ in range(5):
        updater.update()
        seen.append((updater.iteration, updater.epoch, updater.epoch_detail, updater.is_new_epoch,
                     optimizer.epoch))
    assert seen == [(1, 0, 0.4, False, 0), (2, 0, 0.8, False, 0), (3, 1, 1.2, True, 1),
                    (4, 1, 1.6, False, 1), (5, 2, 2.0, True, 2)]
    assert updater.previous_epoch_detail == 1.6


def test_without_auto_new_epoch_the_optimizer_epoch_stays():
    updater, _, _ = make_updater(batch_size=40, auto_new_epoch=False)
    updater.update()
    assert updater.epoch == 1 and updater.get_optimizer('main').epoch == 0


def test_accessors():
    updater, model, _ = make_updater()
    assert updater.get_optimizer('main').target is model
    assert updater.get_all_optimizers() == {'main': updater.get_optimizer('main')}
    assert isinstance(updater.get_iterator('main'), iterators.SerialIterator)


def test_converter_and_argument_forms():
    calls = []

    class Recorder(minigrad.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l = L.Linear(2, 1)

        def forward(self, *args, **kwargs):
            calls.append((len(args), sorted(kwargs)))
            x = args[0] if args else kwargs['x']
            return F.sum(self.l(x))

    x = numpy.ones((8, 2), numpy.float32)
    for converter, expected in [
            (lambda batch, device: (numpy.stack(batch), numpy.stack(batch)), (2, [])),
            (lambda batch, device: {'x': numpy.stack(batch)}, (0, ['x'])),
            (lambda batch, device: numpy.stack(batch), (1, []))]:
        model = Recorder()
        opt = optimizers.SGD()
        opt.setup(model)
        it = iterators.SerialIterator(list(x), 4, shuffle=False)
        training.StandardUpdater(it, opt, converter=converter).update()
        assert calls[-1] == expected


def test_optimizer_without_setup_is_rejected():
    it = iterators.SerialIterator(make_data(), 4)
    with pytest.raises(ValueError, match='call optimizer.setup'):
        training.StandardUpdater(it, optimizers.SGD())


def test_serialize_keys_and_round_trip(tmp_path):
    updater, model, _ = make_updater(batch_size=16, shuffle=True)
    for _ in range(3):
        updater.update()
    path = str(tmp_path / 'u.npz')
    serializers.save_npz(path, updater)
    keys = set(numpy.load(path).files)
    assert {'iteration', 'iterator:main/current_position', 'iterator:main/epoch',
            'iterator:main/order', 'optimizer:main/t', 'optimizer:main/epoch',
            'model:main/predictor/W', 'model:main/predictor/b'} <= keys
    fresh, fresh_model, _ = make_updater(batch_size=16, shuffle=True)
    serializers.load_npz(path, fresh)
    assert fresh.iteration == 3 and fresh.epoch == 1 and fresh.epoch_detail == updater.epoch_detail
    assert fresh.get_optimizer('main').t == 3 and fresh.get_optimizer('main').epoch == 1
    numpy.testing.assert_array_equal(fresh_model.predictor.W.data, model.predictor.W.data)
    # The same next batch.
    assert [int(i) for i in fresh.get_iterator('main')._order] == \
        [int(i) for i in updater.get_iterator('main')._order]


# ---------------------------------------------------------------------------
# training.updaters, ParallelUpdater on one device, devices

def test_updaters_module_as_chainer():
    assert training.updaters.StandardUpdater is training.StandardUpdater
    assert training.updater.StandardUpdater is training.StandardUpdater
    assert training.updaters.ParallelUpdater is training.ParallelUpdater
    assert issubclass(training.ParallelUpdater, training.Updater)


@pytest.mark.parametrize('devices', [{'main': -1}, {'main': '@numpy'}, {'main': None}])
def test_parallel_updater_on_one_cpu_device_is_a_standard_step(devices):
    standard, model_a, _ = make_updater(shuffle=True)
    numpy.random.seed(0)
    model_b = L.Classifier(L.Linear(2, 2))
    optimizer = optimizers.SGD(lr=0.1)
    optimizer.setup(model_b)
    it = iterators.SerialIterator(make_data(), 4, shuffle=True)
    parallel = training.updaters.ParallelUpdater(it, optimizer, devices=devices)
    numpy.random.seed(1)
    for _ in range(12):
        standard.update()
    numpy.random.seed(1)
    for _ in range(12):
        parallel.update()
    assert parallel.iteration == 12 and parallel.epoch == standard.epoch == 1
    for a, b in zip(model_a.params(), model_b.params()):
        numpy.testing.assert_array_equal(a.data, b.data)


def test_parallel_updater_with_models_dict():
    _, model, _ = make_updater()
    optimizer = optimizers.SGD(lr=0.1)
    optimizer.setup(model)
    it = iterators.SerialIterator(make_data(), 4)
    updater = training.updaters.ParallelUpdater(it, optimizer, models={'main': model})
    updater.update()
    assert updater.iteration == 1


@pytest.mark.parametrize('kwargs, error, message', [
    ({}, ValueError, r"ParallelUpdater: expect models or devices, e\.g\. devices=\{'main': -1\}"),
    ({'devices': {'gpu0': 0}}, ValueError, r"ParallelUpdater: expect devices to be a dict with the key "
                                           r"'main'"),
    ({'devices': {'main': -1, 'second': -1}}, ValueError,
     r"ParallelUpdater: expect devices to hold only 'main' \(one CPU device\), actual keys "
     r"\['main', 'second'\]: .*no data-parallel"),
    ({'devices': {'main': 0}}, RuntimeError,
     r"ParallelUpdater: cannot use devices\['main'\]=0: .*GPU, but CuPy is not installed"),
    ({'devices': {'main': '@cupy:0'}}, RuntimeError, r"devices\['main'\]='@cupy:0'.*CuPy"),
])
def test_parallel_updater_other_devices_fail_clearly(kwargs, error, message):
    _, model, _ = make_updater()
    optimizer = optimizers.SGD(lr=0.1)
    optimizer.setup(model)
    it = iterators.SerialIterator(make_data(), 4)
    with pytest.raises(error, match=message):
        training.updaters.ParallelUpdater(it, optimizer, **kwargs)


def test_parallel_updater_models_main_must_be_the_target():
    _, model, _ = make_updater()
    optimizer = optimizers.SGD(lr=0.1)
    optimizer.setup(model)
    it = iterators.SerialIterator(make_data(), 4)
    with pytest.raises(ValueError, match=r"expect models\['main'\] to be the main optimizer's target"):
        training.updaters.ParallelUpdater(it, optimizer, models={'main': L.Linear(2, 2)})


def test_standard_updater_devices():
    updater, _, _ = make_updater(device=-1)
    assert updater.device == minigrad.get_device('@numpy') == updater.input_device
    seen = []

    def converter(batch, device):
        seen.append(device)
        return datasets.concat_examples(batch, device)

    updater, _, _ = make_updater(input_device='@numpy', converter=converter)
    assert updater.device is None and updater.input_device.xp is numpy
    updater.update()
    updater, _, _ = make_updater(converter=converter)
    updater.update()
    assert seen == [-1, None]          # a plain converter gets Chainer's -1 for the CPU
    with pytest.raises(RuntimeError, match=r"StandardUpdater: cannot use device=1: .*CuPy"):
        make_updater(device=1)
    with pytest.raises(RuntimeError, match=r"StandardUpdater: cannot use input_device='@cupy:0'"):
        make_updater(input_device='@cupy:0')


def test_standard_updater_loss_scale_needs_the_optimizer_to_support_it():
    with pytest.raises(ValueError, match=r'StandardUpdater: loss_scale=128 needs '
                                         r'optimizer.set_loss_scale, which SGD'):
        make_updater(loss_scale=128)


def test_an_updater_of_two_optimizers_without_main(tmp_path):
    """Chainer's DCGAN pattern: optimizers 'gen' and 'dis', update_core overridden."""
    numpy.random.seed(0)
    gen, dis = L.Linear(2, 2), L.Linear(2, 1)
    opt_gen, opt_dis = optimizers.SGD(lr=0.1), optimizers.SGD(lr=0.1)
    opt_gen.setup(gen)
    opt_dis.setup(dis)

    class TwoStep(training.updaters.StandardUpdater):
        def __init__(self, *args, **kwargs):
            self.gen, self.dis = kwargs.pop('models')
            super().__init__(*args, **kwargs)

        def update_core(self):
            x, _ = self.converter(self.get_iterator('main').next(), self.device)
            loss_dis = F.sum(self.dis(x) ** 2)
            minigrad.report({'loss': loss_dis}, self.dis)
            self.get_optimizer('dis').update(lambda: loss_dis)
            loss_gen = F.sum(self.dis(self.gen(x)))
            minigrad.report({'loss': loss_gen}, self.gen)
            self.get_optimizer('gen').update(lambda: loss_gen)

    it = iterators.SerialIterator(make_data(), 4)
    updater = TwoStep(models=(gen, dis), iterator=it, optimizer={'gen': opt_gen, 'dis': opt_dis})
    trainer = training.Trainer(updater, (3, 'iteration'), out=str(tmp_path))
    seen = []
    trainer.extend(lambda t: seen.append(sorted(t.observation)), name='spy')
    trainer.run()
    assert seen == [['dis/loss', 'gen/loss']] * 3
    assert opt_gen.t == opt_dis.t == 3

    plain = training.updaters.StandardUpdater(iterators.SerialIterator(make_data(), 4),
                                              {'gen': opt_gen, 'dis': opt_dis})
    with pytest.raises(KeyError, match=r"StandardUpdater.update_core: no optimizer named 'main' "
                                       r"\(optimizers: \['dis', 'gen'\]\)"):
        plain.update()
