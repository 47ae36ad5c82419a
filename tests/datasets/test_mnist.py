"""get_mnist, get_fashion_mnist and read_mnist on small IDX files written here.

The files are served from a local HTTP server (``mirror``) or copied into the
cache by hand; values are checked against the uint8 arrays the test wrote.
"""
import gzip
import os

import numpy
import pytest

import minigrad
from minigrad import datasets
from minigrad.dataset import download
from minigrad.datasets import mnist
from minigrad.type_check import InvalidType
from tests.datasets.files import (MNIST_NAMES, files_in, idx_bytes, mnist_data, mnist_files,
                                  write_files)

GZ_NAMES = sorted(name + '.gz' for pair in MNIST_NAMES.values() for name in pair)


def serve_mnist(server, folder='mnist', seed=0, **kwargs):
    data = mnist_data(seed, **kwargs)
    for name, content in mnist_files(data).items():
        server.files['/{}/{}'.format(folder, name)] = content
    return data


def check_split(ds, images, labels, scale=1., shape=(784,), dtype=numpy.float32,
                label_dtype=numpy.int32):
    """Every example of ``ds`` against the uint8 ``images``/``labels`` the test wrote."""
    assert len(ds) == len(images)
    for i in range(len(ds)):
        x, t = ds[i]
        assert x.shape == shape and x.dtype == dtype
        assert t.dtype == label_dtype and t == labels[i]
        want = numpy.broadcast_to(images[i].astype(numpy.float64).reshape(
            shape if shape != (3, 28, 28) else (1, 28, 28)), shape) * scale / 255.
        numpy.testing.assert_allclose(x, want, rtol=1e-6, atol=0)


# ---------------------------------------------------------------------------
# Download, cache

def test_get_mnist_downloads_once_then_reads_the_cache(mirror, dataset_root):
    data = serve_mnist(mirror)
    train, test = datasets.get_mnist()
    check_split(train, *data['train'])
    check_split(test, *data['test'])
    assert sorted(mirror.requests) == ['/mnist/' + name for name in GZ_NAMES]
    assert files_in(dataset_root) == sorted(
        [os.path.join('mnist', n) for n in GZ_NAMES] + [os.path.join('mnist', 'mnist.npz')])
    # later calls read mnist.npz: no request, even with the server gone
    mirror.files.clear()
    train2, test2 = datasets.get_mnist()
    assert len(mirror.requests) == 4
    check_split(train2, *data['train'])
    check_split(test2, *data['test'])


def test_get_mnist_rebuilds_its_npz_from_the_raw_files(mirror, dataset_root):
    data = serve_mnist(mirror)
    datasets.get_mnist()
    os.remove(os.path.join(str(dataset_root), 'mnist', 'mnist.npz'))
    train, _ = datasets.get_mnist()
    assert len(mirror.requests) == 4                    # the raw files were still cached
    check_split(train, *data['train'])


@pytest.mark.parametrize('ndim, rgb_format, shape', [
    (1, False, (784,)), (2, False, (28, 28)), (3, False, (1, 28, 28)), (3, True, (3, 28, 28)),
    (1, True, (784,)),     # rgb_format only applies to ndim 3, as in Chainer
])
def test_get_mnist_shapes(mirror, ndim, rgb_format, shape):
    data = serve_mnist(mirror)
    train, test = datasets.get_mnist(ndim=ndim, rgb_format=rgb_format)
    check_split(train, *data['train'], shape=shape)
    check_split(test, *data['test'], shape=shape)
    if rgb_format and ndim == 3:
        x = train[0][0]
        assert numpy.array_equal(x[0], x[1]) and numpy.array_equal(x[0], x[2])


