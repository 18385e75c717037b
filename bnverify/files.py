"""Output files: one check of an output path before a run, and one writer for every file a
command writes (--cert, --plot, --report DIR, the report's tree).

Writes are atomic: a temporary file in the same folder, then a rename, so that an interrupted
run (Ctrl-C, a killed process) never leaves a half-written file.  The file gets the mode the
user's umask gives (0644 by default), not the temporary's 0600.  A path that is a device or a
FIFO (--cert /dev/null, --plot /dev/stdout) is written into directly.  Any OSError while
writing (a full disk, /dev/full, no permission) is a :class:`BadInput` naming the path and the
reason: the user chose the path, so it is a usage error, not a bug."""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from .errors import BadInput


def _where(path, flag):
    """'--cert out.json' (the option and its value), or the path alone."""
    return "%s %s" % (flag, path) if flag else str(path)


def _name(path, flag, what):
    text = str(path)
    if not text.strip() or "\0" in text:
        raise BadInput("%s: not a %s name" % (_where(repr(text), flag), what))
    return Path(text)


def _is_special(path):
    """A device, a FIFO, a socket: written into, never replaced by a rename."""
    return path.exists() and not path.is_file() and not path.is_dir()


def _resolve(path):
    """The path a symlink names; a loop of links is BadInput (Path.resolve raises RuntimeError)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as e:
        raise BadInput("cannot follow the link: %s" % (getattr(e, "strerror", None) or "a loop of symlinks")) from None


def check_output(path, flag=None):
    """Before a run that ends by writing the file ``path``: refuse now what would only fail at
    the end (no name, a folder, a missing or unwritable folder).  Returns the Path."""
    p = _name(path, flag, "file")
    where = _where(path, flag)
    if p.is_dir():
        raise BadInput("%s: is a directory; give a file name" % where)
    if _is_special(p):
        return p
    try:
        folder = (_resolve(p) if p.is_symlink() else p).parent
    except BadInput as e:
        raise BadInput("%s: %s" % (where, e)) from None
    if not folder.is_dir():
        raise BadInput("%s: %s" % (where, "%s is not a folder" % folder if folder.exists()
                                   else "the folder %s does not exist" % folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadInput("%s: cannot write in the folder %s" % (where, folder))
    return p


def check_output_dir(path, flag=None):
    """Before a run that ends by writing into the folder ``path``: make it (and its parents)
    now, so that a bad name fails at once.  Returns the Path."""
    p = _name(path, flag, "folder")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BadInput("%s: cannot make the folder: %s" % (_where(path, flag), e.strerror or e)) from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise BadInput("%s: cannot write there" % _where(path, flag))
    return p


def _umask():
    mask = os.umask(0o022)          # the only portable way to read it is to set it
    os.umask(mask)
    return mask


def make_temp_dir(parent, prefix):
    """A temporary folder in ``parent`` (to be renamed into place) with the mode the umask
    gives a new folder; mkdtemp's 0700 would otherwise become the published folder's."""
    tmp = tempfile.mkdtemp(dir=parent, prefix=prefix)
    os.chmod(tmp, 0o777 & ~_umask())
    return tmp


def _write(path, data, mode, parents, **kw):
    if _is_special(path):
        # a rename would replace the device or the FIFO itself by a regular file (as root:
        # /dev/null for every process)
        with open(path, mode, **kw) as f:
            f.write(data)
        return path
    if path.is_dir():
        raise BadInput("is a directory; give a file name")
    if path.is_symlink():           # replace the file the link names, not the link
        path = _resolve(path)
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.is_dir():      # a typo in a folder name is an error, not a new folder
        raise BadInput("the folder %s does not exist" % path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".%s." % path.name)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, mode, **kw) as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def _guarded(path, data, mode, parents, flag, **kw):
    where = _where(path, flag)
    try:
        return _write(Path(path), data, mode, parents, **kw)
    except BadInput as e:
        raise BadInput("%s: %s" % (where, e)) from None
    except OSError as e:
        raise BadInput("%s: cannot write: %s" % (where, e.strerror or e)) from None


def write_text(path, text, parents=False, flag=None):
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the Path.  ``parents``: create
    missing folders (a report's tree); otherwise a missing folder is BadInput.  ``flag``: the
    option that named the path, for the error message."""
    return _guarded(path, text, "w", parents, flag, encoding="utf-8")


def write_bytes(path, data, parents=False, flag=None):
    """Write ``data`` (bytes) to ``path`` atomically; returns the Path (the rest: as above)."""
    return _guarded(path, data, "wb", parents, flag)


def write_figure(fig, path, flag=None, **savefig):
    """A matplotlib figure, drawn in memory in the format the file's suffix names (png, svg,
    pdf), then written as above: savefig(path) would write in place and raise raw OSErrors."""
    buf = io.BytesIO()
    fig.savefig(buf, format=Path(str(path)).suffix.lstrip(".").lower(), **savefig)
    return write_bytes(path, buf.getvalue(), flag=flag)
