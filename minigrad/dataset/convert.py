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
            shapes up to the largest size in every dimension.  Arrays of
            any dtype are padded (the stacked dtype is ``numpy.stack``'s);
            a value the dtype cannot hold (-1 in ``uint8``, 0.5 in ``int32``)
            is a ValueError.  Scalar fields (integer labels) are stacked as
            they are, padding or not.

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
        return tuple(to_device(device, _concat_arrays([example[i] for example in batch],
                                                      padding[i], i))
                     for i in range(len(first)))
    if isinstance(first, dict):
        if not isinstance(padding, dict):
            padding = {key: padding for key in first}
        return {key: to_device(device, _concat_arrays([example[key] for example in batch],
                                                      padding[key], key))
                for key in first}
    return to_device(device, _concat_arrays(batch, padding))


def _concat_arrays(arrays, padding, field=None):
    if not isinstance(arrays[0], numpy.ndarray):
        # Scalars (labels): one array of them, with their dtype; nothing to pad.
        return numpy.asarray(arrays)
    shape = arrays[0].shape
    if padding is not None and any(a.shape != shape for a in arrays):
        return _concat_arrays_with_padding(arrays, padding, field)
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise ValueError('concat_examples: expect every one of {} to have shape {} '
                             '(or pass padding=), actual example {} has shape {}'
                             .format(_field_text(field), shape, i, a.shape))
    return numpy.stack(arrays)


def _field_text(field):
    return 'the examples' if field is None else 'field {!r}'.format(field)


def _concat_arrays_with_padding(arrays, padding, field):
    """Stack arrays of one ndim but different shapes into the smallest array that holds
    each, filling the rest with ``padding``; the dtype is that ``numpy.stack`` would give."""
    ndim = arrays[0].ndim
    for i, a in enumerate(arrays):
        if a.ndim != ndim:
            raise ValueError('concat_examples: padding needs the examples of {} to have one ndim '
                             '{}, actual example {} has shape {}'
                             .format(_field_text(field), ndim, i, a.shape))
    shape = tuple(max(sizes) for sizes in zip(*(a.shape for a in arrays)))
    dtype = numpy.result_type(*arrays)
    result = numpy.full((len(arrays),) + shape, _padding_value(padding, dtype, field), dtype=dtype)
    for i, a in enumerate(arrays):     # examples differ in shape: one copy each
        result[(i,) + tuple(slice(d) for d in a.shape)] = a
    return result


def _padding_value(padding, dtype, field):
    """``padding`` as a scalar of ``dtype``, or a ValueError if it would change on the way.

    -1 in ``uint8`` (255), 0.5 in ``int32`` (0), 2 in ``bool`` (True), 1e6 in
    ``float16`` (inf) would pad with something else than asked; a float pad
    that only rounds (0.1 in float32) is fine.
    """
    def refuse(why):
        raise ValueError('concat_examples: expect padding to be a value of the dtype {} of {}, '
                         'actual {!r} ({})'.format(dtype, _field_text(field), padding, why))

    given = numpy.asarray(padding)
    if dtype.kind in 'biufc' and given.dtype.kind not in 'biufc':
        refuse('not a number')
    try:
        with numpy.errstate(over='ignore', invalid='ignore'):
            value = numpy.array(padding, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as error:
        refuse(error)
    if value.ndim != 0:
        refuse('not a scalar')
    if dtype.kind in 'US' and value != given.astype(dtype.kind):
        refuse('it would become {!r}'.format(value.item()))        # cut to the dtype's length
    if dtype.kind in 'biufc':
        if dtype.kind in 'fc':
            same = numpy.isfinite(value) or not numpy.isfinite(given)
        else:
            with numpy.errstate(invalid='ignore'):
                same = bool(value == given)
        if not same:
            refuse('it would become {!r}'.format(value.item()))
    return value


