"""``training.updater``: the updaters under their older module, as Chainer keeps them."""
from minigrad.training._updater import Updater                                  # NOQA
from minigrad.training.updaters.parallel_updater import ParallelUpdater         # NOQA
from minigrad.training.updaters.standard_updater import StandardUpdater         # NOQA
