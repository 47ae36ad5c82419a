"""F.softmax_cross_entropy (minigrad/functions/loss/softmax_cross_entropy.py)."""
import math

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def _data(x_shape, ignore, seed=0):
    """Scores and labels; with ``ignore`` every third label is -1."""
    rng = numpy.random.RandomState(seed)
    x = rng.uniform(-2, 2, x_shape)
    t = rng.randint(0, x_shape[1], x_shape[:1] + x_shape[2:]).astype(numpy.int32)
    if ignore:
        t.reshape(-1)[::3] = -1
    return x, t


def _loss_loops(x, t, class_weight=None, ignore_label=-1):
    """Per-label loss ``-w_t log softmax(x)_t`` by loops (0 where ignored), and the count."""
    losses = numpy.zeros(t.shape)
    count = 0
    for n in range(x.shape[0]):
        for pos in numpy.ndindex(t.shape[1:]):
            label = t[(n,) + pos]
            if label == ignore_label:
                continue
            count += 1
            scores = [x[(n, c) + pos] for c in range(x.shape[1])]
            log_total = math.log(sum(math.exp(s) for s in scores))
            w = 1.0 if class_weight is None else class_weight[label]
            losses[(n,) + pos] = -w * (scores[label] - log_total)
    return losses, count


@pytest.mark.parametrize('x_shape', [(3, 4), (2, 3, 2, 2), (2, 3, 2)])
@pytest.mark.parametrize('ignore', [False, True])
@pytest.mark.parametrize('weighted', [False, True])
def test_forward_matches_loops(x_shape, ignore, weighted):
    x, t = _data(x_shape, ignore)
    w = numpy.linspace(0.5, 2.0, x_shape[1]) if weighted else None
    losses, count = _loss_loops(x, t, w)
    no = F.softmax_cross_entropy(x, t, class_weight=w, reduce='no')
    assert no.shape == t.shape
    numpy.testing.assert_allclose(no.data, losses, rtol=1e-12)
    mean = F.softmax_cross_entropy(x, t, class_weight=w)
    assert mean.shape == ()
    numpy.testing.assert_allclose(mean.data, losses.sum() / count, rtol=1e-12)
    by_n = F.softmax_cross_entropy(x, t, normalize=False, class_weight=w)
    numpy.testing.assert_allclose(by_n.data, losses.sum() / x_shape[0], rtol=1e-12)


@pytest.mark.parametrize('x_shape', [(3, 4), (2, 3, 2, 2)])
@pytest.mark.parametrize('ignore', [False, True])
@pytest.mark.parametrize('reduce, normalize', [('mean', True), ('mean', False), ('no', True)])
@pytest.mark.parametrize('cache_score', [True, False])
@pytest.mark.parametrize('weighted', [False, True])
def test_backward(x_shape, ignore, reduce, normalize, cache_score, weighted):
    x, t = _data(x_shape, ignore)
    w = numpy.linspace(0.5, 2.0, x_shape[1]) if weighted else None

    def f(x, t):
        return F.softmax_cross_entropy(x, t, normalize=normalize, cache_score=cache_score,
                                       class_weight=w, reduce=reduce)

    gy = None if reduce == 'mean' else numpy.random.RandomState(1).uniform(-1, 1, t.shape)
    gradient_check.check_backward(f, (x, t), gy, dtype=numpy.float64)


