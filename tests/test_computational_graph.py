"""computational_graph: DOT text, determinism, options, rendering with dot, grouping by Link."""
import os
import re
import shutil
import subprocess
import sys
import textwrap

import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad import Chain, Function, Parameter, Variable
from minigrad import computational_graph as cg
from minigrad.computational_graph import build_computational_graph
from minigrad.type_check import InvalidType

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

VAR_STYLE = 'shape="oval", fillcolor="#E0E0E0", style="filled"'
FUNC_STYLE = 'shape="box", fillcolor="#6495ED", style="filled"'


class Toy(Function):
    """``n_out`` copies of the (broadcast) sum of the inputs, under a chosen label."""

    def __init__(self, label, n_out=1):
        self._label = label
        self.n_out = n_out

    @property
    def label(self):
        return self._label

    def forward(self, inputs):
        self.retain_inputs(())
        self.shapes = [x.shape for x in inputs]
        y = inputs[0]
        for x in inputs[1:]:
            y = y + x
        return tuple(y.copy() for _ in range(self.n_out))

    def backward(self, inputs, grad_outputs):
        gy = grad_outputs[0]
        for g in grad_outputs[1:]:
            gy = gy + g
        return tuple(_sum_to(gy, shape) for shape in self.shapes)


def _sum_to(gy, shape):
    """Sum gy over the axes broadcasting added or stretched, back to shape."""
    lead = gy.ndim - len(shape)
    gy = gy.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and gy.shape[i] != 1)
    return gy.sum(axis=stretched, keepdims=True) if stretched else gy


def var(shape, name=None, dtype=numpy.float32):
    return Variable(numpy.zeros(shape, dtype=dtype), name=name)


# A small parser for what dump() writes, written independently of the module:
# node statements, edges, and which cluster each node is declared in.
NODE_RE = re.compile(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\];$')
EDGE_RE = re.compile(r'^\s*(\w+) -> (\w+);$')


def parse(dot):
    labels, attrs, edges, cluster_of, cluster_parent = {}, {}, [], {}, {}
    stack = []
    for line in dot.splitlines():
        if NODE_RE.match(line):
            node, label, rest = NODE_RE.match(line).groups()
            labels[node] = label
            attrs[node] = rest
            cluster_of[node] = stack[-1] if stack else None
        elif EDGE_RE.match(line):
            edges.append(EDGE_RE.match(line).groups())
        elif re.match(r'^\s*subgraph cluster_\d+ \{$', line):
            stack.append(None)
        elif stack and re.match(r'^\s*label="(.*)";$', line):
            label = re.match(r'^\s*label="(.*)";$', line).group(1)
            cluster_parent[label] = stack[-2] if len(stack) > 1 else None
            stack[-1] = label
        elif line.strip() == '}' and stack:
            stack.pop()
    return labels, attrs, edges, cluster_of, cluster_parent


def labelled_edges(dot):
    labels, _, edges, _, _ = parse(dot)
    return sorted((labels[a], labels[b]) for a, b in edges)


# ---------------------------------------------------------------------------
# DOT text

def test_dump_small_graph_by_hand():
    x = var((2, 3), 'x')
    s = var(())                       # an unnamed scalar: shape ()
    h = Toy('Add')(x, s)
    z = Toy('Scale 2.5')(h)
    z.name = 'z'
    # Discovery from z, breadth first: z, its creator, its input h, h's
    # creator, then that creator's inputs in order.
    expected = textwrap.dedent('''\
        digraph graphname {{
          rankdir=TB;
          v0 [label="z: (2, 3), float32", {v}];
          f1 [label="Scale 2.5", {f}];
          v2 [label="(2, 3), float32", {v}];
          f3 [label="Add", {f}];
          v4 [label="x: (2, 3), float32", {v}];
          v5 [label="(), float32", {v}];
          f1 -> v0;
          v2 -> f1;
          f3 -> v2;
          v4 -> f3;
          v5 -> f3;
        }}
        ''').format(v=VAR_STYLE, f=FUNC_STYLE)
    g = build_computational_graph([z])
    assert g.dump() == expected
    assert g.dump('dot') == expected


