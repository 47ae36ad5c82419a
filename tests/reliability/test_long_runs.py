"""Long runs stay flat: 300 training iterations keep no memory, no graph, no Function alive.

Each step builds a graph (conv, BN, relu, pool, linear, softmax cross
entropy), back-propagates, updates with MomentumSGD and a WeightDecay hook,
and reports loss and accuracy.  Between iteration 50 (everything warmed up:
optimizer state, BN statistics, lazy parameters) and iteration 300,
``tracemalloc`` must see no growth beyond a small slack, and the number of
live Function and Variable objects must not change: the graph of each step
is freed, and neither the reporter, the optimizer nor the hooks keep
references to it.  Evaluation under ``no_backprop_mode`` records no graph.
"""
import gc
import tracemalloc

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import FunctionNode, Variable, datasets, iterators, optimizers, training
from minigrad.optimizer_hooks import WeightDecay
from minigrad.training import extensions

WARM = 50
TOTAL = 300
SLACK = 64 * 1024       # bytes: allocator noise, interned strings; a leaked graph is far larger


class SmallCNN(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(1, 4, 3, pad=1)
            self.bn = L.BatchNormalization(4)
            self.fc = L.Linear(None, 10)

    def forward(self, x):
        h = F.max_pooling_2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(h)


def tiny_data(n=64):
    rng = numpy.random.RandomState(0)
    x = rng.randn(n, 1, 8, 8).astype(numpy.float32)
    t = rng.randint(0, 10, n).astype(numpy.int32)
    return x, t


def live(kind):
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, kind))


def traced():
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def growth_report(before, after):
    stats = after.compare_to(before, 'lineno')[:8]
    return '\n'.join(str(s) for s in stats)


@pytest.fixture
def tracing():
    tracemalloc.start(1)
    try:
        yield
    finally:
        tracemalloc.stop()


def test_300_iterations_of_a_hand_written_loop_stay_flat(tracing):
    numpy.random.seed(0)
    model = L.Classifier(SmallCNN())
    optimizer = optimizers.MomentumSGD(lr=0.01)
    optimizer.setup(model)
    optimizer.add_hook(WeightDecay(1e-4))
    reporter = minigrad.Reporter()
    reporter.add_observer('main', model)
    x_all, t_all = tiny_data()
    observations = []
    marks = {}
    for i in range(1, TOTAL + 1):
        batch = slice((i * 8) % 64, (i * 8) % 64 + 8)
        observation = {}
        with reporter.scope(observation):
            optimizer.update(model, x_all[batch], t_all[batch])
        observations.append(observation['main/loss'])     # what a user keeps: numbers
        if i in (WARM, TOTAL):
            marks[i] = (traced(), tracemalloc.take_snapshot(), live(FunctionNode), live(Variable))
    observations = None
    mem_warm, snap_warm, funcs_warm, vars_warm = marks[WARM]
    mem_end, snap_end, funcs_end, vars_end = marks[TOTAL]
    # The 250 floats of observations are the only thing that should grow (~8 KB with the list).
    assert mem_end - mem_warm < SLACK, growth_report(snap_warm, snap_end)
    assert funcs_end == funcs_warm, (funcs_warm, funcs_end)
    assert vars_end == vars_warm, (vars_warm, vars_end)
    # The last step's graph is all that is alive (the Classifier keeps its loss and y).
    assert funcs_end < 20
    assert isinstance(observation['main/loss'], float)
    assert isinstance(observation['main/accuracy'], float)


def test_300_iterations_of_the_trainer_stay_flat(tmp_path, tracing):
    numpy.random.seed(0)
    model = L.Classifier(SmallCNN())
    optimizer = optimizers.MomentumSGD(lr=0.01)
    optimizer.setup(model)
    optimizer.add_hook(WeightDecay(1e-4))
    x, t = tiny_data()
    train_iter = iterators.SerialIterator(datasets.TupleDataset(x, t), 8)
    updater = training.StandardUpdater(train_iter, optimizer)
    trainer = training.Trainer(updater, (TOTAL, 'iteration'), out=str(tmp_path))
    trainer.extend(extensions.LogReport(trigger=(WARM, 'iteration')))
    marks = {}

    def measure(trainer):
        it = trainer.updater.iteration
        if it in (WARM, TOTAL):
            marks[it] = (traced(), tracemalloc.take_snapshot(), live(FunctionNode), live(Variable))
    measure.name = 'measure'
    # After LogReport (priority lower than its writer priority): the log entry is already in.
    trainer.extend(measure, trigger=(1, 'iteration'), priority=-1000)
    trainer.run()
    mem_warm, snap_warm, funcs_warm, vars_warm = marks[WARM]
    mem_end, snap_end, funcs_end, vars_end = marks[TOTAL]
    # Five more log entries (a few hundred bytes each) are the only expected growth.
    assert mem_end - mem_warm < SLACK, growth_report(snap_warm, snap_end)
    assert funcs_end == funcs_warm, (funcs_warm, funcs_end)
    assert vars_end == vars_warm, (vars_warm, vars_end)
    log = trainer.get_extension('LogReport').log
    assert len(log) == TOTAL // WARM
    assert all(isinstance(entry['main/loss'], float) for entry in log)


def test_evaluation_in_no_backprop_mode_creates_no_graph():
    numpy.random.seed(0)
    model = L.Classifier(SmallCNN())
    x, t = tiny_data(16)
    model(x, t)                 # lazy parameters are allocated; a graph exists now
    model.cleargrads()
    model.y = model.loss = model.accuracy = None
    before = live(FunctionNode)
    bn = model.predictor.bn
    mean_before = bn.avg_mean.copy()
    with minigrad.using_config('train', False), minigrad.no_backprop_mode():
        for _ in range(20):
            y = model.predictor(x)
            assert y.creator is None
            loss = F.softmax_cross_entropy(y, t)
            assert loss.creator is None
            acc = F.accuracy(y, t)
            assert acc.creator is None
        # Not one Function of the 20 evaluations survives them.
        assert live(FunctionNode) == before
    assert numpy.array_equal(bn.avg_mean, mean_before)      # test mode: statistics untouched
    assert all(p.grad is None for p in model.params())
    with pytest.warns(RuntimeWarning, match='has no graph'):
        loss.backward()         # a leaf: nothing to do, no gradient appears, and it says so
    assert all(p.grad is None for p in model.params())


def test_evaluator_extension_creates_no_graph(tmp_path):
    numpy.random.seed(0)
    model = L.Classifier(SmallCNN())
    x, t = tiny_data(32)
    model(x[:2], t[:2])
    model.y = model.loss = model.accuracy = None
    before = live(FunctionNode)
    test_iter = iterators.SerialIterator(datasets.TupleDataset(x, t), 8, repeat=False, shuffle=False)
    evaluator = extensions.Evaluator(test_iter, model)
    result = evaluator()        # as the trainer calls it (outside a trainer too, as in Chainer)
    assert set(result) >= {'main/loss', 'main/accuracy'}
    assert isinstance(result['main/loss'], float)
    # The Classifier keeps its last y/loss; evaluated without backprop they have no creator.
    assert model.loss.creator is None and model.y.creator is None
    assert live(FunctionNode) == before