@pytest.mark.parametrize('x_shape', [(3, 4), (2, 3, 2, 2)])
@pytest.mark.parametrize('ignore', [False, True])
@pytest.mark.parametrize('reduce, normalize', [('mean', True), ('mean', False), ('no', True)])
@pytest.mark.parametrize('cache_score', [True, False])
@pytest.mark.parametrize('weighted', [False, True])
def test_double_backward(x_shape, ignore, reduce, normalize, cache_score, weighted):
    x, t = _data(x_shape, ignore)
    w = numpy.linspace(0.5, 2.0, x_shape[1]) if weighted else None

    def f(x, t):
        return F.softmax_cross_entropy(x, t, normalize=normalize, cache_score=cache_score,
                                       class_weight=w, reduce=reduce)

    rng = numpy.random.RandomState(1)
    gy = rng.uniform(-1, 1, () if reduce == 'mean' else t.shape)
    ggx = rng.uniform(-1, 1, x_shape)
    gradient_check.check_double_backward(f, (x, t), gy, ggx, dtype=numpy.float64)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_second_derivative_by_hand(dtype):
    # Two classes: loss = -log softmax(x)_t, whose Hessian is s (1 - s) [[1, -1], [-1, 1]]
    # for either label (s = softmax(x)_0), divided by N = 2 for the mean.
    x = Variable(numpy.array([[0.5, -0.25], [0.0, 1.0]], dtype=dtype))
    t = numpy.array([0, 0], dtype=numpy.int32)
    gx, = minigrad.grad([F.softmax_cross_entropy(x, t)], [x], enable_double_backprop=True)
    ggx, = minigrad.grad([F.sum(gx[:, 0])], [x])     # per sample, the Hessian's first column
    s = 1 / (1 + numpy.exp(-(x.array[:, 0] - x.array[:, 1]).astype(numpy.float64)))
    numpy.testing.assert_allclose(gx.array[:, 0], (s - 1) / 2, rtol=1e-6)
    h = s * (1 - s) / 2
    numpy.testing.assert_allclose(ggx.array, numpy.stack([h, -h], axis=1), rtol=1e-5)
    assert gx.dtype == ggx.dtype == dtype


def test_ignored_labels_get_zero_loss_and_gradient():
    x, t = _data((4, 3), ignore=False)
    t[[1, 3]] = 7                       # a custom ignore_label
    xv = Variable(x)
    loss = F.softmax_cross_entropy(xv, t, ignore_label=7, reduce='no')
    assert loss.data[1] == 0 and loss.data[3] == 0
    loss.grad = numpy.ones(4)
    loss.backward()
    numpy.testing.assert_array_equal(xv.grad[[1, 3]], 0)
    assert (xv.grad[[0, 2]] != 0).all()


def test_all_ignored_gives_zero():
    x = Variable(numpy.ones((2, 3)))
    loss = F.softmax_cross_entropy(x, numpy.array([-1, -1], dtype=numpy.int32))
    loss.backward()
    assert loss.data == 0
    numpy.testing.assert_array_equal(x.grad, 0)


def test_by_hand_float32():
    # Equal scores: softmax is 1/2 each, loss = log 2 per label; gradient (1/2 - [c = t]) / N.
    x = Variable(numpy.zeros((2, 2), dtype=numpy.float32))
    loss = F.softmax_cross_entropy(x, numpy.array([0, 1], dtype=numpy.int32))
    assert loss.dtype == numpy.float32
    numpy.testing.assert_allclose(loss.data, math.log(2), rtol=1e-6)
    loss.backward()
    assert x.grad.dtype == numpy.float32
    numpy.testing.assert_allclose(x.grad, [[-0.25, 0.25], [0.25, -0.25]], rtol=1e-6)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('cache_score', [True, False])
def test_large_logits_stay_finite(dtype, cache_score):
    x = Variable(numpy.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], dtype=dtype))
    t = numpy.array([0, 2], dtype=numpy.int32)
    with numpy.errstate(over='raise', invalid='raise', divide='raise'):
        loss = F.softmax_cross_entropy(x, t, cache_score=cache_score)
        loss.backward()
    # Row 0 is right with certainty (loss 0); row 1 is off by 1e4: loss 1e4.
    numpy.testing.assert_allclose(loss.data, 5000.0, rtol=1e-6)
    # Gradient (softmax - onehot) / 2: row 0 is 0, row 1 is [0, 1, -1] / 2.
    numpy.testing.assert_array_equal(x.grad, [[0, 0, 0], [0, 0.5, -0.5]])
    assert loss.dtype == dtype and x.grad.dtype == dtype


