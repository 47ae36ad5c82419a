"""Links: objects that hold parameters, and containers of Links, as in Chainer.

A :class:`Link` owns :class:`~minigrad.core.Parameter` objects (trained by
optimizers) and *persistent* values (saved by serializers, not trained, e.g.
batch normalization's running averages).  A :class:`Chain` owns named child
Links, a :class:`ChainList` numbered ones, and a :class:`Sequential` applies
Links and plain functions in order.

Parameters and children are registered in one of two ways::

    class MLP(Chain):                        # Chainer v2+: init_scope
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(None, 100)
                self.l2 = L.Linear(100, 10)

        def forward(self, x):
            return self.l2(F.relu(self.l1(x)))

    class MLP(Chain):                        # Chainer v1: keyword children, __call__
        def __init__(self):
            super().__init__(l1=L.Linear(None, 100), l2=L.Linear(100, 10))
            self.train = True                # a plain attribute, not registered

        def __call__(self, x):
            return self.l2(F.relu(self.l1(x)))

Both give the same ``namedparams()``: ``/l1/W, /l1/b, /l2/W, /l2/b``, in
the order of definition.

Calling a Link runs its ``forward`` inside :func:`minigrad.core.link_scope`,
so every Function created there remembers the Link (``func.link``) and a
graph can group Functions by layer.  A subclass that overrides ``__call__``
directly (the v1 way) is wrapped the same way when the class is created
(:meth:`Link.__init_subclass__`), so its own Functions are scoped too.
"""
import contextlib
import copy
import functools
import inspect
import warnings

import numpy

from minigrad import backend
from minigrad import core
from minigrad import initializers
from minigrad import type_check
from minigrad.core import Parameter


def _scoped_call(call):
    """Wrap a subclass's own ``__call__`` so that it runs inside ``link_scope(self)``."""

    @functools.wraps(call)
    def __call__(self, *args, **kwargs):
        with core.link_scope(self):
            return call(self, *args, **kwargs)

    __call__._in_link_scope = True
    return __call__


