"""Exponential and logarithm (FunctionNodes in :mod:`minigrad.core`, which ``**`` needs)."""
from minigrad.core import Exp, Log, exp, log   # NOQA

__all__ = ['Exp', 'Log', 'exp', 'log']
