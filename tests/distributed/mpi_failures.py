"""Run under mpiexec -n 2: fail on purpose, in one of two ways, and let the test see how.

``mpi_failures.py mismatch``: rank 1's model has a hidden layer of another
width; ``optimizer.setup`` must raise on both ranks.
``mpi_failures.py dies``: rank 1 raises in its third training step while
rank 0 waits in the gradient allreduce; the job must end, not hang.
"""
import sys

from minigrad import distributed, optimizers
from tests.distributed.common import BATCH, MLP, step_batches

import minigrad.links as L


def main(case):
    comm = distributed.create_communicator('naive')
    model = L.Classifier(MLP(n_hidden=16 if case == 'dies' or comm.rank == 0 else 12))
    optimizer = distributed.create_multi_node_optimizer(optimizers.SGD(), comm)
    optimizer.setup(model)
    for step, (x, t) in enumerate(step_batches('mlp', comm.size)):
        if step == 2 and comm.rank == 1:
            raise RuntimeError('rank 1 fails in step 2 on purpose')
        optimizer.update(model, x[:BATCH], t[:BATCH])
    print('rank {} finished training'.format(comm.rank))


if __name__ == '__main__':
    main(sys.argv[1])
