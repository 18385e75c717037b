"""Every n at once: the spread-cluster branch of the symmetric reduction in t = 1/n (untrusted
derivation and search; the trusted twin is bnverify/trusted/alln.py).

**The equation, regular at t = 0.**  For RC + ReLU the symmetric fixed points are the roots
of h(rho) = rho (see :mod:`bnverify.derive.curve`).  At the attractor rho -> 1 as n grows, where
the arc-cosine kernel has its square-root singularity; in the angle theta = arccos(rho)
everything is analytic.  Measured at large n (``measure``): theta* ~ 3 pi t, so the rescaled
unknown is v = theta / t = n * arccos(rho).  With m = n - 1 = (1 - t) / t and the entire
functions (power series with rational coefficients, enclosed with a tail bound)

    C(x) = (1 - cos x) / x^2,   S(x) = (sin x - x cos x) / x^3,   R(y) = arcsin(y) / y,

the cluster correlation of Sigma is rho = 1 - theta^2 C(theta); the odd point's angle phi to
the cluster's opposite direction has sin(phi) = y = theta w, w^2 = C(theta) (1 - 2t)/(1 - t),
and phi = y R(y).  The kernel entries of K(Sigma) are a = 1/2, o = rho/2 + theta^3 S(theta)
/ (2 pi), x = m cos(phi) phi^3 S(phi) / (2 pi), b = m q / 2 (q = 1 + (m - 1) rho), and after
centring (A = the cluster diagonal of C K C)

    2 A (h(rho) - rho) = t^3 G(v, t),     2 A = 1 + t E(v, t),
    G = v^2 C(theta) E + v^3 S(theta) / pi,
    E = -2t - 2(1 - 2t) rho - (1 + t)(1 - 2t) t^2 v^3 S(theta) / pi
        - 2 (1 - t) t^3 v^3 cos(phi) (w R(y))^3 S(phi) / pi.

G and E are analytic at t = 0: G(v, 0) = -v^2 + v^3 / (3 pi), whose root v0 = 3 pi is
simple (dG/dv = 3 pi).  So for every real t in [0, 1/N0] one root v(t) continues it: a
one-dimensional Krawczyk test on boxes (t-interval x v-interval) proves, for every integer
n >= N0 at once, a unique root of h(rho) = rho with n arccos(rho) in the box.

**The leading behaviour** (t -> 0, exact from G(v, 0)): cluster cosine deficit
1 - c = t^2 v^2 (C - t v S / pi) ~ (9 pi^2 / 2) t^2; odd cosine phi^3 S(phi) / pi ~
(9 sqrt(2) pi^2 / 4) t^3; n - norm ratio = 1 + t v^2 C (1 - 2t) / (1 + cos phi) -> 1.

The formulas are written once (``branch``) against an arithmetic context of
:mod:`bnverify.core.arith` (mpmath for measurement; arb balls for the search; jets over balls
for G's derivative in v); each context sums the series C, S, R in its own way.
"""
from __future__ import annotations

import math
from fractions import Fraction

from ..core import arith
from ..core.arith import PowerSeries
from .balls import _frac_str, ball_from

V0_TEXT = "3*pi"            # the root of G(v, 0) = -v^2 + v^3 / (3 pi)


# ---------------------------------------------------------------- the entire functions
def c_coeff(k):
    """(1 - cos x) / x^2 = sum_k (-1)^k x^(2k) / (2k+2)!"""
    return Fraction((-1) ** k, _fact(2 * k + 2))


def s_coeff(k):
    """(sin x - x cos x) / x^3 = sum_k (-1)^k (2k+2) / (2k+3)! x^(2k)"""
    return Fraction((-1) ** k * (2 * k + 2), _fact(2 * k + 3))


def r_coeff(k):
    """arcsin(y) / y = sum_k binom(2k, k) / (4^k (2k+1)) y^(2k)"""
    return Fraction(_fact(2 * k), 4 ** k * _fact(k) ** 2 * (2 * k + 1))


def _fact(k):
    return math.factorial(k) if k > 1 else 1


