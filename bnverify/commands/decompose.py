"""``bnverify decompose``: what each subset of the stages {RC, RS, NL} does, proved where it
can be (infinite width) and measured everywhere (finite width)."""
from __future__ import annotations

import numpy as np

from .. import parallel
from ..claims import decomposition
from ..core import activations, limits
from ..derive import sweeps
from ..errors import BadInput
from ..report import pretty
from ..sim import classes
from ..sim import decompose as simd
from . import exits, options
from .output import Progress, save_figure, show_timed

ACTIVATIONS = activations.names(lambda k: k.stage)
NAME = "decompose"
HELP = "the stage ablation: each subset of RC, RS, NL at infinite width (verdicts) and finite width"
DESCRIPTION = """\
One row for each of the 8 subsets of the stages RC (recentre), RS (rescale), NL (the
activation; a row without NL is the linear layer), in the model's order RC, RS, NL; with
--stages rc,relu (say) only the subsets of those stages.  NL is any registered activation,
ACTIVATIONS
or a formula in x: --activation 'x*erf(x)' (with --stages rc,rs or rc, naming no
activation).  W is iid N(0, S2/D), S2 = --weight-var (default 1).  S2 only scales a
row with RS, without NL, or with a positively homogeneous NL (HOMOGENEOUS): those
rows' facts hold at every S2.  In the other rows (NL not homogeneous, no RS) the scale
is part of the state; their infinite-width facts are derived at S2 = 1 only, so at
another S2 they are inconclusive with that reason.

(a) infinite width: the fact bnverify can decide for that stage set, with a verdict
    (proved / refuted / inconclusive) and its method.  Proved means exact algebra (sympy),
    ball arithmetic (arb), checked by a trusted checker; floating point never proves.
      none     F(G) = G (the identity map)
      RC       F(G) = C G C, a linear projection (C^2 = C)
      RS       n >= 4, on the family lam C + beta 11^T/n (holds G = I): cosines rise to 1
      RC+RS    G -> C, the regular simplex (cosines -1/(n-1)); factor (n-1)/(n+1) near it
      NL       the ReLU family: every correlation rises to 1, 1 - rho_l ~ const / l^2
      RC+NL    the catalogue's claims at this n (fixed point, instability, attractor, simplex)
      RS+NL    n >= 4, within the family lam C + beta 11^T/n: every start collapses (n = 3:
               the map is infinite, inconclusive)
      RC+RS+NL the catalogue's RS claims
    An NL outside the ReLU family (no closed-form kernel here): its rows are
    inconclusive, with the reason.
    A row with a proved end state (collapse, simplex) compares the finite-width fractions with it.
(b) finite width: S seeds of width D and depth L; the fraction ending in each geometry
    class with a 95% Wilson interval, and the median layer from which a seed stays in
    its end class.  Classes (first that holds): collapse (all cosines > 0.99), orthogonal
    (rms cosine < 0.1), odd_point (one point with rms |cosine| < 0.12 to the others, which
    are 0.2 more aligned among themselves), simplex (equal cosines and norms within 0.1),
    other.  See docs/decompose.md.

--plot draws one panel per stage set: the pairwise cosines of a typical seed (the first of
the most frequent end class) against depth.  Seed s draws from numpy default_rng([BASE,
s, stream]), so the same options give the same JSON.  Stage sets run as independent jobs
on local processes (--jobs) or Dask (--executor dask).

examples:  bnverify decompose
           bnverify decompose --n 16 --width 512 --depth 300 --seeds 32 --plot stages.png
           bnverify decompose --stages rc,rs,leaky_relu --alpha 1/10 --start clusters:2 --json
           bnverify decompose --stages rc,relu        (the 4 subsets of RC and NL only)
           bnverify decompose --stages rc,rs,gelu --weight-var 2
           bnverify decompose --stages rc,rs --activation 'x*erf(x)'
""".replace("ACTIVATIONS", options.activation_lines()).replace(
    "HOMOGENEOUS", ", ".join(activations.names(lambda k: k.stage and k.degree is not None)))


def add_arguments(p):
    p.add_argument("--n", type=int, default=8, help="batch size (>= 2; default 8)")
    options.add_model(p, ("rc", "rs"), default="rc,rs,relu",
                      help="the model whose subsets are the rows: rc, rs and one activation NL, one of %s "
                           "(default rc,rs,relu: all 8 subsets; rc,relu: the 4 subsets of RC and NL); a formula "
                           "NL goes in --activation" % ", ".join(ACTIVATIONS))
    options.add_weight_var(p)
    p.add_argument("--width", type=int, default=256, help="width d (>= 2; default 256)")
    p.add_argument("--depth", type=int, default=200, help="layers (>= 1; default 200)")
    p.add_argument("--seeds", type=int, default=16, help="independent networks per row (default 16)")
    p.add_argument("--start", default="gaussian", help="gaussian (default), configuration or clusters:K")
    options.add_seed(p)
    options.add_plot(p, "small multiples of cosine trajectories")
    options.add_json(p)
    options.add_jobs(p, "worker processes for the 8 stage sets (default min(2, cpu count); 1: in this process)")
    parallel.add_executor_arguments(p)
    options.add_progress(p)


