"""One check the function tests share: float32 in, float32 out, to the second derivative."""
import numpy

from minigrad import Variable, grad
from minigrad.functions.math.sum import sum as sum_


def assert_float32_to_second_order(func, *arrays):
    """Run ``func`` on float32 copies of the float ``arrays`` and check every dtype.

    The outputs, their gradients with respect to each float input and the
    gradients of those (second derivatives) must all be float32.  The loss is
    ``sum(y * y)`` over the outputs, so second derivatives are not all zero.
    """
    xs = [Variable(a.astype(numpy.float32)) if a.dtype.kind == 'f' else a for a in arrays]
    ys = func(*xs)
    ys = ys if isinstance(ys, tuple) else (ys,)
    for i, y in enumerate(ys):
        assert y.dtype == numpy.float32, 'output {} is {}'.format(i, y.dtype)
    wrt = [x for x in xs if isinstance(x, Variable)]
    loss = sum_(ys[0] * ys[0])
    for y in ys[1:]:
        loss = loss + sum_(y * y)
    gxs = grad([loss], wrt, enable_double_backprop=True)
    for i, g in enumerate(gxs):
        assert g is None or g.dtype == numpy.float32, 'gradient {} is {}'.format(i, g.dtype)
    gxs = [g for g in gxs if g is not None and g.creator is not None]
    if not gxs:         # gradients that are constants (a linear function): nothing more
        return
    total = sum_(gxs[0] * gxs[0])
    for g in gxs[1:]:
        total = total + sum_(g * g)
    for i, gg in enumerate(grad([total], wrt)):
        assert gg is None or gg.dtype == numpy.float32, 'second derivative {} is {}'.format(i, gg.dtype)
