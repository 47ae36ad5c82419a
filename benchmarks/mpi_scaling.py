"""Data-parallel scaling over MPI: the example's throughput, and AlexBN's gradient allreduce.

Usage::

    python benchmarks/mpi_scaling.py                  # both parts, a table each
    python benchmarks/mpi_scaling.py --rounds 5 --steps 40 --batchsize 64
    python benchmarks/mpi_scaling.py --skip-alexbn

Part 1 trains the CNN of ``examples/train_mnist_mpi.py`` on the digits
(Adam, the example's updater and iterator) with a fixed *global* batch
(``--batchsize``, 64 by default) in five ways:

    plain 1x1   one process, no MPI (the single-process example), 1 BLAS thread
    plain 1x2   the same with 2 BLAS threads
    mpi   1x1   one MPI rank through the multi-node optimizer, 1 thread
    mpi   2x1   two ranks, 1 thread each, half the global batch each
    mpi   2x1 spin   the same, with waiting ranks spinning (Open MPI's
                default) rather than yielding their core (the launcher's
                setting, ``OMPI_MCA_mpi_yield_when_idle=1``)

and reports examples per second (median and best of ``--rounds`` runs, the
configurations taking turns), the speed-up over ``plain 1x1`` and the
efficiency (speed-up / cores used), from the medians and (in parentheses)
from the best runs.  MultiNodeBatchNormalization makes the 2-rank run
compute the same steps as the single process, so the comparison is fair.

Part 2 runs AlexBN (62 M parameters) on 2 ranks, 1 thread each: one
forward and backward at batch 8 per rank, then the gradient average
(``multi_node_mean_grad`` with the naive and the flat communicator, and a
bare ``Allreduce`` of one preallocated 62 M float32 buffer), each timed as
the slowest rank's time, median over ``--reps``.

The workers run under ``mpiexec`` (found as the tests find it, see
tests/distributed/launch.py); plain runs use ``mpiexec -n 1`` too, but
never create a communicator.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)


# ---------------------------------------------------------------------------
# Workers (run under mpiexec)

def train_worker(mode, batchsize, steps, warmup):
    """Time ``steps`` updates of the example; print one JSON line on rank 0."""
    import minigrad.links as L
    from minigrad import datasets, iterators, optimizers, training
    sys.path.insert(0, os.path.join(ROOT, 'examples'))
    from train_mnist import CNN

    numpy.random.seed(0)
    train, _ = datasets.get_digits(ndim=3)
    if mode == 'plain':
        comm, barrier, model = None, (lambda: None), L.Classifier(CNN())
        optimizer = optimizers.Adam()
        size = 1
    else:
        from minigrad import distributed
        comm = distributed.create_communicator('naive')
        barrier, size = comm.mpi_comm.Barrier, comm.size
        train = distributed.scatter_dataset(train if comm.rank == 0 else None, comm, shuffle=True,
                                            seed=0)
        model = L.Classifier(distributed.create_mnbn_model(CNN(), comm))
        optimizer = distributed.create_multi_node_optimizer(optimizers.Adam(), comm)
    optimizer.setup(model)
    it = iterators.SerialIterator(train, batchsize // size)
    updater = training.StandardUpdater(it, optimizer)
    for _ in range(warmup):
        updater.update()
    barrier()
    start = time.perf_counter()
    for _ in range(steps):
        updater.update()
    barrier()
    seconds = time.perf_counter() - start
    if comm is None or comm.rank == 0:
        print(json.dumps({'examples_per_second': steps * (batchsize // size) * size / seconds}),
              flush=True)


def alexbn_worker(reps, batch):
    """Time AlexBN's forward/backward and its gradient average on every rank; JSON on rank 0."""
    import minigrad
    from minigrad import distributed
    from minigrad.models import AlexBN

    naive = distributed.create_communicator('naive')
    flat = distributed.create_communicator('flat')
    MPI = naive._MPI
    numpy.random.seed(0)
    model = AlexBN()
    rng = numpy.random.RandomState(naive.rank)
    x = rng.rand(batch, 3, 227, 227).astype(numpy.float32)
    t = rng.randint(0, 1000, batch).astype(numpy.int32)
    times = {'forward_backward': [], 'mean_grad_naive': [], 'mean_grad_flat': [],
             'bare_allreduce': [], 'bcast_data': []}

    def timed(name, func):
        naive.mpi_comm.Barrier()
        start = time.perf_counter()
        func()
        mine = time.perf_counter() - start
        times[name].append(naive.mpi_comm.allreduce(mine, op=MPI.MAX))

    def forward_backward():
        model.cleargrads()
        with minigrad.using_config('train', True):
            loss = model(x, t)
        loss.backward()

    forward_backward()          # initializes the lazy layers; warms up
    n_params = sum(p.data.size for p in model.params())
    distributed.check_same_model(naive, model, 'alexbn_worker')
    flat.multi_node_mean_grad(model)       # allocates flat's buffer once
    buf = numpy.ones(n_params, dtype=numpy.float32)
    for _ in range(reps):
        timed('forward_backward', forward_backward)
        timed('mean_grad_naive', lambda: naive.multi_node_mean_grad(model))
        timed('mean_grad_flat', lambda: flat.multi_node_mean_grad(model))
        timed('bare_allreduce', lambda: naive.mpi_comm.Allreduce(MPI.IN_PLACE, buf))
        timed('bcast_data', lambda: naive.bcast_data(model))
    if naive.rank == 0:
        print(json.dumps({'params': n_params, 'size': naive.size, 'batch': batch,
                          'times': times}), flush=True)


# ---------------------------------------------------------------------------
# Orchestrator

