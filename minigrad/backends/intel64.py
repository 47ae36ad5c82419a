"""oneDNN convolutions behind ``config.use_ideep``: Chainer's iDeep switch, optional.

oneDNN (Intel's deep-learning primitives, which Chainer reached through its
iDeep backend and PyTorch uses on the CPU) convolves without im2col: its
kernels work on blocked layouts (``nChw16c``) in registers and cache.  This
module calls oneDNN's C API through ``ctypes`` for the three products of a
convolution::

    convolution_forward(x, W, b)          y      (Convolution2D)
    convolution_backward_data(gy, W)      gx     (Deconvolution2D, convolution's input gradient)
    convolution_backward_weights(x, gy)   gW     (Convolution2DGradW)

Each converts its NumPy arrays (``NCHW``, ``OIHW``) into the layouts oneDNN
picks and back ("reorders"), as PyTorch does on every call.  The switch is
``config.use_ideep``: ``'never'`` (the default), ``'auto'`` (where oneDNN is
installed) or ``'always'`` (an error where it is not); the environment
variable ``MINIGRAD_USE_IDEEP`` sets the default.  Only C-contiguous float32
arrays and ungrouped convolutions take this path; everything else is the
NumPy code, which stays the reference.  Results agree with it to float32
rounding: oneDNN adds the products in another order.

The library is the ``onednn-cpu-gomp`` wheel's ``libdnnl.so.3`` (oneDNN 3.2,
CPU only, GNU OpenMP): ``pip install "minigrad[ideep]"``.  It is found in
``sys.prefix/lib`` (or the user base's, after ``pip install --user``), or
where ``MINIGRAD_DNNL_LIBRARY`` points, and loaded on the first call that
uses it; ``import minigrad`` loads nothing.

Linear's products go to oneDNN's matmul under the same switch (see
:func:`matmul`), and the convolutions' primitives are those of oneDNN's
"direct" algorithm, which picks its best kernel for the CPU.
"""
import ctypes
import functools
import os
import site
import sys
import threading

import numpy

from minigrad.backends import _switch
from minigrad.utils.conv import get_windows_extent

_FLOAT32 = numpy.dtype(numpy.float32)

# From oneDNN 3.x's C headers (dnnl_types.h, dnnl_common_types.h).
_F32 = 3                                            # dnnl_f32
_TAG_ANY, _TAG_A, _TAG_AB, _TAG_ABCD = 1, 2, 3, 5   # dnnl_format_tag_any, a (x), ab, abcd (nchw, oihw)
_CPU, _IN_ORDER = 1, 1                              # dnnl_cpu, dnnl_stream_in_order
_FORWARD_TRAINING = 64                              # dnnl_prop_kind_t
_CONVOLUTION_DIRECT = 1                             # dnnl_convolution_direct
_Q_SRC, _Q_DIFF_SRC, _Q_WEIGHTS, _Q_DIFF_WEIGHTS, _Q_DST, _Q_DIFF_DST = range(129, 135)
_ARG_SRC, _ARG_DST, _ARG_WEIGHTS, _ARG_BIAS = 1, 17, 33, 41
_ARG_DIFF_SRC, _ARG_DIFF_DST, _ARG_DIFF_WEIGHTS = 129, 145, 161

_WRITTEN = (_ARG_DST, _ARG_DIFF_SRC, _ARG_DIFF_WEIGHTS)    # the arguments a primitive writes

_Dims = ctypes.c_int64 * 12                         # dnnl_dims_t


class _ExecArg(ctypes.Structure):                   # dnnl_exec_arg_t
    _fields_ = [('arg', ctypes.c_int), ('memory', ctypes.c_void_p)]


def library_path():
    """The path of ``libdnnl.so.3`` that would be loaded, or None."""
    explicit = os.environ.get('MINIGRAD_DNNL_LIBRARY')
    if explicit:
        return explicit if os.path.exists(explicit) else None
    # pip puts a wheel's data files under the environment's prefix (a
    # `pip install --user` under the user base).
    for base in (sys.prefix, site.getuserbase()):
        path = os.path.join(base, 'lib', 'libdnnl.so.3')
        if os.path.exists(path):
            return path
    return None


@functools.lru_cache(maxsize=None)
def is_ideep_available():
    """True when oneDNN's library is installed (looked up once; nothing is loaded)."""
    return library_path() is not None


