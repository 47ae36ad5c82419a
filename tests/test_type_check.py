"""The input-validation helper (minigrad/type_check.py)."""
import numpy
import pytest

import minigrad
from minigrad import type_check
from minigrad.type_check import InvalidType


def test_message_format():
    with pytest.raises(InvalidType) as info:
        type_check.expect_equal('Linear', 'x.shape[1]', 3, 'W.shape[1]', 5)
    assert str(info.value) == 'Invalid operation in Linear: expect x.shape[1] == W.shape[1], actual 3 != 5'
    assert info.value.func_name == 'Linear'
    assert info.value.expect == 'x.shape[1] == W.shape[1]'
    assert info.value.actual == '3 != 5'


def test_invalid_type_is_a_type_error_and_a_value_error():
    assert issubclass(InvalidType, TypeError) and issubclass(InvalidType, ValueError)
    for kind in (TypeError, ValueError):
        with pytest.raises(kind):
            type_check.expect(False, 'F', 'a', 'b')


def test_expect_passes_when_true():
    type_check.expect(True, 'F', 'never', 'shown')
    type_check.expect_equal('F', 'a', 2, 'b', 2)
    type_check.expect_ndim('F', 'x', numpy.zeros((2, 3)), 2)
    type_check.expect_float('F', 'x', numpy.zeros(1, dtype=numpy.float32))
    type_check.expect_int_dtype('F', 't', numpy.zeros(1, dtype=numpy.int32))
    type_check.expect_positive('F', 'stride', (1, 2))
    type_check.expect_nonnegative('F', 'pad', 0)


def test_expect():
    with pytest.raises(InvalidType, match=r'^Invalid operation in Conv: expect kh <= h, actual 5 > 3$'):
        type_check.expect(5 <= 3, 'Conv', 'kh <= h', '5 > 3')


def test_expect_ndim():
    with pytest.raises(InvalidType, match=r'^Invalid operation in Convolution2D: expect x.ndim == 4, '
                                          r'actual x.ndim == 2 \(shape \(3, 5\)\)$'):
        type_check.expect_ndim('Convolution2D', 'x', numpy.zeros((3, 5)), 4)
    with pytest.raises(InvalidType, match=r'expect x.ndim == 2 or 4, actual x.ndim == 3'):
        type_check.expect_ndim('BatchNormalization', 'x', numpy.zeros((1, 2, 3)), 2, 4)


def test_expect_float():
    with pytest.raises(InvalidType, match=r'^Invalid operation in ReLU: expect x.dtype.kind == "f", '
                                          r'actual x.dtype == int64$'):
        type_check.expect_float('ReLU', 'x', numpy.zeros(2, dtype=numpy.int64))


def test_expect_int_dtype():
    with pytest.raises(InvalidType, match=r'^Invalid operation in SoftmaxCrossEntropy: expect t.dtype.kind '
                                          r'in "iu" \(integer labels\), actual t.dtype == float32$'):
        type_check.expect_int_dtype('SoftmaxCrossEntropy', 't', numpy.zeros(2, dtype=numpy.float32))


def test_expect_positive_and_nonnegative():
    with pytest.raises(InvalidType, match=r'^Invalid operation in MaxPooling2D: expect stride > 0, '
                                          r'actual stride == \(2, 0\)$'):
        type_check.expect_positive('MaxPooling2D', 'stride', (2, 0))
    with pytest.raises(InvalidType, match=r'expect pad >= 0, actual pad == -1$'):
        type_check.expect_nonnegative('Convolution2D', 'pad', -1)


def test_is_float():
    assert type_check.is_float(numpy.zeros(1, dtype=numpy.float16))
    assert type_check.is_float(numpy.float64)
    assert not type_check.is_float(numpy.zeros(1, dtype=numpy.int8))
    assert not type_check.is_float('bool')
    assert type_check.is_float(numpy.float32(1.5))
    assert type_check.is_float(minigrad.Variable(numpy.zeros(1, dtype=numpy.float32)))
    assert not type_check.is_float(int)


def test_check_type_forward_runs_before_forward():
    calls = []

    class Checked(minigrad.Function):
        def check_type_forward(self, inputs):
            x, = inputs
            type_check.expect_ndim('Checked', 'x', x, 2)

        def forward(self, inputs):
            calls.append('forward')
            return inputs[0],

    with pytest.raises(InvalidType, match='Invalid operation in Checked: expect x.ndim == 2'):
        Checked()(numpy.zeros(3, dtype=numpy.float32))
    assert calls == []
