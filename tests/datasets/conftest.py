"""Fixtures for the data set tests: a private cache root and a local HTTP server.

No test reaches the network: every data set's addresses point at a closed
port on 127.0.0.1 unless a test points them at ``server``, a server on
127.0.0.1 that serves the bytes a test gives it.
"""
import http.server
import threading

import pytest

from minigrad.dataset import download
from minigrad.datasets import cifar, fashion_mnist, mnist
from tests.datasets.files import closed_port_url


@pytest.fixture(autouse=True)
def dataset_root(tmp_path, monkeypatch):
    """A fresh, empty cache root in ``$MINIGRAD_DATASET_ROOT``; no address outside this machine."""
    root = tmp_path / 'dataset_root'
    monkeypatch.setenv('MINIGRAD_DATASET_ROOT', str(root))
    monkeypatch.delenv('MINIGRAD_DATASET_MIRROR', raising=False)
    monkeypatch.setattr(download, '_dataset_root', None)
    monkeypatch.setattr(download, 'TIMEOUT', 5.)
    for name in ('no_proxy', 'NO_PROXY'):       # a proxy setting must not take 127.0.0.1 away
        monkeypatch.setenv(name, '127.0.0.1,localhost')
    nowhere = closed_port_url() + '/'
    for module in (mnist, fashion_mnist, cifar):
        monkeypatch.setattr(module, 'BASE_URLS', [nowhere])
    return root


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        served = self.server
        served.requests.append(self.path)
        body = served.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))   # the whole length, even when cut
        self.end_headers()
        self.wfile.write(body[:served.cut.get(self.path, len(body))])

    def log_message(self, *args):
        pass


class LocalServer:
    """Serves ``files`` (``{'/mnist/name.gz': bytes}``); ``cut[path] = n`` sends only n bytes.

    ``requests`` lists the paths asked for, in order.
    """

    def __init__(self):
        self._httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.files, self._httpd.cut, self._httpd.requests = {}, {}, []
        self.files, self.cut = self._httpd.files, self._httpd.cut
        self.requests = self._httpd.requests
        self.url = 'http://127.0.0.1:{}'.format(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def server():
    served = LocalServer()
    yield served
    served.close()


@pytest.fixture
def mirror(server, monkeypatch):
    """``server`` as ``$MINIGRAD_DATASET_MIRROR``: files at ``/<data set>/<file name>``."""
    monkeypatch.setenv('MINIGRAD_DATASET_MIRROR', server.url)
    return server
