"""The Gram map with rescaling (RS) for a positively homogeneous phi, as one Laplace integral,
with certified enclosures (python-flint ``acb.integral`` plus rigorous end bounds).

Per neuron the batch vector after RS is ``y = sqrt(n) x / |C z|`` with z ~ N(0, Sigma),
C = I - 11^T/n, and x = C z (RC before RS) or x = z (RS alone).  For phi homogeneous of
degree 1, 1/|Cz|^2 = int_0^oo exp(-s |Cz|^2) ds and a Gaussian tilt give (docs/full-bn.md)

    V(Sigma) = n int_0^oo V_phi(P(s)) / sqrt(det(I + 2 s S)) ds,        S = C Sigma C,

    P(s) = S (I + 2 s S)^-1                    (RC + RS: the tilted law of x = C z)
    P(s) = (I + 2 s Sigma C)^-1 Sigma          (RS alone: the tilted law of z)

with V_phi(P)_jk = sqrt(P_jj P_kk) kappa(P_jk / sqrt(P_jj P_kk)) the ordinary kernel map and,
for the leaky ReLU of slope a (relu 0, identity 1, abs -1), A = (1 + a^2)/2, B = (1 - a)^2/(2 pi),

    sqrt(p q) kappa(c / sqrt(p q)) = A c + B (sqrt(p q - c^2) - c acos(c / sqrt(p q))).

The integral is taken in r = log s over [r0, r1] (``acb.integral``: the integrand is written so
that it is analytic off its branch cuts, which are checked on every complex ball, so the
quadrature error is rigorous), and the two ends are bounded (Cauchy-Schwarz,
|V_phi(P)_jk| <= A sqrt(P_jj P_kk); P(s) <= S resp. Sigma in the Loewner order; for RC
additionally P(s) <= I/(2s); det(I + 2sS) >= (2s)^(n-1) pdet(S), pdet(S) = det(S + 11^T/n)):

    int_0^s0                <= s0 n A d,               d = max_j S_jj  (RS alone: max_j Sigma_jj)
    int_s1^oo  (RC + RS)    <= n A pdet^-1/2 2^(-(n+1)/2) (2/(n-1)) s1^(-(n-1)/2)
    int_s1^oo  (RS alone)   <= n A d pdet^-1/2 2^(-(n-1)/2) s1^(-(n-3)/2) / ((n-3)/2)     (n >= 4)

S must have rank n - 1 (S + 11^T/n positive definite, checked exactly): then every pair of
points is non-collinear after the tilt and the integrand is analytic near the positive axis.
Without RC and with n <= 3 the integral diverges (the batch mean survives the tilt while
|Cz|^2 has only n - 1 <= 2 degrees of freedom): refused with that reason.
"""
from __future__ import annotations

import math
import time
from fractions import Fraction

from flint import acb, acb_poly, arb, arb_mat, ctx, fmpq, fmpq_mat, fmpq_poly

from ..errors import BadInput
from . import quadrature

MAX_N = 32
MAX_DIGITS = 60


def slope(name, alpha=None):
    """The leaky slope s of a degree-1 homogeneous activation of the registry (relu 0, identity 1,
    abs -1, leaky_relu(alpha) alpha in [0, 1), default 1/100 as in ``activations``)."""
    from .activations import Activation, REGISTRY, spoken

    act = Activation(name, Fraction(alpha) if alpha is not None else None)
    if alpha is not None and not act.takes_alpha:
        raise BadInput("--alpha applies to %s only, not %s" % (spoken([k for k in REGISTRY if
                                                                       REGISTRY[k].alpha is not None]), name))
    if act.degree != 1 or act.slope is None:
        raise BadInput("activation %r is not positively homogeneous of degree 1, so the Laplace "
                       "representation does not apply (homogeneous: %s)" % (name, spoken(
                           [k for k in REGISTRY if REGISTRY[k].degree == 1 and REGISTRY[k].slope is not None])))
    if not -1 <= act.slope <= 1 or act.slope == 1 and act.takes_alpha:      # identity: slope 1, no alpha
        raise BadInput("%s slope %s is outside [0, 1)" % (name, act.slope))
    return act.slope


