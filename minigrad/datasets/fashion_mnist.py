"""Fashion-MNIST: 28x28 gray images of clothes in ten classes, MNIST's files and layout.

The files live in ``<dataset root>/fashion-mnist/`` under MNIST's file names
(``train-images-idx3-ubyte.gz``, ...); see :mod:`minigrad.datasets.mnist`.
"""
import numpy

from minigrad.datasets import mnist

#: Addresses of the files, tried in order (Zalando Research's own copy).
BASE_URLS = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/']

_LABELS = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
           'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot')


def get_fashion_mnist_labels():
    """The class names, indexed by label: ``get_fashion_mnist_labels()[9] == 'Ankle boot'``."""
    return list(_LABELS)


def get_fashion_mnist(withlabel=True, ndim=1, scale=1., dtype=None, label_dtype=numpy.int32,
                      rgb_format=False):
    """Fashion-MNIST's 60,000 training and 10,000 test images (28x28 gray), as in Chainer.

    Read from ``<dataset root>/fashion-mnist/``; the first call downloads
    the four IDX files there.  Pixel values 0..255 are scaled to
    ``0..scale``; labels 0..9 name the classes of
    :func:`get_fashion_mnist_labels`.  The arguments and the return value are
    :func:`minigrad.datasets.get_mnist`'s.
    """
    return mnist.get_idx_dataset('get_fashion_mnist', 'fashion-mnist', BASE_URLS, withlabel, ndim,
                                 scale, dtype, label_dtype, rgb_format)
