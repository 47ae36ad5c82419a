"""Settings checked where they are made, with the argument named; padding of any dtype.

- batch normalization's ``eps`` and ``decay``, the sizes of ``Linear`` and
  ``Convolution2D``, and the geometry (``ksize``, ``stride``, ``pad``,
  ``dilate``, ``groups``, ``outsize``) of the pooling functions and the
  convolution link: a float, a bool, a tuple of the wrong length or a
  negative value raises a TypeError/ValueError naming the function and the
  argument with the value given, when the setting is made;
- ``concat_examples(batch, padding=...)`` pads arrays of any dtype, refuses a
  padding the dtype cannot hold, and leaves scalar fields (labels) as they are.
"""
import numpy
import pytest

import minigrad.functions as F
import minigrad.links as L
from minigrad.dataset import concat_examples
from minigrad.type_check import InvalidType
from minigrad.utils.conv import check_int, pair

POSITIVE_PAIR = 'expect {} to be an int > 0 or a pair of ints > 0, actual {} == {}'
NONNEGATIVE_PAIR = 'expect {} to be an int >= 0 or a pair of ints >= 0, actual {} == {}'


def _message(func, template, arg, given):
    return 'Invalid operation in {}: '.format(func) + template.format(arg, arg, given)


# ---------------------------------------------------------------------------
# The one checker

@pytest.mark.parametrize('value, expect', [
    (3, (3, 3)), ((2, 3), (2, 3)), ([1, 4], (1, 4)), (numpy.int64(2), (2, 2)),
    ((numpy.int32(2), numpy.uint8(3)), (2, 3)), (numpy.array([5, 6]), (5, 6)),
])
def test_pair_accepts_ints_and_pairs_of_ints(value, expect):
    result = pair(value, 'F', 'ksize', 1)
    assert result == expect and all(type(v) is int for v in result)


@pytest.mark.parametrize('value, given', [
    (2.0, '2.0 (float)'), (numpy.float32(2), '2.0 (float32)'), (True, 'True (bool)'),
    (None, 'None'), ('2', "'2'"), ((2, 2, 2), '(2, 2, 2) (a tuple of length 3)'),
    ((3,), '(3,) (a tuple of length 1)'), ([1, 2, 3], '[1, 2, 3] (a list of length 3)'),
    ((2.0, 1), '(2.0, 1) (ksize[0] is a float)'), (0, '0'), (-1, '-1'), ((2, -1), '(2, -1)'),
])
def test_pair_refuses_anything_else_naming_function_argument_and_value(value, given):
    with pytest.raises(InvalidType) as info:
        pair(value, 'MaxPooling2D', 'ksize', 1)
    assert str(info.value) == _message('MaxPooling2D', POSITIVE_PAIR, 'ksize', given)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


def test_pair_without_names_keeps_its_old_behaviour():
    assert pair(3) == (3, 3) and pair((1, 2)) == (1, 2) and pair([4, 5]) == (4, 5)
    with pytest.raises(ValueError, match=r'expect an int or a pair, actual \(1, 2, 3\)'):
        pair((1, 2, 3))


def test_check_int():
    assert check_int(numpy.int16(4), 'Linear', 'out_size', 1) == 4
    with pytest.raises(InvalidType, match=r'^Invalid operation in Linear: expect out_size to be '
                                          r'an int > 0, actual out_size == 4.0 \(float\)$'):
        check_int(4.0, 'Linear', 'out_size', 1)


# ---------------------------------------------------------------------------
# Pooling geometry, refused when the function is called, before it computes anything

@pytest.mark.parametrize('call, func, template, arg, given', [
    (lambda x: F.max_pooling_2d(x, 2.0), 'MaxPooling2D', POSITIVE_PAIR, 'ksize', '2.0 (float)'),
    (lambda x: F.max_pooling_2d(x, 2, stride=1.5), 'MaxPooling2D', POSITIVE_PAIR, 'stride',
     '1.5 (float)'),
    (lambda x: F.max_pooling_2d(x, 2, pad=True), 'MaxPooling2D', NONNEGATIVE_PAIR, 'pad',
     'True (bool)'),
    (lambda x: F.max_pooling_2d(x, (2, 2, 2)), 'MaxPooling2D', POSITIVE_PAIR, 'ksize',
     '(2, 2, 2) (a tuple of length 3)'),
    (lambda x: F.average_pooling_2d(x, 3, stride=(1, 0)), 'AveragePooling2D', POSITIVE_PAIR,
     'stride', '(1, 0)'),
    (lambda x: F.average_pooling_2d(x, 2, pad=-1), 'AveragePooling2D', NONNEGATIVE_PAIR, 'pad',
     '-1'),
    (lambda x: F.unpooling_2d(x, 2.0), 'Unpooling2D', POSITIVE_PAIR, 'ksize', '2.0 (float)'),
    (lambda x: F.unpooling_2d(x, 2, outsize=(8, 8.0)), 'Unpooling2D', POSITIVE_PAIR, 'outsize',
     '(8, 8.0) (outsize[1] is a float)'),
    (lambda x: F.unpooling_2d(x, 2, pad=(0,)), 'Unpooling2D', NONNEGATIVE_PAIR, 'pad',
     '(0,) (a tuple of length 1)'),
])
def test_pooling_geometry_is_checked_and_named(call, func, template, arg, given):
    x = numpy.zeros((1, 1, 4, 4), numpy.float32)
    with pytest.raises(InvalidType) as info:
        call(x)
    assert str(info.value) == _message(func, template, arg, given)


