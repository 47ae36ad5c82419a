"""Updaters: one training step per call, as ``chainer.training.StandardUpdater``."""
from minigrad.dataset.convert import concat_examples
from minigrad.dataset.iterator import Iterator


class Updater:
    """Base class of updaters: what the trainer needs from one.

    Subclasses implement :meth:`update`, the ``iteration`` and ``epoch``
    counters, ``epoch_detail``, :meth:`get_optimizer`, :meth:`get_all_optimizers`
    and :meth:`serialize`.
    """

    def connect_trainer(self, trainer):
        """Called by the Trainer it belongs to (nothing by default)."""

    def finalize(self):
        """Release resources at the end of training (nothing by default)."""

    def get_optimizer(self, name):
        raise NotImplementedError

    def get_all_optimizers(self):
        raise NotImplementedError

    def update(self):
        raise NotImplementedError

    def serialize(self, serializer):
        raise NotImplementedError


class StandardUpdater(Updater):
    """One step: take a batch, convert it to arrays, update the optimizer's target.

    Each :meth:`update` runs::

        batch = next(iterator)                    # a list of examples
        in_arrays = converter(batch, device)      # e.g. (x, t), stacked
        optimizer.update(loss_func, *in_arrays)   # cleargrads, loss, backward, update
        iteration += 1

    ``loss_func`` defaults to the optimizer's target, so a
    :class:`~minigrad.links.Classifier` is called as ``model(x, t)`` and
    returns the loss.  A dict batch is passed as keyword arguments, a single
    array as one argument.

    Args:
        iterator: the training iterator, or a dict of them (the one named
            ``'main'`` gives the batches and the epoch count).
        optimizer: an optimizer set up on the model, or a dict of them
            (``'main'`` is the one updated).
        converter (callable): ``converter(batch, device)`` to arrays.
        device: handed to the converter (minigrad runs on NumPy: None or -1).
        loss_func (callable): computes the loss from the arrays; None means
            the optimizer's target.
        auto_new_epoch (bool): call ``optimizer.new_epoch(auto=True)`` at
            every epoch end (so ``optimizer.epoch`` follows the iterator).

    Attributes:
        iteration (int): how many updates have run.
    """

    def __init__(self, iterator, optimizer, converter=concat_examples, device=None,
                 loss_func=None, auto_new_epoch=True):
        if isinstance(iterator, Iterator) or not isinstance(iterator, dict):
            iterator = {'main': iterator}
        if not isinstance(optimizer, dict):
            optimizer = {'main': optimizer}
        for name in ('main',):
            if name not in iterator or name not in optimizer:
                raise ValueError("StandardUpdater: expect an iterator and an optimizer named 'main', "
                                 'actual iterators {} and optimizers {}'
                                 .format(sorted(iterator), sorted(optimizer)))
        for name, opt in optimizer.items():
            if getattr(opt, 'target', None) is None:
                raise ValueError('StandardUpdater: optimizer {!r} has no target; call '
                                 'optimizer.setup(model) first'.format(name))
        self._iterators = iterator
        self._optimizers = optimizer
        self.converter = converter
        self.device = device
        self.loss_func = loss_func
        self.auto_new_epoch = auto_new_epoch
        if auto_new_epoch:
            for opt in optimizer.values():
                opt.use_auto_new_epoch = True
        self.iteration = 0

    # -- progress of the main iterator -------------------------------------------
    @property
    def epoch(self):
        """Completed epochs of the main iterator."""
        return self._iterators['main'].epoch

    @property
    def epoch_detail(self):
        """Epochs done, with the fraction of the current one (e.g. 1.25)."""
        return self._iterators['main'].epoch_detail

    @property
    def previous_epoch_detail(self):
        """``epoch_detail`` before the last update (None before the first)."""
        return self._iterators['main'].previous_epoch_detail

    @property
    def is_new_epoch(self):
        """True right after the update that ended an epoch."""
        return self._iterators['main'].is_new_epoch

    # -- access ----------------------------------------------------------------
    def get_optimizer(self, name):
        return self._optimizers[name]

    def get_all_optimizers(self):
        return dict(self._optimizers)

    def get_iterator(self, name):
        return self._iterators[name]

    def finalize(self):
        for iterator in self._iterators.values():
            iterator.finalize()

    # -- the step --------------------------------------------------------------
    def update(self):
        """Run one step (:meth:`update_core`) and count it."""
        self.update_core()
        self.iteration += 1

    def update_core(self):
        iterator = self._iterators['main']
        optimizer = self._optimizers['main']
        batch = next(iterator)
        in_arrays = self.converter(batch, self.device)
        loss_func = self.loss_func or optimizer.target
        if isinstance(in_arrays, tuple):
            optimizer.update(loss_func, *in_arrays)
        elif isinstance(in_arrays, dict):
            optimizer.update(loss_func, **in_arrays)
        else:
            optimizer.update(loss_func, in_arrays)
        if self.auto_new_epoch and iterator.is_new_epoch:
            optimizer.new_epoch(auto=True)

    def serialize(self, serializer):
        """Save or load the iterators, the optimizers, their models and ``iteration``.

        Keys, as in Chainer: ``iterator:main/...``, ``optimizer:main/...``,
        ``model:main/...``, ``iteration``.
        """
        for name, iterator in self._iterators.items():
            iterator.serialize(serializer['iterator:' + name])
        for name, optimizer in self._optimizers.items():
            optimizer.serialize(serializer['optimizer:' + name])
            optimizer.target.serialize(serializer['model:' + name])
        self.iteration = int(serializer('iteration', self.iteration))