class Link:
    """A building block of models: holds Parameters and persistent values.

    Attributes:
        name (str or None): the name under which the parent registered this
            Link (``'conv1'``, ``'0'``), None for a root.

    Args:
        **params: v1 style, ``name=shape`` or ``name=(shape, dtype)``: add an
            uninitialized (NaN-filled) parameter of that shape.
    """

    name = None
    xp = numpy
    _registries = ('_params', '_persistent')

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        call = cls.__dict__.get('__call__')
        if inspect.isfunction(call) and not getattr(call, '_in_link_scope', False):
            cls.__call__ = _scoped_call(call)

    def __init__(self, **params):
        d = self.__dict__
        for registry in self._registries:
            d.setdefault(registry, [])
        d.setdefault('_within_init_scope', False)
        for name, value in params.items():
            shape, dtype = value, numpy.float32
            if (isinstance(value, tuple) and len(value) == 2
                    and not isinstance(value[1], (int, numpy.integer))):
                shape, dtype = value
            self.add_param(name, shape, dtype=dtype)

    # -- calling -----------------------------------------------------------
    def __call__(self, *args, **kwargs):
        with core.link_scope(self):
            return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError('{} defines neither forward nor __call__'.format(type(self).__name__))

    # -- registration ------------------------------------------------------
    @property
    def within_init_scope(self):
        """True inside ``with self.init_scope():``."""
        return self.__dict__.get('_within_init_scope', False)

    @contextlib.contextmanager
    def init_scope(self):
        """Inside this block, assigning a Parameter (or, in a Chain, a Link) registers it."""
        outer = self.within_init_scope
        object.__setattr__(self, '_within_init_scope', True)
        try:
            yield
        finally:
            object.__setattr__(self, '_within_init_scope', outer)

    def _registry_for(self, value):
        """The registry that ``value`` joins when assigned inside ``init_scope`` (None: none)."""
        return '_params' if isinstance(value, Parameter) else None

    def _fits_registry(self, registry, value):
        """Whether ``value`` may stay under a name registered in ``registry``."""
        return registry != '_params' or isinstance(value, Parameter)

    def __setattr__(self, name, value):
        d = self.__dict__
        # A registered name given a value of another kind (``self.b = None``) leaves its registry.
        for registry in self._registries:
            names = d.get(registry, ())
            if name in names and not self._fits_registry(registry, value):
                names.remove(name)
        if d.get('_within_init_scope', False):
            registry = self._registry_for(value)
            if registry is not None:
                self._claim(name, registry)
                value.name = name
        object.__setattr__(self, name, value)

    def _claim(self, name, registry):
        # A method or property of the class would be shadowed (``self.params = ...``);
        # a plain class-level default (``gamma = None``) may be.
        attr = inspect.getattr_static(type(self), name, None)
        if hasattr(attr, '__get__'):
            raise AttributeError(
                'cannot register {!r} in {}: {}.{} is a method or property'
                .format(name, type(self).__name__, type(self).__name__, name))
        d = self.__dict__
        for other in self._registries:
            names = d.setdefault(other, [])
            if other != registry and name in names:
                names.remove(name)
        names = d[registry]
        if name not in names:       # a replacement keeps its place in the order
            names.append(name)

    def __delattr__(self, name):
        for registry in self._registries:
            names = self.__dict__.get(registry, ())
            if name in names:
                names.remove(name)
        object.__delattr__(self, name)

    def add_param(self, name, shape=None, dtype=numpy.float32, initializer=None):
        """Register a new parameter ``name``.

        Args:
            name (str): the attribute name.
            shape (int or tuple or None): allocate now with this shape; None
                leaves it uninitialized until ``param.initialize(shape)``.
            dtype: the dtype, unless the initializer has its own.
            initializer: an initializer, array or scalar; None fills with NaN
                (the caller is expected to assign the values).
        """
        if name in self.__dict__:
            raise AttributeError('cannot register a new parameter {!r} in {}: attribute exists'
                                 .format(name, type(self).__name__))
        if initializer is None:
            initializer = initializers.NaN(dtype)
        param = Parameter(initializer)
        if shape is not None and not param.is_initialized:
            own = getattr(initializer, 'dtype', None)
            param.initialize(shape, dtype=own if own is not None else dtype)
        with self.init_scope():
            setattr(self, name, param)

    def add_persistent(self, name, value):
        """Register ``value`` (an array or a scalar) as attribute ``name``: saved, not trained."""
        if name in self.__dict__:
            raise AttributeError('cannot register a new persistent value {!r} in {}: attribute exists'
                                 .format(name, type(self).__name__))
        object.__setattr__(self, name, value)
        self.register_persistent(name)

    def register_persistent(self, name):
        """Mark the existing attribute ``name`` as persistent (saved by serializers)."""
        if not hasattr(self, name):
            raise AttributeError('cannot register non-existent attribute {!r} of {} as a persistent value'
                                 .format(name, type(self).__name__))
        d = self.__dict__
        for registry in self._registries:
            names = d.setdefault(registry, [])
            if registry != '_persistent' and name in names:
                names.remove(name)
        if name not in d['_persistent']:
            d['_persistent'].append(name)

    # -- the tree ----------------------------------------------------------
    def _child_items(self):
        """``[(name, child Link), ...]`` in order; a plain Link has none."""
        return []

    def children(self):
        """Yield the direct child Links."""
        for _, child in self._child_items():
            yield child

    def namedlinks(self, skipself=False):
        """Yield ``(path, link)`` for this Link (``'/'``) and every descendant (``'/conv1'``), depth first."""
        stack = [('/', self)]
        while stack:
            path, link = stack.pop()
            if not (skipself and link is self and path == '/'):
                yield path, link
            prefix = '' if path == '/' else path
            stack.extend(reversed([(prefix + '/' + name, child) for name, child in link._child_items()]))

    def links(self, skipself=False):
        """Yield this Link and every descendant, depth first."""
        for _, link in self.namedlinks(skipself):
            yield link

    def namedparams(self, include_uninit=True):
        """Yield ``(path, param)`` for every parameter, e.g. ``('/conv1/W', W)``, in definition order.

        A parameter reachable by several paths (tied weights, one link under
        two names) comes once, under its first path, so that an optimizer
        updates it once per step and ``count_params`` counts it once, as
        PyTorch's ``parameters()`` does (Chainer would update it twice).
        """
        seen = set()
        for path, link in self.namedlinks():
            prefix = '' if path == '/' else path
            d = link.__dict__
            for name in link._params:
                param = d[name]
                if id(param) in seen:
                    continue
                seen.add(id(param))
                if include_uninit or param.data is not None:
                    yield prefix + '/' + name, param

    def params(self, include_uninit=True):
        """Yield every parameter of this Link and its descendants."""
        for _, param in self.namedparams(include_uninit):
            yield param

    def count_params(self):
        """The number of scalars in the initialized parameters (warns about uninitialized ones)."""
        size = 0
        for path, param in self.namedparams():
            if param.data is None:
                warnings.warn('count_params: parameter {} is not initialized yet, so it is not counted'
                              .format(path))
                continue
            size += param.data.size
        return size

    # -- gradients and updates -------------------------------------------------
    def cleargrads(self):
        """Set every parameter's gradient to None (the next backward starts afresh)."""
        for param in self.params():
            param.cleargrad()

    def zerograds(self):
        """Set every parameter's gradient to zeros (Chainer prefers :meth:`cleargrads`)."""
        for param in self.params():
            param.zerograd()

    def addgrads(self, link):
        """Add the gradients of ``link`` (same structure) to this Link's."""
        for (path, dst), (_, src) in _paired_params(self, link):
            if src.grad is None:
                continue
            if dst.grad is None:
                dst.grad = src.grad.astype(dst.data.dtype, copy=True)
            else:
                dst.grad += src.grad

    def disable_update(self):
        """Freeze every parameter of this Link and its descendants (optimizers skip them)."""
        for param in self.params():
            param.update_enabled = False
            if param.update_rule is not None:
                param.update_rule.enabled = False

    def enable_update(self):
        """Unfreeze every parameter of this Link and its descendants."""
        for param in self.params():
            param.update_enabled = True
            if param.update_rule is not None:
                param.update_rule.enabled = True

    @property
    def update_enabled(self):
        """True if at least one parameter is updated by optimizers."""
        return any(param.update_enabled and (param.update_rule is None or param.update_rule.enabled)
                   for param in self.params())

    # -- copying and saving -------------------------------------------------
    def copyparams(self, link, copy_persistent=True):
        """Copy the parameter values (and persistent values) of ``link``, which has the same structure."""
        # Check every pair first, then copy: a failure changes nothing.
        pairs = [(path, dst, src) for (path, dst), (_, src) in _paired_params(self, link)
                 if src.data is not None]
        for path, dst, src in pairs:
            if dst.data is not None:
                type_check.require(dst.data.shape == src.data.shape, 'copyparams',
                                   '{}: equal shapes'.format(path),
                                   '{} (here) != {} (source)'.format(dst.data.shape, src.data.shape))
                type_check.require(numpy.can_cast(src.data.dtype, dst.data.dtype, 'same_kind'),
                                   'copyparams', '{}: a dtype castable to {}'.format(
                                       path, dst.data.dtype), '{} (source)'.format(src.data.dtype))
        persistents = []
        if copy_persistent:
            for (path, dst_link), (_, src_link) in _paired_links(self, link):
                for name in dst_link._persistent:
                    value = getattr(src_link, name)
                    mine = dst_link.__dict__[name]
                    in_place = (isinstance(mine, numpy.ndarray) and isinstance(value, numpy.ndarray)
                                and mine.shape == value.shape)
                    if in_place:
                        type_check.require(
                            numpy.can_cast(value.dtype, mine.dtype, 'same_kind'), 'copyparams',
                            '{}/{}: a dtype castable to {}'.format(path.rstrip('/'), name, mine.dtype),
                            '{} (source)'.format(value.dtype))
                    persistents.append((dst_link, name, mine, value, in_place))
        for path, dst, src in pairs:
            if dst.data is None:
                dst.initialize(src.data.shape, dtype=src.data.dtype)
            numpy.copyto(dst.data, src.data)
        for dst_link, name, mine, value, in_place in persistents:
            if in_place:
                numpy.copyto(mine, value)
            else:
                object.__setattr__(dst_link, name, copy.deepcopy(value))

    def copy(self, mode='share'):
        """A copy of this Link and everything under it, as Chainer's ``Link.copy``.

        ``mode`` says what happens to the parameters:

        - ``'share'``: new Link and Parameter objects (gradients cleared)
          over the *same* arrays: training one trains the other.  Persistent
          values (running averages) are shared too.
        - ``'copy'``: a deep copy: equal values in new arrays, changed independently.
        - ``'init'``: a deep copy whose initialized parameters are filled
          again by their initializers (new random values); uninitialized
          ones stay so.  The copies keep the original initializer objects,
          so that several ``'init'`` copies draw different values.

        In every mode a parameter or child reachable twice (tied weights)
        stays tied in the copy, plain callables in a :class:`Sequential`
        are kept as they are, and the copy's ``name`` is None (it belongs
        to no parent yet).

        Args:
            mode (str): ``'share'``, ``'copy'`` or ``'init'``.

        Returns:
            Link: the copy, of this Link's class.
        """
        type_check.require(mode in ('share', 'copy', 'init'), 'Link.copy',
                           "mode 'share', 'copy' or 'init'", 'mode == {!r}'.format(mode))
        if mode == 'share':
            memo = {}       # id of an original Link or Parameter -> its copy

            def share(link):
                if id(link) in memo:
                    return memo[id(link)]
                ret = copy.copy(link)       # the same attribute values, in a new __dict__
                memo[id(link)] = ret
                d = ret.__dict__
                children = {id(child): share(child) for _, child in link._child_items()}
                for key, value in d.items():
                    # A Chain's children are attributes; a ChainList's (and a
                    # Sequential's layers) sit in lists.  Registries are lists
                    # of names: every list is copied, so the two stay apart.
                    if isinstance(value, Link) and id(value) in children:
                        d[key] = children[id(value)]
                    elif isinstance(value, list):
                        d[key] = [children.get(id(v), v) if isinstance(v, Link) else v
                                  for v in value]
                for name in d['_params']:
                    param = d[name]
                    if id(param) not in memo:
                        twin = copy.copy(param)     # a new node over the same array
                        twin.cleargrad()
                        memo[id(param)] = twin
                    d[name] = memo[id(param)]
                return ret

            ret = share(self)
        else:
            # Initializers are shared, not copied: one holding a random
            # generator would otherwise give every 'init' copy the same draws.
            # An array given as the initial value is the parameter's data: copied.
            memo = {id(p.initializer): p.initializer for p in self.params()
                    if p.initializer is not None
                    and not isinstance(p.initializer, (numpy.ndarray, core.Variable))}
            ret = copy.deepcopy(self, memo)
            if mode == 'init':
                for param in ret.params(include_uninit=False):
                    if not isinstance(param.initializer, (numpy.ndarray, core.Variable)):
                        param.initialize(param.shape, dtype=param.dtype)
        ret.name = None
        return ret

    def repeat(self, n_repeat, mode='init'):
        """A :class:`Sequential` of ``n_repeat`` copies of this Link, as Chainer's ``Link.repeat``.

        ``ConvBNReLU().repeat(16)`` stacks 16 blocks, each with its own
        freshly initialized parameters; a Sequential repeated gives a
        Sequential of Sequentials.

        Args:
            n_repeat (int): how many copies (0 or less: an empty Sequential).
            mode (str): how each copy is made (see :meth:`copy`): ``'init'``
                (new values), ``'copy'`` (equal values, independent) or
                ``'share'`` (the same arrays in every block).

        Returns:
            Sequential: the copies, ``/0``, ``/1``, ...
        """
        type_check.require(mode in ('share', 'copy', 'init'), 'Link.repeat',
                           "mode 'share', 'copy' or 'init'", 'mode == {!r}'.format(mode))
        ret = Sequential()
        for _ in range(n_repeat):
            ret.append(self.copy(mode))
        return ret

    def serialize(self, serializer):
        """Save or load the parameters, the persistent values and the children.

        ``serializer(key, value)`` saves ``value`` or loads into it (see
        :mod:`minigrad.serializers`); ``serializer[name]`` is the serializer
        of child ``name``.  An uninitialized parameter takes the loaded
        array's shape.
        """
        d = self.__dict__
        for name in self._params:
            param = d[name]
            data = serializer(name, param.data)
            if param.data is None and data is not None:
                param.initialize(numpy.shape(data))
                numpy.copyto(param.data, data)
        for name in self._persistent:
            object.__setattr__(self, name, serializer(name, d[name]))
        for name, child in self._child_items():
            child.serialize(serializer[name])

    # -- devices: the CPU only (see minigrad.backend) --------------------------
    def to_device(self, device):
        """Move the parameters and persistents to ``device`` (the CPU). Returns self."""
        backend.get_device(device)      # a GPU spec fails here, naming it
        return self

    def to_cpu(self):
        """Nothing to do: arrays always live in host memory. Returns self."""
        return self

    def to_gpu(self, device=None):
        """Fails: minigrad has no GPU backend (CuPy is not installed)."""
        backend.get_device(0 if device is None else device)

    @property
    def device(self):
        return backend.CpuDevice()

    # -- printing ------------------------------------------------------------
    @property
    def printable_specs(self):
        """``(name, value)`` pairs shown by ``repr``, e.g. ``in_size``, ``out_size``."""
        return ()

    def _repr_items(self):
        return self._child_items()

    def __repr__(self):
        specs = ', '.join('{}={!r}'.format(k, v) for k, v in self.printable_specs)
        items = self._repr_items()
        if not items:
            return '{}({})'.format(type(self).__name__, specs)
        lines = ['{}('.format(type(self).__name__)]
        for name, obj in items:
            lines.append('  ({}): {},'.format(name, repr(obj).replace('\n', '\n  ')))
        lines.append(')')
        return '\n'.join(lines)


