"""EarlyStoppingTrigger: stop training when a monitored value stops improving."""
import operator
import warnings

from minigrad import reporter as reporter_module
from minigrad import type_check
from minigrad.training.triggers.interval_trigger import get_trigger
from minigrad.utils import loading


class EarlyStoppingTrigger:
    """A stop trigger that fires after ``patience`` checks without a new best value.

    Pass it as the trainer's stop trigger::

        stop = triggers.EarlyStoppingTrigger(monitor='validation/main/loss', patience=2,
                                             check_trigger=(1, 'epoch'), max_trigger=(50, 'epoch'))
        trainer = training.Trainer(updater, stop)

    The trainer calls it before every update, with the observation of the
    previous iteration.  It averages ``monitor`` over each check interval;
    at the end of one it compares the mean with the best so far::

        better:      best = mean, count = 0
        not better:  count += 1;  fire if count >= patience

    It also fires when ``max_trigger`` does, so training always ends.
    The observation of the evaluation made before training
    (``call_before_training``) is not counted into the first interval.

    Args:
        check_trigger: the check interval, e.g. ``(1, 'epoch')``.
        monitor (str): the observation key to watch.
        patience (int): how many checks without improvement to tolerate
            (None means 3).  ``patients`` is accepted as Chainer's older name.
        mode (str): ``'min'`` (lower is better), ``'max'``, or ``'auto'``:
            ``'max'`` if ``'accuracy'`` is in the key, else ``'min'``.
        verbose (bool): print the comparison direction and when it stops.
        max_trigger: the longest training, e.g. ``(100, 'epoch')``.

    Attributes:
        best (float): the best mean so far.
        count (int): checks since the last improvement.
    """

    def __init__(self, check_trigger=(1, 'epoch'), monitor='main/loss', patience=None,
                 mode='auto', verbose=False, max_trigger=(100, 'epoch'), patients=None):
        if patients is not None:
            if patience is not None:
                raise TypeError("EarlyStoppingTrigger: give either patience or its older name "
                                "patients, not both")
            patience = patients
        if patience is None:
            patience = 3
        type_check.require(mode in ('min', 'max', 'auto'), 'EarlyStoppingTrigger',
                           "mode in ('min', 'max', 'auto')", 'mode == {!r}'.format(mode))
        self.count = 0
        self.patience = patience
        self.monitor = monitor
        self.verbose = verbose
        self._max_trigger = get_trigger(max_trigger)
        self._interval_trigger = get_trigger(check_trigger)
        self._init_summary()
        if mode == 'auto':
            mode = 'max' if 'accuracy' in monitor else 'min'
        self._compare = operator.gt if mode == 'max' else operator.lt
        self.best = float('-inf') if mode == 'max' else float('inf')
        if verbose:
            print('early stopping: operator is {}'.format('greater' if mode == 'max' else 'less'))

    def __call__(self, trainer):
        """True when training should stop."""
        observation = trainer.observation
        # Before training the observation holds the untrained model's evaluation:
        # the first interval's mean must not include it.
        if self.monitor in observation and not trainer.is_before_training:
            self._summary.add({self.monitor: observation[self.monitor]})
        if self._max_trigger(trainer):
            return True
        if not self._interval_trigger(trainer):
            return False
        stats = self._summary.compute_mean()
        self._init_summary()
        if self.monitor not in stats:
            warnings.warn('EarlyStoppingTrigger: {!r} was not reported during the check interval; '
                          'this iteration reported {}'.format(self.monitor, sorted(observation)))
            return False
        value = float(stats[self.monitor])
        if self._compare(value, self.best):
            self.best = value
            self.count = 0
        else:
            self.count += 1
        if self.count >= self.patience:
            if self.verbose:
                print('Epoch {}: early stopping'.format(trainer.updater.epoch))
            return True
        return False

    def _init_summary(self):
        self._summary = reporter_module.DictSummary()

    def get_training_length(self):
        """The ``max_trigger``'s length, for a :class:`ProgressBar`."""
        return self._max_trigger.get_training_length()

    def serialize(self, serializer):
        """Save or load the count, the best value, the running mean and both triggers.

        (Chainer's trigger saves nothing, so a resumed Chainer run restarts
        its patience; this one continues.)  A load checks everything before
        it assigns anything.
        """
        loading.check_first(self._serialize, serializer)

    def _serialize(self, serializer):
        for name, trigger in (('interval_trigger', self._interval_trigger),
                              ('max_trigger', self._max_trigger)):
            if hasattr(trigger, 'serialize'):
                trigger.serialize(serializer[name])
        self._summary.serialize(serializer['summary'])
        self.count = int(serializer('count', self.count))
        self.best = float(serializer('best', self.best))
