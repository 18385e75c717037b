"""Mehler's series for one variance q and a correlation r with |r| <= 1/2, the checker's own
(twin: bnverify/core/mehler.py, which takes every coefficient from one Gauss-Legendre node set
with Bernstein-ellipse bounds; here each coefficient is its own acb.integral).

For x ~ N(0, q) let a_k = E[phi(x) He_k(x/sqrt q)] / sqrt(k!) and E2 = E[phi(x)^2].  Each is a
one-dimensional integral over Z = x/sqrt q on [-L, 0] and [0, L] (phi's branch by Z's sign), L =
16; beyond L, Cauchy-Schwarz with E[He_k(Z)^2] = k! bounds a_k's part by sqrt(E[phi^2; |Z| > L]),
and |phi(x)| <= g (1 + |Z|) bounds that by sqrt(8 g^2 (L N(L) + Q(L))).  With T_j = E2 - sum_{k<=j}
a_k^2 >= 0 (Bessel), for (x, y) of variances q and covariance c = r q:

    K      = E[phi(x) phi(y)] = sum_k a_k^2 r^k                      tail <= |r|^(N+1) T_N
    dK/dc  = E[phi'(x) phi'(y)] = sum_{j>=1} j a_j^2 r^(j-1) / q      tail <= (N+2) |r|^(N+1) T_(N+1) / q
    dK/dq1 = dK/dq2 = sum_k sqrt((k+1)(k+2)) a_(k+2) a_k r^k / (2 q)  tail <= (N+3) |r|^(N+1) sqrt(T_N T_(N+2)) / (2 q)

(the last is Price's dK/dq1 = E[phi''(x) phi(y)]/2 with E[phi'' He_k] = E[phi He_(k+2)]/q, Gaussian
integration by parts twice, read in the sense of distributions: phi need only have Gaussian
moments; the tails by Cauchy-Schwarz, j |r|^(j-1) and (k+2) |r|^k decreasing for |r| <= 1/2).  At
unequal variances (pair; spreadbox.py) r = c/sqrt(q1 q2), dK/dc's 1/q is 1/sqrt(q1 q2), dK/dq1 reads
a_(k+2)(q1) a_k(q2) over 2 q1, each tail with T_j(q1) T_j'(q2) under the root, and the weights fall
for |r| <= (N+2)/(N+3).
"""
from __future__ import annotations

from flint import acb, arb

from .base import Rejected

L_COEF = 16
MAX_TERMS = 200


def _gauss(f, tol):
    """E[f(Z, sign of Z, analytic)] over |Z| <= L_COEF as an arb (f analytic on each half, or non-finite where
    acb.integral's flag asks for an analytic value and f is not: a formula's kink)."""
    total = acb(0)
    for side, lo, hi in ((-1, -L_COEF, 0), (1, 0, L_COEF)):
        total += acb.integral(lambda z, analytic: (-z * z / 2).exp() * f(z, side, analytic), lo, hi,
                              abs_tol=2.0 ** -100, rel_tol=tol, eval_limit=100_000)
    out = total.real / (2 * arb.pi()).sqrt()
    if not (total.imag.contains(0) and out.is_finite()):
        raise Rejected("a Hermite coefficient did not come out a finite real ball")
    return out


