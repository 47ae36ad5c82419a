"""Check a Function's backward against numerical gradients.

``check_backward`` runs the function forward and backward once, then
estimates each gradient by central differences,
``(f(x + eps) - f(x - eps)) / (2 eps)``, element by element, and compares.
"""
import copy

import numpy

from minigrad.configuration import no_backprop_mode
from minigrad.core import Function, Variable


def numerical_grad(f, inputs, grad_outputs, eps=1e-3):
    """Gradients of ``sum_i f()_i * grad_outputs_i`` by central differences.

    Args:
        f: a callable with no arguments returning a tuple of arrays; it reads
            ``inputs``, which this function perturbs in place (and restores).
        inputs (tuple of ndarray): the arrays to differentiate against.
        grad_outputs (tuple of ndarray or None): the weights of each output;
            ``None`` for an output that does not count.
        eps (float): the step.

    Returns:
        tuple of ndarray: one gradient per input, of its shape and dtype.
    """
    grads = []
    for x in inputs:
        gx = numpy.zeros_like(x)
        # Index x itself (not a reshaped copy) so that a non-contiguous x is perturbed too.
        for i in numpy.ndindex(x.shape):
            orig = x[i].copy()
            x[i] = orig + eps
            ys_plus = [numpy.array(y, dtype=numpy.float64) for y in f()]
            x[i] = orig - eps
            ys_minus = [numpy.array(y, dtype=numpy.float64) for y in f()]
            x[i] = orig
            total = 0.0
            for yp, ym, gy in zip(ys_plus, ys_minus, grad_outputs):
                if gy is not None:
                    total += float(((yp - ym) * gy).sum())
            gx[i] = total / (2 * eps)
        grads.append(gx)
    return tuple(grads)


def _as_tuple(x):
    if x is None:
        return None
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def check_backward(func, x_data, y_grad, params=(), eps=1e-3, atol=1e-5, rtol=1e-4,
                   no_grads=None, dtype=None):
    """Assert that ``func``'s backward agrees with numerical gradients.

    Args:
        func: a Function instance, a callable on Variables, or a Link (whose
            parameters are then checked too).
        x_data (ndarray or tuple of ndarrays): the inputs.
        y_grad (ndarray or tuple or None): the gradient of each output;
            ``None`` when the output is a scalar (it is seeded with 1).
        params (tuple of Variables): more Variables to check, e.g. a Link's
            parameters passed explicitly.
        eps (float): the central-difference step.
        atol, rtol (float): tolerances, as in ``numpy.allclose``.
        no_grads (list of bool): ``True`` for an input that must get no gradient.
        dtype: if given (e.g. ``numpy.float64``), inputs, output gradients and
            parameters are cast to it for the check and restored afterwards.

    Raises:
        AssertionError: naming the input or parameter, the index of the worst
        element, both values there and the tolerances.
    """
    xs_data = _as_tuple(x_data)
    gys = _as_tuple(y_grad)
    if hasattr(func, 'params') and callable(func.params):
        params = tuple(func.params()) + tuple(params)
    params = tuple(params)

    def cast(a):
        if dtype is None or a.dtype.kind != 'f':
            return a
        return a.astype(dtype)

    xs_data = tuple(cast(numpy.asarray(x)) for x in xs_data)
    if gys is not None:
        gys = tuple(None if g is None else cast(numpy.asarray(g)) for g in gys)
    saved = [p.data for p in params]
    try:
        for p in params:
            p.data = cast(p.data).copy()
        _check(func, xs_data, gys, params, eps, atol, rtol, no_grads)
    finally:
        for p, d in zip(params, saved):
            p.data = d
            p.cleargrad()


def _call(func, xs):
    if isinstance(func, Function):
        # A Function instance runs once per forward (release() drops its
        # arrays), so every call gets a fresh copy of the untouched original.
        func = copy.copy(func)
    ys = func(*xs)
    return ys if isinstance(ys, tuple) else (ys,)


def _check(func, xs_data, gys, params, eps, atol, rtol, no_grads):
    xs = tuple(Variable(x.copy()) for x in xs_data)
    for p in params:
        p.cleargrad()
    ys = _call(func, xs)
    if gys is None:
        for y in ys:
            if y.size != 1:
                raise ValueError('check_backward: y_grad=None needs scalar outputs, '
                                 'actual output shape {}'.format(y.shape))
        gys = tuple(numpy.ones_like(y.data) for y in ys)
    if len(gys) != len(ys):
        raise ValueError('check_backward: expect {} output gradients (one per output), actual {}'
                         .format(len(ys), len(gys)))
    # One backward through every output at once: the gradient of sum_i <y_i, gy_i>.
    total = None
    for y, gy in zip(ys, gys):
        if gy is not None:
            term = _weighted_sum(y, gy)
            total = term if total is None else total + term
    if total is not None:
        total.backward()

    if no_grads is None:
        no_grads = [x.dtype.kind != 'f' for x in xs_data]
    # The numerical gradient perturbs, in place, the very arrays the function reads.
    inputs_now = [x.copy() for x in xs_data]
    checks = []     # (name, backward gradient, array to perturb)
    for i, (x, skip) in enumerate(zip(xs, no_grads)):
        if not skip:
            checks.append(('input {}'.format(i), x.grad, inputs_now[i]))
        elif x.grad is not None:
            raise AssertionError('check_backward: input {} must get no gradient, but got one'
                                 .format(i))
    for j, p in enumerate(params):
        checks.append(('parameter {}'.format(p.name or j), p.grad, p.data))

    def f():
        with no_backprop_mode():
            return tuple(y.data for y in _call(func, tuple(Variable(x) for x in inputs_now)))

    numerical = numerical_grad(f, tuple(a for _, _, a in checks), gys, eps=eps)
    for (name, analytic, _), num in zip(checks, numerical):
        if analytic is None:
            analytic = numpy.zeros_like(num)
        _assert_close(name, analytic, num, atol, rtol)


def _weighted_sum(y, gy):
    from minigrad.functions.math.sum import sum as sum_
    return sum_(y * Variable(gy.astype(y.dtype, copy=False), requires_grad=False))


def _assert_close(name, analytic, numerical, atol, rtol):
    if analytic.shape != numerical.shape:
        raise AssertionError('check_backward: gradient of {} has shape {}, expect {}'
                             .format(name, analytic.shape, numerical.shape))
    excess = numpy.abs(analytic - numerical) - (atol + rtol * numpy.abs(numerical))
    if excess.size and excess.max() > 0:
        idx = numpy.unravel_index(int(numpy.argmax(excess)), excess.shape)
        bad = int((excess > 0).sum())
        raise AssertionError(
            'check_backward: the gradient of {} differs from the numerical gradient '
            'at {} of {} elements.\n'
            '  worst at index {}: backward {!r}, numerical {!r}\n'
            '  tolerance: |backward - numerical| <= atol + rtol * |numerical| '
            'with atol={}, rtol={}\n'
            '  backward:\n{}\n  numerical:\n{}'.format(
                name, bad, excess.size, tuple(int(i) for i in idx),
                float(analytic[idx]), float(numerical[idx]), atol, rtol, analytic, numerical))
