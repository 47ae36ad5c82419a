"""What the training tests share: a tiny classification run and a spy on its observations."""
import numpy

import minigrad.links as L
from minigrad import datasets, iterators, optimizers, training


def make_data(n, seed):
    """``n`` points in 2-d, labelled by the sign of x0 - x1."""
    rng = numpy.random.RandomState(seed)
    x = rng.randn(n, 2).astype(numpy.float32)
    t = (x[:, 0] - x[:, 1] > 0).astype(numpy.int32)
    return datasets.TupleDataset(x, t)


def make_trainer(out, stop=(2, 'epoch'), optimizer=None, model_seed=0, shuffle=False):
    """A Linear classifier on 40 points in batches of 10 (4 iterations per epoch), SGD(lr=0.1)."""
    numpy.random.seed(model_seed)
    model = L.Classifier(L.Linear(2, 2))
    optimizer = optimizers.SGD(lr=0.1) if optimizer is None else optimizer
    optimizer.setup(model)
    it = iterators.SerialIterator(make_data(40, 1), 10, shuffle=shuffle)
    updater = training.updaters.StandardUpdater(it, optimizer)
    return training.Trainer(updater, stop, out=str(out)), model


def validation_iterator(batch_size=4):
    """12 points; batches of 4 are equal, so the mean over batches is the mean over points."""
    return iterators.SerialIterator(make_data(12, 2), batch_size, repeat=False, shuffle=False)


def reference_loss_accuracy(model, dataset):
    """Softmax cross entropy and accuracy of the Linear predictor, one point at a time, in float64."""
    W = model.predictor.W.data.astype(numpy.float64)
    b = model.predictor.b.data.astype(numpy.float64)
    losses, hits = [], []
    for xi, ti in dataset:
        y = W @ xi.astype(numpy.float64) + b
        m = y.max()
        losses.append(m + numpy.log(numpy.exp(y - m).sum()) - y[ti])
        hits.append(float(y.argmax() == ti))
    return numpy.mean(losses), numpy.mean(hits)


class Spy:
    """Keeps a copy of every observation and calls ``probe(trainer)`` after everything else."""

    priority = -1000
    default_name = 'spy'

    def __init__(self, probe=None):
        self.observations = []
        self.probed = []
        self.probe = probe

    def __call__(self, trainer):
        self.observations.append(dict(trainer.observation))
        if self.probe is not None:
            self.probed.append(self.probe(trainer))


class FakeUpdater:
    """Iterations with a fixed epoch size, for trigger tests."""

    def __init__(self, epoch_size=4):
        self.epoch_size = epoch_size
        self.iteration = 0

    @property
    def epoch(self):
        return int(self.epoch_detail)

    @property
    def epoch_detail(self):
        return self.iteration / self.epoch_size


class FakeTrainer:
    """What a trigger reads: the updater, the observation, the time, whether training started."""

    def __init__(self, epoch_size=4):
        self.updater = FakeUpdater(epoch_size)
        self.observation = {}
        self.elapsed_time = 0.0

    @property
    def is_before_training(self):
        return self.updater.iteration == 0

    def step(self, observation=None, elapsed_time=None):
        """One iteration that reported ``observation``."""
        self.updater.iteration += 1
        self.observation = dict(observation or {})
        if elapsed_time is not None:
            self.elapsed_time = elapsed_time
