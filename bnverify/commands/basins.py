"""``bnverify basins``: the global dynamics of the symmetric reduction at one n -- the basin
of every fixed point of the reduced map rho -> h(rho), proved and re-checked by the trusted
kernel; the rates; optionally a figure."""
from __future__ import annotations

from fractions import Fraction

from ..core import activations, limits, ranges
from ..derive import basins as derive_basins
from ..errors import BadInput
from . import exits, options, per_n
from .output import save_figure, show

NAME = "basins"
HELP = "the basins of the symmetric reduction's fixed points at one n, proved (and a figure of h(rho) - rho)"
DESCRIPTION = """\
Within the S_{n-1}-symmetric family (n-1 exchangeable cluster points and one odd point) one
layer maps a state to the reduction curve gamma(rho), rho the cluster correlation of C G C,
and rho moves by the 1-D map h.  Its fixed points are the simplex state (rho = -1/(n-1)), O_n
(rho = 1) and, for n >= 7, the attractor and its unstable partner.  Ball arithmetic (arb)
covers [-1/(n-2), 1] by pieces: a short head near -1/(n-2), where h decreases (its image is
enclosed and lies inside one basin), then pieces with h' > 0 and a proved sign of h(rho) - rho,
and an isolating piece per fixed point.  h being increasing there, each basin is the interval
between the neighbouring unstable fixed points: every start is assigned its limit.  Each
basin statement is then decided by the trusted kernel from the cover (a basin-cover item).

Printed per basin: its rho-interval (the ends are fixed points, given by certified brackets),
its arc of the curve in (cluster cosine, odd cosine, norm ratio) -- the state after one layer;
each is monotone in rho -- and for a stable point h' there, and the number of layers after
which every start of a compact part of the basin is within --eps of it (in rho).
JSON: "n", "activation", "fixed_points", "basins", "monotone", "partner_gap", "status", "kernel".

--n A.. (or A..B), A >= 7, RC + ReLU: every n of the range at once.  One proof in t = 1/n
(charts of h(rho) - rho down to t = 0, the classification's evidence; docs/all-n.md) shows that
every n >= A has exactly four fixed points, that h is increasing past a short head whose image
lies left of the simplex, and so the same basins at every n; the trusted kernel decides the
classification and each basin statement from it.  JSON: "range", "activation", "summary"
({"proved": "all" | "none", "status", "checked", "reason", "seconds", "method", ...}), "basins",
"kernel", "classification", "partner_gap" (n^3 times the gap, certified, and its limit 2(pi - 2)).

With RS (full BN) the symmetric family reduces the same way and every start other than O_n
converges to the BSB1 state; that is decided per n by `bnverify check --stages rc,rs,relu --n N
--property basin --state simplex --basin '[left-end, configuration)'` (docs/full-bn.md, section 13).

A non-homogeneous activation (@NONHOM@; --weight-var S2,
default 1): the family is two-dimensional, (q, rho) with q the cluster's pre-activation variance,
and no basin is certified.  One n: the trusted kernel's verdicts on the two-point and simplex
states and a float search of the family's fixed points with their float spectral radii
(bnverify.derive.spread; docs/spread.md), status inconclusive with the reason (exit 3).  JSON:
"n", "activation", "weight_var", "status", "reason", "kernel" (the two-point and simplex cells),
"search" (the points, each with state, q, rho, family_radius, full_radius, persists).

exit status: 0 proved (every basin re-checked by the trusted kernel), 3 not proved or inconclusive.

examples:  bnverify basins --n 7
           bnverify basins --n 7.. --json
           bnverify basins --n 16 --stages rc,leaky_relu --alpha 1/10 --json
           bnverify basins --n 9 --plot basins-n9.png
           bnverify basins --n 8 --stages rc,gelu --weight-var 3 --json
"""
DESCRIPTION = DESCRIPTION.replace("@NONHOM@", ", ".join(activations.names(lambda k: k.stage and k.degree is None)))
EXIT = {"proved": exits.OK, "not proved": exits.UNDECIDED, "inconclusive": exits.UNDECIDED}
CLASSIFY_FROM = 7           # the all-n charts' first n (claims.properties.branches.CLASSIFY_FROM)


