"""A table of a model's layers: path, type, output shape and parameter count.

``print(minigrad.summary(model, x))`` runs ``model(x)`` once, in test mode
(``config.train`` False) and without recording a graph, notes what every
Link returned, and lists::

    Layer      Type                Output shape       Param #
    ========================================================
    /          AlexBN              ()                       0
    /conv1     Convolution2D       (2, 96, 55, 55)     34,944
    /bn1       BatchNormalization  (2, 96, 55, 55)        192
    ...
    ========================================================
    Total params: 62,379,048
    Trainable params: 62,379,048
    Non-trainable params: 0

Parameters created lazily (``L.Linear(None, 4096)``) exist after that one
call, so the counts are complete.
"""
import copy
import threading

import numpy

from minigrad import type_check
from minigrad.configuration import no_backprop_mode, using_config
from minigrad.core import Variable
from minigrad.link import Link

_state = threading.local()      # the recorder of the summary running in this thread
_recording_classes = {}         # Link class -> its recording subclass


def _recording_class(cls):
    """A subclass of ``cls`` whose ``__call__`` also tells the active recorder what it returned.

    Swapping an instance's ``__class__`` for this subclass during a summary
    catches every way a Link can be called, the v2 ``forward`` and the v1
    ``__call__`` override alike, without touching ``cls`` (other instances
    and threads are unaffected).
    """
    sub = _recording_classes.get(cls)
    if sub is None:
        def __call__(self, *args, **kwargs):
            out = cls.__call__(self, *args, **kwargs)
            recorder = getattr(_state, 'recorder', None)
            if recorder is not None:
                recorder.setdefault(id(self), []).append(out)
            return out

        # cls.__call__ already runs inside link_scope(self): no second scope
        __call__._in_link_scope = True
        sub = type(cls.__name__, (cls,), {'__call__': __call__, '__module__': cls.__module__,
                                          '__qualname__': cls.__qualname__})
        _recording_classes[cls] = sub
    return sub


def _shape_text(out):
    """``(2, 96, 55, 55)`` for an array or Variable; tuples, lists and dicts item by item."""
    if isinstance(out, (Variable, numpy.ndarray, numpy.generic)):
        return str(tuple(out.shape)) if out.shape != () else '()'
    if isinstance(out, (tuple, list)):
        return '[{}]'.format(', '.join(_shape_text(o) for o in out))
    if isinstance(out, dict):
        return '{{{}}}'.format(', '.join('{}: {}'.format(k, _shape_text(v)) for k, v in out.items()))
    if out is None:
        return 'None'
    return type(out).__name__


class Summary(str):
    """The summary table: a ``str`` (print it) that also keeps the numbers.

    Attributes:
        rows (list of dict): one per Link, in ``namedlinks()`` order, with
            ``path``, ``type``, ``output_shape`` (text; ``-`` if the Link was
            not called, several shapes joined if it was called more than
            once) and ``params`` (the scalars in the Link's own parameters,
            not its children's; None if one of them is still uninitialized).
        total_params (int): all initialized parameters.
        trainable_params (int): those an optimizer updates (``update_enabled``).
        non_trainable_params (int): the frozen ones (``disable_update()``).
        uninitialized (list of str): paths of parameters with no data yet.
    """

    def __repr__(self):
        return str(self)


