#!/usr/bin/env python
"""AlexBN, the network of Chainer's ImageNet example, from the inside.

1. builds :class:`minigrad.models.AlexBN` and prints its summary (layer,
   type, output shape, parameters: 62,379,048 in all);
2. runs one training step on a random batch of 227 x 227 images: forward,
   backward, and an SGD update;
3. draws the graph of that step with every layer in its own labelled box
   (``alexbn.dot``, and ``alexbn.svg`` if Graphviz's ``dot`` is installed);
4. checks a small convolution layer's backward against numerical gradients.

Usage::

    python examples/alexbn.py                 # writes ./alexbn.dot and ./alexbn.svg
    python examples/alexbn.py --out /tmp/g --batchsize 2

About 10 s on 2 cores; initializing the 62 million weights is most of it.
"""
import argparse
import os
import time

import numpy

import minigrad
import minigrad.links as L
from minigrad import computational_graph, gradient_check, optimizers
from minigrad.models import AlexBN


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='.', help='directory for alexbn.dot and alexbn.svg')
    parser.add_argument('--batchsize', type=int, default=4, help='images in the training batch')
    parser.add_argument('--lr', type=float, default=0.01, help='SGD learning rate')
    parser.add_argument('--seed', type=int, default=0, help='seed of NumPy, so runs repeat')
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    numpy.random.seed(args.seed)
    start = time.time()

    # 1. The model and its summary.  The layers learn their input sizes from
    # the first call (L.Convolution2D(None, 96, 11, stride=4)), so the summary
    # runs one example image through the model, in test mode.
    model = AlexBN()
    size = model.insize
    x1 = numpy.random.uniform(-1, 1, (1, 3, size, size)).astype(numpy.float32)
    t1 = numpy.zeros(1, dtype=numpy.int32)
    print(minigrad.summary(model, x1, t1))
    print()

    # 2. One training step on a random batch.
    x = numpy.random.uniform(-1, 1, (args.batchsize, 3, size, size)).astype(numpy.float32)
    t = numpy.random.randint(0, 1000, args.batchsize).astype(numpy.int32)
    optimizer = optimizers.SGD(lr=args.lr).setup(model)
    before = model.fc8.W.data.copy()
    model.cleargrads()
    loss = model(x, t)
    loss.backward()
    optimizer.update()
    change = float(numpy.abs(model.fc8.W.data - before).max())
    print('one SGD step on {} random {}x{} images: loss {:.4f}, accuracy {:.2f}, '
          'largest change of fc8/W {:.2e} (lr {})'.format(
              args.batchsize, size, size, float(loss.data), float(model.accuracy.data),
              change, args.lr))

    # 3. The graph of that step, one box per layer.
    graph = computational_graph.build_computational_graph([loss], group_by_link=model)
    dot_path = os.path.join(args.out, 'alexbn.dot')
    with open(dot_path, 'w') as f:
        f.write(graph.dump())
    print('wrote', dot_path)
    svg_path = os.path.join(args.out, 'alexbn.svg')
    try:
        graph.render(svg_path)
        print('wrote', svg_path)
    except (RuntimeError, ImportError) as e:     # no `dot` program or no graphviz package
        print('did not write {}: {}'.format(svg_path, e))

    # 4. A layer's backward against central differences, in float64.
    conv = L.Convolution2D(3, 4, 3, stride=2, pad=1)
    xs = numpy.random.standard_normal((2, 3, 7, 7))
    gy = numpy.random.standard_normal((2, 4, 4, 4))
    gradient_check.check_backward(conv, xs, gy, dtype=numpy.float64)
    print('gradient check of Convolution2D(3, 4, 3, stride=2, pad=1) on (2, 3, 7, 7): '
          'backward matches numerical gradients of x, W and b')
    print('done in {:.1f} s'.format(time.time() - start))


if __name__ == '__main__':
    main()
