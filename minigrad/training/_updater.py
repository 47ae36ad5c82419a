"""Updater: the interface a Trainer needs from whatever performs one training step."""


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