def add_arguments(p):
    p.add_argument("--n", required=True, help="the batch size (3 <= n <= %d), or A.. / A..B (A >= 7, ReLU): every n "
                                              "of the range at once" % derive_basins.N_LIMIT)
    options.add_model(p, ("rc",), help="rc and one activation: rc,relu (default) or rc,leaky_relu")
    p.add_argument("--eps", default="1/1000000", help="distance in rho for the layer counts (default 1/1000000)")
    options.add_json(p)
    options.add_plot(p, "write the figure: h(rho) - rho with orbits and basins, and the orbits as states")
    options.add_weight_var(p, help="S2, the weight variance sigma_w^2 (an exact rational > 0, default 1): for a "
                                   "non-homogeneous activation the model's own (the ReLU family: only 1, it only scales)")


def parse(args):
    """(n or an IntRange, Activation, eps) from the options; BadInput on a bad value."""
    limits.guard_number(args.n, "--n")
    if ".." in str(args.n):
        rng = ranges.parse_int_range(args.n, "--n", minimum=3)
        _, act = options.model(args, "basins", "RC with one activation")
        if rng.lo < CLASSIFY_FROM:
            raise BadInput("--n %s: every n at once starts at n = %d (below it there is no attractor and the basins "
                           "differ: give one n, e.g. --n %d)" % (args.n, CLASSIFY_FROM, rng.lo))
        if not act.states or act.slope != 0:
            raise BadInput("--n %s: the basins of every n at once are proved for RC + ReLU (for leaky ReLU, one n at "
                           "a time)" % args.n)
        options.plot_path(args.plot)
        if args.plot:
            raise BadInput("--plot draws one n: give --n N")
        return rng, act, None
    try:
        n = int(args.n)
    except ValueError:
        raise BadInput("--n %r is not an integer" % (args.n,))
    if not 3 <= n <= derive_basins.N_LIMIT:
        raise BadInput("--n %d: basins are certified for 3 <= n <= %d" % (n, derive_basins.N_LIMIT))
    _, act = options.model(args, "basins", "RC with one activation (RC + RS's basins: bnverify check "
                           "--property basin --stages rc,rs,relu)")
    if not act.homogeneous:
        if args.plot:
            raise BadInput("--plot draws h(rho) of the ReLU family; %s's family is two-dimensional" % act.name)
        return n, act, None
    if options.weight_var(args.weight_var) != 1:
        raise BadInput("--weight-var %s: for %s (positively homogeneous) sigma_w^2 only scales every layer; the "
                       "basins are the same at every sigma_w^2" % (args.weight_var, act.name))
    if not act.states:
        raise BadInput("--stages rc,%s: choose %s" % (act.name, activations.spoken(
            ["rc," + k for k in activations.names(lambda k: k.states)])))
    limits.guard_number(args.eps, "--eps")
    try:
        eps = Fraction(args.eps)
    except (ValueError, ZeroDivisionError):
        raise BadInput("--eps %r is not a number" % (args.eps,))
    if not Fraction(1, 10 ** 30) <= eps <= Fraction(1, 10):
        raise BadInput("--eps %s: choose 1e-30 <= eps <= 1/10" % args.eps)
    options.plot_path(args.plot)
    return n, act, eps


def kernel_verdicts(v, act):
    """{state: verdict} of the trusted kernel on each basin statement, from the cover."""
    from ..claims import spec
    from ..claims.properties import road

    n = v.evidence["n"]
    model = spec.model_of(act)
    out = {}
    for b in v.evidence["basins"]:
        data = {"id": "basin-%s-n%d" % (b["to"], n), "title": "basin", "statement": "basin of the %s" % b["to"],
                "property": "basin", "expect": "proved", "model": model, "domain": {"n": str(n)},
                "params": {"state": b["to"], "basin": b["interval"]}}
        out[b["to"]] = road.decide(spec.claim_from_dict(data, "basins command"), [v.certificate]).status
    return out