def _q(v):
    v = Fraction(v)
    return fmpq(v.numerator, v.denominator)


def _exact(v):
    v = Fraction(v)
    return arb(fmpq(v.numerator, v.denominator))


def _leading_minors_positive(M):
    n = M.nrows()
    for k in range(1, n + 1):
        sub = fmpq_mat(k, k, [M[i, j] for i in range(k) for j in range(k)])
        if not sub.det() > 0:
            return False
    return True


def interpolate(rows):
    """The polynomials of degree < m (fmpq_poly) taking the values rows[s][c] at s = 0..m-1
    (m = len(rows)), one per column c: exact Lagrange interpolation by the Vandermonde inverse."""
    m = len(rows)
    Vinv = fmpq_mat(m, m, [s ** e for s in range(m) for e in range(m)]).inv()
    values = fmpq_mat(m, len(rows[0]), [v for row in rows for v in row])
    coeffs = Vinv * values
    return [fmpq_poly([coeffs[e, c] for e in range(m)]) for c in range(values.ncols())]


def angle(c, root, R):
    """theta = acos(c / R) for a pair's tilted covariance c, root = sqrt(R^2 - c^2) and R = sqrt(p q)
    (acb on a complex ball), in the form analytic on the ball:

        theta = 2 atan(root / (R + c))         where Re c >= 0,
              = pi - 2 atan(root / (R - c))    where Re c < 0;

    None where atan's branch cuts (iR, |Im| >= 1) are not certainly avoided."""
    positive = c.real.mid() >= 0
    t = root / (R + c if positive else R - c)
    if not (t.real > 0 or abs(t.imag) < 1):
        return None
    return 2 * t.atan() if positive else arb.pi() - 2 * t.atan()


