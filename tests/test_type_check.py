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
            type_check.require(False, 'F', 'a', 'b')


def test_expect_passes_when_true():
    type_check.require(True, 'F', 'never', 'shown')
    type_check.expect_equal('F', 'a', 2, 'b', 2)
    type_check.expect_ndim('F', 'x', numpy.zeros((2, 3)), 2)
    type_check.expect_float('F', 'x', numpy.zeros(1, dtype=numpy.float32))
    type_check.expect_int_dtype('F', 't', numpy.zeros(1, dtype=numpy.int32))
    type_check.expect_positive('F', 'stride', (1, 2))
    type_check.expect_nonnegative('F', 'pad', 0)


def test_require():
    with pytest.raises(InvalidType, match=r'^Invalid operation in Conv: expect kh <= h, actual 5 > 3$'):
        type_check.require(5 <= 3, 'Conv', 'kh <= h', '5 > 3')


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


# ---------------------------------------------------------------------------
# Chainer's type-check language in a user's check_type_forward


class MulAdd(minigrad.FunctionNode):
    """x * y + z, checked the way Chainer's guide writes it."""

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 3)
        x_type, y_type, z_type = in_types
        type_check.argname(in_types, ('x', 'y', 'z'))
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.dtype == y_type.dtype,
            x_type.shape == y_type.shape,
            x_type.ndim >= 2,
            x_type.shape[1] == z_type.shape[-1] * 1,
            x_type.size == y_type.size,
        )

    def forward(self, inputs):
        x, y, z = inputs
        return x * y + z,


def _mul_add(*arrays):
    return MulAdd().apply(arrays)[0]


def test_dsl_passes_good_inputs():
    x = numpy.ones((2, 3), numpy.float32)
    numpy.testing.assert_array_equal(_mul_add(x, x, x[0]).array, numpy.full((2, 3), 2.0))


@pytest.mark.parametrize('arrays, message', [
    ((numpy.ones((2, 3)),) * 2, 'expect in_types.size == 3, actual 2 != 3'),
    ((numpy.ones((2, 3), int),) * 3, "expect x.dtype.kind == f, actual i != f"),
    ((numpy.ones((2, 3)), numpy.ones((2, 3), numpy.float32), numpy.ones(3)),
     'expect x.dtype == y.dtype, actual float64 != float32'),
    ((numpy.ones((2, 3)), numpy.ones((3, 2)), numpy.ones(3)),
     r'expect x.shape == y.shape, actual \(2, 3\) != \(3, 2\)'),
    ((numpy.ones(3), numpy.ones(3), numpy.ones(3)), 'expect x.ndim >= 2, actual 1 < 2'),
    ((numpy.ones((2, 3)), numpy.ones((2, 3)), numpy.ones(4)),
     r'expect x.shape\[1\] == z.shape\[-1\] \* 1, actual 3 != 4'),
])
def test_dsl_message_is_made_from_the_failed_condition(arrays, message):
    with pytest.raises(InvalidType, match='^Invalid operation in MulAdd: ' + message + '$'):
        _mul_add(*arrays)


def test_dsl_expressions_print_with_parentheses_where_needed():
    a = type_check.Variable(type_check.TypeInfo((2, 3), numpy.float32), 'a')
    assert str((a.shape[0] + 1) * 2 == a.shape[1] - a.ndim) == '(a.shape[0] + 1) * 2 == a.shape[1] - a.ndim'
    assert str(a.shape[1:] == (3,)) == 'a.shape[1:] == (3,)'
    assert type_check.eval(a.shape[0] * 5) == 10
    with pytest.raises(RuntimeError, match='not a bool'):
        bool(a.ndim == 2)


def test_old_style_function_gets_arrays_in_light_mode():
    class Double(minigrad.Function):
        def check_type_forward(self, in_types):
            x_type, = in_types
            type_check.expect(x_type.dtype == numpy.float32)

        def forward(self, inputs):
            return inputs[0] * 2,

        def backward(self, inputs, grad_outputs):
            return grad_outputs[0] * 2,

    assert Double()(numpy.ones(2, numpy.float32)).dtype == numpy.float32
    with pytest.raises(InvalidType, match=r"Invalid operation in Double: expect in_types\[0\].dtype "
                                          r"== <class 'numpy.float32'>, actual float64 != "
                                          r"<class 'numpy.float32'>"):
        Double()(numpy.ones(2))


