"""Datasets: TupleDataset, SubDataset and splits, concat_examples, digits.

MNIST, Fashion-MNIST, CIFAR and the download cache: tests/datasets/.
"""
import collections
import sys

import numpy
import pytest

import minigrad
from minigrad import dataset as dataset_module
from minigrad import datasets
from minigrad.type_check import InvalidType


# ---------------------------------------------------------------------------
# TupleDataset

def test_tuple_dataset_indexing():
    x = numpy.arange(12, dtype=numpy.float32).reshape(4, 3)
    t = numpy.array([5, 6, 7, 8], dtype=numpy.int32)
    ds = datasets.TupleDataset(x, t)
    assert len(ds) == 4
    xi, ti = ds[1]
    numpy.testing.assert_array_equal(xi, [3.0, 4.0, 5.0])
    assert ti == 6 and ti.dtype == numpy.int32
    last = ds[-1]
    numpy.testing.assert_array_equal(last[0], [9.0, 10.0, 11.0])
    assert last[1] == 8


@pytest.mark.parametrize('index', [slice(1, 3), [1, 2], numpy.array([1, 2])])
def test_tuple_dataset_slices_give_lists_of_tuples(index):
    x = numpy.arange(12).reshape(4, 3)
    t = numpy.array([5, 6, 7, 8])
    batch = datasets.TupleDataset(x, t)[index]
    assert isinstance(batch, list) and len(batch) == 2
    assert all(isinstance(example, tuple) and len(example) == 2 for example in batch)
    numpy.testing.assert_array_equal(batch[0][0], [3, 4, 5])
    assert batch[0][1] == 6
    numpy.testing.assert_array_equal(batch[1][0], [6, 7, 8])
    assert batch[1][1] == 7


def test_tuple_dataset_of_three_and_of_lists():
    ds = datasets.TupleDataset(['a', 'b'], [1, 2], numpy.array([0.5, 1.5]))
    assert ds[1] == ('b', 2, 1.5)
    assert ds[0:2] == [('a', 1, 0.5), ('b', 2, 1.5)]


def test_tuple_dataset_length_mismatch_is_reported():
    with pytest.raises(InvalidType,
                       match=r'Invalid operation in TupleDataset: expect len\(datasets\[1\]\) == '
                             r'len\(datasets\[0\]\), actual 3 != 4'):
        datasets.TupleDataset(numpy.zeros(4), numpy.zeros(3))
    with pytest.raises(ValueError, match='TupleDataset: expect at least one dataset'):
        datasets.TupleDataset()


def test_tuple_dataset_index_out_of_range():
    with pytest.raises(IndexError):
        datasets.TupleDataset(numpy.zeros(2), numpy.zeros(2))[2]


# ---------------------------------------------------------------------------
# SubDataset and splits

def test_sub_dataset_range_and_order():
    base = list('abcdef')
    sub = datasets.SubDataset(base, 1, 4)
    assert len(sub) == 3
    assert [sub[i] for i in range(3)] == ['b', 'c', 'd']
    assert sub[-1] == 'd' and sub[-3] == 'b'
    assert sub[0:2] == ['b', 'c'] and sub[[2, 0]] == ['d', 'b']
    with pytest.raises(IndexError, match='out of range'):
        sub[3]
    with pytest.raises(IndexError, match='out of range'):
        sub[-4]
    ordered = datasets.SubDataset(base, 0, 3, order=[5, 4, 3, 2, 1, 0])
    assert list(ordered[0:3]) == ['f', 'e', 'd']


def test_sub_dataset_bad_arguments():
    with pytest.raises(InvalidType, match=r'SubDataset: expect 0 <= start <= finish <= len\(dataset\), '
                                          r'actual start == 2, finish == 7, len\(dataset\) == 6'):
        datasets.SubDataset(list('abcdef'), 2, 7)
    with pytest.raises(InvalidType, match=r'expect len\(order\) == len\(dataset\), actual 2 != 6'):
        datasets.SubDataset(list('abcdef'), 0, 2, order=[0, 1])


