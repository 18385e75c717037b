"""Trusted check of the all-n classification item (twin of bnverify/derive/classify_alln.py,
written apart): for every n >= n_from, RC + ReLU's reduction curve h has exactly four fixed
points on [-1/(n-2), 1]: the simplex state, its partner, the spread-cluster attractor, O_n.

``all-n-classification``  {n_from, prec, charts: {Z, z_mid, V1, theta_M}, columns: [{t: [lo, hi],
zeta: [[a, b, convex|positive], ...], u: [u_lo, u_hi], below: [[a, b], ...], root: <an
all-n-branch box>, above: [[a, b], ...]}, ...], l2: [[z_lo, z_hi, [[w_lo, w_hi], ...]], ...],
u2: [[th_lo, th_hi, [[w_lo, w_hi], ...]], ...], limit: [u_lo, u_hi]}.

The mathematics (stated here; the tests compare each formula with the Gram-map code):

* z = sqrt(q / (n - 1)) in [0, 1], q = 1 + (n - 2) rho, so rho = ((1 - t) z^2 - t)/(1 - 2t),
  t = 1/n.  Centring K(Sigma(rho)) (kappa(1) = 1/2) gives h - rho = Psi / D with
  Psi = (1 - rho) P / 2 - delta Q, D = (1 - t - 2t^2) delta + P / 2, delta = 1/2 - kappa(rho),
  P = t^2 - 4t(1 - t) z kappa(-z) + (1 - t)^2 z^2, Q = t^2 + (1 - t^2) z^2.  P, Q are
  homogeneous of degree 2 in (t, z): chart L1 is (t, zeta = z/t) with Phi1 = Psi / t^2, chart
  L2 is (z, w = t/z) with Psi / z^2; where D > 0, sign(h - rho) = sign(Psi).
* Near rho = 1, theta = arccos(rho) = t v: 2A (h - rho) = t^3 G(v, t), G = v^2 H, H = C E + v
  S / pi, 2A = 1 + t E (trusted/alln.py).  Chart U1 is (t, v), chart U2 is (theta, w' = 1/v) with
  G / v^3 = C E/v + S / pi, E/v = (-2t - 2(1 - 2t) rho - x0) w' - x1, x1 = (1 + t)(1 - 2t)
  theta^2 S / pi, x0 = 2(1 - t) theta^3 cos(phi) (w R)^3 S(phi) / pi (E with t^2 v^3 = theta^2 v
  and t^3 v^3 = theta^3), 2A = 1 + theta E/v.
* For each t in (0, t_max] the domain is covered: L1 holds z in [0, Z t], L2 z in [Z t, z_mid]
  (w = t/z <= min(1/Z, t_max / z)), U2 theta in [t V1, theta_M] (w' <= min(1/V1, t_max /
  theta); empty where t V1 >= theta_M), U1 theta in [0, t V1]; rho(z_mid, t) decreases in t and
  is checked >= cos(theta_M) at t_max.  On L2 and U2 the sign is +: no fixed point.
* On a column (t in T): U1 has H < 0 on [0, m - r] (at v = 0, H = -(1 - t): rho = 1, O_n, is a
  root of G = v^2 H and the only one there), exactly one root in the Krawczyk box [m - r, m + r]
  (the attractor), H > 0 on [m + r, V1]; with 2A > 0 throughout.  L1: Phi1 is convex on the
  first pieces [0, zeta_c] (Phi1'' > 0, third-order Taylor series in zeta) and positive on the
  rest; Phi1(t, 0) > 0; the simplex zeta_s = 1/(1 - t) is a zero (an exact fixed point, by the S_n
  symmetry); with zeta = zeta_s + t u, F(t, u) = Phi1 / t^2 < 0 at u_lo > 0 and > 0 at u_hi,
  zeta_s + t u_hi <= zeta_c.  A convex function positive at 0, zero at zeta_s and negative at
  zeta_s + t u_lo has exactly one more zero on [0, zeta_c], in zeta_s + t (u_lo, u_hi) (the
  partner): four fixed points in all.
* F's sign over T = [a, b]: f(t) = Phi1(t, zeta_s(t) + t u) is enclosed by its Taylor
  polynomial at a (exact point, TERMS coefficients) and the Lagrange remainder (the last
  coefficient over T).  At a = 0, f(0) = 0 (Phi1(0, zeta) = (zeta - 1)^2 / (2 pi) vanishes at
  zeta_s(0) = 1) and f'(0) = 0 (d/dt Phi1(t, zeta_s(t)) = 0 and d Phi1 / d zeta (0, 1) = 0), so
  F = f / t^2 is the polynomial from its third coefficient on.
* The partner's gap: rho_p - rho_s = (1 - t) t^3 u_p (2 zeta_s + t u_p) / (1 - 2t), so n^3 times
  it tends to 2 u_p(0); ``limit`` brackets u_p(0) by F(0, u_lo) < 0 < F(0, u_hi) (F(0, .) is
  increasing there: F(0, u) = u (u - (pi - 2)) / (2 pi) in closed form, not used by the check).
"""
from __future__ import annotations

