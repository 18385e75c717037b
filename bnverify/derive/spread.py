"""A float search of the symmetric family's fixed points for any activation (untrusted: every
result is a *suggestion*, never a proof; docs/spread.md).

**The family.**  F(G) = K_phi(w C G C), w the weight variance.  Iterate on S = w C G C instead,
T(S) = w C K_phi(S) C: F and T are K o L and L o K with L(G) = w C G C, so their fixed points
correspond one to one (S* = L(G*), G* = K(S*)) and their linearizations share every non-zero
eigenvalue.  A centred S invariant under permutations of the cluster (indices 0 .. n-2; the odd
point n-1) has two parameters:

    cluster diagonal q,  cluster off-diagonal rho q,
    cross  x = -q (1 + (n-2) rho),  odd diagonal p = (n-1) q (1 + (n-2) rho),

rho in [-1/(n-2), 1] (the odd point is minus the cluster's sum).  The image K = K_phi(S) has the
four values a = K(q, q, q), b = K(q, q, rho q), c = K(q, p, x), d = K(p, p, p), and with
r1 = a + (n-2) b + c, r2 = (n-1) c + d, t = (n-1) r1 + r2 the centred image is

    q' = w (a - 2 r1/n + t/n^2),    rho' = 1 + w (b - a) / q'.

The lines rho = -1/(n-1) (the simplex, S proportional to C) and rho = 1 (the two-point state,
S of rank one) are invariant.  A *spread-cluster* fixed point is one off both lines, so the
search divides them out: it looks for common zeros of

    A(q, rho) = log(q'/q),    B(q, rho) = (rho' - rho) / ((rho + 1/(n-1)) (1 - rho))

on a grid of (log q, theta = arccos rho), seeds Newton's method in every grid cell where both A
and B change sign among the corners, and keeps the converged roots.  For a positively
homogeneous phi (the ReLU family) the scale is free: q' = kappa-factor * q, A is not a condition,
and the search is one-dimensional, the sign changes of B(1, rho) refined by bisection; its
fixed points are those of the scale-free dynamics (the cluster correlation map h(rho) of
bnverify.derive.curve, found here by other code).

**The kernel values** come from the registry: the slope family's closed arc-cosine kernel
(``Activation.kappa`` in core's float context), every other phi by the Gauss-Hermite product rule
of :func:`bnverify.derive.infinite_width.pair_mean` (its error for smooth phi is far below the
search's tolerance at ``NODES`` nodes; the tests compare it with core.dual_kernel's balls).

**Spectral radii** (float): in the family, of the 2 x 2 Jacobian of (q, rho) -> (q', rho')
(homogeneous phi: |h'(rho*)|, the scale-free convention); in the full dimension, of DT(S*) on
the n(n+1)/2 symmetric matrices (its non-zero eigenvalues are DF(G*)'s), from the kernel's
derivatives dK_jk/dS_jk = E[phi'(x) phi'(y)], dK_jk/dS_jj = (E[x phi'(x) phi(y)] - c E[phi'
phi'])/(2 S_jj), dK_jj/dS_jj = E[x phi'(x) phi(x)]/S_jj (Price; the ReLU family: kappa',
kappa_perp, kappa(1) as in core.gram).  For a homogeneous phi the eigenvalue of S*'s own
direction is removed (the scale-free convention: eigenvalues of DT(S*)/c on the quotient by S*).
"""
from __future__ import annotations

import copy
import functools
import math
import time

import numpy as np

from ..core import arith
from . import infinite_width

NODES = 96                        # Gauss-Hermite nodes per dimension in the search
CHECK_NODES = 300                 # a second rule at the roots: each root is refined with it
Q_RANGE = (1e-5, 1e3)             # the searched cluster variances q off the lines (non-homogeneous phi)
LINE_Q_RANGE = (1e-9, 1e4)        # on the invariant lines (the two-point state's q falls like 1/n^2)
GRID = (49, 64)                   # (log q, theta) grid points
TOL = 1e-10
LABEL = "float search (Gauss-Hermite quadrature and Newton's method): a suggestion, not proved"
CHUNK = 400


