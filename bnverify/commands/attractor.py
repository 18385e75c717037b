"""``bnverify attractor``: certify the spread-cluster attractor per n and the threshold n."""
from __future__ import annotations

import sys
from fractions import Fraction

from ..claims import properties, spec, sweep
from ..core import limits, ranges
from ..report import pretty
from ..derive import sweeps
from ..errors import BadInput
from ..core.stages import after
from . import after as after_activation
from . import exits, options, per_n, simplex, spread_search, spread_verdicts
from .output import show

NAME = "attractor"
HELP = "certify the spread-cluster fixed point per n (Krawczyk + block spectra) and the smallest n"
DESCRIPTION = """\
For each n, certify in ball arithmetic (python-flint arb) the spread-cluster fixed point of
the infinite-width Gram dynamics: a cluster of n-1 points with a common pairwise cosine,
an odd point at another cosine and norm ratio, as a fixed point of the scale-free map.

  existence, local uniqueness   Krawczyk's operator on a box of the symmetric reduction
  stability                     spectral radius of the scale-free linearization in the full
                                n(n+1)/2-dimensional space (eigenvalues of DF(G*)/c without
                                G*'s own direction), enclosed per symmetry block by flint's
                                acb_mat.eig and, eigensolver-free, by Gershgorin discs
  absence                       interval branch-and-bound over the whole symmetric family:
                                its only fixed points are then the simplex state and O_n

Every number printed is a rigorous bound: intervals [lo, hi] rounded outward.
smallest_n is the smallest n from which the attractor is proved for every n up to the top
of the range, absence being proved for every n from 3 up to it (n below the range are
checked too).

Any n up to 10^6: a finite range of at most 1,000 n gets the table (--n 12345,
--n 100000..100999), each n certified on its own; above n = 64 the search starts from the
all-n branch's root at t = 1/n and costs the same at every n (about 0.1 s with the kernel's
check).  Absence, and so smallest_n, is classified per n up to 64 only: a range starting
above 64 leaves smallest_n out.

Every n at once: an open range (--n 7..) or one longer than 1,000 n proves existence and
local uniqueness for every n of the range (for n >= 16 by Krawczyk boxes covering t = 1/n in
[0, 1/16] in the rescaled unknown v = n arccos(rho), below by per-n boxes) and stability
for every n, and prints the certified leading asymptotics in t = 1/n.  Leaky ReLU's stability
follows from ReLU's (its eigenvalues are w + (1 - w) nu of ReLU's nu, w < 1), so a range of
slopes --alpha A..B (B = 1 excluded: at alpha = 1 the map is linear) is proved for every n at
once, with one box per n at t = 1/n below 16.  JSON, the same
keys for every range (null or empty where a range has none; docs/schemas/attractor.json):
"summary", "asymptotics", "boxes", "results", "smallest_n", "below_range".

examples:  bnverify attractor --n 7..64 --jobs 2
           bnverify attractor --n 1000000 --json
           bnverify attractor --n 7.. --json --cert attractor-all-n.json
           bnverify attractor --n 3..12 --stages rc,leaky_relu --alpha 1/10 --json
           bnverify attractor --n 7.. --stages rc,leaky_relu --alpha 0..1
           bnverify attractor --n 7..9 --stages relu,rc     (BN after the activation)
           bnverify attractor --n 7 --fold 6.107..6.108
           bnverify attractor --n 3..16 --stages rc,tanh --weight-var 2 --json

A non-homogeneous activation (gelu, silu, tanh, erf, elu, softplus, sigmoid, sin; --weight-var S2,
default 1): the scale is part of the state.  Where the kernel's collapse lemmas hold (S2 L^2 < 1,
or = 1 for tanh, sin, softplus, sigmoid, elu, L the Lipschitz constant of phi: every pairwise
distance shrinks; gelu, silu at S2 <= 2: the trace of the map's Gram matrix shrinks; softplus at
S2 <= 2: phi = t/2 + e with |e'| < 1/2, every pairwise distance below S2/2 times its own), and where
the parity lemma does (gelu, silu, softplus at S2 >= 4: phi(t) - phi(-t) = t, every pairwise distance
grows by S2/4 at least), there is no spread-cluster fixed point at any n: every row is refuted (kernel-checked, no search; an open
range or one of more than 1,000 n: one row for the whole range, JSON "n_last" its last n, null
if open), "smallest_n_note" says "none in A..B (proved ...)", exit 0 (docs/spread.md, Certified).
For erf, sin, tanh, sigmoid, gelu, silu, softplus and elu (alpha 1) elsewhere, per n (at most 64) a spread-none cover of the symmetric family, checked
by the kernel, refutes a stable spread-cluster state (n = 3: cells where any fixed point is
unstable).  For gelu, erf and sin a row also names the search's spread-cluster points the kernel
proves to exist (spread-box: Krawczyk in the family's (q, p), the spectral radius of DF enclosed,
every block; --json "boxes"): where it is below 1 the row is proved (a stable spread-cluster state
exists at that n, e.g. gelu at S2 = 5/2, n = 8: radius in [0.98335853, 0.98335854]), else a stable
state stays undecided there.  Otherwise, per n (at most 64) the rows give
the trusted kernel's verdicts that exist (the two-point and the simplex states) and a float search
of the symmetric family's fixed points (bnverify.derive.spread:
Gauss-Hermite or the closed kernel, a grid in (log q, arccos rho) and Newton's method), each row
inconclusive with the reason (exit 3); "smallest_n" stays null and "smallest_n_note" says what
the search found ("none found in A..B (float search; not proved)"); "spread_search" has the
search's settings (docs/spread.md).
"""

