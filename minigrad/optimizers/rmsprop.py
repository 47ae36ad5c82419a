"""RMSprop: steps scaled by a moving average of squared gradients."""
import numpy

from minigrad import optimizer
from minigrad.optimizers import _split


_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.alpha = 0.99
_default_hyperparam.eps = 1e-8
_default_hyperparam.eps_inside_sqrt = False


class RMSpropRule(optimizer.UpdateRule):
    """Update rule of RMSprop.

    ``ms = alpha * ms + (1 - alpha) * g * g; W -= lr * g / (sqrt(ms) + eps)``
    (or ``/ sqrt(ms + eps)`` with ``eps_inside_sqrt``).

    Args:
        parent_hyperparam (Hyperparameter): the defaults (the optimizer's).
        lr (float): learning rate.
        alpha (float): decay rate of the moving average.
        eps (float): keeps the division finite.
        eps_inside_sqrt (bool): add ``eps`` under the square root.
    """

    def __init__(self, parent_hyperparam=None, lr=None, alpha=None, eps=None,
                 eps_inside_sqrt=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        if lr is not None:
            self.hyperparam.lr = lr
        if alpha is not None:
            self.hyperparam.alpha = alpha
        if eps is not None:
            self.hyperparam.eps = eps
        if eps_inside_sqrt is not None:
            self.hyperparam.eps_inside_sqrt = eps_inside_sqrt

    def init_state(self, param):
        self.state['ms'] = numpy.zeros(param.data.shape, dtype=param.data.dtype)

    def update_core(self, param):
        hp = self.hyperparam
        lr, alpha, eps = float(hp.lr), float(hp.alpha), float(hp.eps)
        inside = bool(hp.eps_inside_sqrt)

        def kernel(w, ms, g, buf):
            ms *= alpha
            numpy.multiply(g, g, out=buf)
            buf *= 1 - alpha
            ms += buf
            if inside:
                numpy.add(ms, eps, out=buf)
                numpy.sqrt(buf, out=buf)
            else:
                numpy.sqrt(ms, out=buf)
                buf += eps
            numpy.divide(g, buf, out=buf)
            buf *= lr
            w -= buf

        _split.elementwise(kernel, (param.data, self.state['ms']), (param.grad,))


class RMSprop(optimizer.GradientMethod):
    """RMSprop (Tieleman and Hinton, 2012).

    .. math::

        m \\leftarrow \\alpha m + (1 - \\alpha) g^2, \\qquad
        W \\leftarrow W - \\eta \\frac{g}{\\sqrt{m} + \\epsilon}

    Args:
        lr (float): learning rate :math:`\\eta`.
        alpha (float): decay rate :math:`\\alpha`.
        eps (float): :math:`\\epsilon`.
        eps_inside_sqrt (bool): use :math:`\\sqrt{m + \\epsilon}` instead.
    """

    def __init__(self, lr=_default_hyperparam.lr, alpha=_default_hyperparam.alpha,
                 eps=_default_hyperparam.eps, eps_inside_sqrt=False):
        super().__init__()
        self.hyperparam.lr = optimizer.check_setting('RMSprop', 'lr', lr, 'positive')
        self.hyperparam.alpha = optimizer.check_setting('RMSprop', 'alpha', alpha, 'unit')
        self.hyperparam.eps = optimizer.check_setting('RMSprop', 'eps', eps, 'positive')
        self.hyperparam.eps_inside_sqrt = eps_inside_sqrt

    lr = optimizer.HyperparameterProxy('lr')
    alpha = optimizer.HyperparameterProxy('alpha')
    eps = optimizer.HyperparameterProxy('eps')
    eps_inside_sqrt = optimizer.HyperparameterProxy('eps_inside_sqrt')

    def create_update_rule(self):
        return RMSpropRule(self.hyperparam)
