"""What the MPI scripts and the tests that check them share: models and data, from seeds."""
import importlib.util
import os

import numpy

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import datasets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
K_STEPS = 5         # SGD steps compared
BATCH = 8           # examples per rank and step (the single process takes 2 * BATCH)
LR = 0.1


class MLP(minigrad.Chain):
    def __init__(self, n_hidden=16):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(6, n_hidden)
            self.l2 = L.Linear(n_hidden, 4)

    def forward(self, x):
        return self.l2(F.relu(self.l1(x)))


def example_cnn():
    """The CNN of examples/train_mnist.py (conv-BN-ReLU-pool twice, two Linear layers)."""
    path = os.path.join(ROOT, 'examples', 'train_mnist.py')
    spec = importlib.util.spec_from_file_location('train_mnist_example', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CNN()


def make_model(kind, seed):
    """``'mlp'`` or ``'cnn'`` as a Classifier, initialized from ``seed`` (lazy layers included)."""
    numpy.random.seed(seed)
    model = L.Classifier(MLP() if kind == 'mlp' else example_cnn())
    if kind == 'cnn':      # Linear(None, 64) takes its shape from a first batch (no statistics kept)
        with minigrad.using_config('train', False), minigrad.no_backprop_mode():
            model.predictor(numpy.zeros((1, 1, 8, 8), dtype=numpy.float32))
    return model


def step_batches(kind, size):
    """``K_STEPS`` global batches of ``size * BATCH`` examples: ``[(x, t), ...]``."""
    rng = numpy.random.RandomState(123)
    shape = (6,) if kind == 'mlp' else (1, 8, 8)
    classes = 4 if kind == 'mlp' else 10
    return [(rng.randn(size * BATCH, *shape).astype(numpy.float32),
             rng.randint(0, classes, size * BATCH).astype(numpy.int32)) for _ in range(K_STEPS)]


def evaluation_set(n):
    """``n`` labelled points for the MLP."""
    rng = numpy.random.RandomState(7)
    return datasets.TupleDataset(rng.randn(n, 6).astype(numpy.float32),
                                 rng.randint(0, 4, n).astype(numpy.int32))


def params_of(model):
    return {name: p.data.copy() for name, p in model.namedparams()}
