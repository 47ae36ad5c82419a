"""One converter per minigrad function: its ONNX operators, from its hyperparameters.

A converter is ``convert(ctx)`` with ``ctx`` a
:class:`~minigrad.onnx.context.ConversionContext`: it reads the function's
attributes (``ctx.func.sy``, ``ctx.func.groups``, ...) and the recorded
shapes, and writes ONNX nodes from ``ctx.inputs`` to ``ctx.outputs``.  A
subclass of a mapped function (SELU of ELU) takes its base's converter.  The
operators are those of the default domain at opset 13 and later (Softmax
over one axis, axes of ReduceSum, Squeeze, Unsqueeze and Split given as
inputs), with the same meaning in every later opset.

Geometry is the one place where minigrad and ONNX differ in more than
names: ONNX has no ``cover_all``.  Its extra windows become extra padding at
the bottom and right, sized from the output shape the forward pass recorded,
so that ONNX's floor rule gives exactly minigrad's output size (see
:func:`_end_pad`).
"""
import numpy
from onnx import helper

from minigrad import core
from minigrad.functions.activation.elu import ELU
from minigrad.functions.activation.hard_sigmoid import HardSigmoid
from minigrad.functions.activation.leaky_relu import LeakyReLU
from minigrad.functions.activation.log_softmax import LogSoftmax
from minigrad.functions.activation.relu import ReLU
from minigrad.functions.activation.sigmoid import Sigmoid
from minigrad.functions.activation.softmax import Softmax
from minigrad.functions.activation.softplus import Softplus
from minigrad.functions.activation.swish import Swish
from minigrad.functions.activation.tanh import Tanh
from minigrad.functions.array.separate import Separate
from minigrad.functions.array.shape import Concat
from minigrad.functions.array.split_axis import SplitAxis
from minigrad.functions.array.squeeze import Squeeze
from minigrad.functions.array.stack import Stack
from minigrad.functions.array.where import Where
from minigrad.functions.connection.convolution_2d import Convolution2D
from minigrad.functions.connection.deconvolution_2d import Deconvolution2D
from minigrad.functions.connection.linear import LinearFunction
from minigrad.functions.math.clip import Clip
from minigrad.functions.math.minmax import Maximum, Minimum
from minigrad.functions.math.sqrt import Sqrt
from minigrad.functions.math.square import Square
from minigrad.functions.math.sum import Sum
from minigrad.functions.noise.dropout import Dropout
from minigrad.functions.normalization.batch_normalization import (
    FixedBatchNormalization, _reduced_axes)
from minigrad.functions.normalization.local_response_normalization import (
    LocalResponseNormalization)
from minigrad.functions.pooling.average_pooling_2d import AveragePooling2D
from minigrad.functions.pooling.max_pooling_2d import MaxPooling2D
from minigrad.utils.conv import get_dilated_ksize

_CONVERTERS = {}


def converts(*classes):
    """Register the decorated ``convert(ctx)`` for FunctionNode ``classes``."""
    def register(convert):
        for cls in classes:
            _CONVERTERS[cls] = convert
        return convert
    return register


def converter_for(func):
    """The converter of ``func``'s class (or of its nearest registered base), or None."""
    for cls in type(func).__mro__:
        if cls in _CONVERTERS:
            return _CONVERTERS[cls]
    return None


def supported_functions():
    """The names of the FunctionNode classes :func:`~minigrad.onnx.export` maps (and their subclasses)."""
    return sorted(cls.__name__ for cls in _CONVERTERS)


# ---------------------------------------------------------------------------
# Elementwise: one ONNX operator each, the same inputs

_ONE_TO_ONE = {
    ReLU: 'Relu', Sigmoid: 'Sigmoid', Tanh: 'Tanh', Sqrt: 'Sqrt',
    core.Neg: 'Neg', core.Absolute: 'Abs', core.Exp: 'Exp', core.Log: 'Log',
    core.Add: 'Add', core.Sub: 'Sub', core.Mul: 'Mul', core.Div: 'Div', core.Pow: 'Pow',
    core.MatMul: 'MatMul', Maximum: 'Max', Minimum: 'Min',
    Dropout: 'Identity',        # a Dropout node (train=True forced) is the identity at inference
}


def _one_to_one(ctx):
    ctx.op(_ONE_TO_ONE[type(ctx.func)], ctx.inputs, ctx.outputs)


for _cls in _ONE_TO_ONE:
    converts(_cls)(_one_to_one)


