"""Datasets, as ``chainer.datasets``: TupleDataset, SubDataset, splits, digits, MNIST, CIFAR.

MNIST, Fashion-MNIST and CIFAR are read from the data set cache or
downloaded into it once: see :mod:`minigrad.dataset.download`.
"""
from minigrad.datasets.tuple_dataset import TupleDataset                          # NOQA
from minigrad.datasets.sub_dataset import SubDataset, split_dataset, split_dataset_random  # NOQA
from minigrad.datasets.digits import get_digits                                   # NOQA
from minigrad.datasets.mnist import get_mnist, read_mnist, read_idx               # NOQA
from minigrad.datasets.fashion_mnist import get_fashion_mnist, get_fashion_mnist_labels  # NOQA
from minigrad.datasets.cifar import get_cifar10, get_cifar100                     # NOQA
from minigrad.dataset.convert import concat_examples                              # NOQA