def test_nodes_and_edges_attributes():
    x = var((2,), 'x')
    f = Toy('F')
    y = f(x)
    g = build_computational_graph([y])
    # As in Chainer: variables appear as their nodes, an old-style Function as its adapter node.
    assert g.nodes[0] is y.node and g.nodes[1] is f.node and g.nodes[2] is x.node
    assert g.nodes[1].function.label == 'F'
    assert len(g.nodes) == 3
    assert len(g.edges) == 2
    assert any(a is f.node and b is y.node for a, b in g.edges)
    assert any(a is x.node and b is f.node for a, b in g.edges)


def test_float64_int_and_names():
    x = var((4, 1), 'input', dtype=numpy.float64)
    t = Variable(numpy.zeros(4, dtype=numpy.int32), name='t')
    y = Toy('Pair')(x)
    y2 = Toy('Join')(y, t)
    labels, _, _, _, _ = parse(build_computational_graph([y2]).dump())
    assert 'input: (4, 1), float64' in labels.values()
    assert 't: (4,), int32' in labels.values()
    assert '(4, 4), float64' in labels.values()


def test_chainer_example_only_backward_reachable():
    # x -> f -> y and x -> g -> z: from y alone, g and z are not reachable.
    x = var((2,), 'x')
    y = Toy('f')(x)
    y.name = 'y'
    z = Toy('g')(x)
    z.name = 'z'
    only_y = labelled_edges(build_computational_graph([y]).dump())
    assert only_y == [('f', 'y: (2,), float32'), ('x: (2,), float32', 'f')]
    both = labelled_edges(build_computational_graph([y, z]).dump())
    assert both == [('f', 'y: (2,), float32'), ('g', 'z: (2,), float32'),
                    ('x: (2,), float32', 'f'), ('x: (2,), float32', 'g')]
    # A single Variable is accepted as well as a list.
    assert build_computational_graph(y).dump() == build_computational_graph([y]).dump()


def test_diamond_shares_nodes_and_repeated_input_is_one_edge():
    x = var((3,), 'x')
    a = Toy('A')(x)
    a.name = 'a'
    b = Toy('B')(x)
    b.name = 'b'
    y = Toy('Join')(a, b)
    sq = Toy('Square')(y, y)          # the same input twice: one edge, as in Chainer
    labels, _, edges, _, _ = parse(build_computational_graph([sq]).dump())
    assert sorted(labels.values()) == sorted([
        'x: (3,), float32', 'A', 'B', 'a: (3,), float32', 'b: (3,), float32',
        'Join', '(3,), float32', 'Square', '(3,), float32'])
    assert len(edges) == len(set(edges)) == 9
    assert labelled_edges(build_computational_graph([sq]).dump()) == sorted([
        ('x: (3,), float32', 'A'), ('x: (3,), float32', 'B'),
        ('A', 'a: (3,), float32'), ('B', 'b: (3,), float32'),
        ('a: (3,), float32', 'Join'), ('b: (3,), float32', 'Join'),
        ('Join', '(3,), float32'), ('(3,), float32', 'Square'), ('Square', '(3,), float32')])


def test_outputs_of_multi_output_function_alive_and_freed():
    x = var((2, 3), 'x')
    a, b = Toy('Split', n_out=2)(x)
    a.name, b.name = 'a', 'b'
    loss = Toy('Loss')(a)
    # b is alive: drawn with its name, though only a leads to the loss.
    assert ('Split', 'b: (2, 3), float32') in labelled_edges(build_computational_graph([loss]).dump())
    # Once b is freed, a placeholder shows the recorded shape and dtype.
    del b
    g = build_computational_graph([loss])
    placeholders = [n for n in g.nodes if isinstance(n, cg.VariablePlaceholder)]
    assert len(placeholders) == 1
    assert placeholders[0].shape == (2, 3) and placeholders[0].dtype == numpy.float32
    assert labelled_edges(g.dump()) == sorted([
        ('x: (2, 3), float32', 'Split'), ('Split', 'a: (2, 3), float32'),
        ('Split', '(2, 3), float32'), ('a: (2, 3), float32', 'Loss'), ('Loss', '(2, 3), float32')])


