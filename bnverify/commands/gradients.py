"""``bnverify gradients``: the per-layer growth rate of the gradient's second moment at the
symmetric (BSB1) state of batch normalization at infinite width, RC + RS + phi and RC + phi,
phi positively homogeneous (relu, leaky_relu, identity, abs); rigorous enclosures of exact closed
forms by the untrusted derivation layer (bnverify.derive.gradients), not kernel-checked."""
from __future__ import annotations

from fractions import Fraction

from ..core import laplace, ranges
from ..derive import gradients
from ..derive.balls import bounds
from ..errors import BadInput
from . import exits, options
from .output import show

NAME = "gradients"
HELP = "gradient-norm growth per layer at the BSB1 state of RC (+ RS) + phi, rigorous enclosures"
STATUS = "enclosed"
MAX_N = gradients.MAX_N
CONVENTION = ("rate = lim E||dL/dx_(l-1)||^2 / E||dL/dx_l||^2 (backwards, per layer) at infinite width under the "
              "gradient independence assumption, at the BSB1 fixed point: the spectral radius of the backward "
              "Gram map Pi -> E[J^T Pi J] (J = d phi(BN(h))/dh, h ~ N(0, Sigma*)); with RS it does not depend on "
              "sigma_w; RC alone: at the weight scale where the forward pass is stationary (sigma_w^2 = n/(a(n-1)), "
              "a = kappa(1) - kappa(-1/(n-1))), i.e. the gradient growth relative to the forward growth")
NOTE = ("rigorous enclosures of exact closed forms from bnverify's untrusted derivation layer, not kernel-checked "
        "claims (status 'enclosed', checked false); derivation: docs/full-bn.md, section 11")
LIMIT_NOTE = ("n -> oo: kappa(1)/(kappa(1) - kappa(0)) is the limit of the trivial eigenvalue (its closed form is "
              "explicit in 1/n); that the trivial eigenvalue stays the spectral radius is checked for n <= 64 only, "
              "not for all n; relu: pi/(pi - 1)")
DESCRIPTION = """\
For batch normalization at infinite width, print per batch size n an enclosure of the rate at
which the gradient's second moment E||dL/dx_l||^2 grows per layer (going backwards) at the
symmetric (BSB1) fixed point: the spectral radius of the backward Gram map
Pi -> E[J^T Pi J] (J the Jacobian of one layer's phi(BN(h)) per neuron over the batch),
Yang, Pennington, Rao, Sohl-Dickstein, Schoenholz (ICLR 2019).  The map commutes with the
permutations of the batch; its three nonzero eigenvalues (trivial, standard, pair
components) are exact closed forms in asin(-1/(n-1))/pi and sqrt(n(n-2))/(pi(n-1)) with
rational coefficients, printed as balls.

--stages rc,rs,PHI: full batch normalization (the rate does not depend on the weight scale;
n >= 4: at n = 3 the second moment is infinite).  --stages rc,PHI: recentering alone, the rate
at the weight scale where the forward pass is stationary.  PHI: relu, leaky_relu (--alpha),
identity, abs.  The n -> oo limit kappa(1)/(kappa(1) - kappa(0)) (relu: pi/(pi - 1)) is the
leading order of the closed form, printed for comparison, not certified.

These are rigorous enclosures computed by bnverify's untrusted derivation layer; the trusted
kernel has no goal for them, so they are not kernel-checked claims (no 'proved' verdict).
Derivation and independent checks: docs/full-bn.md, section 11.

examples:
  bnverify gradients --stages rc,rs,relu --n 4..16
  bnverify gradients --stages rc,relu --n 3..16 --json

Each row is checked against the trivial eigenvalue derived by hand (a separate formula,
bnverify.derive.gradients.trivial_closed); a disagreement prints CHECK FAILED.

exit status: 0 every enclosure printed (every check passed), 3 a check did not pass,
2 bad input (one line).
"""


def add_arguments(p):
    options.add_stages(p, default="rc,rs,relu", help="rc,rs,PHI or rc,PHI with PHI relu, leaky_relu, identity or abs "
                                                     "(default rc,rs,relu)")
    options.add_alpha(p, "leaky_relu slope in [0, 1) (default 1/100)")
    p.add_argument("--n", default="4..16", help="batch sizes A..B or A, 3 <= n <= %d (default 4..16)" % MAX_N)
    p.add_argument("--prec", type=int, default=128, help="working precision in bits, 32..4096 (default 128)")
    options.add_json(p)


