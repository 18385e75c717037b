"""``bnverify simplex``: certify the simplex state per n (value and linear stability), or
for every n of an open or long range at once."""
from __future__ import annotations

import sys
import time
from fractions import Fraction

from ..claims import properties, spec, sweep
from ..claims.properties import spread_cover
from ..report import pretty
from ..derive import sweeps
from ..derive import bsb1_spectrum
from ..errors import BadInput
from ..core import ranges
from ..core.stages import after
from . import after as after_activation
from . import exits, options, per_n, simplex_rs, spread_verdicts
from .output import show

NAME = "simplex"
HELP = "certify the simplex state: per n, or for every n >= 3 at once (--n 3..)"
DESCRIPTION = """\
The simplex state: all n points of equal norm with one common pairwise cosine
kappa(-1/(n-1)) / kappa(1) (for an S_n-symmetric G, C G C is proportional to C, so this is
an exact fixed point of the scale-free dynamics).  For each n it is certified in ball
arithmetic: Krawczyk on the symmetric reduction (the box must contain the explicit value)
and the spectral radius of the scale-free linearization in the full space (eigenvalues of
DF(G*)/c without G*'s own direction), per symmetry block.  Bounds are rounded outward.

Any n up to 10^6: a finite range of at most 1,000 n gets the table, each n certified on its
own (the search and the kernel's check cost the same at every n).

Every n at once: an open range (--n 3..) or one longer than 1,000 n is one kernel-checked proof.
Under the full S_n symmetry the eigenvalues have closed forms in t = 1/n (standard block
1 - t m_S, pair block kappa'/c), analytic at t = 0; ball arithmetic on t-boxes covering
[0, 1/A] shows spectral radius < 1 for every n >= A.  The radius tends to 1 (1 - radius ~
m_S(0)/n, m_S(0) = (pi - 2)/(2 (pi - 1)) for ReLU), so no bound below 1 holds for all n.
JSON, the same keys for every range (docs/schemas/simplex.json): "summary", "asymptotics",
"boxes" (each: t- and n-range, radius bound), "results" (per n).

Full batch normalization, --stages rc,rs,PHI (PHI relu, leaky_relu or identity): per n of a
finite range, the same state (Yang et al.'s BSB1; RC + RS maps the symmetric family to it in
one layer) and the scale-free spectrum of the RS Gram map V there (eigenvalues of DV(Sigma*) on
Sym_n modulo Sigma*; V is homogeneous of degree 0, so no rescaling is needed).  By the S_n
blocks: trivial 0, standard lam_S (n - 1 times, beside 0 for the translations), (n-2,2) lam_P
(n(n-3)/2 times), in closed form (the Laplace integral's s-integrals are Beta integrals at
BSB1), enclosed in ball arithmetic and, for n <= --check-to, checked against the certified
Laplace integral and its derivative.  Rigorous enclosures of the untrusted derivation layer,
status "enclosed", not kernel-checked (docs/full-bn.md).

Any other activation (gelu, silu, tanh, erf, elu, softplus, sigmoid, sin) with --weight-var S2:
per n of a finite range, the simplex state s I + b J of the map itself (not up to scale) by the
trusted kernel: a bracket of S(s) = E[phi(x)^2] - E[phi(x) phi(y)] = s (Mehler's series in balls),
the common cosine, E[phi^2] and the spectral radius of DF over it, and whether it is stable
(docs/two-point.md).  An open range (--n 3..) or one above n = 1000 where a lemma of the kernel
decides every n (collapse: S2 L^2 < 1, or = 1 for a strict row; gelu, silu, softplus at S2 <= 2; parity, the
scale grows: gelu, silu, softplus at S2 >= 4): one row for
the whole range, the kernel's verdict (JSON "n_last": the range's last n, null if open; --cert FILE
writes its certificate).

examples:  bnverify simplex --n 3..40 --json
           bnverify simplex --stages rc,tanh --weight-var 2 --n 3..8
           bnverify simplex --stages rc,gelu --weight-var 2 --n 3..     (one row: refuted, a lemma)
           bnverify simplex --stages rc,rs,relu --n 3..16
           bnverify simplex --n 1000000
           bnverify simplex --n 3.. --json
           bnverify simplex --n 3.. --stages rc,leaky_relu --alpha 1/10
           bnverify simplex --n 3..8 --stages relu,rc       (BN after the activation)
"""