def run(args):
    doc = compute(args)
    show(args, doc, text)
    return EXIT.get(doc["status"], EXIT["not proved"])


def compute(args):
    """The --json document (``bnv.basins`` wraps it): the cover's facts with the kernel's verdict
    on each basin, or the status and reason when the cover was not proved."""
    n, act, eps = parse(args)
    if not isinstance(n, int):
        return compute_all_n(n, act)
    if not act.homogeneous:
        return compute_smooth(n, act, options.weight_var(args.weight_var))
    v = derive_basins.basins(n, act, eps=eps)
    if v.status != "proved":
        return {"n": n, "activation": str(act), "status": v.status, "reason": v.evidence.get("reason")}
    kernel = kernel_verdicts(v, act)
    doc = dict(v.evidence, status="proved" if all(s == "proved" for s in kernel.values()) else "not proved",
               kernel=kernel, seconds=round(v.seconds, 3))
    if args.plot:
        plot(doc, n, act, args.plot)
        doc["plot"] = args.plot
    return doc


ORDER = ("simplex", "partner", "attractor", "configuration")


def compute_smooth(n, act, w):
    """A non-homogeneous phi at one n: the kernel's two-point and simplex verdicts and the float
    search's fixed points of the family, inconclusive (commands/spread_search.py)."""
    from . import spread_search

    from . import spread_verdicts
    from ..claims.properties import spread_cover
    from ..core import ranges

    row = spread_search.rows(act, w, [n])[0]
    # a collapse lemma (no evidence): no spread-cluster fixed point at any n; erf, sin, tanh, sigmoid beyond it: covers, not asked here
    none = None if spread_cover.searched(act, w) else spread_verdicts.none_claim(
        act, w, ranges.parse_int_range(str(n), minimum=3))
    if none is not None and none.status == "proved":
        row["reason"] = ("the trusted kernel proves that no spread-cluster fixed point exists at any n (%s); the "
                         "basins are not certified" % none.evidence.get("reason"))
    return {"n": n, "activation": str(act), "weight_var": str(w), "status": row["status"], "reason": row["reason"],
            "kernel": {"two_point": row["two_point"], "simplex": row["simplex"]}, "search": row["search"],
            "seconds": row["seconds"]}


def text_smooth(doc):
    from . import spread_search

    row = {"two_point": doc["kernel"]["two_point"], "simplex": doc["kernel"]["simplex"]}
    return (["fixed points of the symmetric family (q, rho), n = %d, RC + %s, sigma_w^2 = %s: %s"
             % (doc["n"], doc["activation"], doc["weight_var"], doc["search"]["label"])] +
            spread_search.point_lines(doc["search"]["points"]) +
            ["kernel: %s" % spread_search.kernel_text(row), "status: %s (%s)" % (doc["status"], doc["reason"])])


