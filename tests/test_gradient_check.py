"""Numerical gradients and check_backward (minigrad/gradient_check.py)."""
import re

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Function, Variable
from minigrad.gradient_check import check_backward, numerical_grad


def _rand(*shape, seed=0, dtype=numpy.float64):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(dtype)


# ---------------------------------------------------------------------------
# numerical_grad


def test_numerical_grad_of_a_cube():
    x = numpy.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]])
    gy = numpy.array([[1.0, 2.0, -1.0], [0.5, 1.0, 3.0]])
    gx, = numerical_grad(lambda: (x ** 3,), (x,), (gy,), eps=1e-3)
    # d/dx sum(gy * x^3) = 3 x^2 gy; central differences are off by gy eps^2 exactly.
    numpy.testing.assert_allclose(gx, 3 * x ** 2 * gy + gy * 1e-6, rtol=1e-9, atol=1e-12)
    numpy.testing.assert_array_equal(x, [[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]])   # restored


def test_numerical_grad_of_two_inputs_and_two_outputs():
    a = numpy.array([1.0, 2.0])
    b = numpy.array([3.0, -1.0])
    g1 = numpy.array([1.0, 1.0])
    g2 = numpy.array([2.0, 0.5])
    # outputs a * b and a + b: d/da = g1 b + g2, d/db = g1 a + g2
    ga, gb = numerical_grad(lambda: (a * b, a + b), (a, b), (g1, g2))
    numpy.testing.assert_allclose(ga, [5.0, -0.5], rtol=1e-9)
    numpy.testing.assert_allclose(gb, [3.0, 2.5], rtol=1e-9)
    # An output with gradient None does not count.
    ga, = numerical_grad(lambda: (a * b, a + b), (a,), (None, g2))
    numpy.testing.assert_allclose(ga, g2, rtol=1e-9)


def test_numerical_grad_of_a_non_contiguous_input():
    base = numpy.arange(6, dtype=numpy.float64).reshape(2, 3)
    x = base.T                   # a view that reshape(-1) would copy
    gx, = numerical_grad(lambda: (x ** 2,), (x,), (numpy.ones((3, 2)),))
    numpy.testing.assert_allclose(gx, 2 * x, rtol=1e-9, atol=1e-9)


def test_numerical_grad_eps():
    x = numpy.array([1.0])
    gx, = numerical_grad(lambda: (x ** 3,), (x,), (numpy.ones(1),), eps=0.1)
    numpy.testing.assert_allclose(gx, [3.0 + 0.01], rtol=1e-12)


# ---------------------------------------------------------------------------
# check_backward: passing cases


class Cube(Function):
    def forward(self, inputs):
        x, = inputs
        return x ** 3,

    def backward(self, inputs, grad_outputs):
        x, = inputs
        return 3 * x ** 2 * grad_outputs[0],


class WrongCube(Cube):
    """Cube whose gradient is wrong at exactly one element, (1, 2)."""

    def backward(self, inputs, grad_outputs):
        gx, = super().backward(inputs, grad_outputs)
        gx = gx.copy()
        gx[1, 2] += 0.5
        return gx,


def test_check_backward_with_a_function_instance():
    check_backward(Cube(), _rand(3, 4), _rand(3, 4, seed=1), dtype=numpy.float64)


def test_check_backward_with_a_callable_on_variables():
    check_backward(lambda x, y: F.sum(x * y, axis=1) ** 2, (_rand(2, 3), _rand(2, 3, seed=1)),
                   _rand(2, seed=2), dtype=numpy.float64)


def test_check_backward_scalar_output_with_y_grad_none():
    check_backward(lambda x: F.sum(x * x), _rand(3, 2), None, dtype=numpy.float64)


def test_y_grad_none_needs_a_scalar_output():
    with pytest.raises(ValueError, match=r'y_grad=None needs scalar outputs, actual output shape \(3, 2\)'):
        check_backward(lambda x: x * x, _rand(3, 2), None)


def test_check_backward_several_outputs():
    def f(a, b):
        return a * b, a - b, F.exp(a)
    check_backward(f, (_rand(2, 2), _rand(2, 2, seed=1)),
                   (_rand(2, 2, seed=2), _rand(2, 2, seed=3), _rand(2, 2, seed=4)), dtype=numpy.float64)
    # None: that output does not count.
    check_backward(f, (_rand(2, 2), _rand(2, 2, seed=1)),
                   (None, _rand(2, 2, seed=3), None), dtype=numpy.float64)


def test_dtype_casts_inputs_for_the_check_only():
    seen = []

    def f(x):
        seen.append(x.dtype)
        return x * x

    x32 = _rand(2, 3, dtype=numpy.float32)
    check_backward(f, x32, _rand(2, 3, dtype=numpy.float32), dtype=numpy.float64)
    assert set(seen) == {numpy.dtype(numpy.float64)}
    assert x32.dtype == numpy.float32


def test_float32_without_dtype_needs_loose_tolerances():
    check_backward(Cube(), _rand(2, 3, dtype=numpy.float32), _rand(2, 3, seed=1, dtype=numpy.float32),
                   eps=1e-2, atol=1e-2, rtol=1e-2)


