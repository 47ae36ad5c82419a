"""The Bernoulli distribution over {0, 1}, parameterized by a probability or a logit."""
import functools

import numpy

from minigrad import type_check
from minigrad.core import Variable, as_variable, log
from minigrad.distributions.distribution import Distribution, check_parameter, register_kl
from minigrad.functions.activation.sigmoid import sigmoid
from minigrad.functions.activation.softplus import softplus
from minigrad.functions.array.where import where


class Bernoulli(Distribution):
    """Independent Bernoulli distributions, one per element, as ``chainer.distributions.Bernoulli``.

    .. math:: P(x = 1) = p, \\qquad P(x = 0) = 1 - p, \\qquad
              p = \\sigma(l) = \\frac{1}{1 + e^{-l}}

    Give ``p`` or the logit ``l = log(p / (1 - p))`` (what a decoder
    outputs, unconstrained), not both.  The log-probability is written with
    the logit, :math:`\\log P(x) = x l - \\mathrm{softplus}(l)`, finite for any
    finite logit and defined for ``x`` in [0, 1] (the VAE example scores
    grey levels this way: a cross entropy).

    Args:
        p (Variable or ndarray): the probability of 1, in [0, 1].
        logit (Variable or ndarray): the log-odds instead of ``p``.
        binary_check (bool): ``log_prob`` of an ``x`` other than 0 or 1 is
            ``-inf`` (and ``prob`` 0) instead of the cross entropy.

    >>> Bernoulli(logit=numpy.zeros(2)).log_prob(numpy.array([0., 1.])).array.round(4)
    array([-0.6931, -0.6931])
    """

    def __init__(self, p=None, logit=None, binary_check=False):
        type_check.require((p is None) != (logit is None), 'Bernoulli',
                           'either p or logit (not both)',
                           'p {}, logit {}'.format('given' if p is not None else 'None',
                                                   'given' if logit is not None else 'None'))
        if p is not None:
            p = check_parameter('Bernoulli', 'p', p)
        else:
            logit = check_parameter('Bernoulli', 'logit', logit)
        self._p = p
        self._logit = logit
        self.binary_check = binary_check

    @functools.cached_property
    def p(self):
        """Variable: the probability of 1 (``sigmoid(logit)`` if the logit was given)."""
        if self._p is not None:
            return as_variable(self._p)
        return sigmoid(self.logit)

    @functools.cached_property
    def logit(self):
        """Variable: ``log(p) - log(1 - p)`` (the given logit, if any)."""
        if self._logit is not None:
            return as_variable(self._logit)
        return log(self.p) - log(1.0 - self.p)

    @property
    def batch_shape(self):
        return (self._p if self._p is not None else self._logit).shape

    @property
    def event_shape(self):
        return ()

    @property
    def params(self):
        return {'logit': self.logit}

    @property
    def support(self):
        return '{0, 1}'

    @property
    def mean(self):
        return self.p

    @functools.cached_property
    def variance(self):
        return self.p * (1.0 - self.p)

    @property
    def stddev(self):
        return self.variance ** 0.5

    @property
    def entropy(self):
        """:math:`-p\\log p - (1 - p)\\log(1 - p) = \\mathrm{softplus}(l) - p\\,l`."""
        return softplus(self.logit) - self.p * self.logit

    def log_prob(self, x):
        """:math:`x\\,l - \\mathrm{softplus}(l)`, i.e. :math:`x\\log p + (1 - x)\\log(1 - p)`.

        An infinite logit (``p`` exactly 0 or 1) gives the limit ``log(x)``
        or ``log(1 - x)`` (0 or ``-inf`` for binary ``x``), without a gradient.

        Args:
            x (Variable or ndarray): ``sample_shape + batch_shape``, values in [0, 1].

        Returns:
            Variable: ``x``'s shape broadcast with ``batch_shape``.
        """
        logit = self.logit
        infinite = numpy.isinf(logit.array)
        if infinite.any():
            # x * inf - inf is nan: compute with a finite stand-in, then put
            # in the limits.
            logit = where(infinite, 0.0, logit)
        y = x * logit - softplus(logit)
        if infinite.any():
            xs = numpy.broadcast_to(numpy.asarray(x.array if isinstance(x, Variable) else x,
                                                  dtype=y.dtype), y.shape)
            with numpy.errstate(divide='ignore'):
                limit = numpy.where(self.logit.array > 0, numpy.log(xs), numpy.log1p(-xs))
            y = where(numpy.broadcast_to(infinite, y.shape), limit.astype(y.dtype), y)
        if self.binary_check:
            xa = x.array if isinstance(x, Variable) else numpy.asarray(x)
            invalid = numpy.broadcast_to((xa != 0) & (xa != 1), y.shape)
            y = where(invalid, numpy.full((), -numpy.inf, dtype=y.dtype), y)
        return y

    def prob(self, x):
        """:math:`x p + (1 - x)(1 - p)` (0 for a non-binary ``x`` under ``binary_check``)."""
        p = self.p
        y = x * p + (1.0 - x) * (1.0 - p)
        if self.binary_check:
            xa = x.array if isinstance(x, Variable) else numpy.asarray(x)
            y = y * ((xa == 0) | (xa == 1)).astype(y.dtype)
        return y

    def sample_n(self, n):
        """``n`` draws of 0 or 1, ``(n,) + batch_shape``, in ``p``'s dtype (no gradient).

        Chainer returns integers here; floats can be fed straight back to
        :meth:`log_prob` and to the networks.
        """
        p = self.p.array
        u = numpy.random.random_sample((n,) + p.shape)
        return Variable((u < p).astype(p.dtype), requires_grad=False)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    """:math:`p_1 (l_1 - l_2) - \\mathrm{softplus}(l_1) + \\mathrm{softplus}(l_2)`, in logits."""
    return p.p * (p.logit - q.logit) - softplus(p.logit) + softplus(q.logit)
