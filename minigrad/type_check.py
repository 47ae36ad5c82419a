"""The one helper every function uses to validate its inputs.

A failed check raises :class:`InvalidType` with a message that names the
function and shows what was expected and what was given::

    Invalid operation in Linear: expect x.shape[1] == W.shape[1], actual 3 != 5
"""
import numpy


class InvalidType(TypeError, ValueError):
    """Raised when a function is given inputs it cannot work on.

    It is both a ``TypeError`` and a ``ValueError`` so that callers may catch
    either, as they would for a NumPy error of the same kind.
    """

    def __init__(self, func_name, expect, actual):
        self.func_name = func_name
        self.expect = expect
        self.actual = actual
        super().__init__(
            'Invalid operation in {}: expect {}, actual {}'.format(func_name, expect, actual))


def expect(ok, func_name, expect, actual):
    """Raise :class:`InvalidType` unless ``ok``; ``expect`` and ``actual`` are texts."""
    if not ok:
        raise InvalidType(func_name, expect, actual)


def expect_ndim(func_name, arg, x, *ndims):
    """Check that array ``x`` (named ``arg``) has one of ``ndims`` dimensions."""
    if x.ndim not in ndims:
        want = ' or '.join(str(n) for n in ndims)
        raise InvalidType(func_name, '{}.ndim == {}'.format(arg, want),
                          '{}.ndim == {} (shape {})'.format(arg, x.ndim, x.shape))


def expect_float(func_name, arg, x):
    """Check that array ``x`` (named ``arg``) holds floating point numbers."""
    if x.dtype.kind != 'f':
        raise InvalidType(func_name, '{}.dtype.kind == "f"'.format(arg),
                          '{}.dtype == {}'.format(arg, x.dtype))


def expect_equal(func_name, lhs_text, lhs, rhs_text, rhs):
    """Check ``lhs == rhs``; the texts say where each value comes from."""
    if lhs != rhs:
        raise InvalidType(func_name, '{} == {}'.format(lhs_text, rhs_text),
                          '{} != {}'.format(lhs, rhs))


def expect_int_dtype(func_name, arg, t):
    """Check that array ``t`` (named ``arg``) holds integers (labels)."""
    if t.dtype.kind not in 'iu':
        raise InvalidType(func_name, '{}.dtype.kind in "iu" (integer labels)'.format(arg),
                          '{}.dtype == {}'.format(arg, t.dtype))


def expect_positive(func_name, arg, value):
    """Check that every element of the int or tuple ``value`` is > 0."""
    values = value if isinstance(value, tuple) else (value,)
    if not all(v > 0 for v in values):
        raise InvalidType(func_name, '{} > 0'.format(arg), '{} == {}'.format(arg, value))


def expect_nonnegative(func_name, arg, value):
    """Check that every element of the int or tuple ``value`` is >= 0."""
    values = value if isinstance(value, tuple) else (value,)
    if not all(v >= 0 for v in values):
        raise InvalidType(func_name, '{} >= 0'.format(arg), '{} == {}'.format(arg, value))


def is_float(x):
    """True for a floating point array, scalar, dtype or scalar type (``numpy.float32``)."""
    if isinstance(x, type):     # numpy.float32 has a class-level ``dtype`` descriptor
        return numpy.dtype(x).kind == 'f'
    return numpy.dtype(getattr(x, 'dtype', x)).kind == 'f'
