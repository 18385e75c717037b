"""The Jacobian of the RC + RS Gram map: directional derivatives DV(Sigma)[H], certified, by
differentiating the Laplace integral of :mod:`bnverify.core.laplace` under the integral sign.

With S_e = C (Sigma + e H) C = S + e K (K = C H C) the integrand of entry jk is, in r = log s,

    f_jk(r, e) = n s D^(-3/2) g(N_jj, N_kk, N_jk),     g(p, q, c) = A c + B (sqrt(p q - c^2) - c theta),

D(s) = det(I + 2 s S_e), N(s) = adj(I + 2 s S_e) S_e (theta = acos(c / sqrt(p q)); diagonal
entries g = A p).  Its e-derivative at e = 0 is explicit (docs/full-bn.md, section 7):

    d/de f_jk = n s D^(-3/2) (g' - (3/2) (D'/D) g),
    g'        = (A - B theta) N'_jk + (B sqrt(M_jk) / 2) (N'_jj / N_jj + N'_kk / N_kk)   (jk off the diagonal)
              = A N'_jj                                                                  (j = k),

with D' = dD/de and N' = dN/de exact polynomials in s of degree <= n - 1 (interpolated from
their exact values at s = 0..n-1, as D and N are).  Every function in it is analytic on a
complex ball exactly where the map's integrand is (the same square roots and atan, divisions by
N_jj, N_kk, D whose square roots are certified off their cuts), so ``acb.integral`` bounds its
quadrature error as it does the value's.

**End bounds** (added to each derivative's radius).  M = I + 2 s S, l <= the least nonzero
eigenvalue of S (a rational checked exactly: S + 11^T/n - l I positive definite), Lam = tr S,
kF = |K|_F, mu(s) = min(1, 1/(2 s l)).  The derivative of the tilted covariance is
P' = M^-1 K M^-1 (|P'|_2 <= kF mu^2), D'/D = 2 s tr(M^-1 K) (|.| <= 2 s sqrt(n-1) mu kF), and
|A - B theta| <= A, sqrt(M_jk) <= sqrt(p q), P_jj in [(n-1)/n l/(1 + 2sl), min(Lam, 1/(2s))], so

    |d/de integrand(s)| <= n D^(-1/2) kF (mu^2 (A + B sqrt(ratio)) + A sqrt(n-1) s mu p_hi),

ratio = p_hi/p_lo <= 2 Lam/l for 2 s l <= 1 and <= 2 beyond; D >= 1 and D >= (2s)^(n-1) pdet(S):

    int_0^s0   <= s0 n kF (A + B sqrt(2 Lam/l) + A Lam s0 sqrt(n-1))               (2 s0 l <= 1)
    int_s1^oo  <= n kF pdet^-1/2 2^(-(n-1)/2) ((A + B sqrt 2)/(4 l^2) (2/(n+1)) s1^(-(n+1)/2)
                                               + A sqrt(n-1)/(4 l) (2/(n-1)) s1^(-(n-1)/2))   (2 s1 l >= 1).

RC + RS only (RS alone: not yet; refused with that reason).
"""
from __future__ import annotations

import math
import time
from fractions import Fraction

from flint import acb, acb_poly, arb, arb_mat, ctx, fmpq, fmpq_mat

from ..errors import BadInput
from . import laplace, quadrature


def _sym(rows, n, what):
    rows = [[Fraction(v) for v in row] for row in rows]
    if len(rows) != n or any(len(r) != n for r in rows):
        raise BadInput("%s must be an %d x %d matrix" % (what, n, n))
    if any(rows[i][j] != rows[j][i] for i in range(n) for j in range(n)):
        raise BadInput("%s is not symmetric" % what)
    return fmpq_mat(n, n, [laplace._q(v) for r in rows for v in r])


