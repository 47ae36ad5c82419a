"""The value, once and time triggers, fed observations by hand; their state across a snapshot."""
import numpy
import pytest

from minigrad import serializers, training
from minigrad.serializers import DictionarySerializer, NpzDeserializer
from minigrad.training import triggers
from minigrad.type_check import InvalidType
from tests.training.common import FakeTrainer, make_trainer


def fire(trigger, trainer, values, key='v'):
    """Feed one value per iteration; the iterations at which the trigger fired."""
    fired = []
    for v in values:
        trainer.step({} if v is None else {key: v})
        if trigger(trainer):
            fired.append(trainer.updater.iteration)
    return fired


def round_trip(trigger, fresh):
    """Save ``trigger`` as a snapshot would and load it into ``fresh``."""
    saved = DictionarySerializer()
    saved.save(trigger)
    NpzDeserializer(saved.target).load(fresh)
    return fresh


def test_importable_as_chainer_names_them():
    for name in ('IntervalTrigger', 'ManualScheduleTrigger', 'MinValueTrigger', 'MaxValueTrigger',
                 'BestValueTrigger', 'EarlyStoppingTrigger', 'OnceTrigger', 'TimeTrigger'):
        assert getattr(training.triggers, name) is getattr(triggers, name)
    assert training.get_trigger is training.util.get_trigger is triggers.get_trigger


# ---------------------------------------------------------------------------
# MinValueTrigger, MaxValueTrigger

# Interval means over pairs of iterations: 4, 4, 1.5, 9.
VALUES = [5, 3, 4, 4, 1, 2, 9, 9]


def test_min_value_trigger():
    trigger = triggers.MinValueTrigger('v', trigger=(2, 'iteration'))
    # 4 (first: best), 4 (not < 4), 1.5 (best), 9
    assert fire(trigger, FakeTrainer(), VALUES) == [2, 6]


def test_max_value_trigger():
    trigger = triggers.MaxValueTrigger('v', trigger=(2, 'iteration'))
    assert fire(trigger, FakeTrainer(), VALUES) == [2, 8]


def test_best_value_trigger_with_own_compare_and_epochs():
    # Epochs of 4 iterations: means 4 then 5.25; "better" = farther from 5.
    trigger = triggers.BestValueTrigger('v', lambda best, new: abs(new - 5) > abs(best - 5),
                                        trigger=(1, 'epoch'))
    assert fire(trigger, FakeTrainer(epoch_size=4), VALUES) == [4]


def test_best_value_mean_counts_only_iterations_that_reported():
    trigger = triggers.MinValueTrigger('v', trigger=(3, 'iteration'))
    # Means 2 (of 2), then 1.5 (of 1 and 2), then 3 (of 3).
    assert fire(trigger, FakeTrainer(), [None, None, 2, 1, None, 2, 3, None, None]) == [3, 6]


def test_best_value_state_survives_a_snapshot():
    trainer = FakeTrainer()
    first = triggers.MaxValueTrigger('v', trigger=(2, 'iteration'))
    assert fire(first, trainer, VALUES[:5]) == [2]        # best 4, the 5th value half an interval
    resumed = round_trip(first, triggers.MaxValueTrigger('v', trigger=(2, 'iteration')))
    assert fire(resumed, trainer, VALUES[5:]) == [8]       # the pair (1, 2) spans the snapshot


def test_best_value_key_never_reported():
    trigger = triggers.MinValueTrigger('validation/main/loss', trigger=(2, 'iteration'))
    with pytest.raises(KeyError, match=r"MinValueTrigger: 'validation/main/loss' was not reported "
                                       r"during the interval"):
        fire(trigger, FakeTrainer(), [1, 2], key='main/loss')


def test_snapshot_object_of_the_best_model(tmp_path):
    """Chainer's use: save the model whenever the validation loss is the lowest so far."""
    trainer, model = make_trainer(tmp_path, stop=(3, 'epoch'))
    losses = iter([0.5, 0.7, 0.3])
    saved = []

    def fake_validation(t):
        t.observation['validation/main/loss'] = next(losses)

    trainer.extend(fake_validation, name='val', trigger=(1, 'epoch'),
                   priority=training.PRIORITY_WRITER)
    trainer.extend(lambda t: saved.append(t.updater.epoch), name='save',
                   trigger=triggers.MinValueTrigger('validation/main/loss'))
    trainer.run()
    assert saved == [1, 3]


