"""Adam, with AMSGrad and decoupled weight decay (AdamW) as options."""
import math

import numpy

from minigrad import optimizer
from minigrad.optimizers import _split


_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.alpha = 0.001
_default_hyperparam.beta1 = 0.9
_default_hyperparam.beta2 = 0.999
_default_hyperparam.eps = 1e-8
_default_hyperparam.eta = 1.0
_default_hyperparam.weight_decay_rate = 0
_default_hyperparam.amsgrad = False


def _learning_rate(hp, t):
    """The bias-corrected step size ``alpha * sqrt(1 - beta2**t) / (1 - beta1**t)``."""
    if t == 0:
        raise RuntimeError("Adam: the learning rate is undefined before the first update (t == 0)")
    fix1 = 1. - math.pow(hp.beta1, t)
    fix2 = 1. - math.pow(hp.beta2, t)
    return hp.alpha * math.sqrt(fix2) / fix1


class AdamRule(optimizer.UpdateRule):
    """Update rule of Adam (Kingma and Ba, 2015), as in Chainer.

    With ``t`` this rule's update count and ``g`` the gradient::

        m += (1 - beta1) * (g - m)
        v += (1 - beta2) * (g * g - v)
        vhat = max(vhat, v) if amsgrad else v
        alpha_t = alpha * sqrt(1 - beta2**t) / (1 - beta1**t)
        W -= eta * (alpha_t * m / (sqrt(vhat) + eps) + weight_decay_rate * W)

    Args:
        parent_hyperparam (Hyperparameter): the defaults (the optimizer's).
        alpha, beta1, beta2, eps, eta, weight_decay_rate, amsgrad: as in
            :class:`Adam`; given ones override the parent's for this parameter.
    """

    def __init__(self, parent_hyperparam=None, alpha=None, beta1=None, beta2=None,
                 eps=None, eta=None, weight_decay_rate=None, amsgrad=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        for name, value in (('alpha', alpha), ('beta1', beta1), ('beta2', beta2), ('eps', eps),
                            ('eta', eta), ('weight_decay_rate', weight_decay_rate),
                            ('amsgrad', amsgrad)):
            if value is not None:
                setattr(self.hyperparam, name, value)

    def init_state(self, param):
        shape, dtype = param.data.shape, param.data.dtype
        self.state['m'] = numpy.zeros(shape, dtype=dtype)
        self.state['v'] = numpy.zeros(shape, dtype=dtype)
        if self.hyperparam.amsgrad:
            self.state['vhat'] = numpy.zeros(shape, dtype=dtype)

    @property
    def alpha_t(self):
        """The bias-corrected step size of this rule's current step."""
        return _learning_rate(self.hyperparam, self.t)

    @property
    def lr(self):
        """Alias of :attr:`alpha_t`."""
        return self.alpha_t

    def update_core(self, param):
        hp = self.hyperparam
        eps = float(hp.eps)
        if eps != 0 and param.data.dtype.type(eps) == 0:
            raise ValueError('Adam: eps {} is too small for {} (it rounds to 0)'
                             .format(eps, param.data.dtype.name))
        one_minus_beta1 = 1. - float(hp.beta1)
        one_minus_beta2 = 1. - float(hp.beta2)
        alpha_t = float(self.alpha_t)
        eta = float(hp.eta)
        decay = float(hp.weight_decay_rate)
        amsgrad = bool(hp.amsgrad)
        if amsgrad and 'vhat' not in self.state:    # amsgrad switched on after the first update
            self.state['vhat'] = self.state['v'].copy()
        arrays = (param.data, self.state['m'], self.state['v'])
        if amsgrad:
            arrays += (self.state['vhat'],)

        def kernel(w, m, v, *rest):
            if amsgrad:
                vhat, g, buf, buf2 = rest
            else:
                g, buf, buf2 = rest
                vhat = v
            numpy.subtract(g, m, out=buf)
            buf *= one_minus_beta1
            m += buf
            numpy.multiply(g, g, out=buf)
            buf -= v
            buf *= one_minus_beta2
            v += buf
            if amsgrad:
                numpy.maximum(vhat, v, out=vhat)
            numpy.sqrt(vhat, out=buf)
            buf += eps
            numpy.divide(m, buf, out=buf)
            buf *= alpha_t
            if decay != 0:
                numpy.multiply(w, decay, out=buf2)
                buf += buf2
            if eta != 1:
                buf *= eta
            w -= buf

        _split.elementwise(kernel, arrays, (param.grad,), n_scratch=2)


class Adam(optimizer.GradientMethod):
    """Adam optimizer (Kingma and Ba, 2015), with Chainer's options.

    .. math::

        m &\\leftarrow m + (1 - \\beta_1)(g - m) \\\\
        v &\\leftarrow v + (1 - \\beta_2)(g^2 - v) \\\\
        \\alpha_t &= \\alpha \\frac{\\sqrt{1 - \\beta_2^t}}{1 - \\beta_1^t} \\\\
        W &\\leftarrow W - \\eta \\left(\\alpha_t \\frac{m}{\\sqrt{v} + \\epsilon}
            + \\lambda W\\right)

    Args:
        alpha (float): step size :math:`\\alpha`.
        beta1 (float): decay rate of the first moment :math:`m`.
        beta2 (float): decay rate of the second moment :math:`v`.
        eps (float): :math:`\\epsilon`, keeps the division finite.
        eta (float): schedule multiplier :math:`\\eta` of the whole step.
        weight_decay_rate (float): decoupled weight decay :math:`\\lambda`
            (AdamW, Loshchilov and Hutter).
        amsgrad (bool): use AMSGrad: divide by the running maximum of :math:`v`.
    """

    def __init__(self, alpha=_default_hyperparam.alpha, beta1=_default_hyperparam.beta1,
                 beta2=_default_hyperparam.beta2, eps=_default_hyperparam.eps,
                 eta=_default_hyperparam.eta,
                 weight_decay_rate=_default_hyperparam.weight_decay_rate,
                 amsgrad=_default_hyperparam.amsgrad):
        super().__init__()
        self.hyperparam.alpha = optimizer.check_setting('Adam', 'alpha', alpha, 'positive')
        self.hyperparam.beta1 = optimizer.check_setting('Adam', 'beta1', beta1, 'unit')
        self.hyperparam.beta2 = optimizer.check_setting('Adam', 'beta2', beta2, 'unit')
        self.hyperparam.eps = optimizer.check_setting('Adam', 'eps', eps, 'positive')
        self.hyperparam.eta = optimizer.check_setting('Adam', 'eta', eta, 'positive')
        self.hyperparam.weight_decay_rate = optimizer.check_setting(
            'Adam', 'weight_decay_rate', weight_decay_rate, 'nonnegative')
        self.hyperparam.amsgrad = amsgrad

    alpha = optimizer.HyperparameterProxy('alpha')
    beta1 = optimizer.HyperparameterProxy('beta1')
    beta2 = optimizer.HyperparameterProxy('beta2')
    eps = optimizer.HyperparameterProxy('eps')
    eta = optimizer.HyperparameterProxy('eta')
    weight_decay_rate = optimizer.HyperparameterProxy('weight_decay_rate')
    amsgrad = optimizer.HyperparameterProxy('amsgrad')

    def create_update_rule(self):
        return AdamRule(self.hyperparam)

    @property
    def alpha_t(self):
        """The bias-corrected step size at the optimizer's step count ``t``."""
        return _learning_rate(self.hyperparam, self.t)

    @property
    def lr(self):
        """Alias of :attr:`alpha_t` (Chainer's ``Adam.lr``)."""
        return self.alpha_t
