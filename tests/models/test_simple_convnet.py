import numpy
import pytest

import minigrad
from minigrad import gradient_check
from minigrad import initializers
from minigrad.models import SimpleConvNet
from minigrad.type_check import InvalidType
from tests.models import reference as ref


def reference_forward(model, x, stride, pad):
    h = ref.conv2d(x, ref.p(model.conv1, 'W'), ref.p(model.conv1, 'b'), stride=stride, pad=pad)
    h = ref.max_pool(ref.relu(h), 2, 2)
    h = ref.relu(ref.linear(h, ref.p(model.affine1, 'W'), ref.p(model.affine1, 'b')))
    return ref.linear(h, ref.p(model.affine2, 'W'), ref.p(model.affine2, 'b'))


def test_seed_defaults():
    """The seeds' network: conv 30@5x5 -> 24x24, pool -> 12x12, affine 4320 -> 100 -> 10."""
    model = SimpleConvNet()
    assert [path for path, _ in model.namedlinks(skipself=True)] == ['/conv1', '/affine1', '/affine2']
    assert model.conv1.W.shape == (30, 1, 5, 5)
    assert model.affine1.W.shape == (100, 30 * 12 * 12)
    assert model.affine2.W.shape == (10, 100)
    # known before any forward: 30*25+30 + 4320*100+100 + 100*10+10
    assert model.count_params() == 780 + 432100 + 1010 == 433890
    # the seeds' weight_init_std=0.01 Gaussian, zero biases
    assert 0.008 < model.affine1.W.data.std() < 0.012
    assert not model.conv1.b.data.any()


@pytest.mark.parametrize('input_dim, conv_param', [
    ((1, 28, 28), {}),
    ((3, 11, 9), {'filter_num': 4, 'filter_size': 3, 'pad': 1, 'stride': 2}),   # odd sizes: pool covers the edge
    ((2, 8, 8), {'filter_num': 5, 'filter_size': 3}),
])
def test_forward_matches_reference(input_dim, conv_param):
    numpy.random.seed(0)
    model = SimpleConvNet(input_dim, conv_param, hidden_size=7, output_size=4, weight_init_std=0.3)
    x = numpy.random.standard_normal((3,) + input_dim).astype(numpy.float32)
    y = model(x)
    assert y.shape == (3, 4) and y.dtype == numpy.float32
    param = dict({'stride': 1, 'pad': 0}, **conv_param)
    numpy.testing.assert_allclose(y.data, reference_forward(model, x, param['stride'], param['pad']),
                                  rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('input_dim, conv_param', [
    ((1, 6, 6), {'filter_num': 2, 'filter_size': 3}),
    ((2, 7, 5), {'filter_num': 3, 'filter_size': 3, 'pad': 1, 'stride': 2}),
])
def test_backward_numerical_float64(input_dim, conv_param):
    numpy.random.seed(1)
    model = SimpleConvNet(input_dim, conv_param, hidden_size=4, output_size=3, weight_init_std=0.5)
    x = numpy.random.standard_normal((2,) + input_dim)
    gy = numpy.random.standard_normal((2, 3))
    # every parameter element and every input element
    gradient_check.check_backward(model, x, gy, dtype=numpy.float64)


def test_training_step_float32():
    numpy.random.seed(2)
    model = SimpleConvNet(weight_init_std='relu')
    x = numpy.random.standard_normal((2, 1, 28, 28)).astype(numpy.float32)
    loss = minigrad.functions.softmax_cross_entropy(model(x), numpy.array([1, 2]))
    loss.backward()
    for path, param in model.namedparams():
        assert param.grad is not None and param.grad.dtype == numpy.float32, path


@pytest.mark.parametrize('std, kind', [(0.01, initializers.Normal), ('relu', initializers.HeNormal),
                                       ('He', initializers.HeNormal),
                                       ('sigmoid', initializers.GlorotNormal),
                                       ('xavier', initializers.GlorotNormal)])
def test_weight_init_std(std, kind):
    model = SimpleConvNet(weight_init_std=std)
    assert isinstance(model.conv1.W.initializer, kind)
    assert isinstance(model.affine2.W.initializer, kind)


def test_bad_arguments():
    with pytest.raises(InvalidType, match=r"Invalid operation in SimpleConvNet: expect weight_init_std .*"
                                          r"actual weight_init_std == 'tanh'"):
        SimpleConvNet(weight_init_std='tanh')
    with pytest.raises(InvalidType, match=r'SimpleConvNet: expect conv_param keys among .*'
                                          r"actual unknown keys \['size'\]"):
        SimpleConvNet(conv_param={'size': 3})
    with pytest.raises(InvalidType, match=r'SimpleConvNet: expect a positive conv output size .*'
                                          r'actual 0 x 0 \(input 4 x 4, filter 5, pad 0, stride 1\)'):
        SimpleConvNet(input_dim=(1, 4, 4))
    with pytest.raises(InvalidType, match=r'SimpleConvNet: expect input_dim == \(C, H, W\), '
                                          r'actual input_dim == \(28, 28\)'):
        SimpleConvNet(input_dim=(28, 28))