def _tail_cs(X, K):
    """C, S: |c_k| <= 1/(2k+1)!, 2k|c_k| <= 1/(2k)!, both terms <= u_k = X^(2k-1)/(2k-1)! (as
    X <= 2K(2K+1)), and u_(k+1) / u_k <= 1/2 when X^2 <= K(2K+1): 2 u_K."""
    if not X * X <= K * (2 * K + 1):
        return _inf(X)
    return 2 * X ** (2 * K - 1) / _fact(2 * K - 1)


def _tail_r(X, K):
    """R: |c_k|, 2k|c_k| <= 1, so X^(2K-1) / (1 - X^2) (X < 1)."""
    return X ** (2 * K - 1) / (1 - X * X) if X < 1 else _inf(X)


def _inf(X):
    return type(X)("inf")


SERIES = {"C": PowerSeries("C", c_coeff, _tail_cs), "S": PowerSeries("S", s_coeff, _tail_cs),
          "R": PowerSeries("R", r_coeff, _tail_r, radius=1)}


# ---------------------------------------------------------------- the branch (written once)
def atoms(theta, t, ctx):
    """The branch's primitives at (theta, t): C, S, rho, w, y, cos(phi), R, phi, S(phi) and E's
    parts, E = base - x1 v - x0 (v = theta / t; x1 = (1 + t)(1 - 2t) theta^2 S(theta) / pi carries
    the t^2 v^3 term), so the charts in (theta, 1/v) of derive/classify_alln.py read E / v =
    (base - x0) / v - x1 without v."""
    pi, one = ctx.pi, ctx.const(1)
    c, s = ctx.series(SERIES["C"], theta), ctx.series(SERIES["S"], theta)
    rho = one - theta * theta * c
    w = ctx.sqrt(c * (1 - 2 * t) / (1 - t))
    y = theta * w
    cosphi = ctx.sqrt(one - y * y)
    R = ctx.series(SERIES["R"], y)
    phi = y * R
    sphi = ctx.series(SERIES["S"], phi)
    base = -2 * t - 2 * (1 - 2 * t) * rho
    x1 = (1 + t) * (1 - 2 * t) * theta * theta * s / pi
    x0 = 2 * (1 - t) * theta ** 3 * cosphi * (w * R) ** 3 * sphi / pi
    return {"rho": rho, "theta": theta, "C": c, "S": s, "w": w, "y": y, "cphi": cosphi, "R": R,
            "phi": phi, "sphi": sphi, "base": base, "x1": x1, "x0": x0}


def branch(v, t, ctx):
    """Every quantity of the branch at (v, t), as a dict: G, E, rho, theta and the fixed
    point's cluster cosine deficit / t^2, odd cosine / t^3 and norm-ratio gap."""
    pi, one = ctx.pi, ctx.const(1)
    q = atoms(t * v, t, ctx)
    c, s, w, R, sphi, cosphi = q["C"], q["S"], q["w"], q["R"], q["sphi"], q["cphi"]
    v3 = v * v * v
    E = q["base"] - q["x1"] * v - q["x0"]
    G = v * v * c * E + v3 * s / pi
    return dict(q, G=G, E=E, A2=one + t * E, H=c * E + v * s / pi,
                deficit_t2=v * v * (c - t * v * s / pi),
                odd_cos_t3=v3 * (w * R) ** 3 * sphi / pi,
                gap=one + t * v * v * c * (1 - 2 * t) / (1 + cosphi))


