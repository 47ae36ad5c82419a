import numpy
import pytest

import minigrad
import minigrad.functions as F
import minigrad.links as L
from minigrad.type_check import InvalidType


class MLP(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, 5)             # 3*5 + 5 once it has seen x
            self.l2 = L.Linear(5, 2, nobias=True)   # 10

    def forward(self, x):
        return self.l2(F.relu(self.l1(x)))


class Net(minigrad.Chain):
    """Nested: a Chain, a Sequential and a parameter of the model itself."""

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.mlp = MLP()
            self.seq = minigrad.Sequential(L.Linear(2, 4), F.relu, L.Linear(4, 1))
            self.scale = minigrad.Parameter(numpy.ones(3, dtype=numpy.float32))

    def forward(self, x):
        return self.seq(self.mlp(x))


def test_table_of_a_nested_model():
    s = minigrad.summary(Net(), numpy.zeros((7, 3), dtype=numpy.float32))
    assert [(r['path'], r['type'], r['output_shape'], r['params']) for r in s.rows] == [
        ('/', 'Net', '(7, 1)', 3),
        ('/mlp', 'MLP', '(7, 2)', 0),
        ('/mlp/l1', 'Linear', '(7, 5)', 20),
        ('/mlp/l2', 'Linear', '(7, 2)', 10),
        ('/seq', 'Sequential', '(7, 1)', 0),
        ('/seq/0', 'Linear', '(7, 4)', 12),
        ('/seq/1', 'Linear', '(7, 1)', 5),
    ]
    assert s.total_params == s.trainable_params == 50
    assert s.non_trainable_params == 0
    lines = str(s).splitlines()
    assert lines[0].split() == ['Layer', 'Type', 'Output', 'shape', 'Param', '#']
    assert lines[4].split() == ['/mlp/l1', 'Linear', '(7,', '5)', '20']
    assert lines[-3:] == ['Total params: 50', 'Trainable params: 50', 'Non-trainable params: 0']
    # columns line up: every Param # ends in the same column
    ends = {len(line) for line in lines[2:9]}
    assert len(ends) == 1


def test_thousands_separator_and_frozen_params():
    model = minigrad.Sequential(L.Linear(1000, 1000), L.Linear(1000, 3))
    model[1].disable_update()
    s = minigrad.summary(model, numpy.zeros((1, 1000), dtype=numpy.float32))
    assert 'Total params: 1,004,003' in s
    assert 'Trainable params: 1,001,000' in s
    assert 'Non-trainable params: 3,003' in s
    assert '1,001,000' in s.splitlines()[3]


def test_printing(capsys):
    s = minigrad.summary(MLP(), numpy.zeros((2, 3), dtype=numpy.float32))
    assert isinstance(s, str)
    assert repr(s) == str(s)        # shown as a table at the prompt, not as an escaped string
    print(s)
    assert capsys.readouterr().out == str(s) + '\n'


def test_without_inputs_lists_uninitialized_parameters():
    s = minigrad.summary(MLP())
    assert [r['output_shape'] for r in s.rows] == ['-', '-', '-']
    assert [r['params'] for r in s.rows] == [0, None, 10]      # l1's W waits for an input
    assert s.uninitialized == ['/l1/W']
    assert s.total_params == 15
    assert s.splitlines()[3].split()[-1] == '?'
    assert s.splitlines()[-1].startswith('Uninitialized (not counted; run the model on an example '
                                         'input first): /l1/W')


def test_runs_in_test_mode_without_a_graph():
    seen = []

    class Probe(minigrad.Link):
        def forward(self, x):
            seen.append((minigrad.config.train, minigrad.config.enable_backprop))
            return x * 2

    model = minigrad.Sequential(Probe())
    x = minigrad.Variable(numpy.ones((2, 2), dtype=numpy.float32))
    minigrad.summary(model, x)
    assert seen == [(False, False)]
    assert minigrad.config.train and minigrad.config.enable_backprop
    y = model(x)
    assert y.creator is not None        # the model itself is unchanged


