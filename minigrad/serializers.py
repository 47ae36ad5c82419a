"""Save and load models (and anything with ``serialize``) as NPZ files, in Chainer's layout.

An object takes part by defining ``serialize(serializer)``: it calls
``serializer(key, value)`` for each value it owns and
``child.serialize(serializer[name])`` for each child.  Saving, the call
records ``value`` and returns it; loading, it copies the stored array into
an ndarray ``value`` in place (``numpy.copyto``) and returns it, or returns
the stored value for a scalar or None.  So one method serves both ways::

    def serialize(self, serializer):
        self.W = serializer('W', self.W)       # an array: loaded in place
        self.t = serializer('t', self.t)       # a scalar: the loaded value

Keys are the paths joined by ``/`` with no leading slash: ``conv1/W``,
``bn1/avg_mean``, ``bn1/N``; an optimizer adds ``t``, ``conv1/W/msg``...
A file written by Chainer's ``save_npz`` for the same architecture loads,
and Chainer loads ours.

Nothing is lost:

- :func:`save_npz` writes to a temporary file in the target folder and
  renames it over the target only once complete, so a failed save leaves
  the previous file as it was (and no temporary file behind).
- :func:`load_npz` is transactional: it first walks the object reading and
  checking every value (missing keys, shapes, dtypes, corrupt members),
  and only then assigns.  A failed load changes nothing.  This relies on
  ``serialize`` methods assigning only what the serializer returns (the
  checking pass returns every value unchanged).
"""
import os

import numpy

from minigrad import type_check
from minigrad.utils.atomic import atomic_save


class Serializer:
    """Base class of savers: ``serializer[name]`` is a child, ``serializer(key, value)`` saves."""

    def save(self, obj):
        """Save ``obj`` (calls ``obj.serialize(self)``)."""
        obj.serialize(self)


class Deserializer:
    """Base class of loaders: ``serializer[name]`` is a child, ``serializer(key, value)`` loads."""

    def load(self, obj):
        """Load into ``obj`` (calls ``obj.serialize(self)``)."""
        obj.serialize(self)


# ---------------------------------------------------------------------------
# Saving

class DictionarySerializer(Serializer):
    """Flatten an object into a dictionary ``{'conv1/W': array, ...}``.

    It writes no file: :func:`save_npz` hands ``target`` to ``numpy.savez``.
    Arrays are stored as they are (not copied), None as
    ``numpy.asarray(None)`` (as Chainer does), scalars as 0-d arrays.

    Args:
        target (dict): the dictionary to fill (a new one if None).
        path (str): the prefix of every key (``'predictor/'``).
    """

    def __init__(self, target=None, path=''):
        self.target = {} if target is None else target
        self.path = path

    def __getitem__(self, name):
        return DictionarySerializer(self.target, self.path + name.strip('/') + '/')

    def __call__(self, key, value):
        self.target[self.path + key.lstrip('/')] = numpy.asarray(value)
        return value


def save_npz(file, obj, compression=True):
    """Save ``obj`` (a Link, an optimizer...) to an NPZ file.

    The file is written next to the target under a temporary name, flushed
    to disk, then renamed over the target, so an interrupted or failed
    save leaves the previous file intact.  (A file object is written
    directly: there is nothing to rename.)

    Args:
        file (str, path-like or file object): where to save.
        obj: an object with ``serialize(serializer)``.
        compression (bool): compress the archive (``numpy.savez_compressed``).

    Raises:
        FileNotFoundError: the folder of ``file`` does not exist.
    """
    serializer = DictionarySerializer()
    if isinstance(obj, dict):       # a flat {key: array} (a snapshot's dict), as Chainer accepts
        serializer.target.update((k, numpy.asarray(v)) for k, v in obj.items())
    else:
        serializer.save(obj)
    savez = numpy.savez_compressed if compression else numpy.savez
    if hasattr(file, 'write'):
        savez(file, **serializer.target)
        return
    path = os.fspath(file)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError('save_npz: cannot save {!r}: the folder {!r} does not exist'
                                .format(path, folder))
    if os.path.isdir(path):
        raise IsADirectoryError('save_npz: cannot save {!r}: it is a folder'.format(path))

    def write(temp):
        with open(temp, 'xb') as f:
            savez(f, **serializer.target)
            f.flush()
            os.fsync(f.fileno())

    atomic_save(path, write)


