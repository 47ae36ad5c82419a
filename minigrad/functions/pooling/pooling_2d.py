"""What max and average pooling share: arguments, checks, label."""
from minigrad import type_check
from minigrad.core import FunctionNode
from minigrad.utils.conv import conv_outsize_checked, pair, pair_text


class Pooling2D(FunctionNode):
    """Base of the 2-D poolings: ``ksize``, ``stride`` (defaults to ``ksize``), ``pad``.

    The gradient nodes of a pooling read its geometry (and max pooling's
    indexes) from the pooling node itself, so each is written once here.
    """

    name = 'Pooling2D'        # the function: in every message, and first in the label
    has_cover_all = True      # whether the advice for a bad stride may offer cover_all

    def __init__(self, ksize, stride=None, pad=0, cover_all=True):
        # Checked here, where they are given: ints or pairs of ints, named in the message.
        self.kh, self.kw = pair(ksize, self.name, 'ksize', 1)
        self.sy, self.sx = (self.kh, self.kw) if stride is None else \
            pair(stride, self.name, 'stride', 1)
        self.ph, self.pw = pair(pad, self.name, 'pad', 0)
        self.cover_all = cover_all

    @property
    def check_name(self):
        return self.name

    @property
    def label(self):
        text = '{} {}x{} s{}'.format(self.name, self.kh, self.kw, pair_text(self.sy, self.sx))
        if (self.ph, self.pw) != (0, 0):
            text += ' p{}'.format(pair_text(self.ph, self.pw))
        return text

    def check_type_forward(self, in_types):
        # Only validates: forward computes the output size itself.
        type_check.argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.ndim == 4, x_type.dtype.kind == 'f')
        # Only light mode gets here (a failed expect raised above): x is the array.
        x, = in_types
        conv_outsize_checked(
            self.name, x.shape[2], x.shape[3], self.kh, self.kw, self.sy, self.sx,
            self.ph, self.pw, self.cover_all, has_cover_all=self.has_cover_all)
