"""Data-parallel training over MPI, with ChainerMN's API.

``from minigrad import distributed as chainermn`` ports ``import chainermn``.

Run the same script as several processes (*ranks*), e.g.
``mpiexec -n 4 python train.py``.  Each rank holds a copy of the model,
trains on its own share of the data and averages its gradients with the
others' after every backward, so the copies stay identical::

    comm = chainermn.create_communicator('naive')
    model = L.Classifier(MyCNN())
    optimizer = chainermn.create_multi_node_optimizer(optimizers.Adam(), comm)
    optimizer.setup(model)              # checks the model on every rank, copies rank 0's
    train = chainermn.scatter_dataset(train if comm.rank == 0 else None, comm, shuffle=True)
    evaluator = chainermn.create_multi_node_evaluator(extensions.Evaluator(test_iter, model), comm)

The MPI runtime is reached through mpi4py (``pip install -e ".[mpi]"``),
imported when a communicator is created: ``import minigrad`` does not
import this package, and importing it does not import mpi4py.
"""
from minigrad.distributed.communicator import create_communicator, add_abort_hook  # NOQA
from minigrad.distributed.communicator import MpiCommunicator, NaiveCommunicator  # NOQA
from minigrad.distributed.communicator import FlatCommunicator, RankMismatchError  # NOQA
from minigrad.distributed.optimizers import create_multi_node_optimizer, check_same_model  # NOQA
from minigrad.distributed.datasets import scatter_dataset, scatter_index, share_ranges  # NOQA
from minigrad.distributed.extensions import create_multi_node_evaluator  # NOQA
from minigrad.distributed.iterators import create_multi_node_iterator  # NOQA
from minigrad.distributed.batch_normalization import MultiNodeBatchNormalization  # NOQA
from minigrad.distributed.batch_normalization import create_mnbn_model  # NOQA