def rho_bounds(n):
    """(rho_min, rho_simplex) = (-1/(n-2), -1/(n-1))."""
    return -1.0 / (n - 2), -1.0 / (n - 1)


def family_S(q, rho, n):
    """The n x n centred symmetric matrix of the family (cluster first, odd point last)."""
    m = n - 1
    x = -q * (1 + (n - 2) * rho)
    S = np.full((n, n), rho * q)
    np.fill_diagonal(S, q)
    S[:m, m] = S[m, :m] = x
    S[m, m] = m * q * (1 + (n - 2) * rho)
    return S


def family_coords(S):
    """(q, rho) of a family matrix (cluster diagonal, cluster correlation)."""
    q = S[0, 0]
    return q, S[0, 1] / q


class Family:
    """The family map (q, rho) -> (q', rho') of RC + phi at n and weight variance w (float)."""

    def __init__(self, act, n, weight_var=1.0, nodes=NODES, closed=True):
        if n < 3:
            raise ValueError("the family needs n >= 3")
        self.act, self.n, self.w, self.nodes = act, n, float(weight_var), nodes
        self.homogeneous = act.homogeneous and act.has_closed_kernel       # the scale-free search
        self.closed = closed        # the registry's closed kernels where they exist, else quadrature
        # C K_phi(S) C = C K_(phi - m)(S) C for a constant m (C kills u 1^T + 1 u^T), so the
        # quadrature integrates phi - phi(0): no cancellation of phi(0)^2 against q' ~ q when q is tiny
        phi0 = float(act.phi(np.zeros(1))[0])
        self.phi = (lambda x: act.phi(x) - phi0) if phi0 != 0 else act.phi

    # the kernel values E[f(x) g(y)] for arrays of covariances
    def _pairs(self, q1, q2, c, f, g):
        out = np.empty(len(q1))
        for k in range(0, len(q1), CHUNK):
            s = slice(k, k + CHUNK)
            out[s] = infinite_width.pair_mean(q1[s], q2[s], c[s], f, g, self.nodes)
        return out

    def K(self, q1, q2, c):
        """K_phi at each covariance [[q1, c], [c, q2]] (arrays)."""
        q1, q2, c = (np.asarray(v, dtype=float) for v in (q1, q2, c))
        if self.closed and self.act.has_closed_kernel:
            ctx = arith.FLOAT
            d = np.sqrt(np.maximum(q1 * q2, 0.0))
            r = np.divide(c, d, out=np.ones_like(c), where=d > 0)
            return d * self.act.kappa(r, ctx)
        if self.closed and self.act.closed is not None:
            return self._closed(q1, q2, c, ("K",))[0]
        return self._pairs(q1, q2, c, self.phi, self.phi)

    def _closed(self, q1, q2, c, keys):
        """The registry's closed dual kernel (Arb) at each covariance, as floats, one array per key;
        each distinct covariance is evaluated once."""
        trip = np.stack([q1, q2, c], axis=1)
        uniq, inv = np.unique(trip, axis=0, return_inverse=True)
        vals = np.array([[float(v[k].mid()) for k in keys]
                         for v in (self.act.closed(float(a), float(b), float(x), keys) for a, b, x in uniq)])
        return [vals[np.ravel(inv), i] for i in range(len(keys))]

    def images(self, q, rho):
        """(a, b, c, d) of K_phi(S(q, rho)) for arrays q, rho."""
        q, rho = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(rho, dtype=float))
        n = self.n
        s = 1 + (n - 2) * rho
        x, p = -q * s, (n - 1) * q * s
        m = q.size
        if self.closed and (self.act.has_closed_kernel or self.act.closed is not None):
            vals = self.K(np.concatenate([q.ravel()] * 3 + [p.ravel()]),
                          np.concatenate([q.ravel(), q.ravel(), p.ravel(), p.ravel()]),
                          np.concatenate([q.ravel(), (rho * q).ravel(), x.ravel(), p.ravel()]))
            return [vals[i * m:(i + 1) * m].reshape(q.shape) for i in range(4)]
        # quadrature: the diagonals E[phi(x)^2] are one-dimensional (a rule in one variable)
        a, d = self.second_moment(np.concatenate([q.ravel(), p.ravel()])).reshape(2, m)
        b, c = self.K(np.concatenate([q.ravel()] * 2), np.concatenate([q.ravel(), p.ravel()]),
                      np.concatenate([(rho * q).ravel(), x.ravel()])).reshape(2, m)
        return [v.reshape(q.shape) for v in (a, b, c, d)]

    def second_moment(self, q):
        """E[phi(x)^2], x ~ N(0, q), by the one-dimensional Gauss-Hermite rule (arrays)."""
        u, wu = infinite_width.rule(self.nodes)
        x = np.sqrt(np.maximum(q, 0.0))[:, None] * u[None, :]
        with np.errstate(over="ignore"):
            return (self.phi(x) ** 2) @ wu

    def step(self, q, rho):
        """(q', rho' - rho) of the family map (rho' - rho kept apart: it is what the search needs)."""
        a, b, c, d = self.images(q, rho)
        n = self.n
        r1 = a + (n - 2) * b + c
        t = (n - 1) * r1 + (n - 1) * c + d
        Q = a - 2 * r1 / n + t / (n * n)
        qn = self.w * Q
        drho = (1 - np.asarray(rho)) + (b - a) / Q
        return qn, drho

    def map(self, q, rho):
        qn, drho = self.step(q, rho)
        return qn, np.asarray(rho) + drho

    def residual(self, u, theta):
        """(A, B) at q = e^u, rho = cos theta (arrays); homogeneous phi: A = 0."""
        rho = np.cos(theta)
        q = np.exp(u)
        qn, drho = self.step(q, rho)
        _, rs = rho_bounds(self.n)
        with np.errstate(divide="ignore", invalid="ignore"):
            A = np.zeros_like(qn) if self.homogeneous else np.log(np.where(qn > 0, qn, np.nan) / q)
            B = drho / ((rho - rs) * (1 - rho))
        return A, B


