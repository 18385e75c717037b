"""``bnverify bsb1``: the symmetric (BSB1) fixed point of full batch normalization, certified
by the untrusted derivation layer (rigorous enclosures, not kernel-checked claims)."""
from __future__ import annotations


from flint import ctx

from ..core import laplace, ranges
from ..derive import bsb1
from ..errors import BadInput
from . import exits, options
from .kernel import outward
from .output import emit_json, say

NAME = "bsb1"
HELP = "the symmetric (BSB1) fixed point of RC + RS + phi (phi homogeneous), rigorous enclosures"
MAX_BSB1_N = 10 ** 4
DESCRIPTION = """\
For full batch normalization (--stages rc,rs,PHI with PHI one of relu, leaky_relu, identity, abs)
print, per batch size n, an enclosure of the correlation c* of the symmetric fixed point
(Yang et al.'s BSB1 state: 1 on the diagonal, c* off it).

RC + RS maps every BSB1 Gram matrix to the same one, n/(n-1) V_phi(C) (Cz is isotropic on the
plane orthogonal to 1, so y = sqrt(n) Cz/|Cz| is uniform on a sphere whatever c is): the state is
reached in one layer and c* = kappa(-1/(n-1))/kappa(1).  The enclosure comes from that closed
form in ball arithmetic; for n <= %d (or --check-to) it is checked against the certified Laplace
integral V(Sigma) = n int_0^oo V_phi(S(I + 2sS)^-1) / sqrt(det(I + 2sS)) ds (one Gauss-Legendre
rule for all entries with a rigorous error bound, and rigorous end bounds) at c = 0 and at c near c*, with a 1-D Krawczyk test (exact slope 0).
Derivation and bounds: docs/full-bn.md.  The state's scale-free spectrum (S_n blocks of the
Jacobian of the RS Gram map): bnverify simplex --stages rc,rs,PHI.

These are rigorous enclosures computed by bnverify's untrusted derivation layer; the trusted
kernel has no goal for them yet, so they are not kernel-checked claims (no 'proved' verdict).

examples:
  bnverify bsb1 --stages rc,rs,relu --n 3..12
  bnverify bsb1 --stages rc,rs,leaky_relu --alpha 1/10 --n 4 --digits 30 --json

exit status: 0 every enclosure printed (and every check passed), 3 a check did not pass,
2 bad input (one line).
""" % 12


def add_arguments(p):
    options.add_stages(p, default="rc,rs,relu", help="rc,rs and one homogeneous activation (default rc,rs,relu)")
    options.add_alpha(p, "leaky_relu slope in [0, 1) (default 1/100)")
    p.add_argument("--n", default="3..12", help="batch sizes A..B or A, 3 <= n <= %d (default 3..12)" % MAX_BSB1_N)
    p.add_argument("--digits", type=int, default=15, help="digits of each enclosure, 1..%d (default 15)"
                   % laplace.MAX_DIGITS)
    p.add_argument("--check-to", type=int, default=12, metavar="N",
                   help="run the Laplace-integral check for n <= N (0: none; at most %d; default 12)"
                   % bsb1.MAX_CHECK_N)
    options.add_json(p)


def _parse(args):
    parts = [s.strip().lower() for s in str(args.stages).split(",") if s.strip()]
    if len(parts) != 3 or parts[:2] != ["rc", "rs"]:
        raise BadInput("--stages %s: the BSB1 state of full batch normalization needs rc,rs,PHI (in this "
                       "order), PHI one of relu, leaky_relu, identity, abs" % args.stages)
    alpha = options.slope(args.alpha)
    slope = laplace.slope(parts[2], alpha)
    r = ranges.parse_int_range(args.n, "n", minimum=3, allow_open=False, maximum=MAX_BSB1_N)
    if not 1 <= args.digits <= laplace.MAX_DIGITS:
        raise BadInput("--digits %d outside 1..%d" % (args.digits, laplace.MAX_DIGITS))
    if not 0 <= args.check_to <= bsb1.MAX_CHECK_N:
        raise BadInput("--check-to %d outside 0..%d" % (args.check_to, bsb1.MAX_CHECK_N))
    return parts[2], slope, list(r)


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
    check's outcome; ``each(row)`` is called as each row is done."""
    name, slope, ns = _parse(args)
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
    return {"stages": "rc,rs,%s" % name, "slope": str(slope), "state": "BSB1", "rows": rows,
            "status": "enclosed" if ok else "check failed", "note": NOTE}


def row_text(row):
    check = {None: "closed form only", True: "Laplace integral agrees, Krawczyk ok",
             False: "CHECK FAILED"}[row["laplace_check"]]
    return "n = %-5d c* = %s  in [%s, %s]  %.2f s  (%s)" % (row["n"], row["c_mid"], *row["c"], row["seconds"], check)


def text(doc):
    """One line per n, then the closed form and the note."""
    return [row_text(r) for r in doc["rows"]] + [
        "RC + RS maps every BSB1 matrix to this state in one layer: c* = kappa(-1/(n-1))/kappa(1), "
        "phi = %s (slope %s)." % (doc["stages"].split(",")[-1], doc["slope"]),
        "note: %s." % doc["note"]]
