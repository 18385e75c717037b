"""Mehler's series for dual kernels, with every Hermite coefficient from one rigorous
Gauss-Legendre node set, truncated where rigorous tails say the target is met.

For x ~ N(0, q) let a_k(q) = E[phi(x) He_k(x/sqrt q)] / sqrt(k!).  With r = c / sqrt(q1 q2),
|r| <= 1, and a_k = a_k(q1), b_k = a_k(q2),

    K       = sum_k a_k b_k r^k                                              (Mehler)
    dK/dc   = sum_{j>=1} j a_j b_j r^(j-1) / sqrt(q1 q2)                        (Price)
    dK/dq1  = sum_k sqrt((k+1)(k+2)) a_{k+2} b_k r^k / (2 q1)                  (dK/dq2 alike)

(the last by E[phi'(x) He_k] = E[phi He_{k+1}] / sqrt q, Gaussian integration by parts, so phi
must be absolutely continuous).

Tails.  Two Parseval identities (the He_k(u)/sqrt(k!) are complete and orthonormal in L2(N(0,1))):

    T_j := E[phi(x)^2] - sum_{k<=j} a_k^2 = sum_{k>j} a_k^2,
    S_j := q E[phi'(x)^2] - sum_{k<=j} k a_k^2 = sum_{k>j} k a_k^2.

The second holds for phi absolutely continuous with phi, phi' of at most exponential growth: by
parts E[phi'(x) He_{k-1}(u)] = E[phi(x) He_k(u)] / sqrt q (u = x/sqrt q), so phi' has the
coefficients sqrt(k/q) a_k, and Parseval for phi' in L2 gives E[phi'^2] = sum_k k a_k^2 / q.
Both are sums of squares, so only their upper bounds are used, cut at 0.  After the terms
k <= N (dK/dc: j <= N + 1), Cauchy-Schwarz and |r|^k <= |r|^(N+1) for k > N give, at any |r| <= 1,

    |K tail|      <= |r|^(N+1) sqrt(T_N(q1) T_N(q2))
    |dK/dc tail|  <= |r|^(N+1) sqrt(S_{N+1}(q1) S_{N+1}(q2)) / sqrt(q1 q2)
    |dK/dq1 tail| <= |r|^(N+1) sqrt(S_{N+2}(q1) (S_N(q2) + T_N(q2))) / (2 q1)

the last as sqrt((k+1)(k+2)) |a_{k+2} b_k| = (sqrt(k+2) |a_{k+2}|)(sqrt(k+1) |b_k|) and
sum_{k>N} (k+2) a_{k+2}^2 = S_{N+2}, sum_{k>N} (k+1) b_k^2 = S_N + T_N.  Where the weights
j |r|^(j-1) and (k+2) |r|^k fall from the first tail index on, i.e. |r| <= (N+2)/(N+3) (checked in
balls), the derivative tails are also at most (N+2)|r|^(N+1) sqrt(T_{N+1} T'_{N+1}) / sqrt(q1 q2) and
(N+3)|r|^(N+1) sqrt(T_{N+2} T'_N) / (2 q1) (Cauchy-Schwarz after taking out the largest weight);
the smaller bound is used.  Without q E[phi'^2] (no derivatives asked) only the K tail is needed.

Truncation.  N is the least index whose four tails are below the target; the coefficients are
computed to some M first and M grown (from the tails' decay, an analytic phi's a_k falling like
e^(-c sqrt k)) where none is, up to a cap.  Any N gives a sound enclosure (each tail is a
rigorous bound); the choice, made in floats, only decides how tight it is.  The floors: T_j and
S_j carry the coefficients' and E[phi^2]'s (E[phi'^2]'s) errors, so the tails cannot fall below
them; E[phi'^2] is integrated to 1/64 of the tolerance for that reason.

The coefficients: Gauss-Legendre on subintervals of [-L, L] (split at phi's kinks, length at most
2 sqrt q, halved up to three times where the rule would need more than MAX_DEGREE nodes or the
ellipse meets a singularity), all k from the same nodes; the error on [m-h, m+h] is at most
h (64/15) M rho^(2-2n) / (rho^2 - 1) (Trefethen, ATAP Thm 19.3, restated for n nodes: rule_error), M
bounding |integrand| on the Bernstein ellipse E_rho, found by covering the ellipse's boundary with Arb boxes (maximum modulus)
and the smaller of |He_k(u)| <= P_k(|u|), P_k the Hermite polynomial with its coefficients' absolute
values, and |He_k(u)| / sqrt(k!) <= sqrt(k!) k^(-k/2) e^(k/2) e^((Re u)^2/4 + sqrt(k) |Im u|) (Cauchy's
formula for the generating function e^(u t - t^2/2) on |t| = sqrt k; :func:`_cauchy_bounds`).  Without
kinks [-L, L] is folded onto [0, L] (He_k(-u) = (-1)^k He_k(u)): one recurrence for a node and its
mirror, the integrand's bound |f(w)| + |f(-w)|.
Beyond |x| > L Cramer's inequality |He_k(u)| <= 1.0865 sqrt(k!) e^(u^2/4) turns the tail into a
Gaussian tail.  Error budget: each coefficient's error, times its weight (k+3)|r|^max(k-2, 0)
(which is at least the factor it meets in any of the three series, r^k, j r^(j-1) at j = k and
sqrt((k-1)k) r^(k-2) for a_k as a_{k+2}), summed over k <= M and over the pieces, is at most
tol/8, so the budget holds whatever N <= M - 2 is chosen.
"""
from __future__ import annotations

