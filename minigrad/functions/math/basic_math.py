"""Arithmetic as functions: the same Functions that Variable's operators use."""
from minigrad.core import Add, Sub, Mul, Div, Neg, Absolute, MatMul, Pow, PowVarConst, as_variable


def add(a, b):
    """``a + b`` with broadcasting."""
    return Add()(a, b)


def sub(a, b):
    """``a - b`` with broadcasting."""
    return Sub()(a, b)


def mul(a, b):
    """``a * b`` with broadcasting."""
    return Mul()(a, b)


def div(a, b):
    """``a / b`` with broadcasting."""
    return Div()(a, b)


def neg(x):
    """``-x``."""
    return Neg()(x)


def absolute(x):
    """``|x|``."""
    return Absolute()(x)


def pow(a, b):
    """``a ** b``; a Python number as ``b`` is a constant exponent."""
    if isinstance(b, (int, float)):
        return PowVarConst(b)(a)
    return Pow()(a, b)


def matmul(a, b, transa=False, transb=False):
    """Matrix product ``a @ b`` of 2-D or batched matrices.

    Args:
        a, b: arrays of shape ``(..., M, K)`` and ``(..., K, N)``.
        transa, transb (bool): transpose the last two axes of ``a``/``b`` first.
    Returns:
        Variable of shape ``(..., M, N)``.
    """
    if transa:
        a = as_variable(a).transpose(*_swap_last(as_variable(a).ndim))
    if transb:
        b = as_variable(b).transpose(*_swap_last(as_variable(b).ndim))
    return MatMul()(a, b)


def _swap_last(ndim):
    axes = list(range(ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return axes
