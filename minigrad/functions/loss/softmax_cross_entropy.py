"""Cross entropy of a softmax over classes against integer labels."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode, Variable, reshape
from minigrad.functions.activation.log_softmax import log_softmax_array
from minigrad.functions.activation.softmax import softmax
from minigrad.functions.array.where import where
from minigrad.functions.math.sum import sum as sum_


def check_labels(func_name, t, n_class, n_class_text, ignore_label=None):
    """Check that every label is a class, ``0 <= t < n_class``, or ``ignore_label``.

    Raises :class:`~minigrad.type_check.InvalidType` naming the first bad
    label and how many there are, e.g. ``expect 0 <= t < x.shape[1] == 3 or
    t == ignore_label == -1, actual t[1] == 3 (1 of 2 labels bad)``.  The
    loss functions and the accuracies share it: a label that is no class is
    an error, never a silent miss.

    Args:
        func_name (str): the function, for the message.
        t (ndarray): integer labels.
        n_class (int): the number of classes.
        n_class_text (str or None): where ``n_class`` comes from
            (``'x.shape[1]'``); None lists the classes (``t in (0, 1)``).
        ignore_label (int or None): a label allowed besides the classes.
    """
    bad = (t < 0) | (t >= n_class)
    if ignore_label is not None:
        bad &= t != ignore_label
    if bad.any():
        where = tuple(int(i) for i in numpy.argwhere(bad)[0])
        if n_class_text is None:
            expect = 't in ({})'.format(', '.join(str(c) for c in range(n_class)))
        else:
            expect = '0 <= t < {} == {}'.format(n_class_text, n_class)
        if ignore_label is not None:
            expect += ' or t == ignore_label == {}'.format(ignore_label)
        raise type_check.InvalidType(
            func_name, expect, 't[{}] == {} ({} of {} labels bad)'.format(
                ', '.join(map(str, where)), t[where], int(bad.sum()), t.size))


class SoftmaxCrossEntropy(FunctionNode):
    """``loss = -log softmax(x)[t]``, averaged or per element; see :func:`softmax_cross_entropy`."""

    def __init__(self, normalize=True, cache_score=True, class_weight=None,
                 ignore_label=-1, reduce='mean'):
        type_check.require(reduce in ('mean', 'no'), 'SoftmaxCrossEntropy',
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

    def check_type_forward(self, in_types):
        name = 'SoftmaxCrossEntropy'
        type_check.argname(in_types, ('x', 't'))
        x_type, t_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.ndim >= 2,       # x of shape (N, C, ...)
            t_type.shape == x_type.shape[:1] + x_type.shape[2:],
        )
        if self.class_weight is not None:       # one weight per class
            type_check.expect(x_type.shape[1] == type_check.make_variable(
                self.class_weight.shape[0], 'class_weight.shape[0]'))
        # Only light mode gets here (a failed expect raised above): x and t are the arrays.
        x, t = in_types
        type_check.expect_int_dtype(name, 't', t)
        check_labels(name, t, x.shape[1], 'x.shape[1]', self.ignore_label)

    def forward(self, inputs):
        x, t = inputs
        # x is kept even with cache_score: the second derivative is a function of it.
        self.retain_inputs((0,))
        valid = t != self.ignore_label
        # The scores of ignored labels take no part (they may be inf or NaN: masked
        # padding): they are replaced by zeros, so that 0 * their loss stays 0.
        self.ignored = None if valid.all() else numpy.expand_dims(~valid, 1)
        log_y = log_softmax_array(_without_ignored(x, self.ignored), axis=1)
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
        grad = SoftmaxCrossEntropyGrad(self.y, self.t_index, weight, self.ignored)
        gx, = grad.apply((x, grad_outputs[0]))
        return gx, None     # labels get no gradient


def _without_ignored(x, ignored):
    """``x`` with the scores of ignored labels set to 0 (``ignored``: (N, 1, ...) or None)."""
    return x if ignored is None else numpy.where(ignored, x.dtype.type(0), x)


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

    The scores of ignored labels are read as zeros (``where``, whose gradient
    there is 0), so inf or NaN scores there change neither derivative.

    Args:
        y (ndarray or None): the softmax of ``x`` from forward (None: recompute it).
        t_index (ndarray): the labels as ``(N, 1, ...)`` indices into the class axis
            (an ignored label points at class 0 and has weight 0).
        weight (ndarray): the factor of each label, of shape ``(N, ...)`` and ``x``'s dtype.
        ignored (ndarray or None): True at ignored labels, shape ``(N, 1, ...)``;
            None when no label is ignored.
    """

    def __init__(self, y, t_index, weight, ignored=None):
        self.y = y
        self.t_index = t_index
        self.weight = weight
        self.ignored = ignored

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gloss = inputs
        if self.y is None:
            y = numpy.exp(log_softmax_array(_without_ignored(x, self.ignored), axis=1))
        else:
            y = self.y
        scale = numpy.expand_dims(self.weight * gloss, 1)
        gx = y * scale          # a new array: y may be needed by a second backward
        at_t = numpy.take_along_axis(gx, self.t_index, axis=1)
        numpy.put_along_axis(gx, self.t_index, at_t - scale, axis=1)
        return gx,

    def backward(self, indexes, grad_outputs):
        x, gloss = self.get_retained_inputs()
        g, = grad_outputs
        if self.ignored is not None:
            x = where(self.ignored, numpy.zeros((), dtype=x.dtype), x)
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
        ignore_label (int): the label that contributes neither loss nor gradient;
            the scores of its positions are not read at all, so they may be
            inf or NaN (masked padding), as in PyTorch.
        reduce (str): ``'mean'`` for a scalar, ``'no'`` for the loss of each
            label (shape of ``t``; 0 where ignored).

    Returns:
        Variable: a scalar of ``x``'s dtype, or an array of ``t``'s shape.
    """
    return SoftmaxCrossEntropy(normalize, cache_score, class_weight, ignore_label,
                               reduce).apply((x, t))[0]
