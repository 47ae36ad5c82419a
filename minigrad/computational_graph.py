"""Draw the graph a forward pass recorded, as ``chainer.computational_graph`` does.

::

    g = build_computational_graph([loss])
    open('graph.dot', 'w').write(g.dump())     # DOT text; needs no Graphviz
    g.render('graph.svg')                      # needs Graphviz's ``dot`` program

Variables are drawn as ovals labelled ``name: (N, C, H, W), float32`` and
Functions as boxes labelled with ``Function.label`` (which shows the
hyperparameters, e.g. ``Convolution2D 11x11 s4 p0``); an edge runs from each
input Variable to the Function and from the Function to each output.

Node ids are numbered in the order the walk from the outputs discovers the
nodes (``v0``, ``f1``, ...), never from ``id()``, so the same graph gives the
same text in every run and files can be diffed.  The walk is iterative:
graphs of any depth can be drawn.

The ``graphviz`` package is imported only by :meth:`ComputationalGraph.to_graphviz`,
:meth:`~ComputationalGraph.render` and ``_repr_svg_``, so importing minigrad
never needs it.
"""
import collections
import os
import re
import shutil

from minigrad import core
from minigrad import link as link_module
from minigrad import type_check

# Chainer's colours: grey variables, blue functions.  Functions are plain
# boxes rather than Chainer's ``record``, whose labels treat ``{ } | < >`` as
# field syntax.
_var_style = {'shape': 'oval', 'fillcolor': '#E0E0E0', 'style': 'filled'}
_func_style = {'shape': 'box', 'fillcolor': '#6495ED', 'style': 'filled'}

_RANKDIRS = ('TB', 'BT', 'LR', 'RL')

_NO_DOT = ('Graphviz\'s "dot" program was not found on PATH, and rendering needs it. '
           'Install Graphviz: "apt-get install graphviz" (Debian/Ubuntu), '
           '"brew install graphviz" (macOS) or "conda install graphviz"; '
           'dump() writes the DOT text without it.')


class VariablePlaceholder:
    """An output Variable that no longer exists: only its shape and dtype were recorded.

    Functions hold their outputs by weak reference, so an output nobody used
    (the second result of a split, say) is freed; the graph still shows it.

    Attributes:
        creator (FunctionNode): the node that produced it.
        index (int): which output of ``creator`` it was.
        shape (tuple of ints), dtype: as recorded in ``creator.output_shapes``.
    """

    name = None

    def __init__(self, creator, index):
        self.creator = creator
        self.index = index
        self.shape, self.dtype = creator.output_shapes[index]

    def __repr__(self):
        return 'VariablePlaceholder(shape={}, dtype={})'.format(self.shape, self.dtype)


def _is_function(node):
    return isinstance(node, core.FunctionNode)


def _function_outputs(func):
    """The outputs of ``func``: each alive Variable, or a placeholder for a freed one."""
    outs = []
    for i, ref in enumerate(func.outputs):
        y = ref()
        outs.append(VariablePlaceholder(func, i) if y is None else y)
    return outs


