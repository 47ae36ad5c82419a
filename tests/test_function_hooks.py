"""TimerHook: per-function times of forward and backward passes."""
import io
import time

import numpy
import pytest

import minigrad
import minigrad.functions as F
from minigrad import FunctionNode
from minigrad.function_hooks import TimerHook


class Sleep(FunctionNode):
    """Identity that takes ``seconds``, so the times it reports are known."""

    def __init__(self, seconds):
        self.seconds = seconds

    def forward(self, inputs):
        time.sleep(self.seconds)
        return inputs[0].copy(),

    def backward(self, indexes, grad_outputs):
        return Sleep(self.seconds).apply(grad_outputs)


def test_times_each_call_forward_and_backward():
    x = minigrad.Variable(numpy.ones(3, numpy.float32))
    hook = TimerHook()
    with hook:
        y = Sleep(0.02).apply((x,))[0]
        y = Sleep(0.01).apply((y,))[0]
        y.grad = numpy.ones(3, numpy.float32)
        y.backward()              # the gradient passes through two more Sleeps
        F.relu(y)
    names = [name for name, _ in hook.call_history]
    assert names == ['Sleep', 'Sleep', 'Sleep', 'Sleep', 'ReLU']
    slept = [t for name, t in hook.call_history if name == 'Sleep']
    # Forward 0.02 then 0.01; backward in reverse.  A sleep lasts at least its time
    # (the upper bound is loose: a busy CI machine may wake the thread late).
    assert all(s <= t < s + 0.5 for t, s in zip(slept, (0.02, 0.01, 0.01, 0.02)))
    summary = hook.summary()
    assert list(summary) == ['Sleep', 'ReLU']
    assert summary['Sleep']['occurrence'] == 4
    assert summary['Sleep']['elapsed_time'] == pytest.approx(sum(slept))
    assert hook.total_time() == pytest.approx(sum(t for _, t in hook.call_history))


def test_only_inside_the_with_block():
    x = minigrad.Variable(numpy.ones(3, numpy.float32))
    hook = TimerHook()
    F.relu(x)
    with hook:
        F.relu(x)
    F.relu(x)
    assert [name for name, _ in hook.call_history] == ['ReLU']


def test_print_report_units():
    hook = TimerHook()
    hook.call_history = [('LinearFunction', 1.5), ('ReLU', 0.002), ('LinearFunction', 0.5)]
    out = io.StringIO()
    hook.print_report(file=out)        # 'auto': the unit of the largest, 2 s -> sec
    lines = out.getvalue().splitlines()
    assert [line.split() for line in lines] == [
        ['FunctionName', 'ElapsedTime', 'Occurrence'],
        ['LinearFunction', '2.00sec', '2'],
        ['ReLU', '0.00sec', '1']]
    assert len(set(len(line) for line in lines)) == 1      # right-aligned columns
    out = io.StringIO()
    hook.print_report(unit='auto_foreach', file=out)
    assert out.getvalue().split()[-2:] == ['2.00ms', '1']
    out = io.StringIO()
    hook.print_report(unit='us', file=out)
    assert '2000000.00us' in out.getvalue()


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="TimerHook.print_report: expect unit in .* actual 'min'"):
        TimerHook().print_report(unit='min')
