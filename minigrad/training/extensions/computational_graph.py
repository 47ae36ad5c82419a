"""DumpGraph: draw the computational graph of the first iteration."""
import os
import shutil
import warnings

from minigrad.configuration import using_config
from minigrad.core import Variable
from minigrad.training import extension
from minigrad.utils import loading
from minigrad.utils.atomic import atomic_save, atomic_write_text


class DumpGraph(extension.Extension):
    """Write the graph behind a reported Variable, at the first iteration only.

    Reported values are normally turned into numbers at once, so that no
    graph outlives its iteration.  This extension turns
    ``config.keep_graph_on_report`` on in :meth:`initialize`, so that the
    first iteration's ``main/loss`` stays a Variable with its graph; at the
    end of that iteration it writes the graph and turns the flag back off.
    From the second iteration on, nothing is kept.

    It writes ``out/<filename>`` in DOT (no Graphviz needed) and, when
    Graphviz's ``dot`` program is installed, an SVG beside it
    (``cg.dot`` -> ``cg.svg``); both are replaced atomically.  A missing
    ``dot`` is not an error: only the DOT file is written.

    Args:
        root_name (str): the observation key of the root Variable.
        filename (str): the DOT file in ``trainer.out``.
        variable_style, function_style: node styles for
            :func:`minigrad.computational_graph.build_computational_graph`
            (None: its default, Chainer's colours).
    """

    default_name = 'dump_graph'
    trigger = 1, 'iteration'
    # Before the others, so that they (an Evaluator at the end of a tiny
    # first epoch) run with the flag off again.
    priority = extension.PRIORITY_WRITER + 1

    def __init__(self, root_name='main/loss', filename='cg.dot', variable_style=None,
                 function_style=None):
        self._root_name = root_name
        self._filename = filename
        self._variable_style = 'default' if variable_style is None else variable_style
        self._function_style = 'default' if function_style is None else function_style
        self._dumped = False
        self._flag = None     # the using_config block that holds the flag on

    def initialize(self, trainer):
        if self._dumped or self._flag is not None:
            return
        # Entered here, left in _restore_flag: the thread's own value (or none) comes back.
        self._flag = using_config('keep_graph_on_report', True)
        self._flag.__enter__()

    def _restore_flag(self):
        if self._flag is not None:
            flag, self._flag = self._flag, None
            flag.__exit__(None, None, None)

    def __call__(self, trainer):
        if self._dumped:
            return
        try:
            self._dump(trainer)
        finally:
            self._dumped = True
            self._restore_flag()

    def _dump(self, trainer):
        from minigrad.computational_graph import build_computational_graph

        observation = trainer.observation
        if self._root_name not in observation:
            raise KeyError('DumpGraph: {!r} was not reported in the first iteration; reported: {}'
                           .format(self._root_name, sorted(observation)))
        root = observation[self._root_name]
        if not isinstance(root, Variable):
            raise TypeError('DumpGraph: expect the reported {!r} to be a Variable, actual {} '
                            '(was config.keep_graph_on_report turned off?)'
                            .format(self._root_name, type(root).__name__))
        graph = build_computational_graph([root], variable_style=self._variable_style,
                                          function_style=self._function_style)
        path = os.path.join(trainer.out, self._filename)
        atomic_write_text(path, graph.dump())
        if shutil.which('dot') is None:
            return
        svg = os.path.splitext(path)[0] + '.svg'
        try:
            atomic_save(svg, lambda temp: graph.render(temp, format='svg'))
        except (ImportError, RuntimeError, OSError) as error:
            warnings.warn('DumpGraph: wrote {} but could not render {}: {}'.format(path, svg, error))

    def finalize(self):
        # Training may end (or fail) before the first call: never leave the flag on.
        self._restore_flag()

    def serialize(self, serializer):
        # A resumed run must not turn the flag on again for a graph it will never dump;
        # a snapshot autoloaded after initialize() turns it off again before the first update.
        if not loading.is_loading(serializer):
            serializer('_dumped', self._dumped)
            return
        stored = loading.read(serializer, '_dumped')
        if stored is None:
            return
        dumped = bool(loading.as_int('DumpGraph', serializer, '_dumped', stored, 0, 1))
        if loading.is_checking(serializer):
            return
        self._dumped = dumped
        if dumped:
            self._restore_flag()
