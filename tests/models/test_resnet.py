import numpy
import pytest

import minigrad
from minigrad import gradient_check
from minigrad.models import BasicBlock, ResNet
from minigrad.type_check import InvalidType
from tests.models import reference as ref


def bn(link, x, train):
    if train:
        return ref.batch_norm(x, ref.p(link, 'gamma'), ref.p(link, 'beta'), eps=link.eps)
    return ref.batch_norm(x, ref.p(link, 'gamma'), ref.p(link, 'beta'), link.avg_mean, link.avg_var,
                          eps=link.eps)


def reference_block(block, x, train):
    stride = block.conv1.stride[0]
    h = ref.relu(bn(block.bn1, ref.conv2d(x, ref.p(block.conv1, 'W'), stride=stride, pad=1), train))
    h = bn(block.bn2, ref.conv2d(h, ref.p(block.conv2, 'W'), pad=1), train)
    skip = x
    if block.shortcut is not None:
        skip = bn(block.bn_shortcut, ref.conv2d(x, ref.p(block.shortcut, "W"), stride=stride), train)
    return ref.relu(h + skip)


def reference_forward(model, x, train):
    h = ref.relu(bn(model.bn1, ref.conv2d(x, ref.p(model.conv1, 'W'), pad=1), train))
    for stage in (model.res2, model.res3, model.res4):
        for block in stage:
            h = reference_block(block, h, train)
    return ref.linear(h.mean(axis=(2, 3)), ref.p(model.fc, 'W'), ref.p(model.fc, 'b'))


def test_resnet20_structure_and_count():
    model = ResNet(20)
    assert [len(model.res2), len(model.res3), len(model.res4)] == [3, 3, 3]
    paths = [path for path, _ in model.namedparams()]
    assert paths[:3] == ['/conv1/W', '/bn1/gamma', '/bn1/beta']
    assert '/res3/0/shortcut/W' in paths and '/res4/0/bn_shortcut/gamma' in paths
    assert '/res2/0/shortcut/W' not in paths        # same shape: identity shortcut
    assert '/res3/1/shortcut/W' not in paths
    # 19 convolutions 3x3 + 2 projections + fc = 20 weight layers ... plus BN
    convs = [p for p in paths if p.endswith('/W') and not p.startswith('/fc')]
    assert len(convs) == 19 + 2
    stem = 16 * 3 * 9 + 2 * 16
    res2 = 3 * (2 * 16 * 16 * 9 + 4 * 16)
    res3 = (32 * 16 * 9 + 32 * 32 * 9 + 4 * 32 + 32 * 16 + 2 * 32) + 2 * (2 * 32 * 32 * 9 + 4 * 32)
    res4 = (64 * 32 * 9 + 64 * 64 * 9 + 4 * 64 + 64 * 32 + 2 * 64) + 2 * (2 * 64 * 64 * 9 + 4 * 64)
    fc = 64 * 10 + 10
    assert model.count_params() == stem + res2 + res3 + res4 + fc == 272474


@pytest.mark.parametrize('train', [True, False])
@pytest.mark.parametrize('depth, widths, hw', [(8, (4, 8, 16), 32), (14, (2, 3, 4), 9)])
def test_forward_matches_reference(train, depth, widths, hw):
    numpy.random.seed(0)
    model = ResNet(depth, n_class=5, widths=widths)
    x = numpy.random.standard_normal((3, 3, hw, hw)).astype(numpy.float32)
    if not train:       # give the running averages something other than 0 and 1
        model(x * 2 + 1)
    with minigrad.using_config('train', train):
        y = model(x)
    assert y.shape == (3, 5) and y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.data, reference_forward(model, x, train), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize('in_channels, out_channels, stride', [(2, 2, 1), (2, 3, 1), (2, 3, 2)])
def test_block_backward_numerical_float64(in_channels, out_channels, stride):
    numpy.random.seed(1)
    block = BasicBlock(in_channels, out_channels, stride)
    x = numpy.random.standard_normal((2, in_channels, 5, 5))
    out_hw = -(-5 // stride)
    gy = numpy.random.standard_normal((2, out_channels, out_hw, out_hw))
    # training mode: batch statistics, through both the residual and the shortcut path
    gradient_check.check_backward(block, x, gy, dtype=numpy.float64, eps=1e-5, atol=1e-5, rtol=1e-4)


def test_small_model_backward_numerical_float64():
    numpy.random.seed(2)
    model = ResNet(8, n_class=3, widths=(2, 2, 3))
    x = numpy.random.standard_normal((2, 3, 6, 6))
    gy = numpy.random.standard_normal((2, 3))
    # a small step: with eps=1e-3 one ReLU input of this net crosses zero
    gradient_check.check_backward(model, x, gy, dtype=numpy.float64, eps=1e-5, atol=1e-5, rtol=1e-4)


def test_resnet20_backward():
    numpy.random.seed(3)
    model = ResNet(20)
    x = numpy.random.standard_normal((2, 3, 32, 32)).astype(numpy.float32)
    loss = minigrad.functions.softmax_cross_entropy(model(x), numpy.array([1, 8]))
    loss.backward()
    for path, param in model.namedparams():
        assert param.grad is not None and param.grad.dtype == numpy.float32, path
        assert numpy.isfinite(param.grad).all(), path
    # the running averages moved
    assert not numpy.allclose(model.res4[2].bn2.avg_var, 1)


@pytest.mark.parametrize('depth', [6, 9, 21, 0])
def test_bad_depth(depth):
    with pytest.raises(InvalidType, match=r'Invalid operation in ResNet: expect depth == 6 n \+ 2 .*'
                                          r'actual depth == {}'.format(depth)):
        ResNet(depth)


def test_bad_widths():
    with pytest.raises(InvalidType, match=r'ResNet: expect widths to have 3 entries .*'
                                          r'actual widths == \(16, 32\)'):
        ResNet(8, widths=(16, 32))