from fractions import Fraction

from .alln import _atoms, _cover, angle_atoms, krawczyk
from .base import Q, Rejected, ball, dyadic, edge_to_edge, span, table
from .model import Dual, kappa, kernel_constants

MAX_WORK = 6000 * 128           # boxes x bits; the genuine item has about 2,400 at 128
TERMS = 6


def _kappa(r):
    """The arc-cosine kernel kappa(r) = r/2 + (sqrt(1 - r^2) - r acos r) / (2 pi): model.kappa for
    a ball (through its ends), the formula for a Taylor series."""
    from flint import arb
    if isinstance(r, (arb, Dual)):
        return kappa(r, *kernel_constants(Fraction(0)))
    return r / 2 + ((1 - r * r).sqrt() - r * r.acos()) / (2 * arb.pi())


def lower(t, z, tau, zeta, lam2):
    """(Psi / lam^2, D, P / lam^2, 2 delta) at (t, z), (tau, zeta) = (t, z) / lam, lam2 = lam^2."""
    rho = ((1 - t) * z * z - t) / (1 - 2 * t)
    delta = 1 - _kappa(rho) * 2
    P = tau * tau - 4 * tau * (1 - t) * zeta * _kappa(-z) + (1 - t) * (1 - t) * zeta * zeta
    Qd = tau * tau + (1 - t * t) * zeta * zeta
    return (1 - rho) * P / 2 - delta * Qd / 2, (1 - t - 2 * t * t) * delta / 2 + lam2 * P / 2, P, delta


def _l1(t, zeta):
    return lower(t, t * zeta, 1, zeta, t * t)


def _seeded(x, d):
    """x with L x = d (L = z d/dz or theta d/dtheta at fixed t: the variable seeds itself)."""
    return Dual(x, (d,))


def _rising(P, delta):
    """L(P) delta - P L(delta) (Duals): > 0 where P / delta, so h, increases."""
    return P.g[0] * delta.v - P.v * delta.g[0]


def _rising_u(TH, t, prec):
    """P (2 dh + L dh) - L(P) dh, dh = delta / theta^2 = (C - theta S / pi) / 2, z = cos(phi),
    kappa(-z) = phi^3 S(phi) / (2 pi): > 0 where h increases (decreases in v)."""
    q = angle_atoms(_seeded(TH, TH), t, prec)
    P = t * t - 4 * t * (1 - t) * q["cphi"] * q["phi"] * q["phi"] * q["phi"] * q["sphi"] / (2 * q["pi"]) + \
        (1 - t) * (1 - t) * (1 - q["y"] * q["y"])
    dh = (q["c"] - _seeded(TH, TH) * q["s"] / q["pi"]) / 2
    return P.v * (2 * dh.v + dh.g[0]) - P.g[0] * dh.v


