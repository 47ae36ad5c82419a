"""Batch normalization: normalize each channel by the statistics of the batch.

The graph, for the batch statistics and for fixed ones::

    BatchNormalization       (x, gamma, beta)           -> y
    BatchNormalizationGrad   (x, gamma, gy)             -> gx, ggamma, gbeta
    FixedBatchNormalization  (x, gamma, beta, mean, var) -> y
    FixedBatchNormalizationGrad (x, gamma, mean, var, gy) -> gx, ggamma, gbeta, gmean, gvar

Each forward, and the forward of each Grad node (the first derivatives), is
a fast array kernel.  They work on a 3-D view ``(A, C, B)`` of ``x``
whenever the channel axes are adjacent (the usual case: ``(N, C)``,
``(N, C, H, W)``): ``A`` gathers the normalized axes before the channels,
``B`` those after.  Per-channel sums are then contiguous reductions, and
per-channel arrays broadcast as ``(C, 1)``.

The backward of a Grad node (the second derivatives) is written with
differentiable functions on Variables, recomputing the statistics from
``x``, so it can be differentiated again.
"""
import math

import numpy

from minigrad import type_check
from minigrad.backends import numba_kernels
from minigrad.core import FunctionNode, Variable, reshape
from minigrad.functions.math.sum import sum as _sum


