"""``bnverify atlas``: is the one-cluster-plus-outlier state ReLU-specific?  One row per
activation and weight variance: what the trusted kernel certifies, where the infinite-width
map goes (floating point) and where finite-width networks end (sampled)."""
from __future__ import annotations

import time
from fractions import Fraction

from .. import parallel
from .. import trusted
from ..claims import properties, spec
from ..core import activations, limits, ranges
from ..derive import spread
from ..errors import BadInput
from ..sim import atlas as simatlas
from ..sim import classes
from . import exits, options
from . import simplex as simplex_command
from . import spread_verdicts
from .output import Progress, save_figure, show

NAME = "atlas"
HELP = "is it ReLU-specific? certified, infinite-width (float) and finite-width (sampled) ends per activation"
DEFAULT_ACTIVATIONS = tuple(activations.REGISTRY)
DESCRIPTION = """\
One row per activation (and weight variance sigma_w^2, W ~ N(0, sigma_w^2 / d)) of the RC + phi
dynamics, at each n of --n:

  certified        the trusted kernel's verdicts.  The ReLU family: O_n a fixed point (every
                   n >= 3), the attractor for every n >= 7 (existence and spectral radius < 1),
                   the smallest n with an attractor.  Any other phi, at each n of --n: the
                   two-point state (exists, with the odd point's cosine and the norm ratio, and
                   its stability, or the scale collapses or grows) and the simplex state (its
                   cosine and spectral radius); "-" where the kernel has no goal, with the
                   reason in --json
  smallest n       with --spread-n A..B, for a non-homogeneous phi: "none in A..B (proved by the
                   trusted kernel's collapse lemma ...)" where the scale collapses (tanh at
                   sigma_w^2 = 1, gelu, silu and softplus at <= 2, ...) or, the parity lemma, grows (gelu,
                   silu, softplus, elu at >= 4); elsewhere the smallest n in A..B
                   at which a float search of the symmetric family finds a spread-cluster fixed
                   point (and a stable one), or "none found in A..B (float search; not
                   proved)" (docs/spread.md; bnverify attractor decides erf, sin, tanh, sigmoid, gelu per n);
                   --certify-smallest: the trusted kernel proves that value (or refutes it, or says
                   why not) as `bnverify check --property attractor-threshold` does
  infinite width   the Gram map G -> K_phi(sigma_w^2 C G C) iterated in floating point
                   (Gauss-Hermite product rule) from --starts Gaussian batches: the scale's fate
                   (scale-free for a homogeneous phi; else collapses / finite / explodes) and
                   the end state's geometry class (a float suggestion, never a proof; an
                   equiangular state is shown simplex-like even where its common cosine is
                   small enough for the 'orthogonal' class)
  finite width     --seeds networks of width --width after --depth layers: the fraction ending
                   with an odd point and simplex-like, 95% Wilson intervals (sampled)

For a positively homogeneous phi (relu, leaky_relu, identity, abs) sigma_w^2 only rescales,
so one row stands for every sigma_w^2.  Geometry classes as in `bnverify decompose`
(docs/decompose.md); docs/atlas.md has the findings and how to read them.  Cells run as
independent jobs (--jobs, or --executor dask).

examples:  bnverify atlas
           bnverify atlas --activations relu,gelu,tanh --weight-var 1,2,4 --n 8 --json
           bnverify atlas --plot atlas.png
"""



