"""Local response normalization: damp each value by the energy of its neighbouring channels."""
import numpy

from minigrad import type_check
from minigrad.core import Function


def _channel_window_sum(a, half):
    """``s[:, c] = sum_{c' = c - half}^{c + half} a[:, c']``, the window clipped at the edges.

    A loop over the ``2 * half`` offsets, each adding a shifted slice.
    """
    s = a.copy()
    for i in range(1, half + 1):
        s[:, i:] += a[:, :-i]
        s[:, :-i] += a[:, i:]
    return s


class LocalResponseNormalization(Function):
    """Cross-channel normalization; see :func:`local_response_normalization`."""

    def __init__(self, n=5, k=2, alpha=1e-4, beta=0.75):
        self.n = n
        # Python floats keep float32 arrays float32 (NumPy float64 scalars would not).
        self.k, self.alpha, self.beta = float(k), float(alpha), float(beta)

    @property
    def label(self):
        return 'LocalResponseNormalization n={} k={:g} alpha={:g} beta={:g}'.format(
            self.n, self.k, self.alpha, self.beta)

    def check_type_forward(self, inputs):
        name = 'LocalResponseNormalization'
        x, = inputs
        type_check.expect_float(name, 'x', x)
        type_check.expect(x.ndim >= 2, name, 'x.ndim >= 2 (channels on axis 1)',
                          'x.ndim == {} (shape {})'.format(x.ndim, x.shape))
        type_check.expect(isinstance(self.n, (int, numpy.integer)) and self.n > 0, name,
                          'n to be a positive int', 'n == {!r}'.format(self.n))

    def forward(self, inputs):
        x, = inputs
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

    def backward(self, inputs, grad_outputs):
        x, = inputs
        y, = self.output_data
        gy, = grad_outputs
        # d y_c / d x_c' = scale_c [c == c'] - 2 alpha beta x_c' y_c / unit_scale_c
        # for c' in the window of c (windows are symmetric: sum over c in the window of c').
        t = y * gy
        t *= self.coefficient
        gx = _channel_window_sum(t, self.n // 2)
        gx *= x
        numpy.multiply(gy, self.scale, out=t)
        gx += t
        return gx,


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
    return LocalResponseNormalization(n, k, alpha, beta)(x)
