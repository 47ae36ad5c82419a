"""AdaGrad: per-element step sizes from the sum of squared gradients."""
import numpy

from minigrad import optimizer
from minigrad.optimizers import _split


_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.001
_default_hyperparam.eps = 1e-8


class AdaGradRule(optimizer.UpdateRule):
    """Update rule of AdaGrad: ``h += g * g; W -= lr * g / (sqrt(h) + eps)``.

    Args:
        parent_hyperparam (Hyperparameter): the defaults (the optimizer's).
        lr (float): learning rate.
        eps (float): keeps the division finite while ``h`` is zero.
    """

    def __init__(self, parent_hyperparam=None, lr=None, eps=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        if lr is not None:
            self.hyperparam.lr = lr
        if eps is not None:
            self.hyperparam.eps = eps

    def init_state(self, param):
        self.state['h'] = numpy.zeros(param.data.shape, dtype=param.data.dtype)

    def update_core(self, param):
        lr = float(self.hyperparam.lr)
        eps = float(self.hyperparam.eps)

        def kernel(w, h, g, buf):
            numpy.multiply(g, g, out=buf)
            h += buf
            numpy.sqrt(h, out=buf)
            buf += eps
            numpy.divide(g, buf, out=buf)
            buf *= lr
            w -= buf

        _split.elementwise(kernel, (param.data, self.state['h']), (param.grad,))


class AdaGrad(optimizer.GradientMethod):
    """AdaGrad (Duchi et al., 2011).

    .. math::

        h \\leftarrow h + g^2, \\qquad
        W \\leftarrow W - \\eta \\frac{g}{\\sqrt{h} + \\epsilon}

    Args:
        lr (float): learning rate :math:`\\eta`.
        eps (float): :math:`\\epsilon`.
    """

    def __init__(self, lr=_default_hyperparam.lr, eps=_default_hyperparam.eps):
        super().__init__()
        self.hyperparam.lr = optimizer.check_setting('AdaGrad', 'lr', lr, 'positive')
        self.hyperparam.eps = optimizer.check_setting('AdaGrad', 'eps', eps, 'positive')

    lr = optimizer.HyperparameterProxy('lr')
    eps = optimizer.HyperparameterProxy('eps')

    def create_update_rule(self):
        return AdaGradRule(self.hyperparam)
