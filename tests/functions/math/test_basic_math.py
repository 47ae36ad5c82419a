"""F.add, sub, mul, div, neg, absolute, pow, matmul (minigrad/functions/math/basic_math.py)."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check
from minigrad.type_check import InvalidType


def _rand(*shape, seed=0, low=-1.0, high=1.0, dtype=numpy.float64):
    return numpy.random.RandomState(seed).uniform(low, high, shape).astype(dtype)


# low: the smallest operand; div and pow (the base) keep theirs positive.
BINARY = [
    ('add', lambda a, b: a + b, -1), ('sub', lambda a, b: a - b, -1),
    ('mul', lambda a, b: a * b, -1), ('div', lambda a, b: a / b, 0.5),
    ('pow', lambda a, b: a ** b, 0.5),
]
BROADCAST_SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2,))]


@pytest.mark.parametrize('name, reference, low', BINARY)
@pytest.mark.parametrize('shape_a, shape_b', BROADCAST_SHAPES)
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


MATMUL_BATCHES = [((), ()), ((2,), (2,)), ((3,), ()), ((), (2,)), ((2, 1), (3,))]


def _matmul_operands(transa, transb, batch_a, batch_b, M=2, K=3, N=4):
    a = _rand(*(batch_a + ((K, M) if transa else (M, K))))
    b = _rand(*(batch_b + ((N, K) if transb else (K, N))), seed=1)
    return a, b


@pytest.mark.parametrize('transa', [False, True])
@pytest.mark.parametrize('transb', [False, True])
@pytest.mark.parametrize('batch_a, batch_b', MATMUL_BATCHES)
def test_matmul(transa, transb, batch_a, batch_b):
    a, b = _matmul_operands(transa, transb, batch_a, batch_b)
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
    with pytest.raises(InvalidType, match=r'^Invalid operation in MatMul: expect a\.ndim >= 2, '
                                          r'actual 1 < 2$'):
        F.matmul(numpy.zeros(3), numpy.zeros((3, 2)))
    with pytest.raises(InvalidType, match=r'expect a.shape\[-1\] == b.shape\[-2\], actual 3 != 2'):
        F.matmul(numpy.zeros((2, 3)), numpy.zeros((3, 2)), transb=True)


# ---------------------------------------------------------------------------
# Second derivatives: numerically, over the grids above, and by hand


@pytest.mark.parametrize('name, low', [(name, low) for name, _, low in BINARY])
@pytest.mark.parametrize('shape_a, shape_b', BROADCAST_SHAPES)
def test_binary_functions_double_backward(name, low, shape_a, shape_b):
    a = _rand(*shape_a, low=low, high=2)
    b = _rand(*shape_b, seed=1, low=low, high=2)
    gy = _rand(*numpy.broadcast_shapes(shape_a, shape_b), seed=2)
    gradient_check.check_double_backward(getattr(F, name), (a, b), gy,
                                         (_rand(*shape_a, seed=3), _rand(*shape_b, seed=4)),
                                         dtype=numpy.float64)


def test_neg_and_absolute_double_backward():
    a = numpy.array([-1.5, 0.5, 2.0, -0.3])         # |x| away from its kink at 0
    for f in (F.neg, F.absolute):
        gradient_check.check_double_backward(f, a, _rand(4, seed=1), _rand(4, seed=2),
                                             dtype=numpy.float64)


# (exponent, low, high): a fractional exponent needs x > 0, -1 and -2 keep away from 0.
POW_CONSTANTS = [(2, -2, 2), (3, -2, 2), (0.5, 0.5, 2), (-1, 0.5, 2), (-1, -2, -0.5),
                 (2.5, 0.5, 2), (1, -2, 2), (0, 0.5, 2)]


@pytest.mark.parametrize('c, low, high', POW_CONSTANTS)
def test_pow_by_a_constant_first_and_second_derivatives(c, low, high):
    x = _rand(2, 3, low=low, high=high)
    numpy.testing.assert_allclose(F.pow(x, c).data, numpy.vectorize(lambda v: v ** c)(x), rtol=1e-12)
    gradient_check.check_backward(lambda v: F.pow(v, c), x, _rand(2, 3, seed=1), dtype=numpy.float64)
    gradient_check.check_double_backward(lambda v: F.pow(v, c), x, _rand(2, 3, seed=1),
                                         _rand(2, 3, seed=2), dtype=numpy.float64)
    gradient_check.check_double_backward(lambda v: v ** c, x, _rand(2, 3, seed=1),
                                         _rand(2, 3, seed=2), dtype=numpy.float64)


def _second_derivative(f, x):
    """``d/dx sum(d sum(f(x)) / dx)``: the Hessian's row sums (its diagonal for elementwise f)."""
    gx, = minigrad.grad([F.sum(f(x))], [x], enable_double_backprop=True)
    return minigrad.grad([F.sum(gx)], [x])[0]


