"""Reporter, report, report_scope, Summary and DictSummary."""
import gc
import math
import threading
import weakref

import numpy
import pytest

import minigrad
from minigrad import reporter as reporter_module
from minigrad import serializers
from minigrad.reporter import DictSummary, Reporter, Summary


class Observer:
    pass


# ---------------------------------------------------------------------------
# Reporter and report()

def test_report_with_observer_prefixes_keys():
    r = Reporter()
    a, b = Observer(), Observer()
    r.add_observer('main', a)
    r.add_observers('main', [('/predictor', b)])
    obs = {}
    with r.scope(obs):
        minigrad.report({'loss': 1.5}, a)
        minigrad.report({'x': 2.0}, b)
        minigrad.report({'raw': 3.0})
    assert obs == {'main/loss': 1.5, 'main/predictor/x': 2.0, 'raw': 3.0}


def test_report_unregistered_observer_raises():
    r = Reporter()
    with r.scope({}):
        with pytest.raises(KeyError, match='Observer is not registered'):
            minigrad.report({'loss': 1.0}, Observer())


def test_report_without_reporter_does_nothing():
    minigrad.report({'loss': 1.0})      # no current reporter: silently ignored


def test_get_current_reporter_without_one_raises():
    with pytest.raises(RuntimeError, match='no reporter is current'):
        reporter_module.get_current_reporter()


def test_scopes_nest_and_restore():
    outer, inner = Reporter(), Reporter()
    outer_obs, inner_obs = {}, {}
    with outer.scope(outer_obs):
        minigrad.report({'a': 1.0})
        with inner.scope(inner_obs):
            assert reporter_module.get_current_reporter() is inner
            minigrad.report({'b': 2.0})
        minigrad.report({'c': 3.0})
    assert outer_obs == {'a': 1.0, 'c': 3.0}
    assert inner_obs == {'b': 2.0}
    assert outer.observation == {} and inner.observation == {}


def test_report_scope_switches_observation_of_current_reporter():
    r = Reporter()
    main, sub = {}, {}
    with r.scope(main):
        with minigrad.report_scope(sub):
            minigrad.report({'x': 1.0})
        minigrad.report({'y': 2.0})
    assert sub == {'x': 1.0} and main == {'y': 2.0}


def test_with_reporter_uses_its_observation():
    r = Reporter()
    with r:
        minigrad.report({'v': 4.0})
    assert r.observation == {'v': 4.0}


def test_reporter_is_thread_local():
    r = Reporter()
    seen = {}

    def other():
        minigrad.report({'from_thread': 1.0})     # no reporter in this thread
        seen['stack'] = list(reporter_module._reporters())

    obs = {}
    with r.scope(obs):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert obs == {} and seen['stack'] == []


# ---------------------------------------------------------------------------
# Reported values never keep a graph

def test_variables_become_python_numbers():
    r = Reporter()
    obs = {}
    x = minigrad.Variable(numpy.array([1.5, 2.5], dtype=numpy.float32))
    loss = minigrad.functions.sum(x * x)
    with r.scope(obs):
        minigrad.report({'loss': loss, 'np': numpy.float32(0.25), 'arr0': numpy.array(7)})
    assert type(obs['loss']) is float and obs['loss'] == 1.5 ** 2 + 2.5 ** 2
    assert type(obs['np']) is float and obs['np'] == 0.25
    assert type(obs['arr0']) is int and obs['arr0'] == 7


def test_arrays_are_copied():
    r = Reporter()
    obs = {}
    a = numpy.arange(3.0)
    v = minigrad.Variable(numpy.arange(4.0))
    with r.scope(obs):
        minigrad.report({'a': a, 'v': v})
    a[...] = -1
    v.data[...] = -1
    numpy.testing.assert_array_equal(obs['a'], [0., 1., 2.])
    numpy.testing.assert_array_equal(obs['v'], [0., 1., 2., 3.])


def test_reported_loss_does_not_keep_its_graph():
    r = Reporter()
    obs = {}
    x = minigrad.Variable(numpy.ones((2, 3), dtype=numpy.float32))
    y = x * 2.0
    loss = minigrad.functions.sum(y)
    creator = weakref.ref(loss.creator)
    with r.scope(obs):
        minigrad.report({'loss': loss})
    del loss, y
    gc.collect()
    assert creator() is None
    assert obs['loss'] == 12.0


