"""Untrusted search for one n of a per-n claim about a symmetric state (the attractor or
the simplex state): certified boxes and classification covers from bnverify.derive, turned into
the evidence items the trusted kernel re-checks."""
from __future__ import annotations

import math
from fractions import Fraction

from .. import certificate as cert
from ... import trusted
from ...derive import curve, states, twopoint
from . import two_point as two_point_search


RC_ALONE = ("spectral_radius", "blocks", "scale_factor", "spectral_bound", "eigenvalue_convention")


def state_of(claim):
    if claim.property.startswith("attractor"):
        return "attractor"
    return claim.params.get("state", "configuration")


def outward(lo, hi, digits=10):
    """Fractions lo <= hi as floats of ``digits`` significant decimal digits, lo rounded down and hi up (shown with
    %.<digits>g they read as those decimals, which hold [lo, hi])."""
    from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
    return [float(Context(prec=digits, rounding=r).divide(Decimal(x.numerator), Decimal(x.denominator)))
            for x, r in ((Fraction(lo), ROUND_FLOOR), (Fraction(hi), ROUND_CEILING))]


def point_shown(point):
    """(q, radius) of a spread-point item as floats rounded outward: its root bracket in q (10 digits) and the
    kernel's enclosure of the spectral radius of DF (9 decimals), the item re-checked by the kernel."""
    lo, hi = trusted.items.check_item(point)["radius"]
    return (outward(point.get("root_lo", point["q_lo"]), point.get("root_hi", point["q_hi"])),
            [math.floor(lo * 10 ** 9) / 10 ** 9, math.ceil(hi * 10 ** 9) / 10 ** 9])


def point_evidence(point):
    """The human-readable evidence of a spread-point item: point_shown's bracket and enclosure."""
    q, radius = point_shown(point)
    return {"point": "{v, -v, 0}: q in [%.10g, %.10g]" % tuple(q),
            "spectral_radius": "[%.9f, %.9f] (the kernel's enclosure, rounded outward)" % tuple(radius)}


def box_evidence(item):
    """The human-readable evidence of a spread-box item: its box rounded outward (10 digits) and the kernel's
    enclosure of the spectral radius of DF, every block (rounded outward in its 9th decimal)."""
    f = trusted.items.check_item(item)
    return {"point": "a spread-cluster fixed point (Krawczyk): q in [%.10g, %.10g], p in [%.10g, %.10g]" % (
                *outward(*f["q"]), *outward(*f["p"])),
            "spectral_radius": "[%.9f, %.9f] (the kernel's enclosure: every block of DF)" % (
                math.floor(f["radius_lo"] * 10 ** 9) / 10 ** 9, math.ceil(f["radius_hi"] * 10 ** 9) / 10 ** 9)}


def box_search(claim, act, n, w):
    """(items, human) from spread-box items (Krawczyk around the float search's spread-cluster points) where a claim
    on the attractor of RC + gelu, erf or sin (silu, softplus, elu: Mehler's series) can be decided by one: existence,
    or a radius rel bound (attractor-stable and attractor-threshold: < 1; a stable point at n decides a threshold claim
    at n, proved for value n, refuted for none); None where no box is tried (n = 3 for erf and sin: the point
    {v, -v, 0} first; a lemma decides; another property), or for '<' / '<=' where no box shows it and a spread-none cover may refute (erf, sin).  For a radius
    bound, the point whose lower bound is largest ('>', '>=') or upper bound smallest ('<', '<=')."""
    from . import spread_cover
    rel = claim.params.get("relation", "<")
    if not spread_cover.boxed(act.name) or n > trusted.items.N_MAX or n == 3 and act.kind.spread_point or \
            spread_cover.lemma_decides(act, w) or \
            claim.property not in ("attractor-exists", "fixed-point", "spectral-radius", "attractor-stable",
                                   "attractor-threshold"):
        return None
    upper = claim.property in ("spectral-radius", "attractor-stable", "attractor-threshold") and rel in ("<", "<=")
    items, found = spread_cover.box_items(act, n, w)
    if not items and upper and act.kind.spread_cover:
        return None
    if not items:
        return [], {"search": "no spread-box at n = %d: the float search found %d spread-cluster point(s)%s" % (
            n, len(found),
            ", none confirmed by the kernel's Krawczyk test within a certificate's work budget" if found else "")}
    facts = [trusted.items.check_item(it) for it in items]
    k = max(range(len(items)), key=lambda i: facts[i]["radius_lo"]) if rel in (">", ">=") else \
        min(range(len(items)), key=lambda i: facts[i]["radius_hi"]) if upper else 0
    hi, bound = facts[k]["radius_hi"], Fraction(claim.params.get("bound", 1))
    if upper and act.kind.spread_cover and not (hi < bound or rel == "<=" and hi == bound):
        return None             # erf, sin: no stable point shown, the spread-none cover's turn (it may refute)
    return [items[k]], box_evidence(items[k])