class LaplaceMap:
    """V(Sigma) for one exact rational Sigma (n x n, symmetric), one slope and RC on or off."""

    def __init__(self, Sigma, slope_, rc=True):
        rows = [[Fraction(v) for v in row] for row in Sigma]
        n = len(rows)
        if n < 3 or any(len(r) != n for r in rows):
            raise BadInput("Sigma must be a square matrix with n >= 3 rows (got %d)" % n)
        if n > MAX_N:
            raise BadInput("n = %d: the Laplace route takes n <= %d" % (n, MAX_N))
        if any(rows[i][j] != rows[j][i] for i in range(n) for j in range(n)):
            raise BadInput("Sigma is not symmetric")
        if not rc and n < 4:
            raise BadInput("RS without RC at n = %d: the integral diverges (the batch mean survives "
                           "while |C z|^2 has only %d degrees of freedom); n >= 4 needed" % (n, n - 1))
        self.n, self.rc, self.a = n, rc, Fraction(slope_)
        Sig = fmpq_mat(n, n, [_q(v) for r in rows for v in r])
        C = fmpq_mat(n, n, [_q(Fraction(int(i == j)) - Fraction(1, n)) for i in range(n) for j in range(n)])
        S = C * Sig * C
        J = fmpq_mat(n, n, [fmpq(1, n)] * (n * n))
        if not _leading_minors_positive(S + J):
            raise BadInput("C Sigma C must be positive semidefinite of rank n - 1 (no two points "
                           "collinear after centring); this Sigma is not")
        if not rc and not _leading_minors_positive(Sig):
            raise BadInput("RS without RC needs Sigma positive definite")
        self.Sigma, self.C, self.S = Sig, C, S
        self.pdet = (S + J).det()                       # product of S's nonzero eigenvalues
        base = S if rc else Sig
        self.dmax = max(Fraction(int(base[i, i].p), int(base[i, i].q)) for i in range(n))
        self._acb = {}
        self._poly = None

    # the exact polynomials of the entrywise route, built on first use (the vector route of
    # VectorForm does not need them)
    @property
    def D(self):
        return self._polys_exact()[0]

    @property
    def N(self):
        return self._polys_exact()[1]

    @property
    def M(self):
        return self._polys_exact()[2]

    def _polys_exact(self):
        if self._poly is None:
            D, N = self._polynomials()
            # pq - c^2 of the tilted law, times D^2: positive on s >= 0 (no collinear pair)
            M = {(j, k): N[j, j] * N[k, k] - N[j, k] ** 2 for j in range(self.n) for k in range(j + 1, self.n)}
            self._poly = (D, N, M)
        return self._poly

    def _polynomials(self):
        """D(s) = det(I + 2 s T) and N(s) = adj(I + 2 s T) X exactly (fmpq_poly), with T = S, X = S
        (RC + RS) or T = Sigma C, X = Sigma (RS alone), so that P(s) = N(s) / D(s).  Both have
        degree <= n - 1 in s; they are interpolated from their exact values at s = 0..n-1."""
        n = self.n
        T, X = (self.S, self.S) if self.rc else (self.Sigma * self.C, self.Sigma)
        I = fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
        dets, adjs = [], []
        for m in range(n):
            Mm = I + T * (2 * m)
            d = Mm.det()
            dets.append(d)
            adjs.append(Mm.inv() * X * d)
        poly = interpolate([[dets[m]] + [adjs[m][j, k] for j in range(n) for k in range(n)] for m in range(n)])
        N = {(j, k): poly[1 + j * n + k] for j in range(n) for k in range(n)}
        return poly[0], N

    # ---- constants ----
    def _AB(self):
        a = _exact(self.a)
        return (1 + a * a) / 2, (1 - a) * (1 - a) / (2 * arb.pi())

    # ---- the integrand ----
    def _polys(self):
        """The polynomials as acb_poly at the current precision (converted once)."""
        got = self._acb.get(ctx.prec)
        if got is None:
            got = (acb_poly(self.D), {k: acb_poly(v) for k, v in self.N.items()},
                   {k: acb_poly(v) for k, v in self.M.items()}) + self._AB()
            self._acb[ctx.prec] = got
        return got

    def entry(self, j, k, r):
        """n e^r V_phi(P(e^r))_jk / sqrt(D(e^r)) at r, written with P = N/D (homogeneous of degree
        1 in P, so D collects into D^(-3/2)):

            n s D^(-3/2) (A N_jk + B (sqrt(M_jk) - N_jk theta)),    M_jk = N_jj N_kk - N_jk^2,
            theta = acos(N_jk / sqrt(N_jj N_kk)) = 2 atan(sqrt(M_jk) / (R + N_jk)),  R = sqrt(N_jj N_kk)
                  = pi - 2 atan(sqrt(M_jk) / (R - N_jk))      (the form used where N_jk < 0),

        a non-finite acb where the branch cuts are not certainly avoided on the ball r."""
        Dp, Np, Mp, A, B = self._polys()
        s = r.exp()
        w = Dp(s).rsqrt(analytic=True)
        w = s * w * w * w * self.n
        if j == k:
            return A * Np[j, j](s) * w
        c = Np[j, k](s)
        root = Mp[j, k](s).sqrt(analytic=True)
        theta = angle(c, root, Np[j, j](s).sqrt(analytic=True) * Np[k, k](s).sqrt(analytic=True))
        if theta is None:
            return acb("nan")
        return (A * c + B * (root - c * theta)) * w

    # ---- the end bounds ----
    def ends(self, tol):
        """(r0, r1, bound0, bound1): floats r0 < r1 with e^r0 = s0, e^r1 = s1 and arb upper bounds
        of the two end integrals (each entry), chosen in floats below tol and bounded rigorously."""
        n = self.n
        A, _ = self._AB()
        d = _exact(self.dmax)
        pd = arb(self.pdet)
        r0 = math.floor(math.log(tol / (n * float(A) * float(self.dmax))))
        bound0 = (_exact(1) * n * A * d * arb(r0).exp()).upper()
        if self.rc:
            h = Fraction(n - 1, 2)
            coef = n * A / pd.sqrt() * arb(2) ** (-Fraction(n + 1, 2)) * 2 / (n - 1)
        else:
            h = Fraction(n - 3, 2)
            coef = n * A * d / pd.sqrt() * arb(2) ** (-Fraction(n - 1, 2)) / _exact(h)
        # coef s1^-h <= tol
        r1 = math.ceil((math.log(float(coef.upper())) - math.log(tol)) / float(h)) + 1
        bound1 = (coef * (-_exact(h) * arb(r1)).exp()).upper()
        return r0, r1, arb(bound0), arb(bound1)