class Directional:
    """DV(Sigma)[H] entry by entry for one LaplaceMap (RC + RS) and one exact direction H."""

    def __init__(self, lm, H):
        if not lm.rc:
            raise BadInput("the Jacobian of RS without RC is not implemented yet (its end bounds differ); "
                           "use RC + RS")
        n = self.n = lm.n
        self.lm = lm
        self.K = lm.C * _sym(H, n, "H") * lm.C
        self.dD, self.dN = self._polynomials()
        self._acb = {}

    def _polynomials(self):
        """D'(s) and N'(s) (e-derivatives at e = 0), exact: with M = I + 2 m S at s = m,
        D' = D tr(M^-1 2m K) and N' = D' M^-1 S + D (M^-1 K - M^-1 (2m K) M^-1 S)."""
        n, S, K = self.n, self.lm.S, self.K
        I = fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
        rows = []
        for m in range(n):
            M = I + S * (2 * m)
            d = M.det()
            Mi = M.inv()
            dM = K * (2 * m)
            dd = d * sum((Mi * dM)[i, i] for i in range(n))
            dN = Mi * S * dd + (Mi * K - Mi * dM * Mi * S) * d
            rows.append([dd] + [dN[j, k] for j in range(n) for k in range(n)])
        poly = laplace.interpolate(rows)
        return poly[0], {(j, k): poly[1 + j * n + k] for j in range(n) for k in range(n)}

    def _polys(self):
        got = self._acb.get(ctx.prec)
        if got is None:
            got = (acb_poly(self.dD), {k: acb_poly(v) for k, v in self.dN.items()})
            self._acb[ctx.prec] = got
        return got

    def entry(self, j, k, r):
        """The e-derivative of the map's integrand (entry jk, variable r = log s) at r; a
        non-finite acb where a branch cut or a zero divisor is not certainly avoided."""
        Dp, Np, Mp, A, B = self.lm._polys()
        dDp, dNp = self._polys()
        s = r.exp()
        D = Dp(s)
        w = D.rsqrt(analytic=True)
        w = s * w * w * w * self.n
        ratio = dDp(s) / D
        if j == k:
            p = Np[j, j](s)
            return A * (dNp[j, j](s) - ratio * p * 1.5) * w
        c, p, q = Np[j, k](s), Np[j, j](s), Np[k, k](s)
        root = Mp[j, k](s).sqrt(analytic=True)
        theta = laplace.angle(c, root, p.sqrt(analytic=True) * q.sqrt(analytic=True))
        if theta is None:
            return acb("nan")
        g = A * c + B * (root - c * theta)
        dg = (A - B * theta) * dNp[j, k](s) + B * root / 2 * (dNp[j, j](s) / p + dNp[k, k](s) / q)
        return (dg - ratio * g * 1.5) * w

    # ---- the end bounds (module docstring)
    def least_eigenvalue(self):
        """A rational l > 0 below every nonzero eigenvalue of S (and below 1), checked exactly."""
        import numpy as np

        n, S = self.n, self.lm.S
        J = fmpq_mat(n, n, [fmpq(1, n)] * (n * n))
        Sf = np.array([[float(S[i, j].p) / float(S[i, j].q) for j in range(n)] for i in range(n)])
        est = min(1.0, float(np.linalg.eigvalsh(Sf + 1.0 / n)[0]))
        ell = Fraction(est * (1 - 2.0 ** -8)).limit_denominator(2 ** 20)
        for _ in range(200):
            if ell > 0 and laplace._leading_minors_positive(S + J - fmpq_mat(
                    n, n, [laplace._q(ell) if i == j else 0 for i in range(n) for j in range(n)])):
                return ell
            ell /= 2
        raise BadInput("no positive lower bound found for the nonzero eigenvalues of C Sigma C")

    def ends(self, tol):
        """(r0, r1, bound0, bound1) as for LaplaceMap.ends, for the derivative's integrand."""
        n, lm = self.n, self.lm
        A, B = lm._AB()
        ell = self.least_eigenvalue()
        el = laplace._exact(ell)
        Lam = arb(sum((lm.S[i, i] for i in range(n)), fmpq(0)))                      # tr S >= lambda_max
        kF2 = sum((self.K[i, j] ** 2 for i in range(n) for j in range(n)), fmpq(0))
        kF = arb(kF2).sqrt()
        root_n1 = arb(n - 1).sqrt()
        # small s: s0 with s0 * b(s0) <= tol, 2 s0 l <= 1, s0 <= 1
        b_small = n * kF * (A + B * (2 * Lam / el).sqrt() + A * Lam * root_n1)       # at s0 <= 1
        r0 = math.floor(math.log(min(tol / float(b_small.upper()), 1.0 / (2 * float(ell)), 1.0)))
        s0 = arb(r0).exp()
        bound0 = s0 * n * kF * (A + B * (2 * Lam / el).sqrt() + A * Lam * s0 * root_n1)
        # large s
        pd = arb(lm.pdet)
        base = n * kF / pd.sqrt() * arb(2) ** (-Fraction(n - 1, 2))
        c1 = base * (A + B * arb(2).sqrt()) / (4 * el * el) * 2 / (n + 1)
        c2 = base * A * root_n1 / (4 * el) * 2 / (n - 1)
        s1 = max((2 * float(c1.upper()) / tol) ** (2.0 / (n + 1)), (2 * float(c2.upper()) / tol) ** (2.0 / (n - 1)),
                 1.0 / (2 * float(ell)))
        r1 = math.ceil(math.log(s1)) + 1
        S1 = arb(r1).exp()
        if not 2 * S1 * el >= 1:
            raise AssertionError("the large-s bound needs 2 s1 l >= 1")
        bound1 = c1 * S1 ** (-Fraction(n + 1, 2)) + c2 * S1 ** (-Fraction(n - 1, 2))
        return r0, r1, arb(bound0.upper()), arb(bound1.upper())


