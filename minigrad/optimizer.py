"""Optimizer base classes, as in Chainer: Optimizer, GradientMethod, UpdateRule.

An :class:`Optimizer` is set up on a Link (``optimizer.setup(model)``) and
updates its Parameters with :meth:`~Optimizer.update`.  A
:class:`GradientMethod` gives every Parameter its own :class:`UpdateRule`
(``param.update_rule``): the rule keeps that Parameter's state (momentum,
moving averages...) and applies the update formula in place.  Each rule's
:class:`Hyperparameter` falls back to the optimizer's, so ``optimizer.lr = 0.1``
changes every Parameter while ``param.update_rule.hyperparam.lr = 0`` changes one.

A Parameter is left alone (bit for bit, state and step count untouched) when
its ``grad`` is None, when ``param.update_enabled`` is False, or when its
rule's ``enabled`` is False.

Updates run on 1-D blocks of ``_CHUNK`` elements (:func:`elementwise`) with
small scratch buffers: no full-size temporaries, and the blocks stay in cache
across the several passes a formula like Adam's makes.
"""
import collections
import copy
import threading

import numpy

from minigrad.utils import loading


# ---------------------------------------------------------------------------
# Blockwise in-place arithmetic

_CHUNK = 1 << 16     # elements per block: 256 KB of float32, fits in L2 with its neighbours
_scratch = threading.local()


def _scratch_buffers(dtype, count):
    """``count`` reusable 1-D buffers of ``_CHUNK`` elements of ``dtype`` (per thread)."""
    pool = getattr(_scratch, 'pool', None)
    if pool is None:
        pool = _scratch.pool = {}
    bufs = pool.get(dtype)
    if bufs is None or len(bufs) < count:
        bufs = pool[dtype] = [numpy.empty(_CHUNK, dtype=dtype) for _ in range(count)]
    return bufs[:count]


def elementwise(kernel, outputs, inputs=(), n_scratch=1):
    """Run ``kernel`` on matching 1-D blocks of same-shaped arrays.

    ``kernel(*output_blocks, *input_blocks, *scratch_blocks)`` updates the
    output blocks in place; the scratch blocks are uninitialized buffers of
    the first output's dtype, of the block's length.  Element ``i`` of every
    block is element ``i`` of the same position in every array, so any
    elementwise formula may be written this way.

    Args:
        kernel (callable): the formula on blocks.
        outputs (tuple of numpy.ndarray): arrays updated in place (data, state, or
            the gradient for a hook).  Non-contiguous ones go through a
            contiguous copy that is written back.
        inputs (tuple of numpy.ndarray): arrays only read (typically the gradient).
        n_scratch (int): how many scratch buffers the kernel needs.
    """
    flat_out = []
    write_back = []
    for a in outputs:
        if a.flags.c_contiguous:
            flat_out.append(a.reshape(-1))
        else:
            c = numpy.ascontiguousarray(a)
            write_back.append((a, c))
            flat_out.append(c.reshape(-1))
    flat_in = [numpy.ascontiguousarray(a).reshape(-1) for a in inputs]
    flats = flat_out + flat_in
    size = flats[0].size
    scratch = _scratch_buffers(flats[0].dtype, n_scratch)
    for start in range(0, size, _CHUNK):
        stop = min(start + _CHUNK, size)
        n = stop - start
        kernel(*[f[start:stop] for f in flats], *[b[:n] for b in scratch])
    for a, c in write_back:
        a[...] = c


_SETTINGS = {
    'positive': ('a finite number > 0', lambda v: 0 < v < float('inf')),
    'nonnegative': ('a finite number >= 0', lambda v: 0 <= v < float('inf')),
    'unit': ('a number in [0, 1)', lambda v: 0 <= v < 1),
    'closed_unit': ('a number in [0, 1]', lambda v: 0 <= v <= 1),
}


def check_setting(owner, name, value, kind):
    """Check a hyperparameter where it is set; raise naming ``owner``, ``name`` and the value.

    ``kind`` is ``'positive'`` (finite, > 0), ``'nonnegative'`` (finite,
    >= 0), ``'unit'`` (in [0, 1)) or ``'closed_unit'`` (in [0, 1]).
    Booleans and non-numbers are a TypeError, numbers out of range a
    ValueError.
    """
    text, ok = _SETTINGS[kind]
    if isinstance(value, bool) or not isinstance(value, (int, float, numpy.integer, numpy.floating)):
        raise TypeError('{}: expect {} to be {}, actual {!r} ({})'.format(
            owner, name, text, value, type(value).__name__))
    if not ok(float(value)):
        raise ValueError('{}: expect {} to be {}, actual {!r}'.format(owner, name, text, value))
    return value


