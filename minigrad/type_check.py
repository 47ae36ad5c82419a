"""Input checks: Chainer's type-check language, and the helpers built on it.

A failed check raises :class:`InvalidType` with a message that names the
function and shows what was expected and what was given::

    Invalid operation in Linear: expect x.shape[1] == W.shape[1], actual 3 != 5

A function's ``check_type_forward(self, in_types)`` states its conditions
once, as Chainer's do::

    x_type, w_type = in_types
    type_check.argname(in_types, ('x', 'W'))
    type_check.expect(in_types.size() == 2, x_type.dtype.kind == 'f',
                      x_type.shape[1] == w_type.shape[1])

It runs twice at most.  First in *light* mode, where ``in_types`` are the
input arrays themselves and each condition is a plain bool (cheap: this is
every call).  Only when a condition fails does it run again in *heavy* mode,
where ``in_types`` are :class:`Expr` objects: each condition then remembers
its own text (``x.shape[1] == W.shape[1]``) and the values it compared
(``3 != 5``), and the message is made from them.  The condition is written
once, and its message follows from it.

The message names the function by the node's ``check_name``: its label, or
the function's plain name where the label shows more (``Convolution2D``,
whose label ``Convolution2D 3x3 s1 p0`` knows the kernel only after forward).
"""
import contextlib
import math
import operator
import threading

import numpy


class InvalidType(TypeError, ValueError):
    """Raised when a function is given inputs it cannot work on.

    It is both a ``TypeError`` and a ``ValueError`` so that callers may catch
    either, as they would for a NumPy error of the same kind.

    Args (three, or Chainer's two):
        func_name (str): the function; when left out, the function whose
            check is running, if any.
        expect (str): what was expected.
        actual (str): what was given.

    The message reads ``Invalid operation in F: expect E, actual A``; outside
    any function (a check run by hand), Chainer's ``Expect: E`` and
    ``Actual: A`` on two lines.
    """

    def __init__(self, *args):
        if len(args) == 2:
            func_name = _current_function()
            expect, actual = args
        else:
            func_name, expect, actual = args
        self.func_name = func_name
        self.expect = expect
        self.actual = actual
        if func_name is None:
            text = 'Expect: {}\nActual: {}'.format(expect, actual)
        else:
            text = 'Invalid operation in {}: expect {}, actual {}'.format(func_name, expect, actual)
        super().__init__(text)

    def __reduce__(self):
        return type(self), (self.func_name, self.expect, self.actual)


def require(ok, func_name, expect, actual):
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


# ---------------------------------------------------------------------------
# The type-check language (Chainer's ``chainer.utils.type_check``)

class _State(threading.local):
    """Per thread: whether a check runs in light mode, and for which function."""

    light = False
    func = None


_state = _State()


def in_light_mode():
    """True while ``check_type_forward`` runs on the arrays themselves."""
    return _state.light


@contextlib.contextmanager
def _mode(light, func_label):
    outer = _state.light, _state.func
    _state.light, _state.func = light, func_label
    try:
        yield
    finally:
        _state.light, _state.func = outer


def _current_function():
    """The name of the function whose check is running (for messages), or None.

    A node gives its ``check_name``: its label, unless it names itself
    otherwise (``Convolution2D``, whose label shows a kernel size known only
    after forward).
    """
    func = _state.func
    if func is None or isinstance(func, str):
        return func
    return func.check_name


class _LightModeFailure(InvalidType):
    """A condition failed in light mode: run the check again to describe it."""

    def __init__(self):
        super().__init__('?', 'a condition', 'not met')


def run_check(func, check, arrays):
    """Run ``check(in_types)`` in light mode, and again in heavy mode if a condition fails.

    ``func`` (a function node, or a name) names the function in the message;
    its ``check_name`` is read only then.
    """
    light = LightTypeInfoTuple(arrays)
    outer = _state.light, _state.func
    _state.light, _state.func = True, func      # inline, not _mode(): this runs on every call
    try:
        check(light)
        return
    except InvalidType as error:
        if not isinstance(error, _LightModeFailure):
            raise       # a check that wrote its own message
        failure = error
    except (IndexError, TypeError) as error:
        # Eager conditions may fail to evaluate (x.shape[1] of a 1-D x); heavy
        # mode evaluates them in order and stops at the first false one.
        failure = error
    finally:
        _state.light, _state.func = outer
    heavy = TypeInfoTuple(Variable(TypeInfo(a.shape, a.dtype), 'in_types[{}]'.format(i))
                          for i, a in enumerate(arrays))
    with _mode(False, func):
        check(heavy)
    raise failure


