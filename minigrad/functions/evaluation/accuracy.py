"""Classification accuracy (an evaluation metric, not differentiable)."""
import numpy

from minigrad import type_check
from minigrad.configuration import no_backprop_mode
from minigrad.core import FunctionNode
from minigrad.functions.loss.softmax_cross_entropy import check_labels


class Accuracy(FunctionNode):
    """The fraction of labels that ``argmax(y, axis=1)`` gets right; see :func:`accuracy`."""

    def __init__(self, ignore_label=None):
        self.ignore_label = ignore_label

    def check_type_forward(self, in_types):
        name = 'Accuracy'
        type_check.argname(in_types, ('y', 't'))
        y_type, t_type = in_types
        # Like Chainer: y is (N, C, d1, ..., dk, 1, ..., 1) for t of shape (N, d1, ..., dk).
        type_check.expect(
            y_type.dtype.kind == 'f',
            y_type.ndim >= 2,
            t_type.ndim >= 1,
            y_type.ndim >= t_type.ndim + 1,
            y_type.shape[0] == t_type.shape[0],
            y_type.shape[2:t_type.ndim + 1] == t_type.shape[1:],
            y_type.shape[t_type.ndim + 1:] == (1,) * (y_type.ndim - t_type.ndim - 1),
        )
        # Only light mode gets here (a failed expect raised above): y and t are the arrays.
        y, t = in_types
        type_check.expect_int_dtype(name, 't', t)
        # A label that is no class would silently count as a miss.
        check_labels(name, t, y.shape[1], 'y.shape[1]', self.ignore_label)

    def forward(self, inputs):
        y, t = inputs
        pred = y.argmax(axis=1).reshape(t.shape)
        if self.ignore_label is None:
            return numpy.asarray((pred == t).mean(dtype=y.dtype)),
        counted = t != self.ignore_label
        total = int(counted.sum())
        if total == 0:
            return numpy.zeros((), dtype=y.dtype),
        correct = int(((pred == t) & counted).sum())
        return numpy.asarray(correct / total, dtype=y.dtype),

    def backward(self, indexes, grad_outputs):
        # Never reached through accuracy(), whose output is outside any graph.
        raise RuntimeError('Accuracy is not differentiable: compute the loss for backward')


def accuracy(y, t, ignore_label=None):
    """Classification accuracy, as ``chainer.functions.accuracy``.

    .. math:: \\mathrm{acc} = \\frac{1}{|S|} \\sum_{i \\in S} [\\arg\\max_c y_{i,c} = t_i]

    over the labels ``S`` that are not ``ignore_label`` (0 if there are none).

    Args:
        y (Variable or ndarray): scores of shape ``(N, C)`` or ``(N, C, ...)``;
            trailing axes of length 1 beyond ``t``'s are allowed.
        t (Variable or ndarray): integer labels of shape ``(N,)`` or ``(N, ...)``,
            each in ``[0, C)`` or equal to ``ignore_label``; any other label
            raises :class:`~minigrad.type_check.InvalidType` naming it (as
            :func:`softmax_cross_entropy` does) rather than count as a miss.
        ignore_label (int or None): a label that is not counted.

    Returns:
        Variable: a scalar of ``y``'s dtype. It is not part of any graph
        (no creator, no gradient): accuracy is a metric, not a loss.
    """
    with no_backprop_mode():
        acc, = Accuracy(ignore_label).apply((y, t))
    acc.requires_grad = False
    return acc
