"""Each trainer extension on a short run on a tiny data set."""
import gc
import io
import json
import os
import shutil
import sys
import weakref

import numpy
import pytest

import minigrad
import minigrad.links as L
from minigrad import configuration, datasets, iterators, optimizers, serializers, training
from minigrad.training import extensions
from minigrad.type_check import InvalidType


def make_data(n, seed):
    rng = numpy.random.RandomState(seed)
    x = rng.randn(n, 2).astype(numpy.float32)
    t = (x[:, 0] - x[:, 1] > 0).astype(numpy.int32)
    return datasets.TupleDataset(x, t)


def make_trainer(tmp_path, stop=(2, 'epoch'), batch_size=10, shuffle=False):
    """40 training points in batches of 10 (4 iterations per epoch), 12 validation points."""
    numpy.random.seed(0)
    model = L.Classifier(L.Linear(2, 2))
    optimizer = optimizers.SGD(lr=0.1)
    optimizer.setup(model)
    it = iterators.SerialIterator(make_data(40, 1), batch_size, shuffle=shuffle)
    updater = training.StandardUpdater(it, optimizer)
    trainer = training.Trainer(updater, stop, out=str(tmp_path / 'out'))
    return trainer, model


def validation_iterator(batch_size=5):
    return iterators.SerialIterator(make_data(12, 2), batch_size, repeat=False, shuffle=False)


class Spy:
    """Keeps a copy of every observation (priority: after every built-in extension)."""

    priority = -1000
    default_name = 'spy'

    def __init__(self):
        self.observations = []

    def __call__(self, trainer):
        self.observations.append(dict(trainer.observation))


def leftover_temp_files(folder):
    return [name for name in os.listdir(folder) if name.endswith('.tmp')]


def reference_loss_accuracy(model, x, t):
    """Softmax cross entropy and accuracy of the Linear predictor, one row at a time."""
    W = model.predictor.W.data.astype(numpy.float64)
    b = model.predictor.b.data.astype(numpy.float64)
    losses, hits = [], []
    for xi, ti in zip(x.astype(numpy.float64), t):
        y = W @ xi + b
        m = y.max()
        losses.append(m + numpy.log(numpy.exp(y - m).sum()) - y[ti])
        hits.append(float(y.argmax() == ti))
    return numpy.mean(losses), numpy.mean(hits)


# ---------------------------------------------------------------------------
# LogReport

def test_log_report_keys_and_means(tmp_path):
    trainer, model = make_trainer(tmp_path, stop=(2, 'epoch'))
    spy = Spy()
    trainer.extend(extensions.Evaluator(validation_iterator(), model))
    trainer.extend(extensions.LogReport())
    trainer.extend(spy)
    trainer.run()
    log = trainer.get_extension('LogReport').log
    assert [sorted(entry) for entry in log] == [sorted([
        'epoch', 'iteration', 'main/loss', 'main/accuracy', 'validation/main/loss',
        'validation/main/accuracy', 'elapsed_time'])] * 2
    assert [(e['epoch'], e['iteration']) for e in log] == [(1, 4), (2, 8)]
    obs = spy.observations
    for k, entry in enumerate(log):
        interval = obs[4 * k:4 * k + 4]
        for key in ('main/loss', 'main/accuracy'):
            assert entry[key] == pytest.approx(sum(o[key] for o in interval) / 4, rel=1e-12)
        # The Evaluator reports once an epoch: its mean is that value.
        assert entry['validation/main/loss'] == interval[-1]['validation/main/loss']
        assert all('validation/main/loss' not in o for o in interval[:-1])
    assert 0 < log[0]['elapsed_time'] <= log[1]['elapsed_time']
    with open(os.path.join(trainer.out, 'log')) as f:
        assert json.load(f) == log
    assert leftover_temp_files(trainer.out) == []


def test_log_report_file_is_chainer_style_json(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(1, 'epoch'))
    trainer.extend(extensions.LogReport())
    trainer.run()
    text = open(os.path.join(trainer.out, 'log')).read()
    assert text.startswith('[\n    {\n        "main/loss": ')      # indent=4, as Chainer


