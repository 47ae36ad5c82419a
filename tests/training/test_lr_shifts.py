"""The learning-rate extensions: the value after t calls against hand-computed schedules, resume."""
import os

import numpy
import pytest

from minigrad import optimizers, serializers, training
from minigrad.training import extensions
from minigrad.type_check import InvalidType
from tests.training.common import make_trainer


class Recorder(training.Extension):
    """Reads the attribute after the shift's initialize and after every iteration."""

    priority = -1000

    def __init__(self, attr='lr'):
        self.attr = attr
        self.values = []

    def initialize(self, trainer):
        self.values.append(getattr(trainer.updater.get_optimizer('main'), self.attr))

    def __call__(self, trainer):
        self.values.append(getattr(trainer.updater.get_optimizer('main'), self.attr))


def schedule(tmp_path, shift, iterations, attr='lr', optimizer=None):
    """``[value(0), value(1), ..., value(iterations)]``: at the start and after each iteration."""
    trainer, _ = make_trainer(tmp_path, stop=(iterations, 'iteration'), optimizer=optimizer)
    trainer.extend(shift)
    recorder = Recorder(attr)
    trainer.extend(recorder)
    trainer.run()
    return recorder.values


@pytest.mark.parametrize('shift, expected', [
    # init * rate ** t
    (extensions.ExponentialShift('lr', 0.5, init=0.8), [0.8, 0.4, 0.2, 0.1, 0.05]),
    # floored at target: 0.8, 0.4, 0.2, then 0.1 < 0.15
    (extensions.ExponentialShift('lr', 0.5, init=0.8, target=0.15), [0.8, 0.4, 0.2, 0.15, 0.15]),
    # growing, capped at target
    (extensions.ExponentialShift('lr', 2, init=0.1, target=0.5), [0.1, 0.2, 0.4, 0.5, 0.5]),
    # init None: the optimizer's lr (0.1)
    (extensions.ExponentialShift('lr', 0.1), [0.1, 0.01, 0.001, 1e-4, 1e-5]),
    # v1 until t1 = 1, then linear to v2 at t2 = 3
    (extensions.LinearShift('lr', (0.1, 0.5), (1, 3)), [0.1, 0.1, 0.3, 0.5, 0.5]),
    # init * gamma ** floor(t / 2)
    (extensions.StepShift('lr', 0.1, 2, init=1.0), [1.0, 1.0, 0.1, 0.1, 0.01]),
    (extensions.StepShift('lr', 0.1, 2, init=1.0, target=0.05), [1.0, 1.0, 0.1, 0.1, 0.05]),
    # one more factor 0.5 from call 2 and from call 4
    (extensions.MultistepShift('lr', 0.5, [2, 4], 1.0), [1.0, 1.0, 0.5, 0.5, 0.25]),
    (extensions.MultistepShift('lr', 0.5, [2, 4], None), [0.1, 0.1, 0.05, 0.05, 0.025]),
    # (1 - t / 4) ** 2
    (extensions.PolynomialShift('lr', 2, 4, init=1.0), [1.0, 0.5625, 0.25, 0.0625, 0.0]),
    (extensions.PolynomialShift('lr', 2, 4, init=1.0, target=0.1), [1.0, 0.5625, 0.25, 0.1, 0.1]),
    # from 0 to 0.8 in 4 calls: 0.2 per call
    (extensions.WarmupShift('lr', 0.0, 4, 0.8), [0.0, 0.2, 0.4, 0.6, 0.8]),
    # 1 / (1 + t)
    (extensions.InverseShift('lr', 1.0, 1.0, init=1.0), [1.0, 1 / 2, 1 / 3, 1 / 4, 1 / 5]),
    # (1 + 0.5 t) ** -2, floored at 0.2
    (extensions.InverseShift('lr', 0.5, 2.0, init=1.0, target=0.2),
     [1.0, 1 / 2.25, 1 / 4, 0.2, 0.2]),
], ids=lambda v: type(v).__name__ if isinstance(v, training.Extension) else '')
def test_value_after_t_calls(tmp_path, shift, expected):
    assert schedule(tmp_path, shift, 4) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_each_update_uses_the_value_set_before_it(tmp_path):
    """Iteration k's SGD step uses value(k - 1): w_k = w_{k-1} - lr * g, checked by hand."""
    trainer, model = make_trainer(tmp_path, stop=(3, 'iteration'))
    trainer.extend(extensions.ExponentialShift('lr', 0.5, init=0.4))
    steps = []

    class Step(training.Extension):
        priority = -1000

        def initialize(self, trainer):
            self.previous = model.predictor.W.data.copy()

        def __call__(self, trainer):
            W = model.predictor.W
            steps.append(((self.previous - W.data) / W.grad).mean())
            self.previous = W.data.copy()

    trainer.extend(Step())
    trainer.run()
    assert steps == pytest.approx([0.4, 0.2, 0.1], rel=1e-4)


def test_warmup_then_leaves_the_attribute_to_another_schedule(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(6, 'iteration'))
    trainer.extend(extensions.WarmupShift('lr', 0.0, 2, 0.8))
    # After the warm-up a decay takes over (it starts at call 3, so trigger it from then on).
    # A higher priority initializes it first, so the warm-up's starting value stays.
    decay = extensions.ExponentialShift('lr', 0.5, init=0.8)
    trainer.extend(decay, trigger=training.triggers.ManualScheduleTrigger([3, 4, 5, 6], 'iteration'),
                   priority=150)
    recorder = Recorder()
    trainer.extend(recorder)
    trainer.run()
    assert recorder.values == pytest.approx([0.0, 0.4, 0.8, 0.4, 0.2, 0.1, 0.05])


