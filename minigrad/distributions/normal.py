"""The normal (Gaussian) distribution, with a reparameterized sampler."""
import functools
import math

import numpy

from minigrad import type_check
from minigrad.core import as_variable, exp, log
from minigrad.distributions.distribution import Distribution, check_parameter, register_kl

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_ENTROPY_CONSTANT = 0.5 * math.log(2 * math.pi * math.e)


class Normal(Distribution):
    """Independent normal distributions, one per element of ``loc``, as ``chainer.distributions.Normal``.

    .. math:: p(x; \\mu, \\sigma) = \\frac{1}{\\sqrt{2\\pi}\\,\\sigma}
              \\exp\\left(-\\frac{(x - \\mu)^2}{2\\sigma^2}\\right)

    Give the scale as ``scale`` (:math:`\\sigma`) or as ``log_scale``
    (:math:`\\log\\sigma`, what an encoder network outputs, unconstrained),
    not both.  ``batch_shape`` is the broadcast shape of the two; the event
    is a scalar.

    ``sample`` draws ``loc + scale * eps`` with ``eps`` from N(0, 1) (NumPy's
    global generator): the reparameterization trick, so the draws carry
    gradients back to ``loc`` and ``scale``.

    Args:
        loc (Variable or ndarray): the mean :math:`\\mu`, floating point.
        scale (Variable or ndarray): the standard deviation :math:`\\sigma > 0`.
        log_scale (Variable or ndarray): :math:`\\log\\sigma` instead of ``scale``.

    >>> d = Normal(numpy.zeros(2), scale=numpy.ones(2))
    >>> d.log_prob(numpy.zeros(2)).array.round(4)
    array([-0.9189, -0.9189])
    """

    def __init__(self, loc, scale=None, *, log_scale=None):
        type_check.require((scale is None) != (log_scale is None), 'Normal',
                           'either scale or log_scale (not both)',
                           'scale {}, log_scale {}'.format(
                               'given' if scale is not None else 'None',
                               'given' if log_scale is not None else 'None'))
        spread, spread_name = (scale, 'scale') if scale is not None else (log_scale, 'log_scale')
        loc = check_parameter('Normal', 'loc', loc)
        spread = check_parameter('Normal', spread_name, spread)
        type_check.expect_equal('Normal', '{}.dtype'.format(spread_name), spread.dtype,
                                'loc.dtype', loc.dtype)
        try:
            self._batch_shape = numpy.broadcast_shapes(loc.shape, spread.shape)
        except ValueError:
            raise type_check.InvalidType(
                'Normal', 'loc.shape and {}.shape broadcastable'.format(spread_name),
                '{} and {}'.format(loc.shape, spread.shape)) from None
        self._loc = loc
        self._scale = spread if scale is not None else None
        self._log_scale = spread if log_scale is not None else None

    # The parameters are computed once, on first use: a loss that reads
    # ``scale`` twice shares one exp node.
    @functools.cached_property
    def loc(self):
        """Variable: :math:`\\mu`."""
        return as_variable(self._loc)

    @functools.cached_property
    def scale(self):
        """Variable: :math:`\\sigma` (``exp(log_scale)`` if that was given)."""
        if self._scale is not None:
            return as_variable(self._scale)
        return exp(self.log_scale)

    @functools.cached_property
    def log_scale(self):
        """Variable: :math:`\\log\\sigma` (``log(scale)`` if that was given)."""
        if self._log_scale is not None:
            return as_variable(self._log_scale)
        return log(self.scale)

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return ()

    @property
    def params(self):
        return {'loc': self.loc, 'scale': self.scale}

    @property
    def support(self):
        return 'real'

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @functools.cached_property
    def variance(self):
        return self.scale ** 2

    @functools.cached_property
    def entropy(self):
        """:math:`\\log\\sigma + \\frac{1}{2}\\log(2\\pi e)`."""
        return self.log_scale + _ENTROPY_CONSTANT

    def log_prob(self, x):
        """:math:`-\\log\\sigma - \\frac{1}{2}\\log 2\\pi - \\frac{(x - \\mu)^2}{2\\sigma^2}`.

        Args:
            x (Variable or ndarray): ``sample_shape + batch_shape`` (or broadcastable).

        Returns:
            Variable: the broadcast shape of ``x`` and ``batch_shape``.
        """
        return -0.5 * (x - self.loc) ** 2 / self.variance - self.log_scale - _LOG_SQRT_2PI

    def prob(self, x):
        """The density, ``exp(log_prob(x))``."""
        return exp(self.log_prob(x))

    def sample_n(self, n):
        """``loc + scale * eps``, ``eps`` of shape ``(n,) + batch_shape`` from N(0, 1).

        Differentiable with respect to ``loc`` and ``scale`` (or ``log_scale``).
        """
        dtype = self.loc.dtype
        eps = numpy.random.standard_normal((n,) + self.batch_shape).astype(dtype, copy=False)
        return self.loc + self.scale * eps


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    """KL between two normals, elementwise (the batch shapes broadcast).

    .. math:: \\log\\frac{\\sigma_q}{\\sigma_p}
              + \\frac{\\sigma_p^2 + (\\mu_p - \\mu_q)^2}{2\\sigma_q^2} - \\frac{1}{2}
    """
    return (q.log_scale - p.log_scale
            + 0.5 * (p.variance + (p.loc - q.loc) ** 2) / q.variance - 0.5)