def search(claim):
    """(evidence items, human-readable evidence) for one n of a per-n claim."""
    if claim.stages == ("nl", "rc", "rs"):      # BN after phi with RS: its fixed point by symmetry, no evidence
        return [], {"note": "the regular simplex, by symmetry alone (bnverify/trusted/kernel.py, _g_after_rs)"}
    n, act = claim.n.lo, claim.activation
    if state_of(claim) in ("two-point", "simplex") and not act.homogeneous and claim.property in ("fixed-point",
                                                                                                 "spectral-radius"):
        return two_point(claim)
    if state_of(claim) == "attractor" and not act.homogeneous:
        # the kernel's collapse and parity lemmas need no evidence; outside their regimes, for erf, sin, tanh and sigmoid, a quadtree
        # cover of the symmetric family (docs/spread.md, Certified); else undecided
        from . import spread_cover
        w = claim.weight_var
        box = box_search(claim, act, n, w)
        if box is not None and (box[0] or not spread_cover.searched(act, w)):
            return box
        if spread_cover.searched(act, w):
            if n > trusted.items.N_MAX:          # the kernel reads a spread-none item up to n = 64: no search beyond
                return [], {"search": "no spread-none cover beyond n = %d (the trusted kernel's limit)" % trusted.items.N_MAX}
            rel, bound = claim.params.get("relation", "<"), Fraction(claim.params.get("bound", 1))
            radius = claim.property in ("attractor-stable", "spectral-radius")    # one statement in the kernel
            # a cover with unstable cells answers for stable states only (threshold, radius < bound <= 1)
            stable_only = claim.property == "attractor-threshold" or radius and rel in ("<", "<=") and bound <= 1
            if n == 3 and (claim.property in ("attractor-exists", "fixed-point") or radius and not stable_only):
                # n = 3's unstable {v, -v, 0}: it exists, with its spectral radius enclosed (it proves "rel bound"
                # where the enclosure shows it; a point never refutes)
                point = spread_cover.point_item(act.name, n, w)
                if point is not None:
                    return [point], point_evidence(point)
            why = []
            it = spread_cover.item(act.name, n, w, unstable=stable_only, why=why)
            if it is not None:
                return [it], {"cover_cells": len(it["tree"])}
            return [], {"search": "no spread-none cover at n = %d: %s" % (n, "; ".join(why))}
        if act.name in spread_cover.spreadfam.ODD and not trusted.twopoint.collapses(act.name, Fraction(0), Fraction(w)) \
                and n == 3 and claim.property in ("attractor-exists", "fixed-point", "attractor-stable", "spectral-radius"):
            # tanh, sigmoid: n = 3's {v, -v, 0} from the kernel's one-dimensional integrals (no cover: existence and
            # the point's radius only)
            point = spread_cover.point_item(act.name, n, w)
            if point is not None:
                return [point], point_evidence(point)
            return [], {"search": "no sign change of q' - q found along n = 3's edge p = 0 (rho = -1) in [10^-30, 4 "
                                  "sigma_w^2]"}
        return [], {"note": "the spread-cluster state of a non-homogeneous phi: the trusted kernel's collapse or "
                            "parity lemma (no evidence), else undecided"}
    if claim.property == "classification":
        v = curve.classify(n, act)
        human = {k: x for k, x in v.evidence.items() if k in ("fixed_points", "reason")}
        return ([classification_item(v.certificate)] if v.certificate else []), human
    state = state_of(claim)
    stable = claim.property in ("spectral-radius", "attractor-stable", "attractor-threshold")
    rel = claim.params.get("relation", "<") if claim.property != "attractor-threshold" else "<"
    bound = claim.params.get("bound", Fraction(1)) if claim.property != "attractor-threshold" else Fraction(1)
    if rel not in ("<", "<="):
        rel = "<"
    rs = claim.stages == ("rc", "rs")       # full BN's BSB1 state: RC alone's, scaled by the kernel's lemma
    if rs:
        bound = Fraction(bound) * (n + 1) / (n - 1)
    fn = states.certify_attractor if state == "attractor" else states.certify_simplex
    v = fn(n, act, relation=rel, bound=bound)
    human = {k: x for k, x in v.evidence.items() if k != "reason"}
    if rs:
        human = {("rc_alone_" + k if k in RC_ALONE else k): x for k, x in human.items()}
        human["note"] = ("RC alone's simplex state at this n; RC + RS's eigenvalues at the BSB1 state are 0 and "
                         "(n-1)/(n+1) = %s times these (bnverify/trusted/simplex.py; bnverify simplex --stages "
                         "rc,rs,... gives them)" % Fraction(n - 1, n + 1))
    if claim.stages == ("nl", "rc"):
        human["note"] = ("BN after the activation: the evidence is RC then NL's state G* at this n; the kernel's "
                         "conjugation lemma carries its existence and spectral radius to C G* C (nonzero "
                         "eigenvalues equal; cosines and norm ratio are G*'s, not C G* C's: bnverify simplex / "
                         "attractor --stages relu,rc print C G* C's)")
    if v.evidence.get("reason"):
        human["search"] = v.evidence["reason"]
    c = v.certificate
    if not c:
        return [], human
    if c.get("kind") == "classification":
        return [classification_item(c)], human
    if c.get("kind") == "krawczyk":
        return [krawczyk_item(c, bound if stable else None)], human
    return [], human


