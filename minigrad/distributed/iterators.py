"""The multi-node iterator: one rank draws the batches, every rank gets the same ones."""
import numpy

from minigrad.dataset.iterator import Iterator


def create_multi_node_iterator(actual_iterator, communicator, rank_master=0):
    """An iterator that gives every rank the batches ``actual_iterator`` draws on ``rank_master``.

    For model parallelism (ranks holding different parts of one model need
    the same examples), not for data parallelism (which wants a different
    share per rank: see :func:`scatter_dataset`).  At each ``next`` the
    master broadcasts the iteration state, then the batch column by column
    (``[(x0, t0), (x1, t1)]`` goes as the arrays ``[x0, x1]`` and ``[t0, t1]``,
    as raw buffers); a batch whose examples do not stack into arrays is
    pickled whole.  ``actual_iterator`` is only read on the master.

    Args:
        actual_iterator (Iterator): the master's iterator.
        communicator (MpiCommunicator): the ranks.
        rank_master (int): the rank that draws the batches.

    Returns:
        Iterator: with ``epoch``, ``is_new_epoch``, ``epoch_detail`` and
        ``previous_epoch_detail`` of the master's iterator on every rank.
    """
    return _MultiNodeIterator(actual_iterator, communicator, rank_master)


def _columns(batch):
    """``(is_tuple, columns)`` of a batch as stacked arrays, or None if they do not stack."""
    is_tuple = isinstance(batch[0], tuple)
    rows = batch if is_tuple else [(example,) for example in batch]
    if any(not isinstance(r, tuple) or len(r) != len(rows[0]) for r in rows):
        return None
    try:
        columns = [numpy.asarray(column) for column in zip(*rows)]
    except ValueError:      # ragged
        return None
    if any(c.dtype.hasobject for c in columns):
        return None
    return is_tuple, columns


class _MultiNodeIterator(Iterator):

    def __init__(self, actual_iterator, communicator, rank_master):
        self.comm = communicator
        self.rank_master = rank_master
        self.is_master = communicator.rank == rank_master
        self.actual_iterator = actual_iterator if self.is_master else None
        self.epoch, self.is_new_epoch = 0, False
        self._epoch_detail = self.previous_epoch_detail = 0.0

    @property
    def epoch_detail(self):
        return self._epoch_detail

    def __next__(self):
        comm, root = self.comm, self.rank_master
        if self.is_master:
            it = self.actual_iterator
            try:
                batch = next(it)
            except StopIteration:
                batch = None
            packed = None if batch is None or not batch else _columns(batch)
            state = (batch is None, it.epoch, it.is_new_epoch, it.epoch_detail,
                     getattr(it, 'previous_epoch_detail', None),
                     None if packed is None else (packed[0], len(packed[1])))
            comm.bcast_obj(state, root=root)
        else:
            state = comm.bcast_obj(None, root=root)
        stop, self.epoch, self.is_new_epoch, self._epoch_detail, self.previous_epoch_detail, \
            layout = state
        if stop:
            raise StopIteration
        if layout is None:                      # examples that do not stack: pickled
            return comm.bcast_obj(batch if self.is_master else None, root=root)
        is_tuple, n_columns = layout
        if self.is_master:
            for column in packed[1]:
                comm.bcast(column, root=root)
            return batch
        columns = [comm.bcast(None, root=root) for _ in range(n_columns)]
        return list(zip(*columns)) if is_tuple else list(columns[0])

    def reset(self):
        if self.is_master:
            self.actual_iterator.reset()

    def serialize(self, serializer):
        # Only the master's state matters: the others take it at every next().
        if self.is_master:
            self.actual_iterator.serialize(serializer)

    def finalize(self):
        if self.is_master:
            self.actual_iterator.finalize()
