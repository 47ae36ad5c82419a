"""Check a function's first and second derivatives against numerical ones.

``check_backward`` runs the function forward and backward once, then
estimates each gradient by central differences,
``(f(x + eps) - f(x - eps)) / (2 eps)``, element by element, and compares.
``check_double_backward`` does the same for the function that maps the
inputs (and the output gradients) to the gradients: its backward is the
second derivative.
"""
import copy

import numpy

from minigrad.configuration import force_backprop_mode, no_backprop_mode
from minigrad.core import FunctionNode, Variable, grad


class NondifferentiableError(Exception):
    """The function is not differentiable at the point checked (left and right slopes differ)."""


def numerical_grad(f, inputs, grad_outputs, eps=1e-3, detect_nondifferentiable=False,
                   names=None, atol=1e-5, rtol=1e-4):
    """Gradients of ``sum_i f()_i * grad_outputs_i`` by central differences.

    Args:
        f: a callable with no arguments returning a tuple of arrays; it reads
            ``inputs``, which this function perturbs in place (and restores).
        inputs (tuple of ndarray): the arrays to differentiate against.
        grad_outputs (tuple of ndarray or None): the weights of each output;
            ``None`` for an output that does not count.
        eps (float): the step.
        detect_nondifferentiable (bool): also estimate the slope on each side
            of every element, ``(-3 f(x) + 4 f(x+eps) - f(x+2eps)) / 2eps``
            and its mirror, and raise :class:`NondifferentiableError` where
            they differ by more than ``atol + rtol * |slope|`` (a kink, such
            as relu at 0, makes the central difference meaningless).
        names (list of str): how the error names each input.

    Returns:
        tuple of ndarray: one gradient per input, of its shape and dtype.
    """
    def weighted(ys):
        total = 0.0
        for y, gy in zip(ys, grad_outputs):
            if gy is not None:
                total += float((numpy.asarray(y, dtype=numpy.float64) * gy).sum())
        return total

    def at(x, i, value):
        x[i] = value
        return weighted(f())

    grads = []
    for k, x in enumerate(inputs):
        gx = numpy.zeros_like(x)
        # Index x itself (not a reshaped copy) so that a non-contiguous x is perturbed too.
        for i in numpy.ndindex(x.shape):
            orig = x[i].copy()
            plus, minus = at(x, i, orig + eps), at(x, i, orig - eps)
            if detect_nondifferentiable:
                center = at(x, i, orig)
                right = (-3 * center + 4 * plus - at(x, i, orig + 2 * eps)) / (2 * eps)
                left = (3 * center - 4 * minus + at(x, i, orig - 2 * eps)) / (2 * eps)
                if abs(right - left) > atol + rtol * max(abs(right), abs(left)):
                    x[i] = orig
                    raise NondifferentiableError(
                        'the function is not differentiable at {} index {} (value {!r}): the '
                        'slope is {!r} on the left and {!r} on the right; move the point '
                        'away from the kink'.format(
                            names[k] if names else 'input {}'.format(k),
                            tuple(int(j) for j in i), float(orig), left, right))
            x[i] = orig
            gx[i] = (plus - minus) / (2 * eps)
        grads.append(gx)
    return tuple(grads)


def _as_tuple(x):
    if x is None:
        return None
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _link_params(func, params):
    if hasattr(func, 'params') and callable(func.params):
        return tuple(func.params()) + tuple(params)
    return tuple(params)


def check_backward(func, x_data, y_grad, params=(), eps=1e-3, atol=1e-5, rtol=1e-4,
                   no_grads=None, dtype=None, detect_nondifferentiable=False):
    """Assert that ``func``'s backward agrees with numerical gradients.

    Args:
        func: a callable on Variables (a function, a Link, whose parameters
            are then checked too), or a Function or FunctionNode instance.
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
        detect_nondifferentiable (bool): raise :class:`NondifferentiableError`
            when a point lies on a kink (see :func:`numerical_grad`).

    Raises:
        AssertionError: naming the input or parameter, the index of the worst
        element, both values there and the tolerances.
    """
    xs_data = _as_tuple(x_data)
    gys = _as_tuple(y_grad)
    params = _link_params(func, params)

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
        _check(func, xs_data, gys, params, eps, atol, rtol, no_grads, detect_nondifferentiable)
    finally:
        for p, d in zip(params, saved):
            p.data = d
            p.cleargrad()