def two_point(claim):
    """One n of the two-point family (or the simplex state) of RC + a non-homogeneous phi: a bracket
    of the first root of S(s) = s, and for a spectral-radius claim the bracket alone does not prove a
    cover putting every root in one bracket (:mod:`.two_point`; it may refute); none where the scan
    finds no sign change."""
    n, act, w = claim.n.lo, claim.activation, claim.weight_var
    state = state_of(claim)
    if trusted.twopoint.collapses(act.kernel_name, two_point_search.kernel_alpha(act), Fraction(w)):
        return [], {"note": "the scale collapses by the trusted kernel's lemma (no evidence needed)"}
    if trusted.twopoint.grows(act.kernel_name, Fraction(w)):
        return [], {"note": "the scale grows by the trusted kernel's parity lemma (no evidence needed)"}
    item = (two_point_search.simplex_bracket_item if state == "simplex" else two_point_search.bracket_item)(act, n, w)
    if item is None:
        over = []
        none = two_point_search.none_item(act, n, w, state, over=over)     # S(s) < s everywhere: refutes
        if none is not None:
            return [none], {"search": "sent a %s-none item: S(s) < s for every s > 0 by %d pieces in balls and two "
                                      "lemmas (no %s fixed point), for the kernel to re-check"
                                      % (state, len(none["cuts"]) - 1, state)}
        grow = two_point_search.grow_item(act, n, w, state, over=over)     # S(s) > s everywhere: refutes
        if grow is not None:
            return [grow], {"search": "sent a %s-grow item: S(s) > s for every s > 0 by %d pieces in balls and two "
                                      "lemmas (no %s fixed point; the scale grows without bound), for the kernel to "
                                      "re-check" % (state, len(grow["cuts"]) - 1, state)}
        signs = twopoint.roots(act, n, Fraction(w), state=state)     # a sign change whose bracket was not shown
        scan = ("S(s) - s changes sign on the scan s in [%g, %g] (floats) near s = %s, but no bracket of the first "
                "was shown in balls" % (*twopoint.scan_range(state), ", ".join("%.6g" % math.sqrt(a * b) for a, b in signs))
                if signs else
                "S(s) - s keeps one sign on the scan s in [%g, %g] (floats)" % twopoint.scan_range(state))
        return [], {"search": "no %s bracket: %s; neither S(s) < s nor S(s) > s for every s > 0 shown (none and grow "
                              "items tried%s)" % (state, scan, "".join("; found a " + o for o in over))}
    if claim.property == "spectral-radius" and not _bracket_proves(claim, item):
        # the statement is existential: another root's bracket may prove it; else a cover of every root refutes
        found = two_point_search.bracket_items(act, n, w, state, first=item)
        for other in found[1:]:
            if other is not None and _bracket_proves(claim, other):
                return [other], {"s": [other["lo"], other["hi"]], "roots": len(found)}
        cover = two_point_search.cover_item(act, n, w, item, state, found or [item])
        if cover is not None:
            return [cover, item], {"s": [item["lo"], item["hi"]], "cover_pieces": len(cover["below"]) +
                                   len(cover["above"]) - 2, "roots": 1 + len(cover.get("brackets", []))}
        signs = twopoint.roots(act, n, Fraction(w), state=state)
        missed = [math.sqrt(a * b) for (a, b), f in zip(signs, found) if f is None]
        alpha = two_point_search.kernel_alpha(act)
        far = act.kernel_name in trusted.twopoint.RELU_GAP and all(
            two_point_search._tail(act, n, Fraction(w), state, alpha, g) is None for g in (-1, 1))
        if missed and far:
            return [item], {"s": [item["lo"], item["hi"]], "search": (
                "no cover of every root: S(s)/s tends to sigma_w^2 c = %.6g at large s, so near 1 that neither large-s "
                "lemma (S(s) < s or S(s) > s beyond s_big, phi = relu - h) holds below s = 5e5; the float scan's other "
                "sign changes (near s = %s) were not confirmed in balls" % (
                    float(w) * float(trusted.twopoint._relu_slope(n, state).mid()), ", ".join("%.4g" % m for m in missed)))}
        over = two_point_search.OVER_BUDGET.get((act.name, n, Fraction(w), state))
        if over:
            return [item], {"s": [item["lo"], item["hi"]], "search": over + _missed_text(act, n, w, state, missed)}
        if missed:
            return [item], {"s": [item["lo"], item["hi"]], "search": (
                "the float scan has %d sign changes of S(s) - s; no bracket was shown in balls near s = %s (the float "
                "rule can be far off at large s; the kernel's balls kept one sign on a grid a factor 4 either side), so "
                "another %s fixed point there is neither proved nor excluded" % (
                    len(signs), ", ".join("%.4g" % m for m in missed), state))}
    return [item], {"s": [item["lo"], item["hi"]]}


