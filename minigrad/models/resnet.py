"""A small residual network for 32 x 32 images (He et al. 2016, section 4.2)."""
import minigrad.functions as F
import minigrad.links as L
from minigrad import initializers
from minigrad import type_check
from minigrad.link import Chain, Sequential


class BasicBlock(Chain):
    """Two 3x3 convolutions with batch normalization, plus a skip connection.

    .. math:: y = \\mathrm{relu}(\\mathrm{bn_2}(\\mathrm{conv_2}(
              \\mathrm{relu}(\\mathrm{bn_1}(\\mathrm{conv_1}(x))))) + s(x))

    The shortcut ``s`` is the identity when the shapes agree; when the
    block changes the channels or the stride it is a 1x1 convolution at
    that stride followed by batch normalization (the projection shortcut,
    option B of the paper).  The gradient reaches ``x`` through both paths,
    which is what lets deep stacks train.

    Args:
        in_channels (int): ``C`` of the input ``(N, C, H, W)``.
        out_channels (int): channels of the output.
        stride (int): stride of ``conv1`` (and the shortcut); 2 halves ``H`` and ``W``.

    Call:
        ``block(x)``: ``(N, in_channels, H, W)`` -> ``(N, out_channels, ceil(H / stride), ceil(W / stride))``.
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        he = initializers.HeNormal()    # ReLU units halve the variance; He's scale restores it
        with self.init_scope():
            # No biases: each convolution is followed by BN, whose beta is the bias.
            self.conv1 = L.Convolution2D(in_channels, out_channels, 3, stride, 1, nobias=True,
                                         initialW=he)
            self.bn1 = L.BatchNormalization(out_channels)
            self.conv2 = L.Convolution2D(out_channels, out_channels, 3, 1, 1, nobias=True,
                                         initialW=he)
            self.bn2 = L.BatchNormalization(out_channels)
            if stride != 1 or in_channels != out_channels:
                self.shortcut = L.Convolution2D(in_channels, out_channels, 1, stride,
                                                nobias=True, initialW=he)
                self.bn_shortcut = L.BatchNormalization(out_channels)
            else:
                self.shortcut = None
        self.stride = stride

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        if self.shortcut is None:
            skip = x
        else:
            skip = self.bn_shortcut(self.shortcut(x))
        return F.relu(h + skip)


class ResNet(Chain):
    """ResNet-``depth`` for CIFAR-sized images: ``depth = 6 n + 2`` weight layers.

    For ``x`` of shape ``(N, C, 32, 32)`` and ``widths=(16, 32, 64)``::

        conv1 3x3, bn1, relu          -> (N, 16, 32, 32)
        res2: n BasicBlocks           -> (N, 16, 32, 32)
        res3: n BasicBlocks, stride 2 -> (N, 32, 16, 16)
        res4: n BasicBlocks, stride 2 -> (N, 64,  8,  8)
        global average pooling        -> (N, 64)
        fc                            -> (N, n_class)     (logits)

    Each stage is a :class:`~minigrad.link.Sequential` of blocks, so the
    parameters are named ``/res3/0/conv1/W``, ``/res3/0/shortcut/W``, ...
    Any input size works (the average pooling spans what is left).
    ``ResNet(20)`` has 272,474 parameters with the default widths and 10
    classes.

    Args:
        depth (int): ``6 n + 2``: 8, 14, 20, 32, 44, 56, 110.
        n_class (int): outputs of ``fc``.
        in_channels (int): input channels.
        widths (tuple of 3 ints): channels of the three stages.

    Call:
        ``model(x)`` with ``x`` of shape ``(N, in_channels, H, W)``;
        returns the logits, ``(N, n_class)``.
    """

    insize = 32

    def __init__(self, depth=20, n_class=10, in_channels=3, widths=(16, 32, 64)):
        super().__init__()
        type_check.require(depth >= 8 and (depth - 2) % 6 == 0, 'ResNet',
                           'depth == 6 n + 2 for some n >= 1 (8, 14, 20, 32, ...)',
                           'depth == {}'.format(depth))
        type_check.require(len(widths) == 3, 'ResNet', 'widths to have 3 entries (one per stage)',
                           'widths == {!r}'.format(widths))
        n = (depth - 2) // 6
        with self.init_scope():
            self.conv1 = L.Convolution2D(in_channels, widths[0], 3, 1, 1, nobias=True,
                                         initialW=initializers.HeNormal())
            self.bn1 = L.BatchNormalization(widths[0])
            channels = widths[0]
            for stage, width in enumerate(widths):
                blocks = []
                for i in range(n):
                    stride = 2 if stage > 0 and i == 0 else 1
                    blocks.append(BasicBlock(channels, width, stride))
                    channels = width
                setattr(self, 'res{}'.format(stage + 2), Sequential(*blocks))
            self.fc = L.Linear(channels, n_class)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.res4(self.res3(self.res2(h)))
        h = F.mean(h, axis=(2, 3))      # global average pooling
        return self.fc(h)
