"""Snapshots: save the trainer (to resume) or any object (a model) during training.

Each snapshot is written atomically (a temporary file renamed when
complete).  ``n_retains`` keeps only the newest files; ``autoload`` loads
the newest one when training starts, so rerunning the same script after a
crash continues where it stopped.
"""
import os
import re
import string

from minigrad import serializers
from minigrad import type_check
from minigrad.training import extension
from minigrad.training.extensions import snapshot_writers


class _Serialized(dict):
    """A snapshot flattened to ``{key: array}``, which also serializes itself again.

    Chainer hands writers and ``savefun`` this dict; its ``serialize`` lets
    ``save_npz`` (and any savefun that calls ``obj.serialize``) take it as
    it would take the trainer, with the same keys.
    """

    def serialize(self, serializer):
        for key, value in self.items():
            serializer(key, value)


def _serialize(target):
    flat = serializers.DictionarySerializer()
    flat.save(target)
    return _Serialized(flat.target)


def _pattern(filename):
    """A regex matching every name the format string ``filename`` can produce.

    Each replacement field (``{.updater.iteration}``) matches one or more
    characters; the literal text must match exactly.
    """
    parts = []
    for literal, field, _, _ in string.Formatter().parse(filename):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append('.+')
    return re.compile(''.join(parts))


def _natural_key(name):
    # 'snapshot_iter_10' after 'snapshot_iter_9': the digit runs compare as numbers
    # (re.split puts text at even positions and digits at odd ones, so types line up).
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r'(\d+)', name))]


def find_snapshot_files(filename, outdir):
    """The files in ``outdir`` whose names fit the format ``filename``, oldest first.

    Ordered by modification time, then by name with numbers compared as
    numbers (two snapshots written within the clock's resolution).  Hidden
    files (the temporary files of a save in progress) are left out.
    """
    if not os.path.isdir(outdir):
        return []
    pattern = _pattern(filename)
    found = []
    for name in os.listdir(outdir):
        path = os.path.join(outdir, name)
        if name.startswith('.') or not pattern.fullmatch(name) or not os.path.isfile(path):
            continue
        found.append((os.stat(path).st_mtime_ns, _natural_key(name), name))
    return [name for _, _, name in sorted(found)]


def _always_true():
    return True


class _Snapshot(extension.Extension):
    """Save ``target`` (the trainer if None) to ``out/<filename>`` when triggered.

    See :func:`snapshot` for the arguments.
    """

    trigger = 1, 'epoch'
    priority = extension.PRIORITY_SNAPSHOT

    def __init__(self, target=None, condition=None, writer=None,
                 filename='snapshot_iter_{.updater.iteration}', snapshot_on_error=False,
                 n_retains=-1, autoload=False, default_name='snapshot'):
        self._default_name = default_name
        self._target = target
        self.filename = filename
        self.condition = _always_true if condition is None else condition
        self.writer = snapshot_writers.SimpleWriter() if writer is None else writer
        self._snapshot_on_error = snapshot_on_error
        self.n_retains = n_retains
        self.autoload = autoload
        self._cleanup_added = False

    @property
    def default_name(self):
        return self._default_name

    def initialize(self, trainer):
        """Load the newest snapshot if ``autoload``; set up the removal of old ones."""
        outdir = trainer.out
        if self.autoload:
            names = find_snapshot_files(self.filename, outdir)
            if names:
                target = trainer if self._target is None else self._target
                serializers.load_npz(os.path.join(outdir, names[-1]), target)
        if self.n_retains > 0 and not self._cleanup_added:
            if hasattr(self.writer, '_add_cleanup_hook'):
                self.writer._add_cleanup_hook(lambda: self._remove_stale(outdir))
                self._cleanup_added = True

    def _remove_stale(self, outdir):
        names = find_snapshot_files(self.filename, outdir)
        for name in names[:max(len(names) - self.n_retains, 0)]:
            os.remove(os.path.join(outdir, name))

    def __call__(self, trainer):
        if self.condition():
            self._make_snapshot(trainer)

    def on_error(self, trainer, exc, tb):
        if self._snapshot_on_error:
            self._make_snapshot(trainer)

    def _make_snapshot(self, trainer):
        target = trainer if self._target is None else self._target
        filename = self.filename(trainer) if callable(self.filename) else self.filename.format(trainer)
        self.writer(filename, trainer.out, _serialize(target))
        if self.n_retains > 0 and not self._cleanup_added:
            # A writer without hooks: remove what is stale now that it returned.
            self._remove_stale(trainer.out)

    def finalize(self):
        finalize = getattr(self.writer, 'finalize', None)
        if finalize is not None:
            finalize()