import math

import numpy as np
from flint import acb, arb, ctx

from . import formula
from .gauss_pieces import breaks, cutoff, exact, tail

CRAMER = arb("1.0865")          # Cramer's constant 1.086435... rounded up
_RHOS = (arb(2), arb(4), arb(8))
ARCS = 16
STRIPS = 16                     # boxes covering an ellipse for the analyticity check
MAX_DEGREE = 96
PIECE = 2                       # subinterval length over sqrt(q), halved (at most MAX_SPLITS times)
MAX_SPLITS = 3                  # where a piece needs more than MAX_DEGREE nodes or meets a pole; at q > 1
                                # log2(sqrt q) more, so pieces can reach a length of about 1/4 whatever
                                # q is (softplus at q = 1000: its branch points at +-i pi need pieces of ~4)
_GL = {}
_ROOTS = {}
_CAUCHY = {}
_LOG_CAUCHY = []


def _root_table(n):
    """[sqrt(k) for k <= n] at the working precision."""
    key = ctx.prec
    if len(_ROOTS.get(key, ())) <= n:
        _ROOTS[key] = [arb(k).sqrt() for k in range(n + 1)]
    return _ROOTS[key]


def _gauss_legendre(n):
    key = (n, ctx.prec)
    if key not in _GL:
        _GL[key] = [arb.legendre_p_root(n, i, weight=True) for i in range(n)]
    return _GL[key]


def rule_error(h, rho, n):
    """The n-point Gauss-Legendre rule's error on [m - h, m + h] per unit of M = sup |f| on the Bernstein ellipse
    E_rho: h (64/15) rho^(2-2n) / (rho^2 - 1).  ATAP's Thm 19.3 states (64/15) M rho^(-2n) / (rho^2 - 1) for the
    (n+1)-point rule: the rule is exact through degree 2n - 1 and both the integral and the rule vanish on odd T_j,
    so with |c_j| <= 2 M rho^-j and |I(T_j) - I_n(T_j)| <= 32/15 (even j >= 4) the error is at most the sum over
    even j >= 2n.  (rho^(-2n) for n nodes, as this module had it, fails: T_(2n)'s error at n = 4, rho = 2 is 1.49
    against 0.71.)"""
    return h * arb(64) / 15 / (rho * rho - 1) * rho ** (2 - 2 * n)


def _p_bounds(t, M, R):
    """P_k(t) / sqrt(k!) for k = 0..M (t >= 0): bounds of |He_k(u)| / sqrt(k!) for |u| <= t."""
    out = [arb(1), t]
    for k in range(1, M):           # P_(k+1) = t P_k + k P_(k-1)
        out.append((t * out[k] + R[k] * out[k - 1]) / R[k + 1])
    return out[:M + 1]


