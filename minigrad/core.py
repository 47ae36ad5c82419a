"""The autograd core: Variable, FunctionNode and back-propagation.

A forward pass records a graph.  Each :class:`Variable` has a
:class:`VariableNode`, its place in the graph; each output node points to the
:class:`FunctionNode` that made it (``creator``) and every FunctionNode to the
nodes of its inputs.  A node holds an array only when its function asked for
it (``retain_inputs``/``retain_outputs``), so an activation nobody needs for
backward is freed as soon as the user drops its Variable.

``backward()`` and :func:`grad` walk the graph from the outputs, highest
``rank`` first, iteratively (graphs of any depth work).  A FunctionNode's
``backward`` computes on Variables with other FunctionNodes, so a gradient
is itself a function of the inputs: with ``enable_double_backprop=True`` the
backward pass records a graph too, and the gradient can be differentiated
again.  Without it, backward runs with ``enable_backprop`` off and records
nothing.

The graph lives as long as something references it (an output Variable, a
retained input), as in Chainer: two backward passes over one graph work, and
``unchain_backward()`` or dropping the output frees it.

Old-style :class:`Function` (forward and backward on arrays) runs through
an adapter node; its gradients are first derivatives only.

The arithmetic operators of Variable (``+ - * / ** @``, indexing,
``reshape``, ``transpose``) are FunctionNodes too; they live here, next to the
Variable whose methods they are, so that this module imports no other part
of minigrad except the configuration, the devices and the type checks.
"""
import contextlib
import copy
import heapq
import threading
import warnings
import weakref

import numpy

from minigrad.configuration import config
from minigrad import backend, type_check


# ---------------------------------------------------------------------------
# Variable and its node