def directional(Sigma, H, slope_, entries, digits=15, eval_limit=None, route="vector"):
    """Enclosures of the entries ``entries`` (pairs j <= k) of DV(Sigma)[H] (RC + RS).

    ``route`` "vector": one rule for all entries (``VectorDirectional``); "entrywise": one
    ``acb.integral`` per entry (also the fallback when a vector node is not certified).
    Returns a dict: ``D`` ({(j, k): arb}), ``prec``, ``seconds``, ``r`` (the range in r = log s),
    ``tails`` (the two end bounds, added to each entry's radius), ``route``."""
    t0 = time.process_time()
    lm = laplace.LaplaceMap(Sigma, slope_, rc=True)
    if not 1 <= digits <= laplace.MAX_DIGITS:
        raise BadInput("digits %d outside 1..%d" % (digits, laplace.MAX_DIGITS))
    dv = Directional(lm, H)
    n = lm.n
    for j, k in entries:
        if not 0 <= j <= k < n:
            raise BadInput("entry (%d, %d) is not j <= k < %d" % (j, k, n))
    tol = 10.0 ** -(digits + 2)
    prec = int(3.33 * digits) + 30
    if route not in laplace.ROUTES:
        raise BadInput("route %r: choose %s" % (route, " or ".join(laplace.ROUTES)))
    out = {}
    with ctx.workprec(prec):
        r0, r1, b0, b1 = dv.ends(tol)
        if route == "vector":
            vd = VectorDirectional(lm, H, entries)
            try:
                got, _ = quadrature.integrate(vd.node, vd.bound, len(vd.entries), float(r0), float(r1), tol, prec)
                out = {jk: v + arb(0, b0 + b1) for jk, v in zip(vd.entries, got)}
            except (ArithmeticError, ValueError):
                out, route = {}, "entrywise"
        if not out:
            route = "entrywise"
            for j, k in entries:
                val = acb.integral(lambda z, _, j=j, k=k: dv.entry(j, k, z), r0, r1, abs_tol=tol, rel_tol=tol,
                                   eval_limit=eval_limit or 10 ** 6)
                out[j, k] = val.real + arb(0, b0 + b1)
    return {"D": out, "prec": prec, "seconds": time.process_time() - t0, "r": (r0, r1), "tails": (b0, b1), "n": n,
            "route": route}


