"""Gradient (backward) Gram dynamics of batch normalization at its symmetric (BSB1) state, for a
leaky slope alpha (relu 0, leaky_relu(alpha), identity 1): the per-layer growth rate of
E||dL/dx_l||^2 at infinite width, as exact closed forms evaluated in ball arithmetic.  Untrusted
derivation layer: rigorous enclosures, not kernel-checked claims.  Derivation: docs/full-bn.md,
section 11.

**The backward map.**  One layer is h = W x (W_ij ~ N(0, sigma_w^2/N)), per neuron over the batch
F(h) = phi(B(h)) with B(h) = sqrt(n) C h/|C h| (RC + RS; RC alone: B(h) = C h).  With the gradient
independence assumption, delta_l = dL/dh_l has the per-neuron Gram Pi_l = E[delta delta^T] and

    Pi_l = sigma_w^2 E_{h ~ N(0, Sigma_l)} [J(h)^T Pi_{l+1} J(h)],     J = DF(h).

For RC + RS, J = diag(phi'(y)) (sqrt(n)/r) Q with r = |C h|, u = C h/r, Q = C - u u^T.  At the
fixed point Sigma = sigma_w^2 Sigma* (Sigma* = V(Sigma*), diagonal A = kappa(1), off-diagonal
kappa(rho), rho = -1/(n-1)), C h ~ N(0, sigma_w^2 a C), a = A - kappa(rho); J scales as 1/sigma_w,
so sigma_w drops out, and r, u are independent (r^2 = a chi^2_m, m = n - 1, u uniform on the unit
sphere of 1-perp).  With g ~ N(0, C), E[1/r^2] = 1/(a (m - 2)) and E[u^{x2p} f(u)] =
E[g^{x2p} f(g)]/E|g|^{2p}:

    T(Pi) = n/(a (m-2)) ( E[C D Pi D C] - (E[g g^T D Pi D] C + C E[D Pi D g g^T])/m
                          + E[g g^T (g^T D Pi D g)]/(m (m+2)) ),   D = diag(alpha + (1-alpha) 1[g > 0]).

E[1/r^2] is infinite for n = 3 (chi^2_2): the gradient's second moment diverges there.  RC alone:
T_RC(Pi) = sigma_w^2 E[C D Pi D C]; the forward map has the simplex direction with eigenvalue
c_fwd = a m/n, so at the weight scale where the forward pass is stationary (sigma_w^2 = 1/c_fwd)
the rate is rho(E[C D Pi D C]) n/(a m) (the gradient growth relative to the forward growth, for any
sigma_w).

**Blocks.**  T maps Sym_n into Sym(1-perp) = {Pi : C Pi C = Pi} and commutes with S_n; on
Sym(1-perp) = trivial + standard + (n-2, 2) it acts by three scalars mu_T (eigenvector C), mu_S
(C diag(x) C, sum x = 0), mu_P (zero diagonal and row sums); the rest of the spectrum is 0.

**Exact moments.**  Every expectation above is E[prod g_x * prod_{s in S} 1[g_s > 0]] with
|S| <= 2 and at most 4 factors g_x: conditioned on (g_s)_{s in S} (linear regression, exact
rationals) it reduces to Isserlis on the residuals and the orthant moments
M_pq = E[X^p Y^q 1[X>0] 1[Y>0]] of a standard bivariate normal of correlation rho, by Stein's
recursion M_pq = (p-1) M_(p-2)q + rho q M_(p-1)(q-1) + boundary terms, M_00 = 1/4 + asin(rho)/(2 pi).
Hence every quantity is exactly q0 + q1 asin(rho)/pi + q2 sqrt(1 - rho^2)/pi with rational q's
(:class:`Lin`), and a rate is a ratio of two such numbers, evaluated in arb at the end.
"""
from __future__ import annotations

import itertools
from fractions import Fraction
from functools import lru_cache

from ..errors import BadInput

MAX_N = 64


