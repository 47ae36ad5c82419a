"""save_npz / load_npz: Chainer's key layout, atomic saves, transactional loads."""
import io
import os

import numpy
import pytest

import minigrad
import minigrad.links as L
from minigrad import Chain, ChainList, optimizers, serializers
from minigrad.type_check import InvalidType


def make_model(seed=0):
    numpy.random.seed(seed)
    model = Chain(conv1=L.Convolution2D(3, 4, 3), bn1=L.BatchNormalization(4), fc=L.Linear(8, 2),
                  heads=ChainList(L.Linear(2, 2, nobias=True)))
    model.bn1.avg_mean[...] = numpy.random.randn(4)
    model.bn1.avg_var[...] = numpy.random.rand(4) + 0.5
    model.bn1.N = 3 + seed
    model.bn1.gamma.data[...] = numpy.random.randn(4)
    return model


# Chainer's layout, written by hand: no leading slash, params then persistents, then children.
EXPECTED = [
    ('conv1/W', (4, 3, 3, 3)), ('conv1/b', (4,)),
    ('bn1/gamma', (4,)), ('bn1/beta', (4,)),
    ('bn1/avg_mean', (4,)), ('bn1/avg_var', (4,)), ('bn1/N', ()),
    ('fc/W', (2, 8)), ('fc/b', (2,)),
    ('heads/0/W', (2, 2)),
]


def state(model):
    """Every parameter and persistent value, copied."""
    out = {path: p.data.copy() for path, p in model.namedparams()}
    for path, link in model.namedlinks():
        for name in link._persistent:
            value = getattr(link, name)
            out[path + '/' + name] = value.copy() if isinstance(value, numpy.ndarray) else value
    return out


def assert_same_state(a, b):
    assert list(a) == list(b)
    for key in a:
        assert numpy.array_equal(a[key], b[key]), key


def assert_untouched(model, before):
    assert_same_state(state(model), before)


# ---------------------------------------------------------------------------
# Round trips and layout

@pytest.mark.parametrize('compression', [True, False])
def test_round_trip_with_chainers_keys(tmp_path, compression):
    model = make_model(0)
    path = tmp_path / 'model.npz'
    serializers.save_npz(str(path), model, compression=compression)
    with numpy.load(path) as npz:
        assert sorted(npz.files) == sorted(key for key, _ in EXPECTED)
        for key, shape in EXPECTED:
            assert npz[key].shape == shape, key
        assert npz['bn1/N'] == 3
        assert numpy.array_equal(npz['fc/W'], model.fc.W.data)
    other = make_model(1)
    serializers.load_npz(path, other)
    assert_same_state(state(other), state(model))
    assert type(other.bn1.N) is int and other.bn1.N == 3
    assert other.fc.W.dtype == numpy.float32


def test_dictionary_serializer_order_and_values():
    model = make_model(0)
    target = {}
    serializers.DictionarySerializer(target).save(model)
    assert [(key, value.shape) for key, value in target.items()] == EXPECTED


def test_chainer_format_file_written_by_numpy_savez_loads(tmp_path):
    rng = numpy.random.RandomState(5)
    arrays = {key: numpy.asarray(rng.randn(*shape), dtype=numpy.float32) for key, shape in EXPECTED}
    arrays['bn1/N'] = numpy.array(11)
    path = tmp_path / 'chainer.npz'
    numpy.savez(path, **arrays)
    model = make_model(0)
    serializers.load_npz(str(path), model)
    assert numpy.array_equal(model.conv1.W.data, arrays['conv1/W'])
    assert numpy.array_equal(model.bn1.avg_var, arrays['bn1/avg_var'])
    assert numpy.array_equal(model.heads[0].W.data, arrays['heads/0/W'])
    assert model.bn1.N == 11


def test_file_objects(tmp_path):
    model = make_model(0)
    buf = io.BytesIO()
    serializers.save_npz(buf, model)
    buf.seek(0)
    other = make_model(1)
    serializers.load_npz(buf, other)
    assert_same_state(state(other), state(model))


def test_float64_file_into_float32_model_casts(tmp_path):
    path = tmp_path / 'f64.npz'
    numpy.savez(path, **{'W': numpy.full((3, 2), 0.25), 'b': numpy.arange(3.0)})
    fc = L.Linear(2, 3)
    serializers.load_npz(path, fc)
    assert fc.W.dtype == numpy.float32 and (fc.W.data == 0.25).all()
    assert fc.b.data.tolist() == [0, 1, 2]


