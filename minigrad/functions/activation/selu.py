"""Scaled exponential linear unit: ``y = scale * elu(x, alpha)`` with self-normalizing constants."""
from minigrad.functions.activation.elu import ELU

# The constants of Klambauer et al. (2017) that keep activations at mean 0, variance 1.
ALPHA = 1.6732632423543772848170429916717
SCALE = 1.0507009873554804934193349852946


class SELU(ELU):
    """``y = scale * (x if x > 0 else alpha (exp(x) - 1))``; see :func:`selu`.

    The ELU node with a ``scale``: its gradient is ``ELUGrad`` with the same
    parameters (slope ``scale`` for ``x > 0``, ``y + scale * alpha`` otherwise).
    """

    name = 'SELU'

    @property
    def label(self):
        return 'SELU alpha={:g} scale={:g}'.format(self.alpha, self.scale)


def selu(x, alpha=ALPHA, scale=SCALE):
    """Scaled exponential linear unit, as ``chainer.functions.selu``.

    .. math:: y_i = \\lambda \\begin{cases} x_i & x_i > 0 \\\\
              \\alpha (e^{x_i} - 1) & x_i \\le 0 \\end{cases}, \\qquad
              \\frac{\\partial y_i}{\\partial x_i} =
              \\begin{cases} \\lambda & x_i > 0 \\\\ y_i + \\lambda \\alpha & x_i \\le 0 \\end{cases}

    With the default :math:`\\alpha \\approx 1.6733` and :math:`\\lambda
    \\approx 1.0507` a deep stack of layers keeps its activations near mean 0
    and variance 1 (https://arxiv.org/abs/1706.02515).

    Args:
        x (Variable or ndarray): floating point input of any shape.
        alpha (float): the parameter :math:`\\alpha`.
        scale (float): the parameter :math:`\\lambda`.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    return SELU(alpha, scale).apply((x,))[0]
