"""The Iterator interface: ``next(it)`` gives a mini-batch (a list of examples)."""


class Iterator:
    """Base class of dataset iterators, as ``chainer.dataset.Iterator``.

    Subclasses implement ``__next__`` and may implement ``epoch_detail``,
    ``reset``, ``serialize`` and ``finalize``.
    """

    def __iter__(self):
        return self

    def __next__(self):
        raise NotImplementedError

    def next(self):
        """Python 2 style alias of ``__next__``."""
        return self.__next__()

    @property
    def epoch_detail(self):
        raise NotImplementedError

    def finalize(self):
        """Release resources (nothing for a serial iterator)."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.finalize()

    def serialize(self, serializer):
        """Save or load the iteration state."""
