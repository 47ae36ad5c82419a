"""Inputs that used to give a wrong answer without an error: each now gives the right one or fails clearly.

- batch normalization in training on an empty batch, or on one value per
  channel (the variance is undefined);
- softmax cross entropy whose ignored rows hold inf or NaN (masked padding);
- accuracy with a label that is no class;
- max pooling over a window that holds a NaN.

Expected values are computed in the tests, with NumPy, independently of the
code under test.
"""
import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import Variable
from minigrad.type_check import InvalidType

nan, inf = float('nan'), float('inf')


# ---------------------------------------------------------------------------
# Batch normalization: the running statistics never become NaN

def test_bn_link_on_an_empty_batch_leaves_the_running_statistics_alone():
    bn = L.BatchNormalization(3)
    rng = numpy.random.RandomState(0)
    with minigrad.using_config('train', True):
        bn(rng.randn(4, 3, 2, 2).astype(numpy.float32))    # some history
    mean, var, n = bn.avg_mean.copy(), bn.avg_var.copy(), bn.N
    x = Variable(numpy.zeros((0, 3, 2, 2), numpy.float32))
    with minigrad.using_config('train', True):
        y = bn(x)
    assert y.shape == (0, 3, 2, 2) and y.dtype == numpy.float32
    assert bn.avg_mean.tobytes() == mean.tobytes() and bn.avg_var.tobytes() == var.tobytes()
    assert bn.N == n
    F.sum(y).backward()
    assert x.grad.shape == (0, 3, 2, 2)
    numpy.testing.assert_array_equal(bn.gamma.grad, [0, 0, 0])
    numpy.testing.assert_array_equal(bn.beta.grad, [0, 0, 0])


def test_bn_on_an_empty_batch_has_zero_second_derivatives():
    x = Variable(numpy.zeros((0, 2)))
    gamma, beta = Variable(numpy.ones(2)), Variable(numpy.zeros(2))
    y = F.batch_normalization(x, gamma, beta)
    gx, ggamma = minigrad.grad([F.sum(y * y)], [x, gamma], enable_double_backprop=True)
    assert gx.shape == (0, 2)
    numpy.testing.assert_array_equal(ggamma.array, [0, 0])
    gg, = minigrad.grad([F.sum(ggamma)], [gamma])
    assert gg is None or not gg.array.any()


@pytest.mark.parametrize('shape', [(1, 3), (1, 3, 1, 1)])
def test_bn_link_refuses_one_value_per_channel_in_training(shape):
    # PyTorch: "Expected more than 1 value per channel when training".  The
    # running variance would otherwise be pulled toward 0 (the biased
    # variance of one value), and the output would be beta whatever x is.
    bn = L.BatchNormalization(3)
    with minigrad.using_config('train', True):
        bn(numpy.random.RandomState(1).randn(5, 3).astype(numpy.float32).reshape(
            (5, 3) + shape[2:]))
    mean, var = bn.avg_mean.copy(), bn.avg_var.copy()
    with minigrad.using_config('train', True):
        with pytest.raises(InvalidType, match=r'^Invalid operation in BatchNormalization: expect '
                                              r'more than 1 value per channel in training '
                                              r'\(the variance of one value is undefined; '
                                              r'.*actual 1 value per channel \(x\.shape '
                                              + r'\({}\)'.format(', '.join(map(str, shape)))):
            bn(numpy.ones(shape, numpy.float32))
    assert bn.avg_mean.tobytes() == mean.tobytes() and bn.avg_var.tobytes() == var.tobytes()
    assert numpy.isfinite(bn.avg_var).all()
    with minigrad.using_config('train', False):     # at test time one example is fine
        y = bn(numpy.ones(shape, numpy.float32))
    expect = (1 - mean) / numpy.sqrt(var + 2e-5)
    numpy.testing.assert_allclose(y.array.reshape(3), expect, rtol=1e-5)


def test_bn_with_two_values_per_channel_still_trains():
    bn = L.BatchNormalization(2, decay=0.5)
    x = numpy.array([[1.0, 2.0], [3.0, 6.0]], numpy.float32)
    with minigrad.using_config('train', True):
        bn(x)
    numpy.testing.assert_allclose(bn.avg_mean, 0.5 * numpy.array([2.0, 4.0]), rtol=1e-6)
    # unbiased variances 2 and 8
    numpy.testing.assert_allclose(bn.avg_var, 0.5 + 0.5 * numpy.array([2.0, 8.0]), rtol=1e-6)


# ---------------------------------------------------------------------------
# Softmax cross entropy: ignored rows may hold inf or NaN

