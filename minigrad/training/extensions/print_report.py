"""PrintReport: print the entries of a LogReport's log as a table, one row per entry."""
import sys

from minigrad import type_check
from minigrad.training import extension
from minigrad.training.extensions import log_report as log_report_module


def _isatty(out):
    isatty = getattr(out, 'isatty', None)
    try:
        return bool(isatty and isatty())
    except ValueError:      # a closed stream
        return False


class PrintReport(extension.Extension):
    """Print the chosen entries of a :class:`LogReport`'s log as columns, as Chainer does::

        epoch       main/loss   validation/main/loss  elapsed_time
        1           0.517       0.301                 1.2
        2           0.245       0.208                 2.4

    Each column is ``max(10, len(name))`` wide plus two spaces; numbers are
    printed with ``{:g}``; an entry missing from a row is left blank.  The
    header is printed at the first call, then every new log entry as soon
    as the LogReport has appended it.  On a terminal each row first clears
    the rest of the screen (``ESC[J``), erasing a :class:`ProgressBar`
    drawn below the table; elsewhere only plain text is written.

    Args:
        entries (list of str): the keys to print, e.g. ``['epoch', 'main/loss']``.
        log_report (str or LogReport): the name of the trainer's LogReport
            extension, or a LogReport this extension calls itself.
        out: the stream to write to.
    """

    def __init__(self, entries, log_report='LogReport', out=sys.stdout):
        type_check.require(not isinstance(entries, str), 'PrintReport',
                           "entries to be a list of keys such as ['epoch', 'main/loss']",
                           'entries == {!r} (a str)'.format(entries))
        self._entries = list(entries)
        self._log_report = log_report
        self._out = out
        self._log_len = 0    # how many log entries are printed already
        widths = [max(10, len(s)) for s in self._entries]
        self._header = ''.join('{:{w}}  '.format(s, w=w)
                               for s, w in zip(self._entries, widths)).rstrip() + '\n'
        self._templates = [(entry, '{:<%dg}  ' % w, ' ' * (w + 2))
                           for entry, w in zip(self._entries, widths)]

    def __call__(self, trainer):
        out = self._out
        if self._header:
            out.write(self._header)
            self._header = None
        log_report = self._log_report
        if isinstance(log_report, str):
            log_report = trainer.get_extension(log_report)
        elif isinstance(log_report, log_report_module.LogReport):
            log_report(trainer)
        else:
            raise TypeError('PrintReport: expect log_report to be a LogReport or the name of one, '
                            'actual {}'.format(type(log_report).__name__))
        log = log_report.log
        while len(log) > self._log_len:
            if _isatty(out):
                out.write('\033[J')
            self._print(log[self._log_len])
            self._log_len += 1

    def _print(self, entry):
        row = []
        for key, template, blank in self._templates:
            value = entry.get(key)
            if value is None:
                row.append(blank)
            elif isinstance(value, (int, float)):
                row.append(template.format(value))
            else:
                row.append(template.replace('g', 's').format(str(value)))
        self._out.write(''.join(row).rstrip() + '\n')
        if hasattr(self._out, 'flush'):
            self._out.flush()

    def serialize(self, serializer):
        if isinstance(self._log_report, log_report_module.LogReport):
            self._log_report.serialize(serializer['_log_report'])