def compute_all_n(rng, act):
    """Every n of the range at once: one classification item, the kernel's verdict on the
    classification (four fixed points) and on each basin statement."""
    from ..claims import spec
    from ..claims.properties import branches, road
    from ..core.verdict import stopwatch
    from ..derive import classify_alln

    with stopwatch() as seconds:
        try:
            item, human = branches.classification_item(rng.lo), None        # the catalogue's search, kept
        except ValueError as e:
            item, human = None, str(e)
        base = {"title": "basins", "statement": "s", "expect": "proved", "model": spec.model_of(act),
                "domain": {"n": str(rng)}}
        claims = {"classification": dict(base, id="classification", property="classification", params={"value": 4})}
        for state, interval in (("simplex", "[left-end, partner)"), ("partner", "{partner}"),
                                ("attractor", "(partner, configuration)"), ("configuration", "{configuration}")):
            claims[state] = dict(base, id="basin-" + state, property="basin",
                                 params={"state": state, "basin": interval})
        verdicts = {k: road.decide(spec.claim_from_dict(c, "basins command"), [item] if item else [])
                    for k, c in claims.items()}
    ok = all(v.status == "proved" for v in verdicts.values())
    doc = {"range": [rng.lo, rng.hi], "activation": str(act),
           "summary": {"range": [rng.lo, rng.hi], "proved": "all" if ok else "none",
                       "status": "proved" if ok else "not proved", "checked": ok,
                       "reason": verdicts["attractor"].evidence.get("reason") or human,
                       "seconds": round(seconds(), 2), "method": BRANCH_METHOD},
           "basins": [{"to": k, "interval": claims[k]["params"]["basin"]} for k in ORDER],
           "kernel": {k: verdicts[k].status for k in ORDER},
           "classification": {"fixed_points": 4, "verdict": verdicts["classification"].status,
                              "statement": verdicts["classification"].evidence.get("statement")},
           "statements": {k: verdicts[k].evidence.get("statement") for k in ORDER}}
    if item:
        sm = classify_alln.summary(item)
        doc["partner_gap"] = {k: v for k, v in sm.items() if k.startswith("partner_gap")}
        doc["basin_widths"] = sm["basin_widths"]
        doc["evidence"] = {k: sm[k] for k in ("columns", "chart_boxes")}
    doc["status"] = doc["summary"]["status"]
    return doc


BRANCH_METHOD = ("sign charts of h(rho) - rho in (t = 1/n, chart variable) down to t = 0: convexity and a "
                 "Taylor model at the simplex, Krawczyk at the attractor, h increasing past a head mapped "
                 "left of the simplex (arb); trusted kernel")


def text_all_n(doc):
    s = doc["summary"]
    hi = "" if doc["range"][1] is None else str(doc["range"][1])
    out = ["basins of the symmetric reduction for every n in %d..%s, RC + %s: %s (%s s)"
           % (doc["range"][0], hi, doc["activation"], s["status"], s["seconds"]), "",
           "fixed points of h (rho = cluster correlation of C G C): exactly 4 at every n (kernel: %s)"
           % doc["classification"]["verdict"], "", "basins (kernel verdict):"]
    for b in doc["basins"]:
        out.append("  %-13s %-28s %s" % (b["to"], b["interval"], doc["kernel"][b["to"]]))
    if "partner_gap" in doc:
        g = doc["partner_gap"]
        cols = g["partner_gap_n3_by_column"]
        out += ["", "partner - simplex = c_n / n^3: c_n in [%s, %s] at n = %s, ..., [%s, %s] for n in %s;"
                % (*cols[0]["n3_gap"], cols[0]["n"], *cols[-1]["n3_gap"], cols[-1]["n"]),
                "  every limit point of c_n in [%s, %s] (2(pi - 2) = 2.283185307...)" % tuple(g["partner_gap_n3_limit"]),
                "basin widths: simplex %s" % doc["basin_widths"]["simplex"],
                "              attractor %s" % doc["basin_widths"]["attractor"]]
    out += ["", "reason: %s" % s["reason"], "method: %s" % s["method"]]
    return out


