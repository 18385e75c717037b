"""What commands print and draw: one JSON emitter, text fitted to the terminal's width
(bnverify.report.pretty lays it out), and one way to save a figure."""
from __future__ import annotations

import json
import math
import sys

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
