"""Numerical safety: huge logits stay finite, and ``config.debug`` names the first NaN.

Every computation on logits of +-1e4 runs under ``numpy.errstate`` that
turns overflow, invalid operations and division by zero into errors, and
under ``config.debug`` (which checks every output and gradient for NaN and
inf), so an intermediate inf that later cancels would still be caught.
Underflow (``exp(-2e4) == 0``) is expected and allowed.

Expected values are worked out by hand in each test: with logits
``(1e4, -1e4, 0)`` the softmax is ``(1, 0, 0)`` to every float's precision
(``e ** -1e4`` underflows to 0), and so on.
"""
import contextlib
import warnings

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import Function, Variable, optimizers

BIG = 1e4
DTYPES = [numpy.float32, numpy.float64]


@contextlib.contextmanager
def strict():
    """No overflow, invalid or divide-by-zero anywhere inside; NaN/inf checks on every Function."""
    with numpy.errstate(over='raise', invalid='raise', divide='raise', under='ignore'), \
            warnings.catch_warnings(), minigrad.using_config('debug', True):
        warnings.simplefilter('error')
        yield


def logits(dtype):
    # Rows: one dominant logit, one tiny logit, all huge and equal, all tiny and equal.
    return numpy.array([[BIG, -BIG, 0.0],
                        [-BIG, BIG, -BIG],
                        [BIG, BIG, BIG],
                        [-BIG, -BIG, -BIG]], dtype=dtype)


def assert_finite(*arrays):
    for a in arrays:
        assert numpy.isfinite(a).all(), a


