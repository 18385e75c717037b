"""``bnverify jacobian``: the fixed point, symmetry blocks and spectrum at the configuration."""
from __future__ import annotations

import re

import sympy as sp

from ..core import activations, limits
from ..derive import symbolic
from ..report import pretty
from ..errors import BadInput
from .. import trusted
from ..claims.properties import two_point as any_activation
from . import exits, options
from .output import emit_json, say

NAME = "jacobian"
HELP = "fixed point, symmetry blocks and closed-form spectrum of the linearization at the two-point state"
DESCRIPTION = """\
Derive, with exact algebra, the Gram fixed point G* of the two-point state (n-1 identical
points plus one odd point), the factor c with F(G*) = c G*, the linearization split into
the cluster-permutation blocks, and its eigenvalues with multiplicities.  The odd point's
cosine to the cluster is -2 alpha/(1 + alpha^2) for a leaky slope alpha; the state is the
configuration O_n (the odd point orthogonal to the cluster) only for relu (alpha = 0), and
the output names the state it linearizes at accordingly.

Convention: eigenvalues are those of the scale-free dynamics, i.e. of DF(G*)/c with the
eigenvalue 1 of the direction G* itself dropped; they add up to n(n+1)/2 - 1.

examples:
  bnverify jacobian --n 8
  bnverify jacobian --symbolic --json
  bnverify jacobian --symbolic --stages rc,leaky_relu      (alpha stays a symbol)
  bnverify jacobian --n 10 --stages rc,leaky_relu --alpha 1/10
  bnverify jacobian --n 8 --stages rc,tanh --weight-var 2     (ball enclosures: docs/two-point.md)
  bnverify jacobian --n 8 --stages rc,tanh --weight-var 2 --state simplex

For a non-homogeneous activation (@NONHOM@) the scale is
part of the state: the two-point fixed point is one of the map itself (F(G*) = G*), found per n by
a bracket of S(s) = s the trusted kernel re-checks, and the eigenvalues are those of DF(G*) itself,
from the kernel's blocks (docs/two-point.md), as ball enclosures.  --state simplex does the same at
the simplex state s I + b J (every pair at one cosine; Mehler's series in balls).
"""
NON_HOMOGENEOUS = activations.names(lambda k: k.stage and k.degree is None)
DESCRIPTION = DESCRIPTION.replace("@NONHOM@", ", ".join(NON_HOMOGENEOUS))


def add_arguments(p):
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--n", type=int, help="batch size (>= 3)")
    g.add_argument("--symbolic", action="store_true", help="closed forms in the symbol n (and alpha)")
    options.add_stages(p, help="rc,relu (default), rc,leaky_relu or rc,identity: exact; rc,PHI for a non-homogeneous "
                       "PHI (%s): ball enclosures at --n" % ", ".join(NON_HOMOGENEOUS))
    options.add_alpha(p, "leaky slope in [0, 1), e.g. 1/10 (with --symbolic: omit to keep alpha symbolic); elu's alpha")
    options.add_weight_var(p)
    p.add_argument("--state", choices=("two-point", "simplex"), default="two-point",
                   help="with a non-homogeneous PHI: the two-point fixed point (default) or the simplex state "
                        "s I + b J (Mehler's series in balls); the ReLU family's simplex state: bnverify simplex")
    options.add_json(p)


def _activation(args):
    stages, act = options.stages(args.stages, args.alpha)
    if stages != ("rc",):
        raise BadInput("the Gram fixed point and Jacobian are derived for --stages rc,<activation>; "
                       "got %s (RS: see 'bnverify check --property rs-linearization')" % args.stages)
    if not act.homogeneous and act.name in trusted.twopoint.TABLE:
        if args.symbolic:
            raise BadInput("%s is not homogeneous: its two-point fixed point is found per n (give --n), in balls" % act)
        return act
    if not act.has_closed_kernel:
        raise BadInput("%s has no closed-form kernel; use %s, or one of %s (ball enclosures)" % (
            act, activations.spoken(activations.names(lambda k: k.stage and k.slope is not None)),
            ", ".join(sorted(trusted.twopoint.TABLE))))
    if options.weight_var(args.weight_var) != 1:
        raise BadInput("--weight-var: %s is positively homogeneous, so sigma_w^2 only scales G; its scale-free "
                       "spectrum is the same at every sigma_w^2 (omit --weight-var)" % act)
    if act.takes_alpha and args.alpha is None:
        if not args.symbolic:
            raise BadInput("--alpha is required with %s and a concrete --n" % act.name)
        act = symbolic.symbolic_activation(act.name)
    return act


