"""Trusted check of the all-n branch item (twin of bnverify/derive/alln.py, written separately).

``all-n-branch``  {n_from, alpha, prec, boxes: [{t: [lo, hi], v: {mid, rad}, y}, ...][,
stable: true]}.  With stable, also: spectral radius < 1 in the full dynamics (ReLU, and by the
lemma below leaky ReLU for every alpha of the item's range).

The mathematics (stated here, checked by tests against the per-n model at finite n):

* For RC + ReLU, with t = 1/n, m = n - 1 and v = n arccos(rho) (theta = t v), the
  S_{n-1}-symmetric fixed points with cluster correlation rho of C G C are the roots of
  h(rho) = rho, and 2 A (h(rho) - rho) = t^3 G(v, t) with 2 A = 1 + t E(v, t) the cluster
  diagonal of C K C (K(1) = 1/2), where, with C(x) = (1 - cos x)/x^2, S(x) = (sin x -
  x cos x)/x^3, R(y) = arcsin(y)/y, w = sqrt(C(theta)(1 - 2t)/(1 - t)), y = theta w
  (= sin of the odd point's angle phi to minus the cluster), phi = y R(y):

      G = v^2 C(theta) E + v^3 S(theta) / pi,
      E = -2t - 2(1 - 2t)(1 - theta^2 C(theta)) - (1 + t)(1 - 2t) t^2 v^3 S(theta) / pi
          - 2 (1 - t) t^3 v^3 sqrt(1 - y^2) (w R(y))^3 S(phi) / pi.

  So for t > 0 with A > 0, G(v, t) = 0 iff h(cos(t v)) = cos(t v).
* Leaky ReLU(alpha), alpha in [0, 1): K_alpha = ((1+alpha)/2)^2 Sigma + ((1-alpha)/2)^2
  K_|x| (the odd cross terms vanish by the symmetry u -> -u) and C Sigma C = Sigma, so the
  roots of h_alpha(rho) = rho are those of ReLU for every alpha.  The fixed point's cluster
  cosine is c = 1 - t^2 v^2 (C(theta) - k t v S(theta)/pi), k = (1 - alpha)^2/(1 + alpha^2),
  and its odd cosine is 2 (-alpha sqrt(1 - y^2) + (1 - alpha)^2 phi^3 S(phi)/(2 pi)) /
  (1 + alpha^2) = -g sqrt(1 - y^2) + k phi^3 S(phi) / pi, g = 2 alpha/(1 + alpha^2).
* The series: every coefficient of C and S is at most 1/(2k+1)! and 2k times it at most
  1/(2k)!; R's coefficients and 2k times them are at most 1.  Sums are truncated after K
  terms with the tail bounds written in :func:`_tail` (as ball radius).

Stability (ReLU; the derivation and its sympy identities are in bnverify/derive/alln_stability.py,
checked there against the kernel's dense symmetric_blocks at n = 7..40):

* At G* = 2 K(Sigma), C G* C = lam Sigma with lam = 2A = 1 + t E, c = lam / 2 and DF(G*)[H]/c
  = (2/lam) DK(Sigma)[C H C], DK(Sigma)[H]_jk = kappa'(r) H_jk + sqrt(S_jj S_kk)(kappa - r
  kappa')(r)(H_jj/S_jj + H_kk/S_kk)/2.  On the isotypic components of model.basis_patterns the blocks
  are L P (centring P, diagonal action L); AB and BA have the same nonzero spectrum, so the
  nonzero eigenvalues are those of P L on the centred parts: pair mu_P = 1 - t m_P; trivial:
  Sigma's direction (eigenvalue 1 at the fixed point, the direction of G* itself, dropped)
  and mu_T = 1 - t m_T; standard: a 2 x 2 block with trace tau and determinant delta,
  det(I - M) = t Q.  With the atoms k1(rho) = (pi - theta)/(2 pi), k0(rho)/t = v sinc(theta)
  /(2 pi), sinc = 1 - theta^2 (C - S), k1(r_x)/t = v w R/(2 pi), k0(r_x) sx = (1 - t) cos(phi)
  v w/(2 pi), k0(r_x)/(t cos phi) = v w/(2 pi cos phi), every quantity in
  :func:`stability_criteria` is analytic at t = 0.
* Spectral radius < 1 iff m_P > 0, mu_P > -1, m_T > 0, mu_T > -1 and (Schur-Cohn for the
  standard block) Q > 0, 1 + tau + delta > 0, 1 - delta > 0.  Evaluated over the box's v-ball
  (which holds the root v(t) for every t of the box), for every t of the box.

Leaky ReLU's stability (every alpha in [0, 1)), from ReLU's.  With phi_alpha(x) = alpha x +
(1 - alpha) relu(x) and E[y_j relu(y_k)] = Sigma_jk / 2, K_alpha(Sigma) = alpha Sigma + (1 -
alpha)^2 K(Sigma), K = K_relu.  At ReLU's fixed point C K(Sigma) C = lam Sigma (Sigma = C G* C):
G_alpha = K_alpha(Sigma) has C G_alpha C = c_alpha Sigma, c_alpha = alpha + (1 - alpha)^2 lam, so
it is the leaky fixed point (its cosines are those above).  K_alpha is homogeneous of degree 1,
so DK_alpha(c Sigma) = DK_alpha(Sigma) = alpha I + (1 - alpha)^2 L (L = DK(Sigma)) and
DF_alpha(G_alpha) / c_alpha = (w I + (1 - w) L / lam) P, P H = C H C, w = alpha / c_alpha in
[0, 1).  For X P with P^2 = P, the nonzero spectrum of X P is that of P X P on the range of
P: w + (1 - w) nu for the eigenvalues nu of P (L / lam) P there, which are ReLU's DF / c's
nonzero eigenvalues and zeros; ReLU's scale direction (nu = 1, Sigma itself) is the leaky
one's.  So ReLU's |nu| < 1 off the scale direction gives |w + (1 - w) nu| <= w + (1 - w)|nu| < 1:
ReLU's stability criteria on a box prove radius < 1 for every alpha in [0, 1) (at alpha = 1, w
= 1: no bound).

The check: the t-intervals cover t = 1/n for every n >= n_from: edge to edge on [0, T] and
one exact point t = [1/k, 1/k] for every k >= n_from with 1/k > T (per n below the branch); on each box, with T the
t-interval and V the v-ball, Krawczyk's operator m - y G(m, T) + (1 - y dG/dv(V, T))(V - m)
lies strictly inside V (so for every t in T exactly one root v in V), and on the box
A > 0, y < 1, v > 0, (1 - c) / (t v)^2 > 0 and c - (odd cosine) > 0: for every integer n >= n_from a
spread-cluster fixed point of the symmetric reduction exists and is unique with n arccos(rho)
in the box's V.  An item's alpha may be a range 'lo..hi' (hi = 1 excluded): the cosines are
evaluated with alpha as a ball over it, the root v does not depend on alpha.
"""
from __future__ import annotations