def _parse(args):
    parts = [s.strip().lower() for s in str(args.stages).split(",") if s.strip()]
    if len(parts) == 3 and parts[:2] == ["rc", "rs"]:
        stages = "rc,rs"
    elif len(parts) == 2 and parts[0] == "rc":
        stages = "rc"
    elif "rs" in parts and "rc" not in parts:
        raise BadInput("--stages %s: RS without RC is not analysed (its symmetric state is not constant on the "
                       "symmetric family and is not derived yet); take rc,rs,PHI or rc,PHI" % args.stages)
    elif "rc" not in parts:
        raise BadInput("--stages %s: without batch normalization there is nothing to analyse here (the plain "
                       "kernel's gradient rate is sigma_w^2 E[phi'^2]); take rc,rs,PHI or rc,PHI" % args.stages)
    else:
        raise BadInput("--stages %s: give rc,rs,PHI or rc,PHI (in this order; BN after the activation is not "
                       "analysed), PHI one of relu, leaky_relu, identity, abs" % args.stages)
    alpha = options.slope(args.alpha)
    slope = laplace.slope(parts[-1], alpha)
    r = ranges.parse_int_range(args.n, "n", minimum=3, allow_open=False, maximum=MAX_N)
    if not 32 <= args.prec <= 4096:
        raise BadInput("--prec %d: choose 32..4096 bits" % args.prec)
    return stages, parts[-1], slope, list(r)


def limit(slope, prec=128):
    """kappa(1)/(kappa(1) - kappa(0)) = A/(A - (1-s)^2/(2 pi)) as an arb."""
    from flint import arb, ctx

    ctx.prec = prec
    s = Fraction(slope)
    A = arb((1 + s * s).numerator) / (1 + s * s).denominator / 2
    return A / (A - arb(((1 - s) ** 2).numerator) / ((1 - s) ** 2).denominator / (2 * arb.pi()))


def row(n, stages, slope, prec):
    if stages == "rc,rs" and n == 3:
        return {"n": n, "rate": None, "rate_short": None, "infinite": True, "hand_check": None, "eigenvalues": None, "radius_from": None,
                "rate_mid": "inf", "status": STATUS, "checked": False,
                "reason": "n = 3: E[1/|Ch|^2] is E[1/chi^2_2] = oo, the gradient's second moment is infinite"}
    res = gradients.rates(n, slope, stages, prec)
    hand = bool(gradients.trivial_closed(n, slope, stages, prec).overlaps(res["eig"]["trivial"]))
    return {"hand_check": hand, "n": n, "rate": bounds(res["radius"]), "rate_short": bounds(res["radius"], 14), "infinite": False, "rate_mid": res["radius"].str(12, radius=False),
            "eigenvalues": {c: bounds(v) for c, v in res["eig"].items()}, "radius_from": res["from"],
            "status": STATUS, "checked": False, "reason": None}


def compute(args):
    """The --json document (``bnv.gradients`` wraps it)."""
    stages, name, slope, ns = _parse(args)
    rows = [row(n, stages, slope, args.prec) for n in ns]
    ok = all(r["hand_check"] is not False for r in rows)
    lim = limit(slope, args.prec)
    return {"stages": "%s,%s" % (stages, name), "slope": str(slope), "state": "BSB1", "convention": CONVENTION,
            "rows": rows, "limit": bounds(lim), "limit_mid": lim.str(12, radius=False), "limit_note": LIMIT_NOTE,
            "status": STATUS if ok else "check failed", "checked": False, "note": NOTE}


def _short(b):
    """About 6 decimals of an enclosure (for reading; the bounds are in the JSON)."""
    return "%.6f" % ((float(b[0]) + float(b[1])) / 2) if b else "-"


def row_text(r):
    if r["infinite"]:
        return "n = %-3d rate = inf  (%s)" % (r["n"], r["reason"])
    e = r["eigenvalues"]
    if r["hand_check"] is False:
        return "n = %-3d CHECK FAILED: the closed form and the hand-derived trivial eigenvalue disagree" % r["n"]
    return "n = %-3d rate in [%s, %s]  trivial %s  standard %s  pair %s" % (
        r["n"], r["rate_short"][0], r["rate_short"][1], _short(e.get("trivial")), _short(e.get("standard")),
        _short(e.get("pair")))


def text(doc):
    label = "RC + RS" if doc["stages"].startswith("rc,rs") else "RC alone"
    return ["%s + %s (slope %s): growth of E||dL/dx_l||^2 per layer at the BSB1 state, infinite width"
            % (label, doc["stages"].split(",")[-1], doc["slope"])] + [row_text(r) for r in doc["rows"]] + [
        "n -> oo: %s = lim of the trivial eigenvalue (the radius at every n <= 64; not proved for all n)"
        % doc["limit_mid"],
        "rate: spectral radius of the backward Gram map Pi -> E[J^T Pi J]; eigenvalues per S_n component "
        "(6 decimals).",
        "status: enclosed, checked: false (not kernel-checked).",
        "note: enclosures of exact closed forms, untrusted derivation layer (docs/full-bn.md, section 11)."]


EXIT = {"enclosed": exits.OK, "check failed": exits.UNDECIDED}


def exit_code(doc):
    return EXIT[doc["status"]]


def run(args):
    doc = compute(args)
    show(args, doc, text)
    return exit_code(doc)
