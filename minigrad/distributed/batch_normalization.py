"""Batch normalization over the batches of all ranks at once.

With plain BatchNormalization each rank normalizes by the statistics of its
own share of the batch: ``size`` ranks with ``B`` examples each do not train
the model one process would train with ``size * B``.  Here the per-channel
sums are added over the ranks (one small ``Allreduce`` each), so the mean
and variance are those of the whole global batch::

    mean = sum_r sum_{i in r} x_i / M          M = the values per channel on all ranks
    var  = sum_r sum_{i in r} (x_i - mean)^2 / M
    y    = gamma (x - mean) / sqrt(var + eps) + beta

Backward needs the same global sums of ``gy`` and ``gy * x_hat``::

    gx = gamma / sqrt(var + eps) * (gy - (sum gy + x_hat * sum gy x_hat) / M)

and each rank keeps its local ``ggamma``, ``gbeta``: the multi-node
optimizer averages them with the other gradients.
"""
import copy

import numpy

from minigrad import type_check
from minigrad.configuration import config
from minigrad.core import FunctionNode
from minigrad.link import ChainList
from minigrad.links.normalization.batch_normalization import BatchNormalization


def _channels(a):
    """``(N, C, ...)`` viewed as ``(N, C, rest)``: per-channel sums are over axes 0 and 2."""
    return a.reshape(a.shape[0], a.shape[1], -1)


class MultiNodeBatchNormalizationFunction(FunctionNode):
    """Batch normalization with the statistics of every rank's batch; channels on axis 1."""

    def __init__(self, comm, eps=2e-5, running_mean=None, running_var=None, decay=0.9):
        self.comm = comm
        self.eps = float(eps)
        self.decay = float(decay)
        self.running_mean = running_mean
        self.running_var = running_var

    @property
    def label(self):
        return 'MultiNodeBatchNormalization eps={}'.format(self.eps)

    def check_type_forward(self, in_types):
        type_check.argname(in_types, ('x', 'gamma', 'beta'))
        x_type, gamma_type, beta_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.ndim >= 2,
            gamma_type.ndim == 1,
            gamma_type.shape[0] == x_type.shape[1],
            beta_type.shape == gamma_type.shape,
            gamma_type.dtype == x_type.dtype,
            beta_type.dtype == x_type.dtype,
        )

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gamma, beta = inputs
        xv = _channels(x)
        # Two passes, as BatchNormalization: the global mean, then the deviations' global mean
        # square.  Sums are taken in x's dtype and added over the ranks in float64.
        local = numpy.append(xv.sum(axis=(0, 2)), xv.shape[0] * xv.shape[2])
        total = self.comm.allreduce(local.astype(numpy.float64))
        m = self.m = total[-1]
        mean = (total[:-1] / m).astype(x.dtype)
        y = xv - mean[:, None]          # the deviations, then, in place, the output
        var = self.comm.allreduce(numpy.einsum('ncb,ncb->c', y, y).astype(numpy.float64)) / m
        inv_std = (1.0 / numpy.sqrt(var + self.eps)).astype(x.dtype)
        y *= (gamma * inv_std)[:, None]
        y += beta[:, None]
        if self.running_mean is not None:
            self.running_mean *= self.decay
            self.running_mean += (1 - self.decay) * mean
        if self.running_var is not None:
            adjust = m / max(m - 1, 1)      # the running variance is unbiased
            self.running_var *= self.decay
            self.running_var += ((1 - self.decay) * adjust * var).astype(x.dtype)
        self.mean, self.inv_std = mean, inv_std
        return y.reshape(x.shape),

    def backward(self, indexes, grad_outputs):
        x, gamma = self.get_retained_inputs()
        grad = MultiNodeBatchNormalizationGrad(self.comm, self.mean, self.inv_std, self.m)
        return grad.apply((x, gamma, grad_outputs[0]))


