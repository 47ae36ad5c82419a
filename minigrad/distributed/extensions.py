"""The multi-node evaluator: each rank evaluates its share, the means are averaged."""
import numpy

from minigrad.distributed.communicator import RankMismatchError


def create_multi_node_evaluator(actual_evaluator, communicator):
    """Make ``actual_evaluator`` report the mean over the ranks of each rank's results.

    Each rank evaluates its own share of the validation set (see
    :func:`scatter_dataset`); then every reported value is averaged over
    the ranks, in one ``Allreduce`` of a float64 vector::

        result[key] = (result_0[key] + ... + result_{size-1}[key]) / size

    Every rank gets the same result.  An Evaluator's result is a mean over
    batches, so with shares of equal length and the same batch size this is
    the mean over all the batches of the whole set.  Ranks that report
    different keys (one rank had no batch at all) raise
    :class:`RankMismatchError` together.

    Args:
        actual_evaluator (Evaluator): e.g. ``extensions.Evaluator(test_iter, model)``;
            its ``evaluate`` is replaced.
        communicator (MpiCommunicator): the ranks.

    Returns:
        ``actual_evaluator`` itself.
    """
    local_evaluate = actual_evaluator.evaluate
    comm = communicator

    def evaluate():
        local = local_evaluate()
        keys = sorted(local)
        all_keys = comm.allgather_obj(keys)
        for rank, other in enumerate(all_keys):
            if other != keys:
                raise RankMismatchError(
                    'create_multi_node_evaluator: the ranks reported different values, so they '
                    'cannot be averaged (raised on every rank): this rank ({}) reported {}, '
                    'rank {} reported {}'.format(comm.rank, keys, rank, other))
        values = comm.allreduce(numpy.array([float(local[k]) for k in keys]))
        values /= comm.size
        return {k: float(v) for k, v in zip(keys, values)}

    actual_evaluator.evaluate = evaluate
    return actual_evaluator
