"""One small model per mapped function, with odd geometries, checked in ONNX Runtime.

Each case builds a Chain whose Parameters are the function's weights,
exports it and compares ONNX Runtime's output with minigrad's (test mode):
``max |onnx - minigrad| / max |minigrad| <= 1e-4`` in float32.
"""
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Parameter

from tests.onnx.runtime_check import check_export


class Net(minigrad.Chain):
    """``fn(self, *xs)`` with the Parameters ``params`` and persistent arrays ``persistents``."""

    def __init__(self, fn, params=None, persistents=None):
        super().__init__()
        self.fn = fn
        with self.init_scope():
            for name, value in (params or {}).items():
                setattr(self, name, Parameter(value))
        for name, value in (persistents or {}).items():
            self.add_persistent(name, value)

    def forward(self, *xs):
        return self.fn(self, *xs)


def uniform(shape, low=-1.0, high=1.0, seed=0):
    return numpy.random.RandomState(seed).uniform(low, high, shape).astype(numpy.float32)


def op_types(proto):
    return [node.op_type for node in proto.graph.node]


# ---------------------------------------------------------------------------
# Convolution

# x shape, W shape, stride, pad, cover_all, dilate, groups
CONVOLUTIONS = [
    ((2, 3, 7, 7), (4, 3, 3, 3), 1, 1, False, 1, 1),
    ((2, 3, 9, 8), (5, 3, 3, 2), (2, 1), (1, 0), False, 1, 1),        # non-square kernel
    ((2, 3, 10, 8), (5, 3, 3, 2), (2, 1), (1, 0), True, 1, 1),        # cover_all adds a row
    ((1, 2, 11, 10), (3, 2, 3, 3), 3, 0, True, 1, 1),                 # extra row and column
    ((2, 3, 11, 9), (4, 3, 3, 2), 1, 2, False, (2, 3), 1),            # dilation
    ((2, 3, 13, 12), (4, 3, 2, 3), (3, 2), (0, 1), True, (2, 1), 1),  # cover_all with dilation
    ((2, 4, 9, 9), (6, 2, 3, 3), 2, 1, False, 1, 2),                  # groups
    ((1, 6, 10, 9), (3, 2, 2, 3), (2, 3), (1, 2), True, (2, 1), 3),   # everything at once
    ((2, 4, 8, 8), (8, 4, 1, 1), 2, 0, False, 1, 1),                  # ResNet's 1x1 shortcut
    ((2, 3, 8, 8), (4, 3, 3, 3), 2, 1, False, 1, 1),                  # a padded row dropped
    ((1, 3, 227, 227), (8, 3, 11, 11), 4, 0, False, 1, 1),            # AlexNet's conv1
]


@pytest.mark.parametrize('nobias', [False, True])
@pytest.mark.parametrize('x_shape, W_shape, stride, pad, cover_all, dilate, groups', CONVOLUTIONS)
def test_convolution_2d(x_shape, W_shape, stride, pad, cover_all, dilate, groups, nobias):
    params = {'W': uniform(W_shape, seed=1)}
    if not nobias:
        params['b'] = uniform(W_shape[:1], seed=2)

    def fn(m, x):
        return F.convolution_2d(x, m.W, None if nobias else m.b, stride, pad, cover_all,
                                dilate=dilate, groups=groups)

    proto = check_export(Net(fn, params), uniform(x_shape))
    assert op_types(proto) == ['Conv']


# x shape, W shape, stride, pad, outsize, dilate, groups
DECONVOLUTIONS = [
    ((2, 3, 4, 5), (3, 4, 3, 2), (2, 3), (1, 0), None, 1, 1),
    ((2, 3, 4, 5), (3, 4, 3, 2), (2, 3), (1, 0), (8, 14), 1, 1),      # bias-only trailing pixels
    ((2, 3, 4, 5), (3, 4, 3, 2), (2, 3), (1, 0), (6, 12), 1, 1),      # cover_all's transpose
    ((1, 2, 5, 4), (2, 3, 3, 3), 1, 2, None, (2, 1), 1),              # dilation
    ((2, 4, 3, 4), (4, 2, 3, 2), 2, (0, 1), None, 1, 2),              # groups
    ((1, 6, 4, 3), (6, 1, 2, 3), (3, 2), (1, 1), (11, 6), (2, 1), 3),  # everything at once
]


