"""AlexBN and Alex, and Chainer v1 AlexBN code running unmodified on minigrad."""
import warnings

import numpy
import pytest

import minigrad
from minigrad.models import Alex, AlexBN
from minigrad.reporter import Reporter
from tests.models import reference as ref

# Per layer, by hand: W (out, in, kh, kw) + b (out); BN gamma + beta.
ALEXBN_COUNTS = {
    'conv1': 96 * 3 * 11 * 11 + 96,         # 34,944
    'bn1': 2 * 96,
    'conv2': 256 * 96 * 5 * 5 + 256,        # 614,656
    'bn2': 2 * 256,
    'conv3': 384 * 256 * 3 * 3 + 384,       # 885,120
    'conv4': 384 * 384 * 3 * 3 + 384,       # 1,327,488
    'conv5': 256 * 384 * 3 * 3 + 256,       # 884,992
    'fc6': 4096 * 9216 + 4096,              # 37,752,832
    'fc7': 4096 * 4096 + 4096,              # 16,781,312
    'fc8': 1000 * 4096 + 1000,              # 4,097,000
}


def batch(n, seed):
    rng = numpy.random.RandomState(seed)
    x = rng.uniform(-1, 1, (n, 3, 227, 227)).astype(numpy.float32)
    t = rng.randint(0, 1000, n).astype(numpy.int32)
    return x, t


def reference_logits(model, x, norm):
    """Test mode (no dropout); ``norm(h, layer)`` is BN with running averages, or LRN."""
    def conv(name, h, **kw):
        link = getattr(model, name)
        return ref.conv2d(h, ref.p(link, 'W'), ref.p(link, 'b'), **kw)

    h = ref.max_pool(ref.relu(norm(conv('conv1', x, stride=4), 1)), 3, 2)
    assert h.shape[2:] == (27, 27)
    h = ref.max_pool(ref.relu(norm(conv('conv2', h, pad=2), 2)), 3, 2)
    assert h.shape[2:] == (13, 13)
    h = ref.relu(conv('conv3', h, pad=1))
    h = ref.relu(conv('conv4', h, pad=1))
    h = ref.max_pool(ref.relu(conv('conv5', h, pad=1)), 3, 2)
    assert h.shape[1:] == (256, 6, 6)
    for name in ('fc6', 'fc7'):
        h = ref.relu(ref.linear(h, ref.p(getattr(model, name), 'W'), ref.p(getattr(model, name), 'b')))
    return ref.linear(h, ref.p(model.fc8, 'W'), ref.p(model.fc8, 'b'))


def bn_test_mode(model):
    def norm(h, i):
        bn = getattr(model, 'bn{}'.format(i))
        return ref.batch_norm(h, ref.p(bn, 'gamma'), ref.p(bn, 'beta'), bn.avg_mean, bn.avg_var, eps=bn.eps)
    return norm


def lrn(h, i):
    return ref.lrn(h)


def check_loss_and_accuracy(model, logits, t):
    numpy.testing.assert_allclose(float(model.loss.data), ref.softmax_cross_entropy(logits, t),
                                  rtol=1e-4, atol=1e-5)
    expected_acc = (logits.argmax(axis=1) == t).mean()
    assert float(model.accuracy.data) == expected_acc


# ---------------------------------------------------------------------------
# AlexBN

@pytest.fixture(scope='module')
def alexbn():
    """One initialized AlexBN for the tests that only run it (initializing 62 M weights takes a while)."""
    numpy.random.seed(0)
    model = AlexBN()
    model(*batch(1, 0))
    return model


