"""F.binary_accuracy (minigrad/functions/evaluation/binary_accuracy.py)."""
import numpy
import pytest

from minigrad import Variable
from minigrad.functions.evaluation.binary_accuracy import binary_accuracy
from minigrad.type_check import InvalidType


def _accuracy_loops(y, t):
    right = counted = 0
    for i in numpy.ndindex(y.shape):
        if t[i] == -1:
            continue
        counted += 1
        right += int((1 if y[i] >= 0 else 0) == t[i])
    return right / counted if counted else 0.0


@pytest.mark.parametrize('shape', [(7,), (3, 4), (2, 3, 2)])
@pytest.mark.parametrize('ignore', [False, True])
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_matches_loops(shape, ignore, dtype):
    rng = numpy.random.RandomState(0)
    y = rng.uniform(-1, 1, shape).astype(dtype)
    t = rng.randint(0, 2, shape).astype(numpy.int32)
    if ignore:
        t.reshape(-1)[::3] = -1
    acc = binary_accuracy(y, t)
    assert acc.shape == () and acc.dtype == dtype
    numpy.testing.assert_allclose(acc.data, _accuracy_loops(y, t), rtol=1e-6)


def test_by_hand():
    y = numpy.array([[-2.0, 0.0], [3.0, -5.0]])     # predictions 0, 1 (0 counts as positive), 1, 0
    assert binary_accuracy(y, numpy.array([[0, 1], [1, 0]], dtype=numpy.int32)).data == 1.0
    assert binary_accuracy(y, numpy.array([[0, 0], [1, 1]], dtype=numpy.int32)).data == 0.5
    assert binary_accuracy(y, numpy.array([[0, -1], [1, -1]], dtype=numpy.int32)).data == 1.0
    assert binary_accuracy(y, -numpy.ones((2, 2), dtype=numpy.int32)).data == 0.0     # nothing counted


def test_is_outside_the_graph():
    y = Variable(numpy.array([0.5, -0.5]))
    acc = binary_accuracy(y, numpy.array([1, 1], dtype=numpy.int32))
    assert acc.creator is None and not acc.requires_grad
    assert acc.data == 0.5


def test_bad_inputs_are_rejected():
    y = numpy.zeros((2, 3))
    with pytest.raises(InvalidType, match=r'BinaryAccuracy: expect t\.shape == y\.shape, actual '
                                          r'\(3, 2\) != \(2, 3\)'):
        binary_accuracy(y, numpy.zeros((3, 2), dtype=numpy.int32))
    with pytest.raises(InvalidType, match=r'BinaryAccuracy: expect t\.dtype\.kind in "iu" \(integer '
                                          r'labels\), '
                                          r'actual t\.dtype == float64'):
        binary_accuracy(y, numpy.zeros((2, 3)))
    with pytest.raises(InvalidType, match=r"BinaryAccuracy.*: expect y\.dtype\.kind == f, "
                                          r'actual i != f'):
        binary_accuracy(numpy.zeros((2, 3), dtype=numpy.int32), numpy.zeros((2, 3), dtype=numpy.int32))
