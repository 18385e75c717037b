"""Writing output files atomically: a temporary file in the same folder, then a rename, so
that an interrupted run (Ctrl-C, a killed process) never leaves a half-written file.  A path
that is a device or a FIFO (--cert /dev/null, --plot /dev/stdout) is written into directly."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _write(path, data, mode, **kw):
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        # /dev/null, /dev/stdout on a pipe, a FIFO: write into it; a rename would replace the
        # device or the FIFO itself by a regular file (as root: /dev/null for every process)
        with open(path, mode, **kw) as f:
            f.write(data)
        return path
    if path.is_symlink():           # replace the file the link names, not the link
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".%s." % path.name)
    try:
        with os.fdopen(fd, mode, **kw) as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def write_text(path, text):
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the Path."""
    return _write(path, text, "w", encoding="utf-8")


def write_bytes(path, data):
    """Write ``data`` (bytes) to ``path`` atomically; returns the Path."""
    return _write(path, data, "wb")