def test_integral_numpy_ints_still_pool():
    x = numpy.arange(16, dtype=numpy.float32).reshape(1, 1, 4, 4)
    y = F.max_pooling_2d(x, numpy.int64(2), stride=(numpy.int32(2), 2), pad=numpy.uint8(0))
    numpy.testing.assert_array_equal(y.array[0, 0], [[5, 7], [13, 15]])


# ---------------------------------------------------------------------------
# Links

@pytest.mark.parametrize('make, message', [
    (lambda: L.BatchNormalization(3, eps=0), 'BatchNormalization: expect eps to be a finite '
                                             'number > 0, actual 0'),
    (lambda: L.BatchNormalization(3, eps=-1e-5), 'BatchNormalization: expect eps to be a finite '
                                                 'number > 0, actual -1e-05'),
    (lambda: L.BatchNormalization(3, eps=float('inf')), 'BatchNormalization: expect eps to be a '
                                                        'finite number > 0, actual inf'),
    (lambda: L.BatchNormalization(3, decay=1.5), 'BatchNormalization: expect decay to be a '
                                                 'number in [0, 1], actual 1.5'),
    (lambda: L.BatchNormalization(3, decay=-0.1), 'BatchNormalization: expect decay to be a '
                                                  'number in [0, 1], actual -0.1'),
    (lambda: L.BatchNormalization(3, decay=float('nan')), 'BatchNormalization: expect decay to '
                                                          'be a number in [0, 1], actual nan'),
])
def test_batch_normalization_settings_are_checked_in_the_constructor(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value) == message


def test_batch_normalization_settings_of_the_wrong_type():
    with pytest.raises(TypeError, match=r"^BatchNormalization: expect eps to be a finite number "
                                        r"> 0, actual '1e-5' \(str\)$"):
        L.BatchNormalization(3, eps='1e-5')
    with pytest.raises(TypeError, match=r'^BatchNormalization: expect decay to be a number in '
                                        r'\[0, 1\], actual True \(bool\)$'):
        L.BatchNormalization(3, decay=True)
    with pytest.raises(InvalidType, match=r'^Invalid operation in BatchNormalization: expect '
                                          r'size to be an int > 0, actual size == 0$'):
        L.BatchNormalization(0)


def test_batch_normalization_edge_settings_are_fine():
    for decay in (0, 0.0, 1, 1.0):
        assert L.BatchNormalization(2, decay=decay).decay == decay
    assert L.BatchNormalization(2, eps=numpy.float32(1e-3)).eps == numpy.float32(1e-3)


@pytest.mark.parametrize('make, message', [
    (lambda: L.Linear(3, 0), 'Linear: expect out_size to be an int > 0, actual out_size == 0'),
    (lambda: L.Linear(3, 2.0), 'Linear: expect out_size to be an int > 0, actual out_size == '
                               '2.0 (float)'),
    (lambda: L.Linear(-3, 2), 'Linear: expect in_size to be an int > 0, actual in_size == -3'),
    (lambda: L.Linear(True, 2), 'Linear: expect in_size to be an int > 0, actual in_size == True '
                                '(bool)'),
    (lambda: L.Linear(5.0), 'Linear: expect out_size to be an int > 0, actual out_size == 5.0 '
                            '(float)'),
    (lambda: L.Convolution2D(3, 0, 3), 'Convolution2D: expect out_channels to be an int > 0, '
                                       'actual out_channels == 0'),
    (lambda: L.Convolution2D(3.0, 4, 3), 'Convolution2D: expect in_channels to be an int > 0, '
                                         'actual in_channels == 3.0 (float)'),
    (lambda: L.Convolution2D(3, 4, 3.0), 'Convolution2D: ' + POSITIVE_PAIR.format(
        'ksize', 'ksize', '3.0 (float)')),
    (lambda: L.Convolution2D(3, 4, (3, 3, 3)), 'Convolution2D: ' + POSITIVE_PAIR.format(
        'ksize', 'ksize', '(3, 3, 3) (a tuple of length 3)')),
    (lambda: L.Convolution2D(4, 3, stride=0), 'Convolution2D: ' + POSITIVE_PAIR.format(
        'stride', 'stride', '0')),
    (lambda: L.Convolution2D(3, 4, 3, pad=-1), 'Convolution2D: ' + NONNEGATIVE_PAIR.format(
        'pad', 'pad', '-1')),
    (lambda: L.Convolution2D(3, 4, 3, dilate=(1, 0)), 'Convolution2D: ' + POSITIVE_PAIR.format(
        'dilate', 'dilate', '(1, 0)')),
    (lambda: L.Convolution2D(4, 4, 3, groups=2.0), 'Convolution2D: expect groups to be an int > 0, '
                                                   'actual groups == 2.0 (float)'),
])
def test_link_sizes_and_geometry_are_checked_in_the_constructor(make, message):
    with pytest.raises(InvalidType) as info:
        make()
    assert str(info.value) == 'Invalid operation in ' + message


