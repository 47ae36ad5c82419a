#!/usr/bin/env python
"""Train a small CNN on handwritten digits, the way Chainer's MNIST example does.

With no arguments it trains on the 8x8 digits that ship with scikit-learn
(nothing to download); ``--mnist DIR`` trains on the real MNIST IDX files in
``DIR`` instead, and ``--mnist`` alone on MNIST from the data set cache
(``$MINIGRAD_DATASET_ROOT/mnist``, downloaded there on first use, as Chainer's
``get_mnist()`` does).  Everything it learns goes to ``--out`` (default ``result/``):

    log           the training log (JSON, one entry per epoch)
    loss.png      training and validation loss per epoch
    accuracy.png  training and validation accuracy per epoch
    cg.dot/.svg   the computational graph of the first iteration
    conv1_filters.png  the first convolution's learned filters
    model.npz     the trained model (minigrad.serializers.load_npz reads it)
    snapshot_iter_*    trainer snapshots, for --resume

Usage::

    python examples/train_mnist.py                   # digits, about 20 s on 2 cores
    python examples/train_mnist.py --mnist ~/mnist --epoch 5
    python examples/train_mnist.py --mnist --epoch 5     # cached or downloaded MNIST
    python examples/train_mnist.py --resume result/snapshot_iter_450
"""
import argparse
import os

import numpy

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import datasets, iterators, optimizers, serializers, training
from minigrad.training import extensions


class CNN(minigrad.Chain):
    """conv-BN-ReLU-pool twice, then two fully connected layers.

    Input ``(N, 1, H, W)``: 8x8 digits or 28x28 MNIST (``Linear(None, ...)``
    works out its input size on the first batch).
    """

    def __init__(self, n_out=10):
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(1, 16, 3, pad=1, nobias=True)
            self.bn1 = L.BatchNormalization(16)
            self.conv2 = L.Convolution2D(16, 32, 3, pad=1, nobias=True)
            self.bn2 = L.BatchNormalization(32)
            self.fc3 = L.Linear(None, 64)
            self.fc4 = L.Linear(64, n_out)

    def forward(self, x):
        h = F.max_pooling_2d(F.relu(self.bn1(self.conv1(x))), 2)
        h = F.max_pooling_2d(F.relu(self.bn2(self.conv2(h))), 2)
        h = F.relu(self.fc3(h))
        return self.fc4(h)


def save_filters(W, path):
    """Draw each filter ``W[o, 0]`` as a small gray image in a grid."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('matplotlib is not installed: skipping {}'.format(path))
        return
    n = len(W)
    cols = 8
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(cols, rows))
    for ax, w in zip(axes.ravel(), W):
        ax.imshow(w[0], cmap='gray', interpolation='nearest')
    for ax in axes.ravel():
        ax.axis('off')
    fig.suptitle('conv1 filters')
    fig.savefig(path)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batchsize', '-b', type=int, default=32)
    parser.add_argument('--epoch', '-e', type=int, default=15)
    parser.add_argument('--out', '-o', default='result')
    parser.add_argument('--resume', '-r', default='', help='a snapshot to resume from')
    parser.add_argument('--mnist', nargs='?', const='', default=None, metavar='DIR',
                        help='train on the MNIST IDX files in DIR instead of the digits; '
                             'without DIR, on MNIST from the data set cache (downloaded once)')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    numpy.random.seed(args.seed)
    if args.mnist:
        train, test = datasets.read_mnist(args.mnist, ndim=3)
    elif args.mnist == '':
        train, test = datasets.get_mnist(ndim=3)
    else:
        train, test = datasets.get_digits(ndim=3)
    print('train: {} examples, test: {}, image shape {}'.format(
        len(train), len(test), train[0][0].shape))

    model = L.Classifier(CNN())
    optimizer = optimizers.Adam()
    optimizer.setup(model)

    train_iter = iterators.SerialIterator(train, args.batchsize)
    test_iter = iterators.SerialIterator(test, 256, repeat=False, shuffle=False)
    updater = training.StandardUpdater(train_iter, optimizer)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)

    trainer.extend(extensions.Evaluator(test_iter, model))
    trainer.extend(extensions.DumpGraph('main/loss'))
    trainer.extend(extensions.snapshot(), trigger=(args.epoch, 'epoch'))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PlotReport(['main/loss', 'validation/main/loss'],
                                         'epoch', filename='loss.png'))
    trainer.extend(extensions.PlotReport(['main/accuracy', 'validation/main/accuracy'],
                                         'epoch', filename='accuracy.png'))
    trainer.extend(extensions.PrintReport(
        ['epoch', 'main/loss', 'validation/main/loss',
         'main/accuracy', 'validation/main/accuracy', 'elapsed_time']))
    trainer.extend(extensions.ProgressBar())

    if args.resume:
        serializers.load_npz(args.resume, trainer)

    trainer.run()

    serializers.save_npz(os.path.join(args.out, 'model.npz'), model)
    save_filters(model.predictor.conv1.W.array, os.path.join(args.out, 'conv1_filters.png'))

    # The final test accuracy, computed once more over the whole test set.
    x, t = datasets.concat_examples(test)
    with minigrad.using_config('train', False), minigrad.no_backprop_mode():
        accuracy = float(F.accuracy(model.predictor(x), t).array)
    print('test accuracy: {:.4f} ({} examples), results in {}/'.format(
        accuracy, len(test), args.out))


if __name__ == '__main__':
    main()