def build_computational_graph(outputs, variable_style='default', function_style='default',
                              rankdir='TB', remove_variable=False, show_name=True,
                              group_by_link=None):
    """Build the graph of the Functions and Variables behind ``outputs``.

    Walks back from each output through ``creator`` and ``Function.inputs``,
    breadth first and without recursion.  Every output of a Function reached
    is drawn too: the Variable if it is still alive, else a
    :class:`VariablePlaceholder` labelled with its recorded shape and dtype.
    The walk stops at Variables without a creator (leaves, or ones cut by
    ``unchain_backward``).

    For example, with ``y = f(x)`` and ``z = g(x)``, ``outputs=[y, z]`` gives
    the whole graph and ``outputs=[y]`` gives ``x -> f -> y`` only.

    Args:
        outputs (list of Variable or Function): where the walk starts; a
            single Variable is accepted too.
        variable_style (dict, 'default' or None): DOT attributes of variable
            nodes; ``'default'`` is Chainer's grey fill, None leaves only
            ``shape=oval``.
        function_style (dict, 'default' or None): DOT attributes of function
            nodes; ``'default'`` is Chainer's blue fill, None leaves only
            ``shape=box``.
        rankdir (str): ``'TB'`` (top to bottom), ``'BT'``, ``'LR'`` or ``'RL'``.
        remove_variable (bool): draw only Functions, with an edge ``f -> g``
            when an output of ``f`` is an input of ``g``.
        show_name (bool): put Variable names (``x: (2, 3), float32``) in the labels.
        group_by_link (Link or None): a model; each of its descendant Links
            gets a box (``subgraph cluster_N``) labelled with its path
            (``/conv1``) around the Functions it called and the Parameters it
            owns, nested as the Links are.  Parameters are labelled with their
            path (``conv1/W: (96, 3, 11, 11), float32``).  Functions called by
            the model itself or outside it stay unboxed.

    Returns:
        ComputationalGraph: ``nodes`` in discovery order and ``edges`` as
        ``(head, tail)`` pairs (``x -> f`` is ``(x, f)``).
    """
    name = 'build_computational_graph'
    if isinstance(outputs, (core.Variable, core.VariableNode, core.FunctionNode)):
        outputs = [outputs]
    type_check.require(isinstance(outputs, (list, tuple)), name,
                       'outputs to be a list of Variables',
                       'outputs is a {}'.format(type(outputs).__name__))
    for i, o in enumerate(outputs):
        type_check.require(isinstance(o, (core.Variable, core.VariableNode, core.FunctionNode)), name,
                           'outputs[{}] to be a Variable or a Function'.format(i),
                           'outputs[{}] is a {}'.format(i, type(o).__name__))
    _check_options(name, variable_style, function_style, rankdir, group_by_link)

    nodes = []
    found = set()           # ids of the nodes above (they are kept alive by the list)
    edges = []
    found_edges = set()
    queue = collections.deque()

    def add_node(node):
        if id(node) not in found:
            found.add(id(node))
            nodes.append(node)
            queue.append(node)

    def add_edge(head, tail):
        key = (id(head), id(tail))
        if key not in found_edges:      # ``x * x`` is drawn with one edge, as in Chainer
            found_edges.add(key)
            edges.append((head, tail))

    for o in outputs:
        add_node(o.node if isinstance(o, core.Variable) else o)
    while queue:
        node = queue.popleft()
        if _is_function(node):
            for y in _function_outputs(node):
                add_node(y)
                add_edge(node, y)
            for x in node.inputs:
                add_node(x)
                add_edge(x, node)
        elif node.creator is not None:
            add_node(node.creator)
            add_edge(node.creator, node)
    return ComputationalGraph(nodes, edges, variable_style, function_style, rankdir,
                              remove_variable, show_name, group_by_link)


def _check_options(func_name, variable_style, function_style, rankdir, group_by_link):
    for arg, style in (('variable_style', variable_style), ('function_style', function_style)):
        type_check.require(style is None or style == 'default' or isinstance(style, dict), func_name,
                           "{} to be a dict of DOT attributes, 'default' or None".format(arg),
                           '{} == {!r}'.format(arg, style))
    type_check.require(rankdir in _RANKDIRS, func_name,
                       "rankdir in ('TB', 'BT', 'LR', 'RL')", 'rankdir == {!r}'.format(rankdir))
    type_check.require(group_by_link is None or isinstance(group_by_link, link_module.Link),
                       func_name, 'group_by_link to be a Link (the model) or None',
                       'group_by_link is a {}'.format(type(group_by_link).__name__))


