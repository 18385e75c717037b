"""Every n at once, the evidence: the all-n-branch item (the Krawczyk boxes of
:mod:`.alln`, with the stability criteria of :mod:`.alln_stability` when they hold on every
box) and the branch's leading asymptotics.  Its own module because it needs both: the branch
is derived without its stability, and the stability is derived on the branch."""
from __future__ import annotations

from fractions import Fraction

from ..core import arith
from . import alln, alln_stability, balls


def branch_item(n0, alpha=Fraction(0), prec=128, stable=None, points_from=None):
    """The evidence item {type: all-n-branch, n_from, alpha, prec, boxes[, stable]} (or None,
    failed).  ``alpha`` is a slope or a range text 'lo..hi'.  ``stable`` (default: on) adds
    the spectral-radius criteria of :mod:`.alln_stability`, checked on every box first; the
    item claims stability only if they hold there (ReLU's criteria; leaky ReLU's stability
    follows for every alpha < 1, see bnverify/trusted/alln.py).  ``points_from`` < n0 adds
    one box at t = 1/n for each n in [points_from, n0): the item then starts there."""
    boxes, failed = alln.certify_branch(n0, prec)
    if points_from is not None and points_from < n0:
        points, bad = alln.point_boxes(points_from, n0, prec)
        boxes, failed = boxes + points[::-1], failed + [(Fraction(1, k), Fraction(1, k)) for k in bad]
        n0 = points_from
    if failed:
        return None, failed
    text = alpha if isinstance(alpha, str) else balls._frac_str(Fraction(alpha))
    item = {"type": "all-n-branch", "n_from": n0, "alpha": text, "prec": prec, "boxes": boxes}
    if stable is None or stable:
        _, ok = alln_stability.certify_stability(boxes, prec, max_depth=0)
        if ok:
            item["stable"] = True
    return item, []


class Span:
    """[lo, hi] between two arb points, for a coefficient over a range of slopes (an arb union
    would round its radius to 30 bits)."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def overlaps(self, x):
        return bool(self.lo.union(self.hi).overlaps(x))


def _bounds(b):
    return [balls.bounds(b.lo)[0], balls.bounds(b.hi)[1]] if isinstance(b, Span) else balls.bounds(b)


def asymptotics(item=None, alpha=Fraction(0), prec=128):
    """{quantity: {power, coefficient: [lo, hi], closed_form, closed_form_value}}: the
    enclosures come from a Krawczyk box at t = 0 exactly (ball arithmetic), the closed forms
    from :func:`bnverify.derive.alln.closed_forms`; each enclosure is checked to contain its
    closed form.  ``alpha`` is a slope or a range (lo, hi): over a range the slope-dependent
    coefficients are enclosed over it (monotone in alpha on [0, 1]) and the closed forms are in
    alpha.  stability_margin is measured, not proved (see docs/all-n.md): for leaky ReLU 1 -
    radius = (1 - w)(1 - ReLU's radius) (the lemma in bnverify/trusted/alln.py), 1 - w ->
    (1 - alpha)^2/(1 + alpha^2) as t -> 0."""
    import sympy as sp

    lo, hi = (Fraction(alpha[0]), Fraction(alpha[1])) if isinstance(alpha, tuple) else (Fraction(alpha),) * 2
    ctx = arith.get("ball", prec=prec)
    mp = arith.get("mp", dps=60)
    guess = Fraction(str(mp.mp.nstr(3 * mp.mp.pi, 50)))
    box = alln.krawczyk_box(Fraction(0), Fraction(0), guess, ctx, rel=Fraction(1, 2 ** 100))
    if box is None:
        raise ArithmeticError("no Krawczyk box at t = 0")
    V = alln.v_ball(box, ctx)
    q = alln.branch(V, ctx.const(0), ctx)
    cf = alln.closed_forms(lo if lo == hi else Fraction(1, 2))
    a = sp.Symbol("alpha") if lo != hi else sp.Rational(lo.numerator, lo.denominator)

    def over(f, scale=None):        # f monotone on [0, 1] (times a ball >= 0): its values' ends
        ends = [ctx.const(f(x)) * (scale if scale is not None else 1) for x in (lo, hi)]
        return Span(min(ends, key=lambda b: b.lower()).lower(), max(ends, key=lambda b: b.upper()).upper())
    g = over(lambda x: -2 * x / (1 + x * x))
    # at t = 0: 1 - c = t^2 v^2 C(0) for every alpha; the odd cosine is phi^3 S(phi) / pi for
    # ReLU and tends to -2 alpha / (1 + alpha^2) for alpha > 0; n - norm ratio -> 1
    enc = {"cluster_cos_deficit": (q["deficit_t2"], cf["cluster_cos_deficit"]),
           "odd_cos": (q["odd_cos_t3"], cf["odd_cos"]) if hi == 0 else (g, (-2 * a / (1 + a ** 2), 0)),
           "norm_ratio_gap": (q["gap"], cf["norm_ratio_gap"])}
    out = {}
    for name, (ball, (expr, power)) in enc.items():
        vals = [expr.subs(a, sp.Rational(x.numerator, x.denominator)) if lo != hi else expr for x in (lo, hi)]
        out[name] = {"power": power, "coefficient": _bounds(ball), "closed_form": str(expr),
                     "closed_form_value": float(vals[0].evalf(30)) if lo == hi else None,
                     "agrees": all(bool(ball.overlaps(ctx.arb(str(v.evalf(60))))) for v in vals)}
    if lo == 0 and hi > 0:
        out["odd_cos"]["note"] = "at alpha = 0 the odd cosine is 9 sqrt(2) pi^2/4 t^3"
    relu = alln_stability.stability_margin(V, ctx)
    if hi == 0:
        out["stability_margin"] = relu
    else:
        margin = over(lambda x: (1 - x) ** 2 / (1 + x * x), balls.ball_from(*(Fraction(x) for x in relu["coefficient"]), ctx))
        kx = (1 - a) ** 2 / (1 + a ** 2)
        out["stability_margin"] = {
            "power": 1, "coefficient": _bounds(margin), "closed_form": str(kx),
            "closed_form_value": float(kx) if lo == hi else None, "agrees": relu["agrees"],
            "note": "1 - radius = (1 - w)(1 - ReLU's radius), w = alpha/(alpha + (1 - alpha)^2 lam) and lam -> 1/2: "
                    "ReLU's margin coefficient (1) times (1 - alpha)^2/(1 + alpha^2)"}
    out["v0"] = {"closed_form": str(cf["v0"]), "enclosure": balls.bounds(V)}
    return out
