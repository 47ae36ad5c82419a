"""observe_lr, observe_value, FailOnNonNumber, MicroAverage, ParameterStatistics."""
import numpy
import pytest

from minigrad import serializers, training
from minigrad.serializers import DictionarySerializer, NpzDeserializer
from minigrad.training import extensions
from tests.training.common import FakeTrainer, Spy, make_trainer


def test_observe_lr_logs_the_rate_each_update_used(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(3, 'iteration'))
    trainer.extend(extensions.ExponentialShift('lr', 0.5, init=0.8))
    trainer.extend(extensions.observe_lr(), trigger=(1, 'iteration'))
    trainer.extend(extensions.LogReport(keys=['lr'], trigger=(1, 'iteration')))
    trainer.run()
    # A writer: it runs before the shift of the same iteration.
    assert [e['lr'] for e in trainer.get_extension('LogReport').log] == [0.8, 0.4, 0.2]


def test_observe_lr_defaults():
    ext = extensions.observe_lr()
    assert ext.trigger == (1, 'epoch')
    assert ext.priority == training.PRIORITY_WRITER


def test_observe_value_and_key(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'epoch'))
    trainer.extend(extensions.observe_value('it', lambda t: t.updater.iteration * 10))
    trainer.extend(extensions.observe_lr(observation_key='rate'))
    spy = Spy()
    trainer.extend(spy)
    trainer.run()
    assert [(o.get('it'), o.get('rate')) for o in spy.observations] == (
        [(None, None)] * 3 + [(40, 0.1)] + [(None, None)] * 3 + [(80, 0.1)])


def test_fail_on_nonnumber_names_the_parameter(tmp_path):
    trainer, model = make_trainer(tmp_path, stop=(5, 'iteration'))

    def poison(t):
        if t.updater.iteration == 2:
            model.predictor.b.data[1] = numpy.inf

    trainer.extend(poison, name='poison', priority=training.PRIORITY_WRITER)
    trainer.extend(extensions.FailOnNonNumber())
    with pytest.raises(RuntimeError, match=r"FailOnNonNumber: the parameters of optimizer 'main' "
                                           r"diverged: /predictor/b holds NaN or Inf after "
                                           r"iteration 2"):
        trainer.run(show_loop_exception_msg=False)


def test_fail_on_nonnumber_quiet_on_finite_parameters(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'iteration'))
    trainer.extend(extensions.FailOnNonNumber())
    trainer.run()


def test_micro_average_weighs_every_example(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(4, 'iteration'))
    correct = iter([1, 2, 3, 1])
    total = iter([3, 3, 3, 1])

    def report(t):
        t.observation['main/correct'] = next(correct)
        t.observation['main/total'] = next(total)

    trainer.extend(report, name='report', priority=training.PRIORITY_WRITER)
    trainer.extend(extensions.MicroAverage('main/correct', 'main/total', 'main/micro_accuracy',
                                           trigger=(4, 'iteration')))
    spy = Spy()
    trainer.extend(spy)
    trainer.run()
    assert [o.get('main/micro_accuracy') for o in spy.observations] == [None, None, None, 7 / 10]


def test_micro_average_state_survives_a_snapshot():
    first = extensions.MicroAverage('n', 'd', 'r', trigger=(3, 'iteration'))
    trainer = FakeTrainer()
    for n, d in [(1, 2), (3, 4)]:
        trainer.step({'n': n, 'd': d})
        first(trainer)
    saved = DictionarySerializer()
    saved.save(first)
    resumed = extensions.MicroAverage('n', 'd', 'r', trigger=(3, 'iteration'))
    NpzDeserializer(saved.target).load(resumed)
    resumed._trigger = first._trigger
    reported = {}
    trainer.step({'n': 0, 'd': 4})
    from minigrad import reporter
    with reporter.Reporter().scope(reported):
        resumed(trainer)
    assert reported == {'r': 4 / 10}