def test_log_report_keys_trigger_postprocess_filename(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(6, 'iteration'))

    def postprocess(entry):
        entry['extra'] = entry['iteration'] * 10

    trainer.extend(extensions.LogReport(keys=['main/loss'], trigger=(3, 'iteration'),
                                        postprocess=postprocess, filename='log_{iteration}.jsonl'))
    trainer.run()
    log = trainer.get_extension('LogReport').log
    assert [sorted(e) for e in log] == [['elapsed_time', 'epoch', 'extra', 'iteration', 'main/loss']] * 2
    assert [e['extra'] for e in log] == [30, 60]
    lines = open(os.path.join(trainer.out, 'log_6.jsonl')).read().splitlines()
    assert [json.loads(line) for line in lines] == log
    assert os.path.exists(os.path.join(trainer.out, 'log_3.jsonl'))


def test_log_report_without_file(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(1, 'epoch'))
    trainer.extend(extensions.LogReport(log_name=None))
    trainer.run()
    assert os.listdir(trainer.out) == []
    assert len(trainer.get_extension('LogReport').log) == 1


def test_log_report_bad_format():
    with pytest.raises(InvalidType, match=r"LogReport: expect format in \('json', 'json-lines'\), "
                                          r"actual format == 'yaml'"):
        extensions.LogReport(format='yaml')


# ---------------------------------------------------------------------------
# Evaluator

def test_evaluator_mean_over_batches_by_hand(tmp_path):
    trainer, model = make_trainer(tmp_path)
    evaluator = extensions.Evaluator(validation_iterator(batch_size=5), model)
    evaluator.name = 'validation'
    result = evaluator()
    data = make_data(12, 2)
    x, t = datasets.concat_examples(data)
    batches = [(x[i:i + 5], t[i:i + 5]) for i in range(0, 12, 5)]      # 5, 5, 2 examples
    refs = [reference_loss_accuracy(model, bx, bt) for bx, bt in batches]
    assert sorted(result) == ['validation/main/accuracy', 'validation/main/loss']
    assert result['validation/main/loss'] == pytest.approx(numpy.mean([r[0] for r in refs]), rel=1e-5)
    assert result['validation/main/accuracy'] == pytest.approx(numpy.mean([r[1] for r in refs]))
    assert evaluator() == result      # the iterator is reset: the same batches again


def test_evaluator_runs_in_test_mode_without_graph(tmp_path):
    trainer, model = make_trainer(tmp_path, stop=(2, 'epoch'))
    modes = []

    def eval_func(x, t):
        modes.append((configuration.config.train, configuration.config.enable_backprop))
        minigrad.report({'n': float(len(x))})

    trainer.extend(extensions.Evaluator(validation_iterator(batch_size=6), model, eval_func=eval_func))
    modes_in_training = []
    trainer.extend(lambda t: modes_in_training.append(
        (configuration.config.train, configuration.config.enable_backprop)), name='spy')
    spy = Spy()
    trainer.extend(spy)
    trainer.run()
    assert modes == [(False, False)] * 4          # 2 batches, 2 epochs
    assert set(modes_in_training) == {(True, True)}
    # Reported with no observer: the key stays as it is.
    assert [o['n'] for o in spy.observations if 'n' in o] == [6.0, 6.0]


def test_evaluator_copies_an_iterator_without_reset(tmp_path):
    trainer, model = make_trainer(tmp_path)

    class OneShot:
        def __init__(self, batches):
            self.batches = batches
            self.position = 0

        def __iter__(self):
            return self

        def __next__(self):
            if self.position == len(self.batches):
                raise StopIteration
            self.position += 1
            return self.batches[self.position - 1]

        def finalize(self):
            pass

    data = make_data(12, 2)
    original = OneShot([[data[i] for i in range(6)], [data[i] for i in range(6, 12)]])
    evaluator = extensions.Evaluator(original, model)
    first = evaluator()
    assert evaluator() == first and original.position == 0


def test_evaluator_device(tmp_path):
    _, model = make_trainer(tmp_path)
    seen = []

    def converter(batch, device):
        seen.append(device)
        return datasets.concat_examples(batch, device)

    for device in (-1, '@numpy', minigrad.get_device('@numpy')):
        evaluator = extensions.Evaluator(validation_iterator(batch_size=6), model,
                                         converter=converter, device=device)
        assert evaluator.device == minigrad.get_device(-1)
        evaluator()
    assert seen == [-1] * 6        # a plain converter gets Chainer's -1 for the CPU
    with pytest.raises(RuntimeError, match=r"Evaluator: cannot use device=0: .*CuPy"):
        extensions.Evaluator(validation_iterator(), model, device=0)