def _reduced_axes(func_name, x_ndim, gamma_ndim, axis):
    """The axes that the statistics are taken over, as a sorted tuple.

    ``axis=None`` means every axis but the ``gamma.ndim`` channel axes after
    the batch axis: ``(0, 2, 3)`` for ``(N, C, H, W)`` and a ``(C,)`` gamma,
    as in Chainer.
    """
    if axis is None:
        return (0,) + tuple(range(gamma_ndim + 1, x_ndim))
    axes = tuple(a + x_ndim if a < 0 else a for a in axis)
    type_check.require(all(0 <= a < x_ndim for a in axes), func_name,
                       'every axis in range(-x.ndim, x.ndim) == range({}, {})'.format(-x_ndim, x_ndim),
                       'axis == {}'.format(axis))
    type_check.require(len(axes) > 0 and all(a < b for a, b in zip(axes, axes[1:])), func_name,
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
    """``a`` (gamma, beta, mean, ...) must have the channel shape (its dtype is checked by the DSL)."""
    type_check.require(a.shape == channel_shape, func_name,
                       '{}.shape == {} (x.shape {} without the axes {})'.format(
                           arg, channel_shape, x.shape, axes),
                       '{}.shape == {}'.format(arg, a.shape))


def _check_x(func_name, x, gamma, axis):
    """Check ``axis`` against ``x`` and return the reduced axes and the channel shape.

    ``x`` and ``gamma`` are arrays: call this after the ``type_check.expect``
    conditions, which are the only ones a failing check runs again on expressions.
    """
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
        self.axes = axes
        self.channel_shape = tuple(shape[i] for i in kept)
        # x's shape with 1 on the reduced axes: per-channel Variables broadcast from it
        self.keep_shape = tuple(1 if i in axes else d for i, d in enumerate(shape))
        self.m = math.prod(shape[i] for i in axes)      # values per channel
        self.inv_m = 1.0 / self.m if self.m else 0.0    # an empty batch's sums are 0 anyway
        # Channel axes adjacent: self.shape is the 3-D view (A, C, B).  (A 3-D x
        # whose channels are split also has a 3-D self.shape: test this, not the length.)
        self.adjacent = not kept or kept == list(range(kept[0], kept[-1] + 1))
        if self.adjacent:
            first, last = (kept[0], kept[-1]) if kept else (len(shape), len(shape) - 1)
            a, b = math.prod(shape[:first]), math.prod(shape[last + 1:])
            self.shape = (a, math.prod(self.channel_shape), b)
            self.expand_shape = (self.shape[1], 1)
            self.subscripts, self.channel_subscripts = [0, 1, 2], [1]
        else:
            # Channels split by a reduced axis (rare): reduce the array as it is.
            self.shape = tuple(shape)
            self.expand_shape = self.keep_shape
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
        if self.adjacent and self.shape[2] >= 16:
            # Row-by-row dot products through BLAS: twice as fast as einsum here.
            rows = numpy.matmul(a[:, :, None, :], b[:, :, :, None])
            return rows.sum(axis=(0, 2, 3)).reshape(self.channel_shape)
        s = numpy.einsum(a, self.subscripts, b, self.subscripts, self.channel_subscripts)
        return s.reshape(self.channel_shape)

    # The same on Variables, differentiably (for the second derivatives).
    def sum_var(self, v):
        """Per-channel sum of a Variable of x's shape, in ``keep_shape``."""
        return _sum(v, axis=self.axes, keepdims=True)

    def mean_var(self, v):
        """Per-channel mean of a Variable of x's shape, in ``keep_shape``."""
        return self.sum_var(v) * self.inv_m

    def expand_var(self, c):
        """A per-channel Variable (of gamma's shape) in ``keep_shape``, to broadcast against x."""
        return reshape(c, self.keep_shape)

    def channel_var(self, k):
        """A Variable in ``keep_shape`` back in gamma's shape."""
        return reshape(k, self.channel_shape)


def _numba_applies(layout, x, *arrays):
    """Whether the numba kernels take this call: ``config.use_numba`` allows
    them for ``x`` and ``arrays`` (C-contiguous float32 or float64, see
    :func:`~minigrad.backends.numba_kernels.should_use_numba`), all of one
    dtype, and ``x`` has the 3-D view ``(A, C, B)`` and values to normalize.
    Anything else takes the NumPy path."""
    return (numba_kernels.should_use_numba(x, *arrays) and layout.adjacent and layout.m > 0
            and all(a.dtype == x.dtype for a in arrays))


def _per_channel_or_zero(layout, g, dtype):
    """An incoming per-channel gradient in ``keep_shape``; zeros for ``None`` (not computed)."""
    if g is None:
        return Variable(numpy.zeros(layout.keep_shape, dtype=dtype), requires_grad=False)
    return layout.expand_var(g)


class BatchNormalization(FunctionNode):
    """Batch normalization with the batch's statistics; see :func:`batch_normalization`.

    Forward updates ``running_mean`` and ``running_var`` in place and keeps
    ``x``, ``gamma`` and the per-channel ``mean`` and ``inv_std`` for
    backward, which is :class:`BatchNormalizationGrad`.
    """

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

    def check_type_forward(self, in_types):
        name = 'BatchNormalization'
        type_check.argname(in_types, ('x', 'gamma', 'beta'))
        x_type, gamma_type, beta_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.ndim >= 2,
            gamma_type.dtype == x_type.dtype,
            beta_type.dtype == x_type.dtype,
        )
        # Only light mode gets here (a failed expect raised above): the inputs are arrays.
        x, gamma, beta = in_types
        axes, channel_shape = _check_x(name, x, gamma, self.axis)
        _check_channel_array(name, 'gamma', gamma, x, axes, channel_shape)
        _check_channel_array(name, 'beta', beta, x, axes, channel_shape)
        for arg in ('running_mean', 'running_var'):
            a = getattr(self, arg)
            if a is None:
                continue
            type_check.require(isinstance(a, numpy.ndarray), name,
                               '{} to be a numpy.ndarray (it is updated in place)'.format(arg),
                               '{} is a {}'.format(arg, type(a).__name__))
            type_check.expect_float(name, arg, a)
            type_check.require(a.shape == channel_shape, name,
                               '{}.shape == {} (the shape of gamma)'.format(arg, channel_shape),
                               '{}.shape == {}'.format(arg, a.shape))
        # One value per channel has no variance: the output would be beta whatever
        # x is, and the running variance would drift to 0 (PyTorch refuses it too).
        m = math.prod(x.shape[i] for i in axes)
        type_check.require(m != 1, name,
                           'more than 1 value per channel in training (the variance of one '
                           'value is undefined; at test time use config.train = False or '
                           'fixed_batch_normalization)',
                           '1 value per channel (x.shape {}, statistics over the axes {})'.format(
                               x.shape, axes))

    def forward(self, inputs):
        x, gamma, beta = inputs
        self.retain_inputs((0, 1))      # backward recomputes x - mean rather than keep it
        axes = _reduced_axes('BatchNormalization', x.ndim, gamma.ndim, self.axis)
        layout = self.layout = _ChannelLayout(x.shape, axes)
        if _numba_applies(layout, x):
            return self._forward_numba(x, gamma, beta),
        m = layout.m
        if m == 0:
            # An empty batch: an empty output, gradients of 0 for gamma and beta,
            # and the running statistics left as they are (as PyTorch does).
            self.mean = numpy.zeros(layout.channel_shape, dtype=x.dtype)
            self.inv_std = numpy.ones(layout.channel_shape, dtype=x.dtype)
            return numpy.empty(x.shape, dtype=x.dtype),
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
        self._keep_statistics(mean, var, inv_std)
        return y,

    def _forward_numba(self, x, gamma, beta):
        """The same ``y`` and statistics from one compiled loop per channel (config.use_numba)."""
        from minigrad.backends.numba_kernels import normalization
        layout = self.layout
        y = numpy.empty(x.shape, dtype=x.dtype)
        mean, var, inv_std = (numpy.empty(layout.channel_shape, dtype=x.dtype) for _ in range(3))
        normalization.batch_normalization_forward(
            layout.view(x), gamma.ravel(), beta.ravel(), self.eps,
            layout.view(y), mean.ravel(), var.ravel(), inv_std.ravel())
        self._keep_statistics(mean, var, inv_std)
        return y

    def _keep_statistics(self, mean, var, inv_std):
        """Update the running averages in place and keep ``mean`` and ``inv_std`` for backward."""
        m = self.layout.m
        if self.running_mean is not None:
            self.running_mean *= self.decay
            self.running_mean += (1 - self.decay) * mean
        if self.running_var is not None:
            adjust = m / max(m - 1, 1)      # the running variance is unbiased
            self.running_var *= self.decay
            self.running_var += ((1 - self.decay) * adjust) * var
        self.mean, self.inv_std = mean, inv_std

    def backward(self, indexes, grad_outputs):
        x, gamma = self.get_retained_inputs()
        grad = BatchNormalizationGrad(self.layout, self.eps, self.mean, self.inv_std, indexes)
        return grad.apply((x, gamma, grad_outputs[0]))


