"""Devices on the CPU with Chainer's API (minigrad/backend.py, minigrad/backends/cuda.py)."""
import numpy
import pytest

import minigrad as chainer
import minigrad.links as L
from minigrad import backend
from minigrad.backends import cuda


@pytest.mark.parametrize('spec', ['@numpy', -1, 'native', 'native:0', numpy.int64(-1)])
def test_cpu_specs_give_the_numpy_device(spec):
    device = chainer.get_device(spec)
    assert isinstance(device, backend.CpuDevice)
    assert device.xp is numpy and str(device) == '@numpy'
    assert device == backend.CpuDevice()
    device.use()


@pytest.mark.parametrize('spec', [0, 1, '@cupy:0', 'cuda:1'])
def test_a_gpu_request_names_the_device_and_cupy(spec):
    with pytest.raises(RuntimeError, match=r'get_device: device {!r} is a GPU, but CuPy is not '
                                           r'installed'.format(spec).replace('@', '@')):
        chainer.get_device(spec)


def test_a_bad_spec_is_rejected():
    with pytest.raises(ValueError, match=r"get_device: expect a Device, '@numpy', 'native' or an int, "
                                         r"actual 'tpu'"):
        chainer.get_device('tpu')


def test_send_moves_nested_arrays_and_keeps_them():
    device = chainer.get_device('@numpy')
    a = numpy.arange(3.0)
    sent = device.send({'x': (a, [a]), 'y': numpy.float32(2)})
    assert sent['x'][0] is a and sent['x'][1][0] is a
    assert isinstance(sent['y'], numpy.ndarray) and sent['y'] == 2


def test_array_module_and_device_of_arrays():
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    assert backend.get_array_module(x) is numpy and cuda.get_array_module(x.array) is numpy
    assert backend.get_device_from_array(x.array) == backend.CpuDevice()
    assert x.xp is numpy and x.device == backend.CpuDevice()
    assert x.to_cpu() is x and x.to_device('@numpy') is x
    with pytest.raises(RuntimeError, match='CuPy is not installed'):
        x.to_gpu()


def test_links_move_to_the_cpu_and_refuse_a_gpu():
    link = L.Linear(3, 2)
    assert link.to_device(-1) is link and link.to_cpu() is link
    assert link.xp is numpy and link.device == backend.CpuDevice()
    with pytest.raises(RuntimeError, match=r"device 0 is a GPU, but CuPy is not installed"):
        link.to_gpu()
    with pytest.raises(RuntimeError, match=r"device '@cupy:0' is a GPU"):
        link.to_device('@cupy:0')


def test_cuda_module_without_cupy():
    assert cuda.available is False and cuda.cupy is None
    a = numpy.ones(2)
    assert cuda.to_cpu(a) is a
    assert cuda.to_cpu(None) is None
    with cuda.get_device_from_id(None):
        pass
    assert cuda.get_device_from_id(-1) == cuda.DummyDevice
    with pytest.raises(RuntimeError, match='CUDA is not available: CuPy is not installed'):
        cuda.get_device_from_id(0)
    with pytest.raises(RuntimeError, match='CUDA is not available'):
        cuda.to_gpu(a)


def test_get_dtype_follows_the_config():
    assert chainer.get_dtype() == numpy.float32
    assert chainer.get_dtype(numpy.float64) == numpy.float64
    with chainer.using_config('dtype', numpy.float64):
        assert chainer.get_dtype() == numpy.float64


def test_chainer_subpackages_are_reachable_from_the_top():
    for name in ('optimizers', 'datasets', 'iterators', 'optimizer_hooks', 'computational_graph',
                 'gradient_check', 'serializers', 'training', 'backend', 'backends', 'links',
                 'functions', 'initializers', 'reporter', 'cuda', 'dataset'):
        assert hasattr(chainer, name), name
    assert chainer.training.extensions.LogReport is not None


def test_chainers_other_device_classes_exist_and_match_nothing():
    device = chainer.get_device(-1)
    for cls in (backend.GpuDevice, backend.ChainerxDevice, backend.Intel64Device):
        assert not isinstance(device, cls)


def test_batch_normalization_follows_the_configured_dtype():
    with chainer.using_config('dtype', numpy.float64):
        bn = L.BatchNormalization(3)
    assert bn.gamma.dtype == bn.avg_mean.dtype == numpy.float64
    assert L.BatchNormalization(3).gamma.dtype == numpy.float32


def test_chainers_old_names_of_the_optimizer_hooks():
    assert chainer.optimizer.WeightDecay is chainer.optimizer_hooks.WeightDecay
    assert chainer.optimizer.GradientClipping is chainer.optimizer_hooks.GradientClipping
    with pytest.raises(AttributeError, match='no attribute'):
        chainer.optimizer.NoSuchHook
