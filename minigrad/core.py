"""The autograd core: Variable, Parameter, Function and back-propagation.

A forward pass records a graph: every output Variable points to the Function
that made it (``creator``) and every Function to its inputs.  ``backward()``
walks that graph from the output in reverse creation order (``generation``),
iteratively, so graphs of any depth work.

The arithmetic operators of Variable (``+ - * / ** @``, indexing,
``reshape``, ``transpose``) are Functions too; they live here, next to the
Variable whose methods they are, so that this module imports no other part
of minigrad except the configuration and the type checks.
"""
import contextlib
import heapq
import threading
import weakref

import numpy

from minigrad.configuration import config
from minigrad import type_check


# ---------------------------------------------------------------------------
# Variable

class Variable:
    """An array that remembers how it was computed.

    Args:
        data (numpy.ndarray or None): the value; ``array`` is the same thing.
        name (str): a name shown in graphs and ``repr``.
        grad (numpy.ndarray or None): an initial gradient.
        requires_grad (bool): whether ``backward`` computes a gradient for it.
            Integer and boolean data never get one.
    """

    __array_priority__ = 200   # so that ``ndarray + Variable`` calls Variable.__radd__

    def __init__(self, data=None, name=None, grad=None, requires_grad=True):
        if data is not None and not isinstance(data, numpy.ndarray):
            if isinstance(data, numpy.generic):
                data = numpy.asarray(data)
            else:
                raise TypeError('Variable: expect data to be a numpy.ndarray or None, '
                                'actual {}'.format(type(data).__name__))
        self._data = data
        self.name = name
        self.creator = None
        self.generation = 0
        self.requires_grad = requires_grad
        self._grad = None
        if grad is not None:
            self.grad = grad

    # -- the value --------------------------------------------------------
    @property
    def data(self):
        return self._data

    @data.setter
    def data(self, value):
        self._data = value

    array = data

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, g):
        if g is not None:
            if not isinstance(g, numpy.ndarray):
                raise TypeError('Variable.grad: expect a numpy.ndarray or None, actual {}'
                                .format(type(g).__name__))
            if self._data is not None and g.shape != self._data.shape:
                raise ValueError('Variable.grad: expect grad.shape == data.shape == {}, actual {}'
                                 .format(self._data.shape, g.shape))
        self._grad = g

    @property
    def grad_var(self):
        return None if self._grad is None else Variable(self._grad)

    @property
    def requires_grad(self):
        return self._requires_grad and (self._data is None or self._data.dtype.kind == 'f')

    @requires_grad.setter
    def requires_grad(self, value):
        self._requires_grad = bool(value)

    shape = property(lambda self: self._data.shape)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)
    dtype = property(lambda self: self._data.dtype)
    T = property(lambda self: transpose(self))
    label = property(lambda self: _variable_label(self))

    def __len__(self):
        return len(self._data)

    def __repr__(self):
        if self._data is None:
            return 'variable({})'.format(self.name or 'None')
        body = numpy.array2string(self._data, prefix='variable(', separator=' ')
        name = '' if self.name is None else ', name={!r}'.format(self.name)
        return 'variable({}{})'.format(body, name)

    def __str__(self):
        return repr(self)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return transpose(self, axes or None)

    # -- the graph --------------------------------------------------------
    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        """Set the gradient to ``None`` (the next backward starts from nothing)."""
        self._grad = None

    def zerograd(self):
        """Set the gradient to zeros of the data's shape (nothing if there is no data)."""
        self._grad = None if self._data is None else numpy.zeros_like(self._data)

    def unchain(self):
        """Forget the creator: this Variable becomes a leaf."""
        self.creator = None

    def unchain_backward(self):
        """Cut every edge behind this Variable, so the graph behind it can be freed."""
        stack = [self]
        while stack:
            v = stack.pop()
            f = v.creator
            v.creator = None
            if f is not None:
                stack.extend(f.inputs)
                f.inputs = ()

    def backward(self, retain_grad=False, retain_graph=False):
        """Compute gradients of this Variable with respect to every Variable behind it.

        Leaf Variables (no creator) accumulate into their ``grad``; the
        gradients of intermediate Variables are dropped unless
        ``retain_grad`` is True.  Each Function frees the arrays it kept for
        backward once it has run, unless ``retain_graph`` is True (then
        ``backward`` may be called again on the same graph).

        A one-element Variable without ``grad`` is seeded with ones; a
        larger one must have ``grad`` set first.
        """
        if self.creator is None:
            return
        if self._grad is None:
            if self._data.size != 1:
                raise ValueError(
                    'Variable.backward: expect a one-element output or grad set before backward(), '
                    'actual shape {} with grad None; set y.grad = numpy.ones_like(y.array) '
                    'or reduce y to a scalar first'.format(self._data.shape))
            self._grad = numpy.ones_like(self._data)
        _backward(self, retain_grad, retain_graph)

    # -- operators ----------------------------------------------------------
    def __neg__(self):
        return Neg()(self)

    def __abs__(self):
        return Absolute()(self)

    def __add__(self, other):
        return Add()(self, _operand(other, self))

    __radd__ = __add__

    def __sub__(self, other):
        return Sub()(self, _operand(other, self))

    def __rsub__(self, other):
        return Sub()(_operand(other, self), self)

    def __mul__(self, other):
        return Mul()(self, _operand(other, self))

    __rmul__ = __mul__

    def __truediv__(self, other):
        return Div()(self, _operand(other, self))

    def __rtruediv__(self, other):
        return Div()(_operand(other, self), self)

    def __pow__(self, other):
        if _is_real_scalar(other):
            return PowVarConst(other)(self)
        return Pow()(self, _operand(other, self))

    def __rpow__(self, other):
        return Pow()(_operand(other, self), self)

    def __matmul__(self, other):
        return MatMul()(self, _operand(other, self))

    def __rmatmul__(self, other):
        return MatMul()(_operand(other, self), self)

    def __getitem__(self, slices):
        return GetItem(slices)(self)

    __hash__ = object.__hash__