def coefficients(phi, g, q, count, tol):
    """([a_0 .. a_(count-1)], E2) as arbs: ``phi(t, side, analytic)`` phi at t on the branch of t's sign,
    ``g`` an arb with |phi(sqrt q Z)| <= g (1 + |Z|) for every q of the ball ``q`` (> 0)."""
    if not q > 0 or not 3 <= count <= MAX_TERMS:
        raise Rejected("a variance not certainly > 0, or a number of terms outside 3..%d" % MAX_TERMS)
    sq = q.sqrt()
    L = arb(L_COEF)
    tail2 = 8 * g * g * (L * (-L * L / 2).exp() / (2 * arb.pi()).sqrt() + (L / arb(2).sqrt()).erfc() / 2)
    tail = tail2.sqrt()
    root2 = arb(2).sqrt()
    out = []
    for k in range(count):
        norm = (arb(2) ** k * arb.fac_ui(k)).sqrt()           # He_k(z)/sqrt(k!) = H_k(z/sqrt 2)/sqrt(2^k k!)
        v = _gauss(lambda z, side, an, k=k: (z / root2).hermite_h(k) * phi(z * sq, side, an), tol) / norm
        out.append(v + arb(0, tail.upper()))
    e2 = _gauss(lambda z, side, an: phi(z * sq, side, an) ** 2, tol)
    return out, e2 + arb(0, tail2.upper())


def terms(r, tol):
    """N with (N + 3) |r|^(N+1) <= tol (floats: N only sets the work; the tails are bounded)."""
    N = 1
    while (N + 3) * abs(float(r)) ** (N + 1) > tol and N < MAX_TERMS - 3:
        N += 1
    return N


def bessel(a, e2):
    """[T_0 .. T_(len(a)-1)]: T_j = E2 - sum_(k<=j) a_k^2 >= 0 (Bessel), upper bounds as arbs >= 0."""
    T, acc = [], arb(0)
    for v in a:
        acc += v * v
        T.append(arb(max(arb(0), arb((e2 - acc).upper()))))
    return T


def series(a, e2, r, q):
    """(K, dK/dc, dK/dq1) at variances q, q and correlation r (|r| <= 1/2), from a_0 .. a_(N+2)."""
    if not (abs(r) <= arb(1) / 2):
        raise Rejected("Mehler's series is used at |r| <= 1/2 only, with at least three coefficients")
    T = bessel(a, e2)
    return pair((a, T, q), (a, T, q), r)[:3]


def pair(one, two, r):
    """(K, dK/dc, dK/dq1, dK/dq2) at variances q1, q2 and correlation r = c/sqrt(q1 q2), each ``one``, ``two`` = (a_0 ..
    a_(N+2), Bessel's T_0 .. T_(N+2), its variance q); the module docstring's tails with T_j(q1) T_j(q2) under the
    square roots (Cauchy-Schwarz), whose weights j |r|^(j-1) (j > N+1) and (k+2) |r|^k (k > N) fall for |r| <=
    (N+2)/(N+3)."""
    (a1, T1, q1), (a2, T2, q2) = one, two
    N = min(len(a1), len(a2)) - 3
    if N < 0 or not abs(r) <= arb(N + 2) / (N + 3):
        raise Rejected("Mehler's series needs |r| <= (N+2)/(N+3) and at least three coefficients")
    R = arb(abs(r).upper()) ** (N + 1)
    rk = [arb(1)]
    for _ in range(N + 1):
        rk.append(rk[-1] * r)
    root = lambda j, k: (T1[j] * T2[k]).sqrt()        # noqa: E731
    K = sum((a1[k] * a2[k] * rk[k] for k in range(N + 1)), arb(0)) + arb(0, (R * root(N, N)).upper())
    Kc = (sum((j * a1[j] * a2[j] * rk[j - 1] for j in range(1, N + 2)), arb(0)) +
          arb(0, ((N + 2) * R * root(N + 1, N + 1)).upper())) / (q1 * q2).sqrt()
    Kq1 = (sum((arb((k + 1) * (k + 2)).sqrt() * a1[k + 2] * a2[k] * rk[k] for k in range(N + 1)), arb(0)) +
           arb(0, ((N + 3) * R * root(N + 2, N)).upper())) / (2 * q1)
    Kq2 = (sum((arb((k + 1) * (k + 2)).sqrt() * a1[k] * a2[k + 2] * rk[k] for k in range(N + 1)), arb(0)) +
           arb(0, ((N + 3) * R * root(N, N + 2)).upper())) / (2 * q2)
    return K, Kc, Kq1, Kq2
