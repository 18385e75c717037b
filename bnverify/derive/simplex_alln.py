"""Every n >= 3 at once: the simplex state of RC + (leaky) ReLU is linearly stable in the
scale-free dynamics (untrusted derivation and search; :func:`branch_item` writes the
``simplex-branch`` evidence item that bnverify/trusted/simplex.py re-checks).

**The decomposition used: the full S_n symmetry** (not the S_{n-1} blocks of
bnverify.trusted.model.symmetric_blocks; the tests check the eigenvalues against those).
Take G* = (1 - c_s) I + c_s J (G*_00 = 1), c_s = kappa(rho)/A, rho = -1/(n-1) = -u,
u = t/(1-t), t = 1/n.  Then Sigma = C G* C = (1 - c_s) C: diagonal sigma = (1 - c_s)(1 - t),
every correlation rho, and c = F(G*)_00 = A sigma.  With k1 = kappa'(rho) = A - B acos(rho),
k0 = kappa(rho) - rho k1 = B sqrt(1 - rho^2), DF(G*)[H]/c = DK(Sigma)[C H C]/c where
DK(Sigma)[H]_jj = A H_jj, DK(Sigma)[H]_jk = k1 H_jk + k0 (H_jj + H_kk)/2.
Sym_n = trivial x2 + standard x2 + (n-2, 2) x1 under S_n:

* trivial, span{I, J}: J -> 0 (C J C = 0), I -> C -> DK[C]/c = G*/(1 - c_s) (Euler), so the
  eigenvalues are 1 (G*'s own direction, dropped) and 0.
* standard, for a sum-zero x: D = diag(x), O = (x_j + x_k) off the diagonal.
  C D C = (1 - 2t) D - t O,  C O C = -2 (1 - 2t) D + 2t O  (so D + O/2 is killed),
  DK[D] = A D + (k0/2) O,  DK[O] = k1 O.  The 2 x 2 block has rank 1: eigenvalues 0 and
      lam_S = (A (1 - 2t) - (1 - 2t) k0 + 2t k1) / c          (multiplicity n - 1).
* (n-2, 2): zero diagonal, zero row sums (C H C = H): lam_P = k1 / c
  (multiplicity n (n-3)/2: absent for n = 3).

**Closed forms in t, analytic at t = 0.**  a(t) := acos(rho) = pi/2 + asin(u),
sqrt(1 - rho^2) = sqrt(1 - 2t)/(1 - t), (1 + u)(1 - t) = 1, u (1 - t) = t give

    c     = A - B sqrt(1 - 2t) - B t a(t),          k1 = A - B a(t),
    lam_S = 1 - t m_S,   m_S = B (a(t) - sqrt(1 - 2t)/(1 - t)) / c,
    lam_P = k1 / c,      1 - lam_P = B ((1 - t) a(t) - sqrt(1 - 2t)) / c,

A = (1 + alpha^2)/2, B = (1 - alpha)^2/(2 pi) (Activation.constants, and k1 is Activation.dkappa;
the rest is written here once against a context).  At t = 0: c = A - B, m_S(0) = B (pi/2 - 1)/(A - B),
lam_P(0) = (A - B pi/2)/(A - B).  So the spectral radius tends to 1 (from below, like
1 - m_S(0)/n): it is NOT bounded away from 1; the margin is m_S t.  ReLU: m_S(0) =
(pi - 2)/(2 (pi - 1)) ~ 0.2665, lam_P(0) = pi/(2 (pi - 1)) ~ 0.7335.

**The check** (:func:`criteria`): on a t-box, spectral radius < 1 for every t > 0 in it iff
  c > 0, m_S > 0 (lam_S < 1), 2 - t m_S > 0 (lam_S > -1), c - k1 > 0 (lam_P < 1), c + k1 > 0
(lam_P > -1); each is evaluated in arb over the box's t-ball.  At t = 0 itself lam_S = 1, but
t = 0 is no n.  For n = 3 the pair criteria are superfluous (kept: conservative).
"""
from __future__ import annotations

import time
from fractions import Fraction

from ..core import arith
from ..core.activations import Activation, leaky