def launch(n, threads, args, env=None, timeout=1800):
    sys.path.insert(0, ROOT)
    from tests.distributed.launch import run_mpi
    result = run_mpi(n, [os.path.abspath(__file__)] + args, timeout=timeout, threads=threads,
                     env=env)
    if result.returncode != 0:
        raise RuntimeError('worker failed:\n' + result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


SPIN = {'OMPI_MCA_mpi_yield_when_idle': '0'}
CONFIGS = [           # (label, mode, ranks, threads, environment)
    ('plain 1x1', 'plain', 1, 1, {}),
    ('plain 1x2', 'plain', 1, 2, {}),
    ('mpi   1x1', 'mpi', 1, 1, {}),
    ('mpi   2x1', 'mpi', 2, 1, {}),
    ('mpi   2x1 spin', 'mpi', 2, 1, SPIN),
]


def scaling(args):
    rates = {label: [] for label, _, _, _, _ in CONFIGS}
    for _ in range(args.rounds):
        for label, mode, ranks, threads, env in CONFIGS:
            answer = launch(ranks, threads, ['--worker', 'train', '--mode', mode,
                                             '--batchsize', str(args.batchsize),
                                             '--steps', str(args.steps),
                                             '--warmup', str(args.warmup)], env=env)
            rates[label].append(answer['examples_per_second'])
    base, best_base = statistics.median(rates['plain 1x1']), max(rates['plain 1x1'])
    print('\nThe example\'s CNN on the digits, Adam, global batch {}, {} timed steps after {} '
          'warm-up, {} runs each; examples/s: median and best (the run least disturbed by '
          'other work); speed-up and efficiency (speed-up / cores): from the medians '
          '(from the best runs)'.format(
              args.batchsize, args.steps, args.warmup, args.rounds))
    print('{:15s} {:>5s} {:>7s} {:>12s} {:>8s}   {:>15s} {:>16s}'.format(
        'config', 'ranks', 'threads', 'examples/s', 'best', 'speed-up', 'efficiency'))
    rows = {}
    for label, mode, ranks, threads, _ in CONFIGS:
        r = rates[label]
        median, best = statistics.median(r), max(r)
        cores = ranks * threads
        rows[label] = {'median': median, 'best': best, 'runs': r,
                       'speedup_median': median / base, 'speedup_best': best / best_base,
                       'efficiency_best': best / best_base / cores}
        print('{:15s} {:>5d} {:>7d} {:>12.0f} {:>8.0f}   {:>7.2f} ({:>5.2f}) {:>8.0%} ({:>4.0%})'.format(
            label, ranks, threads, median, best, median / base, best / best_base,
            median / base / cores, best / best_base / cores))
    return rows


def alexbn(args):
    answer = launch(2, 1, ['--worker', 'alexbn', '--reps', str(args.reps),
                           '--alex-batch', str(args.alex_batch)])
    n_bytes = answer['params'] * 4
    print('\nAlexBN, {:,} parameters ({:.0f} MB of float32 gradients), 2 ranks x 1 thread, '
          'batch {} per rank; slowest rank, median of {}'.format(
              answer['params'], n_bytes / 1e6, answer['batch'], args.reps))
    print('{:44s} {:>10s} {:>22s} {:>10s}'.format('', 'seconds', '[min-max]', 'GB/s'))
    labels = {'forward_backward': 'forward + backward, batch {}'.format(answer['batch']),
              'mean_grad_naive': 'multi_node_mean_grad, naive (new buffer)',
              'mean_grad_flat': 'multi_node_mean_grad, flat (kept buffer)',
              'bare_allreduce': 'bare Allreduce of 62 M float32, in place',
              'bcast_data': 'bcast_data (the setup broadcast)'}
    rows = {}
    for key, label in labels.items():
        ts = answer['times'][key]
        median = statistics.median(ts)
        rows[key] = {'median': median, 'min': min(ts), 'max': max(ts)}
        rate = '' if key == 'forward_backward' else '{:.2f}'.format(n_bytes / median / 1e9)
        print('{:44s} {:>10.3f} {:>22s} {:>10s}'.format(
            label, median, '[{:.3f}-{:.3f}]'.format(min(ts), max(ts)), rate))
    print('(GB/s: gradient bytes / time, the "algorithm bandwidth")')
    step = rows['forward_backward']['median'] + rows['mean_grad_flat']['median']
    print('one data-parallel AlexBN step: {:.2f} s, {:.0%} of it averaging the gradients'.format(
        step, rows['mean_grad_flat']['median'] / step))
    return dict(rows, params=answer['params'])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--steps', type=int, default=30)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--batchsize', type=int, default=64, help='the global batch')
    parser.add_argument('--reps', type=int, default=5)
    parser.add_argument('--alex-batch', type=int, default=8)
    parser.add_argument('--skip-alexbn', action='store_true')
    parser.add_argument('--skip-scaling', action='store_true')
    parser.add_argument('--json', default='mpi_scaling.json')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--mode', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == 'train':
        return train_worker(args.mode, args.batchsize, args.steps, args.warmup)
    if args.worker == 'alexbn':
        return alexbn_worker(args.reps, args.alex_batch)

    # Other work on the machine slows the rows that need both cores the most: say how much there is.
    print('{} cores, load average {:.1f} before starting; OPENBLAS_CORETYPE={}'.format(
        os.cpu_count(), os.getloadavg()[0],
        os.environ.get('OPENBLAS_CORETYPE', '(OpenBLAS detects)')))
    results = {}
    if not args.skip_scaling:
        results['scaling'] = scaling(args)
    if not args.skip_alexbn:
        results['alexbn'] = alexbn(args)
    with open(args.json, 'w') as fh:
        json.dump(results, fh, indent=2)
    print('wrote', args.json)


if __name__ == '__main__':
    main()
