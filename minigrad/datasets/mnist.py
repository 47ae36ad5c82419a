"""MNIST: 28x28 gray handwritten digits in IDX files, from the data set cache or downloaded once.

The four published files (``train-images-idx3-ubyte.gz``,
``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``,
``t10k-labels-idx1-ubyte.gz``) live in ``<dataset root>/mnist/``, gzipped or
not (files copied there by hand are used as they are); their parsed arrays
are kept in ``mnist/mnist.npz``, which later calls load instead.
Fashion-MNIST has the same files and layout (``fashion_mnist.py``).
"""
import gzip
import os
import zlib

import numpy

from minigrad.backend import get_dtype
from minigrad.dataset import download
from minigrad.datasets.digits import _image_shape
from minigrad.datasets.tuple_dataset import TupleDataset

#: Addresses of the files, tried in order.  MNIST's home page (the second)
#: has refused downloads at times; the first is the copy torchvision uses.
BASE_URLS = ['https://ossci-datasets.s3.amazonaws.com/mnist/',
             'http://yann.lecun.com/exdb/mnist/']

IMAGES_MAGIC = 0x00000803     # unsigned bytes, 3 dimensions: count, rows, cols
LABELS_MAGIC = 0x00000801     # unsigned bytes, 1 dimension: count
_FILES = (('train', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
          ('test', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'))
_KEYS = ('train_x', 'train_y', 'test_x', 'test_y')


def _read_bytes(filename):
    """The content of ``filename``, decompressed if its name ends with ``.gz``."""
    if not filename.endswith('.gz'):
        with open(filename, 'rb') as f:
            return f.read()
    try:
        with gzip.open(filename, 'rb') as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as e:     # a damaged or cut gzip stream
        raise ValueError('cannot decompress it ({})'.format(e)) from e


def _parse_idx(raw, magic):
    """The uint8 array held by the IDX bytes ``raw``; ValueError saying what is wrong."""
    ndim = magic & 0xff
    header = 4 * (1 + ndim)
    if len(raw) >= 4 and int.from_bytes(raw[:4], 'big') != magic:
        raise ValueError('its magic number is 0x{:08x}, expected 0x{:08x} (an IDX file of '
                         '{}-dimensional unsigned bytes)'.format(int.from_bytes(raw[:4], 'big'),
                                                                 magic, ndim))
    if len(raw) < header:
        raise ValueError('a {}-byte IDX header was expected, the file has only {} bytes'.format(
            header, len(raw)))
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    expected = int(numpy.prod(shape))
    actual = len(raw) - header
    if actual != expected:
        raise ValueError('the header announces shape {}, {} data bytes, but {} follow ({})'.format(
            shape, expected, actual, 'truncated' if actual < expected else 'extra data'))
    return numpy.frombuffer(raw, dtype=numpy.uint8, offset=header).reshape(shape)


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

    Raises:
        ValueError: the file is not such an IDX file; the message names it and
            says what is wrong (magic number, truncated data, damaged gzip).
    """
    try:
        return _parse_idx(_read_bytes(filename), magic)
    except ValueError as e:
        raise ValueError('{}: {}'.format(filename, e)) from e


def _read_splits(func_name, read_file):
    """``{'train_x', 'train_y', 'test_x', 'test_y'}`` from the four files.

    ``read_file(name, magic)`` gives the array of the file ``name`` (without
    ``.gz``), wherever it comes from.
    """
    arrays = {}
    for split, images_name, labels_name in _FILES:
        images = read_file(images_name, IMAGES_MAGIC)
        labels = read_file(labels_name, LABELS_MAGIC)
        if len(images) != len(labels):
            raise ValueError('{}: {} holds {} images but {} holds {} labels: the files do not '
                             'belong together'.format(func_name, images_name, len(images),
                                                      labels_name, len(labels)))
        arrays[split + '_x'], arrays[split + '_y'] = images, labels
    return arrays


def _preprocess(func_name, images, labels, withlabel, ndim, scale, dtype, label_dtype,
                rgb_format):
    """Images ``(N, rows, cols)`` uint8 to the requested shape and dtype, scaled to ``0..scale``."""
    n, rows, cols = images.shape
    x = images.reshape((n,) + _image_shape(func_name, ndim, rows, cols))
    if ndim == 3 and rgb_format:
        x = numpy.broadcast_to(x, (n, 3, rows, cols))     # the gray channel three times
    x = x.astype(dtype)
    x *= scale / 255.
    if not withlabel:
        return x
    return TupleDataset(x, labels.astype(label_dtype))


def _datasets(func_name, arrays, withlabel, ndim, scale, dtype, label_dtype, rgb_format):
    """``(train, test)`` from the arrays ``train_x``, ``train_y``, ``test_x``, ``test_y``."""
    dtype = get_dtype(dtype)
    return tuple(_preprocess(func_name, arrays[split + '_x'], arrays[split + '_y'], withlabel,
                             ndim, scale, dtype, label_dtype, rgb_format)
                 for split in ('train', 'test'))


def _check_options(func_name, withlabel, ndim):
    """Fail on bad options before touching the cache or the network."""
    if isinstance(withlabel, (str, os.PathLike)):      # the former get_mnist(path) call
        raise TypeError(
            '{0}: withlabel must be a bool, not the path {1!r}; {0} reads the data set cache '
            '(or downloads). To read IDX files from a folder, call datasets.read_mnist({1!r}).'
            .format(func_name, withlabel))
    _image_shape(func_name, ndim, 28, 28)


def get_idx_dataset(func_name, dataset_name, base_urls, withlabel, ndim, scale, dtype,
                    label_dtype, rgb_format):
    """``(train, test)`` of an MNIST-format data set in the cache folder ``dataset_name``."""
    _check_options(func_name, withlabel, ndim)
    folder = download.get_dataset_directory(dataset_name)

    def read_file(name, magic):
        def parse(path):
            return _parse_idx(_read_bytes(path), magic)
        for candidate in (name, name + '.gz'):      # a file copied by hand, raw or gzipped
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return download.fetch_file(func_name, path, [], parse)
        urls = download.file_urls(dataset_name, name + '.gz', base_urls)
        return download.fetch_file(func_name, os.path.join(folder, name + '.gz'), urls, parse)

    arrays = download.cached_arrays(func_name, os.path.join(folder, dataset_name + '.npz'), _KEYS,
                                    lambda: _read_splits(func_name, read_file))
    return _datasets(func_name, arrays, withlabel, ndim, scale, dtype, label_dtype, rgb_format)


def get_mnist(withlabel=True, ndim=1, scale=1., dtype=None, label_dtype=numpy.int32,
              rgb_format=False):
    """MNIST's 60,000 training and 10,000 test digits (28x28 gray), as in Chainer.

    Read from ``<dataset root>/mnist/`` (see :mod:`minigrad.dataset.download`);
    the first call downloads the four IDX files there, with a progress bar.
    Pixel values 0..255 are scaled to ``0..scale``; labels are the digits 0..9.

    Args:
        withlabel (bool): return ``(image, label)`` TupleDatasets; if False,
            image arrays only.
        ndim (int): image shape ``(784,)`` for 1, ``(28, 28)`` for 2,
            ``(1, 28, 28)`` for 3.
        scale (float): the largest pixel value.
        dtype: image dtype (default ``config.dtype``, float32).
        label_dtype: label dtype.
        rgb_format (bool): with ``ndim == 3``, repeat the gray channel to shape
            ``(3, 28, 28)``, for networks made for color images (ignored for
            other ``ndim``, as in Chainer).

    Returns:
        tuple: ``(train, test)``; TupleDatasets of ``(image, label)``, or image
        arrays of shape ``(N,) + image shape`` when ``withlabel`` is False.

    Raises:
        minigrad.dataset.download.DownloadError: the files are not cached and cannot be
            downloaded (the message says where to put them by hand).
        ValueError: a file is damaged (the message names it and what is wrong).
    """
    return get_idx_dataset('get_mnist', 'mnist', BASE_URLS, withlabel, ndim, scale, dtype,
                           label_dtype, rgb_format)


def read_mnist(path, withlabel=True, ndim=1, scale=1., dtype=None, label_dtype=numpy.int32,
               rgb_format=False):
    """MNIST (or Fashion-MNIST) from the four IDX files in the folder ``path``, not downloaded.

    The folder holds ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each raw or
    gzipped (``.gz``).  Images of another size than 28x28 keep their own.
    The arguments after ``path`` are :func:`get_mnist`'s.

    Returns:
        tuple: ``(train, test)``, as :func:`get_mnist`.

    Raises:
        FileNotFoundError: a file is missing (the message names the folder
            and the expected files).
        ValueError: a file is damaged, or image and label counts differ.
    """
    _image_shape('read_mnist', ndim, 28, 28)

    def read_file(name, magic):
        for candidate in (name, name + '.gz'):
            full = os.path.join(path, candidate)
            if os.path.isfile(full):
                try:
                    return read_idx(full, magic)
                except ValueError as e:
                    raise ValueError('read_mnist: {}'.format(e)) from e
        expected = ', '.join(n for _, images, labels in _FILES for n in (images, labels))
        raise FileNotFoundError(
            'read_mnist: {} not found in {} (neither {} nor {}.gz); the folder must hold the four '
            'MNIST IDX files, raw or .gz: {}'.format(name, os.path.abspath(path), name, name,
                                                      expected))

    arrays = _read_splits('read_mnist', read_file)
    return _datasets('read_mnist', arrays, withlabel, ndim, scale, dtype, label_dtype, rgb_format)
