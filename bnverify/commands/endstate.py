"""``bnverify endstate``: where finite-width RC + phi networks end, against the certified
attractor at the same n where there is one (RC + ReLU or leaky ReLU)."""
from __future__ import annotations

from ..claims import sweep
from ..core import activations, limits
from ..errors import BadInput
from ..report import pretty
from ..sim import endstate
from . import exits, options, spread_verdicts
from .output import Progress, save_figure, show_timed

NAME = "endstate"
HELP = ("finite-width end state of RC + an activation (cluster cosine, odd cosine, norm ratio) vs the "
        "certified attractor")
DESCRIPTION = """\
For each n and width, S seeds of RC + phi (default relu; --stages rc,PHI with any
registered activation,
ACTIVATIONS
or --activation FORMULA) from Gaussian batches run L layers, W iid N(0, S2/D) with
S2 = --weight-var (default 1).  Per seed,
the odd point is the longest point, and the cluster cosine (mean over the other points'
pairs), the odd cosine (mean over its pairs with them) and the norm ratio (its norm over
their mean norm) are averaged over the last K layers.  The seeds whose last layer is in
the odd-point class (as in `bnverify decompose`) give a mean with a 95% Student-t
interval; beside it the attractor at the same n, certified (Krawczyk box re-checked by the
trusted kernel; it exists for n >= 7), and the gap |mean - attractor|.  The attractor is
certified for CERTIFIED only: those are positively homogeneous, so S2 only scales and
the same attractor holds at every S2.  For any other activation the table has no
attractor column to compare with (JSON "attractor": null, "attractor_note" says why):
the finite-width means stand alone.  Sampling corroborates, it never proves.  See
docs/decompose.md.

examples:  bnverify endstate
           bnverify endstate --n 16 --width 64..4096 --depth 400 --seeds 16 --json
           bnverify endstate --n 8,16 --stages rc,leaky_relu --alpha 1/10
           bnverify endstate --n 8 --width 64..256 --depth 300 --stages rc,gelu --weight-var 2
""".replace("ACTIVATIONS", options.activation_lines()).replace(
    "CERTIFIED", activations.spoken(["rc," + k for k in activations.names(lambda k: k.states)], "and"))
DEFAULT_N = "7,8,16,32"


def add_arguments(p):
    p.add_argument("--n", default=DEFAULT_N, metavar="N,N,...", help="batch sizes (>= 3; default %s)" % DEFAULT_N)
    p.add_argument("--width", default="64..1024", metavar="A..B", help="widths A, 2A, ..., B (default 64..1024)")
    p.add_argument("--depth", type=int, default=600, help="layers (default 600)")
    p.add_argument("--last", type=int, default=None, metavar="K", help="layers averaged at the end (default depth/3)")
    p.add_argument("--seeds", type=int, default=16, help="seeds per (n, width) (default 16)")
    options.add_model(p, ("rc",), help="rc and one activation: rc,relu (default), rc,leaky_relu (with --alpha), "
                      "rc,gelu, ... (any registered activation)")
    options.add_weight_var(p)
    options.add_seed(p)
    options.add_plot(p, "the signed gap against width, per quantity")
    options.add_progress(p)
    options.add_json(p)


def _ns(text):
    ns = options.int_list(text, "--n")
    options.at_least("--n", ns[0], 3)
    for n in ns:
        limits.guard_int(n, "--n", limits.certified_max_n())
    return ns