class Parameter(Variable):
    """A learnable array, held by a Link and updated by an optimizer.

    Args:
        initializer: an array (used as the data), a scalar (a constant fill),
            or a callable ``initializer(array)`` that fills an array in place
            (see :mod:`minigrad.initializers`).  Without ``shape`` a callable
            initializer waits until :meth:`initialize` is called with one.
        shape (tuple of ints): the shape to allocate now.
        name (str): the parameter's name (``W``, ``b``, ...).
    """

    def __init__(self, initializer=None, shape=None, name=None):
        self.initializer = initializer
        self.update_rule = None
        self.update_enabled = True
        data = None
        if isinstance(initializer, numpy.ndarray):
            data = initializer
        elif isinstance(initializer, Variable):
            data = initializer.data
        super().__init__(data, name=name)
        if data is None and shape is not None:
            self.initialize(shape)

    @property
    def is_initialized(self):
        return self._data is not None

    def initialize(self, shape, dtype=None):
        """Allocate the data with ``shape`` and fill it with the initializer."""
        init = self.initializer
        dtype = numpy.dtype(dtype or getattr(init, 'dtype', None) or config.dtype)
        data = numpy.empty(shape, dtype=dtype)
        if init is None:
            data.fill(numpy.nan)
        elif numpy.isscalar(init):
            data.fill(init)
        else:
            init(data)
        self._data = data
        self._grad = None

    def __repr__(self):
        return 'parameter({}, shape={})'.format(
            self.name, None if self._data is None else self._data.shape)


def as_variable(x):
    """Wrap an array in a Variable that needs no gradient; pass Variables through."""
    if isinstance(x, Variable):
        return x
    return Variable(numpy.asarray(x), requires_grad=False)


def _is_real_scalar(value):
    """True for a Python or NumPy int, float or bool (not an array, not complex)."""
    return isinstance(value, (int, float, numpy.integer, numpy.floating, numpy.bool_))


def _operand(other, like):
    """Turn the other operand of an operator into a Variable.

    A scalar (Python or NumPy) takes ``like``'s floating dtype, so ``x * 2``
    and ``x * numpy.int64(2)`` stay float32, as in Chainer.
    """
    if isinstance(other, Variable):
        return other
    if _is_real_scalar(other) and like.dtype.kind == 'f':
        return Variable(numpy.asarray(other, dtype=like.dtype), requires_grad=False)
    return Variable(numpy.asarray(other), requires_grad=False)


def _variable_label(v):
    if v._data is None:
        return '{}: None'.format(v.name or 'variable')
    shape = '()' if v._data.shape == () else str(v._data.shape)
    text = '{}, {}'.format(shape, v._data.dtype)
    return text if not v.name else '{}: {}'.format(v.name, text)


