"""Extensions registered with call_before_training=True: the epoch-0 row, and not again on resume.

Chainer's MNIST example registers its Evaluator, LogReport, PlotReports and
PrintReport so.  The untrained model's evaluation is then an entry of its
own (epoch 0); the first epoch's entry holds only the first epoch.
"""
import io
import json
import os

import numpy
import pytest

from minigrad import optimizers, serializers, training
from minigrad.training import extensions
from tests.training.common import (Spy, make_data, make_trainer, reference_loss_accuracy,
                                   validation_iterator)


def mnist_like_trainer(out, stop, model_seed=0):
    """The registration of Chainer's train_mnist.py, on the tiny problem."""
    trainer, model = make_trainer(out, stop=stop, model_seed=model_seed,
                                  optimizer=optimizers.SGD(lr=1.0))
    evaluations = []
    trainer.extend(extensions.Evaluator(validation_iterator(), model,
                                        eval_hook=lambda e: evaluations.append(
                                            trainer.updater.iteration)),
                   call_before_training=True)
    trainer.extend(extensions.snapshot(), trigger=(1, 'epoch'))
    trainer.extend(extensions.LogReport(), call_before_training=True)
    trainer.extend(extensions.PlotReport(['main/accuracy', 'validation/main/accuracy'], 'epoch',
                                         file_name='accuracy.png'), call_before_training=True)
    out_stream = io.StringIO()
    trainer.extend(extensions.PrintReport(['epoch', 'iteration', 'main/loss',
                                           'validation/main/accuracy'], out=out_stream),
                   call_before_training=True)
    spy = Spy()
    trainer.extend(spy)
    return trainer, model, evaluations, out_stream, spy


def test_epoch_zero_row_is_the_untrained_evaluation(tmp_path):
    trainer, model, evaluations, out, spy = mnist_like_trainer(tmp_path / 'out', (1, 'epoch'))
    untrained = reference_loss_accuracy(model, make_data(12, 2))
    trainer.run()
    trained = reference_loss_accuracy(model, make_data(12, 2))
    # 1/6 before, 11/12 after: the old behaviour logged their mean, 13/24, for epoch 1.
    assert (untrained[1], trained[1]) == (pytest.approx(1 / 6), pytest.approx(11 / 12))

    log = trainer.get_extension('LogReport').log
    assert [(e['epoch'], e['iteration']) for e in log] == [(0, 0), (1, 4)]
    row0, row1 = log
    assert sorted(row0) == ['elapsed_time', 'epoch', 'iteration', 'validation/main/accuracy',
                            'validation/main/loss']
    assert row0['validation/main/loss'] == pytest.approx(untrained[0], rel=1e-6)
    assert row0['validation/main/accuracy'] == pytest.approx(untrained[1])
    # Epoch 1: only epoch 1 (before, the untrained evaluation was averaged in).
    assert row1['validation/main/loss'] == pytest.approx(trained[0], rel=1e-6)
    assert row1['validation/main/accuracy'] == pytest.approx(trained[1])
    losses = [o['main/loss'] for o in spy.observations]
    assert len(losses) == 4
    assert row1['main/loss'] == pytest.approx(numpy.mean(losses), rel=1e-12)
    assert evaluations == [0, 4]

    with open(os.path.join(trainer.out, 'log')) as f:
        assert json.load(f) == log
    plot = trainer.get_extension('PlotReport')
    assert plot._data['validation/main/accuracy'] == [(0, pytest.approx(untrained[1])),
                                                      (1, pytest.approx(trained[1]))]
    assert plot._data['main/accuracy'] == [(1, pytest.approx(numpy.mean(
        [o['main/accuracy'] for o in spy.observations])))]
    assert os.path.exists(os.path.join(trainer.out, 'accuracy.png'))
    lines = out.getvalue().splitlines()
    assert lines[1].split() == ['0', '0', '{:g}'.format(row0['validation/main/accuracy'])]
    assert lines[2].split()[:2] == ['1', '4']


def test_without_call_before_training_there_is_no_epoch_zero_row(tmp_path):
    trainer, model = make_trainer(tmp_path, stop=(1, 'epoch'))
    trainer.extend(extensions.Evaluator(validation_iterator(), model))
    trainer.extend(extensions.LogReport())
    trainer.run()
    log = trainer.get_extension('LogReport').log
    assert [(e['epoch'], e['iteration']) for e in log] == [(1, 4)]
    assert log[0]['validation/main/accuracy'] == pytest.approx(
        reference_loss_accuracy(model, make_data(12, 2))[1])


def test_log_report_with_its_own_trigger_starts_afresh_after_epoch_zero(tmp_path):
    trainer, model = make_trainer(tmp_path, stop=(4, 'iteration'))
    trainer.extend(extensions.Evaluator(validation_iterator(), model), call_before_training=True,
                   trigger=(2, 'iteration'))
    trainer.extend(extensions.LogReport(trigger=(2, 'iteration')), call_before_training=True)
    spy = Spy()
    trainer.extend(spy)
    trainer.run()
    log = trainer.get_extension('LogReport').log
    assert [e['iteration'] for e in log] == [0, 2, 4]
    for entry, interval in zip(log[1:], (spy.observations[0:2], spy.observations[2:4])):
        assert entry['validation/main/loss'] == interval[-1]['validation/main/loss']
        assert entry['main/loss'] == pytest.approx((interval[0]['main/loss']
                                                    + interval[1]['main/loss']) / 2, rel=1e-12)


def test_resume_does_not_call_them_again(tmp_path):
    full, _, full_evaluations, _, _ = mnist_like_trainer(tmp_path / 'full', (2, 'epoch'))
    full.run()
    assert full_evaluations == [0, 4, 8]

    resumed, model, evaluations, out, _ = mnist_like_trainer(tmp_path / 'resumed', (2, 'epoch'),
                                                             model_seed=5)
    serializers.load_npz(os.path.join(full.out, 'snapshot_iter_4'), resumed)
    resumed.run()
    assert evaluations == [8]           # no evaluation of the loaded model "before training"
    log = resumed.get_extension('LogReport').log
    expected = full.get_extension('LogReport').log
    assert [(e['epoch'], e['iteration']) for e in log] == [(0, 0), (1, 4), (2, 8)]
    for got, want in zip(log, expected):
        for key in ('main/loss', 'validation/main/loss', 'validation/main/accuracy'):
            assert got.get(key) == want.get(key)
    assert resumed.get_extension('PlotReport')._data == full.get_extension('PlotReport')._data
    # PrintReport prints its header and what is new since the resume.
    assert [line.split()[:2] for line in out.getvalue().splitlines()[1:]] == [['0', '0'], ['1', '4'],
                                                                              ['2', '8']]


def test_trainer_calls_them_once_in_priority_order_in_one_observation(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(1, 'iteration'))
    calls = []

    def writer(t):
        t.observation['x'] = 1.0
        calls.append(('writer', t.updater.iteration))

    def reader(t):
        calls.append(('reader', t.updater.iteration, dict(t.observation)))

    trainer.extend(reader, name='reader', priority=training.PRIORITY_READER,
                   call_before_training=True)
    trainer.extend(writer, name='writer', priority=training.PRIORITY_WRITER,
                   call_before_training=True)
    trainer.run()
    assert calls[:2] == [('writer', 0), ('reader', 0, {'x': 1.0})]
    assert [c[:2] for c in calls[2:]] == [('writer', 1), ('reader', 1)]


def test_call_before_training_is_keyword_only(tmp_path):
    trainer, _ = make_trainer(tmp_path)
    with pytest.raises(TypeError):
        trainer.extend(lambda t: None, 'name', None, None, True)