@pytest.mark.parametrize('cache_score', [True, False])
def test_backward_twice_over_one_graph(cache_score):
    x, t = _data((3, 4), ignore=False)
    xv = Variable(x)
    loss = F.softmax_cross_entropy(xv, t, cache_score=cache_score)
    loss.backward()
    first = xv.grad.copy()
    xv.cleargrad()
    loss.backward()                     # the cached softmax is still intact
    numpy.testing.assert_array_equal(xv.grad, first)


def test_label_out_of_range_is_rejected():
    x = numpy.zeros((3, 4), dtype=numpy.float32)
    with pytest.raises(InvalidType, match=r'Invalid operation in SoftmaxCrossEntropy: expect 0 <= t < '
                                          r'x\.shape\[1\] == 4 or t == ignore_label == -1, '
                                          r'actual t\[1\] == 4 \(2 of 3 labels bad\)'):
        F.softmax_cross_entropy(x, numpy.array([0, 4, -2], dtype=numpy.int32))
    with pytest.raises(InvalidType, match=r'SoftmaxCrossEntropy: .*actual t\[0, 0, 1\] == -1 \(1 of 2 labels bad\)'):
        F.softmax_cross_entropy(numpy.zeros((1, 3, 1, 2)), numpy.array([[[0, -1]]]), ignore_label=5)


def test_wrong_label_shape_is_rejected():
    x = numpy.zeros((3, 4), dtype=numpy.float32)
    with pytest.raises(InvalidType, match=r'SoftmaxCrossEntropy reduce=mean: expect t\.shape == x\.shape\[:1\] \+ '
                                          r'x\.shape\[2:\], actual \(2,\) != \(3,\)'):
        F.softmax_cross_entropy(x, numpy.array([0, 1], dtype=numpy.int32))
    with pytest.raises(InvalidType, match=r'SoftmaxCrossEntropy .*: expect t\.shape == .*, '
                                          r'actual \(2,\) != \(2, 2, 2\)'):
        F.softmax_cross_entropy(numpy.zeros((2, 3, 2, 2)), numpy.array([0, 1]))
    with pytest.raises(InvalidType, match=r'SoftmaxCrossEntropy .*: expect x\.ndim >= 2, actual 1 < 2'):
        F.softmax_cross_entropy(numpy.zeros(3), numpy.array([0, 1, 2]))


def test_non_integer_labels_are_rejected():
    with pytest.raises(InvalidType, match=r'SoftmaxCrossEntropy: expect t\.dtype\.kind in "iu" '
                                          r'\(integer labels\), actual t\.dtype == float32'):
        F.softmax_cross_entropy(numpy.zeros((2, 3)), numpy.array([0, 1], dtype=numpy.float32))
    with pytest.raises(InvalidType, match=r"SoftmaxCrossEntropy .*: expect x\.dtype\.kind == f, actual i != f"):
        F.softmax_cross_entropy(numpy.zeros((2, 3), dtype=numpy.int32), numpy.array([0, 1]))


def test_bad_options_are_rejected():
    x, t = numpy.zeros((2, 3)), numpy.array([0, 1])
    with pytest.raises(InvalidType, match=r"SoftmaxCrossEntropy: expect reduce in \('mean', 'no'\), "
                                          r"actual reduce == 'sum'"):
        F.softmax_cross_entropy(x, t, reduce='sum')
    with pytest.raises(InvalidType, match=r'SoftmaxCrossEntropy reduce=mean: expect x\.shape\[1\] == '
                                          r'class_weight\.shape\[0\], actual 3 != 2$'):
        F.softmax_cross_entropy(x, t, class_weight=numpy.ones(2))
    with pytest.raises(InvalidType, match=r'SoftmaxCrossEntropy: expect class_weight\.ndim == 1'):
        F.softmax_cross_entropy(x, t, class_weight=numpy.ones((3, 1)))
    with pytest.raises(TypeError, match='class_weight'):
        F.softmax_cross_entropy(x, t, class_weight=Variable(numpy.ones(3)))