class VariableNode:
    """A Variable's place in the graph: its creator, rank, shape and dtype.

    It refers to its Variable weakly and holds the array only when a
    function retained it (``retain_data``); ``get_variable`` gives the
    Variable back, or a new one on the retained array when the user's is gone.
    """

    def __init__(self, variable, name=None):
        self._variable = weakref.ref(variable)
        self.name = name
        self.creator = None
        self.rank = 0
        self.data = None
        self.requires_grad = variable._requires_grad
        self._set_data_info(variable._data)

    def _set_data_info(self, data):
        self.shape = None if data is None else data.shape
        self.dtype = None if data is None else data.dtype

    creator_node = property(lambda self: self.creator)
    label = property(lambda self: _data_label(self.name, self.shape, self.dtype))

    def set_creator(self, func):
        self.creator = func
        self.rank = func.rank + 1

    def get_variable(self):
        """The Variable of this node: the user's if alive, else a new one on the retained array."""
        var = self._variable()
        if var is not None:
            return var
        var = Variable(self.data, name=self.name, requires_grad=self.requires_grad)
        var._node = self
        return var

    def get_variable_or_none(self):
        return self._variable()

    def retain_data(self):
        """Keep the Variable's array on the node (for a function's backward)."""
        var = self._variable()
        if var is not None:
            self.data = var._data

    def unchain(self):
        self.creator = None


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
        self._wants_grad = bool(requires_grad)
        # Integer and boolean data never get a gradient.
        self._requires_grad = self._wants_grad and (data is None or data.dtype.kind == 'f')
        self._node = VariableNode(self, name)
        self._grad_var = None
        if grad is not None:
            self.grad = grad

    # -- the value --------------------------------------------------------
    @property
    def data(self):
        return self._data

    @data.setter
    def data(self, value):
        self._data = value
        self._requires_grad = self._wants_grad and (value is None or value.dtype.kind == 'f')
        node = self._node
        node.requires_grad = self._requires_grad
        node._set_data_info(value)
        if node.data is not None:     # a retained array follows the Variable's
            node.data = value

    array = data

    @property
    def grad_var(self):
        """The gradient as a Variable (with a graph after ``enable_double_backprop``)."""
        return self._grad_var

    @grad_var.setter
    def grad_var(self, g):
        if g is not None:
            self._check_grad(g.array)
        self._grad_var = g

    @property
    def grad(self):
        return None if self._grad_var is None else self._grad_var._data

    @grad.setter
    def grad(self, g):
        if g is None:
            self._grad_var = None
            return
        if not isinstance(g, numpy.ndarray):
            raise TypeError('Variable.grad: expect a numpy.ndarray or None, actual {}'
                            .format(type(g).__name__))
        self._check_grad(g)
        self._grad_var = Variable(g, requires_grad=False)

    def _check_grad(self, g):
        if self._data is not None and g.shape != self._data.shape:
            raise ValueError('Variable.grad: expect grad.shape == data.shape == {}, actual {}'
                             .format(self._data.shape, g.shape))

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self._wants_grad = bool(value)
        self.data = self._data

    node = property(lambda self: self._node)
    shape = property(lambda self: self._data.shape)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)
    dtype = property(lambda self: self._data.dtype)
    xp = property(lambda self: numpy)
    T = property(lambda self: transpose(self))
    label = property(lambda self: _data_label(self.name, *(
        (None, None) if self._data is None else (self._data.shape, self._data.dtype))))

    @property
    def name(self):
        return self._node.name

    @name.setter
    def name(self, value):
        self._node.name = value

    @property
    def creator(self):
        """What made this Variable: a FunctionNode, the old-style Function, or None for a leaf."""
        func = self._node.creator
        return func.function if isinstance(func, FunctionAdapter) else func

    @property
    def creator_node(self):
        """The FunctionNode that made this Variable (an adapter for an old-style Function)."""
        return self._node.creator

    @creator_node.setter
    def creator_node(self, func):
        self._node.creator = func

    @property
    def rank(self):
        return self._node.rank

    def __len__(self):
        return len(self._data)

    def __getstate__(self):
        # The graph is not part of a Variable's state: a copy or an unpickled
        # Variable is a leaf with the same data, name and gradient.
        state = dict(self.__dict__)
        state['_node'] = self._node.name
        return state

    def __setstate__(self, state):
        name = state.pop('_node')
        self.__dict__.update(state)
        self._node = VariableNode(self, name)

    # -- Python protocols: as an array would, or a clear error -------------
    def __iter__(self):
        """The rows along the first axis, each a differentiable ``self[i]``."""
        if self._data.ndim == 0:
            raise TypeError('iteration over a 0-d Variable (shape ()); use v.array.item()')
        return (self[i] for i in range(len(self._data)))

    def __bool__(self):
        if self._data is None or self._data.size != 1:
            raise ValueError(
                'the truth value of a Variable of shape {} is ambiguous: expect one element; '
                'use v.array.any() or v.array.all()'.format(
                    None if self._data is None else self._data.shape))
        return bool(self._data)

    def __array__(self, dtype=None, copy=None):
        """``numpy.asarray(v)`` gives the data (no graph: the result is a plain array)."""
        data = self._data if dtype is None else self._data.astype(dtype, copy=False)
        return data.copy() if copy else data

    def __lt__(self, other):
        return self._data < as_array(other)

    def __le__(self, other):
        return self._data <= as_array(other)

    def __gt__(self, other):
        return self._data > as_array(other)

    def __ge__(self, other):
        return self._data >= as_array(other)

    def __eq__(self, other):
        raise TypeError('Variable == is not supported (identity or values would be ambiguous): '
                        'compare the values with v.array == other, or the objects with "is"')

    def __ne__(self, other):
        raise TypeError('Variable != is not supported (identity or values would be ambiguous): '
                        'compare the values with v.array != other, or the objects with "is not"')

    def __repr__(self):
        return self._text(', ')

    def __str__(self):
        return self._text(' ')

    def _text(self, separator):
        """As Chainer prints one: ``variable x([1., 2.])`` (repr) or ``variable x([1. 2.])`` (str)."""
        prefix = 'variable' if not self.name else 'variable ' + self.name
        data = self._data
        if data is None:
            body = 'None'
        elif data.size > 0 or data.shape == (0,):
            body = numpy.array2string(data, separator=separator, prefix=prefix + '(')
        else:       # a zero-length shape other than (0,) says so
            body = '[], shape={!r}'.format(data.shape)
        return '{}({})'.format(prefix, body)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return transpose(self, axes or None)

    # -- devices: the CPU only (see minigrad.backend) ----------------------
    device = property(lambda self: backend.CpuDevice())

    def to_device(self, device):
        """Move the data and gradient to ``device`` (the CPU). Returns self."""
        backend.get_device(device)      # a GPU spec fails here, naming it
        return self

    def to_cpu(self):
        return self

    def to_gpu(self, device=None):
        backend.get_device(0 if device is None else device)

    # -- the graph --------------------------------------------------------
    def set_creator(self, func):
        self._node.set_creator(func)

    set_creator_node = set_creator

    def retain_data(self):
        self._node.data = self._data

    def cleargrad(self):
        """Set the gradient to ``None`` (the next backward starts from nothing)."""
        self._grad_var = None

    def zerograd(self):
        """Set the gradient to zeros of the data's shape (nothing if there is no data)."""
        self._grad_var = None if self._data is None else Variable(
            numpy.zeros_like(self._data), requires_grad=False)

    def unchain(self):
        """Forget the creator: this Variable becomes a leaf."""
        self._node.creator = None

    def unchain_backward(self):
        """Cut every edge behind this Variable, so the graph behind it can be freed."""
        stack = [self._node]
        while stack:
            node = stack.pop()
            f = node.creator
            node.creator = None
            if f is not None:
                stack.extend(f.inputs)
                f.inputs = ()

    def backward(self, retain_grad=False, enable_double_backprop=False, loss_scale=None):
        """Compute gradients of this Variable with respect to every Variable behind it.

        Leaf Variables (no creator) accumulate into their ``grad``; the
        gradients of intermediate Variables are dropped unless
        ``retain_grad`` is True.  The graph stays as it is: ``backward`` may
        run again over it while it is referenced.

        A one-element Variable without ``grad`` is seeded with ones (times
        ``loss_scale`` when given); a larger one must have ``grad`` set first.
        With ``enable_double_backprop`` the backward computation records a
        graph, so the gradients (``grad_var``) can be differentiated again.
        """
        if self.creator is None:
            warnings.warn(
                'Variable.backward: this Variable has no graph (it is a leaf, or was computed '
                'under no_backprop_mode or from inputs that need no gradient), so nothing was '
                'back-propagated', RuntimeWarning, stacklevel=2)
            return
        seed = self._grad_var
        if seed is None:
            if self._data.size != 1:
                raise ValueError(
                    'Variable.backward: expect a one-element output or grad set before backward(), '
                    'actual shape {} with grad None; set y.grad = numpy.ones_like(y.array) '
                    'or reduce y to a scalar first'.format(self._data.shape))
            seed = Variable(numpy.ones_like(self._data), requires_grad=False)
            self._grad_var = seed
        if loss_scale is not None:
            seed = Variable(seed._data * seed._data.dtype.type(loss_scale), requires_grad=False)
        _backprop([self._node], [seed], None, retain_grad, enable_double_backprop)

    # -- operators ----------------------------------------------------------
    def __neg__(self):
        return Neg().apply((self,))[0]

    def __abs__(self):
        return Absolute().apply((self,))[0]

    def __add__(self, other):
        return Add().apply((self, _operand(other, self)))[0]

    __radd__ = __add__

    def __sub__(self, other):
        return Sub().apply((self, _operand(other, self)))[0]

    def __rsub__(self, other):
        return Sub().apply((_operand(other, self), self))[0]

    def __mul__(self, other):
        return Mul().apply((self, _operand(other, self)))[0]

    __rmul__ = __mul__

    def __truediv__(self, other):
        return Div().apply((self, _operand(other, self)))[0]

    def __rtruediv__(self, other):
        return Div().apply((_operand(other, self), self))[0]

    def __pow__(self, other):
        if is_real_scalar(other):
            return PowVarConst(other).apply((self,))[0]
        return Pow().apply((self, _operand(other, self)))[0]

    def __rpow__(self, other):
        return Pow().apply((_operand(other, self), self))[0]

    def __matmul__(self, other):
        return MatMul().apply((self, _operand(other, self)))[0]

    def __rmatmul__(self, other):
        return MatMul().apply((_operand(other, self), self))[0]

    def __getitem__(self, slices):
        return get_item(self, slices)

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
        self.data = data
        self._grad_var = None



def as_variable(x):
    """Wrap an array in a Variable that needs no gradient; pass Variables through."""
    if isinstance(x, Variable):
        return x
    return Variable(numpy.asarray(x), requires_grad=False)


def as_array(x):
    """The array of a Variable; an array passes through."""
    return x._data if isinstance(x, Variable) else numpy.asarray(x)


