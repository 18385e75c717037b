"""Checks of the simulation commands' options (decompose, lyapunov, phase), one line each."""
from __future__ import annotations

import os

from ..core import limits
from ..errors import BadInput

PLOT_FORMATS = (".png", ".pdf", ".svg")
MAX_DECOMPOSE_N = 512           # cosines of every pair are classified every recorded layer
MAX_PHASE_CELLS = 100           # n values x widths in one phase diagram
MAX_LEVELS = 16                 # points of a geometric n or width axis


def at_least(flag, value, least):
    if value < least:
        raise BadInput("%s %d: must be at least %d" % (flag, value, least))


def plot_path(path):
    """A writable figure file name ending in .png, .pdf or .svg."""
    if path is None:
        return
    if not path.strip() or "\0" in path:
        raise BadInput("--plot %s: not a file name" % limits.show(path))
    folder, ext = os.path.dirname(path) or ".", os.path.splitext(path)[1].lower()
    if ext not in PLOT_FORMATS:
        raise BadInput("--plot %s: give a file name ending in %s" % (path, ", ".join(PLOT_FORMATS)))
    if not os.path.isdir(folder):
        raise BadInput("--plot %s: no such directory %s" % (path, folder))


def save_plot(path, draw, *args):
    """``draw(path, *args)``; a file that cannot be written is a usage error (one line)."""
    try:
        draw(path, *args)
    except OSError as e:
        raise BadInput("--plot %s: cannot write (%s)" % (path, e.strerror or e))


def print_json(doc, plot=None):
    """The command's one JSON document on stdout (with the figure's file name when drawn)."""
    import json
    import sys

    if plot:
        doc["plot"] = plot
    json.dump(doc, sys.stdout, indent=1, allow_nan=False, default=str)
    sys.stdout.write("\n")


def jobs(value):
    if value is not None and not 1 <= value <= limits.MAX_JOBS:
        raise BadInput("--jobs %d: need 1..%d workers" % (value, limits.MAX_JOBS))
    return value


def int_list(text, flag):
    """'4,7,8' -> [4, 7, 8] (sorted, distinct): at most MAX_LEVELS integers."""
    parts = [p.strip() for p in str(text).split(",")]
    if not parts or len(parts) > MAX_LEVELS or not all(p.isdigit() and len(p) <= 6 for p in parts):
        raise BadInput("%s %s: give a comma list of at most %d integers" % (flag, limits.show(text), MAX_LEVELS))
    return sorted({int(p) for p in parts})


def geometric(text, flag, least, most):
    """'A..B' (or 'A') -> A, 2A, 4A, ... up to B (B itself included): integer levels in
    geometric steps of 2."""
    t = str(text).strip()
    parts = t.split("..")
    if len(parts) > 2 or not all(p.strip().isdigit() and len(p.strip()) <= 9 for p in parts):
        raise BadInput("%s %s: give A..B or A with positive integers" % (flag, limits.show(text)))
    lo, hi = int(parts[0]), int(parts[-1])
    if lo > hi:
        raise BadInput("%s %s: the range is empty (A > B)" % (flag, t))
    at_least(flag, lo, least)
    limits.guard_int(hi, flag, most)
    out, v = [], lo
    while v < hi:
        out.append(v)
        v *= 2
    out.append(hi)
    if len(out) > MAX_LEVELS:
        raise BadInput("%s %s: %d levels, at most %d" % (flag, t, len(out), MAX_LEVELS))
    return out