@pytest.mark.parametrize('nobias', [False, True])
@pytest.mark.parametrize('x_shape, W_shape, stride, pad, outsize, dilate, groups', DECONVOLUTIONS)
def test_deconvolution_2d(x_shape, W_shape, stride, pad, outsize, dilate, groups, nobias):
    params = {'W': uniform(W_shape, seed=1)}
    if not nobias:
        params['b'] = uniform((W_shape[1] * groups,), seed=2)

    def fn(m, x):
        return F.deconvolution_2d(x, m.W, None if nobias else m.b, stride, pad, outsize,
                                  dilate=dilate, groups=groups)

    proto = check_export(Net(fn, params), uniform(x_shape))
    assert op_types(proto) == ['ConvTranspose']


# x shape, n_batch_axes, ONNX ops
LINEARS = [
    ((4, 6), 1, ['Gemm']),
    ((3, 2, 3, 1), 1, ['Flatten', 'Gemm']),
    ((2, 3, 6), 2, ['Transpose', 'MatMul', 'Add']),
    ((2, 3, 2, 3), 2, ['Reshape', 'Transpose', 'MatMul', 'Add']),
]


@pytest.mark.parametrize('nobias', [False, True])
@pytest.mark.parametrize('x_shape, n_batch_axes, ops', LINEARS)
def test_linear(x_shape, n_batch_axes, ops, nobias):
    params = {'W': uniform((5, 6), seed=1)}
    if not nobias:
        params['b'] = uniform((5,), seed=2)

    def fn(m, x):
        return F.linear(x, m.W, None if nobias else m.b, n_batch_axes=n_batch_axes)

    proto = check_export(Net(fn, params), uniform(x_shape))
    assert op_types(proto) == [op for op in ops if not (nobias and op == 'Add')]


# ---------------------------------------------------------------------------
# Pooling

# x shape, ksize, stride, pad, cover_all
MAX_POOLINGS = [
    ((2, 3, 7, 7), 3, 2, 0, True),              # windows fit exactly
    ((1, 2, 55, 55), 3, 2, 0, True),            # AlexNet's
    ((2, 3, 8, 9), 3, 2, 1, True),              # cover_all adds a row and a column
    ((2, 3, 8, 9), 3, 2, 1, False),
    ((2, 2, 6, 7), (3, 2), (2, 1), (1, 0), True),
    ((2, 2, 6, 7), (3, 2), (2, 1), (1, 0), False),
    ((1, 2, 5, 7), 2, 3, 1, True),              # cover_all's window in padding only: dropped
    ((1, 2, 9, 8), (2, 3), (3, 2), (1, 2), True),
    ((2, 3, 4, 6), 2, None, 0, False),          # stride = ksize
]


@pytest.mark.parametrize('x_shape, ksize, stride, pad, cover_all', MAX_POOLINGS)
def test_max_pooling_2d(x_shape, ksize, stride, pad, cover_all):
    def fn(m, x):
        return F.max_pooling_2d(x, ksize, stride, pad, cover_all)

    proto = check_export(Net(fn), uniform(x_shape))
    assert op_types(proto) == ['MaxPool']


def test_max_pooling_of_negative_values_next_to_padding():
    # Padding must not win a window of negative values (it is -inf, not 0).
    def fn(m, x):
        return F.max_pooling_2d(x, 3, 2, 1, cover_all=True)

    check_export(Net(fn), uniform((1, 2, 6, 7), -2.0, -1.0))


# x shape, ksize, stride, pad
AVERAGE_POOLINGS = [
    ((2, 3, 7, 8), (3, 2), 2, (1, 0)),          # padding counts as zeros
    ((2, 3, 6, 6), 3, 1, 1),
    ((2, 3, 6, 6), 2, None, 0),
    ((1, 2, 9, 7), (3, 1), (3, 2), (0, 0)),
    ((2, 4, 5, 5), 5, 1, 0),                    # global average pooling
]


@pytest.mark.parametrize('x_shape, ksize, stride, pad', AVERAGE_POOLINGS)
def test_average_pooling_2d(x_shape, ksize, stride, pad):
    def fn(m, x):
        return F.average_pooling_2d(x, ksize, stride, pad)

    proto = check_export(Net(fn), uniform(x_shape))
    assert op_types(proto) == ['AveragePool']


