"""Cross entropy of a sigmoid against binary labels."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode
from minigrad.functions.activation.sigmoid import SigmoidGrad, sigmoid, sigmoid_array
from minigrad.functions.loss.softmax_cross_entropy import check_labels
from minigrad.functions.math.sum import sum as sum_


class SigmoidCrossEntropy(FunctionNode):
    """``loss = max(x, 0) - t x + log(1 + exp(-|x|))``; see :func:`sigmoid_cross_entropy`."""

    ignore_label = -1

    def __init__(self, normalize=True, reduce='mean'):
        type_check.require(reduce in ('mean', 'no'), 'SigmoidCrossEntropy',
                           "reduce in ('mean', 'no')", 'reduce == {!r}'.format(reduce))
        self.normalize = normalize
        self.reduce = reduce

    @property
    def label(self):
        return 'SigmoidCrossEntropy reduce={}'.format(self.reduce)

    def check_type_forward(self, in_types):
        name = 'SigmoidCrossEntropy'
        type_check.argname(in_types, ('x', 't'))
        x_type, t_type = in_types
        type_check.expect(x_type.dtype.kind == 'f', t_type.shape == x_type.shape)
        # Only light mode gets here (a failed expect raised above): t is the array.
        t = t_type
        type_check.expect_int_dtype(name, 't', t)
        check_labels(name, t, 2, None, self.ignore_label)

    def forward(self, inputs):
        x, t = inputs
        self.retain_inputs((0, 1))
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

    def backward(self, indexes, grad_outputs):
        x, t = self.get_retained_inputs()
        t = t.array
        weight = (t != self.ignore_label).astype(x.dtype)     # 0 where ignored
        if self.reduce == 'mean':
            weight *= self.coeff
        gx, = SigmoidCrossEntropyGrad(t, weight).apply((x, grad_outputs[0]))
        return gx, None     # labels get no gradient


class SigmoidCrossEntropyGrad(FunctionNode):
    """``gx = (sigmoid(x) - t) * weight * gloss``, the gradient of :class:`SigmoidCrossEntropy`.

    Inputs are ``x`` and ``gloss`` (a scalar, or ``x``'s shape); ``weight``
    is 0 for an ignored label and holds the ``1 / count`` of the mean.
    Forward is the array kernel; backward differentiates ``gx`` for an
    incoming ``g``, with ``y = sigmoid(x)``::

        d<g, gx>/dx     = g * weight * gloss * y * (1 - y)    (SigmoidGrad of y)
        d<g, gx>/dgloss = g * weight * (y - t)                (summed for the mean's scalar)

    Args:
        t (ndarray): the integer labels, of ``x``'s shape.
        weight (ndarray): the factor of each element, of ``x``'s shape and dtype.
    """

    def __init__(self, t, weight):
        self.t = t
        self.weight = weight

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gloss = inputs
        gx = sigmoid_array(x)
        gx -= self.t
        gx *= self.weight * gloss
        return gx,

    def backward(self, indexes, grad_outputs):
        x, gloss = self.get_retained_inputs()
        g, = grad_outputs
        y = sigmoid(x)
        out = []
        for i in indexes:
            if i == 0:
                out.append(SigmoidGrad().apply((y, g * (gloss * self.weight)))[0])
            else:
                per_element = g * (y - self.t) * self.weight
                out.append(per_element if gloss.ndim else sum_(per_element))
        return tuple(out)


def sigmoid_cross_entropy(x, t, normalize=True, reduce='mean'):
    """Sigmoid cross entropy, as ``chainer.functions.sigmoid_cross_entropy``.

    For each element with a label ``t`` in ``{0, 1}`` (``-1`` is ignored):

    .. math:: \\ell = -\\big(t \\log \\sigma(x) + (1 - t) \\log(1 - \\sigma(x))\\big)
                    = \\max(x, 0) - t x + \\log(1 + e^{-|x|}), \\qquad
              \\frac{\\partial \\ell}{\\partial x} = \\sigma(x) - t

    The second form stays finite for logits of ``+-1e4``.  The gradient is
    differentiable again (:class:`SigmoidCrossEntropyGrad`); labels get none.

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
    return SigmoidCrossEntropy(normalize, reduce).apply((x, t))[0]