def test_split_dataset():
    first, second = datasets.split_dataset(list(range(10)), 3)
    assert list(first[0:3]) == [0, 1, 2]
    assert list(second[0:len(second)]) == list(range(3, 10))
    with pytest.raises(InvalidType, match=r'split_dataset: expect 0 <= first_size <= len\(dataset\), '
                                          r'actual first_size == 11, len\(dataset\) == 10'):
        datasets.split_dataset(list(range(10)), 11)
    with pytest.raises(InvalidType, match='expect first_size to be an int'):
        datasets.split_dataset(list(range(10)), 2.5)


@pytest.mark.parametrize('first_size', [0, 1, 7, 20])
def test_split_dataset_random_sizes_and_disjoint(first_size):
    base = list(range(20))
    a, b = datasets.split_dataset_random(base, first_size, seed=3)
    assert len(a) == first_size and len(b) == 20 - first_size
    items_a = [a[i] for i in range(len(a))]
    items_b = [b[i] for i in range(len(b))]
    assert not set(items_a) & set(items_b)
    assert sorted(items_a + items_b) == base


def test_split_dataset_random_seed():
    base = list(range(50))
    first = lambda seed: list(datasets.split_dataset_random(base, 10, seed=seed)[0][0:10])  # NOQA
    assert first(0) == first(0)
    assert first(0) != first(1)
    assert first(0) != list(range(10))      # shuffled, not a prefix


# ---------------------------------------------------------------------------
# concat_examples

def test_concat_examples_tuples():
    batch = [(numpy.array([1., 2.], dtype=numpy.float32), numpy.int32(3)),
             (numpy.array([4., 5.], dtype=numpy.float32), numpy.int32(6))]
    x, t = datasets.concat_examples(batch)
    assert x.dtype == numpy.float32 and x.shape == (2, 2)
    numpy.testing.assert_array_equal(x, [[1., 2.], [4., 5.]])
    assert t.dtype == numpy.int32
    numpy.testing.assert_array_equal(t, [3, 6])


def test_concat_examples_from_a_tuple_dataset():
    x = numpy.arange(24, dtype=numpy.float32).reshape(4, 2, 3)
    t = numpy.arange(4, dtype=numpy.int32)
    ds = datasets.TupleDataset(x, t)
    bx, bt = dataset_module.concat_examples([ds[2], ds[0]])
    assert bx.shape == (2, 2, 3) and bt.dtype == numpy.int32
    numpy.testing.assert_array_equal(bx[0], x[2])
    numpy.testing.assert_array_equal(bx[1], x[0])
    numpy.testing.assert_array_equal(bt, [2, 0])


def test_concat_examples_arrays_and_dicts():
    arrays = [numpy.array([1, 2]), numpy.array([3, 4]), numpy.array([5, 6])]
    numpy.testing.assert_array_equal(datasets.concat_examples(arrays), [[1, 2], [3, 4], [5, 6]])
    out = datasets.concat_examples([{'x': numpy.zeros(2), 'y': 1}, {'x': numpy.ones(2), 'y': 2}])
    numpy.testing.assert_array_equal(out['x'], [[0, 0], [1, 1]])
    numpy.testing.assert_array_equal(out['y'], [1, 2])


def test_concat_examples_padding():
    batch = [(numpy.array([1, 2, 3]), numpy.array([[1]])),
             (numpy.array([4]), numpy.array([[2, 3], [4, 5]]))]
    x, t = datasets.concat_examples(batch, padding=(-1, 0))
    numpy.testing.assert_array_equal(x, [[1, 2, 3], [4, -1, -1]])
    numpy.testing.assert_array_equal(t, [[[1, 0], [0, 0]], [[2, 3], [4, 5]]])


def test_concat_examples_errors():
    with pytest.raises(ValueError, match='non-empty batch'):
        datasets.concat_examples([])
    with pytest.raises(ValueError, match=r'shape \(2,\) .*example 1 has shape \(3,\)'):
        datasets.concat_examples([numpy.zeros(2), numpy.zeros(3)])
    with pytest.raises(RuntimeError, match='device 0 is a GPU, but CuPy is not installed'):
        datasets.concat_examples([numpy.zeros(2)], device=0)
    assert datasets.concat_examples([numpy.zeros(2)], device=-1).shape == (1, 2)


