"""L.Classifier: loss and accuracy of a predictor, reported as main/loss, main/accuracy."""
import math

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import gradient_check
from minigrad.reporter import Reporter
from minigrad.type_check import InvalidType


def reference_loss_and_accuracy(y, t):
    """Softmax cross entropy (mean over rows) and accuracy, one row at a time."""
    total, correct = 0.0, 0
    for row, label in zip(y.tolist(), t.tolist()):
        m = max(row)
        log_z = m + math.log(sum(math.exp(v - m) for v in row))
        total += log_z - row[label]
        correct += int(max(range(len(row)), key=lambda c: row[c]) == label)
    return total / len(y), correct / len(y)


def make(dtype=numpy.float32, seed=0):
    rng = numpy.random.RandomState(seed)
    predictor = L.Linear(3, 4)
    predictor.W.data = rng.randn(4, 3).astype(dtype)
    predictor.b.data = rng.randn(4).astype(dtype)
    x = rng.randn(6, 3).astype(dtype)
    t = rng.randint(0, 4, size=6).astype(numpy.int32)
    return L.Classifier(predictor), x, t


def run_reported(model, *args, **kwargs):
    r = Reporter()
    r.add_observer('main', model)
    r.add_observers('main', model.namedlinks(skipself=True))
    obs = {}
    with r.scope(obs):
        loss = model(*args, **kwargs)
    return loss, obs


def test_loss_and_accuracy_reported_as_main():
    model, x, t = make()
    loss, obs = run_reported(model, x, t)
    y = x.astype(numpy.float64) @ model.predictor.W.data.T.astype(numpy.float64) + model.predictor.b.data
    ref_loss, ref_acc = reference_loss_and_accuracy(y, t)
    assert sorted(obs) == ['main/accuracy', 'main/loss']
    assert math.isclose(obs['main/loss'], ref_loss, rel_tol=1e-5)
    assert obs['main/accuracy'] == pytest.approx(ref_acc)
    assert loss.dtype == numpy.float32 and float(loss.data) == obs['main/loss']
    assert model.y.shape == (6, 4) and model.loss is loss and model.accuracy is not None


def test_compute_accuracy_off():
    model, x, t = make()
    model.compute_accuracy = False
    _, obs = run_reported(model, x, t)
    assert sorted(obs) == ['main/loss'] and model.accuracy is None


def test_backward_matches_numerical_gradient():
    model, x, t = make(numpy.float64)
    W, b = model.predictor.W, model.predictor.b

    def f():
        return (model(x, t).data,)

    num_W, num_b = gradient_check.numerical_grad(f, (W.data, b.data), (numpy.array(1.0),), eps=1e-6)
    model.cleargrads()
    model(x, t).backward()
    numpy.testing.assert_allclose(W.grad, num_W, atol=1e-7, rtol=1e-6)
    numpy.testing.assert_allclose(b.grad, num_b, atol=1e-7, rtol=1e-6)


class TwoInputs(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l = L.Linear(3, 4)

    def forward(self, a, b):
        return self.l(a + b)


@pytest.mark.parametrize('label_key', [0, 1, 2, -1, -3])
def test_int_label_key_picks_the_label_and_passes_the_rest(label_key):
    seen = {}

    def lossfun(y, t):
        seen['t'] = t
        return F.sum(y) * 0.0

    model = L.Classifier(TwoInputs(), lossfun=lossfun, label_key=label_key)
    model.compute_accuracy = False
    a = numpy.ones((2, 3), numpy.float32)
    t = numpy.array([1, 2], numpy.int32)
    args = [a, a]
    args.insert(label_key % 3, t)
    model(*args)
    assert seen['t'] is t


def test_str_label_key():
    model = L.Classifier(TwoInputs(), label_key='t')
    a = numpy.ones((2, 3), numpy.float32)
    t = numpy.array([1, 2], numpy.int32)
    _, obs = run_reported(model, a, b=a, t=t)
    assert 'main/loss' in obs


def test_custom_functions():
    model, x, t = make()
    model.lossfun = lambda y, t: F.sum(y)
    model.accfun = lambda y, t: minigrad.Variable(numpy.array(0.25, numpy.float32))
    _, obs = run_reported(model, x, t)
    assert obs['main/accuracy'] == 0.25


def test_bad_label_key_type():
    with pytest.raises(InvalidType, match=r"Invalid operation in Classifier: expect label_key to be "
                                          r"an int or a str, actual label_key == 1\.5 \(float\)"):
        L.Classifier(L.Linear(2, 2), label_key=1.5)


def test_label_key_out_of_range():
    model, x, t = make()
    model.label_key = 2
    with pytest.raises(InvalidType, match=r'Classifier: expect label_key in \[-len\(args\), len\(args\)\), '
                                          r'actual label_key == 2 with 2 positional arguments'):
        model(x, t)


def test_forgotten_label():
    model, x, _ = make()
    with pytest.raises(InvalidType, match=r'Classifier: expect the inputs and the label \(label_key=-1\), '
                                          r'actual 1 positional argument and no keyword arguments'):
        model(x)


def test_missing_str_label():
    model, x, t = make()
    model.label_key = 'label'
    with pytest.raises(InvalidType, match=r"Classifier: expect the label as keyword argument 'label', "
                                          r"actual keyword arguments \['t'\]"):
        model(x, t=t)


def test_without_reporter_still_returns_the_loss():
    model, x, t = make()
    loss = model(x, t)
    assert loss.shape == ()


def test_predictor_is_a_registered_child():
    model, _, _ = make()
    assert [path for path, _ in model.namedparams()] == ['/predictor/W', '/predictor/b']
