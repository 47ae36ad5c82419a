"""What a converter writes into: the ONNX graph under construction, one function at a time."""
import numpy
from onnx import helper


class UnsupportedFunctionError(NotImplementedError):
    """A function of the graph has no ONNX mapping (or not for the arguments it was called with)."""


def describe(func, link_path):
    """``'Convolution2D 3x3 s1 p1 (link /conv1)'``: a function as error messages name it."""
    where = 'called outside any link of the model' if link_path is None else (
        'link {}'.format(link_path))
    return '{} ({})'.format(func.label, where)


class Graph:
    """The ONNX nodes and initializers written so far, and the names they use.

    Every name, of a tensor or of a node, is given once: :meth:`unique`
    appends ``_1``, ``_2``, ... to a name seen before.
    """

    def __init__(self, opset_version):
        self.opset_version = opset_version
        self.nodes = []
        self.initializers = []
        self._names = set()

    def unique(self, name):
        candidate, i = name, 0
        while candidate in self._names:
            i += 1
            candidate = '{}_{}'.format(name, i)
        self._names.add(candidate)
        return candidate

    def add_initializer(self, array, name):
        """Store ``array`` under a new name derived from ``name``; returns the name.

        The array is copied into the model only by :meth:`write_initializers`.
        """
        name = self.unique(name)
        self.initializers.append((name, numpy.asarray(array)))
        return name

    def write_initializers(self, graph_proto):
        """Add the initializers to ``graph_proto``, each array copied once (raw little-endian bytes).

        Building TensorProtos first and adding them would copy every
        parameter twice more: a second for VGG16's 528 MB.
        """
        for name, array in self.initializers:
            tensor = graph_proto.initializer.add()
            tensor.name = name
            tensor.data_type = helper.np_dtype_to_tensor_dtype(array.dtype)
            tensor.dims.extend(array.shape)
            tensor.raw_data = numpy.ascontiguousarray(
                array, dtype=array.dtype.newbyteorder('<')).tobytes()

    def add_node(self, op_type, inputs, outputs, name, **attrs):
        self.nodes.append(helper.make_node(op_type, list(inputs), list(outputs),
                                           name=self.unique(name), **attrs))


class ConversionContext:
    """The view of one minigrad function that its converter gets.

    Attributes:
        func (FunctionNode): the function being converted; its
            hyperparameters are its attributes.
        inputs (list of str): the ONNX names of its inputs.
        outputs (list of str): the ONNX names its outputs must get.
        in_shapes, in_dtypes (lists): of the inputs, as recorded.
        out_shapes (list of tuples): of the outputs, as recorded.
        opset_version (int): the ONNX operator set being written.
        base (str): the function's name in the graph (``/conv1/Convolution2D``).
    """

    def __init__(self, graph, func, base, link_path, inputs, outputs):
        self.graph = graph
        self.func = func
        self.base = base
        self.link_path = link_path
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.in_shapes = [tuple(x.shape) for x in func.inputs]
        self.in_dtypes = [numpy.dtype(x.dtype) for x in func.inputs]
        self.out_shapes = [tuple(shape) for shape, _ in func.output_shapes]
        self.opset_version = graph.opset_version

    def op(self, op_type, inputs, outputs=None, n_out=1, **attrs):
        """Add the ONNX node ``op_type``; returns its output name (a list if ``n_out > 1``).

        ``outputs`` names the outputs (the converter's last node passes
        ``ctx.outputs``); otherwise they get new names under :attr:`base`.
        """
        if outputs is None:
            outputs = [self.graph.unique('{}/{}'.format(self.base, op_type))
                       for _ in range(n_out)]
        self.graph.add_node(op_type, inputs, outputs, '{}/{}'.format(self.base, op_type), **attrs)
        return outputs[0] if len(outputs) == 1 else list(outputs)

    def const(self, array, hint='const'):
        """A constant tensor (an initializer, kept with ``export_params=False`` too)."""
        return self.graph.add_initializer(array, '{}/{}'.format(self.base, hint))

    def ints(self, values, hint='shape'):
        """A 1-D int64 constant: shapes, axes, slice bounds."""
        return self.const(numpy.asarray(values, dtype=numpy.int64).reshape(-1), hint)

    def scalar(self, value, dtype, hint='const'):
        """A 0-d constant of ``dtype`` (an operand of an elementwise op)."""
        return self.const(numpy.asarray(value, dtype=dtype), hint)

    def unsupported(self, reason):
        """Fail: this function, as called, has no ONNX mapping."""
        raise UnsupportedFunctionError('minigrad.onnx.export: {} cannot be exported: {}'.format(
            describe(self.func, self.link_path), reason))
