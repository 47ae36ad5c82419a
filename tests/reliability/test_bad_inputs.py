"""The catalogue of bad inputs: every one fails clearly, one test each.

Each :class:`Case` is a mistake a user makes (wrong ndim, mismatched
channels, integer data, labels out of range, a zero stride, a truncated
file...).  ``test_bad_input`` runs it and checks that

- it raises the expected exception, which is in the ``TypeError`` /
  ``ValueError`` family (not an ``IndexError`` or ``ZeroDivisionError``
  leaking out of NumPy); the two file cases follow Python and Chainer
  instead: a missing key is a ``KeyError``, a missing folder a
  ``FileNotFoundError``;
- its message names the function (or the key), and shows what was expected
  and what was given: each case lists text fragments of all three.

``tools/bad_inputs_catalogue.py`` imports ``CASES`` and ``run_case`` from
here and writes docs/bad_inputs.md, the message each case produces;
``test_the_catalogue_document_is_current`` keeps that file in step.
"""
import importlib.util
import os
import pathlib

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import Chain, Function, Variable, datasets, iterators, optimizers, serializers
from minigrad import training
from minigrad.type_check import InvalidType

ROOT = pathlib.Path(__file__).resolve().parents[2]
f32 = numpy.float32


class Case:
    """One bad input.

    Args:
        id (str): the test id.
        what (str): the mistake, in a user's words.
        call: ``call(tmp)`` makes the mistake; ``tmp`` is an empty folder (pathlib.Path).
        names (tuple of str): the message must contain one of these (the function, link or key).
        expect (list of str): fragments of what was expected; all must appear.
        actual (list of str): fragments of what was given; all must appear.
        error: the exception class (default InvalidType).
    """

    def __init__(self, id, what, call, names, expect, actual, error=InvalidType):
        self.id = id
        self.what = what
        self.call = call
        self.names = (names,) if isinstance(names, str) else tuple(names)
        self.expect = list(expect)
        self.actual = list(actual)
        self.error = error


def zeros(*shape, dtype=f32):
    return numpy.zeros(shape, dtype=dtype)


def labels(*values):
    return numpy.array(values, dtype=numpy.int32)


def debug(f, *args, **kwargs):
    """``f(*args, **kwargs)`` under ``config.debug`` (where a warning becomes an error)."""
    with minigrad.using_config('debug', True):
        return f(*args, **kwargs)


# -- helpers for cases that need a little setup -------------------------------

def lazy_twice(link, first, second):
    """Call a lazily initialised link with one input size, then with another."""
    link(first)
    link(second)


class WrongShapeGradient(Function):
    """A Function whose backward returns a gradient of the wrong shape."""

    def forward(self, inputs):
        return inputs[0] * 2,

    def backward(self, inputs, grad_outputs):
        return grad_outputs[0][:1],


def backward_of_wrong_shape():
    x = Variable(zeros(3))
    F.sum(WrongShapeGradient()(x)).backward()


def set_grad_of_wrong_shape():
    y = Variable(zeros(2, 3)) * 2
    y.grad = zeros(3, 2)


def model_file(tmp, name, **changes):
    """Save a Linear(3, 2) to ``tmp/name`` with some arrays replaced (None removes a key)."""
    target = {}
    serializers.DictionarySerializer(target).save(L.Linear(3, 2))
    arrays = {k: numpy.array(v) for k, v in target.items()}
    for key, value in changes.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    path = tmp / name
    numpy.savez(path, **arrays)
    return path


