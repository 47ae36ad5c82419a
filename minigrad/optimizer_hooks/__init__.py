"""Optimizer hooks, as ``chainer.optimizer_hooks``: ``optimizer.add_hook(WeightDecay(1e-4))``."""
from minigrad.optimizer_hooks.weight_decay import WeightDecay                 # NOQA
from minigrad.optimizer_hooks.lasso import Lasso                              # NOQA
from minigrad.optimizer_hooks.gradient_clipping import GradientClipping       # NOQA