def test_checking_by_hand_outside_a_function_as_chainers_guide_does():
    from minigrad import utils
    x = numpy.zeros((3, 4), numpy.float32)
    in_types = utils.type_check.get_types((x,), 'in_types', False)
    with pytest.raises(InvalidType) as info:
        utils.type_check.expect(in_types[0].ndim == 3)
    assert str(info.value) == 'Expect: in_types[0].ndim == 3\nActual: 2 != 3'
    x_type = in_types[0]
    total = utils.type_check.Variable(numpy.sum, 'sum')
    with pytest.raises(InvalidType, match=r'^Expect: sum\(in_types\[0\].shape\) == 10\nActual: 7 != 10$'):
        utils.type_check.expect(total(x_type.shape) == 10)
    assert x_type.shape.eval() == (3, 4)
    with pytest.raises(InvalidType, match=r'^Expect: Shape is expected to be \.\.\.\nActual: Shape is \.\.\.$'):
        raise utils.type_check.InvalidType('Shape is expected to be ...', 'Shape is ...')


def test_chainers_two_argument_invalid_type_inside_a_function_names_it():
    class Picky(minigrad.FunctionNode):
        def check_type_forward(self, in_types):
            if in_types[0].shape[0] != 4:
                raise type_check.InvalidType('4 rows', '{} rows'.format(in_types[0].shape[0]))

        def forward(self, inputs):
            return inputs[0] * 1,

    with pytest.raises(InvalidType, match=r'^Invalid operation in Picky: expect 4 rows, actual 3 rows$'):
        Picky().apply((numpy.zeros((3, 2)),))


class Flatten(minigrad.FunctionNode):
    """x (N, ...) times W (M, K) with K the size of a sample, checked with prod."""

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x', 'W'))
        x_type, w_type = in_types
        type_check.expect(x_type.ndim >= 2,
                          type_check.prod(x_type.shape[1:]) == w_type.shape[1])

    def forward(self, inputs):
        x, W = inputs
        return x.reshape(len(x), -1) @ W.T,


def test_prod_of_a_shape_slice():
    W = numpy.ones((2, 12))
    assert Flatten().apply((numpy.ones((5, 3, 4)), W))[0].shape == (5, 2)
    assert Flatten().apply((numpy.ones((5, 12)), W))[0].shape == (5, 2)
    with pytest.raises(InvalidType, match=r'^Invalid operation in Flatten: expect '
                                          r'prod\(x\.shape\[1:\]\) == W\.shape\[1\], actual 6 != 12$'):
        Flatten().apply((numpy.ones((5, 3, 2)), W))
    # by hand, outside a function
    x_type, = type_check.get_types((numpy.zeros((2, 3, 4)),), 'in_types', False)
    assert str(type_check.prod(x_type.shape[1:])) == 'prod(in_types[0].shape[1:])'
    assert type_check.eval(type_check.prod(x_type.shape[1:])) == 12


def test_divisibility_condition():
    a = type_check.Variable(type_check.TypeInfo((5, 3), numpy.float32), 'a')
    groups = type_check.Variable(2, 'groups')
    with pytest.raises(InvalidType, match=r'^Expect: a\.shape\[0\] % groups == 0\nActual: 1 != 0$'):
        type_check.expect(a.shape[0] % groups == 0)
    type_check.expect(a.shape[1] % 3 == 0)


class Windowed(minigrad.FunctionNode):
    """A node whose label knows more after forward than before it."""

    size = None

    @property
    def label(self):
        return 'Windowed {}'.format(self.size or '?')

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        type_check.expect(in_types[0].ndim == 2)

    def forward(self, inputs):
        self.size = inputs[0].shape[1]
        return inputs[0] * 1,


class NamedWindowed(Windowed):
    check_name = 'Windowed'


def test_messages_name_the_function_by_its_check_name():
    # by default the label, as Chainer's messages do ...
    with pytest.raises(InvalidType, match=r'^Invalid operation in Windowed \?: expect x\.ndim == 2, '):
        Windowed().apply((numpy.zeros(3),))
    # ... or the name the node gives, where its label would show what forward has not yet read
    with pytest.raises(InvalidType, match=r'^Invalid operation in Windowed: expect x\.ndim == 2, '):
        NamedWindowed().apply((numpy.zeros(3),))
    y, = NamedWindowed().apply((minigrad.Variable(numpy.zeros((2, 3))),))
    assert y.creator.label == 'Windowed 3'


def test_checks_in_another_thread_start_in_heavy_mode_outside_a_function():
    import threading
    errors = []

    def run():
        try:
            assert not type_check.in_light_mode()
            Windowed().apply((numpy.zeros(3),))
        except Exception as e:      # noqa: BLE001 (reported below)
            errors.append(e)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert len(errors) == 1 and str(errors[0]).startswith('Invalid operation in Windowed ?: ')
