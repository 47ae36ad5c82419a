"""Losses of a variational autoencoder: the KL term and two reconstruction likelihoods.

Each is a composition of differentiable functions, so it is twice
differentiable; ``reduce`` is ``'sum'`` (Chainer's default), ``'mean'`` or
``'no'`` (the loss of each element).
"""
import math

import numpy

from minigrad import type_check
from minigrad.core import Variable, as_variable, exp
from minigrad.functions.activation.softplus import softplus
from minigrad.functions.math.sum import mean as mean_, sum as sum_


def _checked(name, reduce, **inputs):
    """The inputs as Variables of one float dtype and broadcastable shapes; ``reduce`` checked.

    A constant (an array that is not a Variable) takes the dtype of the first
    Variable, so float32 stays float32 as it does for the operators.
    """
    type_check.require(reduce in ('sum', 'mean', 'no'), name, "reduce in ('sum', 'mean', 'no')",
                       'reduce == {!r}'.format(reduce))
    dtype = next((v.dtype for v in inputs.values() if isinstance(v, Variable)), None)
    out = {}
    for arg, v in inputs.items():
        if not isinstance(v, Variable):
            v = as_variable(v)
            if dtype is not None and v.dtype.kind == 'f':
                v = Variable(v.array.astype(dtype), requires_grad=False)
        type_check.expect_float(name, arg, v)
        out[arg] = v
    first, first_v = next(iter(out.items()))
    for arg, v in out.items():
        type_check.expect_equal(name, '{}.dtype'.format(arg), v.dtype,
                                '{}.dtype'.format(first), first_v.dtype)
    shapes = [v.shape for v in out.values()]
    try:
        numpy.broadcast_shapes(*shapes)
    except ValueError:
        raise type_check.InvalidType(
            name, '{} broadcastable'.format(', '.join('{}.shape'.format(a) for a in out)),
            ', '.join(str(s) for s in shapes)) from None
    return tuple(out.values())


def _reduced(loss, reduce):
    if reduce == 'sum':
        return sum_(loss)
    if reduce == 'mean':
        return mean_(loss)
    return loss


def gaussian_kl_divergence(mean, ln_var, reduce='sum'):
    """KL divergence of ``N(mean, exp(ln_var))`` from ``N(0, 1)``, elementwise, as Chainer's.

    .. math:: D_{KL}(N(\\mu, \\sigma^2) \\| N(0, 1))
              = \\frac{1}{2} (\\mu^2 + \\sigma^2 - \\log \\sigma^2 - 1)

    for each element (a diagonal Gaussian is a product of independent ones,
    so the divergences add).  Gradients: ``mu`` for the mean and
    ``(sigma^2 - 1) / 2`` for ``ln_var``.

    Args:
        mean (Variable or ndarray): :math:`\\mu`, floating point.
        ln_var (Variable or ndarray): :math:`\\log \\sigma^2`, broadcastable with ``mean``.
        reduce (str): ``'sum'``, ``'mean'`` or ``'no'``.

    Returns:
        Variable: a scalar, or the elementwise divergence for ``reduce='no'``.
    """
    mu, ln_var = _checked('GaussianKLDivergence', reduce, mean=mean, ln_var=ln_var)
    loss = (mu * mu + exp(ln_var) - ln_var - 1) * 0.5
    return _reduced(loss, reduce)


def bernoulli_nll(x, y, reduce='sum'):
    """Negative log-likelihood of ``x`` under Bernoulli distributions with logits ``y``, as Chainer's.

    With :math:`p = \\sigma(y)`:

    .. math:: -\\log B(x; p) = -(x \\log p + (1 - x) \\log(1 - p)) = \\mathrm{softplus}(y) - x y

    for each element; the right-hand form is finite for any logit.  So ``y``
    is a pre-sigmoid output (a Linear layer's, for instance). Gradients:
    ``sigmoid(y) - x`` for ``y`` and ``-y`` for ``x``.

    Args:
        x (Variable or ndarray): the observations, floating point (usually in ``[0, 1]``).
        y (Variable or ndarray): the logits, broadcastable with ``x``.
        reduce (str): ``'sum'``, ``'mean'`` or ``'no'``.

    Returns:
        Variable: a scalar, or the elementwise loss for ``reduce='no'``.
    """
    x, y = _checked('BernoulliNLL', reduce, x=x, y=y)
    return _reduced(softplus(y) - x * y, reduce)


def gaussian_nll(x, mean, ln_var, reduce='sum'):
    """Negative log-likelihood of ``x`` under ``N(mean, exp(ln_var))``, elementwise, as Chainer's.

    .. math:: -\\log N(x; \\mu, \\sigma^2) = \\frac{1}{2} \\left(\\log(2\\pi) + \\log \\sigma^2
              + \\frac{(x - \\mu)^2}{\\sigma^2}\\right)

    for each element (for a diagonal Gaussian the sum is the log-likelihood
    of the whole vector).

    Args:
        x (Variable or ndarray): the observations, floating point.
        mean (Variable or ndarray): :math:`\\mu`, broadcastable with ``x``.
        ln_var (Variable or ndarray): :math:`\\log \\sigma^2`, broadcastable with ``x``.
        reduce (str): ``'sum'``, ``'mean'`` or ``'no'``.

    Returns:
        Variable: a scalar, or the elementwise loss for ``reduce='no'``.
    """
    x, mu, ln_var = _checked('GaussianNLL', reduce, x=x, mean=mean, ln_var=ln_var)
    diff = x - mu
    loss = (ln_var + diff * diff * exp(-ln_var) + math.log(2 * math.pi)) * 0.5
    return _reduced(loss, reduce)