def add_arguments(p):
    p.add_argument("--activations", default=",".join(DEFAULT_ACTIVATIONS), metavar="A,B,...",
                   help="activations (registered names; default: %(default)s)")
    options.add_alpha(p, help="the parameter of each activation in --activations that has one: leaky_relu's slope "
                      "in [0, 1), elu's alpha in (0, 100] (default: each one's own, 1/10 and 1)")
    p.add_argument("--weight-var", default="1,2,4", metavar="V,V,...",
                   help="weight variances sigma_w^2, exact positive rationals (default 1,2,4: below, at and above "
                        "ReLU's critical 2)")
    p.add_argument("--n", default="8,16", metavar="N,N,...", help="batch sizes (default 8,16; at most 64)")
    p.add_argument("--width", type=int, default=1024, help="finite width (default 1024)")
    p.add_argument("--depth", type=int, default=100, help="layers, finite and infinite width (default 100)")
    p.add_argument("--seeds", type=int, default=16, help="finite-width networks per cell (default 16)")
    p.add_argument("--starts", type=int, default=2, help="infinite-width starts per cell (default 2)")
    p.add_argument("--no-certified", action="store_true", help="skip the trusted kernel's cells")
    p.add_argument("--spread-n", default=None, metavar="A..B",
                   help="a non-homogeneous phi's smallest-n column: the float spread-cluster search at every n of "
                        "A..B (e.g. 3..16, at most 64; not certified; about 3-10 s per n and row)")
    p.add_argument("--certify-smallest", action="store_true",
                   help="with --spread-n: ask the trusted kernel to prove each row's smallest n (the float search's "
                        "value, or none) as `bnverify check --property attractor-threshold` would: covers at every n "
                        "below it, a stable spread-box at it (minutes per row; a row over one certificate's budget "
                        "stays a float suggestion, with the kernel's reason)")
    options.add_seed(p)
    options.add_plot(p, "a map of the finite-width end states (odd point / simplex-like) per activation")
    options.add_json(p)
    options.add_jobs(p)
    parallel.add_executor_arguments(p)
    options.add_progress(p)


def _validate(args):
    names = [a.strip() for a in args.activations.split(",") if a.strip()]
    if not names or len(names) > 32:
        raise BadInput("--activations %s: give 1..32 names" % limits.show(args.activations))
    for a in names:
        if a not in activations.REGISTRY:
            raise BadInput("--activations: unknown activation %s (known: %s)"
                           % (limits.show(a), ", ".join(activations.REGISTRY)))
    sloped = activations.names(lambda k: k.stage_alpha is not None)
    if args.alpha is not None and not set(sloped) & set(names):
        raise BadInput("--alpha %s: only %s has a slope, and it is not in --activations"
                       % (limits.show(args.alpha), activations.spoken(sloped)))
    if ".." in (args.alpha or ""):
        raise BadInput("--alpha %s: the atlas takes one value" % args.alpha)
    alpha = None
    if args.alpha is not None:
        for name in set(sloped) & set(names):      # each activation's own range says whether it takes the value
            alpha = str(activations.parse_alpha(options.slope(args.alpha), name))
    wv = []
    for text in args.weight_var.split(","):
        r = ranges.parse_rat_range(text.strip(), "--weight-var", lower=Fraction(0), upper=Fraction(64),
                                   upper_open=False)
        if not r.point or r.lo <= 0:
            raise BadInput("--weight-var %s: each value is one positive rational up to 64" % limits.show(text))
        wv.append(r.lo)
    if len(wv) > 8:
        raise BadInput("--weight-var: at most 8 values")
    ns = options.int_list(args.n, "--n") if "," in args.n else [ranges.parse_int_range(
        args.n, "--n", minimum=3, allow_open=False, maximum=64).lo]
    if any(not 3 <= n <= 64 for n in ns) or len(ns) > 8:
        raise BadInput("--n %s: at most 8 batch sizes, each in 3..64" % limits.show(args.n))
    for flag, v, lo, hi in (("--width", args.width, 2, limits.SIM_MAX["width"]), ("--depth", args.depth, 1, 2000),
                            ("--seeds", args.seeds, 1, 1024), ("--starts", args.starts, 1, 64)):
        if not lo <= v <= hi:
            raise BadInput("%s %d: choose %d..%d" % (flag, v, lo, hi))
    options.seed(args.seed)
    options.plot_path(args.plot)
    options.jobs(args.jobs)
    args.spread_range = None if args.spread_n is None else ranges.parse_int_range(
        args.spread_n, "--spread-n", minimum=3, allow_open=False, maximum=64)
    if args.certify_smallest and args.spread_range is None:
        raise BadInput("--certify-smallest needs --spread-n A..B (the range whose smallest n the kernel decides)")
    return names, alpha, wv, ns


