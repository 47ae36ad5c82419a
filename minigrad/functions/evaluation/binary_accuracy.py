"""Binary classification accuracy (an evaluation metric, not differentiable)."""
import numpy

from minigrad import type_check
from minigrad.configuration import no_backprop_mode
from minigrad.core import FunctionNode
from minigrad.functions.loss.softmax_cross_entropy import check_labels


class BinaryAccuracy(FunctionNode):
    """The fraction of labels that ``y >= 0`` gets right; see :func:`binary_accuracy`."""

    ignore_label = -1

    def check_type_forward(self, in_types):
        name = 'BinaryAccuracy'
        type_check.argname(in_types, ('y', 't'))
        y_type, t_type = in_types
        type_check.expect(y_type.dtype.kind == 'f', t_type.shape == y_type.shape)
        # Only light mode gets here (a failed expect raised above): t is the array.
        t = t_type
        type_check.expect_int_dtype(name, 't', t)
        # A label other than 0, 1 or -1 would silently count as a miss.
        check_labels(name, t, 2, None, self.ignore_label)

    def forward(self, inputs):
        y, t = inputs
        # An ignored label (-1) never equals a prediction (0 or 1), so it is
        # left out of the numerator by itself; only the count needs it out.
        correct = int(((y >= 0) == t).sum())
        count = max(1, int((t != self.ignore_label).sum()))
        return numpy.asarray(correct / count, dtype=y.dtype),

    def backward(self, indexes, grad_outputs):
        # Never reached through binary_accuracy(), whose output is outside any graph.
        raise RuntimeError('BinaryAccuracy is not differentiable: compute the loss for backward')


def binary_accuracy(y, t):
    """Binary classification accuracy, as ``chainer.functions.binary_accuracy``.

    The prediction for each element is 1 where ``y >= 0`` (a logit, or a
    score centred on 0) and 0 elsewhere:

    .. math:: \\mathrm{acc} = \\frac{1}{\\max(1, |S|)} \\sum_{i \\in S} [\\,[y_i \\ge 0] = t_i\\,]

    over the labels ``S`` that are not ``-1`` (0 if every label is -1).

    Args:
        y (Variable or ndarray): floating point scores of any shape.
        t (Variable or ndarray): integer labels of ``y``'s shape: 1, 0, or -1
            (ignored); any other label raises
            :class:`~minigrad.type_check.InvalidType` naming it.

    Returns:
        Variable: a scalar of ``y``'s dtype. It is not part of any graph (no
        creator, no gradient): accuracy is a metric, not a loss.

    >>> binary_accuracy(numpy.array([[-2.0, 0.0], [3.0, -5.0]]),
    ...                 numpy.array([[0, 0], [1, -1]], dtype=numpy.int32)).array
    array(0.66666667)
    """
    with no_backprop_mode():
        acc, = BinaryAccuracy().apply((y, t))
    acc.requires_grad = False
    return acc
