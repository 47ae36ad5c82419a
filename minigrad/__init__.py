"""minigrad: a Chainer-style define-by-run autograd framework on NumPy."""
from minigrad.configuration import config, global_config, using_config   # NOQA
from minigrad.configuration import no_backprop_mode, force_backprop_mode  # NOQA
from minigrad.core import Variable, VariableNode, Parameter, as_variable, as_array  # NOQA
from minigrad.core import FunctionNode, Function, grad                    # NOQA
from minigrad import functions                                            # NOQA
from minigrad import type_check                                           # NOQA

__version__ = '0.1.0'

# -- links, initializers, serializers --
from minigrad.link import Link, Chain, ChainList, Sequential             # NOQA
from minigrad import initializers, serializers, links                    # NOQA

# -- reporter, training --
from minigrad.reporter import Reporter, report, report_scope             # NOQA
from minigrad import training                                             # NOQA

# -- models, summary --
from minigrad import models                                               # NOQA
from minigrad.utils.summary import summary                                # NOQA