class Lin:
    """q0 + q1 * AS + q2 * SQ with AS = asin(rho)/pi, SQ = sqrt(1 - rho^2)/pi, q's Fractions."""

    __slots__ = ("q",)

    def __init__(self, q0=0, q1=0, q2=0):
        self.q = (Fraction(q0), Fraction(q1), Fraction(q2))

    def __add__(self, o):
        o = o if isinstance(o, Lin) else Lin(o)
        return Lin(*(x + y for x, y in zip(self.q, o.q)))

    __radd__ = __add__

    def __neg__(self):
        return Lin(*(-x for x in self.q))

    def __sub__(self, o):
        return self + (-(o if isinstance(o, Lin) else Lin(o)))

    def __mul__(self, c):
        c = Fraction(c)
        return Lin(*(x * c for x in self.q))

    __rmul__ = __mul__

    def __truediv__(self, c):
        return self * (1 / Fraction(c))

    def __repr__(self):
        return "Lin(%s, %s, %s)" % self.q

    def value(self, AS, SQ):
        """In any arithmetic: AS and SQ given as that arithmetic's numbers."""
        q0, q1, q2 = self.q
        return AS * _num(q1, AS) + SQ * _num(q2, AS) + _num(q0, AS)


def _num(q, like):
    """The Fraction q as a number of like's type (arb, mpmath mpf, float)."""
    return type(like)(q.numerator) / q.denominator


def _dfact(k):
    out = 1
    while k > 1:
        out *= k
        k -= 2
    return out


