"""Initializers: statistics on large arrays, fans, orthogonality, dtypes, errors."""
import numpy
import pytest

from minigrad import initializers as I
from minigrad.core import Parameter
from minigrad.type_check import InvalidType


@pytest.fixture(autouse=True)
def seeded():
    numpy.random.seed(0)


def check_normal(array, std):
    n = array.size
    assert abs(float(array.mean(dtype=numpy.float64))) < 5 * std / numpy.sqrt(n)
    assert float(array.std(dtype=numpy.float64)) == pytest.approx(std, rel=0.01)


def check_uniform(array, bound):
    n = array.size
    assert float(numpy.abs(array).max()) <= bound
    assert float(numpy.abs(array).max()) > 0.99 * bound
    assert abs(float(array.mean(dtype=numpy.float64))) < 5 * bound / numpy.sqrt(3 * n)
    assert float(array.std(dtype=numpy.float64)) == pytest.approx(bound / numpy.sqrt(3), rel=0.01)


def test_get_fans():
    assert I.get_fans((10, 20)) == (20, 10)
    assert I.get_fans((96, 3, 11, 11)) == (3 * 121, 96 * 121)
    assert I.get_fans((4, 5, 2, 3, 7)) == (5 * 42, 4 * 42)
    with pytest.raises(InvalidType, match=r'get_fans: expect len\(shape\) >= 2, actual shape == \(5,\)'):
        I.get_fans((5,))
    with pytest.raises(TypeError, match='tuple'):
        I.get_fans([3, 4])


def test_normal_and_uniform():
    a = numpy.empty((1000, 1000), dtype=numpy.float32)
    I.Normal(0.5)(a)
    assert a.dtype == numpy.float32
    check_normal(a, 0.5)
    I.Uniform(0.3)(a)
    check_uniform(a, 0.3)
    b = numpy.empty((500, 400))
    I.Normal()(b)           # default scale 0.05
    assert b.dtype == numpy.float64
    check_normal(b, 0.05)


# (class, scale argument, std or uniform bound given fan_in, fan_out, scale)
FAN_RULES = [
    (I.LeCunNormal, 'normal', lambda fi, fo, s: s * numpy.sqrt(1.0 / fi)),
    (I.GlorotNormal, 'normal', lambda fi, fo, s: s * numpy.sqrt(2.0 / (fi + fo))),
    (I.HeNormal, 'normal', lambda fi, fo, s: s * numpy.sqrt(2.0 / fi)),
    (I.LeCunUniform, 'uniform', lambda fi, fo, s: s * numpy.sqrt(3.0 / fi)),
    (I.GlorotUniform, 'uniform', lambda fi, fo, s: s * numpy.sqrt(6.0 / (fi + fo))),
    (I.HeUniform, 'uniform', lambda fi, fo, s: s * numpy.sqrt(6.0 / fi)),
]


@pytest.mark.parametrize('cls, kind, rule', FAN_RULES)
@pytest.mark.parametrize('shape', [(300, 1200), (200, 100, 3, 3)])
@pytest.mark.parametrize('scale', [1.0, 2.5])
def test_fan_scaled_initializers(cls, kind, rule, shape, scale):
    a = numpy.empty(shape, dtype=numpy.float32)
    cls(scale)(a)
    assert a.dtype == numpy.float32
    receptive = int(numpy.prod(shape[2:]))
    fan_in, fan_out = shape[1] * receptive, shape[0] * receptive
    value = rule(fan_in, fan_out, scale)
    if kind == 'normal':
        check_normal(a, value)
    else:
        check_uniform(a, value)


def test_he_fan_out_option():
    a = numpy.empty((300, 1200), dtype=numpy.float32)
    I.HeNormal(fan_option='fan_out')(a)
    check_normal(a, numpy.sqrt(2.0 / 300))
    with pytest.raises(ValueError, match="fan_option 'fan_in' or 'fan_out'"):
        I.HeNormal(fan_option='both')(a)


def test_block_filling_of_arrays_larger_than_a_block():
    a = numpy.empty(I._BLOCK * 2 + 7, dtype=numpy.float32).reshape(-1, 1)
    I.Normal(2.0)(a)
    check_normal(a, 2.0)
    assert numpy.isfinite(a).all() and a[-7:].std() > 0
    # a non-contiguous view is filled too
    b = numpy.zeros((400, 600), dtype=numpy.float32)[:, ::2]
    I.Uniform(1.0)(b)
    check_uniform(b, 1.0)


