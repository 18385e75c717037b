"""``bnverify rank``: rank growth -- the infinite-width rank of K(Sigma) by the lemma, its
eigenvalues at 50 digits, and the sampled finite-width rank of phi(W X) against the width."""
from __future__ import annotations

from ..core import activations
from ..derive import rank
from ..errors import BadInput
from ..sim import ranks
from . import exits, options
from .output import show

NAME = "rank"
HELP = "rank growth: K(Sigma) by the lemma (exact), and the sampled rank of relu(W X) against width and n"
DESCRIPTION = """\
Three batches of n points in the plane: the centred two-point batch (rank one), n directions no
two collinear, and n//2 antipodal pairs.  For each: the rank of the infinite-width kernel matrix
K(Sigma) by the lemma of docs/rank.md (proved: claims kernel-definite, rank-growth; the antipodal
pairs are why "no two points positively collinear" is not enough), the smallest eigenvalues of
K(Sigma) in mpmath at 50 digits, and, SAMPLED over S draws of W (width x 2, N(0, 1/2)), the rank
of phi(W X) by numpy's matrix_rank (default tolerance sigma_max * max(width, n) * eps) per width.

examples:  bnverify rank
           bnverify rank --n 16 --width 2,8,32,128 --seeds 50 --json
"""


def add_arguments(p):
    p.add_argument("--n", type=int, default=8, help="batch size, 2..%d (default 8)" % ranks.MAX_N)
    p.add_argument("--width", default="2,4,8,16,64,256", metavar="D,D,...",
                   help="widths, 1..%d (default 2,4,8,16,64,256)" % ranks.MAX_WIDTH)
    p.add_argument("--seeds", type=int, default=20, help="draws of W per width (default 20)")
    options.add_model(p, (), default="relu", help="the activation alone: relu (default) or leaky_relu (no rc: "
                      "the lemma is about the kernel K of the activation)")
    options.add_seed(p)
    options.add_json(p)


def run(args):
    doc = compute(args)
    show(args, doc, text)
    return exits.OK


def compute(args):
    """The --json document (``bnv.rank`` wraps it): per batch, the infinite-width rank, the
    smallest eigenvalues of K(Sigma) and the sampled ranks per width."""
    _, act = options.model(args, "rank", "the activation alone (the lemma is about its kernel K)")
    if not act.states:
        raise BadInput("--stages %s: give %s alone (the lemma is about the kernel)"
                       % (act.name, activations.spoken(activations.names(lambda k: k.states))))
    options.seed(args.seed)
    sampled = ranks.ranks(args.n, options.int_list(args.width, "--width"), args.seeds, act, args.seed)
    eig = {name: [float(e) for e in rank.kernel_eigenvalues(X.T, act.slope)[:3]]
           for name, (X, _) in rank.plane_batches(args.n).items()}
    return {"n": args.n, "activation": str(act), "seeds": args.seeds, "seed": args.seed,
            "tolerance": "numpy matrix_rank default: sigma_max * max(width, n) * eps",
            "sampled": "finite-width rows", "smallest_eigenvalues_50_digits": eig, "inputs": sampled}


def text(doc):
    lines = ["rank growth, %s, n = %d" % (doc["activation"], doc["n"])]
    for name, t in doc["inputs"].items():
        eig = doc["smallest_eigenvalues_50_digits"][name]
        lines += ["", "%s: infinite-width rank %d (lemma, docs/rank.md); smallest eigenvalues of K(Sigma), "
                  "mpmath 50 digits: %s" % (name, t["infinite_width_rank"], ", ".join("%.3g" % e for e in eig))]
        lines.append("  SAMPLED over %d draws of W:  %6s %6s %6s %6s %6s %8s" % (
            doc["seeds"], "width", "bound", "min", "median", "max", "reached"))
        for r in t["rows"]:
            lines.append("  %33s %6d %6d %6d %6g %6d %8.2f" % ("", r["width"], r["bound"], r["min"], r["median"],
                                                            r["max"], r["reached"]))
    return lines