def _sce_reference(x, t, ignore_label, reduce, gloss, h):
    """Loss, gradient and Hessian-vector product of the labelled rows, by NumPy.

    ``x`` is (N, C) here; ignored rows contribute nothing.  With p the
    softmax of a labelled row and s its factor (gloss / count for the mean):
    loss = logsumexp(x) - x_t, gx = s (p - onehot(t)),
    d<h, gx>/dx = s p (h - <p, h>).
    """
    labelled = t != ignore_label
    count = labelled.sum()
    loss = numpy.zeros(len(t))
    gx = numpy.zeros(x.shape)
    hx = numpy.zeros(x.shape)
    for i in numpy.flatnonzero(labelled):
        row = x[i]
        top = row.max()
        p = numpy.exp(row - top) / numpy.exp(row - top).sum()
        loss[i] = top + numpy.log(numpy.exp(row - top).sum()) - row[t[i]]
        s = gloss / count if reduce == 'mean' else gloss[i]
        onehot = numpy.eye(x.shape[1])[t[i]]
        gx[i] = s * (p - onehot)
        hx[i] = s * p * (h[i] - (p * h[i]).sum())
    if reduce == 'mean':
        loss = loss.sum() / count
    return loss, gx, hx


@pytest.mark.parametrize('bad', [nan, inf, -inf])
@pytest.mark.parametrize('reduce', ['mean', 'no'])
@pytest.mark.parametrize('cache_score', [True, False])
def test_sce_loss_and_both_derivatives_are_those_of_the_labelled_rows(bad, reduce, cache_score):
    rng = numpy.random.RandomState(2)
    x = rng.randn(6, 4)
    t = numpy.array([1, -1, 3, -1, 0, -1], numpy.int32)
    x[1] = bad                      # a whole padded row
    x[3, 2] = bad                   # one bad score in an ignored row
    x[5] = [bad, 0.0, -bad, 1.0]    # mixed
    gloss = numpy.float64(1.5) if reduce == 'mean' else rng.randn(6)
    h = rng.randn(6, 4)
    loss_ref, gx_ref, hx_ref = _sce_reference(x, t, -1, reduce, gloss, h)

    v = Variable(x)
    loss = F.softmax_cross_entropy(v, t, cache_score=cache_score, reduce=reduce)
    numpy.testing.assert_allclose(loss.array, loss_ref, rtol=1e-12)
    gx, = minigrad.grad([loss], [v], grad_outputs=[gloss], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.array, gx_ref, rtol=1e-12, atol=1e-15)
    assert not gx.array[t == -1].any()      # exactly 0, not NaN
    hx, = minigrad.grad([F.sum(gx * h)], [v])
    numpy.testing.assert_allclose(hx.array, hx_ref, rtol=1e-10, atol=1e-15)
    assert not hx.array[t == -1].any()


