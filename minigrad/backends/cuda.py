"""``chainer.backends.cuda`` without CuPy: the names exist, the CPU paths work, GPUs fail clearly.

Scripts written for Chainer call ``cuda.to_cpu(x)`` or
``cuda.get_array_module(x)`` on their way; those work on NumPy arrays.
Asking for a GPU raises an error that says CuPy is missing.
"""
import numpy

from minigrad import backend

available = False
cudnn_enabled = False
cupy = None
ndarray = type(None)       # no array is a CuPy array here


def check_cuda_available():
    raise RuntimeError('CUDA is not available: CuPy is not installed and minigrad runs on NumPy')


def to_cpu(array, stream=None):
    """``array`` (or a nested tuple/list/dict of them) as NumPy arrays."""
    return backend.CpuDevice().send(array)


def to_gpu(array, device=None, stream=None):
    check_cuda_available()


def get_array_module(*args):
    return numpy


def get_device_from_id(device_id):
    """A device for ``device_id``: None or a negative id is the CPU; a GPU id fails."""
    if device_id is None or device_id < 0:
        return DummyDevice
    check_cuda_available()


def get_device_from_array(*arrays):
    return DummyDevice


class _DummyDeviceType:
    """Chainer's stand-in for "no GPU": usable as a context manager, does nothing."""

    id = -1

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False

    def use(self):
        pass

    def synchronize(self):
        pass

    def __eq__(self, other):
        return isinstance(other, _DummyDeviceType)

    def __hash__(self):
        return -1


DummyDevice = _DummyDeviceType()
