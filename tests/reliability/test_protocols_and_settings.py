"""Python protocols a user expects of a Variable or a model, and settings checked where they are made.

Each test is written as a user would meet the problem: iterate a Variable,
pickle a trained model, tie two layers' weights, mistype a learning rate.
"""
import copy
import pickle
import warnings

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import Variable, optimizer_hooks, optimizers


# ---------------------------------------------------------------------------
# Variable as a sequence, a truth value, an array


def test_iterating_a_variable_gives_differentiable_rows():
    v = Variable(numpy.arange(6.0).reshape(3, 2))
    rows = list(v)
    assert len(rows) == 3 and all(isinstance(r, Variable) for r in rows)
    numpy.testing.assert_array_equal(rows[2].array, [4.0, 5.0])
    a, b, c = v
    F.sum(a * 1 + c * 3).backward()
    numpy.testing.assert_array_equal(v.grad, [[1, 1], [0, 0], [3, 3]])
    assert [r.array.tolist() for r in v] == [[0, 1], [2, 3], [4, 5]]
    with pytest.raises(TypeError, match=r'iteration over a 0-d Variable'):
        list(Variable(numpy.array(1.0)))


def test_len_bool_asarray_and_comparisons():
    v = Variable(numpy.array([[1.0, -2.0, 3.0]], dtype=numpy.float32))
    assert len(v) == 1
    assert bool(Variable(numpy.array([2.0]))) is True
    assert bool(Variable(numpy.array(0.0))) is False
    with pytest.raises(ValueError, match=r'truth value of a Variable of shape \(1, 3\) is ambiguous'):
        bool(v)
    a = numpy.asarray(v)
    assert a is v.array and a.dtype == numpy.float32
    assert numpy.asarray(v, dtype=numpy.float64).dtype == numpy.float64
    numpy.testing.assert_array_equal(v > 0, [[True, False, True]])
    numpy.testing.assert_array_equal(v <= numpy.float32(1), [[True, True, False]])
    numpy.testing.assert_array_equal(v >= Variable(numpy.zeros((1, 3))), [[True, False, True]])
    numpy.testing.assert_array_equal(v < 3, [[True, True, False]])
    with pytest.raises(TypeError, match=r'Variable == is not supported .* v.array == other'):
        v == 1
    with pytest.raises(TypeError, match=r'Variable != is not supported'):
        v != v
    assert v in {v} and v is not Variable(v.array)        # identity hashing still works


def test_an_array_on_the_left_still_gives_a_variable():
    v = Variable(numpy.ones(3, dtype=numpy.float32))
    for y in (numpy.ones(3) + v, numpy.ones(3) * v, numpy.ones(3) - v, numpy.ones(3) / v):
        assert isinstance(y, Variable) and y.dtype == numpy.float32


