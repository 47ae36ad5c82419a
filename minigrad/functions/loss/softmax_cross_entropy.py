"""Cross entropy of a softmax over classes against integer labels."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode, Variable, reshape
from minigrad.functions.activation.log_softmax import log_softmax_array
from minigrad.functions.activation.softmax import softmax
from minigrad.functions.math.sum import sum as sum_


class SoftmaxCrossEntropy(FunctionNode):
    """``loss = -log softmax(x)[t]``, averaged or per element; see :func:`softmax_cross_entropy`."""

    def __init__(self, normalize=True, cache_score=True, class_weight=None,
                 ignore_label=-1, reduce='mean'):
        type_check.expect(reduce in ('mean', 'no'), 'SoftmaxCrossEntropy',
                          "reduce in ('mean', 'no')", 'reduce == {!r}'.format(reduce))
        if class_weight is not None:
            if isinstance(class_weight, Variable):
                raise TypeError('SoftmaxCrossEntropy: expect class_weight to be a numpy.ndarray, '
                                'actual a Variable (class weights are constants)')
            class_weight = numpy.asarray(class_weight)
            type_check.expect_float('SoftmaxCrossEntropy', 'class_weight', class_weight)
            type_check.expect_ndim('SoftmaxCrossEntropy', 'class_weight', class_weight, 1)
        self.normalize = normalize
        self.cache_score = cache_score
        self.class_weight = class_weight
        self.ignore_label = ignore_label
        self.reduce = reduce

    @property
    def label(self):
        return 'SoftmaxCrossEntropy reduce={}'.format(self.reduce)

    def check_type_forward(self, inputs):
        name = 'SoftmaxCrossEntropy'
        x, t = inputs
        type_check.expect_float(name, 'x', x)
        type_check.expect_int_dtype(name, 't', t)
        type_check.expect(x.ndim >= 2, name, 'x.ndim >= 2 (x of shape (N, C, ...))',
                          'x.ndim == {} (shape {})'.format(x.ndim, x.shape))
        want = x.shape[:1] + x.shape[2:]
        type_check.expect(t.shape == want, name,
                          't.shape == x.shape[:1] + x.shape[2:] == {}'.format(want),
                          't.shape == {} (x.shape == {})'.format(t.shape, x.shape))
        n_class = x.shape[1]
        bad = (t != self.ignore_label) & ((t < 0) | (t >= n_class))
        if bad.any():
            where = tuple(int(i) for i in numpy.argwhere(bad)[0])
            raise type_check.InvalidType(
                name, '0 <= t < x.shape[1] == {} or t == ignore_label == {}'.format(
                    n_class, self.ignore_label),
                't[{}] == {} ({} of {} labels bad)'.format(
                    ', '.join(map(str, where)), t[where], int(bad.sum()), t.size))
        if self.class_weight is not None:
            type_check.expect_equal(name, 'class_weight.shape', self.class_weight.shape,
                                    '(x.shape[1],)', (n_class,))

    def forward(self, inputs):
        x, t = inputs
        # x is kept even with cache_score: the second derivative is a function of it.
        self.retain_inputs((0,))
        log_y = log_softmax_array(x, axis=1)
        valid = t != self.ignore_label
        # Ignored positions look up class 0 and are then weighted by 0.
        self.t_index = numpy.expand_dims(numpy.where(valid, t, 0), 1)
        log_p = numpy.take_along_axis(log_y, self.t_index, axis=1)[:, 0]
        self.weight = valid.astype(x.dtype)
        if self.class_weight is not None:
            self.weight *= self.class_weight.astype(x.dtype, copy=False)[self.t_index[:, 0]]
        # The softmax for backward (log_y is not needed after log_p).
        self.y = numpy.exp(log_y, out=log_y) if self.cache_score else None
        loss = log_p * self.weight
        numpy.negative(loss, out=loss)
        if self.reduce == 'no':
            return loss,
        count = int(valid.sum()) if self.normalize else x.shape[0]
        self.coeff = 1.0 / max(count, 1)
        return numpy.asarray(loss.sum() * self.coeff, dtype=x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        weight = self.weight * self.coeff if self.reduce == 'mean' else self.weight
        gx, = SoftmaxCrossEntropyGrad(self.y, self.t_index, weight).apply((x, grad_outputs[0]))
        return gx, None     # labels get no gradient


class SoftmaxCrossEntropyGrad(FunctionNode):
    """``gx = (softmax(x) - onehot(t)) * s``, the gradient of :class:`SoftmaxCrossEntropy`.

    Inputs are ``x`` (N, C, ...) and ``gloss`` (a scalar, or one value per
    label); ``s = weight * gloss`` is one number per label, broadcast over
    the class axis (``weight`` holds the class weight, 0 for an ignored
    label, and the ``1 / count`` of the mean).  Forward is the array kernel;
    backward differentiates ``gx`` with differentiable functions of ``x`` and
    ``gloss``.  With ``y = softmax(x)`` and ``g`` the gradient of ``gx``::

        d<g, gx>/dx     = y * (u - sum_c(y * u)),  u = s * g    (softmax's backward of u)
        d<g, gx>/dgloss = weight * sum_c(g * (y - onehot(t)))   (summed over labels for the mean)

    Args:
        y (ndarray or None): the softmax of ``x`` from forward (None: recompute it).
        t_index (ndarray): the labels as ``(N, 1, ...)`` indices into the class axis
            (an ignored label points at class 0 and has weight 0).
        weight (ndarray): the factor of each label, of shape ``(N, ...)`` and ``x``'s dtype.
    """

    def __init__(self, y, t_index, weight):
        self.y = y
        self.t_index = t_index
        self.weight = weight

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gloss = inputs
        y = numpy.exp(log_softmax_array(x, axis=1)) if self.y is None else self.y
        scale = numpy.expand_dims(self.weight * gloss, 1)
        gx = y * scale          # a new array: y may be needed by a second backward
        at_t = numpy.take_along_axis(gx, self.t_index, axis=1)
        numpy.put_along_axis(gx, self.t_index, at_t - scale, axis=1)
        return gx,

    def backward(self, indexes, grad_outputs):
        x, gloss = self.get_retained_inputs()
        g, = grad_outputs
        y = softmax(x, axis=1)
        scale_shape = self.t_index.shape        # (N, 1, ...): broadcasts over classes
        out = []
        for i in indexes:
            if i == 0:
                u = g * reshape(gloss * self.weight, scale_shape)
                yu = y * u
                out.append(yu - y * sum_(yu, axis=1, keepdims=True))
            else:
                onehot = numpy.zeros(x.shape, dtype=x.dtype)
                numpy.put_along_axis(onehot, self.t_index, 1, axis=1)
                per_label = sum_(g * (y - onehot), axis=1) * self.weight
                out.append(per_label if gloss.ndim else sum_(per_label))
        return tuple(out)


def softmax_cross_entropy(x, t, normalize=True, cache_score=True, class_weight=None,
                          ignore_label=-1, reduce='mean'):
    """Softmax cross entropy, as ``chainer.functions.softmax_cross_entropy``.

    For each sample (and each position of a ``(N, C, H, W)`` score map) with a
    label ``t`` that is not ``ignore_label``:

    .. math:: \\ell = -w_t \\log \\frac{e^{x_t}}{\\sum_c e^{x_c}}, \\qquad
              \\frac{\\partial \\ell}{\\partial x_c}
              = w_t \\big(\\mathrm{softmax}(x)_c - [c = t]\\big)

    where ``w_t`` is ``class_weight[t]`` (1 without class weights). The
    log-softmax is shifted by the max, so logits of ``1e4`` stay finite.
    The gradient is differentiable again (:class:`SoftmaxCrossEntropyGrad`);
    labels get none.

    Args:
        x (Variable or ndarray): scores of shape ``(N, C)`` or ``(N, C, ...)``.
        t (Variable or ndarray): integer labels of shape ``(N,)`` or
            ``(N, ...)`` (``x``'s shape without the class axis), each in
            ``[0, C)`` or equal to ``ignore_label``.
        normalize (bool): with ``reduce='mean'``, divide the summed loss by
            the number of labels that are not ignored (True) or by ``N`` (False).
        cache_score (bool): keep the softmax from forward for backward (faster)
            instead of recomputing it from ``x`` (``x`` is kept either way, for
            the second derivative).
        class_weight (ndarray or None): constant weights of shape ``(C,)``.
        ignore_label (int): the label that contributes neither loss nor gradient.
        reduce (str): ``'mean'`` for a scalar, ``'no'`` for the loss of each
            label (shape of ``t``; 0 where ignored).

    Returns:
        Variable: a scalar of ``x``'s dtype, or an array of ``t``'s shape.
    """
    return SoftmaxCrossEntropy(normalize, cache_score, class_weight, ignore_label,
                               reduce).apply((x, t))[0]