# ---------------------------------------------------------------- measurement (mpmath)
def measure(n, dps=50):
    """The branch's root at one n, solved in mpmath (Newton on G(v, 1/n)): a dict of v, rho
    and the leading quantities.  Floating point: a suggestion for the search and the tests
    (ValueError where Newton fails)."""
    ctx = arith.get("mp", dps=dps)
    mp = ctx.mp
    t = mp.mpf(1) / n

    def G(vv):
        # y^2 = theta^2 C(theta) (1 - 2t)/(1 - t) = (1 - cos theta)(1 - 2t)/(1 - t): keep y < 0.95,
        # where R's series still converges fast (for n < 7 there is no root, and Newton drifts
        # towards y = 1, where the sum would take forever)
        if not (1 - mp.cos(vv * t)) * (1 - 2 * t) / (1 - t) < mp.mpf("0.9025"):
            raise ValueError("Newton left the branch's domain (theta = %s)" % mp.nstr(vv * t, 5))
        return branch(vv, t, ctx)["G"]
    v = mp.findroot(G, 3 * mp.pi)
    b = branch(v, t, ctx)
    return {"n": n, "v": v, "rho": b["rho"], "deficit": b["deficit_t2"] * t ** 2,
            "odd_cos": b["odd_cos_t3"] * t ** 3, "norm_ratio": n - b["gap"]}


# ---------------------------------------------------------------- the search (arb)
BITS = 120


