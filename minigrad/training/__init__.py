"""The training loop, as ``chainer.training``: Trainer, StandardUpdater, triggers, extensions.

::

    updater = training.StandardUpdater(train_iter, optimizer)
    trainer = training.Trainer(updater, (20, 'epoch'), out='result')
    trainer.extend(extensions.Evaluator(test_iter, model))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(['epoch', 'main/loss', 'validation/main/loss']))
    trainer.run()
"""
from minigrad.training import extensions                                        # NOQA
from minigrad.training import triggers                                          # NOQA
from minigrad.training.extension import Extension, make_extension               # NOQA
from minigrad.training.extension import (                                        # NOQA
    PRIORITY_READER, PRIORITY_EDITOR, PRIORITY_WRITER, PRIORITY_SNAPSHOT)
from minigrad.training.trainer import Trainer                                   # NOQA
from minigrad.training.triggers import get_trigger, IntervalTrigger             # NOQA
from minigrad.training.updater import Updater, StandardUpdater                  # NOQA
