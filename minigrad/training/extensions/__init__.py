"""Trainer extensions, as ``chainer.training.extensions``.

None of them imports matplotlib or graphviz until it draws something.
"""
from minigrad.training.extensions.dump_graph import DumpGraph                 # NOQA
from minigrad.training.extensions.evaluator import Evaluator                  # NOQA
from minigrad.training.extensions.log_report import LogReport                 # NOQA
from minigrad.training.extensions.plot_report import PlotReport               # NOQA
from minigrad.training.extensions.print_report import PrintReport             # NOQA
from minigrad.training.extensions.progress_bar import ProgressBar             # NOQA
from minigrad.training.extensions.snapshot import snapshot, snapshot_object   # NOQA