def test_rng_makes_draws_reproducible():
    a, b = numpy.empty((20, 30)), numpy.empty((20, 30))
    I.HeNormal(rng=numpy.random.RandomState(3))(a)
    I.HeNormal(rng=numpy.random.RandomState(3))(b)
    assert numpy.array_equal(a, b)
    I.GlorotUniform(rng=numpy.random.default_rng(5))(a)
    I.GlorotUniform(rng=numpy.random.default_rng(5))(b)
    assert numpy.array_equal(a, b)
    numpy.random.seed(7)
    I.LeCunNormal()(a)
    numpy.random.seed(7)
    I.LeCunNormal()(b)
    assert numpy.array_equal(a, b)


@pytest.mark.parametrize('shape', [(3, 7), (7, 3), (5, 5), (4, 2, 3, 3), (20, 2, 2, 2)])
@pytest.mark.parametrize('scale', [1.1, 0.5])
def test_orthogonal(shape, scale):
    a = numpy.empty(shape, dtype=numpy.float32)
    I.Orthogonal(scale)(a)
    assert a.dtype == numpy.float32
    m = a.reshape(shape[0], -1).astype(numpy.float64)
    rows, cols = m.shape
    gram = m @ m.T if rows <= cols else m.T @ m
    assert numpy.allclose(gram, scale ** 2 * numpy.eye(min(rows, cols)), atol=1e-5)


def test_orthogonal_default_scale_and_modes():
    a = numpy.empty((4, 6))
    I.Orthogonal()(a)
    assert numpy.allclose(a @ a.T, 1.1 ** 2 * numpy.eye(4))
    with pytest.raises(InvalidType, match=r"Orthogonal: expect rows >= columns for mode 'embedding', "
                                          r'actual 4 rows, 6 columns'):
        I.Orthogonal(mode='embedding')(a)
    with pytest.raises(InvalidType, match="rows == columns for mode 'basis'"):
        I.Orthogonal(mode='basis')(a)
    with pytest.raises(ValueError, match='mode'):
        I.Orthogonal(mode='sideways')


def test_constants():
    a = numpy.empty((2, 3), dtype=numpy.float32)
    I.Constant(2.5)(a)
    assert a.dtype == numpy.float32 and (a == 2.5).all()
    I.Zero()(a)
    assert not a.any()
    I.One()(a)
    assert (a == 1).all()
    I.NaN()(a)
    assert numpy.isnan(a).all()
    I.Constant(numpy.array([1.0, 2.0, 3.0]))(a)
    assert a.tolist() == [[1, 2, 3], [1, 2, 3]]
    with pytest.raises(InvalidType, match=r'Constant: expect fill_value.shape broadcastable to the '
                                          r'parameter shape \(2, 3\), actual fill_value.shape == \(4,\)'):
        I.Constant(numpy.zeros(4))(a)
    with pytest.raises(InvalidType, match=r'actual fill_value.shape == \(5, 2, 3\)'):
        I.Constant(numpy.zeros((5, 2, 3)))(a)
    e = numpy.empty((3, 3))
    I.Identity(2.0)(e)
    assert e.tolist() == [[2, 0, 0], [0, 2, 0], [0, 0, 2]]


def test_dtype_is_checked_and_used_by_parameters():
    with pytest.raises(InvalidType, match='Normal: expect array.dtype == float64, actual array.dtype == float32'):
        I.Normal(dtype=numpy.float64)(numpy.empty(3, dtype=numpy.float32))
    p = Parameter(I.HeNormal(dtype=numpy.float64), (4, 5))
    assert p.dtype == numpy.float64
    q = Parameter(I.HeNormal(), (4, 5))
    assert q.dtype == numpy.float32
    assert I.generate_array(I.One(), (2,), numpy.float64).dtype == numpy.float64
    assert I.generate_array(I.One(numpy.float16), (2,), numpy.float64).dtype == numpy.float16


def test_get_initializer():
    assert isinstance(I._get_initializer(None), I.LeCunNormal)
    c = I._get_initializer(3)
    assert isinstance(c, I.Constant) and c.fill_value == 3
    arr = numpy.ones((2, 2))
    c = I._get_initializer(arr)
    assert isinstance(c, I.Constant) and c.fill_value is arr
    he = I.HeNormal()
    assert I._get_initializer(he) is he

    def fill(a):
        a[...] = 7

    assert I._get_initializer(fill) is fill
    with pytest.raises(TypeError, match='invalid type of initializer: list'):
        I._get_initializer([1, 2])
    with pytest.raises(TypeError, match='invalid type of initializer: str'):
        I._get_initializer('he')


def test_repr():
    assert repr(I.HeNormal(2.0)) == "HeNormal(dtype=None, scale=2.0, fan_option='fan_in')"
