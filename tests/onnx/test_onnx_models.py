"""Every model of minigrad.models exported to ONNX and run in ONNX Runtime.

Sizes: the full-size models hold 62M (AlexNet) and 138M (VGG16)
parameters; what costs time is protobuf copying and ONNX Runtime parsing
them (about 10 s per 500 MB), so the full VGG16 and Alex are exported with
``export_params=False`` and get their parameters fed at run time, and
AlexBN, the README's example, is written to a file with its parameters.
"""
import numpy
import pytest

import minigrad
from minigrad import models
from minigrad import onnx as mg_onnx

from tests.onnx.runtime_check import check_export


def randomize_batch_normalization(model, seed):
    """Running averages and scales other than 0 and 1, so that BN changes its input."""
    rng = numpy.random.RandomState(seed)
    for link in model.links():
        if hasattr(link, 'avg_mean') and link.avg_mean is not None:
            size = link.avg_mean.shape
            link.avg_mean[...] = rng.uniform(-0.5, 0.5, size)
            link.avg_var[...] = rng.uniform(0.5, 2.0, size)
            link.gamma.array[...] = rng.uniform(0.5, 1.5, size)
            link.beta.array[...] = rng.uniform(-0.5, 0.5, size)


def images(shape, seed=0):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(numpy.float32)


def test_the_issues_snippet(tmp_path):
    import onnxruntime
    model = models.AlexBN()
    x = images((1, 3, 227, 227))
    with minigrad.using_config('train', False):
        proto = mg_onnx.export(model, x, filename=str(tmp_path / 'alexbn.onnx'), opset_version=None)
        expected = model(x).array
    got, = onnxruntime.InferenceSession(str(tmp_path / 'alexbn.onnx')).run(None, {'Input_0': x})
    assert proto.graph.input[0].name == 'Input_0'
    assert numpy.abs(got - expected).max() <= 1e-4 * numpy.abs(expected).max()


def test_alexbn_written_to_a_file(tmp_path):
    model = models.AlexBN()
    x = images((2, 3, 227, 227))
    model(x)            # the layers take their input sizes from a first call
    randomize_batch_normalization(model, 1)
    path = tmp_path / 'alexbn.onnx'
    proto = check_export(model, x, path=path)
    assert path.stat().st_size > 4 * 62_000_000
    ops = {node.op_type for node in proto.graph.node}
    assert ops == {'Conv', 'BatchNormalization', 'Relu', 'MaxPool', 'Gemm', 'Flatten'}


def test_alex_with_lrn():
    model = models.Alex()
    x = images((2, 3, 227, 227), seed=2)
    proto = check_export(model, x, export_params=False)
    assert [n.op_type for n in proto.graph.node].count('LRN') == 2


def test_lenet5():
    check_export(models.LeNet5(), images((3, 1, 28, 28)))


def test_lenet5_on_32x32_rgb():
    check_export(models.LeNet5(n_class=7, in_channels=3), images((2, 3, 32, 32)))


def test_simple_convnet():
    check_export(models.SimpleConvNet(), images((3, 1, 28, 28)))


@pytest.mark.parametrize('conv_param, input_dim', [
    ({'filter_num': 8, 'filter_size': 3, 'pad': 1, 'stride': 2}, (3, 17, 17)),
    ({'filter_num': 6, 'filter_size': 4, 'pad': 0, 'stride': 1}, (2, 13, 11)),
])
def test_simple_convnet_other_geometries(conv_param, input_dim):
    model = models.SimpleConvNet(input_dim=input_dim, conv_param=conv_param, hidden_size=20)
    check_export(model, images((2,) + input_dim))


def test_vgg16_full_size():
    model = models.VGG16()
    check_export(model, images((1, 3, 224, 224)), export_params=False)


def test_vgg16_small_with_parameters():
    model = models.VGG16(n_class=10, insize=32, fc_size=32)
    proto = check_export(model, images((2, 3, 32, 32)))
    assert len(proto.graph.initializer) == 2 * 16


@pytest.mark.parametrize('depth, widths, size', [(8, (4, 8, 16), 32), (14, (8, 16, 32), 19)])
def test_resnet(depth, widths, size):
    model = models.ResNet(depth, n_class=5, widths=widths)
    randomize_batch_normalization(model, depth)
    proto = check_export(model, images((2, 3, size, size)))
    names = [node.name for node in proto.graph.node]
    assert '/res3/0/shortcut/Convolution2D/Conv' in names
    assert '/res3/0/bn_shortcut/FixedBatchNormalization/BatchNormalization' in names