# ---------------------------------------------------------------------------
# Back-propagation

def _backward(root, retain_grad, retain_graph):
    """Run every Function behind ``root`` once, highest generation first."""
    grads = {id(root): root._grad}   # pending gradients of intermediate Variables
    heap = []
    seen = set()
    order = 0
    # ids of arrays that some other holder may share (gradients passed through
    # or given out already): a leaf gets a copy of those, so that updating one
    # Parameter's grad in place never changes another's.  A stale id only
    # costs a needless copy.
    shared = {id(root._grad)}

    def push(func):
        nonlocal order
        if func is not None and id(func) not in seen:
            seen.add(id(func))
            order += 1
            heapq.heappush(heap, (-func.generation, order, func))

    push(root.creator)
    while heap:
        func = heapq.heappop(heap)[2]
        outputs = [ref() for ref in func.outputs]
        gys = tuple(None if y is None else grads.pop(id(y), None) for y in outputs)
        if all(g is None for g in gys):
            continue
        shared.update(id(g) for g in gys if g is not None)
        gxs = func._run_backward(gys)
        if not retain_graph:
            func.release()
        for i, (x, gx) in enumerate(zip(func.inputs, gxs)):
            if gx is None or not x.requires_grad:
                continue
            gx = numpy.asarray(gx)
            if gx.shape != x._data.shape:
                raise ValueError(
                    'Invalid backward in {}: expect the gradient of input {} to have its shape {}, '
                    'actual {}'.format(func.label, i, x._data.shape, gx.shape))
            if gx.dtype != x._data.dtype:   # float32 in, float32 gradient out
                gx = gx.astype(x._data.dtype)
            if x.creator is None:
                if x._grad is not None:
                    x._grad = x._grad + gx
                else:
                    x._grad = gx.copy() if gx.base is not None or id(gx) in shared else gx
                    shared.add(id(gx))
                continue
            shared.add(id(gx))
            key = id(x)
            old = grads.get(key)
            grads[key] = gx if old is None else old + gx
            if retain_grad:
                x._grad = grads[key]
            push(x.creator)


# ---------------------------------------------------------------------------
# Which Link is running: Functions remember it so graphs can group by layer

_link_state = threading.local()


@contextlib.contextmanager
def link_scope(link):
    """Mark Functions called inside the block as belonging to ``link``."""
    outer = getattr(_link_state, 'link', None)
    _link_state.link = link
    try:
        yield
    finally:
        _link_state.link = outer


# ---------------------------------------------------------------------------
# Function

