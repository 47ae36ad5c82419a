"""Updaters: one training step per call, as ``chainer.training.updaters``."""
from minigrad.training.updaters.parallel_updater import ParallelUpdater     # NOQA
from minigrad.training.updaters.standard_updater import StandardUpdater     # NOQA
