"""Untrusted search for a fold bracket: the classification at both ends of (lo, hi) in real n."""
from __future__ import annotations

from fractions import Fraction

from ...derive import sweeps
from .states import classification_item


def search(claim):
    """(items, human evidence) for a fold-bracket claim."""
    lo, hi = Fraction(claim.params["lo"]), Fraction(claim.params["hi"])
    v = sweeps.locate_fold(lo, hi, claim.activation)
    items = [classification_item(v.certificate[k]) for k in ("at_n_lo", "at_n_hi")] if v.certificate else []
    return items, {k: x for k, x in v.evidence.items() if k != "reason"}