FIELDS = ("cluster_cos", "odd_cos", "norm_ratio", "spectral_radius")


def add_arguments(p):
    per_n.add_arguments(p, fold=True, stages_help="rc and one activation: relu (default) or leaky_relu, certified; "
                        "rc,PHI for a non-homogeneous PHI (gelu, silu, tanh, ...): the kernel's two-point and simplex "
                        "verdicts and a float search, inconclusive; or PHI,rc (BN after a homogeneous activation: "
                        "the same state read at C G* C, by conjugation)")
    options.add_weight_var(p, help="S2, the weight variance sigma_w^2 (an exact rational > 0, default 1): for a "
                                   "non-homogeneous activation the model's own (the ReLU family: only 1, it only scales)")


def table(rows, fields):
    """The per-n rows as lines within the terminal's width, then each undecided n's reason."""
    timed = any(r.get("seconds") is not None for r in rows)     # rows of an all-n run have no own time
    head = ["n", "status"] + list(fields) + ["seconds"] * timed
    out = per_n.fitted_table(lambda digits: [head] + [
        [str(r["n"]), r["status"]] + [per_n.interval(r, f, digits) for f in fields]
        + (["%.2f" % r["seconds"]] if timed else []) for r in rows])
    return out + ["n=%d: %s" % (r["n"], r["reason"]) for r in rows if "reason" in r]


def all_n_claim(r, act, alpha_range=None):
    """The kernel-checked verdict of the attractor claim for every n of r (and every slope of
    ``alpha_range``, a RatRange): existence, local uniqueness and spectral radius < 1 (per-n
    boxes below the all-n branch, or for a range of slopes the branch's points t = 1/n; the
    branch above: bnverify.derive.alln)."""
    model, domain = spec.model_of(act), {"n": str(r)}
    if alpha_range is not None:
        del model["alpha"]
        domain["alpha"] = str(alpha_range)
    data = {"id": "attractor-all-n", "title": "attractor", "property": "attractor-stable",
            "statement": "the spread-cluster fixed point for n in %s" % r, "expect": "proved",
            "model": model, "domain": domain}
    return properties.check(spec.claim_from_dict(data, "attractor command"))