def test_sce_of_a_padded_score_map_matches_its_labelled_pixels():
    # (N, C, L) scores of sequences padded with NaN after their end, as a user masks them.
    rng = numpy.random.RandomState(3)
    x = rng.randn(2, 3, 4).astype(numpy.float32)
    t = numpy.array([[0, 2, -1, -1], [1, 1, 1, -1]], numpy.int32)
    x[0, :, 2:] = nan
    x[1, :, 3] = inf
    v = Variable(x)
    loss = F.softmax_cross_entropy(v, t)
    loss.backward()
    flat = x.transpose(0, 2, 1).reshape(8, 3).astype(numpy.float64)
    loss_ref, gx_ref, _ = _sce_reference(flat, t.reshape(8), -1, 'mean', 1.0, numpy.zeros((8, 3)))
    assert loss.dtype == numpy.float32
    numpy.testing.assert_allclose(loss.array, loss_ref, rtol=1e-6)
    numpy.testing.assert_allclose(v.grad, gx_ref.reshape(2, 4, 3).transpose(0, 2, 1),
                                  rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------------------
# accuracy: a label that is no class is an error, as in the losses

@pytest.mark.parametrize('t, ignore_label, shown', [
    ([0, 3], None, r'0 <= t < y\.shape\[1\] == 3, actual t\[1\] == 3 \(1 of 2 labels bad\)'),
    ([0, -1], None, r'0 <= t < y\.shape\[1\] == 3, actual t\[1\] == -1 \(1 of 2 labels bad\)'),
    ([-2, 5], -1, r'0 <= t < y\.shape\[1\] == 3 or t == ignore_label == -1, actual t\[0\] == -2 '
                  r'\(2 of 2 labels bad\)'),
])
def test_accuracy_refuses_a_label_that_is_no_class(t, ignore_label, shown):
    y = numpy.array([[0.1, 0.9, 0.0], [0.2, 0.3, 0.5]], numpy.float32)
    with pytest.raises(InvalidType, match=r'^Invalid operation in Accuracy: expect ' + shown + '$'):
        F.accuracy(y, numpy.array(t, numpy.int32), ignore_label=ignore_label)


def test_accuracy_with_the_ignored_label_still_counts_the_rest():
    y = numpy.array([[0.1, 0.9, 0.0], [0.2, 0.3, 0.5], [1.0, 0.0, 0.0]], numpy.float32)
    acc = F.accuracy(y, numpy.array([1, -1, 2], numpy.int32), ignore_label=-1)
    assert acc.array == numpy.float32(0.5)      # row 0 right, row 2 wrong, row 1 ignored


def test_binary_accuracy_refuses_a_label_other_than_0_1_or_minus_1():
    with pytest.raises(InvalidType, match=r'^Invalid operation in BinaryAccuracy: expect t in '
                                          r'\(0, 1\) or t == ignore_label == -1, actual t\[1\] == 2 '
                                          r'\(1 of 3 labels bad\)$'):
        F.binary_accuracy(numpy.zeros(3), numpy.array([0, 2, -1], numpy.int32))


# ---------------------------------------------------------------------------
# Max pooling: a NaN wins its window, and gets its gradient

def _pool_reference(x, k):
    """Max pooling k x k, stride k, and the gradient of sum(gy * y), by loops with numpy.argmax."""
    n, c, h, w = x.shape
    y = numpy.empty((n, c, h // k, w // k))
    winner = numpy.empty(y.shape + (2,), int)
    for idx in numpy.ndindex(y.shape):
        b, ch, i, j = idx
        window = x[b, ch, i * k:(i + 1) * k, j * k:(j + 1) * k]
        flat = int(numpy.argmax(window))          # the first NaN, as numpy does
        y[idx] = window.flat[flat]
        winner[idx] = (i * k + flat // k, j * k + flat % k)
    return y, winner


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_max_pooling_sends_the_gradient_to_the_nan_that_won(dtype):
    rng = numpy.random.RandomState(4)
    x = rng.randn(2, 2, 4, 6).astype(dtype)
    x[0, 0, 1, 1] = nan                     # a NaN that is not the window's first element
    x[0, 1, 2, 3] = x[0, 1, 3, 2] = nan     # two NaNs: the first in scan order wins
    x[1, 0, 0, 0] = nan                     # the first element
    x[1, 1, 2:4, 0:2] = nan                 # all NaN
    y_ref, winner = _pool_reference(x, 2)
    v = Variable(x)
    y = F.max_pooling_2d(v, 2)
    numpy.testing.assert_array_equal(y.array, y_ref)       # NaNs where expected, equal elsewhere
    gy = rng.randn(*y.shape).astype(dtype)
    y.grad = gy
    y.backward()
    gx_ref = numpy.zeros(x.shape, dtype)
    for idx in numpy.ndindex(y.shape):
        gx_ref[idx[0], idx[1], winner[idx][0], winner[idx][1]] += gy[idx]
    numpy.testing.assert_array_equal(v.grad, gx_ref)
    _, indices = F.max_pooling_2d(x, 2, return_indices=True)
    assert indices[0, 1, 1, 1] == 1         # (2, 3) is offset (0, 1) of window (1, 1)


def test_max_pooling_with_nan_has_the_right_second_derivative():
    # The gradient is linear in gy with the winners fixed; its derivative with respect
    # to gy reads ggx at the winners (a NaN elsewhere in ggx must not leak in).
    x = numpy.array([[[[1.0, nan], [3.0, 2.0]]]])
    v = Variable(x)
    y = F.max_pooling_2d(v, 2)
    gy = Variable(numpy.array([[[[2.0]]]]))
    gx, = minigrad.grad([y], [v], grad_outputs=[gy], enable_double_backprop=True)
    numpy.testing.assert_array_equal(gx.array, [[[[0.0, 2.0], [0.0, 0.0]]]])
    ggx = numpy.array([[[[nan, 5.0], [inf, 7.0]]]])
    ggy, = minigrad.grad([gx], [gy], grad_outputs=[ggx])
    numpy.testing.assert_array_equal(ggy.array, [[[[5.0]]]])


def test_max_pooling_a_nan_gradient_stays_at_its_winner():
    x = Variable(numpy.arange(16.0).reshape(1, 1, 4, 4))
    y = F.max_pooling_2d(x, 2)
    y.grad = numpy.array([[[[nan, 1.0], [2.0, inf]]]])
    y.backward()
    expect = numpy.zeros((4, 4))
    expect[1, 1], expect[1, 3], expect[3, 1], expect[3, 3] = nan, 1.0, 2.0, inf
    numpy.testing.assert_array_equal(x.grad[0, 0], expect)
