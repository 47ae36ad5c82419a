"""ParameterStatistics: report statistics (mean, std, percentiles...) of parameters and gradients."""
import numpy

from minigrad import reporter as reporter_module
from minigrad.training import extension
from minigrad.training import util


def _percentiles(x):
    # The mean and +-1, 2, 3 standard deviations of a normal distribution.
    return numpy.percentile(x, (0.13, 2.28, 15.87, 50, 84.13, 97.72, 99.87))


_default_statistics = {
    'mean': numpy.mean,
    'std': numpy.std,
    'min': numpy.min,
    'max': numpy.max,
    'zeros': lambda x: numpy.count_nonzero(x == 0),
    'percentile': _percentiles,
}


class ParameterStatistics(extension.Extension):
    """Report statistics of every parameter of the given links, averaged over an interval.

    Each call computes every statistic of every parameter's values
    (``data``) and gradients (``grad``), flattened to 1-d, and adds them to
    running means; when ``trigger`` fires the means are reported under
    ``{prefix/}{link name}{parameter path}/{data|grad}/{statistic}``, e.g.
    ``None/predictor/l1/W/data/mean`` (an unnamed top-level link is
    ``None``, as in Chainer).  A statistic that returns several numbers
    (``percentile``) is reported as ``.../percentile/0``, ``/1``...
    Parameters not yet initialized, and gradients not yet computed, are
    skipped.

    Args:
        links (Link or list of Links): the links to watch.
        statistics (dict or 'default'): ``{name: f}`` with ``f`` taking a
            1-d array and returning a number or an array of numbers;
            ``'default'`` is mean, std, min, max, zeros and percentile.
        report_params (bool): report statistics of the values.
        report_grads (bool): report statistics of the gradients.
        prefix (str): prepended to every key (with a ``/``).
        trigger: the reporting interval, e.g. ``(1, 'epoch')``.
        skip_nan_params (bool): report NaN for an array holding NaN instead
            of computing its statistics.
    """

    default_name = 'parameter_statistics'
    priority = extension.PRIORITY_WRITER
    report_key_template = '{prefix}{link_name}{param_name}/{attr_name}/{function_name}'
    default_statistics = _default_statistics

    def __init__(self, links, statistics='default', report_params=True, report_grads=True,
                 prefix=None, trigger=(1, 'epoch'), skip_nan_params=False):
        self._links = tuple(links) if isinstance(links, (list, tuple)) else (links,)
        if statistics is None:
            statistics = {}
        elif isinstance(statistics, str) and statistics == 'default':
            statistics = self.default_statistics
        self._statistics = dict(statistics)
        self._attrs = [attr for attr, on in (('data', report_params), ('grad', report_grads)) if on]
        self._prefix = prefix
        self._trigger = util.get_trigger(trigger)
        self._skip_nan_params = skip_nan_params
        self._summary = reporter_module.DictSummary()

    def register_statistics(self, name, function):
        """Add the statistic ``function(1-d array)`` under ``name``."""
        self._statistics[name] = function

    def __call__(self, trainer):
        statistics = {}
        prefix = self._prefix + '/' if self._prefix else ''
        for link in self._links:
            link_name = getattr(link, 'name', 'None')
            for param_name, param in link.namedparams():
                for attr_name in self._attrs:
                    array = getattr(param, attr_name)
                    if array is None:
                        continue
                    array = array.ravel()
                    has_nan = self._skip_nan_params and numpy.isnan(array).any()
                    for function_name, function in self._statistics.items():
                        key = self.report_key_template.format(
                            prefix=prefix, link_name=link_name, param_name=param_name,
                            attr_name=attr_name, function_name=function_name)
                        value = numpy.nan if has_nan else function(array)
                        if numpy.size(value) > 1:
                            statistics.update(('{}/{}'.format(key, i), v)
                                              for i, v in enumerate(numpy.ravel(value)))
                        else:
                            statistics[key] = numpy.ravel(value)[0]
        self._summary.add(statistics)
        if self._trigger(trainer):
            reporter_module.report(self._summary.compute_mean())
            self._summary = reporter_module.DictSummary()