def _validate(args):
    options.at_least("--n", args.n, 2)
    options.at_least("--width", args.width, 2)
    options.at_least("--depth", args.depth, 1)
    options.at_least("--seeds", args.seeds, 1)
    options.seed(args.seed)
    limits.guard_int(args.n, "--n", options.MAX_DECOMPOSE_N)
    limits.guard_simulation(args.n, args.width, args.depth, 8 * args.seeds, what="decompose")
    if args.stages is not None and args.activation is None and \
            not any(p.strip().lower() in ACTIVATIONS for p in args.stages.split(",")):
        raise BadInput("--stages %s: name the activation NL too, e.g. --stages %s,relu (or a formula: --stages %s "
                       "--activation 'x*erf(x)')" % (limits.show(args.stages), args.stages, args.stages))
    stages, act = options.model(args, "decompose", None)
    args.weight_var_value = options.weight_var(args.weight_var)
    model = set(stages) | {"nl"}
    args.subsets = [sub for sub in decomposition.SUBSETS if set(sub) <= model]
    options.plot_path(args.plot)
    options.jobs(args.jobs)
    return act, simd.parse_start(args.start, args.n)


def scale_matters(subset, act):
    """Whether sigma_w^2 changes the row's dynamics (not only its scale): an NL that is not
    positively homogeneous, and no RS after the weights to remove the scale."""
    return "nl" in subset and "rs" not in subset and not act.homogeneous


def row_fact(subset, act, n, weight_var=1):
    """The row's infinite-width fact (claims.decomposition, derived at sigma_w^2 = 1), or
    inconclusive where sigma_w^2 != 1 changes the dynamics that fact is about."""
    if weight_var != 1 and scale_matters(subset, act):
        return decomposition.inconclusive(
            "%s at sigma_w^2 = %s: the infinite-width map" % (",".join(decomposition.model_stages(subset, act)),
                                                              weight_var),
            "the infinite-width facts here are derived at sigma_w^2 = 1; with %s (not positively homogeneous) and no "
            "RS, sigma_w^2 = %s changes the map itself, which this row does not analyse" % (act.text or act,
                                                                                            weight_var))
    return decomposition.checked(subset, act, n)


def decompose(n, act, width, depth, seeds, start, *, base_seed=0, executor=None, plot=False,
              progress=None, subsets=decomposition.SUBSETS, weight_var=1):
    """The rows (see DESCRIPTION), one per subset of ``subsets``; ``executor`` runs their
    simulations (None: in this process); W of variance weight_var/d."""
    ex = executor or sweeps.InlineExecutor()
    every = max(1, depth // 200)
    alpha = act.alpha_text
    futures = [ex.submit(simd.job, decomposition.model_stages(sub, act), n, width, depth, seeds, start,
                         alpha, base_seed, every, plot, act, weight_var) for sub in subsets]
    facts = []
    for sub in subsets:          # meanwhile, the infinite-width facts here
        facts.append(row_fact(sub, act, n, weight_var))
    rows = []
    for k, (sub, fut, fact) in enumerate(zip(subsets, futures, facts)):
        r = fut.result()
        if progress:
            progress(k + 1, len(futures), r["stages"])
        fact = {key: v for key, v in fact.items()}
        rows.append({"stages": r["stages"], "infinite_width": fact, "finite_width": r["finite_width"],
                     "_typical": r.get("typical"), "_layers": r["layers"]})
    return rows


def plot(path, rows, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(14, 6.5), sharex=True, sharey=True)
    for ax, row in zip(axes.flat, rows):
        t = row["_typical"]
        layers = np.array(row["_layers"])
        pc = np.asarray(t["pair_cosines"])
        ax.plot(layers, pc, lw=0.6, alpha=0.5, color="C0")
        fr = row["finite_width"]["fractions"]
        ax.set_title("%s\nseed %d: %s (%d%% of seeds)" % (",".join(row["stages"]) or "linear (no stage)",
                                                       t["seed"], t["end_class"], round(100 * fr[t["end_class"]])),
                     fontsize=9)
        ax.set_ylim(-1.05, 1.05)
        ax.axhline(0, color="k", lw=0.5)
    for ax in axes.flat[len(rows):]:         # --stages with fewer than 3 stages: fewer rows
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("layer")
    for ax in axes[:, 0]:
        ax.set_ylabel("pairwise cosine")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)


def _fmt_fraction(fw, name):
    f = fw["fractions"][name]
    if not f:
        return "-"
    m = fw["median_layers"][name]
    lo, hi = fw["ci"][name]
    return "%.2f [%.2f,%.2f] @%d" % (f, lo, hi, round(m))      # the median layer to the nearest one (JSON: exact)


def run(args):
    show_timed(args, compute, text)
    return exits.OK


