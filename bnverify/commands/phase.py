"""``bnverify phase``: the (n, width) phase diagram of the finite-width end state."""
from __future__ import annotations

import numpy as np

from .. import parallel
from ..core import limits, ranges
from ..errors import BadInput
from ..sim import classes
from ..sim import phase as simphase
from . import exits, options
from .output import Progress, save_figure, show_timed

NAME = "phase"
HELP = "phase diagram over n x width: fraction of seeds ending with an odd point / simplex-like"
DESCRIPTION = """\
For every n and width of the grid, run S seeds of depth L from Gaussian batches and report
the fraction of seeds whose last layer is in the odd-point state (one point nearly
orthogonal to a cluster of the others) and in the simplex-like state (all cosines and norms
equal), each with a 95% Wilson interval, and the median layer from which the odd point
stays.  Criteria as in `bnverify decompose` (docs/decompose.md).  Cells run as
independent jobs on local processes (--jobs) or Dask (--executor dask); seed s of each
cell draws from numpy default_rng([BASE, s, stream]).

The model: --stages with rc, rs and one registered activation,
ACTIVATIONS
or a formula in x as --activation 'x*erf(x)' beside --stages naming rc/rs only.  W is
iid N(0, S2/D), S2 = --weight-var (default 1); it only scales every layer when phi is
positively homogeneous or rs is on.

The grid: --n A..B is every integer from A to B, as in every command (or one n, or a list
N,N,...); --n-grid A..B is the geometric grid A, 2A, 4A, ... up to B (B included); widths
--width A..B are always the geometric grid.

examples:  bnverify phase --n-grid 4..32 --width 64..1024 --depth 300 --seeds 8
           bnverify phase --n 6..9 --width 256 --depth 300 --seeds 16        (n = 6, 7, 8, 9)
           bnverify phase --n-grid 4..32 --width 64..1024 --depth 300 --seeds 8 --stages rc,rs,relu --plot rs.png
           bnverify phase --n 4..8 --width 64..256 --depth 200 --seeds 8 --stages rc,gelu --weight-var 2
""".replace("ACTIVATIONS", options.activation_lines())


def add_arguments(p):
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--n", metavar="A..B", help="batch sizes: every integer from A to B (A >= 3), one n, or a "
                       "comma list N,N,... (at most %d)" % options.MAX_LEVELS)
    which.add_argument("--n-grid", metavar="A..B", help="batch sizes on a geometric grid A, 2A, 4A, ..., B")
    p.add_argument("--width", required=True, metavar="A..B", help="widths A, 2A, ..., B (A >= 2)")
    p.add_argument("--depth", type=int, required=True, help="layers (>= 1)")
    p.add_argument("--seeds", type=int, required=True, help="seeds per cell (>= 1)")
    options.add_model(p, ("rc",))
    options.add_weight_var(p)
    options.add_seed(p)
    options.add_plot(p, "heat maps of the two fractions and of the median layers to the odd point")
    options.add_json(p)
    options.add_jobs(p)
    parallel.add_executor_arguments(p)
    options.add_progress(p)


def _validate(args):
    ns = _ns(args)
    widths = options.geometric(args.width, "--width", 2, limits.SIM_MAX["width"])
    if len(ns) * len(widths) > options.MAX_PHASE_CELLS:
        raise BadInput("%s --width %s: %d cells, at most %d" % (
            "--n %s" % args.n if args.n is not None else "--n-grid %s" % args.n_grid, args.width,
            len(ns) * len(widths), options.MAX_PHASE_CELLS))
    options.at_least("--depth", args.depth, 1)
    options.at_least("--seeds", args.seeds, 1)
    options.seed(args.seed)
    limits.guard_simulation(ns[-1], widths[-1], args.depth, args.seeds * len(ns) * len(widths), what="phase")
    stages, act = options.model(args, "phase", None)
    weight_var = options.weight_var(args.weight_var)
    options.plot_path(args.plot)
    options.jobs(args.jobs)
    return ns, widths, list(stages) + [act.name], act, weight_var


