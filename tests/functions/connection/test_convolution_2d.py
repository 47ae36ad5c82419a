"""F.convolution_2d (minigrad/functions/connection/convolution_2d.py)."""
import itertools
import tracemalloc

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.functions.connection.convolution_2d import Convolution2D
from minigrad.type_check import InvalidType
from minigrad.utils.conv import OutputSizeWarning
from tests.windows import expect_output_size_warning


# ---------------------------------------------------------------------------
# Independent references

def geometry_problem(size, k, s, p, d, cover_all):
    """What is wrong with a convolution along one axis, or None if nothing is.

    'kernel': the (dilated) kernel is wider than the padded input (an error).
    'dropped': without cover_all, the last window ends before the last real
    pixel (Chainer's floor size, with an OutputSizeWarning; an error under debug).
    """
    span = (k - 1) * d + 1
    if span > size + 2 * p:
        return 'kernel'
    start = 0
    while start + s + span <= size + 2 * p:     # slide while the next window fits
        start += s
    if not cover_all and start + span < p + size and span >= s:    # span < s skips pixels anyway
        return 'dropped'
    return None


def conv_by_loops(x, W, b, stride, pad, cover_all=False, dilate=1, groups=1):
    """A direct convolution: y[n, o, i, j] = b[o] + sum(W[o] * window) in float64."""
    (sy, sx), (ph, pw), (dy, dx) = [v if isinstance(v, tuple) else (v, v)
                                    for v in (stride, pad, dilate)]
    n, c, h, w = x.shape
    c_out, cg, kh, kw = W.shape
    span_h, span_w = (kh - 1) * dy + 1, (kw - 1) * dx + 1

    def count(size, span, s, p):
        # slide while the next window fits in the padded input; with cover_all,
        # while the last window has not reached the padded input's end
        starts = [0]
        while True:
            if cover_all and starts[-1] + span >= size + 2 * p:
                break
            if not cover_all and starts[-1] + s + span > size + 2 * p:
                break
            starts.append(starts[-1] + s)
        return len(starts)

    oh, ow = count(h, span_h, sy, ph), count(w, span_w, sx, pw)
    xp = numpy.zeros((n, c, h + 2 * ph + span_h + sy, w + 2 * pw + span_w + sx))
    xp[:, :, ph:ph + h, pw:pw + w] = x
    y = numpy.zeros((n, c_out, oh, ow))
    per_group = c_out // groups
    for b_ in range(n):
        for o in range(c_out):
            g = o // per_group
            for i in range(oh):
                for j in range(ow):
                    window = xp[b_, g * cg:(g + 1) * cg,
                                i * sy:i * sy + span_h:dy, j * sx:j * sx + span_w:dx]
                    y[b_, o, i, j] = numpy.sum(W[o] * window)
            if b is not None:
                y[b_, o] += b[o]
    return y