@converts(core.PowVarConst)
def _pow_const(ctx):
    exponent = ctx.scalar(ctx.func.exponent, ctx.in_dtypes[0], 'exponent')
    ctx.op('Pow', [ctx.inputs[0], exponent], ctx.outputs)


@converts(Square)
def _square(ctx):
    x, = ctx.inputs
    ctx.op('Mul', [x, x], ctx.outputs)


@converts(core.Cast)
def _cast(ctx):
    ctx.op('Cast', ctx.inputs, ctx.outputs, to=helper.np_dtype_to_tensor_dtype(ctx.func.dtype))


@converts(Clip)
def _clip(ctx):
    dtype = ctx.in_dtypes[0]
    bounds = ['' if v is None else ctx.scalar(v, dtype, name)
              for v, name in ((ctx.func.x_min, 'min'), (ctx.func.x_max, 'max'))]
    ctx.op('Clip', [ctx.inputs[0]] + bounds, ctx.outputs)


@converts(Where)
def _where(ctx):
    condition = ctx.const(numpy.asarray(ctx.func.condition, dtype=bool), 'condition')
    ctx.op('Where', [condition] + ctx.inputs, ctx.outputs)


# ---------------------------------------------------------------------------
# Activations with parameters

@converts(LeakyReLU)
def _leaky_relu(ctx):
    ctx.op('LeakyRelu', ctx.inputs, ctx.outputs, alpha=ctx.func.slope)


@converts(ELU)          # and SELU, its subclass with a scale
def _elu(ctx):
    f = ctx.func
    if f.scale == 1.0:
        ctx.op('Elu', ctx.inputs, ctx.outputs, alpha=f.alpha)
    else:       # y = scale * elu(x, alpha): ONNX's Selu with gamma = scale
        ctx.op('Selu', ctx.inputs, ctx.outputs, alpha=f.alpha, gamma=f.scale)


@converts(HardSigmoid)
def _hard_sigmoid(ctx):
    # minigrad: clip(0.2 x + 0.5, 0, 1), Chainer's constants.
    ctx.op('HardSigmoid', ctx.inputs, ctx.outputs, alpha=0.2, beta=0.5)


@converts(Softplus)
def _softplus(ctx):
    # y = log(1 + exp(beta x)) / beta
    beta = ctx.func.beta
    if beta == 1.0:
        ctx.op('Softplus', ctx.inputs, ctx.outputs)
        return
    dtype = ctx.in_dtypes[0]
    bx = ctx.op('Mul', [ctx.inputs[0], ctx.scalar(beta, dtype, 'beta')])
    s = ctx.op('Softplus', [bx])
    ctx.op('Div', [s, ctx.scalar(beta, dtype, 'beta')], ctx.outputs)


@converts(Swish)
def _swish(ctx):
    # y = x * sigmoid(beta x), beta of shape x.shape[1:1 + beta.ndim] laid along axis 1
    x, beta = ctx.inputs
    x_ndim, beta_shape = len(ctx.in_shapes[0]), ctx.in_shapes[1]
    shape = (1,) + beta_shape + (1,) * (x_ndim - len(beta_shape) - 1)
    b = ctx.op('Reshape', [beta, ctx.ints(shape)])
    s = ctx.op('Sigmoid', [ctx.op('Mul', [b, x])])
    ctx.op('Mul', [x, s], ctx.outputs)


@converts(Softmax)
def _softmax(ctx):
    ctx.op('Softmax', ctx.inputs, ctx.outputs, axis=ctx.func.axis)


@converts(LogSoftmax)
def _log_softmax(ctx):
    ctx.op('LogSoftmax', ctx.inputs, ctx.outputs, axis=ctx.func.axis)


# ---------------------------------------------------------------------------
# Convolution and pooling

def _end_pad(size, out, k, s, p, d=1):
    """The bottom (or right) padding that makes ONNX's floor rule give ``out`` windows.

    ONNX computes ``floor((size + p + end - dk) / s) + 1``.  The symmetric
    ``end = p`` does whenever minigrad's output has no window that
    ``cover_all`` added; otherwise the padding must reach the end of the
    last window, ``(out - 1) s + dk``.  Max pooling's rule that drops a
    ``cover_all`` window lying wholly in padding is already in ``out``.
    """
    dk = get_dilated_ksize(k, d)

    def count(end):
        return (size + p + end - dk) // s + 1

    if count(p) == out:
        return p
    end = max(0, (out - 1) * s + dk - p - size)
    assert count(end) == out, (size, out, k, s, p, d)
    return end


