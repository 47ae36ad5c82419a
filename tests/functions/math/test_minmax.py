"""F.maximum and F.minimum (minigrad/functions/math/minmax.py)."""
import numpy
import pytest

import minigrad.functions as F
from minigrad import Variable, gradient_check


def _rand(*shape, seed=0):
    # Values on a grid of 0.1 apart from a random shift: no two are within eps of each other.
    r = numpy.random.RandomState(seed)
    return (r.permutation(40)[:int(numpy.prod(shape))].reshape(shape) * 0.1 - 2.0
            + (0.013 if seed else 0.05))


@pytest.mark.parametrize('shape_a, shape_b', [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (4,))])
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
