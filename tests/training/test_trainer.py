"""Trainer: the loop, extension registration and order, triggers, errors."""
import numpy
import pytest

import minigrad.links as L
from minigrad import datasets, iterators, optimizers, training
from minigrad.training import triggers
from minigrad.type_check import InvalidType


def make_trainer(tmp_path, stop=(3, 'epoch'), batch_size=10, n=40, **kwargs):
    numpy.random.seed(0)
    rng = numpy.random.RandomState(1)
    x = rng.randn(n, 2).astype(numpy.float32)
    t = (x[:, 0] > 0).astype(numpy.int32)
    model = L.Classifier(L.Linear(2, 2))
    optimizer = optimizers.SGD(lr=0.1)
    optimizer.setup(model)
    it = iterators.SerialIterator(datasets.TupleDataset(x, t), batch_size)
    updater = training.StandardUpdater(it, optimizer)
    return training.Trainer(updater, stop, out=str(tmp_path / 'result'), **kwargs)


class FakeUpdater:
    """Iterations with a fixed epoch size, for trigger tests."""

    def __init__(self, epoch_size):
        self.epoch_size = epoch_size
        self.iteration = 0
        self.previous_epoch_detail = None

    @property
    def epoch_detail(self):
        return self.iteration / self.epoch_size

    def step(self):
        self.previous_epoch_detail = self.epoch_detail
        self.iteration += 1


class FakeTrainer:
    def __init__(self, updater):
        self.updater = updater


def fired_at(trigger, epoch_size, iterations):
    updater = FakeUpdater(epoch_size)
    trainer = FakeTrainer(updater)
    fired = []
    for _ in range(iterations):
        updater.step()
        if trigger(trainer):
            fired.append(updater.iteration)
    return fired


# ---------------------------------------------------------------------------
# Triggers

def test_interval_trigger_iterations():
    assert fired_at(triggers.IntervalTrigger(3, 'iteration'), 4, 10) == [3, 6, 9]


def test_interval_trigger_epochs():
    # 2.5 iterations per epoch: epochs end inside iterations 3, 5, 8, 10.
    assert fired_at(triggers.IntervalTrigger(1, 'epoch'), 2.5, 10) == [3, 5, 8, 10]
    assert fired_at(triggers.IntervalTrigger(2, 'epoch'), 2.5, 10) == [5, 10]


def test_interval_trigger_fractional_epoch():
    assert fired_at(triggers.IntervalTrigger(0.5, 'epoch'), 4, 8) == [2, 4, 6, 8]


def test_manual_schedule_trigger():
    trigger = triggers.ManualScheduleTrigger([2, 5], 'iteration')
    assert fired_at(trigger, 4, 8) == [2, 5]
    assert trigger.finished
    epochs = triggers.ManualScheduleTrigger(1.5, 'epoch')
    assert fired_at(epochs, 4, 10) == [6]


def test_get_trigger():
    assert isinstance(triggers.get_trigger((2, 'epoch')), triggers.IntervalTrigger)
    assert triggers.get_trigger((2, 'epoch')).get_training_length() == (2, 'epoch')

    def f(trainer):
        return True

    assert triggers.get_trigger(f) is f
    assert triggers.get_trigger(None)(None) is False


@pytest.mark.parametrize('args, message', [
    ((1, 'epochs'), r"Invalid operation in IntervalTrigger: expect unit in \('epoch', 'iteration'\), "
                    r"actual unit == 'epochs'"),
    ((0, 'epoch'), r'Invalid operation in IntervalTrigger: expect period to be a positive number, '
                   r'actual period == 0'),
])
def test_interval_trigger_bad_arguments(args, message):
    with pytest.raises(InvalidType, match=message):
        triggers.IntervalTrigger(*args)


def test_get_trigger_bad_argument():
    with pytest.raises(InvalidType, match=r"get_trigger: expect a callable, None or a pair .*"
                                          r"actual trigger == 5"):
        triggers.get_trigger(5)


def test_manual_schedule_trigger_bad_points():
    with pytest.raises(InvalidType, match=r'ManualScheduleTrigger: expect every point to be a '
                                          r"positive number, actual every point == 'x'"):
        triggers.ManualScheduleTrigger([1, 'x'], 'epoch')


