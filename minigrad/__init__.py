"""minigrad: a Chainer-style define-by-run autograd framework on NumPy.

``import minigrad as chainer`` gives Chainer's top-level names and makes its
subpackages reachable (``chainer.optimizers``, ``chainer.training``, ...),
while importing nothing optional: matplotlib, graphviz and scikit-learn load
only when a function that needs them runs.
"""
from minigrad.configuration import config, global_config, using_config   # NOQA
from minigrad.configuration import no_backprop_mode, force_backprop_mode  # NOQA
from minigrad.core import Variable, VariableNode, Parameter, as_variable, as_array  # NOQA
from minigrad.core import FunctionNode, Function, FunctionAdapter, FunctionHook, grad  # NOQA
from minigrad.backend import get_device, get_dtype                       # NOQA
from minigrad import backend, backends                                    # NOQA
from minigrad.backends import cuda                                        # NOQA
from minigrad import functions                                            # NOQA
from minigrad import type_check                                           # NOQA
from minigrad import gradient_check, computational_graph                  # NOQA
from minigrad import function_hooks                                       # NOQA

__version__ = '0.1.0'

# -- links, initializers, serializers, optimizers --
from minigrad.link import Link, Chain, ChainList, Sequential             # NOQA
from minigrad import initializers, serializers, links                    # NOQA
from minigrad.optimizer import Optimizer, GradientMethod, UpdateRule    # NOQA
from minigrad import optimizer, optimizers, optimizer_hooks              # NOQA

# -- data, reporter, training --
from minigrad import dataset, datasets, iterators                        # NOQA
from minigrad.reporter import Reporter, report, report_scope             # NOQA
from minigrad import reporter                                             # NOQA
from minigrad import training                                             # NOQA

# -- models, summary --
from minigrad import models                                               # NOQA
from minigrad.utils.summary import summary                                # NOQA

# -- probability distributions --
from minigrad import distributions                                                          # NOQA
from minigrad.distributions import Distribution, kl_divergence, register_kl, cross_entropy  # NOQA