def _theta_grid(n, count):
    """theta = arccos rho on (0, arccos(-1/(n-2))]: dense near 0 (large n's spread states sit at
    1 - rho ~ 1/n^2) and near the simplex (the ReLU partner sits 2(pi-2)/n^3 above it)."""
    lo_rho, rs = rho_bounds(n)
    top = math.acos(lo_rho)
    th = set(top * (np.arange(1, count + 1) / count) ** 2)
    ts = math.acos(rs)
    for k in (0.25, 0.5, 1, 2, 4, 8, 16):
        for sign in (1, -1):
            r = rs + sign * k / n ** 3
            if lo_rho < r < 1:
                th.add(math.acos(r))
    th = np.array(sorted(t for t in th if abs(t - ts) > 1e-9 and t > 0))
    return th


def _bisect(f, a, b, fa, tol=1e-15, it=200):
    """A root of the scalar f on [a, b] with f(a) of sign fa, by bisection."""
    for _ in range(it):
        m = (a + b) / 2
        fm = f(m)
        if not np.isfinite(fm):
            return None
        if (fm > 0) == (fa > 0):
            a = m
        else:
            b = m
        if b - a < tol * max(1.0, abs(a)):
            break
    return (a + b) / 2


def _regula(f, a, b, fa, fb, tol=1e-15, it=200):
    """A root of the scalar f on [a, b] (fa, fb of opposite signs): the Illinois method (regula falsi, the end kept
    twice in a row has its value halved), and every third step a bisection where the two before it have not halved
    the bracket (so at most three times bisection's steps); the bracket's midpoint once it is below ``tol`` relative,
    as :func:`_bisect`, or None at a value that is not finite.  Some 12 evaluations of a smooth f where bisection
    takes 35 to 50 (at the re-check's 300-node rule each is milliseconds)."""
    side, width = 0, b - a
    for k in range(it):
        if b - a < tol * max(1.0, abs(a)):
            break
        if k % 3 == 2 and b - a > width / 2:
            m, side = (a + b) / 2, 0
        else:
            m = b - fb * (b - a) / (fb - fa) if fb != fa else (a + b) / 2
            if not a < m < b:
                m = (a + b) / 2
        fm = f(m)
        if not np.isfinite(fm):
            return None
        if fm == 0:
            return m
        if (fm > 0) == (fa > 0):
            a, fa = m, fm
            if side == -1:
                fb /= 2
            side = -1
        else:
            b, fb = m, fm
            if side == 1:
                fa /= 2
            side = 1
        if k % 3 == 2:
            width = b - a
    return (a + b) / 2


