"""Untrusted search for one n of a basin claim: the cover of [-1/(n-2), 1] from
bnverify.derive.basins, which is itself the 'basin-cover' evidence item."""
from __future__ import annotations

from ...derive import basins, rs_family


def search(claim):
    """(evidence items, human-readable evidence) for one n of a basin claim.  With RS: RC alone's
    cover and, where RC alone has a partner and an attractor, the rs-cover between them
    (bnverify.derive.rs_family: the kernel's averaging lemma needs both)."""
    if "rs" in claim.stages:
        r = rs_family.basins(claim.n.lo, claim.activation)
        human = {k: r[k] for k in ("rc_alone", "rs_cover") if k in r}
        if "reason" in r:                   # the road gives its own reason: the search's is evidence
            human["search"] = r["reason"]
        return r["items"], human
    v = basins.basins(claim.n.lo, claim.activation, rates=False)
    human = {k: v.evidence[k] for k in ("fixed_points", "basins", "partner_gap", "reason")
             if k in v.evidence}
    return ([v.certificate] if v.certificate else []), human
