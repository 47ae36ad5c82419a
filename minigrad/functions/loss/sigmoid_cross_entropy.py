"""Cross entropy of a sigmoid against binary labels."""
import numpy

from minigrad import type_check
from minigrad.core import Function


class SigmoidCrossEntropy(Function):
    """``loss = max(x, 0) - t x + log(1 + exp(-|x|))``; see :func:`sigmoid_cross_entropy`."""

    ignore_label = -1

    def __init__(self, normalize=True, reduce='mean'):
        type_check.expect(reduce in ('mean', 'no'), 'SigmoidCrossEntropy',
                          "reduce in ('mean', 'no')", 'reduce == {!r}'.format(reduce))
        self.normalize = normalize
        self.reduce = reduce

    @property
    def label(self):
        return 'SigmoidCrossEntropy reduce={}'.format(self.reduce)

    def check_type_forward(self, inputs):
        name = 'SigmoidCrossEntropy'
        x, t = inputs
        type_check.expect_float(name, 'x', x)
        type_check.expect_int_dtype(name, 't', t)
        type_check.expect_equal(name, 't.shape', t.shape, 'x.shape', x.shape)
        bad = (t != 0) & (t != 1) & (t != self.ignore_label)
        if bad.any():
            where = tuple(int(i) for i in numpy.argwhere(bad)[0])
            raise type_check.InvalidType(
                name, 't in (0, 1, ignore_label == -1)',
                't[{}] == {} ({} of {} labels bad)'.format(
                    ', '.join(map(str, where)), t[where], int(bad.sum()), t.size))

    def forward(self, inputs):
        x, t = inputs
        valid = t != self.ignore_label
        # -(t log s + (1-t) log(1-s)) rewritten as max(x, 0) - t x + log(1 + e^-|x|):
        # no exp of a large positive number, so logits of +-1e4 stay finite.
        loss = numpy.log1p(numpy.exp(-numpy.abs(x)))
        loss += numpy.maximum(x, 0)
        loss -= x * t.astype(x.dtype)
        loss *= valid
        if self.reduce == 'no':
            return loss,
        if self.normalize:
            count = int(valid.sum())
        else:
            count = x.shape[0] if x.ndim else 1
        self.coeff = 1.0 / max(count, 1)
        return numpy.asarray(loss.sum() * self.coeff, dtype=x.dtype),

    def backward(self, inputs, grad_outputs):
        x, t = inputs
        gloss, = grad_outputs
        half = x.dtype.type(0.5)
        y = numpy.tanh(x * half)        # sigmoid(x) = (tanh(x/2) + 1) / 2, overflow-free
        y *= half
        y += half
        gx = y - t.astype(x.dtype)
        gx *= t != self.ignore_label
        gx *= gloss * self.coeff if self.reduce == 'mean' else gloss
        return gx, None


def sigmoid_cross_entropy(x, t, normalize=True, reduce='mean'):
    """Sigmoid cross entropy, as ``chainer.functions.sigmoid_cross_entropy``.

    For each element with a label ``t`` in ``{0, 1}`` (``-1`` is ignored):

    .. math:: \\ell = -\\big(t \\log \\sigma(x) + (1 - t) \\log(1 - \\sigma(x))\\big)
                    = \\max(x, 0) - t x + \\log(1 + e^{-|x|}), \\qquad
              \\frac{\\partial \\ell}{\\partial x} = \\sigma(x) - t

    The second form stays finite for logits of ``+-1e4``.

    Args:
        x (Variable or ndarray): floating point logits of any shape, e.g. ``(N, K)``.
        t (Variable or ndarray): integer labels of ``x``'s shape: 0, 1, or -1 (ignored).
        normalize (bool): with ``reduce='mean'``, divide the summed loss by
            the number of labels that are not ignored (True) or by ``N`` (False).
        reduce (str): ``'mean'`` for a scalar, ``'no'`` for the loss of each
            element (``x``'s shape; 0 where ignored).

    Returns:
        Variable: a scalar of ``x``'s dtype, or an array of ``x``'s shape.
    """
    return SigmoidCrossEntropy(normalize, reduce)(x, t)
