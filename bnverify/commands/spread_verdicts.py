"""The trusted kernel's verdicts on the spread-cluster state of RC + a non-homogeneous phi that the attractor and
atlas commands ask for: the threshold's value none on a range (the collapse lemmas) and attractor-stable at one n
(spread-none covers); and whether a collapse lemma decides a whole range (open or long) for them and the simplex
command."""
from __future__ import annotations

from ..claims import properties, spec


def none_claim(act, w, r):
    """The kernel's verdict on attractor-threshold, value none, for RC + a non-homogeneous ``act`` at sigma_w^2 = w
    on the range r: proved where the collapse lemma holds (trusted/kernel.py, _g_spread_smooth).  None where no
    lemma holds (spread_cover.lemma_decides): the kernel proves the value none by a lemma only, and the claim's per-n
    jobs would run the float search (and, for gelu, silu, softplus, elu, try boxes) at every n of the range for
    nothing (silu at 201/100 on 3..65: some 130 s before the range's cap)."""
    from .. import trusted
    from ..claims.properties import spread_cover
    # identity and abs are not in the lemmas' table: their claim runs, and says what the kernel says
    if trusted.twopoint.known(act.kernel_name) and not spread_cover.lemma_decides(act, w):
        return None
    model = dict(spec.model_of(act), weight_var=str(w))
    data = {"id": "attractor-none", "title": "attractor", "property": "attractor-threshold", "expect": "proved",
            "statement": "no stable spread-cluster state for n in %s" % r, "model": model,
            "domain": {"n": str(r)}, "params": {"value": "none"}}
    return properties.check(spec.claim_from_dict(data, "attractor command"))


def threshold(name, alpha, w, lo, hi, value):
    """The kernel's verdict on attractor-threshold = ``value`` (an int, or None for "none") for RC + the activation
    ``name`` (parameter ``alpha`` or None) at sigma_w^2 = w on lo..hi, as the atlas shows it (a job: plain
    arguments and a plain dict, for any executor).  The claim runs as ``bnverify check`` runs it: covers at every n
    below the value, a stable spread-box at it; the kernel derives the goal from the claim."""
    from ..core import activations
    act = activations.activation(name, alpha)
    data = {"id": "atlas-threshold", "title": "atlas", "property": "attractor-threshold", "expect": "proved",
            "statement": "the smallest n in %d..%d with a stable spread-cluster state is %s" % (lo, hi, value or "none"),
            "model": dict(spec.model_of(act), weight_var=str(w)), "domain": {"n": "%d..%d" % (lo, hi)},
            "params": {"value": "none" if value is None else str(value)}}
    v = properties.check(spec.claim_from_dict(data, "atlas"))
    return {"value": "none" if value is None else value, "status": v.status, "method": v.method,
            "seconds": round(v.seconds, 1), "reason": str((v.evidence or {}).get("reason", ""))}


def threshold_text(row, k):
    """The atlas's smallest-n note once the kernel has judged the float search's value (``k``: threshold's dict)."""
    lo, hi = row["range"]
    if k["status"] == "proved":
        head = ("the smallest n in %d..%d with a stable spread-cluster state is %s" % (lo, hi, k["value"])
                if k["value"] != "none" else "none in %d..%d has a stable spread-cluster state" % (lo, hi))
        return "%s (proved by the trusted kernel, %s, %.1f s)" % (head, k["method"], k["seconds"])
    word = {"refuted": "refuted by the trusted kernel", "inconclusive": "the trusted kernel: inconclusive"}[k["status"]]
    why = k["reason"] if len(k["reason"]) <= 160 else k["reason"][:157] + "..."
    return "%s; value %s %s (%s)" % (row["note"], k["value"], word, why)


def stable_claim(act, w, n):
    """The kernel's verdict on attractor-stable (spectral radius < 1) for RC + ``act`` at sigma_w^2 = w and one n: a
    spread-none cover, with cells where any fixed point is unstable if no cover goes without them (n = 3)."""
    data = {"id": "attractor-stable-%d" % n, "title": "attractor", "property": "attractor-stable",
            "expect": "refuted", "statement": "a stable spread-cluster state at n = %d" % n,
            "model": dict(spec.model_of(act), weight_var=str(w)), "domain": {"n": str(n)}}
    return properties.check(spec.claim_from_dict(data, "attractor command"))


