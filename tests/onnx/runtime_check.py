"""Export a model, run the file in ONNX Runtime, compare with minigrad in test mode.

This folder has no ``__init__.py`` on purpose: pytest would import it as a
package named ``onnx`` and hide the real one.  Its modules import this one
as ``tests.onnx.runtime_check``.
"""
import numpy
import pytest

import minigrad

pytest.importorskip('onnx.checker')      # the real onnx, not this folder
ort = pytest.importorskip('onnxruntime')

from minigrad import onnx as mg_onnx     # NOQA: E402 (after the skips)

#: max |onnx - minigrad| / max |minigrad| allowed in float32
TOLERANCE = 1e-4


def relative_error(actual, expected):
    """``max |actual - expected| / max |expected|``: the error on the scale of the output."""
    actual, expected = numpy.asarray(actual), numpy.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    if expected.size == 0:
        return 0.0
    scale = numpy.abs(expected).max()
    error = numpy.abs(actual.astype(numpy.float64) - expected).max()
    return float(error / scale) if scale else float(error)


def session(model):
    """An ONNX Runtime session on a ModelProto or a file path."""
    options = ort.SessionOptions()
    options.log_severity_level = 3      # errors only
    source = model if isinstance(model, str) else model.SerializeToString()
    return ort.InferenceSession(source, options, providers=['CPUExecutionProvider'])


def model_state(model):
    """``{onnx name: array}`` of the parameters and persistent arrays, as export names them."""
    state = {path[1:]: param.array for path, param in model.namedparams()}
    for path, link in model.namedlinks():
        prefix = '' if path == '/' else path
        for name in link._persistent:
            value = getattr(link, name)
            if isinstance(value, numpy.ndarray):
                state[(prefix + '/' + name)[1:]] = value
    return state


def minigrad_outputs(model, args):
    """The model's outputs in test mode, as a list of arrays (the inputs as Variables)."""
    xs = [minigrad.Variable(minigrad.as_array(x))
          for x in (args if isinstance(args, (list, tuple)) else [args])]
    with minigrad.using_config('train', False):
        ys = model(*xs)
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
    return [y.array for y in ys]


def check_export(model, args, tolerance=TOLERANCE, path=None, **kwargs):
    """Export ``model`` on ``args``, run it in ONNX Runtime, compare; returns the ModelProto.

    With ``export_params=False`` the parameters are fed as inputs.  With
    ``path`` the file is written there and ONNX Runtime reads the file.
    """
    proto = mg_onnx.export(model, args, filename=path, **kwargs)
    expected = minigrad_outputs(model, args)
    xs = list(args) if isinstance(args, (list, tuple)) else [args]
    feeds = {i.name: minigrad.as_array(x) for i, x in zip(proto.graph.input, xs)}
    if not kwargs.get('export_params', True):
        state = model_state(model)
        feeds.update({i.name: state[i.name] for i in proto.graph.input[len(xs):]})
    actual = session(proto if path is None else str(path)).run(None, feeds)
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        assert relative_error(a, e) <= tolerance
    return proto
