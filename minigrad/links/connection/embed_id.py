"""The embedding layer: a learned vector per ID."""
from minigrad import initializers
from minigrad.core import Parameter, as_array
from minigrad.functions.connection.embed_id import embed_id
from minigrad.link import Link
from minigrad.utils.conv import check_int


class EmbedID(Link):
    """Embedding layer: ``y[..., :] = W[x[...], :]`` (see :func:`minigrad.functions.embed_id`).

    A linear layer for one-hot inputs, without building them: ``x`` holds
    integer IDs (words), ``W`` one row per ID.

    Args:
        in_size (int): the number of IDs ``V`` (the vocabulary size).
        out_size (int): the size ``D`` of each embedding.
        initialW: initializer, array or scalar for ``W`` (default
            ``Normal(1.0)``: entries drawn from N(0, 1)).
        ignore_label (int or None): an ID whose rows come out as zeros.

    Attributes:
        W (Parameter): the embeddings, ``(in_size, out_size)``.

    >>> W = numpy.array([[0., 0.], [1., 1.], [2., 2.]], dtype=numpy.float32)
    >>> EmbedID(3, 2, initialW=W)(numpy.array([2, 1], dtype=numpy.int32)).array
    array([[2., 2.],
           [1., 1.]], dtype=float32)
    """

    ignore_label = None

    def __init__(self, in_size, out_size, initialW=None, ignore_label=None):
        super().__init__()
        in_size = check_int(in_size, 'EmbedID', 'in_size', 1)
        out_size = check_int(out_size, 'EmbedID', 'out_size', 1)
        self.ignore_label = ignore_label
        if initialW is None:
            initialW = initializers.Normal(1.0)
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW), (in_size, out_size))

    @classmethod
    def from_params(cls, W, ignore_label=None):
        """An EmbedID whose ``W`` starts as a copy of ``W`` (a Variable or an array of shape ``(V, D)``)."""
        in_size, out_size = W.shape
        return cls(in_size, out_size, initialW=as_array(W).copy(), ignore_label=ignore_label)

    @property
    def printable_specs(self):
        return (('in_size', self.W.shape[0]), ('out_size', self.W.shape[1]),
                ('ignore_label', self.ignore_label))

    def forward(self, x):
        """Look up the embeddings of ``x``.

        Args:
            x (Variable or ndarray): signed integer IDs of any shape ``S`` (``ndim >= 1``).

        Returns:
            Variable: ``S + (out_size,)``.
        """
        return embed_id(x, self.W, ignore_label=self.ignore_label)
