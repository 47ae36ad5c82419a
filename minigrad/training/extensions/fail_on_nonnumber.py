"""FailOnNonNumber: stop training as soon as a parameter holds NaN or Inf."""
import numpy

from minigrad.training import extension


class FailOnNonNumber(extension.Extension):
    """Raise a RuntimeError when any parameter of any optimizer's target is not finite.

    A diverged model (a too large learning rate) goes on computing NaNs;
    this extension ends the run at the first one, naming the parameter.
    Called after every iteration by default.
    """

    def __call__(self, trainer):
        for name, optimizer in trainer.updater.get_all_optimizers().items():
            target = optimizer.target
            xp = getattr(target, 'xp', numpy)
            for path, param in target.namedparams():
                if param.array is not None and not xp.isfinite(param.array).all():
                    raise RuntimeError('FailOnNonNumber: the parameters of optimizer {!r} diverged: '
                                       '{} holds NaN or Inf after iteration {}'
                                       .format(name, path, trainer.updater.iteration))
