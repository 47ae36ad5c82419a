"""The seeds' SimpleConvNet ("Deep Learning from Scratch", chapter 7) as a Chain."""
import numbers

import minigrad.functions as F
import minigrad.links as L
from minigrad import initializers
from minigrad import type_check
from minigrad.link import Chain
from minigrad.utils.conv import get_conv_outsize


def _weight_initializer(weight_init_std):
    """The seeds' ``weight_init_std``: a standard deviation, or the name of a rule."""
    if isinstance(weight_init_std, str):
        name = weight_init_std.lower()
        if name in ('relu', 'he'):
            return initializers.HeNormal()
        if name in ('sigmoid', 'xavier'):
            return initializers.GlorotNormal()
    elif isinstance(weight_init_std, numbers.Real) and weight_init_std > 0:
        return initializers.Normal(float(weight_init_std))
    raise type_check.InvalidType(
        'SimpleConvNet', "weight_init_std to be a positive number or one of 'relu', 'he', "
        "'sigmoid', 'xavier'", 'weight_init_std == {!r}'.format(weight_init_std))


class SimpleConvNet(Chain):
    """conv - relu - pool - affine - relu - affine, for MNIST-sized images.

    For ``x`` of shape ``(N, C, H, W)`` (default ``(N, 1, 28, 28)``) and the
    default ``conv_param`` (30 filters of 5x5, pad 0, stride 1)::

        conv1           -> (N, 30, 24, 24), relu
        max pool 2x2 s2 -> (N, 30, 12, 12), flattened to 4320 inputs
        affine1         -> (N, 100), relu
        affine2         -> (N, 10)          (logits)

    The conv output size is ``OH = (H + 2 pad - filter_size) // stride + 1``
    and the pooled one ``ceil(OH / 2)``; ``affine1`` is built for
    ``filter_num * pooled_h * pooled_w`` inputs, so ``count_params`` works
    before any forward (433,890 with the defaults).  The softmax of the
    seeds' last layer is left to the loss
    (:func:`~minigrad.functions.softmax_cross_entropy`).

    Args:
        input_dim (tuple of 3 ints): ``(C, H, W)`` of one input.
        conv_param (dict): ``filter_num``, ``filter_size``, ``pad``,
            ``stride`` (missing keys take the defaults above).
        hidden_size (int): units of ``affine1``.
        output_size (int): units of ``affine2`` (classes).
        weight_init_std (float or str): the standard deviation of the
            Gaussian initial weights (biases start at 0); ``'relu'`` / ``'he'``
            selects He initialization (``std = sqrt(2 / fan_in)``, for ReLU
            layers), ``'sigmoid'`` / ``'xavier'`` Glorot (Xavier).

    Call:
        ``model(x)`` with ``x`` of shape ``(N,) + input_dim``; returns the
        logits, ``(N, output_size)``.
    """

    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100,
                 output_size=10, weight_init_std=0.01):
        super().__init__()
        param = {'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1}
        unknown = set(conv_param or ()) - set(param)
        type_check.require(not unknown, 'SimpleConvNet',
                           'conv_param keys among {}'.format(sorted(param)),
                           'unknown keys {}'.format(sorted(unknown)))
        param.update(conv_param or {})
        type_check.require(len(input_dim) == 3, 'SimpleConvNet', 'input_dim == (C, H, W)',
                           'input_dim == {!r}'.format(input_dim))
        channels, height, width = input_dim
        k, pad, stride = param['filter_size'], param['pad'], param['stride']
        conv_h = get_conv_outsize(height, k, stride, pad)
        conv_w = get_conv_outsize(width, k, stride, pad)
        type_check.require(conv_h > 0 and conv_w > 0, 'SimpleConvNet',
                           'a positive conv output size for input_dim and conv_param',
                           '{} x {} (input {} x {}, filter {}, pad {}, stride {})'.format(
                               conv_h, conv_w, height, width, k, pad, stride))
        # max_pooling_2d covers the edge by default (cover_all=True): ceil(OH / 2)
        pool_h = get_conv_outsize(conv_h, 2, 2, 0, cover_all=True)
        pool_w = get_conv_outsize(conv_w, 2, 2, 0, cover_all=True)
        self.input_dim = tuple(input_dim)
        self.conv_param = param
        init = _weight_initializer(weight_init_std)
        with self.init_scope():
            self.conv1 = L.Convolution2D(channels, param['filter_num'], k, stride=stride, pad=pad,
                                         initialW=init)
            self.affine1 = L.Linear(param['filter_num'] * pool_h * pool_w, hidden_size,
                                    initialW=init)
            self.affine2 = L.Linear(hidden_size, output_size, initialW=init)

    def forward(self, x):
        h = F.max_pooling_2d(F.relu(self.conv1(x)), 2, stride=2)
        h = F.relu(self.affine1(h))
        return self.affine2(h)
