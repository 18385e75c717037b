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

from flint import acb, acb_poly, arb, ctx, fmpq, fmpq_mat

from ..errors import BadInput
from . import laplace


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


def directional(Sigma, H, slope_, entries, digits=15, eval_limit=None):
    """Enclosures of the entries ``entries`` (pairs j <= k) of DV(Sigma)[H] (RC + RS).

    Returns a dict: ``D`` ({(j, k): arb}), ``prec``, ``seconds``, ``r`` (the range in r = log s),
    ``tails`` (the two end bounds, added to each entry's radius)."""
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
    out = {}
    with ctx.workprec(prec):
        r0, r1, b0, b1 = dv.ends(tol)
        for j, k in entries:
            val = acb.integral(lambda z, _, j=j, k=k: dv.entry(j, k, z), r0, r1, abs_tol=tol, rel_tol=tol,
                               eval_limit=eval_limit or 10 ** 6)
            out[j, k] = val.real + arb(0, b0 + b1)
    return {"D": out, "prec": prec, "seconds": time.process_time() - t0, "r": (r0, r1), "tails": (b0, b1), "n": n}
