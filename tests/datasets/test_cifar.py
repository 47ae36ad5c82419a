"""get_cifar10 and get_cifar100 on tiny binary-release archives written here."""
import os

import numpy
import pytest

from minigrad import datasets
from minigrad.dataset import download
from minigrad.type_check import InvalidType
from tests.datasets.files import (CIFAR10_TEST, CIFAR10_TRAIN, cifar100_archive, cifar10_archive,
                                  cifar_data, cifar_records, files_in, tar_gz, write_files)

CIFAR10_PATH = '/cifar/cifar-10-binary.tar.gz'


def serve_cifar10(server, seed=0):
    batches = cifar_data(10, [2, 1, 1, 2, 1, 3], seed)       # five train batches, then test
    server.files[CIFAR10_PATH] = cifar10_archive(batches)
    images = numpy.concatenate([b[0] for b in batches[:5]])
    labels = numpy.concatenate([b[1] for b in batches[:5]])
    return (images, labels), batches[5][:2]


def check_split(ds, images, labels, scale=1., ndim=3, dtype=numpy.float32):
    assert len(ds) == len(images)
    shape = (3, 32, 32) if ndim == 3 else (3072,)
    for i in range(len(ds)):
        x, t = ds[i]
        assert x.shape == shape and x.dtype == dtype
        assert t.dtype == numpy.int32 and t == labels[i]
        numpy.testing.assert_allclose(x.reshape(3, 32, 32),
                                      images[i].astype(numpy.float64) * scale / 255., rtol=1e-6)


def test_get_cifar10_downloads_once(mirror, dataset_root):
    (train_x, train_y), (test_x, test_y) = serve_cifar10(mirror)
    train, test = datasets.get_cifar10()
    check_split(train, train_x, train_y)        # the five batches in order
    check_split(test, test_x, test_y)
    assert mirror.requests == [CIFAR10_PATH]
    assert files_in(dataset_root) == [os.path.join('cifar', 'cifar-10-binary.tar.gz'),
                                      os.path.join('cifar', 'cifar-10.npz')]
    mirror.files.clear()
    train2, _ = datasets.get_cifar10()           # from cifar-10.npz, no request
    assert mirror.requests == [CIFAR10_PATH]
    check_split(train2, train_x, train_y)


def test_cifar_pixel_layout_by_hand(server, dataset_root):
    # one record whose pixel (c, h, w) holds (c * 7 + h * 3 + w) % 256, written byte by byte
    record = bytearray([6])
    for c in range(3):
        for h in range(32):
            for w in range(32):
                record.append((c * 7 + h * 3 + w) % 256)
    members = {name: bytes(record) for name in CIFAR10_TRAIN + [CIFAR10_TEST]}
    write_files(os.path.join(str(dataset_root), 'cifar'),
                {'cifar-10-binary.tar.gz': tar_gz(members)})
    train, test = datasets.get_cifar10(scale=255.)
    x, t = test[0]
    assert t == 6 and len(train) == 5
    assert x[0, 0, 0] == 0 and x[0, 0, 5] == 5 and x[0, 2, 0] == 6 and x[2, 0, 0] == 14
    assert x[1, 31, 31] == (7 + 93 + 31) % 256
    assert server.requests == []


@pytest.mark.parametrize('ndim', [1, 3])
def test_get_cifar10_options(mirror, ndim):
    (train_x, train_y), (test_x, test_y) = serve_cifar10(mirror, seed=2)
    train, test = datasets.get_cifar10(ndim=ndim, scale=255., dtype=numpy.float64)
    check_split(train, train_x, train_y, scale=255., ndim=ndim, dtype=numpy.float64)
    check_split(test, test_x, test_y, scale=255., ndim=ndim, dtype=numpy.float64)
    train_only, test_only = datasets.get_cifar10(withlabel=False, ndim=ndim)
    assert isinstance(train_only, numpy.ndarray) and train_only.dtype == numpy.float32
    assert train_only.shape == (7,) + ((3, 32, 32) if ndim == 3 else (3072,))
    numpy.testing.assert_allclose(test_only.reshape(3, 3, 32, 32), test_x / 255., rtol=1e-6)