def _call(func, xs):
    if isinstance(func, FunctionNode):
        # A node is applied once: every call gets a fresh copy of the untouched original.
        return copy.copy(func).apply(xs)
    ys = func(*xs)
    return ys if isinstance(ys, tuple) else (ys,)


def _check(func, xs_data, gys, params, eps, atol, rtol, no_grads, detect_nondifferentiable):
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
    total = _weighted_sum(ys, gys)
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

    numerical = numerical_grad(f, tuple(a for _, _, a in checks), gys, eps=eps,
                               detect_nondifferentiable=detect_nondifferentiable,
                               names=[name for name, _, _ in checks], atol=atol, rtol=rtol)
    for (name, analytic, _), num in zip(checks, numerical):
        if analytic is None:
            analytic = numpy.zeros_like(num)
        _assert_close(name, analytic, num, atol, rtol)


def _weighted_sum(ys, gys):
    """``sum_i sum(y_i * gy_i)`` as a Variable (None when every gy is None)."""
    from minigrad.functions.math.sum import sum as sum_
    total = None
    for y, gy in zip(ys, gys):
        if gy is None:
            continue
        if not isinstance(gy, Variable):
            gy = Variable(gy.astype(y.dtype, copy=False), requires_grad=False)
        term = sum_(y * gy)
        total = term if total is None else total + term
    return total


def check_double_backward(func, x_data, y_grad, x_grad_grad, params=(), params_grad_grad=(),
                          eps=1e-3, atol=1e-4, rtol=1e-3, no_grads=None, dtype=None,
                          detect_nondifferentiable=False):
    """Assert that ``func``'s second derivatives agree with numerical ones, as Chainer's.

    It checks the backward of the first-order gradient function
    ``(x, gy) -> d<func(x), gy>/dx`` (and ``d/dparams``) with
    :func:`check_backward`: its gradient with respect to ``x``, weighted by
    ``x_grad_grad``, is the Hessian-vector product, and with respect to
    ``gy`` the Jacobian-vector product.  So ``func``'s backward must be
    differentiable (a FunctionNode whose backward computes with Variables).

    Args:
        func, x_data, params, eps, atol, rtol, no_grads, dtype,
        detect_nondifferentiable: as in :func:`check_backward`.
        y_grad (ndarray or tuple): the gradient of each output (``None`` for
            a scalar output, seeded with 1 and then not an input).
        x_grad_grad (ndarray or tuple): the gradient for each input's
            gradient (one per input that gets a gradient).
        params_grad_grad (tuple of ndarray): the same for each parameter.

    Raises:
        AssertionError: as :func:`check_backward`; "input k" counts the
        inputs and then the output gradients.
    """
    xs_data = _as_tuple(x_data)
    gys = _as_tuple(y_grad)
    ggxs = _as_tuple(x_grad_grad)
    params = _link_params(func, params)
    ggparams = _as_tuple(params_grad_grad) or ()
    if no_grads is None:
        no_grads = [numpy.asarray(x).dtype.kind != 'f' for x in xs_data]
    n_x = len(xs_data)
    differentiated = [i for i in range(n_x) if not no_grads[i]]
    if len(ggxs) != len(differentiated):
        raise ValueError('check_double_backward: expect one x_grad_grad per input that gets a '
                         'gradient ({}), actual {}'.format(len(differentiated), len(ggxs)))
    if len(ggparams) != len(params):
        raise ValueError('check_double_backward: expect one params_grad_grad per parameter ({}), '
                         'actual {}'.format(len(params), len(ggparams)))
    seeded = gys is None or all(g is None for g in gys)

    def first_order_grad(*inputs):
        xs, gy_vars = inputs[:n_x], inputs[n_x:]
        with force_backprop_mode():
            ys = _call(func, xs)
            total = _weighted_sum(ys, gy_vars if not seeded else
                                  tuple(numpy.ones_like(y.data) for y in ys))
            wrt = [xs[i] for i in differentiated] + list(params)
            gxs = grad([total], wrt, enable_double_backprop=True)
        return tuple(Variable(numpy.zeros_like(v.data), requires_grad=False) if g is None
                     else g for v, g in zip(wrt, gxs))

    inputs = xs_data + (() if seeded else gys)
    check_backward(first_order_grad, inputs, ggxs + ggparams, params=params, eps=eps,
                   atol=atol, rtol=rtol, no_grads=list(no_grads) + [False] * (len(inputs) - n_x),
                   dtype=dtype, detect_nondifferentiable=detect_nondifferentiable)


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