def is_real_scalar(value):
    """True for a Python or NumPy int, float or bool (not an array, not complex)."""
    return isinstance(value, (int, float, numpy.integer, numpy.floating, numpy.bool_))


def _operand(other, like):
    """Turn the other operand of an operator into a Variable.

    A scalar or an array (Python or NumPy) takes ``like``'s floating dtype,
    so ``x * 2``, ``x * numpy.int64(2)`` and ``x32 + float64_array`` stay
    float32, as in Chainer.
    """
    if isinstance(other, Variable):
        return other
    dtype = like.dtype if like.dtype.kind == 'f' else None
    return Variable(numpy.asarray(other, dtype=dtype), requires_grad=False)


def binary_operands(a, b):
    """Both operands of an elementwise function as Variables, a constant in its partner's dtype."""
    if isinstance(a, Variable):
        return a, _operand(b, a)
    if isinstance(b, Variable):
        return _operand(a, b), b
    return as_variable(a), as_variable(b)


def _data_label(name, shape, dtype):
    if shape is None:
        return '{}: None'.format(name or 'variable')
    text = '{}, {}'.format('()' if shape == () else str(shape), dtype)
    return text if not name else '{}: {}'.format(name, text)


# ---------------------------------------------------------------------------
# Back-propagation

def _backprop(roots, root_grads, targets, retain_grad, enable_double_backprop):
    """Run every FunctionNode behind ``roots`` once, highest rank first.

    Args:
        roots (list of VariableNode), root_grads (list of Variable): where to start.
        targets (dict or None): ``None`` accumulates into the ``grad_var`` of
            every leaf Variable (``Variable.backward``); a dict whose keys are
            nodes collects their gradients into it instead (:func:`grad`).
        retain_grad (bool): also set ``grad_var`` of intermediate Variables.
        enable_double_backprop (bool): record a graph of the backward pass.
    """
    grads = {}      # node -> its gradient so far (a Variable)
    heap = []
    seen = set()
    order = 0
    # ids of arrays that some other holder may share (gradients passed through
    # or given out already): a leaf gets a copy of those, so that updating one
    # Parameter's grad in place never changes another's.  A stale id only
    # costs a needless copy.
    shared = set()

    def push(func):
        nonlocal order
        if func is not None and func not in seen:
            seen.add(func)
            order += 1
            heapq.heappush(heap, (-func.rank, order, func))

    def add(node, g):
        old = grads.get(node)
        if old is None:
            grads[node] = g
        elif enable_double_backprop:
            grads[node] = old + g
        else:           # no graph to record: add the arrays
            grads[node] = Variable(old._data + g._data, requires_grad=False)

    for node, g in zip(roots, root_grads):
        shared.add(id(g._data))
        add(node, g)
        push(node.creator)

    own = config._local.__dict__        # set and restored inline: this runs on every backward
    outer = own.get('enable_backprop', _MISSING)
    own['enable_backprop'] = enable_double_backprop
    try:
        while heap:
            func = heapq.heappop(heap)[2]
            nodes = [ref() for ref in func.outputs]
            gys = []
            for y in nodes:
                g = None if y is None else grads.pop(y, None)
                if g is not None and targets is not None and y in targets:
                    targets[y] = g
                if g is not None and retain_grad:
                    var = y.get_variable_or_none()
                    if var is not None:
                        var._grad_var = g
                gys.append(g)
            if all(g is None for g in gys):
                continue
            indexes = tuple(i for i, x in enumerate(func.inputs) if x.requires_grad)
            if not indexes:
                continue
            shared.update(id(g._data) for g in gys if g is not None)
            gxs = func._run_backward(indexes, tuple(gys), nodes)
            for i, gx in zip(indexes, gxs):
                if gx is None:
                    continue
                x = func.inputs[i]
                shared_before = id(gx._data) in shared
                shared.add(id(gx._data))
                if x.creator is not None:
                    add(x, gx)
                    push(x.creator)
                elif targets is not None:
                    if x in targets:
                        add(x, gx)
                else:
                    _accumulate_leaf(x, gx, shared_before)
    finally:
        if outer is _MISSING:
            del own['enable_backprop']
        else:
            own['enable_backprop'] = outer
    if targets is not None:
        for node in targets:
            if targets[node] is None and node in grads:
                targets[node] = grads[node]


_MISSING = object()


def _accumulate_leaf(node, gx, shared):
    """Add ``gx`` to the gradient of the leaf Variable of ``node``, if it is alive."""
    var = node.get_variable_or_none()
    if var is None:
        return
    old = var._grad_var
    if old is not None:
        if old.creator is None and gx.creator is None:     # no graph to record: add the arrays
            var._grad_var = Variable(old._data + gx._data, requires_grad=False)
        else:
            var._grad_var = old + gx
    elif gx.creator is None and (shared or gx._data.base is not None):
        var._grad_var = Variable(gx._data.copy(), requires_grad=False)
    else:
        var._grad_var = gx