# ---------------------------------------------------------------------------
# EarlyStoppingTrigger

def test_early_stopping_after_patience_checks_without_improvement():
    trigger = triggers.EarlyStoppingTrigger(check_trigger=(1, 'iteration'),
                                            monitor='validation/main/loss', patience=2)
    # best 3, best 2, worse (1), worse (2): stop
    assert fire(trigger, FakeTrainer(), [3, 2, 2.5, 2.1], key='validation/main/loss') == [4]
    assert (trigger.best, trigger.count) == (2, 2)


def test_early_stopping_means_over_the_check_interval():
    trigger = triggers.EarlyStoppingTrigger(check_trigger=(2, 'iteration'), monitor='main/loss',
                                            patience=1)
    # means 3, 2.5 (better), 2.5 (not better): stop at 6
    assert fire(trigger, FakeTrainer(), [4, 2, 3, 2, 2, 3, 0], key='main/loss') == [6]


def test_early_stopping_auto_mode_maximizes_accuracy():
    trigger = triggers.EarlyStoppingTrigger(check_trigger=(1, 'iteration'),
                                            monitor='validation/main/accuracy', patients=1)
    assert fire(trigger, FakeTrainer(), [0.5, 0.6, 0.55], key='validation/main/accuracy') == [3]
    explicit = triggers.EarlyStoppingTrigger(check_trigger=(1, 'iteration'), monitor='v',
                                             patience=1, mode='max')
    assert fire(explicit, FakeTrainer(), [0.5, 0.6, 0.55]) == [3]


def test_early_stopping_max_trigger_and_training_length():
    trigger = triggers.EarlyStoppingTrigger(monitor='v', max_trigger=(3, 'iteration'))
    assert trigger.get_training_length() == (3, 'iteration')
    assert fire(trigger, FakeTrainer(), [1, 1, 1, 1]) == [3]


def test_early_stopping_ignores_the_evaluation_before_training():
    trainer = FakeTrainer()
    trainer.observation = {'v': 100.0}             # the untrained model's, at iteration 0
    trigger = triggers.EarlyStoppingTrigger(check_trigger=(2, 'iteration'), monitor='v', patience=1)
    assert not trigger(trainer)
    fire(trigger, trainer, [2, 4])
    assert trigger.best == 3                       # (2 + 4) / 2, not (100 + 2 + 4) / 3


def test_early_stopping_warns_when_the_monitor_is_missing():
    trigger = triggers.EarlyStoppingTrigger(check_trigger=(1, 'iteration'), monitor='v')
    with pytest.warns(UserWarning, match=r"EarlyStoppingTrigger: 'v' was not reported"):
        assert fire(trigger, FakeTrainer(), [None]) == []


def test_early_stopping_patience_survives_a_snapshot():
    trainer = FakeTrainer()

    def make():
        return triggers.EarlyStoppingTrigger(check_trigger=(1, 'iteration'), monitor='v', patience=2)

    first = make()
    assert fire(first, trainer, [1, 2]) == []          # best 1, count 1
    resumed = round_trip(first, make())
    assert (resumed.best, resumed.count) == (1, 1)
    assert fire(resumed, trainer, [3]) == [3]


def test_early_stopping_bad_arguments():
    with pytest.raises(TypeError, match='either patience or its older name patients'):
        triggers.EarlyStoppingTrigger(patience=2, patients=3)
    with pytest.raises(InvalidType, match=r"EarlyStoppingTrigger: expect mode in \('min', 'max', "
                                          r"'auto'\), actual mode == 'best'"):
        triggers.EarlyStoppingTrigger(mode='best')


def test_early_stopping_as_the_trainers_stop_trigger(tmp_path):
    losses = iter([0.5, 0.4, 0.45, 0.41, 0.1, 0.1])
    stop = triggers.EarlyStoppingTrigger(monitor='validation/main/loss', patience=2,
                                         max_trigger=(6, 'epoch'))
    trainer, _ = make_trainer(tmp_path, stop=stop)

    def fake_validation(t):
        t.observation['validation/main/loss'] = next(losses)

    trainer.extend(fake_validation, name='val', trigger=(1, 'epoch'))
    trainer.extend(training.extensions.ProgressBar(update_interval=1000))
    trainer.run()
    assert trainer.updater.epoch == 4          # best at epoch 2, then two worse epochs


