"""The training loop, as ``chainer.training.Trainer``."""
import collections
import os
import sys
import time
import traceback

import numpy

from minigrad import reporter as reporter_module
from minigrad.training import extension as extension_module
from minigrad.training import util
from minigrad.utils import loading


class _ExtensionEntry:

    def __init__(self, extension, priority, trigger, call_before_training):
        self.extension = extension
        self.priority = priority
        self.trigger = trigger
        self.call_before_training = call_before_training


class Trainer:
    """Runs an updater until a stop trigger fires, calling extensions after each update.

    :meth:`run`::

        each extension's initialize(trainer)            # may load a snapshot (autoload)
        if trainer.is_before_training:                  # iteration 0: not after a resume
            with reporter.scope(observation):
                each extension registered with call_before_training=True: extension(trainer)
        until the stop trigger fires: one iteration

    One iteration::

        observation = {}
        with reporter.scope(observation):       # what the model reports lands here
            updater.update()
            for each extension, highest priority first:
                if its trigger fires: extension(trainer)

    The reporter knows every optimizer's target as its name (``'main'``)
    and each of its child links as ``'main/<path>'``, so a Classifier's
    ``report({'loss': loss}, self)`` gives ``'main/loss'``.

    Args:
        updater: e.g. a :class:`~minigrad.training.StandardUpdater`.
        stop_trigger: when to stop: a trigger or a pair such as
            ``(20, 'epoch')``; None never stops.
        out (str): the folder for logs, plots and snapshots (created by :meth:`run`).
        extensions (list): extensions to :meth:`extend` with at once.

    Attributes:
        observation (dict): the values reported during the current iteration.
        reporter (Reporter): the reporter made current during each iteration.
    """

    def __init__(self, updater, stop_trigger=None, out='result', extensions=None):
        self.updater = updater
        self.stop_trigger = util.get_trigger(stop_trigger)
        self.observation = {}
        self.out = out
        reporter = reporter_module.Reporter()
        for name, optimizer in updater.get_all_optimizers().items():
            reporter.add_observer(name, optimizer.target)
            reporter.add_observers(name, optimizer.target.namedlinks(skipself=True))
        self.reporter = reporter
        self._done = False
        self._extensions = collections.OrderedDict()
        self._start_at = None
        self._snapshot_elapsed_time = 0.0
        self._final_elapsed_time = None
        updater.connect_trainer(self)
        for ext in extensions or ():
            self.extend(ext)

    @property
    def is_before_training(self):
        """True before the first update."""
        return self.updater.iteration == 0

    @property
    def elapsed_time(self):
        """Seconds spent training, including the runs before a resumed snapshot.

        Raises:
            RuntimeError: :meth:`run` has not started.
        """
        if self._done:
            return self._final_elapsed_time
        if self._start_at is None:
            raise RuntimeError('Trainer.elapsed_time: training has not been started yet')
        return time.perf_counter() - self._start_at + self._snapshot_elapsed_time

    def extend(self, extension, name=None, trigger=None, priority=None, *,
               call_before_training=False):
        """Register an extension.

        Args:
            extension: a callable ``extension(trainer)``, usually an
                :class:`~minigrad.training.Extension`.
            name (str): its name; None takes ``extension.name``, then
                ``default_name``, then ``__name__``.  A taken name gets a
                suffix ``_1``, ``_2``...
            trigger: when to call it; None takes ``extension.trigger``, else
                every iteration.
            priority (int): higher runs earlier; None takes ``extension.priority``.
            call_before_training (bool): also call it once before the first
                update (not its trigger: the extension itself), in priority
                order with the others so registered, all in one observation.
                An Evaluator so registered evaluates the untrained model, and
                a LogReport or PlotReport so registered writes that as an
                epoch-0 entry.  A run resumed from a snapshot skips these
                calls: they belong to iteration 0.
        """
        if self._start_at is not None:
            raise RuntimeError('Trainer.extend: cannot extend after the training loop has started')
        if name is None:
            name = (getattr(extension, 'name', None) or getattr(extension, 'default_name', None)
                    or getattr(extension, '__name__', None))
            if name is None:
                raise TypeError('Trainer.extend: the extension {!r} has no name, default_name or '
                                '__name__; pass name=...'.format(extension))
        if name == 'training':
            raise ValueError('Trainer.extend: the name "training" is reserved')
        if trigger is None:
            trigger = getattr(extension, 'trigger', (1, 'iteration'))
        trigger = util.get_trigger(trigger)
        if priority is None:
            priority = getattr(extension, 'priority', extension_module.PRIORITY_READER)
        unique = name
        ordinal = 0
        while unique in self._extensions:
            ordinal += 1
            unique = '{}_{}'.format(name, ordinal)
        extension.name = unique
        self._extensions[unique] = _ExtensionEntry(extension, priority, trigger, call_before_training)

    def get_extension(self, name):
        """The extension registered as ``name``."""
        if name not in self._extensions:
            raise ValueError('Trainer.get_extension: no extension named {!r}; registered: {}'
                             .format(name, list(self._extensions)))
        return self._extensions[name].extension

    def run(self, show_loop_exception_msg=True):
        """Run the training loop until the stop trigger fires.

        A trainer runs once; to continue training, load a snapshot into a
        new trainer (``serializers.load_npz(path, trainer)``) and run that.
        """
        if self._done:
            raise RuntimeError('Trainer.run: a trainer runs only once; load a snapshot '
                               'into a new trainer to continue')
        os.makedirs(self.out, exist_ok=True)
        # sorted() is stable: equal priorities keep the order of registration.
        extensions = sorted(self._extensions.items(), key=lambda item: item[1].priority,
                            reverse=True)
        self._start_at = time.perf_counter()
        for _, entry in extensions:
            initialize = getattr(entry.extension, 'initialize', None)
            if initialize and not getattr(entry.trigger, 'finished', False):
                initialize(self)

        update = self.updater.update
        reporter = self.reporter
        stop_trigger = self.stop_trigger
        loop_failed = True
        try:
            # Only before the first update: a run resumed from a snapshot has had its
            # pre-training calls (an Evaluator's epoch-0 row) already.
            if self.is_before_training and any(entry.call_before_training
                                               for _, entry in extensions):
                self.observation = {}
                with reporter.scope(self.observation):
                    for _, entry in extensions:
                        if entry.call_before_training:
                            entry.extension(self)
            while not stop_trigger(self):
                self.observation = {}
                with reporter.scope(self.observation):
                    update()
                    for _, entry in extensions:
                        if entry.trigger(self):
                            entry.extension(self)
            loop_failed = False
        except Exception as error:
            if show_loop_exception_msg:
                # Shown now: a finalizer that hangs would otherwise hide it.
                sys.stderr.write('Exception in main training loop: {}\n'.format(error))
                sys.stderr.write('Traceback (most recent call last):\n')
                traceback.print_tb(sys.exc_info()[2])
                sys.stderr.write('Will finalize trainer extensions and updater before '
                                 'reraising the exception.\n')
            for _, entry in extensions:
                on_error = getattr(entry.extension, 'on_error', None)
                if on_error:
                    try:
                        on_error(self, error, sys.exc_info()[2])
                    except Exception as handler_error:
                        sys.stderr.write('Exception in the on_error handler of {}: {}\n'
                                         .format(entry.extension.name, handler_error))
            raise
        finally:
            finalize_error = self._finalize(extensions)
        if finalize_error is not None and not loop_failed:
            raise finalize_error
        self._final_elapsed_time = self.elapsed_time
        self._done = True

    def _finalize(self, extensions):
        """Call every extension's ``finalize``, then the updater's; return the first error.

        Each runs even if an earlier one raised (a background snapshot writer
        reporting a failed save must not keep the iterators from closing).
        """
        first_error = None
        for _, entry in extensions:
            finalize = getattr(entry.extension, 'finalize', None)
            if finalize:
                try:
                    finalize()
                except Exception as error:
                    sys.stderr.write('Exception in the finalize of {}: {}\n'
                                     .format(entry.extension.name, error))
                    first_error = first_error or error
        self.updater.finalize()
        return first_error

    def serialize(self, serializer):
        """Save or load the whole training state (a snapshot).

        Keys, as in Chainer: ``updater/...`` (iterators, optimizers, models,
        ``iteration``), ``stop_trigger/...``, ``extensions/<name>/...``,
        ``extension_triggers/<name>/...`` and ``_snapshot_elapsed_time``;
        and, beyond Chainer, NumPy's global random state (``random_state/...``),
        which loading restores so that later shuffles and dropout masks
        repeat those of an uninterrupted run.

        Loading is all or nothing.  :func:`~minigrad.serializers.load_npz`
        checks the file's structure before it assigns anything; this method
        then walks the whole trainer once more checking every stored value
        (a log that is not JSON, an iterator position past its epoch, a
        broken random state...) before the walk that assigns.  A bad or
        missing entry raises naming its key and leaves the model, the
        optimizers, the iterators, the updater's iteration, every extension
        and the random state as they were.
        """
        loading.check_first(self._serialize, serializer)

    def _serialize(self, serializer):
        self.updater.serialize(serializer['updater'])
        if hasattr(self.stop_trigger, 'serialize'):
            self.stop_trigger.serialize(serializer['stop_trigger'])
        s = serializer['extensions']
        t = serializer['extension_triggers']
        for name, entry in self._extensions.items():
            if hasattr(entry.extension, 'serialize'):
                entry.extension.serialize(s[name])
            if hasattr(entry.trigger, 'serialize'):
                entry.trigger.serialize(t[name])
        if loading.is_loading(serializer):
            self._snapshot_elapsed_time = float(
                serializer('_snapshot_elapsed_time', self._snapshot_elapsed_time))
        else:
            elapsed = self.elapsed_time if self._start_at is not None else self._snapshot_elapsed_time
            serializer('_snapshot_elapsed_time', elapsed)
        _serialize_random_state(serializer['random_state'])


