"""SGD with (classical) momentum."""
import numpy

from minigrad import optimizer
from minigrad.backends import numba_kernels
from minigrad.optimizers import _split


_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.momentum = 0.9


class MomentumSGDRule(optimizer.UpdateRule):
    """Update rule of momentum SGD: ``v = momentum * v - lr * g; W += v``.

    The state ``v`` (the velocity) starts at zero.

    Args:
        parent_hyperparam (Hyperparameter): the defaults (the optimizer's).
        lr (float): learning rate.
        momentum (float): how much of the previous velocity is kept.
    """

    def __init__(self, parent_hyperparam=None, lr=None, momentum=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        if lr is not None:
            self.hyperparam.lr = lr
        if momentum is not None:
            self.hyperparam.momentum = momentum

    def init_state(self, param):
        self.state['v'] = numpy.zeros(param.data.shape, dtype=param.data.dtype)

    def update_core(self, param):
        lr = float(self.hyperparam.lr)
        momentum = float(self.hyperparam.momentum)
        w, v, g = param.data, self.state['v'], param.grad
        if numba_kernels.should_use_numba(w, v, g) and w.dtype == v.dtype == g.dtype:
            from minigrad.backends.numba_kernels import optimizers
            # The scalars in the arrays' dtype: float32 arithmetic, as NumPy's.
            dtype = w.dtype.type
            optimizers.momentum_sgd_update(w.reshape(-1), v.reshape(-1), g.reshape(-1),
                                           dtype(lr), dtype(momentum))
            return

        def kernel(w, v, g, buf):
            v *= momentum
            numpy.multiply(g, lr, out=buf)
            v -= buf
            w += v

        _split.elementwise(kernel, (param.data, self.state['v']), (param.grad,))


class MomentumSGD(optimizer.GradientMethod):
    """Momentum SGD.

    .. math::

        v \\leftarrow \\mu v - \\eta g, \\qquad W \\leftarrow W + v

    Args:
        lr (float): learning rate :math:`\\eta`.
        momentum (float): momentum :math:`\\mu`.
    """

    def __init__(self, lr=_default_hyperparam.lr, momentum=_default_hyperparam.momentum):
        super().__init__()
        self.hyperparam.lr = optimizer.check_setting('MomentumSGD', 'lr', lr, 'positive')
        self.hyperparam.momentum = optimizer.check_setting('MomentumSGD', 'momentum', momentum, 'unit')

    lr = optimizer.HyperparameterProxy('lr')
    momentum = optimizer.HyperparameterProxy('momentum')

    def create_update_rule(self):
        return MomentumSGDRule(self.hyperparam)