def test_graph_after_backward_and_unchain():
    x = var((2,), 'x')
    h = Toy('F')(x)
    y = Toy('G')(h)
    y.grad = numpy.ones(2, dtype=numpy.float32)
    y.backward()            # the graph stays as it was
    before = build_computational_graph([y]).dump()
    assert labelled_edges(before) == sorted([
        ('x: (2,), float32', 'F'), ('F', '(2,), float32'), ('(2,), float32', 'G'), ('G', '(2,), float32')])
    h.unchain_backward()    # the walk stops at h, now a leaf
    assert labelled_edges(build_computational_graph([y]).dump()) == [
        ('(2,), float32', 'G'), ('G', '(2,), float32')]


def test_labels_are_escaped():
    x = var((1,), 'say "hi"')
    y = Toy('Pad "reflect" \\ 2\nrows')(x)
    dot = build_computational_graph([y]).dump()
    assert r'label="say \"hi\": (1,), float32"' in dot
    assert r'label="Pad \"reflect\" \\ 2\nrows"' in dot


def test_record_shape_escapes_field_syntax():
    y = Toy('{a|b} <c>')(var((1,), 'x'))
    dot = build_computational_graph([y], function_style={'shape': 'record'}).dump()
    assert r'label="\{a\|b\} \<c\>", shape="record"' in dot
    dot = build_computational_graph([y]).dump()     # a box needs no such escapes
    assert r'label="{a|b} <c>", shape="box"' in dot


def test_hyperparameters_show_through_function_label():
    x = var((1, 3, 9, 9))
    y = F.max_pooling_2d(x, 3, stride=2)
    func = y.creator
    labels, _, _, _, _ = parse(build_computational_graph([y]).dump())
    assert func.label in labels.values()
    assert '3x3' in func.label      # the label, not just the class name, is drawn


# ---------------------------------------------------------------------------
# Options

def _chain(n=3):
    x = var((2,), 'x')
    h = x
    for i in range(n):
        h = Toy('F{}'.format(i))(h)
    h.name = 'y'
    return h


def test_remove_variable():
    x = var((2,), 'x')
    a = Toy('A')(x)
    b = Toy('B')(x)
    y = Toy('Join')(a, b)
    z = Toy('Out')(y)
    dot = build_computational_graph([z], remove_variable=True).dump()
    labels, attrs, _, _, _ = parse(dot)
    assert sorted(labels.values()) == ['A', 'B', 'Join', 'Out']
    assert 'oval' not in dot and 'float32' not in dot
    assert all('shape="box"' in a for a in attrs.values())
    assert labelled_edges(dot) == [('A', 'Join'), ('B', 'Join'), ('Join', 'Out')]
    # The graph object itself still has the variables.
    assert any(isinstance(n, minigrad.VariableNode)
               for n in build_computational_graph([z], remove_variable=True).nodes)


def test_show_name():
    y = _chain(1)
    shown = parse(build_computational_graph([y]).dump())[0]
    hidden = parse(build_computational_graph([y], show_name=False).dump())[0]
    assert sorted(shown.values()) == ['F0', 'x: (2,), float32', 'y: (2,), float32']
    assert sorted(hidden.values()) == ['(2,), float32', '(2,), float32', 'F0']


@pytest.mark.parametrize('rankdir', ['TB', 'BT', 'LR', 'RL'])
def test_rankdir(rankdir):
    dot = build_computational_graph([_chain(1)], rankdir=rankdir).dump()
    assert dot.splitlines()[1] == '  rankdir={};'.format(rankdir)


def test_bad_rankdir_and_options():
    y = _chain(1)
    with pytest.raises(InvalidType, match=r"build_computational_graph: expect rankdir in "
                                          r"\('TB', 'BT', 'LR', 'RL'\), actual rankdir == 'TD'"):
        build_computational_graph([y], rankdir='TD')
    with pytest.raises(InvalidType, match=r"build_computational_graph: expect variable_style to be a "
                                          r"dict .*actual variable_style == 'grey'"):
        build_computational_graph([y], variable_style='grey')
    with pytest.raises(InvalidType, match=r'build_computational_graph: expect outputs\[1\] to be a '
                                          r'Variable or a Function, actual outputs\[1\] is a ndarray'):
        build_computational_graph([y, numpy.zeros(2)])
    with pytest.raises(InvalidType, match=r'build_computational_graph: expect outputs to be a list '
                                          r'of Variables, actual outputs is a ndarray'):
        build_computational_graph(numpy.zeros(2))
    with pytest.raises(InvalidType, match=r'build_computational_graph: expect group_by_link to be a '
                                          r'Link .*actual group_by_link is a dict'):
        build_computational_graph([y], group_by_link={})
    with pytest.raises(InvalidType, match=r"ComputationalGraph.dump: expect format == 'dot', "
                                          r"actual format == 'svg'"):
        build_computational_graph([y]).dump('svg')
    with pytest.raises(ValueError):     # InvalidType is a ValueError, as Chainer raises
        cg.ComputationalGraph([], [], rankdir='up')


