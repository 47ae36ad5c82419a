"""The training loop, as ``chainer.training``: Trainer, updaters, triggers, extensions.

::

    updater = training.updaters.StandardUpdater(train_iter, optimizer)
    trainer = training.Trainer(updater, (20, 'epoch'), out='result')
    trainer.extend(extensions.Evaluator(test_iter, model), call_before_training=True)
    trainer.extend(extensions.LogReport(), call_before_training=True)
    trainer.extend(extensions.PrintReport(['epoch', 'main/loss', 'validation/main/loss']),
                   call_before_training=True)
    trainer.run()
"""
from minigrad.training import extensions                                        # NOQA
from minigrad.training import triggers                                          # NOQA
from minigrad.training import updaters                                          # NOQA
from minigrad.training import util                                              # NOQA
from minigrad.training.extension import Extension, make_extension               # NOQA
from minigrad.training.extension import (                                        # NOQA
    PRIORITY_READER, PRIORITY_EDITOR, PRIORITY_WRITER, PRIORITY_SNAPSHOT)
from minigrad.training.trainer import Trainer                                   # NOQA
from minigrad.training.triggers import IntervalTrigger                          # NOQA
from minigrad.training.updater import Updater, StandardUpdater, ParallelUpdater  # NOQA
from minigrad.training.util import get_trigger                                  # NOQA