def test_get_cifar_bad_ndim_fails_before_any_request(mirror, dataset_root):
    with pytest.raises(InvalidType,
                       match=r'get_cifar10: expect ndim in \(1, 3\), actual ndim == 2'):
        datasets.get_cifar10(ndim=2)
    with pytest.raises(InvalidType,
                       match=r'get_cifar100: expect ndim in \(1, 3\), actual ndim == 4'):
        datasets.get_cifar100(ndim=4)
    assert mirror.requests == [] and files_in(dataset_root) == []


def test_get_cifar100_uses_the_fine_labels(mirror, dataset_root):
    train, test = cifar_data(100, [4, 2], seed=3)
    mirror.files['/cifar/cifar-100-binary.tar.gz'] = cifar100_archive(train, test)
    got_train, got_test = datasets.get_cifar100()
    check_split(got_train, train[0], train[1])
    check_split(got_test, test[0], test[1])
    assert not numpy.array_equal(train[1], train[2])         # coarse labels differ: not read
    assert mirror.requests == ['/cifar/cifar-100-binary.tar.gz']
    assert os.path.isfile(os.path.join(str(dataset_root), 'cifar', 'cifar-100.npz'))


def _archive_without(name):
    batches = cifar_data(10, [1] * 6)
    members = {n: cifar_records(x, t) for n, (x, t, _) in zip(CIFAR10_TRAIN + [CIFAR10_TEST],
                                                              batches)}
    del members[name]
    return tar_gz(members)


def _archive_with(name, content):
    batches = cifar_data(10, [1] * 6)
    members = {n: cifar_records(x, t) for n, (x, t, _) in zip(CIFAR10_TRAIN + [CIFAR10_TEST],
                                                              batches)}
    members[name] = content
    return tar_gz(members)


@pytest.mark.parametrize('archive, what', [
    (b'\x1f\x8b not really gzip', r'cannot read it as a tar.gz archive'),
    (_archive_without(CIFAR10_TRAIN[2]),
     r'the archive lacks cifar-10-batches-bin/data_batch_3.bin \(it holds: .*\); is it CIFAR\'s '
     r'binary release, cifar-10-binary.tar.gz\?'),
    (tar_gz({'cifar-10-batches-py/data_batch_1': b'\x80\x04 a pickle, never loaded'}),
     r'the archive lacks cifar-10-batches-bin/data_batch_1.bin, .*'
     r'\(it holds: cifar-10-batches-py/data_batch_1\)'),
    (_archive_with(CIFAR10_TEST, b'\x01' * 5000),
     r'cifar-10-batches-bin/test_batch.bin holds 5000 bytes, not a whole number of 3073-byte '
     r'records \(1 label byte\(s\), then 3072 pixel bytes\)'),
    (_archive_with(CIFAR10_TRAIN[0], b'\x0c' + b'\x00' * 3072),
     r'cifar-10-batches-bin/data_batch_1.bin holds the label 12; labels are 0..9'),
], ids=['not-gzip', 'missing-member', 'python-release', 'partial-record', 'label'])
def test_damaged_download_is_not_kept(mirror, dataset_root, archive, what):
    mirror.files[CIFAR10_PATH] = archive
    with pytest.raises(ValueError, match=r'get_cifar10: cifar-10-binary.tar.gz downloaded from '
                                         r'.*/cifar/cifar-10-binary.tar.gz is damaged or not the '
                                         r'right file, and was not kept in the cache: ' + what):
        datasets.get_cifar10()
    assert files_in(dataset_root) == []


def test_truncated_download_is_not_kept(mirror, dataset_root):
    serve_cifar10(mirror)
    size = len(mirror.files[CIFAR10_PATH])
    mirror.cut[CIFAR10_PATH] = size - 10
    with pytest.raises(download.DownloadError, match=r'get_cifar10: cifar-10-binary.tar.gz is not '
                                                     r'in the data set cache'):
        datasets.get_cifar10()
    assert files_in(dataset_root) == []


def test_offline(dataset_root):
    with pytest.raises(download.DownloadError) as info:
        datasets.get_cifar100()
    message = str(info.value)
    assert 'It is expected at {}.'.format(
        os.path.join(str(dataset_root), 'cifar', 'cifar-100-binary.tar.gz')) in message
    assert 'cifar/cifar-100-binary.tar.gz' in message
    assert files_in(dataset_root) == []
