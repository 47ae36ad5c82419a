"""The two-dimensional convolution layer."""
import minigrad.functions as F
from minigrad import initializers
from minigrad import type_check
from minigrad.core import Parameter
from minigrad.link import Link
from minigrad.utils.conv import check_int, pair


def _expect_images(in_types):
    type_check.argname(in_types, ('x',))
    x_type, = in_types
    type_check.expect(x_type.ndim == 4)


class ConvolutionLinkBase(Link):
    """What Convolution2D and Deconvolution2D share: their arguments, checked
    where they are given, a ``W`` that may wait for the input's channels, and
    a bias of ``out_channels``.  A subclass names itself (``name``) and says
    how ``W`` is laid out (:meth:`filter_shape`).
    """

    name_of_function = None

    def __init__(self, in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                 initial_bias, dilate, groups):
        super().__init__()
        if ksize is None:       # the two-argument form: (out_channels, ksize)
            in_channels, out_channels, ksize = None, in_channels, out_channels
        # Checked here, where they are given: positive ints (pairs for the geometry).
        name = self.name_of_function
        if in_channels is not None:
            in_channels = check_int(in_channels, name, 'in_channels', 1)
        self.in_channels = in_channels
        self.out_channels = out_channels = check_int(out_channels, name, 'out_channels', 1)
        pair(ksize, name, 'ksize', 1)
        self.ksize = ksize
        self.stride = pair(stride, name, 'stride', 1)
        self.pad = pair(pad, name, 'pad', 0)
        self.dilate = pair(dilate, name, 'dilate', 1)
        self.groups = check_int(groups, name, 'groups', 1)
        self.nobias = nobias
        type_check.require(out_channels % self.groups == 0, name, 'out_channels % groups == 0',
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

    def filter_shape(self, in_channels, kh, kw):
        raise NotImplementedError

    def _check_images(self, x):
        """Check that ``x`` is a batch of images ``(N, C, H, W)``, before a lazy
        ``W`` reads its channels; worded as the function's own check."""
        type_check.run_check(self.name_of_function, _expect_images, (x,))

    def _initialize_params(self, in_channels):
        type_check.require(in_channels % self.groups == 0, self.name_of_function,
                           'in_channels % groups == 0',
                           'in_channels == {}, groups == {}'.format(in_channels, self.groups))
        self.W.initialize(self.filter_shape(in_channels, *pair(self.ksize)))


class Convolution2D(ConvolutionLinkBase):
    """Two-dimensional convolution layer (see :func:`minigrad.functions.convolution_2d`).

    ``y[n, o] = sum_c W[o, c] * x[n, c] + b[o]`` over every window, where
    ``*`` is the correlation of a ``(KH, KW)`` filter with the padded input
    at stride ``(SH, SW)``:
    ``OH = (H + 2 PH - KH) // SH + 1`` (and the same for width).

    Holds ``W`` of shape ``(out_channels, in_channels / groups, KH, KW)``
    and ``b`` of shape ``(out_channels,)``.  With ``in_channels`` None
    (``Convolution2D(None, 96, 11, stride=4)``, or the two-argument form
    ``Convolution2D(96, 11)`` meaning ``(out_channels, ksize)``), ``W`` is
    allocated at the first call from ``x.shape[1]``.

    Args:
        in_channels (int or None): input channels ``C``; None defers it.
        out_channels (int): output channels.
        ksize (int or pair): filter size ``(KH, KW)``.
        stride (int or pair): ``(SH, SW)``.
        pad (int or pair): zero padding ``(PH, PW)`` on each side.
        nobias (bool): no ``b``.
        initialW: initializer, array or scalar for ``W`` (default LeCunNormal).
        initial_bias: initializer, array or scalar for ``b`` (default 0).
        dilate (int or pair): filter dilation.
        groups (int): split channels into this many independent groups.

    Sizes, ``ksize``, ``stride``, ``dilate`` and ``groups`` are positive
    ints (or pairs of them), ``pad`` non-negative; anything else (``3.0``,
    ``True``, ``(3, 3, 3)``, ``-1``) raises
    :class:`~minigrad.type_check.InvalidType` here, naming the argument.
    """

    name_of_function = 'Convolution2D'

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0, nobias=False,
                 initialW=None, initial_bias=None, *, dilate=1, groups=1):
        super().__init__(in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                         initial_bias, dilate, groups)

    def filter_shape(self, in_channels, kh, kw):
        return self.out_channels, in_channels // self.groups, kh, kw

    @property
    def printable_specs(self):
        return (('in_channels', self.in_channels), ('out_channels', self.out_channels),
                ('ksize', self.ksize), ('stride', self.stride), ('pad', self.pad),
                ('nobias', self.nobias), ('dilate', self.dilate), ('groups', self.groups))

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
        channels = self.W.shape[1] * self.groups
        type_check.require(x.shape[1] == channels, 'Convolution2D',
                           'x.shape[1] == {} (in_channels of W {})'.format(channels, self.W.shape),
                           'x.shape[1] == {} (x.shape {})'.format(x.shape[1], tuple(x.shape)))
        return F.convolution_2d(x, self.W, self.b, self.stride, self.pad,
                                dilate=self.dilate, groups=self.groups)
