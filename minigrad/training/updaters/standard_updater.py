"""StandardUpdater: one training step per call, as ``chainer.training.updaters.StandardUpdater``."""
from minigrad import backend
from minigrad.dataset.convert import concat_examples
from minigrad.dataset.iterator import Iterator
from minigrad.training._updater import Updater
from minigrad.utils import loading


def resolve_device(func_name, arg, device):
    """``backend.get_device(device)`` (None stays None); a GPU fails naming ``func_name``."""
    if device is None:
        return None
    try:
        return backend.get_device(device)
    except (RuntimeError, ValueError) as error:
        raise type(error)('{}: cannot use {}={!r}: {}'.format(func_name, arg, device, error)) \
            from error


def call_converter(converter, batch, device):
    """``converter(batch, device)`` with Chainer's device argument for a plain function.

    As Chainer does for converters not made with its ``converter``
    decorator: None stays None, and the CPU device is passed as ``-1``.
    """
    return converter(batch, None if device is None else -1)


class StandardUpdater(Updater):
    """One step: take a batch, convert it to arrays, update the optimizer's target.

    Each :meth:`update` runs::

        batch = next(iterator)                       # a list of examples
        in_arrays = converter(batch, input_device)   # e.g. (x, t), stacked
        optimizer.update(loss_func, *in_arrays)      # cleargrads, loss, backward, update
        iteration += 1

    ``loss_func`` defaults to the optimizer's target, so a
    :class:`~minigrad.links.Classifier` is called as ``model(x, t)`` and
    returns the loss.  A dict batch is passed as keyword arguments, a single
    array as one argument.  Override :meth:`update_core` for other steps
    (a GAN's two optimizers, say).

    Args:
        iterator: the training iterator, or a dict of them (the one named
            ``'main'`` gives the batches and the epoch count).
        optimizer: an optimizer set up on the model, or a dict of them
            (``'main'`` is the one the default :meth:`update_core` updates).
        converter (callable): ``converter(batch, device)`` to arrays.
        device: where to send the model (``backend.get_device`` spec:
            None leaves it, -1, ``'@numpy'``); a GPU fails, as minigrad has
            no CuPy backend.
        loss_func (callable): computes the loss from the arrays; None means
            the optimizer's target.
        loss_scale (float): multiply the loss gradient by it (and divide the
            parameter gradients back); needs an optimizer with
            ``set_loss_scale``.
        auto_new_epoch (bool): call ``optimizer.new_epoch(auto=True)`` at
            every epoch end (so ``optimizer.epoch`` follows the iterator).
        input_device: where the converter sends the batch; None means
            ``device``.  A plain converter function gets ``-1`` for the CPU
            (as in Chainer).

    Attributes:
        iteration (int): how many updates have run.
    """

    def __init__(self, iterator, optimizer, converter=concat_examples, device=None,
                 loss_func=None, loss_scale=None, auto_new_epoch=True, *, input_device=None):
        name = type(self).__name__
        device = resolve_device(name, 'device', device)
        input_device = resolve_device(name, 'input_device', input_device)
        if isinstance(iterator, Iterator) or not isinstance(iterator, dict):
            iterator = {'main': iterator}
        if not isinstance(optimizer, dict):
            optimizer = {'main': optimizer}
        # The main iterator counts the epochs.  No optimizer needs the name 'main':
        # an update_core of one's own (a GAN's) may update 'gen' and 'dis'.
        if 'main' not in iterator:
            raise ValueError("{}: expect an iterator named 'main', actual iterators {}"
                             .format(name, sorted(iterator)))
        for key, opt in optimizer.items():
            if getattr(opt, 'target', None) is None:
                raise ValueError('{}: optimizer {!r} has no target; call '
                                 'optimizer.setup(model) first'.format(name, key))
        self._iterators = iterator
        self._optimizers = optimizer
        if device is not None:
            for opt in optimizer.values():
                opt.target.to_device(device)
        self.converter = converter
        self._device = device
        self._input_device = device if input_device is None else input_device
        self.loss_func = loss_func
        self.loss_scale = loss_scale
        if loss_scale is not None:
            for key, opt in optimizer.items():
                set_loss_scale = getattr(opt, 'set_loss_scale', None)
                if set_loss_scale is None:
                    raise ValueError('{}: loss_scale={!r} needs optimizer.set_loss_scale, which '
                                     '{} (optimizer {!r}) does not have'
                                     .format(name, loss_scale, type(opt).__name__, key))
                set_loss_scale(loss_scale)
        self.auto_new_epoch = auto_new_epoch
        if auto_new_epoch:
            for opt in optimizer.values():
                opt.use_auto_new_epoch = True
        self.iteration = 0

    @property
    def device(self):
        """The model's device (a :class:`~minigrad.backend.Device`), or None."""
        return self._device

    @property
    def input_device(self):
        """The batches' device (a :class:`~minigrad.backend.Device`), or None."""
        return self._input_device

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
        optimizer = self._optimizers.get('main')
        if optimizer is None:
            raise KeyError("{}.update_core: no optimizer named 'main' (optimizers: {}); override "
                           'update_core to update them'.format(type(self).__name__,
                                                               sorted(self._optimizers)))
        batch = next(iterator)
        in_arrays = call_converter(self.converter, batch, self._input_device)
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
        ``model:main/...``, ``iteration``.  A load checks everything before
        it assigns anything (see :mod:`minigrad.utils.loading`).
        """
        loading.check_first(self._serialize, serializer)

    def _serialize(self, serializer):
        for name, iterator in self._iterators.items():
            iterator.serialize(serializer['iterator:' + name])
        for name, optimizer in self._optimizers.items():
            optimizer.serialize(serializer['optimizer:' + name])
            optimizer.target.serialize(serializer['model:' + name])
        if loading.is_loading(serializer):
            stored = loading.read(serializer, 'iteration')
            if stored is not None:
                loading.as_int(type(self).__name__, serializer, 'iteration', stored, 0)
        self.iteration = int(serializer('iteration', self.iteration))
