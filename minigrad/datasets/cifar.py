"""CIFAR-10 and CIFAR-100: 32x32 color images, from the binary release, cached or downloaded once.

Only the *binary* release is read (``cifar-10-binary.tar.gz``,
``cifar-100-binary.tar.gz``): the Python release is pickled, and unpickling a
downloaded file could run any code.  The binary files are fixed-size records:

- CIFAR-10 (``cifar-10-batches-bin/data_batch_1.bin`` .. ``data_batch_5.bin``,
  ``test_batch.bin``): 1 label byte (0..9), then 3072 pixel bytes;
- CIFAR-100 (``cifar-100-binary/train.bin``, ``test.bin``): a coarse label
  byte (0..19), a fine label byte (0..99), then 3072 pixel bytes; the labels
  used are the fine ones, as in Chainer.

The 3072 pixel bytes are the 1024 red, then green, then blue values, each
plane row by row: a record's pixels are a C-ordered ``(3, 32, 32)`` array.
The archives live in ``<dataset root>/cifar/``, their parsed arrays in
``cifar/cifar-10.npz`` and ``cifar/cifar-100.npz``.
"""
import collections
import os
import tarfile
import zlib

import numpy

from minigrad import type_check
from minigrad.backend import get_dtype
from minigrad.dataset import download
from minigrad.datasets.tuple_dataset import TupleDataset

#: Addresses of the archives, tried in order (Alex Krizhevsky's page).
BASE_URLS = ['https://www.cs.toronto.edu/~kriz/']

_PIXELS = 3 * 32 * 32
_KEYS = ('train_x', 'train_y', 'test_x', 'test_y')

_Release = collections.namedtuple('_Release', 'archive train test label_bytes n_classes')
_RELEASES = {
    'cifar-10': _Release('cifar-10-binary.tar.gz',
                         ['cifar-10-batches-bin/data_batch_{}.bin'.format(i) for i in range(1, 6)],
                         ['cifar-10-batches-bin/test_batch.bin'], 1, 10),
    'cifar-100': _Release('cifar-100-binary.tar.gz', ['cifar-100-binary/train.bin'],
                          ['cifar-100-binary/test.bin'], 2, 100),
}


def _records(member, raw, release):
    """Images ``(N, 3, 32, 32)`` and labels ``(N,)``, uint8, of one binary file's bytes."""
    size = release.label_bytes + _PIXELS
    if not raw or len(raw) % size:
        raise ValueError('{} holds {} bytes, not a whole number of {}-byte records ({} label '
                         'byte(s), then {} pixel bytes)'.format(member, len(raw), size,
                                                                release.label_bytes, _PIXELS))
    table = numpy.frombuffer(raw, dtype=numpy.uint8).reshape(-1, size)
    labels = table[:, release.label_bytes - 1]      # CIFAR-100's fine label is the second byte
    if labels.max() >= release.n_classes:
        raise ValueError('{} holds the label {}; labels are 0..{}'.format(
            member, labels.max(), release.n_classes - 1))
    return table[:, release.label_bytes:].reshape(-1, 3, 32, 32), labels


def _parse_archive(path, release):
    """``{'train_x', 'train_y', 'test_x', 'test_y'}`` of a binary release archive."""
    wanted = set(release.train + release.test)
    contents, names = {}, []
    try:
        with tarfile.open(path, 'r:gz') as archive:
            # One pass in archive order: a gzip stream is slow to seek backwards.
            for member in archive:
                name = member.name[2:] if member.name.startswith('./') else member.name
                names.append(name)
                if name in wanted and member.isfile():
                    contents[name] = archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        raise ValueError('cannot read it as a tar.gz archive ({})'.format(e)) from e
    missing = sorted(wanted - contents.keys())
    if missing:
        shown = ', '.join(names[:8]) + (', ...' if len(names) > 8 else '')
        raise ValueError('the archive lacks {} (it holds: {}); is it CIFAR\'s binary release, '
                         '{}?'.format(', '.join(missing), shown or 'nothing', release.archive))
    arrays = {}
    for split, members in (('train', release.train), ('test', release.test)):
        parts = [_records(member, contents[member], release) for member in members]
        arrays[split + '_x'] = numpy.concatenate([x for x, _ in parts])
        arrays[split + '_y'] = numpy.concatenate([t for _, t in parts])
    return arrays


def _preprocess(images, labels, withlabel, ndim, scale, dtype):
    x = images.reshape((len(images),) + ((_PIXELS,) if ndim == 1 else (3, 32, 32)))
    x = x.astype(dtype)
    x *= scale / 255.
    if not withlabel:
        return x
    return TupleDataset(x, labels.astype(numpy.int32))


def _get_cifar(func_name, name, withlabel, ndim, scale, dtype):
    type_check.require(ndim in (1, 3), func_name, 'ndim in (1, 3)', 'ndim == {!r}'.format(ndim))
    release = _RELEASES[name]
    folder = download.get_dataset_directory('cifar')

    def build():
        urls = download.file_urls('cifar', release.archive, BASE_URLS)
        return download.fetch_file(func_name, os.path.join(folder, release.archive), urls,
                                   lambda path: _parse_archive(path, release))

    arrays = download.cached_arrays(func_name, os.path.join(folder, name + '.npz'), _KEYS, build)
    dtype = get_dtype(dtype)
    return tuple(_preprocess(arrays[split + '_x'], arrays[split + '_y'], withlabel, ndim, scale,
                             dtype)
                 for split in ('train', 'test'))


def get_cifar10(withlabel=True, ndim=3, scale=1., dtype=None):
    """CIFAR-10's 50,000 training and 10,000 test images (32x32 RGB, 10 classes), as in Chainer.

    Read from ``<dataset root>/cifar/``; the first call downloads the binary
    release there (about 160 MiB), with a progress bar.  Pixel values 0..255
    are scaled to ``0..scale``; labels are int32, 0..9.

    Args:
        withlabel (bool): return ``(image, label)`` TupleDatasets; if False,
            image arrays only.
        ndim (int): image shape ``(3, 32, 32)`` for 3, ``(3072,)`` for 1.
        scale (float): the largest pixel value.
        dtype: image dtype (default ``config.dtype``, float32).

    Returns:
        tuple: ``(train, test)``; TupleDatasets of ``(image, label)``, or image
        arrays of shape ``(N,) + image shape`` when ``withlabel`` is False.

    Raises:
        minigrad.dataset.download.DownloadError: the archive is not cached and
            cannot be downloaded (the message says where to put it by hand).
        ValueError: the archive is damaged (the message names it and what is wrong).
    """
    return _get_cifar('get_cifar10', 'cifar-10', withlabel, ndim, scale, dtype)


def get_cifar100(withlabel=True, ndim=3, scale=1., dtype=None):
    """CIFAR-100's 50,000 training and 10,000 test images (32x32 RGB, 100 classes), as in Chainer.

    As :func:`get_cifar10`, from ``cifar-100-binary.tar.gz``; labels are the
    fine classes, int32, 0..99.
    """
    return _get_cifar('get_cifar100', 'cifar-100', withlabel, ndim, scale, dtype)
