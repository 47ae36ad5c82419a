"""Initializers: callables that fill a parameter array in place, as in Chainer.

Every initializer is called as ``init(array)`` and writes into ``array``;
the array keeps its dtype (a float32 array stays float32).  Links accept
``initialW`` / ``initial_bias`` as an initializer, an array or a scalar
(:func:`_get_initializer` turns the last two into :class:`Constant`).

Which one to pick (the scale keeps each layer's output variance close to
its input's, so signals neither vanish nor explode through many layers):

- :class:`HeNormal` (He et al. 2015), ``std = sqrt(2 / fan_in)``: for ReLU
  layers, which zero half of their input and so halve its variance.
- :class:`GlorotNormal` (Xavier, Glorot & Bengio 2010),
  ``std = sqrt(2 / (fan_in + fan_out))``: for sigmoid and tanh layers.
- :class:`LeCunNormal`, ``std = sqrt(1 / fan_in)``: Chainer's default for
  ``W`` in Linear and Convolution2D.

``fan_in`` and ``fan_out`` come from :func:`get_fans`: for ``W`` of shape
``(out, in, kh, kw)``, ``fan_in = in * kh * kw`` and ``fan_out = out * kh * kw``.

The random initializers draw from NumPy's global random state (seed it with
``numpy.random.seed``) unless given ``rng`` (a ``numpy.random.RandomState``
or ``numpy.random.Generator``).
"""
import numpy

from minigrad import type_check

# Random values are drawn and written in blocks of this many elements, so that
# initializing a large float32 array needs no float64 temporary of its size.
_BLOCK = 1 << 20


class Initializer:
    """Base class: ``init(array)`` fills ``array`` in place.

    Args:
        dtype: the dtype the array must have, or None for any float dtype.
            A Parameter allocated for this initializer takes this dtype.
    """

    def __init__(self, dtype=None):
        self.dtype = None if dtype is None else numpy.dtype(dtype)

    def __call__(self, array):
        raise NotImplementedError('{} does not implement __call__'.format(type(self).__name__))

    def _check(self, array):
        if not isinstance(array, numpy.ndarray):
            raise TypeError('{}: expect a numpy.ndarray to fill, actual {}'
                            .format(type(self).__name__, type(array).__name__))
        if self.dtype is not None and array.dtype != self.dtype:
            raise type_check.InvalidType(type(self).__name__, 'array.dtype == {}'.format(self.dtype),
                                         'array.dtype == {}'.format(array.dtype))

    def __repr__(self):
        specs = ', '.join('{}={!r}'.format(k, v) for k, v in vars(self).items()
                          if k != 'rng' and not isinstance(v, numpy.ndarray))
        return '{}({})'.format(type(self).__name__, specs)


# ---------------------------------------------------------------------------
# Constants

class Constant(Initializer):
    """Fill with ``fill_value`` (a scalar, or an array broadcastable to the array's shape).

    Args:
        fill_value (scalar or numpy.ndarray): the value.
        dtype: the dtype the filled array must have (None: any).
    """

    def __init__(self, fill_value, dtype=None):
        super().__init__(dtype)
        self.fill_value = fill_value

    def __call__(self, array):
        self._check(array)
        value = numpy.asarray(self.fill_value)
        try:
            fits = numpy.broadcast_shapes(value.shape, array.shape) == array.shape
        except ValueError:
            fits = False
        type_check.require(fits, 'Constant',
                           'fill_value.shape broadcastable to the parameter shape {}'.format(array.shape),
                           'fill_value.shape == {}'.format(value.shape))
        array[...] = value


class Zero(Constant):
    """Fill with zeros."""

    def __init__(self, dtype=None):
        super().__init__(0.0, dtype)


class One(Constant):
    """Fill with ones."""

    def __init__(self, dtype=None):
        super().__init__(1.0, dtype)


class NaN(Constant):
    """Fill with NaN: the placeholder of a parameter nobody initialized."""

    def __init__(self, dtype=None):
        super().__init__(numpy.nan, dtype)


class Identity(Initializer):
    """Fill a square matrix with ``scale * I``.

    Args:
        scale (float): the diagonal value.
    """

    def __init__(self, scale=1.0, dtype=None):
        super().__init__(dtype)
        self.scale = scale

    def __call__(self, array):
        self._check(array)
        type_check.require(array.ndim == 2 and array.shape[0] == array.shape[1], 'Identity',
                           'a square matrix', 'shape {}'.format(array.shape))
        array[...] = 0
        numpy.fill_diagonal(array, self.scale)


# ---------------------------------------------------------------------------
# Random: fixed scale

