"""Writing output files atomically: a temporary file in the same folder, then a rename, so
that an interrupted run (Ctrl-C, a killed process) never leaves a half-written file."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _write(path, data, mode, **kw):
    path = Path(path)
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
