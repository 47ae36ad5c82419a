"""WarmupShift: raise an optimizer attribute linearly to its value during the first calls."""
from minigrad import type_check
from minigrad.training.extensions._shift import Shift


class WarmupShift(Shift):
    """Move ``optimizer.<attr>`` from ``warmup_start`` to ``init`` over the first ``warmup_iter`` calls.

    After ``t <= warmup_iter`` calls it is
    ``(t * init + (warmup_iter - t) * warmup_start) / warmup_iter``; after
    that the extension leaves the attribute alone, so another shift (a
    decay) may take over from ``init``.

    Args:
        attr (str): the attribute, e.g. ``'lr'``.
        warmup_start (float): the value at ``t = 0``; None reads the
            attribute when training starts.
        warmup_iter (int): the length of the warm-up in calls, > 0.
        init (float): the value reached at ``t = warmup_iter``.
        optimizer: the optimizer; None means the updater's ``'main'``.
    """

    saves_last_value = False    # Chainer saves only _t

    def __init__(self, attr, warmup_start, warmup_iter, init, optimizer=None):
        type_check.require(warmup_iter > 0, 'WarmupShift', 'warmup_iter > 0',
                           'warmup_iter == {!r}'.format(warmup_iter))
        super().__init__(attr, init, optimizer)
        self._warmup_start = warmup_start
        self._warmup_iter = warmup_iter

    def _read_missing(self, optimizer):
        if self._warmup_start is None:
            self._warmup_start = self._get_attr(optimizer)

    def value(self, t):
        n = self._warmup_iter
        if t > n:
            return None
        return (t * self._init + (n - t) * self._warmup_start) / n