def test_keep_graph_on_report_keeps_the_variable():
    r = Reporter()
    obs = {}
    x = minigrad.Variable(numpy.ones(2, dtype=numpy.float32))
    loss = minigrad.functions.sum(x * 3.0)
    with minigrad.using_config('keep_graph_on_report', True), r.scope(obs):
        minigrad.report({'loss': loss})
    assert obs['loss'] is loss and loss.creator is not None


def test_weight_pairs_are_detached_too():
    r = Reporter()
    obs = {}
    with r.scope(obs):
        minigrad.report({'acc': (minigrad.Variable(numpy.array(0.5)), numpy.array(4))})
    assert obs['acc'] == (0.5, 4) and type(obs['acc'][0]) is float


# ---------------------------------------------------------------------------
# Summary and DictSummary

def test_summary_mean_and_std_by_hand():
    s = Summary()
    for v in (1.0, 2.0, 6.0):
        s.add(v)
    mean, std = s.make_statistics()
    assert s.compute_mean() == 3.0 and mean == 3.0
    # variance = (4 + 1 + 9) / 3
    assert math.isclose(std, math.sqrt(14 / 3))


def test_summary_weighted():
    s = Summary()
    s.add(1.0, weight=3)
    s.add(5.0, weight=1)
    assert s.compute_mean() == 2.0          # (3 * 1 + 5) / 4


def test_summary_rounding_never_gives_nan_std():
    # 0.1 three times: sum(x^2)/n - mean^2 rounds to -1.7e-18, whose sqrt would be NaN.
    s = Summary()
    for _ in range(3):
        s.add(0.1)
    assert s.make_statistics()[1] == 0.0


def test_summary_of_arrays_is_elementwise():
    s = Summary()
    s.add(numpy.array([1.0, 2.0]))
    s.add(numpy.array([3.0, 6.0]))
    mean, std = s.make_statistics()
    numpy.testing.assert_allclose(mean, [2.0, 4.0])
    numpy.testing.assert_allclose(std, [1.0, 2.0])


def test_dict_summary_means_skips_non_scalars_and_weights():
    d = DictSummary()
    d.add({'a': 1.0, 'b': numpy.array(2.0), 'big': numpy.ones(3), 'w': (2.0, 3)})
    d.add({'a': minigrad.Variable(numpy.array(3.0)), 'w': (6.0, 1)})
    means = d.compute_mean()
    assert means == {'a': 2.0, 'b': 2.0, 'w': 3.0}     # w: (2*3 + 6*1) / 4
    stats = d.make_statistics()
    assert stats['a'] == 2.0 and stats['a.std'] == 1.0


def test_dict_summary_rejects_non_scalar_weight():
    with pytest.raises(ValueError, match="weight of 'x' to be a scalar, actual shape \\(2,\\)"):
        DictSummary().add({'x': (1.0, numpy.ones(2))})


class Holder:
    def __init__(self):
        self.summary = DictSummary()
        self.value = numpy.zeros(2)

    def serialize(self, serializer):
        self.summary.serialize(serializer['summary'])
        self.value = serializer('value', self.value)


def test_dict_summary_round_trip(tmp_path):
    src = Holder()
    src.summary.add({'main/loss': 1.0, 'main/accuracy': 0.5})
    src.summary.add({'main/loss': 2.0, 'main/accuracy': (1.0, 3)})
    path = str(tmp_path / 's.npz')
    serializers.save_npz(path, src)
    dst = Holder()
    dst.summary.add({'other': 9.0})
    serializers.load_npz(path, dst)
    assert dst.summary.compute_mean() == {'main/loss': 1.5, 'main/accuracy': 0.875}
    assert 'other' not in dst.summary.compute_mean()


def test_dict_summary_failed_load_changes_nothing(tmp_path):
    src = Holder()
    src.summary.add({'main/loss': 1.0})
    path = str(tmp_path / 's.npz')
    serializers.save_npz(path, src)
    dst = Holder()
    dst.value = numpy.zeros(5)         # a shape that does not fit: the load must fail
    dst.summary.add({'kept': 4.0})
    with pytest.raises(minigrad.type_check.InvalidType, match='value'):
        serializers.load_npz(path, dst)
    assert dst.summary.compute_mean() == {'kept': 4.0}