# ---------------------------------------------------------------------------
# The loop

def test_stops_at_stop_trigger(tmp_path):
    trainer = make_trainer(tmp_path, stop=(3, 'epoch'))
    trainer.run()
    assert trainer.updater.iteration == 12 and trainer.updater.epoch == 3
    trainer = make_trainer(tmp_path, stop=(7, 'iteration'))
    trainer.run()
    assert trainer.updater.iteration == 7
    assert (tmp_path / 'result').is_dir()


def test_observation_holds_main_loss_as_numbers(tmp_path):
    trainer = make_trainer(tmp_path, stop=(2, 'iteration'))
    seen = []
    trainer.extend(lambda t: seen.append(dict(t.observation)), name='spy')
    trainer.run()
    assert [sorted(o) for o in seen] == [['main/accuracy', 'main/loss']] * 2
    assert all(type(v) is float for o in seen for v in o.values())


def test_child_links_are_observers(tmp_path):
    trainer = make_trainer(tmp_path, stop=(1, 'iteration'))
    predictor = trainer.updater.get_optimizer('main').target.predictor
    original = predictor.forward

    def forward(x):
        from minigrad import report
        report({'norm': 1.0}, predictor)
        return original(x)

    predictor.forward = forward
    trainer.extend(lambda t: seen.update(t.observation), name='spy')
    seen = {}
    trainer.run()
    assert seen['main/predictor/norm'] == 1.0


def test_extension_order_by_priority_then_registration(tmp_path):
    trainer = make_trainer(tmp_path, stop=(1, 'iteration'))
    order = []

    def ext(label, priority=None):
        def f(trainer):
            order.append(label)
        if priority is not None:
            f.priority = priority
        return f

    trainer.extend(ext('reader1'), name='a')
    trainer.extend(ext('writer', 300), name='b')
    trainer.extend(ext('reader2'), name='c')
    trainer.extend(ext('low'), name='d', priority=-5)
    trainer.extend(ext('editor'), name='e', priority=training.PRIORITY_EDITOR)
    trainer.run()
    assert order == ['writer', 'editor', 'reader1', 'reader2', 'low']


def test_extension_names(tmp_path):
    trainer = make_trainer(tmp_path)

    @training.make_extension(trigger=(2, 'iteration'), default_name='mine', priority=7)
    def ext(trainer):
        pass

    assert (ext.trigger, ext.default_name, ext.priority) == ((2, 'iteration'), 'mine', 7)

    def plain(trainer):
        pass

    trainer.extend(ext)
    trainer.extend(plain)
    trainer.extend(training.extensions.LogReport())
    trainer.extend(training.extensions.LogReport())
    trainer.extend(training.extensions.LogReport(), name='other')
    assert list(trainer._extensions) == ['mine', 'plain', 'LogReport', 'LogReport_1', 'other']
    assert trainer.get_extension('LogReport_1').name == 'LogReport_1'
    with pytest.raises(ValueError, match='no extension named'):
        trainer.get_extension('missing')
    with pytest.raises(ValueError, match='reserved'):
        trainer.extend(plain, name='training')


def test_extension_trigger_from_attribute_and_argument(tmp_path):
    trainer = make_trainer(tmp_path, stop=(2, 'epoch'))      # 4 iterations per epoch
    calls = {'epoch': [], 'every': [], 'arg': []}

    @training.make_extension(trigger=(1, 'epoch'))
    def per_epoch(trainer):
        calls['epoch'].append(trainer.updater.iteration)

    trainer.extend(per_epoch)
    trainer.extend(lambda t: calls['every'].append(t.updater.iteration), name='every')
    trainer.extend(lambda t: calls['arg'].append(t.updater.iteration), name='arg',
                   trigger=(3, 'iteration'))
    trainer.run()
    assert calls == {'epoch': [4, 8], 'every': list(range(1, 9)), 'arg': [3, 6]}


