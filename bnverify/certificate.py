"""Writing certificates: the JSON that :mod:`bnverify.checker` re-verifies.

A checker function returns its evidence for a proved / refuted verdict as a *payload*
(``Verdict.certificate``): ``{"kind", "items" | "parts", "meaning", "trusted"}``, built with
the item helpers below.  :func:`finish` adds the claim, the verdict, tool versions and the
content hash.  Exact rationals are written ``"p/q"``; arb balls as exact integers
``{"mid": [man, exp], "rad": [man, exp]}`` (value man * 2^exp); SMT queries as SMT-LIB2 text
with z3's recorded answer.  :func:`self_check` runs the trusted checker on the finished
certificate: a property may only report proved / refuted if its certificate passes.
"""
from __future__ import annotations

import json
import platform
from fractions import Fraction
from pathlib import Path

from . import __version__, checker

FORMAT = checker.FORMAT


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


def expr(e):
    """A sympy expression (or plain string) as checker-readable text."""
    text = e if isinstance(e, str) else str(e)
    checker.parse(text)               # refuse what the checker could not read
    return text


# ---------------------------------------------------------------- items
def _item(type_, decisive, meaning, **fields):
    out = {"type": type_, "decisive": bool(decisive)}
    if meaning:
        out["meaning"] = meaning
    out.update(fields)
    return out


def identity(lhs, rhs, meaning="", decisive=False, where=None):
    return _item("identity", decisive, meaning, lhs=expr(lhs), rhs=expr(rhs), where=where or {})


def sqrt_identity(radicand, root, where, meaning="", decisive=False):
    """sqrt(radicand) == root on the region (checked as radicand == root^2, root >= 0)."""
    return _item("sqrt-identity", decisive, meaning, radicand=expr(radicand), root=expr(root), where=where)


def compare(lhs, rel, rhs, where, meaning="", decisive=False):
    return _item("compare", decisive, meaning, lhs=expr(lhs), rel=rel, rhs=expr(rhs), where=where)


def positive(lhs, rel, rhs, where, meaning="", decisive=False):
    """lhs rel rhs on a whole region (checked by the sign-of-coefficients test)."""
    return _item("positive", decisive, meaning, lhs=expr(lhs), rel=rel, rhs=expr(rhs), where=where)


def enclosure(expression, inputs, value, prec, rel=None, bound=None, meaning="", decisive=False):
    """``value``: an arb ball of the expression at the inputs; it is recorded with its radius
    doubled plus 2^-(prec-8) |mid|, so that the checker's own recomputation fits inside."""
    from flint import arb

    slack = abs(value.mid()) * arb(2) ** (8 - prec) + value.rad() * 2
    wide = arb(value.mid(), slack.upper())
    fields = dict(expr=expr(expression), inputs={k: rational(v) for k, v in inputs.items()},
                  ball=ball(wide), prec=int(prec))
    if rel is not None:
        fields.update(rel=rel, bound=rational(bound))
    return _item("enclosure", decisive, meaning, **fields)


def smt(smtlib, where, meaning="", decisive=False, rel="==", bound=None, timeout_ms=60000):
    """Run z3 on the SMT-LIB2 text; the item (result 'unsat') or None if z3 says otherwise."""
    import z3

    ctx = z3.Context()          # a context of its own: z3's global one is not thread-safe
    s = z3.Solver(ctx=ctx)
    s.set("timeout", timeout_ms)
    s.add(z3.parse_smt2_string(smtlib, ctx=ctx))
    answer = str(s.check())
    if answer != "unsat":
        return None
    fields = dict(smtlib=smtlib, result="unsat", where=where, rel=rel, timeout_ms=timeout_ms)
    if bound is not None:
        fields["bound"] = bound
    return _item("smt", decisive, meaning, **fields)


def configuration_spectrum(n, alpha, eigenvalues, rel=None, bound=None, meaning="", decisive=False):
    """eigenvalues: [(mu, multiplicity)] of the scale-free linearization at the configuration."""
    fields = dict(n=int(n), alpha=rational(alpha),
                  eigenvalues=[[rational(mu), int(m)] for mu, m in eigenvalues])
    if rel is not None:
        fields.update(rel=rel, bound=rational(bound))
    return _item("configuration-spectrum", decisive, meaning, **fields)


def two_point_fixed_point(a, x, b, c, alpha, where, meaning="", decisive=False, rs=False):
    extra = {"rs": True} if rs else {}
    return _item("two-point-fixed-point", decisive, meaning, a=expr(a), x=expr(x), b=expr(b),
                 c=expr(c), alpha=expr(alpha), where=where, **extra)


def payload(kind, items, meaning, trusted=""):
    """What a checker function puts in ``Verdict.certificate``."""
    return {"kind": kind, "items": list(items), "meaning": meaning, "trusted": trusted}


def bundle(parts, meaning):
    """Combine finished per-n certificates (see :func:`finish`) into one payload."""
    return {"kind": "bundle", "parts": list(parts), "meaning": meaning}


# ---------------------------------------------------------------- finishing
def tools():
    out = {"python": platform.python_version(), "bnverify": __version__}
    for name, mod in (("sympy", "sympy"), ("python-flint", "flint"), ("z3-solver", "z3"),
                      ("mpmath", "mpmath"), ("numpy", "numpy")):
        try:
            m = __import__(mod)
            out[name] = (m.get_version_string() if mod == "z3" else getattr(m, "__version__", "?"))
        except ImportError:
            pass
    return out


def finish(claim_json, verdict, method, cert_payload):
    """The full certificate for a proved / refuted verdict: payload + claim + tools + hash."""
    if verdict not in ("proved", "refuted"):
        raise ValueError("only proved / refuted verdicts have certificates")
    cert = {"format": FORMAT, "claim": claim_json, "verdict": verdict, "method": method}
    cert.update(cert_payload)
    cert["tools"] = tools()
    cert["hash"] = checker.content_hash(cert)
    return cert


def rehash(cert):
    """Recompute the hash after an edit (for tests that tamper on purpose)."""
    cert = dict(cert)
    cert["hash"] = checker.content_hash(cert)
    return cert


def self_check(claim_json, verdict, method, cert_payload):
    """(ok, reason, certificate): finish the payload and run the trusted checker on it."""
    cert = finish(claim_json, verdict, method, cert_payload)
    ok, reason = checker.check(cert)
    return ok, reason, cert


def write(cert, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cert, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))
