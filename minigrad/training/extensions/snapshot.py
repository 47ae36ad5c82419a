"""Snapshots: save the trainer (to resume) or any object (a model) during training."""
import os

from minigrad import serializers
from minigrad import type_check
from minigrad.training import extension
from minigrad.utils.atomic import atomic_save


class _Snapshot(extension.Extension):
    """Save ``target`` (the trainer if None) to ``out/<filename>`` when triggered."""

    trigger = 1, 'epoch'
    priority = extension.PRIORITY_SNAPSHOT

    def __init__(self, target, filename, savefun, snapshot_on_error=False, default_name='snapshot'):
        self._default_name = default_name
        self._target = target
        self.filename = filename
        self._savefun = savefun
        self._snapshot_on_error = snapshot_on_error

    @property
    def default_name(self):
        return self._default_name

    def __call__(self, trainer):
        self._make_snapshot(trainer)

    def on_error(self, trainer, exc, tb):
        if self._snapshot_on_error:
            self._make_snapshot(trainer)

    def _make_snapshot(self, trainer):
        target = trainer if self._target is None else self._target
        name = self.filename(trainer) if callable(self.filename) else self.filename.format(trainer)
        path = os.path.join(trainer.out, name)
        if self._savefun is serializers.save_npz:
            serializers.save_npz(path, target)    # writes a temporary file and renames it itself
        else:
            atomic_save(path, lambda temp: self._savefun(temp, target))


def _check_savefun(func_name, savefun):
    # snapshot('name') would otherwise take the file name for a savefun.
    type_check.expect(savefun is None or callable(savefun), func_name,
                      'savefun to be a callable savefun(path, obj) (pass the file name as filename=)',
                      'savefun == {!r}'.format(savefun))
    return serializers.save_npz if savefun is None else savefun


def snapshot(savefun=None, filename='snapshot_iter_{.updater.iteration}', target=None,
             snapshot_on_error=False):
    """An extension that saves the whole trainer, to resume training later.

    The snapshot holds everything :meth:`Trainer.serialize` saves: the
    updater (iterator position and order, optimizer state with ``t`` and
    each parameter's state, the model, the iteration), the triggers and
    the extensions' states (the LogReport's log).  Resume with::

        trainer = ...                      # built as before
        serializers.load_npz('result/snapshot_iter_500', trainer)
        trainer.run()                      # continues from iteration 500

    The file is written under a temporary name and renamed when complete,
    so a crash or an error while saving leaves the previous file intact.
    By default it runs once per epoch, after the other extensions
    (priority -100), so the snapshot includes the log entry of its own
    epoch.

    Args:
        savefun (callable): ``savefun(path, obj)``; None means
            :func:`minigrad.serializers.save_npz`.
        filename (str or callable): formatted with the trainer
            (``'snapshot_iter_{.updater.iteration}'``), or a callable
            ``filename(trainer)``.
        target: what to save; None means the trainer.
        snapshot_on_error (bool): also save when the training loop raises.
    """
    savefun = _check_savefun('snapshot', savefun)
    return _Snapshot(target, filename, savefun, snapshot_on_error)


def snapshot_object(target, filename, savefun=None):
    """An extension that saves ``target`` (e.g. the model) when triggered, atomically.

    Args:
        target: an object with ``serialize`` (a Link, an optimizer...).
        filename (str or callable): formatted with the trainer, e.g.
            ``'model_epoch_{.updater.epoch}'``, or ``filename(trainer)``.
        savefun (callable): ``savefun(path, obj)``; None means ``save_npz``.
    """
    savefun = _check_savefun('snapshot_object', savefun)
    return _Snapshot(target, filename, savefun, default_name='snapshot_object')