def _cauchy_bounds(M, R):
    """c_k with |He_k(u)| / sqrt(k!) <= c_k e^((Re u)^2/4 + sqrt(k) |Im u|) for every complex u,
    k = 0..M: Cauchy's formula on the generating function sum_k He_k(u) t^k / k! = e^(u t - t^2/2)
    over |t| = sqrt(k) gives |He_k(u)| <= k! k^(-k/2) max_t |e^(u t - t^2/2)|, and with
    t = sqrt(k) e^(i theta), u = x + i y, Re(u t - t^2/2) = sqrt(k)(x cos - y sin) - k cos^2 + k/2
    <= x^2/4 + sqrt(k) |y| + k/2 (the maximum of sqrt(k) x c - k c^2 over c is x^2/4).  So
    c_k = sqrt(k!) k^(-k/2) e^(k/2) (about (2 pi k)^(1/4)), c_0 = 1."""
    key = ctx.prec
    out = _CAUCHY.get(key)
    if out is None or len(out) <= M:
        out, lf = [arb(1)], arb(0)  # lf = log sqrt(k!)
        for k in range(1, M + 1):
            lf += R[k].log()
            out.append((lf - k * R[k].log() + arb(k) / 2).exp())
        _CAUCHY[key] = out
    return out[:M + 1]


def _ellipse_sup(f, q, m, h, rho, M, tick, mirror=False, whole=False):
    """sup over the Bernstein ellipse of |f(w) He_k(w / sqrt q) N(w; 0, q)| / sqrt(k!), k <= M,
    and of |f(w)^2 N(w; 0, q)|, or None where f is not analytic there.  Two bounds of He_k, the
    smaller taken for each k: P_k(|u|) (|u| <= (|m| + A)/sqrt q on the ellipse) and
    :func:`_cauchy_bounds` (|Im u| <= B/sqrt q, the e^((Re u)^2/4) absorbed into the Gaussian).
    ``mirror``: f(w) + f(-w) and f(-w) then stand for f (the integrand f(w) +- f(-w) on a piece of
    [0, L]; |f(w) +- f(-w)| <= |f(w)| + |f(-w)|, f(w)^2 + f(-w)^2 for f^2), both checked analytic.
    ``whole``: f is entire (:func:`formula.entire`), so the check for a singularity inside is skipped."""
    A, B = (rho + 1 / rho) / 2 * h, (rho - 1 / rho) / 2 * h
    # the maximum modulus principle needs f analytic inside too: a pole or a branch cut inside
    # the ellipse but off its boundary shows up on the box around the whole ellipse
    # (covered by STRIPS boxes side by side: one box over it all let exp(-w) in sigmoid's 1/(1 + exp(-w))
    # enclose -1 on a long piece, so sigmoid's pieces were halved until 4 times as many nodes as tanh's)
    lo, width = m - m.rad() - A, 2 * (A + m.rad()) / STRIPS
    for i in range(0 if whole else STRIPS):
        box = acb(lo + width * (2 * i + 1) / 2 + arb(0, (width / 2).upper()), arb(0, B.upper()))
        if not f(box, True).is_finite() or (mirror and not f(-box, True).is_finite()):
            return None
    g_max, g2_max, c_max, y_max = arb(0), arb(0), arb(0), arb(0)
    for j in range(ARCS):
        tick()
        theta = arb(2 * math.pi * (j + 0.5) / ARCS, math.pi / ARCS + 1e-12)
        w = acb(m + A * theta.cos(), B * theta.sin())
        fw = f(w, True)
        if not fw.is_finite():
            return None
        fa, f2 = abs(fw), abs(fw) * abs(fw)
        if mirror:
            fm = f(-w, True)
            if not fm.is_finite():
                return None
            fa, f2 = fa + abs(fm), f2 + abs(fm) * abs(fm)
        y_max = arb(max(y_max.upper(), abs(w.imag).upper()))
        ww = -(w * w) / (2 * q)
        dens = abs(ww.exp())
        g_max = arb(max(g_max.upper(), (fa * dens).upper()))
        g2_max = arb(max(g2_max.upper(), (f2 * dens).upper()))
        # |e^(-w^2/(2q))| e^((Re w)^2/(4q)) = e^(-(Re w)^2/(4q) + (Im w)^2/(2q))
        c_max = arb(max(c_max.upper(), (fa * (ww.real + w.real * w.real / (4 * q)).exp()).upper()))
    # |w| <= |m| + A on the ellipse, and P_k grows with its argument
    return _Sup(g_max, c_max, g2_max, ((abs(m) + A) / q.sqrt()).upper(), (y_max / q.sqrt()).upper(), q, M)


