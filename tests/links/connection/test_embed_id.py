"""F.embed_id and L.EmbedID: lookup against indexing by loops, ignore_label, gradients."""
import numpy
import pytest

import minigrad
import minigrad.links as L
from minigrad import Variable, gradient_check
from minigrad.functions.connection.embed_id import embed_id
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


def lookup_by_loops(x, W, ignore_label=None):
    y = numpy.zeros(x.shape + (W.shape[1],), dtype=W.dtype)
    for index in numpy.ndindex(*x.shape):
        if x[index] != ignore_label:
            y[index] = W[x[index]]
    return y


CASES = [((4,), None), ((2, 3), None), ((2, 3), -1), ((3, 2), 2), ((2, 2, 2), 0)]


def ids(shape, ignore_label, V=5):
    x = numpy.random.randint(0, V, size=shape).astype(numpy.int32)
    x.ravel()[0] = x.ravel()[-1]            # a repeated ID: its gradient rows must add up
    if ignore_label is not None:
        x.ravel()[1] = ignore_label
    return x


@pytest.mark.parametrize('shape, ignore_label', CASES)
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_forward(shape, ignore_label, dtype):
    W = numpy.random.randn(5, 3).astype(dtype)
    x = ids(shape, ignore_label)
    y = embed_id(x, W, ignore_label=ignore_label)
    assert y.shape == shape + (3,) and y.dtype == dtype
    numpy.testing.assert_array_equal(y.array, lookup_by_loops(x, W, ignore_label))


def test_hand_values():
    W = numpy.array([[0., 0., 0.], [1., 1., 1.], [2., 2., 2.]], dtype=numpy.float32)
    x = numpy.array([2, 1], dtype=numpy.int32)
    numpy.testing.assert_array_equal(embed_id(x, W).array, [[2, 2, 2], [1, 1, 1]])
    numpy.testing.assert_array_equal(embed_id(x, W, ignore_label=1).array, [[2, 2, 2], [0, 0, 0]])


def test_gradient_adds_the_rows_of_repeated_ids():
    W = Variable(numpy.zeros((4, 2)))
    x = numpy.array([[1, 3], [1, -1]], dtype=numpy.int32)
    gy = numpy.arange(8.0).reshape(2, 2, 2)
    y = embed_id(x, W, ignore_label=-1)
    y.grad = gy
    y.backward()
    # row 1 gets gy[0, 0] + gy[1, 0]; row 3 gets gy[0, 1]; the ignored position sends nothing.
    numpy.testing.assert_array_equal(W.grad, [[0, 0], [0 + 4, 1 + 5], [0, 0], [2, 3]])


@pytest.mark.parametrize('shape, ignore_label', CASES)
def test_backward(shape, ignore_label):
    W = numpy.random.randn(5, 3)
    x = ids(shape, ignore_label)
    gy = numpy.random.randn(*shape, 3)
    gradient_check.check_backward(lambda x, W: embed_id(x, W, ignore_label), (x, W), gy,
                                  dtype=numpy.float64)


@pytest.mark.parametrize('shape, ignore_label', CASES)
def test_double_backward(shape, ignore_label):
    W = numpy.random.randn(5, 3)
    x = ids(shape, ignore_label)
    gy = numpy.random.randn(*shape, 3)
    ggW = numpy.random.randn(5, 3)
    gradient_check.check_double_backward(lambda x, W: embed_id(x, W, ignore_label), (x, W), gy,
                                         ggW, dtype=numpy.float64)


def test_second_derivative_by_hand():
    # y is linear in W: d(gW)/dW is 0, and d(gW)/d(gy) . ggW is ggW looked up at x.
    W = Variable(numpy.random.randn(3, 2))
    x = numpy.array([2, 0, 2], dtype=numpy.int32)
    gy = Variable(numpy.random.randn(3, 2))
    y = embed_id(x, W)
    gW, = minigrad.grad([y], [W], [gy], enable_double_backprop=True)
    ggW = numpy.random.randn(3, 2)
    ggy, gWW = minigrad.grad([gW], [gy, W], [ggW])
    numpy.testing.assert_allclose(ggy.array, ggW[x])
    assert gWW is None or not gWW.array.any()


def test_float32_stays_float32():
    W = Variable(numpy.random.randn(4, 2).astype(numpy.float32))
    y = embed_id(numpy.array([0, 3], dtype=numpy.int32), W)
    y.grad = numpy.ones((2, 2), dtype=numpy.float32)
    y.backward()
    assert y.dtype == W.grad.dtype == numpy.float32


def test_bad_inputs():
    W = numpy.zeros((3, 2), dtype=numpy.float32)
    with pytest.raises(InvalidType, match=r'EmbedID: expect 0 <= x < 3 \(len\(W\)\), '
                                          r'actual x == 3 at flat index 1 \(1 bad of 2\)'):
        embed_id(numpy.array([0, 3], dtype=numpy.int32), W)
    with pytest.raises(InvalidType, match=r'expect 0 <= x < 3 \(len\(W\)\) or x == -1 '
                                          r'\(ignore_label\), actual x == -2'):
        embed_id(numpy.array([-1, -2], dtype=numpy.int32), W, ignore_label=-1)
    with pytest.raises(InvalidType, match=r"Invalid operation in EmbedID: expect x.dtype.kind == i"):
        embed_id(numpy.array([0.0, 1.0], dtype=numpy.float32), W)
    with pytest.raises(InvalidType, match=r'expect W.ndim == 2'):
        embed_id(numpy.array([0], dtype=numpy.int32), numpy.zeros(3, dtype=numpy.float32))


# ---------------------------------------------------------------------------
# The link

def test_link_defaults():
    link = L.EmbedID(1000, 50)
    assert link.W.shape == (1000, 50) and link.W.dtype == numpy.float32
    assert link.ignore_label is None
    assert abs(link.W.array.std() - 1.0) < 0.05 and abs(link.W.array.mean()) < 0.05   # N(0, 1)


def test_link_forward_and_ignore_label():
    W = numpy.random.randn(4, 3).astype(numpy.float32)
    link = L.EmbedID(4, 3, initialW=W, ignore_label=-1)
    numpy.testing.assert_array_equal(link.W.array, W)
    x = numpy.array([[3, -1], [0, 3]], dtype=numpy.int32)
    numpy.testing.assert_array_equal(link(x).array, lookup_by_loops(x, W, -1))
    assert link(x).creator.link is link


def test_from_params():
    W = numpy.random.randn(4, 3).astype(numpy.float32)
    link = L.EmbedID.from_params(Variable(W), ignore_label=0)
    assert link.W.shape == (4, 3) and link.ignore_label == 0
    numpy.testing.assert_array_equal(link.W.array, W)
    link.W.array[...] = 0
    assert W.any()      # a copy


def test_link_backward():
    link = L.EmbedID(5, 2, ignore_label=4)
    x = numpy.array([[0, 4, 1], [1, 1, 3]], dtype=numpy.int32)
    gy = numpy.random.randn(2, 3, 2)
    gradient_check.check_backward(link, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(link, x, gy, (), params_grad_grad=(numpy.random.randn(5, 2),),
                                         dtype=numpy.float64)