def _newton(fam, u, th, lo_th, hi_th, it=60):
    """Damped Newton on (A, B) in (u, theta); None unless |(A, B)| < TOL inside the domain."""
    x = np.array([u, th], dtype=float)
    for _ in range(it):
        A, B = fam.residual(np.array([x[0]]), np.array([x[1]]))
        r = np.array([A[0], B[0]])
        if not np.all(np.isfinite(r)):
            return None
        if np.max(np.abs(r)) < TOL:
            return x
        h = 1e-7
        J = np.empty((2, 2))
        Au, Bu = fam.residual(np.array([x[0] + h]), np.array([x[1]]))
        At, Bt = fam.residual(np.array([x[0]]), np.array([x[1] + h]))
        J[:, 0] = (np.array([Au[0], Bu[0]]) - r) / h
        J[:, 1] = (np.array([At[0], Bt[0]]) - r) / h
        try:
            dx = np.linalg.solve(J, -r)
        except np.linalg.LinAlgError:
            return None
        lam = 1.0
        for _ in range(30):
            y = x + lam * dx
            if lo_th < y[1] < hi_th and math.log(Q_RANGE[0]) - 5 < y[0] < math.log(Q_RANGE[1]) + 5:
                A2, B2 = fam.residual(np.array([y[0]]), np.array([y[1]]))
                if np.all(np.isfinite([A2[0], B2[0]])) and max(abs(A2[0]), abs(B2[0])) < max(abs(r)):
                    break
            lam /= 2
        else:
            return None
        x = y
    return None


def _line_roots(fam, theta):
    """The fixed points on an invariant line rho = cos theta (simplex, two-point): sign changes of
    A in log q, refined by bisection (non-homogeneous phi)."""
    us = np.linspace(math.log(LINE_Q_RANGE[0]), math.log(LINE_Q_RANGE[1]), 6 * GRID[0])
    A, _ = fam.residual(us, np.full_like(us, theta))
    out = []
    f = lambda u: fam.residual(np.array([u]), np.array([theta]))[0][0]        # noqa: E731
    for i in range(len(us) - 1):
        if np.isfinite(A[i]) and np.isfinite(A[i + 1]) and A[i] * A[i + 1] < 0:
            r = _bisect(f, us[i], us[i + 1], A[i], tol=1e-14)
            if r is not None:
                out.append(math.exp(r))
    return out


