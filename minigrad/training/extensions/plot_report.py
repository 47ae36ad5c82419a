"""PlotReport: curves of reported values (loss, accuracy...) saved as an image."""
import json
import os
import warnings

from minigrad import reporter as reporter_module
from minigrad.training import extension
from minigrad.training import util
from minigrad.utils import loading
from minigrad.utils.atomic import atomic_save


_available = None
_warned = False


def _check_available():
    """Whether matplotlib imports (checked once); warn once if it does not."""
    global _available, _warned
    if _available is None:
        try:
            import matplotlib  # NOQA
            _available = True
        except ImportError:
            _available = False
    if not _available and not _warned:
        warnings.warn('PlotReport: matplotlib is not installed, so nothing will be plotted. '
                      'Install it to plot figures:  pip install matplotlib')
        _warned = True
    return _available


class PlotReport(extension.Extension):
    """Plot the means of the ``y_keys`` against ``x_key`` and save the figure at every interval.

    Like :class:`LogReport` it is called after every iteration and averages
    the observations over its own ``trigger``'s interval; each time the
    trigger fires it appends one point per key and redraws the whole
    figure into ``out/<filename>`` (replaced atomically).  Registered with
    ``call_before_training=True`` it also draws the values observed before
    training (the untrained model's evaluation) as points at x = 0.

    matplotlib is optional: it is imported only when the first figure is
    drawn, never by ``import minigrad``, and always draws off-screen
    (``matplotlib.figure.Figure`` with the Agg canvas; no pyplot, no
    display needed).  Without matplotlib the extension warns once and does
    nothing; :meth:`available` tells in advance.

    Args:
        y_keys (str or list of str): the observation keys to plot, e.g.
            ``['main/loss', 'validation/main/loss']``.
        x_key (str): ``'iteration'`` (the default, as Chainer) or ``'epoch'``.
        trigger: the interval between points, e.g. ``(1, 'epoch')``.
        postprocess (callable): ``postprocess(figure, axes, summary)``
            before saving.
        filename (str): the image file in ``trainer.out``; its extension
            picks the format.  None means ``file_name``.
        marker (str): the matplotlib marker of the points.
        grid (bool): draw a grid.
        file_name (str): Chainer's older name of ``filename``
            (default ``'plot.png'``).
    """

    def __init__(self, y_keys, x_key='iteration', trigger=(1, 'epoch'), postprocess=None,
                 filename=None, marker='x', grid=True, *, file_name=None):
        if filename is not None and file_name is not None and filename != file_name:
            raise TypeError('PlotReport: file_name is the older name of filename; give one, '
                            'actual filename={!r} and file_name={!r}'.format(filename, file_name))
        if filename is None:
            filename = 'plot.png' if file_name is None else file_name
        _check_available()
        if isinstance(y_keys, str):
            y_keys = (y_keys,)
        self._x_key = x_key
        self._y_keys = tuple(y_keys)
        self._trigger = util.get_trigger(trigger)
        self._postprocess = postprocess
        self._filename = filename
        self._marker = marker
        self._grid = grid
        self._data = {k: [] for k in self._y_keys}
        self._init_summary()

    @staticmethod
    def available():
        """True if matplotlib can be imported (warns once if not)."""
        return _check_available()

    def __call__(self, trainer):
        if not _check_available():
            return
        observation = trainer.observation
        self._summary.add({k: observation[k] for k in self._y_keys if k in observation})
        # Before training (call_before_training=True): a point of its own at x = 0.
        if not (trainer.is_before_training or self._trigger(trainer)):
            return
        stats = {k: float(v) for k, v in self._summary.compute_mean().items()}
        stats['epoch'] = trainer.updater.epoch
        stats['iteration'] = trainer.updater.iteration
        x = stats[self._x_key]
        for k in self._y_keys:
            if k in stats:
                self._data[k].append((x, stats[k]))
        self._plot(os.path.join(trainer.out, self._filename))
        self._init_summary()

    def _plot(self, path):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure()
        FigureCanvasAgg(figure)
        axes = figure.add_subplot(111)
        axes.set_xlabel(self._x_key)
        if self._grid:
            axes.grid()
        for k in self._y_keys:
            points = self._data[k]
            if points:
                xs, ys = zip(*points)
                axes.plot(xs, ys, marker=self._marker, label=k)
        if not axes.has_data():
            return
        if self._postprocess is not None:
            self._postprocess(figure, axes, self._summary)
        legend = axes.legend(bbox_to_anchor=(1.05, 1), loc=2, borderaxespad=0.)
        fmt = os.path.splitext(self._filename)[1][1:].lower() or 'png'
        atomic_save(path, lambda temp: figure.savefig(temp, format=fmt, bbox_extra_artists=(legend,),
                                                      bbox_inches='tight'))

    def _init_summary(self):
        self._summary = reporter_module.DictSummary()

    def serialize(self, serializer):
        """Save or load the points drawn so far (JSON text under ``_plot_<filename>``).

        The interval's trigger and running means are saved too (Chainer
        saves only the points), so a resumed run does not draw an extra
        point from a partial interval.  A load checks everything before it
        assigns anything.
        """
        loading.check_first(self._serialize, serializer)

    def _serialize(self, serializer):
        if hasattr(self._trigger, 'serialize'):
            self._trigger.serialize(serializer['_trigger'])
        self._summary.serialize(serializer['_summary'])
        key = '_plot_{}'.format(self._filename)
        if not loading.is_loading(serializer):
            serializer(key, json.dumps(self._data))
            return
        stored = loading.read(serializer, key)
        if stored is None:
            return
        data = loading.as_json('PlotReport', serializer, key, stored,
                               'a dict of lists of (x, y) points', _is_points)
        if not loading.is_checking(serializer):
            self._data = {k: [tuple(p) for p in data.get(k, [])] for k in self._y_keys}


def _is_points(data):
    """True for ``{key: [[x, y], ...]}`` with numbers (JSON's NaN included)."""
    def is_number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(data, dict) and all(
        isinstance(points, list) and all(
            isinstance(p, list) and len(p) == 2 and all(is_number(v) for v in p)
            for p in points)
        for points in data.values())
