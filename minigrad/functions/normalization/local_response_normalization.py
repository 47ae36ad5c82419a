"""Local response normalization: damp each value by the energy of its neighbouring channels.

The graph::

    LocalResponseNormalization      x            -> y
    LocalResponseNormalizationGrad  (x, y, gy)   -> gx
    ChannelWindowSum                a            -> the window sums of a (in the second derivatives)

The forward and the first derivative are fast array kernels; the second
derivatives are written with differentiable functions, so they can be
differentiated again.
"""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


def _channel_window_sum(a, half):
    """``s[:, c] = sum_{c' = c - half}^{c + half} a[:, c']``, the window clipped at the edges.

    A loop over the ``2 * half`` offsets, each adding a shifted slice.
    """
    s = a.copy()
    for i in range(1, half + 1):
        s[:, i:] += a[:, :-i]
        s[:, :-i] += a[:, i:]
    return s


class ChannelWindowSum(FunctionNode):
    """``S(a)[:, c] = sum of a[:, c']`` over the window of ``c`` (``|c - c'| <= half``).

    ``S`` is linear and symmetric (``c'`` is in the window of ``c`` exactly
    when ``c`` is in the window of ``c'``), so it is its own adjoint: its
    gradient is ``S(gy)``, another ChannelWindowSum.
    """

    def __init__(self, half):
        self.half = half

    def forward(self, inputs):
        return _channel_window_sum(inputs[0], self.half),

    def backward(self, indexes, grad_outputs):
        return ChannelWindowSum(self.half).apply(grad_outputs)


def _window_sum(a, half):
    """The :class:`ChannelWindowSum` of ``a`` (Variable or ndarray, channels on axis 1)."""
    return ChannelWindowSum(half).apply((a,))[0]


