"""Batch normalization: normalize each channel by the statistics of the batch.

Both functions work on a 3-D view ``(A, C, B)`` of ``x`` whenever the
channel axes are adjacent (the usual case: ``(N, C)``, ``(N, C, H, W)``):
``A`` gathers the normalized axes before the channels, ``B`` those after.
Per-channel sums are then contiguous reductions, and per-channel arrays
broadcast as ``(C, 1)``.
"""
import math
import warnings

import numpy

from minigrad import type_check
from minigrad.core import Function


def _reduced_axes(func_name, x_ndim, gamma_ndim, axis):
    """The axes that the statistics are taken over, as a sorted tuple.

    ``axis=None`` means every axis but the ``gamma.ndim`` channel axes after
    the batch axis: ``(0, 2, 3)`` for ``(N, C, H, W)`` and a ``(C,)`` gamma,
    as in Chainer.
    """
    if axis is None:
        return (0,) + tuple(range(gamma_ndim + 1, x_ndim))
    axes = tuple(a + x_ndim if a < 0 else a for a in axis)
    type_check.expect(all(0 <= a < x_ndim for a in axes), func_name,
                      'every axis in range(-x.ndim, x.ndim) == range({}, {})'.format(-x_ndim, x_ndim),
                      'axis == {}'.format(axis))
    type_check.expect(len(axes) > 0 and all(a < b for a, b in zip(axes, axes[1:])), func_name,
                      'axis non-empty, without repeats, in ascending order',
                      'axis == {}'.format(axis))
    return axes


def _as_axis_tuple(axis):
    if axis is None:
        return None
    if isinstance(axis, (int, numpy.integer)):
        return (int(axis),)
    return tuple(int(a) for a in axis)


def _check_channel_array(func_name, arg, a, x, axes, channel_shape):
    """``a`` (gamma, beta, mean, ...) must be a float array of x's dtype and the channel shape."""
    type_check.expect_float(func_name, arg, a)
    type_check.expect(a.dtype == x.dtype, func_name, '{}.dtype == x.dtype'.format(arg),
                      '{}.dtype == {}, x.dtype == {}'.format(arg, a.dtype, x.dtype))
    type_check.expect(a.shape == channel_shape, func_name,
                      '{}.shape == {} (x.shape {} without the axes {})'.format(
                          arg, channel_shape, x.shape, axes),
                      '{}.shape == {}'.format(arg, a.shape))


def _check_x(func_name, x, gamma, axis):
    """Check ``x`` and return the reduced axes and the channel shape."""
    type_check.expect_float(func_name, 'x', x)
    type_check.expect(x.ndim >= 2, func_name, 'x.ndim >= 2',
                      'x.ndim == {} (shape {})'.format(x.ndim, x.shape))
    axes = _reduced_axes(func_name, x.ndim, gamma.ndim, axis)
    channel_shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    return axes, channel_shape


