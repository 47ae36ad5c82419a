"""The categorical distribution over {0, ..., K - 1}."""
import functools

import numpy

from minigrad import type_check
from minigrad.core import Variable, as_variable, exp, log
from minigrad.distributions.distribution import Distribution, check_parameter, register_kl
from minigrad.functions.activation.log_softmax import log_softmax
from minigrad.functions.array.where import where
from minigrad.functions.math.sum import sum as sum_


class Categorical(Distribution):
    """Independent categorical distributions over the last axis, as ``chainer.distributions.Categorical``.

    .. math:: P(x = k) = p_k = \\frac{e^{l_k}}{\\sum_j e^{l_j}}

    Give ``p`` (``(..., K)``, summing to 1 over the last axis) or ``logit``
    (unnormalized log-probabilities), not both.  ``batch_shape`` is the
    shape without the last axis; a draw is an integer in ``[0, K)``.

    Args:
        p (Variable or ndarray): the probabilities, ``batch_shape + (K,)``.
        logit (Variable or ndarray): log-probabilities up to a constant, instead of ``p``.
    """

    def __init__(self, p=None, *, logit=None):
        type_check.require((p is None) != (logit is None), 'Categorical',
                           'either p or logit (not both)',
                           'p {}, logit {}'.format('given' if p is not None else 'None',
                                                   'given' if logit is not None else 'None'))
        name, value = ('p', p) if p is not None else ('logit', logit)
        value = check_parameter('Categorical', name, value)
        type_check.require(value.ndim >= 1, 'Categorical', '{}.ndim >= 1 (the categories on '
                           'the last axis)'.format(name), '{}.ndim == 0'.format(name))
        self._p = value if p is not None else None
        self._logit = value if logit is not None else None
        self._shape = value.shape

    @functools.cached_property
    def p(self):
        """Variable: the probabilities, ``batch_shape + (K,)``."""
        if self._p is not None:
            return as_variable(self._p)
        return exp(self.log_p)

    @functools.cached_property
    def log_p(self):
        """Variable: the log-probabilities (normalized), ``batch_shape + (K,)``."""
        if self._p is not None:
            with numpy.errstate(divide='ignore'):      # an impossible category: -inf
                return log(self.p)
        return log_softmax(self._logit, axis=-1)

    @property
    def batch_shape(self):
        return self._shape[:-1]

    @property
    def event_shape(self):
        return ()

    @property
    def params(self):
        return {'p': self.p}

    @property
    def support(self):
        return '[0, {})'.format(self._shape[-1])

    @property
    def entropy(self):
        """:math:`-\\sum_k p_k \\log p_k` (a zero ``p_k`` contributes 0)."""
        return -sum_(self.p * _where_possible(self.p, self.log_p), axis=-1)

    def log_prob(self, x):
        """``log p[..., x]``: the log-probability of each category in ``x``.

        Args:
            x (Variable or ndarray): integers, ``sample_shape + batch_shape``.

        Returns:
            Variable: ``x``'s shape.
        """
        x = x.array if isinstance(x, Variable) else numpy.asarray(x)
        K = self._shape[-1]
        type_check.require(x.dtype.kind in 'iu', 'Categorical.log_prob', 'x of integer dtype',
                           'x.dtype == {}'.format(x.dtype))
        # Picking by a one-hot mask keeps the batch axes broadcastable against
        # x's sample axes, and the pick differentiable; where (not a product
        # with the mask) so that a -inf of an impossible category stays out.
        one_hot = x[..., None] == numpy.arange(K)
        return sum_(where(one_hot, self.log_p, 0.0), axis=-1)

    def prob(self, x):
        """``p[..., x]``."""
        return exp(self.log_prob(x))

    def sample_n(self, n):
        """``n`` draws, ``(n,) + batch_shape``, integers (int64) in ``[0, K)``, by inverting the CDF."""
        p = self.p.array
        cdf = numpy.cumsum(p, axis=-1)
        u = numpy.random.random_sample((n,) + p.shape[:-1] + (1,)) * cdf[..., -1:]
        # The index of the first cumulative probability above u.
        k = (u >= cdf).sum(axis=-1)
        return Variable(numpy.minimum(k, p.shape[-1] - 1).astype(numpy.int64), requires_grad=False)


def _where_possible(p, value):
    """``value`` where ``p > 0``, else 0: the terms ``0 * log 0`` count as 0, not nan."""
    impossible = p.array == 0
    return where(impossible, 0.0, value) if impossible.any() else value


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    """:math:`\\sum_k p_k (\\log p_k - \\log q_k)` (categories impossible under ``p`` add 0)."""
    return sum_(p.p * _where_possible(p.p, p.log_p - q.log_p), axis=-1)