class Function:
    """An operation on arrays with a forward and a backward, as in Chainer.

    Subclasses implement::

        forward(self, inputs)                  -> tuple of output arrays
        backward(self, inputs, grad_outputs)   -> tuple of input gradients

    ``inputs`` and ``grad_outputs`` are tuples of ``numpy.ndarray``; a
    gradient may be ``None`` for an input that needs none.  Calling the
    Function on Variables or arrays returns one Variable, or a tuple when
    ``forward`` returns several outputs.

    By default backward receives every input.  ``forward`` may call
    :meth:`retain_inputs` to keep only some (the others arrive as ``None``)
    and :meth:`retain_outputs` to keep outputs, read in backward as
    ``self.output_data``.  Once backward has run, the Function drops every
    array it holds (:meth:`release`), so buffers saved on ``self`` in
    forward are freed with no extra code.
    """

    generation = 0
    link = None     # the Link whose call created this Function, if any
    # Per input, whether backward must compute its gradient (set when the
    # graph is recorded); backward may return None for the others.
    needs_input_grad = ()
    inputs = ()
    outputs = ()
    _retained_inputs = None     # None: all inputs
    _retained_outputs = ()

    @property
    def label(self):
        """The name shown in graphs and error messages."""
        return type(self).__name__

    def check_type_forward(self, inputs):
        """Validate the input arrays; raise through :mod:`minigrad.type_check`."""

    def forward(self, inputs):
        raise NotImplementedError('{} does not implement forward'.format(self.label))

    def backward(self, inputs, grad_outputs):
        raise NotImplementedError('{} does not implement backward'.format(self.label))

    def retain_inputs(self, indexes):
        """Keep only the inputs at ``indexes`` for backward (call inside forward)."""
        self._retained_inputs = tuple(indexes)

    def retain_outputs(self, indexes):
        """Keep the outputs at ``indexes`` for backward as ``self.output_data``."""
        self._retained_outputs = tuple(indexes)

    def __call__(self, *inputs):
        for i, x in enumerate(inputs):
            if isinstance(x, (list, tuple)) and any(isinstance(e, Variable) for e in x):
                raise type_check.InvalidType(
                    self.label, 'input {} an array or a Variable of a bool, int or float dtype'
                    .format(i), 'a {} of Variables (an array of dtype object)'.format(
                        type(x).__name__))
        xs = tuple(x if isinstance(x, Variable) else as_variable(x) for x in inputs)
        in_data = tuple(x._data for x in xs)
        for i, a in enumerate(in_data):
            if a.dtype.kind not in 'biuf':     # strings, objects, complex: nothing to differentiate
                raise type_check.InvalidType(
                    self.label, 'input {} of bool, integer or float dtype'.format(i),
                    'dtype {}'.format(a.dtype))
        self.check_type_forward(in_data)
        outputs = self.forward(in_data)
        if not isinstance(outputs, tuple):
            raise TypeError('{}.forward: expect a tuple of arrays, actual {}'
                            .format(self.label, type(outputs).__name__))
        outputs = tuple(y if isinstance(y, numpy.ndarray) else numpy.asarray(y)
                        for y in outputs)
        if config.debug:
            _check_finite(self, 'forward', outputs)
        needs_grad = tuple(x.requires_grad for x in xs)
        # Outputs of inputs that need no gradient need none either (a data
        # batch through a fixed preprocessing step stays gradient-free).
        ys = tuple(Variable(y, requires_grad=any(needs_grad)) for y in outputs)
        if config.enable_backprop and any(needs_grad):
            self.generation = max(x.generation for x in xs)
            self.inputs = xs
            self.needs_input_grad = needs_grad
            self.outputs = tuple(weakref.ref(y) for y in ys)
            self.output_shapes = tuple((y.shape, y.dtype) for y in outputs)
            self.link = getattr(_link_state, 'link', None)
            for y in ys:
                y.set_creator(self)
            keep = self._retained_outputs
            self.output_data = tuple(outputs[i] if i in keep else None
                                     for i in range(len(outputs)))
        else:
            self.release()
        return ys[0] if len(ys) == 1 else ys

    def _run_backward(self, gys):
        if getattr(self, 'output_data', None) is None:
            raise RuntimeError(
                'Invalid backward in {}: its buffers were freed by an earlier backward(); '
                'call backward(retain_graph=True) to run backward twice'.format(self.label))
        if any(g is None for g in gys):     # backward code may assume every gradient exists
            gys = tuple(numpy.zeros(shape, dtype=dtype) if g is None else g
                        for g, (shape, dtype) in zip(gys, self.output_shapes))
        keep = self._retained_inputs
        in_data = tuple(x._data if keep is None or i in keep else None
                        for i, x in enumerate(self.inputs))
        gxs = self.backward(in_data, gys)
        if not isinstance(gxs, tuple):
            gxs = (gxs,) if isinstance(gxs, numpy.ndarray) or gxs is None else tuple(gxs)
        if len(gxs) != len(self.inputs):
            raise ValueError('{}.backward: expect {} gradients (one per input), actual {}'
                             .format(self.label, len(self.inputs), len(gxs)))
        if config.debug:     # a gradient nobody asked for may be NaN (e.g. d(a**b)/db at a < 0)
            _check_finite(self, 'backward', [g if x.requires_grad else None
                                             for g, x in zip(gxs, self.inputs)])
        return gxs

    def release(self):
        """Drop every array this Function holds; only its place in the graph stays."""
        for name, value in list(vars(self).items()):
            if isinstance(value, numpy.ndarray):
                delattr(self, name)
        self.output_data = None

    def unchain(self):
        """Forget the inputs, cutting the graph here."""
        self.inputs = ()


def _check_finite(func, phase, arrays):
    for i, a in enumerate(arrays):
        if a is None:
            continue
        a = numpy.asarray(a)
        if a.dtype.kind == 'f' and not numpy.isfinite(a).all():
            raise FloatingPointError(
                'NaN or inf found in the {} of {} ({} {}): expect finite values '
                '(config.debug is on)'.format(
                    phase, func.label, 'output' if phase == 'forward' else 'input gradient', i))