def _head_image(T, Zb):
    """zeta'^2 with rho(zeta') = h(rho(zeta)) in chart L1: h = 1 - 1/(1 - t - 2t^2 + t^2 X),
    X = P / (2 delta) (P / t^2 of the chart), solved for zeta'."""
    _, _, P, delta2 = _l1(T, Zb)
    X = P / delta2
    return (-1 + 2 * T + (1 - T) * X) / ((1 - T) * (1 - T - 2 * T * T + T * T * X))


def _series(terms, x):
    from flint import arb_series
    return arb_series([x, 1], prec=terms)


def _coeffs(f, terms):
    c = list(f.coeffs())
    return c + [0] * (terms - len(c))


def _f(t, u):
    return _l1(t, 1 / (1 - t) + t * u)[0]


def partner_sign(lo, hi, u):
    """A ball with the sign of F(t, u) for every t in [lo, hi] (docstring): F itself at lo = 0,
    f = t^2 F above."""
    from flint import arb
    T = span(lo, hi)
    at = _coeffs(_f(_series(TERMS, ball(lo)), ball(u)), TERMS)
    rest = _coeffs(_f(_series(TERMS, T), ball(u)), TERMS)[TERMS - 1]
    if lo == 0:
        poly, h = at[2:TERMS - 1] + [rest], T
    else:
        poly, h = at[:TERMS - 1] + [rest], T - ball(lo)
    out = arb(0)
    for c in reversed(poly):
        out = out * h + c
    return out


def _grid(cols, x_hi, y_hi, t_max, what, ok):
    """Columns edge to edge on [0, x_hi]; column [a, b]'s pieces edge to edge on [0, min(y_hi,
    t_max / a)] (y_hi at a = 0); ok(X, Y) on every box."""
    xs = [(Q(c[0]), Q(c[1]), c[2]) for c in cols]
    edge_to_edge(xs, Fraction(0), x_hi, what + " columns")
    for a, b, pieces in xs:
        ys = [(Q(p[0]), Q(p[1])) for p in pieces]
        edge_to_edge(ys, Fraction(0), y_hi if a == 0 else min(y_hi, t_max / a), what + " pieces at %s" % a)
        for c, d in ys:
            if not ok(span(a, b), span(c, d)):
                raise Rejected("%s: the sign is not shown on [%s, %s] x [%s, %s]" % (what, a, b, c, d))


def _l2_ok(Z, W):
    psi, D, _, _ = lower(W * Z, Z, W, 1, Z * Z)
    Zs, Ws = _seeded(Z, Z), _seeded(W, -W)            # t = w z: L(t) = 0
    _, _, P, delta2 = lower(Ws * Zs, Zs, Ws, 1, Zs * Zs)
    rising = (P.g[0] + 2 * P.v) * delta2.v - P.v * delta2.g[0]     # L(P) / z^2 = L(P / z^2) + 2 P / z^2
    return psi > 0 and D > 0 and rising > 0


def _u2_ok(TH, W, prec):
    q = angle_atoms(Dual(TH, ()), Dual(TH * W, ()), prec)
    t = TH * W
    ev = (-2 * t - 2 * (1 - 2 * t) * q["rho"].v
          - 2 * (1 - t) * TH ** 3 * q["cphi"].v * q["wR"].v ** 3 * q["sphi"].v / q["pi"]) * W \
        - (1 + t) * (1 - 2 * t) * TH * TH * q["s"].v / q["pi"]
    return q["c"].v * ev + q["s"].v / q["pi"] > 0 and 1 + TH * ev > 0 and _rising_u(TH, t, prec) > 0


