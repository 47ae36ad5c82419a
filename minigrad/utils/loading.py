"""Loading a trainer or an optimizer all or nothing: every value is checked before any is assigned.

:func:`minigrad.serializers.load_npz` checks a file's *structure* before it
assigns anything: every key is there and readable, arrays have the model's
shape and a castable dtype, scalars convert.  Some values need their
*content* checked as well, and some keys are only known from another
value: a log saved as JSON text, a random state, an iterator's position, the
summaries a DictSummary lists by name.  Those are read with :func:`read`,
which gives the stored value, or None when there is nothing to assign yet
(load_npz's checking pass hands out no values).

So a ``serialize`` method that loads such values does three things, in order::

    stored = loading.read(serializer, '_log')       # the stored value, or None
    if stored is None: return                       # nothing to assign now
    log = parse(stored)                             # raises loading.invalid(...) if bad
    if loading.is_checking(serializer): return      # a checking walk: assign nothing
    self._log = log

and :func:`check_first` runs a whole ``serialize`` twice: first with a
:class:`CheckingDeserializer`, which makes every value read and checked but
assigns nothing, then for real.  :meth:`Trainer.serialize
<minigrad.training.Trainer.serialize>` and :meth:`Optimizer.serialize
<minigrad.optimizer.Optimizer.serialize>` do that, so a bad value anywhere in
a snapshot (an extension's, an iterator's, the random state) is refused
before the model or the optimizer change.

The structure checks are load_npz's (its first pass); a deserializer of
one's own that loads in one pass (``obj.serialize(NpzDeserializer(npz))``)
gets the content checks of the checking walk, but a missing or misshapen
array is found only when the walk that assigns reaches it.
"""
import json

import numpy

from minigrad import serializers
from minigrad import type_check


class CheckingDeserializer(serializers.Deserializer):
    """A walk over what a load would assign that assigns nothing.

    ``serializer(key, value)`` returns ``value`` unchanged, as load_npz's
    checking pass does, so an ordinary ``self.x = serializer('x', self.x)``
    keeps ``self.x``; :func:`read` hands out the stored values, so that
    content can be checked; :func:`is_checking` is True.

    Args:
        inner (Deserializer): the deserializer the stored values come from.
    """

    is_loading = True

    def __init__(self, inner):
        self.inner = inner

    @property
    def path(self):
        return getattr(self.inner, 'path', '')

    def __getitem__(self, name):
        return CheckingDeserializer(self.inner[name])

    def __call__(self, key, value):
        return value


class _Checked(serializers.Deserializer):
    """The deserializer of the walk that assigns, after a checking walk of the same objects.

    It passes every call through; it only tells a nested :func:`check_first`
    that its objects were checked already (so they are not walked again).
    """

    is_loading = True

    def __init__(self, inner):
        self.inner = inner

    @property
    def path(self):
        return getattr(self.inner, 'path', '')

    def __getitem__(self, name):
        return _Checked(self.inner[name])

    def __call__(self, key, value):
        return self.inner(key, value)


def is_checking(serializer):
    """True in a checking walk (a :class:`CheckingDeserializer`): check, assign nothing."""
    return isinstance(serializer, CheckingDeserializer)


def is_loading(serializer):
    """True when ``serializer`` loads rather than saves: a Deserializer, or any
    object whose ``is_loading`` attribute is True (a deserializer of one's own)."""
    flag = getattr(serializer, 'is_loading', None)
    if flag is not None:
        return bool(flag)
    return isinstance(serializer, serializers.Deserializer)


def read(serializer, key):
    """The stored value of ``key`` (a new array), or None when there is nothing to assign now.

    None comes back during load_npz's checking pass (which reads and checks
    the member, but hands out no value), for a key skipped by
    ``strict=False`` or ``ignore_names``, and for a None that was saved.
    A missing key raises KeyError as for any load.
    """
    if isinstance(serializer, CheckingDeserializer):
        serializer = serializer.inner
    return serializer(key, None)


