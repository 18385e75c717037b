"""What commands print and draw: one JSON emitter, text fitted to the terminal's width
(bnverify.report.pretty lays it out), and one way to save a figure."""
from __future__ import annotations

import json
import math
import sys
import time

from .. import files
from ..report import pretty


def _finite(x):
    """``x`` with inf and nan as None: JSON has neither (an all-zero batch has no norm ratio)."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


def emit_json(doc):
    """The command's one JSON document on stdout; exact values (Fractions, sympy) as text."""
    json.dump(_finite(doc), sys.stdout, indent=1, allow_nan=False, default=str)
    sys.stdout.write("\n")


def show(args, doc, text):
    """A command's document on stdout: itself with --json, else its lines ``text(doc)``."""
    if args.json:
        emit_json(doc)
    else:
        say(*text(doc))


def show_timed(args, compute, text):
    """Run a command whose text ends with its wall time: ``compute(args)`` gives the document,
    ``text(doc, seconds)`` its lines."""
    t0 = time.monotonic()
    doc = compute(args)
    show(args, doc, lambda d: text(d, time.monotonic() - t0))


def as_json(doc):
    """The data :func:`emit_json` prints for ``doc``, as Python objects (what ``json.loads`` reads
    back from --json): the Python API's ``to_json()``."""
    return json.loads(json.dumps(_finite(doc), allow_nan=False, default=str))


def save_figure(fig, path, flag="--plot", dpi=110):
    """Write a matplotlib figure to ``path`` atomically (bnverify.files) and close it; a path
    that cannot be written is a usage error naming ``flag``."""
    import matplotlib.pyplot as plt

    try:
        files.write_figure(fig, path, flag, dpi=dpi)
    finally:
        plt.close(fig)



def say(*texts):
    """Print each text (a string of one or more lines, or a list of lines) fitted to the
    terminal's width (:func:`bnverify.report.pretty.fit`)."""
    for text in texts:
        for line in (text.split("\n") if isinstance(text, str) else text):
            for part in pretty.fit(line):
                print(part)


class Progress:
    """Progress of a long run on stderr, never on stdout (which --json keeps for its document).
    Nothing for the first AFTER seconds (a short run says nothing); then on a terminal one line
    rewritten in place, elsewhere nothing unless asked for (--progress): then a line at most
    every EVERY seconds and at the end.  Call it with (done, total,
    label); :meth:`done` ends the line."""

    AFTER = 2.0             # seconds of silence first: a short run says nothing
    EVERY = 2.0             # seconds between lines when stderr is not a terminal

    def __init__(self, what, asked=None):
        self.what, self.every, self.after = what, self.EVERY, self.AFTER
        self.tty = sys.stderr.isatty()
        self.on = self.tty if asked is None else asked         # --progress: True, --quiet: False
        self.t0 = self.last = time.monotonic()
        self.shown = False

    def __call__(self, done, total, label=""):
        if not self.on:
            return
        now = time.monotonic()
        if now - self.t0 < self.after and not self.shown:        # a short run says nothing
            return
        if done < total and self.shown and now - self.last < (0.2 if self.tty else self.every):
            return
        self.last, self.shown = now, True
        left = (now - self.t0) * (total - done) / done if 0 < done < total else 0
        text = "%s %d/%d%s%s" % (self.what, done, total, ": %s" % label if label else "",
                                 ", about %.0f s left" % left if left >= 1 else "")
        if self.tty:
            sys.stderr.write("\r" + text[:pretty.columns() - 1].ljust(min(pretty.columns() - 1, 60)))
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def done(self):
        if self.shown and self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()
        self.shown = False