def _data(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


# ---------------------------------------------------------------------------
# Backward against numerical gradients, over the grid of the issue

H, W_ = 5, 6            # a non-square image
KH, KW = 2, 3           # a non-square kernel

GRID = list(itertools.product([1, 2, 3], [0, 1, 2], [False, True], [False, True], [1, 2], [1, 2]))


def _problem(stride, pad, cover_all, dilate):
    return (geometry_problem(H, KH, stride, pad, dilate, cover_all)
            or geometry_problem(W_, KW, stride, pad, dilate, cover_all))


@pytest.mark.parametrize('stride, pad, cover_all, use_bias, groups, dilate', GRID)
def test_backward_grid(stride, pad, cover_all, use_bias, groups, dilate):
    c, c_out = 4, 4
    x = _data((2, c, H, W_), 0)
    W = _data((c_out, c // groups, KH, KW), 1)
    b = _data((c_out,), 2) if use_bias else None
    inputs = (x, W) if b is None else (x, W, b)

    def f(*args):
        return F.convolution_2d(*args, stride=stride, pad=pad, cover_all=cover_all,
                                dilate=dilate, groups=groups)

    problem = _problem(stride, pad, cover_all, dilate)
    if problem == 'kernel':
        with pytest.raises(InvalidType,
                           match='^Invalid operation in Convolution2D: expect .*kernel'):
            f(*inputs)
        return
    if problem == 'dropped':
        # Chainer's floor size by default; the seeds' refusal under config.debug
        with minigrad.using_config('debug', True), pytest.raises(
                InvalidType, match='^Invalid operation in Convolution2D: expect .*integer output'):
            f(*inputs)
    with expect_output_size_warning(problem == 'dropped', 'Convolution2D'):
        y = f(*inputs)
        numpy.testing.assert_allclose(
            y.data, conv_by_loops(x, W, b, stride, pad, cover_all, dilate, groups), atol=1e-12)
        gy = _data(y.shape, 3)
        gradient_check.check_backward(f, inputs, gy, dtype=numpy.float64, atol=1e-7, rtol=1e-6)


def test_grid_has_valid_and_dropped_geometries():
    problems = [_problem(s, p, c, d) for s, p, c, _, _, d in GRID]
    assert None in problems and 'dropped' in problems


@pytest.mark.parametrize('stride, pad, dilate', [
    ((1, 2), (2, 0), 1),
    ((2, 1), (0, 1), (1, 2)),
    ((3, 2), (1, 2), (2, 1)),
])
def test_backward_with_pairs(stride, pad, dilate):
    x = _data((2, 3, 7, 5), 4)
    W = _data((2, 3, 3, 2), 5)
    b = _data((2,), 6)

    def f(*args):
        return F.convolution_2d(*args, stride=stride, pad=pad, cover_all=True, dilate=dilate)

    y = f(x, W, b)
    numpy.testing.assert_allclose(y.data, conv_by_loops(x, W, b, stride, pad, True, dilate),
                                  atol=1e-12)
    gradient_check.check_backward(f, (x, W, b), _data(y.shape, 7), dtype=numpy.float64,
                                  atol=1e-7, rtol=1e-6)


# ---------------------------------------------------------------------------
# Second derivatives against numerical ones, over the same grid

VALID_GRID = [args for args in GRID if _problem(args[0], args[1], args[2], args[5]) != 'kernel']


@pytest.mark.parametrize('stride, pad, cover_all, use_bias, groups, dilate', VALID_GRID)
def test_double_backward_grid(stride, pad, cover_all, use_bias, groups, dilate):
    # one sample and two channels keep the element-by-element numerical check short
    x = _data((1, 2, H, W_), 30)
    W = _data((2, 2 // groups, KH, KW), 31)
    b = _data((2,), 32) if use_bias else None
    inputs = (x, W) if b is None else (x, W, b)

    def f(*args):
        return F.convolution_2d(*args, stride=stride, pad=pad, cover_all=cover_all,
                                dilate=dilate, groups=groups)

    with expect_output_size_warning(_problem(stride, pad, cover_all, dilate) == 'dropped',
                                    'Convolution2D'):
        gy = _data(f(*inputs).shape, 33)
        ggs = tuple(_data(a.shape, 34 + i) for i, a in enumerate(inputs))
        gradient_check.check_double_backward(f, inputs, gy, ggs, dtype=numpy.float64,
                                             atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize('stride, pad, dilate', [
    ((1, 2), (2, 0), 1),
    ((3, 2), (1, 2), (2, 1)),
])
def test_double_backward_with_pairs(stride, pad, dilate):
    x, W, b = _data((1, 2, 7, 5), 40), _data((2, 2, 3, 2), 41), _data((2,), 42)

    def f(*args):
        return F.convolution_2d(*args, stride=stride, pad=pad, cover_all=True, dilate=dilate)

    gy = _data(f(x, W, b).shape, 43)
    ggs = (_data(x.shape, 44), _data(W.shape, 45), _data(b.shape, 46))
    gradient_check.check_double_backward(f, (x, W, b), gy, ggs, dtype=numpy.float64,
                                         atol=1e-7, rtol=1e-6)


def test_double_backward_through_a_nonlinearity():
    # the snippet: the Hessian of tanh(conv(x)) with respect to x
    rs = numpy.random.RandomState(0)
    W = rs.randn(4, 3, 3, 3)
    x4, gy4, ggx4 = rs.randn(2, 3, 7, 7), rs.randn(2, 4, 5, 5), rs.randn(2, 3, 7, 7)
    gradient_check.check_double_backward(lambda a: F.tanh(F.convolution_2d(a, W)),
                                         x4, gy4, ggx4, dtype=numpy.float64)


def test_second_derivative_by_hand():
    # y = sum(conv(x, W)^2) with one 1x1 filter w on one pixel x: y = (w x)^2,
    # dy/dx = 2 w^2 x and d2y/dxdw = 4 w x
    x = Variable(numpy.array([[[[3.0]]]]))
    W = Variable(numpy.array([[[[2.0]]]]))
    y = F.sum(F.convolution_2d(x, W) ** 2)
    gx, = minigrad.grad([y], [x], enable_double_backprop=True)
    assert gx.data.item() == 2 * 2.0 ** 2 * 3.0
    gxw, = minigrad.grad([gx], [W])
    assert gxw.data.item() == 4 * 2.0 * 3.0


def test_gradients_are_differentiable_nodes():
    # with enable_double_backprop the gradients are made by the convolution's own nodes
    x = Variable(_data((1, 2, 4, 4), 47))
    W = Variable(_data((3, 2, 2, 2), 48))
    b = Variable(_data((3,), 49))
    y = F.convolution_2d(x, W, b, stride=2)
    gy = Variable(_data(y.shape, 50))
    gx, gW, gb = minigrad.grad([y], [x, W, b], [gy], enable_double_backprop=True)
    assert type(gx.creator).__name__ == 'Deconvolution2D'
    assert type(gW.creator).__name__ == 'Convolution2DGradW'
    assert type(gb.creator).__name__ == 'Sum'


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_second_derivatives_keep_the_dtype(dtype):
    x = Variable(_data((1, 2, 5, 5), 51).astype(dtype))
    W = Variable(_data((2, 2, 3, 3), 52).astype(dtype))
    y = F.convolution_2d(x, W, pad=1, stride=2)
    gx, gW = minigrad.grad([F.sum(y * y)], [x, W], enable_double_backprop=True)
    assert gx.dtype == gW.dtype == dtype
    ggx, ggW = minigrad.grad([F.sum(gx * gx) + F.sum(gW * gW)], [x, W])
    assert ggx.dtype == ggW.dtype == dtype


# ---------------------------------------------------------------------------
# Forward against the loop reference, float32 and float64

@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('stride, pad, cover_all, dilate, groups', [
    (1, 0, False, 1, 1),
    (2, 1, True, 1, 2),
    (3, 2, True, 2, 1),
    (1, 1, False, 2, 4),
    ((2, 1), (1, 0), True, (1, 2), 2),
])
def test_forward_matches_loops(dtype, stride, pad, cover_all, dilate, groups):
    x = _data((3, 4, 7, 6), 8).astype(dtype)
    W = _data((6 if groups != 4 else 4, 4 // groups, 3, 2), 9).astype(dtype)
    b = _data((W.shape[0],), 10).astype(dtype)
    y = F.convolution_2d(x, W, b, stride=stride, pad=pad, cover_all=cover_all,
                         dilate=dilate, groups=groups)
    assert y.dtype == dtype
    expected = conv_by_loops(x.astype(numpy.float64), W.astype(numpy.float64),
                             b.astype(numpy.float64), stride, pad, cover_all, dilate, groups)
    tol = 1e-5 if dtype == numpy.float32 else 1e-12
    numpy.testing.assert_allclose(y.data, expected, rtol=tol, atol=tol)


def test_non_contiguous_inputs():
    # views as a user may pass them: transposed x, every-other-filter W, reversed bias
    x = _data((2, 3, 6, 5), 19).transpose(0, 1, 3, 2)          # (2, 3, 5, 6)
    W = _data((4, 3, 2, 3), 20)[::2]                            # (2, 3, 2, 3)
    b = _data((2,), 21)[::-1]
    assert not (x.flags.c_contiguous or W.flags.c_contiguous)
    y = F.convolution_2d(x, W, b, stride=(1, 2), pad=1, cover_all=True)
    numpy.testing.assert_allclose(y.data, conv_by_loops(x, W, b, (1, 2), 1, True), atol=1e-12)
    # gradients do not depend on the memory layout
    gy = _data(y.shape, 22)
    grads = []
    for arrays in ((x, W, b), tuple(numpy.ascontiguousarray(a) for a in (x, W, b))):
        vs = [Variable(a) for a in arrays]
        y = F.convolution_2d(*vs, stride=(1, 2), pad=1, cover_all=True)
        y.grad = gy
        y.backward()
        grads.append([v.grad for v in vs])
    for g_view, g_copy in zip(*grads):
        numpy.testing.assert_allclose(g_view, g_copy, atol=1e-14)


def test_by_hand():
    # a 3x3 image, a 2x2 filter of ones: each output is the sum of a 2x2 block, plus the bias
    x = numpy.arange(9.0).reshape(1, 1, 3, 3)
    W = numpy.ones((1, 1, 2, 2))
    y = F.convolution_2d(x, W, numpy.array([10.0]))
    numpy.testing.assert_array_equal(y.data, [[[[0 + 1 + 3 + 4 + 10, 1 + 2 + 4 + 5 + 10],
                                                [3 + 4 + 6 + 7 + 10, 4 + 5 + 7 + 8 + 10]]]])
    # a cross-correlation (no flip): a filter picking its top-left tap gives the top-left pixel
    W = numpy.array([[[[1.0, 0.0], [0.0, 0.0]]]])
    numpy.testing.assert_array_equal(F.convolution_2d(x, W).data, [[[[0, 1], [3, 4]]]])


def test_float32_in_float32_out_and_gradients():
    x = Variable(_data((2, 3, 6, 5), 11).astype(numpy.float32))
    W = Variable(_data((4, 3, 3, 3), 12).astype(numpy.float32))
    b = Variable(_data((4,), 13).astype(numpy.float32))
    y = F.convolution_2d(x, W, b, stride=2, pad=1, cover_all=True)
    assert y.dtype == numpy.float32
    F.sum(y * y).backward()
    for v in (x, W, b):
        assert v.grad.dtype == numpy.float32
        assert v.grad.shape == v.shape
    # the same values as float64, to float32 precision
    x64, W64, b64 = (Variable(v.data.astype(numpy.float64)) for v in (x, W, b))
    y64 = F.convolution_2d(x64, W64, b64, stride=2, pad=1, cover_all=True)
    F.sum(y64 * y64).backward()
    for v, v64 in ((x, x64), (W, W64), (b, b64)):
        assert v64.grad.dtype == numpy.float64
        numpy.testing.assert_allclose(v.grad, v64.grad, rtol=1e-4, atol=1e-4)


def test_gradient_of_W_only_when_x_needs_none():
    x_data, W_data = _data((2, 3, 5, 5), 14), _data((2, 3, 3, 3), 15)
    x = Variable(x_data, requires_grad=False)
    W = Variable(W_data)
    gy = _data((2, 2, 3, 3), 16)
    y = F.convolution_2d(x, W)
    y.grad = gy
    y.backward()
    assert x.grad is None
    # gW[o, c, k, l] = sum_{n, i, j} gy[n, o, i, j] x[n, c, i + k, j + l]
    expected = numpy.zeros_like(W_data)
    for o, c, k, l in numpy.ndindex(*W_data.shape):
        expected[o, c, k, l] = numpy.sum(gy[:, o] * x_data[:, c, k:k + 3, l:l + 3])
    numpy.testing.assert_allclose(W.grad, expected, atol=1e-12)


# ---------------------------------------------------------------------------
# The seeds' formulas

def test_seed_shapes():
    # a 6x6 input, a 2x2 filter, stride 1, pad 1 -> 7x7
    y = F.convolution_2d(numpy.zeros((1, 1, 6, 6)), numpy.zeros((1, 1, 2, 2)), stride=1, pad=1)
    assert y.shape == (1, 1, 7, 7)
    # AlexNet's conv1: 227x227, 11x11 filters, stride 4 -> 55x55
    x = numpy.zeros((1, 3, 227, 227), numpy.float32)
    y = F.convolution_2d(x, numpy.zeros((96, 3, 11, 11), numpy.float32), stride=4)
    assert y.shape == (1, 96, 55, 55)
    assert y.dtype == numpy.float32


# ---------------------------------------------------------------------------
# Label and memory

def test_label():
    x = numpy.zeros((1, 1, 227, 227), numpy.float32)
    y = F.convolution_2d(Variable(x), numpy.zeros((1, 1, 11, 11), numpy.float32), stride=4)
    assert y.creator.label == 'Convolution2D 11x11 s4 p0'
    y = F.convolution_2d(Variable(numpy.zeros((1, 4, 9, 8))), numpy.zeros((2, 2, 3, 2)),
                         stride=(1, 2), pad=1, dilate=2, groups=2)
    assert y.creator.label == 'Convolution2D 3x2 s1x2 p1 d2 g2'


def _arrays_held(func):
    """Names of a node's attributes that hold arrays (directly or in a tuple)."""
    def arrays(v):
        return [a for a in (v if isinstance(v, tuple) else (v,)) if isinstance(a, numpy.ndarray)]
    return sorted(k for k, v in vars(func).items() if arrays(v))


@pytest.mark.parametrize('use_bias', [False, True])
def test_keeps_only_x_and_W_for_backward(use_bias):
    x = Variable(_data((2, 3, 6, 6), 17).astype(numpy.float32))
    W = Variable(_data((4, 3, 3, 3), 18).astype(numpy.float32))
    b = Variable(numpy.zeros(4, numpy.float32))
    y = F.convolution_2d(x, W, b if use_bias else None, pad=1)
    func = y.creator
    # backward needs x and W, which the graph holds anyway; not the bias, not
    # the output, and no array of the node's own (the windows are rebuilt)
    assert [node.data is not None for node in func.inputs] == [True, True, False][:len(func.inputs)]
    assert _arrays_held(func) == []
    F.sum(y).backward()
    assert _arrays_held(func) == []
    assert x.grad.shape == x.shape and W.grad.shape == W.shape


def test_forward_frees_the_window_buffer():
    # im2col copies every window: 25x x for a 5x5 kernel.  After forward only
    # the output may stay allocated, not the windows.  (The NumPy path's
    # windows: oneDNN, under config.use_ideep, makes none.)
    x = Variable(_data((2, 3, 24, 24), 19).astype(numpy.float32))
    W = Variable(_data((4, 3, 5, 5), 20).astype(numpy.float32))
    tracemalloc.start()
    try:
        with minigrad.using_config('use_ideep', 'never'):
            y = F.convolution_2d(x, W, pad=2)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    windows = 25 * x.data.nbytes
    assert peak > windows                           # the windows existed during forward
    assert held < y.data.nbytes + x.data.nbytes     # and are gone after it


# ---------------------------------------------------------------------------
# Bad inputs

def _raises(match, *args, **kwargs):
    with pytest.raises(InvalidType, match=match) as info:
        F.convolution_2d(*args, **kwargs)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    assert str(info.value).startswith('Invalid operation in Convolution2D: expect ')
    return str(info.value)


def test_wrong_ndim():
    _raises(r'expect x\.ndim == 4, actual 3 != 4$',
            numpy.zeros((3, 5, 5)), numpy.zeros((2, 3, 3, 3)))
    _raises(r'expect W\.ndim == 4, actual 2 != 4$',
            numpy.zeros((1, 3, 5, 5)), numpy.zeros((2, 27)))
    # a 1-D x cannot even be indexed for its channels: the ndim condition still speaks first
    _raises(r'expect x\.ndim == 4, actual 1 != 4$', numpy.zeros(5), numpy.zeros((2, 3, 3, 3)))


def test_channel_mismatch():
    _raises(r'expect x\.shape\[1\] == W\.shape\[1\] \* groups, actual 3 != 4$',
            numpy.zeros((1, 3, 5, 5)), numpy.zeros((2, 4, 3, 3)))
    # with groups: 4 channels in 2 groups take filters of 2 channels, not 4
    _raises(r'expect x\.shape\[1\] == W\.shape\[1\] \* groups, actual 4 != 8$',
            numpy.zeros((1, 4, 5, 5)), numpy.zeros((2, 4, 3, 3)), groups=2)
    # the output channels must split into the groups too (3 % 2 leaves 1)
    _raises(r'expect W\.shape\[0\] % groups == 0, actual 1 != 0$',
            numpy.zeros((1, 4, 5, 5)), numpy.zeros((3, 2, 3, 3)), groups=2)


def test_non_float_x_and_dtype_mismatch():
    _raises(r'expect x\.dtype\.kind == f, actual i != f$',
            numpy.zeros((1, 3, 5, 5), numpy.int64), numpy.zeros((2, 3, 3, 3)))
    _raises(r'expect W\.dtype == x\.dtype, actual float64 != float32$',
            numpy.zeros((1, 3, 5, 5), numpy.float32), numpy.zeros((2, 3, 3, 3)))
    _raises(r'expect b\.dtype == x\.dtype, actual float64 != float32$',
            numpy.zeros((1, 3, 5, 5), numpy.float32), numpy.zeros((2, 3, 3, 3), numpy.float32),
            numpy.zeros(2))


def test_bias_of_wrong_length():
    # one bias per output channel, W.shape[0]
    _raises(r'expect b\.shape\[0\] == W\.shape\[0\], actual 3 != 2$',
            numpy.zeros((1, 3, 5, 5)), numpy.zeros((2, 3, 3, 3)), numpy.zeros(3))
    _raises(r'expect b\.ndim == 1, actual 2 != 1$',
            numpy.zeros((1, 3, 5, 5)), numpy.zeros((2, 3, 3, 3)), numpy.zeros((2, 1)))
    _raises(r'expect b\.ndim == 1, actual 0 != 1$',
            numpy.zeros((1, 3, 5, 5)), numpy.zeros((2, 3, 3, 3)), numpy.zeros(()))


def test_messages_name_the_function_not_its_label():
    # The label shows the kernel, known once forward has run; before it, the
    # check's messages name the function as users call it.
    y = F.convolution_2d(Variable(numpy.zeros((1, 2, 5, 5))), numpy.zeros((2, 2, 3, 3)), stride=2)
    assert y.creator.label == 'Convolution2D 3x3 s2 p0'
    assert y.creator.check_name == 'Convolution2D'
    with pytest.raises(InvalidType, match=r'^Invalid operation in Convolution2D: expect in_types\.size '
                                          r'>= 2, actual 1 < 2$'):
        Convolution2D().apply((numpy.zeros((1, 2, 5, 5)),))


def test_kernel_larger_than_padded_input():
    _raises(r'expect kernel height <= padded input 5 \(3 \+ 2 \* pad 1\), '
            r'actual kernel height 6 \(ksize 6, dilate 1\)',
            numpy.zeros((1, 1, 3, 9)), numpy.zeros((1, 1, 6, 2)), pad=1)
    _raises(r'expect kernel width <= padded input 4 \(4 \+ 2 \* pad 0\), '
            r'actual kernel width 5 \(ksize 3, dilate 2\)',
            numpy.zeros((1, 1, 9, 4)), numpy.zeros((1, 1, 2, 3)), dilate=2)


def test_non_integer_output_size_floors_with_a_warning():
    x, W = numpy.zeros((1, 1, 7, 7)), numpy.zeros((1, 1, 2, 2))
    with pytest.warns(OutputSizeWarning,
                      match=r'\(7 \+ 2\*0 - 2\) / 2 \+ 1 = 3\.5 .*cover_all=True'):
        assert F.convolution_2d(x, W, stride=2).shape == (1, 1, 3, 3)
    with minigrad.using_config('debug', True):
        msg = _raises(r'expect an integer output height', x, W, stride=2)
    assert '(7 + 2*0 - 2) / 2 + 1 = 3.5' in msg
    assert 'cover_all=True' in msg
    assert F.convolution_2d(x, W, stride=2, cover_all=True).shape == (1, 1, 4, 4)


@pytest.mark.parametrize('kwargs, text', [
    (dict(stride=0), r'expect stride to be an int > 0 or a pair of ints > 0, actual stride == 0'),
    (dict(stride=(1, -1)), r'expect stride to be an int > 0 or a pair of ints > 0, '
                           r'actual stride == \(1, -1\)'),
    (dict(pad=-1), r'expect pad to be an int >= 0 or a pair of ints >= 0, actual pad == -1'),
    (dict(dilate=0), r'expect dilate to be an int > 0 or a pair of ints > 0, actual dilate == 0'),
    (dict(groups=0), r'expect groups to be an int > 0, actual groups == 0'),
    (dict(stride=1.5), r'expect stride to be an int > 0 or a pair of ints > 0, '
                       r'actual stride == 1.5 \(float\)'),
])
def test_bad_numbers(kwargs, text):
    _raises(text, numpy.zeros((1, 2, 5, 5)), numpy.zeros((2, 2, 3, 3)), **kwargs)


def test_empty_kernel():
    _raises(r'expect ksize > 0, actual ksize == \(0, 3\)',
            numpy.zeros((1, 2, 5, 5)), numpy.zeros((2, 2, 0, 3)))
