"""The multi-node optimizer: any optimizer, with gradients averaged over the ranks."""
from minigrad.distributed.communicator import RankMismatchError


def create_multi_node_optimizer(actual_optimizer, communicator, double_buffering=False,
                                zero_fill=True):
    """Wrap ``actual_optimizer`` so that every update uses the mean gradient of all ranks.

    ``setup(model)`` first checks that every rank holds the same model layout
    (parameter names, shapes and dtypes), raising :class:`RankMismatchError`
    on every rank if not, and then copies rank 0's parameters to every rank.
    Each ``update`` then runs forward and backward on this rank's batch,
    averages the gradients (:meth:`~MpiCommunicator.multi_node_mean_grad`)
    and lets ``actual_optimizer`` apply them: the ranks take identical steps.

    A step in which parameters were initialized for the first time
    (``Linear(None, n)`` meets its first batch) only copies rank 0's new
    parameters to the others, as ChainerMN does: the gradients of that step
    came from differently initialized models, so no update is made.

    Everything else (``lr``, ``t``, ``target``, ``serialize``, hooks) is the
    actual optimizer's.

    Args:
        actual_optimizer (GradientMethod): e.g. ``optimizers.Adam()``.
        communicator (MpiCommunicator): from :func:`create_communicator`.
        double_buffering (bool): ChainerMN overlaps the allreduce with the next
            step on a CUDA stream; there is none on the CPU, so True is refused.
        zero_fill (bool): a parameter without a gradient on this rank takes
            part with zeros (the ranks must send equal buffers).

    Returns:
        The wrapped optimizer.
    """
    if double_buffering:
        raise ValueError('create_multi_node_optimizer: double_buffering needs the pure_nccl '
                         'communicator (a CUDA stream to overlap the allreduce with); minigrad '
                         'runs on the CPU: use double_buffering=False')
    return _MultiNodeOptimizer(actual_optimizer, communicator, zero_fill)


class _MultiNodeOptimizer:

    def __init__(self, actual_optimizer, communicator, zero_fill):
        # object.__setattr__: this class's own attributes; the rest go to the actual optimizer
        object.__setattr__(self, 'actual_optimizer', actual_optimizer)
        object.__setattr__(self, 'communicator', communicator)
        object.__setattr__(self, 'zero_fill', zero_fill)
        object.__setattr__(self, '_synced', None)     # names of the parameters last broadcast

    def setup(self, link):
        """Set up the actual optimizer, check the model on every rank, copy rank 0's parameters."""
        self.actual_optimizer.setup(link)
        self._synchronize(link)
        return self

    def _synchronize(self, link):
        check_same_model(self.communicator, link, 'create_multi_node_optimizer')
        self.communicator.bcast_data(link)
        object.__setattr__(self, '_synced', _initialized(link))

    def update(self, lossfun=None, *args, **kwds):
        """Compute this rank's gradients (if ``lossfun``), average them over the ranks, update."""
        target = self.target
        if lossfun is not None:
            target.cleargrads()
            loss = lossfun(*args, **kwds)
            loss.backward()
            del loss
        if _initialized(target) != self._synced:
            self._synchronize(target)       # newly initialized parameters: rank 0's win
            return
        self.communicator.multi_node_mean_grad(target, self.zero_fill)
        self.actual_optimizer.update()

    def __getattr__(self, name):
        return getattr(self.actual_optimizer, name)

    def __setattr__(self, name, value):
        setattr(self.actual_optimizer, name, value)


def _initialized(link):
    return [name for name, p in link.namedparams() if p.data is not None]


def _layout(link):
    return [(name, None if p.data is None else (tuple(p.data.shape), p.data.dtype.name))
            for name, p in link.namedparams()]


def _describe(spec):
    return 'uninitialized' if spec is None else '{} {}'.format(*spec)


def check_same_model(comm, link, func_name):
    """Raise :class:`RankMismatchError` on every rank unless all ranks hold the same layout.

    The layouts (names, shapes, dtypes of the parameters) are gathered on
    every rank, so every rank sees the same differences and raises the same
    message, rather than some of them waiting forever in an allreduce whose
    buffers do not match.
    """
    layouts = comm.allgather_obj(_layout(link))
    problems = []
    reference = dict(layouts[0])
    for rank, layout in enumerate(layouts[1:], 1):
        mine = dict(layout)
        found = len(problems)
        for name in reference:
            if name not in mine:
                problems.append('rank {} has no parameter {} (rank 0: {})'.format(
                    rank, name, _describe(reference[name])))
            elif mine[name] != reference[name]:
                problems.append('rank {} has {} {} where rank 0 has {}'.format(
                    rank, name, _describe(mine[name]), _describe(reference[name])))
        for name in mine:
            if name not in reference:
                problems.append('rank {} has a parameter {} ({}) that rank 0 lacks'.format(
                    rank, name, _describe(mine[name])))
        if len(problems) == found and list(mine) != list(reference):
            problems.append('rank {} lists the parameters in another order'.format(rank))
    if problems:
        shown = problems[:5] + (['...and {} more'.format(len(problems) - 5)]
                                if len(problems) > 5 else [])
        raise RankMismatchError(
            '{}: the model differs between the ranks, so their gradients cannot be averaged '
            '(raised on every rank): {}'.format(func_name, '; '.join(shown)))