import functools
from fractions import Fraction

from .base import Q, Rejected, ball, dyadic, edge_to_edge, rat_range, span, table
from .model import Dual

MAX_BOXES = 20000
MAX_WORK = 2000 * 128       # boxes x bits: genuine branches have 31 boxes (n >= 16) or 781 (n >= 7) at 128
K_MAX = 256


def _fact(k):
    out = 1
    for i in range(2, k + 1):
        out *= i
    return out


@functools.lru_cache(maxsize=None)
def _coeff(name, k):
    if name == "C":
        return Fraction((-1) ** k, _fact(2 * k + 2))
    if name == "S":
        return Fraction((-1) ** k * (2 * k + 2), _fact(2 * k + 3))
    return Fraction(_fact(2 * k), 4 ** k * _fact(k) ** 2 * (2 * k + 1))


def _tail(name, X, K):
    """Bound of sum_{k>=K} |c_k| X^(2k) and of sum_{k>=K} 2k |c_k| X^(2k-1) (arb)."""
    from flint import arb
    if name == "R":
        return X ** (2 * K - 1) / (1 - X * X) if X < 1 else arb("inf")
    if not X * X <= K * (2 * K + 1):
        return arb("inf")
    return 2 * X ** (2 * K - 1) / _fact(2 * K - 1)


def _series(name, x, prec):
    from flint import arb
    X = abs(x.v).upper()
    if name == "R" and not X < 1:
        raise Rejected("the arcsin argument is not below 1 on the box")
    K = 8
    while True:
        bound = _tail(name, X, K)
        if bound < arb(2) ** (-prec) or K >= K_MAX:
            break
        K *= 2
    if not bound.is_finite():
        raise Rejected("no series tail bound on the box")
    x2 = x.v * x.v
    val, der, p, dp = arb(0), arb(0), arb(1), x.v
    for k in range(K):
        q = _coeff(name, k)
        c = arb(q.numerator) / q.denominator
        val += c * p
        if k >= 1:
            der += 2 * k * c * dp
            dp = dp * x2
        p = p * x2
    return Dual(val + arb(0, bound), ((der + arb(0, bound)) * d for d in x.g))