def _claim(act_name, alpha, prop, n, params=None, weight_var=None):
    """A claim about RC + ``act_name`` (a registered name, or a formula's text) with parameter ``alpha`` (or None)."""
    model = spec.model_of(activations.activation(act_name, alpha if activations.takes_alpha(act_name) else None))
    if weight_var is not None:
        model["weight_var"] = str(weight_var)
    return spec.claim_from_dict({"id": "atlas", "title": "atlas", "statement": "atlas", "property": prop,
                                 "expect": "proved", "model": model, "domain": {"n": n},
                                 "params": params or {}}, "atlas")


def _verdict(v):
    return {"status": v.status, "checked": bool(v.evidence.get("checked")),
            "statement": v.evidence.get("statement"), "reason": v.evidence.get("reason")}


def _bracket_of(v):
    """The two-point bracket item a verdict's certificate carries, or None."""
    items = v.certificate["evidence"] if v.certificate else []
    return next((it for it in items if it.get("type") == "two-point-bracket"), None)


def two_point_cells(name, alpha, weight_var, ns):
    """The kernel's two-point cells of a non-homogeneous phi at one weight variance, per n: a
    two-point fixed point (or the collapse lemma's refutation) and whether the spectral radius of DF
    there is > 1 (unstable), with the fixed point's geometry from the same bracket; None where the
    kernel has no goal for it."""
    out = []
    for n in ns:
        v = properties.check(_claim(name, alpha, "spectral-radius", str(n), {
            "state": "two-point", "relation": ">", "bound": "1"}, weight_var))
        unstable = _verdict(v)
        if unstable["status"] != "proved":
            v = properties.check(_claim(name, alpha, "fixed-point", str(n), {"state": "two-point"}, weight_var))
            fixed = _verdict(v)
        else:                                       # its statement says a fixed point exists
            fixed = dict(unstable, statement=None, reason="from the unstable cell's verdict (its statement says a "
                         "fixed point exists)")
        if fixed["status"] == "inconclusive" and "no obligation" in (fixed["reason"] or ""):
            return None
        item = _bracket_of(v) if fixed["status"] == "proved" else None
        out.append({"n": n, "fixed_point": fixed, "unstable": unstable, "geometry": _geometry(item)})
    return out


def simplex_cells(name, alpha, weight_var, ns):
    """The kernel's simplex cells of a non-homogeneous phi at one weight variance, per n (the simplex
    command's smooth_cells): a fixed point s I + b J, whether it is stable, its s, cosine and radius."""
    act = activations.activation(name, alpha)
    return [{"n": c["n"], "fixed_point": c["fixed_point"], "stable": c["stable"], "reason": c["reason"],
             "geometry": None if not c["shown"] else {"s": c["shown"][2], "cos": c["shown"][0],
                                                       "radius": c["shown"][3]}}
            for c in simplex_command.smooth_cells(act, weight_var, ns)]


def _geometry(item):
    """The fixed point's distance, odd cosine and norm ratio as the kernel encloses them over a
    bracket item (decimal strings of balls; the kernel re-checks an item once per process)."""
    if item is None:
        return None
    cos, ratio, s, _ = trusted.items.check_item(item)["shown"]
    return {"s": s, "odd_cos": cos, "norm_ratio": ratio}


def certified(name, alpha, weight_var=1, ns=(8, 16)):
    """The kernel's cells of one activation (and weight variance), or a reason why there are none."""
    kind = activations.REGISTRY[name]
    act = activations.activation(name, alpha if kind.stage_alpha is not None else None)
    if not act.homogeneous:
        cells = two_point_cells(name, act.alpha if act.takes_alpha else None, weight_var, ns)
        if cells is None:
            return {"reason": "the trusted kernel has no goal for RC + %s" % name}
        return {"two_point": cells,
                "simplex": simplex_cells(name, act.alpha if act.takes_alpha else None, weight_var, ns)}
    if not (kind.stage and kind.slope is not None):           # the kernel's goals: the ReLU family
        return {"reason": "the trusted kernel has no goal for RC + %s yet (only the ReLU family)" % name}
    out = {}
    for key, prop, n, params in (
            ("O_n_fixed_point", "fixed-point", "3..", {"state": "configuration"}),
            ("attractor_every_n", "attractor-stable", "7..", {"relation": "<", "bound": "1"}),
            ("smallest_n", "attractor-threshold", "3..16", {"value": 7})):
        out[key] = _verdict(properties.check(_claim(name, alpha, prop, n, params)))
    return out


