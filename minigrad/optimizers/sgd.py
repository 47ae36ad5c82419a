"""Plain stochastic gradient descent."""
import numpy

from minigrad import optimizer
from minigrad.backends import numba_kernels
from minigrad.optimizers import _split


_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01


class SGDRule(optimizer.UpdateRule):
    """Update rule of plain SGD: ``W -= lr * g``.

    Args:
        parent_hyperparam (Hyperparameter): the defaults (the optimizer's).
        lr (float): learning rate; overrides the parent's for this parameter.
    """

    def __init__(self, parent_hyperparam=None, lr=None):
        super().__init__(parent_hyperparam or _default_hyperparam)
        if lr is not None:
            self.hyperparam.lr = lr

    def update_core(self, param):
        lr = float(self.hyperparam.lr)
        w, g = param.data, param.grad
        if numba_kernels.should_use_numba(w, g) and w.dtype == g.dtype:
            from minigrad.backends.numba_kernels import optimizers
            # lr in the arrays' dtype: float32 arithmetic, as NumPy's.
            optimizers.sgd_update(w.reshape(-1), g.reshape(-1), w.dtype.type(lr))
            return

        def kernel(w, g, buf):
            numpy.multiply(g, lr, out=buf)
            w -= buf

        _split.elementwise(kernel, (param.data,), (param.grad,))


class SGD(optimizer.GradientMethod):
    """Stochastic gradient descent.

    .. math::

        W \\leftarrow W - \\eta \\, g

    Args:
        lr (float): learning rate :math:`\\eta`.
    """

    def __init__(self, lr=_default_hyperparam.lr):
        super().__init__()
        self.hyperparam.lr = optimizer.check_setting('SGD', 'lr', lr, 'positive')

    lr = optimizer.HyperparameterProxy('lr')

    def create_update_rule(self):
        return SGDRule(self.hyperparam)