ROUTES = ("vector", "entrywise")


def gram(Sigma, slope_, rc=True, digits=15, eval_limit=None, route="vector"):
    """Enclosures of every entry of V(Sigma) (module docstring).

    ``route`` "vector" (RC + RS): one Gauss-Legendre rule with a rigorous error bound for all entries
    at once (``VectorForm``, ``core.quadrature``); "entrywise" (and always for RS alone): one ``acb.integral`` per distinct entry (the
    first route, about 100 times slower at n = 16; kept as an independent cross-check, and taken
    when the vector route cannot certify a node, e.g. a nearly collinear pair).

    Returns a dict: ``V`` (n x n list of arb), ``prec`` (bits), ``seconds``, ``r`` (the range in
    r = log s), ``tails`` (the two end bounds, added to each entry's radius), ``route`` and, for
    the vector route, ``pieces`` and ``nodes``."""
    t0 = time.process_time()
    if route not in ROUTES:
        raise BadInput("route %r: choose %s" % (route, " or ".join(ROUTES)))
    lm = LaplaceMap(Sigma, slope_, rc)
    if not 1 <= digits <= MAX_DIGITS:
        raise BadInput("digits %d outside 1..%d" % (digits, MAX_DIGITS))
    n = lm.n
    tol = 10.0 ** -(digits + 2)
    prec = int(3.33 * digits) + 30
    out = {"prec": prec, "n": n}
    with ctx.workprec(prec):
        r0, r1, b0, b1 = lm.ends(tol)
        out.update(r=(r0, r1), tails=(b0, b1))
        vals = None
        # RS alone: P(s) tends to rank one, pq - c^2 cancels at large s and the node balls (whose
        # width grows with the conditioning of I + 2sT) lose it; the entrywise route handles it
        if route == "vector" and lm.rc:
            vf = VectorForm(lm)
            try:
                got, stats = quadrature.integrate(vf.node, vf.bound, len(vf.pairs), float(r0), float(r1), tol, prec)
                vals = {jk: v + arb(0, b0 + b1) for jk, v in zip(vf.pairs, got)}
                out.update(route="vector", **stats)
            except (ArithmeticError, ValueError):     # a node not certified, a ball solve that failed
                vals = None
        if vals is None:
            vals = _entrywise(lm, r0, r1, b0, b1, tol, eval_limit)
            out["route"] = "entrywise"
        out["V"] = [[vals[min(j, k), max(j, k)] for k in range(n)] for j in range(n)]
    out["seconds"] = time.process_time() - t0
    return out


def _entrywise(lm, r0, r1, b0, b1, tol, eval_limit):
    """{(j, k): enclosure} for j <= k, one ``acb.integral`` per distinct entry."""
    n = lm.n
    vals, seen = {}, {}
    for j in range(n):
        for k in range(j, n):
            # entries whose polynomials coincide (a symmetry of Sigma) share one integral
            key = (str(lm.N[j, j]), str(lm.N[k, k]), str(lm.N[j, k])) if j != k else (str(lm.N[j, j]),)
            if key in seen:
                vals[j, k] = vals[seen[key]]
                continue
            seen[key] = (j, k)
            val = acb.integral(lambda z, _, j=j, k=k: lm.entry(j, k, z), r0, r1, abs_tol=tol,
                               rel_tol=tol, eval_limit=eval_limit or 10 ** 6)
            vals[j, k] = val.real + arb(0, b0 + b1)
    return vals

