"""TimerHook: where the time of a pass goes, function by function."""
import sys
import time

from minigrad.core import FunctionHook

_UNITS = {'sec': 1, 'ms': 10 ** 3, 'us': 10 ** 6, 'ns': 10 ** 9}


class TimerHook(FunctionHook):
    """Time every function applied inside ``with hook:``, as Chainer's ``TimerHook``.

    A function's time runs from just before its ``forward`` to when its
    outputs have joined the graph.  Backward passes are timed too, as the
    functions they apply: the gradient of a convolution shows as
    ``Deconvolution2D`` (its ``gx``) and ``Convolution2DGradW`` (its ``gW``),
    that of a max pooling as ``MaxPooling2DGrad``.  What no function does
    (the optimizer's update, Python around the calls) is not in the report::

        hook = TimerHook()
        with hook:
            loss = model(x, t)
            loss.backward()
        hook.print_report()

    Attributes:
        call_history (list): ``(function name, seconds)`` per call, in order.
    """

    name = 'TimerHook'
    table = _UNITS

    def __init__(self):
        self.call_history = []
        self._starts = []
        self._total_time = 0.0

    def forward_preprocess(self, function, in_data):
        self._starts.append(time.perf_counter())

    def forward_postprocess(self, function, in_data):
        seconds = time.perf_counter() - self._starts.pop()
        self.call_history.append((type(function).__name__, seconds))
        if not self._starts:        # a call inside another is already in the outer one's time
            self._total_time += seconds

    def total_time(self):
        """Seconds spent in the timed functions (calls inside others counted once)."""
        return self._total_time

    def summary(self):
        """``{function name: {'elapsed_time': seconds, 'occurrence': calls}}``, in order of first call."""
        summary = {}
        for name, seconds in self.call_history:
            record = summary.setdefault(name, {'elapsed_time': 0.0, 'occurrence': 0})
            record['elapsed_time'] += seconds
            record['occurrence'] += 1
        return summary

    @staticmethod
    def _unit_for(seconds):
        """The largest unit in which ``seconds`` is at least 1 (ns below a microsecond)."""
        for unit in ('sec', 'ms', 'us'):
            if seconds * _UNITS[unit] >= 1:
                return unit
        return 'ns'

    def print_report(self, unit='auto', file=sys.stdout):
        """Print one line per function: its name, total time and number of calls.

        Args:
            unit (str): ``'sec'``, ``'ms'``, ``'us'``, ``'ns'``; ``'auto'``
                (the unit that suits the largest time, for every line) or
                ``'auto_foreach'`` (a unit for each line).
            file: where to write (standard output by default).
        """
        if unit not in _UNITS and unit not in ('auto', 'auto_foreach'):
            raise ValueError("TimerHook.print_report: expect unit in 'sec', 'ms', 'us', 'ns', "
                             "'auto', 'auto_foreach', actual {!r}".format(unit))
        summary = self.summary()
        if unit == 'auto':
            unit = self._unit_for(max((r['elapsed_time'] for r in summary.values()), default=0))
        rows = [('FunctionName', 'ElapsedTime', 'Occurrence')]
        for name, record in summary.items():
            shown = self._unit_for(record['elapsed_time']) if unit == 'auto_foreach' else unit
            rows.append((name, '{:3.2f}{}'.format(record['elapsed_time'] * _UNITS[shown], shown),
                         str(record['occurrence'])))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            file.write('  '.join(cell.rjust(width) for cell, width in zip(row, widths)) + '\n')
        if hasattr(file, 'flush'):
            file.flush()