def test_get_mnist_scale_dtype_labels(mirror):
    data = serve_mnist(mirror)
    train, test = datasets.get_mnist(scale=255., dtype=numpy.float64, label_dtype=numpy.int64)
    check_split(train, *data['train'], scale=255., dtype=numpy.float64, label_dtype=numpy.int64)
    numpy.testing.assert_array_equal(train[1][0], data['train'][0][1].reshape(784))   # exact
    train_x, test_x = datasets.get_mnist(withlabel=False, ndim=2, scale=2.)
    assert isinstance(train_x, numpy.ndarray) and train_x.shape == (3, 28, 28)
    assert test_x.shape == (2, 28, 28) and test_x.dtype == numpy.float32
    numpy.testing.assert_allclose(test_x, data['test'][0] * 2. / 255., rtol=1e-6)


def test_get_mnist_default_dtype_follows_config(mirror):
    serve_mnist(mirror)
    with minigrad.using_config('dtype', numpy.float64):
        train, _ = datasets.get_mnist()
    assert train[0][0].dtype == numpy.float64


def test_get_mnist_bad_options_fail_before_any_request(mirror, dataset_root):
    with pytest.raises(InvalidType,
                       match=r'get_mnist: expect ndim in \(1, 2, 3\), actual ndim == 4'):
        datasets.get_mnist(ndim=4)
    with pytest.raises(TypeError, match=r"get_mnist: withlabel must be a bool, not the path "
                                        r"'/data/mnist'.*datasets.read_mnist\('/data/mnist'\)"):
        datasets.get_mnist('/data/mnist')          # the former get_mnist(path)
    assert mirror.requests == [] and files_in(dataset_root) == []


def test_get_mnist_uses_files_copied_into_the_cache(server, dataset_root):
    data = mnist_data(3)
    files = mnist_files(data, gz=False)                 # raw IDX files, as unpacked by hand
    files['t10k-labels-idx1-ubyte.gz'] = gzip.compress(files.pop('t10k-labels-idx1-ubyte'))
    write_files(os.path.join(str(dataset_root), 'mnist'), files)
    train, test = datasets.get_mnist()
    check_split(train, *data['train'])
    check_split(test, *data['test'])
    assert server.requests == []


def test_get_mnist_base_urls_are_tried_in_order(server, monkeypatch):
    data = serve_mnist(server, folder='real')
    monkeypatch.setattr(mnist, 'BASE_URLS', [server.url + '/gone/', server.url + '/real/'])
    train, _ = datasets.get_mnist()
    check_split(train, *data['train'])
    assert server.requests[:2] == ['/gone/train-images-idx3-ubyte.gz',
                                   '/real/train-images-idx3-ubyte.gz']


def test_get_fashion_mnist(mirror, dataset_root):
    data = serve_mnist(mirror, folder='fashion-mnist', seed=5)
    train, test = datasets.get_fashion_mnist(ndim=3)
    check_split(train, *data['train'], shape=(1, 28, 28))
    check_split(test, *data['test'], shape=(1, 28, 28))
    assert sorted(mirror.requests) == ['/fashion-mnist/' + name for name in GZ_NAMES]
    assert os.path.isfile(os.path.join(str(dataset_root), 'fashion-mnist', 'fashion-mnist.npz'))
    labels = datasets.get_fashion_mnist_labels()
    assert len(labels) == 10 and labels[0] == 'T-shirt/top' and labels[9] == 'Ankle boot'


# ---------------------------------------------------------------------------
# Damaged files, broken downloads, no network

def test_download_of_a_damaged_gzip_is_not_kept(mirror, dataset_root):
    serve_mnist(mirror)
    mirror.files['/mnist/train-images-idx3-ubyte.gz'] = b'this is not gzip data at all'
    with pytest.raises(ValueError) as info:
        datasets.get_mnist()
    message = str(info.value)
    assert message.startswith('get_mnist: train-images-idx3-ubyte.gz downloaded from {}/mnist/'
                              'train-images-idx3-ubyte.gz is damaged'.format(mirror.url))
    assert 'was not kept in the cache' in message and 'cannot decompress it' in message
    assert files_in(dataset_root) == []