def should_use_ideep(*arrays):
    """Whether a convolution should go to oneDNN now, for these ``arrays``.

    True when ``config.use_ideep`` asks for it (``'auto'`` with oneDNN
    installed, or ``'always'``) and every array is C-contiguous float32.

    Raises:
        ValueError: ``config.use_ideep`` is not one of ``'never'``, ``'auto'``, ``'always'``.
        RuntimeError: it is ``'always'`` and oneDNN is not installed.
    """
    return (_switch.wanted('use_ideep', is_ideep_available, 'oneDNN', 'ideep')
            and all(a.dtype == _FLOAT32 and a.flags.c_contiguous for a in arrays))


class _Library:
    """The loaded library with its one CPU engine and stream (per process)."""

    def __init__(self, path):
        lib = self.lib = ctypes.CDLL(path)
        vp, c_int = ctypes.c_void_p, ctypes.c_int
        signatures = {
            'dnnl_engine_create': [vp, c_int, ctypes.c_size_t],
            'dnnl_stream_create': [vp, vp, ctypes.c_uint],
            'dnnl_stream_wait': [vp],
            'dnnl_memory_desc_create_with_tag': [vp, c_int, vp, c_int, c_int],
            'dnnl_memory_desc_destroy': [vp],
            'dnnl_memory_desc_equal': [vp, vp],
            'dnnl_memory_desc_get_size': [vp],
            'dnnl_memory_create': [vp, vp, vp, vp],
            'dnnl_memory_destroy': [vp],
            'dnnl_primitive_desc_query_md': [vp, c_int, c_int],
            'dnnl_primitive_desc_destroy': [vp],
            'dnnl_primitive_create': [vp, vp],
            'dnnl_primitive_destroy': [vp],
            'dnnl_primitive_execute': [vp, vp, c_int, vp],
            'dnnl_reorder_primitive_desc_create': [vp, vp, vp, vp, vp, vp],
            'dnnl_convolution_forward_primitive_desc_create':
                [vp, vp, c_int, c_int, vp, vp, vp, vp, vp, vp, vp, vp, vp],
            'dnnl_convolution_backward_data_primitive_desc_create':
                [vp, vp, c_int, vp, vp, vp, vp, vp, vp, vp, vp, vp],
            'dnnl_convolution_backward_weights_primitive_desc_create':
                [vp, vp, c_int, vp, vp, vp, vp, vp, vp, vp, vp, vp, vp],
            'dnnl_memory_desc_create_with_strides': [vp, c_int, vp, c_int, vp],
            'dnnl_matmul_primitive_desc_create': [vp, vp, vp, vp, vp, vp, vp],
        }
        for name, argtypes in signatures.items():
            getattr(lib, name).argtypes = argtypes
        lib.dnnl_primitive_desc_query_md.restype = vp
        lib.dnnl_memory_desc_get_size.restype = ctypes.c_size_t
        self.engine, self.stream = vp(), vp()
        self.check(lib.dnnl_engine_create(ctypes.byref(self.engine), _CPU, 0), 'engine_create')
        self.check(lib.dnnl_stream_create(ctypes.byref(self.stream), self.engine, _IN_ORDER),
                   'stream_create')

    @staticmethod
    def check(status, what):
        if status != 0:
            raise RuntimeError('oneDNN {} failed with status {}'.format(what, status))

    def desc(self, shape, tag):
        """A memory descriptor of float32 ``shape`` in layout ``tag`` (owned: see _Owned)."""
        md = ctypes.c_void_p()
        self.check(self.lib.dnnl_memory_desc_create_with_tag(
            ctypes.byref(md), len(shape), _dims(*shape), _F32, tag), 'memory_desc_create')
        return md

    def strided_desc(self, shape, strides):
        """A memory descriptor of float32 ``shape`` with ``strides`` in elements."""
        md = ctypes.c_void_p()
        self.check(self.lib.dnnl_memory_desc_create_with_strides(
            ctypes.byref(md), len(shape), _dims(*shape), _F32, _dims(*strides)),
            'memory_desc_create_with_strides')
        return md

    def query(self, pd, what):
        """A memory descriptor of primitive descriptor ``pd`` (owned by ``pd``)."""
        return ctypes.c_void_p(self.lib.dnnl_primitive_desc_query_md(pd, what, 0))

    def primitive(self, pd):
        prim = ctypes.c_void_p()
        self.check(self.lib.dnnl_primitive_create(ctypes.byref(prim), pd), 'primitive_create')
        return prim

    def memory(self, md, array):
        """A memory object over ``array``'s buffer (no copy); destroy it after use."""
        mem = ctypes.c_void_p()
        self.check(self.lib.dnnl_memory_create(ctypes.byref(mem), md, self.engine,
                                               ctypes.c_void_p(array.ctypes.data)),
                   'memory_create')
        return mem

    def execute(self, prim, args):
        """Run ``prim`` on ``args`` (``[(DNNL_ARG_..., memory)]``) and wait for it."""
        packed = (_ExecArg * len(args))(*[_ExecArg(a, m) for a, m in args])
        self.check(self.lib.dnnl_primitive_execute(prim, self.stream, len(args), packed),
                   'primitive_execute')
        self.check(self.lib.dnnl_stream_wait(self.stream), 'stream_wait')