# the attractor's fields too (cluster_cos = odd_cos = simplex_cos, norm_ratio = 1 here),
# so that the two sweeps can be read and compared the same way
FIELDS = ("simplex_cos", "cluster_cos", "odd_cos", "norm_ratio", "spectral_radius")


def add_arguments(p):
    per_n.add_arguments(p, fold=False, stages_help="rc and one activation: relu (default) or leaky_relu; or rc,rs,PHI "
                        "(PHI relu, leaky_relu or identity): full batch normalization, enclosures; or PHI,rc: BN "
                        "after the activation, read at C G* C by conjugation")
    options.add_weight_var(p, help="S2, the weight variance sigma_w^2 (an exact rational > 0, default 1): for a "
                                   "non-homogeneous activation (gelu, silu, tanh, erf, elu, softplus, sigmoid, sin) "
                                   "the simplex state of the map itself at that sigma_w^2, per n")
    p.add_argument("--check-to", type=int, default=None, metavar="N",
                   help="with --stages rc,rs,PHI: check the closed forms against the certified Laplace integral "
                        "and its derivative for n <= N (0: none; at most %d; default %d)"
                   % (bsb1_spectrum.MAX_CHECK_N, simplex_rs.DEFAULT_CHECK_TO))


def run(args):
    doc = compute(args)
    show(args, doc, text)
    return exit_code(doc)


def compute(args):
    """The --json document (``bnv.simplex`` wraps it): per n for a finite range of at most
    limits.MAX_PER_N n, else the all-n proof (one shape for both); with --stages rc,rs,PHI the
    BSB1 state's enclosures (commands/simplex_rs.py)."""
    if ".." in (args.alpha or ""):
        raise BadInput("--alpha %s: the simplex state is certified at one slope (a range of slopes: bnverify "
                       "attractor with an open --n)" % args.alpha)
    stages, act = options.stages(args.stages, args.alpha, after_ok=True)
    if not act.homogeneous:
        return compute_smooth(args, stages, act)
    return dict(_compute_homogeneous(args, stages, act), weight_var="1")    # one shape: sigma_w^2 only scales


def _compute_homogeneous(args, stages, act):
    if options.weight_var(args.weight_var) != 1:
        raise BadInput("--weight-var %s: for %s (positively homogeneous) sigma_w^2 only scales every layer; the "
                       "simplex state is the same at every sigma_w^2" % (args.weight_var, act.name))
    if after(stages):               # BN after the activation: RC then phi's document, by conjugation
        return after_activation.compute(args, stages, act, compute, "simplex")
    if "rs" in stages:
        return simplex_rs.compute(args, stages, act)
    if args.check_to is not None:
        raise BadInput("--check-to applies to --stages rc,rs,PHI (the Laplace-integral check); rc alone is "
                       "checked by the trusted kernel")
    return compute_all_n(args) if per_n.asks_all_n(args) else compute_per_n(args)


SMOOTH_CONVENTION = ("eigenvalues of DF(G*) itself (phi is not homogeneous: no scale to drop), with the translations' "
                     "zeros; the state s I + b J of the map itself")
MAX_SMOOTH_N = 1000         # the kernel's two-point and simplex items take n <= 1000


