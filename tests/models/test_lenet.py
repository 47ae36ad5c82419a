import numpy
import pytest

import minigrad
from minigrad import gradient_check
from minigrad.models import LeNet5
from tests.models import reference as ref


def reference_forward(model, x):
    h = ref.max_pool(ref.sigmoid(ref.conv2d(x, ref.p(model.conv1, 'W'), ref.p(model.conv1, 'b'))), 2, 2)
    h = ref.max_pool(ref.sigmoid(ref.conv2d(h, ref.p(model.conv2, 'W'), ref.p(model.conv2, 'b'))), 2, 2)
    h = ref.sigmoid(ref.conv2d(h, ref.p(model.conv3, 'W'), ref.p(model.conv3, 'b')))
    h = ref.sigmoid(ref.linear(h, ref.p(model.fc4, 'W'), ref.p(model.fc4, 'b')))
    return ref.linear(h, ref.p(model.fc5, 'W'), ref.p(model.fc5, 'b'))


def test_structure_and_parameter_count():
    model = LeNet5()
    assert [path for path, _ in model.namedlinks(skipself=True)] == [
        '/conv1', '/conv2', '/conv3', '/fc4', '/fc5']
    assert model.conv1.W.shape == (6, 1, 5, 5)
    assert model.conv3.W.shape == (120, 16, 4, 4)
    assert model.fc4.W.data is None        # sized by the first call, as in Chainer's tutorial
    model(numpy.zeros((1, 1, 28, 28), dtype=numpy.float32))
    assert model.fc4.W.shape == (84, 120)
    # 6*1*25+6 + 16*6*25+16 + 120*16*16+120 + 84*120+84 + 10*84+10
    assert model.count_params() == 156 + 2416 + 30840 + 10164 + 850 == 44426


@pytest.mark.parametrize('n_class, in_channels, batch', [(10, 1, 2), (3, 3, 1)])
def test_forward_matches_reference(n_class, in_channels, batch):
    numpy.random.seed(0)
    model = LeNet5(n_class=n_class, in_channels=in_channels)
    x = numpy.random.standard_normal((batch, in_channels, 28, 28)).astype(numpy.float32)
    y = model(x)
    assert y.shape == (batch, n_class)
    assert y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.data, reference_forward(model, x), rtol=1e-4, atol=1e-5)


def test_backward_float32():
    numpy.random.seed(1)
    model = LeNet5()
    x = numpy.random.standard_normal((2, 1, 28, 28)).astype(numpy.float32)
    loss = minigrad.functions.softmax_cross_entropy(model(x), numpy.array([3, 7]))
    loss.backward()
    for path, param in model.namedparams():
        assert param.grad is not None, path
        assert param.grad.dtype == numpy.float32, path
        assert numpy.isfinite(param.grad).all(), path
        assert numpy.abs(param.grad).max() > 0, path


def test_gradients_float64():
    numpy.random.seed(2)
    model = LeNet5(n_class=4)
    x = numpy.random.standard_normal((2, 1, 28, 28))
    model(x.astype(numpy.float32))
    ref.to_float64(model)
    # every parameter and the input, along random directions
    ref.check_directional_derivative(model, [x], list(model.params()))
    # the input gradient element by element
    gy = numpy.random.standard_normal((2, 4))
    gradient_check.check_backward(lambda v: model(v), x, gy, dtype=numpy.float64)
