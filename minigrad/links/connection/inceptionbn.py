"""Inception module with batch normalization (Inception v2, as in GoogLeNetBN)."""
from minigrad import type_check
from minigrad.backend import get_dtype
from minigrad.functions.activation.relu import relu
from minigrad.functions.array.shape import concat
from minigrad.functions.pooling.average_pooling_2d import average_pooling_2d
from minigrad.functions.pooling.max_pooling_2d import max_pooling_2d
from minigrad.link import Chain
from minigrad.links.connection.convolution_2d import Convolution2D
from minigrad.links.normalization.batch_normalization import BatchNormalization


class InceptionBN(Chain):
    """The Inception module of "Batch Normalization" (Ioffe & Szegedy 2015).

    Like :class:`Inception`, but every convolution (without bias) is followed
    by batch normalization and ReLU, the 5x5 path is two 3x3 convolutions,
    the pooling is max or average, and the last layer of each path may have
    a stride (then the 1x1 path must be absent)::

        conv1, conv1n:    1x1 conv -> BN -> ReLU                   -> out1   (if out1 > 0)
        proj3 .. conv3n:  1x1 conv -> BN -> ReLU -> 3x3 conv (pad 1, stride) -> BN -> ReLU -> out3
        proj33 .. conv33bn: 1x1 conv -> BN -> ReLU -> 3x3 conv (pad 1) -> BN -> ReLU
                          -> 3x3 conv (pad 1, stride) -> BN -> ReLU -> out33
        pool:             3x3 max/avg pooling (pad 1, stride) [-> 1x1 conv -> BN -> ReLU -> proj_pool]
        y = concat(paths, axis=1)

    The max pooling leaves out a last partial window (``cover_all=False``),
    so every path has the same output size ``(H + 2 - 3) // stride + 1``.

    Args:
        in_channels (int or None): input channels; None defers them to the first call.
        out1 (int): output channels of the 1x1 path; 0 leaves the path out.
        proj3 (int): projection channels of the single 3x3 path.
        out3 (int): output channels of the single 3x3 path.
        proj33 (int): projection channels of the double 3x3 path.
        out33 (int): output channels of the double 3x3 path.
        pooltype (str): ``'max'`` or ``'avg'``.
        proj_pool (int or None): output channels of the projection after the
            pooling; None passes the pooled input on (``in_channels`` channels).
        stride (int): stride of the last layer of each path.
        conv_init: initializer of every filter ``W`` (default LeCunNormal).
        dtype: dtype of the batch normalizations' parameters (default
            :func:`minigrad.get_dtype`).
    """

    def __init__(self, in_channels, out1, proj3, out3, proj33, out33, pooltype,
                 proj_pool=None, stride=1, conv_init=None, dtype=None):
        super().__init__()
        type_check.require(pooltype in ('max', 'avg'), 'InceptionBN', "pooltype 'max' or 'avg'",
                           'pooltype == {!r}'.format(pooltype))
        if out1 > 0:
            type_check.require(stride == 1, 'InceptionBN', 'stride == 1 when out1 > 0',
                               'stride == {}, out1 == {}'.format(stride, out1))
            type_check.require(proj_pool is not None, 'InceptionBN',
                               'proj_pool given when out1 > 0',
                               'proj_pool == None, out1 == {}'.format(out1))
        self.out1 = out1
        self.proj_pool = proj_pool
        self.stride = stride
        self.pooltype = pooltype
        dtype = get_dtype(dtype)

        def conv(n_in, n_out, ksize, stride=1):
            return Convolution2D(n_in, n_out, ksize, stride=stride, pad=ksize // 2, nobias=True,
                                 initialW=conv_init)

        with self.init_scope():
            self.proj3 = conv(in_channels, proj3, 1)
            self.conv3 = conv(proj3, out3, 3, stride)
            self.proj33 = conv(in_channels, proj33, 1)
            self.conv33a = conv(proj33, out33, 3)
            self.conv33b = conv(out33, out33, 3, stride)
            self.proj3n = BatchNormalization(proj3, dtype=dtype)
            self.conv3n = BatchNormalization(out3, dtype=dtype)
            self.proj33n = BatchNormalization(proj33, dtype=dtype)
            self.conv33an = BatchNormalization(out33, dtype=dtype)
            self.conv33bn = BatchNormalization(out33, dtype=dtype)
            if out1 > 0:
                self.conv1 = conv(in_channels, out1, 1)
                self.conv1n = BatchNormalization(out1, dtype=dtype)
            if proj_pool is not None:
                self.poolp = conv(in_channels, proj_pool, 1)
                self.poolpn = BatchNormalization(proj_pool, dtype=dtype)

    def forward(self, x):
        """Apply the paths.

        Args:
            x (Variable or ndarray): ``(N, C, H, W)``.

        Returns:
            Variable: ``(N, out1 + out3 + out33 + (proj_pool or C), OH, OW)`` with
            ``OH = (H - 1) // stride + 1``.
        """
        outs = []
        if self.out1 > 0:
            outs.append(relu(self.conv1n(self.conv1(x))))
        h3 = relu(self.proj3n(self.proj3(x)))
        outs.append(relu(self.conv3n(self.conv3(h3))))
        h33 = relu(self.proj33n(self.proj33(x)))
        h33 = relu(self.conv33an(self.conv33a(h33)))
        outs.append(relu(self.conv33bn(self.conv33b(h33))))
        if self.pooltype == 'max':
            p = max_pooling_2d(x, 3, stride=self.stride, pad=1, cover_all=False)
        else:
            p = average_pooling_2d(x, 3, stride=self.stride, pad=1)
        if self.proj_pool is not None:
            p = relu(self.poolpn(self.poolp(p)))
        outs.append(p)
        return concat(outs, axis=1)
