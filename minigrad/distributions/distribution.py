"""The base of probability distributions, and the KL divergence registry.

A distribution's numbers are Variables, so that a loss written with them
(``log_prob``, ``kl_divergence``, a reparameterized ``sample``) back-propagates
into the networks that produced its parameters, as in Chainer's VAE example.

Shapes follow Chainer's sample-batch-event hierarchy: a draw has shape
``sample_shape + batch_shape + event_shape``.  The ``batch_shape`` axes hold
independent distributions (one per data point, say); the ``event_shape``
axes are one draw of one multivariate distribution.  ``log_prob(x)`` of an
``x`` of that shape has shape ``sample_shape + batch_shape``.
"""
import numpy

from minigrad import type_check
from minigrad.core import Variable


class Distribution:
    """A probability distribution with Chainer's interface.

    Subclasses define what they can: ``batch_shape``, ``event_shape``,
    ``log_prob``, ``sample_n``, ``mean``, ``stddev``, ...  What a subclass
    does not define raises ``NotImplementedError`` naming the distribution.
    """

    def _missing(self, what):
        return NotImplementedError('{} does not implement {}'.format(type(self).__name__, what))

    @property
    def batch_shape(self):
        """tuple: the shape of the independent, differently parameterized distributions."""
        raise self._missing('batch_shape')

    @property
    def event_shape(self):
        """tuple: the shape of one draw of one distribution (``()`` for a scalar one)."""
        raise self._missing('event_shape')

    @property
    def params(self):
        """dict: the parameters, by name."""
        raise self._missing('params')

    @property
    def mean(self):
        """Variable: the mean, ``batch_shape + event_shape``."""
        raise self._missing('mean')

    @property
    def mode(self):
        """Variable: the most probable value."""
        raise self._missing('mode')

    @property
    def stddev(self):
        """Variable: the standard deviation."""
        raise self._missing('stddev')

    @property
    def variance(self):
        """Variable: the variance."""
        raise self._missing('variance')

    @property
    def entropy(self):
        """Variable: the (differential) entropy ``-E[log p(x)]``, ``batch_shape``."""
        raise self._missing('entropy')

    @property
    def support(self):
        """str: the set the values live in (``'real'``, ``'{0, 1}'``)."""
        raise self._missing('support')

    def log_prob(self, x):
        """``log p(x)`` (density or mass) at ``x`` of shape ``sample_shape + batch_shape + event_shape``.

        Returns:
            Variable: ``sample_shape + batch_shape``.
        """
        raise self._missing('log_prob')

    def prob(self, x):
        """``p(x)``, shaped as :meth:`log_prob`."""
        raise self._missing('prob')

    def cdf(self, x):
        """``P(X <= x)``, shaped as :meth:`log_prob`."""
        raise self._missing('cdf')

    def sample_n(self, n):
        """``n`` draws: a Variable of shape ``(n,) + batch_shape + event_shape``."""
        raise self._missing('sample_n')

    def sample(self, sample_shape=()):
        """Draws of shape ``sample_shape + batch_shape + event_shape``.

        Args:
            sample_shape (int or tuple of ints): ``()`` draws once (no
                sample axis); ``k`` is ``(k,)``.

        Returns:
            Variable: the draws.  Continuous distributions draw by
            reparameterization (``loc + scale * noise``), so the result is
            differentiable with respect to the parameters.
        """
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        sample_shape = tuple(sample_shape)
        n = 1
        for size in sample_shape:
            n *= size
        return self.sample_n(n).reshape(sample_shape + self.batch_shape + self.event_shape)

    def __repr__(self):
        return '{}(batch_shape={}, event_shape={})'.format(
            type(self).__name__, self.batch_shape, self.event_shape)


def check_parameter(func_name, name, value):
    """``value`` (a distribution's parameter) as a floating point Variable or ndarray."""
    if isinstance(value, numpy.generic):
        value = numpy.asarray(value)
    type_check.require(isinstance(value, (Variable, numpy.ndarray)), func_name,
                       '{} a Variable or an ndarray'.format(name),
                       '{} of type {}'.format(name, type(value).__name__))
    type_check.expect_float(func_name, name, value)
    return value


_KL_DIVERGENCES = {}


def register_kl(Dist1, Dist2):
    """Register a function ``kl(dist1, dist2)`` for :func:`kl_divergence` of these two classes.

    Used as a decorator::

        @register_kl(Normal, Normal)
        def _kl_normal_normal(p, q):
            return ...
    """
    def register(kl):
        _KL_DIVERGENCES[Dist1, Dist2] = kl
        return kl
    return register


def kl_divergence(dist1, dist2):
    """The Kullback-Leibler divergence ``KL(dist1 || dist2)``, as ``chainer.kl_divergence``.

    .. math:: D_{KL}(p \\| q) = \\int p(x) \\log \\frac{p(x)}{q(x)} dx

    (a sum for discrete distributions), by the closed form registered with
    :func:`register_kl` for the two classes (or their nearest base classes).

    Args:
        dist1 (Distribution): ``p``.
        dist2 (Distribution): ``q``; its batch shape broadcasts with ``p``'s.

    Returns:
        Variable: the divergence per distribution of the (broadcast) batch.
    """
    for type1 in type(dist1).__mro__:
        for type2 in type(dist2).__mro__:
            kl = _KL_DIVERGENCES.get((type1, type2))
            if kl is not None:
                return kl(dist1, dist2)
    known = ', '.join(sorted('({}, {})'.format(a.__name__, b.__name__)
                             for a, b in _KL_DIVERGENCES))
    raise NotImplementedError(
        'kl_divergence: expect a pair of distributions with a registered KL divergence '
        '({}), actual ({}, {})'.format(known, type(dist1).__name__, type(dist2).__name__))


def cross_entropy(dist1, dist2):
    """The cross entropy ``H(p, q) = -E_p[log q(x)] = H(p) + KL(p || q)``, as ``chainer.cross_entropy``."""
    return dist1.entropy + kl_divergence(dist1, dist2)