def _missed_text(act, n, w, state, missed):
    """The float scan's sign changes that no ball confirmed, in words: those beyond the s where the kernel's
    cross-term lemma (in balls: two_point._cross_big) already gives S(s) - s one sign are the float rule's error,
    not roots; the others are neither proved nor excluded."""
    if not missed:
        return ""
    ends = [(g, two_point_search._cross_big(act.kernel_name, n, Fraction(w), state, g)) for g in (1, -1)]
    g, big = next(((g, b) for g, b in ends if b is not None), (None, None))
    near = [m for m in missed if big is None or m < big]
    far = [m for m in missed if big is not None and m >= big]
    text = "" if not near else "; the float scan's other sign changes (near s = %s) were not confirmed in balls" % (
        ", ".join("%.4g" % m for m in near))
    if far:
        text += ("; the float scan's sign changes near s = %s lie beyond s = %.4g, where the kernel's cross-term "
                 "lemma (in balls) shows S(s) %s s: the float rule's error, not roots" % (
                     ", ".join("%.4g" % m for m in far), big, ">" if g > 0 else "<"))
    return text


def _bracket_proves(claim, item):
    """True if the kernel proves the claim from the bracket alone: a cover beside it would only
    spend work (a range of n summing every n's cover went over the certificate's budget)."""
    from .registry import claim_json
    try:
        return trusted.decide(claim_json(claim), [item])[0] == "proved"
    except (trusted.NoGoal, trusted.Rejected):
        return False


def classification_item(cl):
    return {"type": "classification", "n": cert.rational(Fraction(cl["n"])),
            "alpha": cert.rational(Fraction(cl["activation"]["alpha"])), "prec": int(cl["prec"]),
            "intervals": cl["intervals"]}


def krawczyk_item(kr, bound):
    """A Krawczyk record as a 'symmetric-state' item; V (approximate eigenvectors of the
    kernel's blocks at the box's centre) is float search here, re-verified there."""
    import numpy as np
    from flint import arb, ctx

    n, prec = int(kr["n"]), int(kr["prec"])
    alpha = Fraction(kr["activation"]["alpha"])
    item = {"type": "symmetric-state", "n": n, "alpha": cert.rational(alpha), "prec": prec,
            "box": [{"mid": [mm, me], "rad": [rm, re]} for mm, me, rm, re in kr["box"]], "Y": kr["y_matrix"]}
    if bound is not None and kr.get("spectral_bound") is not None:
        with ctx.workprec(prec):
            A, B = trusted.model.kernel_constants(alpha)
            mid = [arb(int(mm)) * arb(2) ** int(me) for mm, me, _, _ in kr["box"]]
            blocks = trusted.model.symmetric_blocks(mid, n, A, B)
        V = {}
        for comp, Bm in blocks.items():
            _, vecs = np.linalg.eig(np.array([[float(x.mid()) for x in row] for row in Bm]))
            V[comp] = [[[cert.rational(Fraction(float(z.real))), cert.rational(Fraction(float(z.imag)))]
                        for z in row] for row in vecs]
        item.update(V=V, bound=cert.rational(Fraction(bound)))
    return item
