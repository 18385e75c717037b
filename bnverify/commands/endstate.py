"""``bnverify endstate``: where finite-width RC + ReLU networks end, against the certified
attractor at the same n."""
from __future__ import annotations

import time

from ..claims import sweep
from ..core import activations, limits
from ..errors import BadInput
from ..sim import endstate
from . import exits, options
from .output import Progress, save_figure, show

NAME = "endstate"
HELP = ("finite-width end state of RC + ReLU or leaky ReLU (cluster cosine, odd cosine, norm ratio) vs the "
        "certified attractor")
DESCRIPTION = """\
For each n and width, S seeds of RC + ReLU (or --stages rc,leaky_relu --alpha A) from
Gaussian batches run L layers.  Per seed,
the odd point is the longest point, and the cluster cosine (mean over the other points'
pairs), the odd cosine (mean over its pairs with them) and the norm ratio (its norm over
their mean norm) are averaged over the last K layers.  The seeds whose last layer is in
the odd-point class (as in `bnverify decompose`) give a mean with a 95% Student-t
interval; beside it the attractor at the same n, certified (Krawczyk box re-checked by the
trusted kernel; it exists for n >= 7), and the gap |mean - attractor|.  Sampling
corroborates, it never proves.  See docs/decompose.md.

examples:  bnverify endstate
           bnverify endstate --n 16 --width 64..4096 --depth 400 --seeds 16 --json
           bnverify endstate --n 8,16 --stages rc,leaky_relu --alpha 1/10
"""
DEFAULT_N = "7,8,16,32"


def add_arguments(p):
    p.add_argument("--n", default=DEFAULT_N, metavar="N,N,...", help="batch sizes (>= 3; default %s)" % DEFAULT_N)
    p.add_argument("--width", default="64..1024", metavar="A..B", help="widths A, 2A, ..., B (default 64..1024)")
    p.add_argument("--depth", type=int, default=600, help="layers (default 600)")
    p.add_argument("--last", type=int, default=None, metavar="K", help="layers averaged at the end (default depth/3)")
    p.add_argument("--seeds", type=int, default=16, help="seeds per (n, width) (default 16)")
    options.add_model(p, ("rc",), help="rc and one activation: rc,relu (default) or rc,leaky_relu (with --alpha)")
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
    if not act.states:
        raise BadInput("--stages rc,%s: the attractor is certified for %s" % (act.name, activations.spoken(
            ["rc," + k for k in activations.names(lambda k: k.states)], "and")))
    return ns, widths, last, act


def plot(path, tables, title):
    from ..report.figures import endstate_figure

    save_figure(endstate_figure(tables, title), path)


def run(args):
    t0 = time.monotonic()
    doc = compute(args)
    show(args, doc, lambda d: text(d, time.monotonic() - t0))
    return exits.OK


def compute(args):
    """The --json document (``bnv.endstate`` wraps it): per n the certified attractor and, per
    width, the seeds' mean end state with 95% t intervals and the gaps.  --plot draws them."""
    ns, widths, last, act = _validate(args)
    bar = Progress("endstate: (n, width)", args.progress)
    cells = [(n, d) for n in ns for d in widths]
    tick = lambda n, d: bar(cells.index((n, d)) + 1, len(cells), "n %d, width %d" % (n, d))      # noqa: E731
    tables = [endstate.compare(n, widths, args.depth, args.seeds, last, sweep.certified_attractor(n, act),
                               base_seed=args.seed, act=act, progress=tick) for n in ns]
    bar.done()
    if args.plot:
        plot(args.plot, tables, _title(str(act), args.depth, last, args.seeds))
    doc = {"stages": ["rc", act.name], "alpha": act.alpha_text,
           "depth": args.depth, "last": last, "seeds": args.seeds,
           "base_seed": args.seed, "width": widths, "quantities": list(endstate.QUANTITIES),
           "odd_point_criterion": "the longest point; seeds used: last layer in the odd_point class",
           "tables": tables}
    if args.plot:
        doc["plot"] = args.plot
    return doc


def _title(act, depth, last, seeds):
    return "rc,%s from Gaussian batches: depth %d, mean of the last %d layers, %d seeds" % (act, depth, last, seeds)


def text(doc, seconds):
    act = doc["stages"][1] if doc["alpha"] is None else "%s(%s)" % (doc["stages"][1], doc["alpha"])
    lines = ["endstate: %s (%.1f s)" % (_title(act, doc["depth"], doc["last"], doc["seeds"]), seconds),
             "mean [95% t interval] over the seeds ending with an odd point; gap = |mean - attractor|"]
    for t in doc["tables"]:
        a = t["attractor"]
        lines += ["", "n = %d, certified attractor: %s" % (t["n"], "none (it exists for n >= 7)" if a is None else
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