def grad(outputs, inputs, grad_outputs=None, grad_inputs=None, set_grad=False,
         retain_grad=False, enable_double_backprop=False, loss_scale=None):
    """Gradients of ``outputs`` with respect to ``inputs``, as ``chainer.grad``.

    Unlike ``backward()``, it touches no ``grad`` of any Variable (unless
    ``set_grad``): it returns the gradients.

    Args:
        outputs (list of Variable): the functions to differentiate.
        inputs (list of Variable): what to differentiate them against.
        grad_outputs (list of Variable, array or None): the initial gradient
            of each output; ``None`` seeds a one-element output with ones.
        grad_inputs (list of Variable, array or None): added to each result.
        set_grad (bool): also store each result in its input's ``grad_var``.
        retain_grad (bool): keep the gradients of intermediate Variables.
        enable_double_backprop (bool): record the graph of the gradient
            computation, so the results can be differentiated again.
        loss_scale (float): multiply the initial gradients by it.

    Returns:
        list of Variable: one gradient per input; ``None`` where no output
        depends on it.

    >>> x = Variable(numpy.array([3.0]))
    >>> gx, = grad([x ** 3], [x], enable_double_backprop=True)      # 3 x^2 = 27
    >>> ggx, = grad([gx], [x])                                       # 6 x = 18
    """
    outputs, inputs = list(outputs), list(inputs)
    for name, vs in (('outputs', outputs), ('inputs', inputs)):
        for i, v in enumerate(vs):
            if not isinstance(v, Variable):
                raise TypeError('grad: expect {}[{}] to be a Variable, actual {}'
                                .format(name, i, type(v).__name__))
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError('grad: expect one grad_output per output ({}), actual {}'
                         .format(len(outputs), len(grad_outputs)))
    seeds = []
    for y, gy in zip(outputs, grad_outputs):
        if gy is None:
            if y.size != 1:
                raise ValueError('grad: expect grad_outputs for an output of shape {} '
                                 '(only one-element outputs are seeded with ones)'.format(y.shape))
            gy = numpy.ones_like(y._data)
        gy = gy if isinstance(gy, Variable) else Variable(numpy.asarray(gy), requires_grad=False)
        if loss_scale is not None:
            gy = gy * loss_scale
        seeds.append(gy)
    targets = {x._node: None for x in inputs}
    roots, root_grads = [], []
    for y, gy in zip(outputs, seeds):
        if y._node in targets:      # an output that is also an input: d y / d y
            targets[y._node] = gy if targets[y._node] is None else targets[y._node] + gy
        roots.append(y._node)
        root_grads.append(gy)
    _backprop(roots, root_grads, targets, retain_grad, enable_double_backprop)
    results = [targets[x._node] for x in inputs]
    if grad_inputs is not None:
        results = [gx if gi is None else (as_variable(gi) if gx is None else gx + gi)
                   for gx, gi in zip(results, grad_inputs)]
    if set_grad:
        for x, gx in zip(inputs, results):
            x._grad_var = gx
    return results


# ---------------------------------------------------------------------------
# Which Link is running: FunctionNodes remember it so graphs can group by layer

_link_state = threading.local()


@contextlib.contextmanager
def link_scope(link):
    """Mark FunctionNodes applied inside the block as belonging to ``link``."""
    outer = getattr(_link_state, 'link', None)
    _link_state.link = link
    try:
        yield
    finally:
        _link_state.link = outer


# ---------------------------------------------------------------------------
# Function hooks: code that watches every FunctionNode applied in a thread

_hook_state = threading.local()


class FunctionHook:
    """Called around every FunctionNode applied in this thread inside ``with hook:``, as Chainer's.

    Subclasses override :meth:`forward_preprocess` (before ``forward``) and
    :meth:`forward_postprocess` (after the node has joined the graph, so
    ``function.inputs`` are its input nodes); both receive the node and its
    input arrays.  An exporter uses it to see the constants of a graph,
    which the graph itself keeps only when backward needs them.
    """

    name = 'FunctionHook'

    def forward_preprocess(self, function, in_data):
        pass

    def forward_postprocess(self, function, in_data):
        pass

    def __enter__(self):
        _hook_state.hooks = getattr(_hook_state, 'hooks', ()) + (self,)
        return self

    def __exit__(self, *exc_info):
        hooks = list(_hook_state.hooks)
        hooks.reverse()
        hooks.remove(self)      # the innermost occurrence
        hooks.reverse()
        _hook_state.hooks = tuple(hooks)


def get_function_hooks():
    """The hooks active in this thread, outermost first."""
    return getattr(_hook_state, 'hooks', ())


# ---------------------------------------------------------------------------
# FunctionNode

