"""Network in Network's mlpconv layer: a convolution followed by 1x1 convolutions."""
from minigrad import type_check
from minigrad.functions.activation.relu import relu
from minigrad.link import ChainList
from minigrad.links.connection.convolution_2d import Convolution2D


class MLPConvolution2D(ChainList):
    """The "mlpconv" layer of Network in Network (Lin et al. 2013).

    A convolution with ``out_channels[0]`` filters, then a 1x1 convolution
    for each further entry of ``out_channels`` (a small perceptron applied at
    every pixel), with ``activation`` between them but not after the last::

        y = conv_k(f(... f(conv_1(f(conv_0(x))))))

    The children are the convolutions, numbered ``/0, /1, ...``.

    Args:
        in_channels (int or None): input channels; None defers them to the
            first call.  ``MLPConvolution2D(out_channels, ksize)`` with the
            rest as keywords means ``in_channels=None``.
        out_channels (tuple of ints): output channels of each convolution.
        ksize (int or pair): filter size of the first convolution.
        stride (int or pair): stride of the first convolution.
        pad (int or pair): padding of the first convolution.
        activation (callable): the nonlinearity between convolutions
            (default :func:`~minigrad.functions.relu`); a function, not a Link.
        conv_init: initializer of every filter ``W`` (default LeCunNormal).
        bias_init: initializer of every bias ``b`` (default 0).

    Attributes:
        activation (callable): the nonlinearity.
    """

    def __init__(self, in_channels, out_channels, ksize=None, stride=1, pad=0,
                 activation=relu, conv_init=None, bias_init=None):
        if ksize is None:
            in_channels, out_channels, ksize = None, in_channels, out_channels
        out_channels = tuple(out_channels)
        type_check.require(len(out_channels) > 0, 'MLPConvolution2D',
                           'at least one entry in out_channels', 'out_channels == ()')
        init = {'initialW': conv_init, 'initial_bias': bias_init}
        convs = [Convolution2D(in_channels, out_channels[0], ksize, stride, pad, **init)]
        for n_in, n_out in zip(out_channels, out_channels[1:]):
            convs.append(Convolution2D(n_in, n_out, 1, **init))
        super().__init__(*convs)
        self.activation = activation

    def forward(self, x):
        """Apply the convolutions.

        Args:
            x (Variable or ndarray): ``(N, C, H, W)``.

        Returns:
            Variable: ``(N, out_channels[-1], OH, OW)``, the size the first
            convolution gives.
        """
        for conv in self[:-1]:
            x = self.activation(conv(x))
        return self[-1](x)
