"""Where: pick each element from ``x`` or ``y`` by a boolean condition."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode, Variable, binary_operands, sum_to


class Where(FunctionNode):
    """``z = condition ? x : y`` with broadcasting; see :func:`where`.

    The gradient of ``x`` is ``gz`` where the condition holds and 0
    elsewhere (summed back to ``x``'s shape), that of ``y`` the rest: Where
    again, with zeros for the other operand.
    """

    def __init__(self, condition):
        self.condition = condition

    def check_type_forward(self, in_types):
        name = 'Where'
        type_check.argname(in_types, ('x', 'y'))
        x_type, y_type = in_types
        type_check.expect(x_type.dtype == y_type.dtype)
        # Only light mode gets here (a failed expect raised above): x and y are the arrays.
        x, y = in_types
        cond = self.condition
        type_check.require(cond.dtype == numpy.bool_, name, 'condition.dtype == bool',
                           'condition.dtype == {}'.format(cond.dtype))
        try:
            numpy.broadcast_shapes(cond.shape, x.shape, y.shape)
        except ValueError:
            raise type_check.InvalidType(
                name, 'condition.shape, x.shape and y.shape broadcastable',
                '{}, {} and {}'.format(cond.shape, x.shape, y.shape)) from None

    def forward(self, inputs):
        x, y = inputs
        return numpy.where(self.condition, x, y),

    def backward(self, indexes, grad_outputs):
        gz, = grad_outputs
        zero = numpy.zeros((), dtype=gz.dtype)
        out = []
        for i in indexes:
            pair = (gz, zero) if i == 0 else (zero, gz)
            g = Where(self.condition).apply(pair)[0]
            out.append(sum_to(g, self.inputs[i].shape))
        return tuple(out)


def where(condition, x, y):
    """Take ``x`` where ``condition`` holds and ``y`` elsewhere, as ``chainer.functions.where``.

    .. math:: z_i = \\begin{cases} x_i & c_i \\\\ y_i & \\lnot c_i \\end{cases}

    ``condition``, ``x`` and ``y`` broadcast to a common shape, as in ``numpy.where``.

    Args:
        condition (Variable, ndarray or bool): boolean; it gets no gradient.
        x (Variable or ndarray): the values where ``condition`` is True.
        y (Variable or ndarray): the values elsewhere; ``x``'s dtype (a
            constant, array or scalar, takes the dtype of its Variable partner).

    Returns:
        Variable: of the broadcast shape and ``x``'s dtype.

    >>> where(numpy.array([True, False]), numpy.array([1.0, 2.0]), numpy.zeros(2)).array
    array([1., 0.])
    """
    if isinstance(condition, Variable):
        condition = condition.array
    return Where(numpy.asarray(condition)).apply(binary_operands(x, y))[0]
