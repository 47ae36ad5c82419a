"""Utilities; ``utils.type_check`` is Chainer's place for the type-check language (minigrad.type_check)."""
from minigrad import type_check   # NOQA