def _fill_random(array, draw):
    """Write ``draw(n)`` (n values) into ``array`` block by block."""
    if array.flags.c_contiguous and array.size > _BLOCK:
        flat = array.reshape(-1)
        for start in range(0, flat.size, _BLOCK):
            stop = min(start + _BLOCK, flat.size)
            flat[start:stop] = draw(stop - start)
    else:
        array[...] = draw(array.size).reshape(array.shape)


class Normal(Initializer):
    """Draw from the normal distribution ``N(0, scale**2)``.

    Args:
        scale (float): the standard deviation.
        rng: a ``numpy.random.RandomState`` or ``Generator`` (None: NumPy's global one).
    """

    def __init__(self, scale=0.05, dtype=None, rng=None):
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array):
        self._check(array)
        rng = numpy.random if self.rng is None else self.rng
        _fill_random(array, lambda n: rng.normal(0.0, self.scale, size=n))


class Uniform(Initializer):
    """Draw from the uniform distribution on ``[-scale, scale)``.

    Args:
        scale (float): the half-width of the interval.
        rng: a ``numpy.random.RandomState`` or ``Generator`` (None: NumPy's global one).
    """

    def __init__(self, scale=0.05, dtype=None, rng=None):
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array):
        self._check(array)
        rng = numpy.random if self.rng is None else self.rng
        _fill_random(array, lambda n: rng.uniform(-self.scale, self.scale, size=n))


# ---------------------------------------------------------------------------
# Random: scaled by the fans

def get_fans(shape):
    """Return ``(fan_in, fan_out)`` of a weight of ``shape``.

    For ``shape = (out, in, k1, k2, ...)``, with ``r = k1 * k2 * ...`` the
    receptive field size: ``fan_in = in * r`` and ``fan_out = out * r``.
    A Linear ``W`` is ``(out, in)``; a Convolution2D ``W`` is ``(out, in, kh, kw)``.
    """
    if not isinstance(shape, tuple):
        raise TypeError('get_fans: expect shape to be a tuple, actual {}'.format(type(shape).__name__))
    type_check.require(len(shape) >= 2, 'get_fans', 'len(shape) >= 2',
                       'shape == {}'.format(shape))
    receptive = int(numpy.prod(shape[2:], dtype=numpy.int64))
    return shape[1] * receptive, shape[0] * receptive


class LeCunNormal(Initializer):
    """``N(0, s**2)`` with ``s = scale * sqrt(1 / fan_in)`` (LeCun 1998); Chainer's default ``W``.

    Args:
        scale (float): a factor on the standard deviation.
    """

    def __init__(self, scale=1.0, dtype=None, rng=None):
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array):
        self._check(array)
        fan_in, _ = get_fans(array.shape)
        Normal(self.scale * numpy.sqrt(1.0 / fan_in), rng=self.rng)(array)


class LeCunUniform(Initializer):
    """``U(-s, s)`` with ``s = scale * sqrt(3 / fan_in)`` (variance ``scale**2 / fan_in``)."""

    def __init__(self, scale=1.0, dtype=None, rng=None):
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array):
        self._check(array)
        fan_in, _ = get_fans(array.shape)
        Uniform(self.scale * numpy.sqrt(3.0 / fan_in), rng=self.rng)(array)


class GlorotNormal(Initializer):
    """Xavier/Glorot normal: ``N(0, s**2)`` with ``s = scale * sqrt(2 / (fan_in + fan_out))``.

    Suited to sigmoid and tanh layers: it balances the variance of the
    forward signal (needs ``1 / fan_in``) and of the backward gradient
    (needs ``1 / fan_out``).
    """

    def __init__(self, scale=1.0, dtype=None, rng=None):
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array):
        self._check(array)
        fan_in, fan_out = get_fans(array.shape)
        Normal(self.scale * numpy.sqrt(2.0 / (fan_in + fan_out)), rng=self.rng)(array)


class GlorotUniform(Initializer):
    """Xavier/Glorot uniform: ``U(-s, s)`` with ``s = scale * sqrt(6 / (fan_in + fan_out))``."""

    def __init__(self, scale=1.0, dtype=None, rng=None):
        super().__init__(dtype)
        self.scale = scale
        self.rng = rng

    def __call__(self, array):
        self._check(array)
        fan_in, fan_out = get_fans(array.shape)
        Uniform(self.scale * numpy.sqrt(6.0 / (fan_in + fan_out)), rng=self.rng)(array)


def _he_fan(name, shape, fan_option):
    fan_in, fan_out = get_fans(shape)
    if fan_option == 'fan_in':
        return fan_in
    if fan_option == 'fan_out':
        return fan_out
    raise ValueError("{}: expect fan_option 'fan_in' or 'fan_out', actual {!r}".format(name, fan_option))


