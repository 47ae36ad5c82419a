"""The two-dimensional transposed convolution (deconvolution) layer."""
from minigrad import initializers
from minigrad import type_check
from minigrad.core import Parameter
from minigrad.functions.connection.deconvolution_2d import deconvolution_2d
from minigrad.link import Link
from minigrad.utils.conv import check_int, pair


class Deconvolution2D(Link):
    """Two-dimensional transposed convolution layer (see :func:`minigrad.functions.deconvolution_2d`).

    Each input pixel scatters its filters, scaled by its value, into the
    output, and overlapping scatters add: the transpose of a convolution,
    used to upsample (DCGAN's generator).  By default
    ``OH = SH (H - 1) + KH - 2 PH`` (and the same for width); ``outsize``
    picks one of the sizes a strided convolution maps back to ``H``.

    Holds ``W`` of shape ``(in_channels, out_channels / groups, KH, KW)``
    (note: input channels first, as the convolution it transposes has them
    as outputs) and ``b`` of shape ``(out_channels,)``.  With
    ``in_channels`` None (``Deconvolution2D(None, 64, 4, 2, 1)``, or the
    short form ``Deconvolution2D(64, 4, stride=2, pad=1)`` meaning
    ``(out_channels, ksize)``), ``W`` is allocated at the first call from
    ``x.shape[1]``.

    Args:
        in_channels (int or None): input channels ``C``; None defers it.
        out_channels (int): output channels.
        ksize (int or pair): filter size ``(KH, KW)``.
        stride (int or pair): ``(SH, SW)``.
        pad (int or pair): ``(PH, PW)``, cropped from each side of the output.
        nobias (bool): no ``b``.
        outsize (pair or None): the output size ``(OH, OW)``; None computes it.
        initialW: initializer, array or scalar for ``W`` (default LeCunNormal).
        initial_bias: initializer, array or scalar for ``b`` (default 0).
        dilate (int or pair): filter dilation.
        groups (int): split channels into this many independent groups.

    >>> deconv = Deconvolution2D(3, 7, 4, stride=2, pad=1)
    >>> deconv(numpy.zeros((1, 3, 10, 10), dtype=numpy.float32)).shape
    (1, 7, 20, 20)
    """

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0, nobias=False,
                 outsize=None, initialW=None, initial_bias=None, *, dilate=1, groups=1):
        super().__init__()
        if ksize is None:
            in_channels, out_channels, ksize = None, in_channels, out_channels
        name = 'Deconvolution2D'
        if in_channels is not None:
            in_channels = check_int(in_channels, name, 'in_channels', 1)
        out_channels = check_int(out_channels, name, 'out_channels', 1)
        pair(ksize, name, 'ksize', 1)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.ksize = ksize
        self.stride = pair(stride, name, 'stride', 1)
        self.pad = pair(pad, name, 'pad', 0)
        self.outsize = None if outsize is None else pair(outsize, name, 'outsize', 1)
        self.dilate = pair(dilate, name, 'dilate', 1)
        self.groups = check_int(groups, name, 'groups', 1)
        self.nobias = nobias
        type_check.require(out_channels % self.groups == 0, 'Deconvolution2D',
                           'out_channels % groups == 0',
                           'out_channels == {}, groups == {}'.format(out_channels, self.groups))
        with self.init_scope():
            self.W = Parameter(initializers._get_initializer(initialW))
            if in_channels is not None:
                self._initialize_params(in_channels)
            if nobias:
                self.b = None
            else:
                bias = initializers._get_initializer(0 if initial_bias is None else initial_bias)
                self.b = Parameter(bias, out_channels)

    def _initialize_params(self, in_channels):
        type_check.require(in_channels % self.groups == 0, 'Deconvolution2D',
                           'in_channels % groups == 0',
                           'in_channels == {}, groups == {}'.format(in_channels, self.groups))
        kh, kw = pair(self.ksize)
        self.W.initialize((in_channels, self.out_channels // self.groups, kh, kw))

    @property
    def printable_specs(self):
        return (('in_channels', self.in_channels), ('out_channels', self.out_channels),
                ('ksize', self.ksize), ('stride', self.stride), ('pad', self.pad),
                ('nobias', self.nobias), ('outsize', self.outsize), ('dilate', self.dilate),
                ('groups', self.groups))

    def forward(self, x):
        """Apply the layer.

        Args:
            x (Variable or ndarray): ``(N, C, H, W)``.

        Returns:
            Variable: ``(N, out_channels, OH, OW)``.
        """
        type_check.expect_ndim('Deconvolution2D', 'x', x, 4)
        if self.W.data is None:
            self._initialize_params(x.shape[1])
        type_check.require(x.shape[1] == self.W.shape[0], 'Deconvolution2D',
                           'x.shape[1] == {} (in_channels of W {})'.format(
                               self.W.shape[0], self.W.shape),
                           'x.shape[1] == {} (x.shape {})'.format(x.shape[1], tuple(x.shape)))
        return deconvolution_2d(x, self.W, self.b, self.stride, self.pad, self.outsize,
                                dilate=self.dilate, groups=self.groups)