class ComputationalGraph:
    """A graph of Variables and Functions that can be written as DOT or rendered.

    Args:
        nodes (list): Variables, :class:`VariablePlaceholder` s and Functions;
            their order numbers the DOT ids.
        edges (list): ``(head, tail)`` pairs of nodes, drawn ``head -> tail``.
        variable_style, function_style, rankdir, remove_variable, show_name,
        group_by_link: see :func:`build_computational_graph`.
    """

    def __init__(self, nodes, edges, variable_style='default', function_style='default',
                 rankdir='TB', remove_variable=False, show_name=True, group_by_link=None):
        _check_options('ComputationalGraph', variable_style, function_style, rankdir, group_by_link)
        self.nodes = nodes
        self.edges = edges
        self.variable_style = dict(_var_style) if variable_style == 'default' else variable_style
        self.function_style = dict(_func_style) if function_style == 'default' else function_style
        self.rankdir = rankdir
        self.remove_variable = remove_variable
        self.show_name = show_name
        self.group_by_link = group_by_link

    # -- DOT text ------------------------------------------------------------
    def dump(self, format='dot'):
        """The graph as text in the DOT language (no Graphviz program is needed).

        Args:
            format (str): must be ``'dot'``.

        Returns:
            str: ``digraph graphname { rankdir=TB; ... }``, one statement per line.
        """
        type_check.require(format == 'dot', 'ComputationalGraph.dump', "format == 'dot'",
                           'format == {!r}'.format(format))
        lines = ['digraph graphname {', '  rankdir={};'.format(self.rankdir)]
        lines.extend('  ' + line for line in self._body())
        lines.append('}')
        return '\n'.join(lines) + '\n'

    def _body(self):
        """The node, cluster and edge statements, unindented (nested clusters indent theirs)."""
        ids = {}
        for i, node in enumerate(self.nodes):
            ids[id(node)] = ('f' if _is_function(node) else 'v') + str(i)
        drawn = [node for node in self.nodes if not (self.remove_variable and not _is_function(node))]
        param_names, clusters = self._grouping(drawn)

        # The style part of a node's attributes is the same for every node of
        # a kind: format it once (graphs may have 100,000s of nodes).
        func_shape, func_style = _style_text('box', self.function_style)
        var_shape, var_style = _style_text('oval', self.variable_style)
        record = ('record', 'Mrecord')

        def node_line(node):
            if _is_function(node):
                label = _quote(node.label, func_shape in record)
                style = func_style
            else:
                label = _quote(self._variable_label(node, param_names.get(id(node))),
                               var_shape in record)
                style = var_style
            return '{} [label={}, {}];'.format(ids[id(node)], label, style)

        by_cluster = collections.defaultdict(list)
        for node in drawn:
            by_cluster[clusters.get(id(node))].append(node)
        body = [node_line(node) for node in by_cluster.pop(None, ())]

        # Links come in depth-first order, so a cluster opens inside the one
        # before it exactly when its path extends that one's.
        open_paths = []
        number = 0
        for path in self._cluster_paths(by_cluster):
            while open_paths and not path.startswith(open_paths[-1] + '/'):
                open_paths.pop()
                body.append('  ' * len(open_paths) + '}')
            indent = '  ' * len(open_paths)
            body.append('{}subgraph cluster_{} {{'.format(indent, number))
            body.append('{}  label={};'.format(indent, _quote(path)))
            body.extend(indent + '  ' + node_line(node) for node in by_cluster.get(path, ()))
            open_paths.append(path)
            number += 1
        while open_paths:
            open_paths.pop()
            body.append('  ' * len(open_paths) + '}')

        body.extend('{} -> {};'.format(ids[id(head)], ids[id(tail)]) for head, tail in self._drawn_edges())
        return body

    def _drawn_edges(self):
        if not self.remove_variable:
            return self.edges
        # Bypass each variable: ``f -> y -> g`` becomes ``f -> g``; edges
        # from leaves and to outputs disappear with them.
        in_graph = {id(node) for node in self.nodes}
        edges, seen = [], set()
        for head, tail in self.edges:
            if _is_function(tail) and not _is_function(head):
                creator = head.creator
                if creator is not None and id(creator) in in_graph and (id(creator), id(tail)) not in seen:
                    seen.add((id(creator), id(tail)))
                    edges.append((creator, tail))
        return edges

    def _variable_label(self, v, param_name):
        shape, dtype = v.shape, v.dtype
        text = 'None' if shape is None else '{}, {}'.format(tuple(shape), dtype)
        name = param_name or v.name
        if self.show_name and name is not None:
            text = '{}: {}'.format(name, text)
        return text

    # -- grouping by Link ----------------------------------------------------
    def _grouping(self, drawn):
        """``({id(param): 'l1/W'}, {id(node): cluster path})`` for ``group_by_link`` (empty without it).

        A Function belongs to the cluster of the Link that called it, a
        Parameter to its owner's, an intermediate Variable to the innermost
        cluster holding its creator and every Function that reads it (so a
        layer's output, read by the next layer, sits between the two).
        """
        model = self.group_by_link
        if model is None:
            return {}, {}
        link_paths = {}
        for path, sub in model.namedlinks(skipself=True):
            link_paths.setdefault(id(sub), path)
        param_names, param_clusters = {}, {}
        for path, param in model.namedparams():
            owner = path.rsplit('/', 1)[0]
            param_names.setdefault(id(param.node), path[1:])
            param_clusters.setdefault(id(param.node), owner or None)

        readers = collections.defaultdict(list)
        for head, tail in self.edges:
            if _is_function(tail):
                readers[id(head)].append(tail)

        def function_cluster(func):
            return link_paths.get(id(func.link)) if func.link is not None else None

        clusters = {}
        for node in drawn:
            if _is_function(node):
                path = function_cluster(node)
            elif id(node) in param_clusters:
                path = param_clusters[id(node)]
            elif node.creator is None:
                path = None
            else:
                path = _common_path([function_cluster(node.creator)] +
                                    [function_cluster(f) for f in readers[id(node)]])
            if path is not None:
                clusters[id(node)] = path
        return param_names, clusters

    def _cluster_paths(self, by_cluster):
        """The paths of the clusters with nodes and of their ancestors, in the model's depth-first order."""
        wanted = set()
        for path in by_cluster:
            while path:
                wanted.add(path)
                path = path.rsplit('/', 1)[0]
        seen = set()
        paths = []
        for path, _ in self.group_by_link.namedlinks(skipself=True) if wanted else ():
            if path in wanted and path not in seen:
                seen.add(path)
                paths.append(path)
        return paths

    # -- Graphviz --------------------------------------------------------------
    def to_graphviz(self):
        """The graph as a ``graphviz.Digraph`` (needs the ``graphviz`` Python package).

        Returns:
            graphviz.Digraph: with the same nodes, clusters and edges as :meth:`dump`.
        """
        try:
            import graphviz
        except ImportError as e:
            raise ImportError('ComputationalGraph.to_graphviz needs the graphviz Python package: '
                              'pip install graphviz') from e
        return graphviz.Digraph(name='graphname', graph_attr={'rankdir': self.rankdir},
                                body=['\t' + line + '\n' for line in self._body()])

    def render(self, path, format=None):
        """Draw the graph into the file ``path`` with Graphviz's ``dot`` program.

        Args:
            path (str or os.PathLike): the file to write, exactly as given.
            format (str or None): a Graphviz output format (``'svg'``,
                ``'png'``, ``'pdf'``, ...); None takes it from the extension
                of ``path``.

        Returns:
            str: ``path``.

        Raises:
            RuntimeError: the ``dot`` program is not installed.
        """
        path = os.fspath(path)
        if format is None:
            format = os.path.splitext(path)[1][1:].lower()
        graph = self.to_graphviz()
        import graphviz
        type_check.require(format in graphviz.FORMATS, 'ComputationalGraph.render',
                           "format to be a Graphviz output format such as 'svg', 'png' or 'pdf' "
                           '(given, or taken from the extension of path)',
                           'format == {!r}, path == {!r}'.format(format, path))
        data = _pipe(graph, format)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def _repr_svg_(self):
        """SVG text, so that Jupyter draws a graph left as a cell's value."""
        return _pipe(self.to_graphviz(), 'svg').decode('utf-8')