def _is_updatable(param):
    """True when ``param`` has data and a gradient and is not frozen."""
    return (param.data is not None and param.grad is not None
            and getattr(param, 'update_enabled', True))


# ---------------------------------------------------------------------------
# Hyperparameter

class Hyperparameter:
    """A set of hyperparameters that falls back to a parent set.

    Reading an attribute this object does not hold reads it from the parent,
    so an UpdateRule's hyperparameter (parent: the optimizer's) sees every
    change made on the optimizer unless it overrides the value itself.

    Args:
        parent (Hyperparameter): where missing attributes are looked up.
    """

    def __init__(self, parent=None):
        self._parent = parent

    def __getattr__(self, name):
        # Only called for attributes this object lacks.
        if '_parent' not in self.__dict__ or self._parent is None or name.startswith('__'):
            raise AttributeError('Hyperparameter has no entry {!r}'.format(name))
        return getattr(self._parent, name)

    @property
    def parent(self):
        """The parent Hyperparameter (or None)."""
        return self._parent

    def get_dict(self):
        """Every entry visible from here, the parent's included, as a dict."""
        d = {} if self._parent is None else self._parent.get_dict()
        d.update((k, v) for k, v in self.__dict__.items() if k != '_parent')
        return d

    def __repr__(self):
        d = self.get_dict()
        return 'Hyperparameter({})'.format(', '.join('{}={}'.format(k, d[k]) for k in sorted(d)))


class HyperparameterProxy:
    """A property of an optimizer that reads and writes ``optimizer.hyperparam.<name>``.

    ``lr = HyperparameterProxy('lr')`` in a GradientMethod subclass makes
    ``optimizer.lr`` an alias of ``optimizer.hyperparam.lr``.
    """

    def __init__(self, attr_name):
        self._attr_name = attr_name
        self.__doc__ = 'Alias to ``self.hyperparam.{}``'.format(attr_name)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return getattr(obj.hyperparam, self._attr_name)

    def __set__(self, obj, value):
        setattr(obj.hyperparam, self._attr_name, value)


def _hook_name(hook, name):
    if name is None:
        name = getattr(hook, 'name', getattr(hook, '__name__', None))
        if name is None:
            raise ValueError('add_hook: the hook has no name attribute; pass name=...')
    return name


def _hook_timing(hook, timing):
    if timing not in ('pre', 'post', 'auto'):
        raise ValueError("add_hook: expect timing in ('pre', 'post', 'auto'), actual {!r}"
                         .format(timing))
    if timing == 'auto':
        timing = getattr(hook, 'timing', 'pre')
        if timing not in ('pre', 'post'):
            timing = 'pre'
    return timing


# ---------------------------------------------------------------------------
# UpdateRule

