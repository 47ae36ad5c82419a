"""The 8x8 handwritten digits bundled with scikit-learn, as train and test TupleDatasets."""
import numpy

from minigrad import type_check
from minigrad.configuration import config
from minigrad.datasets.tuple_dataset import TupleDataset


def _image_shape(func_name, ndim, rows, cols):
    """The example shape for ``ndim`` 1 (flat), 2 (rows, cols) or 3 (1, rows, cols)."""
    shapes = {1: (rows * cols,), 2: (rows, cols), 3: (1, rows, cols)}
    type_check.require(ndim in shapes, func_name, 'ndim in (1, 2, 3)', 'ndim == {!r}'.format(ndim))
    return shapes[ndim]


def get_digits(withlabel=True, ndim=3, scale=1., dtype=None, label_dtype=numpy.int32,
               test_ratio=0.25, seed=0):
    """scikit-learn's 1797 handwritten digits (8x8 pixels), split into train and test.

    The images ship inside scikit-learn (nothing is downloaded).  Pixel
    values 0..16 are scaled to ``0..scale``; labels are the digits 0..9.
    The split is a random permutation drawn with ``seed``: the same seed
    gives the same split.

    Args:
        withlabel (bool): return ``(image, label)`` TupleDatasets; if False,
            image arrays only.
        ndim (int): image shape ``(64,)`` for 1, ``(8, 8)`` for 2,
            ``(1, 8, 8)`` (one channel, for convolutions) for 3.
        scale (float): the largest pixel value.
        dtype: image dtype (default ``config.dtype``, float32).
        label_dtype: label dtype.
        test_ratio (float): fraction of examples in the test set
            (``round(1797 * test_ratio)`` of them).
        seed (int): seed of the split.

    Returns:
        tuple: ``(train, test)``; TupleDatasets of ``(image, label)``, or image
        arrays of shape ``(N,) + image shape`` when ``withlabel`` is False.

    Raises:
        ImportError: scikit-learn is not installed.
    """
    try:
        import sklearn  # NOQA: a blocked or missing top-level package fails here
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError(
            'get_digits needs scikit-learn, which bundles the digit images: '
            'pip install scikit-learn (or pip install minigrad[examples])') from e
    shape = _image_shape('get_digits', ndim, 8, 8)
    type_check.require(0 <= test_ratio <= 1, 'get_digits', '0 <= test_ratio <= 1',
                       'test_ratio == {!r}'.format(test_ratio))
    bunch = load_digits()
    images = bunch.images.astype(dtype or config.dtype)
    images *= scale / 16.
    images = images.reshape((-1,) + shape)
    labels = bunch.target.astype(label_dtype)
    order = numpy.random.RandomState(seed).permutation(len(images))
    n_test = int(round(len(images) * test_ratio))
    test_idx, train_idx = numpy.sort(order[:n_test]), numpy.sort(order[n_test:])
    if not withlabel:
        return images[train_idx], images[test_idx]
    return (TupleDataset(images[train_idx], labels[train_idx]),
            TupleDataset(images[test_idx], labels[test_idx]))
