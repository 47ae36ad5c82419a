"""SerialIterator: batches, epochs, shuffling, repeat=False, reset and serialize."""
import numpy
import pytest

from minigrad import datasets
from minigrad import iterators


def test_in_order_batches_and_epochs():
    it = iterators.SerialIterator(list(range(10)), 4, shuffle=False)
    assert it.epoch == 0 and it.epoch_detail == 0.0 and it.previous_epoch_detail is None
    assert next(it) == [0, 1, 2, 3]
    assert (it.epoch, it.is_new_epoch, it.current_position) == (0, False, 4)
    assert it.epoch_detail == pytest.approx(0.4) and it.previous_epoch_detail == 0.0
    assert next(it) == [4, 5, 6, 7]
    assert it.epoch_detail == pytest.approx(0.8)
    # the batch crossing the end of the epoch wraps around
    assert next(it) == [8, 9, 0, 1]
    assert (it.epoch, it.is_new_epoch, it.current_position) == (1, True, 2)
    assert it.epoch_detail == pytest.approx(1.2)
    assert it.previous_epoch_detail == pytest.approx(0.8)
    assert next(it) == [2, 3, 4, 5]
    assert (it.epoch, it.is_new_epoch) == (1, False)
    assert next(it) == [6, 7, 8, 9]            # ends exactly on the boundary
    assert (it.epoch, it.is_new_epoch, it.current_position) == (2, True, 0)
    assert it.epoch_detail == 2.0


def test_batch_larger_than_the_dataset_wraps_several_times():
    it = iterators.SerialIterator(['a', 'b', 'c'], 7, shuffle=False)
    assert next(it) == ['a', 'b', 'c', 'a', 'b', 'c', 'a']
    assert (it.epoch, it.current_position, it.is_new_epoch) == (2, 1, True)


def test_shuffle_each_epoch_holds_every_example_once():
    numpy.random.seed(0)
    it = iterators.SerialIterator(list(range(10)), 3)     # shuffles by default
    seen = []
    for _ in range(10):                                   # 30 examples: three epochs
        seen.extend(next(it))
    epochs = [seen[0:10], seen[10:20], seen[20:30]]
    for epoch in epochs:
        assert sorted(epoch) == list(range(10))
    assert epochs[0] != list(range(10))                   # actually shuffled
    assert epochs[0] != epochs[1]                         # a new order every epoch
    assert it.epoch == 3


def test_shuffle_is_reproducible_with_numpy_seed():
    def run():
        numpy.random.seed(42)
        it = iterators.SerialIterator(list(range(10)), 4)
        return [next(it) for _ in range(6)]

    assert run() == run()


def test_repeat_false_stops():
    it = iterators.SerialIterator(list(range(10)), 4, repeat=False, shuffle=False)
    assert next(it) == [0, 1, 2, 3]
    assert next(it) == [4, 5, 6, 7]
    assert next(it) == [8, 9]                 # the last batch is smaller
    assert (it.epoch, it.is_new_epoch) == (1, True)
    with pytest.raises(StopIteration):
        next(it)
    with pytest.raises(StopIteration):
        next(it)


def test_repeat_false_shuffled_covers_everything_once():
    numpy.random.seed(1)
    it = iterators.SerialIterator(list(range(10)), 3, repeat=False)
    batches = list(it)
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(sum(batches, [])) == list(range(10))


def test_reset_starts_over():
    it = iterators.SerialIterator(list(range(5)), 2, repeat=False, shuffle=False)
    assert len(list(it)) == 3
    it.reset()
    assert (it.epoch, it.current_position, it.is_new_epoch) == (0, 0, False)
    assert it.previous_epoch_detail is None
    assert list(it) == [[0, 1], [2, 3], [4]]


def test_with_a_tuple_dataset_and_concat_examples():
    x = numpy.arange(20, dtype=numpy.float32).reshape(10, 2)
    t = numpy.arange(10, dtype=numpy.int32)
    it = iterators.SerialIterator(datasets.TupleDataset(x, t), 4, shuffle=False)
    bx, bt = datasets.concat_examples(next(it))
    numpy.testing.assert_array_equal(bx, x[:4])
    numpy.testing.assert_array_equal(bt, t[:4])


