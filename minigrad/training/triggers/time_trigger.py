"""TimeTrigger: fire every ``period`` seconds of training time."""
from minigrad.training.triggers.interval_trigger import check_period


class TimeTrigger:
    """Fires at the first call after each ``period`` seconds of ``trainer.elapsed_time``.

    The deadlines are ``period, 2 * period, ...``: after a slow iteration
    that passed several of them it fires at the next calls until it has
    caught up, one deadline per call.  ``elapsed_time`` includes the time
    before a resumed snapshot, and the next deadline is saved with it.

    Args:
        period (float): seconds between firings.
    """

    def __init__(self, period):
        check_period('TimeTrigger', 'period', period)
        self._period = period
        self._next_time = period

    def __call__(self, trainer):
        if trainer.elapsed_time > self._next_time:
            self._next_time += self._period
            return True
        return False

    def serialize(self, serializer):
        self._next_time = float(serializer('next_time', self._next_time))
