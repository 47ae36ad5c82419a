"""scatter_dataset: give every rank its share of a data set, read on one rank."""
import numpy

from minigrad.datasets.tuple_dataset import TupleDataset


def share_ranges(n, size, force_equal_length=True):
    """The ``(begin, end)`` of each rank's share of ``n`` examples (ChainerMN's rule).

    With ``force_equal_length`` every rank gets ``ceil(n / size)`` examples:
    rank ``i`` starts at ``floor(n * i / size)``, so consecutive shares
    overlap by at most one example and the last one ends exactly at ``n``.
    The ``size * ceil(n / size) - n`` examples counted twice are the padding
    that keeps every rank's epoch the same length (the ranks step together).
    Without it the shares partition ``range(n)``: the first ``n % size``
    ranks get one example more.

    Example: ``n = 5, size = 2`` gives ``[(0, 3), (2, 5)]`` (example 2 on both
    ranks), or ``[(0, 3), (3, 5)]`` without ``force_equal_length``.
    """
    if force_equal_length:
        share = -(-n // size)
        return [(n * i // size, n * i // size + share) for i in range(size)]
    ranges, begin = [], 0
    for i in range(size):
        end = begin + n // size + (1 if i < n % size else 0)
        ranges.append((begin, end))
        begin = end
    return ranges


def scatter_index(n_total_samples, comm, root=0, *, force_equal_length=True):
    """This rank's ``(begin, end)`` in :func:`share_ranges` of ``root``'s ``n_total_samples``."""
    n = comm.bcast_obj(n_total_samples if comm.rank == root else None, root=root)
    return share_ranges(n, comm.size, force_equal_length)[comm.rank]


def _arrays(dataset):
    """The arrays behind an array or a TupleDataset of arrays; None for other data sets."""
    if isinstance(dataset, numpy.ndarray):
        return [dataset]
    if isinstance(dataset, TupleDataset) and all(
            isinstance(d, numpy.ndarray) and not d.dtype.hasobject for d in dataset.datasets):
        return list(dataset.datasets)
    return None


def scatter_dataset(dataset, comm, root=0, shuffle=False, seed=None, *, force_equal_length=True):
    """Split ``root``'s data set into :func:`share_ranges` and send each rank its share.

    Only ``root``'s ``dataset`` is read (the others may pass None), so only
    one rank need load the data.  Each share is copied out of the data set
    (in the permuted order when ``shuffle``) and sent to its rank: the arrays
    of an array or of a TupleDataset of arrays as raw buffers, any other
    data set as a pickled list of examples.

    Args:
        dataset: on ``root``, an array, a TupleDataset or any sized, indexable data set.
        comm (MpiCommunicator): the ranks to scatter to.
        root (int): the rank whose data set is split.
        shuffle (bool): permute the examples before splitting.
        seed (int): seed of that permutation (None: a fresh one).
        force_equal_length (bool): give every rank the same number of
            examples, repeating a few (see :func:`share_ranges`); False
            splits exactly, for an evaluation that must count each example once
            (the multi-node evaluator assumes equal lengths).

    Returns:
        This rank's share: a TupleDataset (or an array) of copies for array
        data, a list of examples otherwise.
    """
    if not 0 <= root < comm.size:
        raise ValueError('scatter_dataset: expect 0 <= root < comm.size == {}, actual root={}'
                         .format(comm.size, root))
    if comm.rank != root:
        kind = comm.recv_obj(root)
        share = comm.recv_obj(root) if kind == 'examples' else comm.recv(root)
        return _rebuild(kind, share)
    if dataset is None:
        raise ValueError('scatter_dataset: the root rank {} has no data set (None)'.format(root))
    n = len(dataset)
    order = numpy.random.RandomState(seed).permutation(n) if shuffle else numpy.arange(n)
    arrays = _arrays(dataset)
    if arrays is None:
        kind = 'examples'
    else:
        kind = 'array' if isinstance(dataset, numpy.ndarray) else 'tuple'
    for rank, (begin, end) in enumerate(share_ranges(n, comm.size, force_equal_length)):
        index = order[begin:end]
        if arrays is None:
            share = [dataset[int(i)] for i in index]
        else:
            share = tuple(a[index] for a in arrays)
        if rank == root:
            mine = share
            continue
        comm.send_obj(kind, rank)
        if kind == 'examples':
            comm.send_obj(share, rank)
        else:
            comm.send(share, rank)
    return _rebuild(kind, mine)


def _rebuild(kind, share):
    if kind == 'array':
        return share[0]
    if kind == 'tuple':
        return TupleDataset(*share)
    return share
