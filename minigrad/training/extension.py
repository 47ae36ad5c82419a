"""Trainer extensions: things the trainer calls after updates, as ``chainer.training.Extension``.

An extension is any callable ``extension(trainer)``; the optional attributes
``trigger``, ``priority``, ``default_name`` and the methods ``initialize``,
``finalize``, ``on_error`` and ``serialize`` refine how the trainer treats it.
Write a class deriving from :class:`Extension`, or decorate a function::

    @make_extension(trigger=(1, 'epoch'))
    def lr_drop(trainer):
        trainer.updater.get_optimizer('main').lr *= 0.5

Extensions run in decreasing ``priority``; equal priorities in the order
they were added.
"""

PRIORITY_WRITER = 300    #: writes observations (Evaluator): runs first
PRIORITY_EDITOR = 200    #: edits observations
PRIORITY_READER = 100    #: reads observations (LogReport, PrintReport)
PRIORITY_SNAPSHOT = -100  #: snapshots: last, so they capture what the others did


class Extension:
    """Base class of trainer extensions.

    Attributes:
        trigger: default trigger, ``(1, 'iteration')``: called after every update.
        priority (int): default priority (:data:`PRIORITY_READER`).
        name (str): the name given by ``Trainer.extend``.
    """

    trigger = 1, 'iteration'
    priority = PRIORITY_READER
    name = None

    @property
    def default_name(self):
        """The name used when ``Trainer.extend`` gets none: the class name."""
        return type(self).__name__

    def __call__(self, trainer):
        raise NotImplementedError('{} does not implement __call__'.format(type(self).__name__))

    def initialize(self, trainer):
        """Called once by ``Trainer.run`` before the loop (also after a resume)."""

    def finalize(self):
        """Called once when ``Trainer.run`` ends, normally or by an error."""

    def on_error(self, trainer, exc, tb):
        """Called when the training loop raises ``exc`` (before ``finalize``)."""

    def serialize(self, serializer):
        """Save or load this extension's state (part of a trainer snapshot)."""


def make_extension(trigger=None, default_name=None, priority=None,
                   finalizer=None, initializer=None, on_error=None):
    """Decorate a function ``f(trainer)`` into an extension by setting its attributes.

    Args:
        trigger: default trigger (``(1, 'iteration')`` if None).
        default_name (str): default name (the function's ``__name__`` if None).
        priority (int): default priority (:data:`PRIORITY_READER` if None).
        finalizer (callable): ``finalizer()`` at the end of training.
        initializer (callable): ``initializer(trainer)`` before the loop.
        on_error (callable): ``on_error(trainer, exc, tb)`` when the loop raises.
    """
    if trigger is None:
        trigger = Extension.trigger
    if priority is None:
        priority = Extension.priority

    def decorator(ext):
        ext.trigger = trigger
        ext.default_name = default_name or ext.__name__
        ext.priority = priority
        ext.finalize = finalizer
        ext.initialize = initializer
        ext.on_error = on_error
        return ext

    return decorator
