"""Links with parameters, as ``chainer.links``: ``import minigrad.links as L``."""
from minigrad.links.connection.linear import Linear                                   # NOQA
from minigrad.links.connection.convolution_2d import Convolution2D                    # NOQA
from minigrad.links.normalization.batch_normalization import BatchNormalization       # NOQA

# -- model --
from minigrad.links.model.classifier import Classifier                              # NOQA

# -- more connection links --
from minigrad.links.connection.deconvolution_2d import Deconvolution2D               # NOQA
from minigrad.links.connection.embed_id import EmbedID                                # NOQA
from minigrad.links.connection.inception import Inception                             # NOQA
from minigrad.links.connection.inceptionbn import InceptionBN                         # NOQA
from minigrad.links.connection.mlp_convolution_2d import MLPConvolution2D             # NOQA
from minigrad.links.connection.scale import Scale                                     # NOQA
from minigrad.links.connection.bias import Bias                                       # NOQA