class MultiNodeBatchNormalizationGrad(FunctionNode):
    """``(x, gamma, gy) -> (gx, ggamma, gbeta)``, with ``gx`` from the sums over every rank.

    Every rank calls it once per backward (it holds an ``Allreduce``).  Its
    own backward (second derivatives) is not implemented.
    """

    def __init__(self, comm, mean, inv_std, m):
        self.comm = comm
        self.mean, self.inv_std, self.m = mean, inv_std, m

    def forward(self, inputs):
        x, gamma, gy = inputs
        gyv = _channels(gy)
        x_hat = _channels(x) - self.mean[:, None]
        x_hat *= self.inv_std[:, None]
        gbeta = gyv.sum(axis=(0, 2))
        ggamma = numpy.einsum('ncb,ncb->c', gyv, x_hat)
        total = self.comm.allreduce(numpy.concatenate([gbeta, ggamma]).astype(numpy.float64))
        total /= self.m
        c = len(gbeta)
        mean_gy, mean_gy_x_hat = total[:c].astype(x.dtype), total[c:].astype(x.dtype)
        gx = x_hat          # in place: gx = gamma inv_std (gy - mean(gy) - x_hat mean(gy x_hat))
        gx *= -mean_gy_x_hat[:, None]
        gx += gyv
        gx -= mean_gy[:, None]
        gx *= (gamma * self.inv_std)[:, None]
        return gx.reshape(x.shape), ggamma, gbeta

    def backward(self, indexes, grad_outputs):
        raise NotImplementedError('MultiNodeBatchNormalization is differentiable once: its '
                                  'second derivatives are not implemented')


class MultiNodeBatchNormalization(BatchNormalization):
    """A BatchNormalization layer whose training statistics span every rank's batch.

    In testing (``config.train`` False) it is a plain BatchNormalization on
    its running averages, which are the same on every rank (they are
    updated from the global statistics).  Channels are on axis 1: inputs
    ``(N, C)`` or ``(N, C, H, W)``.

    Args:
        size (int or None): the channel count ``C`` (None: from the first batch).
        comm (MpiCommunicator): the ranks sharing the statistics.
        decay, eps, dtype, use_gamma, use_beta, initial_gamma, initial_beta,
        initial_avg_mean, initial_avg_var: as in BatchNormalization.
    """

    def __init__(self, size, comm, decay=0.9, eps=2e-5, dtype=numpy.float32, use_gamma=True,
                 use_beta=True, initial_gamma=None, initial_beta=None, initial_avg_mean=None,
                 initial_avg_var=None):
        super().__init__(size, decay=decay, eps=eps, dtype=dtype, use_gamma=use_gamma,
                         use_beta=use_beta, initial_gamma=initial_gamma, initial_beta=initial_beta,
                         initial_avg_mean=initial_avg_mean, initial_avg_var=initial_avg_var)
        self.comm = comm

    def forward(self, x, test=None, finetune=False):
        train = config.train if test is None else not test
        if not train:
            return super().forward(x, test=True)
        if self.avg_mean is None:
            self._initialize_params(self._param_shape(x))
        shape = self.avg_mean.shape
        gamma = self.gamma if self.gamma is not None else numpy.ones(shape, dtype=self._dtype)
        beta = self.beta if self.beta is not None else numpy.zeros(shape, dtype=self._dtype)
        if finetune:
            self.N += 1
            decay = 1.0 - 1.0 / self.N
        else:
            decay = self.decay
        node = MultiNodeBatchNormalizationFunction(self.comm, self.eps, self.avg_mean,
                                                   self.avg_var, decay)
        return node.apply((x, gamma, beta))[0]


def create_mnbn_model(link, comm):
    """A copy of ``link`` with every BatchNormalization replaced by a MultiNodeBatchNormalization.

    The new layers take over the old ones' parameters, running averages and
    settings; the rest of the model is copied as it is.
    """
    model = copy.deepcopy(link)
    if isinstance(model, BatchNormalization):
        return _to_mnbn(model, comm)
    for _, parent in list(model.namedlinks()):
        for name, child in parent._child_items():
            if isinstance(child, BatchNormalization) and not isinstance(
                    child, MultiNodeBatchNormalization):
                _replace_child(parent, name, child, _to_mnbn(child, comm))
    return model


def _to_mnbn(bn, comm):
    if bn.axis is not None:
        raise ValueError('create_mnbn_model: MultiNodeBatchNormalization normalizes over every '
                         'axis but 1; this BatchNormalization has axis={}'.format(bn.axis))
    size = None if bn.avg_mean is None else bn.avg_mean.shape[0]
    mnbn = MultiNodeBatchNormalization(size, comm, decay=bn.decay, eps=bn.eps, dtype=bn._dtype,
                                       use_gamma=bn.gamma is not None, use_beta=bn.beta is not None)
    mnbn.copyparams(bn)
    mnbn.N = bn.N
    return mnbn


def _replace_child(parent, name, old, new):
    if isinstance(parent, ChainList):   # numbered children (a Sequential also lists its layers)
        new.name = old.name
        for registry in ('_children', '_layers'):
            items = parent.__dict__.get(registry, [])
            items[:] = [new if item is old else item for item in items]
    else:
        with parent.init_scope():       # a Chain: the replacement keeps its place
            setattr(parent, name, new)
