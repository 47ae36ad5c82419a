"""InverseShift: Caffe's ``inv`` learning-rate policy."""
from minigrad import type_check
from minigrad.training.extensions._shift import Shift, clamp_at_target


class InverseShift(Shift):
    """Set ``optimizer.<attr>`` to ``init * (1 + gamma * t) ** (-power)`` after ``t`` calls.

    Args:
        attr (str): the attribute, e.g. ``'lr'``.
        gamma (float): >= 0.
        power (float): the exponent (``power > 0`` decays).
        init (float): the value at ``t = 0``; None reads the attribute when
            training starts.
        target (float): stop there (see :class:`ExponentialShift`).
        optimizer: the optimizer; None means the updater's ``'main'``.
    """

    def __init__(self, attr, gamma, power, init=None, target=None, optimizer=None):
        type_check.require(gamma >= 0, 'InverseShift', 'gamma >= 0', 'gamma == {!r}'.format(gamma))
        super().__init__(attr, init, optimizer)
        self._gamma = gamma
        self._power = power
        self._target = target

    def value(self, t):
        return clamp_at_target(self._init * (1 + self._gamma * t) ** (-self._power), self._target,
                               growing=self._power < 0)
