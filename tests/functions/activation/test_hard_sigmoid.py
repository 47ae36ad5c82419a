"""F.hard_sigmoid (minigrad/functions/activation/hard_sigmoid.py)."""
import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.activation.hard_sigmoid import hard_sigmoid
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order


def _away_from_kinks(shape, seed):
    """Values in [-4, 4], at least 0.1 from the kinks at -2.5 and 2.5."""
    x = numpy.random.RandomState(seed).uniform(-4, 4, shape)
    x[numpy.abs(numpy.abs(x) - 2.5) < 0.1] = 1.0
    return x


@pytest.mark.parametrize('shape', [(), (7,), (2, 3), (2, 3, 2)])
def test_forward_backward_and_double_backward(shape):
    x = _away_from_kinks(shape, 0)
    expected = numpy.array([min(1.0, max(0.0, 0.2 * v + 0.5)) for v in x.ravel()]).reshape(shape)
    numpy.testing.assert_allclose(hard_sigmoid(x).data, expected, rtol=1e-15, atol=1e-15)
    rng = numpy.random.RandomState(1)
    gy, ggx = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    gradient_check.check_backward(hard_sigmoid, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(hard_sigmoid, x, gy, ggx, dtype=numpy.float64)


def test_values_and_slopes_by_hand():
    x = Variable(numpy.array([-3.0, -1.0, 0.0, 1.0, 3.0]))
    y = hard_sigmoid(x)
    numpy.testing.assert_allclose(y.data, [0.0, 0.3, 0.5, 0.7, 1.0])
    gx, = grad([y], [x], grad_outputs=[numpy.ones(5)], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.data, [0.0, 0.2, 0.2, 0.2, 0.0])
    ggx, = grad([gx], [x], grad_outputs=[numpy.ones(5)])
    assert ggx is None or not ggx.data.any()      # piecewise linear: no curvature


def test_float32_stays_float32():
    x = Variable(numpy.array([-3.0, 0.5, 3.0], dtype=numpy.float32))
    y = hard_sigmoid(x)
    y.grad = numpy.ones(3, dtype=numpy.float32)
    y.backward()
    assert y.dtype == numpy.float32 and x.grad.dtype == numpy.float32
    numpy.testing.assert_allclose(x.grad, [0.0, 0.2, 0.0], rtol=1e-6)
    assert_float32_to_second_order(hard_sigmoid, _away_from_kinks((2, 3), 0))


def test_bad_inputs_are_rejected():
    with pytest.raises(InvalidType, match=r"HardSigmoid.*: expect x\.dtype\.kind == f, "
                                          r'actual i != f'):
        hard_sigmoid(numpy.array([1, 2]))
