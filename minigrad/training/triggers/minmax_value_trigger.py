"""BestValueTrigger, MaxValueTrigger, MinValueTrigger: fire when a reported value reaches a new best."""
from minigrad import reporter as reporter_module
from minigrad.training.triggers.interval_trigger import get_trigger
from minigrad.utils import loading


class BestValueTrigger:
    """Fires at the end of an interval whose mean of ``key`` beats every earlier interval's.

    Called after every iteration, it adds the observed ``key`` to a running
    mean; when its interval trigger fires it compares that mean with the
    best so far (``compare(best, new)`` is True when ``new`` is better), and
    fires if it is better, or if it is the first interval.  Typical use:
    keep the model of the best validation accuracy::

        trainer.extend(extensions.snapshot_object(model, 'best_model'),
                       trigger=triggers.MaxValueTrigger('validation/main/accuracy'))

    Args:
        key (str): the observation key, e.g. ``'validation/main/loss'``.
        compare (callable): ``compare(best_value, new_value) -> bool``.
        trigger: the comparison interval, e.g. ``(1, 'epoch')``.
    """

    def __init__(self, key, compare, trigger=(1, 'epoch')):
        self._key = key
        self._compare = compare
        self._interval_trigger = get_trigger(trigger)
        self._best_value = None
        self._init_summary()

    def __call__(self, trainer):
        """True when this interval's mean of ``key`` is the best so far."""
        observation = trainer.observation
        if self._key in observation:
            self._summary.add({self._key: observation[self._key]})
        if not self._interval_trigger(trainer):
            return False
        stats = self._summary.compute_mean()
        if self._key not in stats:
            raise KeyError('{}: {!r} was not reported during the interval that just ended; '
                           'this iteration reported {}'.format(type(self).__name__, self._key,
                                                               sorted(observation)))
        value = float(stats[self._key])
        self._init_summary()
        if self._best_value is None or self._compare(self._best_value, value):
            self._best_value = value
            return True
        return False

    def _init_summary(self):
        self._summary = reporter_module.DictSummary()

    def serialize(self, serializer):
        """Save or load the interval, the running mean and the best value (Chainer's keys).

        A load checks everything before it assigns anything.
        """
        loading.check_first(self._serialize, serializer)

    def _serialize(self, serializer):
        if hasattr(self._interval_trigger, 'serialize'):
            self._interval_trigger.serialize(serializer['interval_trigger'])
        self._summary.serialize(serializer['summary'])
        if not loading.is_loading(serializer):
            serializer('best_value', self._best_value)
            return
        stored = loading.read(serializer, 'best_value')
        if stored is None:          # load_npz's checking pass, or no best value saved yet
            return
        best = loading.as_float(type(self).__name__, serializer, 'best_value', stored)
        if not loading.is_checking(serializer):
            self._best_value = best


class MaxValueTrigger(BestValueTrigger):
    """Fires when the interval's mean of ``key`` is the largest so far (e.g. an accuracy).

    Args:
        key (str): the observation key.
        trigger: the comparison interval, e.g. ``(1, 'epoch')``.
    """

    def __init__(self, key, trigger=(1, 'epoch')):
        super().__init__(key, lambda best, new: new > best, trigger)


class MinValueTrigger(BestValueTrigger):
    """Fires when the interval's mean of ``key`` is the smallest so far (e.g. a loss).

    Args:
        key (str): the observation key.
        trigger: the comparison interval, e.g. ``(1, 'epoch')``.
    """

    def __init__(self, key, trigger=(1, 'epoch')):
        super().__init__(key, lambda best, new: new < best, trigger)
