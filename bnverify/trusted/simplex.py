"""Trusted check of the all-n simplex item (twin of bnverify/derive/simplex_alln.py, written
separately: here from kappa's definition, there from closed forms in t).

``simplex-branch``  {n_from, alpha, prec, boxes: [{t: [lo, hi]}, ...]}: for every n >= n_from
the simplex state of RC + leaky ReLU(alpha) has spectral radius < 1 in the full scale-free
dynamics.

The mathematics (stated here, checked by tests against model.symmetric_blocks at n = 3..40):
with t = 1/n, rho = -1/(n-1) = -t/(1-t), the S_n-symmetric G* = (1 - c_s) I + c_s J,
c_s = kappa(rho)/A, is an exact fixed point up to scale (C G* C = (1 - c_s) C, so every
correlation of the centred batch is rho) with c = F(G*)_00 = (A - kappa(rho))(1 - t).  Under
S_n the scale-free linearization DF(G*)/c has, besides G*'s own direction (1, dropped) and
zeros, the eigenvalues

    standard  lam_S = 1 - t m_S,  m_S = (B acos(rho) - k0(rho)) / c     (n - 1 times),
    pair      lam_P = kappa'(rho) / c                                   (n (n-3)/2 times),

k0(rho) = kappa(rho) - rho kappa'(rho) = B sqrt(1 - rho^2), kappa'(rho) = A - B acos(rho).  So for t > 0 the radius is < 1 iff
c > 0, m_S > 0, 2 - t m_S > 0, c - kappa' > 0 and c + kappa' > 0 (the pair conditions are
superfluous at n = 3, checked anyway).  Each is evaluated over the box's t-ball; the radius
tends to 1 as t -> 0 (1 - radius ~ m_S(0) t), so no bound below 1 holds for every n.

Full batch normalization (RC + RS, the same phi), a lemma the kernel uses for the symmetric
(BSB1) state: RS makes the next Gram matrix V(Sigma) = n int_0^inf K(P(s)) det(I + 2sS)^(-1/2) ds,
S = C Sigma C, P(s) = S (I + 2sS)^(-1) (Yang et al. 2019, Thm 3.2; docs/full-bn.md).  At S = C,
P(s) = C/(1 + 2s) and det = (1 + 2s)^(n-1); K is 1-homogeneous, so for K_H = C H C the two
s-integrals are Beta integrals and DV(I)[H] = n/(n+1) (DK(C)[K_H] - tr(K_H)/(n-1) K(C)).  The
fixed point is Sigma* = V(I), C Sigma* C = (A - kappa(rho)) C, DV(Sigma*) = DV(I)/(A - kappa(rho)),
V is 0-homogeneous (RS fixes the scale: Sigma* is in the kernel).  On the trivial component
DV vanishes (V is constant on the S_n-invariant family); on the standard and pair components
tr(K_H) = 0 and, with RC alone's c = (A - kappa(rho))(n-1)/n at G* ~ K(C), DV(Sigma*) = (n-1)/(n+1)
DF(G*)/c.  So the eigenvalues are 0 and (n-1)/(n+1) times lam_S, lam_P above: RC alone's radius
< b gives RC + RS's < (n-1)/(n+1) b < b, at the same n and alpha (checked by tests against a
dense finite-difference Jacobian of an independent mpmath evaluation at n = 3, 4, 5).
"""
from __future__ import annotations

from fractions import Fraction

from .base import Q, Rejected, ball, edge_to_edge, table
from .model import kernel_constants

MAX_BOXES = 4096


def simplex_criteria(T, alpha):
    """{name: arb} at a ball T of t's in [0, 1/3] (current precision); all > 0 means spectral
    radius < 1 at every t > 0 of T.  With q = sqrt(1 - rho^2), a = acos(rho) and (1 - t) rho =
    -t: (1 - t) kappa(rho) = -A t + B ((1 - t) q + t a), so c = A - B ((1 - t) q + t a) and
    c - kappa' = B (1 - t)(a - q), written so, without the cancellation of A."""
    A, B = kernel_constants(alpha)
    rho = -T / (1 - T)
    a, q = rho.acos(), ((1 - rho) * (1 + rho)).sqrt()
    c = A - B * ((1 - T) * q + T * a)
    m = B * (a - q) / c
    return {"c": c, "standard_margin": m, "standard_above_-1": 2 - T * m,
            "pair_below_1": B * (1 - T) * (a - q), "pair_above_-1": c + A - B * a}


def check_simplex_branch(item):
    from flint import arb, ctx

    n0, alpha, prec = item["n_from"], Q(item["alpha"]), item["prec"]
    if type(n0) is not int or type(prec) is not int or not (3 <= n0 <= 10 ** 6 and 64 <= prec <= 1024
                                                            and 0 <= alpha < 1):
        raise Rejected("n_from, alpha or prec out of range (3 <= n_from, 0 <= alpha < 1)")
    boxes = item["boxes"]
    if not isinstance(boxes, list) or not 0 < len(boxes) <= MAX_BOXES:
        raise Rejected("boxes must be a list of 1..%d boxes" % MAX_BOXES)
    ts = []
    for i, b in enumerate(boxes):
        table(b, "box %d" % i, {"t": list})
        if len(b["t"]) != 2:
            raise Rejected("box %d: t must be [lo, hi]" % i)
        ts.append((Q(b["t"][0]), Q(b["t"][1])))
    edge_to_edge(ts, Fraction(0), Fraction(1, n0), "t-intervals")
    with ctx.workprec(prec):
        for i, (lo, hi) in enumerate(ts):
            T = arb(ball((lo + hi) / 2), ball((hi - lo) / 2))      # not union: it can widen to +/-
            bad = [k for k, x in simplex_criteria(T, alpha).items() if not (x.is_finite() and x > 0)]
            if bad:
                raise Rejected("box %d (t in [%s, %s]): %s not shown > 0" % (i, lo, hi, ", ".join(bad)))
    return {"fact": "branch", "n_from": n0, "alpha": alpha, "state": "simplex",
            "radius_below": Fraction(1)}
