"""Small data set files written by hand, in the published formats, for the tests to serve."""
import gzip
import io
import os
import socket
import tarfile

import numpy

MNIST_NAMES = {'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
               'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')}


def closed_port_url():
    """``http://127.0.0.1:<port>`` where nothing listens (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    return 'http://127.0.0.1:{}'.format(port)


def files_in(folder):
    """Every file under ``folder`` (hidden temporary ones too), as sorted relative paths."""
    found = []
    for parent, _, names in os.walk(str(folder)):
        found += [os.path.relpath(os.path.join(parent, n), str(folder)) for n in names]
    return sorted(found)


def idx_bytes(magic, array):
    """An IDX file: big-endian magic number, big-endian sizes, then the bytes."""
    array = numpy.asarray(array)
    header = magic.to_bytes(4, 'big') + b''.join(d.to_bytes(4, 'big') for d in array.shape)
    return header + array.astype(numpy.uint8).tobytes()


def mnist_data(seed=0, n_train=3, n_test=2, rows=28, cols=28):
    """``{'train': (images, labels), 'test': ...}``: random uint8 images, labels 0..9."""
    rng = numpy.random.RandomState(seed)
    return {split: (rng.randint(0, 256, (n, rows, cols)).astype(numpy.uint8),
                    rng.randint(0, 10, n).astype(numpy.uint8))
            for split, n in (('train', n_train), ('test', n_test))}


def mnist_files(data, gz=True):
    """``{file name: bytes}`` of the four IDX files holding ``data``."""
    files = {}
    for split, (images_name, labels_name) in MNIST_NAMES.items():
        images, labels = data[split]
        for name, content in ((images_name, idx_bytes(0x803, images)),
                              (labels_name, idx_bytes(0x801, labels))):
            files[name + ('.gz' if gz else '')] = gzip.compress(content) if gz else content
    return files


def write_files(folder, files):
    os.makedirs(str(folder), exist_ok=True)
    for name, content in files.items():
        with open(os.path.join(str(folder), name), 'wb') as f:
            f.write(content)


def cifar_data(n_classes, sizes, seed=0):
    """Per binary file: images ``(n, 3, 32, 32)`` uint8 and labels (plus coarse labels for 100)."""
    rng = numpy.random.RandomState(seed)
    return [(rng.randint(0, 256, (n, 3, 32, 32)).astype(numpy.uint8),
             rng.randint(0, n_classes, n).astype(numpy.uint8),
             rng.randint(0, 20, n).astype(numpy.uint8)) for n in sizes]


def cifar_records(images, labels, coarse=None):
    """Binary records, one by one: [coarse label byte,] label byte, then the pixels.

    The pixels are written plane by plane, row by row, with explicit loops
    (not ``tobytes``), so the test's layout is independent of the reader's.
    """
    out = bytearray()
    for i in range(len(images)):
        if coarse is not None:
            out.append(int(coarse[i]))
        out.append(int(labels[i]))
        for c in range(3):
            for h in range(32):
                out += bytes(int(v) for v in images[i, c, h])
    return bytes(out)


def tar_gz(members):
    """A tar.gz archive, in memory, of ``{member name: bytes}`` in the given order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode='w:gz') as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


CIFAR10_TRAIN = ['cifar-10-batches-bin/data_batch_{}.bin'.format(i) for i in range(1, 6)]
CIFAR10_TEST = 'cifar-10-batches-bin/test_batch.bin'


def cifar10_archive(batches):
    """CIFAR-10's binary release of six ``(images, labels, _)`` batches: five train, one test."""
    names = CIFAR10_TRAIN + [CIFAR10_TEST]
    return tar_gz({name: cifar_records(x, t) for name, (x, t, _) in zip(names, batches)})


def cifar100_archive(train, test):
    """CIFAR-100's binary release: ``train.bin`` and ``test.bin`` with coarse and fine labels."""
    return tar_gz({'cifar-100-binary/train.bin': cifar_records(train[0], train[1], train[2]),
                   'cifar-100-binary/test.bin': cifar_records(test[0], test[1], test[2])})