def _dims(*values):
    dims = _Dims()
    for i, v in enumerate(values):
        dims[i] = v
    return dims


_loaded = {}                  # pid -> _Library: a forked child loads its own engine
# One stream serves the process; oneDNN's streams are not for concurrent use.
_lock = threading.RLock()


def _library():
    """The library of this process, loaded on first use."""
    with _lock:
        lib = _loaded.get(os.getpid())
        if lib is None:
            path = library_path()
            if path is None:
                raise RuntimeError('oneDNN is not installed: pip install "minigrad[ideep]"')
            lib = _loaded[os.getpid()] = _Library(path)
        return lib


class _Primitive:
    """A oneDNN primitive (a convolution's, a matmul's) for one geometry, made once and kept.

    ``pd`` is the primitive descriptor, ``prim`` the primitive; ``layouts``
    maps each argument to ``(plain_md, chosen_md, to, back, size)``: the
    NumPy array's descriptor (NCHW/OIHW, or strided), the one oneDNN chose,
    the reorder into it (for an argument read) or out of it (for one written),
    None where the two layouts are the same, and the chosen layout's size in bytes.
    """

    def __init__(self, lib, pd, plain, owned):
        self.lib, self.pd = lib, pd
        # What to destroy with this object: (destroy function, handle).
        self.owned = list(owned) + [('dnnl_primitive_desc_destroy', pd)]
        self.prim = self._own('dnnl_primitive_destroy', lib.primitive(pd))
        self.layouts = {}
        for arg, (query, md) in plain.items():
            chosen = lib.query(pd, query)
            to = back = None
            if not lib.lib.dnnl_memory_desc_equal(md, chosen):
                # Into oneDNN's layout for what it reads, out of it for what it writes.
                if arg in _WRITTEN:
                    back = self._reorder(chosen, md)
                else:
                    to = self._reorder(md, chosen)
            size = lib.lib.dnnl_memory_desc_get_size(chosen)
            self.layouts[arg] = (md, chosen, to, back, size)

    def _own(self, destroy, handle):
        self.owned.append((destroy, handle))
        return handle

    def _reorder(self, src, dst):
        pd = self._own('dnnl_primitive_desc_destroy', ctypes.c_void_p())
        self.lib.check(self.lib.lib.dnnl_reorder_primitive_desc_create(
            ctypes.byref(pd), src, self.lib.engine, dst, self.lib.engine, None),
            'reorder_primitive_desc_create')
        return self._own('dnnl_primitive_destroy', self.lib.primitive(pd))

    def __del__(self):
        # Primitives first, then their descriptors (reverse order of creation).
        for destroy, handle in reversed(getattr(self, 'owned', ())):
            try:
                getattr(self.lib.lib, destroy)(handle)
            except Exception:       # interpreter shutdown: nothing left to free
                pass

    def run(self, inputs, outputs, extra=()):
        """Execute on ``inputs`` and ``outputs`` (``{arg: array}`` in plain layouts).

        Inputs are reordered into oneDNN's layouts, outputs out of them.
        ``extra`` is ``[(arg, md, array)]`` passed as they are (the bias).
        """
        with _lock:
            self._run(inputs, outputs, extra)

    def _run(self, inputs, outputs, extra):
        lib = self.lib
        made = []

        def memory(md, array):
            mem = lib.memory(md, array)
            made.append(mem)
            return mem

        try:
            args, keep_alive = [], []     # the blocked buffers, until execution
            for arg, array in inputs.items():
                md, chosen, to, _, size = self.layouts[arg]
                plain = memory(md, array)
                if to is None:
                    args.append((arg, plain))
                    continue
                buf = numpy.empty(size, dtype=numpy.uint8)
                blocked = memory(chosen, buf)
                lib.execute(to, [(_ARG_SRC, plain), (_ARG_DST, blocked)])
                args.append((arg, blocked))
                keep_alive.append(buf)
            for arg, md, array in extra:
                args.append((arg, memory(md, array)))
            results = []
            for arg, array in outputs.items():
                md, chosen, _, back, size = self.layouts[arg]
                plain = memory(md, array)
                if back is None:
                    args.append((arg, plain))
                    continue
                buf = numpy.empty(size, dtype=numpy.uint8)
                blocked = memory(chosen, buf)
                args.append((arg, blocked))
                results.append((back, blocked, plain, buf))
            lib.execute(self.prim, args)
            for back, blocked, plain, _ in results:
                lib.execute(back, [(_ARG_SRC, blocked), (_ARG_DST, plain)])
        finally:
            for mem in made:
                lib.lib.dnnl_memory_destroy(mem)


