"""LinearShift: move an optimizer attribute linearly from one value to another."""
from minigrad import type_check
from minigrad.training.extensions._shift import Shift


class LinearShift(Shift):
    """Move ``optimizer.<attr>`` linearly from ``v1`` to ``v2`` between calls ``t1`` and ``t2``.

    With ``value_range = (v1, v2)`` and ``time_range = (t1, t2)``, after
    ``t`` calls::

        t <= t1:        v1
        t1 < t < t2:    v1 + (t - t1) / (t2 - t1) * (v2 - v1)
        t >= t2:        v2

    Args:
        attr (str): the attribute, e.g. ``'momentum'`` or ``'lr'``.
        value_range (tuple): ``(v1, v2)``.
        time_range (tuple): ``(t1, t2)``, counts of calls, ``t1 <= t2``.
        optimizer: the optimizer; None means the updater's ``'main'``.
    """

    def __init__(self, attr, value_range, time_range, optimizer=None):
        t1, t2 = time_range
        type_check.require(t1 <= t2, 'LinearShift', 'time_range[0] <= time_range[1]',
                           'time_range == {!r}'.format(time_range))
        v1, v2 = value_range
        super().__init__(attr, v1, optimizer)
        self._value_range = v1, v2
        self._time_range = t1, t2

    def value(self, t):
        (t1, t2), (v1, v2) = self._time_range, self._value_range
        if t <= t1:
            return v1
        if t >= t2:
            return v2
        return v1 + (t - t1) / (t2 - t1) * (v2 - v1)
