#!/usr/bin/env python
"""Train the CNN of train_mnist.py on several processes at once, as ChainerMN's MNIST example does.

Every process (rank) holds the whole model and trains on its own share of
the data; after each backward the ranks average their gradients over MPI,
so they all take the same step, the step of one process with the global
batch ``ranks * --batchsize``.  The BatchNormalization layers are made
multi-node, so they normalize by the statistics of that global batch too.
Rank 0 loads the data and sends each rank its share; rank 0 alone prints
the log and writes ``--out``::

    mpiexec -n 2 python examples/train_mnist_mpi.py               # the digits, 2 ranks
    mpiexec -n 2 python examples/train_mnist_mpi.py --mnist ~/mnist --epoch 5
    mpiexec -n 8 --hostfile hosts python examples/train_mnist_mpi.py   # several machines

(as root, Open MPI also wants ``--allow-run-as-root``; on fewer cores than
ranks, ``--oversubscribe``; on a machine busy with other work,
``--mca mpi_yield_when_idle 1``, so that a rank waiting for the others
yields its core instead of spinning).  With no ``mpiexec`` it runs as one rank.

The first step only copies rank 0's ``fc3`` to every rank: ``Linear(None, 64)``
gets its weights on the first batch, at random and so differently on each
rank (ChainerMN's rule; see create_multi_node_optimizer).
"""
import argparse
import os
import sys
import time

import numpy

import minigrad.links as L
from minigrad import datasets, distributed, iterators, optimizers, serializers, training
from minigrad.training import extensions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_mnist import CNN     # NOQA: E402  (the model of the single-process example)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batchsize', '-b', type=int, default=32, help='examples per rank and step')
    parser.add_argument('--epoch', '-e', type=int, default=15)
    parser.add_argument('--out', '-o', default='result/mpi')
    parser.add_argument('--mnist', default=None, metavar='DIR',
                        help='train on the MNIST IDX files in DIR instead of the digits')
    parser.add_argument('--communicator', default='naive', help="'naive' or 'flat'")
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    comm = distributed.create_communicator(args.communicator)
    numpy.random.seed(args.seed + comm.rank)     # each rank shuffles its share its own way
    if comm.rank == 0:
        train, test = (datasets.read_mnist(args.mnist, ndim=3) if args.mnist
                       else datasets.get_digits(ndim=3))
        print('{} ranks ({} machines), {} examples per rank and step; train: {} examples, '
              'test: {}'.format(comm.size, comm.inter_size, args.batchsize, len(train), len(test)))
    else:
        train, test = None, None
    train = distributed.scatter_dataset(train, comm, shuffle=True, seed=args.seed)
    test = distributed.scatter_dataset(test, comm)

    model = L.Classifier(distributed.create_mnbn_model(CNN(), comm))
    optimizer = distributed.create_multi_node_optimizer(optimizers.Adam(), comm)
    optimizer.setup(model)

    train_iter = iterators.SerialIterator(train, args.batchsize)
    test_iter = iterators.SerialIterator(test, 256, repeat=False, shuffle=False)
    updater = training.StandardUpdater(train_iter, optimizer)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)
    evaluator = distributed.create_multi_node_evaluator(
        extensions.Evaluator(test_iter, model), comm)
    trainer.extend(evaluator)
    if comm.rank == 0:          # one log, not one per rank (the training loss is rank 0's)
        trainer.extend(extensions.LogReport())
        trainer.extend(extensions.PrintReport(
            ['epoch', 'main/loss', 'validation/main/loss',
             'main/accuracy', 'validation/main/accuracy', 'elapsed_time']))

    start = time.perf_counter()
    trainer.run()
    seconds = time.perf_counter() - start

    result = evaluator()        # every rank takes part: the means are over all of them
    if comm.rank == 0:
        serializers.save_npz(os.path.join(args.out, 'model.npz'), model)
        examples = updater.iteration * args.batchsize * comm.size
        print('trained on {} examples in {:.1f} s ({:.0f} examples/s over {} ranks)'.format(
            examples, seconds, examples / seconds, comm.size))
        print('test accuracy: {:.4f}, results in {}/'.format(
            result['validation/main/accuracy'], args.out))


if __name__ == '__main__':
    main()
