"""Thread safety: ``config`` is thread-local, as in Chainer.

Each test interleaves two threads deterministically: a ``threading.Barrier``
marks the steps, so a step runs only once both threads have finished the
previous one, and every assertion sees a known state of the other thread.
A worker's failure is re-raised in the main thread (``run_pair``).
"""
import threading

import numpy

import minigrad
import minigrad.functions as F
from minigrad import Variable

TIMEOUT = 20


def run_pair(first, second):
    """Run ``first(step)`` and ``second(step)`` in two threads; ``step()`` is a shared barrier.

    Re-raises the first exception either thread raised (an assertion in a
    worker would otherwise vanish), and breaks the barrier so the other
    thread does not wait forever.
    """
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    errors = []

    def wrap(body):
        def target():
            try:
                body(barrier.wait)
            except BaseException as error:     # noqa: B036 -- handed to the main thread
                errors.append(error)
                barrier.abort()
        return target

    threads = [threading.Thread(target=wrap(first)), threading.Thread(target=wrap(second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), 'a worker thread hung'
    real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
    if real or errors:
        raise (real or errors)[0]


def test_using_config_train_in_one_thread_leaves_the_other_alone():
    seen = {}

    def a(step):
        with minigrad.using_config('train', False):
            step()                                  # 1: a is inside its block
            seen['a_inside'] = minigrad.config.train
            step()                                  # 2: b has looked
        step()                                      # 3: a has left
        seen['a_after'] = minigrad.config.train

    def b(step):
        step()                                      # 1
        seen['b_while_a_inside'] = minigrad.config.train
        step()                                      # 2
        step()                                      # 3
        seen['b_after'] = minigrad.config.train

    run_pair(a, b)
    assert seen == {'a_inside': False, 'b_while_a_inside': True,
                    'a_after': True, 'b_after': True}
    assert minigrad.config.train is True


def test_opposite_settings_at_the_same_time_and_crossed_exits():
    """a enters first and leaves first while b is still inside: each keeps its own value."""
    seen = []

    def a(step):
        with minigrad.using_config('train', False):
            step()                                  # 1: both inside
            seen.append(('a', 'both inside', minigrad.config.train))
            step()                                  # 2
        step()                                      # 3: a out, b still in
        seen.append(('a', 'a out', minigrad.config.train))
        step()                                      # 4
        step()                                      # 5: b out too
        seen.append(('a', 'both out', minigrad.config.train))

    def b(step):
        with minigrad.using_config('train', True), minigrad.using_config('debug', True):
            step()                                  # 1
            seen.append(('b', 'both inside', (minigrad.config.train, minigrad.config.debug)))
            step()                                  # 2
            step()                                  # 3: a has left its block
            seen.append(('b', 'a out', (minigrad.config.train, minigrad.config.debug)))
            step()                                  # 4
        step()                                      # 5
        seen.append(('b', 'both out', (minigrad.config.train, minigrad.config.debug)))

    run_pair(a, b)
    assert sorted(seen) == sorted([
        ('a', 'both inside', False), ('b', 'both inside', (True, True)),
        ('a', 'a out', True), ('b', 'a out', (True, True)),
        ('a', 'both out', True), ('b', 'both out', (True, False)),
    ])
    assert minigrad.config.debug is False


def test_no_backprop_mode_in_one_thread_still_records_the_other_threads_graph():
    made = {}

    def a(step):
        with minigrad.no_backprop_mode():
            step()                                  # 1: a is in no_backprop_mode
            made['a'] = Variable(numpy.ones(3, numpy.float32)) * 2
            step()                                  # 2

    def b(step):
        step()                                      # 1
        made['b'] = Variable(numpy.ones(3, numpy.float32)) * 2
        step()                                      # 2

    run_pair(a, b)
    assert made['a'].creator is None
    assert made['b'].creator is not None


def test_dropout_follows_each_threads_own_train_flag():
    """The flag decides behaviour, not just a value read back: dropout is the identity only
    in the thread that turned training off."""
    x = numpy.ones((64, 64), dtype=numpy.float32)
    outs = {}

    def a(step):
        with minigrad.using_config('train', False):
            step()                                  # 1: both threads are set up
            outs['a'] = F.dropout(x, 0.5).array
            step()                                  # 2

    def b(step):
        with minigrad.using_config('train', True):
            step()                                  # 1
            outs['b'] = F.dropout(x, 0.5).array
            step()                                  # 2

    run_pair(a, b)
    assert numpy.array_equal(outs['a'], x)
    # Training dropout zeroes about half and doubles the rest.
    assert set(numpy.unique(outs['b']).tolist()) == {0.0, 2.0}
    assert 0.3 < (outs['b'] == 0).mean() < 0.7


def test_a_global_default_change_reaches_threads_without_their_own_value():
    seen = {}

    def a(step):
        with minigrad.using_config('train', True):
            step()                                  # 1
            step()                                  # 2: main has changed the global value
            seen['a_own_value'] = minigrad.config.train

    def b(step):
        step()                                      # 1
        minigrad.global_config.train = False
        step()                                      # 2
        seen['b_follows_global'] = minigrad.config.train

    try:
        run_pair(a, b)
    finally:
        minigrad.global_config.train = True
    assert seen == {'a_own_value': True, 'b_follows_global': False}


def test_backward_in_two_threads_at_once_gives_each_its_own_gradients():
    """Two graphs differentiated concurrently: no state of one backward leaks into the other."""
    rng = numpy.random.RandomState(0)
    xa = rng.randn(20, 7)
    xb = rng.randn(20, 7)
    grads = {}

    def work(name, x0, power, step):
        step()
        results = []
        for _ in range(200):
            x = Variable(x0.copy())
            y = F.sum(x ** power * 0.5 + x)
            y.backward()
            results.append(x.grad)
        grads[name] = results

    run_pair(lambda step: work('a', xa, 2, step), lambda step: work('b', xb, 3, step))
    expect_a = xa + 1                          # d/dx (x^2/2 + x)
    expect_b = 1.5 * xb ** 2 + 1               # d/dx (x^3/2 + x)
    for g in grads['a']:
        numpy.testing.assert_allclose(g, expect_a, rtol=1e-12)
    for g in grads['b']:
        numpy.testing.assert_allclose(g, expect_b, rtol=1e-12)