def test_initialize_finalize_and_call_before_training(tmp_path):
    trainer = make_trainer(tmp_path, stop=(2, 'iteration'))
    events = []

    class Ext(training.Extension):
        def initialize(self, trainer):
            events.append(('init', trainer.updater.iteration))

        def __call__(self, trainer):
            events.append(('call', trainer.updater.iteration))

        def finalize(self):
            events.append(('final',))

    trainer.extend(Ext(), call_before_training=True)
    trainer.run()
    assert events == [('init', 0), ('call', 0), ('call', 1), ('call', 2), ('final',)]


def test_error_calls_on_error_and_finalize_then_reraises(tmp_path, capsys):
    trainer = make_trainer(tmp_path, stop=(5, 'iteration'))
    events = []

    class Ext(training.Extension):
        def __call__(self, trainer):
            if trainer.updater.iteration == 2:
                raise ArithmeticError('boom')

        def on_error(self, trainer, exc, tb):
            events.append(('on_error', str(exc)))

        def finalize(self):
            events.append(('final',))

    trainer.extend(Ext())
    with pytest.raises(ArithmeticError, match='boom'):
        trainer.run()
    assert events == [('on_error', 'boom'), ('final',)]
    assert 'Exception in main training loop: boom' in capsys.readouterr().err


def test_run_twice_and_late_extend(tmp_path):
    trainer = make_trainer(tmp_path, stop=(1, 'iteration'))
    with pytest.raises(RuntimeError, match='not been started'):
        trainer.elapsed_time
    trainer.run()
    assert trainer.elapsed_time > 0
    with pytest.raises(RuntimeError, match='runs only once'):
        trainer.run()
    with pytest.raises(RuntimeError, match='cannot extend after'):
        trainer.extend(lambda t: None, name='late')


def test_elapsed_time_is_frozen_after_run(tmp_path):
    trainer = make_trainer(tmp_path, stop=(1, 'iteration'))
    trainer.run()
    assert trainer.elapsed_time == trainer.elapsed_time


def test_is_before_training(tmp_path):
    trainer = make_trainer(tmp_path, stop=(1, 'iteration'))
    assert trainer.is_before_training
    trainer.run()
    assert not trainer.is_before_training


def test_extensions_given_to_the_constructor(tmp_path):
    log = training.extensions.LogReport()
    trainer = make_trainer(tmp_path, extensions=[log])
    assert trainer.get_extension('LogReport') is log


def test_no_graph_accumulates_over_iterations(tmp_path):
    """The number of live Variables and Functions is the same at iteration 10 and 60."""
    import gc

    from minigrad.core import Function, Variable

    trainer = make_trainer(tmp_path, stop=(60, 'iteration'))
    trainer.extend(training.extensions.LogReport(trigger=(1, 'iteration'), log_name=None))
    trainer.extend(training.extensions.DumpGraph('main/loss'))
    counts = []

    def count(trainer):
        if trainer.updater.iteration in (10, 60):
            gc.collect()
            counts.append(sum(isinstance(o, (Variable, Function)) for o in gc.get_objects()))

    trainer.extend(count, name='count', priority=-1000)
    trainer.run()
    assert counts[0] == counts[1]


def test_every_finalize_runs_when_one_raises(tmp_path, capsys):
    trainer = make_trainer(tmp_path, stop=(1, 'iteration'))
    events = []

    class Failing(training.Extension):
        priority = 500

        def __call__(self, trainer):
            pass

        def finalize(self):
            raise OSError('the background save failed')

    class Recording(training.Extension):
        def __call__(self, trainer):
            pass

        def finalize(self):
            events.append('finalized')

    trainer.extend(Failing())
    trainer.extend(Recording())
    with pytest.raises(OSError, match='the background save failed'):
        trainer.run()
    assert events == ['finalized']
    assert 'Exception in the finalize of Failing' in capsys.readouterr().err


def test_a_loop_error_wins_over_a_finalize_error(tmp_path, capsys):
    trainer = make_trainer(tmp_path, stop=(3, 'iteration'))

    class Both(training.Extension):
        def __call__(self, trainer):
            raise ArithmeticError('in the loop')

        def finalize(self):
            raise OSError('in finalize')

    trainer.extend(Both())
    with pytest.raises(ArithmeticError, match='in the loop'):
        trainer.run(show_loop_exception_msg=False)
    assert 'Exception in the finalize of Both: in finalize' in capsys.readouterr().err