def test_lazy_and_numpy_sizes_still_work():
    fc = L.Linear(None, numpy.int64(3))
    assert fc(numpy.zeros((2, 5), numpy.float32)).shape == (2, 3)
    conv = L.Convolution2D(None, numpy.int32(4), (numpy.int64(3), 1), stride=numpy.int8(2))
    assert conv(numpy.zeros((1, 2, 7, 7), numpy.float32)).shape == (1, 4, 3, 4)
    assert conv.stride == (2, 2)


# ---------------------------------------------------------------------------
# concat_examples with padding

@pytest.mark.parametrize('dtype, padding', [
    (numpy.float32, -1), (numpy.float16, 0.5), (numpy.float64, float('nan')), (numpy.int8, -1),
    (numpy.uint8, 255), (numpy.int64, 7), (numpy.bool_, False), (numpy.complex64, 1j),
    ('<U4', ''), ('S2', b'-'), (object, 'pad'),
])
def test_padding_works_for_arrays_of_any_dtype(dtype, padding):
    a = numpy.array([1, 1], dtype=dtype)
    b = numpy.array([[1], [1]], dtype=dtype).reshape(2)[:1]        # a shorter example
    t0, t1 = numpy.int32(3), numpy.int32(4)
    x, t = concat_examples([(a, t0), (b, t1)], padding=(padding, None))
    assert x.dtype == numpy.dtype(dtype) and x.shape == (2, 2)
    expect_pad = numpy.array(padding, dtype=dtype)
    assert x[0].tolist() == a.tolist() and x[1, 0] == b[0]
    if numpy.dtype(dtype).kind == 'f' and numpy.isnan(padding):
        assert numpy.isnan(x[1, 1])
    else:
        assert x[1, 1] == expect_pad
    assert t.dtype == numpy.int32 and t.tolist() == [3, 4]


def test_scalar_labels_are_left_as_they_are_with_padding():
    batch = [(numpy.zeros((2, 3), numpy.float32), 1), (numpy.ones((1, 4), numpy.float32), 0)]
    x, t = concat_examples(batch, padding=-1)
    numpy.testing.assert_array_equal(x, [[[0, 0, 0, -1], [0, 0, 0, -1]],
                                         [[1, 1, 1, 1], [-1, -1, -1, -1]]])
    numpy.testing.assert_array_equal(t, [1, 0])
    assert t.dtype == numpy.asarray([1, 0]).dtype
    d = concat_examples([{'x': numpy.zeros(2), 'y': numpy.int64(5)},
                         {'x': numpy.zeros(3), 'y': numpy.int64(6)}], padding=9)
    numpy.testing.assert_array_equal(d['x'], [[0, 0, 9], [0, 0, 0]])
    assert d['y'].tolist() == [5, 6] and d['y'].dtype == numpy.int64
    assert concat_examples([1, 2, 3], padding=0).tolist() == [1, 2, 3]
    assert concat_examples([numpy.array(1.5), numpy.array(2.5)], padding=0).tolist() == [1.5, 2.5]


def test_examples_of_different_dtypes_are_padded_in_the_stacked_dtype():
    x = concat_examples([numpy.array([1, 2], numpy.int32), numpy.array([0.5], numpy.float32)],
                        padding=0.25)
    assert x.dtype == numpy.result_type(numpy.int32, numpy.float32)
    numpy.testing.assert_array_equal(x, [[1, 2], [0.5, 0.25]])


@pytest.mark.parametrize('dtype, padding, why', [
    (numpy.uint8, -1, 'Python integer -1 out of bounds for uint8'),
    (numpy.int32, 0.5, 'it would become 0'),
    (numpy.bool_, 2, 'it would become True'),
    (numpy.float16, 1e6, 'it would become inf'),
    (numpy.int16, 'x', 'not a number'),
    ('<U2', 'abc', "it would become 'ab'"),
])
def test_a_padding_the_dtype_cannot_hold_is_refused(dtype, padding, why):
    batch = [(numpy.zeros(2, dtype), 0), (numpy.zeros(1, dtype), 1)]
    with pytest.raises(ValueError) as info:
        concat_examples(batch, padding=padding)
    assert str(info.value) == ('concat_examples: expect padding to be a value of the dtype {} of '
                               'field 0, actual {!r} ({})'.format(numpy.dtype(dtype), padding, why))