class BatchNormalizationGrad(FunctionNode):
    """The gradients of :class:`BatchNormalization` as a function of ``(x, gamma, gy)``.

    Forward is the closed form (per channel, ``m`` values, ``s = inv_std``,
    :math:`\\hat x = (x - \\mu) s`)::

        gbeta  = sum(gy)
        ggamma = sum(gy * x_hat)
        gx     = gamma * s * (gy - mean(gy) - x_hat * mean(gy * x_hat))

    and returns the gradients of the inputs in ``indexes`` (0: x, 1: gamma,
    2: beta) only.  Backward gives its second derivatives (see
    :meth:`backward`).

    Args:
        layout (_ChannelLayout): x's channel layout, from the forward.
        eps (float): batch normalization's epsilon.
        mean, inv_std (ndarray): the per-channel statistics of the forward.
        indexes (tuple of ints): which gradients to compute.
    """

    def __init__(self, layout, eps, mean, inv_std, indexes):
        self.layout = layout
        self.eps = eps
        self.mean = mean
        self.inv_std = inv_std
        self.indexes = tuple(indexes)

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, gamma, gy = inputs
        layout = self.layout
        if _numba_applies(layout, x, gy):
            grads = self._forward_numba(x, gamma, gy)
            return tuple(grads[i] for i in self.indexes)
        gy = layout.view(gy)
        gbeta = layout.sum(gy)
        # x - mean once more (x_hat = (x - mean) * inv_std): a pass over x
        # instead of keeping a normalized copy of x alive between the passes.
        gx = layout.subtract(x, self.mean)
        gxv = layout.view(gx)
        ggamma = layout.dot(gy, gxv)
        ggamma *= self.inv_std
        if 0 in self.indexes:
            # gx = gamma inv_std / m * (m gy - sum(gy) - x_hat sum(gy x_hat)), in place
            gxv *= layout.expand(self.inv_std * ggamma * -layout.inv_m)
            gxv -= layout.expand(gbeta * layout.inv_m)
            gxv += gy
            gxv *= layout.expand(gamma * self.inv_std)
        grads = {0: gx, 1: ggamma, 2: gbeta}
        return tuple(grads[i] for i in self.indexes)

    def _forward_numba(self, x, gamma, gy):
        """The same ``{0: gx, 1: ggamma, 2: gbeta}`` from one compiled loop per channel
        (config.use_numba); gx only if it is asked for."""
        from minigrad.backends.numba_kernels import normalization
        layout = self.layout
        with_gx = 0 in self.indexes
        gx = numpy.empty(x.shape, dtype=x.dtype) if with_gx else None
        ggamma, gbeta = (numpy.empty(layout.channel_shape, dtype=x.dtype) for _ in range(2))
        normalization.batch_normalization_grad(
            layout.view(x), gamma.ravel(), layout.view(gy), self.mean.ravel(),
            self.inv_std.ravel(), with_gx,
            layout.view(gx) if with_gx else numpy.empty((0, 0, 0), dtype=x.dtype),  # untouched
            ggamma.ravel(), gbeta.ravel())
        return {0: gx, 1: ggamma, 2: gbeta}

    def backward(self, indexes, grad_outputs):
        """Second derivatives: the gradients of ``<a, gx> + <b, ggamma> + <c, gbeta>``.

        The inputs are ``(x, gamma, gy)``.  With ``a, b, c`` the incoming
        gradients of ``gx, ggamma, gbeta`` (zero for one not computed) and
        ``P(v) = v - mean(v) - x_hat mean(v x_hat)`` (what the normalization
        lets through of a gradient ``v``: ``gx = gamma s P(gy)``, and
        ``gx1 = s P(gy)`` is the gradient of x per unit gamma)::

            d/dgy    = gamma s P(a) + b x_hat + c          (gx is linear in gy)
            d/dgamma = sum(a * gx1)                        (gx is linear in gamma)
            d/dx     = s (P(h) - x_hat gamma mean(a gx1)),
                       h = b gy - gamma s (gy mean(a x_hat) + a mean(gy x_hat))

        ``h`` is the gradient with respect to ``x_hat``; ``P`` carries it
        through ``x_hat``'s dependence on x, and the last term is the one
        through ``s``.  The statistics are recomputed from ``x`` with
        differentiable functions, so these can be differentiated again.
        """
        x, gamma, gy = self.get_retained_inputs()
        ch = self.layout
        incoming = dict(zip(self.indexes, grad_outputs))
        a = incoming.get(0)     # None when gx was not computed
        b, c = (_per_channel_or_zero(ch, incoming.get(i), x.dtype) for i in (1, 2))

        x_centered = x - ch.mean_var(x)
        s = (ch.mean_var(x_centered * x_centered) + self.eps) ** -0.5
        x_hat = x_centered * s
        g = ch.expand_var(gamma)

        def through_normalization(v):
            return v - ch.mean_var(v) - x_hat * ch.mean_var(v * x_hat)

        gx1 = None if a is None else s * through_normalization(gy)    # = gx / gamma
        ret = []
        if 0 in indexes:
            h = b * gy
            if a is not None:
                h = h - g * s * (gy * ch.mean_var(a * x_hat) + a * ch.mean_var(gy * x_hat))
            v = through_normalization(h)
            if a is not None:
                v = v - x_hat * (g * ch.mean_var(a * gx1))
            ret.append(s * v)
        if 1 in indexes:
            ret.append(None if a is None else ch.channel_var(ch.sum_var(a * gx1)))
        if 2 in indexes:
            ggy = b * x_hat + c
            if a is not None:
                ggy = ggy + g * s * through_normalization(a)
            ret.append(ggy)
        return tuple(ret)