def _window_attrs(ctx, kh, kw, sy, sx, ph, pw, dy=1, dx=1):
    """``kernel_shape``, ``strides`` and ``pads`` (with cover_all's extra) for a 2-D window op."""
    (h, w), (oh, ow) = ctx.in_shapes[0][2:], ctx.out_shapes[0][2:]
    pads = [ph, pw, _end_pad(h, oh, kh, sy, ph, dy), _end_pad(w, ow, kw, sx, pw, dx)]
    return {'kernel_shape': [kh, kw], 'strides': [sy, sx], 'pads': pads}


@converts(Convolution2D)
def _convolution_2d(ctx):
    f = ctx.func
    kh, kw = ctx.in_shapes[1][2:]
    ctx.op('Conv', ctx.inputs, ctx.outputs, dilations=[f.dy, f.dx], group=f.groups,
           **_window_attrs(ctx, kh, kw, f.sy, f.sx, f.ph, f.pw, f.dy, f.dx))


@converts(Deconvolution2D)
def _deconvolution_2d(ctx):
    # ONNX: out = s (in - 1) + output_padding + dk - pad_begin - pad_end.  minigrad's
    # outsize may be smaller than s (in - 1) + dk - 2p (the transpose of a
    # cover_all convolution: more padding at the end) or larger (trailing
    # pixels that get only the bias: output_padding).
    f = ctx.func
    kh, kw = ctx.in_shapes[1][2:]
    pads_end, output_padding = [], []
    for size, out, k, s, p, d in ((ctx.in_shapes[0][2], ctx.out_shapes[0][2], kh, f.sy, f.ph, f.dy),
                                  (ctx.in_shapes[0][3], ctx.out_shapes[0][3], kw, f.sx, f.pw, f.dx)):
        end = s * (size - 1) + get_dilated_ksize(k, d) - p - out
        pads_end.append(max(end, 0))
        output_padding.append(max(-end, 0))
    attrs = {}
    if any(output_padding):
        attrs['output_padding'] = output_padding
    ctx.op('ConvTranspose', ctx.inputs, ctx.outputs, kernel_shape=[kh, kw], strides=[f.sy, f.sx],
           pads=[f.ph, f.pw] + pads_end, dilations=[f.dy, f.dx], group=f.groups, **attrs)


@converts(MaxPooling2D)
def _max_pooling_2d(ctx):
    # Padding never wins a maximum in ONNX either, so cover_all is padding alone.
    f = ctx.func
    ctx.op('MaxPool', ctx.inputs, ctx.outputs,
           **_window_attrs(ctx, f.kh, f.kw, f.sy, f.sx, f.ph, f.pw))


@converts(AveragePooling2D)
def _average_pooling_2d(ctx):
    # minigrad divides by KH * KW everywhere: padding counts as zeros.
    f = ctx.func
    ctx.op('AveragePool', ctx.inputs, ctx.outputs, count_include_pad=1,
           **_window_attrs(ctx, f.kh, f.kw, f.sy, f.sx, f.ph, f.pw))


@converts(LinearFunction)
def _linear(ctx):
    # y = x W^T + b over the last axes of x flattened: Gemm for one batch axis,
    # MatMul with the transposed W (and Add) for several.
    n = ctx.func.n_batch_axes
    x, W = ctx.inputs[:2]
    bias = ctx.inputs[2:]
    x_shape, in_size = ctx.in_shapes[0], ctx.in_shapes[1][1]
    if n == 1:
        if len(x_shape) != 2:
            x = ctx.op('Flatten', [x], axis=1)
        ctx.op('Gemm', [x, W] + bias, ctx.outputs, transB=1)
        return
    if len(x_shape) != n + 1:
        x = ctx.op('Reshape', [x, ctx.ints(x_shape[:n] + (in_size,))])
    Wt = ctx.op('Transpose', [W], perm=[1, 0])
    if not bias:
        ctx.op('MatMul', [x, Wt], ctx.outputs)
        return
    ctx.op('Add', [ctx.op('MatMul', [x, Wt]), bias[0]], ctx.outputs)


# ---------------------------------------------------------------------------
# Normalization