def test_lazy_params_take_the_loaded_shape(tmp_path):
    path = tmp_path / 'm.npz'
    serializers.save_npz(path, L.Linear(5, 3))
    lazy = L.Linear(None, 3)
    assert lazy.W.data is None
    serializers.load_npz(path, lazy)
    assert lazy.W.shape == (3, 5) and lazy.W.dtype == numpy.float32
    with numpy.load(path) as npz:
        assert numpy.array_equal(lazy.W.data, npz['W'])


def test_uninitialized_params_are_saved_as_none_and_leave_values_alone(tmp_path):
    path = tmp_path / 'lazy.npz'
    serializers.save_npz(path, L.Linear(None, 3))       # W is None: stored as Chainer does
    fresh = L.Linear(None, 3)
    serializers.load_npz(path, fresh)
    assert fresh.W.data is None and fresh.b.data.tolist() == [0, 0, 0]
    ready = L.Linear(4, 3)
    W = ready.W.data.copy()
    serializers.load_npz(path, ready)
    assert numpy.array_equal(ready.W.data, W)


def test_path_loads_a_subtree(tmp_path):
    model = make_model(0)
    path = tmp_path / 'wrapped.npz'
    serializers.save_npz(path, Chain(predictor=model))
    with numpy.load(path) as npz:
        assert sorted(npz.files) == sorted('predictor/' + key for key, _ in EXPECTED)
    other = make_model(1)
    serializers.load_npz(path, other, path='predictor/')
    assert_same_state(state(other), state(model))


def test_strict_false_skips_missing_keys_and_ignore_names(tmp_path):
    model = make_model(0)
    target = {}
    serializers.DictionarySerializer(target).save(model)
    del target['fc/b']
    path = tmp_path / 'partial.npz'
    numpy.savez(path, **target)
    other = make_model(1)
    b = other.fc.b.data.copy()
    serializers.load_npz(path, other, strict=False)
    assert numpy.array_equal(other.fc.b.data, b)
    assert numpy.array_equal(other.fc.W.data, model.fc.W.data)

    again = make_model(2)
    keep = again.conv1.W.data.copy()
    serializers.load_npz(path, again, ignore_names=['fc/b', lambda key: key.startswith('conv1/W')])
    assert numpy.array_equal(again.conv1.W.data, keep)
    assert numpy.array_equal(again.conv1.b.data, model.conv1.b.data)


def test_optimizer_state_round_trip(tmp_path):
    model = make_model(0)
    opt = optimizers.Adam().setup(model)
    for p in model.params():
        p.grad = numpy.ones_like(p.data)
    opt.update()
    opt.update()
    path = tmp_path / 'opt.npz'
    serializers.save_npz(path, opt)
    with numpy.load(path) as npz:
        assert {'t', 'epoch', 'conv1/W/t', 'conv1/W/m', 'conv1/W/v', 'heads/0/W/v'} <= set(npz.files)
    fresh = optimizers.Adam().setup(make_model(1))
    serializers.load_npz(path, fresh)
    assert fresh.t == 2
    assert numpy.array_equal(fresh.target.conv1.W.update_rule.state['m'],
                             model.conv1.W.update_rule.state['m'])


# ---------------------------------------------------------------------------
# Failed loads change nothing

def saved_dict(model):
    target = {}
    serializers.DictionarySerializer(target).save(model)
    return {key: numpy.array(value) for key, value in target.items()}


def test_missing_key_raises_and_changes_nothing(tmp_path):
    arrays = saved_dict(make_model(0))
    del arrays['heads/0/W']             # the last key: everything before it would load
    path = tmp_path / 'missing.npz'
    numpy.savez(path, **arrays)
    model = make_model(1)
    before = state(model)
    with pytest.raises(KeyError, match="'heads/0/W' is not in .*missing.npz"):
        serializers.load_npz(path, model)
    assert_untouched(model, before)


def test_wrong_shape_raises_naming_key_and_shapes_and_changes_nothing(tmp_path):
    arrays = saved_dict(make_model(0))
    arrays['fc/W'] = numpy.zeros((2, 9), dtype=numpy.float32)
    path = tmp_path / 'shape.npz'
    numpy.savez(path, **arrays)
    model = make_model(1)
    before = state(model)
    with pytest.raises(InvalidType, match=r"load_npz: expect fc/W to have the model's shape \(2, 8\), "
                                          r'actual \(2, 9\) in .*shape.npz'):
        serializers.load_npz(path, model)
    assert_untouched(model, before)


