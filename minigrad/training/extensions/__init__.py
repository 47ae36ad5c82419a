"""Trainer extensions, as ``chainer.training.extensions``.

None of them imports matplotlib or graphviz until it draws something.
"""
from minigrad.training.extensions import snapshot_writers                       # NOQA
from minigrad.training.extensions.computational_graph import DumpGraph                   # NOQA
from minigrad.training.extensions.computational_graph import DumpGraph as dump_graph     # NOQA
from minigrad.training.extensions.evaluator import Evaluator                    # NOQA
from minigrad.training.extensions.exponential_shift import ExponentialShift     # NOQA
from minigrad.training.extensions.fail_on_nonnumber import FailOnNonNumber      # NOQA
from minigrad.training.extensions.inverse_shift import InverseShift             # NOQA
from minigrad.training.extensions.linear_shift import LinearShift               # NOQA
from minigrad.training.extensions.log_report import LogReport                   # NOQA
from minigrad.training.extensions.micro_average import MicroAverage             # NOQA
from minigrad.training.extensions.multistep_shift import MultistepShift         # NOQA
from minigrad.training.extensions.parameter_statistics import ParameterStatistics  # NOQA
from minigrad.training.extensions.plot_report import PlotReport                 # NOQA
from minigrad.training.extensions.polynomial_shift import PolynomialShift       # NOQA
from minigrad.training.extensions.print_report import PrintReport               # NOQA
from minigrad.training.extensions.progress_bar import ProgressBar               # NOQA
from minigrad.training.extensions.snapshot import snapshot, snapshot_object     # NOQA
from minigrad.training.extensions.step_shift import StepShift                   # NOQA
from minigrad.training.extensions.value_observation import observe_lr, observe_value  # NOQA
from minigrad.training.extensions.warmup_shift import WarmupShift               # NOQA
