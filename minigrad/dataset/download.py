"""The data set cache: where data sets live on disk, and downloading a file into it once.

Every data set has a folder under the *dataset root*::

    $MINIGRAD_DATASET_ROOT               (default ~/.minigrad/dataset)
        mnist/train-images-idx3-ubyte.gz   raw files, as published
        mnist/mnist.npz                    the parsed arrays, loaded on later calls
        cifar/cifar-10-binary.tar.gz
        cifar/cifar-10.npz
        ...

A file that is missing is downloaded once from its usual address, or from
``$MINIGRAD_DATASET_MIRROR/<data set>/<file>`` when that variable is set (a
server, or a ``file://`` folder laid out like the cache).  Nothing in the
cache is ever half written: a download goes to a temporary folder beside its
destination and is renamed into place only once it is complete and, for the
data sets' raw files, parsed without error.  Files placed in a data set's
folder by hand are used as they are.

Chainer's functions of the same names (``get_dataset_root``,
``set_dataset_root``, ``get_dataset_directory``, ``cached_download``,
``cache_or_load_file``) keep their meaning.
"""
import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import zipfile
import zlib

import numpy

ROOT_VARIABLE = 'MINIGRAD_DATASET_ROOT'
MIRROR_VARIABLE = 'MINIGRAD_DATASET_MIRROR'
#: Seconds to wait for a server to answer (to connect, or between two reads).
TIMEOUT = 60.
_CHUNK = 1 << 16

_dataset_root = None     # set_dataset_root's path; None follows the environment


class DownloadError(OSError):
    """A file could not be downloaded (no network, a refused or broken connection)."""


def get_dataset_root():
    """The folder that holds every data set's cache folder.

    ``set_dataset_root``'s path if one was set, else ``$MINIGRAD_DATASET_ROOT``,
    else ``~/.minigrad/dataset``.  The variable is read at each call, so it
    may be set after ``import minigrad``.
    """
    if _dataset_root is not None:
        return _dataset_root
    return os.environ.get(ROOT_VARIABLE) or os.path.join(
        os.path.expanduser('~'), '.minigrad', 'dataset')


def set_dataset_root(path):
    """Use ``path`` as the dataset root from now on (it wins over the environment).

    Args:
        path (str or None): the new root; None goes back to
            ``$MINIGRAD_DATASET_ROOT`` or the default.
    """
    global _dataset_root
    _dataset_root = path


def get_dataset_directory(dataset_name, create_directory=True):
    """The cache folder of one data set: ``<dataset root>/<dataset_name>``.

    Args:
        dataset_name (str): the folder's name; slashes make subfolders.
        create_directory (bool): create the folder if it does not exist.

    Returns:
        str: the folder's path.
    """
    path = os.path.join(get_dataset_root(), dataset_name)
    if create_directory:
        os.makedirs(path, exist_ok=True)
    return path


@contextlib.contextmanager
def _atomic_path(path):
    """A temporary path with ``path``'s file name that becomes ``path`` if the block succeeds.

    The temporary file sits in a hidden folder beside ``path``, on the same
    file system, so the final ``os.replace`` is atomic: readers see either no
    file or the whole file.  If the block raises (even KeyboardInterrupt), the
    temporary folder and everything in it are removed.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temp_folder = tempfile.mkdtemp(prefix='.partial-', dir=folder)
    try:
        temp = os.path.join(temp_folder, os.path.basename(path))
        yield temp
        os.replace(temp, path)
    finally:
        shutil.rmtree(temp_folder, ignore_errors=True)


def _size(n):
    """``n`` bytes for people: ``812.0 KiB``, ``9.9 MiB``."""
    return '{:.1f} MiB'.format(n / 2 ** 20) if n >= 2 ** 20 else '{:.1f} KiB'.format(n / 2 ** 10)


class _LineProgress:
    """A plain progress report on stderr, a line per tenth, for when tqdm is not installed."""

    def __init__(self, total, name):
        self.total, self.name = total, name
        self.done = 0
        self.shown = 0      # tenths (or, with no known size, 10 MiB steps) reported so far

    def update(self, n):
        self.done += n
        step = self.done * 10 // self.total if self.total else self.done // (10 << 20)
        if step > self.shown:
            self.shown = step
            of = ' of {} ({}%)'.format(_size(self.total), step * 10) if self.total else ''
            sys.stderr.write('  {}: {}{}\n'.format(self.name, _size(self.done), of))
            sys.stderr.flush()

    def close(self):
        pass


def _progress_bar(total, name):
    """tqdm's bar when tqdm is installed (it stays optional), else :class:`_LineProgress`."""
    try:
        from tqdm import tqdm
    except ImportError:
        return _LineProgress(total, name)
    return tqdm(total=total, desc=name, unit='B', unit_scale=True, unit_divisor=1024)


def _download(url, path):
    """Write the file at ``url`` to ``path``, showing progress; DownloadError if it fails.

    A download whose length differs from the server's ``Content-Length`` is
    an error: a connection that closes early must not pass for a whole file.
    """
    import http.client
    from urllib import request     # imported here: `import minigrad` stays light

    sys.stderr.write('Downloading {}\n'.format(url))
    sys.stderr.flush()
    try:
        response = request.urlopen(url, timeout=TIMEOUT)
    except (OSError, ValueError, http.client.HTTPException) as e:   # URLError is an OSError
        raise DownloadError('{}: {}'.format(url, e)) from e
    with response, open(path, 'wb') as f:
        length = response.headers.get('Content-Length', '')
        total = int(length) if length.isdigit() else None
        bar = _progress_bar(total, os.path.basename(path))
        received = 0
        try:
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (OSError, http.client.HTTPException) as e:
                    raise DownloadError('{}: the connection broke after {} bytes ({})'.format(
                        url, received, e or type(e).__name__)) from e
                if not chunk:
                    break
                f.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        finally:
            bar.close()
    if total is not None and received != total:
        raise DownloadError('{}: the download stopped after {} of {} bytes'.format(
            url, received, total))


