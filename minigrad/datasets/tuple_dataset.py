"""TupleDataset: several equal-length datasets zipped into (x, t, ...) examples."""
import numpy

from minigrad import type_check


class TupleDataset:
    """Zip datasets of equal length: example ``i`` is ``(d0[i], d1[i], ...)``.

    ``TupleDataset(images, labels)`` with ``images`` of shape ``(N, C, H, W)``
    and ``labels`` of shape ``(N,)`` gives examples ``(image, label)``.
    Indexing with a slice, a list or an integer array gives a list of tuples.

    Args:
        datasets: arrays or any sized, indexable datasets, all of the same length.
    """

    def __init__(self, *datasets):
        type_check.require(len(datasets) > 0, 'TupleDataset', 'at least one dataset',
                           'none given')
        length = len(datasets[0])
        for i, dataset in enumerate(datasets[1:], 1):
            type_check.expect_equal('TupleDataset', 'len(datasets[{}])'.format(i), len(dataset),
                                    'len(datasets[0])', length)
        self._datasets = datasets
        self._length = length

    def __getitem__(self, index):
        batches = [dataset[index] for dataset in self._datasets]
        if isinstance(index, (slice, list, numpy.ndarray)):
            return list(zip(*batches))
        return tuple(batches)

    def __len__(self):
        return self._length

    @property
    def datasets(self):
        """The zipped datasets, as given."""
        return self._datasets