def test_evaluator_warns_on_repeating_iterator(tmp_path):
    _, model = make_trainer(tmp_path)
    with pytest.warns(UserWarning, match='repeat=True'):
        extensions.Evaluator(iterators.SerialIterator(make_data(4, 0), 2), model)


def test_evaluator_batchnorm_uses_running_averages(tmp_path):
    """config.train is False inside: BatchNormalization's output uses avg_mean and avg_var."""
    seen = []

    class Probe(minigrad.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l = L.Linear(2, 2)

        def forward(self, x):
            seen.append(configuration.config.train)
            return self.l(x)

    model = L.Classifier(Probe())
    extensions.Evaluator(validation_iterator(), model)()
    assert seen == [False] * 3


# ---------------------------------------------------------------------------
# PrintReport

class FakeLog:
    def __init__(self, log):
        self.log = log


class FakeTrainer:
    def __init__(self, log):
        self._log = FakeLog(log)

    def get_extension(self, name):
        assert name == 'LogReport'
        return self._log


class TTY(io.StringIO):
    def isatty(self):
        return True


def test_print_report_table_by_hand():
    out = io.StringIO()
    log = [{'epoch': 1, 'main/loss': 0.5, 'validation/main/accuracy': 0.875, 'elapsed_time': 1.25}]
    report = extensions.PrintReport(['epoch', 'main/loss', 'validation/main/accuracy', 'lr'], out=out)
    trainer = FakeTrainer(log)
    report(trainer)
    log.append({'epoch': 2, 'main/loss': 0.123456789, 'validation/main/accuracy': 1.0, 'lr': 0.01})
    report(trainer)
    report(trainer)             # nothing new: nothing printed
    # Columns: max(10, len(key)) wide, then two spaces; {:g} numbers; blanks when missing.
    expected = ('epoch       main/loss   validation/main/accuracy  lr\n'
                '1           0.5         0.875\n'
                '2           0.123457    1                         0.01\n')
    assert out.getvalue() == expected


def test_print_report_on_a_terminal_clears_below():
    out = TTY()
    report = extensions.PrintReport(['epoch'], out=out)
    report(FakeTrainer([{'epoch': 1}]))
    assert out.getvalue() == 'epoch\n\033[J1\n'


def test_print_report_with_trainer(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'epoch'))
    out = io.StringIO()
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(['epoch', 'iteration', 'main/loss'], out=out))
    trainer.run()
    lines = out.getvalue().splitlines()
    log = trainer.get_extension('LogReport').log
    assert lines[0] == 'epoch       iteration   main/loss'
    assert lines[1:] == ['{:<10g}  {:<10g}  {:g}'.format(e['epoch'], e['iteration'], e['main/loss'])
                         for e in log]


def test_print_report_with_its_own_log_report(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(1, 'epoch'))
    out = io.StringIO()
    trainer.extend(extensions.PrintReport(['epoch'], log_report=extensions.LogReport(), out=out))
    trainer.run()
    assert out.getvalue() == 'epoch\n1\n'


def test_print_report_entries_must_be_a_list():
    with pytest.raises(InvalidType, match=r"PrintReport: expect entries to be a list of keys"):
        extensions.PrintReport('main/loss')


# ---------------------------------------------------------------------------
# ProgressBar

def test_progress_bar_not_a_terminal_writes_plain_lines(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(3, 'epoch'))       # 12 iterations
    out = io.StringIO()
    trainer.extend(extensions.ProgressBar(update_interval=4, out=out))
    trainer.run()
    text = out.getvalue()
    assert '\r' not in text and '\033' not in text
    lines = text.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith('         4 iter, 1 epoch / 3 epochs, 33.33% total, ')
    assert lines[2].startswith('        12 iter, 3 epoch / 3 epochs, 100.00% total, ')
    assert all(' iters/sec, ETA ' in line for line in lines)