class FunctionNode:
    """An operation in the graph, as Chainer's ``FunctionNode``.

    Subclasses implement::

        forward(self, inputs)          -> tuple of output arrays
        backward(self, target_input_indexes, grad_outputs)
                                       -> tuple of input gradients (Variables)

    ``forward`` works on arrays (``forward_cpu`` may be written instead).
    ``backward`` works on Variables and computes with other FunctionNodes,
    so the gradient it returns is differentiable again.  It returns one
    gradient per input, or one per index in ``target_input_indexes`` (the
    inputs that need one); ``None`` means zero.  ``grad_outputs`` holds
    one Variable per output (zeros for an output that got no gradient).

    A node keeps only what ``forward`` asks for: :meth:`retain_inputs` and
    :meth:`retain_outputs` name the arrays backward reads back through
    :meth:`get_retained_inputs` and :meth:`get_retained_outputs`.  Other
    small values (shapes, hyperparameters) are plain attributes.

    One instance is applied once: it becomes a node of the graph.

    >>> class Square(FunctionNode):
    ...     def forward(self, inputs):
    ...         self.retain_inputs((0,))
    ...         return inputs[0] ** 2,
    ...     def backward(self, indexes, grad_outputs):
    ...         x, = self.get_retained_inputs()
    ...         return 2 * x * grad_outputs[0],
    >>> y, = Square().apply((numpy.array([3.0]),))
    """

    rank = 0
    inputs = None
    outputs = None
    link = None     # the Link whose call created this node, if any
    _input_indexes_to_retain = ()
    _output_indexes_to_retain = ()
    _retained_output_data = ()

    @property
    def label(self):
        """The name shown in graphs (and, by default, in error messages)."""
        return type(self).__name__

    @property
    def check_name(self):
        """The function's name in the messages of its input checks: by default its label.

        A node whose label shows more than the function's name, such as a
        kernel size known only after forward, names itself with a class
        attribute (``check_name = 'Convolution2D'``), so that every message
        of the function reads the same name.
        """
        return self.label

    def check_type_forward(self, in_types):
        """Check the inputs' shapes and dtypes, as Chainer's: ``type_check.expect(...)``.

        ``in_types`` are the input arrays (light mode), or, when a condition
        has failed, expressions that describe it (see :mod:`minigrad.type_check`).
        """

    def forward(self, inputs):
        """Compute the outputs from the input arrays (by default ``forward_cpu``)."""
        if type(self).forward_cpu is not FunctionNode.forward_cpu:
            return self.forward_cpu(inputs)
        raise NotImplementedError('{} does not implement forward'.format(self.label))

    def forward_cpu(self, inputs):
        raise NotImplementedError('{} does not implement forward_cpu'.format(self.label))

    def forward_gpu(self, inputs):
        raise NotImplementedError('{} has no GPU forward: minigrad runs on NumPy'
                                  .format(self.label))

    def backward(self, target_input_indexes, grad_outputs):
        raise NotImplementedError('{} does not implement backward'.format(self.label))

    def retain_inputs(self, indexes):
        """Keep the inputs at ``indexes`` for backward (call inside forward)."""
        self._input_indexes_to_retain = tuple(indexes)

    def retain_outputs(self, indexes):
        """Keep the outputs at ``indexes`` for backward (call inside forward)."""
        self._output_indexes_to_retain = tuple(indexes)

    def get_retained_inputs(self):
        """The retained inputs as Variables, in the order ``retain_inputs`` gave."""
        return tuple(self.inputs[i].get_variable() for i in self._input_indexes_to_retain)

    def get_retained_outputs(self):
        """The retained outputs as Variables that are outputs of this node.

        An output whose Variable and node are gone gets a new node with the
        retained array, so a gradient that flows into it still reaches here.
        """
        ret = []
        outputs = list(self.outputs)
        for i, data in zip(self._output_indexes_to_retain, self._retained_output_data):
            node = outputs[i]()
            if node is None:
                var = Variable(data, requires_grad=True)
                var._node.set_creator(self)
                outputs[i] = weakref.ref(var._node)
            else:
                if node.data is None:
                    node.data = data
                var = node.get_variable()
            ret.append(var)
        self.outputs = tuple(outputs)
        return tuple(ret)

    def apply(self, inputs):
        """Run forward on ``inputs`` (Variables or arrays) and record the node.

        Returns:
            tuple of Variable: the outputs.
        """
        if self.inputs is not None:
            raise RuntimeError(
                '{}: this FunctionNode instance was applied already; a node is used once, '
                'so create a new instance for each call'.format(self.label))
        xs = _as_inputs(self, inputs)
        in_data = tuple([x._data for x in xs])
        if type(self).check_type_forward is not FunctionNode.check_type_forward:
            type_check.run_check(self, self.check_type_forward, in_data)
        hooks = getattr(_hook_state, 'hooks', None)
        for hook in hooks or ():
            hook.forward_preprocess(self, in_data)
        outputs = self.forward(in_data)
        if not isinstance(outputs, tuple):
            raise TypeError('{}.forward: expect a tuple of arrays, actual {}'
                            .format(self.label, type(outputs).__name__))
        if not all(type(y) is numpy.ndarray for y in outputs):
            outputs = tuple([numpy.asarray(y) for y in outputs])
        if config.debug:
            _check_finite(self, 'forward', outputs)
        # Outputs of inputs that need no gradient need none either (a data
        # batch through a fixed preprocessing step stays gradient-free).
        requires_grad = any([x._requires_grad for x in xs])
        ys = tuple([Variable(y, requires_grad=requires_grad) for y in outputs])
        if requires_grad and config.enable_backprop:
            self.rank = max(x._node.rank for x in xs)
            self.inputs = tuple(x._node for x in xs)
            self.outputs = tuple(weakref.ref(y._node) for y in ys)
            self.output_shapes = tuple((y.shape, y.dtype) for y in outputs)
            self.link = getattr(_link_state, 'link', None)
            for y in ys:
                y._node.set_creator(self)
            for i in self._input_indexes_to_retain:
                xs[i]._node.data = xs[i]._data
            self._retained_output_data = tuple(outputs[i] for i in self._output_indexes_to_retain)
        else:
            self._retained_output_data = ()
        for hook in hooks or ():
            hook.forward_postprocess(self, in_data)
        return ys

    def _run_backward(self, indexes, gys, output_nodes):
        if any(g is None for g in gys):     # backward code may assume every gradient exists
            gys = tuple(Variable(numpy.zeros(shape, dtype=dtype), requires_grad=False)
                        if g is None else g
                        for g, (shape, dtype) in zip(gys, self.output_shapes))
        if config.debug:
            try:
                gxs = self.backward(indexes, gys)
            except FloatingPointError as e:
                raise FloatingPointError('NaN or inf found in the backward of {}: {}'.format(
                    self.label, e)) from e
        else:
            gxs = self.backward(indexes, gys)
        if not isinstance(gxs, tuple):
            gxs = tuple(gxs) if isinstance(gxs, list) else (gxs,)
        if len(gxs) == len(self.inputs):
            gxs = tuple(gxs[i] for i in indexes)
        elif len(gxs) != len(indexes):
            raise ValueError('{}.backward: expect {} gradients (one per input) or {} (one per '
                             'target index), actual {}'.format(
                                 self.label, len(self.inputs), len(indexes), len(gxs)))
        checked = []
        for i, gx in zip(indexes, gxs):
            if gx is not None:
                gx = _checked_gradient(self, i, self.inputs[i], gx)
            checked.append(gx)
        return checked

    def unchain(self):
        """Forget the inputs, cutting the graph here."""
        for ref in self.outputs or ():
            node = ref()
            if node is not None:
                node.creator = None
        self.inputs = ()


def _as_inputs(func, inputs):
    """The inputs as Variables, refusing what has no numeric value."""
    if all(type(x) is Variable and x._data.dtype.kind in 'biuf' for x in inputs):
        return tuple(inputs)
    label = func.label
    xs = []
    for i, x in enumerate(inputs):
        if not isinstance(x, Variable):
            if isinstance(x, (list, tuple)) and any(isinstance(e, Variable) for e in x):
                raise type_check.InvalidType(
                    label, 'input {} an array or a Variable of a bool, int or float dtype'
                    .format(i), 'a {} of Variables (an array of dtype object)'.format(
                        type(x).__name__))
            x = as_variable(x)
        if x._data.dtype.kind not in 'biuf':     # strings, objects, complex
            raise type_check.InvalidType(
                label, 'input {} of bool, integer or float dtype'.format(i),
                'dtype {}'.format(x._data.dtype))
        xs.append(x)
    return tuple(xs)


def _checked_gradient(func, i, x, gx):
    """``gx`` as a Variable of ``x``'s shape and dtype (float32 in, float32 gradient out)."""
    if not isinstance(gx, Variable):
        gx = Variable(numpy.asarray(gx), requires_grad=False)
    if gx.shape != x.shape:
        raise ValueError(
            'Invalid backward in {}: expect the gradient of input {} to have its shape {}, '
            'actual {}'.format(func.label, i, x.shape, gx.shape))
    if config.debug:
        _check_finite(func, 'backward', [gx._data], first=i)
    if gx.dtype != x.dtype:
        gx = cast(gx, x.dtype)
    return gx