def text(doc):
    """The human-readable summary of a basins document."""
    if "search" in doc:
        return text_smooth(doc)
    if "summary" in doc:
        return text_all_n(doc)
    if "basins" not in doc:             # the cover was not proved
        return ["n = %d: %s (%s)" % (doc["n"], doc["status"], doc["reason"])]
    out = ["basins of the symmetric reduction, n = %d, RC + %s (rigorous bounds, rounded outward)"
           % (doc["n"], doc["activation"]), "", "fixed points of h (rho = cluster correlation of C G C):"]
    fixed = doc["fixed_points"]
    out += per_n.fitted_table(lambda d: [["state", "rho", "h'", "stable"]] + [
        [f["state"], _iv(f["rho"], d), _iv(f["slope"], d), "yes" if f["stable"] else "no"] for f in fixed], "  ")
    out += ["", "the same fixed points as states of the batch (on the curve gamma):"]
    out += per_n.fitted_table(lambda d: [["state", "cluster cos", "odd cos", "norm ratio"]] + [
        [f["state"], _iv(f["gamma"]["cluster_cos"], d), _iv(f["gamma"]["odd_cos"], d) if f["gamma"]["odd_cos"] else "-",
         _iv(f["gamma"]["norm_ratio"], d)] for f in fixed], "  ")
    out += ["", "basins (kernel verdict):"]
    for b in doc["basins"]:
        out.append("  %-13s %-28s rho in [%s, %s]  %s" % (b["to"], b["interval"], b["rho"][0][0], b["rho"][0][1],
                                                        doc["kernel"][b["to"]]))
        for k in b.get("rate", {}).get("layers", []):
            out.append("      within eps = %s of it after %s layers from every rho in [%s, %s]" % (
                b["rate"]["eps"], k["layers"] if k["layers"] is not None else "more than %d" % derive_basins.BUDGET,
                k["K"][0], k["K"][1]))
        if "rate" in b:
            out.append("      h' at the point %s; h' in %s on [%s, %s] (an invariant neighbourhood)" % (
                _iv(b["rate"]["h_prime_at_fixed_point"]), _iv(b["rate"]["contraction"]["h_prime"]),
                *b["rate"]["contraction"]["on"]))
    m = doc["monotone"]
    out += ["", "h is increasing on [%s, 1]; on [%s, %s] it is not (h(%s) - h(%s) in %s), and maps it into [%s, %s]"
            % (m["increasing_on"][0], m["not_on"][0], m["not_on"][1],
               *((m["decreasing_witness"]["rho1"], m["decreasing_witness"]["rho2"],
                  _iv(m["decreasing_witness"]["h_rho1_minus_h_rho2"])) if m["decreasing_witness"] else ("?", "?", "?")),
               m["image_of_not_on"][0], m["image_of_not_on"][1])]
    if "partner_gap" in doc:
        g = doc["partner_gap"]
        out.append("partner - simplex = %s (times n^3: %s; 2(pi - 2) = %s)" % (
            _iv(g["rho_partner_minus_simplex"]), _iv(g["times_n3"]), _iv(g["limit"])))
    out.append("status: %s%s" % (doc["status"], "" if "plot" not in doc else "; figure: %s" % doc["plot"]))
    return out


def _iv(b, digits=12):
    """[lo, hi] shortened to ``digits`` significant digits, rounded outward."""
    from ..derive.balls import _decimal

    if all(abs(Fraction(x)) < Fraction(1, 10 ** 12) for x in b):       # e.g. O_n's odd cosine, 0 +- 1e-38
        return "[%.2e, %.2e]" % (float(Fraction(b[0])) * (1 + 1e-9), float(Fraction(b[1])) * (1 + 1e-9))
    return "[%s, %s]" % (_decimal(Fraction(b[0]), digits, False), _decimal(Fraction(b[1]), digits, True))


COLOURS = {"simplex": "#4c72b0", "attractor": "#dd8452", "partner": "#55a868", "configuration": "#c44e52"}


def _float_curve(n, act):
    from ..derive.balls import QFLOAT
    from ..derive.curve import cosines, curve, curve_point

    h = lambda r: float(curve(r, n, act, QFLOAT))                             # noqa: E731
    cos = lambda r: [float(c) for c in cosines(curve_point(r, n, act, QFLOAT), QFLOAT)]  # noqa: E731
    return h, cos


