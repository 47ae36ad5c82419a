"""SerialIterator: mini-batches drawn from a dataset in the main thread."""
import numpy

from minigrad.dataset.iterator import Iterator
from minigrad.iterators.order_samplers import ShuffleOrderSampler
from minigrad.utils import loading


class SerialIterator(Iterator):
    """Mini-batches of a dataset, in order or shuffled every epoch, as in Chainer.

    ``next(it)`` returns a list of ``batch_size`` examples (``dataset[i]``).
    With ``repeat=True`` it never ends: the batch that crosses the end of an
    epoch is completed with the first examples of the next one (in the next
    epoch's order), and :attr:`is_new_epoch` is True right after it.  With
    ``repeat=False`` the last batch may be smaller and the next call raises
    ``StopIteration`` (call :meth:`reset` to iterate again).

    Args:
        dataset: a sized, indexable dataset (e.g. a TupleDataset).
        batch_size (int): examples per batch.
        repeat (bool): cycle through the dataset forever.
        shuffle (bool): shuffle the order every epoch with NumPy's global
            random generator (seed it with ``numpy.random.seed`` for
            reproducible runs).  None (the default) means True unless an
            ``order_sampler`` is given.
        order_sampler (callable): ``sampler(order, position)`` giving each
            epoch's order (see :class:`ShuffleOrderSampler`); used when
            ``shuffle`` is None.
    """

    def __init__(self, dataset, batch_size, repeat=True, shuffle=None, order_sampler=None):
        if not isinstance(batch_size, (int, numpy.integer)) or batch_size <= 0:
            raise ValueError('SerialIterator: expect batch_size to be a positive int, actual {!r}'
                             .format(batch_size))
        self.dataset = dataset
        self.batch_size = batch_size
        self._repeat = repeat
        self._shuffle = shuffle
        if shuffle is not None:
            if order_sampler is not None:
                raise ValueError('SerialIterator: pass either shuffle or order_sampler, not both '
                                 '(shuffle={!r} with an order_sampler)'.format(shuffle))
            if shuffle:
                order_sampler = ShuffleOrderSampler()
        elif order_sampler is None:
            order_sampler = ShuffleOrderSampler()
        self.order_sampler = order_sampler
        self.reset()

    def __next__(self):
        if not self._repeat and self.epoch > 0:
            raise StopIteration
        self._previous_epoch_detail = self.epoch_detail
        indices = self._next_indices()
        return [self.dataset[i] for i in indices]

    def _next_indices(self):
        order = self._order
        n = len(self.dataset) if order is None else len(order)
        if self._repeat and n == 0:
            raise ValueError('SerialIterator: the dataset is empty; an iterator that repeats '
                             'needs at least one example')
        i = self.current_position
        i_end = i + self.batch_size
        if not self._repeat:
            i_end = min(i_end, n)
        parts = []
        self.is_new_epoch = False
        while i_end >= n:   # the batch reaches the end of the epoch (maybe several times)
            parts.append(numpy.arange(i, n) if order is None else order[i:n])
            if order is not None:
                new_order = self.order_sampler(order, i)
                if len(new_order) != len(order):
                    raise ValueError('SerialIterator: the order sampler changed the epoch size '
                                     'from {} to {}'.format(len(order), len(new_order)))
                order = self._order = numpy.asarray(new_order)
            self.epoch += 1
            self.is_new_epoch = True
            i = 0
            if not self._repeat:
                i_end = 0
                break
            i_end -= n
        parts.append(numpy.arange(i, i_end) if order is None else order[i:i_end])
        self.current_position = i_end
        return numpy.concatenate(parts) if len(parts) > 1 else parts[0]

    @property
    def epoch_detail(self):
        """The epoch count with the fraction of the current epoch done, e.g. 1.25."""
        size = self.epoch_size
        return float(self.epoch) if size == 0 else self.epoch + self.current_position / size

    @property
    def previous_epoch_detail(self):
        """:attr:`epoch_detail` before the last ``next`` (None before the first)."""
        if self._previous_epoch_detail < 0:
            return None
        return self._previous_epoch_detail

    @property
    def epoch_size(self):
        """Examples per epoch."""
        return len(self.dataset) if self._order is None else len(self._order)

    @property
    def repeat(self):
        return self._repeat

    def reset(self):
        """Start again from epoch 0, position 0, with a new order."""
        self.current_position = 0
        self.epoch = 0
        self.is_new_epoch = False
        self._previous_epoch_detail = -1.
        if self.order_sampler is not None:
            self._order = numpy.asarray(self.order_sampler(numpy.arange(len(self.dataset)), 0))
        else:
            self._order = None

    def serialize(self, serializer):
        """Save or load the position, the epoch, ``is_new_epoch`` and the current order.

        A resumed iterator yields the same batches as one never interrupted
        (the next epochs' shuffles still come from the global random state,
        which the caller saves and restores if needed).

        A load checks the stored values first (the order must be a list of
        indices into the dataset, the position inside the epoch, the epoch
        count not negative) and assigns only if all are fine.
        """
        loading.check_first(self._serialize, serializer)

    def _serialize(self, serializer):
        if loading.is_loading(serializer):
            self._check_stored(serializer)
        self.current_position = int(serializer('current_position', self.current_position))
        self.epoch = int(serializer('epoch', self.epoch))
        self.is_new_epoch = bool(serializer('is_new_epoch', self.is_new_epoch))
        if self._order is not None:
            loaded = serializer('order', self._order)
            if loaded is not None:
                self._order = loaded
        self._previous_epoch_detail = float(
            serializer('previous_epoch_detail', self._previous_epoch_detail))
        if hasattr(self.order_sampler, 'serialize'):
            self.order_sampler.serialize(serializer['order_sampler'])

    def _check_stored(self, serializer):
        """Raise, naming the key, if a stored position, epoch or order cannot be this iterator's."""
        name = type(self).__name__
        n = len(self.dataset)
        if self._order is not None:
            order = loading.read(serializer, 'order')
            if order is not None:
                ok = (order.shape == self._order.shape and order.dtype.kind in 'iu'
                      and (order.size == 0 or (int(order.min()) >= 0 and int(order.max()) < n)))
                if not ok:
                    raise loading.invalid(
                        name, serializer, 'order',
                        'to be {} indices into the dataset of {} examples'.format(
                            self._order.size, n), loading.describe(order))
        position = loading.read(serializer, 'current_position')
        if position is not None:
            loading.as_int(name, serializer, 'current_position', position, 0, self.epoch_size)
        epoch = loading.read(serializer, 'epoch')
        if epoch is not None:
            loading.as_int(name, serializer, 'epoch', epoch, 0)
