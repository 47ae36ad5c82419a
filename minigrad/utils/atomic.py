"""Write output files atomically: into a temporary file beside the target, then rename.

Every file minigrad writes goes through here: ``save_npz`` (models,
snapshots) and the training extensions' logs, plots and graphs.  A reader,
or a crash, never sees half a file, and a failed write leaves the previous
file as it was.
"""
import contextlib
import os
import stat
import uuid


def _temp_path(path):
    folder = os.path.dirname(os.path.abspath(path))
    return os.path.join(folder, '.{}.{}.tmp'.format(os.path.basename(path), uuid.uuid4().hex[:12]))


def atomic_save(path, save):
    """Call ``save(temp_path)`` to write the file, then rename it to ``path``.

    On any error the temporary file is removed and ``path`` is untouched.
    A symbolic link is written through (its target is replaced, the link
    stays), and a replaced file keeps its mode bits.
    """
    path = os.path.realpath(os.fspath(path))
    temp = _temp_path(path)
    try:
        save(temp)
        if os.path.exists(path):
            os.chmod(temp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise


def atomic_write_text(path, text):
    """Write the string ``text`` to ``path`` atomically (UTF-8), flushed to disk."""

    def save(temp):
        with open(temp, 'x', encoding='utf-8') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    atomic_save(path, save)
