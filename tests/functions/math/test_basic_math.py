"""F.add, sub, mul, div, neg, absolute, pow, matmul (minigrad/functions/math/basic_math.py)."""
import numpy
import pytest

import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def _rand(*shape, seed=0, low=-1.0, high=1.0, dtype=numpy.float64):
    return numpy.random.RandomState(seed).uniform(low, high, shape).astype(dtype)


@pytest.mark.parametrize('name, reference, low', [
    ('add', lambda a, b: a + b, -1), ('sub', lambda a, b: a - b, -1),
    ('mul', lambda a, b: a * b, -1), ('div', lambda a, b: a / b, 0.5),
    ('pow', lambda a, b: a ** b, 0.5),
])
@pytest.mark.parametrize('shape_a, shape_b', [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2,))])
def test_binary_functions(name, reference, low, shape_a, shape_b):
    f = getattr(F, name)
    a = _rand(*shape_a, low=low, high=2)
    b = _rand(*shape_b, seed=1, low=low, high=2)
    y = f(Variable(a), b)
    assert isinstance(y, Variable)
    numpy.testing.assert_allclose(y.data, reference(a, b), rtol=1e-12)
    gradient_check.check_backward(f, (a, b), _rand(*y.shape, seed=2), dtype=numpy.float64)


def test_functions_keep_float32():
    a = _rand(2, 3, low=0.5, high=2, dtype=numpy.float32)     # pow needs a > 0
    b = _rand(2, 3, seed=1, low=0.5, high=2, dtype=numpy.float32)
    for f in (F.add, F.sub, F.mul, F.div, F.pow):
        x = Variable(a.copy())
        y = f(x, b)
        assert y.dtype == numpy.float32
        F.sum(y).backward()
        assert x.grad.dtype == numpy.float32


def test_pow_by_a_constant():
    x = Variable(numpy.array([1.0, 2.0, 3.0], dtype=numpy.float32))
    y = F.pow(x, 3)
    numpy.testing.assert_array_equal(y.data, [1.0, 8.0, 27.0])
    F.sum(y).backward()
    numpy.testing.assert_array_equal(x.grad, [3.0, 12.0, 27.0])
    assert x.grad.dtype == numpy.float32
    gradient_check.check_backward(lambda v: F.pow(v, 2.5), _rand(2, 3, low=0.5, high=2),
                                  _rand(2, 3, seed=1), dtype=numpy.float64)


def test_neg_and_absolute():
    a = numpy.array([-1.5, 0.5, 2.0])
    numpy.testing.assert_array_equal(F.neg(a).data, [1.5, -0.5, -2.0])
    numpy.testing.assert_array_equal(F.absolute(a).data, [1.5, 0.5, 2.0])
    for f in (F.neg, F.absolute):
        gradient_check.check_backward(f, a, _rand(3, seed=1), dtype=numpy.float64)


def _matmul_reference(a, b):
    """Batched matrix product by loops over every output element."""
    batch = numpy.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = numpy.broadcast_to(a, batch + a.shape[-2:])
    b = numpy.broadcast_to(b, batch + b.shape[-2:])
    y = numpy.zeros(batch + (a.shape[-2], b.shape[-1]))
    for n in numpy.ndindex(*batch):
        for i in range(a.shape[-2]):
            for j in range(b.shape[-1]):
                y[n + (i, j)] = sum(a[n + (i, k)] * b[n + (k, j)] for k in range(a.shape[-1]))
    return y


@pytest.mark.parametrize('transa', [False, True])
@pytest.mark.parametrize('transb', [False, True])
@pytest.mark.parametrize('batch_a, batch_b', [((), ()), ((2,), (2,)), ((3,), ()), ((), (2,)), ((2, 1), (3,))])
def test_matmul(transa, transb, batch_a, batch_b):
    M, K, N = 2, 3, 4
    a = _rand(*(batch_a + ((K, M) if transa else (M, K))))
    b = _rand(*(batch_b + ((N, K) if transb else (K, N))), seed=1)
    y = F.matmul(a, Variable(b), transa=transa, transb=transb)
    a_ = a.swapaxes(-1, -2) if transa else a
    b_ = b.swapaxes(-1, -2) if transb else b
    numpy.testing.assert_allclose(y.data, _matmul_reference(a_, b_), rtol=1e-12)

    def f(u, v):
        return F.matmul(u, v, transa=transa, transb=transb)
    gradient_check.check_backward(f, (a, b), _rand(*y.shape, seed=2), dtype=numpy.float64)


def test_matmul_keeps_float32():
    y = F.matmul(_rand(2, 3, dtype=numpy.float32), _rand(3, 2, dtype=numpy.float32))
    assert y.dtype == numpy.float32


def test_matmul_type_errors():
    with pytest.raises(InvalidType, match=r'Invalid operation in MatMul: expect a.ndim >= 2 and b.ndim >= 2, '
                                          r'actual a.ndim == 1, b.ndim == 2'):
        F.matmul(numpy.zeros(3), numpy.zeros((3, 2)))
    with pytest.raises(InvalidType, match=r'expect a.shape\[-1\] == b.shape\[-2\], actual 3 != 2'):
        F.matmul(numpy.zeros((2, 3)), numpy.zeros((3, 2)), transb=True)
