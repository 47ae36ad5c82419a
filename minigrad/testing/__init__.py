"""Test helpers, as ``chainer.testing``: ``assert_allclose``, ``parameterize``, ``product``.

Importing it imports nothing beyond NumPy; ``parameterize`` works with
``unittest.TestCase`` classes, which pytest collects.
"""
import itertools
import sys

import numpy

from minigrad.core import as_array


def assert_allclose(x, y, atol=1e-5, rtol=1e-4, verbose=True):
    """Assert ``|x - y| <= atol + rtol * |y|`` elementwise (Variables or arrays).

    The failure names the worst index and both values there.
    """
    x, y = numpy.asarray(as_array(x)), numpy.asarray(as_array(y))
    try:
        numpy.testing.assert_allclose(x, y, atol=atol, rtol=rtol, verbose=verbose)
    except AssertionError as e:
        if x.shape != y.shape or x.size == 0:
            raise
        err = numpy.abs(x.astype(numpy.float64) - y) - (atol + rtol * numpy.abs(y))
        worst = numpy.unravel_index(int(numpy.argmax(err)), err.shape)
        raise AssertionError('{}\nworst at index {}: x = {!r}, y = {!r}'.format(
            e, tuple(int(i) for i in worst), x[worst].item(), y[worst].item())) from None


def product(parameter):
    """Every combination of the values, as a list of dicts.

    ``product({'a': [1, 2], 'b': [3]})`` is ``[{'a': 1, 'b': 3}, {'a': 2, 'b': 3}]``;
    a list of lists of dicts combines by merging one dict from each list.
    """
    if isinstance(parameter, dict):
        keys = sorted(parameter)
        return [dict(zip(keys, values))
                for values in itertools.product(*(parameter[k] for k in keys))]
    result = []
    for dicts in itertools.product(*parameter):
        merged = {}
        for d in dicts:
            merged.update(d)
        result.append(merged)
    return result


def product_dict(*parameters):
    """Merge one dict from each list, for every combination."""
    return product(list(parameters))


def parameterize(*params):
    """Make one copy of a test class per dict of attributes.

    Each copy is a subclass with the dict's entries as class attributes,
    named ``Class_param_<i>_<key>_<value>...``, added to the class's module;
    the decorated name itself becomes None, so only the copies are collected.
    """
    def wrap(cls):
        module = sys.modules[cls.__module__]
        for i, param in enumerate(params):
            suffix = '_'.join('{}_{}'.format(k, _short(v)) for k, v in sorted(param.items()))
            name = '{}_param_{}_{}'.format(cls.__name__, i, suffix)
            sub = type(name, (cls,), dict(param))
            sub.__module__ = cls.__module__
            setattr(module, name, sub)
        return None
    return wrap


def _short(value):
    text = getattr(value, '__name__', None) or str(value)
    return ''.join(c if c.isalnum() else '_' for c in text)[:20]