def cached_download(url):
    """Download ``url`` once into ``<dataset root>/_dl_cache`` and return the file's path.

    The file is named by the MD5 of the URL; a second call with the same URL
    returns the cached path without a request.  The content is not checked.

    Args:
        url (str): the address.

    Returns:
        str: the path of the cached file.

    Raises:
        DownloadError: the download failed (nothing is left in the cache).
    """
    path = os.path.join(get_dataset_directory('_dl_cache'),
                        hashlib.md5(url.encode('utf-8')).hexdigest())
    if not os.path.exists(path):
        with _atomic_path(path) as temp:
            _download(url, temp)
    return path


def cache_or_load_file(path, creator, loader):
    """``loader(path)`` if ``path`` exists, else ``creator(temp)``, whose file becomes ``path``.

    ``creator`` writes the file at the temporary path it is given (same file
    name, in a hidden folder beside ``path``) and returns the content; the
    file is renamed to ``path`` only if ``creator`` returns, so concurrent
    callers and failures never leave a partial file.

    Args:
        path (str): the cached file.
        creator: ``creator(temp_path) -> content``.
        loader: ``loader(path) -> content``.

    Returns:
        what ``loader`` or ``creator`` returned.
    """
    if os.path.exists(path):
        return loader(path)
    with _atomic_path(path) as temp:
        return creator(temp)


def file_urls(dataset_name, file_name, base_urls):
    """The addresses to try for one raw file of a data set, in order.

    ``$MINIGRAD_DATASET_MIRROR/<dataset_name>/<file_name>`` alone when that
    variable is set, else ``base + file_name`` for each of ``base_urls``.
    """
    mirror = os.environ.get(MIRROR_VARIABLE)
    if mirror:
        return ['{}/{}/{}'.format(mirror.rstrip('/'), dataset_name, file_name)]
    return [base + file_name for base in base_urls]


def fetch_file(func_name, path, urls, parse):
    """``parse(path)``, fetching ``path`` first (from the first of ``urls`` that works) if absent.

    A download is parsed before it is kept: a file that fails to parse (a
    damaged or wrong file) is deleted, so the cache holds only files that
    parsed.  A file already at ``path`` (a former download, or put there by
    hand) is parsed as it is and never deleted.

    Args:
        func_name (str): the data set function, for messages (``get_mnist``).
        path (str): where the file belongs in the cache.
        urls (list of str): addresses to try in order (see :func:`file_urls`).
        parse: ``parse(path) -> content``; raises ValueError saying what is
            wrong with the file.

    Returns:
        what ``parse`` returned.

    Raises:
        ValueError: the file is damaged or not the expected file (the message
            names it and says what is wrong).
        DownloadError: the file is absent and no address gave it; the message
            says where the file is expected and how to put it there by hand.
    """
    name = os.path.basename(path)
    if os.path.isfile(path):
        try:
            return parse(path)
        except ValueError as e:
            raise ValueError('{}: {} is damaged or not the right file: {}. Delete it (the next '
                             'call downloads it again) or replace it with a good copy.'.format(
                                 func_name, path, e)) from e
    failures = []
    for url in urls:
        try:
            with _atomic_path(path) as temp:
                _download(url, temp)
                try:
                    return parse(temp)
                except ValueError as e:
                    raise ValueError('{}: {} downloaded from {} is damaged or not the right file, '
                                     'and was not kept in the cache: {}'.format(
                                         func_name, name, url, e)) from e
        except DownloadError as e:
            failures.append(str(e))
    root = get_dataset_root()
    relative = os.path.relpath(path, root)
    raise DownloadError(
        '{func}: {name} is not in the data set cache and could not be downloaded:\n  {tried}\n'
        'It is expected at {path}. Without network access, get the file elsewhere and copy it '
        'there (the cache root is ${root_var}, now {root}), or set ${mirror_var} to a server or '
        'file:// folder that holds {relative}.'.format(
            func=func_name, name=name, tried='\n  '.join(failures) or 'no address to try',
            path=path, root_var=ROOT_VARIABLE, root=root, mirror_var=MIRROR_VARIABLE,
            relative=relative.replace(os.sep, '/')))


def cached_arrays(func_name, path, keys, build):
    """The arrays ``keys`` of the ``.npz`` file ``path``; built by ``build()`` and saved if absent.

    The cache holds plain arrays only, so it is read with ``allow_pickle``
    off.  It is written uncompressed: the arrays are uint8 already, and
    deflate would add tens of seconds to CIFAR's first call and make every
    later load about twice as slow, to save disk space that the raw files,
    kept beside it, already take.

    Args:
        func_name (str): the data set function, for messages.
        path (str): the ``.npz`` file.
        keys (tuple of str): the arrays it holds.
        build: ``build() -> {key: array}``, called when the file is absent.

    Returns:
        dict: ``{key: array}``.

    Raises:
        ValueError: the ``.npz`` file is damaged or lacks an array.
    """
    def load(path):
        try:
            with numpy.load(path, allow_pickle=False) as arrays:
                return {key: arrays[key] for key in keys}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as e:
            raise ValueError('{}: the cached file {} is damaged ({}: {}); delete it and the next '
                             'call builds it again'.format(func_name, path, type(e).__name__, e)
                             ) from e

    def create(temp):
        arrays = build()
        numpy.savez(temp, **arrays)
        return arrays

    return cache_or_load_file(path, create, load)
