"""MNIST from the four standard IDX files in a local folder (nothing is downloaded)."""
import gzip
import os

import numpy

from minigrad import type_check
from minigrad.configuration import config
from minigrad.datasets.digits import _image_shape
from minigrad.datasets.tuple_dataset import TupleDataset

_FILES = {
    'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
}
_IMAGES_MAGIC = 0x00000803    # unsigned bytes, 3 dimensions: count, rows, cols
_LABELS_MAGIC = 0x00000801    # unsigned bytes, 1 dimension: count


def _find(path, name):
    """The file ``name`` in ``path``, raw or gzipped (``name.gz``)."""
    for candidate in (name, name + '.gz'):
        full = os.path.join(path, candidate)
        if os.path.isfile(full):
            return full
    expected = ', '.join(n for pair in _FILES.values() for n in pair)
    raise FileNotFoundError(
        'get_mnist: {} not found in {} (neither {} nor {}.gz); the folder must hold the four '
        'MNIST IDX files, raw or .gz: {}'.format(name, os.path.abspath(path), name, name, expected))


def _read_bytes(filename):
    opener = gzip.open if filename.endswith('.gz') else open
    try:
        with opener(filename, 'rb') as f:
            return f.read()
    except (OSError, EOFError) as e:     # a damaged gzip stream
        raise ValueError('get_mnist: cannot read {}: {}'.format(filename, e)) from e


def read_idx(filename, magic):
    """Parse an IDX file of unsigned bytes.

    The layout (big-endian): a 4-byte magic number ``0x000008nn`` (``08``:
    unsigned bytes, ``nn``: the number of dimensions), ``nn`` 4-byte sizes,
    then the data, ``prod(sizes)`` bytes.

    Args:
        filename (str): the file (``.gz`` files are decompressed).
        magic (int): the expected magic number (``0x803`` images, ``0x801`` labels).

    Returns:
        numpy.ndarray: uint8 array of the stored shape.
    """
    raw = _read_bytes(filename)
    ndim = magic & 0xff
    header = 4 * (1 + ndim)
    type_check.expect(len(raw) >= 4, 'get_mnist',
                      'a 4-byte magic number at the start of {}'.format(filename),
                      'a file of {} bytes'.format(len(raw)))
    found = int.from_bytes(raw[:4], 'big')
    type_check.expect(found == magic, 'get_mnist',
                      'magic number 0x{:08x} in {}'.format(magic, filename),
                      '0x{:08x} (not an IDX file of this kind)'.format(found))
    type_check.expect(len(raw) >= header, 'get_mnist',
                      'a {}-byte header in {}'.format(header, filename),
                      'a truncated file of {} bytes'.format(len(raw)))
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    expected = int(numpy.prod(shape))
    actual = len(raw) - header
    type_check.expect(actual == expected, 'get_mnist',
                      '{} data bytes in {} (shape {})'.format(expected, filename, shape),
                      '{} bytes ({})'.format(actual, 'truncated' if actual < expected else 'extra data'))
    return numpy.frombuffer(raw, dtype=numpy.uint8, offset=header).reshape(shape)


def _load(path, split, withlabel, ndim, scale, dtype, label_dtype):
    images_name, labels_name = _FILES[split]
    images_file = _find(path, images_name)
    labels_file = _find(path, labels_name) if withlabel else None
    images = read_idx(images_file, _IMAGES_MAGIC)
    n, rows, cols = images.shape
    x = images.astype(dtype).reshape((n,) + _image_shape('get_mnist', ndim, rows, cols))
    x *= scale / 255.
    if not withlabel:
        return x
    labels = read_idx(labels_file, _LABELS_MAGIC)
    type_check.expect(len(labels) == n, 'get_mnist',
                      'as many labels in {} as images in {}'.format(labels_file, images_file),
                      '{} labels != {} images'.format(len(labels), n))
    return TupleDataset(x, labels.astype(label_dtype))


def get_mnist(path, withlabel=True, ndim=1, scale=1., dtype=None, label_dtype=numpy.int32):
    """MNIST read from the standard IDX files in the folder ``path``.

    The folder holds ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each raw or
    gzipped (``.gz``), as distributed.  Pixel values 0..255 are scaled to
    ``0..scale``.

    Args:
        path (str): the folder.
        withlabel (bool): return ``(image, label)`` TupleDatasets; if False,
            image arrays only.
        ndim (int): image shape ``(784,)`` for 1, ``(28, 28)`` for 2,
            ``(1, 28, 28)`` for 3 (for other image sizes, the files' own).
        scale (float): the largest pixel value.
        dtype: image dtype (default ``config.dtype``, float32).
        label_dtype: label dtype.

    Returns:
        tuple: ``(train, test)``.

    Raises:
        FileNotFoundError: a file is missing (the message names the folder
            and the expected files).
        minigrad.type_check.InvalidType: a file is not a valid IDX file (bad
            magic number, truncated data, image and label counts differ).
    """
    _image_shape('get_mnist', ndim, 28, 28)     # check ndim before reading anything
    dtype = numpy.dtype(dtype or config.dtype)
    return tuple(_load(path, split, withlabel, ndim, scale, dtype, label_dtype)
                 for split in ('train', 'test'))