def smooth_cells(act, weight_var, ns, progress=None, verdicts=None):
    """Per n, the kernel's verdicts on the simplex state s I + b J of RC + a non-homogeneous phi (the map
    itself, not up to scale): a fixed point with spectral radius of DF < 1 (stable), else whether one
    exists (or the scale collapses); the geometry the kernel encloses over the same bracket (fact
    "shown": cosine, E[phi^2], s, radius), as ball texts.  ``verdicts``: a list to which each n's last verdict
    (the row's) is appended."""
    from .. import trusted

    out = []
    for k, n in enumerate(ns):
        claim = lambda prop, params: spec.claim_from_dict({     # noqa: E731
            "id": "simplex", "title": "simplex", "statement": "simplex", "property": prop, "expect": "proved",
            "model": dict(spec.model_of(act), weight_var=str(weight_var)),
            "domain": {"n": str(n)}, "params": params}, "simplex")
        t0 = time.monotonic()
        v = properties.check(claim("spectral-radius", {"state": "simplex", "relation": "<", "bound": "1"}))
        stable = v.status
        if stable != "proved":
            v = properties.check(claim("fixed-point", {"state": "simplex"}))
        items = v.certificate["evidence"] if v.certificate and v.status == "proved" else []
        item = next((it for it in items if it.get("type") == "simplex-bracket"), None)
        shown = trusted.items.check_item(item)["shown"] if item is not None else None
        out.append({"n": n, "fixed_point": v.status if stable != "proved" else "proved", "stable": stable,
                    "shown": shown, "reason": v.evidence.get("reason"), "seconds": time.monotonic() - t0,
                    "checked": bool(v.evidence.get("checked"))})
        if verdicts is not None:
            verdicts.append(v)
        if progress:
            progress(k + 1, len(ns), v)
    return out


def _ends(text):
    """'[-0.48297709 +/- 5.19e-9]' -> [lo, hi] decimal strings, rounded outward (Arb reads the ball, its
    exact ends go through the kernel calculator's outward rounding)."""
    from flint import arb

    from .kernel import outward
    return outward(arb(text), 20)


def compute_smooth(args, stages, act):
    """The simplex state of RC + a non-homogeneous phi at --weight-var, per n of a finite range: every
    row the kernel's (docs/two-point.md, "The simplex state")."""
    if stages != ("rc",):
        raise BadInput("--stages %s: the simplex state of %s (not homogeneous) is certified for RC then the "
                       "activation, in that order, and nothing else" % (args.stages, act.name))
    if args.check_to is not None:
        raise BadInput("--check-to applies to --stages rc,rs,PHI")
    r = ranges.parse_int_range(args.n, "n", minimum=3)
    w = options.weight_var(args.weight_var)
    if not r.finite or r.hi > MAX_SMOOTH_N:
        if not spread_cover.lemma_decides(act, w):
            raise BadInput(spread_verdicts.no_lemma(args.n, act, w, "the simplex state", MAX_SMOOTH_N, r.lo))
        options.cert_path(args.cert)
        vs = []
        cells = smooth_cells(act, w, [r], verdicts=vs)  # one kernel verdict on the whole range (the lemma: no evidence)
        per_n.write_cert(args, vs[0])
    else:
        if args.cert is not None:       # it would be ignored
            raise BadInput("--cert is written for an open or long range where a collapse or parity lemma decides every n; per n, "
                           "a claim does: bnverify check --stages rc,%s --weight-var %s --n %s --property fixed-point "
                           "--state simplex --cert FILE" % (act.name, args.weight_var, args.n))
        cells = None
    talk = lambda k, total, v: sys.stderr.write("[%d/%d] simplex n=%d: %s (%.1fs)\n" % (    # noqa: E731
        k, total, r.lo + k - 1, v.status, v.seconds))
    if cells is None:
        cells = smooth_cells(act, w, list(r), talk if len(r) > 1 and options.talks(args) else None)
    results = []
    for c in cells:
        whole = isinstance(c["n"], ranges.IntRange)         # one row for every n of the range
        row = {"n": c["n"].lo if whole else c["n"], "status": c["fixed_point"], "seconds": round(c["seconds"], 3),
               "checked": c["checked"],
               "exact": {}, "stable": c["stable"]}
        if c["shown"]:
            cos, norm2, s, radius = (_ends(x) for x in c["shown"])
            row.update(simplex_cos=cos, cluster_cos=cos, odd_cos=cos, norm_ratio=["1", "1"], spectral_radius=radius,
                       s=s, squared_norm=norm2)
        if c["fixed_point"] != "proved":
            row["reason"] = c["reason"] or ""
        if whole:
            row["n_last"] = c["n"].hi
        results.append(row)
    return {"activation": str(act), "stages": "rc,%s" % act.name, "weight_var": str(w), "results": results,
            "eigenvalue_convention": SMOOTH_CONVENTION,
            "exact_note": "no closed forms: Mehler's series in balls (bnverify/trusted/mehler.py)",
            "summary": None, "asymptotics": None, "boxes": [], "conjugation": None}