def test_progress_bar_on_a_terminal_draws_a_live_bar(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(8, 'iteration'))    # 4 iterations per epoch
    out = TTY()
    trainer.extend(extensions.ProgressBar(update_interval=2, bar_length=10, out=out))
    trainer.run()
    text = out.getvalue()
    draws = text.split('\033[J')
    assert len(draws) == 4 + 2      # before the text, 4 draws, and the final erase
    first = draws[1]
    assert first.startswith('     total [##........] 25.00%\n'
                            'this epoch [#####.....] 50.00%\n'
                            '         2 iter, 0 epoch / 8 iterations\n')
    assert 'iters/sec. Estimated time to finish: ' in first
    assert first.endswith('.\n\033[4A')
    assert text.endswith('\033[J')


def test_progress_bar_training_length(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=lambda trainer: trainer.updater.iteration >= 4)
    out = io.StringIO()
    trainer.extend(extensions.ProgressBar(training_length=(4, 'iteration'), update_interval=2, out=out))
    trainer.run()
    assert out.getvalue().splitlines()[1].startswith('         4 iter, 1 epoch / 4 iterations, 100.00%')
    trainer, _ = make_trainer(tmp_path, stop=lambda trainer: trainer.updater.iteration >= 4)
    trainer.extend(extensions.ProgressBar(out=out))
    with pytest.raises(TypeError, match='pass training_length'):
        trainer.run()


def test_progress_bar_bad_arguments():
    with pytest.raises(InvalidType, match=r"ProgressBar: expect training_length to be a pair"):
        extensions.ProgressBar(training_length=(10, 'epochs'))
    with pytest.raises(InvalidType, match=r'ProgressBar: expect update_interval > 0, actual '
                                          r'update_interval == 0'):
        extensions.ProgressBar(update_interval=0)


# ---------------------------------------------------------------------------
# PlotReport

PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def test_plot_report_writes_png(tmp_path):
    assert extensions.PlotReport.available()
    trainer, model = make_trainer(tmp_path, stop=(2, 'epoch'))
    trainer.extend(extensions.Evaluator(validation_iterator(), model))
    plot = extensions.PlotReport(['main/loss', 'validation/main/loss'], 'epoch', filename='loss.png')
    trainer.extend(plot)
    trainer.run()
    with open(os.path.join(trainer.out, 'loss.png'), 'rb') as f:
        assert f.read(8) == PNG_MAGIC
    assert [x for x, _ in plot._data['main/loss']] == [1, 2]
    assert leftover_temp_files(trainer.out) == []


def test_plot_report_points_are_interval_means(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(4, 'iteration'))
    spy = Spy()
    plot = extensions.PlotReport('main/loss', 'iteration', trigger=(2, 'iteration'))
    trainer.extend(plot)
    trainer.extend(spy)
    trainer.run()
    losses = [o['main/loss'] for o in spy.observations]
    assert plot._data['main/loss'] == [(2, pytest.approx((losses[0] + losses[1]) / 2)),
                                       (4, pytest.approx((losses[2] + losses[3]) / 2))]
    assert os.path.exists(os.path.join(trainer.out, 'plot.png'))


def test_plot_report_without_matplotlib_warns_once(tmp_path, monkeypatch):
    from minigrad.training.extensions import plot_report
    monkeypatch.setitem(sys.modules, 'matplotlib', None)      # import matplotlib -> ImportError
    monkeypatch.setattr(plot_report, '_available', None)
    monkeypatch.setattr(plot_report, '_warned', False)
    with pytest.warns(UserWarning, match='matplotlib is not installed') as record:
        plot = extensions.PlotReport(['main/loss'])
        assert not extensions.PlotReport.available()
        trainer, _ = make_trainer(tmp_path, stop=(1, 'epoch'))
        trainer.extend(plot)
        trainer.run()
    assert len(record) == 1
    assert not os.path.exists(os.path.join(trainer.out, 'plot.png'))


