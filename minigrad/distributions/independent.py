"""Independent: read some batch axes of a distribution as the axes of one event."""
from minigrad import type_check
from minigrad.distributions.distribution import Distribution, kl_divergence, register_kl
from minigrad.functions.math.sum import sum as sum_


class Independent(Distribution):
    """A distribution whose last ``reinterpreted_batch_ndims`` batch axes become event axes.

    ``Independent(Normal(mu, log_scale=s), 1)`` with ``mu`` of shape
    ``(N, D)`` is N diagonal Gaussians in D dimensions: ``batch_shape`` is
    ``(N,)``, ``event_shape`` ``(D,)``, and the log-probability of an event
    is the sum over its D coordinates (they are independent):

    .. math:: \\log p(x) = \\sum_{d} \\log p_d(x_d)

    Args:
        distribution (Distribution): the base distribution.
        reinterpreted_batch_ndims (int or None): how many trailing batch axes
            join the event; None: all but the first.
    """

    def __init__(self, distribution, reinterpreted_batch_ndims=None):
        ndim = len(distribution.batch_shape)
        if reinterpreted_batch_ndims is None:
            reinterpreted_batch_ndims = max(0, ndim - 1)
        type_check.require(
            0 <= reinterpreted_batch_ndims <= ndim, 'Independent',
            '0 <= reinterpreted_batch_ndims <= len(distribution.batch_shape) == {}'.format(ndim),
            'reinterpreted_batch_ndims == {} (batch_shape {})'.format(
                reinterpreted_batch_ndims, distribution.batch_shape))
        self.distribution = distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        kept = ndim - reinterpreted_batch_ndims
        self._batch_shape = distribution.batch_shape[:kept]
        self._event_shape = distribution.batch_shape[kept:] + distribution.event_shape

    def _reduce(self, value):
        """Sum ``value`` (shaped as the base's batch) over the reinterpreted axes."""
        n = self.reinterpreted_batch_ndims
        return value if n == 0 else sum_(value, axis=tuple(range(-n, 0)))

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def params(self):
        return self.distribution.params

    @property
    def support(self):
        return self.distribution.support

    @property
    def mean(self):
        return self.distribution.mean

    @property
    def mode(self):
        return self.distribution.mode

    @property
    def stddev(self):
        return self.distribution.stddev

    @property
    def variance(self):
        return self.distribution.variance

    @property
    def entropy(self):
        """The sum of the coordinates' entropies."""
        return self._reduce(self.distribution.entropy)

    def log_prob(self, x):
        """The sum of the coordinates' log-probabilities: ``sample_shape + batch_shape``."""
        return self._reduce(self.distribution.log_prob(x))

    def sample_n(self, n):
        return self.distribution.sample_n(n)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    """The sum over the event axes of the base distributions' KL divergences."""
    type_check.require(
        p.event_shape == q.event_shape and p.distribution.event_shape == q.distribution.event_shape,
        'kl_divergence', 'Independent distributions with equal event shapes',
        '{} and {} (base event shapes {} and {})'.format(
            p.event_shape, q.event_shape, p.distribution.event_shape, q.distribution.event_shape))
    kl = kl_divergence(p.distribution, q.distribution)
    n = len(p.event_shape) - len(p.distribution.event_shape)
    return kl if n == 0 else sum_(kl, axis=tuple(range(-n, 0)))