def _make(func_name, target, filename, savefun, condition, writer, snapshot_on_error,
          n_retains, autoload):
    # snapshot('name') would otherwise take the file name for a savefun.
    type_check.require(savefun is None or callable(savefun), func_name,
                       'savefun to be a callable savefun(path, obj) (pass the file name as filename=)',
                       'savefun == {!r}'.format(savefun))
    if savefun is not None and writer is not None:
        raise TypeError('{}: give savefun or writer, not both (a writer has its own savefun: '
                        'snapshot_writers.SimpleWriter(savefun=...))'.format(func_name))
    if (n_retains > 0 or autoload) and not isinstance(filename, str):
        raise ValueError('{}: n_retains and autoload find the snapshot files by their names, so '
                         'they need filename to be a format string, actual {!r}'
                         .format(func_name, filename))
    if writer is None:
        writer = snapshot_writers.SimpleWriter(
            serializers.save_npz if savefun is None else savefun)
    return _Snapshot(target=target, condition=condition, writer=writer, filename=filename,
                     snapshot_on_error=snapshot_on_error, n_retains=n_retains, autoload=autoload,
                     default_name=func_name)


def snapshot(savefun=None, filename='snapshot_iter_{.updater.iteration}', *, target=None,
             condition=None, writer=None, snapshot_on_error=False, n_retains=-1, autoload=False):
    """An extension that saves the whole trainer, to resume training later.

    The snapshot holds everything :meth:`Trainer.serialize` saves: the
    updater (iterator position and order, optimizer state with ``t`` and
    each parameter's state, the model, the iteration), the triggers and
    the extensions' states (the LogReport's log).  Resume with::

        trainer = ...                      # built as before
        serializers.load_npz('result/snapshot_iter_500', trainer)
        trainer.run()                      # continues from iteration 500

    or let it find the newest snapshot itself::

        trainer.extend(extensions.snapshot(n_retains=1, autoload=True), trigger=(1, 'epoch'))

    The target is first flattened to a dict of arrays (as Chainer does),
    which the writer saves under a temporary name and renames when
    complete, so a crash or an error while saving leaves the previous file
    intact.  By default it runs once per epoch, after the other extensions
    (priority -100), so the snapshot includes the log entry of its own
    epoch.

    Args:
        savefun (callable): ``savefun(path, target)``; None means
            :func:`minigrad.serializers.save_npz`.  ``target`` is the
            flattened dict (it has ``serialize`` too).  Not with ``writer``.
        filename (str or callable): formatted with the trainer
            (``'snapshot_iter_{.updater.iteration}'``), or a callable
            ``filename(trainer)``.
        target: what to save; None means the trainer.
        condition (callable): ``condition() -> bool``; a snapshot is taken
            only when it returns True (None: always).
        writer: a :mod:`~minigrad.training.extensions.snapshot_writers`
            writer, e.g. ``ThreadWriter()`` to save in the background.
        snapshot_on_error (bool): also save when the training loop raises.
        n_retains (int): keep only the newest ``n_retains`` files whose
            names fit ``filename`` (by modification time); removed right
            after each save.  -1 keeps all.
        autoload (bool): when training starts, load the newest such file in
            ``trainer.out`` into the target, if there is one (it must have
            been written by ``save_npz``).  Loading happens before any
            ``call_before_training`` extension runs, which a resumed run
            then skips.
    """
    return _make('snapshot', target, filename, savefun, condition, writer, snapshot_on_error,
                 n_retains, autoload)


def snapshot_object(target, filename, savefun=None, *, condition=None, writer=None,
                    snapshot_on_error=False, n_retains=-1, autoload=False):
    """An extension that saves ``target`` (e.g. the model) when triggered, atomically.

    Args:
        target: an object with ``serialize`` (a Link, an optimizer...).
        filename (str or callable): formatted with the trainer, e.g.
            ``'model_epoch_{.updater.epoch}'``, or ``filename(trainer)``.
        savefun (callable): ``savefun(path, obj)``; None means ``save_npz``.
        condition, writer, snapshot_on_error, n_retains, autoload: as in
            :func:`snapshot`.
    """
    return _make('snapshot_object', target, filename, savefun, condition, writer,
                 snapshot_on_error, n_retains, autoload)