class LocalResponseNormalization(FunctionNode):
    """Cross-channel normalization; see :func:`local_response_normalization`.

    Forward keeps ``x`` and ``y``, and, as attributes, ``scale = u^-beta``
    and ``coefficient = -2 alpha beta / u`` (``u`` the bracket of the formula)
    for the first derivative, :class:`LocalResponseNormalizationGrad`.
    """

    def __init__(self, n=5, k=2, alpha=1e-4, beta=0.75):
        self.n = n
        # Python floats keep float32 arrays float32 (NumPy float64 scalars would not).
        self.k, self.alpha, self.beta = float(k), float(alpha), float(beta)

    @property
    def label(self):
        return 'LocalResponseNormalization n={} k={:g} alpha={:g} beta={:g}'.format(
            self.n, self.k, self.alpha, self.beta)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f', x_type.ndim >= 2)     # channels on axis 1
        type_check.require(isinstance(self.n, (int, numpy.integer)) and self.n > 0,
                           'LocalResponseNormalization', 'n to be a positive int',
                           'n == {!r}'.format(self.n))

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        squares = numpy.square(x)
        unit_scale = _channel_window_sum(squares, self.n // 2)
        unit_scale *= self.alpha
        unit_scale += self.k
        # scale = unit_scale^-beta goes into the squares' buffer, no longer needed.
        self.scale = numpy.power(unit_scale, -self.beta, out=squares)
        # Backward needs scale and -2 alpha beta / unit_scale: keep the latter, in place.
        self.coefficient = numpy.divide(-2 * self.alpha * self.beta, unit_scale, out=unit_scale)
        return x * self.scale,

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        y, = self.get_retained_outputs()
        grad = LocalResponseNormalizationGrad(self.n, self.k, self.alpha, self.beta,
                                              self.scale, self.coefficient)
        return grad.apply((x, y, grad_outputs[0]))


class LocalResponseNormalizationGrad(FunctionNode):
    """The gradient of :class:`LocalResponseNormalization` as a function of ``(x, y, gy)``.

    With ``S`` the window sum (:class:`ChannelWindowSum`), ``u = k + alpha
    S(x^2)`` and ``s = u^-beta``, forward computes (``scale`` is ``s`` and
    ``coefficient`` is ``-2 alpha beta / u``, from the forward)::

        gx = gy s - 2 alpha beta x S(gy y / u)

    ``y`` is an input, not recomputed as ``x s``: a gradient reaching it in
    a second backward goes on through the LRN node, which made it.

    Args:
        n, k, alpha, beta: the LRN's parameters.
        scale, coefficient (ndarray): ``u^-beta`` and ``-2 alpha beta / u``.
    """

    def __init__(self, n, k, alpha, beta, scale, coefficient):
        self.n, self.k, self.alpha, self.beta = n, k, alpha, beta
        self.scale = scale
        self.coefficient = coefficient

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, y, gy = inputs
        # d y_c / d x_c' = scale_c [c == c'] - 2 alpha beta x_c' y_c / unit_scale_c
        # for c' in the window of c (windows are symmetric: sum over c in the window of c').
        t = y * gy
        t *= self.coefficient
        gx = _channel_window_sum(t, self.n // 2)
        gx *= x
        numpy.multiply(gy, self.scale, out=t)
        gx += t
        return gx,

    def backward(self, indexes, grad_outputs):
        """Second derivatives: the gradients of ``<a, gx>`` (``a`` the incoming gradient).

        With ``q = -2 alpha beta gy y / u`` (so ``gx = gy s + x S(q)``) and
        ``w = S(a x)`` (``<a, x S(q)> = <w, q>``, S being symmetric)::

            d/dgy = a s - 2 alpha beta y w / u
            d/dy  = -2 alpha beta gy w / u
            d/dx  = a S(q) + 2 alpha x S(-beta a gy s / u - q w / u)

        (``d/dx`` holds ``y`` fixed; the last term is the way through ``u``,
        ``du_c / dx_c' = 2 alpha x_c'`` for ``c'`` in the window of ``c``).
        ``u`` and ``s`` are recomputed from ``x`` with differentiable
        functions, so these can be differentiated again.
        """
        x, y, gy = self.get_retained_inputs()
        a, = grad_outputs
        half = self.n // 2
        u = _window_sum(x * x, half) * self.alpha + self.k
        s = u ** -self.beta
        w = _window_sum(a * x, half)
        c = -2 * self.alpha * self.beta
        ret = []
        if 0 in indexes:
            q = gy * y / u * c
            through_u = _window_sum((a * gy * s * -self.beta - q * w) / u, half)
            ret.append(a * _window_sum(q, half) + x * through_u * (2 * self.alpha))
        if 1 in indexes:
            ret.append(gy * w / u * c)
        if 2 in indexes:
            ret.append(a * s + y * w / u * c)
        return tuple(ret)


def local_response_normalization(x, n=5, k=2, alpha=1e-4, beta=0.75):
    """Local response normalization across channels, as in AlexNet and Chainer.

    .. math:: y_{n,c,\\ldots} = x_{n,c,\\ldots} \\left(k + \\alpha
              \\sum_{c'=\\max(0,\\, c - \\lfloor n/2 \\rfloor)}^{\\min(C-1,\\, c + \\lfloor n/2 \\rfloor)}
              x_{n,c',\\ldots}^2 \\right)^{-\\beta}

    The window has ``2 * (n // 2) + 1`` channels centered at ``c`` (``n + 1``
    for an even ``n``, as in Chainer), clipped at the first and last channel.
    With :math:`u_c` the bracket and :math:`s_c = u_c^{-\\beta}`, the
    gradient is

    .. math:: g_{x_{c'}} = g_{y_{c'}} s_{c'} - 2 \\alpha \\beta x_{c'}
              \\sum_{c \\text{ whose window holds } c'} \\frac{g_{y_c} y_c}{u_c}

    and it is differentiable again (:class:`LocalResponseNormalizationGrad`).

    Args:
        x (Variable or ndarray): input of shape ``(N, C, H, W)`` (or any
            ``(N, C, ...)``), floating point.
        n (int): the window size.
        k (float): the additive constant.
        alpha (float): the scale of the sum of squares.
        beta (float): the exponent.

    Returns:
        Variable: ``y`` of ``x``'s shape and dtype.

    >>> x = numpy.random.rand(8, 96, 55, 55).astype(numpy.float32)
    >>> local_response_normalization(x).shape         # AlexNet's first LRN
    (8, 96, 55, 55)
    """
    return LocalResponseNormalization(n, k, alpha, beta).apply((x,))[0]