def test_wrong_scalar_and_dtype_raise_and_change_nothing(tmp_path):
    arrays = saved_dict(make_model(0))
    arrays['bn1/N'] = numpy.array(2.5)
    path = tmp_path / 'scalar.npz'
    numpy.savez(path, **arrays)
    model = make_model(1)
    before = state(model)
    with pytest.raises(InvalidType, match='bn1/N to be a scalar convertible to int, actual shape '
                                          r'\(\), dtype float64'):
        serializers.load_npz(path, model)
    assert_untouched(model, before)
    arrays['bn1/N'] = numpy.array(4)
    arrays['fc/b'] = numpy.array([1 + 2j, 3j])
    numpy.savez(path, **arrays)
    with pytest.raises(InvalidType, match="fc/b castable to the model's dtype float32, actual complex128"):
        serializers.load_npz(path, model)
    assert_untouched(model, before)


def test_truncated_file_raises_naming_the_file_and_changes_nothing(tmp_path):
    path = tmp_path / 'model.npz'
    serializers.save_npz(path, make_model(0))
    data = path.read_bytes()
    cut = tmp_path / 'cut.npz'
    cut.write_bytes(data[:len(data) // 2])
    model = make_model(1)
    before = state(model)
    with pytest.raises(ValueError, match='cannot read .*cut.npz'):
        serializers.load_npz(cut, model)
    assert_untouched(model, before)
    empty = tmp_path / 'empty.npz'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match='cannot read .*empty.npz'):
        serializers.load_npz(empty, model)
    text = tmp_path / 'text.npz'
    text.write_text('not an archive')
    with pytest.raises(ValueError, match='cannot read .*text.npz'):
        serializers.load_npz(text, model)
    assert_untouched(model, before)


def test_corrupt_member_raises_naming_file_and_key_and_changes_nothing(tmp_path):
    arrays = saved_dict(make_model(0))
    path = tmp_path / 'corrupt.npz'
    numpy.savez(path, **arrays)       # stored, not compressed: the bytes of each array are visible
    data = bytearray(path.read_bytes())
    tail = arrays['heads/0/W'].tobytes()   # the last member: everything before it reads fine
    at = bytes(data).rindex(tail)
    data[at:at + 4] = b'\xff\xff\xff\xff'  # the zip's CRC no longer matches
    path.write_bytes(bytes(data))
    model = make_model(1)
    before = state(model)
    with pytest.raises(ValueError, match="cannot read 'heads/0/W' from .*corrupt.npz"):
        serializers.load_npz(path, model)
    assert_untouched(model, before)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        serializers.load_npz(tmp_path / 'nothing.npz', make_model(0))


# ---------------------------------------------------------------------------
# Failed saves lose nothing

def test_failed_save_keeps_the_previous_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / 'model.npz'
    serializers.save_npz(path, make_model(0))
    previous = path.read_bytes()

    def disk_full(file, *args, **kwds):
        file.write(b'PK\x03\x04 half an archive')
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(numpy, 'savez_compressed', disk_full)
    with pytest.raises(OSError, match='No space left'):
        serializers.save_npz(path, make_model(1))
    assert path.read_bytes() == previous
    assert os.listdir(tmp_path) == ['model.npz']


def test_interrupted_save_leaves_no_temp(tmp_path, monkeypatch):
    def interrupted(file, *args, **kwds):
        raise KeyboardInterrupt

    monkeypatch.setattr(numpy, 'savez', interrupted)
    with pytest.raises(KeyboardInterrupt):
        serializers.save_npz(tmp_path / 'new.npz', make_model(0), compression=False)
    assert os.listdir(tmp_path) == []


def test_save_replaces_the_previous_file(tmp_path):
    path = tmp_path / 'model.npz'
    serializers.save_npz(path, make_model(0))
    serializers.save_npz(path, make_model(1))
    other = make_model(2)
    serializers.load_npz(path, other)
    assert_same_state(state(other), state(make_model(1)))
    assert os.listdir(tmp_path) == ['model.npz']


def test_save_into_a_missing_folder_raises_naming_the_path(tmp_path):
    target = tmp_path / 'no' / 'such' / 'model.npz'
    with pytest.raises(FileNotFoundError, match=r"cannot save .*no/such/model.npz.*does not exist"):
        serializers.save_npz(str(target), make_model(0))
    assert not (tmp_path / 'no').exists()


def test_save_onto_a_folder_raises(tmp_path):
    with pytest.raises(IsADirectoryError, match='is a folder'):
        serializers.save_npz(tmp_path, make_model(0))


def test_exports():
    assert minigrad.serializers is serializers
    assert issubclass(serializers.NpzDeserializer, serializers.Deserializer)
    assert issubclass(serializers.DictionarySerializer, serializers.Serializer)