@converts(FixedBatchNormalization)
def _fixed_batch_normalization(ctx):
    f = ctx.func
    x_shape, gamma_shape = ctx.in_shapes[0], ctx.in_shapes[1]
    axes = _reduced_axes('FixedBatchNormalization', len(x_shape), len(gamma_shape), f.axis)
    if axes == (0,) + tuple(range(2, len(x_shape))):        # channels on axis 1: ONNX's layout
        ctx.op('BatchNormalization', ctx.inputs, ctx.outputs, epsilon=f.eps)
        return
    # Other axes: y = (x - mean) * gamma / sqrt(var + eps) + beta, per-channel
    # arrays reshaped to broadcast against x.
    keep = ctx.ints([1 if i in axes else d for i, d in enumerate(x_shape)], 'channel_shape')
    x, gamma, beta, mean, var = [ctx.inputs[0]] + [ctx.op('Reshape', [a, keep])
                                                   for a in ctx.inputs[1:]]
    eps = ctx.scalar(f.eps, ctx.in_dtypes[0], 'eps')
    scale = ctx.op('Div', [gamma, ctx.op('Sqrt', [ctx.op('Add', [var, eps])])])
    centered = ctx.op('Sub', [x, mean])
    ctx.op('Add', [ctx.op('Mul', [centered, scale]), beta], ctx.outputs)


