"""What the learning-rate schedules (ExponentialShift, StepShift...) share.

A shift sets ``optimizer.<attr>`` (``lr``, Adam's ``alpha``, ``momentum``...)
to a value that depends only on how many times it has been called, ``t``::

    initialize (before training):  attr = value(t)     (value(0): the starting value)
    every call:                    t += 1;  attr = value(t)

It is called after each update by default (trigger ``(1, 'iteration')``);
give a trigger to count epochs instead.  ``t`` and the last value are saved
in trainer snapshots (Chainer's keys ``_t``, ``_last_value``), so a resumed
run continues the schedule; loading sets the attribute at once when the
shift has already been initialized (an autoloaded snapshot).
"""
from minigrad.training import extension
from minigrad.utils import loading


def clamp_at_target(value, target, growing):
    """Stop a schedule at ``target``: its value never passes ``target`` in magnitude.

    ``growing`` schedules are capped (``value / target > 1`` gives
    ``target``), shrinking ones floored (``value / target < 1`` gives
    ``target``).  Written as ``value * target`` against ``target ** 2`` (the
    same test, with no division), so negative values and a zero target work.
    """
    if target is None:
        return value
    if growing:
        return target if value * target > target * target else value
    return target if value * target < target * target else value


class Shift(extension.Extension):
    """Base class: ``optimizer.<attr> = value(t)``; subclasses define :meth:`value`.

    Args:
        attr (str): the optimizer attribute to set.
        init (float): the starting value; None reads the attribute from
            the optimizer when training starts.
        optimizer: the optimizer; None means the updater's ``'main'``.
    """

    # Chainer saves the last value for most shifts; those that do not set this False,
    # so that snapshots keep Chainer's keys (and load in both directions).
    saves_last_value = True

    def __init__(self, attr, init, optimizer):
        self._attr = attr
        self._init = init
        self._optimizer = optimizer
        self._t = 0
        self._last_value = None
        self._initialized_optimizer = None   # the optimizer initialize() found

    def value(self, t):
        """The attribute's value after ``t`` calls (None: leave the attribute alone)."""
        raise NotImplementedError

    def _get_optimizer(self, trainer):
        return self._optimizer or trainer.updater.get_optimizer('main')

    def _read_missing(self, optimizer):
        """Fill the starting value from the optimizer when it was not given."""
        if self._init is None:
            self._init = self._get_attr(optimizer)

    def initialize(self, trainer):
        optimizer = self._get_optimizer(trainer)
        self._initialized_optimizer = optimizer
        self._read_missing(optimizer)
        # Resumed from a snapshot: go on from the value it saved.
        value = self._last_value if self._last_value is not None else self.value(self._t)
        self._update_value(optimizer, value)

    def __call__(self, trainer):
        self._t += 1
        self._update_value(self._get_optimizer(trainer), self.value(self._t))

    def _get_attr(self, optimizer):
        try:
            return getattr(optimizer, self._attr)
        except AttributeError:
            raise AttributeError('{}: the optimizer {} has no attribute {!r} to start the schedule '
                                 'from; pass init='.format(type(self).__name__,
                                                           type(optimizer).__name__,
                                                           self._attr)) from None

    def _update_value(self, optimizer, value):
        if value is None:
            return
        try:
            setattr(optimizer, self._attr, value)
        except AttributeError:
            hint = ''
            if self._attr == 'lr' and hasattr(optimizer, 'alpha'):
                hint = " (its lr is computed from alpha: shift 'alpha')"
            raise AttributeError('{}: cannot set the attribute {!r} of the optimizer {}{}'
                                 .format(type(self).__name__, self._attr, type(optimizer).__name__,
                                         hint)) from None
        self._last_value = value

    def serialize(self, serializer):
        """Save or load ``_t`` and ``_last_value``; loading checks both before it assigns."""
        if not loading.is_loading(serializer):
            serializer('_t', self._t)
            if self.saves_last_value:
                serializer('_last_value', self._last_value)
            return
        name = type(self).__name__
        stored_t = loading.read(serializer, '_t')
        stored_last = loading.read(serializer, '_last_value') if self.saves_last_value else None
        if stored_t is None:        # load_npz's checking pass (or a key skipped)
            return
        t = loading.as_int(name, serializer, '_t', stored_t, minimum=0)
        last = None if stored_last is None else loading.as_float(name, serializer, '_last_value',
                                                                 stored_last)
        if loading.is_checking(serializer):
            return
        self._t, self._last_value = t, last     # without a saved last value, value(_t) gives it
        if self._initialized_optimizer is not None:
            # Loaded after initialize (an autoloaded snapshot: the snapshot extension
            # initializes last): set the value now, not only after the next update.
            value = self._last_value if self._last_value is not None else self.value(self._t)
            self._update_value(self._initialized_optimizer, value)