def _check_finite(func, phase, arrays, first=0):
    for i, a in enumerate(arrays, first):
        if a is None:
            continue
        a = numpy.asarray(a)
        if a.dtype.kind == 'f' and not numpy.isfinite(a).all():
            raise FloatingPointError(
                'NaN or inf found in the {} of {} ({} {}): expect finite values '
                '(config.debug is on)'.format(
                    phase, func.label, 'output' if phase == 'forward' else 'input gradient', i))


# ---------------------------------------------------------------------------
# Old-style Function: forward and backward on arrays

class Function:
    """An operation on arrays with a forward and a backward, as Chainer's old-style Function.

    Subclasses implement::

        forward(self, inputs)                  -> tuple of output arrays
        backward(self, inputs, grad_outputs)   -> tuple of input gradients

    (or ``forward_cpu``/``backward_cpu``).  ``inputs`` and ``grad_outputs``
    are tuples of ``numpy.ndarray``; a gradient may be ``None`` for an input
    that needs none.  Calling the Function on Variables or arrays returns one
    Variable, or a tuple when ``forward`` returns several outputs.

    Backward receives every input unless ``forward`` calls
    :meth:`retain_inputs` (the others arrive as ``None``);
    :meth:`retain_outputs` keeps outputs, read in backward as
    ``self.output_data``.  Each call runs on a shallow copy of the instance
    inside an adapter node, so one instance may be called several times in a
    graph.  Its gradients are first derivatives only: differentiating them
    again raises an error that says to write a :class:`FunctionNode`.
    """

    _retained_inputs = None     # None: all inputs
    _retained_outputs = ()
    output_data = None
    node = None

    @property
    def label(self):
        return type(self).__name__

    inputs = property(lambda self: self.node.inputs if self.node is not None else None)
    outputs = property(lambda self: self.node.outputs if self.node is not None else None)
    rank = property(lambda self: self.node.rank if self.node is not None else 0)

    @property
    def needs_input_grad(self):
        """Per input, whether backward must compute its gradient."""
        return tuple(x.requires_grad for x in self.inputs) if self.node is not None else ()

    def check_type_forward(self, inputs):
        """Validate the input arrays; raise through :mod:`minigrad.type_check`."""

    def forward(self, inputs):
        if type(self).forward_cpu is not Function.forward_cpu:
            return self.forward_cpu(inputs)
        raise NotImplementedError('{} does not implement forward'.format(self.label))

    def forward_cpu(self, inputs):
        raise NotImplementedError('{} does not implement forward_cpu'.format(self.label))

    def backward(self, inputs, grad_outputs):
        if type(self).backward_cpu is not Function.backward_cpu:
            return self.backward_cpu(inputs, grad_outputs)
        raise NotImplementedError('{} does not implement backward'.format(self.label))

    def backward_cpu(self, inputs, grad_outputs):
        raise NotImplementedError('{} does not implement backward_cpu'.format(self.label))

    def retain_inputs(self, indexes):
        """Keep only the inputs at ``indexes`` for backward (call inside forward)."""
        self._retained_inputs = tuple(indexes)

    def retain_outputs(self, indexes):
        """Keep the outputs at ``indexes`` for backward as ``self.output_data``."""
        self._retained_outputs = tuple(indexes)

    def __call__(self, *inputs):
        func = copy.copy(self)      # each call keeps its own forward state
        node = FunctionAdapter(func)
        ys = node.apply(inputs)
        self.node = node
        return ys[0] if len(ys) == 1 else ys


class FunctionAdapter(FunctionNode):
    """The node through which an old-style :class:`Function` joins the graph."""

    def __init__(self, function):
        self.function = function
        function.node = self

    @property
    def label(self):
        return self.function.label

    def check_type_forward(self, inputs):
        self.function.check_type_forward(inputs)

    def forward(self, inputs):
        func = self.function
        outputs = func.forward(inputs)
        if isinstance(outputs, tuple):
            keep = func._retained_inputs
            self.retain_inputs(range(len(inputs)) if keep is None else keep)
            self.retain_outputs(func._retained_outputs)
        return outputs

    def backward(self, indexes, grad_outputs):
        func = self.function
        retained = dict(zip(self._input_indexes_to_retain,
                            (x._data for x in self.get_retained_inputs())))
        in_data = tuple(retained.get(i) for i in range(len(self.inputs)))
        outs = self.get_retained_outputs()
        func.output_data = tuple(None for _ in self.outputs)
        if outs:
            data = list(func.output_data)
            for i, y in zip(self._output_indexes_to_retain, outs):
                data[i] = y._data
            func.output_data = tuple(data)
        gxs = func.backward(in_data, tuple(g._data for g in grad_outputs))
        if not isinstance(gxs, tuple):
            gxs = (gxs,) if isinstance(gxs, numpy.ndarray) or gxs is None else tuple(gxs)
        if len(gxs) != len(self.inputs):
            raise ValueError('{}.backward: expect {} gradients (one per input), actual {}'
                             .format(self.label, len(self.inputs), len(gxs)))
        gxs = tuple(None if gxs[i] is None else numpy.asarray(gxs[i]) for i in indexes)
        if not config.enable_backprop:
            return tuple(None if g is None else Variable(g, requires_grad=False) for g in gxs)
        # Recording a graph of the gradients: they are functions of the inputs
        # and of grad_outputs that an old-style function cannot differentiate.
        present = [g for g in gxs if g is not None]
        depends_on = tuple(grad_outputs) + self.get_retained_inputs()
        wrapped = iter(_OldStyleGradient(self.label, present).apply(depends_on))
        return tuple(None if g is None else next(wrapped) for g in gxs)


class _OldStyleGradient(FunctionNode):
    """The gradients an old-style Function computed; differentiating them fails clearly."""

    def __init__(self, func_label, gradients):
        self.func_label = func_label
        self.gradients = gradients

    @property
    def label(self):
        return 'Gradient of {}'.format(self.func_label)

    def forward(self, inputs):
        gradients, self.gradients = self.gradients, None
        return tuple(gradients)

    def backward(self, indexes, grad_outputs):
        raise RuntimeError(
            '{} is an old-style Function (backward on arrays), so its gradient cannot be '
            'differentiated again; write it as a FunctionNode whose backward computes with '
            'Variables to take second derivatives'.format(self.func_label))


# ---------------------------------------------------------------------------
# Arithmetic: the operators of Variable, each backward written with these nodes

def _sum_to_array(gy, shape):
    """Sum ``gy`` over the axes that broadcasting added or stretched, to ``shape``."""
    if gy.shape == shape:
        return gy
    lead = gy.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gy.shape[lead + i] != 1)
    gx = gy.sum(axis=axes, keepdims=True)
    return gx.reshape(shape) if lead else gx


