"""``bnverify gram-starts``: where the full infinite-width Gram map goes from random PSD starts
(sampled; beyond the S_{n-1}-symmetric family)."""
from __future__ import annotations

from ..core import activations
from ..errors import BadInput
from ..sim import classes, gram_starts
from . import exits, options
from .output import show_timed

NAME = "gram-starts"
HELP = "sampled: limits of the full n(n+1)/2-dimensional Gram map from random PSD starts"
DESCRIPTION = """\
From S random PSD starts G = X^T X (X an n x n Gaussian, no symmetry) iterate the infinite-width
map G -> F(G)/tr F(G) in float64 until a step moves no entry by 1e-12 (else: unconverged), and
classify the limit with the geometry classes of `bnverify decompose` (odd_point, simplex, ...),
with 95% Wilson intervals; each distinct limit is listed with its cluster cosine, odd cosine and
norm ratio and whether it is S_{n-1}-symmetric up to relabelling.  Sampling corroborates, it
never proves: it says how representative the symmetric family (bnverify basins) is.
See docs/rank.md ("Beyond the symmetric family").

examples:  bnverify gram-starts
           bnverify gram-starts --n 4,7,8,16 --starts 200 --json
"""


def add_arguments(p):
    p.add_argument("--n", default="4,7,8,16", metavar="N,N,...", help="batch sizes, 3..%d (default 4,7,8,16)"
                   % gram_starts.MAX_N)
    p.add_argument("--starts", type=int, default=100, help="random starts per n (default 100)")
    p.add_argument("--depth", "--layers", dest="depth", type=int, default=20000, metavar="L",
                   help="at most this many layers (steps of the map) per start (default 20000); --layers is the older "
                        "spelling")
    options.add_stages(p, help="rc plus %s (default rc,relu): the scale-free map of a homogeneous activation"
                       % activations.spoken(activations.names(lambda k: k.slope is not None)))
    options.add_alpha(p)
    options.add_seed(p)
    options.add_json(p)


def run(args):
    show_timed(args, compute, text)
    return exits.OK


def compute(args):
    """The --json document (``bnv.gram_starts`` wraps it): per n the fractions of starts in each
    class (95% Wilson intervals) and the distinct limits."""
    ns = options.int_list(args.n, "--n")
    stages, act = options.stages(args.stages, args.alpha)
    if stages != ("rc",):
        raise BadInput("--stages %s: the Gram map here is RC then the activation (no rs)" % args.stages)
    options.seed(args.seed)
    tables = [gram_starts.run(n, args.starts, args.depth, act, args.seed) for n in ns]
    return {"stages": ["rc", act.name], "alpha": act.alpha_text, "sampled": True, "tolerance": gram_starts.TOL,
            "symmetry_tolerance": gram_starts.SYM_TOL, "criteria": classes.CRITERIA,
            "seed": args.seed, "tables": tables}


def text(doc, seconds):
    tables = doc["tables"]
    act = doc["stages"][1] if doc["alpha"] is None else "%s(%s)" % (doc["stages"][1], doc["alpha"])
    lines = ["gram-starts (SAMPLED, not a proof): rc,%s, %d random PSD starts per n, %.1f s"
             % (act, tables[0]["starts"], seconds)]
    for t in tables:
        lines += ["", "n = %d (median %s steps to converge)" % (t["n"], t["median_layers"])]
        for b, r in t["classes"].items():
            if r["count"]:
                lines.append("  %-12s %5d  %.3f [%.3f, %.3f]" % (b, r["count"], r["fraction"], *r["ci"]))
        for lim in t["limits"]:
            lines.append("  limit %-9s %-13s cluster cos %.5f  odd cos %.5f  norm ratio %.5f  (%d starts)" % (
                lim["class"], "symmetric" if lim["symmetric"] else "not symmetric", lim["cluster_cos"],
                lim["odd_cos"], lim["norm_ratio"], lim["starts"]))
    return lines