def load_truncated(tmp):
    whole = tmp / 'whole.npz'
    serializers.save_npz(whole, L.Linear(3, 2))
    data = whole.read_bytes()
    cut = tmp / 'truncated.npz'
    cut.write_bytes(data[:len(data) // 2])
    serializers.load_npz(cut, L.Linear(3, 2))


def small_trainer(out):
    """A Linear classifier on 8 points in batches of 4, with a LogReport."""
    numpy.random.seed(0)
    model = L.Classifier(L.Linear(2, 2))
    optimizer = optimizers.MomentumSGD()
    optimizer.setup(model)
    x = numpy.random.RandomState(1).randn(8, 2).astype(f32)
    train = iterators.SerialIterator(datasets.TupleDataset(x, labels(0, 1, 0, 1, 1, 0, 1, 0)), 4)
    trainer = training.Trainer(training.StandardUpdater(train, optimizer), (3, 'iteration'),
                               out=str(out))
    trainer.extend(training.extensions.LogReport(trigger=(2, 'iteration')))
    return trainer


def resume_damaged(tmp, **changes):
    """Run a small trainer 3 iterations, damage its snapshot (None removes a key), load it into another."""
    source = small_trainer(tmp / 'source')
    source.run()
    saved = serializers.DictionarySerializer()
    saved.save(source)
    arrays = {k: numpy.array(v) for k, v in saved.target.items()}
    for key, value in changes.items():
        key = key.replace('__', '/')
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    path = tmp / 'snapshot.npz'
    numpy.savez(path, **arrays)
    serializers.load_npz(path, small_trainer(tmp / 'target'))


def load_optimizer_damaged(tmp, optimizer, **changes):
    """Save ``optimizer`` (on a Linear(3, 2)) after one step, change some keys, load it into a new one."""
    link = L.Linear(3, 2)
    optimizer.setup(link)
    link.W.grad = numpy.ones((2, 3), f32)
    link.b.grad = numpy.ones(2, f32)
    optimizer.update()
    saved = serializers.DictionarySerializer()
    saved.save(optimizer)
    arrays = {k: numpy.array(v) for k, v in saved.target.items()}
    for key, value in changes.items():
        key = key.replace('__', '/')
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    path = tmp / 'optimizer.npz'
    numpy.savez(path, **arrays)
    fresh = type(optimizer)()
    fresh.setup(L.Linear(3, 2))
    serializers.load_npz(path, fresh)


# -- the catalogue ---------------------------------------------------------------

CASES = [
    # Arithmetic and broadcasting (minigrad.core, functions/math)
    Case('add-shapes', 'add arrays whose shapes do not broadcast',
         lambda tmp: F.add(zeros(2, 3), zeros(4, 3)),
         'Add', ['broadcast'], ['(2, 3)', '(4, 3)']),
    Case('sub-shapes', '`x - y` with shapes that do not broadcast',
         lambda tmp: Variable(zeros(2, 3)) - zeros(5),
         'Sub', ['broadcast'], ['(2, 3)', '(5,)']),
    Case('mul-shapes', '`x * y` with shapes that do not broadcast',
         lambda tmp: Variable(zeros(2, 3)) * zeros(3, 2),
         'Mul', ['broadcast'], ['(2, 3)', '(3, 2)']),
    Case('div-shapes', 'divide arrays whose shapes do not broadcast',
         lambda tmp: F.div(zeros(2, 3), zeros(2, 2)),
         'Div', ['broadcast'], ['(2, 3)', '(2, 2)']),
    Case('pow-shapes', '`x ** y` with shapes that do not broadcast',
         lambda tmp: F.pow(Variable(zeros(2, 3)), Variable(zeros(3, 2))),
         'Pow', ['broadcast'], ['(2, 3)', '(3, 2)']),
    Case('maximum-shapes', 'maximum of arrays whose shapes do not broadcast',
         lambda tmp: F.maximum(zeros(2, 3), zeros(3, 2)),
         'Maximum', ['broadcast'], ['(2, 3)', '(3, 2)']),
    Case('minimum-shapes', 'minimum of arrays whose shapes do not broadcast',
         lambda tmp: F.minimum(zeros(2, 3), zeros(4)),
         'Minimum', ['broadcast'], ['(2, 3)', '(4,)']),
    Case('matmul-inner', 'matmul with mismatched inner sizes',
         lambda tmp: F.matmul(zeros(2, 3), zeros(4, 5)),
         'MatMul', ['a.shape[-1] == b.shape[-2]'], ['3 != 4']),
    Case('matmul-ndim', 'matmul of a vector',
         lambda tmp: F.matmul(zeros(3), zeros(3, 2)),
         'MatMul', ['a.ndim >= 2'], ['1 < 2']),
    Case('neg-strings', 'negate an array of strings (non-numeric data)',
         lambda tmp: F.neg(numpy.array(['a', 'b'])),
         'Neg', ['dtype'], ['<U1']),
    Case('absolute-strings', 'absolute value of an array of strings',
         lambda tmp: F.absolute(numpy.array(['a'])),
         'Absolute', ['dtype'], ['<U1']),
    Case('exp-int', 'exp of integer data (no gradient, float64 out)',
         lambda tmp: F.exp(numpy.arange(3)),
         'Exp', ['x.dtype'], ['i != f']),
    Case('log-int', 'log of integer data',
         lambda tmp: F.log(numpy.array([1, 2], dtype=numpy.int32)),
         'Log', ['x.dtype'], ['i != f']),
    Case('sum-axis', 'sum over an axis the array does not have',
         lambda tmp: F.sum(zeros(2, 3), axis=2),
         'Sum', ['axis < x.ndim'], ['axis == 2', 'x.ndim == 2']),
    Case('mean-repeated-axis', 'mean over the same axis twice',
         lambda tmp: F.mean(zeros(2, 3), axis=(0, 0)),
         'Mean', ['no repeated axis'], ['(0, 0)']),
    Case('average-weights', 'average over 3 columns with 2 weights',
         lambda tmp: F.average(zeros(2, 3), axis=1, weights=zeros(2)),
         'Average', ['weights.shape == (x.shape[1],)'], ['(2,) != (3,)']),
    Case('clip-int', 'clip integer data',
         lambda tmp: F.clip(numpy.arange(3), 0, 1),
         'Clip', ["x.dtype.kind == f"], ['i != f']),
    Case('clip-bounds', 'clip with x_min above x_max',
         lambda tmp: F.clip(zeros(3), 1.0, 0.0),
         'Clip', ['x_min < x_max'], ['x_min == 1.0', 'x_max == 0.0']),
    Case('sqrt-int', 'sqrt of integer data',
         lambda tmp: F.sqrt(numpy.arange(3)),
         'sqrt', ["x.dtype.kind == f"], ['i != f']),
    Case('rsqrt-int', 'rsqrt of integer data',
         lambda tmp: F.rsqrt(numpy.arange(3)),
         'sqrt', ["x.dtype.kind == f"], ['i != f']),
    Case('square-int', 'square of integer data',
         lambda tmp: F.square(numpy.arange(3)),
         'square', ["x.dtype.kind == f"], ['i != f']),
    Case('bias-shape', 'bias of 4 values added along axis 1 of (2, 3, 4)',
         lambda tmp: F.bias(zeros(2, 3, 4), zeros(4)),
         'bias', ['x.shape[axis:axis + y.ndim] == y.shape'], ['y.shape == (4,)', 'axis == 1']),
    Case('scale-shape', 'scale of 4 values applied along axis 1 of (2, 3, 4)',
         lambda tmp: F.scale(zeros(2, 3, 4), zeros(4)),
         'scale', ['x.shape[axis:axis + y.ndim] == y.shape'], ['y.shape == (4,)', 'axis == 1']),
    # Array manipulation (functions/array)
    Case('reshape-size', 'reshape 6 elements to (4, 2)',
         lambda tmp: F.reshape(zeros(2, 3), (4, 2)),
         'Reshape', ['(4, 2)'], ['(2, 3)']),
    Case('transpose-axes', 'transpose with an axis the array does not have',
         lambda tmp: F.transpose(zeros(2, 3), (0, 2)),
         'Transpose', ['(0, 2)'], ['(2, 3)']),
    Case('broadcast_to-shape', 'broadcast (2, 3) to (3, 3)',
         lambda tmp: F.broadcast_to(zeros(2, 3), (3, 3)),
         'BroadcastTo', ['broadcastable to (3, 3)'], ['x.shape == (2, 3)']),
    Case('sum_to-shape', 'sum (2, 3) down to (4,)',
         lambda tmp: F.sum_to(zeros(2, 3), (4,)),
         'SumTo', ['(4,) broadcastable to x.shape'], ['x.shape == (2, 3)']),
    Case('cast-strings', 'cast an array of strings to float32',
         lambda tmp: F.cast(numpy.array(['a', 'b']), f32),
         'Cast', ['bool, integer or float dtype'], ['<U1']),
    Case('stack-shapes', 'stack arrays of shapes (2, 3) and (3, 2)',
         lambda tmp: F.stack([zeros(2, 3), zeros(3, 2)]),
         'Stack', ['xs[1].shape == xs[0].shape'], ['(3, 2) != (2, 3)']),
    Case('separate-axis', 'separate along an axis the array does not have',
         lambda tmp: F.separate(zeros(2, 3), axis=2),
         'Separate', ['axis < x.ndim'], ['2 >= 2']),
    Case('split_axis-sections', 'split 3 columns into 2 equal sections',
         lambda tmp: F.split_axis(zeros(2, 3), 2, axis=1),
         'SplitAxis', ['sections > 0 dividing x.shape[axis]'], ['sections == 2', 'x.shape[1] == 3']),
    Case('squeeze-axis', 'squeeze an axis of length 2',
         lambda tmp: F.squeeze(zeros(2, 3), axis=0),
         'Squeeze', ['x.shape[0] == 1'], ['2 != 1']),
    Case('where-condition-int', 'where with an integer condition',
         lambda tmp: F.where(numpy.array([1, 0]), zeros(2), zeros(2)),
         'Where', ['condition.dtype == bool'], ['int64']),
    Case('resize_images-ndim', 'resize a 3-D image (batch axis forgotten)',
         lambda tmp: F.resize_images(zeros(3, 8, 8), (4, 4)),
         'ResizeImages', ['x.ndim == 4'], ['3 != 4']),
    Case('concat-sizes', 'concatenate arrays whose other axes differ',
         lambda tmp: F.concat([zeros(2, 3), zeros(3, 3)], axis=1),
         'Concat', ['xs[1].shape[0] == xs[0].shape[0]'], ['3 != 2']),
    Case('get_item-too-many', 'index a 2-D array with three indices',
         lambda tmp: F.get_item(zeros(2, 3), (0, 0, 0)),
         'GetItem', ['ndim'], ['3']),
    Case('expand_dims-axis', 'expand_dims at an axis past the end',
         lambda tmp: F.expand_dims(zeros(2, 3), 5),
         'ExpandDims', ['axis <= x.ndim'], ['axis == 5', 'x.ndim == 2']),
    Case('flatten-list-of-variables', 'flatten a Python list of Variables (an object array)',
         lambda tmp: F.flatten([Variable(zeros(2)), Variable(zeros(2))]),
         ('Reshape', 'flatten'), ['dtype'], ['object']),
    # Connection (functions/connection)
    Case('linear-W-ndim', 'linear with a 3-D weight',
         lambda tmp: F.linear(zeros(2, 3), zeros(4, 3, 1)),
         'Linear', ['W.ndim == 2'], ['3 != 2']),
    Case('linear-sizes', 'linear with x of 3 features and W for 5',
         lambda tmp: F.linear(zeros(2, 3), zeros(4, 5)),
         'Linear', ['prod(x.shape[1:]) == W.shape[1]'], ['3 != 5']),
    Case('linear-int', 'linear on integer data',
         lambda tmp: F.linear(zeros(2, 3, dtype=numpy.int32), zeros(4, 3)),
         'Linear', ['x.dtype.kind == f'], ['i != f']),
    Case('linear-bias', 'linear with a bias of the wrong length',
         lambda tmp: F.linear(zeros(2, 3), zeros(4, 3), zeros(5)),
         'Linear', ['b.shape[0] == W.shape[0]'], ['5 != 4']),
    Case('conv-ndim', 'convolve a 3-D image (batch axis forgotten)',
         lambda tmp: F.convolution_2d(zeros(3, 8, 8), zeros(4, 3, 3, 3)),
         'Convolution2D', ['x.ndim == 4'], ['3 != 4']),
    Case('conv-channels', 'convolve 3 channels with filters for 2',
         lambda tmp: F.convolution_2d(zeros(1, 3, 8, 8), zeros(4, 2, 3, 3)),
         'Convolution2D', ['x.shape[1] == W.shape[1]'], ['3 != 2']),
    Case('conv-int', 'convolve integer data',
         lambda tmp: F.convolution_2d(zeros(1, 3, 8, 8, dtype=numpy.int64), zeros(4, 3, 3, 3)),
         'Convolution2D', ['x.dtype.kind == f'], ['i != f']),
    Case('conv-W-dtype', 'convolve float32 data with float64 filters',
         lambda tmp: F.convolution_2d(zeros(1, 3, 8, 8), zeros(4, 3, 3, 3, dtype=numpy.float64)),
         'Convolution2D', ['W.dtype == x.dtype'], ['float64 != float32']),
    Case('conv-stride-zero', 'convolution with stride 0',
         lambda tmp: F.convolution_2d(zeros(1, 3, 8, 8), zeros(4, 3, 3, 3), stride=0),
         'Convolution2D', ['stride to be an int > 0'], ['stride == 0']),
    Case('conv-stride-negative', 'convolution with stride -1',
         lambda tmp: F.convolution_2d(zeros(1, 3, 8, 8), zeros(4, 3, 3, 3), stride=-1),
         'Convolution2D', ['stride to be an int > 0'], ['stride == -1']),
    Case('conv-pad-negative', 'convolution with pad -1',
         lambda tmp: F.convolution_2d(zeros(1, 3, 8, 8), zeros(4, 3, 3, 3), pad=-1),
         'Convolution2D', ['pad to be an int >= 0'], ['pad == -1']),
    Case('conv-kernel-too-large', 'a 7x7 kernel on a 4x4 image padded by 1',
         lambda tmp: F.convolution_2d(zeros(1, 3, 4, 4), zeros(4, 3, 7, 7), pad=1),
         'Convolution2D', ['padded input 6'], ['kernel height 7']),
    Case('conv-stride-drops-pixels', 'under config.debug, a stride that leaves the last input '
         'row out (8, k3, s2; by default Chainer\'s floor size with an OutputSizeWarning)',
         lambda tmp: debug(F.convolution_2d, zeros(1, 3, 8, 8), zeros(4, 3, 3, 3), stride=2),
         'Convolution2D', ['integer output height', 'cover_all=True'], ['3.5', 'dropped']),
    Case('conv-bias', 'convolution with a bias of the wrong length',
         lambda tmp: F.convolution_2d(zeros(1, 3, 8, 8), zeros(4, 3, 3, 3), zeros(5)),
         'Convolution2D', ['b.shape[0] == W.shape[0]'], ['5 != 4']),
    Case('embed_id-out-of-range', 'an ID 7 in a table of 5 rows',
         lambda tmp: F.embed_id(labels(0, 7), zeros(5, 3)),
         'EmbedID', ['0 <= x < 5'], ['x == 7']),
    Case('deconv-channels', 'deconvolve 3 channels with filters for 4',
         lambda tmp: F.deconvolution_2d(zeros(1, 3, 4, 4), zeros(4, 2, 3, 3)),
         'Deconvolution2D', ['x.shape[1] == W.shape[0]'], ['3 != 4']),
    Case('deconv-stride-zero', 'deconvolution with stride 0',
         lambda tmp: F.deconvolution_2d(zeros(1, 3, 4, 4), zeros(3, 2, 3, 3), stride=0),
         'Deconvolution2D', ['stride to be an int > 0'], ['stride == 0']),
    Case('deconv-outsize', 'deconvolution to an outsize the input cannot come from',
         lambda tmp: F.deconvolution_2d(zeros(1, 3, 4, 4), zeros(3, 2, 3, 3), outsize=(20, 20)),
         'Deconvolution2D', ['outsize 20'], ['x.shape[2] == 4']),
    # Pooling (functions/pooling)
    Case('max_pool-ndim', 'max pooling of a 3-D array',
         lambda tmp: F.max_pooling_2d(zeros(3, 8, 8), 2),
         'MaxPooling2D', ['x.ndim == 4'], ['3 != 4']),
    Case('max_pool-ksize-zero', 'max pooling with a 0x0 window',
         lambda tmp: F.max_pooling_2d(zeros(1, 3, 8, 8), 0),
         'MaxPooling2D', ['ksize to be an int > 0 or a pair of ints > 0'], ['ksize == 0']),
    Case('max_pool-ksize-float', 'max pooling with ksize 2.0 (a float)',
         lambda tmp: F.max_pooling_2d(zeros(1, 3, 8, 8), 2.0),
         'MaxPooling2D', ['ksize to be an int > 0 or a pair of ints > 0'], ['ksize == 2.0 (float)']),
    Case('max_pool-stride-triple', 'max pooling with a stride of three numbers',
         lambda tmp: F.max_pooling_2d(zeros(1, 3, 8, 8), 2, stride=(2, 2, 2)),
         'MaxPooling2D', ['stride to be an int > 0 or a pair of ints > 0'],
         ['stride == (2, 2, 2) (a tuple of length 3)']),
    Case('max_pool-kernel-too-large', 'a 7x7 max pooling window on a 4x4 image without cover_all',
         lambda tmp: F.max_pooling_2d(zeros(1, 3, 4, 4), 7, cover_all=False),
         'MaxPooling2D', ['padded input 4'], ['kernel height 7']),
    Case('max_pool-int', 'max pooling of integer data',
         lambda tmp: F.max_pooling_2d(zeros(1, 3, 4, 4, dtype=numpy.int32), 2),
         'MaxPooling2D', ['x.dtype.kind == f'], ['i != f']),
    Case('max_pool-pad-as-wide-as-window', 'max pooling 2x2 with pad 2 (a window of padding only)',
         lambda tmp: F.max_pooling_2d(zeros(1, 3, 4, 4), 2, pad=2),
         'MaxPooling2D', ['pad < ksize'], ['pad 2 >= ksize 2']),
    Case('avg_pool-ksize-negative', 'average pooling with ksize -2',
         lambda tmp: F.average_pooling_2d(zeros(1, 3, 5, 5), -2),
         'AveragePooling2D', ['ksize to be an int > 0 or a pair of ints > 0'], ['ksize == -2']),
    Case('avg_pool-pad-bool', 'average pooling with pad=True',
         lambda tmp: F.average_pooling_2d(zeros(1, 3, 6, 6), 2, pad=True),
         'AveragePooling2D', ['pad to be an int >= 0 or a pair of ints >= 0'],
         ['pad == True (bool)']),
    Case('unpooling_2d-stride-float', 'unpooling with stride 0.5',
         lambda tmp: F.unpooling_2d(zeros(1, 3, 4, 4), 2, stride=0.5),
         'Unpooling2D', ['stride to be an int > 0 or a pair of ints > 0'],
         ['stride == 0.5 (float)']),
    Case('unpooling_2d-outsize-length', 'unpooling to an outsize of one number in a tuple',
         lambda tmp: F.unpooling_2d(zeros(1, 3, 4, 4), 2, outsize=(8,)),
         'Unpooling2D', ['outsize to be an int > 0 or a pair of ints > 0'],
         ['outsize == (8,) (a tuple of length 1)']),
    Case('avg_pool-stride-drops-pixels', 'under config.debug, average pooling 2x2 of a 5x5 image '
         '(the last row left out; by default Chainer\'s floor size with an OutputSizeWarning)',
         lambda tmp: debug(F.average_pooling_2d, zeros(1, 3, 5, 5), 2),
         'AveragePooling2D', ['integer output height'], ['2.5', 'dropped']),
    # Activation (functions/activation)
    Case('relu-int', 'relu of integer data',
         lambda tmp: F.relu(numpy.arange(3)),
         'ReLU', ['x.dtype.kind == f'], ['i != f']),
    Case('leaky_relu-int', 'leaky_relu of integer data',
         lambda tmp: F.leaky_relu(numpy.arange(3)),
         'LeakyReLU', ["x.dtype.kind == f"], ['i != f']),
    Case('sigmoid-int', 'sigmoid of integer data',
         lambda tmp: F.sigmoid(numpy.arange(3, dtype=numpy.int32)),
         'Sigmoid', ["x.dtype.kind == f"], ['i != f']),
    Case('tanh-bool', 'tanh of a boolean mask',
         lambda tmp: F.tanh(numpy.array([True, False])),
         'Tanh', ["x.dtype.kind == f"], ['b != f']),
    Case('softmax-axis', 'softmax over an axis the array does not have',
         lambda tmp: F.softmax(zeros(2, 3), axis=2),
         'Softmax', ['axis < x.ndim'], ['axis == 2', 'x.ndim == 2']),
    Case('log_softmax-int', 'log_softmax of integer scores',
         lambda tmp: F.log_softmax(numpy.arange(6).reshape(2, 3)),
         'LogSoftmax', ["x.dtype.kind == f"], ['i != f']),
    Case('elu-int', 'elu of integer data',
         lambda tmp: F.elu(numpy.arange(3)),
         'ELU', ["x.dtype.kind == f"], ['i != f']),
    Case('selu-int', 'selu of integer data',
         lambda tmp: F.selu(numpy.arange(3)),
         'SELU', ["x.dtype.kind == f"], ['i != f']),
    Case('softplus-int', 'softplus of integer data',
         lambda tmp: F.softplus(numpy.arange(3)),
         'Softplus', ["x.dtype.kind == f"], ['i != f']),
    Case('hard_sigmoid-int', 'hard_sigmoid of integer data',
         lambda tmp: F.hard_sigmoid(numpy.arange(3)),
         'HardSigmoid', ["x.dtype.kind == f"], ['i != f']),
    Case('swish-beta-shape', 'swish with a beta of 4 for 3 features',
         lambda tmp: F.swish(zeros(2, 3), zeros(4)),
         'Swish', ['beta.shape == x.shape[1:1 + beta.ndim]'], ['(4,) != (3,)']),
    # Noise (functions/noise)
    Case('dropout-ratio-one', 'dropout with ratio 1 (everything dropped, scale 1/0)',
         lambda tmp: F.dropout(zeros(2, 3), 1.0),
         'Dropout', ['0 <= ratio < 1'], ['ratio == 1.0']),
    Case('dropout-ratio-negative', 'dropout with ratio -0.1',
         lambda tmp: F.dropout(zeros(2, 3), -0.1),
         'Dropout', ['0 <= ratio < 1'], ['ratio == -0.1']),
    # Loss and evaluation (functions/loss, functions/evaluation)
    Case('sce-label-out-of-range', 'a label 3 with only 3 classes (0, 1, 2)',
         lambda tmp: F.softmax_cross_entropy(zeros(2, 3), labels(0, 3)),
         'SoftmaxCrossEntropy', ['0 <= t < x.shape[1] == 3'], ['t[1] == 3']),
    Case('sce-label-length', '3 labels for a batch of 2',
         lambda tmp: F.softmax_cross_entropy(zeros(2, 3), labels(0, 1, 2)),
         'SoftmaxCrossEntropy', ['t.shape == x.shape[:1] + x.shape[2:]'], ['(3,) != (2,)']),
    Case('sce-float-labels', 'float labels',
         lambda tmp: F.softmax_cross_entropy(zeros(2, 3), numpy.array([0.0, 1.0])),
         'SoftmaxCrossEntropy', ['t.dtype.kind in "iu"'], ['float64']),
    Case('sce-x-ndim', 'softmax cross entropy of a 1-D score vector',
         lambda tmp: F.softmax_cross_entropy(zeros(3), labels(0)),
         'SoftmaxCrossEntropy', ['x.ndim >= 2'], ['1 < 2']),
    Case('sigmoid_ce-label', 'a label 2 for a binary target',
         lambda tmp: F.sigmoid_cross_entropy(zeros(2, 3), numpy.full((2, 3), 2, numpy.int32)),
         'SigmoidCrossEntropy', ['t in (0, 1'], ['t[0, 0] == 2']),
    Case('sigmoid_ce-shape', 'sigmoid cross entropy with transposed labels',
         lambda tmp: F.sigmoid_cross_entropy(zeros(2, 3), zeros(3, 2, dtype=numpy.int32)),
         'SigmoidCrossEntropy', ['t.shape == x.shape'], ['(3, 2) != (2, 3)']),
    Case('mse-shape', 'mean squared error of (2, 3) against (3, 2)',
         lambda tmp: F.mean_squared_error(zeros(2, 3), zeros(3, 2)),
         'MeanSquaredError', ['x0.shape == x1.shape'], ['(2, 3) != (3, 2)']),
    Case('accuracy-length', 'accuracy with 3 labels for 2 predictions',
         lambda tmp: F.accuracy(zeros(2, 3), labels(0, 1, 2)),
         'Accuracy', ['y.shape[0] == t.shape[0]'], ['2 != 3']),
    Case('accuracy-label-out-of-range', 'accuracy with a label 3 and only 3 classes (a silent miss)',
         lambda tmp: F.accuracy(zeros(2, 3), labels(0, 3)),
         'Accuracy', ['0 <= t < y.shape[1] == 3'], ['t[1] == 3']),
    Case('binary_accuracy-label', 'binary accuracy with a label 2',
         lambda tmp: F.binary_accuracy(zeros(3), labels(0, 2, -1)),
         'BinaryAccuracy', ['t in (0, 1) or t == ignore_label == -1'], ['t[1] == 2']),
    Case('gaussian_kl_divergence-shapes', 'KL divergence of a (2, 3) mean and a (2, 4) ln_var',
         lambda tmp: F.gaussian_kl_divergence(zeros(2, 3), zeros(2, 4)),
         'GaussianKLDivergence', ['mean.shape, ln_var.shape broadcastable'], ['(2, 3), (2, 4)']),
    Case('bernoulli_nll-shapes', 'Bernoulli NLL of (2, 3) data against (3, 2) logits',
         lambda tmp: F.bernoulli_nll(zeros(2, 3), zeros(3, 2)),
         'BernoulliNLL', ['x.shape, y.shape broadcastable'], ['(2, 3), (3, 2)']),
    Case('gaussian_nll-shapes', 'Gaussian NLL with a ln_var of 4 for 3 features',
         lambda tmp: F.gaussian_nll(zeros(2, 3), zeros(2, 3), zeros(4)),
         'GaussianNLL', ['ln_var.shape broadcastable'], ['(4,)']),
    # Normalization (functions/normalization)
    Case('batch_normalization-gamma', 'batch normalization of 3 channels with a gamma of 4',
         lambda tmp: F.batch_normalization(zeros(2, 3), zeros(4), zeros(4)),
         'BatchNormalization', ['gamma.shape == (3,)'], ['gamma.shape == (4,)']),
    Case('batch_normalization-one-value-per-channel',
         'batch normalization in training of a batch of one (N, C) example',
         lambda tmp: F.batch_normalization(zeros(1, 3), zeros(3), zeros(3)),
         'BatchNormalization', ['more than 1 value per channel in training'],
         ['1 value per channel', 'x.shape (1, 3)']),
    Case('batch_normalization-ndim', 'batch normalization of a 1-D array',
         lambda tmp: F.batch_normalization(zeros(3), zeros(3), zeros(3)),
         'BatchNormalization', ['x.ndim >= 2'], ['1 < 2']),
    Case('fixed_batch_normalization-mean', 'fixed batch normalization with a mean of the wrong size',
         lambda tmp: F.fixed_batch_normalization(zeros(2, 3), zeros(3), zeros(3), zeros(4), zeros(3)),
         'FixedBatchNormalization', ['mean.shape == (3,)'], ['mean.shape == (4,)']),
    Case('lrn-ndim', 'local response normalization of a 1-D array (no channel axis)',
         lambda tmp: F.local_response_normalization(zeros(3)),
         'LocalResponseNormalization', ['x.ndim >= 2'], ['1 < 2']),
    Case('lrn-n-zero', 'local response normalization over a window of 0 channels',
         lambda tmp: F.local_response_normalization(zeros(2, 3), n=0),
         'LocalResponseNormalization', ['n to be a positive int'], ['n == 0']),
    # Variables and backward (minigrad.core)
    Case('variable-list', 'a Variable made from a Python list',
         lambda tmp: Variable([1.0, 2.0]),
         'Variable', ['numpy.ndarray'], ['list'], error=TypeError),
    Case('backward-non-scalar', 'backward() on a (2, 3) output without a gradient',
         lambda tmp: (Variable(zeros(2, 3)) * 2).backward(),
         'backward', ['one-element output or grad set'], ['shape (2, 3)'], error=ValueError),
    Case('grad-wrong-shape', 'a gradient of the wrong shape set by hand',
         lambda tmp: set_grad_of_wrong_shape(),
         'Variable.grad', ['(2, 3)'], ['(3, 2)'], error=ValueError),
    Case('backward-returns-wrong-shape', "a user Function's backward returns the wrong shape",
         lambda tmp: backward_of_wrong_shape(),
         'WrongShapeGradient', ['shape (3,)'], ['(1,)'], error=ValueError),
    # Links
    Case('Linear-lazy-then-other-size', 'Linear(None, 4) called with 3 features, then with 4',
         lambda tmp: lazy_twice(L.Linear(None, 4), zeros(2, 3), zeros(2, 4)),
         'Linear', ['in_size == 3'], ['in_size == 4', '(2, 4)']),
    Case('Linear-wrong-size', 'Linear(3, 4) called with 5 features',
         lambda tmp: L.Linear(3, 4)(zeros(2, 5)),
         'Linear', ['in_size == 3'], ['in_size == 5']),
    Case('Convolution2D-lazy-then-other-channels',
         'Convolution2D(None, 4, 3) called with 3 channels, then with 2',
         lambda tmp: lazy_twice(L.Convolution2D(None, 4, 3), zeros(1, 3, 8, 8), zeros(1, 2, 8, 8)),
         'Convolution2D', ['x.shape[1] == 3'], ['x.shape[1] == 2']),
    Case('Linear-out_size-float', 'Linear(3, 2.0): a float size',
         lambda tmp: L.Linear(3, 2.0),
         'Linear', ['out_size to be an int > 0'], ['out_size == 2.0 (float)']),
    Case('Linear-in_size-zero', 'Linear(0, 4)',
         lambda tmp: L.Linear(0, 4),
         'Linear', ['in_size to be an int > 0'], ['in_size == 0']),
    Case('Convolution2D-ksize-float', 'Convolution2D(3, 4, 3.0): a float kernel size',
         lambda tmp: L.Convolution2D(3, 4, 3.0),
         'Convolution2D', ['ksize to be an int > 0 or a pair of ints > 0'], ['ksize == 3.0 (float)']),
    Case('Convolution2D-pad-negative', 'Convolution2D with pad -1',
         lambda tmp: L.Convolution2D(3, 4, 3, pad=-1),
         'Convolution2D', ['pad to be an int >= 0 or a pair of ints >= 0'], ['pad == -1']),
    Case('Convolution2D-out_channels-zero', 'Convolution2D with 0 output channels',
         lambda tmp: L.Convolution2D(3, 0, 3),
         'Convolution2D', ['out_channels to be an int > 0'], ['out_channels == 0']),
    Case('BatchNormalization-eps-zero', 'BatchNormalization(3, eps=0): a zero variance divides by 0',
         lambda tmp: L.BatchNormalization(3, eps=0),
         'BatchNormalization', ['eps to be a finite number > 0'], ['actual 0'], error=ValueError),
    Case('BatchNormalization-decay', 'BatchNormalization(3, decay=1.5)',
         lambda tmp: L.BatchNormalization(3, decay=1.5),
         'BatchNormalization', ['decay to be a number in [0, 1]'], ['actual 1.5'],
         error=ValueError),
    Case('BatchNormalization-one-example', 'a BatchNormalization layer trained on a batch of one',
         lambda tmp: L.BatchNormalization(3)(zeros(1, 3)),
         'BatchNormalization', ['more than 1 value per channel in training'],
         ['1 value per channel']),
    Case('BatchNormalization-size', 'BatchNormalization(3) on 4 channels',
         lambda tmp: L.BatchNormalization(3)(zeros(2, 4)),
         'BatchNormalization', ['(3,)'], ['(4,)']),
    Case('BatchNormalization-lazy-then-other-size',
         'BatchNormalization() called with 3 channels, then with 4',
         lambda tmp: lazy_twice(L.BatchNormalization(), zeros(2, 3), zeros(2, 4)),
         'BatchNormalization', ['(3,)'], ['(4,)', '(2, 4)']),
    Case('Deconvolution2D-channels', 'Deconvolution2D(3, 2, 3) called with 4 channels',
         lambda tmp: L.Deconvolution2D(3, 2, 3)(zeros(1, 4, 5, 5)),
         'Deconvolution2D', ['x.shape[1] == 3'], ['x.shape[1] == 4']),
    Case('EmbedID-out-of-range', 'EmbedID(5, 3) given the ID 7',
         lambda tmp: L.EmbedID(5, 3)(labels(1, 7)),
         'EmbedID', ['0 <= x < 5'], ['x == 7']),
    Case('Bias-shape', 'a Bias of 3 values on 4 features',
         lambda tmp: L.Bias(shape=(3,))(zeros(2, 4)),
         'bias', ['x.shape[axis:axis + y.ndim] == y.shape'], ['x.shape == (2, 4)', 'y.shape == (3,)']),
    Case('Scale-shape', 'a Scale of 3 values on 4 features',
         lambda tmp: L.Scale(W_shape=(3,))(zeros(2, 4)),
         'scale', ['x.shape[axis:axis + y.ndim] == y.shape'], ['x.shape == (2, 4)', 'y.shape == (3,)']),
    Case('Inception-channels', 'an Inception block for 3 channels called with 4',
         lambda tmp: L.Inception(3, 2, 2, 2, 2, 2, 2)(zeros(1, 4, 8, 8)),
         'Convolution2D', ['x.shape[1] == 3'], ['x.shape[1] == 4']),
    Case('InceptionBN-channels', 'an InceptionBN block for 3 channels called with 4',
         lambda tmp: L.InceptionBN(3, 2, 2, 2, 2, 2, 'max', 2)(zeros(1, 4, 8, 8)),
         'Convolution2D', ['x.shape[1] == 3'], ['x.shape[1] == 4']),
    Case('MLPConvolution2D-channels', 'an MLPConvolution2D for 3 channels called with 2',
         lambda tmp: L.MLPConvolution2D(3, (4, 4), 3)(zeros(1, 2, 8, 8)),
         'Convolution2D', ['x.shape[1] == 3'], ['x.shape[1] == 2']),
    Case('Sequential-not-callable', 'a Sequential with a number among its layers',
         lambda tmp: minigrad.Sequential(L.Linear(3, 4), 5),
         'Sequential', ['callable'], ['5 of type int']),
    Case('Chain-child-not-a-link', 'add_link with something that is not a Link',
         lambda tmp: Chain().add_link('fc', 5),
         "'fc'", ['link'], ['int'], error=TypeError),
    Case('Classifier-label-length', 'a Classifier given 3 labels for a batch of 2',
         lambda tmp: L.Classifier(L.Linear(3, 2))(zeros(2, 3), labels(0, 1, 1)),
         'SoftmaxCrossEntropy', ['t.shape == x.shape[:1] + x.shape[2:]'], ['(3,) != (2,)']),
    Case('Classifier-no-label', 'a Classifier called with the input only (the label forgotten)',
         lambda tmp: L.Classifier(L.Linear(3, 2))(zeros(2, 3)),
         'Classifier', ['label'], ['1']),
    # Serializers
    Case('load-missing-key', 'load a file that lacks a parameter',
         lambda tmp: serializers.load_npz(model_file(tmp, 'missing.npz', b=None), L.Linear(3, 2)),
         "'b'", ['not in'], ['missing.npz'], error=KeyError),
    Case('load-wrong-shape', 'load a (2, 4) weight into a (2, 3) one',
         lambda tmp: serializers.load_npz(model_file(tmp, 'shape.npz', W=zeros(2, 4)), L.Linear(3, 2)),
         'load_npz', ["W to have the model's shape (2, 3)"], ['(2, 4)', 'shape.npz']),
    Case('load-truncated', 'load a file cut in half',
         load_truncated,
         'load_npz', ['NPZ file'], ['truncated.npz', 'truncated'], error=ValueError),
    Case('load-optimizer-state-shape', "an optimizer state that does not fit its parameter",
         lambda tmp: load_optimizer_damaged(tmp, optimizers.MomentumSGD(),
                                            W__v=zeros(3, 2)),
         'MomentumSGD', ["W/v to have the shape (2, 3) of parameter 'W'"], ['shape (3, 2)']),
    Case('load-optimizer-partial-state', "an Adam state saved with 'm' but not 'v'",
         lambda tmp: load_optimizer_damaged(tmp, optimizers.Adam(), b__v=None),
         "'b/v'", ['saved in part only'], ["'b/m' is there"], error=KeyError),
    Case('resume-log-not-json', 'resume from a snapshot whose log is not JSON',
         lambda tmp: resume_damaged(tmp, extensions__LogReport___log=numpy.array('[{"epoch"')),
         'extensions/LogReport/_log', ['JSON text of a list of log entries'], ['not JSON']),
    Case('resume-iterator-position', "resume from a snapshot whose iterator is past its epoch's end",
         lambda tmp: resume_damaged(tmp, **{'updater__iterator:main__current_position':
                                            numpy.array(9)}),
         'updater/iterator:main/current_position', ['an integer in [0, 8]'], ['actual 9']),
    Case('resume-random-state-partial', 'resume from a snapshot with part of the random state',
         lambda tmp: resume_damaged(tmp, random_state__pos=None),
         "'random_state/pos'", ['saved in part only'], ["'random_state/cached_gaussian' is there"],
         error=KeyError),
    Case('save-missing-folder', 'save into a folder that does not exist',
         lambda tmp: serializers.save_npz(tmp / 'no' / 'model.npz', L.Linear(3, 2)),
         'save_npz', ['does not exist'], ['model.npz'], error=FileNotFoundError),
    # Optimizers, iterators, datasets
    Case('optimizer-setup-array', 'optimizer.setup() given an array instead of a model',
         lambda tmp: optimizers.SGD().setup(zeros(3)),
         'SGD.setup', ['a Link'], ['ndarray'], error=TypeError),
    Case('iterator-batch-zero', 'SerialIterator with batch size 0',
         lambda tmp: iterators.SerialIterator([1, 2, 3], 0),
         'SerialIterator', ['positive'], ['0'], error=ValueError),
    Case('TupleDataset-lengths', 'TupleDataset of 3 images and 4 labels',
         lambda tmp: datasets.TupleDataset(zeros(3, 2), labels(0, 1, 0, 1)),
         'TupleDataset', ['len(datasets[1]) == len(datasets[0])'], ['4 != 3']),
    Case('concat_examples-ragged', 'a batch of examples of different shapes',
         lambda tmp: datasets.concat_examples([(zeros(2), 1), (zeros(3), 2)]),
         'concat_examples', ['(2,)'], ['(3,)'], error=ValueError),
    Case('concat_examples-padding-dtype', 'pad uint8 images with -1',
         lambda tmp: datasets.concat_examples([zeros(2, dtype=numpy.uint8),
                                               zeros(1, dtype=numpy.uint8)], padding=-1),
         'concat_examples', ['padding to be a value of the dtype uint8'], ['-1', 'out of bounds'],
         error=ValueError),
]

# Exceptions that mean "NumPy (or Python) tripped", never a clear refusal.  AxisError is
# also a ValueError, so it has to be excluded by name.
LEAKS = (IndexError, ZeroDivisionError, AttributeError, KeyError, OSError)
ALLOWED_LEAKS = {KeyError: 'missing key (as Chainer)', FileNotFoundError: 'missing folder'}


def run_case(case, tmp):
    """Make the mistake; return the exception (or None when nothing was raised)."""
    try:
        case.call(pathlib.Path(tmp))
    except Exception as error:      # noqa: BLE001 -- every kind is judged by check_case
        return error
    return None


def problems(case, error):
    """Everything wrong with how the library refused ``case`` (an empty list when all is well)."""
    if error is None:
        return ['no exception was raised']
    found = []
    kind = type(error)
    if not isinstance(error, case.error):
        found.append('expected {}, got {}'.format(case.error.__name__, kind.__name__))
    family_ok = isinstance(error, (TypeError, ValueError))
    if case.error in ALLOWED_LEAKS:
        family_ok = isinstance(error, case.error)
    elif isinstance(error, LEAKS):
        family_ok = False
    if not family_ok:
        found.append('{} is not a TypeError/ValueError family error'.format(kind.__name__))
    message = str(error)
    if not any(name in message for name in case.names):
        found.append('the message names none of {}'.format(' / '.join(case.names)))
    for text in case.expect:
        if text not in message:
            found.append('the message lacks the expected {!r}'.format(text))
    for text in case.actual:
        if text not in message:
            found.append('the message lacks the actual {!r}'.format(text))
    return found


@pytest.mark.parametrize('case', CASES, ids=[c.id for c in CASES])
def test_bad_input(case, tmp_path):
    error = run_case(case, tmp_path)
    found = problems(case, error)
    assert not found, '{} ({}): {}\n  raised {}: {}'.format(
        case.id, case.what, '; '.join(found), type(error).__name__, error)


def test_the_catalogue_is_large_and_ids_are_unique():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


def test_the_catalogue_covers_every_public_function_and_link():
    """Each name exported by minigrad.functions and minigrad.links has a case."""
    covered_functions = {
        'add': 'add-shapes', 'sub': 'sub-shapes', 'mul': 'mul-shapes', 'div': 'div-shapes',
        'pow': 'pow-shapes', 'maximum': 'maximum-shapes', 'minimum': 'minimum-shapes',
        'matmul': 'matmul-inner', 'neg': 'neg-strings', 'absolute': 'absolute-strings',
        'exp': 'exp-int', 'log': 'log-int', 'sum': 'sum-axis', 'mean': 'mean-repeated-axis',
        'reshape': 'reshape-size', 'transpose': 'transpose-axes',
        'broadcast_to': 'broadcast_to-shape', 'sum_to': 'sum_to-shape', 'concat': 'concat-sizes',
        'get_item': 'get_item-too-many', 'expand_dims': 'expand_dims-axis',
        'flatten': 'flatten-list-of-variables',
        'linear': 'linear-sizes', 'convolution_2d': 'conv-channels',
        'deconvolution_2d': 'deconv-channels', 'max_pooling_2d': 'max_pool-ndim',
        'average_pooling_2d': 'avg_pool-ksize-negative',
        'relu': 'relu-int', 'leaky_relu': 'leaky_relu-int', 'sigmoid': 'sigmoid-int',
        'tanh': 'tanh-bool', 'softmax': 'softmax-axis', 'log_softmax': 'log_softmax-int',
        'dropout': 'dropout-ratio-one', 'softmax_cross_entropy': 'sce-label-out-of-range',
        'sigmoid_cross_entropy': 'sigmoid_ce-label', 'mean_squared_error': 'mse-shape',
        'accuracy': 'accuracy-length', 'batch_normalization': 'batch_normalization-gamma',
        'fixed_batch_normalization': 'fixed_batch_normalization-mean',
        'local_response_normalization': 'lrn-ndim',
        'average': 'average-weights', 'clip': 'clip-int', 'sqrt': 'sqrt-int', 'rsqrt': 'rsqrt-int',
        'square': 'square-int', 'bias': 'bias-shape', 'scale': 'scale-shape',
        'cast': 'cast-strings', 'stack': 'stack-shapes', 'separate': 'separate-axis',
        'split_axis': 'split_axis-sections', 'squeeze': 'squeeze-axis',
        'where': 'where-condition-int', 'resize_images': 'resize_images-ndim',
        'embed_id': 'embed_id-out-of-range', 'unpooling_2d': 'unpooling_2d-stride-float',
        'elu': 'elu-int', 'selu': 'selu-int', 'softplus': 'softplus-int',
        'hard_sigmoid': 'hard_sigmoid-int', 'swish': 'swish-beta-shape',
        'binary_accuracy': 'binary_accuracy-label',
        'gaussian_kl_divergence': 'gaussian_kl_divergence-shapes',
        'bernoulli_nll': 'bernoulli_nll-shapes', 'gaussian_nll': 'gaussian_nll-shapes',
    }
    covered_links = {
        'Linear': 'Linear-wrong-size', 'Convolution2D': 'Convolution2D-lazy-then-other-channels',
        'BatchNormalization': 'BatchNormalization-size', 'Classifier': 'Classifier-label-length',
        'Deconvolution2D': 'Deconvolution2D-channels', 'EmbedID': 'EmbedID-out-of-range',
        'Bias': 'Bias-shape', 'Scale': 'Scale-shape', 'Inception': 'Inception-channels',
        'InceptionBN': 'InceptionBN-channels', 'MLPConvolution2D': 'MLPConvolution2D-channels',
    }
    ids = {c.id for c in CASES}
    for table in (covered_functions, covered_links):
        for name, case_id in table.items():
            assert case_id in ids, (name, case_id)
    public_functions = {n for n in dir(F) if not n.startswith('_') and callable(getattr(F, n))
                        and getattr(getattr(F, n), '__module__', '').startswith('minigrad')}
    public_links = {n for n in dir(L) if not n.startswith('_') and isinstance(getattr(L, n), type)}
    assert public_functions - set(covered_functions) == set()
    assert public_links - set(covered_links) == set()


def _catalogue_tool():
    spec = importlib.util.spec_from_file_location(
        'bad_inputs_catalogue', ROOT / 'tools' / 'bad_inputs_catalogue.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_catalogue_document_is_current():
    document = ROOT / 'docs' / 'bad_inputs.md'
    assert document.read_text() == _catalogue_tool().render(), (
        'docs/bad_inputs.md is out of date: run  python tools/bad_inputs_catalogue.py '
        '> docs/bad_inputs.md')
    assert os.path.isfile(ROOT / 'tools' / 'bad_inputs_catalogue.py')