def _pipe(graph, format):
    """Run ``dot`` on ``graph``; the output as bytes."""
    import graphviz
    if shutil.which('dot') is None:
        raise RuntimeError(_NO_DOT)
    try:
        return graph.pipe(format=format)
    except graphviz.ExecutableNotFound as e:
        raise RuntimeError(_NO_DOT) from e


def _common_path(paths):
    """The innermost Link path enclosing every path (``'/a/b'``, ``'/a/c'`` -> ``'/a'``); None for none."""
    if any(p is None for p in paths):
        return None
    parts = [p.split('/') for p in paths]
    common = []
    for level in zip(*parts):
        if any(part != level[0] for part in level):
            break
        common.append(level[0])
    path = '/'.join(common)
    return path or None


def _quote(text, record=False):
    """``text`` as a DOT string: in quotes, with quotes, backslashes and newlines escaped.

    In a ``record`` node's label ``{ } | < >`` are field syntax, so they are escaped too.
    """
    text = str(text).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
    if record:
        text = re.sub(r'([{}|<>])', r'\\\1', text)
    return '"{}"'.format(text)


def _style_text(shape, style):
    """``(shape, 'shape="box", fillcolor=...')``: a node kind's attributes after its label."""
    attrs = {'shape': shape}
    attrs.update(style or {})
    attrs.pop('label', None)    # every node has its own label
    return str(attrs['shape']), ', '.join('{}={}'.format(key, _quote(value)) for key, value in attrs.items())