class _Sup:
    """The ellipse's sups (:func:`_ellipse_sup`): :meth:`bounds` the rigorous list for each k,
    :meth:`log_scale` a float estimate of its weighted maximum, enough to choose rho and the
    node count (any choice is sound: the error added is the rigorous one)."""

    def __init__(self, g_max, c_max, g2_max, t, b, q, M):
        self.g_max, self.c_max, self.g2_max, self.t, self.b, self.q, self.M = g_max, c_max, g2_max, t, b, q, M

    def bounds(self):
        M = self.M
        R = _root_table(M + 1)
        ps = _p_bounds(self.t, M, R)
        cs = _cauchy_bounds(M, R)
        norm = 1 / (2 * arb.pi() * self.q).sqrt()
        out = []
        for k in range(M + 1):
            p1 = (self.g_max * ps[k]).upper()
            p2 = (self.c_max * cs[k] * (self.b * R[k]).exp()).upper()
            out.append((arb(min(p1, p2, key=float)) * norm).upper())
        return out, self.g2_max * norm

    def log_scale(self, logw):
        """log max(max_k weight_k sup_k, sup of f^2) in floats."""
        M = self.M
        t, b = float(self.t), float(self.b)
        lp = np.empty(M + 1)
        p_prev, p, shift = 1.0, t, 0.0          # P_k(t)/sqrt(k!) = p e^shift
        lp[0] = 0.0
        if M >= 1:
            lp[1] = math.log(t) if t > 0 else -math.inf
        for k in range(1, M):
            p_prev, p = p, (t * p + math.sqrt(k) * p_prev) / math.sqrt(k + 1)
            if p > 1e200:
                p_prev, p, shift = p_prev / p, 1.0, shift + math.log(p)
            lp[k + 1] = shift + (math.log(p) if p > 0 else -math.inf)
        with np.errstate(divide="ignore"):
            lg, lc = np.log(float(self.g_max)), np.log(float(self.c_max))
            ks = np.arange(M + 1)
            lck = _log_cauchy(M) + b * np.sqrt(ks)
            lk = np.minimum(lg + lp, lc + lck) - 0.5 * math.log(2 * math.pi * float(self.q)) + logw[:M + 1]
            return max(float(np.max(lk)), float(np.log(float(self.g2_max))) - 0.5 * math.log(2 * math.pi * float(self.q)))


def _log_cauchy(M):
    """log c_k of :func:`_cauchy_bounds` in floats (for the choice of nodes only)."""
    if len(_LOG_CAUCHY) <= M:
        _LOG_CAUCHY[:] = [0.0] + [math.lgamma(k + 1) / 2 - k * math.log(k) / 2 + k / 2 for k in range(1, 2 * M + 2)]
    return np.array(_LOG_CAUCHY[:M + 1])


def coefficients(pw, growth, q, M, tol, weights, tick):
    """See :func:`_coefficients`; run with extra bits because ball arithmetic through the
    three-term recurrence of He_k(u) lets radii grow like P_k(|u|) ~ e^(|u| sqrt k), not like
    |He_k(u)|; against the weight e^(-u^2/2) that is at most e^(M/2) (at |u| = sqrt M)."""
    L = cutoff(growth[0] * 2, growth[1], math.sqrt(2 * float(q)), tol / 4) / math.sqrt(float(q))
    with ctx.workprec(ctx.prec + int(min(1.5 * L * math.sqrt(M), 0.75 * M)) + 10):
        return _coefficients(pw, growth, q, M, tol, weights, tick)


