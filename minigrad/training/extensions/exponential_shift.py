"""ExponentialShift: multiply an optimizer attribute by ``rate`` at every call."""
from minigrad import type_check
from minigrad.training.extensions._shift import Shift, clamp_at_target


class ExponentialShift(Shift):
    """Set ``optimizer.<attr>`` to ``init * rate ** t`` after ``t`` calls (exponential decay).

    ::

        trainer.extend(extensions.ExponentialShift('lr', 0.5), trigger=(10, 'epoch'))
        # lr: 0.1 for epochs 1-10, 0.05 for 11-20, 0.025 ...

    Args:
        attr (str): the attribute, e.g. ``'lr'`` (``'alpha'`` for Adam).
        rate (float): the factor per call, >= 0.
        init (float): the value at ``t = 0``; None reads the attribute when
            training starts.
        target (float): stop there: a decaying value (``rate < 1``) never
            goes below it in magnitude, a growing one never above.
        optimizer: the optimizer; None means the updater's ``'main'``.
    """

    def __init__(self, attr, rate, init=None, target=None, optimizer=None):
        type_check.require(rate >= 0, 'ExponentialShift', 'rate >= 0', 'rate == {!r}'.format(rate))
        super().__init__(attr, init, optimizer)
        self._rate = rate
        self._target = target

    def value(self, t):
        return clamp_at_target(self._init * self._rate ** t, self._target, growing=self._rate > 1)