def _broadcastable(small, big):
    """True if an array of shape ``small`` broadcasts to shape ``big``."""
    if len(small) > len(big):
        return False
    return all(s == 1 or s == b for s, b in zip(small[::-1], big[::-1]))


class BroadcastTo(FunctionNode):
    """``y = broadcast_to(x, shape)``; the gradient is ``sum_to(gy, x.shape)``."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def check_type_forward(self, inputs):
        x, = inputs
        type_check.require(_broadcastable(x.shape, self.shape), 'BroadcastTo',
                           'x.shape broadcastable to {}'.format(self.shape),
                           'x.shape == {}'.format(x.shape))

    def forward(self, inputs):
        x, = inputs
        self.in_shape = x.shape
        # A broadcast view is read-only and aliases x; later in-place code needs its own array.
        return numpy.broadcast_to(x, self.shape).copy(),

    def backward(self, indexes, grad_outputs):
        return sum_to(grad_outputs[0], self.in_shape),


class SumTo(FunctionNode):
    """``y = sum_to(x, shape)``, the adjoint of broadcast_to; the gradient broadcasts back."""

    def __init__(self, shape):
        self.shape = tuple(shape)

    def check_type_forward(self, inputs):
        x, = inputs
        type_check.require(_broadcastable(self.shape, x.shape), 'SumTo',
                           '{} broadcastable to x.shape'.format(self.shape),
                           'x.shape == {}'.format(x.shape))

    def forward(self, inputs):
        x, = inputs
        self.in_shape = x.shape
        y = _sum_to_array(x, self.shape)
        # _sum_to_array returns x itself when nothing is summed; an output must not alias its input.
        return (y.copy() if y is x else y),

    def backward(self, indexes, grad_outputs):
        return broadcast_to(grad_outputs[0], self.in_shape),


def broadcast_to(x, shape):
    """Broadcast ``x`` to ``shape`` as NumPy would.

    Args:
        x (Variable or ndarray): a shape broadcastable to ``shape``.
        shape (tuple of ints): the output shape.
    """
    x = as_variable(x)
    if x.shape == tuple(shape):
        return x
    return BroadcastTo(shape).apply((x,))[0]


def sum_to(x, shape):
    """Sum ``x`` down to ``shape`` (the reverse of broadcasting), as ``chainer.functions.sum_to``.

    Args:
        x (Variable or ndarray): any shape that ``shape`` broadcasts to.
        shape (tuple of ints): the output shape.
    """
    x = as_variable(x)
    if x.shape == tuple(shape):
        return x
    return SumTo(shape).apply((x,))[0]


class Cast(FunctionNode):
    """``y = x.astype(dtype)``; the gradient is cast back to ``x``'s dtype."""

    def __init__(self, dtype):
        self.dtype = numpy.dtype(dtype)

    def forward(self, inputs):
        x, = inputs
        self.in_dtype = x.dtype
        return x.astype(self.dtype),

    def backward(self, indexes, grad_outputs):
        return cast(grad_outputs[0], self.in_dtype),


def cast(x, typ):
    """``x`` as an array of dtype ``typ``, differentiably (``chainer.functions.cast``)."""
    x = as_variable(x)
    try:
        dtype = None if typ is None else numpy.dtype(typ)
    except TypeError:
        dtype = None
    type_check.require(dtype is not None and dtype.kind in 'biuf', 'Cast',
                       'typ to be a numeric dtype (numpy.float32, "float64", ...)',
                       'typ == {!r}'.format(typ))
    if x.dtype == dtype:
        return x
    return Cast(dtype).apply((x,))[0]


class Neg(FunctionNode):
    """``y = -x``; ``gx = -gy``."""

    def forward(self, inputs):
        return -inputs[0],

    def backward(self, indexes, grad_outputs):
        return -grad_outputs[0],


class Absolute(FunctionNode):
    """``y = |x|``; ``gx = sign(x) gy`` (0 at x == 0)."""

    def forward(self, inputs):
        self.retain_inputs((0,))
        return numpy.abs(inputs[0]),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * numpy.sign(x._data),


class BroadcastingFunction(FunctionNode):
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

    def _shapes(self):
        return self.inputs[0].shape, self.inputs[1].shape


class Add(BroadcastingFunction):
    """``y = a + b`` with broadcasting; each gradient is ``gy`` summed back to its input's shape."""

    def forward(self, inputs):
        a, b = inputs
        return a + b,

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        return tuple(sum_to(gy, self.inputs[i].shape) for i in indexes)


class Sub(BroadcastingFunction):
    """``y = a - b`` with broadcasting: ``ga = gy``, ``gb = -gy``."""

    def forward(self, inputs):
        a, b = inputs
        return a - b,

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        return tuple(sum_to(gy if i == 0 else -gy, self.inputs[i].shape) for i in indexes)


class Mul(BroadcastingFunction):
    """``y = a * b`` with broadcasting: ``ga = gy * b``, ``gb = gy * a``."""

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        return a * b,

    def backward(self, indexes, grad_outputs):
        a, b = self.get_retained_inputs()
        gy, = grad_outputs
        return tuple(sum_to(gy * (b if i == 0 else a), self.inputs[i].shape) for i in indexes)


class Div(BroadcastingFunction):
    """``y = a / b``: ``ga = gy / b``, ``gb = -ga * a / b``."""

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        return a / b,

    def backward(self, indexes, grad_outputs):
        a, b = self.get_retained_inputs()
        gy, = grad_outputs
        ga = gy / b
        grads = {0: lambda: sum_to(ga, a.shape), 1: lambda: sum_to(-ga * a / b, b.shape)}
        return tuple(grads[i]() for i in indexes)


class PowVarConst(FunctionNode):
    """``y = x ** c`` for a constant ``c``: ``gx = c * x**(c-1) * gy``."""

    def __init__(self, exponent):
        # A NumPy scalar would promote float32 to its own dtype; a Python number does not.
        self.exponent = exponent.item() if isinstance(exponent, numpy.generic) else exponent

    @property
    def label(self):
        return '_ ** {}'.format(self.exponent)

    def forward(self, inputs):
        self.retain_inputs((0,))
        return inputs[0] ** self.exponent,

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        c = self.exponent
        if c == 2:      # the common square: one multiplication, no power
            return grad_outputs[0] * (x * 2.0),
        return grad_outputs[0] * (x ** (c - 1) * c),