def _paired_links(link, other):
    """Yield ``((path, mine), (path, theirs))`` over two Links of the same structure."""
    mine = list(link.namedlinks())
    theirs = dict(other.namedlinks())
    for path, sub in mine:
        if path not in theirs:
            raise ValueError('{} has no link {} (expect the same structure as {})'
                             .format(type(other).__name__, path, type(link).__name__))
        yield (path, sub), (path, theirs[path])


def _paired_params(link, other):
    for (path, sub), (_, twin) in _paired_links(link, other):
        prefix = '' if path == '/' else path
        for name in sub._params:
            if name not in twin._params:
                raise ValueError('{} has no parameter {}/{} (expect the same structure as {})'
                                 .format(type(other).__name__, prefix, name, type(link).__name__))
            yield (prefix + '/' + name, sub.__dict__[name]), (prefix + '/' + name, twin.__dict__[name])


class Chain(Link):
    """A Link with named child Links (and possibly parameters of its own).

    Children are registered by keyword (v1: ``Chain(conv1=L.Convolution2D(...))``),
    by assignment inside ``init_scope()`` (v2), or with :meth:`add_link`.
    A child is replaced by ``del chain.fc; chain.add_link('fc', new)`` or by
    assigning ``chain.fc = new`` inside ``init_scope()`` (the replacement
    keeps the old one's place in the order).

    Args:
        **links: child Links by name, registered in the given order.
    """

    _registries = ('_params', '_persistent', '_children')

    def __init__(self, **links):
        super().__init__()
        for name, link in links.items():
            self.add_link(name, link)

    def _registry_for(self, value):
        if isinstance(value, Link):
            return '_children'
        return super()._registry_for(value)

    def _fits_registry(self, registry, value):
        if registry == '_children':
            return isinstance(value, Link)
        return super()._fits_registry(registry, value)

    def _child_items(self):
        d = self.__dict__
        return [(name, d[name]) for name in d.get('_children', ())]

    def add_link(self, name, link):
        """Register ``link`` as the child ``name``."""
        if name in self.__dict__:
            raise AttributeError('cannot register a new link {!r} in {}: attribute exists '
                                 '(del it first to replace it)'.format(name, type(self).__name__))
        if not isinstance(link, Link):
            raise TypeError('cannot register a non-link object as a child: {!r} is a {}'
                            .format(name, type(link).__name__))
        with self.init_scope():
            setattr(self, name, link)

    def __getitem__(self, name):
        """The child (or attribute) called ``name``."""
        return getattr(self, name)


