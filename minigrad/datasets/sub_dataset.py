"""Views of part of a dataset, and random train/validation splits."""
import numbers

import numpy

from minigrad import type_check
from minigrad.dataset.dataset_mixin import DatasetMixin


class SubDataset(DatasetMixin):
    """The examples ``start <= i < finish`` of a dataset, optionally through a permutation.

    With ``order``, example ``i`` of the subset is ``dataset[order[start + i]]``,
    so two SubDatasets on the same ``order`` and adjacent ranges split the
    dataset without overlap.  Nothing is copied.

    Args:
        dataset: the base dataset.
        start (int): first index (inclusive).
        finish (int): last index (exclusive).
        order (sequence of ints): a permutation of ``range(len(dataset))``, or None.
    """

    def __init__(self, dataset, start, finish, order=None):
        type_check.require(0 <= start <= finish <= len(dataset), 'SubDataset',
                           '0 <= start <= finish <= len(dataset)',
                           'start == {}, finish == {}, len(dataset) == {}'.format(
                               start, finish, len(dataset)))
        if order is not None:
            type_check.expect_equal('SubDataset', 'len(order)', len(order),
                                    'len(dataset)', len(dataset))
        self._dataset = dataset
        self._start = start
        self._finish = finish
        self._size = finish - start
        self._order = order

    def __len__(self):
        return self._size

    def get_example(self, i):
        if not -self._size <= i < self._size:
            raise IndexError('SubDataset: index {} out of range for length {}'.format(i, self._size))
        index = self._start + i if i >= 0 else self._finish + i
        if self._order is not None:
            index = self._order[index]
        return self._dataset[index]


def split_dataset(dataset, first_size, order=None):
    """Split a dataset in two: the first ``first_size`` examples and the rest.

    Args:
        dataset: the dataset to split.
        first_size (int): the size of the first part.
        order (sequence of ints): a permutation to split along, or None.

    Returns:
        tuple: two :class:`SubDataset` (sizes ``first_size`` and ``len(dataset) - first_size``).
    """
    n = len(dataset)
    type_check.require(isinstance(first_size, numbers.Integral), 'split_dataset',
                       'first_size to be an int', 'first_size == {!r}'.format(first_size))
    type_check.require(0 <= first_size <= n, 'split_dataset', '0 <= first_size <= len(dataset)',
                       'first_size == {}, len(dataset) == {}'.format(first_size, n))
    return (SubDataset(dataset, 0, first_size, order),
            SubDataset(dataset, first_size, n, order))


def split_dataset_random(dataset, first_size, seed=None):
    """Split a dataset in two at random: ``first_size`` examples and the rest.

    The two parts are disjoint and together hold every example once.  The
    same ``seed`` gives the same split; ``seed=None`` a different one each time.

    Args:
        dataset: the dataset to split.
        first_size (int): the size of the first part.
        seed (int): seed of the permutation.

    Returns:
        tuple: two :class:`SubDataset`.
    """
    order = numpy.random.RandomState(seed).permutation(len(dataset))
    return split_dataset(dataset, first_size, order)
