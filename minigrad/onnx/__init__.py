"""Export a model to ONNX, as onnx-chainer did for Chainer.

::

    from minigrad import onnx as mg_onnx
    model = minigrad.models.ResNet(20)
    x = numpy.zeros((1, 3, 32, 32), numpy.float32)
    proto = mg_onnx.export(model, x, filename='resnet20.onnx')

:func:`export` runs the model once in test mode, walks the graph that the
forward pass recorded, maps each function to ONNX operators
(:mod:`minigrad.onnx.converters`) and checks the result with
``onnx.checker``.  ONNX Runtime, Netron and the other ONNX tools read the file.

This package needs the ``onnx`` package (``pip install -e ".[onnx]"``);
``import minigrad`` never imports it.
"""
from minigrad.onnx.exporter import (                           # NOQA
    DEFAULT_OPSET_VERSION, MINIMUM_OPSET_VERSION, UnsupportedFunctionError, export)
from minigrad.onnx.converters import supported_functions       # NOQA