# ---------------------------------------------------------------- the closed forms (one code path)
def forms(t, act, ctx):
    """{c, k1, a, m_S, lam_S, lam_P} at t in any context of bnverify.core.arith (ball, mp,
    exact): the closed forms of the module docstring for the activation ``act``."""
    A, B = act.constants(ctx)
    rho = -t / (1 - t)
    a = ctx.acos(rho)
    s = ctx.sqrt(1 - 2 * t)                   # (1 - t) sqrt(1 - rho^2)
    c = A - B * s - B * t * a
    k1 = act.dkappa(rho, ctx)
    m_S = B * (a - s / (1 - t)) / c
    return {"c": c, "k1": k1, "a": a, "m_S": m_S, "lam_S": 1 - t * m_S, "lam_P": k1 / c}


def _criteria_of(f, t):
    return {"c": f["c"], "standard_margin": f["m_S"], "standard_above_-1": 2 - t * f["m_S"],
            "pair_below_1": f["c"] - f["k1"], "pair_above_-1": f["c"] + f["k1"]}


def _forms_at(t_ball, alpha, forms, prec):
    """``forms`` at a ball of t's, in arb at ``prec`` bits (called inside flint's workprec,
    which restores the caller's precision)."""
    return forms(t_ball, leaky(alpha), arith.BallContext(prec))


def criteria(t_ball, alpha, prec=128, forms=forms):
    """arb in (a ball of t's, 0 <= t < 1/2), {name: arb} out; every value > 0 means spectral
    radius < 1 at every t > 0 of the ball.  Only python-flint arb (``forms`` is a parameter only
    so that tests can substitute a wrong formula)."""
    from flint import ctx

    with ctx.workprec(prec):
        return _criteria_of(_forms_at(t_ball, alpha, forms, prec), t_ball)


def _t_ball(lo, hi):
    from flint import arb
    return (arb(lo.numerator) / lo.denominator).union(arb(hi.numerator) / hi.denominator)


def _radius_upper(lo, hi, alpha, prec, forms=forms):
    """(an upper bound of the spectral radius over t in [lo, hi], a lower bound of m_S):
    lam_S = 1 - t m_S with t >= 0, so lam_S <= 1 - lo min m_S and -lam_S <= hi max m_S - 1
    (= 1 on a box touching t = 0: a supremum there, not attained for t > 0)."""
    from flint import arb, ctx

    with ctx.workprec(prec):
        f = _forms_at(_t_ball(lo, hi), alpha, forms, prec)
        m, L, H = f["m_S"], arb(lo.numerator) / lo.denominator, arb(hi.numerator) / hi.denominator
        up = max((1 - L * arb(m.lower())).upper(), (H * arb(m.upper()) - 1).upper(),
                 abs(f["lam_P"]).upper())
        if not m.lower() > 0:           # the bound above needs m_S > 0 on the box
            up = max(up, abs(f["lam_S"]).upper())
        return _float_out(up, up=True), _float_out(m.lower(), up=False)


def _float_out(x, up):
    """The nearest float on the far side of the exact arb point x (rounded outward)."""
    import math

    from flint import arb
    f = float(x)
    while (arb(f) < x) if up else (arb(f) > x):
        f = math.nextafter(f, math.inf if up else -math.inf)
    return f


def certify_simplex_all_n(alpha=Fraction(0), n0=3, prec=128, max_depth=30, forms=forms):
    """Cover t in [0, 1/n0] by boxes on each of which every criterion is > 0 (bisection).
    Returns (boxes, ok): boxes [{"t": [lo, hi] as "p/q", "radius_upper": float (an upper bound
    of the spectral radius on the box; >= 1 on a box touching t = 0, where the margin is
    m_S t), "margin_lower": float (lower bound of m_S: radius <= 1 - t m_S), "ok": bool}]."""
    alpha = Fraction(alpha)
    if not (0 <= alpha < 1) or n0 < 3:
        raise ValueError("need alpha in [0, 1) and n0 >= 3")
    stack, boxes = [(Fraction(0), Fraction(1, n0), 0)], []
    while stack:
        lo, hi, depth = stack.pop()
        T = _t_ball(lo, hi)
        good = all(v > 0 for v in criteria(T, alpha, prec, forms).values())
        if not good and depth < max_depth:
            mid = (lo + hi) / 2
            stack += [(mid, hi, depth + 1), (lo, mid, depth + 1)]
            continue
        r, m = _radius_upper(lo, hi, alpha, prec, forms)
        boxes.append({"t": [str(lo), str(hi)], "radius_upper": r, "margin_lower": m, "ok": good})
    boxes.sort(key=lambda b: Fraction(b["t"][0]))
    return boxes, all(b["ok"] for b in boxes)


