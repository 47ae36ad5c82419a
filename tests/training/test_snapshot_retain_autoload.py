"""snapshot(n_retains=, autoload=, condition=, writer=): old files removed, the newest loaded."""
import os

import numpy
import pytest

from minigrad import serializers
from minigrad.training import extensions
from minigrad.training.extensions import snapshot_writers
from minigrad.training.extensions.snapshot import find_snapshot_files
from tests.training.common import make_trainer


def files(folder):
    return sorted(os.listdir(folder))


def test_n_retains_keeps_the_newest_files(tmp_path):
    trainer, _ = make_trainer(tmp_path / 'out', stop=(5, 'iteration'))
    trainer.extend(extensions.snapshot(n_retains=2), trigger=(1, 'iteration'))
    trainer.run()
    assert files(trainer.out) == ['snapshot_iter_4', 'snapshot_iter_5']


def test_n_retains_touches_only_names_of_its_format(tmp_path):
    out = tmp_path / 'out'
    os.makedirs(out)
    for name in ('snap_notes.txt', 'snap_.npz.bak', 'log', 'model_3.npz'):
        (out / name).write_text('keep me')
    trainer, _ = make_trainer(out, stop=(4, 'iteration'))
    trainer.extend(extensions.snapshot(filename='snap_{.updater.iteration}.npz', n_retains=1),
                   trigger=(2, 'iteration'))
    trainer.extend(extensions.LogReport(trigger=(1, 'iteration')))
    trainer.run()
    assert files(out) == ['log', 'model_3.npz', 'snap_.npz.bak', 'snap_4.npz', 'snap_notes.txt']


def test_n_retains_minus_one_keeps_all(tmp_path):
    trainer, _ = make_trainer(tmp_path / 'out', stop=(3, 'iteration'))
    trainer.extend(extensions.snapshot(), trigger=(1, 'iteration'))
    trainer.run()
    assert files(trainer.out) == ['snapshot_iter_1', 'snapshot_iter_2', 'snapshot_iter_3']


def test_newest_by_time_then_by_number(tmp_path):
    for name, mtime in [('snapshot_iter_9', 100), ('snapshot_iter_10', 100), ('snapshot_iter_2', 50),
                        ('snapshot_iter_1', 200)]:
        (tmp_path / name).write_text('')
        os.utime(tmp_path / name, (mtime, mtime))
    (tmp_path / '.snapshot_iter_11.abc.tmp').write_text('')       # a save in progress
    os.makedirs(tmp_path / 'snapshot_iter_12')                      # not a file
    # Same time: 10 is newer than 9 (numbers compare as numbers, not as text).
    assert find_snapshot_files('snapshot_iter_{.updater.iteration}', str(tmp_path)) == [
        'snapshot_iter_2', 'snapshot_iter_9', 'snapshot_iter_10', 'snapshot_iter_1']
    assert find_snapshot_files('snapshot_iter_{}', str(tmp_path / 'missing')) == []


def test_autoload_resumes_from_the_newest_snapshot(tmp_path):
    """Run the same script twice: the second run continues the first, as one long run would."""
    straight, straight_model = make_trainer(tmp_path / 'straight', stop=(8, 'iteration'), shuffle=True)
    straight.run()

    def script(stop, model_seed):
        trainer, model = make_trainer(tmp_path / 'out', stop=(stop, 'iteration'), shuffle=True,
                                      model_seed=model_seed)
        trainer.extend(extensions.snapshot(n_retains=1, autoload=True), trigger=(3, 'iteration'))
        starts = []
        trainer.extend(lambda t: starts.append(t.updater.iteration), name='start',
                       call_before_training=True, trigger=(100, 'iteration'))
        trainer.run()
        return trainer, model, starts

    first, _, starts = script(5, model_seed=0)
    assert starts == [0] and files(first.out) == ['snapshot_iter_3']
    second, model, starts = script(8, model_seed=1)   # other weights: all from the file
    assert starts == []          # resumed at iteration 3: nothing runs "before training"
    assert second.updater.iteration == 8
    assert files(second.out) == ['snapshot_iter_6']
    numpy.testing.assert_array_equal(model.predictor.W.data, straight_model.predictor.W.data)


def test_autoload_without_a_snapshot_starts_afresh(tmp_path):
    trainer, _ = make_trainer(tmp_path / 'out', stop=(2, 'iteration'))
    trainer.extend(extensions.snapshot(autoload=True), trigger=(2, 'iteration'))
    trainer.run()
    assert files(trainer.out) == ['snapshot_iter_2']