def test_custom_order_sampler():
    def reverse(order, position):
        return numpy.arange(len(order))[::-1]

    it = iterators.SerialIterator(list(range(4)), 3, order_sampler=reverse)
    assert next(it) == [3, 2, 1]
    assert next(it) == [0, 3, 2]
    sampler = iterators.ShuffleOrderSampler(numpy.random.RandomState(0))
    it = iterators.SerialIterator(list(range(6)), 6, order_sampler=sampler)
    assert sorted(next(it)) == list(range(6))


def test_bad_arguments():
    with pytest.raises(ValueError, match='batch_size to be a positive int, actual 0'):
        iterators.SerialIterator([1, 2], 0)
    with pytest.raises(ValueError, match='either shuffle or order_sampler'):
        iterators.SerialIterator([1, 2], 1, shuffle=True,
                                 order_sampler=iterators.ShuffleOrderSampler())
    with pytest.raises(ValueError, match='dataset is empty'):
        next(iterators.SerialIterator([], 2))


class DictSerializer:
    def __init__(self, target=None, path=''):
        self.target = {} if target is None else target
        self.path = path

    def __getitem__(self, key):
        return DictSerializer(self.target, self.path + key.strip('/') + '/')

    def __call__(self, key, value):
        self.target[self.path + key] = numpy.array(value)
        return value


class DictDeserializer:
    is_loading = True

    def __init__(self, target, path=''):
        self.target = target
        self.path = path

    def __getitem__(self, key):
        return DictDeserializer(self.target, self.path + key.strip('/') + '/')

    def __call__(self, key, value):
        stored = self.target[self.path + key]
        if value is None:
            return stored.copy()
        if isinstance(value, numpy.ndarray):
            numpy.copyto(value, stored)
            return value
        return type(value)(stored)


@pytest.mark.parametrize('shuffle', [False, True])
@pytest.mark.parametrize('steps_before', [0, 2, 3, 4])
def test_serialize_resumes_identically(shuffle, steps_before):
    numpy.random.seed(7)
    it = iterators.SerialIterator(list(range(10)), 3, shuffle=shuffle)
    for _ in range(steps_before):
        next(it)
    saved = DictSerializer()
    it.serialize(saved)
    assert set(saved.target) >= {'current_position', 'epoch', 'is_new_epoch'}
    if shuffle:
        assert 'order' in saved.target
    rng_state = numpy.random.get_state()
    expected = [next(it) for _ in range(8)]
    expected_details = (it.epoch, it.is_new_epoch, it.epoch_detail, it.previous_epoch_detail)

    numpy.random.seed(123)                     # a different initial order...
    resumed = iterators.SerialIterator(list(range(10)), 3, shuffle=shuffle)
    resumed.serialize(DictDeserializer(saved.target))
    numpy.random.set_state(rng_state)          # ...and the saved global random state
    assert [next(resumed) for _ in range(8)] == expected
    assert (resumed.epoch, resumed.is_new_epoch, resumed.epoch_detail,
            resumed.previous_epoch_detail) == expected_details


@pytest.mark.parametrize('steps_before', [2, 4])
def test_serialize_keeps_the_state_of_a_sampler_with_its_own_generator(steps_before):
    def make(seed):
        sampler = iterators.ShuffleOrderSampler(numpy.random.RandomState(seed))
        return iterators.SerialIterator(list(range(10)), 3, order_sampler=sampler)

    it = make(7)
    for _ in range(steps_before):
        next(it)
    saved = DictSerializer()
    it.serialize(saved)
    assert 'order_sampler/keys' in saved.target
    expected = [next(it) for _ in range(12)]   # crosses epochs: new shuffles from the generator

    resumed = make(123)                        # another generator state, until loaded
    resumed.serialize(DictDeserializer(saved.target))
    assert [next(resumed) for _ in range(12)] == expected


def test_iterator_protocol_and_context_manager():
    with iterators.SerialIterator([1, 2, 3], 2, repeat=False, shuffle=False) as it:
        assert iter(it) is it
        assert it.next() == [1, 2]
        assert it.epoch_size == 3 and not it.repeat
