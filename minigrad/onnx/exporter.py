"""``export``: run the model once, walk the recorded graph, write ONNX.

The forward pass records a FunctionNode for every function applied (see
:mod:`minigrad.core`); ``export`` walks them from the model's outputs back
to its inputs, lowest rank first, and hands each to its converter
(:mod:`minigrad.onnx.converters`).  The leaves of the graph are of four kinds:

- the inputs (``args``): graph inputs ``Input_0``, ``Input_1``, ...;
- the model's Parameters: initializers named by their path (``conv1/W``),
  or graph inputs with ``export_params=False``;
- the model's persistent arrays (batch normalization's ``avg_mean`` and
  ``avg_var``): treated as the Parameters are (``bn1/avg_mean``);
- anything else (the 2 of ``x * 2``, a mask): constants, kept as initializers.

Each ONNX node is named after the Link that called the function, as the
Graphviz grouping of :mod:`minigrad.computational_graph` draws it:
``/res3/0/conv1/Convolution2D/Conv``.
"""
import collections
import os

import numpy

try:
    import onnx
    from onnx import helper
except ImportError as e:        # pragma: no cover - depends on the environment
    raise ImportError('minigrad.onnx needs the onnx package: pip install onnx '
                      '(or pip install -e ".[onnx]")') from e

from minigrad import core
from minigrad.configuration import using_config
from minigrad.onnx import converters
from minigrad.onnx.context import ConversionContext, Graph, UnsupportedFunctionError, describe
from minigrad.utils.atomic import atomic_save

#: The operator set written when ``opset_version`` is None.
DEFAULT_OPSET_VERSION = 17
#: The oldest operator set the converters are written for.
MINIMUM_OPSET_VERSION = 13


def export(model, args, filename=None, export_params=True, graph_name='Graph',
           opset_version=None, input_names=None, output_names=None, return_named_inout=False):
    """Export ``model`` to ONNX, as ``onnx_chainer.export``.

    Runs ``y = model(*args)`` once with ``config.train`` False (so dropout
    is the identity and batch normalization uses its running averages),
    converts the graph that the call recorded, checks it with
    ``onnx.checker.check_model`` and, when ``filename`` is given, writes it
    atomically (a reader never sees half a file).

    Args:
        model (callable): usually a :class:`~minigrad.Chain`; its Parameters
            and persistent arrays become the ONNX initializers.
        args: the example input(s): an array or Variable (``model(x)``), a
            list or tuple of them (``model(*args)``) or a dict
            (``model(**args)``).  Their shapes and dtypes are the graph's.
        filename (str, os.PathLike, file object or None): where to write the
            model; None writes nothing.
        export_params (bool): store the parameters in the file; False makes
            them graph inputs instead, to be fed at run time.
        graph_name (str): the ``name`` of the ONNX graph.
        opset_version (int or None): the ONNX operator set; None means
            :data:`DEFAULT_OPSET_VERSION` (17).  At least
            :data:`MINIMUM_OPSET_VERSION` (13).
        input_names, output_names (str, list or dict): names of the graph's
            inputs and outputs, in the order of ``args`` and of the model's
            outputs (a dict maps the keys of a dict ``args`` or of a dict
            output); default ``Input_0, Input_1, ...`` and ``Output_0, ...``.
        return_named_inout (bool): also return the inputs and outputs by name.

    Returns:
        onnx.ModelProto, or ``(model_proto, inputs, outputs)`` with
        ``return_named_inout``, where ``inputs`` and ``outputs`` are
        ``OrderedDict`` s from ONNX name to the Variable fed or computed.

    Raises:
        UnsupportedFunctionError: a function of the graph has no ONNX mapping;
            the message names every such function and the Link that called it.

    >>> model = minigrad.models.LeNet5()
    >>> x = numpy.zeros((1, 1, 28, 28), numpy.float32)
    >>> proto = export(model, x, filename='lenet5.onnx')
    >>> [i.name for i in proto.graph.input], [o.name for o in proto.graph.output]
    (['Input_0'], ['Output_0'])
    """
    opset_version = _checked_opset(opset_version)
    call_args, call_kwargs, inputs = _network_inputs(args)
    keeping = _LeafInputs()
    with using_config('train', False), using_config('enable_backprop', True), keeping:
        outputs = _flat_outputs(model(*call_args, **call_kwargs))
        in_names = _io_names(input_names, [key for key, _ in inputs], 'Input', 'input_names')
        out_names = _io_names(output_names, [key for key, _ in outputs], 'Output', 'output_names')
        if set(in_names) & set(out_names):
            raise ValueError('minigrad.onnx.export: expect input and output names to differ, '
                             'both have {}'.format(sorted(set(in_names) & set(out_names))))
        proto = _GraphExport(model, opset_version, export_params).build(
            graph_name, list(zip(in_names, [v for _, v in inputs])),
            list(zip(out_names, [v for _, v in outputs])))
    data = proto.SerializeToString()      # once, for the checker and the file
    onnx.checker.check_model(data)
    if filename is not None:
        _write(data, filename)
    if return_named_inout:
        return (proto,
                collections.OrderedDict(zip(in_names, [v for _, v in inputs])),
                collections.OrderedDict(zip(out_names, [v for _, v in outputs])))
    return proto