# ---------------------------------------------------------------------------
# Arithmetic: the operators of Variable

def sum_to(gy, shape):
    """Sum ``gy`` over the axes that broadcasting added or stretched, to ``shape``."""
    if gy.shape == shape:
        return gy
    lead = gy.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gy.shape[lead + i] != 1)
    gx = gy.sum(axis=axes, keepdims=True)
    return gx.reshape(shape) if lead else gx


class Neg(Function):
    """``y = -x``."""

    def forward(self, inputs):
        return -inputs[0],

    def backward(self, inputs, grad_outputs):
        return -grad_outputs[0],


class Absolute(Function):
    """``y = |x|``; the gradient is ``sign(x) * gy``."""

    def forward(self, inputs):
        return numpy.abs(inputs[0]),

    def backward(self, inputs, grad_outputs):
        return numpy.sign(inputs[0]) * grad_outputs[0],


class BroadcastingFunction(Function):
    """Base of the elementwise functions of two inputs: their shapes must broadcast."""

    def check_type_forward(self, inputs):
        a, b = inputs
        if a.shape != b.shape:
            try:
                numpy.broadcast_shapes(a.shape, b.shape)
            except ValueError:
                raise type_check.InvalidType(
                    self.label, 'a.shape and b.shape broadcastable',
                    '{} and {}'.format(a.shape, b.shape)) from None


class Add(BroadcastingFunction):
    """``y = a + b`` with broadcasting; each gradient is summed back to its input's shape."""

    def forward(self, inputs):
        self.retain_inputs(())
        a, b = inputs
        self.shapes = a.shape, b.shape
        return a + b,

    def backward(self, inputs, grad_outputs):
        gy, = grad_outputs
        return sum_to(gy, self.shapes[0]), sum_to(gy, self.shapes[1])


class Sub(BroadcastingFunction):
    """``y = a - b`` with broadcasting."""

    def forward(self, inputs):
        self.retain_inputs(())
        a, b = inputs
        self.shapes = a.shape, b.shape
        return a - b,

    def backward(self, inputs, grad_outputs):
        gy, = grad_outputs
        return sum_to(gy, self.shapes[0]), sum_to(-gy, self.shapes[1])


class Mul(BroadcastingFunction):
    """``y = a * b`` with broadcasting: ``ga = gy * b``, ``gb = gy * a``."""

    def forward(self, inputs):
        a, b = inputs
        return a * b,

    def backward(self, inputs, grad_outputs):
        a, b = inputs
        gy, = grad_outputs
        return sum_to(gy * b, a.shape), sum_to(gy * a, b.shape)


class Div(BroadcastingFunction):
    """``y = a / b``: ``ga = gy / b``, ``gb = -gy * a / b**2``."""

    def forward(self, inputs):
        a, b = inputs
        return a / b,

    def backward(self, inputs, grad_outputs):
        a, b = inputs
        gy, = grad_outputs
        ga = gy / b
        return sum_to(ga, a.shape), sum_to(-ga * a / b, b.shape)


class PowVarConst(Function):
    """``y = x ** c`` for a constant ``c``: ``gx = c * x**(c-1) * gy``."""

    def __init__(self, exponent):
        # A NumPy scalar would promote float32 to its own dtype; a Python number does not.
        self.exponent = exponent.item() if isinstance(exponent, numpy.generic) else exponent

    @property
    def label(self):
        return '_ ** {}'.format(self.exponent)

    def forward(self, inputs):
        return inputs[0] ** self.exponent,

    def backward(self, inputs, grad_outputs):
        x, = inputs
        c = self.exponent
        return (c * x ** (c - 1)).astype(x.dtype, copy=False) * grad_outputs[0],


class Pow(BroadcastingFunction):
    """``y = a ** b``: ``ga = b * a**(b-1) * gy``, ``gb = log(a) * a**b * gy``."""

    def forward(self, inputs):
        a, b = inputs
        self.retain_outputs((0,))
        return a ** b,

    def backward(self, inputs, grad_outputs):
        a, b = inputs
        y, = self.output_data
        gy, = grad_outputs
        ga = gy * b * a ** (b - 1)
        with numpy.errstate(divide='ignore', invalid='ignore'):
            gb = gy * y * numpy.log(a)
        return sum_to(ga, a.shape), sum_to(gb, b.shape)