def spread_roots(fam):
    """(q, rho) of the spread-cluster fixed points the search finds (off both invariant lines)."""
    n = fam.n
    th = _theta_grid(n, GRID[1])
    lo_th, hi_th = 0.0, math.acos(rho_bounds(n)[0])
    found = []
    if fam.homogeneous:
        _, B = fam.residual(np.zeros_like(th), th)
        f = lambda t: fam.residual(np.zeros(1), np.array([t]))[1][0]           # noqa: E731
        for i in range(len(th) - 1):
            if np.isfinite(B[i]) and np.isfinite(B[i + 1]) and B[i] * B[i + 1] < 0:
                t = _bisect(f, th[i], th[i + 1], B[i])
                if t is not None and abs(f(t)) < 1e-6 * (1 + abs(B[i]) + abs(B[i + 1])):   # not a pole
                    found.append((1.0, math.cos(t)))
        return found
    us = np.linspace(math.log(Q_RANGE[0]), math.log(Q_RANGE[1]), GRID[0])
    U, TH = np.meshgrid(us, th, indexing="ij")
    A, B = fam.residual(U.ravel(), TH.ravel())
    A, B = A.reshape(U.shape), B.reshape(U.shape)
    for i in range(len(us) - 1):
        for j in range(len(th) - 1):
            a, b = A[i:i + 2, j:j + 2], B[i:i + 2, j:j + 2]
            if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
                continue
            if a.min() < 0 < a.max() and b.min() < 0 < b.max():
                x = _newton(fam, (us[i] + us[i + 1]) / 2, (th[j] + th[j + 1]) / 2, lo_th, hi_th)
                if x is not None and not any(abs(x[0] - math.log(q)) < 1e-6 and abs(math.acos(r) - x[1]) < 1e-6
                                             for q, r in found):
                    found.append((math.exp(x[0]), math.cos(x[1])))
    # the domain's edge rho = -1/(n-2) (the odd point's variance p = 0), where Newton's box stops: at n = 3 it is
    # invariant for odd phi ({v, -v, 0} stays centred), and its fixed points are A's sign changes where B = 0.  Only
    # n = 3: for n >= 4 no edge point of a non-affine phi is fixed (the cluster's n - 1 >= 3 images would have to sum
    # to (n-1) phi(0) almost surely), and near sigma_w^2 phi'(0)^2 = 1 the map is almost linear at the small q where
    # A changes sign, so |B| = O(q) passes any absolute tolerance (tanh at 1.000001, n = 4: q 5e-7, |B| 2e-14)
    lo_rho = rho_bounds(n)[0]
    for q in _line_roots(fam, hi_th) if n == 3 else ():
        _, B = fam.residual(np.array([math.log(q)]), np.array([hi_th]))
        if abs(B[0]) < TOL and not any(abs(math.log(q / q2)) < 1e-6 and abs(r - lo_rho) < 1e-6 for q2, r in found):
            found.append((q, lo_rho))
    return found


def family_radius(fam, q, rho):
    """The float spectral radius of the family map at a fixed point: of the 2 x 2 Jacobian in
    (q, rho) (one-sided inward at rho = 1), or |h'(rho)| for a homogeneous phi."""
    h = 1e-6
    hr = -1e-9 if rho > 1 - 2 * h else h      # one-sided at rho = 1 (the ReLU family is only C^1 there)
    q0, r0 = fam.map(np.array([q]), np.array([rho]))
    q1, r1 = fam.map(np.array([q]), np.array([rho + hr]))
    if fam.homogeneous:
        return abs(float((r1[0] - r0[0]) / hr))
    q2, r2 = fam.map(np.array([q * (1 + h)]), np.array([rho]))
    J = np.array([[(q2[0] - q0[0]) / (q * h), (q1[0] - q0[0]) / hr],
                  [(r2[0] - r0[0]) / (q * h), (r1[0] - r0[0]) / hr]])
    return float(np.max(np.abs(np.linalg.eigvals(J))))


def _derivative_coefficients(fam, S):
    """(P, V, D): dK_jk/dS_jk, dK_jk/dS_jj (row j) and dK_jj/dS_jj at S (float, n x n)."""
    act, n = fam.act, S.shape[0]
    d = np.sqrt(np.diagonal(S))
    j, k = np.where(~np.eye(n, dtype=bool))
    q1, q2, c = S[j, j], S[k, k], S[j, k]
    P, V = np.zeros((n, n)), np.zeros((n, n))
    if fam.closed and act.has_closed_kernel:
        ctx = arith.FLOAT
        r = np.clip(c / (d[j] * d[k]), -1, 1)
        P[j, k] = act.dkappa(r, ctx)
        V[j, k] = act.kappa_perp(r, ctx) * d[k] / d[j] / 2
        D = np.full(n, float(act.kappa_one(ctx)))
        return P, V, D
    trip = np.stack([q1, q2, c], axis=1)
    uniq, inv = np.unique(trip, axis=0, return_inverse=True)      # the family has few distinct pairs
    inv = np.ravel(inv)
    u1, u2, uc = uniq[:, 0], uniq[:, 1], uniq[:, 2]
    qd = np.diagonal(S).copy()
    if fam.closed and act.closed is not None:
        Pu, Vu = fam._closed(u1, u2, uc, ("dK_dc", "dK_dq1"))
        D = sum(fam._closed(qd, qd, qd, ("dK_dc", "dK_dq1", "dK_dq2")))     # d/dq K(q, q, q)
    else:
        x_dphi = lambda x: x * act.dphi(x)                                       # noqa: E731
        Pu = fam._pairs(u1, u2, uc, act.dphi, act.dphi)
        Vu = (fam._pairs(u1, u2, uc, x_dphi, fam.phi) - uc * Pu) / (2 * u1)
        D = fam._pairs(qd, qd, qd, x_dphi, fam.phi) / qd
    P[j, k], V[j, k] = Pu[inv], Vu[inv]
    return P, V, D