class TypeInfo:
    """What a check may ask of an input: ``shape``, ``dtype``, ``ndim`` and ``size``."""

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = numpy.dtype(dtype)
        self.ndim = len(self.shape)

    @property
    def size(self):
        return int(numpy.prod(self.shape, dtype=numpy.int64))


class LightTypeInfoTuple(tuple):
    """The input arrays, as light mode gives them to ``check_type_forward``."""

    def size(self):
        return len(self)


class TypeInfoTuple(tuple):
    """The inputs as :class:`Variable` expressions (heavy mode)."""

    name = 'in_types'

    def size(self):
        return Variable(len(self), '{}.size'.format(self.name))


def get_types(data, name, accept_none=False):
    """The arrays ``data`` as expressions named ``name[0]``, ``name[1]``... (Chainer's ``get_types``).

    For checking by hand, outside a function::

        in_types = type_check.get_types((x,), 'in_types', False)
        type_check.expect(in_types[0].ndim == 2)
    """
    types = TypeInfoTuple(
        Variable(TypeInfo(() if a is None else a.shape, None if a is None else a.dtype),
                 '{}[{}]'.format(name, i))
        for i, a in enumerate(data) if accept_none or a is not None)
    types.name = name
    return types


def argname(in_types, names):
    """Name the inputs in messages: ``argname(in_types, ('x', 'W'))``."""
    if len(in_types) != len(names):
        raise InvalidType(_current_function(), '{} argument(s)'.format(len(names)),
                          '{} argument(s)'.format(len(in_types)))
    if _state.light:        # the arrays have no names to take: nothing else to do
        return
    for t, name in zip(in_types, names):
        if isinstance(t, Variable):
            t.name = name


def expect(*bool_exprs):
    """Check every condition; raise :class:`InvalidType` describing the first that fails.

    In light mode the conditions are bools; in heavy mode, :class:`Testable`
    expressions that know their text and the values they compared.
    """
    if _state.light:        # (not in_light_mode(): this runs on every call)
        if not all(bool_exprs):
            raise _LightModeFailure()
        return
    for e in bool_exprs:
        if not isinstance(e, Testable):
            raise TypeError('type_check.expect: expect comparisons of in_types expressions, '
                            'actual {!r}'.format(e))
        e.expect()


def eval(exp):
    """The value of an expression (light mode: it already is one)."""
    return exp if in_light_mode() or not isinstance(exp, Expr) else exp.eval()


def make_variable(value, name):
    """A named constant to use in conditions (``make_variable(3, 'n_in')``)."""
    return value if in_light_mode() else Variable(value, name)


def prod(values):
    """The product of the entries of a shape: ``prod(x_type.shape[1:]) == w_type.shape[1]``.

    In light mode (or given numbers) the number itself, an int product of a
    tuple of ints; in heavy mode an expression that prints as
    ``prod(x.shape[1:])``.
    """
    if _state.light or not isinstance(values, Expr):
        return math.prod(values)
    return _prod(values)


def same_types(*arrays):
    """True when every array is of the same array type (here: all NumPy arrays)."""
    return all(isinstance(a, numpy.ndarray) for a in arrays)


def _value(v):
    return v.eval() if isinstance(v, Expr) else v


def _text(v):
    if isinstance(v, Expr):
        return str(v)
    if isinstance(v, numpy.dtype):
        return 'numpy.{}'.format(v)
    if isinstance(v, type) and issubclass(v, numpy.generic):
        return 'numpy.{}'.format(v.__name__)
    return repr(v)


class Expr:
    """A deferred computation on input types that can print itself.

    ``priority`` orders operators for parentheses, as in Python's grammar
    (higher binds tighter).
    """

    def __init__(self, priority):
        self.priority = priority

    def eval(self):
        raise NotImplementedError

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return GetAttr(self, name)

    def __getitem__(self, key):
        return GetItem(self, key)

    def __call__(self, *args):
        return Call(self, args)

    def __bool__(self):
        raise RuntimeError('an in_types expression is not a bool: pass conditions to '
                           'type_check.expect, or read a value with type_check.eval')

    __hash__ = object.__hash__


def _binary(text, priority, func, right_associative=False):
    def method(self, other):
        return BinaryOperator(priority, self, other, text, func, right_associative)

    def reflected(self, other):
        return BinaryOperator(priority, other, self, text, func, right_associative)
    return method, reflected


def _comparison(text, inverse, func):
    def method(self, other):
        return BoolBinaryOperator(self, other, text, inverse, func)
    return method


def _unary(text, func):
    def method(self):
        return UnaryOperator(self, text, func)
    return method