class VectorForm:
    """Every entry's integrand at once, for one rule shared by all entries (``core.quadrature``).

    At a real node r (s = e^r): P(s) = (I + 2 s T)^-1 X by one ball linear solve and
    det(I + 2 s T) by one ball determinant (T = S, X = S for RC + RS; T = Sigma C, X = Sigma for
    RS alone; det(I + 2 s Sigma C) = det(I + 2 s S)), then the kernel entry by entry, with
    theta = atan2(sqrt(pq - c^2), c) = acos(c / sqrt(pq)) on the real line.

    The bound on a complex box, without branch cuts.  Per entry the integrand in s is
    F_jk(s) = n E[phi(x_j) phi(x_k) exp(-s |C z|^2)] (module docstring; x = Cz or z), analytic on
    Re s > 0 (the expectation of an entire function of s, dominated by E|phi(x_j) phi(x_k)| < oo).
    In r = log s the integrand is f(r) = s F(s), analytic on the strip |Im r| < pi/2.  With
    sigma = Re s, |phi(t)| <= |t| (slopes in [-1, 1]), Cauchy-Schwarz and the tilt of the
    module docstring,

        |F_jk(s)| <= n E[|x_j x_k| e^(-sigma |Cz|^2)] <= n det(I + 2 sigma S)^(-1/2) max_j P(sigma)_jj,

    and both factors decrease in sigma (P(sigma) decreases in the Loewner order).  On the box
    m + h([-X, X] + i[-Y, Y]) with h Y < pi/2: |s| <= e^(m + hX), sigma >= e^(m - hX) cos(hY) > 0,
    so |f| <= e^(m + hX) n det(I + 2 sigma_lo S)^(-1/2) max_j P(sigma_lo)_jj."""

    def __init__(self, lm):
        n = self.n = lm.n
        self.lm = lm
        self.exact = (lm.S if lm.rc else lm.Sigma * lm.C, lm.S if lm.rc else lm.Sigma)
        self._mats = {}
        self.pairs = [(j, k) for j in range(n) for k in range(j, n)]

    def _tilt(self, s):
        """(P(s), det(I + 2 s T)) as balls; T and X rounded at the current precision (cached)."""
        got = self._mats.get(ctx.prec)
        if got is None:
            n = self.n
            got = self._mats[ctx.prec] = (arb_mat(n, n, [int(i == j) for i in range(n) for j in range(n)]),
                                          arb_mat(self.exact[0]), arb_mat(self.exact[1]))
        I, T, X = got
        M = I + T * (2 * s)
        return M.solve(X), M.det()

    def node(self, r):
        """[f_jk(r) for (j, k) in pairs] at a real ball r."""
        A, B = self.lm._AB()
        s = r.exp()
        P, det = self._tilt(s)
        w = s * self.n * det.rsqrt()
        diag = [P[j, j] for j in range(self.n)]
        out = []
        for j, k in self.pairs:
            if j == k:
                out.append(A * diag[j] * w)
                continue
            c = P[j, k]
            root = (diag[j] * diag[k] - c * c).sqrt()
            out.append((A * c + B * (root - c * arb.atan2(root, c))) * w)
        return out

    def bound(self, m, h, X, Y):
        """An upper bound of |f_jk| on the box m + h([-X, X] + i[-Y, Y]) for every jk (class
        docstring), or None unless h Y < pi/2 certainly."""
        if not h * Y < arb.pi() / 2:
            return None
        sigma = ((m - h * X).exp() * (h * Y).cos()).lower()
        if not sigma > 0:
            return None
        P, det = self._tilt(sigma)
        top = max((P[j, j].upper() for j in range(self.n)), key=float)
        return ((m + h * X).exp() * self.n * det.lower().rsqrt() * top).upper()
