"""``bnverify kernel``: certified dual kernels E[phi(x) phi(y)] and their derivatives."""
from __future__ import annotations

import math
import re
import textwrap
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from fractions import Fraction

from flint import ctx

from ..core import activations, dual_kernel, limits
from ..errors import BadInput
from . import exits, options
from .output import show

NAME = "kernel"
HELP = "certified dual kernel E[phi(x)phi(y)], its derivatives and E[phi^2], for any activation"
DESCRIPTION = """\
For (x, y) ~ N(0, [[q1, c], [c, q2]]) print rigorous enclosures (Arb balls; lo/hi rounded
outward) of
  K          = E[phi(x) phi(y)]
  dK/dc      = E[phi'(x) phi'(y)]                              (Price's theorem)
  dK/dq1     = (E[x phi'(x) phi(y)] - c dK/dc) / (2 q1)        (= E[phi''(x) phi(y)]/2, by
  dK/dq2     = (E[phi(x) y phi'(y)] - c dK/dc) / (2 q2)         Gaussian integration by parts)
  E[phi(x)^2], E[phi(y)^2]
each to --digits significant digits (relative to max(|value|, sqrt(E[phi(x)^2] E[phi(y)^2]))).
Closed forms for @CLOSED@; for every other activation
Mehler's series with rigorous Hermite coefficients, as many terms as its rigorous tails need
(any |c| < sqrt(q1 q2)), else (slow coefficient decay: kinks, large q) a nested rigorous
integral (acb.integral, split at kinks, Gaussian tails bounded from phi's growth).
Method, bounds and limits: docs/kernel.md.

activations: @NAMES@; or a formula in x:
  numbers, x, + - * /, ** with integer exponents in [-8, 8], exp log erf tanh sin cos sqrt abs,
  max(a, b), min(a, b), and the piecewise form 'A if x > k else B' (also <, <=, >=).
Anything else is refused naming the token; so is a formula without an exponential growth bound
(exp(x**2): its Gaussian moments need not exist).  A formula that jumps gets K but no derivatives.

examples:
  bnverify kernel --activation gelu --q1 1 --q2 2 --c 1/2
  bnverify kernel --activation relu --q1 1 --q2 1 --c 1 --json
  bnverify kernel --activation 'x*erf(x)' --q1 1 --q2 1 --c 0.3 --digits 20
  bnverify kernel --activation 'x if x > 0 else 0.1*x' --q1 2 --q2 1 --c -1/2   (or --c=-1/2)
  bnverify kernel --activation erf --method general --q1 1 --q2 1 --c 1/2   (check a closed form)

exit status: 0 enclosures printed, 3 inconclusive (the digits asked for were not reached within
--budget, wall-clock seconds from start-up; the reason is printed), 2 bad input (one line).
"""
DESCRIPTION = DESCRIPTION.replace("@CLOSED@", activations.spoken(activations.names(
    lambda k: k.closed is not None or k.slope is not None), "and")).replace("activations: @NAMES@; or a formula in x:",
    textwrap.fill("activations: %s; or a formula in x:" % ", ".join(
        name + ("" if k.alpha is None else " (--alpha, default %s)" % k.alpha) for name, k in activations.REGISTRY.items()),
        96, break_on_hyphens=False))


def add_arguments(p):
    # argparse reads "-1/2" as an option unless it looks like a negative number to it
    p._negative_number_matcher = re.compile(r"^-(\d+(/\d+)?|\d*\.\d+([eE][-+]?\d+)?|\d+[eE][-+]?\d+)$")
    p.add_argument("--activation", help="a name (see above) or a formula in x, e.g. 'x*erf(x)'")
    p.add_argument("--alpha", default=None, help="the parameter of %s" % activations.spoken(
        ["%s (default %s)" % (name, activations.REGISTRY[name].alpha) for name in activations.TAKES_ALPHA]))
    p.add_argument("--q1", help="variance of x (> 0), e.g. 1 or 1/2 or 0.25")
    p.add_argument("--q2", help="variance of y (> 0)")
    p.add_argument("--c", help="covariance of x and y, c^2 <= q1 q2")
    p.add_argument("--digits", type=int, default=15, help="significant digits asked for, 1..%d (default 15)"
                   % dual_kernel.MAX_DIGITS)
    p.add_argument("--method", default="auto", choices=("auto", "closed", "general"),
                   help="auto (closed form where one exists), closed, or general (the integral route)")
    p.add_argument("--budget", type=float, default=dual_kernel.DEFAULT_BUDGET,
                   help="wall-clock seconds for the whole run, from start-up (imports included) to the "
                   "answer (default %g); the computation checks it inside its loops and stops within "
                   "about a second of it with 'inconclusive' (exit 3)" % dual_kernel.DEFAULT_BUDGET)
    options.add_json(p, "print one JSON document")


