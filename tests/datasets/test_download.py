"""The data set cache (minigrad.dataset.download) against a local HTTP server."""
import hashlib
import os
import sys
import types

import pytest

from minigrad.dataset import download
from tests.datasets.files import closed_port_url, files_in


# ---------------------------------------------------------------------------
# The dataset root

def test_root_default_environment_and_set(tmp_path, monkeypatch):
    monkeypatch.delenv('MINIGRAD_DATASET_ROOT')
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    assert download.get_dataset_root() == os.path.join(str(tmp_path / 'home'), '.minigrad',
                                                       'dataset')
    monkeypatch.setenv('MINIGRAD_DATASET_ROOT', str(tmp_path / 'env'))    # read at each call
    assert download.get_dataset_root() == str(tmp_path / 'env')
    download.set_dataset_root(str(tmp_path / 'set'))                       # wins over the variable
    assert download.get_dataset_root() == str(tmp_path / 'set')
    download.set_dataset_root(None)
    assert download.get_dataset_root() == str(tmp_path / 'env')


def test_get_dataset_directory(dataset_root):
    path = download.get_dataset_directory('a/b', create_directory=False)
    assert path == os.path.join(str(dataset_root), 'a/b') and not os.path.exists(path)
    assert download.get_dataset_directory('a/b') == path and os.path.isdir(path)


def test_file_urls_follow_the_mirror_variable(monkeypatch):
    bases = ['https://one.example/data/', 'https://two.example/']
    assert download.file_urls('mnist', 'x.gz', bases) == ['https://one.example/data/x.gz',
                                                           'https://two.example/x.gz']
    monkeypatch.setenv('MINIGRAD_DATASET_MIRROR', 'file:///srv/cache/')
    assert download.file_urls('mnist', 'x.gz', bases) == ['file:///srv/cache/mnist/x.gz']


# ---------------------------------------------------------------------------
# cached_download and cache_or_load_file (Chainer's API)

def test_cached_download_once(server, dataset_root):
    server.files['/a/file.bin'] = content = bytes(range(256)) * 1000
    url = server.url + '/a/file.bin'
    path = download.cached_download(url)
    assert path == os.path.join(str(dataset_root), '_dl_cache',
                                hashlib.md5(url.encode()).hexdigest())
    with open(path, 'rb') as f:
        assert f.read() == content
    assert download.cached_download(url) == path
    assert server.requests == ['/a/file.bin']          # the second call used the cache
    assert files_in(dataset_root) == [os.path.join('_dl_cache', os.path.basename(path))]


def test_cached_download_truncated_leaves_nothing(server, dataset_root):
    server.files['/big'] = b'x' * 100000
    server.cut['/big'] = 40000
    with pytest.raises(download.DownloadError) as info:
        download.cached_download(server.url + '/big')
    message = str(info.value)
    assert server.url + '/big' in message
    assert ('stopped after 40000 of 100000 bytes' in message
            or 'connection broke after 40000 bytes' in message)
    assert files_in(dataset_root) == []


def test_cached_download_http_error_and_no_server(server, dataset_root):
    with pytest.raises(download.DownloadError, match=r'/missing: HTTP Error 404'):
        download.cached_download(server.url + '/missing')
    with pytest.raises(download.DownloadError, match=r'Connection refused|refused'):
        download.cached_download(closed_port_url() + '/file')
    assert files_in(dataset_root) == []


def test_cache_or_load_file(dataset_root):
    path = os.path.join(str(dataset_root), 'sub', 'value.txt')
    calls = []

    def creator(temp):
        calls.append('create')
        assert os.path.basename(temp) == 'value.txt' and not os.path.exists(path)
        with open(temp, 'w') as f:
            f.write('42')
        return 42

    def loader(p):
        calls.append('load')
        with open(p) as f:
            return int(f.read())

    assert download.cache_or_load_file(path, creator, loader) == 42
    assert download.cache_or_load_file(path, creator, loader) == 42
    assert calls == ['create', 'load']
    assert files_in(dataset_root) == [os.path.join('sub', 'value.txt')]


def test_cache_or_load_file_failed_creator_leaves_nothing(dataset_root):
    path = os.path.join(str(dataset_root), 'value.txt')

    def creator(temp):
        with open(temp, 'w') as f:
            f.write('half')
        raise RuntimeError('creator failed')

    with pytest.raises(RuntimeError, match='creator failed'):
        download.cache_or_load_file(path, creator, None)
    assert files_in(dataset_root) == []
    assert os.listdir(str(dataset_root)) == []          # no temporary folder either


# ---------------------------------------------------------------------------
# Progress: tqdm when installed, plain lines otherwise

def test_progress_without_tqdm(server, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, 'tqdm', None)     # as if not installed
    server.files['/f'] = b'y' * (1 << 20)
    download.cached_download(server.url + '/f')
    err = capsys.readouterr().err
    assert 'Downloading {}/f'.format(server.url) in err
    assert '(10%)' in err and '(100%)' in err and 'of 1.0 MiB' in err


def test_progress_with_tqdm(server, monkeypatch):
    bars = []

    class FakeBar:
        def __init__(self, total, desc, **kwargs):
            self.total, self.desc, self.done, self.closed = total, desc, 0, False
            bars.append(self)

        def update(self, n):
            self.done += n

        def close(self):
            self.closed = True

    monkeypatch.setitem(sys.modules, 'tqdm', types.SimpleNamespace(tqdm=FakeBar))
    server.files['/f'] = b'z' * 300000
    download.cached_download(server.url + '/f')
    bar, = bars
    assert (bar.total, bar.done, bar.closed) == (300000, 300000, True)
