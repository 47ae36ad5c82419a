"""ManualScheduleTrigger: fire at given epochs or iterations."""
from minigrad import type_check
from minigrad.training.triggers.interval_trigger import ProgressTrigger, check_period, check_unit


class ManualScheduleTrigger(ProgressTrigger):
    """Fires when the training reaches each of the given points.

    Args:
        points (int, float or list of them): the epochs or iterations at
            which to fire, e.g. ``[10, 20]``.
        unit (str): ``'epoch'`` or ``'iteration'``.

    Attributes:
        finished (bool): True once the last point has been passed.
    """

    def __init__(self, points, unit):
        check_unit('ManualScheduleTrigger', unit)
        points = list(points) if isinstance(points, (list, tuple)) else [points]
        type_check.require(len(points) > 0, 'ManualScheduleTrigger', 'at least one point',
                           'points == []')
        for p in points:
            check_period('ManualScheduleTrigger', 'every point', p)
        super().__init__(unit)
        self.points = points
        self.finished = False

    def __call__(self, trainer):
        """True when a point lies in (previous call, now]."""
        before, now = self._advance(trainer.updater)
        if now >= max(self.points):
            self.finished = True
        return any(before < p <= now for p in self.points)

    def serialize(self, serializer):
        super().serialize(serializer)
        self.finished = bool(serializer('finished', self.finished))
