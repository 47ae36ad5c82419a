"""ProgressBar: how far training has come, and when it will end."""
import collections
import datetime
import sys
import time

from minigrad import type_check
from minigrad.training import extension
from minigrad.training.extensions.print_report import _isatty


class ProgressBar(extension.Extension):
    """Show the progress of training every ``update_interval`` iterations.

    On a terminal (``out.isatty()``) it draws Chainer's live bar below the
    printed log, redrawn in place::

             total [#######...........................................] 14.00%
        this epoch [###################################...............] 70.00%
               700 iter, 1 epoch / 10 epochs
            251.73 iters/sec. Estimated time to finish: 0:00:23.808000.

    Anywhere else (a log file, a pipe, a notebook capture) it writes one
    plain line per update, with no escape codes or carriage returns::

               700 iter, 1 epoch / 10 epochs, 14.00% total, 251.73 iters/sec, ETA 0:00:23

    Args:
        training_length (tuple): ``(length, unit)`` such as ``(10, 'epoch')``;
            None takes it from the trainer's stop trigger.
        update_interval (int): iterations between two updates of the display.
        bar_length (int): characters in each bar.
        out: the stream to write to.
    """

    def __init__(self, training_length=None, update_interval=100, bar_length=50, out=sys.stdout):
        if training_length is not None:
            type_check.require(isinstance(training_length, (tuple, list)) and len(training_length) == 2
                               and training_length[1] in ('epoch', 'iteration'), 'ProgressBar',
                               "training_length to be a pair such as (10, 'epoch')",
                               'training_length == {!r}'.format(training_length))
        type_check.expect_positive('ProgressBar', 'update_interval', update_interval)
        self._training_length = training_length
        self._update_interval = update_interval
        self._bar_length = bar_length
        self._out = out
        self._recent_timing = collections.deque(maxlen=100)
        self._drawn = False     # a live bar is on the screen (to erase at the end)

    def initialize(self, trainer):
        if self._training_length is None:
            get_length = getattr(trainer.stop_trigger, 'get_training_length', None)
            if get_length is None:
                raise TypeError('ProgressBar: cannot tell the training length from the stop trigger '
                                '{!r}; pass training_length=(length, unit)'.format(trainer.stop_trigger))
            self._training_length = tuple(get_length())

    def __call__(self, trainer):
        if self._training_length is None:
            self.initialize(trainer)
        updater = trainer.updater
        iteration = updater.iteration
        epoch_detail = updater.epoch_detail
        now = time.perf_counter()
        self._recent_timing.append((iteration, epoch_detail, now))
        if iteration % self._update_interval != 0:
            return
        length, unit = self._training_length
        rate = min((iteration if unit == 'iteration' else epoch_detail) / length, 1.0)
        speed, eta = self._speed_and_eta(iteration, epoch_detail, now)
        status = '{:10} iter, {} epoch / {} {}s'.format(iteration, updater.epoch, length, unit)
        if _isatty(self._out):
            self._draw(rate, epoch_detail - int(epoch_detail), status, speed, eta)
        else:
            self._out.write('{}, {:.2%} total, {:.5g} iters/sec, ETA {}\n'.format(
                status, rate, speed, _format_eta(eta, with_fraction=False)))
        if hasattr(self._out, 'flush'):
            self._out.flush()

    def _speed_and_eta(self, iteration, epoch_detail, now):
        """Iterations per second over the recent window, and the seconds left (inf if unknown)."""
        old_iteration, old_epoch, old_time = self._recent_timing[0]
        span = now - old_time
        if span <= 0 or iteration == old_iteration:
            return float('inf') if span <= 0 else 0.0, float('inf')
        speed_t = (iteration - old_iteration) / span
        length, unit = self._training_length
        if unit == 'iteration':
            left = (length - iteration) / speed_t
        else:
            speed_e = (epoch_detail - old_epoch) / span
            left = (length - epoch_detail) / speed_e if speed_e > 0 else float('inf')
        return speed_t, max(left, 0.0)

    def _draw(self, rate, epoch_rate, status, speed, eta):
        n = self._bar_length

        def bar(title, r):
            marks = '#' * int(r * n)
            return '{:>10} [{}{}] {:6.2%}\n'.format(title, marks, '.' * (n - len(marks)), r)

        lines = [bar('total', rate), bar('this epoch', epoch_rate), status + '\n',
                 '{:10.5g} iters/sec. Estimated time to finish: {}.\n'.format(speed, _format_eta(eta))]
        out = self._out
        out.write('\033[J')                          # clear the previous bar
        out.write(''.join(lines))
        out.write('\033[{:d}A'.format(len(lines)))    # back up, so the next text overwrites it
        self._drawn = True

    def finalize(self):
        if self._drawn:
            self._out.write('\033[J')
            if hasattr(self._out, 'flush'):
                self._out.flush()
            self._drawn = False


def _format_eta(seconds, with_fraction=True):
    if seconds == float('inf'):
        return 'unknown'
    if not with_fraction:
        seconds = round(seconds)
    return str(datetime.timedelta(seconds=seconds))