# ---------------------------------------------------------------------------
# Normalization

@pytest.mark.parametrize('x_shape, axis, ops', [
    ((2, 3, 4, 5), None, ['BatchNormalization']),
    ((4, 3), None, ['BatchNormalization']),
    ((2, 3, 4), None, ['BatchNormalization']),
    ((2, 3, 4, 5), (0, 2), None),               # channels (3, 5): written out in arithmetic
])
def test_fixed_batch_normalization(x_shape, axis, ops):
    channels = tuple(d for i, d in enumerate(x_shape) if i not in (axis or (0, 2, 3)[:len(x_shape) - 1]))
    params = {'gamma': uniform(channels, 0.5, 1.5, seed=1), 'beta': uniform(channels, seed=2)}
    persistents = {'mean': uniform(channels, seed=3), 'var': uniform(channels, 0.5, 2.0, seed=4)}

    def fn(m, x):
        return F.fixed_batch_normalization(x, m.gamma, m.beta, m.mean, m.var, eps=1e-3, axis=axis)

    proto = check_export(Net(fn, params, persistents), uniform(x_shape))
    if ops is not None:
        assert op_types(proto) == ops
    assert {'gamma', 'beta', 'mean', 'var'} <= {t.name for t in proto.graph.initializer}


@pytest.mark.parametrize('use_gamma, use_beta', [(True, True), (False, False), (True, False)])
def test_batch_normalization_link_in_test_mode(use_gamma, use_beta):
    bn = minigrad.links.BatchNormalization(3, use_gamma=use_gamma, use_beta=use_beta)
    bn.avg_mean[...] = uniform((3,), seed=1)
    bn.avg_var[...] = uniform((3,), 0.5, 2.0, seed=2)
    if use_gamma:
        bn.gamma.array[...] = uniform((3,), 0.5, 1.5, seed=3)
    proto = check_export(bn, uniform((2, 3, 4, 5)))
    assert op_types(proto) == ['BatchNormalization']


@pytest.mark.parametrize('x_shape, n, k, alpha, beta', [
    ((2, 7, 3, 4), 5, 2.0, 1e-4, 0.75),         # AlexNet's
    ((2, 7, 3, 4), 3, 1.0, 0.5, 0.6),
    ((2, 8, 3, 2), 4, 1.5, 0.3, 0.9),           # even n: a window of n + 1 channels
    ((1, 3, 2, 2), 7, 1.0, 1.0, 0.5),           # window wider than the channels
    ((3, 6), 3, 2.0, 0.4, 0.75),                # not 4-D: reshaped for ONNX Runtime
    ((2, 5, 4), 5, 1.0, 0.2, 0.75),
])
def test_local_response_normalization(x_shape, n, k, alpha, beta):
    def fn(m, x):
        return F.local_response_normalization(x, n, k, alpha, beta)

    proto = check_export(Net(fn), uniform(x_shape, -3.0, 3.0))
    assert 'LRN' in op_types(proto)


def test_dropout_is_the_identity_in_test_mode():
    proto = check_export(Net(lambda m, x: F.dropout(x * 2.0, 0.3)), uniform((3, 4)))
    assert op_types(proto) == ['Mul']


def test_dropout_node_forced_by_train_true_is_the_identity():
    # F.dropout(..., train=True) records a Dropout node even in test mode.
    x = uniform((3, 4))
    proto = minigrad.onnx.export(Net(lambda m, x: F.dropout(x, 0.5, train=True)), x)
    assert op_types(proto) == ['Identity']


# ---------------------------------------------------------------------------
# Activations and elementwise functions

