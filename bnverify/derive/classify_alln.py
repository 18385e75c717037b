"""Every n at once: the symmetric family's fixed points, all of them, for RC + ReLU (untrusted
derivation and search; the trusted twin is bnverify/trusted/classify.py).

For every n >= 7 the reduction curve h (derive/curve.py) has exactly four fixed points on
[-1/(n-2), 1]: the simplex state, its unstable partner just above it, the spread-cluster
attractor and O_n (rho = 1).  Per n this is a branch-and-bound in rho (``curve.classify``);
here it is one proof for every n, in t = 1/n, on four charts of the (t, rho) strip.

**The lower charts.**  With z = sqrt(q / (n - 1)) in [0, 1] (q = 1 + (n - 2) rho: z is minus the
correlation of the odd point with a cluster point of Sigma(rho), 0 at the domain's left end)

    rho = ((1 - t) z^2 - t) / (1 - 2t),

and, writing K(Sigma(rho)) out and centring it (kappa(1) = 1/2, kappa the arc-cosine kernel),
the curve is h - rho = Psi / D with

    Psi = (1 - rho) P / 2 - delta Q,    D = (1 - t - 2t^2) delta + P / 2 > 0,
    P = t^2 - 4t(1 - t) z kappa(-z) + (1 - t)^2 z^2,   Q = t^2 + (1 - t^2) z^2,
    delta = 1/2 - kappa(rho).

P and Q are homogeneous of degree 2 in (t, z), so Psi / lam^2 is Psi with (t, z) replaced by
(tau, zeta) = (t, z) / lam in P and Q (and D = (1 - t - 2t^2) delta + lam^2 P(tau, zeta) / 2):

* chart L1, lam = t, zeta = z / t in [0, Z]: Phi1 = Psi / t^2.  At t = 0, Phi1 = (zeta - 1)^2 /
  (2 pi): the simplex (zeta_s = 1 / (1 - t), exact) and the partner merge there.  Phi1 is convex
  in zeta on the chart (Phi1'' > 0 on boxes, second-order jets), positive at zeta = 0, zero at
  zeta_s; with zeta = zeta_s + t u, F(t, u) = Phi1 / t^2 is negative at u_lo > 0 and positive
  at u_hi: a convex function with these signs has exactly two zeros, zeta_s and one partner in
  zeta_s + t (u_lo, u_hi).  F is analytic at t = 0: f(t) = Phi1(t, zeta_s(t) + t u) has f(0) =
  0 (Phi1(0, 1) = 0) and f'(0) = 0 (Phi1(t, zeta_s(t)) = 0 for every t and d Phi1 / d zeta (0, 1)
  = 0), so f(t) / t^2 = f''(xi) / 2 for some xi in [0, t] (Taylor), enclosed by a jet over the
  t-interval; away from 0, f(a) + f'(a)(t - a) + f''(T)(t - a)^2 / 2 over t^2.  The partner's gap
  rho_p - rho_s = (1 - t) t^3 u (2 zeta_s + t u) / (1 - 2t), so n^3 gap -> 2 u_p(0) with u_p(0)
  the root of F(0, u) = u (u - (pi - 2)) / (2 pi): 2 (pi - 2).
* chart L2, lam = z, w = t / z in [0, 1/Z], z in [0, z_mid]: Phi2 = Psi / z^2 > 0 (at z = 0 it
  is (w - 1)^2 / (2 pi)).

**The upper charts** (the attractor's variables, derive/alln.py: theta = arccos rho = t v):
2A (h - rho) = t^3 G(v, t), 2A = 1 + t E, E = base - x1 v - x0 (alln.atoms):

* chart U1, v in [0, V1]: H = G / v^2 = C E + v S / pi, negative up to the attractor (at v = 0
  it is -(1 - t): O_n, rho = 1, is the only root there), one Krawczyk box around the attractor,
  positive after it;
* chart U2, theta in [0, theta_M], w' = 1 / v in [0, 1/V1]: G / v^3 = C (E / v) + S / pi > 0,
  E / v = (base - x0) w' - x1 (at w' = 0: S(theta) cos(theta) / pi).

For each t the charts cover the domain: L1 is z in [0, Z t], L2 z in [Z t, z_mid], U2 theta in
[t V1, theta_M], U1 theta in [0, t V1], and rho(z_mid, t) >= cos(theta_M) for every t <= 1/n0.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

from ..core import arith
from ..core.activations import activation
from ..core.interval import outward_decimal
from . import alln
from .balls import _frac_str, ball_from

RELU = activation("relu")

# the charts' edges: rho(z_mid, t) >= cos(theta_m) for t <= 1/7, w = t / z <= 1 / Z, w' = 1 / v
# <= 1 / V1, V1 above the attractor's v (8.8 to 3 pi) and 1/Z below the double root at w = 1
Z, Z_MID, V1, THETA_M = Fraction(3), Fraction(9, 16), Fraction(10), Fraction(7, 5)
HEAD = Fraction(1, 2)      # chart L1's zeta <= HEAD: h is not monotone there (zeta < 1/pi at t = 0)


# ---------------------------------------------------------------- the formulas (written once)
def lower(t, z, tau, zeta, lam2, ctx):
    """Psi / lam^2 and D at (t, z), with (tau, zeta) = (t, z) / lam and lam2 = lam^2."""
    one = ctx.const(1)
    rho = ((1 - t) * z * z - t) / (1 - 2 * t)
    delta = RELU.kappa_one(ctx) - RELU.kappa(rho, ctx)
    P = tau * tau - 4 * tau * (1 - t) * zeta * RELU.kappa(-z, ctx) + (1 - t) * (1 - t) * zeta * zeta
    Q = tau * tau + (1 - t * t) * zeta * zeta
    return {"psi": (one - rho) * P / 2 - delta * Q, "D": (1 - t - 2 * t * t) * delta + lam2 * P / 2,
            "rho": rho, "delta": delta, "P": P}


def chart_l1(t, zeta, ctx):
    return lower(t, t * zeta, ctx.const(1), zeta, t * t, ctx)


def chart_l2(z, w, ctx):
    return lower(w * z, z, w, ctx.const(1), z * z, ctx)


def chart_u1(v, t, ctx):
    b = alln.branch(v, t, ctx)
    return {"H": b["H"], "A2": b["A2"]}


def chart_u2(theta, wp, ctx):
    q = alln.atoms(theta, theta * wp, ctx)
    ev = (q["base"] - q["x0"]) * wp - q["x1"]
    return {"Gv3": q["C"] * ev + q["S"] / ctx.pi, "A2": 1 + theta * ev}


# ---------------------------------------------------------------- h increasing (the basins)
# h = 1 - 1 / (1 - t - 2t^2 + P / (2 delta)) increases with P / delta; L = z d/dz (= zeta d/dzeta)
# at fixed t, and theta d/dtheta in the upper charts, enter as jets seeded with the variable itself
def monotone_l1(t, zeta, ctx):
    """L(P/t^2) delta - (P/t^2) L(delta) over (t, zeta) balls: > 0 where h increases."""
    jc = arith.JetContext(ctx)
    q = lower(jc.const(t), jc.const(t) * arith.Jet(zeta, zeta), jc.const(1), arith.Jet(zeta, zeta),
              jc.const(t * t), jc)
    return q["P"].d * q["delta"].v - q["P"].v * q["delta"].d


def monotone_l2(z, w, ctx):
    """(L(P/z^2) + 2 P/z^2) delta - (P/z^2) L(delta) over (z, w) balls (t = w z has L(t) = 0)."""
    jc = arith.JetContext(ctx)
    Zj, Wj = arith.Jet(z, z), arith.Jet(w, -w)
    q = lower(Wj * Zj, Zj, Wj, jc.const(1), Zj * Zj, jc)
    return (q["P"].d + 2 * q["P"].v) * q["delta"].v - q["P"].v * q["delta"].d


def upper_p(theta, t, ctx):
    """P and delta / theta^2 in the angle variables: z = cos(phi), kappa(-z) = phi^3 S(phi) / (2 pi),
    delta = theta^2 (C - theta S / pi) / 2."""
    q = alln.atoms(theta, t, ctx)
    P = (t * t - 4 * t * (1 - t) * q["cphi"] * q["phi"] ** 3 * q["sphi"] / (2 * ctx.pi)
         + (1 - t) * (1 - t) * (1 - q["y"] * q["y"]))
    return P, (q["C"] - theta * q["S"] / ctx.pi) / 2


def monotone_u(theta, t, ctx):
    """P (2 dhat + L(dhat)) - L(P) dhat, L = theta d/dtheta at fixed t: > 0 where h increases."""
    jc = arith.JetContext(ctx)
    P, dh = upper_p(arith.Jet(theta, theta), jc.const(t), jc)
    return P.v * (2 * dh.v + dh.d) - P.d * dh.v


def head_image(t, zeta, ctx):
    """zeta'^2 of h's image of (t, zeta) in chart L1: rho(zeta') = h (docstring)."""
    q = chart_l1(t, zeta, ctx)
    X = q["P"] / (2 * q["delta"])
    den = 1 - t - 2 * t * t + t * t * X
    return (-1 + 2 * t + (1 - t) * X) / ((1 - t) * den)


def partner(t, u, ctx):
    """Phi1 at zeta = zeta_s + t u, zeta_s = 1 / (1 - t) (the simplex)."""
    return chart_l1(t, 1 / (1 - t) + t * u, ctx)["psi"]


TERMS = 6          # Taylor coefficients in t of the partner's F: the remainder is c_6 (t - a)^6


def partner_sign(lo, hi, u, prec=128, terms=TERMS):
    """A ball with the sign of F(t, u) = Phi1(t, zeta_s + t u) / t^2 for every t in [lo, hi]
    (module docstring): f's Taylor polynomial at lo (exact) with the Lagrange remainder over
    [lo, hi].  At lo = 0 its first two coefficients are 0 exactly and the ball encloses F itself
    (the polynomial divided by t^2 term by term); above 0 it encloses f = t^2 F (a ball quotient
    by t^2 over a wide t-interval would lose the sign)."""
    tc = arith.TaylorContext(terms, prec)
    ctx = arith.get("ball", prec=prec)
    T = ball_from(lo, hi, ctx)
    at = tc.coeffs(partner(tc.variable(lo), tc.const(u), tc))
    rest = tc.coeffs(partner(tc.variable(T), tc.const(u), tc))[terms - 1]
    if lo == 0:
        if not (at[0].contains(0) and at[1].contains(0)):
            raise ValueError("f(0) or f'(0) is not 0: the formula is not the partner's")
        poly, h = [at[k] for k in range(2, terms - 1)] + [rest], T
    else:
        poly, h = at[:terms - 1] + [rest], T - ctx.const(lo)
    out = ctx.const(0)
    for c in reversed(poly):                     # Horner (arb's 0 ** 0 is NaN)
        out = out * h + c
    return out


def convex_l1(lo_t, hi_t, lo, hi, prec=128):
    """(Phi1'' / 2, D) over t in [lo_t, hi_t], zeta in [lo, hi]."""
    tc = arith.TaylorContext(3, prec)
    ctx = arith.get("ball", prec=prec)
    q = chart_l1(tc.const(ball_from(lo_t, hi_t, ctx)), tc.variable(ball_from(lo, hi, ctx)), tc)
    return tc.coeffs(q["psi"])[2], tc.coeffs(q["D"])[0]


# ---------------------------------------------------------------- the search
def _split(lo, hi, ok, min_width, out):
    """Edge-to-edge pieces of [lo, hi] on which ok(lo, hi) holds (bisecting); False if a piece
    narrower than min_width fails."""
    stack = [(lo, hi)]
    while stack:
        a, b = stack.pop()
        if ok(a, b):
            out.append([a, b])
        elif b - a < min_width:
            return False
        else:
            m = (a + b) / 2
            stack += [(m, b), (a, m)]
    return True


def cover2(x_hi, y_hi, t_max, ok, columns=8, min_width=Fraction(1, 2 ** 14)):
    """Columns [x_lo, x_hi, [[y_lo, y_hi], ...]] covering {(x, y) in [0, x_hi] x [0, y_hi]: x y <=
    t_max} with ok(x, y) on every box (x, y: [lo, hi] pairs): column [a, b] covers y in [0,
    min(y_hi, t_max / a)]; a column that fails is halved."""
    stack = [(x_hi * k / columns, x_hi * (k + 1) / columns) for k in range(columns)][::-1]
    out = []
    while stack:
        a, b = stack.pop()
        pieces = []
        top = y_hi if a == 0 else min(y_hi, t_max / a)
        if _split(Fraction(0), top, lambda c, d: ok((a, b), (c, d)), min_width, pieces):
            out.append([a, b, pieces])
        elif b - a < min_width:
            raise ValueError("no cover near x = %s" % a)
        else:
            stack += [((a + b) / 2, b), (a, (a + b) / 2)]
    return out


def l2_cover(t_max, prec=128):
    ctx = arith.get("ball", prec=prec)

    def ok(zs, ws):
        Zb, Wb = ball_from(*zs, ctx), ball_from(*ws, ctx)
        q = chart_l2(Zb, Wb, ctx)
        return q["psi"] > 0 and q["D"] > 0 and monotone_l2(Zb, Wb, ctx) > 0
    return cover2(Z_MID, 1 / Z, t_max, ok)


def u2_cover(t_max, prec=128):
    ctx = arith.get("ball", prec=prec)

    def ok(ths, ws):
        TH, W = ball_from(*ths, ctx), ball_from(*ws, ctx)
        try:
            q = chart_u2(TH, W, ctx)
            return q["Gv3"] > 0 and q["A2"] > 0 and monotone_u(TH, TH * W, ctx) > 0
        except ValueError:
            return False
    return cover2(THETA_M, 1 / V1, t_max, ok)


@functools.lru_cache(maxsize=1024)
def _mp_partner_u(t):
    """u_p(t): the partner's zeta = zeta_s + t u_p, in mpmath (a suggestion for the brackets).
    Kept per t: neighbouring columns share an end, and a failed column's halves ask again."""
    mp = arith.get("mp", dps=40)
    if t == 0:
        return Fraction(str(mp.mp.nstr(mp.pi - 2, 35)))
    tt = mp.const(t)
    u = mp.mp.findroot(lambda x: partner(tt, x, mp), (mp.const(Fraction(1, 2)), mp.const(8)), solver="anderson")
    return Fraction(str(mp.mp.nstr(u, 20)))


def _brackets(lo, hi, prec):
    """(u_lo, u_hi) with F(., u_lo) < 0 < F(., u_hi) on [lo, hi], or None."""
    ends = [_mp_partner_u(lo), _mp_partner_u(hi)]
    a, b = min(ends), max(ends)
    for margin in (Fraction(1, 64), Fraction(1, 8), Fraction(1, 2)):
        u_lo, u_hi = _tight(a * (1 - margin)), _tight(b * (1 + margin))
        if partner_sign(lo, hi, u_lo, prec) < 0 and partner_sign(lo, hi, u_hi, prec) > 0:
            return [u_lo, u_hi]
    return None


def _tight(x, bits=40):
    return Fraction(round(Fraction(x) * 2 ** bits), 2 ** bits)


def column(lo, hi, prec=128, min_width=Fraction(1, 2 ** 12)):
    """The item of one t-column [lo, hi], or None if it fails (the caller halves it)."""
    ctx = arith.get("ball", prec=prec)
    T = ball_from(lo, hi, ctx)
    if not chart_l1(T, ctx.const(0), ctx)["psi"] > 0:
        return None

    u = _brackets(lo, hi, prec)
    if u is None:
        return None

    def convex(a, b):
        c2, D = convex_l1(lo, hi, a, b, prec)
        return c2 > 0 and D > 0

    def positive(a, b):
        q = chart_l1(T, ball_from(a, b, ctx), ctx)
        return q["psi"] > 0 and q["D"] > 0
    # convex from 0 to past the partner's bracket (and on as long as it holds), then positive:
    # exactly two zeros (docstring)
    need = 1 / (1 - hi) + hi * u[1]
    kinds = {}

    def either(a, b):
        Zb = ball_from(a, b, ctx)
        if b <= HEAD:                 # the head: its image lies in (HEAD, 1), left of the simplex
            img = head_image(T, Zb, ctx)
            if not (img > ctx.const(HEAD * HEAD) and img < 1):
                return False
        elif not monotone_l1(T, Zb, ctx) > 0:
            return False
        if "positive" not in kinds.values() and convex(a, b):
            kinds[a] = "convex"
        elif a >= need and positive(a, b):
            kinds[a] = "positive"
        else:
            return False
        return True
    pieces = []
    if not (_split(Fraction(0), HEAD, either, min_width, pieces) and _split(HEAD, Z, either, min_width, pieces)):
        return None
    zeta = [p + [kinds[p[0]]] for p in pieces]
    mp = arith.get("mp", dps=30)
    guess = mp.mp.findroot(lambda vv: alln.branch(vv, mp.const((lo + hi) / 2), mp)["G"], 3 * mp.pi)
    boxes = (alln.krawczyk_box(lo, hi, Fraction(str(mp.mp.nstr(guess, 25))), ctx, rel=rel)
             for rel in (Fraction(1, 64), Fraction(1, 1024)))
    box = next((b for b in boxes if b is not None and alln._value(b["v"]["mid"]) + alln._value(b["v"]["rad"]) < V1),
               None)
    if box is None:
        return None
    m, r = alln._value(box["v"]["mid"]), alln._value(box["v"]["rad"])

    def sign(want):
        def ok(a, b):
            Vb = ball_from(a, b, ctx)
            try:
                q = chart_u1(Vb, T, ctx)
                return q["A2"] > 0 and (q["H"] < 0 if want < 0 else q["H"] > 0) and monotone_u(T * Vb, T, ctx) > 0
            except ValueError:           # out of a series' domain
                return False
        return ok
    if not monotone_u(T * ball_from(m - r, m + r, ctx), T, ctx) > 0:
        return None
    below, above = [], []
    if not (_split(Fraction(0), m - r, sign(-1), min_width, below) and _split(m + r, V1, sign(1), min_width, above)):
        return None
    fs = lambda ps: [[_frac_str(p[0]), _frac_str(p[1])] + p[2:] for p in ps]
    return {"t": [_frac_str(lo), _frac_str(hi)], "zeta": fs(zeta), "u": [_frac_str(x) for x in u],
            "below": fs(below), "root": box, "above": fs(above)}


def columns(n0, prec=128, pieces=4, progress=None):
    """Columns covering t in [0, 1/n0] edge to edge (halving a column that fails)."""
    t_max = Fraction(1, n0)
    stack = [(t_max * k / pieces, t_max * (k + 1) / pieces) for k in range(pieces)][::-1]
    out = []
    while stack:
        lo, hi = stack.pop()
        col = column(lo, hi, prec)
        if col is not None:
            out.append(col)
            if progress:
                progress(len(out))
        elif hi - lo < t_max / 2 ** 12:
            raise ValueError("no column near t = %s" % lo)
        else:
            stack += [((lo + hi) / 2, hi), (lo, (lo + hi) / 2)]
    return out


def limit_bracket(prec=128, eps=Fraction(1, 2 ** 80)):
    """[u_lo, u_hi] around u_p(0) = pi - 2 with F(0, u_lo) < 0 < F(0, u_hi)."""
    mid = _tight(_mp_partner_u(0), bits=100)
    for k in range(8):
        lo, hi = mid - eps * 4 ** k, mid + eps * 4 ** k
        if partner_sign(Fraction(0), Fraction(0), lo, prec) < 0 < partner_sign(Fraction(0), Fraction(0), hi, prec):
            return [lo, hi]
    raise ValueError("no bracket of the partner's limit")


def classification_item(n0=7, chain_from=16, prec=128, progress=None):
    """The all-n-classification item (trusted/classify.py) for every n >= n0: a chain of
    columns on [0, 1/chain_from] and one column at t = 1/k for each k in [n0, chain_from)."""
    chain_from = max(chain_from, n0)
    cols = columns(chain_from, prec, progress=progress)
    for k in range(n0, chain_from):
        col = column(Fraction(1, k), Fraction(1, k), prec)
        if col is None:
            raise ValueError("no column at n = %d" % k)
        cols.append(col)
    t_max = Fraction(1, n0)
    grid = lambda cs: [[_frac_str(a), _frac_str(b), [[_frac_str(c), _frac_str(d)] for c, d in ps]]
                       for a, b, ps in cs]
    return {"type": "classification-branch", "n_from": n0, "prec": prec,
            "charts": {"Z": _frac_str(Z), "z_mid": _frac_str(Z_MID), "V1": _frac_str(V1), "theta_M": _frac_str(THETA_M),
                       "head": _frac_str(HEAD)},
            "columns": cols, "l2": grid(l2_cover(t_max, prec)), "u2": grid(u2_cover(t_max, prec)),
            "limit": [_frac_str(x) for x in limit_bracket(prec)]}


def _n3_gap(t, u):
    """n^3 (rho_partner - rho_simplex) at zeta = zeta_s + t u: (1 - t) u (2 zeta_s + t u)/(1 - 2t),
    increasing in t and in u > 0."""
    return (1 - t) * u * (2 / (1 - t) + t * u) / (1 - 2 * t)


def summary(item):
    """What a reader wants from the item: its size, n^3 times the partner's gap per column (the
    kernel checks each column's bracket of u), where its limit points lie, and the basins' widths."""
    lo, hi = (Fraction(x) * 2 for x in item["limit"])
    per = []
    for c in item["columns"]:
        a, b = Fraction(c["t"][0]), Fraction(c["t"][1])
        u0, u1 = Fraction(c["u"][0]), Fraction(c["u"][1])
        n = "%d" % round(1 / a) if a == b else "%s..%s" % (math.ceil(1 / b), "" if a == 0 else math.floor(1 / a))
        per.append({"t": a, "n": n, "n3_gap": [outward_decimal(_n3_gap(a, u0), 6, False), outward_decimal(_n3_gap(b, u1), 6, True)]})
    return {"columns": len(item["columns"]),
            "chart_boxes": {"L2": sum(len(c[2]) for c in item["l2"]), "U2": sum(len(c[2]) for c in item["u2"])},
            "partner_gap_n3_by_column": [{k: v for k, v in r.items() if k != "t"}
                                         for r in sorted(per, key=lambda r: -r["t"])],
            "partner_gap_n3_limit": [outward_decimal(lo, 25, False), outward_decimal(hi, 25, True)],
            "partner_gap_n3_limit_note": "every limit point of n^3 (rho_partner - rho_simplex) as n -> infinity lies "
                                         "here (F(t, u) is continuous in t); the closed form 2 (pi - 2) does",
            "basin_widths": {"simplex": "1/((n-1)(n-2)) + (rho_partner - rho_simplex) = 1/n^2 + c/n^3 + o(n^-3), "
                                        "every limit point of c in [%s, %s] (3 + 2 (pi - 2) = 2 pi - 1)"
                                        % (outward_decimal(3 + lo, 20, False), outward_decimal(3 + hi, 20, True)),
                             "attractor": "1 + 1/(n-1) - (rho_partner - rho_simplex) = 1 + 1/n + O(n^-2)"}}