@pytest.mark.parametrize('c, low, high', POW_CONSTANTS)
def test_pow_by_a_constant_second_derivative_by_hand(c, low, high):
    x = Variable(_rand(2, 3, low=low, high=high))
    ggx = _second_derivative(lambda v: v ** c, x)         # d²/dx² x^c = c (c - 1) x^(c-2)
    expected = c * (c - 1) * x.array ** (c - 2)
    if ggx is None:                                       # c = 0 or 1: the gradient is a constant
        assert not expected.any()
    else:
        numpy.testing.assert_allclose(ggx.array, expected, rtol=1e-12, atol=1e-15)


def test_mul_mixed_second_derivative_is_the_identity_pattern():
    # ga = d sum(a * b) / da is b broadcast to a's shape, so d ga[i, j] / d b[k] = (j == k).
    a, b = Variable(_rand(2, 3)), Variable(_rand(3, seed=1))
    ga, = minigrad.grad([F.sum(a * b)], [a], enable_double_backprop=True)
    numpy.testing.assert_array_equal(ga.array, numpy.broadcast_to(b.array, (2, 3)))
    hessian = numpy.zeros((2, 3, 3))
    for i, j in numpy.ndindex(2, 3):
        seed = numpy.zeros((2, 3))
        seed[i, j] = 1.0
        gb, = minigrad.grad([ga], [b], grad_outputs=[seed])
        hessian[i, j] = gb.array
    numpy.testing.assert_array_equal(hessian, numpy.broadcast_to(numpy.eye(3), (2, 3, 3)))
    assert minigrad.grad([F.sum(ga)], [a])[0] is None    # d²/da² sum(a * b) = 0


def test_div_and_pow_second_derivatives_by_hand():
    a, b = Variable(_rand(2, 3, low=0.5, high=2)), Variable(_rand(2, 3, seed=1, low=0.5, high=2))
    A, B = a.array, b.array
    ga, gb = minigrad.grad([F.sum(a / b)], [a, b], enable_double_backprop=True)
    numpy.testing.assert_allclose(minigrad.grad([F.sum(ga)], [b])[0].array, -1 / B ** 2, rtol=1e-12)
    numpy.testing.assert_allclose(minigrad.grad([F.sum(gb)], [b])[0].array, 2 * A / B ** 3, rtol=1e-12)
    numpy.testing.assert_allclose(minigrad.grad([F.sum(gb)], [a])[0].array, -1 / B ** 2, rtol=1e-12)
    ga, gb = minigrad.grad([F.sum(a ** b)], [a, b], enable_double_backprop=True)
    numpy.testing.assert_allclose(minigrad.grad([F.sum(ga)], [a])[0].array,
                                  B * (B - 1) * A ** (B - 2), rtol=1e-12)
    numpy.testing.assert_allclose(minigrad.grad([F.sum(gb)], [b])[0].array,
                                  A ** B * numpy.log(A) ** 2, rtol=1e-12)
    numpy.testing.assert_allclose(minigrad.grad([F.sum(ga)], [b])[0].array,
                                  A ** (B - 1) * (1 + B * numpy.log(A)), rtol=1e-12)


def test_absolute_second_derivative_is_zero():
    x = Variable(numpy.array([-1.5, 0.5, 2.0]))
    assert _second_derivative(F.absolute, x) is None


@pytest.mark.parametrize('transa', [False, True])
@pytest.mark.parametrize('transb', [False, True])
@pytest.mark.parametrize('batch_a, batch_b', MATMUL_BATCHES)
def test_matmul_double_backward(transa, transb, batch_a, batch_b):
    a, b = _matmul_operands(transa, transb, batch_a, batch_b)
    shape_y = numpy.broadcast_shapes(batch_a, batch_b) + (2, 4)     # (..., M, N)

    def f(u, v):
        return F.matmul(u, v, transa=transa, transb=transb)
    gradient_check.check_double_backward(f, (a, b), _rand(*shape_y, seed=2),
                                         (_rand(*a.shape, seed=3), _rand(*b.shape, seed=4)),
                                         dtype=numpy.float64)


