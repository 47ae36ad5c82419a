"""GoogLeNet's Inception module: four parallel paths concatenated along channels."""
from minigrad.functions.activation.relu import relu
from minigrad.functions.array.shape import concat
from minigrad.functions.pooling.max_pooling_2d import max_pooling_2d
from minigrad.link import Chain
from minigrad.links.connection.convolution_2d import Convolution2D


class Inception(Chain):
    """The Inception module of GoogLeNet (Szegedy et al. 2014, "Going Deeper with Convolutions").

    Four paths read the same input and keep its height and width (each
    convolution and the pooling are padded); their outputs are stacked on
    the channel axis and passed through ReLU::

        conv1:          1x1 conv                                  -> out1
        proj3, conv3:   1x1 conv -> ReLU -> 3x3 conv (pad 1)      -> out3
        proj5, conv5:   1x1 conv -> ReLU -> 5x5 conv (pad 2)      -> out5
        projp:          3x3 max pooling (stride 1, pad 1) -> 1x1 conv -> proj_pool
        y = relu(concat(conv1, conv3, conv5, projp))              (out1 + out3 + out5 + proj_pool)

    Every convolution has a bias.

    Args:
        in_channels (int or None): input channels; None defers them to the first call.
        out1 (int): output channels of the 1x1 path.
        proj3 (int): channels of the 1x1 projection before the 3x3 convolution.
        out3 (int): output channels of the 3x3 path.
        proj5 (int): channels of the 1x1 projection before the 5x5 convolution.
        out5 (int): output channels of the 5x5 path.
        proj_pool (int): output channels of the projection after the pooling.
        conv_init: initializer of every filter ``W`` (default LeCunNormal).
        bias_init: initializer of every bias ``b`` (default 0).
    """

    def __init__(self, in_channels, out1, proj3, out3, proj5, out5, proj_pool,
                 conv_init=None, bias_init=None):
        super().__init__()
        init = {'initialW': conv_init, 'initial_bias': bias_init}
        with self.init_scope():
            self.conv1 = Convolution2D(in_channels, out1, 1, **init)
            self.proj3 = Convolution2D(in_channels, proj3, 1, **init)
            self.conv3 = Convolution2D(proj3, out3, 3, pad=1, **init)
            self.proj5 = Convolution2D(in_channels, proj5, 1, **init)
            self.conv5 = Convolution2D(proj5, out5, 5, pad=2, **init)
            self.projp = Convolution2D(in_channels, proj_pool, 1, **init)

    def forward(self, x):
        """Apply the four paths.

        Args:
            x (Variable or ndarray): ``(N, C, H, W)``.

        Returns:
            Variable: ``(N, out1 + out3 + out5 + proj_pool, H, W)``.
        """
        out1 = self.conv1(x)
        out3 = self.conv3(relu(self.proj3(x)))
        out5 = self.conv5(relu(self.proj5(x)))
        pool = self.projp(max_pooling_2d(x, 3, stride=1, pad=1))
        return relu(concat((out1, out3, out5, pool), axis=1))