_CACHE_SIZE = 64


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _primitives(kind, pid, x_shape, w_shape, y_shape, stride, dilate, pad_l, pad_r, has_bias):
    """The :class:`_Primitive` of ``kind`` ('forward', 'backward_data',
    'backward_weights') for these shapes and geometry: made once, kept for
    the last 64 geometries (an evicted one frees its oneDNN objects)."""
    lib = _library()
    any_ = functools.partial(lib.desc, tag=_TAG_ANY)
    x_any, w_any, y_any = any_(x_shape), any_(w_shape), any_(y_shape)
    b_md = lib.desc((w_shape[0],), _TAG_A) if has_bias else None
    plain = {'x': lib.desc(x_shape, _TAG_ABCD), 'W': lib.desc(w_shape, _TAG_ABCD),
             'y': lib.desc(y_shape, _TAG_ABCD)}
    owned = [('dnnl_memory_desc_destroy', md)
             for md in (x_any, w_any, y_any, b_md, *plain.values()) if md is not None]
    geometry = (_dims(*stride), _dims(*(d - 1 for d in dilate)), _dims(*pad_l), _dims(*pad_r))
    fwd = ctypes.c_void_p()
    lib.check(lib.lib.dnnl_convolution_forward_primitive_desc_create(
        ctypes.byref(fwd), lib.engine, _FORWARD_TRAINING, _CONVOLUTION_DIRECT, x_any, w_any, b_md, y_any,
        *geometry, None), 'convolution_forward_primitive_desc_create')
    if kind == 'forward':
        conv = _Primitive(lib, fwd, {_ARG_SRC: (_Q_SRC, plain['x']),
                                       _ARG_WEIGHTS: (_Q_WEIGHTS, plain['W']),
                                       _ARG_DST: (_Q_DST, plain['y'])}, owned)
        conv.bias_md = b_md
        return conv
    owned.append(('dnnl_primitive_desc_destroy', fwd))     # the hint of the backward pd
    pd = ctypes.c_void_p()
    if kind == 'backward_data':
        lib.check(lib.lib.dnnl_convolution_backward_data_primitive_desc_create(
            ctypes.byref(pd), lib.engine, _CONVOLUTION_DIRECT, x_any, w_any, y_any,
            *geometry, fwd, None), 'convolution_backward_data_primitive_desc_create')
        return _Primitive(lib, pd, {_ARG_DIFF_DST: (_Q_DIFF_DST, plain['y']),
                                      _ARG_WEIGHTS: (_Q_WEIGHTS, plain['W']),
                                      _ARG_DIFF_SRC: (_Q_DIFF_SRC, plain['x'])}, owned)
    lib.check(lib.lib.dnnl_convolution_backward_weights_primitive_desc_create(
        ctypes.byref(pd), lib.engine, _CONVOLUTION_DIRECT, x_any, w_any, None, y_any,
        *geometry, fwd, None), 'convolution_backward_weights_primitive_desc_create')
    return _Primitive(lib, pd, {_ARG_SRC: (_Q_SRC, plain['x']),
                                  _ARG_DIFF_DST: (_Q_DIFF_DST, plain['y']),
                                  _ARG_DIFF_WEIGHTS: (_Q_DIFF_WEIGHTS, plain['W'])}, owned)


def right_padding(size, out, k, s, p, d):
    """The padding after the last pixel that makes ``out`` windows of the
    dilated kernel fit: ``(out - 1) s + dk - size - p`` (cover_all's extra
    window, or a convolution whose last pixels no window reads)."""
    return get_windows_extent(out, k, s, d) - size - p


def _geometry(x_shape, w_shape, y_shape, stride, pad, dilate):
    (kh, kw), (oh, ow) = w_shape[2:], y_shape[2:]
    pad_r = (right_padding(x_shape[2], oh, kh, stride[0], pad[0], dilate[0]),
             right_padding(x_shape[3], ow, kw, stride[1], pad[1], dilate[1]))
    return stride, dilate, pad, pad_r


