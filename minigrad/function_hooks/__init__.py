"""Function hooks: code run around every function applied inside ``with hook:``.

See :class:`minigrad.FunctionHook` for writing one.
"""
from minigrad.function_hooks.timer import TimerHook     # NOQA
