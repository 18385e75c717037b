"""Verdicts: proved / refuted / inconclusive, never a bare bool.

A verdict carries the method that reached it, the evidence (human-readable facts), the
wall time and, when proved or refuted, a certificate payload (plain JSON data that the
trusted checker in :mod:`bnverify.checker` re-verifies).  Comparisons of rigorous
enclosures are three-valued: :func:`compare` returns True, False or None (undecided), and
None is never read as False.
"""
from __future__ import annotations

import html
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

PROVED, REFUTED, INCONCLUSIVE = "proved", "refuted", "inconclusive"
STATUSES = (PROVED, REFUTED, INCONCLUSIVE)
RELATIONS = ("<", "<=", ">", ">=")


@dataclass
class Verdict:
    status: str
    method: str
    evidence: dict = field(default_factory=dict)
    seconds: float = 0.0
    certificate: dict | None = None
    subject: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError("verdict status %r is not one of %s" % (self.status, STATUSES))
        if self.status != INCONCLUSIVE and self.certificate is None:
            raise ValueError("a %s verdict needs a certificate" % self.status)

    def to_json(self):
        return {"verdict": self.status, "method": self.method, "evidence": self.evidence,
                "seconds": round(self.seconds, 4), "subject": self.subject}

    def __str__(self):
        return "%s (%s, %.2fs)" % (self.status, self.method, self.seconds)

    def _repr_html_(self):
        colour = {PROVED: "#1a7f37", REFUTED: "#cf222e", INCONCLUSIVE: "#9a6700"}[self.status]
        rows = "".join("<tr><td>%s</td><td><code>%s</code></td></tr>"
                       % (html.escape(str(k)), html.escape(json.dumps(v, default=str)[:300]))
                       for k, v in self.evidence.items())
        return ("<div><b style='color:%s'>%s</b> by %s in %.2f s%s<table>%s</table></div>"
                % (colour, self.status.upper(), html.escape(self.method), self.seconds,
                   (" &mdash; " + html.escape(self.subject)) if self.subject else "", rows))

    def _repr_latex_(self):
        return r"$\textbf{%s}$ (%s)" % (self.status, self.method.replace("_", r"\_"))


def inconclusive(method, reason, **evidence):
    return Verdict(INCONCLUSIVE, method, dict(reason=reason, **evidence))


@contextmanager
def stopwatch():
    """with stopwatch() as t: ...; t() -> seconds elapsed."""
    t0 = time.perf_counter()
    box = [None]
    yield lambda: (box[0] if box[0] is not None else time.perf_counter() - t0)
    box[0] = time.perf_counter() - t0


def lower_upper(x):
    """(lo, hi) of an arb ball, mpmath interval, exact number or float (as mpmath/float)."""
    if hasattr(x, "lower") and hasattr(x, "rad"):      # flint arb
        return x.lower(), x.upper()
    if hasattr(x, "a") and hasattr(x, "b"):            # mpmath iv
        return x.a, x.b
    return x, x


def compare(x, rel, bound):
    """Three-valued ``x rel bound`` for rigorous enclosures: True if it holds for every point
    of the enclosure, False if it fails for every point, None otherwise (or on NaN)."""
    if rel not in RELATIONS:
        raise ValueError("relation %r is not one of %s" % (rel, RELATIONS))
    if hasattr(x, "is_nan") and x.is_nan():
        return None
    lo, hi = lower_upper(x)
    blo, bhi = lower_upper(bound)
    try:
        if rel == "<":
            return True if hi < blo else False if lo >= bhi else None
        if rel == "<=":
            return True if hi <= blo else False if lo > bhi else None
        if rel == ">":
            return True if lo > bhi else False if hi <= blo else None
        return True if lo >= bhi else False if hi < blo else None
    except TypeError:   # an undecided interval comparison returned None somewhere
        return None
