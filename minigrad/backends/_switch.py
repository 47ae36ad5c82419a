"""The ``'never' | 'auto' | 'always'`` switch of an optional accelerator (Chainer's use_ideep)."""
from minigrad.configuration import config

LEVELS = ('never', 'auto', 'always')


def wanted(setting, is_available, library, extra):
    """Whether ``config.<setting>`` asks for an accelerator that is installed.

    Args:
        setting (str): ``'use_numba'`` or ``'use_ideep'``.
        is_available (callable): ``() -> bool``, whether its library is installed.
        library (str): the library's name, for the message.
        extra (str): the pip extra that installs it, for the message.

    Raises:
        ValueError: the setting is not one of ``'never'``, ``'auto'``, ``'always'``.
        RuntimeError: it is ``'always'`` and the library is not installed.
    """
    level = getattr(config, setting)
    if level not in LEVELS:
        raise ValueError("config.{} must be one of 'never', 'auto', 'always'; "
                         "it is {!r}".format(setting, level))
    if level == 'never':
        return False
    available = is_available()
    if level == 'always' and not available:
        raise RuntimeError("config.{} is 'always' but {} is not installed: pip install "
                           "\"minigrad[{}]\", or set it to 'auto' or 'never'".format(
                               setting, library, extra))
    return available