# ---------------------------------------------------------------------------
# OnceTrigger, TimeTrigger

def test_once_trigger():
    trigger = triggers.OnceTrigger()
    assert not trigger.finished
    assert fire(trigger, FakeTrainer(), [None] * 3) == [1]
    assert trigger.finished


@pytest.mark.parametrize('call_on_resume, expected', [(False, []), (True, [4])])
def test_once_trigger_after_resume(call_on_resume, expected):
    trainer = FakeTrainer()
    first = triggers.OnceTrigger()
    fire(first, trainer, [None] * 3)
    resumed = round_trip(first, triggers.OnceTrigger(call_on_resume=call_on_resume))
    assert resumed.finished == (not call_on_resume)
    assert fire(resumed, trainer, [None] * 3) == expected


def test_once_trigger_saved_before_firing_still_fires():
    resumed = round_trip(triggers.OnceTrigger(), triggers.OnceTrigger())
    assert fire(resumed, FakeTrainer(), [None] * 2) == [1]


def test_once_trigger_skips_initialize_when_finished(tmp_path):
    calls = []

    class Ext(training.Extension):
        def initialize(self, trainer):
            calls.append('init')

        def __call__(self, trainer):
            calls.append(trainer.updater.iteration)

    trainer, _ = make_trainer(tmp_path, stop=(3, 'iteration'))
    trigger = triggers.OnceTrigger()
    trigger(trainer)                   # fired already (as if loaded from a snapshot)
    trainer.extend(Ext(), trigger=trigger)
    trainer.run()
    assert calls == []


def test_time_trigger():
    trainer = FakeTrainer()
    trigger = triggers.TimeTrigger(1.0)
    fired = []
    for t in [0.5, 1.2, 1.5, 3.5, 3.6, 3.7, 4.1]:
        trainer.step(elapsed_time=t)
        if trigger(trainer):
            fired.append(t)
    # deadlines 1, 2, 3, 4, 5: one per call, so 3.5 and 3.6 catch up on 2 and 3
    assert fired == [1.2, 3.5, 3.6, 4.1]


def test_time_trigger_deadline_survives_a_snapshot():
    trainer = FakeTrainer()
    first = triggers.TimeTrigger(2.0)
    trainer.step(elapsed_time=2.5)
    assert first(trainer)
    resumed = round_trip(first, triggers.TimeTrigger(2.0))
    trainer.step(elapsed_time=3.5)
    assert not resumed(trainer)
    trainer.step(elapsed_time=4.5)
    assert resumed(trainer)


def test_time_trigger_bad_period():
    with pytest.raises(InvalidType, match=r'TimeTrigger: expect period to be a positive number, '
                                          r'actual period == 0'):
        triggers.TimeTrigger(0)


def test_triggers_in_a_trainer_snapshot(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(4, 'iteration'))
    trainer.extend(lambda t: None, name='best', trigger=triggers.MinValueTrigger('main/loss'))
    trainer.extend(lambda t: None, name='once', trigger=triggers.OnceTrigger())
    trainer.extend(lambda t: None, name='time', trigger=triggers.TimeTrigger(60))
    trainer.extend(training.extensions.snapshot(), trigger=(4, 'iteration'))
    trainer.run()
    with numpy.load(tmp_path / 'snapshot_iter_4') as npz:
        keys = set(npz.files)
    assert {'extension_triggers/best/best_value', 'extension_triggers/best/interval_trigger/'
            'previous_iteration', 'extension_triggers/best/summary/_names',
            'extension_triggers/once/_flag_first', 'extension_triggers/time/next_time'} <= keys
    again, _ = make_trainer(tmp_path / 'again', stop=(4, 'iteration'))
    once = triggers.OnceTrigger()
    again.extend(lambda t: None, name='once', trigger=once)
    serializers.load_npz(tmp_path / 'snapshot_iter_4', again, strict=False)
    assert once.finished
