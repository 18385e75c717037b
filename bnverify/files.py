"""Writing output files atomically: a temporary file in the same folder, then a rename, so
that an interrupted run (Ctrl-C, a killed process) never leaves a half-written file."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text(path, text):
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the Path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".%s." % path.name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path
