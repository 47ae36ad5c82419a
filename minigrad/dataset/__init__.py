"""Dataset plumbing, as ``chainer.dataset``: ``concat_examples``, ``DatasetMixin``, ``Iterator``."""
from minigrad.dataset.convert import concat_examples, to_device     # NOQA
from minigrad.dataset.dataset_mixin import DatasetMixin              # NOQA
from minigrad.dataset.iterator import Iterator                       # NOQA
from minigrad.dataset.download import (cache_or_load_file, cached_download, get_dataset_directory,  # NOQA
                                       get_dataset_root, set_dataset_root)
