"""Writing output files atomically: a temporary file in the same folder, then a rename, so
that an interrupted run (Ctrl-C, a killed process) never leaves a half-written file.  A path
that is a device or a FIFO (--cert /dev/null, --plot /dev/stdout) is written into directly."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import BadInput


def _write(path, data, mode, parents=False, **kw):
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        # /dev/null, /dev/stdout on a pipe, a FIFO: write into it; a rename would replace the
        # device or the FIFO itself by a regular file (as root: /dev/null for every process)
        with open(path, mode, **kw) as f:
            f.write(data)
        return path
    if path.is_symlink():           # replace the file the link names, not the link
        path = path.resolve()
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.is_dir():      # a typo in a folder name is an error, not a new folder
        raise BadInput("%s: the folder %s does not exist" % (path, path.parent))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".%s." % path.name)
    try:
        with os.fdopen(fd, mode, **kw) as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def write_text(path, text, parents=False):
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the Path.  ``parents``: create
    missing folders (a report's tree); otherwise a missing folder is BadInput."""
    return _write(path, text, "w", parents, encoding="utf-8")


def write_bytes(path, data, parents=False):
    """Write ``data`` (bytes) to ``path`` atomically; returns the Path (``parents``: as above)."""
    return _write(path, data, "wb", parents)