class Moments:
    """Exact Gaussian moments for g ~ N(0, C), C = I - 11^T/n (module docstring)."""

    def __init__(self, n):
        if n < 3:
            raise BadInput("n = %d: batch normalization needs n >= 3" % n)
        self.n = n
        self.var = Fraction(n - 1, n)           # Var g_i
        self.cov = Fraction(-1, n)              # Cov(g_i, g_j)
        self.rho = Fraction(-1, n - 1)
        self._M = {}

    def C(self, i, j):
        return self.var if i == j else self.cov

    # ---- orthant moments of the standard bivariate normal of correlation rho (even p + q)
    def M(self, p, q):
        key = (p, q)
        if key in self._M:
            return self._M[key]
        rho = self.rho
        if p == 0 and q == 0:
            out = Lin(Fraction(1, 4), Fraction(1, 2), 0)
        elif p == 0:
            out = self.M(q, p)
        else:
            out = Lin()
            if p >= 2:
                out = out + self.M(p - 2, q) * (p - 1)
            if q >= 1:
                out = out + self.M(p - 1, q - 1) * (rho * q)
            one_m = 1 - rho * rho
            if p == 1:   # E[Y^q 1[Y>0] delta(X)], q odd: (1-rho^2)^(q/2) (q-1)!!/(2 pi)
                assert q % 2 == 1
                out = out + Lin(0, 0, one_m ** ((q - 1) // 2) * Fraction(_dfact(q - 1), 2))
            if q == 0:   # rho E[X^(p-1) 1[X>0] delta(Y)], p even
                assert p % 2 == 0
                out = out + Lin(0, 0, rho * one_m ** ((p - 2) // 2) * Fraction(_dfact(p - 2), 2))
        self._M[key] = out
        return out

    @staticmethod
    def half(p):
        """E[X^p 1[X>0]] for X ~ N(0, 1), p even."""
        return Fraction(_dfact(p - 1), 2) if p else Fraction(1, 2)

    # ---- E[prod_x g_x prod_{s in S} 1[g_s > 0]]
    def expect(self, xs, S):
        key = _canon(xs, S)
        return _expect(self.n, *key)


def _canon(xs, S):
    """Relabel indices in order of first appearance (S first): g is exchangeable."""
    lab = {}
    for v in tuple(S) + tuple(xs):
        lab.setdefault(v, len(lab))
    return tuple(sorted(lab[v] for v in xs)), tuple(lab[s] for s in S)


_MOMENTS = {}


def moments(n):
    if n not in _MOMENTS:
        _MOMENTS[n] = Moments(n)
    return _MOMENTS[n]


@lru_cache(maxsize=None)
def _expect(n, xs, S):
    mo = moments(n)
    C = mo.C
    S = tuple(S)
    k = len(S)
    if len(xs) % 2:
        return Lin()
    if k == 0:
        return Lin(_isserlis(list(xs), C))
    # regression of g_x on Z = (g_s): beta_x = Sigma_Z^-1 C_{S,x}; residual covariance
    if k == 1:
        inv = [[1 / mo.var]]
    else:
        det = mo.var * mo.var - mo.cov * mo.cov
        inv = [[mo.var / det, -mo.cov / det], [-mo.cov / det, mo.var / det]]
    beta = {}
    for x in set(xs):
        cx = [C(s, x) for s in S]
        beta[x] = [sum(inv[a][b] * cx[b] for b in range(k)) for a in range(k)]

    def rcov(x, y):
        return C(x, y) - sum(beta[x][a] * C(S[a], y) for a in range(k))

    total = Lin()
    idx = list(range(len(xs)))
    for w in range(len(xs) + 1):
        for W in itertools.combinations(idx, w):
            rest = [xs[i] for i in idx if i not in W]
            if len(rest) % 2:
                continue
            r = _isserlis(rest, rcov)
            if r == 0:
                continue
            poly = {(0,) * k: Fraction(1)}
            for i in W:
                b = beta[xs[i]]
                new = {}
                for mono, c in poly.items():
                    for a in range(k):
                        if b[a]:
                            m2 = list(mono)
                            m2[a] += 1
                            m2 = tuple(m2)
                            new[m2] = new.get(m2, 0) + c * b[a]
                poly = new
            for mono, c in poly.items():
                deg = sum(mono)
                if deg % 2:
                    continue
                scale = mo.var ** (deg // 2)
                if k == 1:
                    z = Lin(mo.half(mono[0]))
                else:
                    z = mo.M(*mono)
                total = total + z * (c * scale * r)
    return total


def _isserlis(xs, cov):
    if not xs:
        return Fraction(1)
    if len(xs) % 2:
        return Fraction(0)
    first, rest = xs[0], xs[1:]
    out = Fraction(0)
    for i in range(len(rest)):
        c = cov(first, rest[i])
        if c:
            out += c * _isserlis(rest[:i] + rest[i + 1:], cov)
    return out


# ---------------------------------------------------------------- the backward maps
def _dd(mo, xs, i, j, alpha):
    """E[prod g_x d_i d_j], d = alpha + (1 - alpha) 1[g > 0]."""
    al = Fraction(alpha)
    be = 1 - al
    if i == j:
        return mo.expect(xs, ()) * (al * al) + mo.expect(xs, (i,)) * (1 - al * al)
    return (mo.expect(xs, ()) * (al * al) + (mo.expect(xs, (i,)) + mo.expect(xs, (j,))) * (al * be)
            + mo.expect(xs, (i, j)) * (be * be))


def apply_rs(n, alpha, Pi, entries):
    """{(a, b): Lin} of E[Q D Pi D Q] (u-moments; the factor n/(a (m-2)) not included) at the
    asked entries, Pi an exact symmetric matrix (Fractions; zeros skipped)."""
    mo = moments(n)
    m = n - 1
    C = mo.C
    nz = [(i, j, Pi[i][j]) for i in range(n) for j in range(n) if Pi[i][j]]
    out = {}
    for a, b in entries:
        tot = Lin()
        for i, j, p in nz:
            t = _dd(mo, (), i, j, alpha) * (C(a, i) * C(j, b))
            t = t - _dd(mo, (j, b), i, j, alpha) * (C(a, i) / m)
            t = t - _dd(mo, (a, i), i, j, alpha) * (C(j, b) / m)
            t = t + _dd(mo, (a, i, j, b), i, j, alpha) / (m * (m + 2))
            tot = tot + t * p
        out[(a, b)] = tot
    return out


def apply_rc(n, alpha, Pi, entries):
    """{(a, b): Lin} of E[C D Pi D C] at the asked entries."""
    mo = moments(n)
    C = mo.C
    nz = [(i, j, Pi[i][j]) for i in range(n) for j in range(n) if Pi[i][j]]
    return {(a, b): sum((_dd(mo, (), i, j, alpha) * (C(a, i) * C(j, b) * p) for i, j, p in nz), Lin())
            for a, b in entries}


def probes(n):
    """(Pi, entry, value of Pi there) per component: C (trivial), C diag(e0 - e1) C (standard),
    the (n-2, 2) pattern (pair, n >= 4); each an eigenvector of every S_n-equivariant map into
    Sym(1-perp) that fixes it, so the eigenvalue is T(Pi)[entry]/Pi[entry]."""
    mo = moments(n)
    Cm = [[mo.C(i, j) for j in range(n)] for i in range(n)]
    x = [Fraction(0)] * n
    x[0], x[1] = Fraction(1), Fraction(-1)
    CDC = [[sum(Cm[i][k] * x[k] * Cm[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    out = {"trivial": (Cm, (0, 1)), "standard": (CDC, (0, 0))}
    if n >= 4:
        P = [[Fraction(0)] * n for _ in range(n)]
        for i, j, v in ((0, 2, 1), (0, 3, -1), (1, 2, -1), (1, 3, 1)):
            P[i][j] = P[j][i] = Fraction(v)
        out["pair"] = (P, (0, 2))
    return out


def kernel_lin(n, alpha):
    """A = kappa(1) (a Fraction) and kappa(rho) as a Lin: kappa(rho) = A rho + (1-alpha)^2/2
    (SQ - rho (1/2 - AS)) (acos = pi/2 - asin)."""
    al = Fraction(alpha)
    A = (1 + al * al) / 2
    rho = Fraction(-1, n - 1)
    h = (1 - al) ** 2 / 2
    return A, Lin(A * rho - h * rho / 2, h * rho, h)


def exact(n, alpha, stages="rc,rs"):
    """{component: (numerator Lin, denominator Lin)}: the eigenvalue of the normalised backward map
    on each component is numerator/denominator (exact; the denominator is a (m - 2) / n for
    rc,rs and a m / n for rc, a = A - kappa(rho))."""
    if stages == "rc,rs" and n < 4:
        raise BadInput("n = %d: with RS the gradient's second moment is infinite for n = 3 (E[1/chi^2_2] "
                       "diverges); take n >= 4" % n)
    A, kap = kernel_lin(n, alpha)
    a = Lin(A) - kap
    m = n - 1
    den = a * Fraction(m - 2 if stages == "rc,rs" else m, n)
    apply = apply_rs if stages == "rc,rs" else apply_rc
    out = {}
    for comp, (Pi, e) in probes(n).items():
        v = apply(n, alpha, Pi, [e])[e]
        out[comp] = (v / Pi[e[0]][e[1]], den)
    return out


def rates(n, alpha, stages="rc,rs", prec=128):
    """{component: arb} the eigenvalues, with 'radius' (the spectral radius) and 'from' (the
    components that may attain it)."""
    from flint import arb, ctx

    ctx.prec = prec
    rho = arb(-1) / (n - 1)
    AS = rho.asin() / arb.pi()
    SQ = (1 - rho * rho).sqrt() / arb.pi()
    ex = exact(n, alpha, stages)
    out = {c: num.value(AS, SQ) / den.value(AS, SQ) for c, (num, den) in ex.items()}
    radius = None
    for v in out.values():
        radius = abs(v) if radius is None else radius.max(abs(v))
    return {"eig": out, "radius": radius, "from": [c for c, v in out.items() if not abs(v) < radius]}


# ---------------------------------------------------------------- the trivial eigenvalue by hand
def trivial_closed(n, alpha, stages="rc,rs", prec=128):
    """mu_T, the eigenvalue on C (the one that attains the rate), from a separate hand
    derivation (docs/full-bn.md, section 11) with d = phi'(u), p2 = E[d_i d_j] (i != j):
    E tr(D C D C) = (n-2) A + (nA + n(n-1) p2)/n^2, E u^T D C D u = A - (A + (n-1) kappa)/n
    (phi'(t) t = phi(t)), so with m = n - 1, a = A - kappa(rho):

        RC + RS:  mu_T = n/(a m) (A + (2A/n + (m/n)(p2 + kappa))/(n - 3))
        RC alone: mu_T = n/(a m^2) ((n - 2) A + A/n + m p2/n).

    Every piece is an explicit continuous function of 1/n, so both tend to A/(A - kappa(0)) as
    n -> oo (kappa(rho) -> kappa(0) = (1-alpha)^2/(2 pi))."""
    from flint import arb, ctx

    ctx.prec = prec
    al = Fraction(alpha)
    q = lambda x: arb(Fraction(x).numerator) / Fraction(x).denominator
    rho = arb(-1) / (n - 1)
    A = q((1 + al * al) / 2)
    B = q((1 - al) ** 2) / (2 * arb.pi())
    kap = A * rho + B * ((1 - rho * rho).sqrt() - rho * rho.acos())
    p2 = q(al * al + al * (1 - al)) + q((1 - al) ** 2) * (arb(1) / 4 + rho.asin() / (2 * arb.pi()))
    a = A - kap
    m = n - 1
    if stages == "rc,rs":
        if n < 4:
            raise BadInput("n = %d: infinite for RC + RS" % n)
        return n / (a * m) * (A + (2 * A / n + q(Fraction(m, n)) * (p2 + kap)) / (n - 3))
    return n / (a * m * m) * ((n - 2) * A + A / n + m * p2 / n)