def _checked_opset(opset_version):
    if opset_version is None:
        return DEFAULT_OPSET_VERSION
    newest = onnx.defs.onnx_opset_version()
    if not (isinstance(opset_version, int) and MINIMUM_OPSET_VERSION <= opset_version <= newest):
        raise ValueError('minigrad.onnx.export: expect opset_version None or an int in [{}, {}] '
                         '(the installed onnx knows up to {}), actual {!r}'.format(
                             MINIMUM_OPSET_VERSION, newest, newest, opset_version))
    return opset_version


# ---------------------------------------------------------------------------
# Inputs and outputs

def _network_inputs(args):
    """``(call_args, call_kwargs, [(key, Variable), ...])`` for the example ``args``.

    Every input becomes a new Variable on the same array that needs a
    gradient (if it is a float), so the graph is recorded from the input on:
    a function applied to inputs that need no gradient records no node.
    """
    def as_input(value, key):
        if isinstance(value, core.Variable):
            value = value.array
        if isinstance(value, numpy.generic):
            value = numpy.asarray(value)
        if not isinstance(value, numpy.ndarray):
            raise TypeError('minigrad.onnx.export: expect args{} to be an array or a Variable, '
                            'actual {}'.format('' if key is None else '[{!r}]'.format(key),
                                               type(value).__name__))
        return core.Variable(value)

    if isinstance(args, dict):
        inputs = [(key, as_input(value, key)) for key, value in args.items()]
        return (), dict(inputs), inputs
    if isinstance(args, (list, tuple)):
        inputs = [(i, as_input(value, i)) for i, value in enumerate(args)]
        return [v for _, v in inputs], {}, inputs
    x = as_input(args, None)
    return [x], {}, [(0, x)]


def _flat_outputs(outputs):
    """The model's outputs as ``[(key, Variable), ...]``: one, a list or tuple, or a dict."""
    if isinstance(outputs, core.Variable):
        items = [(0, outputs)]
    elif isinstance(outputs, (list, tuple)):
        items = list(enumerate(outputs))
    elif isinstance(outputs, dict):
        items = list(outputs.items())
    else:
        items = [(None, outputs)]
    for key, value in items:
        if not isinstance(value, core.Variable):
            raise TypeError('minigrad.onnx.export: expect the model to return a Variable, a list '
                            'or tuple of Variables or a dict of them; output {!r} is a {}'.format(
                                key, type(value).__name__))
    return items


