"""Reporting values from inside a model, as ``chainer.reporter``.

A :class:`Reporter` collects named values into an *observation* dict.  The
trainer makes one current for every iteration (``reporter.scope(obs)``);
any code running inside it, a model's ``forward`` for example, calls
:func:`report` without holding the reporter::

    class Classifier(Chain):
        def forward(self, x, t):
            loss = ...
            minigrad.report({'loss': loss}, self)    # becomes 'main/loss'
            return loss

An *observer* (usually a Link) registered with a name prefixes its keys
(``'main/loss'``); with no observer the keys are used as they are.

Reported values are turned into Python numbers (0-d arrays, one-element
Variables) or copied arrays at once, so an observation never keeps a graph
alive and memory stays flat however long training runs.  The one exception
is ``config.keep_graph_on_report``: while it is True (set by
:class:`~minigrad.training.extensions.DumpGraph` for the first iteration
only) Variables are kept as they are, graph included.

:class:`Summary` and :class:`DictSummary` average reported values over
several iterations (:class:`~minigrad.training.extensions.LogReport`).
"""
import collections
import contextlib
import json
import math
import threading

import numpy

from minigrad.configuration import config
from minigrad.core import Variable
from minigrad.utils import loading


_local = threading.local()


def _reporters():
    """This thread's stack of current reporters (innermost last)."""
    stack = getattr(_local, 'reporters', None)
    if stack is None:
        stack = _local.reporters = []
    return stack


def _keep_graph():
    return bool(getattr(config, 'keep_graph_on_report', False))


def _detach(value):
    """A reported value as a Python number or a private array (never a graph)."""
    if isinstance(value, tuple):     # (value, weight), see DictSummary.add
        return tuple(_detach(v) for v in value)
    if isinstance(value, Variable):
        if _keep_graph():
            return value
        value = value.data
    if isinstance(value, numpy.generic):
        return value.item()
    if isinstance(value, numpy.ndarray):
        # A copy: the reported array may be a parameter updated in place later.
        return value.item() if value.ndim == 0 else value.copy()
    return value


class Reporter:
    """Collects reported values into the current observation dict.

    Attributes:
        observation (dict): where :meth:`report` writes; replaced by
            :meth:`scope` for the duration of a block.
    """

    def __init__(self):
        self._observer_names = {}
        self.observation = {}

    def __enter__(self):
        """Make this reporter the current one (the target of :func:`report`)."""
        _reporters().append(self)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        _reporters().pop()

    @contextlib.contextmanager
    def scope(self, observation):
        """Inside the block this reporter is current and writes into ``observation``."""
        old = self.observation
        self.observation = observation
        self.__enter__()
        try:
            yield
        finally:
            self.__exit__(None, None, None)
            self.observation = old

    def add_observer(self, name, observer):
        """Register ``observer`` (any object): its reports are keyed ``name/<key>``."""
        self._observer_names[id(observer)] = name

    def add_observers(self, prefix, observers):
        """Register ``(name, observer)`` pairs, each keyed ``prefix + name``.

        ``reporter.add_observers('main', model.namedlinks(skipself=True))``
        names the children of ``model`` ``main/predictor``, ``main/predictor/fc1``...
        """
        for name, observer in observers:
            self._observer_names[id(observer)] = prefix + name

    def report(self, values, observer=None):
        """Write ``values`` (a dict) into the current observation.

        Args:
            values (dict): ``{key: value}``; a value is a number, an array, a
                Variable, or a ``(value, weight)`` pair for weighted means.
            observer: a registered observer whose name prefixes every key;
                None writes the keys as they are.

        Raises:
            KeyError: ``observer`` was never registered.
        """
        values = {key: _detach(value) for key, value in values.items()}
        if observer is None:
            self.observation.update(values)
            return
        name = self._observer_names.get(id(observer))
        if name is None:
            raise KeyError('Reporter.report: the observer {} is not registered to this reporter '
                           '(call add_observer first)'.format(type(observer).__name__))
        for key, value in values.items():
            self.observation['{}/{}'.format(name, key)] = value


def get_current_reporter():
    """The innermost current reporter of this thread.

    Raises:
        RuntimeError: no reporter is current.
    """
    stack = _reporters()
    if not stack:
        raise RuntimeError('get_current_reporter: no reporter is current; use '
                           '"with reporter:" or "with reporter.scope(observation):"')
    return stack[-1]


def report(values, observer=None):
    """Report ``values`` to the current reporter; nothing happens when there is none.

    So a model that reports can be called outside a trainer.  See
    :meth:`Reporter.report` for the arguments.
    """
    stack = _reporters()
    if stack:
        stack[-1].report(values, observer)


@contextlib.contextmanager
def report_scope(observation):
    """Inside the block the current reporter writes into ``observation``."""
    with get_current_reporter().scope(observation):
        yield


