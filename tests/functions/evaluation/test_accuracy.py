"""F.accuracy (minigrad/functions/evaluation/accuracy.py)."""
import numpy
import pytest

import minigrad.functions as F
from minigrad import Variable
from minigrad.type_check import InvalidType


def _accuracy_loops(y, t, ignore_label=None):
    """Count argmax hits one label at a time; ``y`` is ``(N, C) + t.shape[1:] + (1,) * k``."""
    right = total = 0
    for n in range(t.shape[0]):
        for pos in numpy.ndindex(t.shape[1:]):
            label = t[(n,) + pos]
            if label == ignore_label:
                continue
            extra = (0,) * (y.ndim - t.ndim - 1)
            scores = [y[(n, c) + pos + extra] for c in range(y.shape[1])]
            best = max(range(len(scores)), key=lambda c: scores[c])
            right += best == label
            total += 1
    return right / total if total else 0.0


@pytest.mark.parametrize('y_shape, t_shape', [((10, 3), (10,)), ((4, 3, 2, 3), (4, 2, 3)),
                                               ((6, 4, 1), (6,)), ((3, 2, 2, 1, 1), (3, 2))])
@pytest.mark.parametrize('ignore_label', [None, -1, 1])
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_matches_loops(y_shape, t_shape, ignore_label, dtype):
    rng = numpy.random.RandomState(0)
    y = rng.uniform(-1, 1, y_shape).astype(dtype)
    t = rng.randint(-1, y_shape[1], t_shape).astype(numpy.int32)
    if ignore_label != -1:
        t = numpy.abs(t)        # -1 is a class only when it is the ignored label
    acc = F.accuracy(y, t, ignore_label)
    assert acc.shape == () and acc.dtype == dtype
    numpy.testing.assert_allclose(acc.data, _accuracy_loops(y, t, ignore_label), rtol=1e-6)


def test_by_hand():
    y = numpy.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]], dtype=numpy.float32)
    assert F.accuracy(y, numpy.array([1, 0, 0, 1])).data == 0.5
    assert F.accuracy(y, numpy.array([1, 0, 0, -1]), ignore_label=-1).data == numpy.float32(2 / 3)
    assert F.accuracy(y, numpy.array([-1, -1, -1, -1]), ignore_label=-1).data == 0.0


def test_is_not_differentiable():
    y = Variable(numpy.array([[0.1, 0.9]], dtype=numpy.float32))
    acc = F.accuracy(y, numpy.array([1]))
    assert acc.creator is None and not acc.requires_grad
    (F.sum(y) + acc).backward()         # a constant in a graph: no gradient flows through it
    numpy.testing.assert_array_equal(y.grad, [[1, 1]])


def test_bad_inputs_are_rejected():
    y = numpy.zeros((4, 3), dtype=numpy.float32)
    with pytest.raises(InvalidType, match=r'^Invalid operation in Accuracy: expect y\.shape\[0\] == t\.shape\[0\], '
                                          r'actual 4 != 5$'):
        F.accuracy(y, numpy.zeros(5, dtype=numpy.int32))
    with pytest.raises(InvalidType, match=r'Accuracy: expect y\.shape\[2:t\.ndim \+ 1\] == t\.shape\[1:\], actual \(2,\) != \(3,\)'):
        F.accuracy(numpy.zeros((4, 3, 2)), numpy.zeros((4, 3), dtype=numpy.int32))
    with pytest.raises(InvalidType, match=r'Accuracy: expect y\.shape\[t\.ndim \+ 1:\] == \(1,\) \* \(y\.ndim - t\.ndim - 1\), '
                                          r'actual \(2,\) != \(1,\)'):
        F.accuracy(numpy.zeros((4, 3, 2)), numpy.zeros(4, dtype=numpy.int32))
    with pytest.raises(InvalidType, match=r'Accuracy: expect t\.dtype\.kind in "iu" \(integer labels\), '
                                          r'actual t\.dtype == float32'):
        F.accuracy(y, numpy.zeros(4, dtype=numpy.float32))
    with pytest.raises(InvalidType, match=r"Accuracy: expect y\.dtype\.kind == f, actual i != f"):
        F.accuracy(numpy.zeros((4, 3), dtype=numpy.int32), numpy.zeros(4, dtype=numpy.int32))