def _decimal(x):
    """The exact decimal text of a Fraction with denominator 2^a 5^b (the fold bracket's ends,
    as the kernel reads them), else None."""
    k = next((k for k in range(64) if 10 ** k % x.denominator == 0), None)
    if k is None or x < 0:
        return None
    digits = str(x.numerator * (10 ** k // x.denominator)).rjust(k + 1, "0")
    return digits if k == 0 else "%s.%s" % (digits[:-k], digits[-k:])


def checked_fold(v, lo, hi, act):
    """The fold bracket's search verdict ``v`` (bnverify.derive.sweeps.locate_fold) passed through
    the trusted kernel as a fold-bracket claim, so that the 'fold ... proved' line is the
    kernel's verdict on its classifications, not the search's own."""
    from ..claims.properties.states import classification_item

    ends = _decimal(lo), _decimal(hi)
    human = {k: x for k, x in v.evidence.items() if k != "reason"}
    if None in ends:
        from ..core.verdict import inconclusive
        return inconclusive(v.method, "the kernel reads a bracket's ends as decimals: %s, %s is not" % (lo, hi))
    data = {"id": "attractor-fold", "title": "fold", "property": "fold-bracket", "expect": "proved",
            "statement": "the fold in (%s, %s)" % ends, "model": spec.model_of(act),
            "domain": {"n": "%d..%d" % (lo.numerator // lo.denominator, -(-hi.numerator // hi.denominator))},
            "params": {"lo": ends[0], "hi": ends[1]}}
    c = v.certificate or {}
    items = [classification_item(c[k]) for k in ("at_n_lo", "at_n_hi") if k in c]
    return properties.decide(spec.claim_from_dict(data, "attractor command"), items, human)


def boxes_json(v):
    """The all-n branch's boxes of a verdict's certificate: t- and n-ranges, v = n arccos(rho)."""
    from ..derive import alln

    items = [i for i in (v.certificate or {}).get("evidence", []) if i.get("type") == "all-n-branch"]
    out = []
    for item in items:
        for b in item["boxes"]:
            lo, hi = Fraction(b["t"][0]), Fraction(b["t"][1])
            mid, rad = alln._value(b["v"]["mid"]), alln._value(b["v"]["rad"])
            n_lo = -((-hi.denominator) // hi.numerator)             # ceil(1/hi)
            n_hi = None if lo == 0 else lo.denominator // lo.numerator
            out.append({"t": [str(lo), str(hi)], "n": [n_lo, n_hi],
                        "v": [float(mid - rad), float(mid + rad)],
                        "statement": "for every real t in the interval exactly one root v of G(v, t) "
                                     "in the v-interval"})
    return out


def run(args):
    doc = compute(args)
    show(args, doc, text)
    return exit_code(doc)


def compute(args):
    """The --json document (``bnv.attractor`` wraps it): per n for a finite range of at most
    limits.MAX_PER_N n, else the all-n proof (one shape for both; a non-homogeneous phi: the
    kernel's two-point and simplex verdicts and the float search, per n)."""
    stages, act = options.stages(args.stages, args.alpha if ".." not in (args.alpha or "") else None, after_ok=True)
    if not act.homogeneous:
        return compute_smooth(args, stages, act)
    if options.weight_var(args.weight_var) != 1:
        raise BadInput("--weight-var %s: for %s (positively homogeneous) sigma_w^2 only scales every layer; the "
                       "attractor is the same at every sigma_w^2" % (args.weight_var, act.name))
    if after(stages):               # BN after the activation: RC then phi's document, by conjugation
        doc = after_activation.compute(args, stages, act, compute, "attractor")
    else:
        doc = compute_all_n(args) if per_n.asks_all_n(args) else compute_per_n(args)
    doc.setdefault("weight_var", None)          # one shape with the non-homogeneous document
    doc.setdefault("spread_search", None)
    return doc


MAX_SMOOTH_N = 64           # the DESCRIPTION says 64


def compute_smooth(args, stages, act):
    """A non-homogeneous phi at --weight-var, per n of a finite range: every row refuted where the kernel's collapse
    lemmas decide the range; else per n the kernel's spread-none covers (erf, sin, tanh, sigmoid) or its verdicts on the
    two-point and simplex states and the float search's spread-cluster finding, inconclusive
    (commands/spread_search.py)."""
    if stages != ("rc",):
        raise BadInput("--stages %s: for %s (not homogeneous) the spread-cluster search covers RC then the "
                       "activation, in that order (BN after the activation is a conjugate only for a homogeneous "
                       "phi)" % (args.stages, act.name))
    if args.fold is not None:
        raise BadInput("--fold brackets ReLU's fold in real n; %s has no certified spread-cluster state" % act.name)
    if args.cert is not None:           # as for a finite range of a homogeneous phi (per_n): a claim's certificate
        raise BadInput("--cert: the attractor command writes no certificate for %s; where the kernel decides, a claim "
                       "does: bnverify check --stages rc,%s --weight-var %s --n %s --property attractor-threshold "
                       "--value none --cert FILE (proved where a collapse or the parity lemma decides)"
                       % (act.name, act.name, args.weight_var, args.n))
    r = ranges.parse_int_range(args.n, "n", minimum=3)
    w = options.weight_var(args.weight_var)
    from ..derive import spread

    from ..claims.properties import spread_cover

    # erf, sin, tanh, sigmoid beyond the collapse lemma: per n (a range's covers together exceed one certificate's budget)
    per_n_covers = spread_cover.searched(act, w)
    none = None if per_n_covers else spread_verdicts.none_claim(act, w, r)
    lemma = none is not None and none.status == "proved"
    if not lemma and (not r.finite or r.hi > MAX_SMOOTH_N):
        raise BadInput(spread_verdicts.no_lemma(args.n, act, w, "the spread-cluster state", MAX_SMOOTH_N, r.lo))
    if lemma:         # the trusted kernel's collapse lemmas: no float search needed
        row = lambda k: {"n": k, "status": "refuted", "checked": True, "reason": none.evidence.get("reason"),  # noqa
                         "search": None, "seconds": 0.0, "two_point": None, "simplex": None, "lemma": True}
        if not r.finite or len(r) > limits.MAX_PER_N:       # one row, the kernel's one verdict, for every n
            results = [dict(row(r.lo), n_last=r.hi, seconds=round(none.seconds, 3))]
        else:
            results = [row(k) for k in r]
        note = "none in %s (proved by the trusted kernel: %s)" % (r, none.evidence.get("statement"))
    else:
        covered, no_cover = {}, {}      # per n, a spread-none cover re-checked by the kernel, or why there is none
        if act.kind.spread_cover:
            for k in r:
                v = spread_verdicts.stable_claim(act, w, k)
                no_cover[k] = v.evidence.get("search") if v.status != "refuted" else None
                if v.status == "refuted":
                    covered[k] = {"n": k, "status": "refuted", "checked": True, "reason": v.evidence.get("reason"),
                                  "search": None, "seconds": round(v.seconds, 2), "two_point": None, "simplex": None,
                                  "lemma": False, "unstable_cells": spread_verdicts.unstable_cells(v)}
                    if k == 3 and covered[k]["unstable_cells"]:     # the unstable {v, -v, 0}: it exists, radius
                        covered[k]["point"] = spread_verdicts.point(act, w)
        rest = spread_search.rows(act, w, [k for k in r if k not in covered])
        for x in rest:                  # the cover search's own reason (over the budget, a cell not shown)
            if no_cover.get(x["n"]):
                x["cover"] = no_cover[x["n"]]
        if act.name in spread_cover.spreadfam.ODD:
            for x in rest:          # tanh, sigmoid: n = 3's {v, -v, 0} from the kernel's one-dimensional integrals
                if x["n"] == 3:
                    x["point"] = spread_verdicts.point(act, w)
                    if x["point"]:      # the row's reason: the point is checked, a stable state is not
                        x["reason"] = spread_search.REASON_POINT % (spread_verdicts.point_text(x["point"]), act) + \
                            x["reason"].split(": bnverify attractor)", 1)[-1]
        for x in rest:  # gelu, erf, sin, silu, softplus, elu: the search's spread-cluster points the kernel confirms
            x["boxes"] = spread_verdicts.boxes(act, w, x["n"], x["search"]["points"])
            stable = [b for b in x["boxes"] if b["stable"]]
            if stable:                  # every block of DF below 1: attractor-stable proved at this n
                x.update(status="proved", checked=True, reason=spread_search.REASON_STABLE % (
                    spread_verdicts.box_text(stable[0], x["n"]), act))
            elif x["boxes"] and not x.get("point"):
                x["reason"] = spread_search.REASON_BOX % (spread_verdicts.box_text(x["boxes"][0], x["n"]), act) + \
                    x["reason"].split(": bnverify attractor)", 1)[-1]
        weak = [k for k in sorted(covered) if covered[k]["unstable_cells"]]
        results = sorted(list(covered.values()) + rest, key=lambda x: x["n"])
        # what the kernel checked beside the search: the covers' n, the first searched n's point and box, and the
        # first stable box further on
        checked = (["no stable spread-cluster fixed point at n = %s" % ", ".join(map(str, sorted(covered)))]
                   * bool(covered)
                   + [spread_verdicts.point_text(x["point"]) for x in rest[:1] if x.get("point")]
                   + [spread_verdicts.box_text(x["boxes"][0], x["n"]) for x in rest[:1] if x["boxes"]]
                   + [spread_verdicts.box_text(b, x["n"]) for x in rest[1:] for b in x["boxes"] if b["stable"]][:1])
        note = spread.smallest([dict(x["search"], n=x["n"]) for x in rest], r.lo, r.hi)["note"] + "".join(
            "; kernel-checked: " + t for t in checked) if rest else (
            "none in %s (per n, kernel-checked spread-none covers: no %sfixed point of the symmetric family off the "
            "simplex and two-point lines at any n of the range%s)" % (r, "stable " if weak else "", (
                "; at n = %s cells where any fixed point has an eigenvalue > 1%s" % (", ".join(map(str, weak)), (
                    ", at every other n none at all" if len(weak) < len(r) else ""))) if weak else ""))
    return {"activation": str(act), "weight_var": str(w), "results": results, "smallest_n": None,
            "smallest_n_note": note, "below_range": [],
            "eigenvalue_convention": "the map's own (not up to scale): float eigenvalues of DF(G*), "
                                     "through DT(S*) on symmetric matrices, S* = sigma_w^2 C G* C",
            "summary": None, "asymptotics": None, "boxes": [], "conjugation": None,
            "spread_search": {"label": spread.LABEL, "q_range": list(spread.Q_RANGE),
                              "q_range_on_lines": list(spread.LINE_Q_RANGE), "grid": list(spread.GRID),
                              "nodes": spread.NODES, "check_nodes": spread.CHECK_NODES,
                              "status": spread_search.STATUS}}


def text_smooth(doc):
    """A non-homogeneous phi's rows: the kernel's verdicts, the search's points, the reason."""
    decided = all(r["checked"] for r in doc["results"])
    lemma = decided and doc["results"][0].get("lemma")
    boxed = any(b["stable"] for r in doc["results"] for b in r.get("boxes") or [])     # a row proved by a box
    lines = ["spread-cluster states, RC + %s, sigma_w^2 = %s: %s" % (
        doc["activation"], doc["weight_var"], "the trusted kernel's lemmas (collapse, parity)" if lemma else
        "the trusted kernel's spread-box points (every block of DF) and a %s" % doc["spread_search"]["label"]
        if boxed else "the trusted kernel's spread-none covers (symmetric family)" if decided else
        "kernel verdicts (two-point, simplex) and a %s" % doc["spread_search"]["label"])]
    for r in doc["results"]:
        if r["search"] is None:         # decided by the kernel, no search
            lines.append("n = %s: %s (trusted kernel: %s%s)" % (
                simplex.n_label(r), r["status"],
                "no stable spread-cluster fixed point (any there is has an eigenvalue > 1)"
                if r.get("unstable_cells") else "no spread-cluster fixed point",
                "" if r.get("lemma") else ", a spread-none cover, %.1f s" % r["seconds"]))
            if r.get("point"):
                lines.append("  the unstable {v, -v, 0} (kernel-checked spread-point): q in [%.10g, %.10g], spectral "
                             "radius of DF in [%.9f, %.9f]" % (*r["point"]["q"], *r["point"]["spectral_radius"]))
            continue
        lines.append("n = %d: %s (search %.1f s)" % (r["n"], r["status"], r["seconds"]))
        lines.append("  kernel: %s" % spread_search.kernel_text(r))
        if r.get("cover"):
            lines.append("  cover: %s" % r["cover"])
        if r.get("point"):
            lines.append("  kernel: the point {v, -v, 0} exists (spread-point, one-dimensional integrals): q in [%.10g, "
                         "%.10g], spectral radius of DF in [%.9f, %.9f]" % (*r["point"]["q"], *r["point"]["spectral_radius"]))
        for b in r.get("boxes") or []:
            lines.append("  kernel: a %sspread-cluster point exists (spread-box, Krawczyk): q in [%.10g, %.10g], p in "
                         "[%.10g, %.10g], spectral radius of DF in [%.9f, %.9f] (every block; the search's full "
                         "radius %s)" % ("stable " if b["stable"] else "", *b["q"], *b["p"], b["spectral_radius_lo"],
                                         b["spectral_radius_hi"], "%.5g" % b["search_full_radius"]
                                         if b["search_full_radius"] is not None else "-"))
        lines += spread_search.point_lines(r["search"]["points"], "  search: ")
    if lemma:
        lines.append("reason: %s" % doc["results"][0]["reason"])
    lines.append("smallest_n: %s%s" % ("" if decided and not boxed else "not certified; ", doc["smallest_n_note"]))
    return lines


def exit_code(doc):
    """OK when every n (and the fold) is decided, or the all-n proof holds; else the table or
    the summary says why."""
    if doc["spread_search"] is not None:        # a float search: never decided; the kernel's lemma: every row
        return exits.OK if all(r["checked"] for r in doc["results"]) else exits.UNDECIDED
    if doc["conjugation"] is not None and doc["conjugation"]["status"] != "proved":
        return exits.UNDECIDED
    if doc["summary"] is not None:
        status = doc["summary"]["status"]
        return exits.OK if status == "proved" else exits.REFUTED if status == "refuted" else exits.UNDECIDED
    statuses = [r["status"] for r in doc["results"] + doc["below_range"]] + \
        ([doc["fold"]["status"]] if "fold" in doc else [])
    return exits.OK if all(s in ("proved", "refuted") for s in statuses) else exits.UNDECIDED


def text(doc):
    """The document for a reader: the per-n table, or the all-n summary."""
    if doc["spread_search"] is not None:
        return text_smooth(doc)
    if doc["summary"] is not None:
        return after_activation.text(doc) + text_all_n(doc)
    results = doc["results"]
    classified = results[0]["n"] <= limits.certified_max_n()
    lines = after_activation.text(doc) + ["spread-cluster attractor, %s (rigorous enclosures; spectral radius of "
                                          "the scale-free linearization)" % doc["activation"]] + table(results, FIELDS)
    if doc["below_range"]:
        lines.append("below the range: " + ", ".join("n=%d %s" % (b["n"], b["status"]) for b in doc["below_range"]))
    lines.append("smallest_n: %s" % (doc["smallest_n"] if doc["smallest_n"] is not None else
                                     "not certified" if classified else doc["smallest_n_note"]))
    if "fold" in doc:
        lines.append("fold in (%s, %s): %s" % (doc["fold"]["n_lo"], doc["fold"]["n_hi"], doc["fold"]["status"]))
    return lines


def compute_per_n(args):
    ns, act, jobs = per_n.parse_common(args)
    fold = None
    if args.fold is not None:
        fr = ranges.parse_rat_range(args.fold, "fold", lower=Fraction(3), upper=Fraction(10 ** 6),
                                    upper_open=False)
        if fr.lo >= fr.hi:
            raise BadInput("--fold %s: give LO..HI with LO < HI" % args.fold)
    # the smallest n needs absence below the range, classified per n up to 64 only
    classified = ns[0] <= limits.certified_max_n()
    below = list(range(3, ns[0])) if classified else []
    todo = below + ns
    ex = options.executor(args, min(jobs, len(todo)))
    try:
        vs = sweeps.attractor_sweep(todo, act, executor=ex, prec=args.prec,
                                     progress=per_n.progress if len(todo) > 1 and options.talks(args) else None)
        if args.fold is not None:
            fold = checked_fold(sweeps.locate_fold(fr.lo, fr.hi, act, args.prec), fr.lo, fr.hi, act)
    finally:
        ex.shutdown()
    vs = [sweep.checked_state(v, "attractor", act) for v in vs]   # every verdict shown is the kernel's
    n0, below_ok = sweeps.threshold(vs) if classified else (None, False)
    results = [per_n.entry(v, FIELDS) for v in vs[len(below):]]
    doc = {"activation": str(act), "results": results, "smallest_n": n0 if below_ok else None,
           "smallest_n_note": ("proved for every n from %s to %d, absent (within the symmetric family) "
                               "for every n from 3 below it" % (n0, ns[-1])) if n0 and below_ok else
           "not certified: some n undecided" if classified else
           ("not computed: the range starts above n = %d, the last n at which absence is classified "
            "per n (bnverify attractor --n 3.. gives the smallest n)" % limits.certified_max_n()),
           "below_range": [{"n": int(v.evidence["n"]), "status": v.status} for v in vs[:len(below)]],
           "eigenvalue_convention": "scale-free: eigenvalues of DF(G*)/c without G*'s own direction",
           "summary": None, "asymptotics": None, "boxes": [],       # the all-n run's keys: one shape for every range
           "conjugation": None}
    if fold is not None:
        doc["fold"] = {"status": fold.status, "n_lo": str(fr.lo), "n_hi": str(fr.hi),
                       "statement": fold.evidence.get("statement") if fold.status == "proved"
                       else fold.evidence.get("reason")}
    return doc


def _rows_from(v):
    """Per-n rows from a combined verdict (the per-n jobs below the branch): enclosures where
    the state is proved, the bare verdict where it is absent or undecided."""
    enc = v.evidence.get("enclosures") or {}
    per = {k: s for k, s in (v.evidence.get("per_n") or {}).items() if k.isdigit()}
    return [dict({"n": int(k), "status": per.get(k, v.status)}, **enc.get(k, {}),
                 checked=bool(v.evidence.get("checked")))
            for k in sorted(set(enc) | set(per), key=int)]


def smallest_n(rows):
    """(n0, absent below) from per-n rows of consecutive n: the smallest n0 from which every row is
    proved, and whether every row below it is refuted (no spread-cluster state there)."""
    n0 = None
    for row in sorted(rows, key=lambda e: -e["n"]):
        if row["status"] != "proved":
            break
        n0 = row["n"]
    return n0, all(e["status"] == "refuted" for e in rows if n0 is None or e["n"] < n0)


def compute_all_n(args):
    """An open range or one beyond the per-n limit: existence, local uniqueness and spectral
    radius < 1 for every n of the range in one kernel-checked proof (ReLU; leaky ReLU at one
    slope or for every slope of a range --alpha A..B)."""
    import time

    t0 = time.monotonic()
    ns, act, jobs = per_n.parse_common(args, all_n=True, alpha_range=True)
    r, slopes = args.range, args.alpha_range
    if args.fold is not None:
        raise BadInput("--fold is for a finite range of at most %d n" % limits.MAX_PER_N)
    if options.talks(args):
        sys.stderr.write("all-n branch: every n in %s ...\n" % r)
    v = all_n_claim(r, act, slopes)
    results = _rows_from(v)
    count = "all" if r.hi is None else r.hi - r.lo + 1
    ok = v.status == "proved"
    below = "per-n Krawczyk + Gershgorin boxes below" if slopes is None else \
        "one box per n at t = 1/n below, every slope of alpha in %s" % slopes
    doc = {"activation": str(act) if slopes is None else "%s(%s)" % (act.name, slopes),
           "summary": {"range": [r.lo, r.hi], "alpha": None if slopes is None else str(slopes),
                       "proved": count if ok else 0,
                       "proved_statement": v.evidence.get("statement"),
                       "existence": None,
                       "status": v.status, "checked": bool(v.evidence.get("checked")),
                       "reason": v.evidence.get("reason"),
                       "failed": [] if ok else [[r.lo, r.hi]],
                       "not_proved": [], "not_proved_reason": None,
                       "seconds": round(time.monotonic() - t0, 2),
                       "method": "Krawczyk boxes in (t = 1/n, v = n arccos rho) covering t in [0, 1/%d] "
                                 "with the blocks' analytic margins (Schur-Cohn), %s; leaky ReLU's "
                                 "spectrum from ReLU's (w + (1 - w) nu); trusted kernel"
                                 % (properties.ALL_N_FROM, below)},
           "asymptotics": v.evidence.get("asymptotics"),
           "boxes": boxes_json(v),
           "results": results,
           "eigenvalue_convention": "scale-free: eigenvalues of DF(G*)/c without G*'s own direction",
           "conjugation": None}
    n0, absent = smallest_n(results)
    if v.status == "refuted" and n0 is not None and absent and n0 > r.lo:
        doc["summary"]["smallest_n"] = n0
        doc["summary"]["smallest_n_note"] = (
            "no spread-cluster fixed point in the symmetric family for n = %d..%d (classified per n, "
            "trusted kernel); from n = %d on it exists and is stable" % (r.lo, n0 - 1, n0))
    doc.update(smallest_n=doc["summary"].get("smallest_n"), smallest_n_note=doc["summary"].get("smallest_n_note"),
               below_range=[])          # the per-n run's keys: one shape for every range
    per_n.write_cert(args, v)
    return doc


def text_all_n(doc):
    sm = doc["summary"]
    lo, hi = sm["range"]
    lines = ["spread-cluster attractor, %s, n in %d..%s: %s%s" % (
        doc["activation"], lo, "" if hi is None else hi, sm["status"],
        " (checked by the trusted kernel)" if sm["checked"] else ": %s" % sm["reason"])]
    if sm["status"] == "proved":
        lines.append("  " + sm["proved_statement"])
    elif sm["checked"] and sm.get("reason"):
        lines.append("  reason: %s" % sm["reason"])
    if sm.get("smallest_n"):
        lines.append("  smallest n: %d (%s)" % (sm["smallest_n"], sm["smallest_n_note"]))
    if doc["asymptotics"]:
        a = doc["asymptotics"]
        for k in ("cluster_cos_deficit", "odd_cos", "norm_ratio_gap", "stability_margin"):
            q = a[k]
            if q.get("coefficient"):
                lines.append("  %-20s = %s, coefficient in [%s, %s]  (t = 1/n)" % (
                    k, pretty.leading_term(q["closed_form"], q["power"]), per_n.short(q["coefficient"][0], False),
                    per_n.short(q["coefficient"][1], True)))
    if doc["results"]:
        lines.append("per n below the all-n branch:")
        lines += table(doc["results"], FIELDS)
    lines.append("%d boxes for n >= %d%s; %.1fs" % (len(doc["boxes"]), properties.ALL_N_FROM,
                                                   "" if sm["alpha"] is None else " and at t = 1/n below",
                                                   sm["seconds"]))
    return lines