UNARY = [
    ('relu', F.relu, 'Relu'),
    ('leaky_relu', lambda x: F.leaky_relu(x, 0.3), 'LeakyRelu'),
    ('sigmoid', F.sigmoid, 'Sigmoid'),
    ('tanh', F.tanh, 'Tanh'),
    ('softmax', F.softmax, 'Softmax'),
    ('softmax_last_axis', lambda x: F.softmax(x, axis=-1), 'Softmax'),
    ('softmax_axis_0', lambda x: F.softmax(x, axis=0), 'Softmax'),
    ('log_softmax', F.log_softmax, 'LogSoftmax'),
    ('log_softmax_axis_2', lambda x: F.log_softmax(x, axis=2), 'LogSoftmax'),
    ('elu', lambda x: F.elu(x, 0.7), 'Elu'),
    ('selu', F.selu, 'Selu'),
    ('hard_sigmoid', F.hard_sigmoid, 'HardSigmoid'),
    ('softplus', F.softplus, 'Softplus'),
    ('softplus_beta', lambda x: F.softplus(x, 2.5), 'Softplus'),
    ('exp', F.exp, 'Exp'),
    ('absolute', F.absolute, 'Abs'),
    ('neg', lambda x: -x, 'Neg'),
    ('square', F.square, 'Mul'),
    ('clip', lambda x: F.clip(x, -0.5, 0.25), 'Clip'),
    ('clip_above', lambda x: F.clip(x, None, 0.25), 'Clip'),
    ('sum', F.sum, 'ReduceSum'),
    ('sum_axis', lambda x: F.sum(x, axis=1), 'ReduceSum'),
    ('sum_axes_keepdims', lambda x: F.sum(x, axis=(0, -1), keepdims=True), 'ReduceSum'),
    ('mean', F.mean, 'ReduceSum'),
    ('mean_axes', lambda x: F.mean(x, axis=(0, 2)), 'ReduceSum'),
    ('average', lambda x: F.average(x, axis=1), 'ReduceSum'),
    ('cast', lambda x: F.cast(x, numpy.float64), 'Cast'),
]


@pytest.mark.parametrize('name, fn, op', UNARY, ids=[case[0] for case in UNARY])
def test_unary(name, fn, op):
    proto = check_export(Net(lambda m, x: fn(x)), uniform((2, 3, 4), -3.0, 3.0))
    assert op in op_types(proto)


POSITIVE = [
    ('sqrt', F.sqrt, 'Sqrt'),
    ('rsqrt', F.rsqrt, None),
    ('log', F.log, 'Log'),
    ('pow_const', lambda x: x ** 2.5, 'Pow'),
    ('pow_int', lambda x: x ** 3, 'Pow'),
    ('rpow', lambda x: 2.0 ** x, 'Pow'),
    ('rdiv', lambda x: 2.0 / x, 'Div'),
]


@pytest.mark.parametrize('name, fn, op', POSITIVE, ids=[case[0] for case in POSITIVE])
def test_unary_of_positive_values(name, fn, op):
    proto = check_export(Net(lambda m, x: fn(x)), uniform((2, 3, 4), 0.5, 2.0))
    assert op is None or op in op_types(proto)


def test_swish():
    params = {'beta': uniform((3, 4), 0.5, 2.0, seed=1)}
    check_export(Net(lambda m, x: F.swish(x, m.beta), params), uniform((2, 3, 4, 2), -3, 3))


# ---------------------------------------------------------------------------
# Arithmetic with broadcasting, Parameters and constants

BINARY = [
    ('add', lambda x, y: x + y),
    ('sub', lambda x, y: x - y),
    ('mul', lambda x, y: x * y),
    ('div', lambda x, y: x / y),
    ('pow', lambda x, y: abs(x) ** y),
    ('maximum', F.maximum),
    ('minimum', F.minimum),
]