_RANDOM_KEYS = ('keys', 'pos', 'has_gauss', 'cached_gaussian')


def _serialize_random_state(serializer):
    """Save or restore NumPy's global random state (``random_state/keys``, ``pos``...).

    The shuffles of the epochs after a snapshot and the dropout masks come
    from it, so restoring it makes a resumed run repeat an uninterrupted
    one exactly.  Chainer does not save it; a snapshot without these keys
    (from Chainer) loads and leaves the random state alone, but one with
    only some of them is corrupt (KeyError naming a missing key).
    """
    if not loading.is_loading(serializer):
        _, keys, pos, has_gauss, cached = numpy.random.get_state()
        serializer('keys', keys)
        serializer('pos', int(pos))
        serializer('has_gauss', int(has_gauss))
        serializer('cached_gaussian', float(cached))
        return
    stored, missing = {}, []
    for key in _RANDOM_KEYS:
        try:
            stored[key] = loading.read(serializer, key)
        except KeyError:
            missing.append(key)
    if len(missing) == len(_RANDOM_KEYS):
        return
    if missing:
        raise KeyError('Trainer.serialize: {!r} is missing, though {!r} is there: the random '
                       'state is saved in part only'.format(
                           loading.key_name(serializer, missing[0]),
                           loading.key_name(serializer, sorted(stored)[0])))
    if any(v is None for v in stored.values()):     # load_npz's checking pass
        return
    name = 'Trainer'
    state = loading.mt19937_state(
        name, serializer, 'keys', stored['keys'],
        loading.as_int(name, serializer, 'pos', stored['pos'], 0, 624),
        loading.as_int(name, serializer, 'has_gauss', stored['has_gauss'], 0, 1),
        loading.as_float(name, serializer, 'cached_gaussian', stored['cached_gaussian']))
    if not loading.is_checking(serializer):
        numpy.random.set_state(state)