# ---------------------------------------------------------------------------
# Averaging reported values

class Summary:
    """A running weighted mean and variance of one series of values.

    ``mean = sum(w_i x_i) / sum(w_i)``, ``std = sqrt(sum(w_i x_i^2) / sum(w_i) - mean^2)``.
    Values may be numbers or arrays (element-wise statistics).
    """

    def __init__(self):
        self._x = 0.0
        self._x2 = 0.0
        self._n = 0.0   # a float, so that saved int or float weights load back into it

    def add(self, value, weight=1):
        """Add ``value`` with ``weight``."""
        if isinstance(value, Variable):
            value = value.data
        if isinstance(weight, Variable):
            weight = weight.data
        if isinstance(value, numpy.ndarray) and value.ndim == 0:
            value = value.item()
        self._x = self._x + weight * value
        self._x2 = self._x2 + weight * value * value
        self._n = self._n + weight

    def compute_mean(self):
        """The weighted mean of the values added so far."""
        return self._x / self._n

    def make_statistics(self):
        """``(mean, std)`` of the values added so far."""
        mean = self._x / self._n
        var = self._x2 / self._n - mean * mean
        # Rounding can make a zero variance slightly negative.
        if isinstance(var, numpy.ndarray):
            return mean, numpy.sqrt(numpy.maximum(var, 0))
        return mean, math.sqrt(max(var, 0.0))

    def serialize(self, serializer):
        """Save or load the sums ``_x``, ``_x2`` and the weight ``_n`` (Chainer's keys);
        all three are read before any is assigned."""
        x = serializer('_x', self._x)
        x2 = serializer('_x2', self._x2)
        n = serializer('_n', self._n)
        self._x, self._x2, self._n = x, x2, n


class DictSummary:
    """Running means of a dict of scalar series, e.g. the observations of many iterations.

    :meth:`add` takes a dict such as an observation; only scalars (numbers,
    0-d arrays, one-element Variables) are summarized, other values are
    skipped.  A value may be a ``(value, weight)`` pair.
    """

    def __init__(self):
        self._summaries = collections.defaultdict(Summary)

    def add(self, d):
        """Add every scalar value of the dict ``d`` to the series of its key."""
        for key, value in d.items():
            weight = 1
            if isinstance(value, tuple):
                value, weight = value
                if isinstance(weight, Variable):
                    weight = weight.data
                if not (numpy.isscalar(weight) or getattr(weight, 'shape', None) == ()):
                    raise ValueError('DictSummary.add: expect the weight of {!r} to be a scalar, '
                                     'actual shape {}'.format(key, numpy.shape(weight)))
            if isinstance(value, Variable):
                value = value.data
            if numpy.isscalar(value) or getattr(value, 'shape', None) == ():
                self._summaries[key].add(value, weight=weight)

    def compute_mean(self):
        """``{key: mean}`` over everything added so far."""
        return {key: s.compute_mean() for key, s in self._summaries.items()}

    def make_statistics(self):
        """``{key: mean, key + '.std': std}`` over everything added so far."""
        stats = {}
        for key, s in self._summaries.items():
            mean, std = s.make_statistics()
            stats[key] = mean
            stats[key + '.std'] = std
        return stats

    def serialize(self, serializer):
        """Save or load the names (as JSON) and each series' sums (``_summaries/<i>/_x``...).

        Loading reads and checks every series before it replaces the
        summaries (the keys of the series are known only from the names, so
        they are read with :func:`minigrad.utils.loading.read`): a missing
        or corrupt entry raises naming its key and changes nothing.
        """
        if not loading.is_loading(serializer):
            names = list(self._summaries)
            serializer('_names', json.dumps(names))
            for i, name in enumerate(names):
                self._summaries[name].serialize(serializer['_summaries'][str(i)])
            return
        stored = loading.read(serializer, '_names')
        if stored is None:      # load_npz's checking pass: nothing to read the series by
            return
        names = loading.as_json(
            'DictSummary', serializer, '_names', stored, 'a list of distinct names',
            lambda v: (isinstance(v, list) and all(isinstance(n, str) for n in v)
                       and len(set(v)) == len(v)))
        summaries = collections.defaultdict(Summary)
        for i, name in enumerate(names):
            child = serializer['_summaries'][str(i)]
            s = Summary()
            sums = [loading.read(child, key) for key in ('_x', '_x2', '_n')]
            if any(v is None for v in sums):
                continue        # skipped by strict=False
            s._x, s._x2, s._n = (loading.as_float('DictSummary', child, key, v)
                                 for key, v in zip(('_x', '_x2', '_n'), sums))
            summaries[name] = s
        if not loading.is_checking(serializer):
            self._summaries = summaries