class UpdateRule:
    """How one Parameter is updated from its gradient.

    Subclasses implement :meth:`update_core` (or ``update_core_cpu``) and,
    when they keep state, :meth:`init_state`, which fills ``self.state``
    (a dict of arrays shaped like the parameter) at the first update.

    Args:
        parent_hyperparam (Hyperparameter): the defaults (the optimizer's
            hyperparameter when created by :meth:`GradientMethod.setup`).

    Attributes:
        enabled (bool): False freezes the parameter: :meth:`update` does nothing.
        hyperparam (Hyperparameter): this rule's hyperparameters; set one to
            override the optimizer's value for this parameter only.
        t (int): how many updates this rule has applied.
    """

    def __init__(self, parent_hyperparam=None):
        self._pre_update_hooks = collections.OrderedDict()
        self._post_update_hooks = collections.OrderedDict()
        self._state = None
        self.enabled = True
        self.hyperparam = Hyperparameter(parent_hyperparam)
        self.t = 0

    @property
    def state(self):
        """The state dict (None until the first update or a load)."""
        return self._state

    def add_hook(self, hook, name=None, timing='auto'):
        """Call ``hook(rule, param)`` before ('pre') or after ('post') every update.

        ``timing='auto'`` takes the hook's ``timing`` attribute, else 'pre'.
        """
        if not callable(hook):
            raise TypeError('add_hook: expect a callable hook, actual {}'.format(type(hook).__name__))
        timing = _hook_timing(hook, timing)
        name = _hook_name(hook, name)
        if name in self._pre_update_hooks or name in self._post_update_hooks:
            raise ValueError('add_hook: hook "{}" already exists'.format(name))
        hooks = self._pre_update_hooks if timing == 'pre' else self._post_update_hooks
        hooks[name] = hook

    def remove_hook(self, name):
        """Remove the hook registered as ``name`` (KeyError if there is none)."""
        if name in self._pre_update_hooks:
            del self._pre_update_hooks[name]
        else:
            del self._post_update_hooks[name]

    def update(self, param):
        """Run the hooks and update ``param`` in place.

        Nothing happens (not even ``t += 1``) when the rule is disabled, the
        parameter is frozen (``update_enabled`` False) or has no gradient.
        """
        if not self.enabled or not _is_updatable(param):
            return
        self.check_writeable(param)
        self.t += 1
        if self._state is None:
            self._state = {}
            self.init_state(param)
        else:
            self._check_state(param)
        for hook in self._pre_update_hooks.values():
            hook(self, param)
        self.update_core(param)
        for hook in self._post_update_hooks.values():
            hook(self, param)

    def check_writeable(self, param):
        """Raise, naming ``param``, if its array cannot be updated in place."""
        if _is_updatable(param) and not param.data.flags.writeable:
            raise ValueError(
                '{}: cannot update parameter {!r} in place: its array is read-only (a broadcast '
                'view or a read-only buffer); give it its own array, e.g. '
                'param.array = param.array.copy()'.format(type(self).__name__, param.name))

    def _check_state(self, param):
        # A loaded state must fit the parameter, or the blockwise update would misread it.
        for key, value in self._state.items():
            if isinstance(value, numpy.ndarray) and value.shape != param.data.shape:
                raise ValueError(
                    '{}: expect state[{!r}].shape == param.shape == {}, actual {} '
                    '(was the optimizer loaded from another model?)'.format(
                        type(self).__name__, key, param.data.shape, value.shape))

    def update_core(self, param):
        """Apply the update formula to ``param.data`` in place, using ``param.grad``."""
        self.update_core_cpu(param)

    def update_core_cpu(self, param):
        raise NotImplementedError('{} does not implement update_core'.format(type(self).__name__))

    def init_state(self, param):
        """Fill ``self.state`` for ``param`` (called at the first update)."""

    def serialize(self, serializer):
        """Save or load ``t`` and the state arrays (not the parameter itself).

        Loading into a rule that has state copies the saved arrays into it
        in place; into a rule that has none yet (it never updated), it
        creates the state from the saved arrays.  A snapshot with none of
        the state's keys (saved before the rule's first update) leaves the
        rule with no state: it starts afresh from zeros.  A snapshot with
        only some of them is corrupt: KeyError naming a missing key.

        Nothing is assigned before every value has been read, and nothing
        at all during load_npz's checking pass or a checking walk (see
        :mod:`minigrad.utils.loading`), so a failed load leaves the rule as
        it was: state, ``t``, or no state.
        """
        if not loading.is_loading(serializer):
            serializer('t', self.t)
            for key, value in (self._state or {}).items():
                serializer(key, value)
            return
        t = int(serializer('t', self.t))
        had_state = self._state is not None
        keys = list(self._state) if had_state else list(self._new_state_kinds())
        found, missing = {}, []
        for key in keys:
            try:
                # In place into existing arrays (load_npz checks their shapes first).
                found[key] = (serializer(key, self._state[key]) if had_state
                              else loading.read(serializer, key))
            except KeyError:
                missing.append(key)
        if found and missing:
            raise KeyError('{}.serialize: {!r} is missing, though {!r} is there: the state of the '
                           'rule is saved in part only'.format(
                               type(self).__name__, loading.key_name(serializer, missing[0]),
                               loading.key_name(serializer, sorted(found)[0])))
        # The stored t is None while load_npz checks (and for a key it skips).
        if loading.is_checking(serializer) or loading.read(serializer, 't') is None:
            return
        self.t = t
        if missing:
            self._state = None      # saved before the first update: start afresh
        elif not had_state and all(v is not None for v in found.values()):
            self._state = {key: numpy.array(found[key], order='C') for key in keys}

    def _new_state_kinds(self):
        """``{key: True if an array}`` of the state :meth:`init_state` would make."""
        probe = copy.copy(self)
        probe._state = {}
        probe.init_state(_Probe(numpy.empty(1, dtype=numpy.float32)))
        return {key: isinstance(value, numpy.ndarray) for key, value in probe._state.items()}


