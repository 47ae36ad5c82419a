"""Hypothesis profiles: ``ci`` (the default: few examples) and ``thorough``.

Pick one with ``MINIGRAD_HYPOTHESIS_PROFILE=thorough`` or
``pytest --hypothesis-profile=thorough`` (the option wins).
"""
import os

from hypothesis import settings

settings.register_profile('ci', max_examples=10, deadline=None)
settings.register_profile('thorough', max_examples=300, deadline=None)
settings.load_profile(os.environ.get('MINIGRAD_HYPOTHESIS_PROFILE', 'ci'))