def test_functions_keep_float32_in_second_derivatives():
    a = Variable(_rand(2, 3, low=0.5, high=2, dtype=numpy.float32))
    b = Variable(_rand(2, 3, seed=1, low=0.5, high=2, dtype=numpy.float32))
    for f in (F.add, F.sub, F.mul, F.div, F.pow, lambda u, v: F.matmul(u, v, transb=True),
              lambda u, v: u ** 3 + F.absolute(v) - F.neg(v) * u ** 0.5):
        y = f(a, b)
        ga, gb = minigrad.grad([F.sum(y * y)], [a, b], enable_double_backprop=True)
        assert y.dtype == ga.dtype == gb.dtype == numpy.float32
        for gg in minigrad.grad([F.sum(ga * gb)], [a, b]):
            assert gg is None or gg.dtype == numpy.float32


# ---------------------------------------------------------------------------
# A constant operand (scalar or ndarray, of any dtype) takes the Variable's dtype, as in Chainer:
# in the operators and in the functions alike, float32 stays float32 (outputs and gradients).

C64 = numpy.array([[0.75, 1.25], [1.5, 0.6]])          # float64 on purpose

CONSTANT_OPERAND_FORMS = [
    ('x + c', lambda x: x + C64, lambda x: x + C64),
    ('c + x', lambda x: C64 + x, lambda x: C64 + x),
    ('c - x', lambda x: C64 - x, lambda x: C64 - x),
    ('x - 1.0', lambda x: x - 1.0, lambda x: x - 1.0),
    ('c / x', lambda x: C64 / x, lambda x: C64 / x),
    ('x / numpy.float64(3)', lambda x: x / numpy.float64(3), lambda x: x / 3.0),
    ('x * 2', lambda x: x * 2, lambda x: x * 2.0),
    ('2.0 * x', lambda x: 2.0 * x, lambda x: 2.0 * x),
    ('numpy.float64(2) * x', lambda x: numpy.float64(2) * x, lambda x: 2.0 * x),
    ('x * numpy.int64(2)', lambda x: x * numpy.int64(2), lambda x: 2.0 * x),
    ('x ** 2', lambda x: x ** 2, lambda x: x * x),
    ('x ** numpy.float64(2)', lambda x: x ** numpy.float64(2), lambda x: x * x),
    ('x ** c', lambda x: x ** C64, lambda x: x ** C64),
    ('c ** x', lambda x: C64 ** x, lambda x: C64 ** x),
    ('2.0 ** x', lambda x: 2.0 ** x, lambda x: 2.0 ** x),
    ('x @ c', lambda x: x @ C64, lambda x: x @ C64),
    ('c @ x', lambda x: C64 @ x, lambda x: C64 @ x),
    ('F.add(x, 1.0)', lambda x: F.add(x, 1.0), lambda x: x + 1.0),
    ('F.add(1.0, x)', lambda x: F.add(1.0, x), lambda x: 1.0 + x),
    ('F.add(c, x)', lambda x: F.add(C64, x), lambda x: C64 + x),
    ('F.sub(c, x)', lambda x: F.sub(C64, x), lambda x: C64 - x),
    ('F.mul(x, c)', lambda x: F.mul(x, C64), lambda x: x * C64),
    ('F.mul(numpy.float64(2), x)', lambda x: F.mul(numpy.float64(2), x), lambda x: 2.0 * x),
    ('F.div(1.0, x)', lambda x: F.div(1.0, x), lambda x: 1.0 / x),
    ('F.pow(x, 2.0)', lambda x: F.pow(x, 2.0), lambda x: x * x),
    ('F.pow(x, numpy.float32(2))', lambda x: F.pow(x, numpy.float32(2)), lambda x: x * x),
    ('F.pow(x, c)', lambda x: F.pow(x, C64), lambda x: x ** C64),
    ('F.pow(c, x)', lambda x: F.pow(C64, x), lambda x: C64 ** x),
    ('F.matmul(x, c)', lambda x: F.matmul(x, C64), lambda x: x @ C64),
    ('F.matmul(c, x, transb=True)', lambda x: F.matmul(C64, x, transb=True), lambda x: C64 @ x.T),
]


@pytest.mark.parametrize('form, f, reference', CONSTANT_OPERAND_FORMS,
                         ids=[c[0] for c in CONSTANT_OPERAND_FORMS])
def test_a_constant_operand_takes_the_variables_dtype(form, f, reference):
    x_data = numpy.array([[0.5, 1.5], [2.0, 0.7]], dtype=numpy.float32)
    x = Variable(x_data.copy())
    y = f(x)
    assert isinstance(y, Variable)
    assert y.dtype == numpy.float32, form
    numpy.testing.assert_allclose(y.data, reference(x_data.astype(numpy.float64)), rtol=1e-6)
    gx, = minigrad.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    assert gx.dtype == numpy.float32, form
    ggx, = minigrad.grad([F.sum(gx)], [x])
    assert ggx.dtype == numpy.float32, form
    F.sum(y).backward()
    assert x.grad.dtype == numpy.float32, form