@pytest.mark.parametrize('dtype', DTYPES)
def test_softmax_of_huge_logits(dtype):
    x = Variable(logits(dtype))
    with strict():
        y = F.softmax(x)
        gy = numpy.array([[1, 2, 3]] * 4, dtype=dtype)
        y.grad = gy
        y.backward()
    third = 1.0 / 3
    expect = numpy.array([[1, 0, 0], [0, 1, 0], [third] * 3, [third] * 3])
    assert y.dtype == dtype and x.grad.dtype == dtype
    numpy.testing.assert_allclose(y.array, expect, rtol=1e-6)
    # gx = y * (gy - sum(y * gy)): 0 where y is one-hot; y_i (i - 2) for the uniform rows.
    expect_gx = numpy.array([[0, 0, 0], [0, 0, 0], [-third, 0, third], [-third, 0, third]])
    assert_finite(x.grad)
    numpy.testing.assert_allclose(x.grad, expect_gx, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('dtype', DTYPES)
def test_log_softmax_of_huge_logits(dtype):
    x = Variable(logits(dtype))
    with strict():
        y = F.log_softmax(x)
        y.grad = numpy.ones((4, 3), dtype=dtype)
        y.backward()
    log3 = numpy.log(3.0)
    # x - max - log(sum(exp(x - max))): exactly representable differences of 1e4.
    expect = numpy.array([[0, -2 * BIG, -BIG], [-2 * BIG, 0, -2 * BIG],
                          [-log3] * 3, [-log3] * 3])
    numpy.testing.assert_allclose(y.array, expect, rtol=1e-6)
    # gx = gy - softmax(x) * sum(gy) = 1 - 3 softmax(x).
    expect_gx = numpy.array([[-2, 1, 1], [1, -2, 1], [0, 0, 0], [0, 0, 0]])
    assert_finite(y.array, x.grad)
    numpy.testing.assert_allclose(x.grad, expect_gx, atol=1e-5)


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('reduce', ['mean', 'no'])
def test_softmax_cross_entropy_of_huge_logits(dtype, reduce):
    x = Variable(logits(dtype))
    t = numpy.array([1, 1, 2, 0], dtype=numpy.int32)   # the worst label, the best, two ties
    with strict():
        loss = F.softmax_cross_entropy(x, t, reduce=reduce)
        if reduce == 'no':
            loss.grad = numpy.ones(4, dtype=dtype)
        loss.backward()
    # -log softmax(x)[t]: 2e4 when the label's logit is 2e4 below the max, 0 when it is the max.
    per_sample = numpy.array([2 * BIG, 0, numpy.log(3.0), numpy.log(3.0)])
    third = 1.0 / 3
    # d/dx = softmax(x) - onehot(t), divided by N = 4 for the mean.
    gx = numpy.array([[1, -1, 0], [0, 0, 0], [third, third, -2 * third], [-2 * third, third, third]])
    if reduce == 'mean':
        numpy.testing.assert_allclose(loss.array, per_sample.mean(), rtol=1e-6)
        gx = gx / 4
    else:
        numpy.testing.assert_allclose(loss.array, per_sample, rtol=1e-6)
    assert loss.dtype == dtype and x.grad.dtype == dtype
    assert_finite(loss.array, x.grad)
    numpy.testing.assert_allclose(x.grad, gx, atol=1e-6)


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('reduce', ['mean', 'no'])
def test_sigmoid_cross_entropy_of_huge_logits(dtype, reduce):
    x = Variable(numpy.array([[BIG, -BIG, BIG, -BIG]], dtype=dtype))
    t = numpy.array([[0, 1, 1, 0]], dtype=numpy.int32)   # two confidently wrong, two right
    with strict():
        loss = F.sigmoid_cross_entropy(x, t, reduce=reduce)
        if reduce == 'no':
            loss.grad = numpy.ones((1, 4), dtype=dtype)
        loss.backward()
    # Wrong by a logit of 1e4: -log(sigmoid(-1e4)) = 1e4 + log(1 + e^-1e4) = 1e4. Right: 0.
    per_element = numpy.array([[BIG, BIG, 0, 0]])
    gx = numpy.array([[1, -1, 0, 0]], dtype=numpy.float64)   # sigmoid(x) - t
    if reduce == 'mean':    # normalize=True: divided by the 4 labels
        numpy.testing.assert_allclose(loss.array, per_element.sum() / 4, rtol=1e-6)
        gx = gx / 4
    else:
        numpy.testing.assert_allclose(loss.array, per_element, rtol=1e-6)
    assert_finite(loss.array, x.grad)
    numpy.testing.assert_allclose(x.grad, gx, atol=1e-6)


@pytest.mark.parametrize('dtype', DTYPES)
def test_sigmoid_and_tanh_of_huge_logits(dtype):
    x = Variable(numpy.array([BIG, -BIG, 0.0], dtype=dtype))
    with strict():
        y = F.sigmoid(x) + F.tanh(x)
        F.sum(y).backward()
    numpy.testing.assert_allclose(y.array, [2.0, -1.0, 0.5], rtol=1e-6)
    # sigmoid' = y(1 - y) = 0 at +-1e4, 1/4 at 0; tanh' = 1 - tanh^2 = 0 at +-1e4, 1 at 0.
    numpy.testing.assert_allclose(x.grad, [0.0, 0.0, 1.25], atol=1e-6)


def test_a_loss_on_huge_logits_from_a_linear_layer_trains_a_step():
    """The whole path a diverging model takes: linear -> softmax cross entropy -> SGD update."""
    fc = L.Linear(3, 3, initialW=numpy.eye(3, dtype=numpy.float32) * BIG)
    opt = optimizers.SGD(lr=1e-6)
    opt.setup(fc)
    x = numpy.array([[1, -1, 0], [0, 1, 0]], dtype=numpy.float32)
    t = numpy.array([1, 0], dtype=numpy.int32)
    with strict():
        loss = F.softmax_cross_entropy(fc(x), t)
        fc.cleargrads()
        loss.backward()
        opt.update()
    numpy.testing.assert_allclose(loss.array, (2 * BIG + BIG) / 2, rtol=1e-6)
    assert_finite(fc.W.array, fc.b.array)


# ---------------------------------------------------------------------------
# config.debug: the first Function that makes a NaN or an inf is named

class Recorder(Function):
    """The identity; records that its forward ran, so a test can see where a forward stopped."""

    ran = []

    def forward(self, inputs):
        Recorder.ran.append('forward')
        return inputs[0].copy(),

    def backward(self, inputs, grad_outputs):
        Recorder.ran.append('backward')
        return grad_outputs[0],


class NaNBackward(Function):
    """The identity forward; its backward returns NaN."""

    def forward(self, inputs):
        return inputs[0].copy(),

    def backward(self, inputs, grad_outputs):
        return numpy.full_like(grad_outputs[0], numpy.nan),


def test_debug_names_the_forward_that_made_nan():
    x = Variable(numpy.array([1.0, 2.0, 3.0], dtype=numpy.float32))
    Recorder.ran = []
    with minigrad.using_config('debug', True), numpy.errstate(invalid='ignore'):
        h = x * 2                     # fine
        with pytest.raises(FloatingPointError, match=r'NaN or inf found in the forward of Log '
                                                     r'\(output 0\)') as info:
            h = F.log(h - 5)          # log of -3: NaN
            Recorder()(h)             # never reached
    assert 'Mul' not in str(info.value) and 'Sub' not in str(info.value)
    assert 'config.debug' in str(info.value)
    assert Recorder.ran == []


def test_debug_names_the_forward_that_made_inf():
    x = Variable(numpy.array([1.0, 0.0], dtype=numpy.float64))
    with minigrad.using_config('debug', True), numpy.errstate(divide='ignore'):
        with pytest.raises(FloatingPointError, match=r'forward of Div'):
            F.sum(1.0 / x)            # 1/0 = inf: Div is named, not Sum


def test_debug_names_the_function_whose_backward_made_nan():
    x = Variable(numpy.array([1.0, 2.0], dtype=numpy.float32))
    Recorder.ran = []
    with minigrad.using_config('debug', True):
        h = Recorder()(x)             # runs last in backward: must not be reached
        h = NaNBackward()(h * 3)
        loss = F.sum(F.tanh(h))       # Sum and Tanh run first in backward, finite
        Recorder.ran = []
        with pytest.raises(FloatingPointError,
                           match=r'NaN or inf found in the backward of NaNBackward '
                                 r'\(input gradient 0\)'):
            loss.backward()
    assert Recorder.ran == []          # backward stopped at the first bad gradient
    assert x.grad is None


def test_debug_names_a_builtin_backward_that_made_inf():
    # A finite forward whose gradient overflows: log's gradient gy / x is 1e40 > float32's max.
    x = Variable(numpy.array([1e-30], dtype=numpy.float32))
    with minigrad.using_config('debug', True), numpy.errstate(over='ignore'):
        y = F.log(x)                  # -69: finite
        y.grad = numpy.array([1e10], dtype=numpy.float32)
        with pytest.raises(FloatingPointError, match=r'backward of Log'):
            y.backward()


def test_without_debug_nan_passes_silently():
    """The contrast: debug is what turns a silent NaN into an error."""
    x = Variable(numpy.array([1.0], dtype=numpy.float32))
    with numpy.errstate(invalid='ignore'):
        y = F.sum(NaNBackward()(F.log(x - 2)))
        y.backward()
    assert numpy.isnan(y.array).all() and numpy.isnan(x.grad).all()