def exit_code(doc):
    """OK when every n is decided (the table says which n if not), or the all-n proof holds."""
    if "rs" in doc["stages"].split(","):
        return simplex_rs.exit_code(doc)
    if doc["conjugation"] is not None and doc["conjugation"]["status"] != "proved":
        return exits.UNDECIDED
    if doc["summary"] is not None:
        return exits.OK if doc["summary"]["status"] == "proved" else exits.UNDECIDED
    decided = all(r["status"] in ("proved", "refuted") for r in doc["results"])
    return exits.OK if decided else exits.UNDECIDED


def text(doc):
    """The document for a reader: the per-n table, or the all-n summary."""
    if "rs" in doc["stages"].split(","):
        return simplex_rs.text(doc)
    if doc["eigenvalue_convention"] == SMOOTH_CONVENTION:
        return text_smooth(doc)
    if doc["summary"] is not None:
        return after_activation.text(doc) + text_all_n(doc)
    return after_activation.text(doc) + ["simplex state, %s: rigorous enclosures, rounded outward; exact closed forms "
                                         "below" % doc["activation"]] + table(doc["results"])


def text_smooth(doc):
    rows = doc["results"]
    out = ["simplex state s I + b J of RC + %s, sigma_w^2 = %s (the map itself, not up to scale): the kernel's "
           "enclosures over each bracket of S(s) = s, rounded outward" % (doc["activation"], doc["weight_var"])]
    out += per_n.fitted_table(lambda d: [["n", "fixed point", "stable", "s", "cosine", "E[phi^2]", "spectral radius"]] + [
        [n_label(r), r["status"], r["stable"]] + [per_n.interval(r, f, d) for f in
                                                  ("s", "simplex_cos", "squared_norm", "spectral_radius")]
        for r in rows])
    out += ["n=%s: %s" % (n_label(r), r["reason"]) for r in rows if "reason" in r]
    out += ["n=%s: one verdict of the trusted kernel for every n of the range (%s, no per-n evidence)"
            % (n_label(r), "the parity lemma: the scale grows" if "grows without bound" in r.get("reason", "") else
               "a collapse lemma") for r in rows if "n_last" in r]
    return out


def n_label(row):
    """A row's n: 5, or the range 3.. / 3..2000000 of a row for every n of it (key n_last)."""
    if "n_last" not in row:
        return str(row["n"])
    return "%d..%s" % (row["n"], "" if row["n_last"] is None else row["n_last"])


def compute_per_n(args):
    ns, act, jobs = per_n.parse_common(args)
    ex = options.executor(args, min(jobs, len(ns)))
    try:
        vs = sweeps.simplex_sweep(ns, act, executor=ex, prec=args.prec,
                                   progress=per_n.progress if len(ns) > 1 and options.talks(args) else None)
    finally:
        ex.shutdown()
    vs = [sweep.checked_state(v, "simplex", act) for v in vs]     # every verdict shown is the kernel's
    results = [per_n.entry(v, FIELDS) for v in vs]
    for row in results:
        row["exact"] = exact_values(row, act)
    return {"activation": str(act), "stages": "rc,%s" % act.name, "results": results,
            "eigenvalue_convention": "scale-free: eigenvalues of DF(G*)/c without G*'s own direction",
            "exact_note": EXACT_NOTE, "summary": None, "asymptotics": None, "boxes": [],  # one shape, any range
            "conjugation": None}