def test_alexbn_structure_and_lazy_parameters():
    model = AlexBN()
    assert model.insize == 227
    assert [name[1:] for name, _ in model.namedlinks(skipself=True)] == list(ALEXBN_COUNTS)
    assert model.conv1.W.data is None and model.fc6.W.data is None   # in sizes from the first call
    with pytest.warns(UserWarning) as record:
        # only the biases and BN's gamma and beta exist before the first call
        biases = 96 + 256 + 384 + 384 + 256 + 4096 + 4096 + 1000
        assert model.count_params() == biases + 2 * 96 + 2 * 256
    # one warning per weight that is still waiting for its input size
    assert [str(w.message).split()[2] for w in record] == [
        '/{}/W'.format(name) for name in ('conv1', 'conv2', 'conv3', 'conv4', 'conv5',
                                          'fc6', 'fc7', 'fc8')]
    x, t = batch(1, 0)
    model(x, t)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert model.count_params() == sum(ALEXBN_COUNTS.values()) == 62379048
    assert model.conv1.W.shape == (96, 3, 11, 11)
    assert model.conv2.W.shape == (256, 96, 5, 5)
    assert model.fc6.W.shape == (4096, 9216)      # 256 x 6 x 6 after the third pooling
    for name, count in ALEXBN_COUNTS.items():
        assert sum(p.data.size for p in getattr(model, name).params()) == count, name


def test_alexbn_training_step_then_test_mode_matches_reference(alexbn):
    model = alexbn
    model.cleargrads()
    mean_before = model.bn1.avg_mean.copy()
    x, t = batch(2, 1)
    loss = model(x, t)
    assert loss is model.loss
    assert loss.shape == () and loss.dtype == numpy.float32
    assert 0 <= float(model.accuracy.data) <= 1
    loss.backward()
    for path, param in model.namedparams():
        assert param.grad is not None, path
        assert param.grad.dtype == numpy.float32, path
        assert numpy.isfinite(param.grad).all(), path
    # batch statistics moved the running averages
    assert not numpy.allclose(model.bn1.avg_mean, mean_before)
    assert not numpy.allclose(model.bn2.avg_var, 1)

    x2, t2 = batch(2, 2)
    with minigrad.using_config('train', False):
        model(x2, t2)
    check_loss_and_accuracy(model, reference_logits(model, x2, bn_test_mode(model)), t2)


def test_alexbn_dropout_only_in_training(alexbn):
    model = alexbn
    x, t = batch(2, 3)
    with minigrad.using_config('train', False):
        a = float(model(x, t).data)
        b = float(model(x, t).data)
    assert a == b
    c = float(model(x, t).data)
    assert c != a       # batch statistics and dropout


def test_alexbn_reports_loss_and_accuracy(alexbn):
    model = alexbn
    x, t = batch(1, 4)
    reporter = Reporter()
    reporter.add_observer('main', model)
    observation = {}
    with reporter.scope(observation):
        model(x, t)
    assert set(observation) == {'main/loss', 'main/accuracy'}
    assert observation['main/loss'] == pytest.approx(float(model.loss.data))
    assert observation['main/accuracy'] == float(model.accuracy.data)


def test_alexbn_gradients_float64():
    """Every parameter and the input, against a central difference along one random direction."""
    model = AlexBN()
    x, t = batch(1, 5)
    model(x, t)
    ref.to_float64(model)
    # Train mode: batch statistics, and dropout with NumPy reseeded so each forward draws the same masks.
    # eps 1e-9: with 62 M parameters moving at once, a step of 1e-7 already carries a few
    # ReLU / max-pooling inputs across their kinks (off by ~0.3%); float64 keeps 1e-9 exact enough.
    ref.check_directional_derivative(lambda v: model(v, t), [x.astype(numpy.float64)],
                                     list(model.params()), n_directions=1, eps=1e-9,
                                     before_forward=lambda: numpy.random.seed(7))


# ---------------------------------------------------------------------------
# Alex (LRN)

