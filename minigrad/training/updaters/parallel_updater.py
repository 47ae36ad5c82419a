"""ParallelUpdater: Chainer's data-parallel updater, in its one-device form."""
from minigrad.dataset.convert import concat_examples
from minigrad.training.updaters.standard_updater import StandardUpdater, resolve_device


class ParallelUpdater(StandardUpdater):
    """Chainer's multi-GPU updater, for scripts that use it with one CPU device.

    In Chainer it splits each batch across ``devices``, runs a model copy
    on each and sums the gradients into the main model.  minigrad computes
    on the CPU only, so the one configuration it runs is a single device::

        updater = training.updaters.ParallelUpdater(train_iter, optimizer,
                                                    devices={'main': -1})

    which is exactly a :class:`StandardUpdater` step with the whole batch
    converted for ``devices['main']``.  More than one device raises a
    ValueError that says so; a GPU device fails as in :func:`minigrad.get_device`.

    Args:
        iterator: the training iterator, or a dict with ``'main'``.
        optimizer: the optimizer, or a dict with ``'main'``.
        converter (callable): ``converter(batch, device)`` to arrays.
        models (dict): ``{'main': model}``, the optimizer's target (other
            entries would be replicas on other devices).
        devices (dict): ``{'main': device}`` with a CPU device (None, -1,
            ``'@numpy'``).
        loss_func (callable): computes the loss; None means the model.
        loss_scale (float): as in :class:`StandardUpdater`.
        auto_new_epoch (bool): as in :class:`StandardUpdater`.
    """

    def __init__(self, iterator, optimizer, converter=concat_examples, models=None, devices=None,
                 loss_func=None, loss_scale=None, auto_new_epoch=True):
        if models is None and devices is None:
            raise ValueError('ParallelUpdater: expect models or devices, e.g. '
                             "devices={'main': -1}, actual neither")
        for arg, given in (('devices', devices), ('models', models)):
            if given is None:
                continue
            if not isinstance(given, dict) or 'main' not in given:
                raise ValueError("ParallelUpdater: expect {} to be a dict with the key 'main', "
                                 'actual {!r}'.format(arg, given))
            if len(given) > 1:
                raise ValueError("ParallelUpdater: expect {} to hold only 'main' (one CPU device), "
                                 'actual keys {}: minigrad computes with NumPy on the CPU and has '
                                 'no data-parallel multi-device training'.format(arg, sorted(given)))
        device = resolve_device('ParallelUpdater', "devices['main']",
                                None if devices is None else devices['main'])
        super().__init__(iterator, optimizer, converter=converter, device=device,
                         loss_func=loss_func, loss_scale=loss_scale, auto_new_epoch=auto_new_epoch)
        main_model = self.get_optimizer('main').target
        if models is not None and models['main'] is not main_model:
            raise ValueError("ParallelUpdater: expect models['main'] to be the main optimizer's "
                             'target, actual another {}'.format(type(models['main']).__name__))
        self._devices = {'main': device}
        self._models = {'main': main_model}