def summary(model, *example_inputs, **kwargs):
    """Summarize a model as a table of its Links, running it once on example inputs.

    The model is called as ``model(*example_inputs, **kwargs)`` with
    ``config.train`` False and back-propagation off (no graph is kept), and
    each Link's output shape is recorded.  Persistent values (batch
    normalization's running averages) are restored afterwards, so a v1
    model that normalizes with batch statistics regardless of
    ``config.train`` is left as it was.  With no example inputs the model
    is not run: output shapes show ``-`` and lazily created parameters are
    reported as uninitialized.

    Each row shows a Link's path (``/conv1``; ``/`` is the model), its
    class, its output shape and the number of scalars in its *own*
    parameters, so that the column sums to the total.

    Args:
        model (~minigrad.Link): the model.
        *example_inputs: the positional arguments of one call, e.g. an
            ``(N, C, H, W)`` batch (and labels ``t`` for AlexBN).
        **kwargs: keyword arguments of the call.

    Returns:
        Summary: the table as a ``str`` (``print`` it), with the counts as
        attributes (``total_params``, ``rows``, ...).

    Example:
        >>> model = minigrad.models.AlexBN()
        >>> x = numpy.zeros((1, 3, 227, 227), dtype=numpy.float32)
        >>> s = minigrad.summary(model, x, numpy.zeros(1, dtype=numpy.int32))
        >>> s.total_params
        62379048
    """
    type_check.require(isinstance(model, Link), 'summary', 'model to be a Link (Chain, ...)',
                       'model is a {}'.format(type(model).__name__))
    named = list(model.namedlinks())
    outputs = {}
    if example_inputs or kwargs:
        outputs = _run(model, named, example_inputs, kwargs)

    rows = []
    total = trainable = 0
    uninitialized = []
    counted = set()     # a shared parameter (tied weights) counts once in the totals
    for path, link in named:
        own = 0
        for name in link._params:
            param = link.__dict__[name]
            if param.data is None:
                uninitialized.append(('' if path == '/' else path) + '/' + name)
                own = None
                continue
            if own is not None:
                own += param.data.size
            if id(param) in counted:
                continue
            counted.add(id(param))
            total += param.data.size
            if param.update_enabled:
                trainable += param.data.size
        outs = outputs.get(id(link))
        rows.append({'path': path, 'type': type(link).__name__,
                     'output_shape': '-' if not outs else ', '.join(_shape_text(o) for o in outs),
                     'params': own})

    text = _format(rows, total, trainable, uninitialized)
    result = Summary(text)
    result.rows = rows
    result.total_params = total
    result.trainable_params = trainable
    result.non_trainable_params = total - trainable
    result.uninitialized = uninitialized
    return result


def _run(model, named, args, kwargs):
    """Call the model once with every Link recording its outputs; ``{id(link): [outputs]}``."""
    links = list({id(link): link for _, link in named}.values())    # a shared Link once
    saved = [(link, name, copy.deepcopy(link.__dict__[name]))
             for link in links for name in link._persistent]
    classes = [type(link) for link in links]
    outer = getattr(_state, 'recorder', None)
    recorder = {}
    try:
        for link in links:
            link.__class__ = _recording_class(type(link))
        _state.recorder = recorder
        with no_backprop_mode(), using_config('train', False):
            model(*args, **kwargs)
    finally:
        _state.recorder = outer
        for link, cls in zip(links, classes):
            link.__class__ = cls
        for link, name, value in saved:
            # A value created by this very call (a lazily sized BN's averages) stays.
            if value is not None:
                object.__setattr__(link, name, value)
    return recorder


def _format(rows, total, trainable, uninitialized):
    header = ('Layer', 'Type', 'Output shape', 'Param #')
    cells = [(r['path'], r['type'], r['output_shape'],
              '?' if r['params'] is None else '{:,}'.format(r['params'])) for r in rows]
    widths = [max(len(c[i]) for c in [header] + cells) for i in range(4)]

    def line(c):
        return '  '.join([c[0].ljust(widths[0]), c[1].ljust(widths[1]), c[2].ljust(widths[2]),
                          c[3].rjust(widths[3])]).rstrip()

    rule_width = sum(widths) + 6
    lines = [line(header), '=' * rule_width]
    lines.extend(line(c) for c in cells)
    lines.append('=' * rule_width)
    lines.append('Total params: {:,}'.format(total))
    lines.append('Trainable params: {:,}'.format(trainable))
    lines.append('Non-trainable params: {:,}'.format(total - trainable))
    if uninitialized:
        lines.append('Uninitialized (not counted; run the model on an example input first): {}'
                     .format(', '.join(uninitialized)))
    return '\n'.join(lines)
