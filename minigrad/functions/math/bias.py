"""Bias: add ``y`` broadcast along a run of ``x``'s axes (Caffe's Bias layer)."""
from minigrad.core import binary_operands, reshape
from minigrad.functions.math.scale import axis_aligned_shape


def bias(x, y, axis=1):
    """Elementwise sum with ``y`` broadcast from ``axis`` of ``x``, as ``chainer.functions.bias``.

    .. math:: z_{i_0 \\ldots i_{n-1}} = x_{i_0 \\ldots i_{n-1}} + y_{i_a \\ldots i_{a+m-1}}

    where ``a = axis`` and ``m = y.ndim``: ``x: (N, C, H, W)``, ``y: (C,)``,
    ``axis=1`` adds a value per channel.  It is ``x + reshape(y, (1, C, 1, 1))``:
    ``gx = gz`` and ``gy`` is ``gz`` summed over the other axes.

    Args:
        x (Variable or ndarray): the input, any shape.
        y (Variable or ndarray): the bias; ``y.shape == x.shape[axis:axis + y.ndim]``.
        axis (int): the first axis of ``x`` that ``y`` lines up with.

    Returns:
        Variable: ``x``'s shape.

    >>> bias(numpy.zeros((2, 3)), numpy.array([1., 2., 3.])).array
    array([[1., 2., 3.],
           [1., 2., 3.]])
    """
    x, y = binary_operands(x, y)
    return x + reshape(y, axis_aligned_shape('bias', x.shape, y.shape, axis))
