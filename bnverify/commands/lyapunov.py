"""``bnverify lyapunov``: the finite-width growth rate of the cluster spread at O_n, with a
confidence interval over seeds, beside its infinite-width value."""
from __future__ import annotations

import sys

from ..core import limits
from ..sim import lyapunov, lyapunov_rate
from ..report import pretty
from . import exits, options
from .output import show_timed

NAME = "lyapunov"
HELP = "finite-width growth rate of the cluster spread at O_n (95%% CI over seeds) vs infinite width"
DESCRIPTION = """\
Start at the configuration O_n (n-1 identical points v, one odd point u orthogonal to v),
push the cluster points apart infinitesimally, and follow the spread

    |x_j - x_k| / |x_j|   (two cluster points)

through L layers of the finite-width network linearized around O_n (W fresh every layer,
never formed: its action is drawn from its exact law).  The rate is the mean log growth
per layer (first 5 layers discarded), one estimate per seed, with a 95% Student-t
interval over seeds.  Beside it, for the ReLU family (HOMOGENEOUS), the infinite-width
value log(mu)/2, mu the spread eigenvalue of the scale-free Gram linearization at O_n in
closed form (relu: n^2/(n^2-2n+2)).  A positive rate means the exact configuration is
unstable: a cluster does not stay collapsed.  Sampling corroborates, it never proves.

Stages: rc and any activation,
ACTIVATIONS
or a formula (--activation 'x*erf(x)').  W is iid N(0, S2/D), S2 = --weight-var (default
1).  For the ReLU family S2 only scales: the rate is the same at every S2.  For any other
phi the tangent dynamics is written for that phi at its own two-point state (the cluster
point phi(-w/n) and the odd point phi((n-1)w/n) need not be orthogonal, and their scale
is never rescaled), so S2 matters; the infinite-width value is then not available here,
and the output says so instead of printing a ReLU number.  RS is refused: with RS the
infinite-width map has no linearization at O_n (claim rs-linearization).

examples:  bnverify lyapunov --n 16 --width 1024 --depth 400 --seeds 32
           bnverify lyapunov --n 8 --width 256 --depth 200 --seeds 16 --stages rc,leaky_relu --alpha 1/10 --json
           bnverify lyapunov --n 8 --width 256 --depth 200 --seeds 16 --stages rc,tanh --weight-var 2
""".replace("ACTIVATIONS", options.activation_lines()).replace(
    "HOMOGENEOUS", ", ".join(lyapunov_rate.closed_family()))


def add_arguments(p):
    p.add_argument("--n", type=int, required=True, help="batch size (>= 3)")
    p.add_argument("--width", type=int, required=True, help="width d (>= %d)" % lyapunov_rate.MIN_WIDTH)
    p.add_argument("--depth", "--layers", dest="depth", type=int, required=True, metavar="L",
                   help="layers followed (>= 1); --layers is the older spelling")
    p.add_argument("--seeds", type=int, required=True, help="independent networks (>= 2 for an interval)")
    options.add_model(p, ("rc",), help="rc and one activation (default rc,relu)")
    options.add_weight_var(p)
    options.add_seed(p)
    options.add_json(p)


def _validate(args):
    options.at_least("--n", args.n, 3)
    options.at_least("--width", args.width, lyapunov_rate.MIN_WIDTH)
    options.at_least("--depth", args.depth, 1)
    options.at_least("--seeds", args.seeds, 2)
    options.seed(args.seed)
    limits.guard_simulation(args.n, args.width, args.depth, args.seeds, what="lyapunov")
    stages, act = options.model(args, "lyapunov", None)
    lyapunov_rate.check_model(stages, act)
    return stages, act, options.weight_var(args.weight_var)


def run(args):
    show_timed(args, compute, text)
    return exits.OK


def compute(args):
    """The --json document (``bnv.lyapunov`` wraps it): the rate per seed, its mean with a 95%
    Student-t interval, and the infinite-width value."""
    stages, act, weight_var = _validate(args)
    if args.width * args.n * args.depth * args.seeds > 5e7 and sys.stderr.isatty():
        sys.stderr.write("simulating %d seeds x %d layers at width %d ...\r" % (args.seeds, args.depth, args.width))
        sys.stderr.flush()
    doc = lyapunov.rate(act, args.n, args.width, args.depth, args.seeds, args.seed, weight_var=weight_var)
    doc.update({"stages": list(stages) + [act.name], "alpha": act.alpha_text, "formula": act.text,
                "weight_var": str(weight_var), "base_seed": args.seed})
    return doc


def text(doc, seconds):
    lo, hi = doc["ci"]
    stages = doc["stages"][:-1] + [doc["formula"]] if doc["formula"] else doc["stages"]
    lines = ["%s%s, n=%d, width=%d, %d layers, %d seeds (%.1f s)" % (
                 ",".join(stages), "" if doc["weight_var"] == "1" else ", sigma_w^2=%s" % doc["weight_var"], doc["n"],
                 doc["width"], doc["layers"], doc["seeds"], seconds),
             "quantity: %s" % doc["quantity"],
             "finite width:    %.5f per layer, 95%% CI [%.5f, %.5f]" % (doc["rate"], lo, hi)]
    if doc["infinite_width"] is None:
        return lines + pretty.wrap("infinite width:  not available. " + doc["infinite_width_note"], "", " " * 17)
    inside = lo <= doc["infinite_width"] <= hi
    if doc["weight_var"] != "1":
        lines.append("sigma_w^2 = %s only scales this model (phi positively homogeneous): the rate is the one at 1"
                     % doc["weight_var"])
    return lines + ["infinite width:  %.5f = log(mu)/2, mu = %s (exact, closed form)" % (doc["infinite_width"],
                                                                                       doc["spread_eigenvalue"]),
                    "the interval %s the infinite-width value" % ("contains" if inside else "does NOT contain")]
