"""PolynomialShift: decay an optimizer attribute polynomially to zero over ``max_count`` calls."""
from minigrad import type_check
from minigrad.training.extensions._shift import Shift, clamp_at_target


class PolynomialShift(Shift):
    """Set ``optimizer.<attr>`` to ``init * max(1 - t / max_count, 0) ** rate`` after ``t`` calls.

    Args:
        attr (str): the attribute, e.g. ``'lr'``.
        rate (float): the exponent (``rate > 0`` decays to 0 at ``max_count``).
        max_count (int): the calls over which it decays, > 0 (e.g. the
            number of iterations of the training).
        init (float): the value at ``t = 0``; None reads the attribute when
            training starts.
        target (float): stop there (see :class:`ExponentialShift`).
        optimizer: the optimizer; None means the updater's ``'main'``.
    """

    def __init__(self, attr, rate, max_count, init=None, target=None, optimizer=None):
        type_check.require(max_count > 0, 'PolynomialShift', 'max_count > 0',
                           'max_count == {!r}'.format(max_count))
        super().__init__(attr, init, optimizer)
        self._rate = rate
        self._max_count = max_count
        self._target = target

    def value(self, t):
        decay = max(1 - t / self._max_count, 0)
        return clamp_at_target(self._init * decay ** self._rate, self._target,
                               growing=self._rate <= 0)
