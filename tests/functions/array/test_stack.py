"""F.stack (minigrad/functions/array/stack.py)."""
import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.array.stack import stack
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order


def _rand(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


@pytest.mark.parametrize('n', [1, 3])
@pytest.mark.parametrize('axis', [0, 1, 2, -1, -2, -3])
def test_forward_backward_and_double_backward(n, axis):
    xs = tuple(_rand((2, 3), i) for i in range(n))
    y = stack(xs, axis)
    out_axis = axis % 3
    expected_shape = [2, 3]
    expected_shape.insert(out_axis, n)
    assert y.shape == tuple(expected_shape)
    # Element by element: y at index i along the new axis is xs[i].
    for i in range(n):
        for idx in numpy.ndindex(2, 3):
            out = list(idx)
            out.insert(out_axis, i)
            assert y.data[tuple(out)] == xs[i][idx]
    gy = _rand(y.shape, 10)
    f = lambda *v: stack(v, axis)       # NOQA
    gradient_check.check_backward(f, xs, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, xs, gy, tuple(_rand((2, 3), 20 + i) for i in range(n)),
                                         dtype=numpy.float64)


def test_gradient_is_the_slice_by_hand():
    a, b = Variable(numpy.zeros(2)), Variable(numpy.zeros(2))
    y = stack([a, b], axis=1)
    ga, gb = grad([y], [a, b], grad_outputs=[numpy.array([[1.0, 2.0], [3.0, 4.0]])])
    numpy.testing.assert_array_equal(ga.data, [1.0, 3.0])
    numpy.testing.assert_array_equal(gb.data, [2.0, 4.0])


def test_integer_arrays_stack_without_gradient():
    y = stack([numpy.arange(3), numpy.arange(3)])
    assert y.dtype.kind == 'i' and y.shape == (2, 3)


def test_float32_stays_float32():
    assert_float32_to_second_order(lambda a, b: stack([a, b], 1), _rand((2, 3), 0), _rand((2, 3), 1))


def test_an_input_used_twice_gets_both_gradients():
    x = Variable(numpy.ones(2))
    y = stack([x, x * 2.0])
    gx, = grad([sum_(y)], [x])
    numpy.testing.assert_array_equal(gx.data, [3.0, 3.0])


def test_bad_inputs_are_rejected():
    a = numpy.zeros((2, 3))
    with pytest.raises(InvalidType, match=r'Stack axis=.*: expect xs\[1\]\.shape == xs\[0\]\.shape, actual '
                                          r'\(3, 2\) != \(2, 3\)'):
        stack([a, numpy.zeros((3, 2))])
    with pytest.raises(InvalidType, match=r'Stack axis=.*: expect xs\[1\]\.dtype == xs\[0\]\.dtype, actual '
                                          r'float32 != float64'):
        stack([a, numpy.zeros((2, 3), dtype=numpy.float32)])
    with pytest.raises(InvalidType, match=r'Stack axis=3: expect axis <= xs\[0\]\.ndim, actual 3 > 2'):
        stack([a, a], axis=3)
    with pytest.raises(InvalidType, match=r'Stack: expect at least one input, actual 0 inputs'):
        stack([])