# ---------------------------------------------------------------------------
# Loading

class _Source:
    """What every NpzDeserializer of one load shares: the archive, a cache, the pass."""

    def __init__(self, npz, name):
        self.npz = npz
        self.name = name
        self.cache = {}
        self.sizes = {}         # key -> (bytes its header declares, bytes the archive holds)
        self.checking = False   # True during the first (checking) pass of load()

    def header(self, key):
        """``(shape, dtype)`` that member ``key`` declares, read from its header alone.

        A member is refused here, before any data is read, when it holds
        objects (reading them would unpickle; a 0-d one is Chainer's mark
        for None and reads as ``(None, None)``); :meth:`read` refuses one
        that declares more data than the archive holds for it (a small file
        cannot make us allocate a huge array).  A plain dict of arrays (no
        archive) is trusted.
        """
        archive = getattr(self.npz, 'zip', None)
        if archive is None:
            value = self.npz[key]
            if isinstance(value, numpy.ndarray) and value.dtype.hasobject:
                return None, None
            value = numpy.asarray(value)
            return value.shape, value.dtype
        member = key + '.npy'
        try:
            info = archive.getinfo(member)
            with archive.open(member) as f:
                version = numpy.lib.format.read_magic(f)
                read_header = (numpy.lib.format.read_array_header_1_0 if version == (1, 0)
                               else numpy.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(f)
                offset = f.tell()
        except Exception as error:
            raise ValueError('load_npz: cannot read {!r} from {}: the file is corrupt or '
                             'truncated ({}: {})'.format(key, self.name, type(error).__name__,
                                                         error)) from error
        if dtype.hasobject:
            if shape == ():
                return None, None
            raise ValueError('load_npz: {!r} in {} holds Python objects (dtype object, shape {}): '
                             'reading it would unpickle, which load_npz never does'
                             .format(key, self.name, shape))
        declared = int(numpy.prod(shape, dtype=numpy.int64)) * dtype.itemsize
        self.sizes[key] = declared, max(info.file_size - offset, 0)
        return tuple(shape), dtype

    def read(self, key):
        """The stored array of ``key``, or None when it stores None."""
        if key in self.cache:
            return self.cache[key]
        shape, dtype = self.header(key)
        declared, held = self.sizes.get(key, (0, 0))
        if declared > held:
            raise ValueError('load_npz: {!r} in {} declares {} bytes of data (shape {}, {}) but '
                             'the archive holds {}: the file is corrupt or truncated'.format(
                                 key, self.name, declared, shape, dtype, held))
        if shape is None:
            value = None
        else:
            try:
                value = numpy.asarray(self.npz[key])
            except KeyError:
                raise
            except Exception as error:
                raise ValueError('load_npz: cannot read {!r} from {}: the file is corrupt or '
                                 'truncated ({}: {})'.format(key, self.name, type(error).__name__,
                                                             error)) from error
        self.cache[key] = value
        return value


class NpzDeserializer(Deserializer):
    """Load from an NPZ archive (or any mapping of key to array) in Chainer's layout.

    Calling ``obj.serialize(deserializer)`` loads in one pass, as in
    Chainer; :meth:`load` (used by :func:`load_npz`) checks everything
    first and assigns only if every value fits.

    Args:
        npz: a ``numpy.lib.npyio.NpzFile`` or a dict of arrays.
        path (str): the key prefix to load from (``'predictor/'``).
        strict (bool): if False, keys missing from the archive are skipped.
        ignore_names (str, callable or list of them): keys to skip: a
            string matches a full key, a callable gets the key and returns
            True to skip it.
    """

    def __init__(self, npz, path='', strict=True, ignore_names=None, _source=None):
        self.npz = npz
        self.path = path
        self.strict = strict
        if ignore_names is not None and not isinstance(ignore_names, (list, tuple)):
            ignore_names = [ignore_names]
        self.ignore_names = ignore_names
        self._source = _source if _source is not None else _Source(npz, _describe(npz))

    def __getitem__(self, name):
        return NpzDeserializer(self.npz, self.path + name.strip('/') + '/', self.strict,
                               self.ignore_names, _source=self._source)

    def _ignored(self, key):
        for rule in self.ignore_names or ():
            if (rule(key) if callable(rule) else key == rule):
                return True
        return False

    def __call__(self, key, value):
        key = self.path + key.lstrip('/')
        if self._ignored(key):
            return value
        source = self._source
        if key not in self.npz:
            if not self.strict:
                return value
            raise KeyError('load_npz: {!r} is not in {} (pass strict=False to skip missing keys)'
                           .format(key, source.name))
        if isinstance(value, numpy.ndarray):    # checked on the header, before reading the data
            shape, dtype = source.header(key)
            if shape is not None:
                type_check.require(value.shape == shape, 'load_npz',
                                   "{} to have the model's shape {}".format(key, value.shape),
                                   '{} in {}'.format(shape, source.name))
                type_check.require(numpy.can_cast(dtype, value.dtype, 'same_kind'), 'load_npz',
                                   '{} castable to the model\'s dtype {}'.format(key, value.dtype),
                                   '{} in {}'.format(dtype, source.name))
        stored = source.read(key)
        if stored is None:      # saved before it had a value: keep the current one
            return value
        if value is None:
            return None if source.checking else numpy.array(stored)
        if isinstance(value, numpy.ndarray):
            if not source.checking:
                numpy.copyto(value, stored)
            return value
        loaded = _as_scalar(type(value), stored, key, source.name)
        return value if source.checking else loaded

    def load(self, obj):
        """Load into ``obj``: check every value first, then assign (a failed load changes nothing)."""
        source = self._source
        source.checking = True
        try:
            obj.serialize(self)
        finally:
            source.checking = False
        obj.serialize(self)


def _as_scalar(kind, stored, key, where):
    """Convert a 0-d array to the type of the value it replaces, or raise naming ``key``."""
    try:
        ok = stored.ndim == 0
        if ok and stored.dtype.kind in 'biufc':
            # Any stored integer fits a Python int; otherwise no float -> int, int -> bool.
            ok = ((stored.dtype.kind in 'biu' and kind is int)
                  or numpy.can_cast(stored.dtype, numpy.dtype(kind), 'same_kind'))
        if ok:
            return kind(stored[()])
    except (TypeError, ValueError):
        pass
    raise type_check.InvalidType('load_npz', '{} to be a scalar convertible to {}'.format(key, kind.__name__),
                                 'shape {}, dtype {} in {}'.format(stored.shape, stored.dtype, where))


def _describe(npz):
    name = getattr(getattr(npz, 'fid', None), 'name', None) or getattr(npz, 'name', None)
    return repr(name) if isinstance(name, str) else 'the archive'


def load_npz(file, obj, path='', strict=True, ignore_names=None):
    """Load ``obj`` from an NPZ file written by :func:`save_npz` (or by Chainer).

    The load is transactional: every key is read and checked first (it
    exists, its shape equals the model's, its dtype casts, its member is
    readable), then everything is assigned.  If anything is wrong, nothing
    is changed.  Uninitialized parameters take the stored arrays' shapes.

    Args:
        file (str, path-like or file object): the file.
        obj: an object with ``serialize(serializer)``.
        path (str): load the subtree under this key prefix, e.g.
            ``'updater/model:main/'`` from a trainer snapshot.
        strict (bool): if False, keys missing from the file are skipped.
        ignore_names (str, callable or list of them): keys to skip.

    Raises:
        KeyError: a key is missing (names the key).
        minigrad.type_check.InvalidType: a shape or dtype does not fit
            (names the key and both shapes).
        ValueError: the file is not a readable NPZ archive (names the file).
    """
    name = repr(os.fspath(file)) if isinstance(file, (str, bytes, os.PathLike)) else \
        repr(getattr(file, 'name', 'the file object'))
    try:
        npz = numpy.load(file, allow_pickle=False)
    except OSError as error:
        if isinstance(error, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise
        raise ValueError('load_npz: cannot read {}: not an NPZ file, or corrupt or truncated ({}: {})'
                         .format(name, type(error).__name__, error)) from error
    except Exception as error:
        raise ValueError('load_npz: cannot read {}: not an NPZ file, or corrupt or truncated ({}: {})'
                         .format(name, type(error).__name__, error)) from error
    if not hasattr(npz, 'files'):
        raise ValueError('load_npz: {} holds a single array (.npy), not an NPZ archive'.format(name))
    with npz:
        deserializer = NpzDeserializer(npz, path=path, strict=strict, ignore_names=ignore_names)
        deserializer._source.name = name
        deserializer.load(obj)
