"""``bnverify simulate``: the finite-width network from a Gaussian batch, many seeds at once."""
from __future__ import annotations

import os
import time

import numpy as np

from .. import parallel
from ..core import activations, limits
from ..sim import geometry, model
from ..errors import BadInput
from . import exits, options
from .output import Progress, save_figure, show

NAME = "simulate"
HELP = "run the finite-width network for many seeds and summarize the batch geometry"
DESCRIPTION = """\
Run S independent finite-width networks (width D, depth L) from a Gaussian batch of N
points and report, per seed, the geometry of the last layer:

  odd index        the point with the largest norm
  norm ratio       its norm / the mean norm of the other points
  max|cos odd|     largest |cosine| between it and another point
  min cos others   smallest cosine between two other points
  scale            the mean square of an entry, |x_j|^2 / D averaged over points (shown
                   when the scale is part of the state, see below)

The paper's phenomenon (RC + non-linearity) is a norm ratio above N/2 with max|cos odd|
near 0: one odd point far away, orthogonal to a single cluster.  A layer is
Z = W X (W iid N(0, S2/D), S2 = --weight-var, default 1), then the listed stages rc
(recentre) and rs (rescale) over the batch, then the activation: a registered one,
%s
or a formula in x (--activation 'x*erf(x)', with --stages naming rc/rs only).
The default sampler 'gram' draws Z from its exact law given X (rows iid
N(0, S2 X^T X / D)), D/N times cheaper than drawing W ('weights').  With a
positively homogeneous activation (%s) or with rs,
each layer's output is rescaled per seed to mean squared norm 1 per point: all
summaries are scale-free, and S2 only scales.  With any other activation the scale is part of the state (it may collapse or grow), so
nothing is rescaled and S2 changes the dynamics; JSON "rescaled_each_layer" says which.
Seed s draws from numpy default_rng([BASE, s, stream]): a seed gives the same network
whatever --seeds is (bit for bit on the same machine and numpy).

examples: bnverify simulate --n 16 --width 256 --depth 300 --seeds 8 --stages rc,relu
          bnverify simulate --n 8 --width 128 --depth 100 --stages rc,tanh --weight-var 2
          bnverify simulate --n 8 --width 128 --depth 100 --stages rc --activation 'x*erf(x)'
""" % (options.activation_lines(), ", ".join(activations.names(lambda k: k.stage and k.degree is not None)))

OUTLIER_COS = 0.05


def add_arguments(p):
    p.add_argument("--n", type=int, default=16, help="batch size (>= 2; default 16)")
    p.add_argument("--width", type=int, default=256, help="width d (>= 1; default 256)")
    p.add_argument("--depth", type=int, default=300, help="number of layers (>= 0; default 300)")
    p.add_argument("--seeds", type=int, default=8, help="number of independent networks (default 8)")
    options.add_model(p, ("rc",), help="comma list of rc, rs and one activation (%s); default rc,relu"
                      % ", ".join(activations.names(lambda k: k.stage)))
    options.add_weight_var(p)
    p.add_argument("--every", type=int, default=None, metavar="K",
                   help="record the summaries every K layers (JSON 'trajectory'; plot)")
    options.add_seed(p)
    p.add_argument("--sampler", default="gram", help="gram (default) or weights")
    options.add_plot(p, "plot norm ratio and cosines against depth (median and range over seeds)")
    options.add_json(p)
    options.add_progress(p)
    options.add_jobs(p, "with --executor dask: seed batches (default: one per worker)")
    parallel.add_executor_arguments(p)


def _validate(args):
    for flag, value, least in (("--n", args.n, 2), ("--width", args.width, 1),
                               ("--depth", args.depth, 0), ("--seeds", args.seeds, 1)):
        options.at_least(flag, value, least)
    if args.every is not None:
        options.at_least("--every", args.every, 1)
    options.seed(args.seed)
    options.jobs(args.jobs)
    if args.sampler not in model.SAMPLERS:
        raise BadInput("--sampler %s: choose %s" % (limits.show(args.sampler), " or ".join(model.SAMPLERS)))
    limits.guard_simulation(args.n, args.width, args.depth, args.seeds, weights=args.sampler == "weights",
                            what="simulate")
    options.plot_path(args.plot)
    # about five (S, d, n) arrays live at once, plus one d x d matrix for the weights sampler
    need = 8 * (5 * args.seeds * args.width * args.n
                + (args.width ** 2 if args.sampler == "weights" else 0))
    have = _physical_memory()
    if have and need > 0.8 * have:
        raise BadInput("--seeds %d --width %d --n %d: needs about %.1f GB, more than this machine's "
                       "%.1f GB" % (args.seeds, args.width, args.n, need / 1e9, have / 1e9))
    return options.model(args, "simulate", None) + (options.weight_var(args.weight_var),)


def _physical_memory():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _seed_rows(summary):
    """One dict per seed; inf and nan (an all-zero batch has no norm ratio) stay floats here and
    are null in JSON (output.emit_json)."""
    rows = []
    for s in range(len(summary)):
        r = summary.seed(s)
        rows.append({"seed": s, **{k: (float(v) if isinstance(v, float) else v) for k, v in r.items()}})
    return rows