def _range(valid_from, present_from, below=None):
    """'n >= 4 (none at n = 4)', 'n >= 4 (n = 3: 2x2, 1 copy)', from the derived bounds."""
    if valid_from is None:
        return "range of validity not derived"
    text = "n >= %d" % valid_from
    notes = []
    if present_from is not None and present_from > valid_from:
        notes.append("none at %s" % ("n = %d" % valid_from if present_from == valid_from + 1
                                     else "n = %d..%d" % (valid_from, present_from - 1)))
    for m, b in sorted((below or {}).items()):
        notes.append("n = %d: %s" % (m, "absent" if b is None else "%dx%d, %d cop%s" % (
            b["size"], b["size"], b["copies"], "y" if b["copies"] == 1 else "ies")))
    return text + (" (%s)" % "; ".join(notes) if notes else "")


def compute(args):
    if args.n is not None and args.n < 3:
        raise BadInput("n = %d: the %s state needs n >= 3" % (args.n, args.state))
    if args.n is not None:
        limits.guard_int(args.n, "--n", limits.MAX_N)
    act = _activation(args)
    if not act.homogeneous:
        if args.n > trusted.twopoint.MAX_N:
            raise BadInput("n = %d: the kernel's %s items take n <= %d" % (args.n, args.state, trusted.twopoint.MAX_N))
        stability, v = _stability(args, act)
        found = [it for it in (v.certificate or {}).get("evidence", []) if it.get("type") == args.state + "-bracket"]
        return any_activation.jacobian(act, args.n, options.weight_var(args.weight_var), stability, args.state,
                                       found[0] if found else None)
    if args.state != "two-point":
        raise BadInput("--state %s: for %s the simplex state is printed by bnverify simplex (its spectrum there, per "
                       "n, with exact values)" % (args.state, act))
    spec = symbolic.configuration_spectrum(act, None if args.symbolic else args.n)
    valid = symbolic.validity(act, spec) if args.symbolic else None
    fp = spec["fixed_point"]
    st = fp["state"]
    summary = symbolic.stability_summary(spec)
    blocks = {}
    for k, (M, m, names) in spec["blocks"].items():
        b = {"matrix": [[str(v) for v in row] for row in M.tolist()], "multiplicity": str(m), "basis": list(names),
             "multiplicity_text": pretty.factored(m, symbolic.N), "multiplicity_latex": sp.latex(sp.sympify(m))}
        if valid:
            vb = valid["blocks"][k]
            b.update(valid_from=vb["valid_from"], present_from=vb["present_from"],
                     below={str(below_n): x for below_n, x in vb["below"].items()},
                     validity=_range(vb["valid_from"], vb["present_from"], vb["below"]))
        blocks[k] = b
    eig = []
    for i, e in enumerate(spec["eigenvalues"]):
        row = {"value": str(e["value"]),
               "multiplicity": str(e["multiplicity"]) if args.symbolic else int(e["multiplicity"]),
               "mode": e["mode"], "text": pretty.factored(e["value"], symbolic.N), "latex": sp.latex(e["value"]),
               "multiplicity_text": pretty.factored(e["multiplicity"], symbolic.N),
               "multiplicity_latex": sp.latex(e["multiplicity"])}
        if valid:
            v = valid["eigenvalues"][i]
            row.update(v, validity=_range(v["valid_from"], v["present_from"]))
        eig.append(row)
    out = {
        "n": str(spec["n"]) if args.symbolic else spec["n"],
        "activation": str(act),
        "state": summary["state"],
        "convention": "eigenvalues of DF(G*)/c with the eigenvalue of the direction G* dropped",
        "fixed_point": {"cluster_diag": str(st.a), "cluster_offdiag": str(st.o), "cross": str(st.x),
                        "odd_diag": str(st.b), "norm_ratio": str(fp["norm_ratio"]),
                        "odd_cos": str(fp["odd_cos"])},
        "fixed_point_latex": {k: sp.latex(v) for k, v in (("cluster_diag", st.a), ("cluster_offdiag", st.o),
                                                          ("cross", st.x), ("odd_diag", st.b),
                                                          ("norm_ratio", fp["norm_ratio"]),
                                                          ("odd_cos", fp["odd_cos"]))},
        "scale_factor": str(spec["scale_factor"]),
        "scale_factor_latex": sp.latex(spec["scale_factor"]),
        "blocks": blocks,
        "eigenvalues": eig,
        "multiplicities_complete": bool(spec["multiplicities_ok"]),     # they add up to n(n+1)/2 - 1
        "stability": summary["statement"],
        "stability_verdict": _checked_stability(args, act),
        "boundary_derivative": ("one-sided derivatives from inside [-1, 1] at rho = +-1: "
                                "kappa'(1) = (1+alpha^2)/2, kappa'(-1) = alpha, kappa - rho kappa' = 0"),
    }
    if valid:
        out["spectrum_complete_from"] = valid["spectrum_complete_from"]
        out["generic_from"] = valid["generic_from"]
    return out


def _checked_stability(args, act):
    """'spectral radius < 1 at the two-point fixed point', decided by the trusted kernel."""
    return _stability(args, act)[0]


