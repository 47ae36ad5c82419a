"""Links with parameters, as ``chainer.links``: ``import minigrad.links as L``."""
from minigrad.links.connection.linear import Linear                                   # NOQA
from minigrad.links.connection.convolution_2d import Convolution2D                    # NOQA
from minigrad.links.normalization.batch_normalization import BatchNormalization       # NOQA

# -- model --
from minigrad.links.model.classifier import Classifier                              # NOQA