def number(text, name):
    """An exact Fraction from '1', '1/2', '0.25', '1e-3'; one line naming the option otherwise."""
    if text is None:
        raise BadInput("%s is required" % name)
    limits.guard_number(text, name)
    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise BadInput("%s %s is not a finite number" % (name, limits.show(text)))


def outward(v, digits):
    """(lo, hi) decimal strings with ``digits`` significant digits, lo <= v <= hi."""
    out = []
    for end, rounding in ((v.lower(), ROUND_FLOOR), (v.upper(), ROUND_CEILING)):
        m, e = (int(t) for t in end.mid().man_exp())
        num, den = (m << e, 1) if e >= 0 else (m, 1 << -e)
        out.append(str(Context(prec=digits, rounding=rounding).divide(Decimal(num), Decimal(den))))
    return out


def _exact(v):
    return str(v) if v.denominator != 1 else str(v.numerator)


def run(args):
    doc = compute(args)
    show(args, doc, text)
    return exits.UNDECIDED if doc.get("verdict") == "inconclusive" else exits.OK


LABELS = {"K": "K      = E[phi(x) phi(y)]", "dK_dc": "dK/dc  = E[phi'(x) phi'(y)]", "dK_dq1": "dK/dq1",
          "dK_dq2": "dK/dq2", "Ex2": "E[phi(x)^2]", "Ey2": "E[phi(y)^2]"}


def compute(args):
    """The --json document (``bnv.kernel`` wraps it): each quantity's enclosure [lo, hi] (None
    where not computed) and, in "mid", the ball's midpoint to --digits digits; or the verdict
    "inconclusive" with the reason."""
    if not args.activation:
        raise BadInput("--activation is required (a name such as gelu, or a formula such as 'x*erf(x)')")
    alpha = number(args.alpha, "--alpha") if args.alpha is not None else None
    act = activations.activation(args.activation, alpha)
    q1, q2, c = number(args.q1, "--q1"), number(args.q2, "--q2"), number(args.c, "--c")
    dual_kernel.check_covariance(q1, q2, c)
    if not 1 <= args.digits <= dual_kernel.MAX_DIGITS:
        raise BadInput("--digits %d outside 1..%d" % (args.digits, dual_kernel.MAX_DIGITS))
    if not (math.isfinite(args.budget) and 0 < args.budget <= 3600):
        raise BadInput("--budget %s: give seconds in (0, 3600]" % args.budget)
    head = {"activation": act.label, "formula": act.formula, "q1": _exact(q1), "q2": _exact(q2), "c": _exact(c)}
    try:
        res = dual_kernel.kernel(act, q1, q2, c, args.digits, args.method, args.budget,
                                 started=getattr(args, "started", None))
    except dual_kernel.Inconclusive as e:
        return dict(head, verdict="inconclusive", reason=str(e))
    shown = args.digits + 2
    with ctx.workprec(res["prec"]):         # lower()/upper() round to the working precision
        vals = {k: (outward(v, shown) if v is not None else None) for k, v in res["values"].items()}
        mids = {k: (v.str(args.digits, radius=False) if v is not None else None) for k, v in res["values"].items()}
    doc = dict(head, **{k: vals[k] for k in dual_kernel.QUANTITIES})
    doc.update(mid=mids, method=res["method"], digits=args.digits, notes=res["notes"],
               seconds=round(res["seconds"], 3))
    return doc


def text(doc):
    if doc.get("verdict") == "inconclusive":
        return ["inconclusive: %s" % doc["reason"]]
    q1, q2, c = (Fraction(doc[k]) for k in ("q1", "q2", "c"))
    r = float(c) / math.sqrt(float(q1) * float(q2))
    lines = ["dual kernel of %s, phi(x) = %s" % (doc["activation"], doc["formula"]),
             "(x, y) ~ N(0, [[q1, c], [c, q2]]), q1 = %s, q2 = %s, c = %s (correlation %.6g)" % (
                 doc["q1"], doc["q2"], doc["c"], r)]
    for k in dual_kernel.QUANTITIES:
        if doc[k] is None:
            lines.append("  %-28s  not computed" % LABELS[k])
        else:
            lines.append("  %-28s  %s  in [%s, %s]" % (LABELS[k], doc["mid"][k], *doc[k]))
    lines.append("method: %s" % doc["method"])
    lines += ["note: %s" % n for n in doc["notes"]]
    lines.append("each enclosure is rigorous (Arb); %d digits asked, %.2f s" % (doc["digits"], doc["seconds"]))
    return lines
