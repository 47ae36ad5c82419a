"""IntervalTrigger: fire every ``period`` epochs or iterations; get_trigger makes one from a pair."""
import numbers

from minigrad import type_check


_UNITS = ('epoch', 'iteration')


def check_unit(func_name, unit):
    type_check.require(unit in _UNITS, func_name, "unit in ('epoch', 'iteration')",
                       'unit == {!r}'.format(unit))


def check_period(func_name, name, value):
    type_check.require(isinstance(value, numbers.Real) and not isinstance(value, bool) and value > 0,
                       func_name, '{} to be a positive number'.format(name),
                       '{} == {!r}'.format(name, value))


class ProgressTrigger:
    """What the progress-based triggers share: where the training was at the previous call."""

    def __init__(self, unit):
        self.unit = unit
        # saved in snapshots, so that a resumed run fires where the uninterrupted one would
        self._previous_iteration = 0
        self._previous_epoch_detail = 0.

    def _advance(self, updater):
        """``(before, now)`` in the trigger's unit; ``now`` becomes the next call's ``before``."""
        if self.unit == 'epoch':
            before, now = self._previous_epoch_detail, updater.epoch_detail
        else:
            before, now = self._previous_iteration, updater.iteration
        self._previous_iteration = updater.iteration
        if hasattr(updater, 'epoch_detail'):
            self._previous_epoch_detail = updater.epoch_detail
        return before, now

    def serialize(self, serializer):
        self._previous_iteration = int(serializer('previous_iteration', self._previous_iteration))
        self._previous_epoch_detail = float(
            serializer('previous_epoch_detail', self._previous_epoch_detail))


class IntervalTrigger(ProgressTrigger):
    """Fires every ``period`` epochs or iterations.

    With ``unit='epoch'`` it fires at the iteration whose update crosses a
    multiple of ``period`` in ``epoch_detail`` (``floor(before / period) !=
    floor(after / period)``), so fractional periods such as 0.5 work.

    Args:
        period (int or float): the interval.
        unit (str): ``'epoch'`` or ``'iteration'``.
    """

    def __init__(self, period, unit):
        check_unit('IntervalTrigger', unit)
        check_period('IntervalTrigger', 'period', period)
        super().__init__(unit)
        self.period = period

    def __call__(self, trainer):
        """True when the interval has passed since the previous call."""
        before, now = self._advance(trainer.updater)
        return before // self.period != now // self.period

    def get_training_length(self):
        """``(period, unit)``: the training length when this is the stop trigger."""
        return self.period, self.unit

    def __repr__(self):
        return 'IntervalTrigger({}, {!r})'.format(self.period, self.unit)


def _never_fire_trigger(trainer):
    return False


def get_trigger(trigger):
    """Turn ``trigger`` into a trigger callable ``trigger(trainer) -> bool``.

    Args:
        trigger: a callable (returned as it is), None (a trigger that
            never fires), or a pair ``(period, unit)`` such as ``(1, 'epoch')``
            (an :class:`IntervalTrigger`).
    """
    if callable(trigger):
        return trigger
    if trigger is None:
        return _never_fire_trigger
    type_check.require(isinstance(trigger, (tuple, list)) and len(trigger) == 2, 'get_trigger',
                       "a callable, None or a pair (period, unit) such as (1, 'epoch')",
                       'trigger == {!r}'.format(trigger))
    return IntervalTrigger(*trigger)