# ---------------------------------------------------------------------------
# get_digits (scikit-learn's bundled 8x8 digits)

def _digits_reference():
    from sklearn.datasets import load_digits     # in the test extra: pip install -e ".[test]"
    bunch = load_digits()
    return bunch.images, bunch.target


def _as_counter(images, labels):
    """Examples as hashable (pixel bytes, label) pairs: pixel values are k/16 exactly."""
    pixels = numpy.rint(numpy.asarray(images, dtype=numpy.float64).reshape(len(images), 64) * 16)
    return collections.Counter((row.astype(numpy.int64).tobytes(), int(t))
                               for row, t in zip(pixels, labels))


def test_get_digits_shapes_dtypes_ranges():
    images, targets = _digits_reference()
    train, test = datasets.get_digits()
    assert len(train) + len(test) == 1797 == len(images)
    assert len(test) == round(1797 * 0.25)
    x, t = datasets.concat_examples(train[0:len(train)])
    assert x.shape == (len(train), 1, 8, 8) and x.dtype == numpy.float32
    assert t.shape == (len(train),) and t.dtype == numpy.int32
    assert x.min() == 0.0 and x.max() == 1.0           # 0..16 scaled to 0..1
    assert set(numpy.unique(t)) == set(range(10))
    # the split holds every original example exactly once
    tx, tt = datasets.concat_examples(test[0:len(test)])
    assert _as_counter(x, t) + _as_counter(tx, tt) == _as_counter(images / 16., targets)


@pytest.mark.parametrize('ndim, shape', [(1, (64,)), (2, (8, 8)), (3, (1, 8, 8))])
def test_get_digits_ndim(ndim, shape):
    train, test = datasets.get_digits(ndim=ndim)
    assert train[0][0].shape == shape and test[0][0].shape == shape


def test_get_digits_options():
    train_x, test_x = datasets.get_digits(withlabel=False, ndim=1, scale=16., dtype=numpy.float64)
    assert isinstance(train_x, numpy.ndarray) and train_x.dtype == numpy.float64
    assert train_x.shape[1:] == (64,)
    assert train_x.max() == 16.0
    numpy.testing.assert_array_equal(train_x, numpy.rint(train_x))    # whole 0..16 levels
    train, test = datasets.get_digits(test_ratio=0.5, label_dtype=numpy.int64)
    assert len(test) == round(1797 * 0.5) and test[0][1].dtype == numpy.int64
    with pytest.raises(InvalidType, match=r'get_digits: expect ndim in \(1, 2, 3\), actual ndim == 0'):
        datasets.get_digits(ndim=0)
    with pytest.raises(InvalidType, match=r'expect 0 <= test_ratio <= 1, actual test_ratio == 1.5'):
        datasets.get_digits(test_ratio=1.5)


def test_get_digits_split_is_reproducible():
    def first_labels(seed):
        train, _ = datasets.get_digits(seed=seed)
        return numpy.array([train[i][1] for i in range(50)])

    def test_images(seed):
        return datasets.get_digits(seed=seed, withlabel=False)[1]

    numpy.testing.assert_array_equal(test_images(0), test_images(0))
    numpy.testing.assert_array_equal(first_labels(0), first_labels(0))
    assert not numpy.array_equal(test_images(0), test_images(1))


def test_get_digits_without_scikit_learn(monkeypatch):
    monkeypatch.setitem(sys.modules, 'sklearn', None)
    monkeypatch.setitem(sys.modules, 'sklearn.datasets', None)
    with pytest.raises(ImportError, match=r'get_digits needs scikit-learn.*pip install scikit-learn '
                                          r'\(or pip install minigrad\[examples\]\)'):
        datasets.get_digits()


def test_minigrad_dataset_exports():
    assert dataset_module.concat_examples is datasets.concat_examples
    assert minigrad.dataset.DatasetMixin is dataset_module.DatasetMixin
