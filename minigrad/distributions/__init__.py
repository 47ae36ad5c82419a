"""Probability distributions, as ``chainer.distributions``: ``import minigrad.distributions as D``.

Enough for Chainer's VAE example: ``Normal`` (with ``log_scale`` and a
reparameterized ``sample``), ``Bernoulli`` (with ``logit``), ``Categorical``,
``Independent``, and ``kl_divergence`` with the closed forms registered for
Normal/Normal, Bernoulli/Bernoulli, Categorical/Categorical and
Independent/Independent.
"""
from minigrad.distributions.distribution import (                       # NOQA
    Distribution, cross_entropy, kl_divergence, register_kl)
from minigrad.distributions.normal import Normal                        # NOQA
from minigrad.distributions.bernoulli import Bernoulli                  # NOQA
from minigrad.distributions.categorical import Categorical              # NOQA
from minigrad.distributions.independent import Independent              # NOQA
