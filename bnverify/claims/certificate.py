"""Writing certificates: the JSON that :mod:`bnverify.trusted` re-verifies
(format in docs/certificate-format.md).

:func:`finish` assembles the claim's structure, the verdict, the kernel's canonical
statement, the evidence items, tool versions and the content hash.  Exact rationals are
written ``"p/q"``; arb balls as exact integers ``{"mid": [man, exp], "rad": [man, exp]}``.
"""
from __future__ import annotations

import json
import platform
from fractions import Fraction
from pathlib import Path


from .. import files, trusted
from .._version import __version__

FORMAT = trusted.FORMAT


# ---------------------------------------------------------------- exact values
def rational(x):
    """'p/q' (or 'p') for an int, Fraction or sympy Rational; ValueError otherwise."""
    if isinstance(x, bool):
        raise ValueError("not a rational: %r" % (x,))
    if isinstance(x, int):
        return str(x)
    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else "%d/%d" % (x.numerator, x.denominator)
    p, q = getattr(x, "p", None), getattr(x, "q", None)      # sympy Rational / Integer
    if isinstance(p, int) and isinstance(q, int) and getattr(x, "is_Rational", False):
        return rational(Fraction(p, q))
    raise ValueError("not an exact rational: %r" % (x,))


def ball(x):
    """An arb ball as exact integers: {"mid": [man, exp], "rad": [man, exp]}."""
    m, e = x.mid().man_exp()
    r, f = x.rad().man_exp()
    return {"mid": [int(m), int(e)], "rad": [int(r), int(f)]}


# ---------------------------------------------------------------- finishing
def tools():
    out = {"python": platform.python_version(), "bnverify": __version__}
    for name, mod in (("sympy", "sympy"), ("python-flint", "flint"), ("z3-solver", "z3"),
                      ("mpmath", "mpmath"), ("numpy", "numpy"), ("cvc5", "cvc5")):
        try:
            m = __import__(mod)
            out[name] = (m.get_version_string() if mod == "z3" else getattr(m, "__version__", "?"))
        except ImportError:
            pass
    return out


def finish(claim_json, verdict, method, statement, evidence):
    """The full certificate of a proved / refuted verdict."""
    if verdict not in ("proved", "refuted"):
        raise ValueError("only proved / refuted verdicts have certificates")
    cert = {"format": FORMAT, "claim": claim_json, "verdict": verdict, "method": method,
            "statement": statement, "evidence": list(evidence), "tools": tools()}
    cert["hash"] = trusted.content_hash(cert)
    return cert


def rehash(cert):
    """Recompute the hash after an edit (forgeries do this: the hash only detects accidents)."""
    cert = dict(cert)
    cert["hash"] = trusted.content_hash(cert)
    return cert


def write(cert, path, flag=None):
    """Atomically (bnverify.files): a temporary file in the same folder, then a rename; a path
    that cannot be written is BadInput naming ``flag`` (the option that gave it) and the path."""
    return files.write_text(path, json.dumps(cert, indent=1, sort_keys=True) + "\n", flag=flag)


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))