class VectorDirectional:
    """DV(Sigma)[H] for the requested entries at once, by one Gauss-Legendre rule with a rigorous
    error bound (``core.quadrature``), RC + RS.  At a real node (s = e^r, M = I + 2 s S):

        P = M^-1 S,   P' = M^-1 K M^-1,   (det^-1/2)' = -s tr(M^-1 K) det^-1/2,
        f'_jk(r) = n s det^-1/2 (g'_jk - s tr(M^-1 K) g_jk),

    g and g' as in the module docstring with P in place of N (g is homogeneous of degree 1).

    The bound on a complex box, without branch cuts (as ``laplace.VectorForm``): on the range of
    S (where x = Cz lives; K = C H C lives there too) the law of x has density prop. to
    det^-1/2 exp(-x^T S_e^+ x / 2), so with S^+ = (S + 11^T/n)^-1 - 11^T/n (exact),
    L = S^+ K S^+ and t0 = tr(S^+ K) the e-derivative is a score-function expectation,

        dF_jk/de (s) = n E[phi(x_j) phi(x_k) e^(-s |x|^2) q(x)],   q = (x^T L x - t0)/2,

    analytic on Re s > 0, and with sigma = Re s, Cauchy-Schwarz and the tilt (P = P(sigma)):

        |dF_jk/de| <= n det(I + 2 sigma S)^(-1/2) sqrt(E_P[x_j^2 x_k^2]) sqrt(E_P[q^2]),
        E_P[x_j^2 x_k^2] = P_jj P_kk + 2 P_jk^2 <= 3 p^2,            p = max_j P_jj,
        E_P[q^2] = (2 tr(LPLP) + (tr(LP) - t0)^2)/4 <= (2 |L|_F^2 l^2 + (|L|_F sqrt(n-1) l + |t0|)^2)/4,

    l = min(tr S, 1/(2 sigma)) >= the largest eigenvalue of P(sigma).  Every factor decreases in
    sigma, so on the box m + h([-X, X] + i[-Y, Y]) (h Y < pi/2) the integrand in r is at most
    e^(m + hX) times this bound at sigma_lo = e^(m - hX) cos(hY)."""

    def __init__(self, lm, H, entries):
        if not lm.rc:
            raise BadInput("the Jacobian of RS without RC is not implemented yet (its end bounds differ); use RC + RS")
        n = self.n = lm.n
        self.lm, self.entries = lm, list(entries)
        self.directional = Directional(lm, H)          # its exact K and its end bounds
        K = self.directional.K
        J = fmpq_mat(n, n, [fmpq(1, n)] * (n * n))
        Sp = (lm.S + J).inv() - J
        L = Sp * K * Sp
        self.t0 = sum((((Sp * K)[i, i]) for i in range(n)), fmpq(0))
        self.L2 = sum((L[i, j] ** 2 for i in range(n) for j in range(n)), fmpq(0))
        self.trS = sum((lm.S[i, i] for i in range(n)), fmpq(0))
        self._mats = {}

    def _m(self):
        got = self._mats.get(ctx.prec)
        if got is None:
            n = self.n
            got = self._mats[ctx.prec] = (arb_mat(n, n, [int(i == j) for i in range(n) for j in range(n)]),
                                          arb_mat(self.lm.S), arb_mat(self.directional.K))
        return got

    def node(self, r):
        A, B = self.lm._AB()
        I, S, K = self._m()
        s = r.exp()
        M = I + S * (2 * s)
        # solves, not M.inv(): Arb's ball inverse loses every digit once cond(M) ~ 2 s |S| is large
        MK = M.solve(K)
        P, dP = M.solve(S), M.solve(MK.transpose())          # M^-1 K M^-1 (M, K symmetric)
        tr = sum((MK[i, i] for i in range(self.n)), arb(0))
        w = s * self.n * M.det().rsqrt()
        out = []
        for j, k in self.entries:
            if j == k:
                g, dg = A * P[j, j], A * dP[j, j]
            else:
                p, q, c = P[j, j], P[k, k], P[j, k]
                root = (p * q - c * c).sqrt()
                theta = arb.atan2(root, c)
                g = A * c + B * (root - c * theta)
                dg = (A - B * theta) * dP[j, k] + B * root / 2 * (dP[j, j] / p + dP[k, k] / q)
            out.append((dg - s * tr * g) * w)
        return out

    def bound(self, m, h, X, Y):
        if not h * Y < arb.pi() / 2:
            return None
        sigma = ((m - h * X).exp() * (h * Y).cos()).lower()
        if not sigma > 0:
            return None
        n = self.n
        I, S, _ = self._m()
        M = I + S * (2 * sigma)
        P = M.solve(S)
        p = max((P[j, j].upper() for j in range(n)), key=float)
        ell = arb(self.trS).min(1 / (2 * sigma))
        LF = arb(self.L2).sqrt()
        q2 = (2 * self.L2 * ell * ell + (LF * arb(n - 1).sqrt() * ell + abs(arb(self.t0))) ** 2) / 4
        val = (m + h * X).exp() * n * M.det().lower().rsqrt() * (3 * p * p).sqrt() * q2.sqrt()
        return val.upper()
