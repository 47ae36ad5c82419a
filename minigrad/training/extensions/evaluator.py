"""Evaluator: run the model over a validation set and report the means."""
import copy
import warnings

from minigrad import reporter as reporter_module
from minigrad.configuration import no_backprop_mode, using_config
from minigrad.dataset.convert import concat_examples
from minigrad.dataset.iterator import Iterator
from minigrad.training import extension
from minigrad.training.updaters.standard_updater import call_converter, resolve_device


class Evaluator(extension.Extension):
    """Evaluate the target on every batch of a validation iterator and report the means.

    Every call (once an epoch by default) it:

    1. resets the iterator (or copies it, if it cannot be reset), so each
       evaluation sees the whole set from its start;
    2. calls ``eval_func(*in_arrays)`` (the target by default) on every
       batch with ``config.train = False`` (dropout off, batch
       normalization on its running averages) and no graph recorded
       (``no_backprop_mode``);
    3. reports the mean of each value the target reported, over batches,
       with the extension's name as prefix: a Classifier's ``loss``
       becomes ``validation/main/loss``.

    The iterator must not repeat (``repeat=False``), or evaluation never
    ends (a warning says so).  The mean is over batches, as in Chainer: a
    smaller last batch weighs as much as a full one.

    Args:
        iterator: the validation iterator, or a dict with ``'main'``.
        target (Link): the model, or a dict of Links with ``'main'``.
        converter (callable): ``converter(batch, device)`` to arrays.
        device: where the converter sends the batches (``-1``,
            ``'@numpy'``, a Device); a plain converter function gets ``-1``
            for the CPU, as in Chainer.
        eval_hook (callable): ``eval_hook(evaluator)`` before each evaluation.
        eval_func (callable): what to call on each batch; None means the
            ``'main'`` target.

    Returns (of a call):
        dict: ``{'validation/main/loss': mean, ...}``.
    """

    trigger = 1, 'epoch'
    default_name = 'validation'
    priority = extension.PRIORITY_WRITER
    name = None

    def __init__(self, iterator, target, converter=concat_examples, device=None,
                 eval_hook=None, eval_func=None):
        if isinstance(iterator, Iterator) or not isinstance(iterator, dict):
            iterator = {'main': iterator}
        if not isinstance(target, dict):
            target = {'main': target}
        self._iterators = iterator
        self._targets = target
        self.converter = converter
        self.device = resolve_device('Evaluator', 'device', device)
        self.eval_hook = eval_hook
        self.eval_func = eval_func
        for name, it in iterator.items():
            if getattr(it, 'repeat', False):
                warnings.warn('Evaluator: the iterator {!r} repeats (repeat=True), so evaluation '
                              'would never end; create it with repeat=False'.format(name))

    def get_iterator(self, name):
        return self._iterators[name]

    def get_all_iterators(self):
        return dict(self._iterators)

    def get_target(self, name):
        return self._targets[name]

    def get_all_targets(self):
        return dict(self._targets)

    def __call__(self, trainer=None):
        """Evaluate, report the results to the current reporter, and return them."""
        reporter = reporter_module.Reporter()
        prefix = '' if self.name is None else self.name + '/'
        for name, target in self._targets.items():
            reporter.add_observer(prefix + name, target)
            namedlinks = getattr(target, 'namedlinks', None)
            if namedlinks is not None:
                reporter.add_observers(prefix + name, namedlinks(skipself=True))
        with reporter, using_config('train', False):
            result = self.evaluate()
        reporter_module.report(result)
        return result

    def evaluate(self):
        """Run over the whole iterator; the means of what was reported, per key."""
        iterator = self._iterators['main']
        eval_func = self.eval_func or self._targets['main']
        if self.eval_hook:
            self.eval_hook(self)
        if hasattr(iterator, 'reset'):
            iterator.reset()
            it = iterator
        else:
            it = copy.copy(iterator)
        summary = reporter_module.DictSummary()
        for batch in it:
            observation = {}
            with reporter_module.report_scope(observation):
                in_arrays = call_converter(self.converter, batch, self.device)
                with no_backprop_mode():
                    if isinstance(in_arrays, tuple):
                        eval_func(*in_arrays)
                    elif isinstance(in_arrays, dict):
                        eval_func(**in_arrays)
                    else:
                        eval_func(in_arrays)
            summary.add(observation)
        return summary.compute_mean()

    def finalize(self):
        for iterator in self._iterators.values():
            iterator.finalize()
