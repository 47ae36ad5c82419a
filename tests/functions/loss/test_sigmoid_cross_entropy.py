"""F.sigmoid_cross_entropy (minigrad/functions/loss/sigmoid_cross_entropy.py)."""
import math

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def _data(shape, ignore, seed=0):
    rng = numpy.random.RandomState(seed)
    x = rng.uniform(-3, 3, shape)
    t = rng.randint(0, 2, shape).astype(numpy.int32)
    if ignore:
        t.reshape(-1)[::3] = -1
    return x, t


def _loss_loops(x, t):
    """``-(t log s + (1 - t) log(1 - s))`` element by element (0 where t == -1), and the count."""
    losses = numpy.zeros(x.shape)
    count = 0
    for i in numpy.ndindex(x.shape):
        if t[i] == -1:
            continue
        count += 1
        s = 1 / (1 + math.exp(-x[i]))
        losses[i] = -(t[i] * math.log(s) + (1 - t[i]) * math.log(1 - s))
    return losses, count


@pytest.mark.parametrize('shape', [(4,), (3, 4), (2, 3, 2, 2)])
@pytest.mark.parametrize('ignore', [False, True])
def test_forward_matches_loops(shape, ignore):
    x, t = _data(shape, ignore)
    losses, count = _loss_loops(x, t)
    no = F.sigmoid_cross_entropy(x, t, reduce='no')
    assert no.shape == shape
    numpy.testing.assert_allclose(no.data, losses, rtol=1e-12)
    numpy.testing.assert_allclose(F.sigmoid_cross_entropy(x, t).data, losses.sum() / count,
                                  rtol=1e-12)
    numpy.testing.assert_allclose(F.sigmoid_cross_entropy(x, t, normalize=False).data,
                                  losses.sum() / shape[0], rtol=1e-12)


@pytest.mark.parametrize('shape', [(4,), (3, 4), (2, 3, 2, 2)])
@pytest.mark.parametrize('ignore', [False, True])
@pytest.mark.parametrize('reduce, normalize', [('mean', True), ('mean', False), ('no', True)])
def test_backward(shape, ignore, reduce, normalize):
    x, t = _data(shape, ignore)
    gy = None if reduce == 'mean' else numpy.random.RandomState(1).uniform(-1, 1, shape)
    gradient_check.check_backward(
        lambda x, t: F.sigmoid_cross_entropy(x, t, normalize=normalize, reduce=reduce),
        (x, t), gy, dtype=numpy.float64)


@pytest.mark.parametrize('shape', [(4,), (3, 4), (2, 3, 2, 2)])
@pytest.mark.parametrize('ignore', [False, True])
@pytest.mark.parametrize('reduce, normalize', [('mean', True), ('mean', False), ('no', True)])
def test_double_backward(shape, ignore, reduce, normalize):
    x, t = _data(shape, ignore)
    rng = numpy.random.RandomState(1)
    gy = rng.uniform(-1, 1, () if reduce == 'mean' else shape)
    ggx = rng.uniform(-1, 1, shape)
    gradient_check.check_double_backward(
        lambda x, t: F.sigmoid_cross_entropy(x, t, normalize=normalize, reduce=reduce),
        (x, t), gy, ggx, dtype=numpy.float64)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_second_derivative_by_hand(dtype):
    # d2 loss / dx2 = sigmoid'(x) / count = s (1 - s) / count, whatever the label; 0 where ignored.
    x = Variable(numpy.array([[-1.0, 0.0], [2.0, 0.5]], dtype=dtype))
    t = numpy.array([[0, 1], [1, -1]], dtype=numpy.int32)
    gx, = minigrad.grad([F.sigmoid_cross_entropy(x, t)], [x], enable_double_backprop=True)
    ggx, = minigrad.grad([F.sum(gx)], [x])
    s = 1 / (1 + numpy.exp(-x.array.astype(numpy.float64)))
    valid = t != -1
    numpy.testing.assert_allclose(gx.array, (s - t) * valid / 3, rtol=1e-6)
    numpy.testing.assert_allclose(ggx.array, s * (1 - s) * valid / 3, rtol=1e-5)
    assert gx.dtype == ggx.dtype == dtype


def test_by_hand_float32():
    # Logit 0: loss log 2 for either label; gradient (1/2 - t) / count.
    x = Variable(numpy.zeros((2, 2), dtype=numpy.float32))
    loss = F.sigmoid_cross_entropy(x, numpy.array([[0, 1], [1, -1]], dtype=numpy.int32))
    assert loss.dtype == numpy.float32
    numpy.testing.assert_allclose(loss.data, math.log(2), rtol=1e-6)
    loss.backward()
    assert x.grad.dtype == numpy.float32
    numpy.testing.assert_allclose(x.grad, [[1 / 6, -1 / 6], [-1 / 6, 0]], rtol=1e-6)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_large_logits_stay_finite(dtype):
    x = Variable(numpy.array([[1e4, -1e4, 1e4, -1e4]], dtype=dtype))
    t = numpy.array([[1, 0, 0, 1]], dtype=numpy.int32)
    with numpy.errstate(over='raise', invalid='raise', divide='raise'):
        loss = F.sigmoid_cross_entropy(x, t)
        loss.backward()
    # Two right with certainty (loss 0), two wrong by 1e4 (loss 1e4): mean 5000.
    numpy.testing.assert_allclose(loss.data, 5000.0, rtol=1e-6)
    # (sigmoid(x) - t) / 4
    numpy.testing.assert_array_equal(x.grad, [[0, 0, 0.25, -0.25]])
    assert loss.dtype == dtype and x.grad.dtype == dtype


def test_all_ignored_gives_zero():
    x = Variable(numpy.ones((2, 2)))
    loss = F.sigmoid_cross_entropy(x, -numpy.ones((2, 2), dtype=numpy.int32))
    loss.backward()
    assert loss.data == 0
    numpy.testing.assert_array_equal(x.grad, 0)


def test_bad_labels_are_rejected():
    x = numpy.zeros((2, 3))
    with pytest.raises(InvalidType, match=r'Invalid operation in SigmoidCrossEntropy reduce=mean: expect t\.shape == '
                                          r'x\.shape, actual \(3, 2\) != \(2, 3\)'):
        F.sigmoid_cross_entropy(x, numpy.zeros((3, 2), dtype=numpy.int32))
    with pytest.raises(InvalidType, match=r"SigmoidCrossEntropy: expect t in \(0, 1\) or "
                                          r"t == ignore_label == -1, "
                                          r'actual t\[1, 0\] == 2 \(1 of 6 labels bad\)'):
        F.sigmoid_cross_entropy(x, numpy.array([[0, 1, -1], [2, 0, 0]], dtype=numpy.int32))
    with pytest.raises(InvalidType, match=r'SigmoidCrossEntropy: expect t\.dtype\.kind in "iu" '
                                          r'\(integer labels\), actual t\.dtype == float64'):
        F.sigmoid_cross_entropy(x, numpy.zeros((2, 3)))
    with pytest.raises(InvalidType, match=r"SigmoidCrossEntropy: expect reduce in \('mean', 'no'\), "
                                          r"actual reduce == 'sum'"):
        F.sigmoid_cross_entropy(x, numpy.zeros((2, 3), dtype=numpy.int32), reduce='sum')
