"""Arithmetic as functions: the same FunctionNodes that Variable's operators use.

A constant operand (a scalar or an array) takes the dtype of its Variable
partner, as in the operators: ``add(x32, 1.0)`` stays float32.
"""
from minigrad.core import (Add, Sub, Mul, Div, Neg, Absolute, MatMul, Pow, PowVarConst,  # NOQA
                           is_real_scalar, binary_operands, transpose)


def add(a, b):
    """``a + b`` with broadcasting."""
    return Add().apply(binary_operands(a, b))[0]


def sub(a, b):
    """``a - b`` with broadcasting."""
    return Sub().apply(binary_operands(a, b))[0]


def mul(a, b):
    """``a * b`` with broadcasting."""
    return Mul().apply(binary_operands(a, b))[0]


def div(a, b):
    """``a / b`` with broadcasting."""
    return Div().apply(binary_operands(a, b))[0]


def neg(x):
    """``-x``."""
    return Neg().apply((x,))[0]


def absolute(x):
    """``|x|``."""
    return Absolute().apply((x,))[0]


def pow(a, b):
    """``a ** b``; a Python number as ``b`` is a constant exponent."""
    if is_real_scalar(b):
        return PowVarConst(b).apply((a,))[0]
    return Pow().apply(binary_operands(a, b))[0]


def matmul(a, b, transa=False, transb=False):
    """Matrix product ``a @ b`` of 2-D or batched matrices.

    Args:
        a, b: arrays of shape ``(..., M, K)`` and ``(..., K, N)``.
        transa, transb (bool): transpose the last two axes of ``a``/``b`` first.
    Returns:
        Variable of shape ``(..., M, N)``.
    """
    a, b = binary_operands(a, b)
    if transa:
        a = transpose(a, _swapped_last(a.ndim))
    if transb:
        b = transpose(b, _swapped_last(b.ndim))
    return MatMul().apply((a, b))[0]


def _swapped_last(ndim):
    axes = list(range(ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return axes