def _dyadic(q, up=False, bits=BITS):
    """q rounded to a dyadic [man, exp] = man * 2^exp (up: never below q)."""
    x = Fraction(q) * 2 ** bits
    man = -((-x.numerator) // x.denominator) if up else round(x)
    return [int(man), -bits]


def _value(pair):
    return Fraction(pair[0]) * Fraction(2) ** pair[1]


def v_ball(box, ctx):
    """The v-ball of a box item (mid +- rad, exactly as written)."""
    mid, rad = _value(box["v"]["mid"]), _value(box["v"]["rad"])
    return ball_from(mid - rad, mid + rad, ctx)


def krawczyk_box(t_lo, t_hi, v_guess, ctx, rel=Fraction(1, 2 ** 20)):
    """Try a 1-D Krawczyk box for v on the t-interval (``ctx`` a ball context); the box item
    or None."""
    T = ball_from(t_lo, t_hi, ctx)
    jet = arith.JetContext(ctx)
    m = _value(_dyadic(v_guess))            # the box is tested exactly as it is written
    gm = branch(ctx.const(m), T, ctx)["G"]
    gd = branch(jet.variable(m), ctx.const(t_lo), jet)["G"].d
    y = Fraction(float(1 / gd.mid())).limit_denominator(2 ** 40)
    # the radius: a few times the spread of G over T, at least rel * m
    spread = Fraction(float(gm.rad())) * abs(y) * 4 + abs(Fraction(float(gm.mid())) * y) * 2
    r = _value(_dyadic(max(spread, rel * abs(m)), up=True))
    for _ in range(6):
        V = ball_from(m - r, m + r, ctx)
        try:
            GV = branch(jet.variable(V), T, jet)["G"]
        except ValueError:              # the box leaves the series' domain
            return None
        K = ctx.const(m) - ctx.const(y) * gm + (1 - ctx.const(y) * GV.d) * (V - ctx.const(m))
        # with a hundredth of the box to spare: the kernel's twin sums its terms in its own order
        if K.is_finite() and ball_from(m - r * 99 / 100, m + r * 99 / 100, ctx).contains_interior(K):
            return {"t": [_frac_str(Fraction(t_lo)), _frac_str(Fraction(t_hi))],
                    "v": {"mid": _dyadic(m), "rad": _dyadic(r, up=True)},
                    "y": _frac_str(y)}
        r *= 2
    return None


def certify_branch(n0, prec=128, pieces=None, progress=None):
    """Cover t in [0, 1/n0] by Krawczyk boxes of the branch (bisecting where a box fails).
    Returns (boxes, failed): boxes as items for trusted/alln.py, failed t-intervals."""
    ctx = arith.get("ball", prec=prec)
    t_max = Fraction(1, n0)
    pieces = pieces or 8
    edges = [t_max * k / pieces for k in range(pieces + 1)]
    stack = [(edges[k], edges[k + 1]) for k in range(pieces)][::-1]
    boxes, failed = [], []
    mp = arith.get("mp", dps=30)
    while stack:
        lo, hi = stack.pop()
        mid = (lo + hi) / 2
        guess = mp.mp.findroot(lambda vv: branch(vv, mp.const(mid), mp)["G"], 3 * mp.pi)
        box = krawczyk_box(lo, hi, Fraction(str(mp.mp.nstr(guess, 25))), ctx)
        if box is not None:
            boxes.append(box)
            if progress:
                progress(len(boxes))
        elif hi - lo < t_max / 2 ** 16:
            failed.append((lo, hi))
        else:
            stack += [(mid, hi), (lo, mid)]
    boxes.sort(key=lambda b: Fraction(b["t"][0]))
    return boxes, failed


def point_boxes(n_lo, n_hi, prec=128):
    """Krawczyk boxes at the single points t = 1/n, n_lo <= n < n_hi (the branch per n below
    an all-n cover).  Returns (boxes, failed ns)."""
    ctx = arith.get("ball", prec=prec)
    boxes, failed = [], []
    for k in range(n_lo, n_hi):
        t = Fraction(1, k)
        box = krawczyk_box(t, t, Fraction(str(measure(k, dps=30)["v"])), ctx)
        (boxes.append(box) if box is not None else failed.append(k))
    return boxes, failed


# ---------------------------------------------------------------- the leading behaviour
def closed_forms(alpha=Fraction(0)):
    """Leading coefficients (sympy, exact) from G(v, 0) = v^2 C(0) E(v, 0) + v^3 S(0) / pi with
    C(0) = 1/2, S(0) = 1/3, E(v, 0) = -2: v0 = 3 pi, and each quantity's value at t = 0."""
    import sympy as sp

    v = sp.Symbol("v", positive=True)
    C0, S0, E0 = sp.Rational(1, 2), sp.Rational(1, 3), -2
    G0 = v ** 2 * C0 * E0 + v ** 3 * S0 / sp.pi
    roots = [r for r in sp.solve(sp.Eq(G0, 0), v) if r != 0]
    if len(roots) != 1:
        raise ArithmeticError("G(v, 0) should have one positive root, got %s" % roots)
    v0 = roots[0]
    a = sp.Rational(alpha.numerator, alpha.denominator)
    w0 = sp.sqrt(C0)                               # w(0) = sqrt(C(0)), R(0) = 1
    odd = (v0 ** 3 * w0 ** 3 * S0 / sp.pi, 3) if a == 0 else (-2 * a / (1 + a ** 2), 0)
    return {"v0": v0, "G0": sp.expand(G0), "dG0": sp.diff(G0, v).subs(v, v0),
            "cluster_cos_deficit": (sp.simplify(v0 ** 2 * C0), 2),
            "odd_cos": (sp.simplify(odd[0]), odd[1]),
            "norm_ratio_gap": (sp.Integer(1), 0)}


# ---------------------------------------------------------------- the partner (measured)
def partner_gap(n, prec=256):
    """rho_partner - rho_simplex at one n (n >= 7): the unstable root of h(rho) = rho just above
    the simplex state's rho = -1/(n-1), located by bisection on the sign of h - rho evaluated
    with the Gram-map code in balls (bnverify.derive.curve).  A measurement (the per-n
    classification certifies the count; the gap's rate is not proved): gap * n^3 -> 2 (pi - 2)
    (docs/all-n.md)."""
    from . import balls, curve
    from ..core.activations import Activation

    act, ctx = Activation("relu"), balls.ball(prec)
    rs = Fraction(-1, n - 1)

    def sign(gap):
        r = ctx.const(rs + gap)
        g = curve.curve(r, n, act, ctx) - r
        return 1 if g > 0 else -1 if g < 0 else 0
    lo, hi = Fraction(1, 10 ** 6) / n ** 3, Fraction(20) / n ** 3
    slo, shi = sign(lo), sign(hi)
    if slo == 0 or shi == 0 or slo == shi:
        raise ArithmeticError("no sign change of h - rho in the partner's window at n = %d" % n)
    for _ in range(90):
        mid = (lo + hi) / 2
        s = sign(mid)
        if s == 0:
            break
        lo, hi = (mid, hi) if s == slo else (lo, mid)
    return (lo + hi) / 2