class _Probe:
    """A stand-in parameter for learning the state keys of a rule."""

    def __init__(self, data):
        self.data = data
        self.grad = data
        self.update_enabled = True


# ---------------------------------------------------------------------------
# Optimizer

class Optimizer:
    """Base class of optimizers: a target Link, a step count, an epoch count and hooks.

    Attributes:
        target (Link): the Link being optimized (set by :meth:`setup`).
        t (int): how many times :meth:`update` has run.
        epoch (int): incremented by :meth:`new_epoch`.
        use_auto_new_epoch (bool): set by an updater that calls
            ``new_epoch(auto=True)`` itself.
    """

    target = None
    t = 0
    epoch = 0
    _pre_update_hooks = None
    _post_update_hooks = None
    use_auto_new_epoch = False

    def setup(self, link):
        """Make ``link`` the target; reset ``t``, ``epoch`` and the hooks. Returns self."""
        if not (hasattr(link, 'params') and hasattr(link, 'namedparams')):
            raise TypeError('{}.setup: expect a Link (with params() and namedparams()), actual {}'
                            .format(type(self).__name__, type(link).__name__))
        self.target = link
        self.t = 0
        self.epoch = 0
        self._pre_update_hooks = collections.OrderedDict()
        self._post_update_hooks = collections.OrderedDict()
        return self

    def update(self, lossfun=None, *args, **kwds):
        """Update the target's parameters (see :meth:`GradientMethod.update`)."""
        raise NotImplementedError

    def new_epoch(self, auto=False):
        """Increment :attr:`epoch`.

        Args:
            auto (bool): True when called by an updater, which must then have
                set :attr:`use_auto_new_epoch`; calling it both ways would
                count every epoch twice.
        """
        if auto and not self.use_auto_new_epoch:
            raise RuntimeError('new_epoch(auto=True) needs optimizer.use_auto_new_epoch = True '
                               '(set by the updater that calls it)')
        if not auto and self.use_auto_new_epoch:
            raise RuntimeError('new_epoch() called while the updater also calls it '
                               '(use_auto_new_epoch is True): each epoch would count twice')
        self.epoch += 1

    def _check_setup(self, what):
        if self._pre_update_hooks is None:
            raise RuntimeError('{}.{}: call setup(link) first'.format(type(self).__name__, what))

    def add_hook(self, hook, name=None, timing='auto'):
        """Register a hook, run at every update before ('pre') or after ('post') it.

        A hook with ``call_for_each_param = True`` is called as
        ``hook(param.update_rule, param)`` for every parameter that will be
        updated (frozen parameters and those without a gradient are skipped);
        any other hook is called once as ``hook(optimizer)``.

        Args:
            hook (callable): the hook, e.g. ``optimizer_hooks.WeightDecay(1e-4)``.
            name (str): its registration name (default ``hook.name``).
            timing (str): 'pre', 'post' or 'auto' (the hook's ``timing``
                attribute, else 'pre').
        """
        if not callable(hook):
            raise TypeError('add_hook: expect a callable hook, actual {}'.format(type(hook).__name__))
        self._check_setup('add_hook')
        timing = _hook_timing(hook, timing)
        name = _hook_name(hook, name)
        if name in self._pre_update_hooks or name in self._post_update_hooks:
            raise KeyError('add_hook: hook "{}" already exists'.format(name))
        hooks = self._pre_update_hooks if timing == 'pre' else self._post_update_hooks
        hooks[name] = hook

    def remove_hook(self, name):
        """Remove the hook registered as ``name`` (KeyError if there is none)."""
        self._check_setup('remove_hook')
        if name in self._pre_update_hooks:
            del self._pre_update_hooks[name]
        else:
            del self._post_update_hooks[name]

    def call_hooks(self, timing='pre'):
        """Run the hooks of ``timing`` ('pre' or 'post') in registration order."""
        if timing not in ('pre', 'post'):
            raise ValueError("call_hooks: expect timing 'pre' or 'post', actual {!r}".format(timing))
        hooks = self._pre_update_hooks if timing == 'pre' else self._post_update_hooks
        for hook in hooks.values():
            if getattr(hook, 'call_for_each_param', False):
                for param in self.target.params():
                    rule = param.update_rule
                    if _is_updatable(param) and (rule is None or rule.enabled):
                        hook(rule, param)
            else:
                hook(self)

    def serialize(self, serializer):
        """Save or load ``t``, ``epoch`` and every parameter's update-rule state.

        The keys follow Chainer's layout: ``t``, ``epoch``, then
        ``<path>/t`` and ``<path>/<state key>`` per parameter, e.g.
        ``conv1/W/t``, ``conv1/W/m``, ``conv1/W/v`` for Adam.  The
        parameters themselves are not saved: serialize the model too.

        A load is all or nothing: a missing or corrupt key, or a saved state
        that does not fit its parameter's shape, raises naming the key, and
        leaves every rule as it was (its ``t``, each state array, or no
        state), including the rules whose keys were fine.
        """
        self._check_setup('serialize')
        loading.check_first(self._serialize, serializer)

    def _serialize(self, serializer):
        self.t = int(serializer('t', self.t))
        self.epoch = int(serializer('epoch', self.epoch))
        for name, param in self.target.namedparams():
            rule = getattr(param, 'update_rule', None)
            if rule is None:
                continue
            child = serializer[name.lstrip('/')]
            if loading.is_checking(serializer) and rule.state is None and param.data is not None:
                self._check_new_state(rule, child, param)
            rule.serialize(child)

    def _check_new_state(self, rule, serializer, param):
        """A state that a load would create for ``param`` must have its shape."""
        for key, is_array in rule._new_state_kinds().items():
            try:
                stored = loading.read(serializer, key)
            except KeyError:
                continue            # the rule tells which keys must be there
            if is_array and stored is not None and stored.shape != param.data.shape:
                raise loading.invalid(
                    type(self).__name__, serializer, key,
                    'to have the shape {} of parameter {!r}'.format(param.data.shape, param.name),
                    'shape {}'.format(stored.shape))


