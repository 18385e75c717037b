"""Mehler's series for one variance q and a correlation r with |r| <= 1/2, the checker's own
(twin: bnverify/core/mehler.py; both take every coefficient from one Gauss-Legendre node set, _legendre, here
with acb.integral per coefficient as the fallback and reference, _gauss).

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

import functools
import math

from flint import acb, arb, ctx

from .base import Rejected

L_COEF = 16
MAX_TERMS = 200
RHOS, ARCS, STRIPS, MAX_NODES, SPLITS = (2, 4, 8), 16, 4, 96, 4


@functools.lru_cache(maxsize=None)
def _nodes(n, prec):
    """The n-point Gauss-Legendre nodes and weights on [-1, 1] as arb balls at ``prec`` bits."""
    return [arb.legendre_p_root(n, i, weight=True) for i in range(n)]


def _sup(f, side, m, h, rho, count):
    """Upper bounds over the Bernstein ellipse E_rho of [m - h, m + h] (foci m +- h, semi-axes A, B = h (rho +- 1/rho)
    / 2; rho = 0: over [m - h, m + h] itself) of |f(w) He_k(w) e^(-w^2/2)| / sqrt(2 pi k!), k < count, and |f(w)^2
    e^(-w^2/2)| / sqrt(2 pi); None where f is not shown analytic on a box holding E_rho (acb.integral's contract:
    f(box, side, True) is non-finite unless f is analytic on the box; checked on STRIPS strips of it).  Maximum
    modulus: the sup over E_rho is on its boundary, covered by ARCS boxes; |He_k(w)| <= P_k(|w|) (P_k: He_k with its
    coefficients' absolute values, P_k(t) = i^-k He_k(i t), so P_(k+1) = t P_k + k P_(k-1), increasing in t >= 0),
    |w| <= |m| + A."""
    A, B = h * (rho + arb(1) / rho) / 2 if rho else h, h * (rho - arb(1) / rho) / 2 if rho else arb(0)
    if rho and not all(f(acb(arb(m + A * (2 * j + 1 - STRIPS) / STRIPS, (A / STRIPS).upper()), arb(0, B.upper())), side,
                         True).is_finite() for j in range(STRIPS)):
        return None
    g, g2 = arb(0), arb(0)
    for j in range(ARCS if rho else 1):       # theta over [2 pi j, 2 pi (j + 1)] / ARCS
        t = arb.pi() * arb(2 * j + 1, 1.001) / ARCS
        w = acb(m + A * t.cos(), B * t.sin()) if rho else acb(arb(m, h.upper()))
        fw, d = abs(f(w, side, bool(rho))), abs((-w * w / 2).exp())
        if not (fw * fw * d).is_finite():
            return None
        g, g2 = arb.max(g, arb((fw * d).upper())), arb.max(g2, arb((fw * fw * d).upper()))
    t, p = abs(m) + A, [arb(1), abs(m) + A]      # p_k = P_k(t) / sqrt(k!)
    for k in range(1, count):
        p.append((t * p[k] + arb(k).sqrt() * p[k - 1]) / arb(k + 1).sqrt())
    norm = 1 / (2 * arb.pi()).sqrt()
    return [arb((g * v * norm).upper()) for v in p[:count]], arb((g2 * norm).upper())


def _legendre(phi, sq, count, tol):
    """With f(Z, side) = phi(sq Z, side): ([E[f(Z, side) He_k(Z); |Z| <= L_COEF] / sqrt(k!) for k < count], E[f(Z,
    side)^2; |Z| <= L_COEF]) as arbs, all from one Gauss-Legendre node set per piece, or None (a piece the rule does
    not close after SPLITS halvings).  Pieces of [0, L_COEF] and [-L_COEF, 0] (f's branch ``side`` by Z's sign):
    dyadic [d 2^j, d 2^(j+1)] up to 1, d = 2^-e >= 1/sqrt q (f's singularities, phi(sqrt q Z)'s, may lie at distance
    ~ 1/sqrt q from Z = 0), then of length 1.  On [m - h, m + h] with g analytic on (a neighbourhood of) E_rho, |g|
    <= M there, the n-point rule's error is at most h (64/15) M rho^(2-2n) / (rho^2 - 1) (Trefethen, ATAP Thm 19.3
    for its (n+1)-point rule: g's Chebyshev coefficients |c_j| <= 2 M rho^-j, the rule exact through degree 2n - 1
    and both sides 0 at odd T_j, |I(T_j) - I_n(T_j)| <= 2 + 2/(j^2 - 1) <= 32/15 for even j >= 4), M from _sup for
    each k; n (2 .. MAX_NODES, the best rho) is picked in floats to make it at most a share tol/4 / (pieces) of
    every coefficient (n = 0 where 2 h sup |integrand| on the piece is within it: the far pieces): the bound itself
    is in balls.  The sums carry He_k by its recurrence He_(k+1) = Z He_k - k He_(k-1) (the caller adds working
    bits: ball radii grow like P_k)."""
    f = lambda z, side, an: phi(z * sq, side, an)      # noqa: E731
    e = max(0, math.ceil(math.log2(max(1.0, float(sq.upper())))))
    ends = [arb(2) ** (j - e) for j in range(e + 1)] + [arb(j) for j in range(2, L_COEF + 1)]
    work = [(side, side * lo, side * hi, 0) for side in (-1, 1) for lo, hi in zip([arb(0)] + ends, ends)]
    share = tol / 4 / len(work)
    a, e2 = [arb(0)] * count, arb(0)
    while work:
        side, lo, hi, depth = work.pop()
        m, h = (lo + hi) / 2, abs(hi - lo) / 2
        best = None
        for rho in (0,) + RHOS:     # rho 0: no nodes, the integral within 2 h sup |integrand| on the piece
            s = _sup(f, side, m, h, arb(rho), count)
            if s is None and rho or best is not None and (best[0] == 0 or rho > 2 and best[1] != rho // 2):
                break       # not analytic, or a larger ellipse did not help
            top = math.inf if s is None else \
                max(float(v.upper()) for v in s[0] + [s[1]]) * float(h) * 2 ** depth / share
            need = 0 if 2 * top <= 1 else math.inf if not rho else \
                1 + math.log(max(top * 64 / 15 / (rho * rho - 1), 1)) / (2 * math.log(rho))
            n = max(2 * (rho > 0), math.ceil(need)) if need <= MAX_NODES else MAX_NODES + 1
            if best is None or n <= best[0]:
                best = (n, rho, s)
        if best[0] > MAX_NODES:
            if depth == SPLITS:
                return None
            work += [(side, lo, m, depth + 1), (side, m, hi, depth + 1)]
            continue
        n, rho, (Mk, M2) = best
        err = 2 * h if n == 0 else h * arb(64) / 15 * arb(rho) ** (2 - 2 * n) / (rho * rho - 1)
        sums, s2 = [arb(0)] * count, arb(0)
        for x, w in _nodes(n, ctx.prec):
            z = m + h * x
            fz = f(acb(z), side, False)
            if not fz.imag.contains(0):     # phi not real on the line: the reference route says so
                return None
            v, fz = w * fz.real * (-z * z / 2).exp(), fz.real
            s2 += v * fz
            prev, cur = arb(0), arb(1)
            for k in range(count):      # cur = He_k(z) at the exact node (q's ball only in v)
                sums[k] += v * cur
                prev, cur = cur, z * cur - k * prev
        norm, fac = h / (2 * arb.pi()).sqrt(), arb(1)
        for k in range(count):
            fac = fac * arb(k).sqrt() if k else fac         # sqrt(k!)
            a[k] += sums[k] * norm / fac + arb(0, (err * Mk[k]).upper())
        e2 += s2 * norm + arb(0, (err * M2).upper())
    return a, e2


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


def coefficients(phi, g, q, count, tol, fallback=None):
    """([a_0 .. a_(count-1)], E2) as arbs: ``phi(t, side, analytic)`` phi at t on the branch of t's sign,
    ``g`` an arb with |phi(sqrt q Z)| <= g (1 + |Z|) for every q of the ball ``q`` (> 0); by _legendre, else (where it
    does not close, at a coarse target tol >= 2^-20, where acb.integral is as cheap, or with ``fallback`` set: the
    tests' reference) by _gauss."""
    if not q > 0 or not 3 <= count <= MAX_TERMS:
        raise Rejected("a variance not certainly > 0, or a number of terms outside 3..%d" % MAX_TERMS)
    sq = q.sqrt()
    L = arb(L_COEF)
    tail2 = 8 * g * g * (L * (-L * L / 2).exp() / (2 * arb.pi()).sqrt() + (L / arb(2).sqrt()).erfc() / 2)
    tail = tail2.sqrt()
    with ctx.workprec(ctx.prec + count + 16):       # the recurrence's radii grow like P_k(|Z|) e^(-Z^2/2) <= e^(k/2)
        fast = _legendre(phi, sq, count, tol) if fallback is None and tol < 2.0 ** -20 else None
    if fast is None or not all(v.is_finite() for v in fast[0] + [fast[1]]):    # the reference: acb.integral each
        root2 = arb(2).sqrt()
        fast = ([_gauss(lambda z, side, an, k=k: (z / root2).hermite_h(k) * phi(z * sq, side, an), tol) /
                 (arb(2) ** k * arb.fac_ui(k)).sqrt() for k in range(count)],       # He_k(z) = H_k(z/sqrt 2)/2^(k/2)
                _gauss(lambda z, side, an: phi(z * sq, side, an) ** 2, tol))
    out, e2 = fast
    return [v + arb(0, tail.upper()) for v in out], e2 + arb(0, tail2.upper())


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
