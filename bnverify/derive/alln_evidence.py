"""Every n at once, the evidence: the all-n-branch item (the Krawczyk boxes of
:mod:`.alln`, with the stability criteria of :mod:`.alln_stability` when they hold on every
box) and the branch's leading asymptotics.  Its own module because it needs both: the branch
is derived without its stability, and the stability is derived on the branch."""
from __future__ import annotations

from fractions import Fraction

from ..core import arith
from . import alln, alln_stability, balls


def branch_item(n0, alpha=Fraction(0), prec=128, stable=None):
    """The evidence item {type: all-n-branch, n_from, alpha, prec, boxes[, stable]} (or None,
    failed).  ``stable`` (default: for ReLU) adds the spectral-radius criteria of
    :mod:`.alln_stability`, checked on every box first; the item claims stability only if
    they hold there (boxes that need a finer t-split are split in the item itself)."""
    boxes, failed = alln.certify_branch(n0, prec)
    if failed:
        return None, failed
    item = {"type": "all-n-branch", "n_from": n0, "alpha": balls._frac_str(Fraction(alpha)), "prec": prec,
            "boxes": boxes}
    if stable is None:
        stable = Fraction(alpha) == 0
    if stable:
        _, ok = alln_stability.certify_stability(boxes, prec, max_depth=0)
        if ok:
            item["stable"] = True
    return item, []


def asymptotics(item=None, alpha=Fraction(0), prec=128):
    """{quantity: {power, coefficient: [lo, hi], closed_form, closed_form_value}}: the
    enclosures come from a Krawczyk box at t = 0 exactly (ball arithmetic), the closed forms
    from :func:`bnverify.derive.alln.closed_forms`; each enclosure is checked to contain its
    closed form.  stability_margin is measured, not proved (see docs/all-n.md)."""
    ctx = arith.get("ball", prec=prec)
    mp = arith.get("mp", dps=60)
    guess = Fraction(str(mp.mp.nstr(3 * mp.mp.pi, 50)))
    box = alln.krawczyk_box(Fraction(0), Fraction(0), guess, ctx, rel=Fraction(1, 2 ** 100))
    if box is None:
        raise ArithmeticError("no Krawczyk box at t = 0")
    V = alln.v_ball(box, ctx)
    q = alln.branch(V, ctx.const(0), ctx)
    cf = alln.closed_forms(alpha)
    a = ctx.const(alpha)
    # at t = 0: 1 - c = t^2 v^2 C(0) for every alpha; the odd cosine is phi^3 S(phi) / pi for
    # ReLU and tends to -2 alpha / (1 + alpha^2) for alpha > 0; n - norm ratio -> 1
    enc = {"cluster_cos_deficit": q["deficit_t2"],
           "odd_cos": q["odd_cos_t3"] if alpha == 0 else -2 * a / (1 + a * a),
           "norm_ratio_gap": q["gap"]}
    out = {}
    for name, ball in enc.items():
        expr, power = cf[name]
        val = ctx.arb(str(expr.evalf(60)))          # decimal text of the closed form
        out[name] = {"power": power, "coefficient": balls.bounds(ball), "closed_form": str(expr),
                     "closed_form_value": float(expr.evalf(30)),
                     "agrees": bool(ball.overlaps(val))}
    out["stability_margin"] = alln_stability.stability_margin(V, ctx) if alpha == 0 else {
        "power": 1, "coefficient": None, "proved": False,
        "note": "leaky ReLU: stability is certified per n only"}
    out["v0"] = {"closed_form": str(cf["v0"]), "enclosure": balls.bounds(V)}
    return out
