"""minigrad.onnx.export's interface, as onnx-chainer's: names, parameters, files, errors."""
import collections
import io
import os
import subprocess
import sys

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import models

from tests.onnx.runtime_check import check_export, model_state, relative_error, session

import onnx                                   # NOQA: E402 (runtime_check skips without it)
from minigrad import onnx as mg_onnx          # NOQA: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class MLP(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(4, 5)
            self.l2 = L.Linear(5, 3)

    def forward(self, x):
        return self.l2(F.relu(self.l1(x)))


class TwoInTwoOut(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.fc = L.Linear(4, 4)

    def forward(self, x, y):
        h = self.fc(x) + y
        return F.relu(h), F.sigmoid(h)


class DictOut(TwoInTwoOut):
    def forward(self, x, y):
        a, b = super().forward(x, y)
        return {'a': a, 'b': b}


class Block(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.fc = L.Linear(4, 4)

    def forward(self, x):
        return F.softmax_cross_entropy(self.fc(x), numpy.zeros(len(x), numpy.int32))


class Nested(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.block = Block()

    def forward(self, x):
        return self.block(F.relu(x))


def uniform(shape, seed=0):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(numpy.float32)


# ---------------------------------------------------------------------------
# Names

def test_default_names_are_onnx_chainers():
    proto = mg_onnx.export(MLP(), uniform((2, 4)))
    assert [i.name for i in proto.graph.input] == ['Input_0']
    assert [o.name for o in proto.graph.output] == ['Output_0']
    assert proto.graph.name == 'Graph'
    assert [i.name for i in proto.graph.initializer] == ['l1/W', 'l1/b', 'l2/W', 'l2/b']
    assert [n.name for n in proto.graph.node] == ['/l1/LinearFunction/Gemm', '/ReLU/Relu',
                                                  '/l2/LinearFunction/Gemm']


def test_shapes_and_dtypes_of_inputs_and_outputs():
    proto = mg_onnx.export(MLP(), uniform((2, 4)))
    for value, shape in ((proto.graph.input[0], [2, 4]), (proto.graph.output[0], [2, 3])):
        tensor_type = value.type.tensor_type
        assert tensor_type.elem_type == onnx.TensorProto.FLOAT
        assert [d.dim_value for d in tensor_type.shape.dim] == shape


def test_node_names_follow_the_link_paths():
    model = models.ResNet(8, widths=(2, 4, 8))
    proto = mg_onnx.export(model, uniform((1, 3, 8, 8)))
    names = [n.name for n in proto.graph.node]
    assert names[:3] == ['/conv1/Convolution2D/Conv', '/bn1/FixedBatchNormalization/BatchNormalization',
                         '/ReLU/Relu']
    assert '/res2/0/conv2/Convolution2D/Conv' in names
    assert '/res4/0/Add/Add' in names
    assert len(set(names)) == len(names)
    assert 'res3/0/shortcut/W' in {i.name for i in proto.graph.initializer}


def test_several_inputs_and_outputs():
    args = (uniform((2, 4), 1), uniform((2, 4), 2))
    proto = check_export(TwoInTwoOut(), args)
    assert [i.name for i in proto.graph.input] == ['Input_0', 'Input_1']
    assert [o.name for o in proto.graph.output] == ['Output_0', 'Output_1']


def test_given_names_as_lists_and_strings():
    args = [uniform((2, 4), 1), uniform((2, 4), 2)]
    proto = mg_onnx.export(TwoInTwoOut(), args, input_names=['x', 'y'],
                           output_names=['relu', 'sigmoid'], graph_name='two')
    assert [i.name for i in proto.graph.input] == ['x', 'y']
    assert [o.name for o in proto.graph.output] == ['relu', 'sigmoid']
    assert proto.graph.name == 'two'
    proto = mg_onnx.export(MLP(), uniform((2, 4)), input_names='x', output_names='logits')
    assert [i.name for i in proto.graph.input] == ['x']
    assert [o.name for o in proto.graph.output] == ['logits']
    y, = session(proto).run(None, {'x': uniform((2, 4))})
    assert y.shape == (2, 3)


def test_dict_inputs_and_outputs():
    model = DictOut()
    x, y = uniform((2, 4), 1), uniform((2, 4), 2)
    proto, inputs, outputs = mg_onnx.export(
        model, {'y': y, 'x': x}, input_names={'x': 'in_x', 'y': 'in_y'},
        output_names={'b': 'out_b', 'a': 'out_a'}, return_named_inout=True)
    assert list(inputs) == ['in_y', 'in_x'] == [i.name for i in proto.graph.input]
    assert list(outputs) == ['out_a', 'out_b'] == [o.name for o in proto.graph.output]
    a, b = session(proto).run(None, {'in_x': x, 'in_y': y})
    assert relative_error(a, outputs['out_a'].array) <= 1e-4
    assert relative_error(b, outputs['out_b'].array) <= 1e-4
    with minigrad.using_config('train', False):
        expected = model(x, y)
    assert relative_error(a, expected['a'].array) <= 1e-4


def test_return_named_inout():
    x = uniform((2, 4))
    proto, inputs, outputs = mg_onnx.export(MLP(), x, return_named_inout=True)
    assert isinstance(inputs, collections.OrderedDict)
    assert list(inputs) == ['Input_0'] and list(outputs) == ['Output_0']
    assert isinstance(inputs['Input_0'], minigrad.Variable)
    numpy.testing.assert_array_equal(inputs['Input_0'].array, x)
    y, = session(proto).run(None, {'Input_0': x})
    assert relative_error(y, outputs['Output_0'].array) <= 1e-4


@pytest.mark.parametrize('kwargs, message', [
    ({'input_names': ['a', 'b']}, 'input_names to give 1 names'),
    ({'output_names': {'z': 'out'}}, 'output_names to name each of'),
    ({'input_names': 'x', 'output_names': 'x'}, 'input and output names to differ'),
    ({'output_names': ['']}, 'distinct non-empty strings'),
])
def test_bad_names(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mg_onnx.export(MLP(), uniform((2, 4)), **kwargs)


def test_the_same_output_twice_and_an_input_as_output():
    class Model(minigrad.Chain):
        def forward(self, x, y):
            h = F.relu(x)
            return h, h, y

    x, y = uniform((2, 3), 1), uniform((3,), 2)
    proto = check_export(Model(), (x, y))
    outs = session(proto).run(None, {'Input_0': x, 'Input_1': y})
    numpy.testing.assert_array_equal(outs[0], outs[1])
    numpy.testing.assert_array_equal(outs[2], y)


# ---------------------------------------------------------------------------
# Parameters

def test_export_params_false_makes_the_parameters_inputs():
    model = models.ResNet(8, widths=(2, 4, 8))
    proto = check_export(model, uniform((2, 3, 8, 8)), export_params=False)
    names = [i.name for i in proto.graph.input]
    assert names[0] == 'Input_0'
    assert set(names[1:]) == set(model_state(model))
    assert 'bn1/avg_mean' in names and 'res2/0/conv1/W' in names
    assert not proto.graph.initializer or all(
        i.name not in names for i in proto.graph.initializer)


def test_export_params_false_keeps_the_constants():
    model = MLP()
    proto = mg_onnx.export(model, uniform((2, 4)), export_params=False)
    assert len(proto.graph.initializer) == 0
    model.forward = lambda x: MLP.forward(model, x) * 2.0 + 1.0
    proto = check_export(model, uniform((2, 4)), export_params=False)
    assert len(proto.graph.initializer) == 2


def test_parameters_are_read_at_export_time():
    model = MLP()
    x = uniform((2, 4))
    proto = mg_onnx.export(model, x)
    before, = session(proto).run(None, {'Input_0': x})
    model.l2.b.array[...] += 1.0
    after, = session(proto).run(None, {'Input_0': x})
    numpy.testing.assert_array_equal(before, after)


def test_tied_parameters_are_stored_once():
    class Tied(minigrad.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.a = L.Linear(3, 3)
            self.b = self.a

        def forward(self, x):
            return self.a(F.tanh(self.b(x)))

    proto = check_export(Tied(), uniform((2, 3)))
    assert [i.name for i in proto.graph.initializer] == ['a/W', 'a/b']


# ---------------------------------------------------------------------------
# Test mode and the recorded graph

def test_runs_the_model_in_test_mode_and_restores_the_config():
    model = models.ResNet(8, widths=(2, 4, 8))
    x = uniform((2, 3, 8, 8))
    assert minigrad.config.train
    proto = mg_onnx.export(model, x)
    assert minigrad.config.train and minigrad.config.enable_backprop
    assert 'BatchNormalization' in [n.op_type for n in proto.graph.node]
    y, = session(proto).run(None, {'Input_0': x})
    with minigrad.using_config('train', False):
        expected = model(x).array
    assert relative_error(y, expected) <= 1e-4


def test_works_inside_no_backprop_mode():
    with minigrad.no_backprop_mode():
        proto = mg_onnx.export(MLP(), uniform((2, 4)))
    assert len(proto.graph.node) == 3


def test_functions_before_the_first_parameter_are_recorded():
    # An input that needs no gradient would record nothing until the first
    # Parameter; export feeds inputs that need one, so x * 2 - 1 is in the graph.
    class Scaled(MLP):
        def forward(self, x):
            return super().forward(x * 2.0 - 1.0)

    x = minigrad.Variable(uniform((2, 4)), requires_grad=False)
    proto = check_export(Scaled(), x)
    assert [n.op_type for n in proto.graph.node][:2] == ['Mul', 'Sub']


def test_a_model_that_is_a_plain_function():
    proto = check_export(lambda x: F.relu(x) * 3.0, uniform((2, 3)))
    assert [n.name for n in proto.graph.node] == ['/ReLU/Relu', '/Mul/Mul']


def test_apply_is_restored_even_after_an_error():
    apply = minigrad.FunctionNode.apply
    with pytest.raises(mg_onnx.UnsupportedFunctionError):
        mg_onnx.export(Nested(), uniform((2, 4)))
    assert minigrad.FunctionNode.apply is apply
    with pytest.raises(ZeroDivisionError):
        mg_onnx.export(lambda x: 1 / 0, uniform((2, 4)))
    assert minigrad.FunctionNode.apply is apply


# ---------------------------------------------------------------------------
# Functions without a mapping

def test_an_unmapped_function_is_named_with_its_link():
    with pytest.raises(mg_onnx.UnsupportedFunctionError,
                       match=r'no ONNX mapping for SoftmaxCrossEntropy.* \(link /block\)'):
        mg_onnx.export(Nested(), uniform((2, 4)))


def test_the_loss_of_alex_is_not_exported():
    # AlexNet's forward(x, t) returns its loss: softmax cross entropy has no mapping.
    class SmallAlexLoss(minigrad.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.fc8 = L.Linear(6, 4)

        def forward(self, x, t):
            return F.softmax_cross_entropy(self.fc8(x), t)

    with pytest.raises(NotImplementedError, match=r'SoftmaxCrossEntropy.*\(link /\)'):
        mg_onnx.export(SmallAlexLoss(), (uniform((2, 6)), numpy.array([1, 3], numpy.int32)))


def test_an_old_style_function_is_unmapped():
    class Double(minigrad.Function):
        def forward(self, inputs):
            return inputs[0] * 2,

        def backward(self, inputs, grad_outputs):
            return grad_outputs[0] * 2,

    with pytest.raises(mg_onnx.UnsupportedFunctionError,
                       match=r'Double \(called outside any link of the model\)'):
        mg_onnx.export(lambda x: Double()(x), uniform((2, 4)))


def test_every_unmapped_function_is_listed_at_once():
    def model(x):
        t = numpy.zeros((1, 2, 2), numpy.int32)
        return F.softmax_cross_entropy(F.unpooling_2d(x, 2, cover_all=False), t)

    with pytest.raises(mg_onnx.UnsupportedFunctionError) as info:
        mg_onnx.export(model, uniform((1, 3, 1, 1)))
    assert 'Unpooling2D' in str(info.value) and 'SoftmaxCrossEntropy' in str(info.value)
    assert 'Convolution2D' in str(info.value)      # the message lists what is mapped


def test_unsupported_arguments_of_a_mapped_function():
    with pytest.raises(mg_onnx.UnsupportedFunctionError,
                       match=r'GetItem .*advanced indexing with 2 arrays'):
        mg_onnx.export(lambda x: x[numpy.array([0, 1]), numpy.array([1, 2])], uniform((2, 3)))


def test_supported_functions():
    names = mg_onnx.supported_functions()
    for name in ('Convolution2D', 'Deconvolution2D', 'LinearFunction', 'MaxPooling2D',
                 'AveragePooling2D', 'FixedBatchNormalization', 'LocalResponseNormalization',
                 'Dropout', 'ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax',
                 'Reshape', 'Transpose', 'Concat', 'GetItem', 'BroadcastTo', 'SumTo', 'Add',
                 'Sub', 'Mul', 'Div', 'PowVarConst', 'Pow', 'Neg', 'Sum'):
        assert name in names


# ---------------------------------------------------------------------------
# Opsets

def test_default_opset_and_ir_version():
    proto = mg_onnx.export(MLP(), uniform((2, 4)))
    assert [(o.domain, o.version) for o in proto.opset_import] == [('', 17)]
    assert mg_onnx.DEFAULT_OPSET_VERSION == 17
    assert proto.ir_version == 8
    assert proto.producer_name == 'minigrad'


@pytest.mark.parametrize('opset', [13, 15, 18, 21, onnx.defs.onnx_opset_version()])
def test_other_opsets(opset):
    model = models.ResNet(8, widths=(2, 4, 8))
    randomize = numpy.random.RandomState(opset)
    for link in model.links():
        if getattr(link, 'avg_var', None) is not None:
            link.avg_var[...] = randomize.uniform(0.5, 2.0, link.avg_var.shape)

    def fn(x):
        h = model(x)
        return F.log_softmax(F.concat([h[:, ::-1], F.reshape(F.sum(h, axis=1), (-1, 1))]))

    proto = check_export(fn, uniform((2, 3, 9, 9)), opset_version=opset)
    assert proto.opset_import[0].version == opset


@pytest.mark.parametrize('opset', [12, 'x', 10 ** 6])
def test_bad_opsets(opset):
    with pytest.raises(ValueError, match='opset_version'):
        mg_onnx.export(MLP(), uniform((2, 4)), opset_version=opset)


# ---------------------------------------------------------------------------
# Files

def test_filename(tmp_path):
    path = tmp_path / 'mlp.onnx'
    proto = mg_onnx.export(MLP(), uniform((2, 4)), filename=str(path))
    assert path.read_bytes() == proto.SerializeToString()
    assert onnx.load(str(path)) == proto
    assert os.listdir(tmp_path) == ['mlp.onnx']     # no temporary file left


def test_filename_as_path_and_file_object(tmp_path):
    model, x = MLP(), uniform((2, 4))
    proto = mg_onnx.export(model, x, filename=tmp_path / 'mlp.onnx')
    buffer = io.BytesIO()
    mg_onnx.export(model, x, filename=buffer)
    assert buffer.getvalue() == (tmp_path / 'mlp.onnx').read_bytes() == proto.SerializeToString()


def test_a_failed_export_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / 'model.onnx'
    path.write_bytes(b'previous')
    with pytest.raises(mg_onnx.UnsupportedFunctionError):
        mg_onnx.export(Nested(), uniform((2, 4)), filename=path)
    assert path.read_bytes() == b'previous'


def test_a_failed_write_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / 'model.onnx'
    path.write_bytes(b'previous')

    def fail(fd):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'fsync', fail)
    with pytest.raises(OSError, match='disk full'):
        mg_onnx.export(MLP(), uniform((2, 4)), filename=path)
    assert path.read_bytes() == b'previous'
    assert os.listdir(tmp_path) == ['model.onnx']


def test_an_existing_file_is_replaced(tmp_path):
    path = tmp_path / 'model.onnx'
    path.write_bytes(b'previous')
    proto = mg_onnx.export(MLP(), uniform((2, 4)), filename=path)
    assert path.read_bytes() == proto.SerializeToString()


# ---------------------------------------------------------------------------
# Imports

def test_import_minigrad_imports_no_onnx():
    code = ('import sys, minigrad, minigrad.functions, minigrad.models; '
            'assert not [m for m in sys.modules if m == "onnx" or m.startswith(("onnx.", '
            '"onnxruntime", "minigrad.onnx"))], sorted(sys.modules)')
    result = subprocess.run([sys.executable, '-c', code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
