"""How a claim splits into jobs (one per n, the all-n branch, or the claim itself), and how
the verdict of an identical job is adopted under another claim's label."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from .. import certificate as cert
from ... import trusted
from ...core.ranges import IntRange
from .branches import CLASSIFY_FROM, all_n, classification_all_n, start
from .registry import PROPERTIES, claim_json


def per_n(claim):
    prop = PROPERTIES[claim.property]
    if not prop.per_n:
        return False
    if claim.property in ("fixed-point", "spectral-radius"):
        state = claim.params.get("state", "configuration")
        return state in ("attractor", "simplex") or state == "two-point" and not claim.activation.homogeneous
    return True


def units(claim):
    """The jobs of a claim: one per n for per-n evidence on a finite range, else the claim.
    A claim reaching an all-n branch: one job per n below the branch's start and one job for
    the branch (its claim has the domain max(lo, start)..hi)."""
    if all_n(claim):
        base, first = claim, start(claim)
        if claim.property == "attractor-threshold":     # attractor-stable jobs, as below
            base = replace(claim, property="attractor-stable", params={"relation": "<", "bound": Fraction(1)})
        low = [base.with_n(k) for k in range(claim.n.lo, first)]
        return low + [replace(base, n=IntRange(max(claim.n.lo, first), claim.n.hi))]
    if claim.property == "basin" and (not claim.n.finite or claim.n.hi > trusted.kernel.N_MAX):
        return [claim]          # basins are certified per n up to N_MAX: no search beyond (the kernel says why)
    if per_n(claim) and claim.n.finite and 1 < len(claim.n) <= trusted.kernel.PER_N_MAX:
        if claim.property == "attractor-threshold":     # the attractor-stable job of each n
            return [replace(claim.with_n(k), property="attractor-stable",
                            params={"relation": "<", "bound": Fraction(1)}) for k in claim.n]
        return [claim.with_n(k) for k in claim.n]
    return [claim]


def search_key(unit):
    """What two different jobs search alike (None: nothing shared).  The classification,
    basin-attractor and basin-attractor-all claims are different jobs (other properties,
    other ranges) that all search the same all-n classification item from n = 7; a basin job at
    one n with RC alone and one with RC + RS (basin-simplex and rs-basins) both search RC
    alone's basin cover at that n (bnverify.derive.basins.cover keeps it for the process).  The
    runner runs jobs with one key in one worker, one after the other, so that the evidence is
    searched once and re-checked once (the kernel keeps each item's fact by its canonical
    text); each job's verdict is still the kernel's own decision on its own claim."""
    if classification_all_n(unit):
        return ("classification-branch", max(unit.n.lo, CLASSIFY_FROM))
    if (unit.property == "basin" and unit.stages in (("rc",), ("rc", "rs")) and unit.n.finite
            and unit.n.lo == unit.n.hi and unit.alpha.point):
        return ("basin-cover", unit.n.lo, unit.activation.name, str(unit.alpha))
    return None


def adopt(claim, v):
    """A copy of the verdict of an identical job, labelled for ``claim``."""
    c = v.certificate
    if c is not None:
        c = cert.finish(claim_json(claim), c["verdict"], c["method"], c["statement"], c["evidence"])
    out = replace(v, certificate=c, evidence=dict(v.evidence))
    out.items = list(getattr(v, "items", []))
    return out
