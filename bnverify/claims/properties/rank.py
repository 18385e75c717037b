"""Untrusted search for a kernel-definite claim: an exact counterexample (points and a null vector
of K(Sigma)) at the smallest n of the domain where bnverify.derive.rank has one."""
from __future__ import annotations

from ... import trusted
from ...derive import rank

TRIES = 8


def search(claim):
    """(evidence items, human-readable evidence) for a kernel-definite claim."""
    hi = claim.n.lo + TRIES if claim.n.hi is None else min(claim.n.hi, claim.n.lo + TRIES)
    hi = min(hi, trusted.rank.MAX_POINTS)             # a larger witness is one the kernel would not read
    for k in range(claim.n.lo, hi + 1):
        item = rank.counterexample(claim.params["points"], k, claim.activation.slope)
        if item is not None:
            return [item], {"counterexample": {"n": k, "points": item["points"], "null": item["null"]}}
    return [], {}