def test_styles():
    y = _chain(1)
    dot = build_computational_graph(
        [y], variable_style={'shape': 'octagon', 'color': 'red'},
        function_style={'fillcolor': 'yellow', 'style': 'filled'}).dump()
    _, attrs, _, _, _ = parse(dot)
    assert attrs['v0'] == ', shape="octagon", color="red"'
    assert attrs['f1'] == ', shape="box", fillcolor="yellow", style="filled"'
    plain = build_computational_graph([y], variable_style=None, function_style=None).dump()
    _, attrs, _, _, _ = parse(plain)
    assert attrs['v0'] == ', shape="oval"'
    assert attrs['f1'] == ', shape="box"'
    default = parse(build_computational_graph([y]).dump())[1]
    assert default['v0'] == ', ' + VAR_STYLE and default['f1'] == ', ' + FUNC_STYLE


# ---------------------------------------------------------------------------
# Determinism and depth

def test_two_builds_give_identical_text():
    x = var((2, 3), 'x')
    hs = [Toy('F{}'.format(i))(x) for i in range(5)]
    y = Toy('Join')(*hs)
    first = build_computational_graph([y]).dump()
    assert first == build_computational_graph([y]).dump()
    # Ids come from the walk, not from memory addresses.
    ids = re.findall(r'^\s*(\w+) \[', first, re.MULTILINE)
    assert sorted(ids, key=lambda s: int(s[1:])) == ids
    assert [int(i[1:]) for i in ids] == list(range(len(ids)))


_SCRIPT = '''
import numpy
import minigrad, minigrad.functions as F, minigrad.links as L
from minigrad.computational_graph import build_computational_graph

class MLP(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(2, 3)
            self.l2 = L.Linear(3, 2)
    def forward(self, x):
        return self.l2(F.exp(self.l1(x)))

model = MLP()
x = minigrad.Variable(numpy.zeros((4, 2), dtype=numpy.float32), name='x')
loss = F.sum(model(x) * x)
print(build_computational_graph([loss]).dump())
print(build_computational_graph([loss], group_by_link=model).dump())
'''


