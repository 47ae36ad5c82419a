"""StepShift: multiply an optimizer attribute by ``gamma`` every ``step`` calls."""
from minigrad import type_check
from minigrad.training.extensions._shift import Shift, clamp_at_target


class StepShift(Shift):
    """Set ``optimizer.<attr>`` to ``init * gamma ** floor(t / step)`` after ``t`` calls.

    Args:
        attr (str): the attribute, e.g. ``'lr'``.
        gamma (float): the factor applied every ``step`` calls.
        step (int): calls between two multiplications, > 0.
        init (float): the value at ``t = 0``; None reads the attribute when
            training starts.
        target (float): stop there (see :class:`ExponentialShift`).
        optimizer: the optimizer; None means the updater's ``'main'``.
    """

    def __init__(self, attr, gamma, step, init=None, target=None, optimizer=None):
        type_check.require(step > 0, 'StepShift', 'step > 0', 'step == {!r}'.format(step))
        super().__init__(attr, init, optimizer)
        self._gamma = gamma
        self._step = step
        self._target = target

    def value(self, t):
        return clamp_at_target(self._init * self._gamma ** (t // self._step), self._target,
                               growing=self._gamma > 1)
