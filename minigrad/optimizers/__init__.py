"""Gradient-based optimizers, as ``chainer.optimizers``.

``optimizer = optimizers.Adam().setup(model)``, then every iteration
``optimizer.update(lossfun, *args)`` (or ``optimizer.update()`` after
computing the gradients yourself).
"""
from minigrad.optimizers.sgd import SGD, SGDRule                              # NOQA
from minigrad.optimizers.momentum_sgd import MomentumSGD, MomentumSGDRule     # NOQA
from minigrad.optimizers.ada_grad import AdaGrad, AdaGradRule                 # NOQA
from minigrad.optimizers.rmsprop import RMSprop, RMSpropRule                  # NOQA
from minigrad.optimizers.adam import Adam, AdamRule                           # NOQA