for _name, _text_op, _priority, _func in (
        ('add', '+', 4, operator.add), ('sub', '-', 4, operator.sub),
        ('mul', '*', 5, operator.mul), ('truediv', '/', 5, operator.truediv),
        ('floordiv', '//', 5, operator.floordiv), ('mod', '%', 5, operator.mod),
        ('pow', '**', 7, operator.pow), ('lshift', '<<', 3, operator.lshift),
        ('rshift', '>>', 3, operator.rshift), ('and', '&', 2, operator.and_),
        ('xor', '^', 1, operator.xor), ('or', '|', 0, operator.or_)):
    _method, _reflected = _binary(_text_op, _priority, _func, right_associative=_name == 'pow')
    setattr(Expr, '__{}__'.format(_name), _method)
    setattr(Expr, '__r{}__'.format(_name), _reflected)
for _name, _text_op, _inverse, _func in (
        ('eq', '==', '!=', operator.eq), ('ne', '!=', '==', operator.ne),
        ('lt', '<', '>=', operator.lt), ('le', '<=', '>', operator.le),
        ('gt', '>', '<=', operator.gt), ('ge', '>=', '<', operator.ge)):
    setattr(Expr, '__{}__'.format(_name), _comparison(_text_op, _inverse, _func))
for _name, _text_op, _func in (('neg', '-', operator.neg), ('pos', '+', operator.pos),
                               ('invert', '~', operator.invert)):
    setattr(Expr, '__{}__'.format(_name), _unary(_text_op, _func))


class Variable(Expr):
    """A named value: an input's TypeInfo, or a constant given a name."""

    def __init__(self, value, name):
        super().__init__(9)
        self.value = value
        self.name = name

    def __str__(self):
        return self.name

    def eval(self):
        return self.value


_prod = Variable(math.prod, 'prod')


class GetAttr(Expr):
    def __init__(self, obj, name):
        super().__init__(8)
        self.obj = obj
        self.name = name

    def __str__(self):
        return '{}.{}'.format(_paren(self.obj, 8), self.name)

    def eval(self):
        return getattr(_value(self.obj), self.name)


def _index_text(key):
    if isinstance(key, slice):
        return ':'.join('' if v is None else _text(v) for v in (key.start, key.stop)) + (
            '' if key.step is None else ':' + _text(key.step))
    if isinstance(key, tuple):
        return ', '.join(_index_text(k) for k in key)
    return _text(key)


class GetItem(Expr):
    def __init__(self, obj, key):
        super().__init__(8)
        self.obj = obj
        self.key = key

    def __str__(self):
        return '{}[{}]'.format(_paren(self.obj, 8), _index_text(self.key))

    def eval(self):
        key = self.key
        if isinstance(key, slice):
            key = slice(_value(key.start), _value(key.stop), _value(key.step))
        return _value(self.obj)[_value(key)]


class Call(Expr):
    def __init__(self, obj, args):
        super().__init__(8)
        self.obj = obj
        self.args = args

    def __str__(self):
        return '{}({})'.format(_paren(self.obj, 8), ', '.join(_text(a) for a in self.args))

    def eval(self):
        return _value(self.obj)(*[_value(a) for a in self.args])


class UnaryOperator(Expr):
    def __init__(self, term, text, func):
        super().__init__(6)
        self.term, self.text, self.func = term, text, func

    def __str__(self):
        return self.text + _paren(self.term, 6)

    def eval(self):
        return self.func(_value(self.term))


class BinaryOperator(Expr):
    def __init__(self, priority, lhs, rhs, text, func, right_associative=False):
        super().__init__(priority)
        self.lhs, self.rhs, self.text, self.func = lhs, rhs, text, func
        self.right_associative = right_associative

    def __str__(self):
        left = self.priority + (1 if self.right_associative else 0)
        right = self.priority + (0 if self.right_associative else 1)
        return '{} {} {}'.format(_paren(self.lhs, left), self.text, _paren(self.rhs, right))

    def eval(self):
        return self.func(_value(self.lhs), _value(self.rhs))


class Testable:
    """A condition ``expect`` can test."""

    def expect(self):
        raise NotImplementedError


class BoolBinaryOperator(BinaryOperator, Testable):
    """A comparison; its failure message shows both values with the opposite operator."""

    def __init__(self, lhs, rhs, text, inverse, func):
        super().__init__(-1, lhs, rhs, text, func)
        self.inverse = inverse

    def expect(self):
        left, right = _value(self.lhs), _value(self.rhs)
        if not self.func(left, right):
            # As Chainer words it: each side as str() gives it (a constant 'f'
            # reads f, numpy.float64 reads <class 'numpy.float64'>).
            raise InvalidType(_current_function(),
                              '{} {} {}'.format(self.lhs, self.text, self.rhs),
                              '{} {} {}'.format(left, self.inverse, right))


def _paren(v, priority):
    if isinstance(v, Expr) and v.priority < priority:
        return '({})'.format(v)
    return _text(v)