def _validate(args):
    ns = _ns(args.n)
    widths = options.geometric(args.width, "--width", 2, limits.SIM_MAX["width"])
    options.at_least("--depth", args.depth, 1)
    options.at_least("--seeds", args.seeds, 2)
    last = args.last if args.last is not None else max(1, args.depth // 3)
    options.at_least("--last", last, 1)
    if last > args.depth:
        raise BadInput("--last %d: at most --depth %d" % (last, args.depth))
    options.seed(args.seed)
    limits.guard_simulation(ns[-1], widths[-1], args.depth, args.seeds * len(ns) * len(widths), what="endstate")
    options.plot_path(args.plot)
    _, act = options.model(args, "endstate", "RC with one activation, against its certified attractor")
    return ns, widths, last, act, options.weight_var(args.weight_var)


def attractor_note(act, weight_var=1, ns=()):
    """Why there is no certified attractor to compare with (None when there is one, n >= 7)."""
    if act.states:
        return None
    from ..claims.properties import spread_cover         # where covers are searched (erf, sin, tanh, sigmoid)
    v = spread_verdicts.none_claim(act, weight_var, "%d..%d" % (min(ns), max(ns))) if ns and min(ns) >= 3 and \
        not spread_cover.searched(act, weight_var) else None
    if v is not None and v.status == "proved":        # a collapse or the parity lemma: the reason says which
        return ("no attractor for rc,%s at sigma_w^2 = %s: the trusted kernel proves there is no spread-cluster fixed "
                "point at any n (the scale %s); here the finite-width means stand alone"
                % (act.text or act.name, weight_var, "grows without bound" if "grows without bound" in str(v.evidence)
                   else "collapses"))
    return ("no certified attractor for rc,%s: the trusted kernel certifies it for %s (positively homogeneous, so "
            "at every sigma_w^2); here the finite-width means stand alone" % (
                act.text or act.name, activations.spoken(["rc," + k for k in activations.names(lambda k: k.states)],
                                                         "and")))


def plot(path, tables, title):
    from ..report.figures import endstate_figure

    save_figure(endstate_figure(tables, title), path)


def run(args):
    show_timed(args, compute, text)
    return exits.OK


def compute(args):
    """The --json document (``bnv.endstate`` wraps it): per n the certified attractor and, per
    width, the seeds' mean end state with 95% t intervals and the gaps.  --plot draws them."""
    ns, widths, last, act, weight_var = _validate(args)
    bar = Progress("endstate: (n, width)", args.progress)
    cells = [(n, d) for n in ns for d in widths]
    tick = lambda n, d: bar(cells.index((n, d)) + 1, len(cells), "n %d, width %d" % (n, d))      # noqa: E731
    note = attractor_note(act, weight_var, ns)
    tables = [endstate.compare(n, widths, args.depth, args.seeds, last,
                               None if note else sweep.certified_attractor(n, act),
                               base_seed=args.seed, act=act, progress=tick, weight_var=weight_var) for n in ns]
    bar.done()
    if args.plot:
        plot(args.plot, tables, _title(act.text or str(act), args.depth, last, args.seeds, str(weight_var)))
    doc = {"stages": ["rc", act.name], "alpha": act.alpha_text, "formula": act.text, "weight_var": str(weight_var),
           "attractor_note": note,
           "depth": args.depth, "last": last, "seeds": args.seeds,
           "base_seed": args.seed, "width": widths, "quantities": list(endstate.QUANTITIES),
           "odd_point_criterion": "the longest point; seeds used: last layer in the odd_point class",
           "tables": tables}
    if args.plot:
        doc["plot"] = args.plot
    return doc


def _title(act, depth, last, seeds, weight_var="1"):
    return "rc,%s%s from Gaussian batches: depth %d, mean of the last %d layers, %d seeds" % (
        act, "" if weight_var == "1" else " (sigma_w^2 = %s)" % weight_var, depth, last, seeds)


def text(doc, seconds):
    act = doc["formula"] or (doc["stages"][1] if doc["alpha"] is None else "%s(%s)" % (doc["stages"][1], doc["alpha"]))
    lines = ["endstate: %s (%.1f s)" % (_title(act, doc["depth"], doc["last"], doc["seeds"], doc["weight_var"]),
                                        seconds),
             "mean [95% t interval] over the seeds ending with an odd point; gap = |mean - attractor|"]
    if doc["attractor_note"]:
        lines += pretty.wrap(doc["attractor_note"], "")
    elif doc["weight_var"] != "1":
        lines.append("sigma_w^2 = %s only scales rc,%s (positively homogeneous): the geometry and the attractor are "
                     "those at 1" % (doc["weight_var"], doc["stages"][1]))
    for t in doc["tables"]:
        a = t["attractor"]
        none = "none" if doc["attractor_note"] else "none (it exists for n >= 7)"
        lines += ["", "n = %d, certified attractor: %s" % (t["n"], none if a is None else
                  ", ".join("%s %.6f" % (q, sum(a[q]) / 2) for q in endstate.QUANTITIES))]
        lines.append("  %6s %6s  %-34s %-34s %-34s" % ("width", "seeds", "cluster cos (gap)", "odd cos (gap)",
                                                       "norm ratio (gap)"))
        for r in t["rows"]:
            cells = []
            for q in endstate.QUANTITIES:
                if r[q] is None:
                    cells.append("-")
                    continue
                ci = r[q + "_ci"]
                gap = r[q + "_gap"]
                cells.append("%.4f%s%s" % (r[q], " [%.4f,%.4f]" % tuple(ci) if ci else "",
                                            " (%.4f)" % gap if gap is not None else ""))
            lines.append("  %6d %3d/%-3d %-34s %-34s %-34s" % ((r["width"], r["seeds_used"], r["seeds"]) + tuple(cells)))
    if "plot" in doc:
        lines += ["", "plot written to %s" % doc["plot"]]
    return lines
