"""Turn a list of examples (a mini-batch) into arrays: ``concat_examples``."""
import numpy

from minigrad import backend


def to_device(device, x):
    """``x`` sent to ``device``, as ``chainer.dataset.to_device``; None leaves it where it is.

    Args:
        device: None, or any spec :func:`minigrad.get_device` takes (a
            Device, ``'@numpy'``, a negative int; a GPU fails clearly).
        x: an array.
    """
    if device is None:
        return x
    return backend.get_device(device).send(x)


def concat_examples(batch, device=None, padding=None):
    """Stack a list of examples into arrays, field by field.

    * examples that are tuples, ``[(x0, t0), (x1, t1), ...]``, give a tuple
      of arrays ``(stack([x0, x1, ...]), stack([t0, t1, ...]))``;
    * examples that are dicts give a dict of stacked arrays;
    * examples that are arrays (or scalars) give one stacked array.

    Each stacked array has shape ``(N,) + example shape`` and the examples'
    dtype (NumPy scalars such as ``numpy.int32`` labels keep theirs).

    Args:
        batch (list): the examples, all of the same structure.
        device: where to put the arrays (only the CPU: see :func:`to_device`).
        padding: None to require equal shapes; otherwise a value (or a
            tuple/dict of values, one per field) to fill arrays of different
            shapes up to the largest size in every dimension.

    Returns:
        tuple, dict or numpy.ndarray: the batch as arrays.
    """
    if len(batch) == 0:
        raise ValueError('concat_examples: expect a non-empty batch, actual an empty one')
    first = batch[0]
    if isinstance(first, tuple):
        if not isinstance(padding, tuple):
            padding = (padding,) * len(first)
        elif len(padding) != len(first):
            raise ValueError('concat_examples: expect one padding value per field ({}), actual {}'
                             .format(len(first), len(padding)))
        return tuple(to_device(device, _concat_arrays([example[i] for example in batch], padding[i]))
                     for i in range(len(first)))
    if isinstance(first, dict):
        if not isinstance(padding, dict):
            padding = {key: padding for key in first}
        return {key: to_device(device, _concat_arrays([example[key] for example in batch],
                                                      padding[key]))
                for key in first}
    return to_device(device, _concat_arrays(batch, padding))


def _concat_arrays(arrays, padding):
    if not isinstance(arrays[0], numpy.ndarray):
        arrays = numpy.asarray(arrays)      # scalars (labels): one array of them
        if padding is None:
            return arrays
    if padding is not None:
        return _concat_arrays_with_padding(arrays, padding)
    shape = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise ValueError('concat_examples: expect every example of a field to have shape {} '
                             '(or pass padding=), actual example {} has shape {}'
                             .format(shape, i, a.shape))
    return numpy.stack(arrays)


def _concat_arrays_with_padding(arrays, padding):
    shape = numpy.array(arrays[0].shape, dtype=int)
    for a in arrays[1:]:
        if a.ndim != len(shape):
            raise ValueError('concat_examples: padding needs examples of the same ndim {}, actual {}'
                             .format(len(shape), a.ndim))
        numpy.maximum(shape, a.shape, out=shape)
    result = numpy.full((len(arrays),) + tuple(shape), padding, dtype=arrays[0].dtype)
    for i, a in enumerate(arrays):     # examples differ in shape: one copy each
        result[(i,) + tuple(slice(d) for d in a.shape)] = a
    return result
