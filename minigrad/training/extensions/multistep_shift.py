"""MultistepShift: multiply an optimizer attribute by ``gamma`` at given calls."""
from minigrad.training.extensions._shift import Shift


class MultistepShift(Shift):
    """Set ``optimizer.<attr>`` to ``init * gamma ** k``, ``k`` = the steps reached after ``t`` calls.

    With ``step_value = [s1, s2]``: ``init`` for calls ``t < s1``,
    ``init * gamma`` for ``s1 <= t < s2``, ``init * gamma ** 2`` from ``s2`` on.

    Args:
        attr (str): the attribute, e.g. ``'lr'``.
        gamma (float): the factor at each step.
        step_value (list of int): the calls at which the steps begin, increasing.
        init (float): the value before the first step; None reads the
            attribute when training starts.
        optimizer: the optimizer; None means the updater's ``'main'``.
    """

    saves_last_value = False    # Chainer saves _t and _current_step

    def __init__(self, attr, gamma, step_value, init, optimizer=None):
        super().__init__(attr, init, optimizer)
        self._gamma = gamma
        self._step_value = list(step_value)

    def _steps_reached(self, t):
        return sum(1 for s in self._step_value if t >= s)

    def value(self, t):
        return self._init * self._gamma ** self._steps_reached(t)

    def serialize(self, serializer):
        super().serialize(serializer)
        # Saved for Chainer (which counts steps in it); here it follows from _t.
        serializer('_current_step', self._steps_reached(self._t))