def _stability(args, act):
    """(_checked_stability's dict, the verdict itself: its certificate holds the bracket it searched)."""
    from ..claims import properties, spec

    model = {"stages": "rc," + act.name}
    dom = {"n": "3.." if args.symbolic else str(args.n)}
    if not act.homogeneous:
        model["weight_var"] = str(options.weight_var(args.weight_var))
    if act.takes_alpha and not act.homogeneous:
        model["alpha"] = str(act.alpha)
    elif act.takes_alpha:
        if args.symbolic:
            dom["alpha"] = "0..1"
        else:
            model["alpha"] = str(act.slope)
    v = properties.check(spec.claim_from_dict(
        {"id": "stability", "title": "stability", "statement": "linear stability", "property": "spectral-radius",
         "expect": "refuted", "model": model, "domain": dom,
         "params": {"state": getattr(args, "state", "two-point"), "relation": "<", "bound": "1"}}, "jacobian"))
    return {"verdict": v.status, "statement": v.evidence.get("statement"), "reason": v.evidence.get("reason"),
            "checked": bool(v.evidence.get("checked"))}, v


def run(args):
    out = compute(args)
    if args.json:
        emit_json(out)
    else:
        say(text(out, args.symbolic))
    return exits.OK


def _modes(text):
    """Mode descriptions with their block copies in reader's notation: [pair block, (n - 1)(n - 4)/2 copies]."""
    def one(m):
        k = pretty.factored(sp.sympify(m.group(2), locals={"n": symbolic.N}), symbolic.N)
        return "[%s block, %s cop%s]" % (m.group(1), k, "y" if k == "1" else "ies")
    return re.sub(r"\[(\w+) x([^\]]+)\]", one, text)


def text(out, symbolic_n):
    """The report in reader's notation: formulas, ranges of validity, then their LaTeX."""
    f = pretty.formula
    fp = out["fixed_point"]
    where = ("every pair of points at cosine %s" % f(fp["odd_cos"]) if out["state"].startswith("the simplex") else
             "n-1 equal points and one odd point %s" % ("orthogonal to them" if out["state"] == "O_n" else
                                                       "at cosine %s to them" % f(fp["odd_cos"])))
    lines = ["Linearization at %s: %s; RC + %s, %s" % (out["state"], where, out["activation"],
                                                       "symbolic n" if symbolic_n else "n = %s" % out["n"])]
    if symbolic_n:
        lines.append("  formulas for every integer n >= %d, unless a range is given"
                     % min(e["valid_from"] or 3 for e in out["eigenvalues"]))
    lines += ["  fixed point G*:  cluster block all %s, odd diagonal %s, cross %s"
              % (f(fp["cluster_diag"]), f(fp["odd_diag"]), f(fp["cross"])),
              "                   norm ratio %s, odd-cluster cosine %s" % (f(fp["norm_ratio"]), f(fp["odd_cos"])),
              "  F(G*) = G*  (a fixed point of the map itself, phi not homogeneous)" if "method" in out else
              "  F(G*) = c G*  with  c = %s" % f(out["scale_factor"]),
              "  symmetry blocks (size, copies = how often each block eigenvalue occurs):"]
    rows = [{"block": k, "size": "%dx%d" % (len(b["matrix"]), len(b["matrix"])), "copies": b["multiplicity_text"],
             **({"valid for": b["validity"]} if symbolic_n else {})} for k, b in out["blocks"].items()]
    lines += pretty.table(rows, factor_out=False, indent="    ")[0]
    lines.append("  eigenvalues (%s):" % out["convention"])
    for e in out["eigenvalues"]:
        lines.append("    %s   multiplicity %s%s" % (e["text"], e["multiplicity_text"],
                                                    "   for %s" % e["validity"] if symbolic_n else ""))
        lines += ["        " + m for m in _modes(e["mode"]).split("; ")]       # one mode a line
    if symbolic_n:
        lines.append("  the multiplicities add up to n(n+1)/2 - 1: %s; these formulas give the whole spectrum "
                     "for n >= %d" % ("yes" if out["multiplicities_complete"] else "NO",
                                      out["spectrum_complete_from"]))
    if "method" in out:
        lines.append("  method: %s" % out["method"])
    else:
        lines.append("  LaTeX:")
        lines.append("    c = %s" % out["scale_factor_latex"])
    for e in ([] if "method" in out else out["eigenvalues"]):
        cond = r" \quad (n \geq %d)" % e["valid_from"] if symbolic_n and e.get("valid_from") else ""
        lines.append(r"    \lambda = %s, \quad \text{multiplicity } %s%s" % (e["latex"], e["multiplicity_latex"], cond))
    sv = out["stability_verdict"]
    lines.append("  %s" % _modes(out["stability"]))
    lines.append("  trusted kernel: %s%s -- %s (%s)" % (sv["verdict"], "" if sv["checked"] else " (unchecked)",
                                                      f(sv["statement"]), f(sv["reason"])))
    return lines
