"""``bnverify bsb1``: the symmetric (BSB1) fixed point of full batch normalization, certified
by the untrusted derivation layer (rigorous enclosures, not kernel-checked claims)."""
from __future__ import annotations


from flint import ctx

from ..core import laplace, ranges
from ..core.activations import activation
from ..derive import bsb1, bsb1_sphere
from ..errors import BadInput
from . import exits, options
from .kernel import outward
from .output import emit_json, say

NAME = "bsb1"
HELP = "the symmetric (BSB1) fixed point of RC + RS + phi (phi homogeneous), rigorous enclosures"
MAX_BSB1_N = 10 ** 4
DESCRIPTION = """\
For full batch normalization (--stages rc,rs,PHI) print, per batch size n, an enclosure of the
correlation c* of the symmetric fixed point (Yang et al.'s BSB1 state: 1 on the diagonal, c* off
it).

RC + RS maps every BSB1 Gram matrix to the same one, E[phi(y) phi(y)^T] with y uniform on the
sphere |y|^2 = n of the plane orthogonal to 1 (Cz is isotropic there, so y = sqrt(n) Cz/|Cz| has
that law whatever c is, and for every phi): the state is reached in one layer, and RS removes
the scale a non-homogeneous phi would otherwise carry.

PHI homogeneous (relu, leaky_relu, identity, abs): c* = kappa(-1/(n-1))/kappa(1) in ball
arithmetic; for n <= %d (or --check-to) checked against the certified Laplace integral
V(Sigma) = n int_0^oo V_phi(S(I + 2sS)^-1) / sqrt(det(I + 2sS)) ds (one Gauss-Legendre rule for
all entries with a rigorous error bound, and rigorous end bounds) at c = 0 and at c near c*, with
a 1-D Krawczyk test (exact slope 0).

PHI any other activation or formula in x: c* = E[phi(y_1) phi(y_2)]/E[phi(y_1)^2] from the
sphere's two-coordinate law, as nested acb.integral's (rigorous), split where y_1 or y_2 meets
a kink of phi (elu, formulas with conditions like x > 0); where phi switches at points not known
in advance (abs(x - x*x)) or the work budget runs out, the row is inconclusive with the reason,
and a float Gauss-Legendre value is printed beside it, labelled "numerical suggestion, not a
verdict".  Every such row also
gives the state's scale-free eigenvalues lam_S (standard block) and lam_P ((n-2, 2) block) by
Monte Carlo over the sphere, with standard errors: a numerical suggestion, not a verdict.
Derivation and bounds: docs/full-bn.md.  The state's scale-free spectrum (S_n blocks of the
Jacobian of the RS Gram map, homogeneous PHI): bnverify simplex --stages rc,rs,PHI.

These are rigorous enclosures computed by bnverify's untrusted derivation layer; the trusted
kernel has no goal for them yet, so they are not kernel-checked claims (no 'proved' verdict).

examples:
  bnverify bsb1 --stages rc,rs,relu --n 3..12
  bnverify bsb1 --stages rc,rs,leaky_relu --alpha 1/10 --n 4 --digits 30 --json
  bnverify bsb1 --stages rc,rs,tanh --n 3..16 --digits 12

exit status: 0 every enclosure printed (and every check passed), 3 a check did not pass or a row
is inconclusive, 2 bad input (one line).
""" % 12


def add_arguments(p):
    options.add_stages(p, default="rc,rs,relu", help="rc,rs and one activation or formula in x (default rc,rs,relu)")
    options.add_alpha(p, "leaky_relu slope in [0, 1) (default 1/100)")
    p.add_argument("--n", default="3..12", help="batch sizes A..B or A, 3 <= n <= %d (default 3..12)" % MAX_BSB1_N)
    p.add_argument("--digits", type=int, default=15, help="digits of each enclosure, 1..%d (default 15)"
                   % laplace.MAX_DIGITS)
    p.add_argument("--check-to", type=int, default=12, metavar="N",
                   help="run the Laplace-integral check for n <= N (0: none; at most %d; default 12)"
                   % bsb1.MAX_CHECK_N)
    options.add_json(p)


def _parse(args):
    """(activation, slope or None for a non-homogeneous phi, list of n)."""
    parts = [s.strip() for s in str(args.stages).split(",") if s.strip()]
    if len(parts) != 3 or [p.lower() for p in parts[:2]] != ["rc", "rs"]:
        raise BadInput("--stages %s: the BSB1 state of full batch normalization needs rc,rs,PHI (in this "
                       "order), PHI an activation or a formula in x" % args.stages)
    alpha = options.slope(args.alpha)
    act = activation(parts[2], alpha)
    homogeneous = act.degree == 1 and act.slope is not None
    slope = laplace.slope(act.name, alpha) if homogeneous else None
    r = ranges.parse_int_range(args.n, "n", minimum=3, allow_open=False, maximum=MAX_BSB1_N)
    if not 1 <= args.digits <= laplace.MAX_DIGITS:
        raise BadInput("--digits %d outside 1..%d" % (args.digits, laplace.MAX_DIGITS))
    if not 0 <= args.check_to <= bsb1.MAX_CHECK_N:
        raise BadInput("--check-to %d outside 0..%d" % (args.check_to, bsb1.MAX_CHECK_N))
    return act, slope, list(r)