def test_v1_models_and_keyword_arguments():
    class Inner(minigrad.Chain):           # v1: children by keyword, __call__ overridden
        def __init__(self):
            super().__init__(fc=L.Linear(4, 3))

        def __call__(self, x, double=False):
            h = self.fc(x)
            return h * 2 if double else h

    class Outer(minigrad.Chain):
        def __init__(self):
            super().__init__(inner=Inner(), head=L.Linear(3, 2))
            self.train = True

        def __call__(self, x, t, double=False):
            h = self.head(self.inner(x, double=double))
            return F.softmax_cross_entropy(h, t), h

    model = Outer()
    s = minigrad.summary(model, numpy.zeros((5, 4), dtype=numpy.float32),
                         numpy.zeros(5, dtype=numpy.int32), double=True)
    assert [(r['path'], r['output_shape']) for r in s.rows] == [
        ('/', '[(), (5, 2)]'), ('/inner', '(5, 3)'), ('/inner/fc', '(5, 3)'), ('/head', '(5, 2)')]
    assert s.total_params == 15 + 8
    assert type(model) is Outer and type(model.inner) is Inner


def test_a_shared_link_shows_every_call():
    class Twice(minigrad.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.fc = L.Linear(None, 3)

        def forward(self, x):
            return self.fc(self.fc(x))

    s = minigrad.summary(Twice(), numpy.zeros((2, 3), dtype=numpy.float32))
    assert s.rows[1]['output_shape'] == '(2, 3), (2, 3)'


def test_persistent_values_are_restored():
    class Counting(minigrad.Link):
        """Updates its persistent values in every call, whatever the mode (as v1 BN with test=False)."""

        def __init__(self):
            super().__init__()
            self.add_persistent('calls', 0)
            self.add_persistent('total', numpy.zeros(2, dtype=numpy.float32))

        def forward(self, x):
            self.calls += 1
            self.total += x.data.sum(axis=0)      # in place
            return x

    link = Counting()
    minigrad.summary(link, minigrad.Variable(numpy.ones((3, 2), dtype=numpy.float32)))
    assert link.calls == 0
    numpy.testing.assert_array_equal(link.total, [0, 0])


def test_classes_restored_when_the_model_raises():
    model = MLP()
    model(numpy.zeros((2, 3), dtype=numpy.float32))
    with pytest.raises(InvalidType, match='Linear'):        # l1 now wants 3 inputs, not 4
        minigrad.summary(model, numpy.zeros((2, 4), dtype=numpy.float32))
    assert [type(link) for link in model.links()] == [MLP, L.Linear, L.Linear]
    assert minigrad.config.train and minigrad.config.enable_backprop


def test_other_instances_do_not_record():
    a, b = MLP(), MLP()
    x = numpy.zeros((2, 3), dtype=numpy.float32)
    b(x)
    s = minigrad.summary(a, x)
    assert type(b) is MLP and s.total_params == 30


def test_model_must_be_a_link():
    with pytest.raises(InvalidType, match=r'Invalid operation in summary: expect model to be a Link '
                                          r'\(Chain, \.\.\.\), actual model is a function'):
        minigrad.summary(F.relu, numpy.zeros(3, dtype=numpy.float32))


def test_alexbn_total_and_shapes():
    model = minigrad.models.AlexBN()
    x = numpy.zeros((1, 3, 227, 227), dtype=numpy.float32)
    s = minigrad.summary(model, x, numpy.zeros(1, dtype=numpy.int32))
    assert 'Total params: 62,379,048' in s
    assert s.total_params == model.count_params() == 62379048
    shapes = {r['path']: r['output_shape'] for r in s.rows}
    assert shapes == {'/': '()', '/conv1': '(1, 96, 55, 55)', '/bn1': '(1, 96, 55, 55)',
                      '/conv2': '(1, 256, 27, 27)', '/bn2': '(1, 256, 27, 27)',
                      '/conv3': '(1, 384, 13, 13)', '/conv4': '(1, 384, 13, 13)',
                      '/conv5': '(1, 256, 13, 13)', '/fc6': '(1, 4096)', '/fc7': '(1, 4096)',
                      '/fc8': '(1, 1000)'}
    params = {r['path']: r['params'] for r in s.rows}
    assert params['/fc6'] == 9216 * 4096 + 4096
    assert params['/bn1'] == 2 * 96
