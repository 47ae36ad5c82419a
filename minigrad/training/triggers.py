"""Triggers: callables ``trigger(trainer) -> bool`` that decide when something happens.

The trainer asks its stop trigger before every iteration and each
extension's trigger after it.  A trigger is usually written as a pair,
``(10, 'epoch')`` or ``(500, 'iteration')``, which :func:`get_trigger`
turns into an :class:`IntervalTrigger`.
"""
import numbers

from minigrad import type_check


_UNITS = ('epoch', 'iteration')


def _check_unit(func_name, unit):
    type_check.expect(unit in _UNITS, func_name, "unit in ('epoch', 'iteration')",
                      'unit == {!r}'.format(unit))


def _check_period(func_name, name, value):
    type_check.expect(isinstance(value, numbers.Real) and not isinstance(value, bool) and value > 0,
                      func_name, '{} to be a positive number'.format(name),
                      '{} == {!r}'.format(name, value))


class _ProgressTrigger:
    """What the triggers below share: where the training was at the previous call."""

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


class IntervalTrigger(_ProgressTrigger):
    """Fires every ``period`` epochs or iterations.

    With ``unit='epoch'`` it fires at the iteration whose update crosses a
    multiple of ``period`` in ``epoch_detail`` (``floor(before / period) !=
    floor(after / period)``), so fractional periods such as 0.5 work.

    Args:
        period (int or float): the interval.
        unit (str): ``'epoch'`` or ``'iteration'``.
    """

    def __init__(self, period, unit):
        _check_unit('IntervalTrigger', unit)
        _check_period('IntervalTrigger', 'period', period)
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


class ManualScheduleTrigger(_ProgressTrigger):
    """Fires when the training reaches each of the given points.

    Args:
        points (int, float or list of them): the epochs or iterations at
            which to fire, e.g. ``[10, 20]``.
        unit (str): ``'epoch'`` or ``'iteration'``.

    Attributes:
        finished (bool): True once the last point has been passed.
    """

    def __init__(self, points, unit):
        _check_unit('ManualScheduleTrigger', unit)
        points = list(points) if isinstance(points, (list, tuple)) else [points]
        type_check.expect(len(points) > 0, 'ManualScheduleTrigger', 'at least one point',
                          'points == []')
        for p in points:
            _check_period('ManualScheduleTrigger', 'every point', p)
        super().__init__(unit)
        self.points = points
        self.finished = False

    def __call__(self, trainer):
        """True when a point lies in (previous call, now]."""
        before, now = self._advance(trainer.updater)
        if now >= max(self.points):
            self.finished = True
        return any(before < p <= now for p in self.points)

    def serialize(self, serializer):
        super().serialize(serializer)
        self.finished = bool(serializer('finished', self.finished))


def _never_fire_trigger(trainer):
    return False


def get_trigger(trigger):
    """Turn ``trigger`` into a trigger callable.

    Args:
        trigger: a callable (returned as it is), None (a trigger that
            never fires), or a pair ``(period, unit)`` such as ``(1, 'epoch')``
            (an :class:`IntervalTrigger`).
    """
    if callable(trigger):
        return trigger
    if trigger is None:
        return _never_fire_trigger
    type_check.expect(isinstance(trigger, (tuple, list)) and len(trigger) == 2, 'get_trigger',
                      "a callable, None or a pair (period, unit) such as (1, 'epoch')",
                      'trigger == {!r}'.format(trigger))
    return IntervalTrigger(*trigger)
