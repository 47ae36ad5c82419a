"""Devices, as ``chainer.backend``: where arrays live and which module computes on them.

minigrad computes with NumPy on the CPU, so there is one real device,
:class:`CpuDevice`.  The API is Chainer's, so scripts that pick a device
(``--device -1``, ``'@numpy'``) run unchanged, and array code that asks
``get_array_module(x)`` works with whatever module holds its data.  A GPU
request fails with an error that names the device and says CuPy is missing.
"""
import numpy

from minigrad.configuration import config


class Device:
    """Where arrays live: ``xp`` (their module), ``send`` (move arrays there), ``use``."""

    xp = None
    name = None

    def send(self, arrays):
        """Move an array, or a (nested) tuple/list/dict of arrays, to this device."""
        if isinstance(arrays, (tuple, list)):
            return type(arrays)(self.send(a) for a in arrays)
        if isinstance(arrays, dict):
            return {k: self.send(v) for k, v in arrays.items()}
        return self.send_array(arrays)

    def send_array(self, array):
        raise NotImplementedError

    def use(self):
        """Make this the current device (nothing to switch on a single CPU)."""

    def __eq__(self, other):
        return isinstance(other, Device) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return '<{} ({})>'.format(type(self).__name__, self.name)

    def __str__(self):
        return self.name


class CpuDevice(Device):
    """The CPU, computing with NumPy (Chainer's ``@numpy``)."""

    xp = numpy
    name = '@numpy'

    def send_array(self, array):
        if array is None or isinstance(array, numpy.ndarray):
            return array
        if isinstance(array, numpy.generic):
            return numpy.asarray(array)
        get = getattr(array, 'get', None)       # a CuPy array, were one given
        return numpy.asarray(get() if callable(get) else array)


class GpuDevice(Device):
    """A CUDA device (Chainer's ``@cupy:N``): never made here, as there is no CuPy.

    It exists so that ``isinstance(device, backend.GpuDevice)`` in a
    Chainer script answers False instead of failing.
    """


class ChainerxDevice(Device):
    """A ChainerX device: never made here, as minigrad has no ChainerX (see :class:`GpuDevice`)."""


class Intel64Device(Device):
    """An iDeep device: never made here (see :class:`GpuDevice`)."""


_CPU = CpuDevice()


def _gpu_error(spec):
    return RuntimeError(
        'get_device: device {!r} is a GPU, but CuPy is not installed and minigrad runs on '
        'NumPy; use -1 or "@numpy" for the CPU'.format(spec))


def get_device(device_spec):
    """The device for a spec, as ``chainer.get_device``.

    Args:
        device_spec: a :class:`Device`; ``'@numpy'``, ``'native'``,
            ``'native:0'`` or a negative int for the CPU; ``'@cupy:N'``,
            ``'cuda:N'`` or an int ``N >= 0`` for a GPU (an error here).
    """
    if isinstance(device_spec, Device):
        return device_spec
    if isinstance(device_spec, (int, numpy.integer)) and not isinstance(device_spec, bool):
        if device_spec < 0:
            return _CPU
        raise _gpu_error(device_spec)
    if isinstance(device_spec, str):
        if device_spec.lstrip('-').isdigit():    # '--device -1' as a script's string option
            return get_device(int(device_spec))
        if device_spec in ('@numpy', 'native', 'native:0', 'cpu'):
            return _CPU
        if device_spec.startswith(('@cupy', 'cuda', '@intel64')):
            raise _gpu_error(device_spec)
    raise ValueError("get_device: expect a Device, '@numpy', 'native' or an int, actual {!r}"
                     .format(device_spec))


def get_array_module(*args):
    """The module that computes on ``args``' data: always ``numpy`` here."""
    return numpy


def get_device_from_array(array):
    """The device holding ``array`` (a Variable or an array)."""
    return _CPU


def copyto(dst, src):
    """Copy ``src`` into the array ``dst`` (shapes must broadcast)."""
    numpy.copyto(dst, numpy.asarray(src))


def get_dtype(dtype=None):
    """``dtype`` as a numpy dtype; None gives the configured default (``config.dtype``, float32)."""
    return numpy.dtype(config.dtype if dtype is None else dtype)
