"""Scale: multiply ``x`` by ``y`` broadcast along a run of ``x``'s axes (Caffe's Scale layer)."""
from minigrad import type_check
from minigrad.core import binary_operands, reshape


def axis_aligned_shape(func_name, x_shape, y_shape, axis):
    """The shape of ``y`` with ones added so that ``y``'s axes sit at ``x``'s ``axis, axis+1, ...``.

    ``x: (100, 3, 40, 5, 6), y: (3, 40), axis=1`` gives ``(1, 3, 40, 1, 1)``:
    after this reshape NumPy's broadcasting (which aligns trailing axes) does
    what Caffe's "broadcasting from ``axis``" means.
    """
    end = axis + len(y_shape)
    type_check.require(
        0 <= axis and end <= len(x_shape) and tuple(x_shape[axis:end]) == tuple(y_shape),
        func_name, 'x.shape[axis:axis + y.ndim] == y.shape (0 <= axis)',
        'x.shape == {}, y.shape == {}, axis == {}'.format(tuple(x_shape), tuple(y_shape), axis))
    return (1,) * axis + tuple(y_shape) + (1,) * (len(x_shape) - end)


def scale(x, y, axis=1):
    """Elementwise product with ``y`` broadcast from ``axis`` of ``x``, as ``chainer.functions.scale``.

    .. math:: z_{i_0 \\ldots i_{n-1}} = x_{i_0 \\ldots i_{n-1}}\\, y_{i_a \\ldots i_{a+m-1}}

    where ``a = axis`` and ``m = y.ndim``: ``x: (N, C, H, W)``, ``y: (C,)``,
    ``axis=1`` scales each channel.  It is ``x * reshape(y, (1, C, 1, 1))``,
    so both gradients (``gy`` times the other factor, summed back to the
    shape of ``y``) are differentiable again.

    Args:
        x (Variable or ndarray): the input, any shape.
        y (Variable or ndarray): the factor; ``y.shape == x.shape[axis:axis + y.ndim]``.
        axis (int): the first axis of ``x`` that ``y`` lines up with.

    Returns:
        Variable: ``x``'s shape.

    >>> scale(numpy.ones((2, 3, 2)), numpy.array([1., 2., 3.])).array[0]
    array([[1., 1.],
           [2., 2.],
           [3., 3.]])
    """
    x, y = binary_operands(x, y)
    return x * reshape(y, axis_aligned_shape('scale', x.shape, y.shape, axis))
