"""AlexNet as in Chainer's ImageNet example (``examples/imagenet/alex.py``).

Both models take ``227 x 227`` RGB images (``insize``) and 1000 classes, and
are called as ``loss = model(x, t)``, like the example; the logits of the
last call are not kept, the loss and accuracy are (``model.loss``,
``model.accuracy``) and are reported to :func:`minigrad.report` when a
reporter is active.

Sizes, for ``x`` of shape ``(N, 3, 227, 227)``::

    conv1 11x11 s4   -> (N,  96, 55, 55)   pool 3x3 s2 -> (N, 96, 27, 27)
    conv2  5x5 p2    -> (N, 256, 27, 27)   pool 3x3 s2 -> (N, 256, 13, 13)
    conv3, conv4, conv5 3x3 p1             -> (N, 384 / 384 / 256, 13, 13)
    pool 3x3 s2      -> (N, 256, 6, 6), flattened to 9216 inputs of fc6
    fc6, fc7 -> 4096, fc8 -> 1000

The input channels of every layer are left to the first call (``None``),
as in the example, so the parameters exist after one forward.
"""
import minigrad.functions as F
import minigrad.links as L
from minigrad.link import Chain
from minigrad.reporter import report


class Alex(Chain):
    """Single-GPU AlexNet (Krizhevsky et al. 2012) without the channel split.

    Five convolutions and three fully connected layers; after the first two
    convolutions, ReLU, local response normalization (``n=5, k=2,
    alpha=1e-4, beta=0.75``) and 3x3 max pooling at stride 2.  Dropout
    (ratio 0.5) follows fc6 and fc7 in training (``config.train``).

    62,378,344 parameters once initialized.

    Call:
        ``model(x, t)`` with ``x`` of shape ``(N, 3, 227, 227)`` (float) and
        ``t`` of shape ``(N,)`` (int labels in ``[0, 1000)``); returns the
        softmax cross entropy loss (a scalar Variable).
    """

    insize = 227

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(None, 96, 11, stride=4)
            self.conv2 = L.Convolution2D(None, 256, 5, pad=2)
            self.conv3 = L.Convolution2D(None, 384, 3, pad=1)
            self.conv4 = L.Convolution2D(None, 384, 3, pad=1)
            self.conv5 = L.Convolution2D(None, 256, 3, pad=1)
            self.fc6 = L.Linear(None, 4096)
            self.fc7 = L.Linear(None, 4096)
            self.fc8 = L.Linear(None, 1000)
        self.loss = None
        self.accuracy = None

    def forward(self, x, t=None):
        h = F.max_pooling_2d(F.local_response_normalization(F.relu(self.conv1(x))), 3, stride=2)
        h = F.max_pooling_2d(F.local_response_normalization(F.relu(self.conv2(h))), 3, stride=2)
        h = F.relu(self.conv3(h))
        h = F.relu(self.conv4(h))
        h = F.max_pooling_2d(F.relu(self.conv5(h)), 3, stride=2)
        h = F.dropout(F.relu(self.fc6(h)))
        h = F.dropout(F.relu(self.fc7(h)))
        h = self.fc8(h)
        if t is None:       # inference (and export): the logits
            return h
        self.loss = F.softmax_cross_entropy(h, t)
        self.accuracy = F.accuracy(h, t)
        report({'loss': self.loss, 'accuracy': self.accuracy}, self)
        return self.loss


class AlexBN(Chain):
    """Single-GPU AlexNet with the LRN layers replaced by batch normalization.

    As :class:`Alex`, but ``bn1`` and ``bn2`` (:class:`~minigrad.links.BatchNormalization`
    of 96 and 256 channels) normalize the outputs of conv1 and conv2 before
    the ReLU: ``max_pool(relu(bn1(conv1(x))), 3, stride=2)``.  Batch
    statistics are used in training, the running averages otherwise.

    62,379,048 parameters once initialized (conv1 34,944; bn1 192; conv2
    614,656; bn2 512; conv3 885,120; conv4 1,327,488; conv5 884,992; fc6
    37,752,832; fc7 16,781,312; fc8 4,097,000).

    Call:
        ``model(x, t)`` with ``x`` of shape ``(N, 3, 227, 227)`` (float) and
        ``t`` of shape ``(N,)`` (int labels in ``[0, 1000)``); returns the
        softmax cross entropy loss (a scalar Variable).
    """

    insize = 227

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(None, 96, 11, stride=4)
            self.bn1 = L.BatchNormalization(96)
            self.conv2 = L.Convolution2D(None, 256, 5, pad=2)
            self.bn2 = L.BatchNormalization(256)
            self.conv3 = L.Convolution2D(None, 384, 3, pad=1)
            self.conv4 = L.Convolution2D(None, 384, 3, pad=1)
            self.conv5 = L.Convolution2D(None, 256, 3, pad=1)
            self.fc6 = L.Linear(None, 4096)
            self.fc7 = L.Linear(None, 4096)
            self.fc8 = L.Linear(None, 1000)
        self.loss = None
        self.accuracy = None

    def forward(self, x, t=None):
        h = F.max_pooling_2d(F.relu(self.bn1(self.conv1(x))), 3, stride=2)
        h = F.max_pooling_2d(F.relu(self.bn2(self.conv2(h))), 3, stride=2)
        h = F.relu(self.conv3(h))
        h = F.relu(self.conv4(h))
        h = F.max_pooling_2d(F.relu(self.conv5(h)), 3, stride=2)
        h = F.dropout(F.relu(self.fc6(h)))
        h = F.dropout(F.relu(self.fc7(h)))
        h = self.fc8(h)
        if t is None:       # inference (and export): the logits
            return h
        self.loss = F.softmax_cross_entropy(h, t)
        self.accuracy = F.accuracy(h, t)
        report({'loss': self.loss, 'accuracy': self.accuracy}, self)
        return self.loss
