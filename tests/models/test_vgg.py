import numpy
import pytest

import minigrad
from minigrad.models import VGG16
from minigrad.type_check import InvalidType
from tests.models import reference as ref

BLOCKS = [['conv1_1', 'conv1_2'], ['conv2_1', 'conv2_2'], ['conv3_1', 'conv3_2', 'conv3_3'],
          ['conv4_1', 'conv4_2', 'conv4_3'], ['conv5_1', 'conv5_2', 'conv5_3']]


def reference_forward(model, x):
    """Test mode: no dropout."""
    h = x
    for block in BLOCKS:
        for name in block:
            link = getattr(model, name)
            h = ref.relu(ref.conv2d(h, ref.p(link, 'W'), ref.p(link, 'b'), pad=1))
        h = ref.max_pool(h, 2, 2)
    h = ref.relu(ref.linear(h, ref.p(model.fc6, 'W'), ref.p(model.fc6, 'b')))
    h = ref.relu(ref.linear(h, ref.p(model.fc7, 'W'), ref.p(model.fc7, 'b')))
    return ref.linear(h, ref.p(model.fc8, 'W'), ref.p(model.fc8, 'b'))


def hand_count(in_channels, insize, fc_size, n_class):
    widths = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    total, c = 0, in_channels
    for w in widths:
        total += w * c * 9 + w
        c = w
    fc_in = 512 * (insize // 32) ** 2
    return total + fc_in * fc_size + fc_size + fc_size * fc_size + fc_size + fc_size * n_class + n_class


def test_structure():
    model = VGG16(n_class=10, insize=32, fc_size=64)
    names = [path[1:] for path, _ in model.namedlinks(skipself=True)]
    assert names == sum(BLOCKS, []) + ['fc6', 'fc7', 'fc8']      # 13 conv + 3 fc = 16 weight layers
    assert all(getattr(model, n).W.shape[2:] == (3, 3) for n in sum(BLOCKS, []))
    assert model.fc6.W.shape == (64, 512)
    assert model.count_params() == hand_count(3, 32, 64, 10)


def test_standard_size_count_by_formula():
    # The 224 x 224 model's 138,357,544 parameters (the published count), without allocating it.
    assert hand_count(3, 224, 4096, 1000) == 138357544


@pytest.mark.parametrize('in_channels, insize, batch', [(3, 32, 2), (1, 64, 1)])
def test_forward_matches_reference(in_channels, insize, batch):
    numpy.random.seed(0)
    model = VGG16(n_class=5, insize=insize, fc_size=16, in_channels=in_channels)
    x = numpy.random.standard_normal((batch, in_channels, insize, insize)).astype(numpy.float32)
    with minigrad.using_config('train', False):
        y = model(x)
    assert y.shape == (batch, 5) and y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.data, reference_forward(model, x), rtol=1e-3, atol=1e-4)


def test_dropout_in_training_only():
    numpy.random.seed(1)
    model = VGG16(n_class=5, insize=32, fc_size=16)
    x = numpy.random.standard_normal((2, 3, 32, 32)).astype(numpy.float32)
    with minigrad.using_config('train', False):
        a, b = model(x).data, model(x).data
    numpy.testing.assert_array_equal(a, b)
    c = model(x).data       # two dropout layers at ratio 0.5: another output
    assert not numpy.allclose(a, c)


def test_forward_backward_float32():
    numpy.random.seed(2)
    model = VGG16(n_class=10, insize=32, fc_size=32)
    x = numpy.random.standard_normal((2, 3, 32, 32)).astype(numpy.float32)
    loss = minigrad.functions.softmax_cross_entropy(model(x), numpy.array([0, 9]))
    loss.backward()
    for path, param in model.namedparams():
        assert param.grad is not None and param.grad.dtype == numpy.float32, path
        assert numpy.isfinite(param.grad).all(), path


def test_gradients_float64():
    numpy.random.seed(3)
    model = VGG16(n_class=3, insize=32, fc_size=8)
    ref.to_float64(model)
    x = numpy.random.standard_normal((1, 3, 32, 32))
    # Train mode, with NumPy reseeded before each forward so dropout draws the same masks.
    ref.check_directional_derivative(model, [x], list(model.params()),
                                     before_forward=lambda: numpy.random.seed(5))


@pytest.mark.parametrize('insize', [16, 48, 0])
def test_bad_insize(insize):
    with pytest.raises(InvalidType, match=r'Invalid operation in VGG16: expect insize to be a positive '
                                          r'multiple of 32 .*actual insize == {}'.format(insize)):
        VGG16(insize=insize)