class Pow(BroadcastingFunction):
    """``y = a ** b``: ``ga = b * a**(b-1) * gy``, ``gb = log(a) * a**b * gy``."""

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        return a ** b,

    def backward(self, indexes, grad_outputs):
        a, b = self.get_retained_inputs()
        gy, = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(sum_to(gy * b * a ** (b - 1), a.shape))
            else:
                with numpy.errstate(divide='ignore', invalid='ignore'):
                    out.append(sum_to(gy * a ** b * log(a), b.shape))
        return tuple(out)


class Exp(FunctionNode):
    """``y = exp(x)``; ``gx = y * gy``."""

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        self.retain_outputs((0,))
        return numpy.exp(inputs[0]),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return y * grad_outputs[0],


class Log(FunctionNode):
    """``y = log(x)``; ``gx = gy / x``."""

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward(self, inputs):
        self.retain_inputs((0,))
        return numpy.log(inputs[0]),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] / x,


def exp(x):
    """Elementwise ``e ** x``."""
    return Exp().apply((x,))[0]


def log(x):
    """Elementwise natural logarithm."""
    return Log().apply((x,))[0]


class MatMul(FunctionNode):
    """``y = a @ b`` on 2-D or batched (N-D) matrices: ``ga = gy b^T``, ``gb = a^T gy``."""

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('a', 'b'))
        a_type, b_type = in_types
        type_check.expect(a_type.ndim >= 2, b_type.ndim >= 2,
                          a_type.shape[-1] == b_type.shape[-2])

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        return numpy.matmul(a, b),

    def backward(self, indexes, grad_outputs):
        a, b = self.get_retained_inputs()
        gy, = grad_outputs
        out = []
        for i in indexes:
            if i == 0:
                out.append(sum_to(MatMul().apply((gy, _swap_last(b)))[0], a.shape))
            else:
                out.append(sum_to(MatMul().apply((_swap_last(a), gy))[0], b.shape))
        return tuple(out)


def _swap_last(x):
    axes = list(range(x.ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return transpose(x, axes)


class GetItem(FunctionNode):
    """``y = x[slices]`` with basic or advanced (integer, boolean) indexing.

    The gradient puts ``gy`` back at ``slices`` in zeros of ``x``'s shape
    (:class:`GetItemGrad`); the two are each other's adjoint.
    """

    def __init__(self, slices):
        self.slices = _as_index(slices)

    def forward(self, inputs):
        x, = inputs
        try:
            return numpy.asarray(x[self.slices]),
        except IndexError as e:
            raise type_check.InvalidType(
                'GetItem', 'an index valid for x.shape == {} (x.ndim == {})'.format(
                    x.shape, x.ndim),
                '{!r}: {}'.format(self.slices, e)) from None

    def backward(self, indexes, grad_outputs):
        x = self.inputs[0]
        return GetItemGrad(self.slices, x.shape, x.dtype).apply(grad_outputs)[0],


class GetItemGrad(FunctionNode):
    """``gx = zeros(shape); gx[slices] += gy``: the adjoint of :class:`GetItem`.

    Basic indexing (ints, slices, ``None``, ``...``) selects each element at
    most once, so a plain assignment does; advanced indices may repeat, so
    their gradients are added with ``numpy.add.at``.
    """

    def __init__(self, slices, shape, dtype):
        self.slices, self.shape, self.dtype = slices, shape, dtype
        items = slices if isinstance(slices, tuple) else (slices,)
        self.basic = all(s is None or s is Ellipsis or isinstance(s, (slice, int, numpy.integer))
                         for s in items)

    def forward(self, inputs):
        gx = numpy.zeros(self.shape, dtype=self.dtype)
        if self.basic:
            gx[self.slices] = inputs[0]
        else:
            numpy.add.at(gx, self.slices, inputs[0])
        return gx,

    def backward(self, indexes, grad_outputs):
        return GetItem(self.slices).apply(grad_outputs)[0],


def _as_index(slices):
    """Turn Variables and lists inside an index into arrays, as NumPy would read them."""
    if isinstance(slices, tuple):
        return tuple(_as_index(s) for s in slices)
    if isinstance(slices, Variable):
        return slices.data
    if isinstance(slices, list):
        return numpy.asarray(slices)
    return slices


def get_item(x, slices):
    """``x[slices]`` with basic or advanced indexing; repeated indices add their gradients."""
    return GetItem(slices).apply((x,))[0]


class Reshape(FunctionNode):
    """``y = x.reshape(shape)``; the gradient is reshaped back."""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, inputs):
        x, = inputs
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape),
        except ValueError:
            raise type_check.InvalidType(
                'Reshape', 'a shape with {} elements (x.shape == {})'.format(x.size, x.shape),
                'shape {}'.format(self.shape)) from None

    def backward(self, indexes, grad_outputs):
        return reshape(grad_outputs[0], self.in_shape),


class Transpose(FunctionNode):
    """``y = x.transpose(axes)``; the gradient is transposed by the inverse permutation."""

    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, inputs):
        x, = inputs
        if self.axes is not None and sorted(a % x.ndim if -x.ndim <= a < x.ndim else -1
                                            for a in self.axes) != list(range(x.ndim)):
            raise type_check.InvalidType(
                'Transpose', 'axes, a permutation of range({}) (x.shape == {})'.format(
                    x.ndim, x.shape), 'axes == {}'.format(self.axes))
        self.ndim = x.ndim
        return x.transpose(self.axes),

    def backward(self, indexes, grad_outputs):
        if self.axes is None:
            return transpose(grad_outputs[0]),
        inverse = tuple(int(a) for a in numpy.argsort([a % self.ndim for a in self.axes]))
        return transpose(grad_outputs[0], inverse),


def reshape(x, shape):
    """Reshape ``x`` to ``shape`` (an int or a tuple; one entry may be -1)."""
    shape = (shape,) if isinstance(shape, (int, numpy.integer)) else tuple(shape)
    if isinstance(x, Variable) and x.shape == shape:
        return x
    return Reshape(shape).apply((x,))[0]


def transpose(x, axes=None):
    """Permute the axes of ``x``; ``axes=None`` reverses them."""
    return Transpose(None if axes is None else tuple(axes)).apply((x,))[0]
