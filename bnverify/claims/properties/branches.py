"""Claims that reach an all-n branch (the attractor for n >= ALL_N_FROM, the simplex state
for n >= SIMPLEX_FROM) and the untrusted search of a branch's evidence (bnverify.derive.alln_evidence,
bnverify.derive.simplex_alln)."""
from __future__ import annotations

import copy
from fractions import Fraction

from ... import trusted
from ...derive import alln_evidence, classify_alln, simplex_alln


ALL_N_FROM = 16          # the attractor's all-n branch covers n >= 16; below, per-n boxes
POINTS_FROM = 7          # a range of slopes: the branch's own points t = 1/n for 7 <= n < 16
SIMPLEX_FROM = 3         # the simplex state's covers every n >= 3
CLASSIFY_FROM = 7        # the classification's charts cover every n >= 7 (points t = 1/n below 16)


def classification_all_n(claim):
    """A classification claim (RC + ReLU / leaky ReLU), or a basin claim (RC + ReLU: slope 0), whose
    range reaches n = CLASSIFY_FROM and, for a basin, goes past the per-n covers' N_MAX."""
    if claim.stages != ("rc",) or not claim.activation.states or claim.n.finite and claim.n.hi < CLASSIFY_FROM:
        return False
    if claim.property == "basin":           # every n from 7 in one item (one n: its own cover, cheaper)
        return claim.alpha.point and claim.activation.slope == 0 and not (claim.n.finite and claim.n.lo == claim.n.hi)
    return claim.property == "classification"

# BN after the activation (nl, rc) searches RC then NL's evidence: the kernel applies its conjugation lemma
RC_THEN_NL = (("rc",), ("nl", "rc"))


def simplex_all_n(claim):
    """A claim about the simplex state (existence, or spectral radius < 1 or any bound >= 1;
    ReLU or leaky ReLU) on an open range or one beyond the per-n limit; with RC + RS (the BSB1
    state of full BN) on any range."""
    if claim.property not in ("fixed-point", "spectral-radius") or claim.params.get("state") != "simplex":
        return False
    if claim.property == "spectral-radius" and not (
            claim.params.get("relation", "<") in ("<", "<=") and claim.params.get("bound", Fraction(1)) >= 1):
        return False
    if claim.activation.states and claim.stages == ("rc", "rs"):
        return True             # full BN's BSB1 state: RC alone's branch and the kernel's lemma, any range
    return (claim.activation.states and claim.stages in RC_THEN_NL
            and (not claim.n.finite or claim.n.hi > trusted.kernel.N_MAX))


def start(claim):
    """Where a claim's all-n branch job starts: ALL_N_FROM, or for a range of slopes (no per-n
    boxes: those are at one slope) the claim's own start from POINTS_FROM on."""
    if simplex_all_n(claim):
        return SIMPLEX_FROM
    if classification_all_n(claim):
        return CLASSIFY_FROM
    return ALL_N_FROM if claim.alpha.point else min(ALL_N_FROM, max(claim.n.lo, POINTS_FROM))


def all_n(claim):
    """A claim whose range reaches an all-n branch: the attractor's existence or spectral
    radius < 1 (or any bound >= 1), ReLU or leaky ReLU, or :func:`simplex_all_n`."""
    if simplex_all_n(claim) or classification_all_n(claim):
        return True
    exists = claim.property == "attractor-exists" or (
        claim.property == "fixed-point" and claim.params.get("state") == "attractor")
    stable = claim.property in ("attractor-stable", "attractor-threshold") or (
        claim.property == "spectral-radius" and claim.params.get("state") == "attractor")
    if stable:
        bound = claim.params.get("bound", Fraction(1))
        stable = (claim.activation.all_n_stability and claim.params.get("relation", "<") in ("<", "<=")
                  and bound >= 1)
    return ((exists and claim.activation.states or stable)
            and claim.stages in RC_THEN_NL and (not claim.n.finite or claim.n.hi >= start(claim)))


