"""Run under mpiexec -n 2: exercise the communicator, scatter_dataset, the evaluator, the iterator.

Usage: mpi_api.py OUT_DIR.  Each rank writes what it saw to
``OUT_DIR/api_rank<r>.json`` (and arrays to ``.npz``); the test checks them.
"""
import json
import os
import sys

import numpy

import minigrad
from minigrad import datasets, distributed, iterators
from minigrad.training import extensions
from tests.distributed.common import evaluation_set, make_model


def sent_arrays():
    """What rank 0 sends rank 1: several dtypes, a 0-d array, a non-contiguous view."""
    base = numpy.arange(12, dtype=numpy.float64).reshape(3, 4)
    return (numpy.arange(6, dtype=numpy.float32).reshape(2, 3),
            numpy.array([1.5, -2.25], dtype=numpy.float16),
            numpy.array(7, dtype=numpy.int64),
            numpy.array([[True, False], [False, True]]),
            base.T[::2])


class Mixed(minigrad.Chain):
    """Parameters of two dtypes, and one (``unused``) whose gradient is None on rank 1."""

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.a = minigrad.Parameter(numpy.zeros((2, 3), dtype=numpy.float32))
            self.b = minigrad.Parameter(numpy.zeros(4, dtype=numpy.float64))
            self.c = minigrad.Parameter(numpy.zeros(5, dtype=numpy.float32))
            self.unused = minigrad.Parameter(numpy.zeros(2, dtype=numpy.float32))


class CountingComm:
    """An mpi4py communicator that counts its calls by name."""

    def __init__(self, mpi_comm):
        self.mpi_comm = mpi_comm
        self.calls = {}

    def __getattr__(self, name):
        self.calls[name] = self.calls.get(name, 0) + 1
        return getattr(self.mpi_comm, name)


def mean_grads(comm, name, calls):
    model = Mixed()
    for i, p in enumerate(model.params()):
        g = (comm.rank + 1) * (i + 1) * numpy.arange(p.data.size, dtype=p.data.dtype)
        p.grad = g.reshape(p.data.shape)
    if comm.rank == 1:
        model.unused.grad = None
    counting = comm.mpi_comm = CountingComm(comm.mpi_comm)
    comm.multi_node_mean_grad(model, zero_fill=True)
    comm.mpi_comm = counting.mpi_comm
    calls[name] = counting.calls
    return {name + '/' + n: p.grad for n, p in model.namedparams()}


def scatters(comm):
    out = {}
    for n in (0, 1, 2, 5, 7, 10):
        root_only = comm.rank == 0
        values = numpy.arange(n, dtype=numpy.int64) * 10
        share = distributed.scatter_dataset(values if root_only else None, comm)
        out['array/{}'.format(n)] = [int(v) for v in share]
        share = distributed.scatter_dataset(values if root_only else None, comm, shuffle=True, seed=3)
        out['shuffled/{}'.format(n)] = [int(v) for v in share]
        tuples = datasets.TupleDataset(values, -values.astype(numpy.float32))
        share = distributed.scatter_dataset(tuples if root_only else None, comm)
        out['tuple/{}'.format(n)] = [[int(x), float(y)] for x, y in share]
        names = ['e{}'.format(v) for v in values]
        share = distributed.scatter_dataset(names if root_only else None, comm)
        out['list/{}'.format(n)] = list(share)
        share = distributed.scatter_dataset(values if root_only else None, comm,
                                            force_equal_length=False)
        out['exact/{}'.format(n)] = [int(v) for v in share]
    # from root 1, whose data set differs from rank 0's (rank 0's is ignored)
    mine = numpy.arange(5) + 100 * comm.rank
    out['root1'] = [int(v) for v in distributed.scatter_dataset(mine, comm, root=1)]
    return out


def evaluations(comm):
    out = {}
    for n in (16, 13):
        model = make_model('mlp', seed=0)
        test = distributed.scatter_dataset(evaluation_set(n) if comm.rank == 0 else None, comm)
        it = iterators.SerialIterator(test, 4, repeat=False, shuffle=False)
        evaluator = distributed.create_multi_node_evaluator(extensions.Evaluator(it, model), comm)
        out['evaluation/{}'.format(n)] = evaluator()
        out['local_length/{}'.format(n)] = len(test)
    return out


def iterated(comm):
    x = numpy.arange(10, dtype=numpy.float32)
    data = datasets.TupleDataset(x, (x * 2).astype(numpy.int32))
    it = iterators.SerialIterator(data, 4, repeat=False, shuffle=False) if comm.rank == 0 else None
    it = distributed.create_multi_node_iterator(it, comm)
    batches = [[[float(a), int(b)] for a, b in batch] for batch in it]
    return {'iterator': batches, 'iterator_epoch': it.epoch}


def main(out):
    comm = distributed.create_communicator('naive')
    flat = distributed.create_communicator('flat')
    result = {'rank': comm.rank, 'size': comm.size, 'intra_rank': comm.intra_rank,
              'intra_size': comm.intra_size, 'inter_rank': comm.inter_rank,
              'inter_size': comm.inter_size}
    alone = comm.split(color=comm.rank, key=0)     # one communicator per rank
    result['split'] = [alone.rank, alone.size, alone.allreduce_obj(comm.rank + 1)]
    arrays = {}
    if comm.rank == 0:
        comm.send(sent_arrays(), dest=1, tag=5)
        comm.send(numpy.ones((2, 2), dtype=numpy.float32), dest=1)
        echoed = comm.recv(source=1, tag=6)
        arrays['echo'] = echoed
    else:
        received = comm.recv(source=0, tag=5)
        for i, a in enumerate(received):
            arrays['received/{}'.format(i)] = a
        arrays['single'] = comm.recv(source=0)
        result['received_is_tuple'] = isinstance(received, tuple)
        comm.send(received[0] + 1, dest=0, tag=6)
    arrays['bcast'] = comm.bcast(numpy.arange(5, dtype=numpy.int32) if comm.rank == 1 else None,
                                 root=1)
    arrays['allreduce'] = comm.allreduce(numpy.arange(3, dtype=numpy.float16) + comm.rank)
    result['bcast_obj'] = comm.bcast_obj({'from': comm.rank}, root=1)
    result['allreduce_obj'] = comm.allreduce_obj(comm.rank + 1)
    result['mpi_calls'] = calls = {}
    arrays.update(mean_grads(comm, 'naive', calls))
    arrays.update(mean_grads(flat, 'flat', calls))
    arrays.update(mean_grads(flat, 'flat_again', calls))       # reusing the kept buffers
    result.update(scatters(comm))
    result.update(evaluations(comm))
    result.update(iterated(comm))
    with open(os.path.join(out, 'api_rank{}.json'.format(comm.rank)), 'w') as f:
        json.dump(result, f)
    numpy.savez(os.path.join(out, 'api_rank{}.npz'.format(comm.rank)), **arrays)


if __name__ == '__main__':
    main(sys.argv[1])