def test_autoload_into_a_target(tmp_path):
    trainer, model = make_trainer(tmp_path / 'out', stop=(2, 'iteration'))
    trainer.extend(extensions.snapshot_object(model, 'model_{.updater.iteration}'),
                   trigger=(2, 'iteration'))
    trainer.run()
    again, fresh = make_trainer(tmp_path / 'out', stop=(1, 'iteration'), model_seed=7)
    loaded = []
    again.extend(extensions.snapshot_object(fresh, 'model_{.updater.iteration}', autoload=True),
                 trigger=(100, 'iteration'))
    again.extend(lambda t: loaded.append(fresh.predictor.W.data.copy()), name='probe',
                 call_before_training=True, trigger=(100, 'iteration'))
    again.run()
    # A model snapshot does not move the trainer: it still runs "before training".
    numpy.testing.assert_array_equal(loaded[0], model.predictor.W.data)


def test_condition(tmp_path):
    trainer, _ = make_trainer(tmp_path / 'out', stop=(4, 'iteration'))
    trainer.extend(extensions.snapshot(condition=lambda: trainer.updater.iteration % 2 == 0),
                   trigger=(1, 'iteration'))
    trainer.run()
    assert files(trainer.out) == ['snapshot_iter_2', 'snapshot_iter_4']


@pytest.mark.parametrize('writer', [snapshot_writers.SimpleWriter(compression=False),
                                    snapshot_writers.ThreadWriter()], ids=['simple', 'thread'])
def test_writers_save_loadable_snapshots_and_retain(tmp_path, writer):
    trainer, model = make_trainer(tmp_path / 'out', stop=(4, 'iteration'))
    weights = {}
    trainer.extend(lambda t: weights.setdefault(t.updater.iteration, model.predictor.W.data.copy()),
                   name='weights', priority=-1000)
    trainer.extend(extensions.snapshot(writer=writer, n_retains=2), trigger=(1, 'iteration'))
    trainer.run()         # finalize waits for the thread
    assert files(trainer.out) == ['snapshot_iter_3', 'snapshot_iter_4']
    resumed, fresh = make_trainer(tmp_path / 'again', stop=(4, 'iteration'), model_seed=3)
    serializers.load_npz(os.path.join(trainer.out, 'snapshot_iter_3'), resumed)
    assert resumed.updater.iteration == 3
    # The thread wrote the weights of iteration 3, though training changed them meanwhile.
    numpy.testing.assert_array_equal(fresh.predictor.W.data, weights[3])


def test_thread_writer_failure_is_raised_at_the_end(tmp_path):
    def failing(path, target):
        raise OSError('disk full')

    trainer, _ = make_trainer(tmp_path / 'out', stop=(2, 'iteration'))
    trainer.extend(extensions.snapshot(writer=snapshot_writers.ThreadWriter(savefun=failing)),
                   trigger=(2, 'iteration'))
    with pytest.raises(OSError, match='disk full'):
        trainer.run(show_loop_exception_msg=False)
    assert files(trainer.out) == []


def test_savefun_and_writer_together():
    with pytest.raises(TypeError, match='snapshot: give savefun or writer, not both'):
        extensions.snapshot(savefun=serializers.save_npz, writer=snapshot_writers.SimpleWriter())


@pytest.mark.parametrize('kwargs', [{'n_retains': 2}, {'autoload': True}])
def test_retain_and_autoload_need_a_format_string(kwargs):
    with pytest.raises(ValueError, match=r'snapshot_object: n_retains and autoload .* need filename '
                                         r'to be a format string'):
        extensions.snapshot_object(object(), lambda trainer: 'name', **kwargs)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        extensions.snapshot(None, 'name', None)


def test_autoload_after_dump_graph_turns_its_flag_off(tmp_path):
    from minigrad import configuration
    flags = []

    def script(stop):
        trainer, _ = make_trainer(tmp_path / 'out', stop=(stop, 'iteration'))
        trainer.extend(extensions.DumpGraph('main/loss'))   # initialize turns the flag on...
        trainer.extend(extensions.snapshot(autoload=True), trigger=(2, 'iteration'))
        trainer.extend(lambda t: flags.append((configuration.config.keep_graph_on_report,
                                               type(t.observation['main/loss']).__name__)),
                       name='probe', priority=-1000)
        trainer.run()

    script(2)
    assert os.path.exists(tmp_path / 'out' / 'cg.dot')
    del flags[:]
    script(4)              # ...and the loaded snapshot says the graph is dumped already
    assert flags == [(False, 'float')] * 2