class _ChannelLayout:
    """How to reduce ``x`` over ``axes`` and broadcast per-channel arrays back.

    Args:
        shape (tuple): ``x.shape``.
        axes (tuple): the sorted reduced axes.
    """

    def __init__(self, shape, axes):
        kept = [i for i in range(len(shape)) if i not in axes]
        self.channel_shape = tuple(shape[i] for i in kept)
        self.m = math.prod(shape[i] for i in axes)      # values per channel
        if not kept or kept == list(range(kept[0], kept[-1] + 1)):
            first, last = (kept[0], kept[-1]) if kept else (len(shape), len(shape) - 1)
            a, b = math.prod(shape[:first]), math.prod(shape[last + 1:])
            self.shape = (a, math.prod(self.channel_shape), b)
            self.expand_shape = (self.shape[1], 1)
            self.subscripts, self.channel_subscripts = [0, 1, 2], [1]
        else:
            # Channels split by a reduced axis (rare): reduce the array as it is.
            self.shape = tuple(shape)
            self.expand_shape = tuple(1 if i in axes else d for i, d in enumerate(shape))
            self.subscripts, self.channel_subscripts = list(range(len(shape))), kept

    def view(self, a):
        """``a`` (of x's shape) in the layout's shape."""
        return a.reshape(self.shape)

    def subtract(self, a, c):
        """``a - c`` (a of x's shape, c per channel) in a new array of x's shape.

        The result owns its memory (a reshaped result would be a view, which
        back-propagation copies before handing it to a leaf's ``grad``).
        """
        out = numpy.empty(a.shape, dtype=a.dtype)
        numpy.subtract(self.view(a), self.expand(c), out=self.view(out))
        return out

    def expand(self, c):
        """A per-channel array made broadcastable against :meth:`view`."""
        return c.reshape(self.expand_shape)

    def sum(self, a):
        """Per-channel sum of a viewed array: ``sum_{i in channel} a_i``."""
        s = numpy.einsum(a, self.subscripts, self.channel_subscripts)
        return s.reshape(self.channel_shape)

    def dot(self, a, b):
        """Per-channel ``sum_{i in channel} a_i b_i`` of two viewed arrays, with no temporary."""
        if len(self.shape) == 3 and self.shape[2] >= 16:
            # Row-by-row dot products through BLAS: twice as fast as einsum here.
            rows = numpy.matmul(a[:, :, None, :], b[:, :, :, None])
            return rows.sum(axis=(0, 2, 3)).reshape(self.channel_shape)
        s = numpy.einsum(a, self.subscripts, b, self.subscripts, self.channel_subscripts)
        return s.reshape(self.channel_shape)


def _warn_if_single(x_shape, axes):
    if all(x_shape[i] == 1 for i in axes):
        warnings.warn('batch_normalization: one value per channel (x.shape {}, axes {}): the '
                      'output is beta whatever x is; is config.train on at test time?'
                      .format(x_shape, axes), UserWarning, stacklevel=4)


class BatchNormalization(Function):
    """Batch normalization with the batch's statistics; see :func:`batch_normalization`."""

    def __init__(self, eps=2e-5, running_mean=None, running_var=None, decay=0.9, axis=None):
        # Python floats keep float32 arrays float32 (NumPy float64 scalars would not).
        self.eps = float(eps)
        self.decay = float(decay)
        self.running_mean = running_mean
        self.running_var = running_var
        self.axis = _as_axis_tuple(axis)

    @property
    def label(self):
        return 'BatchNormalization eps={}'.format(self.eps)

    def check_type_forward(self, inputs):
        name = 'BatchNormalization'
        x, gamma, beta = inputs
        self.axes, channel_shape = _check_x(name, x, gamma, self.axis)
        _check_channel_array(name, 'gamma', gamma, x, self.axes, channel_shape)
        _check_channel_array(name, 'beta', beta, x, self.axes, channel_shape)
        for arg in ('running_mean', 'running_var'):
            a = getattr(self, arg)
            if a is None:
                continue
            type_check.expect(isinstance(a, numpy.ndarray), name,
                              '{} to be a numpy.ndarray (it is updated in place)'.format(arg),
                              '{} is a {}'.format(arg, type(a).__name__))
            type_check.expect_float(name, arg, a)
            type_check.expect(a.shape == channel_shape, name,
                              '{}.shape == {} (the shape of gamma)'.format(arg, channel_shape),
                              '{}.shape == {}'.format(arg, a.shape))

    def forward(self, inputs):
        x, gamma, beta = inputs
        self.retain_inputs((0, 1))      # backward recomputes x - mean rather than keep it
        _warn_if_single(x.shape, self.axes)
        layout = self.layout = _ChannelLayout(x.shape, self.axes)
        m = layout.m
        xv = layout.view(x)
        mean = layout.sum(xv)
        mean /= m
        # Two passes (mean, then the mean of squared deviations): stable
        # where E[x^2] - mean^2 would cancel.  The deviations' buffer then
        # becomes the output, so forward allocates one array of x's size.
        y = layout.subtract(x, mean)
        yv = layout.view(y)
        var = layout.dot(yv, yv)
        var /= m
        inv_std = numpy.reciprocal(numpy.sqrt(var + self.eps))
        yv *= layout.expand(gamma * inv_std)
        yv += layout.expand(beta)
        if self.running_mean is not None:
            self.running_mean *= self.decay
            self.running_mean += (1 - self.decay) * mean
        if self.running_var is not None:
            adjust = m / max(m - 1, 1)      # the running variance is unbiased
            self.running_var *= self.decay
            self.running_var += ((1 - self.decay) * adjust) * var
        self.mean, self.inv_std = mean, inv_std
        return y,

    def backward(self, inputs, grad_outputs):
        x, gamma, _ = inputs
        layout = self.layout
        m = layout.m
        gy = layout.view(grad_outputs[0])
        gbeta = layout.sum(gy)
        # x - mean once more (x_hat = (x - mean) * inv_std): a pass over x
        # instead of keeping a normalized copy of x alive between the passes.
        gx = layout.subtract(x, self.mean)
        gxv = layout.view(gx)
        ggamma = layout.dot(gy, gxv)
        ggamma *= self.inv_std
        if not self.needs_input_grad[0]:
            return None, ggamma, gbeta
        # gx = gamma inv_std / m * (m gy - sum(gy) - x_hat sum(gy x_hat)), in place
        gxv *= layout.expand(self.inv_std * ggamma * (-1 / m))
        gxv -= layout.expand(gbeta * (1 / m))
        gxv += gy
        gxv *= layout.expand(gamma * self.inv_std)
        return gx, ggamma, gbeta


