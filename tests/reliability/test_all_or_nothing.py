"""A failed load or copy changes nothing; a save keeps the file's mode and writes through links.

Each state is compared bit for bit before and after the failure.
"""
import io
import os
import stat
import zipfile

import numpy
import pytest

import minigrad
import minigrad.links as L
from minigrad import serializers
from minigrad.type_check import InvalidType


class Net(minigrad.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.fc = L.Linear(3, 2)
            self.bn = L.BatchNormalization(2)


def _state(model):
    arrays = {name: p.array.copy() for name, p in model.namedparams()}
    for path, link in model.namedlinks():
        for name in link._persistent:
            value = getattr(link, name)
            arrays[path + '/' + name] = value.copy() if isinstance(value, numpy.ndarray) else value
    return arrays


def _assert_same(before, after):
    assert before.keys() == after.keys()
    for key in before:
        numpy.testing.assert_array_equal(before[key], after[key], err_msg=key)


def _npz_with(members):
    """An NPZ archive as bytes, members written by numpy.save (object arrays allowed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        for key, array in members.items():
            member = io.BytesIO()
            numpy.save(member, array, allow_pickle=True)
            archive.writestr(key + '.npy', member.getvalue())
    return buffer.getvalue()


def _saved_members(model):
    d = serializers.DictionarySerializer()
    d.save(model)
    return dict(d.target)


def test_load_refuses_an_object_array_without_unpickling(tmp_path):
    model = Net()
    members = _saved_members(model)
    members['fc/W'] = numpy.array([[object()] * 3] * 2, dtype=object)
    path = tmp_path / 'objects.npz'
    path.write_bytes(_npz_with(members))
    before = _state(model)
    with pytest.raises(ValueError, match=r"load_npz: 'fc/W' in .* holds Python objects \(dtype "
                                         r"object, shape \(2, 3\)\): reading it would unpickle"):
        serializers.load_npz(str(path), model)
    _assert_same(before, _state(model))


def test_a_member_declaring_a_huge_shape_is_refused_before_allocating(tmp_path):
    # fc/W's member is replaced by one whose header
    # claims 10^12 elements but carries a few bytes.
    model = Net()
    members = _saved_members(model)
    path = tmp_path / 'huge.npz'
    path.write_bytes(_npz_with(members))
    raw = path.read_bytes()
    header = io.BytesIO()
    numpy.lib.format.write_array_header_1_0(header, {'descr': '<f4', 'fortran_order': False,
                                                     'shape': (1000000, 1000000)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(buffer, 'w') as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == 'fc/W.npy':
                data = b'\x93NUMPY\x01\x00' + header.getvalue()[8:] + b'\x00' * 16
            dst.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    lazy = minigrad.Chain()
    with lazy.init_scope():
        lazy.fc = L.Linear(None, 2)        # uninitialized: no model shape to compare with
        lazy.bn = L.BatchNormalization(2)
    with pytest.raises(ValueError, match=r"'fc/W' in .* declares 4000000000000 bytes of data "
                                         r"\(shape \(1000000, 1000000\), float32\) but the archive "
                                         r"holds 16"):
        serializers.load_npz(str(path), lazy)
    assert lazy.fc.W.array is None
    before = _state(model)
    with pytest.raises(InvalidType, match=r"expect fc/W to have the model's shape \(2, 3\), actual "
                                          r"\(1000000, 1000000\)"):
        serializers.load_npz(str(path), model)
    _assert_same(before, _state(model))


def test_chainers_none_marker_still_loads_as_none(tmp_path):
    model = Net()
    members = _saved_members(model)
    members['fc/b'] = numpy.asarray(None)           # what Chainer writes for None
    path = tmp_path / 'none.npz'
    path.write_bytes(_npz_with(members))
    b = model.fc.b.array.copy()
    serializers.load_npz(str(path), model)          # the current value is kept
    numpy.testing.assert_array_equal(model.fc.b.array, b)


def test_a_dtype_that_cannot_be_cast_fails_the_whole_load(tmp_path):
    model = Net()
    members = _saved_members(model)
    members['fc/W'] = members['fc/W'] + 1            # fine
    members['bn/avg_var'] = numpy.array([1 + 2j, 3j])  # complex into float32: refused
    path = tmp_path / 'complex.npz'
    numpy.savez(str(path), **members)
    before = _state(model)
    with pytest.raises(InvalidType, match=r"expect bn/avg_var castable to the model's dtype float32, "
                                          r"actual complex128"):
        serializers.load_npz(str(path), model)
    _assert_same(before, _state(model))


def test_copyparams_is_all_or_nothing():
    src, dst = Net(), Net()
    src.fc.W.array[...] = 7
    src.bn.avg_mean = numpy.array([1 + 1j, 2j])       # the last thing copied cannot be cast
    before = _state(dst)
    with pytest.raises(InvalidType, match=r'copyparams: expect /bn/avg_mean: a dtype castable to '
                                          r'float32, actual complex128 \(source\)'):
        dst.copyparams(src)
    _assert_same(before, _state(dst))
    src.bn.avg_mean = numpy.zeros(2, numpy.float32)
    dst.copyparams(src)
    numpy.testing.assert_array_equal(dst.fc.W.array, numpy.full((2, 3), 7, numpy.float32))


def test_save_keeps_the_mode_bits_of_the_file_it_replaces(tmp_path):
    path = tmp_path / 'model.npz'
    serializers.save_npz(str(path), Net())
    os.chmod(path, 0o640)
    serializers.save_npz(str(path), Net())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_save_writes_through_a_symbolic_link(tmp_path):
    target = tmp_path / 'real' / 'model.npz'
    target.parent.mkdir()
    serializers.save_npz(str(target), Net())
    link = tmp_path / 'latest.npz'
    os.symlink(target, link)
    model = Net()
    model.fc.W.array[...] = 3
    serializers.save_npz(str(link), model)
    assert os.path.islink(link) and os.readlink(link) == str(target)
    loaded = Net()
    serializers.load_npz(str(target), loaded)
    numpy.testing.assert_array_equal(loaded.fc.W.array, numpy.full((2, 3), 3, numpy.float32))
    assert sorted(os.listdir(target.parent)) == ['model.npz']      # no temp file left