NOTE = ("rigorous enclosures from bnverify's untrusted derivation layer, not kernel-checked claims "
        "(the trusted kernel has no goal for the BSB1 state yet)")


def run(args):
    doc = compute(args, each=None if args.json else lambda row: say(row_text(row)))    # a line per n as it comes
    if args.json:
        emit_json(doc)
    else:
        say(*text(doc)[len(doc["rows"]):])
    return exits.OK if doc["status"] == "enclosed" else exits.UNDECIDED


def compute(args, each=None):
    """The --json document (``bnv.bsb1`` wraps it): per n the enclosure of c* and the Laplace
    check's outcome (homogeneous phi), or the sphere route's enclosure, or an inconclusive row
    with its reason and a numerical suggestion (any other phi); ``each(row)`` is called as each
    row is done."""
    act, slope, ns = _parse(args)
    if slope is None:
        return _compute_sphere(args, act, ns, each)
    rows, ok = [], True
    for n in ns:
        res = bsb1.certify(n, slope, args.digits, check=n <= args.check_to)
        with ctx.workprec(res["prec"]):
            lo, hi = outward(res["c"], args.digits + 2)
            mid = res["c"].str(args.digits, radius=False)
        row = {"n": n, "c": [lo, hi], "c_mid": mid, "digits": args.digits, "seconds": round(res["seconds"], 3),
               "laplace_check": None if "images" not in res else bool(res["krawczyk_ok"])}
        ok = ok and row["laplace_check"] is not False
        rows.append(row)
        if each:
            each(row)
    return {"stages": "rc,rs,%s" % act.name, "slope": str(slope), "state": "BSB1", "rows": rows,
            "status": "enclosed" if ok else "check failed", "note": NOTE, "route": "closed form"}


SUGGESTION = "numerical suggestion, not a verdict"


def _compute_sphere(args, act, ns, each):
    rows, ok = [], True
    for n in ns:
        sug = bsb1_sphere.suggest(n, act)
        spec = bsb1_sphere.spectrum_suggestion(n, act)
        row = {"n": n, "c": None, "c_mid": None, "digits": args.digits, "seconds": 0.0, "laplace_check": None,
               "suggestion": {"c": sug["c"], "change": sug["change"], "lam_S": list(spec["lam_S"]),
                              "lam_P": None if spec["lam_P"] is None else list(spec["lam_P"]),
                              "samples": spec["samples"], "label": SUGGESTION}}
        why = bsb1_sphere.obstacle(act)
        if why is None:
            try:
                res = bsb1_sphere.certify(n, act, args.digits)
                with ctx.workprec(res["prec"]):
                    row["c"] = list(outward(res["c"], args.digits + 2))
                    row["c_mid"] = res["c"].str(args.digits, radius=False)
                row["seconds"] = round(res["seconds"], 3)
            except ArithmeticError as e:
                why = str(e)
        if why is not None:
            row["reason"] = why
            ok = False
        rows.append(row)
        if each:
            each(row)
    name = act.formula if str(act) == "formula" else str(act)
    return {"stages": "rc,rs,%s" % name, "slope": None, "state": "BSB1", "rows": rows,
            "status": "enclosed" if ok else "inconclusive", "note": NOTE, "route": "sphere integrals"}


def _spectrum_text(sug):
    lam = "lam_S ~ %.4f +- %.4f" % tuple(sug["lam_S"])
    if sug["lam_P"] is not None:
        lam += ", lam_P ~ %.4f +- %.4f" % tuple(sug["lam_P"])
    return "%s, Monte Carlo of %d sphere samples, +- one standard error: %s" % (sug["label"], sug["samples"], lam)


def row_text(row):
    if row["c"] is None:
        sug = row["suggestion"]
        return "n = %-5d inconclusive: %s; %s: c* ~ %.10g (quadrature change %.1e); spectrum, %s" % (
            row["n"], row["reason"], sug["label"], sug["c"], sug["change"], _spectrum_text(sug))
    check = {None: "closed form only", True: "Laplace integral agrees, Krawczyk ok",
             False: "CHECK FAILED"}[row["laplace_check"]]
    if "suggestion" in row:
        return "n = %-5d c* = %s  in [%s, %s]  %.2f s  (sphere integrals, rigorous); spectrum, %s" % (
            row["n"], row["c_mid"], *row["c"], row["seconds"], _spectrum_text(row["suggestion"]))
    return "n = %-5d c* = %s  in [%s, %s]  %.2f s  (%s)" % (row["n"], row["c_mid"], *row["c"], row["seconds"], check)


def text(doc):
    """One line per n, then the closed form and the note."""
    if doc["route"] == "sphere integrals":
        how = ("RC + RS maps every BSB1 matrix to this state in one layer: c* = E[phi(y_1) phi(y_2)]/E[phi(y_1)^2], "
               "y uniform on the sphere |y|^2 = n orthogonal to 1, phi = %s." % doc["stages"].split(",", 2)[-1])
    else:
        how = ("RC + RS maps every BSB1 matrix to this state in one layer: c* = kappa(-1/(n-1))/kappa(1), "
               "phi = %s (slope %s)." % (doc["stages"].split(",")[-1], doc["slope"]))
    return [row_text(r) for r in doc["rows"]] + [how, "note: %s." % doc["note"]]