def test_plot_report_chainer_defaults_and_file_name_alias(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'epoch'))
    plot = extensions.PlotReport(['main/loss'], file_name='loss.png')
    default = extensions.PlotReport(['main/loss'])
    trainer.extend(plot)
    trainer.extend(default)
    trainer.run()
    # x_key defaults to 'iteration' (Chainer's default), trigger to once an epoch.
    assert [x for x, _ in plot._data['main/loss']] == [4, 8]
    assert sorted(os.listdir(trainer.out)) == ['loss.png', 'plot.png']
    assert extensions.PlotReport('a', filename='a.png', file_name='a.png')._filename == 'a.png'
    with pytest.raises(TypeError, match='PlotReport: file_name is the older name of filename'):
        extensions.PlotReport('a', filename='a.png', file_name='b.png')


def test_import_training_does_not_import_matplotlib_or_graphviz():
    import subprocess
    code = ('import sys, minigrad, minigrad.training; '
            'print("matplotlib" in sys.modules, "graphviz" in sys.modules)')
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            cwd=root, timeout=120)
    assert result.stdout.strip() == 'False False', result.stderr


# ---------------------------------------------------------------------------
# snapshot and snapshot_object

def test_snapshot_names_and_contents(tmp_path):
    trainer, model = make_trainer(tmp_path, stop=(2, 'epoch'))
    trainer.extend(extensions.snapshot())
    trainer.extend(extensions.snapshot_object(model.predictor, 'predictor_{.updater.epoch}'),
                   trigger=(1, 'epoch'))
    trainer.run()
    assert sorted(os.listdir(trainer.out)) == ['predictor_1', 'predictor_2',
                                               'snapshot_iter_4', 'snapshot_iter_8']
    fresh = L.Linear(2, 2)
    serializers.load_npz(os.path.join(trainer.out, 'predictor_2'), fresh)
    numpy.testing.assert_array_equal(fresh.W.data, model.predictor.W.data)
    with numpy.load(os.path.join(trainer.out, 'snapshot_iter_4')) as npz:
        assert int(npz['updater/iteration']) == 4


def test_snapshot_custom_savefun_and_callable_filename(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(1, 'epoch'))
    saved = []

    def savefun(path, target):
        saved.append(target)
        with open(path, 'w') as f:
            f.write('iteration {}'.format(int(target['updater/iteration'])))

    trainer.extend(extensions.snapshot(savefun=savefun,
                                       filename=lambda t: 'snap{}'.format(t.updater.epoch)))
    trainer.run()
    # As in Chainer, savefun gets the trainer flattened to {key: array}.
    assert len(saved) == 1 and isinstance(saved[0], dict)
    assert 'updater/model:main/predictor/W' in saved[0]
    assert open(os.path.join(trainer.out, 'snap1')).read() == 'iteration 4'
    assert leftover_temp_files(trainer.out) == []


def test_snapshot_savefun_must_be_callable():
    with pytest.raises(InvalidType, match=r"snapshot: expect savefun to be a callable .*"
                                          r"actual savefun == 'snapshot_{.updater.epoch}'"):
        extensions.snapshot('snapshot_{.updater.epoch}')


def test_failed_snapshot_leaves_the_previous_one_intact(tmp_path, monkeypatch):
    trainer, model = make_trainer(tmp_path, stop=(2, 'epoch'))
    trainer.extend(extensions.snapshot(filename='snapshot'))
    state = {}

    def break_second_save(trainer):
        if trainer.updater.epoch == 1:
            state['bytes'] = open(os.path.join(trainer.out, 'snapshot'), 'rb').read()
            state['W'] = model.predictor.W.data.copy()

            def failing_savez(file, *args, **kwargs):
                file.write(b'PK\x03\x04 half an archive')
                raise OSError('disk full')

            monkeypatch.setattr(numpy, 'savez_compressed', failing_savez)
            monkeypatch.setattr(numpy, 'savez', failing_savez)

    trainer.extend(break_second_save, trigger=(1, 'epoch'), priority=-200)    # after the snapshot
    with pytest.raises(OSError, match='disk full'):
        trainer.run()
    monkeypatch.undo()
    assert open(os.path.join(trainer.out, 'snapshot'), 'rb').read() == state['bytes']
    assert leftover_temp_files(trainer.out) == []
    fresh, _ = make_trainer(tmp_path / 'fresh')
    serializers.load_npz(os.path.join(trainer.out, 'snapshot'), fresh)
    assert fresh.updater.iteration == 4
    numpy.testing.assert_array_equal(
        fresh.updater.get_optimizer('main').target.predictor.W.data, state['W'])


