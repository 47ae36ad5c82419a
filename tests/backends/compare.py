"""Run a computation on an accelerated path and on the NumPy path."""
import minigrad


def both_paths(setting, run):
    """``run()`` with ``config.<setting>`` at 'always', then at 'never': ``(accelerated, numpy)``."""
    with minigrad.using_config(setting, 'always'):
        fast = run()
    with minigrad.using_config(setting, 'never'):
        slow = run()
    return fast, slow