def batch_normalization(x, gamma, beta, eps=2e-5, running_mean=None, running_var=None,
                        decay=0.9, axis=None):
    """Batch normalization, as ``chainer.functions.batch_normalization``.

    Each channel is normalized by the mean and the (biased) variance of its
    values in the batch, then scaled and shifted:

    .. math:: \\mu = \\frac{1}{m} \\sum_i x_i, \\quad
              \\sigma^2 = \\frac{1}{m} \\sum_i (x_i - \\mu)^2, \\quad
              \\hat x_i = \\frac{x_i - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}}, \\quad
              y_i = \\gamma \\hat x_i + \\beta

    where the sums run over the ``m`` values of one channel.  The gradients
    are in closed form:

    .. math:: g_\\beta = \\sum_i g_{y_i}, \\quad g_\\gamma = \\sum_i g_{y_i} \\hat x_i, \\quad
              g_{x_i} = \\frac{\\gamma}{m \\sqrt{\\sigma^2 + \\epsilon}}
              (m g_{y_i} - g_\\beta - \\hat x_i g_\\gamma)

    Args:
        x (Variable or ndarray): input of shape ``(N, C)``, ``(N, C, H, W)``
            or any ``(N, C, ...)``; floating point.
        gamma (Variable or ndarray): scale, of the channel shape (``(C,)``),
            of ``x``'s dtype.
        beta (Variable or ndarray): shift, of gamma's shape and dtype.
        eps (float): added to the variance, :math:`\\epsilon`.
        running_mean (ndarray or None): if given, updated in place to
            ``decay * running_mean + (1 - decay) * mean``.
        running_var (ndarray or None): if given, updated in place to
            ``decay * running_var + (1 - decay) * var * m / (m - 1)``
            (the unbiased variance).
        decay (float): the decay of the running averages.
        axis (int, tuple of ints or None): the axes to take the statistics
            over, in ascending order; ``None`` means every axis but the
            ``gamma.ndim`` axes after the first (``(0, 2, 3)`` for
            ``(N, C, H, W)``).  gamma's shape is ``x.shape`` without them.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.

    >>> x = numpy.random.randn(8, 96, 55, 55).astype(numpy.float32)
    >>> gamma, beta = numpy.ones(96, numpy.float32), numpy.zeros(96, numpy.float32)
    >>> batch_normalization(x, gamma, beta).shape
    (8, 96, 55, 55)
    """
    return BatchNormalization(eps, running_mean, running_var, decay, axis)(x, gamma, beta)