def plot(doc, n, act, path):
    """h(rho) - rho with the fixed points (its zeros), a few orbits and the basins shaded (whole
    domain, and zoomed near the simplex and the partner), and the orbits in (cluster cosine, odd
    cosine).  Drawn in float from the certified intervals; the certificate is the cover."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    h, cos = _float_curve(n, act)
    lo = -1.0 / (n - 2)
    fixed = {f["state"]: float(Fraction(f["rho"][0]) + Fraction(f["rho"][1])) / 2 for f in doc["fixed_points"]}
    spans = [(b["to"], float(b["rho"][0][0]), float(b["rho"][0][1])) for b in doc["basins"]]
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.6))
    left = lo + 1e-12
    rs = np.linspace(left, 1, 600)
    # h lies within a few 1e-2 of the diagonal, so a cobweb of h itself is unreadable: h(rho) - rho
    # is what moves rho each layer (its zeros are the fixed points, its sign the direction)
    ax[0].plot(rs, [h(r) - r for r in rs], color="k", lw=1.2, label="h(rho) - rho")
    ax[0].axhline(0, color="0.6", lw=0.8, ls="--")
    top = fixed.get("partner", fixed["simplex"])
    starts = [left, (fixed["simplex"] + top) / 2 if "partner" in fixed else 0.5, top + 0.02 * (1 - top), 0.999]
    for k, r0 in enumerate(starts):
        r, xs = r0, [r0]
        for _ in range(60):
            r = h(r)
            xs.append(r)
        ax[0].plot(xs, [h(x) - x for x in xs], ".-", ms=3, lw=0.5, color="C%d" % (k + 2), alpha=0.8,
                   label="orbit from rho = %.4g" % r0)
    for a in (ax[0], ax[1]):
        for to, a0, b0 in spans:
            if b0 > a0:
                a.axvspan(a0, b0, color=COLOURS[to], alpha=0.15, lw=0)
    for name, r in fixed.items():
        ax[0].plot([r], [0], "o", color=COLOURS[name], ms=6, label=name)
    ax[0].set(xlabel="rho (cluster correlation of C G C)", ylabel="h(rho) - rho",
              title="h(rho) - rho, n = %d, %s: orbits, 60 layers (basins shaded)" % (n, act))
    ax[0].legend(fontsize=7, loc="upper left")
    # near the simplex and the partner, h - rho (their gap is ~ 2(pi - 2)/n^3)
    hi = top + 3 * (top - lo) if "partner" in fixed else fixed["simplex"] + 2 * (fixed["simplex"] - lo)
    zs = np.linspace(left, hi, 500)
    ax[1].plot(zs, [h(z) - z for z in zs], color="k", lw=1.2)
    ax[1].axhline(0, color="0.6", lw=0.8, ls="--")
    for name, r in fixed.items():
        if r <= hi:
            ax[1].plot([r], [0], "o", color=COLOURS[name], ms=6, label=name)
    ax[1].set(xlim=(lo, hi), xlabel="rho", ylabel="h(rho) - rho",
              title="near the simplex: the sign of h - rho")
    ax[1].legend(fontsize=7)
    # trajectories on the curve: the state after each layer
    cs = [cos(r) for r in rs[1:]]
    ax[2].plot([c[0] for c in cs], [c[1] for c in cs], color="0.5", lw=1, label="curve gamma(rho)")
    for k, r0 in enumerate(starts):
        r, pts = r0, []
        for _ in range(200):
            r = h(r)
            pts.append(cos(r)[:2])
        ax[2].plot([p[0] for p in pts], [p[1] for p in pts], ".-", ms=3, lw=0.6, color="C%d" % (k + 2),
                   label="start rho = %.4g" % r0)
    for name, r in fixed.items():
        c = cos(r) if r > left else cos(left)
        ax[2].plot([c[0]], [c[1]], "o", color=COLOURS[name], ms=7)
    ax[2].set(xlabel="cluster cosine", ylabel="odd cosine", title="trajectories (200 layers each)")
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)
