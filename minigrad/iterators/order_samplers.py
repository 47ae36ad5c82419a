"""Order samplers: how an iterator orders the examples of each epoch."""
import numpy


class OrderSampler:
    """Base class: ``sampler(current_order, current_position)`` returns the next epoch's order.

    The order is a 1-D integer array of dataset indices; its length is the
    epoch size and must not change between epochs.
    """

    def __call__(self, current_order, current_position):
        raise NotImplementedError


class ShuffleOrderSampler(OrderSampler):
    """A fresh random permutation every epoch.

    Args:
        random_state (numpy.random.RandomState): the generator; None uses
            NumPy's global one, so ``numpy.random.seed`` makes runs reproducible.
    """

    def __init__(self, random_state=None):
        self._random = random_state

    def __call__(self, current_order, current_position):
        random = self._random if self._random is not None else numpy.random
        return random.permutation(len(current_order))

    def serialize(self, serializer):
        """Save or load the state of the sampler's own generator, so that a run
        resumed from a snapshot shuffles as the uninterrupted one would.

        With NumPy's global generator there is nothing to keep here: the
        trainer's snapshot saves the global state itself.
        """
        if self._random is None:
            return
        kind, keys, pos, has_gauss, cached = self._random.get_state()
        keys = serializer('keys', keys)
        rest = serializer('rest', numpy.array([pos, has_gauss, cached], dtype=numpy.float64))
        if keys is not None and rest is not None:
            self._random.set_state((kind, numpy.asarray(keys, dtype=numpy.uint32),
                                    int(rest[0]), int(rest[1]), float(rest[2])))