def unstable_cells(v):
    """The number of "U" cells of a verdict's spread-none covers (0: no spread-cluster fixed point at all)."""
    return sum(it["tree"].count("U") for it in (v.certificate or {}).get("evidence", [])
               if isinstance(it, dict) and it.get("type") == "spread-none")


LEMMAS = ("the trusted kernel's lemmas (sigma_w^2 L^2 <= 1; gelu, silu, softplus at sigma_w^2 <= 2; gelu, silu, softplus, "
          "elu at sigma_w^2 >= 4)")


def no_lemma(text, act, w, what, top, lo):
    """The one-line error for an open or long range where no lemma decides every n: why no claim does, and the
    per-n range to give instead."""
    return ("--n %s: only %s decide every n at once, and none holds for %s at sigma_w^2 = %s (so no bnverify check "
            "--n %d.. decides %s here either); per n, this command goes up to n = %d: give e.g. %d..%d"
            % (text, LEMMAS, act.name, w, lo, what, top, min(lo, top - 10), min(lo, top - 10) + 10))


def point_text(point):
    """n = 3's kernel-checked point {v, -v, 0} in words: it exists, its radius enclosure (unstable if above 1)."""
    lo, hi = point["spectral_radius"]
    return "n = 3's point {v, -v, 0} exists (%sspectral radius of DF in [%.9f, %.9f])" % (
        "unstable: " if lo > 1 else "", lo, hi)


def point(act, w):
    """n = 3's {v, -v, 0} for erf, sin, tanh or sigmoid at sigma_w^2 = w, re-checked by the trusted kernel (spread-point): its narrow
    root bracket in q and the enclosure of its spectral radius of DF, rounded outward (states.point_shown), or None."""
    from ..claims.properties import spread_cover, states
    it = spread_cover.point_item(act.name, 3, w)
    if it is None:
        return None
    q, radius = states.point_shown(it)
    return {"q": q, "spectral_radius": radius, "checked": True}


def boxes(act, w, n, points):
    """The float search's spread-cluster points at n (``points``: its rows) that the trusted kernel confirms by a
    spread-box item (Krawczyk in the symmetric family's (q, p); gelu, erf, sin, and silu, softplus, elu by Mehler's
    series): per point its box rounded outward
    (10 digits), the kernel's enclosure of the spectral radius of DF (every block; rounded outward in its 9th
    decimal), the kernel's verdict on attractor-stable at n from that item alone (stable: True where proved) and the
    float search's full radius at the point (a suggestion, beside the enclosure)."""
    import math

    from .. import trusted
    from ..claims.properties import spread_cover, states
    from ..claims.properties.two_point import kernel_alpha
    if not spread_cover.boxed(act.name) or spread_cover.lemma_decides(act, w):
        return []
    out, alpha = [], kernel_alpha(act)
    claim = {"property": "attractor-stable", "stages": ["rc"], "activation": act.name,
             "domain": dict({"n": str(n)}, **({"alpha": str(alpha)} if act.takes_alpha else {})),
             "params": {}, "weight_var": str(w)}
    for p in points:
        it = spread_cover.box_item(act.name, n, w, p["q"], p["rho"], alpha=alpha) if p["state"] == "spread" else None
        if it is not None:
            f = trusted.items.check_item(it)
            try:
                stable = trusted.decide(claim, [it])[0] == "proved"
            except (trusted.Rejected, trusted.NoGoal):
                stable = False
            out.append({"q": states.outward(*f["q"]), "p": states.outward(*f["p"]),
                        "spectral_radius_lo": math.floor(f["radius_lo"] * 10 ** 9) / 10 ** 9,
                        "spectral_radius_hi": math.ceil(f["radius_hi"] * 10 ** 9) / 10 ** 9, "stable": stable,
                        "search_full_radius": p.get("full_radius"), "checked": True})
    return out


def box_text(box, n):
    """A kernel-checked spread-cluster point (``boxes``) in words."""
    lo, hi = box["spectral_radius_lo"], box["spectral_radius_hi"]
    return "n = %d: a %sspread-cluster point exists (%sspread-box, Krawczyk: q in [%.10g, %.10g], spectral radius of " \
           "DF in [%.9f, %.9f], every block)" % (n, "stable " if box["stable"] else "", "unstable: " if lo > 1 else "",
                                                  *box["q"], lo, hi)
