"""observe_value, observe_lr: put a value of the training (the learning rate) into the observation."""
from minigrad.training import extension


def observe_value(observation_key, target_func):
    """An extension that records ``target_func(trainer)`` as ``observation[observation_key]``.

    It runs with the writers (before LogReport reads the observation),
    once an epoch by default; a LogReport then logs it like any reported
    value, e.g. ``trainer.extend(observe_value('momentum', lambda t:
    t.updater.get_optimizer('main').momentum), trigger=(1, 'iteration'))``.

    Args:
        observation_key (str): the key to write.
        target_func (callable): ``target_func(trainer)`` gives the value.
    """
    @extension.make_extension(trigger=(1, 'epoch'), priority=extension.PRIORITY_WRITER)
    def _observe_value(trainer):
        trainer.observation[observation_key] = target_func(trainer)

    return _observe_value


def observe_lr(optimizer_name='main', observation_key='lr'):
    """An extension that records the optimizer's ``lr`` (as :func:`observe_value`).

    Args:
        optimizer_name (str): which of the updater's optimizers.
        observation_key (str): the key to write.
    """
    return observe_value(observation_key,
                         lambda trainer: trainer.updater.get_optimizer(optimizer_name).lr)
