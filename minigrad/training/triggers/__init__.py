"""Triggers: callables ``trigger(trainer) -> bool`` that decide when something happens.

The trainer asks its stop trigger before every iteration and each
extension's trigger after it.  A trigger is usually written as a pair,
``(10, 'epoch')`` or ``(500, 'iteration')``, which
:func:`~minigrad.training.get_trigger` turns into an :class:`IntervalTrigger`.

- :class:`IntervalTrigger`: every ``period`` epochs or iterations.
- :class:`ManualScheduleTrigger`: at given epochs or iterations.
- :class:`MinValueTrigger`, :class:`MaxValueTrigger` (:class:`BestValueTrigger`):
  when a reported value reaches a new best, e.g. to snapshot the best model.
- :class:`EarlyStoppingTrigger`: a stop trigger that fires when a reported
  value stops improving.
- :class:`OnceTrigger`: once, at the first iteration (and after a resume if asked).
- :class:`TimeTrigger`: every ``period`` seconds of training.
"""
from minigrad.training.triggers.interval_trigger import IntervalTrigger                 # NOQA
from minigrad.training.triggers.manual_schedule_trigger import ManualScheduleTrigger     # NOQA
from minigrad.training.triggers.minmax_value_trigger import BestValueTrigger             # NOQA
from minigrad.training.triggers.minmax_value_trigger import MaxValueTrigger              # NOQA
from minigrad.training.triggers.minmax_value_trigger import MinValueTrigger              # NOQA
from minigrad.training.triggers.early_stopping_trigger import EarlyStoppingTrigger       # NOQA
from minigrad.training.triggers.once_trigger import OnceTrigger                          # NOQA
from minigrad.training.triggers.time_trigger import TimeTrigger                          # NOQA
from minigrad.training.triggers.interval_trigger import get_trigger                      # NOQA