def test_adam_alpha(tmp_path):
    values = schedule(tmp_path, extensions.ExponentialShift('alpha', 0.5), 2,
                      attr='alpha', optimizer=optimizers.Adam(alpha=0.002))
    assert values == pytest.approx([0.002, 0.001, 0.0005])


def test_adam_lr_is_read_only(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'iteration'), optimizer=optimizers.Adam())
    trainer.extend(extensions.ExponentialShift('lr', 0.5, init=0.1))
    with pytest.raises(AttributeError, match=r"ExponentialShift: cannot set the attribute 'lr' of "
                                             r"the optimizer Adam .*shift 'alpha'"):
        trainer.run(show_loop_exception_msg=False)


def test_missing_attribute_names_the_extension(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'iteration'))
    trainer.extend(extensions.StepShift('momentum', 0.5, 1))
    with pytest.raises(AttributeError, match=r"StepShift: the optimizer SGD has no attribute "
                                             r"'momentum' .*pass init="):
        trainer.run(show_loop_exception_msg=False)


def test_explicit_optimizer(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'iteration'))
    other = optimizers.MomentumSGD(lr=0.3, momentum=0.9)
    trainer.extend(extensions.LinearShift('momentum', (0.5, 0.9), (0, 2), optimizer=other))
    trainer.run()
    assert other.momentum == pytest.approx(0.9)
    assert trainer.updater.get_optimizer('main').lr == 0.1


@pytest.mark.parametrize('make, message', [
    (lambda: extensions.ExponentialShift('lr', -0.5),
     r'ExponentialShift: expect rate >= 0, actual rate == -0.5'),
    (lambda: extensions.InverseShift('lr', -1, 1),
     r'InverseShift: expect gamma >= 0, actual gamma == -1'),
    (lambda: extensions.StepShift('lr', 0.5, 0), r'StepShift: expect step > 0, actual step == 0'),
    (lambda: extensions.PolynomialShift('lr', 1, 0), r'PolynomialShift: expect max_count > 0'),
    (lambda: extensions.WarmupShift('lr', 0, 0, 1), r'WarmupShift: expect warmup_iter > 0'),
    (lambda: extensions.LinearShift('lr', (0, 1), (3, 2)),
     r'LinearShift: expect time_range\[0\] <= time_range\[1\], actual time_range == \(3, 2\)'),
])
def test_bad_arguments(make, message):
    with pytest.raises(InvalidType, match=message):
        make()


# ---------------------------------------------------------------------------
# Resuming continues the schedule

SHIFTS = {
    'exponential': lambda: extensions.ExponentialShift('lr', 0.7),
    'linear': lambda: extensions.LinearShift('lr', (0.2, 0.02), (1, 6)),
    'step': lambda: extensions.StepShift('lr', 0.5, 2),
    'multistep': lambda: extensions.MultistepShift('lr', 0.3, [2, 5], None),
    'polynomial': lambda: extensions.PolynomialShift('lr', 1.5, 8),
    'warmup': lambda: extensions.WarmupShift('lr', 0.01, 5, 0.2),
    'inverse': lambda: extensions.InverseShift('lr', 0.5, 0.75),
}


def run_with_shift(out, stop, make_shift, snapshot=None, autoload=False, load=None):
    trainer, model = make_trainer(out, stop=(stop, 'iteration'), shuffle=True)
    trainer.extend(make_shift(), name='shift')
    recorder = Recorder()
    trainer.extend(recorder)
    if snapshot is not None or autoload:
        trainer.extend(extensions.snapshot(autoload=autoload),
                       trigger=(snapshot or 100, 'iteration'))
    if load is not None:
        serializers.load_npz(load, trainer)
    trainer.run()
    return recorder.values, model.predictor.W.data.copy()


@pytest.mark.parametrize('name', sorted(SHIFTS))
@pytest.mark.parametrize('how', ['load_npz', 'autoload'])
def test_resume_continues_the_schedule(tmp_path, name, how):
    """Stopped at iteration 3 and resumed in a new trainer: the same values and weights as one run."""
    full_values, full_W = run_with_shift(tmp_path / 'full', 7, SHIFTS[name])
    run_with_shift(tmp_path / 'part', 3, SHIFTS[name], snapshot=3)
    snapshot_file = os.path.join(tmp_path / 'part', 'snapshot_iter_3')
    if how == 'load_npz':
        values, W = run_with_shift(tmp_path / 'rest', 7, SHIFTS[name], load=snapshot_file)
    else:
        # autoload: the snapshot extension loads it in its initialize, after the shift's.
        values, W = run_with_shift(tmp_path / 'part', 7, SHIFTS[name], autoload=True)
    # values[0] is read after every initialize: the value the 4th update uses.
    assert values == pytest.approx(full_values[3:], rel=1e-12)
    numpy.testing.assert_array_equal(W, full_W)


def test_snapshot_keys_are_chainers(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'iteration'))
    for shift in (extensions.ExponentialShift('lr', 0.5),
                  extensions.MultistepShift('lr', 0.5, [1], None),
                  extensions.WarmupShift('lr', 0.0, 2, 0.1)):
        trainer.extend(shift)
    trainer.extend(extensions.snapshot(), trigger=(2, 'iteration'))
    trainer.run()
    with numpy.load(os.path.join(trainer.out, 'snapshot_iter_2')) as npz:
        keys = {k for k in npz.files if k.startswith('extensions/')}
        assert keys == {'extensions/ExponentialShift/_t', 'extensions/ExponentialShift/_last_value',
                        'extensions/MultistepShift/_t', 'extensions/MultistepShift/_current_step',
                        'extensions/WarmupShift/_t'}
        assert int(npz['extensions/MultistepShift/_current_step']) == 1
        assert float(npz['extensions/ExponentialShift/_last_value']) == pytest.approx(0.1 * 0.25)