def full_radius(fam, q, rho):
    """The float spectral radius of DT(S*) on the n(n+1)/2 symmetric matrices (homogeneous phi:
    of DT(S*)/c on the quotient by S*'s own direction); None where a point's variance is 0 (the domain's edge,
    n = 3's {v, -v, 0}) and the quadrature's derivative formulas divide by it."""
    n, w = fam.n, fam.w
    S = family_S(q, rho, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        P, V, D = _derivative_coefficients(fam, S)
    if not (np.all(np.isfinite(P)) and np.all(np.isfinite(V)) and np.all(np.isfinite(D))):
        return None
    C = np.eye(n) - 1.0 / n
    iu = np.triu_indices(n)
    cols = []
    for a, b in zip(*iu):
        E = np.zeros((n, n))
        E[a, b] = E[b, a] = 1.0
        e = np.diagonal(E)
        dK = P * E + V * e[:, None] + V.T * e[None, :]
        np.fill_diagonal(dK, D * e)
        cols.append((w * C @ dK @ C)[iu])
    M = np.array(cols).T
    if fam.homogeneous:
        Sn = w * C @ fam_kernel_matrix(fam, S) @ C
        c = Sn[0, 0] / S[0, 0]
        s = S[iu]
        ell = np.zeros(len(s))
        ell[0] = 1.0 / s[0]
        M = (np.eye(len(s)) - np.outer(s, ell)) @ M / c
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def fam_kernel_matrix(fam, S):
    """K_phi(S) with the family's kernel values (n x n)."""
    n = S.shape[0]
    j, k = np.triu_indices(n)
    vals = fam.K(S[j, j], S[k, k], S[j, k])
    K = np.empty((n, n))
    K[j, k] = K[k, j] = vals
    return K


def full_map(S, act, weight_var, nodes=NODES):
    """The full n x n map T(S) = w C K_phi(S) C in float (Gauss-Hermite for every pair; for the
    tests and the persistence check)."""
    n = S.shape[0]
    C = np.eye(n) - 1.0 / n
    return float(weight_var) * C @ infinite_width.kernel(S, act, nodes) @ C


def _refine(fam, state, q, rho):
    """The root near (q, rho) again with ``fam`` (more nodes, quadrature): {q, rho, nodes} or None."""
    edge = state == "spread" and rho <= rho_bounds(fam.n)[0]          # on the domain's edge: along it
    if state == "spread" and not edge:
        x = _newton(fam, math.log(q), math.acos(rho), 0.0, math.acos(rho_bounds(fam.n)[0]))
        return None if x is None else {"q": math.exp(x[0]), "rho": math.cos(x[1]), "nodes": fam.nodes}
    theta = 0.0 if state == "two-point" else math.acos(max(rho, -1.0))
    if edge and not abs(fam.residual(np.array([math.log(q)]), np.array([theta]))[1][0]) < 1e-6:
        return None
    f = lambda u: fam.residual(np.array([u]), np.array([theta]))[0][0]          # noqa: E731
    a, b = math.log(q) - 0.05, math.log(q) + 0.05
    fa, fb = f(a), f(b)
    if not (np.isfinite(fa) and np.isfinite(fb) and fa * fb < 0):
        return None
    u = _regula(f, a, b, fa, fb, tol=1e-14)
    return None if u is None else {"q": math.exp(u), "rho": rho, "nodes": fam.nodes}


def search(act, n, weight_var=1.0, full=True, nodes=NODES):
    """Every family fixed point the float search finds at n: a dict with the label, the searched
    region and a list of points {state, q, rho, family_radius, full_radius, persists}; the
    two-point and simplex states on their invariant lines, the spread-cluster states off them.
    ``persists``: the point is a root again (to 1e-6) by quadrature with ``CHECK_NODES`` nodes
    (non-homogeneous phi; where the search used a closed kernel this is an independent check).
    Searched once per arguments and search settings in a process (a claim's several properties at
    one n, a box and a cover, the atlas and attractor ask for the same search); each caller gets
    its own copy."""
    return copy.deepcopy(_search(act, n, float(weight_var), full, nodes,
                                 (GRID, Q_RANGE, LINE_Q_RANGE, CHECK_NODES, TOL)))


@functools.lru_cache(maxsize=128)
def _search(act, n, weight_var, full, nodes, settings):
    """:func:`search` itself; ``settings`` (the module's grid, ranges, check rule and tolerance) only
    keys the cache."""
    t0 = time.monotonic()
    fam = Family(act, n, weight_var, nodes)
    _, rs = rho_bounds(n)
    pts = []
    if fam.homogeneous:
        pts += [("simplex", 1.0, rs), ("two-point", 1.0, 1.0)]
    else:
        pts += [("simplex", q, rs) for q in _line_roots(fam, math.acos(rs))]
        pts += [("two-point", q, 1.0) for q in _line_roots(fam, 0.0)]
    pts += [("spread", q, r) for q, r in spread_roots(fam)]
    out = []
    # the persistence check: quadrature with more nodes, never the closed form the search used
    check = None if fam.homogeneous else Family(act, n, weight_var, CHECK_NODES, closed=False)
    for state, q, rho in pts:
        p = {"state": state, "q": q, "rho": rho, "family_radius": family_radius(fam, q, rho)}
        p["full_radius"] = full_radius(fam, q, rho) if full else None
        p["persists"], p["check"] = True, None
        if check is not None:
            p["check"] = refined = _refine(check, state, q, rho)
            p["persists"] = refined is not None and abs(refined["q"] / q - 1) < 1e-3 and \
                abs(refined["rho"] - rho) < 1e-3 * (1 - rho_bounds(n)[0])
        out.append(p)
    return {"activation": str(act), "n": n, "weight_var": None if fam.homogeneous else float(weight_var),
            "label": LABEL, "region": {"q": None if fam.homogeneous else list(Q_RANGE),
                                       "q_on_lines": None if fam.homogeneous else list(LINE_Q_RANGE),
                                       "rho": [rho_bounds(n)[0], 1.0]},
            "grid": {"log_q": 1 if fam.homogeneous else GRID[0], "theta": len(_theta_grid(n, GRID[1]))},
            "nodes": None if fam.homogeneous else nodes, "points": out,
            "spread": [p for p in out if p["state"] == "spread"],
            "seconds": round(time.monotonic() - t0, 3)}


def cell(name, alpha, weight_var, n):
    """One atlas job (top level, so it pickles): the search at (activation, sigma_w^2, n), reduced
    to what the atlas shows: the spread-cluster points and how many are stable (float)."""
    from ..core import activations

    got = search(activations.activation(name, alpha), n, weight_var)
    sp = got["spread"]
    return {"n": n, "spread_found": len(sp),
            "stable_spread_found": sum(1 for p in sp if p["full_radius"] is not None and p["full_radius"] < 1),
            "spread": [{k: p[k] for k in ("q", "rho", "family_radius", "full_radius", "persists")} for p in sp],
            "states": [p["state"] for p in got["points"]], "seconds": got["seconds"]}


def smallest(cells, lo, hi):
    """The atlas's smallest-n entry from cells over n = lo..hi: {range, smallest_n_found,
    smallest_n_stable, note, label} (float search: never certified)."""
    found = [c["n"] for c in cells if c["spread_found"]]
    stable = [c["n"] for c in cells if c["stable_spread_found"]]
    span = "%d..%d" % (lo, hi)
    if not found:
        note = "none found in %s (float search; not proved)" % span
    else:
        note = "spread-cluster point first found at n = %d (float search; not proved), %s" % (
            found[0], "a stable one at n = %d" % stable[0] if stable else "none stable in %s" % span)
    return {"range": [lo, hi], "smallest_n_found": found[0] if found else None,
            "smallest_n_stable": stable[0] if stable else None, "note": note, "label": LABEL,
            "certified": False}