def _ns(args):
    """The batch sizes: --n (every integer of A..B, one n, or a list), or --n-grid (A, 2A, ..., B)."""
    if args.n_grid is not None:
        return options.geometric(args.n_grid, "--n-grid", 3, limits.SIM_MAX["n"])
    if "," in str(args.n):
        ns = options.int_list(args.n, "--n")
    else:
        r = ranges.parse_int_range(args.n, "--n", minimum=3, allow_open=False, maximum=limits.SIM_MAX["n"])
        if r.hi - r.lo + 1 > options.MAX_LEVELS:
            raise BadInput("--n %s: %d batch sizes, at most %d; for a geometric grid A, 2A, 4A, ..., B give --n-grid %s"
                           % (r, r.hi - r.lo + 1, options.MAX_LEVELS, r))
        ns = list(r)
    options.at_least("--n", ns[0], 3)
    limits.guard_int(ns[-1], "--n", limits.SIM_MAX["n"])
    return ns


def plot(path, cells, ns, widths, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    panels = (("odd_point", "fraction of seeds ending: odd point"), ("simplex", "fraction of seeds ending: simplex-like"),
              ("median_layers_odd_point", "median layers until the odd point stays"))
    for ax, (key, label) in zip(axes, panels):
        M = np.array([[np.nan if c[key] is None else c[key] for c in cells if c["n"] == n] for n in ns], dtype=float)
        top = 1 if key != "median_layers_odd_point" else max(1.0, np.nanmax(M) if np.isfinite(M).any() else 1.0)
        im = ax.imshow(M, origin="lower", vmin=0, vmax=top, cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(widths)), [str(w) for w in widths])
        ax.set_yticks(range(len(ns)), [str(n) for n in ns])
        for i in range(len(ns)):
            for j in range(len(widths)):
                text = "-" if np.isnan(M[i, j]) else ("%.2f" % M[i, j] if top == 1 else "%g" % M[i, j])
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="k" if np.isnan(M[i, j]) or M[i, j] >= 0.6 * top else "w")
        ax.set_xlabel("width")
        ax.set_ylabel("n")
        ax.set_title(label, fontsize=10)
        fig.colorbar(im, ax=ax)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def run(args):
    show_timed(args, compute, text)
    return exits.OK


def compute(args):
    """The --json document (``bnv.phase`` wraps it): per (n, width) cell the fractions of seeds
    ending with an odd point and simplex-like, with 95% Wilson intervals.  --plot draws it."""
    ns, widths, stage_list, act, weight_var = _validate(args)
    ex = options.executor(args, args.jobs or parallel.default_jobs())
    alpha = act.alpha_text
    bar = Progress("phase: cell", args.progress)
    try:
        cells = simphase.grid(stage_list, ns, widths, args.depth, args.seeds, ex, alpha=alpha,
                              base_seed=args.seed, progress=bar, act=act, weight_var=weight_var)
    finally:
        ex.shutdown()
        bar.done()
    if args.plot:
        plot(args.plot, cells, ns, widths, _title(stage_list, args.depth, args.seeds, act.text, str(weight_var)))
    doc = {"stages": stage_list, "alpha": alpha, "formula": act.text, "weight_var": str(weight_var), "n": ns, "width": widths, "depth": args.depth,
           "seeds": args.seeds, "base_seed": args.seed,
           "criteria": {k: classes.CRITERIA[k] for k in ("odd_point", "simplex")}, "cells": cells}
    if args.plot:
        doc["plot"] = args.plot
    return doc


def _title(stage_list, depth, seeds, formula=None, weight_var="1"):
    stages = ",".join(stage_list[:-1] + [formula]) if formula else ",".join(stage_list)
    return "%s%s, depth %d, %d seeds per cell" % (stages, "" if weight_var == "1" else ", sigma_w^2=%s" % weight_var,
                                                  depth, seeds)


def text(doc, seconds):
    lines = ["phase: %s (%.1f s)" % (_title(doc["stages"], doc["depth"], doc["seeds"], doc["formula"], doc["weight_var"]),
                                     seconds),
             "fraction odd point / simplex-like; median layers to the odd point in brackets",
             "%6s " % "n\\d" + "".join("%18s" % w for w in doc["width"])]
    for n in doc["n"]:
        row = [c for c in doc["cells"] if c["n"] == n]
        lines.append("%6d " % n + "".join("%18s" % ("%.2f/%.2f [%s]" % (c["odd_point"], c["simplex"],
                                                   "-" if c["median_layers_odd_point"] is None
                                                   else "%g" % c["median_layers_odd_point"])) for c in row))
    if "plot" in doc:
        lines.append("plot written to %s" % doc["plot"])
    return lines
