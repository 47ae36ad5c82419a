"""Differentiable functions, as ``chainer.functions``: ``import minigrad.functions as F``."""
from minigrad.core import reshape, transpose, cast, broadcast_to, sum_to, get_item   # NOQA
from minigrad.functions.math.basic_math import (                    # NOQA
    add, sub, mul, div, neg, absolute, pow, matmul)
from minigrad.functions.math.sum import sum, mean                   # NOQA
from minigrad.functions.math.exponential import exp, log            # NOQA
from minigrad.functions.math.minmax import maximum, minimum         # NOQA
from minigrad.functions.array.shape import flatten, concat, expand_dims   # NOQA

# -- connection and pooling --
from minigrad.functions.connection.linear import linear                                   # NOQA
from minigrad.functions.connection.convolution_2d import convolution_2d                   # NOQA
from minigrad.functions.connection.deconvolution_2d import deconvolution_2d               # NOQA
from minigrad.functions.pooling.max_pooling_2d import max_pooling_2d                      # NOQA
from minigrad.functions.pooling.average_pooling_2d import average_pooling_2d              # NOQA

# -- activation, noise, loss, evaluation --
from minigrad.functions.activation.relu import relu                                         # NOQA
from minigrad.functions.activation.leaky_relu import leaky_relu                             # NOQA
from minigrad.functions.activation.sigmoid import sigmoid                                   # NOQA
from minigrad.functions.activation.tanh import tanh                                         # NOQA
from minigrad.functions.activation.softmax import softmax                                   # NOQA
from minigrad.functions.activation.log_softmax import log_softmax                           # NOQA
from minigrad.functions.noise.dropout import dropout                                        # NOQA
from minigrad.functions.loss.softmax_cross_entropy import softmax_cross_entropy             # NOQA
from minigrad.functions.loss.sigmoid_cross_entropy import sigmoid_cross_entropy             # NOQA
from minigrad.functions.loss.mean_squared_error import mean_squared_error                   # NOQA
from minigrad.functions.evaluation.accuracy import accuracy                                 # NOQA

# -- normalization --
from minigrad.functions.normalization.batch_normalization import (                          # NOQA
    batch_normalization, fixed_batch_normalization)
from minigrad.functions.normalization.local_response_normalization import (                 # NOQA
    local_response_normalization)

# -- more math, array, pooling, activation, evaluation and loss functions --
from minigrad.functions.math.sqrt import sqrt, rsqrt                                        # NOQA
from minigrad.functions.math.square import square                                           # NOQA
from minigrad.functions.math.clip import clip                                               # NOQA
from minigrad.functions.math.average import average                                         # NOQA
from minigrad.functions.array.squeeze import squeeze                                        # NOQA
from minigrad.functions.array.stack import stack                                            # NOQA
from minigrad.functions.array.separate import separate                                      # NOQA
from minigrad.functions.array.split_axis import split_axis                                  # NOQA
from minigrad.functions.array.where import where                                            # NOQA
from minigrad.functions.array.resize_images import resize_images                            # NOQA
from minigrad.functions.pooling.unpooling_2d import unpooling_2d                            # NOQA
from minigrad.functions.activation.softplus import softplus                                 # NOQA
from minigrad.functions.activation.elu import elu                                           # NOQA
from minigrad.functions.activation.selu import selu                                         # NOQA
from minigrad.functions.activation.hard_sigmoid import hard_sigmoid                         # NOQA
from minigrad.functions.activation.swish import swish                                       # NOQA
from minigrad.functions.evaluation.binary_accuracy import binary_accuracy                   # NOQA
from minigrad.functions.loss.vae import (                                                   # NOQA
    bernoulli_nll, gaussian_kl_divergence, gaussian_nll)
from minigrad.functions.connection.embed_id import embed_id                                 # NOQA
from minigrad.functions.math.scale import scale                                             # NOQA
from minigrad.functions.math.bias import bias                                               # NOQA
