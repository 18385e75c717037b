"""``bnverify simplex``: certify the simplex state per n (value and linear stability)."""
from __future__ import annotations

import json

from .. import certify, properties
from . import attractor

NAME = "simplex"
ORDER = 41
HELP = "certify the simplex state per n: fixed point, pairwise cosine, spectral radius"
DESCRIPTION = """\
The simplex state: all n points of equal norm with one common pairwise cosine
kappa(-1/(n-1)) / kappa(1) (for an S_n-symmetric G, C G C is proportional to C, so this is
an exact fixed point of the scale-free dynamics).  For each n it is certified in ball
arithmetic: Krawczyk on the symmetric reduction (the box must contain the explicit value)
and the spectral radius of the scale-free linearization in the full space (eigenvalues of
DF(G*)/c without G*'s own direction), per symmetry block.  Bounds are rounded outward.

example:  bnverify simplex --n 3..40 --json
"""

# the attractor's fields too (cluster_cos = odd_cos = simplex_cos, norm_ratio = 1 here),
# so that the two sweeps can be read and compared the same way
FIELDS = ("simplex_cos", "cluster_cos", "odd_cos", "norm_ratio", "spectral_radius")


def add_arguments(p):
    attractor.add_arguments(p, FIELDS)


def run(args):
    ns, act, jobs = attractor.parse_common(args)
    ex = attractor.executor(jobs, args)
    try:
        vs = certify.simplex_sweep(ns, act, executor=ex, prec=args.prec,
                                   progress=attractor.progress if len(ns) > 1 else None)
    finally:
        ex.shutdown()
    vs = [properties.checked_state(v, "simplex", act) for v in vs]     # every verdict shown is the kernel's
    results = [attractor.entry(v, FIELDS) for v in vs]
    doc = {"activation": str(act), "results": results,
           "eigenvalue_convention": "scale-free: eigenvalues of DF(G*)/c without G*'s own direction"}
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print("simplex state, %s (rigorous enclosures)" % act)
        print(attractor.table(results, FIELDS))
    return 0
