"""F.resize_images (minigrad/functions/array/resize_images.py)."""
import math

import numpy
import pytest

from minigrad import Variable, gradient_check, grad
from minigrad.functions.array.resize_images import resize_images
from minigrad.type_check import InvalidType
from tests.functions.float32_check import assert_float32_to_second_order

N, C, H, W = 1, 2, 3, 4
SIZES = [(5, 7), (2, 3), (3, 4), (1, 1), (6, 2), (1, 9)]


def _rand(shape, seed):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape)


def _source(o, out, size, mode, align_corners):
    """Where output row (or column) ``o`` samples the input."""
    if mode == 'nearest':
        return float(min(math.floor(o * size / out), size - 1))
    if align_corners:
        return 0.0 if out == 1 else o * (size - 1) / (out - 1)
    return max((o + 0.5) * size / out - 0.5, 0.0)


def _resize_loops(x, oh, ow, mode, align_corners):
    """Each output pixel as the bilinear mix of its four input neighbours."""
    n, c, h, w = x.shape
    y = numpy.zeros((n, c, oh, ow))
    for i in range(oh):
        py = _source(i, oh, h, mode, align_corners)
        for j in range(ow):
            px = _source(j, ow, w, mode, align_corners)
            y0, x0 = int(math.floor(py)), int(math.floor(px))
            y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
            fy, fx = py - y0, px - x0
            y[:, :, i, j] = ((1 - fy) * (1 - fx) * x[:, :, y0, x0] + (1 - fy) * fx * x[:, :, y0, x1]
                             + fy * (1 - fx) * x[:, :, y1, x0] + fy * fx * x[:, :, y1, x1])
    return y


@pytest.mark.parametrize('out_size', SIZES)
@pytest.mark.parametrize('mode, align_corners', [('bilinear', True), ('bilinear', False), ('nearest', True)])
def test_forward_backward_and_double_backward(out_size, mode, align_corners):
    x = _rand((N, C, H, W), 0)
    y = resize_images(x, out_size, mode=mode, align_corners=align_corners)
    assert y.shape == (N, C) + out_size
    numpy.testing.assert_allclose(y.data, _resize_loops(x, *out_size, mode, align_corners),
                                  rtol=1e-12, atol=1e-15)
    gy = _rand(y.shape, 1)
    f = lambda v: resize_images(v, out_size, mode=mode, align_corners=align_corners)    # NOQA
    gradient_check.check_backward(f, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, gy, _rand(x.shape, 2), dtype=numpy.float64)


@pytest.mark.parametrize('in_size, out_size', [((2, 100), (3, 40)), ((40, 1), (15, 2))])
@pytest.mark.parametrize('mode, align_corners', [('bilinear', True), ('bilinear', False), ('nearest', True)])
def test_long_lines(in_size, out_size, mode, align_corners):
    # Lines much longer than their taps are resized by gathering the taps
    # instead of a dense product: the same map, checked the same way.
    x = _rand((1, 1) + in_size, 0)
    y = resize_images(x, out_size, mode=mode, align_corners=align_corners)
    numpy.testing.assert_allclose(y.data, _resize_loops(x, *out_size, mode, align_corners),
                                  rtol=1e-12, atol=1e-15)
    gy = _rand(y.shape, 1)
    f = lambda v: resize_images(v, out_size, mode=mode, align_corners=align_corners)    # NOQA
    gradient_check.check_backward(f, x, gy, dtype=numpy.float64)
    gradient_check.check_double_backward(f, x, gy, _rand(x.shape, 2), dtype=numpy.float64)


def test_by_hand():
    x = numpy.array([[[[0.0, 2.0], [4.0, 6.0]]]])
    # Corners to corners: the centre of a 3x3 is the mean of the four pixels.
    numpy.testing.assert_allclose(resize_images(x, (3, 3)).data[0, 0],
                                  [[0, 1, 2], [2, 3, 4], [4, 5, 6]])
    # Pixel centres (align_corners=False): 2 rows stay rows 0 and 1; 4 columns sample
    # -0.25 (clamped to 0), 0.25, 0.75 and 1.25 (past the last: clamped to it).
    numpy.testing.assert_allclose(resize_images(x, (2, 4), align_corners=False).data[0, 0],
                                  [[0.0, 0.5, 1.5, 2.0], [4.0, 4.5, 5.5, 6.0]])
    numpy.testing.assert_array_equal(resize_images(x, (4, 4), mode='nearest').data[0, 0],
                                     [[0, 0, 2, 2], [0, 0, 2, 2], [4, 4, 6, 6], [4, 4, 6, 6]])
    # Shrinking to one pixel reads the top-left one (corners to corners, one output).
    v = Variable(x)
    y = resize_images(v, (1, 1))
    numpy.testing.assert_array_equal(y.data, [[[[0.0]]]])
    gx, = grad([y], [v], grad_outputs=[numpy.ones((1, 1, 1, 1))])
    numpy.testing.assert_array_equal(gx.data[0, 0], [[1, 0], [0, 0]])


def test_default_is_chainers():
    x = _rand((1, 1, 2, 3), 0)
    numpy.testing.assert_array_equal(resize_images(x, (4, 5)).data,
                                     resize_images(x, (4, 5), mode='bilinear', align_corners=True).data)


def test_float32_stays_float32():
    assert_float32_to_second_order(lambda v: resize_images(v, (5, 3)), _rand((N, C, H, W), 0))


def test_bad_inputs_are_rejected():
    x = numpy.zeros((N, C, H, W))
    with pytest.raises(InvalidType, match=r"ResizeImages: expect mode in \('bilinear', 'nearest'\), "
                                          r"actual mode == 'bicubic'"):
        resize_images(x, (2, 2), mode='bicubic')
    with pytest.raises(InvalidType, match=r'ResizeImages: expect output_shape a pair of positive '
                                          r'ints \(OH, OW\), '
                                          r'actual output_shape == \(2, 0\)'):
        resize_images(x, (2, 0))
    with pytest.raises(InvalidType, match=r'ResizeImages: expect output_shape a pair .*actual '
                                          r'output_shape == 4'):
        resize_images(x, 4)
    with pytest.raises(InvalidType, match=r'ResizeImages .*: expect x\.ndim == 4, actual 3 != 4'):
        resize_images(numpy.zeros((C, H, W)), (2, 2))
    with pytest.raises(InvalidType, match=r"ResizeImages.*: expect x\.dtype\.kind == f, "
                                          r'actual i != f'):
        resize_images(numpy.zeros((N, C, H, W), dtype=numpy.int32), (2, 2))
    with pytest.raises(TypeError):
        resize_images(x, (2, 2), 'nearest')      # mode is keyword-only, as in Chainer
