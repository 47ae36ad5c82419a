"""Dataset plumbing, as ``chainer.dataset``: ``concat_examples``, ``DatasetMixin``, ``Iterator``."""
from minigrad.dataset.convert import concat_examples, to_device     # NOQA
from minigrad.dataset.dataset_mixin import DatasetMixin              # NOQA
from minigrad.dataset.iterator import Iterator                       # NOQA