def test_backward_on_a_variable_without_graph_warns_once_per_place():
    x = Variable(numpy.ones(2, dtype=numpy.float32))
    with minigrad.no_backprop_mode():
        y = F.sum(x * 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('default')
        for _ in range(3):
            y.backward()                      # one call site, three calls
        x.backward()                          # another site: a leaf
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert all('has no graph' in m and 'nothing was back-propagated' in m for m in messages)
    assert x.grad is None


def test_mean_over_zero_elements_names_the_function():
    with pytest.raises(minigrad.type_check.InvalidType,
                       match=r'Invalid operation in Mean: expect at least one element to average '
                             r'over axis 0, actual 0 elements \(x.shape == \(0, 3\)\)'):
        F.mean(numpy.zeros((0, 3), numpy.float32), axis=0)


# ---------------------------------------------------------------------------
# Models: pickle, deepcopy, tied weights


class MLP(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(3, 4)
            self.l2 = L.Linear(4, 2)

    def forward(self, x):
        return self.l2(F.relu(self.l1(x)))


def _trained_classifier():
    model = L.Classifier(MLP())
    opt = optimizers.SGD(lr=0.1)
    opt.setup(model)
    x = numpy.random.RandomState(0).randn(5, 3).astype(numpy.float32)
    t = numpy.array([0, 1, 0, 1, 1], dtype=numpy.int32)
    opt.update(model, x, t)
    assert model.loss is not None and model.loss.creator is not None    # a graph is held
    return model, x


@pytest.mark.parametrize('clone', [lambda m: pickle.loads(pickle.dumps(m)), copy.deepcopy])
def test_a_trained_model_pickles_and_deepcopies(clone):
    model, x = _trained_classifier()
    other = clone(model)
    for (name, p), (name2, q) in zip(model.namedparams(), other.namedparams()):
        assert name == name2 and p is not q
        numpy.testing.assert_array_equal(p.array, q.array)
    numpy.testing.assert_array_equal(other.predictor(x).array, model.predictor(x).array)
    assert other.loss is None and other.y is None     # the last step's graph is not the model's state


@pytest.mark.parametrize('clone', [lambda m: pickle.loads(pickle.dumps(m)), copy.deepcopy])
def test_a_model_of_1000_layers_clones_without_recursion_error(clone):
    model = minigrad.Sequential(*[L.Linear(2, 2) for _ in range(1000)])
    model(numpy.ones((1, 2), numpy.float32))
    other = clone(model)
    assert len(other) == 1000
    numpy.testing.assert_array_equal(other[999].W.array, model[999].W.array)


def test_a_link_registered_twice_is_updated_and_counted_once():
    shared = L.Linear(2, 2, nobias=True)
    W0 = numpy.array([[1.0, 2.0], [3.0, 4.0]], dtype=numpy.float32)
    shared.W.array = W0.copy()
    model = minigrad.ChainList(shared, shared)      # y = W (W x)
    opt = optimizers.SGD(lr=0.1)
    opt.setup(model)
    x = numpy.array([[1.0, -1.0]], dtype=numpy.float32)
    model.cleargrads()
    F.sum(model[1](model[0](x))).backward()
    # d sum(W W x)/dW = 1 (W x)^T + W^T 1 x^T, accumulated once into the shared W
    ones = numpy.ones((2, 1))
    g = ones @ (W0 @ x.T).T + W0.T @ ones @ x
    opt.update()
    numpy.testing.assert_allclose(shared.W.array, W0 - 0.1 * g, rtol=1e-6)
    assert model.count_params() == 4
    assert len(list(model.params())) == 1
    assert minigrad.summary(model).total_params == 4


def test_tied_weights_between_two_layers_count_once():
    a, b = L.Linear(3, 3), L.Linear(3, 3)
    b.W = a.W                      # the same Parameter under two names
    model = minigrad.Chain(a=a, b=b)
    assert model.count_params() == 9 + 3 + 3
    assert [name for name, _ in model.namedparams()] == ['/a/W', '/a/b', '/b/b']


# ---------------------------------------------------------------------------
# Settings checked where they are made


@pytest.mark.parametrize('make, message', [
    (lambda: optimizers.SGD(lr=-0.1), r'SGD: expect lr to be a finite number > 0, actual -0.1'),
    (lambda: optimizers.SGD(lr=float('nan')), r'SGD: expect lr to be a finite number > 0, actual nan'),
    (lambda: optimizers.MomentumSGD(momentum=1.0), r'MomentumSGD: expect momentum to be a number in \[0, 1\), actual 1.0'),
    (lambda: optimizers.AdaGrad(eps=0), r'AdaGrad: expect eps to be a finite number > 0, actual 0'),
    (lambda: optimizers.RMSprop(alpha=1.5), r'RMSprop: expect alpha to be a number in \[0, 1\), actual 1.5'),
    (lambda: optimizers.Adam(alpha=float('inf')), r'Adam: expect alpha to be a finite number > 0, actual inf'),
    (lambda: optimizers.Adam(beta1=-0.1), r'Adam: expect beta1 to be a number in \[0, 1\), actual -0.1'),
    (lambda: optimizers.Adam(beta2=1), r'Adam: expect beta2 to be a number in \[0, 1\), actual 1'),
    (lambda: optimizers.Adam(eps=-1e-8), r'Adam: expect eps to be a finite number > 0, actual -1e-08'),
    (lambda: optimizer_hooks.GradientClipping(0), r'GradientClipping: expect threshold to be a finite number > 0, actual 0'),
    (lambda: optimizer_hooks.WeightDecay(-1e-4), r'WeightDecay: expect rate to be a finite number >= 0, actual -0.0001'),
    (lambda: optimizer_hooks.Lasso(float('nan')), r'Lasso: expect rate to be a finite number >= 0, actual nan'),
])
def test_optimizer_settings_are_checked_in_the_constructor(make, message):
    with pytest.raises(ValueError, match='^' + message + '$'):
        make()


def test_a_non_number_setting_is_a_type_error():
    with pytest.raises(TypeError, match=r"SGD: expect lr to be a finite number > 0, actual '0.1' \(str\)"):
        optimizers.SGD(lr='0.1')
    with pytest.raises(TypeError, match=r'Adam: expect beta1 to be a number in \[0, 1\), actual True'):
        optimizers.Adam(beta1=True)


def test_updating_a_read_only_parameter_names_it():
    link = L.Linear(2, 2)
    opt = optimizers.SGD()
    opt.setup(link)
    link.W.array = numpy.broadcast_to(numpy.float32(1), (2, 2))    # a read-only view
    F.sum(link(numpy.ones((1, 2), numpy.float32))).backward()
    b_before = link.b.array.copy()
    with pytest.raises(ValueError, match=r"SGDRule: cannot update parameter 'W' in place: its array "
                                         r"is read-only"):
        opt.update()
    numpy.testing.assert_array_equal(link.b.array, b_before)


def test_cast_to_something_that_is_no_dtype_names_the_function():
    for typ in ('banana', None, object):
        with pytest.raises(minigrad.type_check.InvalidType,
                           match=r'Invalid operation in Cast: expect typ to be a numeric dtype'):
            F.cast(numpy.ones(2, numpy.float32), typ)


def test_embed_id_sizes_are_checked_in_the_constructor():
    with pytest.raises(minigrad.type_check.InvalidType,
                       match=r'EmbedID: expect in_size to be an int > 0, actual in_size == 0'):
        L.EmbedID(0, 3)
    with pytest.raises(minigrad.type_check.InvalidType, match=r'out_size to be an int > 0'):
        L.EmbedID(3, 2.5)
