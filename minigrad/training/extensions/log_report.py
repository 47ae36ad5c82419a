"""LogReport: average the observations over an interval and write them as a JSON log."""
import json
import os

from minigrad import reporter as reporter_module
from minigrad import type_check
from minigrad.training import extension
from minigrad.training import util
from minigrad.utils import loading
from minigrad.utils.atomic import atomic_write_text


class LogReport(extension.Extension):
    """Append the means of the observations to a log at every interval, and write it.

    It is called after every iteration and adds that iteration's
    observation to running means.  When its own ``trigger`` fires it appends
    one entry to :attr:`log`::

        {"main/loss": mean over the interval, "main/accuracy": ...,
         "validation/main/loss": ..., "validation/main/accuracy": ...,
         "epoch": 1, "iteration": 100, "elapsed_time": 3.14}

    writes the whole log to ``out/<filename>`` (a JSON list, indent 4, as
    Chainer; replaced atomically), and starts new means.  A value reported
    only at some iterations (the Evaluator's, once an epoch) is averaged
    over the iterations that reported it.

    Registered with ``trainer.extend(LogReport(), call_before_training=True)``
    (with an Evaluator registered the same way) it also writes an entry
    before the first update, ``epoch`` and ``iteration`` 0, holding the
    untrained model's validation values, and the first interval starts
    afresh after it.

    Args:
        keys (list of str): the observation keys to log; None logs all.
        trigger: the logging interval, e.g. ``(1, 'epoch')``.
        postprocess (callable): ``postprocess(entry)`` may edit each entry
            before it is appended.
        filename (str): the log file in ``trainer.out``; may hold
            ``{epoch}``-style fields filled from the entry.  None falls back
            to ``log_name``.
        log_name (str): Chainer's older name of ``filename`` (default
            ``'log'``); ``filename=None, log_name=None`` writes no file.
        format (str): ``'json'`` (a list) or ``'json-lines'`` (one object
            per line); None infers it from the file name (``.jsonl`` gives
            json-lines).
    """

    def __init__(self, keys=None, trigger=(1, 'epoch'), postprocess=None, filename=None,
                 log_name='log', format=None):
        self._keys = keys
        self._trigger = util.get_trigger(trigger)
        self._postprocess = postprocess
        self._log_name = filename if filename is not None else log_name
        if format is None:
            name = self._log_name or ''
            format = 'json-lines' if name.endswith('.jsonl') else 'json'
        type_check.require(format in ('json', 'json-lines'), 'LogReport',
                           "format in ('json', 'json-lines')", 'format == {!r}'.format(format))
        self._format = format
        self._log = []
        self._init_summary()

    @property
    def log(self):
        """The list of logged entries (dicts)."""
        return self._log

    def __call__(self, trainer):
        observation = trainer.observation
        if self._keys is None:
            self._summary.add(observation)
        else:
            self._summary.add({k: observation[k] for k in self._keys if k in observation})
        # Before training (call_before_training=True) the observation is the
        # untrained model's evaluation: it is an entry of its own, epoch 0,
        # not part of the first interval's means.
        if not (trainer.is_before_training or self._trigger(trainer)):
            return
        entry = {name: float(value) for name, value in self._summary.compute_mean().items()}
        updater = trainer.updater
        entry['epoch'] = updater.epoch
        entry['iteration'] = updater.iteration
        entry['elapsed_time'] = trainer.elapsed_time
        if self._postprocess is not None:
            self._postprocess(entry)
        self._log.append(entry)
        if self._log_name is not None:
            path = os.path.join(trainer.out, self._log_name.format(**entry))
            atomic_write_text(path, self._dumps())
        self._init_summary()

    def _dumps(self):
        if self._format == 'json-lines':
            return ''.join(json.dumps(entry) + '\n' for entry in self._log)
        return json.dumps(self._log, indent=4)

    def _init_summary(self):
        self._summary = reporter_module.DictSummary()

    def serialize(self, serializer):
        """Save or load the interval's trigger, the running means and the log (as JSON text).

        A load checks everything (the log must be JSON text of a list of
        entries) before it assigns anything.
        """
        loading.check_first(self._serialize, serializer)

    def _serialize(self, serializer):
        if hasattr(self._trigger, 'serialize'):
            self._trigger.serialize(serializer['_trigger'])
        self._summary.serialize(serializer['_summary'])
        if not loading.is_loading(serializer):
            serializer('_log', json.dumps(self._log))
            return
        stored = loading.read(serializer, '_log')
        if stored is None:
            return
        log = loading.as_json('LogReport', serializer, '_log', stored, 'a list of log entries',
                              lambda v: isinstance(v, list) and all(isinstance(e, dict) for e in v))
        if not loading.is_checking(serializer):
            self._log = log
