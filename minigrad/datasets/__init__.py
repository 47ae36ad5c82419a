"""Datasets, as ``chainer.datasets``: TupleDataset, SubDataset, splits, digits, MNIST."""
from minigrad.datasets.tuple_dataset import TupleDataset                          # NOQA
from minigrad.datasets.sub_dataset import SubDataset, split_dataset, split_dataset_random  # NOQA
from minigrad.datasets.digits import get_digits                                   # NOQA
from minigrad.datasets.mnist import get_mnist, read_idx                           # NOQA
from minigrad.dataset.convert import concat_examples                              # NOQA