@converts(LocalResponseNormalization)
def _local_response_normalization(ctx):
    # minigrad sums n // 2 channels on each side (n + 1 channels for an even n)
    # and multiplies the sum by alpha; ONNX divides alpha by its window size.
    f = ctx.func
    size = 2 * (f.n // 2) + 1
    shape = ctx.in_shapes[0]
    x = ctx.inputs[0]
    four_d = len(shape) == 4
    if not four_d:          # ONNX Runtime's LRN takes (N, C, H, W) only
        rest = int(numpy.prod(shape[2:], dtype=numpy.int64))
        x = ctx.op('Reshape', [x, ctx.ints(shape[:2] + (rest, 1))])
    y = ctx.op('LRN', [x], ctx.outputs if four_d else None,
               size=size, alpha=f.alpha * size, beta=f.beta, bias=f.k)
    if not four_d:
        ctx.op('Reshape', [y, ctx.ints(shape)], ctx.outputs)


# ---------------------------------------------------------------------------
# Shapes, reductions, indexing

def _reshape_to_output(ctx):
    shape = ctx.out_shapes[0]
    attrs = {'allowzero': 1} if 0 in shape and ctx.opset_version >= 14 else {}
    ctx.op('Reshape', [ctx.inputs[0], ctx.ints(shape)], ctx.outputs, **attrs)


converts(core.Reshape, Squeeze)(_reshape_to_output)


@converts(core.Transpose)
def _transpose(ctx):
    ndim = len(ctx.in_shapes[0])
    axes = ctx.func.axes
    perm = list(range(ndim))[::-1] if axes is None else [a % ndim for a in axes]
    ctx.op('Transpose', ctx.inputs, ctx.outputs, perm=perm)


@converts(core.BroadcastTo)
def _broadcast_to(ctx):
    ctx.op('Expand', [ctx.inputs[0], ctx.ints(ctx.out_shapes[0])], ctx.outputs)


@converts(core.SumTo)
def _sum_to(ctx):
    in_shape, shape = ctx.in_shapes[0], ctx.out_shapes[0]
    lead = len(in_shape) - len(shape)
    axes = list(range(lead)) + [lead + i for i, s in enumerate(shape)
                                if s == 1 and in_shape[lead + i] != 1]
    if not axes:
        ctx.op('Identity', ctx.inputs, ctx.outputs)
        return
    summed = ctx.op('ReduceSum', [ctx.inputs[0], ctx.ints(axes, 'axes')], keepdims=1)
    ctx.op('Reshape', [summed, ctx.ints(shape)], ctx.outputs)


@converts(Sum)
def _sum(ctx):
    axes = ctx.func.axes
    if not axes:        # a 0-d x: nothing to sum
        ctx.op('Identity', ctx.inputs, ctx.outputs)
        return
    ctx.op('ReduceSum', [ctx.inputs[0], ctx.ints(axes, 'axes')], ctx.outputs,
           keepdims=int(ctx.func.keepdims))


@converts(Concat)
def _concat(ctx):
    ctx.op('Concat', ctx.inputs, ctx.outputs, axis=ctx.func.axis)


@converts(Stack)
def _stack(ctx):
    axis = ctx.func.axis
    expanded = [ctx.op('Unsqueeze', [x, ctx.ints([axis], 'axes')]) for x in ctx.inputs]
    ctx.op('Concat', expanded, ctx.outputs, axis=axis)


@converts(SplitAxis)
def _split_axis(ctx):
    axis = ctx.func.axis % len(ctx.in_shapes[0])
    sizes = [shape[axis] for shape in ctx.out_shapes]
    ctx.op('Split', [ctx.inputs[0], ctx.ints(sizes, 'split')], ctx.outputs, axis=axis)


@converts(Separate)
def _separate(ctx):
    axis = ctx.func.axis % len(ctx.in_shapes[0])
    pieces = ctx.op('Split', [ctx.inputs[0], ctx.ints([1] * len(ctx.outputs), 'split')],
                    n_out=len(ctx.outputs), axis=axis)
    pieces = pieces if isinstance(pieces, list) else [pieces]
    axes = ctx.ints([axis], 'axes')
    for piece, out in zip(pieces, ctx.outputs):
        ctx.op('Squeeze', [piece, axes], [out])


@converts(core.GetItem)
def _get_item(ctx):
    """``x[index]``: Slice for slices and ints, Squeeze for the ints, Gather for one
    integer (or boolean) array, Unsqueeze for ``None``."""
    shape = ctx.in_shapes[0]
    items = _expanded_index(ctx, ctx.func.slices, len(shape))
    starts, ends, axes, steps, squeeze, new_axes = [], [], [], [], [], []
    gather = None
    axis = out_axis = 0         # the axis of x an item reads, the axis of y it makes
    for item in items:
        if item is None:
            new_axes.append(out_axis)
            out_axis += 1
            continue
        dim = shape[axis]
        if isinstance(item, slice):
            start, stop, step = item.indices(dim)
            if (start, stop, step) != (0, dim, 1):
                if step < 0 and stop < 0:       # through index 0: ONNX reads -1 as the last one
                    stop = -dim - 1
                starts.append(start), ends.append(stop), axes.append(axis), steps.append(step)
            out_axis += 1
        elif isinstance(item, numpy.ndarray):
            gather = (axis, item)
            out_axis += item.ndim
        else:                                   # an int: a slice of one, squeezed away
            i = int(item) % dim
            starts.append(i), ends.append(i + 1), axes.append(axis), steps.append(1)
            squeeze.append(axis)
        axis += 1
    if gather is not None and squeeze:
        ctx.unsupported('an integer array together with integer indices (NumPy moves the '
                        'indexed axes); index with slices around the array instead')
    ops = []        # (op_type, constant inputs, attributes), applied in order
    if axes:
        ops.append(('Slice', [ctx.ints(starts, 'starts'), ctx.ints(ends, 'ends'),
                              ctx.ints(axes, 'axes'), ctx.ints(steps, 'steps')], {}))
    if squeeze:
        ops.append(('Squeeze', [ctx.ints(squeeze, 'axes')], {}))
    if gather is not None:
        ops.append(('Gather', [ctx.const(gather[1].astype(numpy.int64), 'indices')],
                    {'axis': gather[0]}))
    if new_axes:
        ops.append(('Unsqueeze', [ctx.ints(new_axes, 'axes')], {}))
    if not ops:
        ops.append(('Identity', [], {}))
    y = ctx.inputs[0]
    for k, (op_type, consts, attrs) in enumerate(ops):
        y = ctx.op(op_type, [y] + consts, ctx.outputs if k == len(ops) - 1 else None, **attrs)


def _expanded_index(ctx, index, ndim):
    """The index as a list with one entry per axis of x (plus the ``None`` s), ``...`` expanded.

    A 0-d integer array is an int; a 1-D boolean array becomes the integer
    array of its True positions; more than one array is refused.
    """
    items = []
    for item in (index if isinstance(index, tuple) else (index,)):
        if isinstance(item, numpy.ndarray):
            if item.dtype == bool:
                if item.ndim != 1:
                    ctx.unsupported('a boolean index of {} dimensions (1-D masks only)'.format(
                        item.ndim))
                item = numpy.flatnonzero(item)
            elif item.ndim == 0:
                item = int(item)
        items.append(item)
    arrays = sum(isinstance(item, numpy.ndarray) for item in items)
    if arrays > 1:
        ctx.unsupported('advanced indexing with {} arrays (one integer or boolean array at '
                        'most)'.format(arrays))
    is_ellipsis = [not isinstance(item, numpy.ndarray) and item is Ellipsis for item in items]
    used = sum(1 for item, e in zip(items, is_ellipsis) if item is not None and not e)
    fill = [slice(None)] * (ndim - used)
    if any(is_ellipsis):
        at = is_ellipsis.index(True)
        return items[:at] + fill + items[at + 1:]
    return items + fill