class MatMul(Function):
    """``y = a @ b`` on 2-D or batched (N-D) matrices."""

    def check_type_forward(self, inputs):
        a, b = inputs
        type_check.expect(a.ndim >= 2 and b.ndim >= 2, 'MatMul',
                          'a.ndim >= 2 and b.ndim >= 2', 'a.ndim == {}, b.ndim == {}'.format(a.ndim, b.ndim))
        type_check.expect_equal('MatMul', 'a.shape[-1]', a.shape[-1], 'b.shape[-2]', b.shape[-2])

    def forward(self, inputs):
        a, b = inputs
        return numpy.matmul(a, b),

    def backward(self, inputs, grad_outputs):
        a, b = inputs
        gy, = grad_outputs
        ga = numpy.matmul(gy, b.swapaxes(-1, -2))
        gb = numpy.matmul(a.swapaxes(-1, -2), gy)
        return sum_to(ga, a.shape), sum_to(gb, b.shape)


class GetItem(Function):
    """``y = x[slices]`` with basic or advanced (integer, boolean) indexing.

    The gradient is zeros of ``x``'s shape with ``gy`` written back at
    ``slices``.  Basic indexing (ints, slices, ``None``, ``...``) selects
    each element at most once, so a plain assignment does; advanced indices
    may repeat, so their gradients are added with ``numpy.add.at``.
    """

    def __init__(self, slices):
        self.slices = _as_index(slices)
        items = self.slices if isinstance(self.slices, tuple) else (self.slices,)
        self.basic = all(s is None or s is Ellipsis or isinstance(s, (slice, int, numpy.integer))
                         for s in items)

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs(())
        self.in_shape, self.in_dtype = x.shape, x.dtype
        try:
            return numpy.asarray(x[self.slices]),
        except IndexError as e:
            raise type_check.InvalidType(
                'GetItem', 'an index valid for x.shape == {} (x.ndim == {})'.format(
                    x.shape, x.ndim),
                '{!r}: {}'.format(self.slices, e)) from None

    def backward(self, inputs, grad_outputs):
        gx = numpy.zeros(self.in_shape, dtype=self.in_dtype)
        if self.basic:
            gx[self.slices] = grad_outputs[0]
        else:
            numpy.add.at(gx, self.slices, grad_outputs[0])
        return gx,

    def release(self):
        super().release()
        self.slices = None


def _as_index(slices):
    """Turn Variables and lists inside an index into arrays, as NumPy would read them."""
    if isinstance(slices, tuple):
        return tuple(_as_index(s) for s in slices)
    if isinstance(slices, Variable):
        return slices.data
    if isinstance(slices, list):
        return numpy.asarray(slices)
    return slices


class Reshape(Function):
    """``y = x.reshape(shape)``; the gradient is reshaped back."""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs(())
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape),
        except ValueError:
            raise type_check.InvalidType(
                'Reshape', 'a shape with {} elements (x.shape == {})'.format(x.size, x.shape),
                'shape {}'.format(self.shape)) from None

    def backward(self, inputs, grad_outputs):
        return grad_outputs[0].reshape(self.in_shape),


class Transpose(Function):
    """``y = x.transpose(axes)``; the gradient is transposed by the inverse permutation."""

    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs(())
        self.ndim = x.ndim
        if self.axes is not None and sorted(a % x.ndim if -x.ndim <= a < x.ndim else -1
                                            for a in self.axes) != list(range(x.ndim)):
            raise type_check.InvalidType(
                'Transpose', 'axes, a permutation of range({}) (x.shape == {})'.format(
                    x.ndim, x.shape), 'axes == {}'.format(self.axes))
        return x.transpose(self.axes),

    def backward(self, inputs, grad_outputs):
        gy, = grad_outputs
        if self.axes is None:
            return gy.transpose(),
        inverse = numpy.argsort([a % self.ndim for a in self.axes])
        return gy.transpose(inverse),


def reshape(x, shape):
    """Reshape ``x`` to ``shape`` (an int or a tuple; one entry may be -1)."""
    shape = (shape,) if isinstance(shape, (int, numpy.integer)) else tuple(shape)
    if isinstance(x, Variable) and x.shape == shape:
        return x
    return Reshape(shape)(x)


def transpose(x, axes=None):
    """Permute the axes of ``x``; ``axes=None`` reverses them."""
    return Transpose(None if axes is None else tuple(axes))(x)