def _column(i, col, charts, prec):
    Zc, V1 = charts["Z"], charts["V1"]
    lo, hi = Q(col["t"][0]), Q(col["t"][1])
    T = span(lo, hi)
    if not _l1(T, 0)[0] > 0:
        raise Rejected("column %d: Phi1(t, 0) > 0 not shown" % i)
    u_lo, u_hi = Q(col["u"][0]), Q(col["u"][1])
    if not (0 < u_lo < u_hi and partner_sign(lo, hi, u_lo) < 0 and partner_sign(lo, hi, u_hi) > 0):
        raise Rejected("column %d: F(t, u_lo) < 0 < F(t, u_hi) with 0 < u_lo < u_hi not shown" % i)
    pieces = [(Q(p[0]), Q(p[1]), p[2]) for p in col["zeta"]]
    edge_to_edge(pieces, Fraction(0), Zc, "column %d's zeta-pieces" % i)
    kinds = [k for _, _, k in pieces]
    n_convex = next((j for j, k in enumerate(kinds) if k != "convex"), len(kinds))
    if any(k != "positive" for k in kinds[n_convex:]) or n_convex == 0 or \
            pieces[n_convex - 1][1] < 1 / (1 - hi) + hi * u_hi:
        raise Rejected("column %d: the zeta-pieces must be convex from 0 past zeta_s + t u_hi, then positive" % i)
    head = charts["head"]
    for a, b, kind in pieces:
        Zb = span(a, b)
        if kind == "convex":
            psi, D, _, _ = _l1(T, _series(3, Zb))
            ok = _coeffs(psi, 3)[2] > 0 and _coeffs(D, 3)[0] > 0
        else:
            psi, D, _, _ = _l1(T, Zb)
            ok = psi > 0 and D > 0
        if not ok:
            raise Rejected("column %d: zeta in [%s, %s] not shown %s" % (i, a, b, kind))
        if b <= head:            # the head's image lies in (head, 1): left of the simplex (zeta_s >= 1)
            img = _head_image(T, Zb)
            ok = img > ball(head * head) and img < 1
        elif a >= head:
            ok = _rising(*_l1(T, _seeded(Zb, Zb))[2:]) > 0
        else:
            ok = False
        if not ok:
            raise Rejected("column %d: zeta in [%s, %s]: h increasing (or, in the head, its image in (head, 1)) "
                           "not shown" % (i, a, b))
    if col["root"]["t"] != col["t"]:
        raise Rejected("column %d: the root box is for another t-interval" % i)
    V, on_box = krawczyk(col["root"], i, lo, hi, Fraction(0), prec)
    if not (on_box["A2"] > 0 and _rising_u(T * V, T, prec) > 0):
        raise Rejected("column %d: 2A > 0 or h increasing not shown on the root box" % i)
    mid, rad = dyadic(col["root"]["v"]["mid"]), dyadic(col["root"]["v"]["rad"])
    m_lo, m_hi = mid - rad, mid + rad               # the pieces below and above meet the box exactly
    for side, sign, a0, b0 in (("below", -1, Fraction(0), m_lo), ("above", 1, m_hi, V1)):
        ps = [(Q(p[0]), Q(p[1])) for p in col[side]]
        edge_to_edge(ps, a0, b0, "column %d's v-pieces %s the root" % (i, side))
        for a, b in ps:
            q = _atoms(Dual(span(a, b), ()), Dual(T, ()), prec)
            H, A2 = q["c"] * q["E"] + Dual(span(a, b), ()) * q["s"] / q["pi"], 1 + Dual(T, ()) * q["E"]
            if not (A2.v > 0 and H.v * sign > 0 and _rising_u(T * span(a, b), T, prec) > 0):
                raise Rejected("column %d: v in [%s, %s] not shown %s the root (or 2A > 0)" % (i, a, b, side))


def size(item):
    """The item's boxes and pieces (a column's root box counted 64 times), read before any
    arithmetic; Rejected if its lists are not shaped as the docstring says."""
    cols, l2, u2 = item.get("columns"), item.get("l2"), item.get("u2")
    if not all(isinstance(x, list) and x for x in (cols, l2, u2)):
        raise Rejected("columns, l2 and u2 must be non-empty lists")
    if not all(isinstance(c, dict) and all(isinstance(c.get(k), list) for k in ("zeta", "below", "above"))
               for c in cols) or not all(isinstance(c, list) and len(c) == 3 and isinstance(c[2], list)
                                         for c in l2 + u2):
        raise Rejected("a column needs zeta, below and above lists; a chart column is [lo, hi, pieces]")
    return sum(64 + len(c["zeta"]) + len(c["below"]) + len(c["above"]) for c in cols) + \
        sum(len(c[2]) for c in l2 + u2)