def _rows(names, alpha, wv):
    """(activation, alpha or None, weight variances) per row: one row per homogeneous phi."""
    out = []
    for name in names:
        kind = activations.REGISTRY[name]
        a = None if kind.stage_alpha is None else alpha if alpha is not None else str(kind.stage_alpha)
        act = activations.activation(name, a)
        out += [(name, a, [wv[0]], True)] if act.homogeneous else [(name, a, [w], False) for w in wv]
    return out


def _cls(part):
    """The majority class of a cell part, with its fraction ('orthogonal' that is equiangular
    is shown as the simplex-like state it is)."""
    k = max(part["fractions"], key=part["fractions"].get)
    if k == "orthogonal" and part["equiangular"] >= part["fractions"][k]:
        return "simplex-like %.2f" % part["equiangular"]
    return "%s %.2f" % (k.replace("_", " "), part["fractions"][k])


def plot(path, rows, ns):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = [r["label"] for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(7 + 1.4 * len(ns), 0.32 * len(rows) + 1.8), sharey=True)
    for ax, key, title in ((axes[0], "odd_point", "ends with an odd point"),
                           (axes[1], "equiangular", "ends simplex-like (equiangular, not collapsed)")):
        M = np.array([[c["finite_width"]["fractions"]["odd_point"] if key == "odd_point" else
                       c["finite_width"]["equiangular"] for c in r["cells"]] for r in rows])
        im = ax.imshow(M, vmin=0, vmax=1, cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(ns)), [str(n) for n in ns])
        ax.set_xlabel("n")
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        for i in range(M.shape[0]):
            for j in range(M.shape[1]):
                ax.text(j, i, "%.2f" % M[i, j], ha="center", va="center", fontsize=7,
                        color="k" if M[i, j] >= 0.6 else "w")
        ax.set_title(title, fontsize=9)
    fig.subplots_adjust(left=0.24, right=0.86, top=0.9, bottom=0.08, wspace=0.08)
    fig.colorbar(im, cax=fig.add_axes([0.88, 0.08, 0.02, 0.82]), label="fraction of sampled networks")
    fig.suptitle("RC + phi at finite width: where networks end (sampled)", fontsize=10)
    save_figure(fig, path)


def run(args):
    doc = compute(args)
    show(args, doc, text)
    return exit_code(doc)


def exit_code(doc):
    return exits.OK




def _spread_lemma(name, a, w, sr):
    """The smallest-n entry where the trusted kernel's collapse or parity lemmas decide the spread-cluster state on the
    range sr (no float search), else None.  Not for erf, sin, tanh, sigmoid beyond the lemma: there the kernel's verdict comes from
    spread-none covers, which at n = 3 leave the unstable {v, -v, 0} (a spread-cluster fixed point that exists), so
    "no spread-cluster fixed point" would be false; the float search reports it."""
    from ..claims.properties import spread_cover
    act = activations.activation(name, a)
    if spread_cover.searched(act, Fraction(w)):
        return None
    v = spread_verdicts.none_claim(act, Fraction(w), sr)
    if v is None or v.status != "proved" or (v.certificate or {}).get("evidence"):    # a lemma needs no evidence
        return None
    return {"range": [sr.lo, sr.hi], "smallest_n_found": None, "smallest_n_stable": None,
            "note": "none in %d..%d (proved by the trusted kernel's %s lemma: no spread-cluster fixed point at any n)"
                    % (sr.lo, sr.hi, "parity" if "grows without bound" in str(v.evidence) else "collapse"),
            "label": "trusted kernel", "certified": True}


