"""F.selu (minigrad/functions/activation/selu.py)."""
import math

import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.activation.selu import selu
from minigrad.functions.math.sum import sum as sum_
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

# The published constants (Klambauer et al., 2017).
ALPHA = 1.6732632423543772
SCALE = 1.0507009873554805


def _away_from_zero(shape, seed):
    x = numpy.random.RandomState(seed).uniform(-3, 3, shape)
    x[numpy.abs(x) < 0.1] = -0.5
    return x


def _reference(x, alpha, scale):
    return numpy.array([scale * (v if v > 0 else alpha * (math.exp(v) - 1))
                        for v in x.ravel()]).reshape(x.shape)


@pytest.mark.parametrize('shape', [(), (4,), (2, 3)])
@pytest.mark.parametrize('params', [{}, {'alpha': 0.5}, {'alpha': 1.0, 'scale': 2.0}])
def test_forward_backward_and_double_backward(shape, params):
    alpha, scale = params.get('alpha', ALPHA), params.get('scale', SCALE)
    x = _away_from_zero(shape, 0)
    numpy.testing.assert_allclose(selu(x, **params).data, _reference(x, alpha, scale),
                                  rtol=1e-12, atol=1e-15)
    rng = numpy.random.RandomState(1)
    gy, ggx = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
    f = lambda v: selu(v, **params)      # NOQA
    gradient_check.check_backward(f, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, gy, ggx, dtype=numpy.float64)


def test_derivatives_by_hand():
    # selu' = scale for x > 0 and scale * alpha * e^x for x <= 0; selu'' = scale * alpha * e^x there.
    x = Variable(numpy.array([1.0, 0.0, -2.0]))
    gx, = grad([sum_(selu(x))], [x], enable_double_backprop=True)
    numpy.testing.assert_allclose(gx.data, [SCALE, SCALE * ALPHA, SCALE * ALPHA * math.exp(-2)])
    ggx, = grad([sum_(gx)], [x])
    numpy.testing.assert_allclose(ggx.data, [0.0, SCALE * ALPHA, SCALE * ALPHA * math.exp(-2)])


def test_self_normalizing_fixed_point():
    # The constants make N(0, 1) inputs come out with mean ~0 and variance ~1.
    x = numpy.random.RandomState(0).standard_normal(200000)
    y = selu(x).data
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1) < 0.01


def test_float32_stays_float32():
    assert_float32_to_second_order(selu, _away_from_zero((2, 3), 0))


def test_bad_inputs_are_rejected():
    with pytest.raises(InvalidType, match=r"SELU.*: expect x\.dtype\.kind == f, actual i != f"):
        selu(numpy.array([1, -2]))