def test_params_are_checked_and_restored():
    w32 = _rand(3, dtype=numpy.float32, seed=5)
    W = Variable(w32.copy(), name='W')
    # y = x * W + W^2; dy/dW = x + 2 W
    check_backward(lambda x: x * W + W * W, _rand(2, 3), _rand(2, 3, seed=1), params=(W,),
                   dtype=numpy.float64)
    assert W.dtype == numpy.float32
    numpy.testing.assert_array_equal(W.data, w32)
    assert W.grad is None


def test_a_wrong_param_gradient_is_caught_and_named():
    W = Variable(_rand(3, seed=5), name='W')

    class ScaleByW(Function):
        def forward(self, inputs):
            x, w = inputs
            return x * w,

        def backward(self, inputs, grad_outputs):
            x, w = inputs
            gy, = grad_outputs
            return gy * w, (gy * x).sum(axis=0) * 2      # wrong: doubled

    with pytest.raises(AssertionError, match='gradient of input 1'):
        check_backward(ScaleByW(), (_rand(2, 3), W.data), _rand(2, 3, seed=1), dtype=numpy.float64)
    with pytest.raises(AssertionError, match='gradient of parameter W'):
        check_backward(lambda x: ScaleByW()(x, W), _rand(2, 3), _rand(2, 3, seed=1), params=(W,),
                       dtype=numpy.float64)


def test_an_object_with_params_checks_them():
    class Scale:
        def __init__(self):
            self.W = minigrad.Parameter(_rand(3, seed=7), name='W')

        def params(self):
            yield self.W

        def __call__(self, x):
            return x * self.W

    check_backward(Scale(), _rand(2, 3), _rand(2, 3, seed=1), dtype=numpy.float64)

    class BrokenScale(Scale):
        def __call__(self, x):
            # The data is used without the graph: W's gradient stays None.
            return x * self.W.data

    with pytest.raises(AssertionError, match='gradient of parameter W'):
        check_backward(BrokenScale(), _rand(2, 3), _rand(2, 3, seed=1), dtype=numpy.float64)


def test_no_grads():
    x = _rand(2, 3)
    t = numpy.array([0, 2])
    # An integer input never gets a gradient; by default it is not checked.
    check_backward(lambda a, i: a[numpy.arange(2), i.data], (x, t), _rand(2, seed=1),
                   dtype=numpy.float64)
    check_backward(lambda a, b: a * b.data, (x, _rand(2, 3, seed=2)), _rand(2, 3, seed=1),
                   no_grads=[False, True], dtype=numpy.float64)
    with pytest.raises(AssertionError, match='input 1 must get no gradient, but got one'):
        check_backward(lambda a, b: a * b, (x, _rand(2, 3, seed=2)), _rand(2, 3, seed=1),
                       no_grads=[False, True], dtype=numpy.float64)


def test_a_function_instance_holding_arrays_can_be_checked():
    from minigrad.core import GetItem
    index = numpy.array([0, 0, 2])
    check_backward(GetItem(index), _rand(3, 2), _rand(3, 2, seed=1), dtype=numpy.float64)


# ---------------------------------------------------------------------------
# check_backward: a wrong backward must be caught, with a useful message


def test_wrong_backward_is_caught_with_a_useful_message():
    x = numpy.array([[0.5, -1.0, 2.0], [0.25, 1.5, -0.5]])
    gy = numpy.array([[1.0, 2.0, -1.0], [0.5, 1.0, 3.0]])
    with pytest.raises(AssertionError) as info:
        check_backward(WrongCube(), x, gy, dtype=numpy.float64, atol=1e-4, rtol=1e-3)
    message = str(info.value)
    assert 'gradient of input 0' in message
    assert 'at 1 of 6 elements' in message
    assert 'worst at index (1, 2)' in message
    assert 'atol=0.0001, rtol=0.001' in message
    # At (1, 2): the true gradient is 3 * 0.25 * 3 = 2.25; backward adds 0.5.
    found = re.search(r'backward (\S+), numerical (\S+)\n', message)
    assert found, message
    backward, numerical = float(found.group(1)), float(found.group(2))
    assert backward == pytest.approx(2.75, abs=1e-12)
    assert numerical == pytest.approx(2.25, abs=1e-5)


def test_wrong_backward_in_float32_input_is_caught():
    with pytest.raises(AssertionError, match='worst at index'):
        check_backward(WrongCube(), _rand(2, 3, dtype=numpy.float32), _rand(2, 3, seed=1, dtype=numpy.float32),
                       dtype=numpy.float64)


def test_missing_gradient_is_caught():
    class NoGrad(Function):
        def forward(self, inputs):
            return inputs[0] * 2,

        def backward(self, inputs, grad_outputs):
            return None,

    with pytest.raises(AssertionError, match=r'worst at index \(\d+,\): backward 0.0, numerical'):
        check_backward(NoGrad(), _rand(3), _rand(3, seed=1), dtype=numpy.float64)