def compute(args):
    """The --json document (``bnv.atlas`` wraps it)."""
    names, alpha, wv, ns = _validate(args)
    t0 = time.monotonic()
    rows = _rows(names, alpha, wv)
    jobs = [(name, a, float(w), n) for name, a, ws, _ in rows for w in ws for n in ns]
    ex = options.executor(args, args.jobs or parallel.default_jobs())
    bar = Progress("atlas: cell", args.progress)
    try:
        futures = [ex.submit(simatlas.cell, name, a, w, n, args.width, args.depth, args.seeds, args.starts,
                             args.seed) for name, a, w, n in jobs]
        sr = args.spread_range
        lemma = {} if sr is None else {(name, w): _spread_lemma(name, a, w, sr)
                                       for name, a, ws, homogeneous in rows if not homogeneous for w in ws}
        spread_jobs = {(name, w): [ex.submit(spread.cell, name, a, float(w), n) for n in sr]
                       for name, a, ws, homogeneous in rows if sr is not None and not homogeneous for w in ws
                       if lemma[(name, w)] is None}
        cert = {} if args.no_certified else {(name, w): certified(name, a, w, ns) for name, a, ws, _ in rows
                                              for w in ws}
        cells = []
        for k, f in enumerate(futures):
            cells.append(f.result())
            bar(k + 1, len(futures))
        spread_rows = {key: spread.smallest([f.result() for f in fs], sr.lo, sr.hi)
                       for key, fs in spread_jobs.items()}
        for (name, w), fs in spread_jobs.items():       # gelu, erf, sin: the first n whose point the kernel confirms
            act = activations.activation(name, next(a for r_name, a, _, _ in rows if r_name == name))
            box = next(((c["n"], b) for c in (f.result() for f in fs) for b in spread_verdicts.boxes(
                act, Fraction(w), c["n"], [dict(p, state="spread") for p in c["spread"]])[:1]), None)
            if box:
                spread_rows[(name, w)]["note"] += "; kernel-checked: " + spread_verdicts.box_text(box[1], box[0])
        for (name, w), row in spread_rows.items():      # the float search misses n = 3's {v, -v, 0}: the kernel's
            point = sr.lo == 3 and activations.activation(name).kind.spread_point and spread_verdicts.point(activations.activation(name), Fraction(w))
            if point:
                row["note"] += "; kernel-checked: " + spread_verdicts.point_text(point)
        spread_rows.update({key: v for key, v in lemma.items() if v is not None})
        if args.certify_smallest:            # the kernel judges each float suggestion (the lemmas' rows are proved)
            asked = {key: ex.submit(spread_verdicts.threshold, key[0], next(a for r_name, a, _, _ in rows
                                                                             if r_name == key[0]), key[1],
                                    sr.lo, sr.hi, row["smallest_n_stable"])
                     for key, row in spread_rows.items() if not row["certified"]}
            kbar = Progress("atlas: kernel's smallest n", args.progress)
            for k, (key, f) in enumerate(asked.items()):
                row, verdict = spread_rows[key], f.result()
                row["kernel"], row["note"] = verdict, spread_verdicts.threshold_text(row, verdict)
                if verdict["status"] == "proved":
                    row.update(certified=True, label="trusted kernel")
                kbar(k + 1, len(asked))
            kbar.done()
    finally:
        ex.shutdown()
        bar.done()
    out_rows = []
    for name, a, ws, homogeneous in rows:
        for w in ws:
            mine = [c for c in cells if c["activation"] == name and c["weight_var"] == float(w)]
            label = "%s%s, %s" % (name, "(%s)" % a if a else "",
                                  "any sigma_w^2" if homogeneous else "sigma_w^2 = %s" % w)
            out_rows.append({"activation": name, "alpha": a, "weight_var": None if homogeneous else str(w),
                             "homogeneous": homogeneous, "label": label, "certified": cert.get((name, w)),
                             "spread_search": spread_rows.get((name, w)), "cells": mine})
    doc = {"n": ns, "width": args.width, "depth": args.depth, "seeds": args.seeds, "starts": args.starts,
           "base_seed": args.seed, "criteria": {k: classes.CRITERIA[k] for k in classes.CLASSES},
           "rows": out_rows, "seconds": round(time.monotonic() - t0, 1)}
    if args.plot:
        plot(args.plot, out_rows, ns)
        doc["plot"] = args.plot
    return doc