def _coefficients(pw, growth, q, M, tol, weights, tick):
    """([a_0 .. a_M], E[phi(x)^2]) for x ~ N(0, q) as arbs: ``pw`` the piecewise phi,
    ``growth`` (C, beta) with |phi(x)| <= C e^(beta |x|), ``weights[k]`` the factor a_k's error
    is multiplied by (|r|^k), ``tol`` the target for the weighted error."""
    Q = exact(q)
    qf = float(q)
    sq = Q.sqrt()
    C, beta = growth
    # |phi He_k N(0,q)| / sqrt(k!) <= 1.0865 sqrt(2) |phi| N(0, 2q) beyond L
    L = cutoff(C * 2, beta, math.sqrt(2 * qf), tol / 4)
    R = _root_table(M + 1)
    F = [arb(1)]                    # 1 / sqrt(k!)
    for k in range(1, M + 1):
        F.append(F[-1] / R[k])
    a = [arb(0)] * (M + 1)
    e2 = arb(0)
    with np.errstate(divide="ignore"):
        logw = np.log(np.array([float(w.upper()) for w in weights[:M + 1]]))
    h_max = math.sqrt(qf) * PIECE
    # without kinks, [-L, L] is folded onto [0, L]: int_{-L}^{L} g = int_0^L (g(z) + g(-z)), and
    # He_k(-u) = (-1)^k He_k(u), so a node z carries f(z) + f(-z) to the even k and f(z) - f(-z)
    # to the odd ones: one Hermite recurrence for two nodes (5 ball operations a step for both)
    mirror = not pw.kinks
    whole = formula.entire(pw.tree)
    span = breaks(0.0, L, []) if mirror else breaks(-L, L, pw.kinks)
    # every coefficient's error adds over the subintervals, and the series adds the coefficients
    count = sum(max(1, math.ceil((hi - lo) / h_max)) for lo, hi, _, _ in span)
    work = []                       # (a0, b0, f, share, depth): a piece the rule needs too many nodes on is halved
    for lo, hi, alo, ahi in span:
        f = pw.on(lo, hi)
        pieces = max(1, math.ceil((hi - lo) / h_max))
        for i in range(pieces):
            work.append((alo + (ahi - alo) * i / pieces, alo + (ahi - alo) * (i + 1) / pieces, f,
                         tol / (8 * count * (M + 1)), 0))
    while work:
        a0, b0, f, share, depth = work.pop()
        m, h = (a0 + b0) / 2, (b0 - a0) / 2
        best = None
        for rho in _RHOS:
            sup = _ellipse_sup(f, Q, m, h, rho, M, tick, mirror, whole)
            if sup is None:
                break
            log_scale = max(sup.log_scale(logw), math.log(1e-300))
            need = (log_scale + math.log(float(h) * 64 / 15 / float(rho * rho - 1)) - math.log(share)) \
                / (2 * math.log(float(rho)))
            # an overflowing sup (sin(100 x): e^(100 B) on the ellipse) needs more nodes than allowed
            n = max(4, math.ceil(need) + 1) if need < MAX_DEGREE else MAX_DEGREE + 1    # rho^(2-2n): one node more
            if best is None or n < best[0]:
                best = (n, rho, sup)
        if best is None or best[0] > MAX_DEGREE:
            if depth >= MAX_SPLITS + max(0, math.ceil(math.log2(qf) / 2)):
                return None
            work += [(a0, m, f, share / 2, depth + 1), (m, b0, f, share / 2, depth + 1)]
            continue
        n, rho, sup = best
        Mk, M2 = sup.bounds()
        factor = rule_error(h, rho, n)
        sums = [arb(0)] * (M + 1)
        s2 = arb(0)
        for x, w in _gauss_legendre(n):
            tick()
            z = m + h * x
            if mirror:
                fz, fm = f(acb(z), False).real, f(acb(-z), False).real
                wd = w * (-(z * z) / (2 * Q)).exp()
                s2 += wd * (fz * fz + fm * fm)
                even, odd = wd * (fz + fm), wd * (fz - fm)
                u = z / sq
                g_prev, g = arb(1), u           # He_k(u), unnormalized
                sums[0] += even
                if M >= 1:
                    sums[1] += odd * u
                for k in range(1, M):       # He_(k+1) = u He_k - k He_(k-1)
                    g_prev, g = g, u * g - k * g_prev
                    sums[k + 1] += g * (odd if k % 2 == 0 else even)
                continue
            fz = f(acb(z), False).real
            d = (-(z * z) / (2 * Q)).exp()
            wf = w * fz * d
            s2 += wf * fz
            u = z / sq
            g_prev, g = wf, wf * u           # wf He_k(u), unnormalized: 4 ball operations a step
            sums[0] += g_prev
            if M >= 1:
                sums[1] += g
            for k in range(1, M):       # He_(k+1) = u He_k - k He_(k-1)
                g_prev, g = g, u * g - k * g_prev
                sums[k + 1] += g
        norm = h / (2 * arb.pi() * Q).sqrt()
        for k in range(M + 1):
            err = (factor * Mk[k]).upper()
            a[k] += sums[k] * norm * F[k] + arb(0, err)
        e2 += s2 * norm + arb(0, (factor * M2).upper())
    tk = CRAMER * arb(2).sqrt() * tail(C, beta, (2 * Q).sqrt(), arb(L))
    t2 = tail(C * C, 2 * beta, sq, arb(L))
    return [v + arb(0, tk.upper()) for v in a], e2 + arb(0, t2.upper())


