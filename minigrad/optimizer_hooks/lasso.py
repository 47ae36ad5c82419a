"""L1 regularization (Lasso) as an optimizer hook."""
import numpy

from minigrad import optimizer


class Lasso:
    """Add the (sub)gradient of ``rate * ||W||_1`` to every gradient: ``g += rate * sign(W)``.

    ``sign(0) = 0``, so weights already at zero are not pushed.  Register
    with ``optimizer.add_hook(Lasso(rate))``; frozen parameters and those
    without a gradient are skipped.

    Args:
        rate (float): the L1 coefficient.
    """
    name = 'Lasso'
    call_for_each_param = True
    timing = 'pre'

    def __init__(self, rate):
        self.rate = optimizer.check_setting('Lasso', 'rate', rate, 'nonnegative')

    def __call__(self, rule, param):
        if not optimizer._is_updatable(param):
            return
        rate = float(self.rate)

        def kernel(g, w, buf):
            numpy.sign(w, out=buf)
            buf *= rate
            g += buf

        optimizer.elementwise(kernel, (param.grad,), (param.data,))
