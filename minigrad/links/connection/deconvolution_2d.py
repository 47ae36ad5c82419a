"""The two-dimensional transposed convolution (deconvolution) layer."""
from minigrad import type_check
from minigrad.functions.connection.deconvolution_2d import deconvolution_2d
from minigrad.links.connection.convolution_2d import ConvolutionLinkBase
from minigrad.utils.conv import pair


class Deconvolution2D(ConvolutionLinkBase):
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

    name_of_function = 'Deconvolution2D'

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0, nobias=False,
                 outsize=None, initialW=None, initial_bias=None, *, dilate=1, groups=1):
        super().__init__(in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                         initial_bias, dilate, groups)
        self.outsize = None if outsize is None else pair(outsize, 'Deconvolution2D', 'outsize', 1)

    def filter_shape(self, in_channels, kh, kw):
        return in_channels, self.out_channels // self.groups, kh, kw

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
        self._check_images(x)
        if self.W.data is None:
            self._initialize_params(x.shape[1])
        type_check.require(x.shape[1] == self.W.shape[0], 'Deconvolution2D',
                           'x.shape[1] == {} (in_channels of W {})'.format(
                               self.W.shape[0], self.W.shape),
                           'x.shape[1] == {} (x.shape {})'.format(x.shape[1], tuple(x.shape)))
        return deconvolution_2d(x, self.W, self.b, self.stride, self.pad, self.outsize,
                                dilate=self.dilate, groups=self.groups)