def parseval(X, E, weight=None):
    """[T_0, T_1, ..] upper bounds (arbs, exact) of T_j = E - sum_{k<=j} w_k X_k^2 >= 0, with
    w_k = 1 (``weight`` None: E = E[phi(x)^2], Parseval) or w_k = k (E = q E[phi'(x)^2], Parseval
    for phi', see the module docstring); T_j >= 0 as a sum of squares, so negative parts are cut."""
    out, acc = [], arb(0)
    for k, v in enumerate(X):
        acc += v * v if weight is None else k * v * v
        out.append(arb(max((E - acc).upper(), arb(0))))
    return out


class Tails:
    """Rigorous bounds on what the series leave out after N terms (module docstring, "Tails"):
    built once from the coefficients A (q1), B (q2), E[phi^2] and, where phi' is available,
    D = q E[phi'(x)^2]; :meth:`at` gives the four bounds at any N <= len(A) - 3."""

    def __init__(self, A, B, EA, EB, r, q1, q2, DA=None, DB=None):
        self.TA, self.TB = parseval(A, EA), parseval(B, EB)
        self.sTA = [t.sqrt().upper() for t in self.TA]
        self.sTB = [t.sqrt().upper() for t in self.TB]
        self.SA = None if DA is None else parseval(A, DA, True)
        self.SB = None if DB is None else parseval(B, DB, True)
        self.ar, self.q1, self.q2 = abs(r), q1, q2
        self.sq = (q1 * q2).sqrt()

    def at(self, N, derivatives=True):
        """(K, dK/dc, dK/dq1, dK/dq2) tail bounds (arb upper bounds; inf where no bound holds)."""
        ar, TA, TB, sTA, sTB, SA, SB = self.ar, self.TA, self.TB, self.sTA, self.sTB, self.SA, self.SB
        p = ar ** (N + 1)
        tK = (p * sTA[N] * sTB[N]).upper()
        if not derivatives:
            return tK, None, None, None
        # the weights j |r|^(j-1), (k+2) |r|^k decrease from the first tail index on
        falling = ((N + 3) * ar - (N + 2)).upper() <= 0
        inf = arb("inf")

        def least(*bounds):
            vals = [b.upper() for b in bounds if b is not None]
            return min(vals, key=float) if vals else inf
        tc = least((N + 2) * p * sTA[N + 1] * sTB[N + 1] if falling else None,
                   p * (SA[N + 1] * SB[N + 1]).sqrt() if SA is not None else None) / self.sq
        t1 = least((N + 3) * p * sTA[N + 2] * sTB[N] if falling else None,
                   p * (SA[N + 2] * (SB[N] + TB[N])).sqrt() if SA is not None else None) / (2 * self.q1)
        t2 = least((N + 3) * p * sTA[N] * sTB[N + 2] if falling else None,
                   p * ((SA[N] + TA[N]) * SB[N + 2]).sqrt() if SA is not None else None) / (2 * self.q2)
        return tK, tc.upper(), t1.upper(), t2.upper()

    def smallest(self, target, derivatives=True):
        """The least N whose four tails are all <= target (float decisions: any N is sound,
        only its tightness is at stake), or None."""
        for N in range(len(self.TA) - 2):
            if all(t is None or float(t) <= target for t in self.at(N, derivatives)):
                return N
        return None

    def need(self, target, derivatives=True):
        """A guess at the N the target needs, from the tails' decay over the coefficients at
        hand: log tail = A - b N^p + (N + 1) log |r|, p in [1/2, 1] (an analytic phi's coefficients
        decay like e^(-c sqrt k) with poles at a finite distance, geometrically for erf or gelu),
        fitted through the tails at a quarter, half and all of the coefficients (b = 0 where they
        do not decay yet); None where nothing decays."""
        lr = math.log(max(float(self.ar), 1e-300))

        def worst(N):
            vals = [float(t) for t in self.at(N, derivatives) if t is not None]
            if not all(math.isfinite(v) for v in vals):
                return math.inf
            return math.log(max(max(vals), 1e-300)) - (N + 1) * lr
        n2 = len(self.TA) - 3
        n1, n0 = n2 // 2, n2 // 4
        g0, g1, g2 = worst(n0), worst(n1), worst(n2)
        if not (math.isfinite(g1) and math.isfinite(g2)):
            return None
        p = 0.5
        if math.isfinite(g0) and g1 < g0 and g2 < g1 and n0 >= 4:
            # (g1 - g2) / (g0 - g1) = (n2^p - n1^p) / (n1^p - n0^p) = 2^p for n2 = 2 n1 = 4 n0
            p = min(1.0, max(0.5, math.log2((g1 - g2) / (g0 - g1)) / math.log2(n2 / n1)))
        # coefficients that do not decay yet (sin(100 x): its energy sits at k ~ 10^4) leave |r|^N alone
        slope = min(0.0, (g2 - g1) / (n2 ** p - n1 ** p))
        if slope == 0 and lr == 0:
            return None
        N = n2
        while g2 + slope * (N ** p - n2 ** p) + (N + 1) * lr > math.log(target):
            N += max(1, N // 64)
            if N > 10 ** 6:
                return None
        return N


def series(A, B, EA, EB, r, q1, q2, N, derivatives, DA=None, DB=None, tails=None):
    """K, dK/dc, dK/dq1, dK/dq2 (or None) from coefficients A (q1), B (q2) up to N + 2, the
    tails bounded by :class:`Tails` (D = q E[phi'^2] where known)."""
    tails = tails or Tails(A, B, EA, EB, r, q1, q2, DA, DB)
    tK, tc, t1, t2 = tails.at(N, derivatives)
    rk = [arb(1)]
    for _ in range(N + 2):
        rk.append(rk[-1] * r)
    K = sum((A[k] * B[k] * rk[k] for k in range(N + 1)), arb(0)) + arb(0, tK)
    if not derivatives:
        return K, None, None, None
    sq = (q1 * q2).sqrt()
    Kc = sum((j * A[j] * B[j] * rk[j - 1] for j in range(1, N + 2)), arb(0)) / sq + arb(0, tc)
    d1 = sum(((arb((k + 1) * (k + 2))).sqrt() * A[k + 2] * B[k] * rk[k] for k in range(N + 1)), arb(0)) / (2 * q1)
    d2 = sum(((arb((k + 1) * (k + 2))).sqrt() * A[k] * B[k + 2] * rk[k] for k in range(N + 1)), arb(0)) / (2 * q2)
    return K, Kc, d1 + arb(0, t1), d2 + arb(0, t2)


def terms(r, tol):
    """N with (N + 3) |r|^(N+1) <= tol and (N + 2) ln(1/|r|) >= 1 (the tail weights decrease)."""
    lr = -math.log(abs(r))
    N = max(2, math.ceil(1 / lr))
    while (N + 3) * math.exp(-lr * (N + 1)) > tol:
        N += 1
    return N
