"""Deep graphs: no step of forward, backward, graph building or freeing recurses.

A recursive walk breaks past Python's recursion limit (1,000 frames by
default); these graphs are 100 times deeper than that.
"""
import gc
import sys

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import Variable
from minigrad.computational_graph import build_computational_graph
from minigrad.core import FunctionNode

DEPTH = 100_000          # chained operations
A = 1.00002              # per step scale: the gradient is A ** (DEPTH / 4), about e ** 0.5
B = 0.25


def deep_chain(x):
    """``DEPTH`` operations: ``h = relu(h * A + B) - B`` repeated; for h > 0 each block is h * A."""
    h = x
    for _ in range(DEPTH // 4):
        h = F.relu(h * A + B) - B
    return h


def count_functions():
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FunctionNode))


def test_recursion_limit_is_the_default():
    # The depths below mean something only if nobody raised the limit.
    assert sys.getrecursionlimit() <= 10_000 < DEPTH


def test_forward_backward_twice_and_free_100000_operations():
    before = count_functions()
    x0 = numpy.array([0.5, 1.0, 2.0])
    x = Variable(x0.copy())
    y = deep_chain(x)
    assert y.creator is not None and y.rank == DEPTH
    assert count_functions() - before == DEPTH
    # Forward reference, by hand: each block multiplies by A (relu never clips a positive h).
    numpy.testing.assert_allclose(y.array, x0 * A ** (DEPTH // 4), rtol=1e-9)
    loss = F.sum(y)
    loss.backward()
    numpy.testing.assert_allclose(x.grad, numpy.full(3, A ** (DEPTH // 4)), rtol=1e-9)
    first = x.grad.copy()
    x.cleargrad()
    loss.backward()                 # the graph lives while loss does: it runs again
    numpy.testing.assert_array_equal(x.grad, first)
    del y, loss     # drops 100,000 Functions in a chain: must not overflow the C stack
    assert count_functions() - before == 0


def test_unchain_backward_on_a_deep_graph():
    before = count_functions()
    x = Variable(numpy.array([1.0]))
    y = deep_chain(x)
    y.unchain_backward()
    assert y.creator is None
    assert count_functions() - before == 0     # nothing holds the cut graph any more
    with pytest.warns(RuntimeWarning, match='has no graph'):
        y.backward()                           # a leaf now: nothing to do
    assert x.grad is None


def test_build_computational_graph_on_a_100000_deep_chain():
    x = Variable(numpy.array([1.0], dtype=numpy.float32), name='x')
    h = x
    for _ in range(DEPTH):
        h = h + 1.0
    g = build_computational_graph([h])
    functions = [n for n in g.nodes if isinstance(n, FunctionNode)]
    assert len(functions) == DEPTH
    # Each Add has its two inputs and its output: 3 edges per Function.
    assert len(g.edges) == 3 * DEPTH
    text = g.dump()
    assert text.startswith('digraph') and text.count('->') == 3 * DEPTH


def _reference_mlp(x, weights, biases):
    """Forward and input gradient of sum(relu(... relu(x W0^T + b0) ...)) by hand, in NumPy."""
    hs = [x]
    for W, b in zip(weights, biases):
        hs.append(numpy.maximum(hs[-1] @ W.T + b, 0))
    g = numpy.ones_like(hs[-1])
    for W, b, h_in, h_out in reversed(list(zip(weights, biases, hs[:-1], hs[1:]))):
        g = (g * (h_out > 0)) @ W
    return hs[-1], g


def test_a_1000_layer_sequential():
    numpy.random.seed(0)
    layers = []
    for _ in range(1000):
        layers += [L.Linear(4, 4), F.relu]
    model = minigrad.Sequential(*layers)
    assert len(model) == 2000 and len(list(model.children())) == 1000
    # An orthogonal-ish scale keeps the signal alive for 1,000 layers: W = sqrt(2) Q, b = 0.1.
    weights, biases = [], []
    for link in model.children():
        q, _ = numpy.linalg.qr(numpy.random.randn(4, 4))
        link.W.array[...] = numpy.sqrt(2) * q
        link.b.array[...] = 0.1
        weights.append(link.W.array.astype(numpy.float64))
        biases.append(link.b.array.astype(numpy.float64))

    x0 = numpy.abs(numpy.random.randn(3, 4)).astype(numpy.float32)
    x = Variable(x0.copy())
    y = model(x)
    F.sum(y).backward()
    assert y.dtype == numpy.float32 and x.grad.dtype == numpy.float32
    y_ref, gx_ref = _reference_mlp(x0.astype(numpy.float64), weights, biases)
    assert numpy.abs(y_ref).max() > 0       # the check is not vacuous
    numpy.testing.assert_allclose(y.array, y_ref, rtol=1e-3, atol=1e-3 * numpy.abs(y_ref).max())
    numpy.testing.assert_allclose(x.grad, gx_ref, rtol=1e-3, atol=1e-3 * numpy.abs(gx_ref).max())
    # Every layer got a gradient.
    assert all(link.W.grad is not None for link in model.children())