def _run(script, **env):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''), **env)
    result = subprocess.run([sys.executable, '-c', script], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_two_processes_give_identical_text():
    first = _run(_SCRIPT, PYTHONHASHSEED='1')
    second = _run(_SCRIPT, PYTHONHASHSEED='2')
    assert 'digraph' in first and 'cluster_0' in first
    assert first == second


def test_deep_chain_without_recursion():
    n = 100000
    x = var((), 'x')
    y = x
    for _ in range(n):
        y = Toy('F')(y)
    g = build_computational_graph([y])
    assert len(g.nodes) == 2 * n + 1
    dot = g.dump()
    assert dot.count(' -> ') == 2 * n
    assert dot.count('label="F"') == n
    assert 'x: (), float32' in dot
    # n function nodes, n - 1 edges, and the three lines around them
    assert len(build_computational_graph([y], remove_variable=True).dump().splitlines()) == 2 * n + 2


# ---------------------------------------------------------------------------
# Grouping by Link

class MLP(Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(2, 3)
            self.l2 = L.Linear(3, 2)

    def forward(self, x):
        return self.l2(F.exp(self.l1(x)))   # exp is the model's own: drawn unboxed


class Scaled(Chain):
    """A Link with its own parameter and Functions, holding a nested MLP."""

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.mlp = MLP()
            self.scale = Parameter(numpy.ones(2, dtype=numpy.float32))

    def forward(self, x):
        return self.mlp(x) * self.scale


class Top(Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.block = Scaled()
            self.head = L.Linear(2, 1)

    def forward(self, x):
        return self.head(self.block(x))


def _node_by_label(labels, label):
    found = [n for n, text in labels.items() if text == label]
    assert len(found) == 1, (label, labels)
    return found[0]


def test_group_by_link_two_linears():
    model = MLP()
    x = var((4, 2), 'x')
    loss = F.sum(model(x))
    dot = build_computational_graph([loss], group_by_link=model).dump()
    labels, _, _, cluster_of, parents = parse(dot)
    assert sorted(parents) == ['/l1', '/l2'] and set(parents.values()) == {None}
    assert dot.count('subgraph cluster_') == 2
    assert cluster_of[_node_by_label(labels, 'l1/W: (3, 2), float32')] == '/l1'
    assert cluster_of[_node_by_label(labels, 'l1/b: (3,), float32')] == '/l1'
    assert cluster_of[_node_by_label(labels, 'l2/W: (2, 3), float32')] == '/l2'
    assert cluster_of[_node_by_label(labels, 'l2/b: (2,), float32')] == '/l2'
    funcs = {n: labels[n] for n in labels if n.startswith('f')}
    boxed = sorted(cluster_of[n] for n in funcs if cluster_of[n] is not None)
    assert boxed == ['/l1', '/l2']           # one Function per Linear
    assert cluster_of[_node_by_label(labels, 'x: (4, 2), float32')] is None
    assert cluster_of[_node_by_label(labels, loss.creator.label)] is None
    assert cluster_of[_node_by_label(labels, 'Exp')] is None      # called by the model itself
    # Every node has a label; without grouping the parameters keep their own names.
    assert all(labels.values())
    plain = parse(build_computational_graph([loss]).dump())[0]
    assert 'W: (3, 2), float32' in plain.values() and 'l1/W: (3, 2), float32' not in plain.values()


def test_group_by_link_nested():
    model = Top()
    x = var((4, 2), 'x')
    loss = F.sum(model(x))
    g = build_computational_graph([loss], group_by_link=model)
    labels, _, _, cluster_of, parents = parse(g.dump())
    assert parents == {'/block': None, '/block/mlp': '/block', '/block/mlp/l1': '/block/mlp',
                       '/block/mlp/l2': '/block/mlp', '/head': None}
    assert cluster_of[_node_by_label(labels, 'block/scale: (2,), float32')] == '/block'
    assert cluster_of[_node_by_label(labels, 'block/mlp/l1/W: (3, 2), float32')] == '/block/mlp/l1'
    assert cluster_of[_node_by_label(labels, 'head/W: (1, 2), float32')] == '/head'
    # exp was called by MLP, so it sits in /block/mlp; Scaled's product in /block.
    funcs = [n for n in labels if n.startswith('f')]
    assert sorted(str(cluster_of[n]) for n in funcs) == sorted(
        ['None', '/block', '/block/mlp', '/block/mlp/l1', '/block/mlp/l2', '/head'])
    # A variable sits in the innermost cluster holding its creator and its
    # readers: l1's and exp's outputs inside /block/mlp, the MLP's output
    # (read by Scaled's product) in /block, Scaled's output (read by /head) outside.
    hidden = [n for n, text in labels.items() if text == '(4, 3), float32']
    assert len(hidden) == 2 and {cluster_of[n] for n in hidden} == {'/block/mlp'}
    wide = sorted(str(cluster_of[n]) for n, text in labels.items() if text == '(4, 2), float32')
    assert wide == ['/block', 'None']
    assert cluster_of[_node_by_label(labels, '(4, 1), float32')] is None
    assert cluster_of[_node_by_label(labels, 'x: (4, 2), float32')] is None
    # Graphviz accepts the nested clusters.
    svg = g._repr_svg_()
    assert 'cluster_4' in svg and '/block/mlp/l2' in svg


def test_group_by_link_functions_outside_the_model():
    model = MLP()
    other = L.Linear(2, 2)
    x = var((1, 2), 'x')
    y = other(x)                    # a Link that is not part of the model
    loss = F.sum(model(y))
    labels, _, _, cluster_of, parents = parse(
        build_computational_graph([loss], group_by_link=model).dump())
    assert sorted(parents) == ['/l1', '/l2']
    assert cluster_of[_node_by_label(labels, 'W: (2, 2), float32')] is None
    assert list(cluster_of.values()).count('/l1') == 3    # Linear, W, b


# ---------------------------------------------------------------------------
# Graphviz: to_graphviz, render, _repr_svg_

MAGIC = {'svg': None, 'png': b'\x89PNG\r\n\x1a\n', 'pdf': b'%PDF-'}


def test_to_graphviz_matches_dump():
    import graphviz
    y = _chain(2)
    g = build_computational_graph([y], rankdir='LR')
    digraph = g.to_graphviz()
    assert isinstance(digraph, graphviz.Digraph)
    source = digraph.source
    assert 'rankdir=LR' in source
    for line in g.dump().splitlines()[2:-1]:
        assert line.strip() in source


@pytest.mark.parametrize('fmt', ['svg', 'png', 'pdf'])
def test_render_writes_exactly_path(tmp_path, fmt):
    model = MLP()
    loss = F.sum(model(var((2, 2), 'x')))
    g = build_computational_graph([loss], group_by_link=model)
    path = tmp_path / 'graph.{}'.format(fmt)
    assert g.render(str(path)) == str(path)
    assert sorted(os.listdir(tmp_path)) == ['graph.{}'.format(fmt)]
    data = path.read_bytes()
    if fmt == 'svg':
        text = data.decode('utf-8')
        assert text.lstrip().startswith('<?xml') and '<svg' in text
        assert 'l1/W: (3, 2), float32' in text
    else:
        assert data.startswith(MAGIC[fmt])


def test_render_format_argument_and_pathlike(tmp_path):
    g = build_computational_graph([_chain(1)])
    path = tmp_path / 'graph.out'
    g.render(path, format='png')
    assert path.read_bytes().startswith(MAGIC['png'])
    assert sorted(os.listdir(tmp_path)) == ['graph.out']
    g.render(tmp_path / 'upper.SVG')
    assert b'<svg' in (tmp_path / 'upper.SVG').read_bytes()


def test_render_unknown_format(tmp_path):
    g = build_computational_graph([_chain(1)])
    with pytest.raises(InvalidType, match=r"ComputationalGraph.render: expect format to be a Graphviz "
                                          r"output format .*actual format == 'txt'"):
        g.render(str(tmp_path / 'graph.txt'))
    with pytest.raises(InvalidType, match=r"actual format == ''"):
        g.render(str(tmp_path / 'graph'))
    assert os.listdir(tmp_path) == []


def test_repr_svg():
    text = build_computational_graph([_chain(1)])._repr_svg_()
    assert isinstance(text, str)
    assert '<svg' in text and 'x: (2,), float32' in text


def _assert_install_message(excinfo):
    message = str(excinfo.value)
    assert 'dot' in message
    assert 'apt-get install graphviz' in message
    assert 'brew install graphviz' in message
    assert 'conda install graphviz' in message


def test_missing_dot_on_path(tmp_path, monkeypatch):
    g = build_computational_graph([_chain(1)])
    monkeypatch.setenv('PATH', '')
    assert shutil.which('dot') is None
    with pytest.raises(RuntimeError) as excinfo:
        g.render(str(tmp_path / 'graph.svg'))
    _assert_install_message(excinfo)
    with pytest.raises(RuntimeError) as excinfo:
        g._repr_svg_()
    _assert_install_message(excinfo)
    assert os.listdir(tmp_path) == []
    # dump() needs no dot.
    assert g.dump().startswith('digraph graphname {')


def test_dot_vanishes_after_which(tmp_path, monkeypatch):
    # shutil.which finds a dot that the graphviz package then cannot run.
    g = build_computational_graph([_chain(1)])
    monkeypatch.setattr(cg.shutil, 'which', lambda name: '/usr/bin/dot')
    monkeypatch.setenv('PATH', '')
    with pytest.raises(RuntimeError) as excinfo:
        g.render(str(tmp_path / 'graph.png'))
    _assert_install_message(excinfo)
    assert os.listdir(tmp_path) == []


def test_importing_minigrad_does_not_import_graphviz():
    out = _run(textwrap.dedent('''
        import sys
        import numpy
        import minigrad
        import minigrad.computational_graph as cg
        x = minigrad.Variable(numpy.zeros(2, dtype=numpy.float32), name='x')
        text = cg.build_computational_graph([minigrad.functions.sum(x)]).dump()
        print('digraph' in text, 'graphviz' in sys.modules)
    '''))
    assert out.split() == ['True', 'False']
