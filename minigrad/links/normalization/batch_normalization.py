"""The batch normalization layer."""
import copy

import numpy

import minigrad.functions as F
from minigrad import backend
from minigrad import initializers
from minigrad import type_check
from minigrad.configuration import config
from minigrad.core import Parameter
from minigrad.link import Link
from minigrad.optimizer import check_setting
from minigrad.utils.conv import check_int


class BatchNormalization(Link):
    """Batch normalization layer (Ioffe & Szegedy 2015).

    ``y = gamma * (x - mean) / sqrt(var + eps) + beta``, per channel.

    In training (``config.train`` True) ``mean`` and ``var`` are the
    statistics of the batch over every axis but the channel axis, and the
    running averages are updated in place::

        avg_mean = decay * avg_mean + (1 - decay) * mean
        avg_var  = decay * avg_var  + (1 - decay) * var * m / (m - 1)

    (``m`` values per channel: the running variance is unbiased).  In
    testing the running averages are used instead.

    Training needs more than one value per channel (``m >= 2``): a batch of
    one ``(1, C)`` example raises, as in PyTorch, instead of pulling the
    running variance to 0.  An empty batch leaves the averages untouched.

    Attributes:
        gamma (Parameter): scale, ones by default (None if ``use_gamma`` is False).
        beta (Parameter): shift, zeros by default (None if ``use_beta`` is False).
        avg_mean, avg_var (ndarray): persistent running averages.
        N (int): persistent count of fine-tuning steps (see ``finetune`` below).

    Args:
        size (int or tuple or None): the shape of ``gamma``: the channel
            count ``C`` for ``(N, C)`` or ``(N, C, H, W)`` inputs; None
            defers it to the first call.
        decay (float): the running averages' decay, in ``[0, 1]``.
        eps (float): added to the variance for stability; finite and ``> 0``.
        dtype: dtype of the parameters and averages (None: ``config.dtype``, float32).
        use_gamma, use_beta (bool): learn a scale / a shift.
        initial_gamma, initial_beta: initializers (default 1 and 0).
        axis (int or tuple of ints): the axes to normalize over
            (default: every axis but 1).
        initial_avg_mean, initial_avg_var: initializers of the averages
            (default 0 and 1).
    """

    def __init__(self, size=None, decay=0.9, eps=2e-5, dtype=None, use_gamma=True,
                 use_beta=True, initial_gamma=None, initial_beta=None, axis=None,
                 initial_avg_mean=None, initial_avg_var=None):
        super().__init__()
        self.decay = check_setting('BatchNormalization', 'decay', decay, 'closed_unit')
        self.eps = check_setting('BatchNormalization', 'eps', eps, 'positive')
        self._dtype = backend.get_dtype(dtype)    # None: config.dtype, as Chainer
        self.axis = (axis,) if isinstance(axis, int) else (None if axis is None else tuple(axis))
        self._initial_avg_mean = initial_avg_mean
        self._initial_avg_var = initial_avg_var
        self.avg_mean = None
        self.avg_var = None
        self.N = 0
        self.register_persistent('avg_mean')
        self.register_persistent('avg_var')
        self.register_persistent('N')
        with self.init_scope():
            self.gamma = Parameter(self._initializer(initial_gamma, 1)) if use_gamma else None
            self.beta = Parameter(self._initializer(initial_beta, 0)) if use_beta else None
        if size is not None:
            self._initialize_params(size)

    def _initializer(self, given, default):
        init = initializers._get_initializer(default if given is None else given)
        if isinstance(init, initializers.Initializer) and init.dtype is None:
            init = copy.copy(init)      # the caller's instance keeps its own dtype
            init.dtype = self._dtype
        return init

    def _initialize_params(self, shape):
        if isinstance(shape, (tuple, list)):
            shape = tuple(check_int(d, 'BatchNormalization', 'size[{}]'.format(i), 1)
                          for i, d in enumerate(shape))
        else:
            shape = (check_int(shape, 'BatchNormalization', 'size', 1),)
        self.avg_mean = initializers.generate_array(
            self._initializer(self._initial_avg_mean, 0), shape, self._dtype)
        self.avg_var = initializers.generate_array(
            self._initializer(self._initial_avg_var, 1), shape, self._dtype)
        if self.gamma is not None:
            self.gamma.initialize(shape)
        if self.beta is not None:
            self.beta.initialize(shape)

    @property
    def printable_specs(self):
        size = None if self.avg_mean is None else self.avg_mean.shape
        return (('size', size), ('decay', self.decay), ('eps', self.eps))

    def _param_shape(self, x):
        axis = self.axis if self.axis is not None else (0,) + tuple(range(2, x.ndim))
        return tuple(d for i, d in enumerate(x.shape) if i not in axis)

    def forward(self, x, test=None, finetune=False):
        """Normalize ``x``.

        Args:
            x (Variable or ndarray): ``(N, C)`` or ``(N, C, H, W)`` (channels on axis 1).
            test (bool or None): v1 style: True uses the running averages,
                False the batch statistics; None follows ``config.train``.
            finetune (bool): in training, accumulate the exact average of the
                batch statistics seen since :meth:`start_finetuning`:
                ``N += 1`` and ``decay = 1 - 1/N``.

        Returns:
            Variable: of ``x``'s shape.
        """
        if self.avg_mean is None:
            self._initialize_params(self._param_shape(x))
        shape = self._param_shape(x)
        type_check.require(shape == self.avg_mean.shape, 'BatchNormalization',
                           'x.shape without the normalized axes == {} (the size of gamma)'
                           .format(self.avg_mean.shape),
                           '{} (x.shape {})'.format(shape, tuple(x.shape)))
        gamma = self.gamma if self.gamma is not None else numpy.ones(shape, dtype=self._dtype)
        beta = self.beta if self.beta is not None else numpy.zeros(shape, dtype=self._dtype)
        train = config.train if test is None else not test
        axis = {} if self.axis is None else {'axis': self.axis}
        if train:
            if finetune:
                self.N += 1
                decay = 1.0 - 1.0 / self.N
            else:
                decay = self.decay
            return F.batch_normalization(x, gamma, beta, eps=self.eps, running_mean=self.avg_mean,
                                         running_var=self.avg_var, decay=decay, **axis)
        return F.fixed_batch_normalization(x, gamma, beta, self.avg_mean, self.avg_var,
                                           eps=self.eps, **axis)

    def start_finetuning(self):
        """Restart the exact averaging of ``finetune=True`` (sets ``N`` to 0)."""
        self.N = 0
