"""What max and average pooling share: arguments, checks, label, the window view."""
from minigrad import type_check
from minigrad.core import Function
from minigrad.utils.conv import conv_outsize_checked, pair, pair_text


class Pooling2D(Function):
    """Base of the 2-D poolings: ``ksize``, ``stride`` (defaults to ``ksize``), ``pad``."""

    name = 'Pooling2D'

    def __init__(self, ksize, stride=None, pad=0, cover_all=True):
        self.kh, self.kw = pair(ksize)
        self.sy, self.sx = pair(ksize if stride is None else stride)
        self.ph, self.pw = pair(pad)
        self.cover_all = cover_all

    @property
    def label(self):
        text = '{} {}x{} s{}'.format(self.name, self.kh, self.kw, pair_text(self.sy, self.sx))
        if (self.ph, self.pw) != (0, 0):
            text += ' p{}'.format(pair_text(self.ph, self.pw))
        return text

    def check_type_forward(self, inputs):
        x, = inputs
        type_check.expect_ndim(self.name, 'x', x, 4)
        type_check.expect_float(self.name, 'x', x)
        self.out_hw = conv_outsize_checked(
            self.name, x.shape[2], x.shape[3], self.kh, self.kw, self.sy, self.sx,
            self.ph, self.pw, self.cover_all, has_cover_all=self.name != 'AveragePooling2D')

    def _scatter_canvas_shape(self, x_shape, out_hw):
        """Padded shape that every window (cover_all's extra ones too) fits in."""
        n, c, h, w = x_shape
        oh, ow = out_hw
        return (n, c, max(h + 2 * self.ph, (oh - 1) * self.sy + self.kh),
                max(w + 2 * self.pw, (ow - 1) * self.sx + self.kw))

    def _window(self, canvas, i, j, out_hw):
        """The strided slice of ``canvas`` that kernel offset ``(i, j)`` reads."""
        oh, ow = out_hw
        return canvas[:, :, i:i + self.sy * oh:self.sy, j:j + self.sx * ow:self.sx]

    def _crop(self, canvas, x_shape):
        h, w = x_shape[2:]
        return canvas[:, :, self.ph:self.ph + h, self.pw:self.pw + w]
