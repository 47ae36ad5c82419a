"""F.dropout (minigrad/functions/noise/dropout.py)."""
import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import Variable, gradient_check, using_config
from minigrad.type_check import InvalidType


@pytest.mark.parametrize('ratio', [0.1, 0.5, 0.8])
def test_mask_statistics(ratio):
    numpy.random.seed(0)
    n = 100000
    y = F.dropout(numpy.ones(n, dtype=numpy.float32), ratio)
    kept = y.data != 0
    # The fraction kept is Binomial(n, 1 - ratio) / n: its std is below 0.0016.
    assert abs(kept.mean() - (1 - ratio)) < 0.01
    # Kept elements are scaled by 1 / (1 - ratio), so the mean is preserved.
    numpy.testing.assert_array_equal(y.data[kept], numpy.float32(1 / (1 - ratio)))
    assert abs(y.data.mean() - 1.0) < 0.05


def test_forward_formula_on_the_global_rng():
    x = numpy.random.RandomState(1).uniform(-1, 1, (3, 4)).astype(numpy.float32)
    numpy.random.seed(7)
    u = numpy.random.random_sample((3, 4))
    expected = numpy.where(u >= 0.3, x / numpy.float32(0.7), numpy.float32(0))
    numpy.random.seed(7)
    y = F.dropout(x, 0.3)
    numpy.testing.assert_allclose(y.data, expected, rtol=1e-6)


def test_seed_reproduces_the_mask():
    x = numpy.ones((4, 5), dtype=numpy.float32)
    numpy.random.seed(3)
    a = F.dropout(x).data
    numpy.random.seed(3)
    b = F.dropout(x).data
    numpy.testing.assert_array_equal(a, b)
    assert not numpy.array_equal(a, F.dropout(x).data)    # a fresh mask per call


def test_gradient_is_mask_times_gy():
    rng = numpy.random.RandomState(0)
    x = Variable((rng.uniform(0.5, 1.0, (20, 30)) * rng.choice([-1, 1], (20, 30)))
                 .astype(numpy.float32))
    y = F.dropout(x, 0.4)
    gy = rng.uniform(-1, 1, (20, 30)).astype(numpy.float32)
    y.grad = gy
    y.backward()
    mask = (y.data != 0) * numpy.float32(1 / 0.6)
    assert 0 < (mask == 0).sum() < mask.size
    numpy.testing.assert_array_equal(x.grad, gy * mask)
    assert y.dtype == numpy.float32 and x.grad.dtype == numpy.float32


def _seeded_dropout(ratio):
    def f(x):
        numpy.random.seed(0)           # the same mask in every call of the check
        return F.dropout(x, ratio)
    return f


@pytest.mark.parametrize('shape', [(4,), (2, 3), (2, 2, 2, 2)])
@pytest.mark.parametrize('ratio', [0.0, 0.3, 0.5])
def test_backward(shape, ratio):
    x = numpy.random.RandomState(1).uniform(-1, 1, shape)
    gy = numpy.random.RandomState(2).uniform(-1, 1, shape)
    gradient_check.check_backward(_seeded_dropout(ratio), x, gy, dtype=numpy.float64)


@pytest.mark.parametrize('shape', [(4,), (2, 3), (2, 2, 2, 2)])
@pytest.mark.parametrize('ratio', [0.0, 0.3, 0.5])
def test_double_backward(shape, ratio):
    rng = numpy.random.RandomState(1)
    x, gy, ggx = (rng.uniform(-1, 1, shape) for _ in range(3))
    gradient_check.check_double_backward(_seeded_dropout(ratio), x, gy, ggx, dtype=numpy.float64)


def test_second_derivative_is_zero_and_float32():
    # gx = mask * gy: linear, so d gx / dx = 0 and the gradient of gx with respect to gy is the mask.
    x = Variable(numpy.ones((10, 10), dtype=numpy.float32))
    y = F.dropout(x, 0.5)
    gy = Variable(numpy.full((10, 10), 3.0, dtype=numpy.float32))
    gx, = minigrad.grad([y], [x], [gy], enable_double_backprop=True)
    mask = y.array               # x is ones: y is the mask itself
    numpy.testing.assert_array_equal(gx.array, 3 * mask)
    ggx, ggy = minigrad.grad([F.sum(gx)], [x, gy])
    assert ggx is None or not ggx.array.any()
    numpy.testing.assert_array_equal(ggy.array, mask)
    assert gx.dtype == ggy.dtype == numpy.float32


def test_float64_stays_float64():
    x = Variable(numpy.ones((3, 3)))
    y = F.dropout(x)
    F.sum(y).backward()
    assert y.dtype == numpy.float64 and x.grad.dtype == numpy.float64


def test_ratio_zero_keeps_everything():
    x = numpy.arange(6, dtype=numpy.float32)
    numpy.testing.assert_array_equal(F.dropout(x, 0.0).data, x)


def test_identity_when_not_training():
    x = Variable(numpy.ones((2, 3), dtype=numpy.float32))
    with using_config('train', False):
        assert F.dropout(x) is x
        y = F.dropout(x.data, 0.9)
    assert isinstance(y, Variable) and y.data is x.data


def test_train_keyword_overrides_config():
    x = Variable(numpy.ones(1000, dtype=numpy.float32))
    assert minigrad.config.train
    assert F.dropout(x, train=False) is x
    with using_config('train', False):
        y = F.dropout(x, train=True)
    assert y is not x and (y.data == 0).any() and (y.data == 2).any()


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'rate'"):
        F.dropout(numpy.ones(3, dtype=numpy.float32), rate=0.5)


@pytest.mark.parametrize('ratio', [1.0, -0.1, 1.5])
def test_bad_ratio_is_rejected(ratio):
    with pytest.raises(InvalidType, match=r'Invalid operation in Dropout: expect 0 <= ratio < 1, '
                                          r'actual ratio == {}'.format(ratio)):
        F.dropout(numpy.ones(3, dtype=numpy.float32), ratio)


def test_integer_input_is_rejected():
    with pytest.raises(InvalidType, match=r"Dropout.*: expect x\.dtype\.kind == f, actual i != f"):
        F.dropout(numpy.ones(3, dtype=numpy.int32))


def test_label_shows_ratio():
    assert F.dropout(Variable(numpy.ones(3)), 0.25).creator.label == 'Dropout ratio=0.25'