class HeNormal(Initializer):
    """He/Kaiming normal: ``N(0, s**2)`` with ``s = scale * sqrt(2 / fan_in)``.

    Suited to ReLU layers: ReLU zeroes half of its input, halving the
    variance, which the factor 2 restores.

    Args:
        scale (float): a factor on the standard deviation.
        fan_option (str): ``'fan_in'`` (default) or ``'fan_out'``.
    """

    def __init__(self, scale=1.0, dtype=None, fan_option='fan_in', rng=None):
        super().__init__(dtype)
        self.scale = scale
        self.fan_option = fan_option
        self.rng = rng

    def __call__(self, array):
        self._check(array)
        fan = _he_fan('HeNormal', array.shape, self.fan_option)
        Normal(self.scale * numpy.sqrt(2.0 / fan), rng=self.rng)(array)


class HeUniform(Initializer):
    """He/Kaiming uniform: ``U(-s, s)`` with ``s = scale * sqrt(6 / fan_in)`` (variance ``2 / fan_in``)."""

    def __init__(self, scale=1.0, dtype=None, fan_option='fan_in', rng=None):
        super().__init__(dtype)
        self.scale = scale
        self.fan_option = fan_option
        self.rng = rng

    def __call__(self, array):
        self._check(array)
        fan = _he_fan('HeUniform', array.shape, self.fan_option)
        Uniform(self.scale * numpy.sqrt(6.0 / fan), rng=self.rng)(array)


class Orthogonal(Initializer):
    """A scaled orthogonal matrix (Saxe et al. 2014), for deep linear and recurrent nets.

    The array is seen as a matrix of ``shape[0]`` rows and
    ``prod(shape[1:])`` columns.  Its rows are orthonormal times ``scale``
    when there are no more rows than columns (``W W^T = scale**2 I``), its
    columns otherwise (``W^T W = scale**2 I``).  The matrix is the Q of the
    QR decomposition of a Gaussian matrix, with signs fixed so that it is
    uniformly distributed.

    Args:
        scale (float): the norm of each orthogonal vector.
        mode (str): ``'auto'`` (the rule above), ``'projection'`` (rows,
            needs rows <= columns), ``'embedding'`` (columns, needs rows >=
            columns) or ``'basis'`` (square).
    """

    def __init__(self, scale=1.1, dtype=None, mode='auto', rng=None):
        super().__init__(dtype)
        if mode not in ('auto', 'projection', 'embedding', 'basis'):
            raise ValueError("Orthogonal: expect mode 'auto', 'projection', 'embedding' or 'basis', "
                             'actual {!r}'.format(mode))
        self.scale = scale
        self.mode = mode
        self.rng = rng

    def __call__(self, array):
        self._check(array)
        type_check.require(array.ndim >= 1, 'Orthogonal', 'array.ndim >= 1', 'array.ndim == 0')
        rows = array.shape[0]
        cols = int(numpy.prod(array.shape[1:], dtype=numpy.int64))
        mode = self.mode
        if mode == 'auto':
            mode = 'projection' if rows <= cols else 'embedding'
        need = {'projection': (rows <= cols, 'rows <= columns'),
                'embedding': (rows >= cols, 'rows >= columns'),
                'basis': (rows == cols, 'rows == columns')}[mode]
        type_check.require(need[0], 'Orthogonal', '{} for mode {!r}'.format(need[1], mode),
                           '{} rows, {} columns (shape {})'.format(rows, cols, array.shape))
        rng = numpy.random if self.rng is None else self.rng
        tall = (cols, rows) if mode == 'projection' else (rows, cols)
        q, r = numpy.linalg.qr(rng.normal(size=tall))
        q *= numpy.sign(numpy.diag(r))       # Q of a plain QR is not uniform; this fixes it
        matrix = q.T if mode == 'projection' else q
        array[...] = (self.scale * matrix).reshape(array.shape)


# ---------------------------------------------------------------------------
# Helpers for links

def generate_array(initializer, shape, dtype=None):
    """Allocate an array of ``shape`` and fill it with ``initializer``.

    The dtype is the initializer's, else ``dtype``, else float32.
    """
    own = getattr(initializer, 'dtype', None)
    if own is not None:
        dtype = own
    array = numpy.empty(shape, dtype=numpy.float32 if dtype is None else dtype)
    initializer(array)
    return array


def _get_initializer(initializer):
    """Turn a Link's ``initialW``-style argument into a callable initializer.

    None gives :class:`LeCunNormal` (Chainer's default), a scalar or an
    array gives :class:`Constant`, a callable is returned as it is.
    """
    if initializer is None:
        return LeCunNormal()
    if isinstance(initializer, numpy.ndarray) or numpy.isscalar(initializer):
        if isinstance(initializer, (str, bytes)):
            raise TypeError('invalid type of initializer: str')
        return Constant(initializer)
    if not callable(initializer):
        raise TypeError('invalid type of initializer: {} (expect an initializer, an array or a scalar)'
                        .format(type(initializer).__name__))
    return initializer