class FixedBatchNormalization(Function):
    """Batch normalization with given statistics; see :func:`fixed_batch_normalization`."""

    def __init__(self, eps=2e-5, axis=None):
        self.eps = float(eps)
        self.axis = _as_axis_tuple(axis)

    @property
    def label(self):
        return 'FixedBatchNormalization eps={}'.format(self.eps)

    def check_type_forward(self, inputs):
        name = 'FixedBatchNormalization'
        x, gamma, beta, mean, var = inputs
        self.axes, channel_shape = _check_x(name, x, gamma, self.axis)
        for arg, a in zip(('gamma', 'beta', 'mean', 'var'), inputs[1:]):
            _check_channel_array(name, arg, a, x, self.axes, channel_shape)

    def forward(self, inputs):
        x, gamma, beta, mean, var = inputs
        self.retain_inputs((0, 1, 3))
        layout = self.layout = _ChannelLayout(x.shape, self.axes)
        self.inv_var = numpy.reciprocal(var + self.eps)
        self.inv_std = numpy.sqrt(self.inv_var)
        # (x - mean) * scale + beta rather than x * scale + (beta - mean * scale):
        # one pass more, but no cancellation when |mean| is much larger than the spread.
        y = layout.subtract(x, mean)
        yv = layout.view(y)
        yv *= layout.expand(gamma * self.inv_std)
        yv += layout.expand(beta)
        return y,

    def backward(self, inputs, grad_outputs):
        x, gamma, _, mean, _ = inputs
        need_x, need_gamma, _, _, need_var = self.needs_input_grad
        layout = self.layout
        gy = layout.view(grad_outputs[0])
        scale = gamma * self.inv_std
        gbeta = layout.sum(gy)
        gmean = -scale * gbeta
        ggamma = gvar = gx = None
        if need_gamma or need_var:
            x_centered = layout.view(layout.subtract(x, mean))
            ggamma = layout.dot(gy, x_centered)
            ggamma *= self.inv_std
            # dy/dvar = -gamma (x - mean) (var + eps)^(-3/2) / 2 = -gamma x_hat inv_var / 2
            gvar = -0.5 * gamma * self.inv_var * ggamma
        if need_x:
            gx = numpy.empty(x.shape, dtype=x.dtype)
            numpy.multiply(gy, layout.expand(scale), out=layout.view(gx))
        return gx, ggamma, gbeta, gmean, gvar


def fixed_batch_normalization(x, gamma, beta, mean, var, eps=2e-5, axis=None):
    """Batch normalization with fixed statistics, as ``chainer.functions.fixed_batch_normalization``.

    The test-time form of :func:`batch_normalization`: ``mean`` and ``var``
    are given (usually the running averages) instead of computed from ``x``:

    .. math:: y_i = \\gamma \\frac{x_i - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}} + \\beta

    It is differentiable with respect to every argument:

    .. math:: g_{x_i} = \\frac{\\gamma g_{y_i}}{\\sqrt{\\sigma^2 + \\epsilon}}, \\quad
              g_\\gamma = \\sum_i g_{y_i} \\hat x_i, \\quad g_\\beta = \\sum_i g_{y_i}, \\quad
              g_\\mu = -\\frac{\\gamma g_\\beta}{\\sqrt{\\sigma^2 + \\epsilon}}, \\quad
              g_{\\sigma^2} = -\\frac{\\gamma g_\\gamma}{2 (\\sigma^2 + \\epsilon)}

    Args:
        x (Variable or ndarray): input of shape ``(N, C)``, ``(N, C, H, W)``
            or any ``(N, C, ...)``; floating point.
        gamma, beta (Variable or ndarray): scale and shift, of the channel
            shape (``(C,)``) and ``x``'s dtype.
        mean, var (Variable or ndarray): the statistics :math:`\\mu`,
            :math:`\\sigma^2`, of gamma's shape and dtype.
        eps (float): added to the variance.
        axis (int, tuple of ints or None): the normalized axes, as in
            :func:`batch_normalization`.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.
    """
    return FixedBatchNormalization(eps, axis)(x, gamma, beta, mean, var)
