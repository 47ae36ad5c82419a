"""The parts of minigrad.distributed that need no MPI runtime, checked in this process.

A stand-in communicator of one rank (its collectives return their input)
lets multi-node batch normalization be compared with the plain one.
"""
import os
import subprocess
import sys

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import distributed, optimizers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class OneRank:
    """What the distributed code asks of a communicator, for a single rank."""

    rank, size = 0, 1

    def allreduce(self, x):
        return numpy.array(x)

    def allgather_obj(self, obj):
        return [obj]


class Gathered(OneRank):
    """A rank 0 that 'gathers' fixed layouts, to see the mismatch message."""

    def __init__(self, others):
        self.others = others

    def allgather_obj(self, obj):
        return [obj] + self.others


@pytest.mark.parametrize('n, size, expected', [
    (5, 2, [(0, 3), (2, 5)]),
    (10, 3, [(0, 4), (3, 7), (6, 10)]),
    (4, 4, [(0, 1), (1, 2), (2, 3), (3, 4)]),
    (2, 3, [(0, 1), (0, 1), (1, 2)]),
    (0, 2, [(0, 0), (0, 0)]),
])
def test_share_ranges_follows_chainermn_padding(n, size, expected):
    assert distributed.share_ranges(n, size) == expected


@pytest.mark.parametrize('n, size, expected', [
    (5, 2, [(0, 3), (3, 5)]),
    (10, 3, [(0, 4), (4, 7), (7, 10)]),
    (2, 3, [(0, 1), (1, 2), (2, 2)]),
])
def test_share_ranges_without_padding_partitions(n, size, expected):
    assert distributed.share_ranges(n, size, force_equal_length=False) == expected


@pytest.mark.parametrize('name', ['pure_nccl', 'hierarchical', 'non_cuda_aware'])
def test_gpu_communicators_are_refused_clearly(name):
    with pytest.raises(ValueError, match="{!r} is a GPU communicator.*use 'naive' or 'flat'"
                       .format(name)):
        distributed.create_communicator(name)


def test_unknown_communicator():
    with pytest.raises(ValueError, match=r"expect communicator_name in \('naive', 'flat'\), "
                                         r"actual 'fast'"):
        distributed.create_communicator('fast')


def test_double_buffering_is_refused_clearly():
    with pytest.raises(ValueError, match='double_buffering needs the pure_nccl communicator'):
        distributed.create_multi_node_optimizer(optimizers.SGD(), OneRank(), double_buffering=True)


def test_layout_mismatch_message_names_rank_parameter_and_shapes():
    model = L.Classifier(L.Linear(3, 2))
    other = [('/predictor/W', ((2, 4), 'float32')), ('/predictor/b', ((2,), 'float64')),
             ('/predictor/extra', None)]
    with pytest.raises(distributed.RankMismatchError) as info:
        distributed.check_same_model(Gathered([other]), model, 'f')
    message = str(info.value)
    assert message.startswith('f: the model differs between the ranks')
    assert 'rank 1 has /predictor/W (2, 4) float32 where rank 0 has (2, 3) float32' in message
    assert 'rank 1 has /predictor/b (2,) float64 where rank 0 has (2,) float32' in message
    assert 'rank 1 has a parameter /predictor/extra (uninitialized) that rank 0 lacks' in message
    distributed.check_same_model(OneRank(), model, 'f')     # alone, nothing to disagree with


@pytest.mark.parametrize('shape', [(6, 3), (4, 3, 5, 2)])
def test_multi_node_batch_normalization_on_one_rank_is_batch_normalization(shape):
    rng = numpy.random.RandomState(0)
    x = rng.randn(*shape).astype(numpy.float32)
    gy = rng.randn(*shape).astype(numpy.float32)
    plain = L.BatchNormalization(3)
    multi = distributed.MultiNodeBatchNormalization(3, OneRank())
    for link in (plain, multi):
        link.gamma.data[...] = [0.5, 1.0, 2.0]
        link.beta.data[...] = [0.1, -0.2, 0.3]
    outputs = []
    for link in (plain, multi):
        xv = minigrad.Variable(x.copy())
        y = link(xv)
        F.sum(y * gy).backward()
        outputs.append((y.data, xv.grad, link.gamma.grad, link.beta.grad,
                        link.avg_mean.copy(), link.avg_var.copy()))
    for expected, got in zip(*outputs):
        assert got.dtype == numpy.float32
        numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    with minigrad.using_config('train', False):     # testing: the running averages
        numpy.testing.assert_allclose(multi(x).data, plain(x).data, rtol=1e-6)


def test_create_mnbn_model_replaces_every_batch_normalization():
    class Net(minigrad.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.bn = L.BatchNormalization(3)
                self.seq = minigrad.Sequential(L.Linear(3, 3), L.BatchNormalization(3))

    net = Net()
    net.bn.gamma.data[...] = 2
    net.bn.avg_mean[...] = 5
    mn = distributed.create_mnbn_model(net, OneRank())
    assert type(net.bn) is L.BatchNormalization         # the original is left alone
    assert isinstance(mn.bn, distributed.MultiNodeBatchNormalization)
    assert isinstance(mn.seq[1], distributed.MultiNodeBatchNormalization)
    assert [name for name, _ in mn.namedparams()] == [name for name, _ in net.namedparams()]
    numpy.testing.assert_array_equal(mn.bn.gamma.data, 2)
    numpy.testing.assert_array_equal(mn.bn.avg_mean, 5)


@pytest.mark.parametrize('code', [
    # import minigrad does not import the package...
    'import sys, minigrad; assert "minigrad.distributed" not in sys.modules',
    # ...and the package imports mpi4py only when a communicator is created
    'import sys, minigrad.distributed; assert "mpi4py" not in sys.modules',
])
def test_import_imports_no_mpi(code):
    result = subprocess.run([sys.executable, '-c', code + '; print("ok")'], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert result.stdout.strip() == 'ok', result.stderr


def test_multi_node_batch_normalization_checks_its_inputs():
    from minigrad.distributed.batch_normalization import MultiNodeBatchNormalizationFunction
    x = numpy.zeros((4, 3, 2, 2), dtype=numpy.float32)
    gamma = numpy.ones(2, dtype=numpy.float32)
    with pytest.raises(minigrad.type_check.InvalidType,
                       match=r'MultiNodeBatchNormalization eps=2e-05: expect '
                             r'gamma.shape\[0\] == x.shape\[1\], actual 2 != 3'):
        MultiNodeBatchNormalizationFunction(OneRank()).apply((x, gamma, gamma))