BRANCH_METHOD = {
    "attractor": "Krawczyk in (t = 1/n, v = n arccos rho) on t-boxes down to t = 0, blocks' analytic "
                 "margins (arb), trusted kernel",
    "simplex": "closed-form S_n eigenvalues in t = 1/n on t-boxes down to t = 0 (arb), trusted kernel",
    "classification": "sign charts of h(rho) - rho in t = 1/n down to t = 0: convexity and Taylor models near "
                      "the simplex, Krawczyk at the attractor (arb), trusted kernel"}


def method(claim):
    return BRANCH_METHOD["simplex" if simplex_all_n(claim) else "classification" if classification_all_n(claim)
                         else "attractor"]


_SEARCHED = {}               # (search, its arguments) -> its result: each searched once per process


def _kept(search, *args, **kwargs):
    """search(*args, **kwargs), kept for the process (a copy each time): catalogue claims and commands ask for
    the same items (the classification from n = 7 for three claims, the all-n branch of one slope for every
    claim on it), and the runner runs their jobs in one worker (:func:`.jobs.search_key`).  Only the search is
    kept: the kernel decides each claim."""
    key = (search.__module__, search.__name__, args, tuple(sorted(kwargs.items())))
    if key not in _SEARCHED:
        _SEARCHED[key] = search(*args, **kwargs)
    return copy.deepcopy(_SEARCHED[key])


def classification_item(n0):
    """classify_alln.classification_item(n0), kept for the process (:func:`_kept`)."""
    return _kept(classify_alln.classification_item, n0)


def search_branch(claim):
    """(items, human evidence) of the all-n branch for n >= claim.n.lo, with the certified
    asymptotics (see bnverify.derive.alln_evidence)."""
    alpha = claim.activation.slope          # relu: 0
    if classification_all_n(claim):
        n0 = max(claim.n.lo, CLASSIFY_FROM)
        try:
            item = classification_item(n0)
        except ValueError as e:
            return [], {"search": "no classification charts: %s" % e}
        return [item], classify_alln.summary(item)
    if simplex_all_n(claim):
        if not claim.alpha.point:
            return [], {"search": "the simplex state is certified at one slope; give one alpha (a range of "
                                  "slopes is certified for the attractor)"}
        item, failed, boxes = simplex_alln.branch_item(claim.n.lo, alpha)
        if item is None:
            return [], {"search": "simplex boxes not certified on t in %s" % ", ".join(
                "[%s, %s]" % (lo, hi) for lo, hi in failed[:5])}
        if claim.stages == ("rc", "rs"):        # the evidence is RC alone's; the kernel's lemma scales it
            return [item], {"boxes": len(boxes), "rc_alone_radius_bounds": boxes,
                            "note": "RC alone's simplex state, whose eigenvalues times (n-1)/(n+1) (and 0) are "
                                    "RC + RS's at the BSB1 state (bnverify/trusted/simplex.py; docs/full-bn.md)"}
        return [item], {"boxes": len(boxes), "radius_bounds": boxes,
                        "asymptotics": simplex_alln.asymptotics(alpha)}
    if claim.alpha.point:
        item, failed = _kept(alln_evidence.branch_item, claim.n.lo, alpha)
    else:                   # every slope of the range at once, the ns below ALL_N_FROM as points
        item, failed = _kept(alln_evidence.branch_item, max(claim.n.lo, ALL_N_FROM), str(claim.alpha),
                             points_from=claim.n.lo)
    if item is None:
        return [], {"search": "boxes not certified on t in %s" % ", ".join(
            "[%s, %s]" % (lo, hi) for lo, hi in failed[:5])}
    return [item], {"boxes": len(item["boxes"]),
                    "asymptotics": alln_evidence.asymptotics(item, (claim.alpha.lo, claim.alpha.hi))}