def supports(x_shape, w_shape, y_shape, stride, pad, dilate):
    """Whether oneDNN takes this geometry: its right padding must not be negative."""
    return min(_geometry(x_shape, w_shape, y_shape, stride, pad, dilate)[3]) >= 0


def convolution_forward(x, W, b, y_shape, stride, pad, dilate):
    """``y`` of shape ``y_shape`` = the convolution of ``x`` (N, C, H, W) by ``W`` (O, C, KH, KW) + ``b``."""
    geometry = _geometry(x.shape, W.shape, y_shape, stride, pad, dilate)
    conv = _primitives('forward', os.getpid(), x.shape, W.shape, tuple(y_shape), *geometry,
                       b is not None)
    y = numpy.empty(y_shape, dtype=x.dtype)
    extra = [(_ARG_BIAS, conv.bias_md, b)] if b is not None else []
    conv.run({_ARG_SRC: x, _ARG_WEIGHTS: W}, {_ARG_DST: y}, extra)
    return y


def convolution_backward_data(gy, W, x_shape, stride, pad, dilate):
    """``gx`` of shape ``x_shape``: the input gradient of the convolution that gave ``gy``."""
    geometry = _geometry(x_shape, W.shape, gy.shape, stride, pad, dilate)
    conv = _primitives('backward_data', os.getpid(), tuple(x_shape), W.shape, gy.shape,
                       *geometry, False)
    gx = numpy.empty(x_shape, dtype=gy.dtype)
    conv.run({_ARG_DIFF_DST: gy, _ARG_WEIGHTS: W}, {_ARG_DIFF_SRC: gx})
    return gx


def convolution_backward_weights(x, gy, w_shape, stride, pad, dilate):
    """``gW`` of shape ``w_shape``: the filter gradient of the convolution of ``x`` that gave ``gy``."""
    geometry = _geometry(x.shape, w_shape, gy.shape, stride, pad, dilate)
    conv = _primitives('backward_weights', os.getpid(), x.shape, tuple(w_shape), gy.shape,
                       *geometry, False)
    gW = numpy.empty(w_shape, dtype=x.dtype)
    conv.run({_ARG_SRC: x, _ARG_DIFF_DST: gy}, {_ARG_DIFF_WEIGHTS: gW})
    return gW


def matmul_supports(a, b):
    """Whether oneDNN takes ``a @ b``: 2-D float32 arrays, strides whole elements >= 0."""
    return (a.ndim == b.ndim == 2 and a.dtype == b.dtype == _FLOAT32
            and all(st >= 0 and st % 4 == 0 for st in a.strides + b.strides))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _matmul_primitive(pid, a_shape, a_strides, b_shape, b_strides):
    """The :class:`_Primitive` of a matmul on plain strided arrays (kept per geometry)."""
    lib = _library()
    a_md = lib.strided_desc(a_shape, a_strides)
    b_md = lib.strided_desc(b_shape, b_strides)
    y_md = lib.desc((a_shape[0], b_shape[1]), _TAG_AB)
    pd = ctypes.c_void_p()
    lib.check(lib.lib.dnnl_matmul_primitive_desc_create(
        ctypes.byref(pd), lib.engine, a_md, b_md, None, y_md, None),
        'matmul_primitive_desc_create')
    # The plain descriptors are what oneDNN runs on: no reorders.
    return _Primitive(lib, pd, {_ARG_SRC: (_Q_SRC, a_md), _ARG_WEIGHTS: (_Q_WEIGHTS, b_md),
                                  _ARG_DST: (_Q_DST, y_md)},
                        [('dnnl_memory_desc_destroy', md) for md in (a_md, b_md, y_md)])


def matmul(a, b):
    """``a @ b`` of 2-D float32 arrays of any (element) strides, as a new C-contiguous array.

    Linear's three products go here under ``config.use_ideep`` so that a
    training step runs on one thread pool: OpenBLAS's workers spin for
    about 0.1 s after each of its products, and took the second core from
    oneDNN's convolutions that came next.
    """
    prim = _matmul_primitive(os.getpid(), a.shape, tuple(st // 4 for st in a.strides),
                             b.shape, tuple(st // 4 for st in b.strides))
    y = numpy.empty((a.shape[0], b.shape[1]), dtype=_FLOAT32)
    prim.run({_ARG_SRC: a, _ARG_WEIGHTS: b}, {_ARG_DST: y})
    return y
