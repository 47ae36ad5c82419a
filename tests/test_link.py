"""Link, Chain, ChainList and Sequential: registration, traversal, copying, scopes."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import Chain, ChainList, Link, Parameter, Sequential, Variable


class Affine(Link):
    """``y = x * a + c`` elementwise: a Link built only from Variable operators."""

    def __init__(self, size, a=1.0, c=0.0):
        super().__init__()
        with self.init_scope():
            self.a = Parameter(numpy.full(size, a, dtype=numpy.float32))
            self.c = Parameter(numpy.full(size, c, dtype=numpy.float32))

    def forward(self, x):
        return x * self.a + self.c


def alex_v1():
    class AlexBN(Chain):
        insize = 227

        def __init__(self):
            super().__init__(
                conv1=L.Convolution2D(3, 96, 11, stride=4),
                bn1=L.BatchNormalization(96),
                conv2=L.Convolution2D(96, 256, 5, pad=2),
                fc6=L.Linear(256, 64),
                fc8=L.Linear(64, 10),
            )
            self.train = True

    return AlexBN()


def alex_v2():
    class AlexBN(Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.conv1 = L.Convolution2D(3, 96, 11, stride=4)
                self.bn1 = L.BatchNormalization(96)
                self.conv2 = L.Convolution2D(96, 256, 5, pad=2)
                self.fc6 = L.Linear(256, 64)
                self.fc8 = L.Linear(64, 10)
            self.train = True

    return AlexBN()


ALEX_PARAMS = [
    ('/conv1/W', (96, 3, 11, 11)), ('/conv1/b', (96,)),
    ('/bn1/gamma', (96,)), ('/bn1/beta', (96,)),
    ('/conv2/W', (256, 96, 5, 5)), ('/conv2/b', (256,)),
    ('/fc6/W', (64, 256)), ('/fc6/b', (64,)),
    ('/fc8/W', (10, 64)), ('/fc8/b', (10,)),
]


# ---------------------------------------------------------------------------
# Registration

def test_v1_keywords_and_v2_init_scope_give_the_same_namedparams():
    for model in (alex_v1(), alex_v2()):
        got = [(path, p.shape) for path, p in model.namedparams()]
        assert got == ALEX_PARAMS
        assert model.train is True
        assert [p.name for p in model.params()] == [path.rsplit('/', 1)[1] for path, _ in ALEX_PARAMS]


def test_params_keep_definition_order_not_alphabetical():
    class Z(Link):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.zeta = Parameter(numpy.zeros(1, 'f'))
                self.alpha = Parameter(numpy.zeros(2, 'f'))
                self.mid = Parameter(numpy.zeros(3, 'f'))

    assert [path for path, _ in Z().namedparams()] == ['/zeta', '/alpha', '/mid']


def test_parameters_outside_init_scope_and_plain_values_are_not_registered():
    link = Affine(2)
    link.extra = Parameter(numpy.zeros(2, 'f'))   # outside init_scope
    with link.init_scope():
        link.flag = True
        link.arr = numpy.zeros(3)
    assert [path for path, _ in link.namedparams()] == ['/a', '/c']


def test_v1_link_keyword_params():
    link = Link(W=(2, 3), b=((4,), numpy.float64))
    assert [(path, p.shape, p.dtype) for path, p in link.namedparams()] == [
        ('/W', (2, 3), numpy.float32), ('/b', (4,), numpy.float64)]
    assert numpy.isnan(link.W.data).all()


def test_add_param_shapes_initializers_and_lazy():
    link = Link()
    link.add_param('W', (2, 3), initializer=minigrad.initializers.Constant(2.0))
    link.add_param('v', (3,), dtype=numpy.float64, initializer=0.5)
    link.add_param('lazy')
    assert link.W.dtype == numpy.float32 and (link.W.data == 2).all()
    assert link.v.dtype == numpy.float64 and (link.v.data == 0.5).all()
    assert link.lazy.data is None
    assert [path for path, _ in link.namedparams(include_uninit=False)] == ['/W', '/v']
    assert [path for path, _ in link.namedparams()] == ['/W', '/v', '/lazy']
    with pytest.raises(AttributeError, match="'W'.*attribute exists"):
        link.add_param('W', (1,))


def test_add_persistent_is_saved_but_not_a_param():
    link = Affine(2)
    link.add_persistent('count', 3)
    link.add_persistent('stats', numpy.arange(4.0))
    assert [path for path, _ in link.namedparams()] == ['/a', '/c']
    target = {}
    minigrad.serializers.DictionarySerializer(target).save(link)
    assert list(target) == ['a', 'c', 'count', 'stats']
    assert target['count'] == 3 and target['stats'].tolist() == [0, 1, 2, 3]
    with pytest.raises(AttributeError, match='count'):
        link.add_persistent('count', 4)
    with pytest.raises(AttributeError, match='non-existent'):
        link.register_persistent('nothing')


def test_setting_a_registered_param_to_another_kind_unregisters_it():
    link = Affine(2)
    link.c = None
    assert [path for path, _ in link.namedparams()] == ['/a']
    chain = Chain(x=Affine(1), y=Affine(1))
    chain.x = 'gone'
    assert [path for path, _ in chain.namedlinks()] == ['/', '/y']


def test_a_name_taken_by_a_method_cannot_be_registered():
    chain = Chain()
    with pytest.raises(AttributeError, match="'params'.*method or property"):
        with chain.init_scope():
            chain.params = Affine(1)
    with pytest.raises(AttributeError, match="'forward'"):
        with chain.init_scope():
            chain.forward = Parameter(numpy.zeros(1, 'f'))
    with pytest.raises(AttributeError, match="'cleargrads'.*method or property"):
        chain.add_link('cleargrads', Affine(1))


def test_add_link_rejects_non_links():
    with pytest.raises(TypeError, match='non-link'):
        Chain(x=3)
    with pytest.raises(TypeError, match='non-link'):
        ChainList(Affine(1), 'no')


# ---------------------------------------------------------------------------
# Traversal

def nested():
    inner = Chain(p=Affine(2), q=Affine(3))
    with inner.init_scope():
        inner.own = Parameter(numpy.zeros(4, 'f'))
    return Chain(first=Affine(1), inner=inner, stack=ChainList(Affine(5), Affine(6)))


def test_namedparams_paths_and_order():
    model = nested()
    assert [(path, p.shape) for path, p in model.namedparams()] == [
        ('/first/a', (1,)), ('/first/c', (1,)),
        ('/inner/own', (4,)),
        ('/inner/p/a', (2,)), ('/inner/p/c', (2,)),
        ('/inner/q/a', (3,)), ('/inner/q/c', (3,)),
        ('/stack/0/a', (5,)), ('/stack/0/c', (5,)),
        ('/stack/1/a', (6,)), ('/stack/1/c', (6,)),
    ]


def test_links_namedlinks_children():
    model = nested()
    paths = [path for path, _ in model.namedlinks()]
    assert paths == ['/', '/first', '/inner', '/inner/p', '/inner/q', '/stack', '/stack/0', '/stack/1']
    assert [path for path, _ in model.namedlinks(skipself=True)] == paths[1:]
    links = list(model.links())
    assert links[0] is model and len(links) == 8
    assert list(model.links(skipself=True)) == links[1:]
    assert list(model.children()) == [model.first, model.inner, model.stack]
    assert list(model.stack.children()) == [model.stack[0], model.stack[1]]
    assert list(Affine(1).children()) == []
    assert model['inner'] is model.inner
    assert model.inner.p.name == 'p' and model.stack[1].name == '1'


def test_count_params():
    assert nested().count_params() == 2 * (1 + 2 + 3 + 5 + 6) + 4
    assert alex_v1().count_params() == (96 * 3 * 121 + 96) + 2 * 96 + (256 * 96 * 25 + 256) \
        + (64 * 256 + 64) + (10 * 64 + 10)
    lazy = L.Linear(None, 3)
    with pytest.warns(UserWarning, match='/W'):
        assert lazy.count_params() == 3


def test_cleargrads_and_zerograds():
    model = nested()
    for p in model.params():
        p.grad = numpy.ones_like(p.data)
    model.zerograds()
    for p in model.params():
        assert p.grad.shape == p.shape and not p.grad.any()
    model.cleargrads()
    assert all(p.grad is None for p in model.params())


def test_copyparams_copies_values_and_persistents():
    src, dst = nested(), nested()
    rng = numpy.random.RandomState(0)
    for p in src.params():
        p.data[...] = rng.randn(*p.shape)
    src.inner.p.add_persistent('avg', numpy.arange(2.0))
    src.inner.p.add_persistent('N', 7)
    dst.inner.p.add_persistent('avg', numpy.zeros(2))
    dst.inner.p.add_persistent('N', 0)
    avg_before = dst.inner.p.avg
    dst.copyparams(src)
    for (path, a), (_, b) in zip(src.namedparams(), dst.namedparams()):
        assert a is not b and numpy.array_equal(a.data, b.data), path
    assert dst.inner.p.avg is avg_before and dst.inner.p.avg.tolist() == [0, 1]
    assert dst.inner.p.N == 7
    src.first.a.data[...] = 100     # a copy, not a view
    assert dst.first.a.data[0] != 100

    fresh = nested()
    fresh.inner.p.add_persistent('avg', numpy.zeros(2))
    fresh.inner.p.add_persistent('N', 0)
    fresh.copyparams(src, copy_persistent=False)
    assert fresh.inner.p.N == 0 and not fresh.inner.p.avg.any()


def test_copyparams_initializes_lazy_params():
    src = L.Linear(4, 3)
    dst = L.Linear(None, 3)
    dst.copyparams(src)
    assert numpy.array_equal(dst.W.data, src.W.data) and dst.W.data is not src.W.data


def test_copyparams_rejects_another_structure():
    with pytest.raises(ValueError, match='/inner'):
        nested().copyparams(Chain(first=Affine(1)))


def test_addgrads():
    a, b = Affine(2), Affine(2)
    a.a.grad = numpy.ones(2, 'f')
    b.a.grad = numpy.full(2, 2, 'f')
    b.c.grad = numpy.full(2, 3, 'f')
    a.addgrads(b)
    assert a.a.grad.tolist() == [3, 3] and a.c.grad.tolist() == [3, 3]


def test_disable_update_is_recursive():
    model = nested()
    assert model.update_enabled
    model.inner.disable_update()
    assert not model.inner.update_enabled and model.update_enabled
    frozen = {path for path, p in model.namedparams() if not p.update_enabled}
    assert frozen == {'/inner/own', '/inner/p/a', '/inner/p/c', '/inner/q/a', '/inner/q/c'}
    model.disable_update()
    assert not model.update_enabled
    assert not any(p.update_enabled for p in model.params())
    model.enable_update()
    assert all(p.update_enabled for p in model.params())


# ---------------------------------------------------------------------------
# Replacing a child

def test_replace_a_child_with_del_and_add_link():
    model = Chain(fc1=Affine(1), fc=Affine(2), out=Affine(3))
    with pytest.raises(AttributeError, match='attribute exists'):
        model.add_link('fc', Affine(5))
    del model.fc
    assert [path for path, _ in model.namedlinks()] == ['/', '/fc1', '/out']
    model.add_link('fc', L.Linear(None, 5))
    assert [path for path, _ in model.namedparams()] == [
        '/fc1/a', '/fc1/c', '/out/a', '/out/c', '/fc/W', '/fc/b']
    assert model.fc.name == 'fc'


def test_replace_a_child_inside_init_scope_keeps_its_place():
    model = Chain(fc1=Affine(1), fc=Affine(2), out=Affine(3))
    new = Affine(7)
    with model.init_scope():
        model.fc = new
    assert model.fc is new
    assert [(path, p.shape) for path, p in model.namedparams()] == [
        ('/fc1/a', (1,)), ('/fc1/c', (1,)), ('/fc/a', (7,)), ('/fc/c', (7,)),
        ('/out/a', (3,)), ('/out/c', (3,))]


def test_deleting_a_param():
    link = Affine(2)
    del link.a
    assert [path for path, _ in link.namedparams()] == ['/c']
    assert not hasattr(link, 'a')


# ---------------------------------------------------------------------------
# ChainList and Sequential

def test_chainlist():
    cl = ChainList(Affine(1))
    cl.append(Affine(2))
    cl.add_link(Affine(3))
    assert len(cl) == 3 and [l.a.shape for l in cl] == [(1,), (2,), (3,)]
    assert cl[-1].a.shape == (3,)
    assert [path for path, _ in cl.namedparams()][::2] == ['/0/a', '/1/a', '/2/a']
    with pytest.raises(TypeError, match='init_scope'):
        with cl.init_scope():
            cl.x = Affine(1)
    with cl.init_scope():       # its own parameters are fine
        cl.scale = Parameter(numpy.ones(1, 'f'))
    assert [path for path, _ in cl.namedparams()][0] == '/scale'


def test_sequential_applies_links_and_functions_in_order():
    seq = Sequential(Affine(3, a=2.0, c=1.0), F.exp, Affine(3, a=3.0))
    x = numpy.array([0.0, 1.0, -1.0], dtype=numpy.float32)
    y = seq(x)
    assert numpy.allclose(y.data, 3.0 * numpy.exp(2.0 * x + 1.0))
    assert y.dtype == numpy.float32
    assert len(seq) == 3 and seq[1] is F.exp
    assert [path for path, _ in seq.namedparams()] == ['/0/a', '/0/c', '/1/a', '/1/c']


def test_sequential_passes_tuples_as_arguments():
    seq = Sequential(lambda x: (x, x + 1), lambda a, b: a * b)
    assert seq(numpy.array([2.0, 3.0], dtype=numpy.float32)).data.tolist() == [6.0, 12.0]


def test_sequential_insert_pop_delete_renumber_links():
    a, b, c = Affine(1), Affine(2), Affine(3)
    seq = Sequential(a, F.exp, c)
    seq.insert(1, b)
    assert seq[1] is b and [l.name for l in seq.children()] == ['0', '1', '2']
    assert list(seq.children()) == [a, b, c]
    assert seq.pop(0) is a
    assert list(seq.children()) == [b, c] and b.name == '0' and c.name == '1'
    del seq[0]
    assert list(seq) == [F.exp, c] and c.name == '0'
    seq.remove(F.exp)
    seq.extend([F.exp, Affine(4)])
    assert [path for path, _ in seq.namedlinks()] == ['/', '/0', '/1']
    seq.clear()
    assert len(seq) == 0 and list(seq.children()) == []
    with pytest.raises(RuntimeError, match='no layers'):
        seq(numpy.zeros(1, 'f'))


def test_sequential_rejects_non_callables():
    with pytest.raises(minigrad.type_check.InvalidType, match='Sequential.*callable.*actual 3'):
        Sequential(Affine(1), 3)


def test_thousand_layer_sequential_forward_and_backward():
    depth = 1000
    seq = Sequential(*[Affine(2, a=1.001, c=0.001) for _ in range(depth)])
    x = Variable(numpy.array([1.0, -2.0], dtype=numpy.float32))
    y = seq(x)
    # y = a^n x + c (a^n - 1) / (a - 1), computed in float64 by hand
    a, c = 1.001, 0.001
    expect = a ** depth * numpy.array([1.0, -2.0]) + c * (a ** depth - 1) / (a - 1)
    assert numpy.allclose(y.data, expect, rtol=1e-4)
    F.sum(y).backward()
    assert numpy.allclose(x.grad, a ** depth, rtol=1e-4)
    # dL/da_k = x_{k-1}, the input of layer k; dL/dc_k = a^(n-k)
    assert numpy.allclose(seq[-1].c.grad, 1.0)
    assert numpy.allclose(seq[0].c.grad, a ** (depth - 1), rtol=1e-4)
    assert numpy.allclose(seq[0].a.grad, a ** (depth - 1) * numpy.array([1.0, -2.0]), rtol=1e-4)
    assert len(list(seq.params())) == 2 * depth


# ---------------------------------------------------------------------------
# Calling: forward and link scopes

def test_call_runs_forward_and_scopes_functions_to_the_link():
    outer = Chain(inner=Affine(2, a=2.0))

    def forward(x):
        return F.exp(outer.inner(x))

    outer.forward = forward     # a plain attribute overriding the method
    y = outer(numpy.ones(2, 'f'))
    assert y.creator.link is outer          # exp ran in the outer link's forward
    add = y.creator.inputs[0].creator
    assert add.link is outer.inner          # x * a + c ran inside the inner link


def test_v1_call_override_is_scoped_too():
    class Net(Chain):
        def __init__(self):
            super().__init__(l1=Affine(2), l2=Affine(2))
            self.train = True

        def __call__(self, x):
            return F.exp(self.l2(self.l1(x)))

    net = Net()
    y = net(numpy.ones(2, 'f'))
    assert y.creator.link is net
    assert y.creator.inputs[0].creator.link is net.l2
    mul = y.creator.inputs[0].creator.inputs[0].creator      # exp <- add <- mul, all in l2
    assert type(mul).__name__ == 'Mul' and mul.link is net.l2
    assert mul.inputs[0].creator.link is net.l1
    assert Net.__call__.__name__ == '__call__' and Net.__call__.__doc__ is None
    # and nothing outside a link is scoped
    assert F.exp(Variable(numpy.ones(1, 'f'))).creator.link is None


def test_call_without_forward_raises():
    with pytest.raises(NotImplementedError, match='Link defines neither forward nor __call__'):
        Link()(1)


def test_repr_lists_children():
    text = repr(Sequential(L.Linear(3, 4), F.exp))
    assert text.startswith('Sequential(\n  (0): Linear(in_size=3, out_size=4, nobias=False),\n  (1): ')