@pytest.mark.parametrize('content, what', [
    (idx_bytes(0x801, numpy.zeros(3)), r'its magic number is 0x00000801, expected 0x00000803'),
    (idx_bytes(0x803, numpy.zeros((3, 28, 28)))[:-5],
     r'the header announces shape \(3, 28, 28\), 2352 data bytes, but 2347 follow \(truncated\)'),
    (idx_bytes(0x803, numpy.zeros((3, 28, 28)))[:10],
     r'a 16-byte IDX header was expected, the file has only 10 bytes'),
], ids=['magic', 'data', 'header'])
def test_download_of_a_wrong_idx_file_is_not_kept(mirror, dataset_root, content, what):
    serve_mnist(mirror)
    mirror.files['/mnist/train-images-idx3-ubyte.gz'] = gzip.compress(content)
    with pytest.raises(ValueError, match=r'get_mnist: train-images-idx3-ubyte.gz downloaded from '
                                         r'.* is damaged or not the right file.*: ' + what):
        datasets.get_mnist()
    assert files_in(dataset_root) == []


def test_truncated_download_leaves_no_file(mirror, dataset_root):
    serve_mnist(mirror)
    path = '/mnist/t10k-images-idx3-ubyte.gz'
    size = len(mirror.files[path])
    mirror.cut[path] = size // 2
    with pytest.raises(download.DownloadError) as info:
        datasets.get_mnist()
    message = str(info.value)
    assert 'get_mnist: t10k-images-idx3-ubyte.gz is not in the data set cache' in message
    assert ('stopped after {} of {} bytes'.format(size // 2, size) in message
            or 'connection broke after {} bytes'.format(size // 2) in message)
    # the two training files downloaded before are kept (they parsed); the cut one is not
    assert files_in(dataset_root) == [os.path.join('mnist', 'train-images-idx3-ubyte.gz'),
                                      os.path.join('mnist', 'train-labels-idx1-ubyte.gz')]
    # once the server sends the whole file, only the two missing files are asked for
    del mirror.cut[path]
    datasets.get_mnist()
    assert mirror.requests[3:] == [path, '/mnist/t10k-labels-idx1-ubyte.gz']


def test_offline_error_says_where_to_put_the_file(dataset_root):
    with pytest.raises(download.DownloadError) as info:     # BASE_URLS: a closed local port
        datasets.get_mnist()
    message = str(info.value)
    expected_at = os.path.join(str(dataset_root), 'mnist', 'train-images-idx3-ubyte.gz')
    assert 'get_mnist: train-images-idx3-ubyte.gz is not in the data set cache and could not be ' \
           'downloaded' in message
    assert 'refused' in message
    assert 'It is expected at {}.'.format(expected_at) in message
    assert 'copy it there' in message and '$MINIGRAD_DATASET_ROOT' in message
    assert '$MINIGRAD_DATASET_MIRROR' in message and 'mnist/train-images-idx3-ubyte.gz' in message
    assert files_in(dataset_root) == []


def test_damaged_file_copied_by_hand_is_reported_not_deleted(server, dataset_root):
    folder = os.path.join(str(dataset_root), 'mnist')
    files = mnist_files(mnist_data())
    files['train-labels-idx1-ubyte.gz'] = files['train-labels-idx1-ubyte.gz'][:20]
    write_files(folder, files)
    path = os.path.join(folder, 'train-labels-idx1-ubyte.gz')
    with pytest.raises(ValueError, match=r'get_mnist: {} is damaged or not the right file: cannot '
                                         r'decompress it .*Delete it'.format(path)):
        datasets.get_mnist()
    assert os.path.exists(path) and server.requests == []


def test_image_and_label_counts_differ(server, dataset_root):
    files = mnist_files(mnist_data())
    files['t10k-labels-idx1-ubyte.gz'] = gzip.compress(idx_bytes(0x801, numpy.zeros(5)))
    write_files(os.path.join(str(dataset_root), 'mnist'), files)
    with pytest.raises(ValueError, match=r'get_mnist: t10k-images-idx3-ubyte holds 2 images but '
                                         r't10k-labels-idx1-ubyte holds 5 labels'):
        datasets.get_mnist()
    assert not os.path.exists(os.path.join(str(dataset_root), 'mnist', 'mnist.npz'))


def test_damaged_npz_cache(mirror, dataset_root):
    serve_mnist(mirror)
    datasets.get_mnist()
    npz = os.path.join(str(dataset_root), 'mnist', 'mnist.npz')
    with open(npz, 'r+b') as f:
        f.truncate(100)
    with pytest.raises(ValueError, match=r'get_mnist: the cached file {} is damaged .*delete it'
                       .format(npz)):
        datasets.get_mnist()


# ---------------------------------------------------------------------------
# read_mnist: a folder of IDX files, nothing downloaded

@pytest.mark.parametrize('gz', [False, True])
def test_read_mnist(tmp_path, gz):
    data = mnist_data(1, rows=3, cols=4)               # other image sizes keep their own
    write_files(tmp_path, mnist_files(data, gz=gz))
    train, test = datasets.read_mnist(str(tmp_path))
    for ds, (images, labels) in ((train, data['train']), (test, data['test'])):
        assert len(ds) == len(images)
        for i in range(len(ds)):
            x, t = ds[i]
            assert x.shape == (12,) and x.dtype == numpy.float32 and t.dtype == numpy.int32
            assert t == labels[i]
            numpy.testing.assert_allclose(x, images[i].reshape(12) / 255., rtol=1e-6)
    train, _ = datasets.read_mnist(str(tmp_path), ndim=3, rgb_format=True, scale=255.,
                                   dtype=numpy.float64, label_dtype=numpy.int64)
    x, t = train[2]
    assert x.shape == (3, 3, 4) and x.dtype == numpy.float64 and t.dtype == numpy.int64
    for c in range(3):
        numpy.testing.assert_array_equal(x[c], data['train'][0][2])
    train_x, test_x = datasets.read_mnist(str(tmp_path), withlabel=False, ndim=2)
    assert train_x.shape == (3, 3, 4) and test_x.shape == (2, 3, 4)
    with pytest.raises(InvalidType,
                       match=r'read_mnist: expect ndim in \(1, 2, 3\), actual ndim == 4'):
        datasets.read_mnist(str(tmp_path), ndim=4)


def test_read_mnist_missing_file(tmp_path):
    write_files(tmp_path, mnist_files(mnist_data(), gz=False))
    os.remove(str(tmp_path / 't10k-labels-idx1-ubyte'))
    with pytest.raises(FileNotFoundError) as info:
        datasets.read_mnist(str(tmp_path))
    message = str(info.value)
    assert 'read_mnist: t10k-labels-idx1-ubyte not found in {}'.format(str(tmp_path)) in message
    for name in ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
                 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'):
        assert name in message


def test_read_mnist_damaged_files(tmp_path):
    write_files(tmp_path, mnist_files(mnist_data(), gz=False))
    write_files(tmp_path, {'train-images-idx3-ubyte': idx_bytes(0x801, numpy.zeros(5))})
    with pytest.raises(ValueError, match=r'read_mnist: .*train-images-idx3-ubyte: its magic number '
                                         r'is 0x00000801, expected 0x00000803'):
        datasets.read_mnist(str(tmp_path))


def test_read_idx(tmp_path):
    labels = numpy.array([3, 1, 4, 1, 5], dtype=numpy.uint8)
    write_files(tmp_path, {'labels.gz': gzip.compress(idx_bytes(0x801, labels))})
    path = str(tmp_path / 'labels.gz')
    got = datasets.read_idx(path, 0x801)
    assert got.dtype == numpy.uint8
    numpy.testing.assert_array_equal(got, labels)
    with pytest.raises(ValueError, match=r'{}: its magic number is 0x00000801, expected '
                                         r'0x00000803'.format(path)):
        datasets.read_idx(path, 0x803)