def branch_item(n0=3, alpha=Fraction(0), prec=128):
    """The evidence item {type: simplex-branch, n_from, alpha, prec, boxes: [{t}]} for every
    n >= n0 (or None, [failed t-intervals]), and the boxes with their radius bounds."""
    boxes, ok = certify_simplex_all_n(alpha, n0, prec)
    if not ok:
        return None, [b["t"] for b in boxes if not b["ok"]], boxes
    item = {"type": "simplex-branch", "n_from": n0, "alpha": str(Fraction(alpha)), "prec": prec,
            "boxes": [{"t": b["t"]} for b in boxes]}
    return item, [], boxes


# ---------------------------------------------------------------- measurement and the limit
def eigenvalues_direct(n, alpha=Fraction(0), dps=50):
    """(lam_S, lam_P) at finite n from the definitions (kappa, kappa', c = (A - kappa)(1 - t)),
    mpmath; an independent route to the closed forms."""
    ctx, act = arith.get("mp", dps=dps), leaky(alpha)
    A = act.kappa_one(ctx)
    t = ctx.const(Fraction(1, n))
    r = ctx.const(Fraction(-1, n - 1))
    kap = act.kappa(r, ctx)
    k1 = act.dkappa(r, ctx)
    k0 = act.kappa_perp(r, ctx)
    c = (A - kap) * (1 - t)
    return (A * (1 - 2 * t) - (1 - 2 * t) * k0 + 2 * t * k1) / c, k1 / c


def measure(n, alpha=Fraction(0), dps=50):
    """{lam_S, lam_P, radius, m_S} from the closed forms at t = 1/n (mpmath; n may be huge)."""
    ctx = arith.get("mp", dps=dps)
    f = forms(ctx.const(1) / n, leaky(alpha), ctx)
    rad = max(abs(f["lam_S"]), abs(f["lam_P"])) if n >= 4 else abs(f["lam_S"])
    return {"lam_S": f["lam_S"], "lam_P": f["lam_P"], "radius": rad, "m_S": f["m_S"]}


def limit(alpha=0):
    """Exact t -> 0 limits (sympy): {radius: 1, m_S: lim (1 - radius) n, lam_P: the pair
    eigenvalue's limit}; alpha a sympy number or symbol."""
    import sympy

    ctx = arith.ExactContext()
    A, B = Activation("leaky_relu", sympy.nsimplify(alpha)).constants(ctx)
    c0 = A - B
    return {"radius": sympy.Integer(1),
            "m_S": sympy.simplify(B * (sympy.pi / 2 - 1) / c0),
            "lam_P": sympy.simplify((A - B * sympy.pi / 2) / c0)}


def asymptotics(alpha=Fraction(0), prec=128):
    """{"stability_margin": {power 1, coefficient [lo, hi], closed_form, ...}}: 1 - radius =
    t m_S(t) for small t (|lam_P| tends to a limit below 1, lam_S to 1), so the coefficient is
    m_S(0), enclosed in arb at t = 0 exactly and compared with :func:`limit`'s closed form."""
    from flint import arb, ctx

    from .balls import bounds

    with ctx.workprec(prec):
        f = _forms_at(arb(0), alpha, forms, prec)
        m, p = f["m_S"], f["lam_P"]
        lim = limit(Fraction(alpha))
        val = arb(str(lim["m_S"].evalf(60)))
        return {"stability_margin": {
            "power": 1, "coefficient": bounds(m),
            "closed_form": str(lim["m_S"]), "closed_form_value": float(lim["m_S"].evalf(30)),
            "agrees": bool(m.overlaps(val)),
            "pair_eigenvalue_limit": bounds(p),
            "method": "m_S(0) in arb at t = 0; 1 - radius = t m_S(t) once |lam_P| < lam_S"}}


def main(argv=None):                                          # pragma: no cover
    import argparse
    import json
    p = argparse.ArgumentParser(description="simplex stability for every n >= n0")
    p.add_argument("--alpha", default="0")
    p.add_argument("--n0", type=int, default=3)
    p.add_argument("--prec", type=int, default=128)
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    boxes, ok = certify_simplex_all_n(Fraction(a.alpha), a.n0, a.prec)
    print(json.dumps({"ok": ok, "boxes": boxes, "seconds": time.perf_counter() - t0}, indent=1))


if __name__ == "__main__":                                    # pragma: no cover
    main()