def test_alex():
    model = Alex()
    assert [name[1:] for name, _ in model.namedlinks(skipself=True)] == [
        'conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'fc6', 'fc7', 'fc8']
    x, t = batch(2, 6)
    loss = model(x, t)
    loss.backward()
    assert model.count_params() == 62379048 - 192 - 512 == 62378344
    for path, param in model.namedparams():
        assert param.grad is not None and param.grad.dtype == numpy.float32, path
    with minigrad.using_config('train', False):
        model(x, t)
    check_loss_and_accuracy(model, reference_logits(model, x, lrn), t)


# ---------------------------------------------------------------------------
# Chainer v1 code, unmodified but for the imports

V1_SOURCE = '''
import minigrad as chainer
import minigrad.functions as F
import minigrad.links as L


class AlexBN(chainer.Chain):

    """Single-GPU AlexNet with LRN layers replaced by BatchNormalization."""

    insize = 227

    def __init__(self):
        super(AlexBN, self).__init__(
            conv1=L.Convolution2D(3,  96, 11, stride=4),
            bn1=L.BatchNormalization(96),
            conv2=L.Convolution2D(96, 256,  5, pad=2),
            bn2=L.BatchNormalization(256),
            conv3=L.Convolution2D(256, 384,  3, pad=1),
            conv4=L.Convolution2D(384, 384,  3, pad=1),
            conv5=L.Convolution2D(384, 256,  3, pad=1),
            fc6=L.Linear(9216, 4096),
            fc7=L.Linear(4096, 4096),
            fc8=L.Linear(4096, 1000),
        )
        self.train = True

    def clear(self):
        self.loss = None
        self.accuracy = None

    def __call__(self, x, t):
        self.clear()
        h = self.bn1(self.conv1(x), test=not self.train)
        h = F.max_pooling_2d(F.relu(h), 3, stride=2)
        h = self.bn2(self.conv2(h), test=not self.train)
        h = F.max_pooling_2d(F.relu(h), 3, stride=2)
        h = F.relu(self.conv3(h))
        h = F.relu(self.conv4(h))
        h = F.max_pooling_2d(F.relu(self.conv5(h)), 3, stride=2)
        h = F.dropout(F.relu(self.fc6(h)), train=self.train)
        h = F.dropout(F.relu(self.fc7(h)), train=self.train)
        h = self.fc8(h)

        self.loss = F.softmax_cross_entropy(h, t)
        self.accuracy = F.accuracy(h, t)
        chainer.report({'loss': self.loss, 'accuracy': self.accuracy}, self)
        return self.loss
'''


@pytest.fixture(scope='module')
def v1_module():
    namespace = {}
    exec(compile(V1_SOURCE, 'alexbn_v1.py', 'exec'), namespace)
    return namespace


def test_v1_alexbn_trains(v1_module):
    model = v1_module['AlexBN']()
    # explicit in sizes: counted before any call
    assert model.count_params() == 62379048
    x, t = batch(2, 8)
    loss = model(x, t)
    assert loss is model.loss and loss.shape == ()
    loss.backward()
    for path, param in model.namedparams():
        assert param.grad is not None, path
    assert numpy.abs(model.bn1.avg_mean).max() > 0       # test=not self.train: batch statistics

    # The v1 flag alone (config.train stays True) switches BN and dropout to test mode.
    model.train = False
    mean_before = model.bn1.avg_mean.copy()
    a = float(model(x, t).data)
    b = float(model(x, t).data)
    assert a == b
    numpy.testing.assert_array_equal(model.bn1.avg_mean, mean_before)
    check_loss_and_accuracy(model, reference_logits(model, x, bn_test_mode(model)), t)

    # The v2 model has the same parameter paths (so saved weights move between them).
    assert [p for p, _ in AlexBN().namedparams()] == [p for p, _ in model.namedparams()]


def test_v1_alexbn_shapes_and_report(v1_module):
    model = v1_module['AlexBN']()
    x, t = batch(1, 9)
    s = minigrad.summary(model, x, t)
    shapes = {r['path']: r['output_shape'] for r in s.rows}
    assert shapes['/conv1'] == '(1, 96, 55, 55)'      # (227 - 11) / 4 + 1
    assert shapes['/conv2'] == '(1, 256, 27, 27)'     # pool1: 55 -> 27
    assert shapes['/conv3'] == '(1, 384, 13, 13)'     # pool2: 27 -> 13
    assert shapes['/fc6'] == '(1, 4096)'              # pool3: 13 -> 6, 256 * 6 * 6 = 9216 inputs
    assert model.fc6.W.shape == (4096, 256 * 6 * 6)
    assert 'Total params: 62,379,048' in s

    reporter = Reporter()
    reporter.add_observer('main', model)
    observation = {}
    with reporter.scope(observation):
        model(x, t)
    assert sorted(observation) == ['main/accuracy', 'main/loss']