def _atoms(V, T, prec):
    """The branch's primitives at (V, T) (Dual values): theta, C, S, rho, w, y, cos phi, R, phi,
    S(phi), w R and E (module docstring)."""
    q = angle_atoms(T * V, T, prec)
    v3 = V * V * V
    E = (-2 * T - 2 * (1 - 2 * T) * q["rho"] - (1 + T) * (1 - 2 * T) * T * T * v3 * q["s"] / q["pi"]
         - 2 * (1 - T) * T * T * T * v3 * q["cphi"] * q["wR"] * q["wR"] * q["wR"] * q["sphi"] / q["pi"])
    return dict(q, v3=v3, E=E)


def angle_atoms(th, T, prec):
    """The primitives that depend on theta and t only (Dual values)."""
    from flint import arb
    pi = arb.pi()
    c, s = _series("C", th, prec), _series("S", th, prec)
    rho = 1 - th * th * c
    w = (c * (1 - 2 * T) / (1 - T)).sqrt()
    y = th * w
    cphi = (1 - y * y).sqrt()
    R = _series("R", y, prec)
    phi = y * R
    sphi = _series("S", phi, prec)
    return dict(pi=pi, th=th, c=c, s=s, rho=rho, w=w, y=y, cphi=cphi, R=R, phi=phi, sphi=sphi, wR=w * R)


def _slopes(lo, hi):
    """Balls of g = 2a/(1 + a^2) and k = (1 - a)^2/(1 + a^2) over a in [lo, hi] within [0, 1]:
    g' = 2(1 - a^2)/(1 + a^2)^2 >= 0 and k' = -2(1 - a)(1 + a)/(1 + a^2)^2 <= 0 there, so
    each lies between its values at the two ends."""
    g = [ball(2 * a / (1 + a * a)) for a in (lo, hi)]
    k = [ball((1 - a) ** 2 / (1 + a * a)) for a in (lo, hi)]
    return g[0].union(g[1]), k[0].union(k[1])


def quantities(v, t, alpha, prec):
    """G, dG/dv, 2A, y, and the fixed point's 1 - c and c - (odd cosine) at (v, t) balls and
    alpha (a Fraction, or a range (lo, hi) of slopes in [0, 1])."""
    from flint import arb
    V, T = Dual(v, (arb(1),)), Dual(t, (arb(0),))
    q = _atoms(V, T, prec)
    pi, c, s, E, cphi, phi, sphi = q["pi"], q["c"], q["s"], q["E"], q["cphi"], q["phi"], q["sphi"]
    G = V * V * c * E + q["v3"] * s / pi
    g, k = _slopes(*(alpha if isinstance(alpha, tuple) else (alpha, alpha)))
    factor = c - k * T * V * s / pi             # 1 - c = t^2 v^2 factor
    deficit = T * T * V * V * factor
    odd = -g * cphi + k * phi * phi * phi * sphi / pi
    return {"G": G.v, "dG": G.g[0], "A2": (1 + T * E).v, "y": q["y"].v, "factor": factor.v,
            "spread": (1 - deficit - odd).v}


def stability_criteria(v, t, prec):
    """The seven quantities that are all > 0 iff the spectral radius of DF(G*)/c is < 1 at the
    branch point (v, t) (module docstring, "Stability"): pair m_P and 2 - t m_P, trivial m_T
    and 2 - t m_T, standard Q = det(I - M)/t, 1 + tau + delta and 1 - delta (Schur-Cohn)."""
    V, T = Dual(v, ()), Dual(t, ())
    q = _atoms(V, T, prec)
    pi, th, E, w, wR, cphi = q["pi"], q["th"], q["E"], q["w"], q["wR"], q["cphi"]
    sinc = 1 - th * th * (q["c"] - q["s"])
    lam = 1 + T * E
    k1r, k0r_t, k1x_t = (pi - th) / (2 * pi), V * sinc / (2 * pi), V * wR / (2 * pi)
    k0x_c, sxk0x = V * w / (2 * pi * cphi), (1 - T) * cphi * V * w / (2 * pi)
    m_P = (E + V / pi) / lam
    beta = (k0r_t * (-2 + 2 * T + 4 * T * T) - 2 * T * k0x_c * (1 - T) - 2 * T * sxk0x
            + k1r * (2 + 4 * T) + 4 * T * (1 - T) * k1x_t)
    m_T = (2 * E + 3 - beta) / lam
    a = E + 2 + 2 * (1 - 3 * T) * k0r_t + 2 * sxk0x - 4 * T * k1x_t
    b = -4 * (1 - 3 * T) * (k1r - T * k1x_t)
    c = 3 * T * k0r_t - sxk0x + 2 * T * k1x_t - 1
    d = 6 * k1r + 2 * (1 - 3 * T) * k1x_t
    Q = (a * (lam - T * d) - b * c) / (lam * lam)
    tau = (lam - T * a + T * d) / lam
    delta = T * ((lam - T * a) * d - b * c) / (lam * lam)
    return {k: x.v for k, x in (("pair_margin", m_P), ("pair_above_-1", 2 - T * m_P),
                                ("trivial_margin", m_T), ("trivial_above_-1", 2 - T * m_T),
                                ("standard_p(1)/t", Q), ("standard_p(-1)", 1 + tau + delta),
                                ("standard_1-delta", 1 - delta))}