def simulate(n, width, depth, seeds, stages, act, *, every=None, base_seed=0, sampler="gram",
             progress=None, weight_var=1):
    """Run the stack; return the final Summary and [(layer, Summary), ...] every K layers
    (including layers 0 and depth) when ``every`` is given.  ``seeds``: a count S (seeds
    0..S-1) or the seed indices themselves (each seed draws from its own stream);
    ``weight_var``: sigma_w^2."""
    ids = model.seed_ids(seeds)
    X = model.gaussian_batch(n, width, ids, base_seed)
    trajectory = [(0, geometry.summarize(X))] if every else []
    final = geometry.summarize(X) if depth == 0 else None
    for ell, X in model.layers(X, depth, stages, act, sampler=sampler, base_seed=base_seed, seeds=ids,
                               weight_var=weight_var):
        if ell == depth:
            final = geometry.summarize(X)
        if every and (ell % every == 0 or ell == depth):
            trajectory.append((ell, final if ell == depth else geometry.summarize(X)))
        if progress:
            progress(ell)
    return final, trajectory


def _merge(parts):
    """One Summary from per-batch Summaries (seed order kept)."""
    fields = geometry.Summary.__dataclass_fields__
    return geometry.Summary(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})


def simulate_batches(executor, n, width, depth, seeds, stages, act, batches, **kw):
    """The seeds split into ``batches`` contiguous batches, each simulated as one job on the
    executor (Dask's, for --executor dask); the result equals simulate(...) on all seeds,
    bit for bit, since every seed has its own random streams."""
    ids = list(model.seed_ids(seeds))
    size = -(-len(ids) // max(1, batches))
    chunks = [ids[k:k + size] for k in range(0, len(ids), size)]
    futures = [executor.submit(simulate, n, width, depth, c, stages, act, **kw) for c in chunks]
    results = [f.result() for f in futures]
    final = _merge([r[0] for r in results])
    trajectory = [(ell, _merge([r[1][k][1] for r in results])) for k, (ell, _) in enumerate(results[0][1])]
    return final, trajectory


def _plot(path, trajectory, n, title, attractor=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    depth = np.array([ell for ell, _ in trajectory])
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)

    def band(ax, values, label, colour):
        v = np.array(values, dtype=float)
        ax.fill_between(depth, np.nanmin(v, axis=1), np.nanmax(v, axis=1), color=colour, alpha=0.15,
                        lw=0)
        ax.fill_between(depth, *np.nanpercentile(v, [25, 75], axis=1), color=colour, alpha=0.3, lw=0)
        ax.plot(depth, np.nanmedian(v, axis=1), color=colour, lw=1.8, label=label)

    with np.errstate(all="ignore"):
        band(ax1, [s.norm_ratio for _, s in trajectory], "norm ratio (odd / mean of others)", "C0")
        ax1.axhline(n / 2, color="k", ls="--", lw=1, label="n/2 = %g" % (n / 2))
        if attractor is not None:           # where RC + ReLU goes at infinite width, not O_n's n - 1
            r = sum(attractor["norm_ratio"]) / 2
            ax1.axhline(r, color="grey", ls=":", lw=1, label="certified attractor, d = inf: %.2f" % r)
        ax1.set_yscale("log")
        ax1.set_ylabel("norm ratio")
        ax1.legend(loc="lower right", fontsize=9)
        band(ax2, [s.max_abs_cos_odd for _, s in trajectory], "max |cos(odd, other)|", "C3")
        band(ax2, [s.min_cos_others for _, s in trajectory], "min cos between others", "C2")
        ax2.axhline(OUTLIER_COS, color="k", ls="--", lw=1, label="%g" % OUTLIER_COS)
    ax2.set_ylim(min(-0.05, ax2.get_ylim()[0]), 1.05)
    ax2.set_xlabel("layer")
    ax2.set_ylabel("cosine")
    ax2.legend(loc="center right", fontsize=9)
    ax1.set_title(title + "\nmedian over seeds; dark band: quartiles, light band: min-max", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def run(args):
    doc = compute(args)
    show(args, doc, text)
    return exits.OK


def compute(args):
    """The --json document (``bnv.simulate`` wraps it): per seed the last layer's geometry, the
    outlier count, and with --every the trajectory.  --plot draws the figure."""
    stages, act, weight_var = _validate(args)
    every = args.every
    if args.plot and every is None:
        every_rec = max(1, args.depth // 200)
    else:
        every_rec = every
    bar = Progress("simulate: layer", args.progress)
    progress = lambda ell: bar(ell, args.depth)        # noqa: E731
    t0 = time.monotonic()
    ex = parallel.executor_for(args, args.jobs)
    try:
        if ex is None:
            final, trajectory = simulate(args.n, args.width, args.depth, args.seeds, stages, act,
                                         every=every_rec, base_seed=args.seed, sampler=args.sampler,
                                         progress=progress, weight_var=weight_var)
        else:                   # seed batches on Dask (no per-layer progress)
            final, trajectory = simulate_batches(ex, args.n, args.width, args.depth, args.seeds, stages, act,
                                                 args.jobs or parallel.default_jobs(), every=every_rec,
                                                 base_seed=args.seed, sampler=args.sampler,
                                                 weight_var=weight_var)
    finally:
        bar.done()
        if ex is not None:
            ex.shutdown()
    seconds = time.monotonic() - t0
    if args.plot:
        attractor = None
        if tuple(stages) == ("rc",) and act.states and 7 <= args.n <= limits.certified_max_n():
            # homogeneous phi: sigma_w^2 only scales, so the scale-free attractor is this model's too
            from ..claims.sweep import certified_attractor
            attractor = certified_attractor(args.n, act)
        _plot(args.plot, trajectory, args.n, _title(args, stages, act), attractor)
    hits = final.outlier(args.n / 2, OUTLIER_COS)
    doc = {"params": {"n": args.n, "width": args.width, "depth": args.depth, "seeds": args.seeds,
                      "stages": list(stages), "activation": act.name, "formula": _formula(act),
                      "alpha": act.alpha_text, "weight_var": str(weight_var),
                      "base_seed": args.seed, "sampler": args.sampler, "every": every,
                      "rescaled_each_layer": model.scale_free(stages, act),
                      "seed_rng": "numpy default_rng([base_seed, seed, 1]) for weights, "
                                  "[base_seed, seed, 0] for the initial batch"},
           "seeds": _seed_rows(final),
           "summary": {"outliers": int(hits.sum()), "criterion": "norm_ratio > n/2 and "
                       "max_abs_cos_odd < %g" % OUTLIER_COS},
           "seconds": round(seconds, 3)}
    if every is not None:
        doc["trajectory"] = [{"depth": ell, "seeds": _seed_rows(s)} for ell, s in trajectory]
    if args.plot:
        doc["plot"] = args.plot
    return doc


def _formula(act):
    """The user formula's text (None for a registered activation)."""
    return act.text


def _label(stages, activation):
    """'rc,relu', 'rc,leaky_relu(1/10)': the stages and the activation with its parameter."""
    return ",".join(list(stages) + [activation])


def _title(args, stages, act):
    return "%s, n=%d, width=%d, %d seeds, sampler=%s%s" % (
        _label(stages, act.text or str(act)), args.n, args.width, args.seeds, args.sampler, _wv(str(args.weight_var)))


def _wv(weight_var):
    """', sigma_w^2=4' (nothing at the default 1)."""
    return "" if str(weight_var) == "1" else ", sigma_w^2=%s" % weight_var


def text(doc):
    """The document for a reader: the parameters, one row per seed, the outlier count."""
    p = doc["params"]
    act = p["formula"] or (p["activation"] if p["alpha"] is None else "%s(%s)" % (p["activation"], p["alpha"]))
    lines = ["%s: n=%d, width=%d, depth=%d, %d seeds, sampler=%s%s, base seed %d (%.1f s)"
             % (_label(p["stages"], act), p["n"], p["width"], p["depth"], p["seeds"], p["sampler"],
                _wv(p["weight_var"]), p["base_seed"], doc["seconds"]),
             "%5s %5s %11s %13s %15s" % ("seed", "odd", "norm ratio", "max|cos odd|", "min cos others")
             + ("" if p["rescaled_each_layer"] else " %11s" % "scale")]
    for r in doc["seeds"]:
        lines.append("%5d %5d %11.4g %13.4f %15.4f" % (r["seed"], r["odd_index"], r["norm_ratio"],
                                                       r["max_abs_cos_odd"], r["min_cos_others"])
                     + ("" if p["rescaled_each_layer"] else " %11.4g" % r["scale"]))
    lines.append("%d of %d seeds end with one odd point: norm ratio > n/2 = %g and max|cos odd| < %g"
                 % (doc["summary"]["outliers"], len(doc["seeds"]), p["n"] / 2, OUTLIER_COS))
    zero = [r["seed"] for r in doc["seeds"] if r["zero_points"]]
    if zero:
        lines.append("%d seed(s) (%s) have points that are exactly 0: the scale collapsed below the floats' range, "
                     "so their cosines and norm ratio say nothing (not counted as outliers)"
                     % (len(zero), ", ".join(map(str, zero[:8])) + (", ..." if len(zero) > 8 else "")))
    if p["rescaled_each_layer"] and p["weight_var"] != "1":
        lines.append("sigma_w^2 = %s only scales this model (phi positively homogeneous, or rs): the geometry is the "
                     "one at sigma_w^2 = 1" % p["weight_var"])
    if not p["rescaled_each_layer"]:
        lines.append("the scale is part of this model's state (phi is not positively homogeneous, no rs): "
                     "nothing rescaled; sigma_w^2 = %s shapes the dynamics" % p["weight_var"])
    if "plot" in doc:
        lines.append("plot written to %s" % doc["plot"])
    return lines

