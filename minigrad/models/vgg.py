"""VGG16 (Simonyan & Zisserman 2015, configuration D), as a Chain of Chainer's layer names."""
import minigrad.functions as F
import minigrad.links as L
from minigrad import type_check
from minigrad.link import Chain

# Output channels of the 3x3 convolutions, block by block; each block ends
# with a 2x2 max pooling at stride 2, which halves the height and width.
_BLOCKS = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))


class VGG16(Chain):
    """VGG16: 13 convolutions 3x3 (pad 1) with ReLU in five pooled blocks, then 3 fully connected layers.

    For ``x`` of shape ``(N, C, S, S)`` with ``S = insize``::

        block 1: conv1_1, conv1_2 (64)           -> (N,  64, S,    S),    pool -> S/2
        block 2: conv2_1, conv2_2 (128)          -> (N, 128, S/2,  S/2),  pool -> S/4
        block 3: conv3_1 .. conv3_3 (256)        -> (N, 256, S/4,  S/4),  pool -> S/8
        block 4: conv4_1 .. conv4_3 (512)        -> (N, 512, S/8,  S/8),  pool -> S/16
        block 5: conv5_1 .. conv5_3 (512)        -> (N, 512, S/16, S/16), pool -> S/32
        fc6 (relu, dropout), fc7 (relu, dropout) -> (N, fc_size)
        fc8                                      -> (N, n_class)   (logits)

    so ``fc6`` sees ``512 * (S // 32) ** 2`` inputs (25,088 for the
    standard 224).  With the defaults (3 channels, 224, 4096, 1000 classes)
    the model has 138,357,544 parameters; ``VGG16(n_class=10, insize=32,
    fc_size=64)`` makes a CIFAR-sized one for quick experiments.  Each
    layer gets its input size at construction, so ``count_params`` works
    before any forward.

    Args:
        n_class (int): outputs of ``fc8``.
        insize (int): height and width of the input, a multiple of 32.
        fc_size (int): units of ``fc6`` and ``fc7``.
        in_channels (int): input channels.
        dropout_ratio (float): dropout after fc6 and fc7 in training.

    Call:
        ``model(x)`` with ``x`` of shape ``(N, in_channels, insize, insize)``;
        returns the logits, ``(N, n_class)``.
    """

    def __init__(self, n_class=1000, insize=224, fc_size=4096, in_channels=3, dropout_ratio=0.5):
        super().__init__()
        type_check.require(insize >= 32 and insize % 32 == 0, 'VGG16',
                           'insize to be a positive multiple of 32 (five poolings halve it)',
                           'insize == {}'.format(insize))
        self.insize = insize
        self.dropout_ratio = dropout_ratio
        self._blocks = []       # the conv names of each block
        channels = in_channels
        with self.init_scope():
            for b, widths in enumerate(_BLOCKS, start=1):
                names = ['conv{}_{}'.format(b, i) for i in range(1, len(widths) + 1)]
                for name, width in zip(names, widths):
                    setattr(self, name, L.Convolution2D(channels, width, 3, pad=1))
                    channels = width
                self._blocks.append(names)
            self.fc6 = L.Linear(channels * (insize // 32) ** 2, fc_size)
            self.fc7 = L.Linear(fc_size, fc_size)
            self.fc8 = L.Linear(fc_size, n_class)

    def forward(self, x):
        h = x
        for names in self._blocks:
            for name in names:
                h = F.relu(self[name](h))
            h = F.max_pooling_2d(h, 2, stride=2)
        h = F.dropout(F.relu(self.fc6(h)), self.dropout_ratio)
        h = F.dropout(F.relu(self.fc7(h)), self.dropout_ratio)
        return self.fc8(h)