def check_first(serialize, serializer):
    """``serialize(serializer)``; when loading, after a checking walk that changes nothing.

    The walk (``serialize(CheckingDeserializer(serializer))``) reads and
    checks every value :func:`read` hands out, so a bad one raises before
    the real walk assigns anything.  Objects inside one already so walked
    (an optimizer inside a trainer) are not walked again.
    """
    if not is_loading(serializer) or isinstance(serializer, (CheckingDeserializer, _Checked)):
        serialize(serializer)
        return
    serialize(CheckingDeserializer(serializer))
    serialize(_Checked(serializer))


def key_name(serializer, key):
    """The full key (``updater/iterator:main/current_position``) for messages."""
    return getattr(serializer, 'path', '') + key


def invalid(owner, serializer, key, expect, actual):
    """An :class:`~minigrad.type_check.InvalidType` for a stored value, naming its full key."""
    return type_check.InvalidType(owner, '{} {}'.format(key_name(serializer, key), expect),
                                  actual)


def describe(stored):
    """A stored value as a message shows it: its shape, dtype and (if small) its value."""
    try:
        text = '{!r}'.format(stored.item() if stored.size == 1 else stored)
    except (AttributeError, ValueError):
        return repr(stored)
    if len(text) > 60:
        text = text[:57] + '...'
    return '{} (shape {}, dtype {})'.format(text, stored.shape, stored.dtype)


def as_int(owner, serializer, key, stored, minimum=None, maximum=None):
    """A stored 0-d integer as an int, checked against ``[minimum, maximum]``."""
    ok = getattr(stored, 'ndim', None) == 0 and stored.dtype.kind in 'biu'
    if ok:
        value = int(stored)
        ok = (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
    if not ok:
        bounds = ''
        if minimum is not None or maximum is not None:
            bounds = ' in [{}, {}]'.format('-inf' if minimum is None else minimum,
                                           'inf' if maximum is None else maximum)
        raise invalid(owner, serializer, key, 'to be an integer' + bounds, describe(stored))
    return value


def as_float(owner, serializer, key, stored):
    """A stored 0-d real number as a float."""
    if getattr(stored, 'ndim', None) != 0 or stored.dtype.kind not in 'biuf':
        raise invalid(owner, serializer, key, 'to be a real number', describe(stored))
    return float(stored)


def as_text(owner, serializer, key, stored):
    """A stored 0-d string (JSON text, a name) as a str."""
    if getattr(stored, 'ndim', None) != 0 or stored.dtype.kind not in 'US':
        raise invalid(owner, serializer, key, 'to be text', describe(stored))
    value = stored.item()
    return value.decode('utf-8', 'replace') if isinstance(value, bytes) else value


def as_json(owner, serializer, key, stored, expect, check=None):
    """Stored JSON text, parsed; ``check(value)`` False (or the text not JSON) raises.

    ``expect`` says what the text should hold (``'a list of log entries'``).
    """
    text = as_text(owner, serializer, key, stored)
    try:
        value = json.loads(text)
    except ValueError as error:
        raise invalid(owner, serializer, key, 'to be JSON text of ' + expect,
                      'not JSON ({})'.format(error)) from None
    if check is not None and not check(value):
        shown = repr(value)
        raise invalid(owner, serializer, key, 'to be JSON text of ' + expect,
                      shown if len(shown) <= 60 else shown[:57] + '...')
    return value


def mt19937_state(owner, serializer, keys_key, keys, pos, has_gauss, cached):
    """The tuple ``numpy.random.set_state`` takes, from stored pieces; raises naming ``keys_key``.

    ``keys`` must be 624 words of 32 bits, ``pos`` in [0, 624], ``has_gauss``
    0 or 1 (``pos``, ``has_gauss`` and ``cached`` already converted).
    """
    ok = (getattr(keys, 'shape', None) == (624,) and keys.dtype.kind in 'iu'
          and (keys.size == 0 or (int(keys.min()) >= 0 and int(keys.max()) < 2 ** 32)))
    if not ok:
        raise invalid(owner, serializer, keys_key,
                      'to be the 624 words (uint32) of a Mersenne Twister state', describe(keys))
    state = ('MT19937', numpy.asarray(keys, dtype=numpy.uint32), pos, has_gauss, cached)
    try:
        numpy.random.RandomState().set_state(state)     # a scratch generator: changes nothing
    except (TypeError, ValueError) as error:
        raise invalid(owner, serializer, keys_key, 'to be part of a valid random state',
                      str(error)) from None
    return state
