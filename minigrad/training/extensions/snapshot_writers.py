"""Snapshot writers: how a snapshot extension puts its serialized target on disk.

A writer is called as ``writer(filename, outdir, target)``, where
``target`` is the snapshot already flattened into a dict of arrays (keys
such as ``updater/iteration``; it also has ``serialize``, so
:func:`~minigrad.serializers.save_npz` takes it as it takes a Link).
Every writer here saves atomically: ``savefun`` writes a temporary file
beside the target, which is renamed over it only once complete.

- :class:`SimpleWriter`: saves at once, in the training thread.
- :class:`ThreadWriter`: saves in a background thread, so training goes on
  while the file is compressed and written (one save at a time).
"""
import os
import threading

import numpy

from minigrad import serializers
from minigrad.utils.atomic import atomic_save


class Writer:
    """Base class of snapshot writers: :meth:`save` writes atomically, then runs the hooks.

    The snapshot extension adds a hook that removes old snapshots
    (``n_retains``); it runs right after each save, in the thread that saved.
    """

    def __init__(self):
        self._post_save_hooks = []

    def __call__(self, filename, outdir, target):
        """Save ``target`` (a dict of arrays) to ``outdir/filename``."""
        raise NotImplementedError

    def finalize(self):
        """Called at the end of training: wait for pending saves (nothing by default)."""

    def save(self, filename, outdir, target, savefun, **kwds):
        """``savefun(temp, target, **kwds)`` into a temporary file, renamed to ``outdir/filename``."""
        atomic_save(os.path.join(outdir, filename), lambda temp: savefun(temp, target, **kwds))
        for hook in self._post_save_hooks:
            hook()

    def _add_cleanup_hook(self, hook):
        """Run ``hook()`` after every completed save (Chainer's name)."""
        self._post_save_hooks.append(hook)


class SimpleWriter(Writer):
    """Save in the training thread with ``savefun(path, target, **kwds)``.

    Args:
        savefun (callable): e.g. :func:`minigrad.serializers.save_npz`.
        kwds: keyword arguments for ``savefun`` (``compression=False``...).
    """

    def __init__(self, savefun=serializers.save_npz, **kwds):
        super().__init__()
        self._savefun = savefun
        self._kwds = kwds

    def __call__(self, filename, outdir, target):
        self.save(filename, outdir, target, self._savefun, **self._kwds)


class ThreadWriter(Writer):
    """Save in a background thread while training continues.

    The arrays are copied first (training would change them while they
    are written).  A new save waits for the previous one; :meth:`finalize`
    (at the end of training) waits for the last, and re-raises its error
    if it failed, so a failed snapshot is never silent.

    Args:
        savefun (callable): e.g. :func:`minigrad.serializers.save_npz`.
        kwds: keyword arguments for ``savefun``.
    """

    def __init__(self, savefun=serializers.save_npz, **kwds):
        super().__init__()
        self._savefun = savefun
        self._kwds = kwds
        self._worker = None
        self._error = None

    def __call__(self, filename, outdir, target):
        self._join()
        copied = type(target)((key, numpy.array(value, copy=True)) for key, value in target.items())
        self._worker = threading.Thread(target=self._run, args=(filename, outdir, copied))
        self._worker.start()

    def _run(self, filename, outdir, target):
        try:
            self.save(filename, outdir, target, self._savefun, **self._kwds)
        except BaseException as error:      # re-raised in the training thread by _join
            self._error = error

    def _join(self):
        if self._worker is not None:
            self._worker.join()
            self._worker = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def finalize(self):
        self._join()