def compute(args):
    """The --json document (``bnv.decompose`` wraps it): one row per subset of the stages.
    --plot draws the figure."""
    act, start = _validate(args)
    ex = options.executor(args, args.jobs or parallel.default_jobs())
    bar = Progress("decompose: stage set", args.progress)
    try:
        rows = decompose(args.n, act, args.width, args.depth, args.seeds, start, base_seed=args.seed,
                         executor=ex, plot=bool(args.plot), subsets=args.subsets, weight_var=args.weight_var_value,
                         progress=lambda k, total, stages: bar(k, total, ",".join(stages) or "linear"))
    finally:
        ex.shutdown()
        bar.done()
    if args.plot:
        plot(args.plot, rows, _title(args.n, act.text or str(act), args.width, args.depth, args.seeds, args.start,
                                     str(args.weight_var_value)))
    wv = args.weight_var_value
    doc = {"n": args.n, "stages": decomposition.model_stages(args.subsets[-1], act), "activation": act.name,
           "alpha": act.alpha_text, "formula": act.text, "weight_var": str(wv),
           "weight_var_note": _weight_var_note(wv, act, args.subsets),
           "width": args.width, "depth": args.depth, "seeds": args.seeds, "start": args.start,
           "base_seed": args.seed, "classes": classes.CRITERIA,
           "rows": [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]}
    if args.plot:
        doc["plot"] = args.plot
    return doc


def _weight_var_note(weight_var, act, subsets):
    """What sigma_w^2 does to these rows, in one sentence."""
    moved = [",".join(decomposition.model_stages(s, act)) for s in subsets if scale_matters(s, act)]
    if not moved:
        return "sigma_w^2 = %s only scales every layer of these rows (%s): the geometry is the same as at 1" % (
            weight_var, "NL positively homogeneous, or RS, or no NL" if act.homogeneous else "RS, or no NL")
    return ("sigma_w^2 = %s only scales the rows with RS or without NL; in %s the scale is part of the state and "
            "sigma_w^2 shapes the dynamics" % (weight_var, ", ".join(moved)))


def _title(n, act, width, depth, seeds, start, weight_var="1"):
    return "n=%d, NL=%s%s, width=%d, depth=%d, %d seeds, start %s" % (
        n, act, "" if weight_var == "1" else ", sigma_w^2=%s" % weight_var, width, depth, seeds, start)


def text(doc, seconds):
    """The document for a reader: the table of rows, then each row's infinite-width fact."""
    act = doc["formula"] or (doc["activation"] if doc["alpha"] is None else "%s(%s)" % (doc["activation"], doc["alpha"]))
    public = doc["rows"]
    lines = ["decompose: %s (%.1f s)" % (_title(doc["n"], act, doc["width"], doc["depth"], doc["seeds"], doc["start"],
                                                doc["weight_var"]), seconds),
             "verdict: infinite width; then finite width: fraction of seeds [95% Wilson interval] @ median layer "
             "to reach it"]
    head = ("stages", "verdict", "collapse", "orthogonal", "odd_point", "simplex", "other")
    lines += pretty.grid([head] + [(",".join(r["stages"]) or "(none)", r["infinite_width"]["verdict"])
                                   + tuple(_fmt_fraction(r["finite_width"], c) for c in classes.CLASSES)
                                   for r in public])
    if doc["weight_var"] != "1":
        lines += [""] + pretty.wrap(doc["weight_var_note"])
    lines += ["", "infinite width:"]
    for r in public:
        f = r["infinite_width"]
        lines.append("  %-16s %s" % (",".join(r["stages"]) or "(none)", f["verdict"]))
        lines += pretty.wrap(pretty.formula(f["statement"]), " " * 6)
        if f.get("derivation"):         # it quotes sympy: in reader's notation (9 pi^2/2, not 9*pi**2/2)
            lines += pretty.wrap("derivation: " + pretty.formula(f["derivation"]), " " * 6)
        lines += pretty.wrap("method: %s%s" % (f["method"], ("; checked by " + f["checked_by"]) if f.get("checked_by")
                                               else ""), " " * 6)
        end = f["evidence"].get("end_class")
        if end and f["verdict"] == "proved":
            fw = r["finite_width"]
            reach = f["evidence"].get("layers_to_cos_0.99_from_identity")
            lines += pretty.wrap("finite width against it: %.2f [%.2f, %.2f] of the seeds end in %s, the proved "
                                 "infinite-width end state%s" % ((fw["fractions"][end],) + tuple(fw["ci"][end]) + (end, (
                                     "; from G = I the infinite-width orbit has every cosine > 0.99 after %d layers "
                                     "(mpmath, a suggestion), median layer at finite width %s" % (
                                         reach, fw["median_layers"][end])) if reach else "")), " " * 6)
        why = f["evidence"].get("reason")
        if why:
            lines += pretty.wrap("reason: " + why, " " * 6)
    if "plot" in doc:
        lines.append("plot written to %s" % doc["plot"])
    return lines