def check_classification(item):
    from flint import ctx

    n0, prec = item["n_from"], item["prec"]
    if type(n0) is not int or type(prec) is not int or not (7 <= n0 <= 10 ** 6 and 64 <= prec <= 256):
        raise Rejected("n_from or prec out of range (7 <= n_from <= 10^6, 64 <= prec <= 256)")
    table(item["charts"], "charts", {"Z": str, "z_mid": str, "V1": str, "theta_M": str, "head": str})
    ch = {k: Q(v) for k, v in item["charts"].items()}
    t_max = Fraction(1, n0)
    cols, l2, u2 = item["columns"], item["l2"], item["u2"]
    if size(item) * prec > MAX_WORK:
        raise Rejected("the item exceeds the work budget (boxes x bits <= %d)" % MAX_WORK)
    if not (0 < ch["Z"] and 0 < ch["z_mid"] < 1 and ch["Z"] * t_max <= ch["z_mid"] and 0 < ch["V1"]
            and 0 < ch["theta_M"] < 2 and ch["z_mid"] / ch["Z"] < Fraction(1, 2)
            and ch["theta_M"] / ch["V1"] < Fraction(1, 2) and 0 < ch["head"] < 1):
        raise Rejected("the charts' edges do not fit (0 < Z t_max <= z_mid < 1, 0 < theta_M < 2, "
                       "z_mid / Z and theta_M / V1 below 1/2, 0 < head < 1)")
    for i, c in enumerate(cols):
        table(c, "column %d" % i, {"t": list, "zeta": list, "u": list, "below": list, "root": dict, "above": list})
    _cover([(Q(c["t"][0]), Q(c["t"][1])) for c in cols], n0)
    with ctx.workprec(prec):
        t, z = ball(t_max), ball(ch["z_mid"])
        if not ((1 - t) * z * z - t) / (1 - 2 * t) > ball(ch["theta_M"]).cos():
            raise Rejected("rho(z_mid, t_max) >= cos(theta_M) not shown: the charts leave a gap")
        # L1's rho <= t (Z^2 t - 1)/(1 - 2t) <= max(0, that at t_max) < cos(t_max V1) <= U1's rho: the
        # simplex and the partner are not the attractor
        top = max(Fraction(0), t_max * (ch["Z"] ** 2 * t_max - 1) / (1 - 2 * t_max))
        if not (t_max * ch["V1"] < 3 and ball(top) < (ball(t_max) * ball(ch["V1"])).cos()):
            raise Rejected("charts L1 and U1 are not shown apart: a root could be counted twice")
        lim = [Q(x) for x in item["limit"]]
        if not (len(lim) == 2 and 0 < lim[0] < lim[1] and partner_sign(0, 0, lim[0]) < 0
                and partner_sign(0, 0, lim[1]) > 0):
            raise Rejected("limit: F(0, u_lo) < 0 < F(0, u_hi) not shown")
        for i, c in enumerate(cols):
            _column(i, c, ch, prec)
        _grid(l2, ch["z_mid"], 1 / ch["Z"], t_max, "chart L2", _l2_ok)
        _grid(u2, ch["theta_M"], 1 / ch["V1"], t_max, "chart U2", lambda a, b: _u2_ok(a, b, prec))
    return {"fact": "classification", "n_from": n0, "alpha": Fraction(0), "fixed_points": 4,
            "gap_limit": (2 * lim[0], 2 * lim[1]), "basins": dict(BASINS)}


# every n >= n_from: h increases on M = [rho(head), 1] and maps the head into M left of the
# simplex, so orbits converge monotonically to the fixed point their interval points to
BASINS = (("simplex", "[left-end, partner)"), ("partner", "{partner}"),
          ("attractor", "(partner, configuration)"), ("configuration", "{configuration}"))