class ChainList(Link):
    """A Link with numbered child Links: paths ``/0``, ``/1``, ...

    Args:
        *links: the children, in order.
    """

    def __init__(self, *links):
        super().__init__()
        object.__setattr__(self, '_children', [])
        for link in links:
            self.add_link(link)

    def _registry_for(self, value):
        if isinstance(value, Link):
            raise TypeError('cannot register a Link as an attribute of {} inside init_scope(); '
                            'use append(link)'.format(type(self).__name__))
        return super()._registry_for(value)

    def _child_items(self):
        return [(str(i), link) for i, link in enumerate(self.__dict__.get('_children', ()))]

    def add_link(self, link):
        """Append ``link`` as the next child."""
        if not isinstance(link, Link):
            raise TypeError('cannot register a non-link object as a child of {}: {}'
                            .format(type(self).__name__, type(link).__name__))
        link.name = str(len(self._children))
        self._children.append(link)

    def append(self, link):
        """Append ``link`` as the next child."""
        self.add_link(link)

    def __getitem__(self, index):
        return self._children[index]

    def __iter__(self):
        return iter(self._children)

    def __len__(self):
        return len(self._children)


class Sequential(ChainList):
    """Apply Links and plain callables (``F.relu``) one after another.

    ``forward(x)`` computes ``layer_n(... layer_1(x))``, in a loop, so a
    Sequential of any length works; a layer returning a tuple passes it on
    as several arguments.  Only the Links are children: their paths are
    numbered among the Links (``Sequential(L.Linear(3, 4), F.relu,
    L.Linear(4, 2))`` has ``/0/W`` and ``/1/W``), as in Chainer.

    Args:
        *layers: Links or callables.
    """

    def __init__(self, *layers):
        super().__init__()
        object.__setattr__(self, '_layers', [])
        for layer in layers:
            self.append(layer)

    def forward(self, *x):
        if not self._layers:
            raise RuntimeError('Sequential has no layers: append some first')
        for layer in self._layers:
            x = layer(*x) if isinstance(x, tuple) else layer(x)
        return x

    def _renumber(self):
        links = [layer for layer in self._layers if isinstance(layer, Link)]
        for i, link in enumerate(links):
            link.name = str(i)
        object.__setattr__(self, '_children', links)

    def insert(self, index, layer):
        """Insert ``layer`` (a Link or a callable) before position ``index``."""
        type_check.require(callable(layer), 'Sequential', 'every layer to be callable (a Link or a function)',
                           '{!r} of type {}'.format(layer, type(layer).__name__))
        at_end = index >= len(self._layers)
        self._layers.insert(index, layer)
        if isinstance(layer, Link):
            if at_end:
                layer.name = str(len(self._children))
                self._children.append(layer)
            else:
                self._renumber()

    def append(self, layer):
        """Append ``layer`` (a Link or a callable)."""
        self.insert(len(self._layers), layer)

    add_link = append

    def extend(self, layers):
        """Append every layer of ``layers``."""
        for layer in layers:
            self.append(layer)

    def pop(self, index=-1):
        """Remove and return the layer at ``index``."""
        layer = self._layers.pop(index)
        if isinstance(layer, Link):
            self._renumber()
        return layer

    def remove(self, layer):
        """Remove the first occurrence of ``layer``."""
        self.pop(self._layers.index(layer))

    def clear(self):
        """Remove every layer."""
        self._layers.clear()
        self._renumber()

    def __delitem__(self, index):
        del self._layers[index]
        self._renumber()

    def __getitem__(self, index):
        return self._layers[index]

    def __iter__(self):
        return iter(self._layers)

    def __len__(self):
        return len(self._layers)

    def _repr_items(self):
        return [(str(i), layer) for i, layer in enumerate(self._layers)]