def batch_normalization(x, gamma, beta, eps=2e-5, running_mean=None, running_var=None,
                        decay=0.9, axis=None):
    """Batch normalization, as ``chainer.functions.batch_normalization``.

    Each channel is normalized by the mean and the (biased) variance of its
    values in the batch, then scaled and shifted:

    .. math:: \\mu = \\frac{1}{m} \\sum_i x_i, \\quad
              \\sigma^2 = \\frac{1}{m} \\sum_i (x_i - \\mu)^2, \\quad
              \\hat x_i = \\frac{x_i - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}}, \\quad
              y_i = \\gamma \\hat x_i + \\beta

    where the sums run over the ``m`` values of one channel.  A channel needs
    ``m >= 2`` values, as in PyTorch: with one value the variance is undefined
    (the output would be ``beta`` whatever ``x`` is, and the running variance
    would drift to 0), so ``m == 1`` raises
    :class:`~minigrad.type_check.InvalidType`; at test time use
    :func:`fixed_batch_normalization` (the link does with ``config.train``
    False).  An empty batch (``m == 0``) gives an empty output, zero
    gradients for ``gamma`` and ``beta``, and leaves the running statistics
    untouched, so they never become NaN.  The gradients
    are in closed form:

    .. math:: g_\\beta = \\sum_i g_{y_i}, \\quad g_\\gamma = \\sum_i g_{y_i} \\hat x_i, \\quad
              g_{x_i} = \\frac{\\gamma}{m \\sqrt{\\sigma^2 + \\epsilon}}
              (m g_{y_i} - g_\\beta - \\hat x_i g_\\gamma)

    and they are differentiable again (:class:`BatchNormalizationGrad`).

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
    node = BatchNormalization(eps, running_mean, running_var, decay, axis)
    return node.apply((x, gamma, beta))[0]


class FixedBatchNormalization(FunctionNode):
    """Batch normalization with given statistics; see :func:`fixed_batch_normalization`."""

    def __init__(self, eps=2e-5, axis=None):
        self.eps = float(eps)
        self.axis = _as_axis_tuple(axis)

    @property
    def label(self):
        return 'FixedBatchNormalization eps={}'.format(self.eps)

    def check_type_forward(self, in_types):
        name = 'FixedBatchNormalization'
        type_check.argname(in_types, ('x', 'gamma', 'beta', 'mean', 'var'))
        x_type, gamma_type, beta_type, mean_type, var_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.ndim >= 2,
            gamma_type.dtype == x_type.dtype,
            beta_type.dtype == x_type.dtype,
            mean_type.dtype == x_type.dtype,
            var_type.dtype == x_type.dtype,
        )
        # Only light mode gets here (a failed expect raised above): the inputs are arrays.
        x, gamma = in_types[:2]
        axes, channel_shape = _check_x(name, x, gamma, self.axis)
        for arg, a in zip(('gamma', 'beta', 'mean', 'var'), in_types[1:]):
            _check_channel_array(name, arg, a, x, axes, channel_shape)

    def forward(self, inputs):
        x, gamma, beta, mean, var = inputs
        self.retain_inputs((0, 1, 3, 4))
        axes = _reduced_axes('FixedBatchNormalization', x.ndim, gamma.ndim, self.axis)
        layout = self.layout = _ChannelLayout(x.shape, axes)
        self.inv_var = numpy.reciprocal(var + self.eps)
        self.inv_std = numpy.sqrt(self.inv_var)
        # (x - mean) * scale + beta rather than x * scale + (beta - mean * scale):
        # one pass more, but no cancellation when |mean| is much larger than the spread.
        y = layout.subtract(x, mean)
        yv = layout.view(y)
        yv *= layout.expand(gamma * self.inv_std)
        yv += layout.expand(beta)
        return y,

    def backward(self, indexes, grad_outputs):
        x, gamma, mean, var = self.get_retained_inputs()
        grad = FixedBatchNormalizationGrad(self.layout, self.eps, self.inv_std, self.inv_var,
                                           indexes)
        return grad.apply((x, gamma, mean, var, grad_outputs[0]))


class FixedBatchNormalizationGrad(FunctionNode):
    """The gradients of :class:`FixedBatchNormalization`, a function of ``(x, gamma, mean, var, gy)``.

    Forward is the closed form (per channel, ``s = (var + eps)^(-1/2)``)::

        gx = gamma s gy              ggamma = s sum(gy (x - mean))     gbeta = sum(gy)
        gmean = -gamma s gbeta       gvar = -gamma s^2 ggamma / 2

    and returns the gradients of the inputs in ``indexes`` (0: x, 1: gamma,
    2: beta, 3: mean, 4: var) only.  Backward gives its second derivatives.

    Args:
        layout (_ChannelLayout): x's channel layout, from the forward.
        eps (float): the epsilon added to var.
        inv_std, inv_var (ndarray): ``s`` and ``s^2``, from the forward.
        indexes (tuple of ints): which gradients to compute.
    """

    def __init__(self, layout, eps, inv_std, inv_var, indexes):
        self.layout = layout
        self.eps = eps
        self.inv_std = inv_std
        self.inv_var = inv_var
        self.indexes = tuple(indexes)

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3, 4))
        x, gamma, mean, _, gy = inputs
        layout = self.layout
        gy = layout.view(gy)
        scale = gamma * self.inv_std
        grads = {2: layout.sum(gy)}
        grads[3] = -scale * grads[2]
        if 1 in self.indexes or 4 in self.indexes:
            x_centered = layout.view(layout.subtract(x, mean))
            ggamma = grads[1] = layout.dot(gy, x_centered)
            ggamma *= self.inv_std
            # dy/dvar = -gamma (x - mean) (var + eps)^(-3/2) / 2 = -gamma x_hat inv_var / 2
            grads[4] = -0.5 * gamma * self.inv_var * ggamma
        if 0 in self.indexes:
            gx = grads[0] = numpy.empty(x.shape, dtype=x.dtype)
            numpy.multiply(gy, layout.expand(scale), out=layout.view(gx))
        return tuple(grads[i] for i in self.indexes)

    def backward(self, indexes, grad_outputs):
        """Second derivatives: the gradients of ``sum_k <a_k, g_k>`` over the five gradients.

        The inputs are ``(x, gamma, mean, var, gy)``.  With ``a_x, a_gamma,
        a_beta, a_mean, a_var`` the incoming gradients (zero for one not
        computed), ``xc = x - mean`` and the sums per channel, that total is
        ``gamma s sum(a_x gy) + k1 sum(gy xc) + k0 sum(gy)`` with
        ``k1 = s a_gamma - gamma s^3 a_var / 2`` and ``k0 = a_beta - gamma s a_mean``.
        Hence (``d/dvar`` through ``ds/dvar = -s^3 / 2``)::

            d/dgy = gamma s a_x + k1 xc + k0       d/dx = k1 gy      d/dmean = -k1 sum(gy)
            d/dgamma = s sum(a_x gy) - s a_mean sum(gy) - s^3 a_var sum(gy xc) / 2
            d/dvar = -s^3 / 2 * (gamma sum(a_x gy) + (a_gamma - 3 gamma s^2 a_var / 2) sum(gy xc)
                                 - gamma a_mean sum(gy))

        written with differentiable functions, so they can be differentiated again.
        """
        x, gamma, mean, var, gy = self.get_retained_inputs()
        ch = self.layout
        incoming = dict(zip(self.indexes, grad_outputs))
        a_x = incoming.get(0)   # None when gx was not computed
        a_gamma, a_beta, a_mean, a_var = (_per_channel_or_zero(ch, incoming.get(i), x.dtype)
                                          for i in (1, 2, 3, 4))

        g = ch.expand_var(gamma)
        s = (ch.expand_var(var) + self.eps) ** -0.5
        x_centered = x - ch.expand_var(mean)
        k1 = s * a_gamma - g * s ** 3 * a_var * 0.5
        k0 = a_beta - g * s * a_mean
        sum_gy = ch.sum_var(gy)
        sum_gy_xc = ch.sum_var(gy * x_centered)
        sum_a_gy = None if a_x is None else ch.sum_var(a_x * gy)

        ret = []
        if 0 in indexes:
            ret.append(k1 * gy)
        if 1 in indexes:
            ggamma = -s * a_mean * sum_gy - s ** 3 * a_var * sum_gy_xc * 0.5
            if sum_a_gy is not None:
                ggamma = ggamma + s * sum_a_gy
            ret.append(ch.channel_var(ggamma))
        if 2 in indexes:
            ret.append(ch.channel_var(-k1 * sum_gy))
        if 3 in indexes:
            d_s = (a_gamma - g * s * s * a_var * 1.5) * sum_gy_xc - g * a_mean * sum_gy
            if sum_a_gy is not None:
                d_s = d_s + g * sum_a_gy
            ret.append(ch.channel_var(s ** 3 * d_s * -0.5))
        if 4 in indexes:
            ggy = k1 * x_centered + k0
            if a_x is not None:
                ggy = ggy + g * s * a_x
            ret.append(ggy)
        return tuple(ret)


def fixed_batch_normalization(x, gamma, beta, mean, var, eps=2e-5, axis=None):
    """Batch normalization with fixed statistics, as ``chainer.functions.fixed_batch_normalization``.

    The test-time form of :func:`batch_normalization`: ``mean`` and ``var``
    are given (usually the running averages) instead of computed from ``x``:

    .. math:: y_i = \\gamma \\frac{x_i - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}} + \\beta

    It is differentiable with respect to every argument, twice
    (:class:`FixedBatchNormalizationGrad`):

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
    return FixedBatchNormalization(eps, axis).apply((x, gamma, beta, mean, var))[0]
