"""MicroAverage: a ratio of sums over an interval, e.g. an accuracy over all examples."""
from minigrad import reporter as reporter_module
from minigrad.training import extension
from minigrad.training import util


class MicroAverage(extension.Extension):
    """Report ``sum(n_i) / sum(d_i)`` over each interval, from reported ``n_i`` and ``d_i``.

    The mean of per-batch ratios, ``mean(n_i / d_i)`` (what LogReport
    gives), weighs a small batch as much as a full one; the micro-average
    weighs every example the same.  The model reports both parts::

        reporter.report({'correct': (y.array.argmax(1) == t).sum(), 'total': len(t)}, self)
        trainer.extend(extensions.MicroAverage('main/correct', 'main/total', 'main/accuracy'))

    Args:
        numerator_key (str): the observation key of ``n_i``.
        denominator_key (str): the observation key of ``d_i``.
        result_key (str): the key the ratio is reported as.
        trigger: the interval, e.g. ``(1, 'epoch')``.
    """

    priority = extension.PRIORITY_EDITOR

    def __init__(self, numerator_key, denominator_key, result_key, trigger=(1, 'epoch')):
        self._trigger = util.get_trigger(trigger)
        self._numerator_key = numerator_key
        self._denominator_key = denominator_key
        self._result_key = result_key
        self._numerator = 0.
        self._denominator = 0.

    def __call__(self, trainer):
        observation = trainer.observation
        if self._numerator_key not in observation or self._denominator_key not in observation:
            return
        self._numerator += float(observation[self._numerator_key])
        self._denominator += float(observation[self._denominator_key])
        if self._trigger(trainer):
            result = self._numerator / self._denominator
            self._numerator = 0.
            self._denominator = 0.
            reporter_module.report({self._result_key: result})

    def serialize(self, serializer):
        self._numerator = float(serializer('_numerator', self._numerator))
        self._denominator = float(serializer('_denominator', self._denominator))