@pytest.mark.parametrize('name, fn', BINARY, ids=[case[0] for case in BINARY])
@pytest.mark.parametrize('x_shape, y_shape', [((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((4,), (2, 3, 4))])
def test_binary_between_inputs(name, fn, x_shape, y_shape):
    check_export(Net(lambda m, x, y: fn(x, y)), [uniform(x_shape, 0.5, 2.0, seed=1),
                                                 uniform(y_shape, 0.5, 2.0, seed=2)])


@pytest.mark.parametrize('name, fn', BINARY, ids=[case[0] for case in BINARY])
def test_binary_with_a_parameter(name, fn):
    params = {'w': uniform((3, 1), 0.5, 2.0, seed=3)}
    check_export(Net(lambda m, x: fn(x, m.w), params), uniform((2, 3, 4), 0.5, 2.0))


CONSTANTS = [
    ('add_scalar', lambda x: x + 1),
    ('radd', lambda x: 1.5 + x),
    ('sub_scalar', lambda x: x - 2),
    ('rsub', lambda x: 1 - x),
    ('mul_scalar', lambda x: x * 3),
    ('div_scalar', lambda x: x / 4),
    ('add_array', lambda x: x + numpy.arange(4.0)),
    ('rsub_array', lambda x: numpy.arange(12.0).reshape(3, 4) - x),
    ('mul_numpy_scalar', lambda x: x * numpy.float64(0.5)),
    ('add_variable', lambda x: x + minigrad.Variable(numpy.full((1, 4), 2.0, numpy.float32))),
    ('where', lambda x: F.where(numpy.arange(12).reshape(3, 4) % 3 == 0, x, x * 2)),
]


@pytest.mark.parametrize('name, fn', CONSTANTS, ids=[case[0] for case in CONSTANTS])
def test_arithmetic_with_constants(name, fn):
    proto = check_export(Net(lambda m, x: fn(x)), uniform((2, 3, 4)))
    assert proto.graph.initializer       # the constant is in the file


def test_matmul():
    params = {'w': uniform((4, 5), seed=1)}
    check_export(Net(lambda m, x: F.matmul(x, m.w) @ F.matmul(m.w, x, transa=True, transb=True),
                     params), uniform((2, 3, 4)))


# ---------------------------------------------------------------------------
# Shapes and indexing

SHAPES = [
    ('reshape', lambda x: F.reshape(x, (4, -1))),
    ('reshape_method', lambda x: x.reshape(2, 12, 1)),
    ('flatten', F.flatten),
    ('expand_dims', lambda x: F.expand_dims(x, -2)),
    ('squeeze', lambda x: F.squeeze(F.expand_dims(x, 1))),
    ('transpose', F.transpose),
    ('transpose_axes', lambda x: F.transpose(x, (1, -1, 0))),
    ('T', lambda x: x[0].T),
    ('broadcast_to', lambda x: F.broadcast_to(x[:, :1], (5, 2, 3, 4))),
    ('sum_to', lambda x: F.sum_to(x, (3, 1))),
    ('sum_to_leading', lambda x: F.sum_to(x, (4,))),
    ('concat', lambda x: F.concat([x, x * 2, x[:, :1]], axis=1)),
    ('concat_last', lambda x: F.concat([x, -x], axis=-1)),
    ('stack', lambda x: F.stack([x, x + 1], axis=1)),
    ('stack_last', lambda x: F.stack([x, x + 1, x * 2], axis=-1)),
    ('split_axis', lambda x: F.split_axis(x, [1, 3], axis=2)),
    ('split_axis_sections', lambda x: F.split_axis(x, 3, axis=1)),
    ('separate', lambda x: F.separate(x, axis=1)),
]


@pytest.mark.parametrize('name, fn', SHAPES, ids=[case[0] for case in SHAPES])
def test_shapes(name, fn):
    check_export(Net(lambda m, x: fn(x)), uniform((2, 3, 4)))


INDEXES = [
    ('int', 1),
    ('negative_int', -1),
    ('slice', (slice(None), slice(1, 3))),
    ('negative_step', (Ellipsis, slice(None, None, -1))),
    ('negative_step_partial', (slice(None), slice(None, 0, -2))),
    ('step_and_stop', (slice(None, None, 2), Ellipsis, slice(1, -1, 2))),
    ('ints_and_slice', (0, slice(1, None), 2)),
    ('newaxis', (slice(None), None, 2)),
    ('newaxis_front_and_back', (None, Ellipsis, None)),
    ('int_and_newaxis', (-1, slice(None), None)),
    ('ellipsis_only', Ellipsis),
    ('empty_slice', (slice(None), slice(2, 2))),
    ('int_array', (slice(None), numpy.array([2, 0, 1, 2]))),
    ('int_array_2d', numpy.array([[0, 1], [1, 0]])),
    ('int_array_negative', (Ellipsis, numpy.array([-1, 0]))),
    ('bool_mask', (slice(None), numpy.array([True, False, True]))),
    ('list', [1, 0]),
    ('array_and_newaxis', (None, slice(None), numpy.array([1, 1]))),
]


@pytest.mark.parametrize('name, index', INDEXES, ids=[case[0] for case in INDEXES])
def test_get_item(name, index):
    check_export(Net(lambda m, x: x[index]), uniform((2, 3, 4)))


def test_get_item_of_a_parameter():
    params = {'table': uniform((5, 3), seed=1)}
    check_export(Net(lambda m, x: m.table[1:4] * x, params), uniform((3, 3)))