def _cover(ts, n0):
    """Rejected unless the t-intervals hold t = 1/n for every n >= n0: the proper ones edge to
    edge on [0, T], and exactly the points 1/k, k >= n0, above T."""
    chain, points = [t for t in ts if t[0] < t[1]], sorted((t[0] for t in ts if t[0] == t[1]), reverse=True)
    top = chain[-1][1] if chain else Fraction(0)
    edge_to_edge(chain, Fraction(0), top, "t-intervals")
    want = [Fraction(1, k) for k in range(n0, n0 + len(points)) if Fraction(1, k) > top]
    if any(t[0] > t[1] for t in ts) or top > Fraction(1, n0) or points != want or Fraction(1, n0 + len(points)) > top:
        raise Rejected("the t-intervals do not hold t = 1/n for every n >= %d (edge to edge from 0, then "
                       "one point 1/n for each n above)" % n0)


def krawczyk(b, i, lo, hi, alpha, prec):
    """(V, quantities on the box) if Krawczyk's operator for G maps the box b's v-ball into its
    interior for every t in [lo, hi] (exactly one root of G(., t) in V); Rejected otherwise."""
    from flint import arb
    mid, rad = dyadic(b["v"]["mid"]), dyadic(b["v"]["rad"])
    if not (rad > 0 and mid - rad > 0):
        raise Rejected("box %d: the v-ball must be positive with a positive radius" % i)
    T, m = span(lo, hi), ball(mid)
    V, y = arb(m, ball(rad)), ball(Q(b["y"]))
    at_m, on_box = quantities(m, T, alpha, prec), quantities(V, T, alpha, prec)
    K = m - y * at_m["G"] + (1 - y * on_box["dG"]) * (V - m)
    if not (K.is_finite() and V.contains_interior(K)):
        raise Rejected("box %d (t in [%s, %s]): the Krawczyk operator is not inside the box" % (i, lo, hi))
    return V, on_box


def check_branch(item):
    from flint import ctx

    n0, prec = item["n_from"], item["prec"]
    a_lo, a_hi, a_open = rat_range(item["alpha"])
    stable = item.get("stable", False)
    if type(stable) is not bool:
        raise Rejected("stable must be true or false")
    if type(n0) is not int or type(prec) is not int or not (7 <= n0 <= 10 ** 6 and 64 <= prec <= 256
                                                            and 0 <= a_lo and (a_hi < 1 or a_open)):
        raise Rejected("n_from, alpha or prec out of range (7 <= n_from, 0 <= alpha < 1)")
    boxes = item["boxes"]
    if not isinstance(boxes, list) or not 0 < len(boxes) <= MAX_BOXES:
        raise Rejected("boxes must be a list of 1..%d boxes" % MAX_BOXES)
    if len(boxes) * prec > MAX_WORK:
        raise Rejected("%d boxes at %d bits exceed the work budget (boxes x bits <= %d)" % (len(boxes), prec, MAX_WORK))
    for i, b in enumerate(boxes):
        table(b, "box %d" % i, {"t": list, "v": dict, "y": str})
        table(b["v"], "box %d's v" % i, {"mid": list, "rad": list})
        if len(b["t"]) != 2:
            raise Rejected("box %d: t must be [lo, hi]" % i)
    ts = [(Q(b["t"][0]), Q(b["t"][1])) for b in boxes]
    _cover(ts, n0)
    with ctx.workprec(prec):
        for i, (b, (lo, hi)) in enumerate(zip(boxes, ts)):
            T = span(lo, hi)
            V, on_box = krawczyk(b, i, lo, hi, (a_lo, a_hi), prec)
            if not (on_box["A2"] > 0 and on_box["y"] < 1 and on_box["spread"] > 0 and on_box["factor"] > 0):
                raise Rejected("box %d: A > 0, y < 1, 1 - c > 0 or c > odd cosine not shown" % i)
            if stable:
                bad = [k for k, x in stability_criteria(V, T, prec).items() if not x > 0]
                if bad:
                    raise Rejected("box %d (t in [%s, %s]): stability criteria %s not shown > 0"
                                   % (i, lo, hi, ", ".join(bad)))
    return {"fact": "branch", "n_from": n0, "alpha": (a_lo, a_hi, a_open), "state": "spread-cluster",
            "radius_below": Fraction(1) if stable else None}
