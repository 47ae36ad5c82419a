"""Thread-local configuration (minigrad/configuration.py)."""
import threading

import numpy
import pytest

import minigrad
from minigrad import Variable
from minigrad.configuration import LocalConfig, GlobalConfig


def test_defaults():
    assert minigrad.config.train is True
    assert minigrad.config.enable_backprop is True
    assert minigrad.config.debug is False
    assert minigrad.config.dtype == 'float32'
    shown = minigrad.config.show()
    assert shown['train'] is True and shown['debug'] is False


def test_unknown_setting_raises_attribute_error():
    with pytest.raises(AttributeError):
        minigrad.config.no_such_setting


def test_using_config_sets_and_restores():
    with minigrad.using_config('train', False):
        assert minigrad.config.train is False
        assert minigrad.config.show()['train'] is False
        with minigrad.using_config('train', True):
            assert minigrad.config.train is True
        assert minigrad.config.train is False
    assert minigrad.config.train is True


def test_using_config_restores_after_an_exception():
    with pytest.raises(KeyError):
        with minigrad.using_config('debug', True):
            raise KeyError('boom')
    assert minigrad.config.debug is False


def test_after_using_config_the_thread_follows_the_global_value_again():
    with minigrad.using_config('train', False):
        pass
    try:
        minigrad.global_config.train = False
        assert minigrad.config.train is False
    finally:
        minigrad.global_config.train = True


def test_using_config_on_the_global_config():
    with minigrad.using_config('debug', True, minigrad.global_config):
        assert minigrad.global_config.debug is True
        assert minigrad.config.debug is True
    assert minigrad.global_config.debug is False


def test_a_separate_config_object():
    g = GlobalConfig()
    c = LocalConfig(g)
    with minigrad.using_config('train', False, c):
        assert c.train is False
        assert minigrad.config.train is True
    assert c.train is True


def test_config_is_thread_local():
    inside = threading.Event()
    checked = threading.Event()
    seen = {}

    def worker():
        with minigrad.using_config('train', False), minigrad.no_backprop_mode():
            seen['worker_train'] = minigrad.config.train
            inside.set()
            checked.wait(10)

    t = threading.Thread(target=worker)
    t.start()
    assert inside.wait(10)
    # The worker is inside its block now; this thread must not see its settings.
    seen['main_train'] = minigrad.config.train
    seen['main_backprop'] = minigrad.config.enable_backprop
    y = Variable(numpy.ones(1, dtype=numpy.float32)) * 2
    checked.set()
    t.join(10)
    assert seen == {'worker_train': False, 'main_train': True, 'main_backprop': True}
    assert y.creator is not None


def test_a_new_thread_starts_from_the_global_config():
    seen = {}

    def worker():
        seen['train'] = minigrad.config.train

    with minigrad.using_config('train', False):
        t = threading.Thread(target=worker)
        t.start()
        t.join(10)
    assert seen == {'train': True}


def test_no_backprop_and_force_backprop():
    with minigrad.no_backprop_mode():
        assert minigrad.config.enable_backprop is False
        with minigrad.force_backprop_mode():
            assert minigrad.config.enable_backprop is True
        assert minigrad.config.enable_backprop is False
    assert minigrad.config.enable_backprop is True
