"""Rescale all gradients together when their global L2 norm is too large."""
import math

import numpy

from minigrad import optimizer


def _sqnorm(x):
    """``sum(x ** 2)`` as a Python float, without a temporary the size of ``x``."""
    flat = numpy.ascontiguousarray(x).reshape(-1)
    return float(numpy.dot(flat, flat))


class GradientClipping:
    """Scale every gradient by ``threshold / norm`` when ``norm > threshold``.

    ``norm = sqrt(sum over parameters of sum(g ** 2))`` is the L2 norm of
    all gradients taken as one vector, so clipping keeps their direction.
    Frozen parameters and those without a gradient are left out of the norm
    and are not scaled.

    Args:
        threshold (float): the largest norm allowed.
    """
    name = 'GradientClipping'
    timing = 'pre'

    def __init__(self, threshold):
        self.threshold = optimizer.check_setting('GradientClipping', 'threshold', threshold,
                                                 'positive')

    def __call__(self, opt):
        params = [p for p in opt.target.params()
                  if optimizer._is_updatable(p) and (p.update_rule is None or p.update_rule.enabled)]
        norm = math.sqrt(sum(_sqnorm(p.grad) for p in params))
        if not norm > self.threshold:       # also when norm is 0 or NaN
            return
        rate = float(self.threshold) / norm
        for p in params:
            p.grad *= rate
