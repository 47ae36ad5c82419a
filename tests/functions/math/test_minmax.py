"""F.maximum and F.minimum (minigrad/functions/math/minmax.py)."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check


def _rand(*shape, seed=0):
    # Values on a grid of 0.1 apart from a random shift: no two are within eps of each other.
    r = numpy.random.RandomState(seed)
    return (r.permutation(40)[:int(numpy.prod(shape))].reshape(shape) * 0.1 - 2.0
            + (0.013 if seed else 0.05))


BROADCAST_SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (4,))]


@pytest.mark.parametrize('shape_a, shape_b', BROADCAST_SHAPES)
def test_maximum_and_minimum(shape_a, shape_b):
    a, b = _rand(*shape_a), _rand(*shape_b, seed=1)
    for f, pick in ((F.maximum, max), (F.minimum, min)):
        y = f(a, Variable(b))
        ab, bb = numpy.broadcast_arrays(a, b)
        expected = numpy.array([pick(u, v) for u, v in zip(ab.ravel(), bb.ravel())]).reshape(ab.shape)
        numpy.testing.assert_array_equal(y.data, expected)
        gy = numpy.random.RandomState(2).uniform(-1, 1, y.shape)
        gradient_check.check_backward(f, (a, b), gy,
                                      dtype=numpy.float64, eps=1e-4)


def test_gradient_goes_to_the_chosen_input_and_to_a_on_ties():
    a = Variable(numpy.array([1.0, 5.0, 3.0], dtype=numpy.float32))
    b = Variable(numpy.array([2.0, 4.0, 3.0], dtype=numpy.float32))
    F.sum(F.maximum(a, b)).backward()
    numpy.testing.assert_array_equal(a.grad, [0.0, 1.0, 1.0])
    numpy.testing.assert_array_equal(b.grad, [1.0, 0.0, 0.0])
    a.cleargrad(), b.cleargrad()
    F.sum(F.minimum(a, b)).backward()
    numpy.testing.assert_array_equal(a.grad, [1.0, 0.0, 1.0])
    numpy.testing.assert_array_equal(b.grad, [0.0, 1.0, 0.0])
    assert a.grad.dtype == numpy.float32


@pytest.mark.parametrize('f', [F.maximum, F.minimum])
@pytest.mark.parametrize('shape_a, shape_b', BROADCAST_SHAPES)
def test_maximum_and_minimum_double_backward(f, shape_a, shape_b):
    a, b = _rand(*shape_a), _rand(*shape_b, seed=1)      # no ties within eps
    r = numpy.random.RandomState(2)
    gy = r.uniform(-1, 1, numpy.broadcast_shapes(shape_a, shape_b))
    ggxs = r.uniform(-1, 1, shape_a), r.uniform(-1, 1, shape_b)
    gradient_check.check_double_backward(f, (a, b), gy, ggxs, dtype=numpy.float64, eps=1e-4)


def test_second_derivative_is_zero_and_the_gradient_is_linear_in_gy():
    a = Variable(numpy.array([1.0, 5.0, 3.0]))
    b = Variable(numpy.array([2.0, 4.0, 3.0]))
    gy = Variable(numpy.array([1.0, 2.0, 4.0]))
    ga, gb = minigrad.grad([F.maximum(a, b)], [a, b], grad_outputs=[gy], enable_double_backprop=True)
    assert minigrad.grad([F.sum(ga * ga + gb * gb)], [a, b]) == [None, None]
    v = numpy.array([1.0, 10.0, 100.0])
    ggy, = minigrad.grad([F.sum(ga * v)], [gy])          # ga = gy where a was chosen (ties to a)
    numpy.testing.assert_array_equal(ggy.array, [0.0, 10.0, 100.0])


# maximum and minimum, like the arithmetic, give a constant operand the Variable's dtype.
CONSTANT_OPERAND_FORMS = [
    ('F.maximum(x, 0.0)', lambda x: F.maximum(x, 0.0), lambda x: numpy.where(x > 0, x, 0.0)),
    ('F.maximum(0.0, x)', lambda x: F.maximum(0.0, x), lambda x: numpy.where(x > 0, x, 0.0)),
    ('F.minimum(x, numpy.float64(0.5))', lambda x: F.minimum(x, numpy.float64(0.5)),
     lambda x: numpy.where(x < 0.5, x, 0.5)),
    ('F.maximum(x, float64 array)', lambda x: F.maximum(x, numpy.array([0.25, -0.25])),
     lambda x: numpy.where(x > [0.25, -0.25], x, [0.25, -0.25])),
    ('F.minimum(float64 array, x)', lambda x: F.minimum(numpy.array([0.25, -0.25]), x),
     lambda x: numpy.where(x < [0.25, -0.25], x, [0.25, -0.25])),
]


@pytest.mark.parametrize('form, f, reference', CONSTANT_OPERAND_FORMS,
                         ids=[c[0] for c in CONSTANT_OPERAND_FORMS])
def test_a_constant_operand_takes_the_variables_dtype(form, f, reference):
    x_data = numpy.array([[-1.5, 0.75], [0.3, -0.1]], dtype=numpy.float32)
    x = Variable(x_data.copy())
    y = f(x)
    assert y.dtype == numpy.float32, form
    numpy.testing.assert_allclose(y.data, reference(x_data.astype(numpy.float64)), rtol=1e-6)
    gx, = minigrad.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    ggx, = minigrad.grad([F.sum(gx)], [x])
    assert gx.dtype == ggx.dtype == numpy.float32, form
    F.sum(y).backward()
    assert x.grad.dtype == numpy.float32, form
