"""The accelerator tests' fixture: count the accelerated calls."""
import pytest


@pytest.fixture
def count_calls(monkeypatch):
    """``count_calls(module, {'key': 'name', ...})`` wraps each ``module.name`` and
    returns a dict ``{'key': calls so far}`` that the wrappers keep up to date."""
    def wrap(module, names):
        counts = dict.fromkeys(names, 0)
        for key, name in names.items():
            function = getattr(module, name)

            def counted(*args, _function=function, _key=key):
                counts[_key] += 1
                return _function(*args)
            monkeypatch.setattr(module, name, counted)
        return counts
    return wrap