class GradientMethod(Optimizer):
    """An optimizer that updates each parameter from its gradient with an UpdateRule.

    Subclasses implement :meth:`create_update_rule` and expose their
    hyperparameters with :class:`HyperparameterProxy`.

    Attributes:
        hyperparam (Hyperparameter): the defaults of every update rule.
    """

    def __init__(self):
        self.hyperparam = Hyperparameter()

    def setup(self, link):
        """Give every parameter of ``link`` a new update rule (discarding old state)."""
        super().setup(link)
        for param in link.params():
            param.update_rule = self.create_update_rule()
        return self

    def create_update_rule(self):
        """A new UpdateRule whose hyperparameter's parent is ``self.hyperparam``."""
        raise NotImplementedError

    def update(self, lossfun=None, *args, **kwds):
        """Update every parameter of the target from its gradient.

        With ``lossfun``: clear the gradients (``target.cleargrads()``),
        compute ``loss = lossfun(*args, **kwds)``, ``loss.backward()``, then
        update.  Without it: update from the gradients already there.

        Order: 'pre' hooks, ``t += 1``, each parameter's rule, 'post' hooks.
        Parameters with no gradient or frozen are skipped.
        """
        self._check_setup('update')
        if lossfun is not None:
            self.target.cleargrads()
            loss = lossfun(*args, **kwds)
            loss.backward()
            del loss    # frees the graph before the update runs
        rules = [(p, p.update_rule) for p in self.target.params() if p.update_rule is not None]
        for param, rule in rules:      # before anything changes: all or nothing
            if rule.enabled:
                rule.check_writeable(param)
        self.call_hooks('pre')
        self.t += 1
        for param in self.target.params():
            rule = param.update_rule
            if rule is not None:
                rule.update(param)
        self.call_hooks('post')


def __getattr__(name):
    # Chainer 7 still offers its hooks under their old home (chainer.optimizer.WeightDecay);
    # imported on first use, since optimizer_hooks imports this module.
    if name in ('WeightDecay', 'Lasso', 'GradientClipping'):
        from minigrad import optimizer_hooks
        return getattr(optimizer_hooks, name)
    raise AttributeError('module {!r} has no attribute {!r}'.format(__name__, name))
