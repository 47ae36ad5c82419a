"""DatasetMixin: write ``get_example(i)`` and ``__len__``, get indexing and slicing."""
import numpy


class DatasetMixin:
    """A dataset base class, as ``chainer.dataset.DatasetMixin``.

    Subclasses implement ``__len__`` and ``get_example(i)``; indexing with
    an int returns one example, with a slice, a list or an integer array a
    list of examples.
    """

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.get_example(i) for i in range(*index.indices(len(self)))]
        if isinstance(index, (list, numpy.ndarray)):
            return [self.get_example(i) for i in index]
        return self.get_example(index)

    def __len__(self):
        raise NotImplementedError

    def get_example(self, i):
        """Return the ``i``-th example."""
        raise NotImplementedError
