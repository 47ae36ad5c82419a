"""Order samplers: how an iterator orders the examples of each epoch."""
import numpy

from minigrad.utils import loading


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
        if not loading.is_loading(serializer):
            _, keys, pos, has_gauss, cached = self._random.get_state()
            serializer('keys', keys)
            serializer('rest', numpy.array([pos, has_gauss, cached], dtype=numpy.float64))
            return
        keys, rest = loading.read(serializer, 'keys'), loading.read(serializer, 'rest')
        if keys is None or rest is None:        # load_npz's checking pass
            return
        name = type(self).__name__
        ok = rest.shape == (3,) and rest.dtype.kind in 'iuf' and numpy.isfinite(rest).all()
        ok = ok and rest[0] == int(rest[0]) and 0 <= rest[0] <= 624 and rest[1] in (0, 1)
        if not ok:
            raise loading.invalid(name, serializer, 'rest', 'to be [pos in [0, 624], has_gauss '
                                  '0 or 1, cached_gaussian]', loading.describe(rest))
        state = loading.mt19937_state(name, serializer, 'keys', keys, int(rest[0]), int(rest[1]),
                                      float(rest[2]))
        if not loading.is_checking(serializer):
            self._random.set_state(state)
