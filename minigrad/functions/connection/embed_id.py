"""Embedding lookup: row ``x`` of a matrix ``W``, the linear layer of a one-hot input."""
import numpy

from minigrad import type_check
from minigrad.core import FunctionNode


def _ignored(x, ignore_label):
    """The mask of the IDs equal to ``ignore_label`` (None when nothing is ignored)."""
    return None if ignore_label is None else x == ignore_label


class EmbedIDFunction(FunctionNode):
    """``y[..., :] = W[x[...], :]``, zeros where ``x == ignore_label``; see :func:`embed_id`.

    Inputs ``(x, W)``: ``x`` integer IDs of any shape, ``W`` of shape
    ``(V, D)``; the output has shape ``x.shape + (D,)``.  ``y`` is linear in
    ``W`` (one-hot rows times ``W``), so its gradient is the adjoint
    scatter-add :class:`EmbedIDGrad`, and that one's gradient is this
    lookup again.  ``x`` gets no gradient.
    """

    def __init__(self, ignore_label=None):
        self.ignore_label = ignore_label

    @property
    def label(self):
        return 'EmbedID' if self.ignore_label is None else 'EmbedID ignore={}'.format(
            self.ignore_label)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x', 'W'))
        x_type, w_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'i',
            x_type.ndim >= 1,
            w_type.dtype.kind == 'f',
            w_type.ndim == 2,
        )

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, W = inputs
        mask = _ignored(x, self.ignore_label)
        # NumPy would read a negative ID as counting from the end: refuse it, as
        # an ID past the vocabulary, unless it is the ignored label.
        valid = (x >= 0) & (x < len(W))
        if mask is not None:
            valid |= mask
        if not valid.all():
            bad = numpy.flatnonzero(~valid)
            raise type_check.InvalidType(
                'EmbedID', '0 <= x < {} (len(W)){}'.format(
                    len(W), '' if mask is None else ' or x == {} (ignore_label)'.format(
                        self.ignore_label)),
                'x == {} at flat index {} ({} bad of {})'.format(
                    x.ravel()[bad[0]], bad[0], len(bad), x.size))
        if mask is None:
            return W[x],
        y = W[numpy.where(mask, 0, x)]
        y[mask] = 0
        return y,

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        W = self.inputs[1]
        return None, EmbedIDGrad(W.shape, self.ignore_label).apply((x, grad_outputs[0]))[0]


class EmbedIDGrad(FunctionNode):
    """``gW[v] = sum of gy[i] over the positions i where x[i] == v``: the adjoint of the lookup.

    Inputs ``(x, gy)``, output ``gW`` of shape ``(V, D)``.  Several positions
    may hold the same ID, so the rows are *added* (``numpy.add.at``); rows of
    ignored positions are left out.  It is linear in ``gy`` and its adjoint
    is :class:`EmbedIDFunction`: the gradient of ``gy`` is ``embed_id(x, ggW)``.
    """

    def __init__(self, w_shape, ignore_label=None):
        self.w_shape = w_shape
        self.ignore_label = ignore_label

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, gy = inputs
        gy = gy.reshape(x.size, self.w_shape[1])
        ids = x.ravel()
        mask = _ignored(ids, self.ignore_label)
        if mask is not None:
            ids, gy = ids[~mask], gy[~mask]
        gW = numpy.zeros(self.w_shape, dtype=gy.dtype)
        numpy.add.at(gW, ids, gy)
        return gW,

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return None, EmbedIDFunction(self.ignore_label).apply((x, grad_outputs[0]))[0]


def embed_id(x, W, ignore_label=None):
    """Look up the rows of ``W`` named by the IDs ``x``, as ``chainer.functions.embed_id``.

    It is a linear layer on one-hot inputs, without building them:

    .. math:: y_{i,:} = W_{x_i,:} = \\mathrm{onehot}(x_i)^\\top W

    Differentiable in ``W`` only (twice: the second derivative is zero);
    the gradient adds ``gy``'s rows into the rows of ``W`` they came from.

    Args:
        x (Variable or ndarray): signed integer IDs of any shape ``S``
            (``ndim >= 1``), each in ``[0, V)`` or equal to ``ignore_label``.
        W (Variable or ndarray): the embeddings, ``(V, D)``.
        ignore_label (int or None): positions holding this ID give a row of
            zeros (and send no gradient).

    Returns:
        Variable: ``S + (D,)``, ``W``'s dtype.

    >>> W = numpy.array([[0., 0.], [1., 1.], [2., 2.]], dtype=numpy.float32)
    >>> embed_id(numpy.array([2, 1], dtype=numpy.int32), W, ignore_label=1).array
    array([[2., 2.],
           [0., 0.]], dtype=float32)
    """
    return EmbedIDFunction(ignore_label).apply((x, W))[0]
