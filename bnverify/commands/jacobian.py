"""``bnverify jacobian``: the fixed point, symmetry blocks and spectrum at the configuration."""
from __future__ import annotations

import json
import sys

import sympy as sp

from .. import limits
from ..kernels import BadInput, parse_stages

NAME = "jacobian"
HELP = "fixed point, symmetry blocks and closed-form spectrum of the linearization at the configuration"
DESCRIPTION = """\
Derive, with exact algebra, the Gram fixed point G* of the configuration (n-1 identical
points plus one odd point), the factor c with F(G*) = c G*, the linearization split into
the cluster-permutation blocks, and its eigenvalues with multiplicities.

Convention: eigenvalues are those of the scale-free dynamics, i.e. of DF(G*)/c with the
eigenvalue 1 of the direction G* itself dropped; they add up to n(n+1)/2 - 1.

examples:
  bnverify jacobian --n 8
  bnverify jacobian --symbolic --json
  bnverify jacobian --symbolic --stages rc,leaky_relu      (alpha stays a symbol)
  bnverify jacobian --n 10 --stages rc,leaky_relu --alpha 1/10
"""


def add_arguments(p):
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--n", type=int, help="batch size (>= 3)")
    g.add_argument("--symbolic", action="store_true", help="closed forms in the symbol n (and alpha)")
    p.add_argument("--stages", default="rc,relu",
                   help="rc,relu (default), rc,leaky_relu or rc,identity")
    p.add_argument("--alpha", default=None,
                   help="leaky slope in [0, 1), e.g. 1/10 (with --symbolic: omit to keep alpha symbolic)")
    p.add_argument("--json", action="store_true", help="print one JSON document")


def _activation(args):
    from .. import symbolic

    if args.alpha is not None:
        limits.guard_number(args.alpha, "--alpha")
    stages, act = parse_stages(args.stages, args.alpha)
    if stages != ("rc",):
        raise BadInput("the Gram fixed point and Jacobian are derived for --stages rc,<activation>; "
                       "got %s (RS: see 'bnverify check --property rs-linearization')" % args.stages)
    if act.name == "tanh":
        raise BadInput("tanh has no closed-form kernel; use relu, leaky_relu or identity")
    if act.name == "leaky_relu" and args.alpha is None:
        if not args.symbolic:
            raise BadInput("--alpha is required with leaky_relu and a concrete --n")
        act = symbolic.symbolic_activation("leaky_relu")
    return act


def compute(args):
    from .. import symbolic

    if args.n is not None and args.n < 3:
        raise BadInput("n = %d: the configuration needs n >= 3" % args.n)
    if args.n is not None:
        limits.guard_int(args.n, "--n", limits.MAX_N)
    act = _activation(args)
    spec = symbolic.configuration_spectrum(act, None if args.symbolic else args.n)
    fp = spec["fixed_point"]
    st = fp["state"]
    summary = symbolic.stability_summary(spec)
    return {
        "n": str(spec["n"]) if args.symbolic else spec["n"],
        "activation": str(act),
        "convention": "eigenvalues of DF(G*)/c with the eigenvalue of the direction G* dropped",
        "fixed_point": {"cluster_diag": str(st.a), "cluster_offdiag": str(st.o), "cross": str(st.x),
                        "odd_diag": str(st.b), "norm_ratio": str(fp["norm_ratio"]),
                        "odd_cos": str(fp["odd_cos"])},
        "scale_factor": str(spec["scale_factor"]),
        "blocks": {k: {"matrix": [[str(v) for v in row] for row in M.tolist()],
                       "multiplicity": str(m), "basis": list(names)}
                   for k, (M, m, names) in spec["blocks"].items()},
        "eigenvalues": [{"value": str(e["value"]),
                         "multiplicity": str(e["multiplicity"]) if args.symbolic else int(e["multiplicity"]),
                         "mode": e["mode"]} for e in spec["eigenvalues"]],
        "multiplicities_sum_to_n(n+1)/2-1": bool(spec["multiplicities_ok"]),
        "stability": summary["statement"],
        "stability_verdict": _checked_stability(args, act),
        "boundary_derivative": ("one-sided derivatives from inside [-1, 1] at rho = +-1: "
                                "kappa'(1) = (1+alpha^2)/2, kappa'(-1) = alpha, kappa - rho kappa' = 0"),
    }


def _checked_stability(args, act):
    """'spectral radius < 1 at the two-point fixed point', decided by the trusted kernel."""
    from .. import claims, properties

    model = {"stages": "rc," + act.name}
    dom = {"n": "3.." if args.symbolic else str(args.n)}
    if act.name == "leaky_relu":
        if args.symbolic:
            dom["alpha"] = "0..1"
        else:
            model["alpha"] = str(act.slope)
    v = properties.check(claims.claim_from_dict(
        {"id": "stability", "title": "stability", "statement": "linear stability", "property": "spectral-radius",
         "expect": "refuted", "model": model, "domain": dom,
         "params": {"state": "two-point", "relation": "<", "bound": "1"}}, "jacobian"))
    return {"verdict": v.status, "statement": v.evidence.get("statement"), "reason": v.evidence.get("reason"),
            "checked": bool(v.evidence.get("checked"))}


def run(args):
    out = compute(args)
    if args.json:
        json.dump(out, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    w = sys.stdout.write
    w("Configuration O_n, %s, n = %s\n" % (out["activation"], out["n"]))
    fp = out["fixed_point"]
    w("  fixed point G*: cluster block all %s, odd diagonal %s, cross %s\n"
      % (fp["cluster_diag"], fp["odd_diag"], fp["cross"]))
    w("  norm ratio %s, odd-cluster cosine %s;  F(G*) = c G* with c = %s\n"
      % (fp["norm_ratio"], fp["odd_cos"], out["scale_factor"]))
    w("  blocks (size, multiplicity):\n")
    for k, b in out["blocks"].items():
        w("    %-9s %dx%d  x %s\n" % (k, len(b["matrix"]), len(b["matrix"]), b["multiplicity"]))
    w("  eigenvalues (%s):\n" % out["convention"])
    for e in out["eigenvalues"]:
        w("    %-40s x %-18s %s\n" % (e["value"], e["multiplicity"], e["mode"]))
    sv = out["stability_verdict"]
    w("  %s\n" % out["stability"])
    w("  trusted kernel: %s%s -- %s (%s)\n" % (sv["verdict"], "" if sv["checked"] else " (unchecked)",
                                              sv["statement"], sv["reason"]))
    return 0