def _none_why(reason):
    """The kernel's refutation in two words: a two-point-grow / simplex-grow fact says the scale grows, the
    lemmas and the none items that it collapses."""
    return "the scale grows" if "grows without bound" in (reason or "") else "the scale collapses"


def _two_point_text(cell):
    fixed, unstable = cell["fixed_point"]["status"], (cell["unstable"] or {}).get("status")
    if fixed == "refuted":
        return "n = %d: no two-point fixed point (%s), refuted" % (
            cell["n"], _none_why(cell["fixed_point"].get("reason")))
    words = {"proved": "exists", "inconclusive": "not decided"}[fixed]
    tail = "" if unstable is None else ", unstable %s" % {"proved": "(spectral radius > 1)", "refuted": "refuted",
                                                            "inconclusive": "not decided"}[unstable]
    geo = cell.get("geometry")
    at = "" if not geo else " (odd cos %s, norm ratio %s)" % (_short(geo["odd_cos"]), _short(geo["norm_ratio"]))
    return "n = %d: two-point fixed point %s%s%s" % (cell["n"], words, at, tail)


def _simplex_text(cell):
    fixed, stable = cell["fixed_point"], cell["stable"]
    if fixed == "refuted":
        return "n = %d: no simplex fixed point (%s), refuted" % (cell["n"], _none_why(cell.get("reason")))
    if fixed != "proved":
        return "n = %d: simplex fixed point not decided" % cell["n"]
    geo = cell["geometry"]
    at = "" if not geo else " (cos %s, radius %s)" % (_short(geo["cos"]), _short(geo["radius"]))
    return "n = %d: simplex fixed point%s%s" % (cell["n"], at, ", stable" if stable == "proved" else "")


def _short(ball_text):
    """'[-0.974318648259 +/- 2.91e-13]' -> '-0.97432' (the ball's digits, cut for the table)."""
    mid = ball_text.strip("[]").split("+/-")[0].strip()
    try:
        return "%.5g" % float(mid)
    except ValueError:
        return mid


def text(doc):
    lines = ["atlas: RC + phi, n = %s, width %d, depth %d, %d seeds, %d infinite-width starts (%.1f s)"
             % (",".join(map(str, doc["n"])), doc["width"], doc["depth"], doc["seeds"], doc["starts"], doc["seconds"]),
             "certified: trusted kernel; infinite width: float iteration (a suggestion); finite width: sampled"]
    for r in doc["rows"]:
        c = r["certified"]
        if c is None:
            cert_text = "certified: not run"
        elif "reason" in c:
            cert_text = "certified: -"
        elif "two_point" in c:
            cert_text = "certified: " + "; ".join([_two_point_text(x) for x in c["two_point"]] +
                                                  [_simplex_text(x) for x in c.get("simplex", [])])
        else:
            cert_text = "certified: O_n fixed point %s, attractor every n >= 7 %s, smallest n 7 %s" % (
                c["O_n_fixed_point"]["status"], c["attractor_every_n"]["status"], c["smallest_n"]["status"])
        lines.append("%s  [%s]" % (r["label"], cert_text))
        if r["spread_search"] is not None:
            lines.append("  smallest n with a spread-cluster state: %s" % r["spread_search"]["note"])
        for cell in r["cells"]:
            inf, fin = cell["infinite_width"], cell["finite_width"]
            odd = "" if fin["odd_cos"] is None else ", odd cos %.3f, norm ratio %.2f" % (fin["odd_cos"], fin["norm_ratio"])
            lines.append("  n = %-3d infinite width: scale %s, ends %s | width %d: ends %s (odd point [%.2f, %.2f])%s"
                         % (cell["n"], inf["scale"], _cls(inf), fin["width"], _cls(fin), *fin["ci"]["odd_point"], odd))
    if "plot" in doc:
        lines.append("plot written to %s" % doc["plot"])
    return lines
