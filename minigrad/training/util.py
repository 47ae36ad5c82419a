"""``training.util.get_trigger``, where Chainer keeps it (it lives beside IntervalTrigger)."""
from minigrad.training.triggers.interval_trigger import _never_fire_trigger, get_trigger  # NOQA
