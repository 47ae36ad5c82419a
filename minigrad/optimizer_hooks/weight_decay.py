"""L2 regularization as an optimizer hook."""
import numpy

from minigrad import optimizer


class WeightDecay:
    """Add the gradient of ``rate / 2 * ||W||^2`` to every gradient: ``g += rate * W``.

    Register with ``optimizer.add_hook(WeightDecay(rate))``; it runs before
    the update, on every parameter that will be updated (frozen parameters
    and those without a gradient are skipped).

    Args:
        rate (float): the decay coefficient.
    """
    name = 'WeightDecay'
    call_for_each_param = True
    timing = 'pre'

    def __init__(self, rate):
        self.rate = optimizer.check_setting('WeightDecay', 'rate', rate, 'nonnegative')

    def __call__(self, rule, param):
        if not optimizer._is_updatable(param):
            return
        rate = float(self.rate)

        def kernel(g, w, buf):
            numpy.multiply(w, rate, out=buf)
            g += buf

        optimizer.elementwise(kernel, (param.grad,), (param.data,))
