"""Run under mpiexec: K SGD steps of data-parallel training; each rank saves its parameters.

Usage: mpi_train.py OUT_DIR.  For the MLP (plain layers) and for the
example's CNN with its BatchNormalization layers made multi-node, rank ``r``
trains on rows ``r*B:(r+1)*B`` of each global batch, starting from a model
initialized with its own seed (rank 0's is broadcast at setup).  Writes
``OUT_DIR/<kind>_rank<r>.npz`` with the final parameters and, for the CNN,
the running averages.
"""
import os
import sys

import numpy

from minigrad import distributed, optimizers
from tests.distributed.common import BATCH, LR, make_model, step_batches


def main(out):
    comm = distributed.create_communicator('naive')
    for kind in ('mlp', 'cnn'):
        model = make_model(kind, seed=comm.rank)        # differs per rank until setup
        if kind == 'cnn':
            model = distributed.create_mnbn_model(model, comm)
        optimizer = distributed.create_multi_node_optimizer(optimizers.SGD(lr=LR), comm)
        optimizer.setup(model)
        start = {name: p.data.copy() for name, p in model.namedparams()}
        for x, t in step_batches(kind, comm.size):
            rows = slice(comm.rank * BATCH, (comm.rank + 1) * BATCH)
            optimizer.update(model, x[rows], t[rows])
        arrays = {'param' + name: p.data for name, p in model.namedparams()}
        arrays.update(('start' + name, a) for name, a in start.items())
        if kind == 'cnn':
            for name in ('bn1', 'bn2'):
                bn = getattr(model.predictor, name)
                arrays['avg_mean/' + name] = bn.avg_mean
                arrays['avg_var/' + name] = bn.avg_var
        arrays['t'] = numpy.array(optimizer.t)
        numpy.savez(os.path.join(out, '{}_rank{}.npz'.format(kind, comm.rank)), **arrays)


if __name__ == '__main__':
    main(sys.argv[1])