def test_parameter_statistics_by_hand(tmp_path):
    trainer, model = make_trainer(tmp_path, stop=(1, 'iteration'))
    trainer.extend(extensions.ParameterStatistics(model.predictor, trigger=(1, 'iteration')))
    seen = {}

    def probe(t):
        seen['W'] = model.predictor.W.data.copy()
        seen['gW'] = model.predictor.W.grad.copy()
        seen['b'] = model.predictor.b.data.copy()

    spy = Spy(probe)
    trainer.extend(spy)
    trainer.run()
    obs = spy.observations[0]
    W, gW, b = seen['W'].ravel().astype(numpy.float64), seen['gW'].ravel(), seen['b']
    assert obs['predictor/W/data/mean'] == pytest.approx(W.mean(), rel=1e-6)
    assert obs['predictor/W/data/std'] == pytest.approx(numpy.sqrt(((W - W.mean()) ** 2).mean()),
                                                        rel=1e-5)
    assert obs['predictor/W/data/min'] == pytest.approx(sorted(W)[0])
    assert obs['predictor/W/data/max'] == pytest.approx(sorted(W)[-1])
    assert obs['predictor/b/data/zeros'] == sum(v == 0 for v in b)
    assert obs['predictor/W/grad/mean'] == pytest.approx(gW.mean(), rel=1e-5)
    # The 50th percentile of 4 numbers: the mean of the middle two.
    assert obs['predictor/W/data/percentile/3'] == pytest.approx(numpy.mean(sorted(W)[1:3]), rel=1e-6)
    assert sum(key.startswith('predictor/W/data/percentile/') for key in obs) == 7
    # 2 parameters x (data, grad) x (5 statistics + 7 percentiles)
    assert sum(key.startswith('predictor/') for key in obs) == 2 * 2 * 12


def test_parameter_statistics_options(tmp_path):
    trainer, model = make_trainer(tmp_path, stop=(2, 'iteration'))
    stats = extensions.ParameterStatistics([model.predictor], statistics={'norm': numpy.linalg.norm},
                                           report_grads=False, prefix='p', trigger=(2, 'iteration'))
    stats.register_statistics('size', numpy.size)
    trainer.extend(stats)
    norms = []
    spy = Spy(lambda t: norms.append(numpy.linalg.norm(model.predictor.W.data)))
    trainer.extend(spy)
    trainer.run()
    last = spy.observations[-1]
    assert sorted(k for k in last if k.startswith('p/')) == [
        'p/predictor/W/data/norm', 'p/predictor/W/data/size', 'p/predictor/b/data/norm',
        'p/predictor/b/data/size']
    # It runs after the update, so the mean of the norms after iterations 1 and 2.
    assert last['p/predictor/W/data/norm'] == pytest.approx(numpy.mean(norms), rel=1e-6)
    assert 'p/predictor/W/data/norm' not in spy.observations[0]


def test_parameter_statistics_skip_nan_and_uninitialized():
    import minigrad.links as L
    lazy = L.Linear(None, 2)
    lazy.b.data[:] = numpy.nan
    stats = extensions.ParameterStatistics(lazy, trigger=(1, 'iteration'), skip_nan_params=True)
    reported = {}
    from minigrad import reporter
    trainer = FakeTrainer()
    trainer.step()
    with reporter.Reporter().scope(reported):
        stats(trainer)
    # W is not initialized and b has no gradient yet: only b's values, all NaN.
    assert sorted(reported) == sorted('None/b/data/' + name for name in
                                      ('mean', 'std', 'min', 'max', 'zeros', 'percentile'))
    assert all(numpy.isnan(v) for v in reported.values())


def test_snapshot_loads_with_the_new_extensions(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'iteration'))
    trainer.extend(extensions.MicroAverage('a', 'b', 'c'))
    trainer.extend(extensions.snapshot(), trigger=(2, 'iteration'))
    trainer.run()
    again, _ = make_trainer(tmp_path / 'again', stop=(2, 'iteration'))
    again.extend(extensions.MicroAverage('a', 'b', 'c'))
    serializers.load_npz(tmp_path / 'snapshot_iter_2', again)