def _io_names(given, keys, prefix, arg):
    """The ONNX names of inputs (or outputs) with ``keys``: ``given`` or ``Prefix_i``."""
    if given is None:
        return ['{}_{}'.format(prefix, i) for i in range(len(keys))]
    if isinstance(given, str):
        given = [given]
    if isinstance(given, dict):
        missing = [key for key in keys if key not in given]
        if missing or len(given) != len(keys):
            raise ValueError('minigrad.onnx.export: expect {} to name each of {}, actual keys {}'
                             .format(arg, keys, list(given)))
        names = [given[key] for key in keys]
    else:
        names = list(given)
        if len(names) != len(keys):
            raise ValueError('minigrad.onnx.export: expect {} to give {} names, actual {}'.format(
                arg, len(keys), len(names)))
    if len(set(names)) != len(names) or not all(isinstance(n, str) and n for n in names):
        raise ValueError('minigrad.onnx.export: expect {} to be distinct non-empty strings, '
                         'actual {!r}'.format(arg, names))
    return names


# ---------------------------------------------------------------------------
# Keeping the constants of the graph readable

class _LeafInputs(core.FunctionHook):
    """While active, keep readable every leaf input of the functions this thread applies.

    A node of the graph holds an input's array only when backward needs it,
    and refers to the input's Variable weakly; a constant operand (the 1 of
    ``x + 1``, an array a Link passes) would be gone by the time the graph is
    read.  This hook keeps each leaf's Variable alive until the export ends,
    and gives a leaf whose Variable is already gone (an array that ``apply``
    wrapped) its array.
    """

    name = 'onnx_leaf_inputs'

    def __enter__(self):
        self.kept = []
        return super().__enter__()

    def forward_postprocess(self, function, in_data):
        if function.inputs is None:
            return
        for node, x in zip(function.inputs, in_data):
            if node.creator is not None:
                continue
            var = node.get_variable_or_none()
            if var is not None:
                self.kept.append(var)
            elif node.data is None:     # apply's own Variable for an array; no one else has this node
                node.data = x


# ---------------------------------------------------------------------------
# The graph

