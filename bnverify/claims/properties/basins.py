"""Untrusted search for one n of a basin claim: the cover of [-1/(n-2), 1] from
bnverify.derive.basins, which is itself the 'basin-cover' evidence item."""
from __future__ import annotations

from ...derive import basins


def search(claim):
    """(evidence items, human-readable evidence) for one n of a basin claim."""
    v = basins.basins(claim.n.lo, claim.activation, rates=False)
    human = {k: v.evidence[k] for k in ("fixed_points", "basins", "partner_gap", "reason")
             if k in v.evidence}
    return ([v.certificate] if v.certificate else []), human