def test_failed_custom_savefun_leaves_the_previous_file(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'epoch'))

    def savefun(path, target):
        with open(path, 'w') as f:
            f.write('partial')
            if int(target['updater/iteration']) == 8:      # the end of epoch 2
                raise RuntimeError('interrupted')
            f.write(' and complete')

    trainer.extend(extensions.snapshot(savefun=savefun, filename='snap'))
    with pytest.raises(RuntimeError, match='interrupted'):
        trainer.run()
    assert open(os.path.join(trainer.out, 'snap')).read() == 'partial and complete'
    assert leftover_temp_files(trainer.out) == []


def test_snapshot_on_error(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'epoch'))
    trainer.extend(extensions.snapshot(filename='crash_{.updater.iteration}', snapshot_on_error=True))

    def crash(trainer):
        if trainer.updater.iteration == 6:
            raise ValueError('bad batch')

    trainer.extend(crash, name='crash')
    with pytest.raises(ValueError):
        trainer.run()
    assert sorted(os.listdir(trainer.out)) == ['crash_4', 'crash_6']


# ---------------------------------------------------------------------------
# DumpGraph

def test_dump_graph_first_iteration_only(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(3, 'iteration'))
    spy = Spy()
    trainer.extend(extensions.DumpGraph('main/loss'))
    trainer.extend(spy)
    trainer.run()
    dot = open(os.path.join(trainer.out, 'cg.dot')).read()
    assert dot.startswith('digraph') and 'LinearFunction' in dot
    assert 'SoftmaxCrossEntropy' in dot
    # Later iterations keep no graph: their loss is a plain number.
    assert isinstance(spy.observations[0]['main/loss'], minigrad.Variable)
    assert [type(o['main/loss']) for o in spy.observations[1:]] == [float, float]
    assert getattr(configuration.config, 'keep_graph_on_report', False) is False
    svg = os.path.join(trainer.out, 'cg.svg')
    assert os.path.exists(svg) == (shutil.which('dot') is not None)
    if os.path.exists(svg):
        assert '<svg' in open(svg).read()
    assert leftover_temp_files(trainer.out) == []


def test_dump_graph_frees_the_first_graph(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(2, 'iteration'))
    refs = []
    trainer.extend(extensions.DumpGraph('main/loss'))
    trainer.extend(lambda t: refs.append(weakref.ref(t.observation['main/loss'].creator))
                   if t.updater.iteration == 1 else None, name='ref', priority=-1000)
    trainer.run()
    gc.collect()
    assert refs[0]() is None       # nothing holds the first iteration's graph after the run


def test_dump_graph_without_dot_writes_only_the_dot_file(tmp_path, monkeypatch):
    from minigrad.training.extensions import computational_graph
    monkeypatch.setattr(computational_graph.shutil, 'which', lambda name: None)
    trainer, _ = make_trainer(tmp_path, stop=(1, 'iteration'))
    trainer.extend(extensions.DumpGraph('main/loss', filename='graph.dot'))
    trainer.run()
    assert sorted(os.listdir(trainer.out)) == ['graph.dot']


def test_dump_graph_missing_key_restores_the_flag(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(1, 'iteration'))
    trainer.extend(extensions.DumpGraph('main/nothing'))
    with pytest.raises(KeyError, match="'main/nothing' was not reported"):
        trainer.run()
    assert getattr(configuration.config, 'keep_graph_on_report', False) is False


def test_dump_graph_restores_the_threads_own_flag(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=(1, 'iteration'))
    trainer.extend(extensions.DumpGraph('main/loss'))
    with minigrad.using_config('keep_graph_on_report', False):
        trainer.run()
        assert configuration.config.keep_graph_on_report is False
    assert os.path.exists(os.path.join(trainer.out, 'cg.dot'))


def test_dump_graph_flag_restored_when_no_iteration_runs(tmp_path):
    trainer, _ = make_trainer(tmp_path, stop=lambda trainer: True)
    trainer.extend(extensions.DumpGraph('main/loss'))
    trainer.run()
    assert getattr(configuration.config, 'keep_graph_on_report', False) is False
    assert not os.path.exists(os.path.join(trainer.out, 'cg.dot'))
