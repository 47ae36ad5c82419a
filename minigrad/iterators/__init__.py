"""Dataset iterators, as ``chainer.iterators``."""
from minigrad.iterators.serial_iterator import SerialIterator                   # NOQA
from minigrad.iterators.order_samplers import OrderSampler, ShuffleOrderSampler  # NOQA