EXACT_NOTE = ("exact: closed forms by sympy, untrusted, each shown only where it lies in the certified "
              "enclosure: simplex_cos = kappa(-1/(n-1))/kappa(1) from the kernel in exact arithmetic; "
              "spectral_radius the larger in modulus of the S_n eigenvalues lam_S (n - 1 times) and "
              "lam_P (n(n-3)/2 times) of bnverify.derive.simplex_alln.forms; norm_ratio = 1, every diagonal "
              "entry of G* = (1 - s) I + s J being 1")


def exact_values(row, act):
    """{field: closed form as text} for the fields of a row whose exact value is known and lies
    inside the row's enclosure (see EXACT_NOTE); a field outside its enclosure is left out."""
    import sympy as sp

    from ..core import arith
    from ..derive import simplex_alln

    if row["status"] != "proved":
        return {}
    ctx, n = arith.ExactContext(), row["n"]
    A = act.kappa_one(ctx)
    forms = simplex_alln.forms(sp.Rational(1, n), act, ctx)
    eig = [sp.factor(forms["lam_S"])] + ([sp.factor(forms["lam_P"])] if n * (n - 3) // 2 > 0 else [])
    size = [abs(sp.N(e, 50)) for e in eig]
    radius = None
    if len(eig) == 1 or abs(size[0] - size[1]) > sp.Float(10) ** -30:
        top = eig[size.index(max(size))]
        radius = top if sp.N(top, 50) > 0 else -top
    values = {"simplex_cos": sp.factor(act.kappa(sp.Rational(-1, n - 1), ctx) / A), "norm_ratio": sp.Integer(1),
              "spectral_radius": radius}
    return {k: pretty.formula(sp.sstr(v)) for k, v in values.items()
            if v is not None and k in row and per_n.inside(v, row[k])}


def table(rows):
    """The table without repeated columns: a field equal to an earlier one in every row, and
    a field whose exact value is the same in every row, are said once above the table."""
    same, shown = [], []
    for f in FIELDS:
        twin = next((g for g in shown if all(r.get(f) == r.get(g) for r in rows)), None)
        if twin is not None:
            same.append("%s = %s" % (f, twin))
            continue
        exact = {r.get("exact", {}).get(f) for r in rows}
        if len(rows) > 1 and len(exact) == 1 and None not in exact and all(f in r for r in rows):
            same.append("%s = %s exactly" % (f, exact.pop()))
            continue
        shown.append(f)
    out = []
    if same:
        out.append("every n here: " + ", ".join(same))
    out += per_n.fitted_table(lambda d: [["n", "status"] + shown + ["seconds"]] + [
        [str(r["n"]), r["status"]] + [per_n.interval(r, f, d) for f in shown] + ["%.2f" % r["seconds"]]
        for r in rows])
    exact = [(r["n"], f, r["exact"][f]) for r in rows for f in shown if r.get("exact", {}).get(f)]
    if exact:           # below the table: a closed form is too wide for a column
        out.append("exact values (each inside its enclosure above):")
        name = max(len(f) for _, f, _ in exact)
        out += [line for k, (n, f, e) in enumerate(exact) for line in pretty.wrap(
            "%s%s = %s" % (f.ljust(name), "", e), ("  n = %-4d " % n) if k == 0 or exact[k - 1][0] != n else " " * 11,
            " " * (14 + name))]
    out += ["n=%d: %s" % (r["n"], r["reason"]) for r in rows if "reason" in r]
    return out


def all_n_claim(r, act):
    """The kernel-checked verdict: the simplex state has spectral radius < 1 for every n of r."""
    data = {"id": "simplex-all-n", "title": "simplex state", "property": "spectral-radius",
            "statement": "the simplex state for n in %s" % r, "expect": "proved", "model": spec.model_of(act),
            "domain": {"n": str(r)}, "params": {"state": "simplex", "relation": "<", "bound": "1"}}
    return properties.check(spec.claim_from_dict(data, "simplex command"))


def boxes_json(v, r):
    """The boxes of the proof: t- and n-ranges with the radius bound on each (rounded outward;
    1 on the box touching t = 0, where the radius tends to 1)."""
    out = []
    for b in v.evidence.get("radius_bounds") or []:
        lo, hi = Fraction(b["t"][0]), Fraction(b["t"][1])
        n_lo = max(r.lo, -((-hi.denominator) // hi.numerator))          # ceil(1/hi)
        n_hi = None if lo == 0 else lo.denominator // lo.numerator
        if r.hi is not None:
            n_hi = r.hi if n_hi is None else min(n_hi, r.hi)
        if n_hi is not None and n_hi < n_lo:
            continue
        out.append({"t": [str(lo), str(hi)], "n": [n_lo, n_hi], "radius_upper": b["radius_upper"],
                    "margin_lower": b["margin_lower"],
                    "statement": "for every n of the range: spectral radius < 1 and <= radius_upper "
                                 "(1 on the box touching t = 0, where the radius tends to 1); "
                                 "margin_lower bounds m_S below, lam_S = 1 - m_S / n"})
    return sorted(out, key=lambda b: b["n"][0])


def compute_all_n(args):
    t0 = time.monotonic()
    _, act, _ = per_n.parse_common(args, all_n=True)
    r = args.range
    if options.talks(args):
        sys.stderr.write("simplex state: every n in %s ...\n" % r)
    v = all_n_claim(r, act)
    ok = v.status == "proved"
    doc = {"activation": str(act), "stages": "rc,%s" % act.name,
           "summary": {"range": [r.lo, r.hi],
                       "proved": ("all" if r.hi is None else r.hi - r.lo + 1) if ok else 0,
                       "failed": [] if ok else [[r.lo, r.hi]],
                       "status": v.status, "checked": bool(v.evidence.get("checked")),
                       "proved_statement": v.evidence.get("statement"),
                       "reason": v.evidence.get("reason"),
                       "seconds": round(time.monotonic() - t0, 2),
                       "method": "closed-form S_n eigenvalues in t = 1/n (standard 1 - t m_S, pair "
                                 "kappa'/c), arb on t-boxes covering [0, 1/%d]; trusted kernel" % r.lo},
           "asymptotics": v.evidence.get("asymptotics"),
           "boxes": boxes_json(v, r),
           "eigenvalue_convention": "scale-free: eigenvalues of DF(G*)/c without G*'s own direction",
           "results": [], "exact_note": EXACT_NOTE, "conjugation": None}    # the per-n run's keys: one shape
    per_n.write_cert(args, v)
    return doc


def text_all_n(doc):
    sm = doc["summary"]
    lo, hi = sm["range"]
    lines = ["simplex state, %s, n in %d..%s: %s%s" % (doc["activation"], lo, "" if hi is None else hi, sm["status"],
                                                      " (checked by the trusted kernel)" if sm["checked"]
                                                      else ": %s" % sm["reason"])]
    if sm["status"] == "proved":
        lines.append("  " + sm["proved_statement"])
        q = (doc["asymptotics"] or {}).get("stability_margin")
        if q:
            lines.append("  stability_margin = %s, coefficient in [%s, %s]  (t = 1/n)" % (
                pretty.leading_term(q["closed_form"], q.get("power", 1)), q["coefficient"][0], q["coefficient"][1]))
        for b in doc["boxes"]:
            lines.append("  n in [%s, %s]: radius <= %s" % (b["n"][0], "inf" if b["n"][1] is None else b["n"][1],
                                                             per_n.short(b["radius_upper"], True, 6)))  # rounded up
    lines.append("%d boxes; %.2fs" % (len(doc["boxes"]), sm["seconds"]))
    return lines
