"""Link.copy(mode) and Link.repeat / Sequential.repeat: what is shared, copied, re-initialized."""
import pickle

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import initializers
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


class Block(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.fc = L.Linear(3, 4)
            self.bn = L.BatchNormalization(4)
            self.scale = minigrad.Parameter(initializers.Normal(1.0), (4,))
        self.note = 'kept'

    def forward(self, x):
        return F.relu(self.bn(self.fc(x)) * self.scale)


def params(link):
    return dict(link.namedparams())


def test_share():
    block = Block()
    block.fc.W.grad = numpy.ones((4, 3), dtype=numpy.float32)
    twin = block.copy(mode='share')
    assert type(twin) is Block and twin is not block and twin.name is None
    assert twin.fc is not block.fc and twin.bn is not block.bn
    assert twin.fc.name == 'fc' and twin.note == 'kept'
    assert list(params(twin)) == list(params(block)) == ['/scale', '/fc/W', '/fc/b', '/bn/gamma',
                                                         '/bn/beta']
    for path, p in params(twin).items():
        assert p is not params(block)[path]
        assert p.array is params(block)[path].array         # the same arrays
        assert p.grad is None
    assert block.fc.W.grad is not None                      # the original's gradient is untouched
    assert twin.bn.avg_mean is block.bn.avg_mean            # persistents are shared too
    # Training one trains the other.
    block.fc.W.array[...] = 7
    assert (twin.fc.W.array == 7).all()
    # The registries are the copy's own: registering on it leaves the original alone.
    with twin.init_scope():
        twin.extra = L.Linear(2, 2)
    assert 'extra' not in block._children and not hasattr(block, 'extra')


def test_copy():
    block = Block()
    twin = block.copy(mode='copy')
    assert type(twin) is Block and twin.fc is not block.fc and twin.name is None
    for path, p in params(twin).items():
        original = params(block)[path]
        assert p is not original and p.array is not original.array
        numpy.testing.assert_array_equal(p.array, original.array)
    assert twin.bn.avg_mean is not block.bn.avg_mean
    block.fc.W.array[...] = 7
    assert not (twin.fc.W.array == 7).any()


def test_init():
    block = Block()
    block.bn.gamma.array[...] = 3           # an initializer of constant 1 fills it again
    twin = block.copy(mode='init')
    assert type(twin) is Block and twin.name is None
    for path, p in params(twin).items():
        assert p.array is not params(block)[path].array
        assert p.dtype == params(block)[path].dtype
    assert not numpy.array_equal(twin.fc.W.array, block.fc.W.array)
    assert not numpy.array_equal(twin.scale.array, block.scale.array)
    assert (twin.bn.gamma.array == 1).all() and (block.bn.gamma.array == 3).all()
    assert not twin.fc.b.array.any()
    x = numpy.random.randn(5, 3).astype(numpy.float32)
    assert twin(x).shape == block(x).shape == (5, 4)


def test_init_draws_anew_for_every_copy_even_with_an_rng():
    # An initializer holding its own generator is shared, not copied, so two
    # copies do not repeat each other's draws.
    link = L.Linear(3, 3, initialW=initializers.Normal(1.0, rng=numpy.random.RandomState(1)))
    a, b = link.copy('init'), link.copy('init')
    assert not numpy.array_equal(a.W.array, b.W.array)
    assert a.W.initializer is link.W.initializer


def test_init_keeps_float64_and_array_initial_values():
    W = numpy.arange(6.0).reshape(2, 3)
    link = L.Linear(3, 2, initialW=W)
    with minigrad.using_config('dtype', numpy.float64):
        link64 = L.Linear(3, 2)
    assert link64.W.dtype == numpy.float64
    assert link64.copy('init').W.dtype == numpy.float64
    numpy.testing.assert_array_equal(link.copy('init').W.array, W)     # the constant again
    raw = minigrad.Link()
    with raw.init_scope():
        raw.p = minigrad.Parameter(numpy.arange(3.0))
    twin = raw.copy('init')
    numpy.testing.assert_array_equal(twin.p.array, [0, 1, 2])
    assert twin.p.array is not raw.p.array


def test_uninitialized_parameters_stay_uninitialized():
    link = L.Convolution2D(None, 2, 3)
    for mode in ('share', 'copy', 'init'):
        twin = link.copy(mode)
        assert twin.W.array is None
        twin(numpy.ones((1, 4, 3, 3), dtype=numpy.float32))
        assert twin.W.shape == (2, 4, 3, 3) and link.W.array is None


def test_tied_parameters_stay_tied():
    a = L.Linear(2, 2)
    model = minigrad.Chain(first=a, second=L.Linear(2, 2))
    with model.second.init_scope():
        model.second.W = a.W                  # tied weights
    for mode in ('share', 'copy', 'init'):
        twin = model.copy(mode)
        assert twin.second.W is twin.first.W
        assert len(list(twin.params())) == 3


def test_chain_list_and_sequential():
    seq = minigrad.Sequential(L.Linear(3, 4), F.relu, L.Linear(4, 2), lambda h: h * 2)
    for mode in ('share', 'copy', 'init'):
        twin = seq.copy(mode)
        assert type(twin) is minigrad.Sequential and len(twin) == 4
        assert twin[1] is F.relu and twin[3] is seq[3]
        assert twin[0] is not seq[0] and twin._children == [twin[0], twin[2]]
        assert [name for name, _ in twin.namedparams()] == ['/0/W', '/0/b', '/1/W', '/1/b']
        assert (twin[0].W.array is seq[0].W.array) == (mode == 'share')
        x = numpy.random.randn(2, 3).astype(numpy.float32)
        if mode != 'init':
            numpy.testing.assert_allclose(twin(x).array, seq(x).array)
    chain_list = minigrad.ChainList(L.Linear(2, 2), L.Linear(2, 1))
    twin = chain_list.copy('share')
    assert type(twin) is minigrad.ChainList and len(twin) == 2 and twin[0] is not chain_list[0]
    assert twin[1].W.array is chain_list[1].W.array and twin[1].name == '1'


def test_a_child_copy_forgets_its_name():
    model = minigrad.Chain(fc=L.Linear(2, 2))
    assert model.fc.name == 'fc'
    for mode in ('share', 'copy', 'init'):
        assert model.fc.copy(mode).name is None


def test_bad_mode():
    with pytest.raises(InvalidType, match=r"Link.copy: expect mode 'share', 'copy' or 'init', "
                                          r"actual mode == 'deep'"):
        L.Linear(2, 2).copy('deep')
    with pytest.raises(InvalidType, match=r"Link.repeat: expect mode 'share', 'copy' or 'init'"):
        L.Linear(2, 2).repeat(2, mode='deep')


# ---------------------------------------------------------------------------
# repeat

def test_repeat_init():
    block = Block()
    net = block.repeat(3)
    assert type(net) is minigrad.Sequential and len(net) == 3
    assert [link.name for link in net] == ['0', '1', '2']
    assert len({id(link) for link in net} | {id(block)}) == 4
    Ws = [link.fc.W.array for link in net] + [block.fc.W.array]
    for i in range(4):
        for j in range(i):
            assert not numpy.array_equal(Ws[i], Ws[j])
    assert len(list(net.params())) == 3 * 5
    assert L.Linear(4, 4).repeat(3)(numpy.ones((1, 4), dtype=numpy.float32)).shape == (1, 4)


def test_repeat_copy_and_share():
    link = L.Linear(3, 3)
    copies = link.repeat(2, mode='copy')
    assert copies[0] is not copies[1]
    assert copies[0].W.array is not copies[1].W.array
    numpy.testing.assert_array_equal(copies[0].W.array, copies[1].W.array)
    numpy.testing.assert_array_equal(copies[0].W.array, link.W.array)
    shared = link.repeat(2, mode='share')
    assert shared[0] is not shared[1]
    assert shared[0].W.array is shared[1].W.array is link.W.array


@pytest.mark.parametrize('n', [0, -1])
def test_repeat_nothing(n):
    net = L.Linear(2, 2).repeat(n)
    assert type(net) is minigrad.Sequential and len(net) == 0


def test_sequential_repeat_nests():
    seq = minigrad.Sequential(L.Linear(2, 2), F.relu)
    net = seq.repeat(2)
    assert type(net) is minigrad.Sequential and len(net) == 2
    assert type(net[0]) is minigrad.Sequential and net[0][1] is F.relu
    assert not numpy.array_equal(net[0][0].W.array, net[1][0].W.array)
    assert [name for name, _ in net.namedparams()] == ['/0/0/W', '/0/0/b', '/1/0/W', '/1/0/b']
    assert net(numpy.ones((1, 2), dtype=numpy.float32)).shape == (1, 2)
    shared = seq.repeat(2, mode='share')
    assert shared[0][0].W.array is shared[1][0].W.array is seq[0].W.array


def test_repeated_model_trains_and_pickles():
    net = L.Linear(2, 2).repeat(2)
    optimizer = minigrad.optimizers.SGD(lr=0.1).setup(net)
    before = [p.array.copy() for p in net.params()]
    loss = F.sum(net(numpy.ones((3, 2), dtype=numpy.float32)))
    net.cleargrads()
    loss.backward()
    optimizer.update()
    assert all(not numpy.array_equal(b, p.array) for b, p in zip(before, net.params()) if
               p.grad is not None and p.grad.any())
    again = pickle.loads(pickle.dumps(net))
    numpy.testing.assert_array_equal(again[1].W.array, net[1].W.array)
