"""LeNet-5 (LeCun et al. 1998) for 28 x 28 digits, as in Chainer's CNN tutorial."""
import minigrad.functions as F
import minigrad.links as L
from minigrad.link import Chain


class LeNet5(Chain):
    """LeNet-5: three sigmoid convolutions with max pooling, then two fully connected layers.

    For ``x`` of shape ``(N, 1, 28, 28)``::

        conv1 5x5, 6 filters    -> (N,   6, 24, 24), sigmoid, max pool 2x2 -> (N, 6, 12, 12)
        conv2 5x5, 16 filters   -> (N,  16,  8,  8), sigmoid, max pool 2x2 -> (N, 16, 4, 4)
        conv3 4x4, 120 filters  -> (N, 120,  1,  1), sigmoid
        fc4                     -> (N, 84), sigmoid
        fc5                     -> (N, n_class)         (logits)

    Sigmoid units and max pooling as in Chainer's tutorial, with Chainer's
    default initial weights (LeCunNormal).  44,426 parameters for one input
    channel and 10 classes.
    ``fc4`` takes its input size from the first call, so other input sizes
    (e.g. 32 x 32) work too.

    Args:
        n_class (int): the number of classes (outputs of ``fc5``).
        in_channels (int or None): the input channels; None defers to the first call.

    Call:
        ``model(x)`` with ``x`` of shape ``(N, in_channels, 28, 28)``;
        returns the logits, ``(N, n_class)`` (use with
        :func:`~minigrad.functions.softmax_cross_entropy`).
    """

    insize = 28

    def __init__(self, n_class=10, in_channels=1):
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(in_channels, 6, 5)
            self.conv2 = L.Convolution2D(6, 16, 5)
            self.conv3 = L.Convolution2D(16, 120, 4)
            self.fc4 = L.Linear(None, 84)
            self.fc5 = L.Linear(84, n_class)

    def forward(self, x):
        h = F.max_pooling_2d(F.sigmoid(self.conv1(x)), 2, stride=2)
        h = F.max_pooling_2d(F.sigmoid(self.conv2(h)), 2, stride=2)
        h = F.sigmoid(self.conv3(h))
        h = F.sigmoid(self.fc4(h))
        return self.fc5(h)
