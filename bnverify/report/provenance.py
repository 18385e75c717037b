"""Where a report's numbers come from: bnverify's version and git commit, the date, Python and
the libraries that decide verdicts, the machine and the command line."""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

LIBRARIES = ("sympy", "mpmath", "gmpy2", "python-flint", "z3-solver", "cvc5", "numpy", "matplotlib", "latex2mathml")


def _version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def git_commit(where=None):
    """The commit of the checkout bnverify runs from (with "+dirty" if it has changes), or None."""
    where = Path(where or Path(__file__).resolve().parents[2])
    try:
        head = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=5)
        if head.returncode:
            return None
        dirty = subprocess.run(["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def collect(command=None):
    """Provenance as a dict of strings (None where unknown)."""
    from .._version import __version__

    return {
        "bnverify": __version__,
        "git_commit": git_commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in LIBRARIES},
        "machine": "%s %s, %s, %d CPUs" % (platform.system(), platform.release(), platform.machine(),
                                          os.cpu_count() or 0),
        "command": " ".join(["bnverify"] + sys.argv[1:]) if command is None else command,
    }


__all__ = ["collect", "git_commit", "LIBRARIES"]