class _GraphExport:
    """Names every tensor of the recorded graph and converts its functions."""

    def __init__(self, model, opset_version, export_params):
        self.model = model
        self.opset_version = opset_version
        self.export_params = export_params
        self.graph = Graph(opset_version)
        self.names = {}             # id(VariableNode) -> ONNX tensor name
        self.nodes = []             # keeps the named VariableNodes alive (their ids stay theirs)
        self.link_paths = {}
        self.params = {}            # id(param node) or id(array) -> (path, array)
        self.state_inputs = []      # value infos of the parameters fed as graph inputs
        links = model.namedlinks() if hasattr(model, 'namedlinks') else ()
        for path, link in links:
            self.link_paths.setdefault(id(link), path)
            prefix = '' if path == '/' else path
            for name in getattr(link, '_persistent', ()):
                value = getattr(link, name, None)
                if isinstance(value, numpy.ndarray):
                    self.params.setdefault(id(value), ((prefix + '/' + name)[1:], value))
        if hasattr(model, 'namedparams'):
            for path, param in model.namedparams():
                if param.array is not None:
                    self.params.setdefault(id(param.node), (path[1:], param.array))
                    self.params.setdefault(id(param.array), (path[1:], param.array))

    def build(self, graph_name, inputs, outputs):
        functions = _functions_behind([v.node for _, v in outputs])
        self._check_mapped(functions)
        for name, var in inputs:
            self._name(var.node, self.graph.unique(name))
        out_names = {}
        for name, var in outputs:
            self.graph.unique(name)
            if var.node.creator is not None and id(var.node) not in out_names:
                out_names[id(var.node)] = name
        for func in functions:
            self._convert(func, out_names)
        for name, var in outputs:       # an output no function made under its name
            if out_names.get(id(var.node)) != name:
                self.graph.add_node('Identity', [self._tensor(var.node)], [name], '/' + name)
        # Built in place: make_graph and make_model would copy the initializers twice.
        proto = onnx.ModelProto()
        proto.producer_name = 'minigrad'
        proto.producer_version = _minigrad_version()
        opset = proto.opset_import.add()
        opset.domain, opset.version = '', self.opset_version
        # The oldest IR that can hold this opset, so older runtimes read the file.
        proto.ir_version = helper.find_min_ir_version_for([opset])
        graph = proto.graph
        graph.name = graph_name
        graph.node.extend(self.graph.nodes)
        graph.input.extend([_value_info(name, var.node) for name, var in inputs] + self.state_inputs)
        graph.output.extend([_value_info(name, var.node) for name, var in outputs])
        self.graph.write_initializers(graph)
        return proto

    def _check_mapped(self, functions):
        missing = [describe(f, self._link_path(f)) for f in functions
                   if converters.converter_for(f) is None]
        if missing:
            raise UnsupportedFunctionError(
                'minigrad.onnx.export: no ONNX mapping for {}; the mapped functions are {}'
                .format(', '.join(missing), ', '.join(converters.supported_functions())))

    def _link_path(self, func):
        return None if func.link is None else self.link_paths.get(id(func.link))

    def _convert(self, func, out_names):
        path = self._link_path(func)
        base = self.graph.unique('{}/{}'.format('' if path in (None, '/') else path,
                                                type(func).__name__))
        ins = [self._tensor(node) for node in func.inputs]
        outs = []
        for i, ref in enumerate(func.outputs):
            node = ref()
            name = out_names.get(id(node)) if node is not None else None
            if name is None:
                name = base if len(func.outputs) == 1 else self.graph.unique(
                    '{}:{}'.format(base, i))
            if node is not None:
                self._name(node, name)
            outs.append(name)
        ctx = ConversionContext(self.graph, func, base, path, ins, outs)
        converters.converter_for(func)(ctx)

    def _name(self, node, name):
        self.names[id(node)] = name
        self.nodes.append(node)

    def _tensor(self, node):
        """The ONNX name of a VariableNode; a leaf is named (and stored) when first met."""
        name = self.names.get(id(node))
        if name is not None:
            return name
        var = node.get_variable_or_none()
        array = node.data if node.data is not None else (None if var is None else var.array)
        found = self.params.get(id(node)) or (
            None if array is None else self.params.get(id(array)))
        if found is not None:
            path, array = found
            if self.export_params:
                name = self.graph.add_initializer(array, path)
            else:
                name = self.graph.unique(path)
                self.state_inputs.append(helper.make_tensor_value_info(
                    name, helper.np_dtype_to_tensor_dtype(array.dtype), array.shape))
        elif array is not None:
            name = self.graph.add_initializer(array, 'const' if node.name is None else node.name)
        else:
            raise RuntimeError('minigrad.onnx.export: the value of a leaf of the graph (shape {}, '
                               'dtype {}) could not be read'.format(node.shape, node.dtype))
        self._name(node, name)
        return name


def _functions_behind(output_nodes):
    """Every FunctionNode the outputs depend on, in an order where inputs come first."""
    found = {}
    stack = [node.creator for node in output_nodes if node.creator is not None]
    while stack:
        func = stack.pop()
        if id(func) in found:
            continue
        found[id(func)] = func
        stack.extend(x.creator for x in func.inputs if x.creator is not None)
    # A function's rank is above the rank of every function that made its inputs.
    return sorted(found.values(), key=lambda f: f.rank)


def _value_info(name, node):
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(
        numpy.dtype(node.dtype)), node.shape)


def _minigrad_version():
    import minigrad
    return minigrad.__version__


def _write(data, filename):
    if hasattr(filename, 'write'):
        filename.write(data)
        return

    def save(temp):
        with open(temp, 'xb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    atomic_save(filename, save)
