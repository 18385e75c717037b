"""A spread-cluster fixed point of RC + phi's symmetric family at one n (3..64) proved to EXIST by Krawczyk's test
in (q, p) (docs/spread.md, Certified): GELU, erf and sin, whose dual kernels are closed forms; SiLU, softplus and ELU
(MEHLER) by Mehler's series over variance balls (below).

The family and its map are spreadfam's (its module docstring): S = w C G C with cluster variance q and odd variance p,
h(q, p) = (q' - q, p' - p) (spreadfam.h12 with this module's kernels).  A box X = [q_lo, q_hi] x [p_lo, p_hi] with
0 < q_lo, 0 < p_lo, p_hi < (n-1)^2 q_lo and p_hi < q_lo or p_lo > q_hi lies strictly inside the wedge 0 < p <
(n-1)^2 q (cluster correlation rho in (-1/(n-2), 1): S positive semi-definite, rank n - 1) and off the simplex line
p = q (rho = -1/(n-1)) and the two-point line p = (n-1)^2 q (rho = 1), so a zero in X is a spread-cluster fixed point
of T(S) = w C K(S) C, hence G* = K(S*) one of F(G) = K(w C G C).  Krawczyk: with m X's midpoint and Y any 2 x 2
matrix, K = m - Y h(m) + (I - Y J(X))(X - m) inside X's interior (J(X): h's partials over X in balls, jacobian)
gives exactly one zero of h in X (and Y, every J in J(X), invertible).  h is analytic on X: the kernels
are analytic on a neighbourhood of the PSD pairs (GELU: (1+q1)(1+q2) - c^2 > 0 and |c| < sqrt((1+q1)(1+q2)) there;
erf, sin: spreadfam).

The spectral radius of DF at that point, every block: S* has twopoint.all_blocks' entry types and symmetry (S_(n-1)
on the cluster: cluster diagonal q, cluster pairs rho q, cross x = -p/(n-1), odd diagonal p), and DF(G*)[E] = w
DK(S*)[C E C] reads only K's seven partials there (kernel_partials; over the box's balls they hold those at the zero;
DK is the closed form's, the PSD cone having interior: spreadfam.moduli), so all_blocks on them gives DF(G*)'s
trivial, standard and pair blocks and radius each one's eigenvalues (the translations' zeros split off exactly).  The
spectral radius is at most the largest upper end and at least the largest lower end, both from these enclosures (the
trivial block holds the family Jacobian I + J's pair: S is linear in (q, p) and the family invariant, and DF(G*) = DK
(S*) L, DT(S*) = L DK(S*), L(G) = w C G C, share every non-zero eigenvalue).

GELU's kernel (x Phi(x); Gaussian integration by parts, twin: bnverify/core/activations.py _gelu_K):
K(q1, q2, c) = (c + (2/pi)(c asin(c/sqrt(s)) + (q1 q2 + c^2 - c^2 (q1/(1+q1) + q2/(1+q2)))/sqrt(s - c^2)))/4 with
s = (1+q1)(1+q2) (spreadfam.gelu, whose spread-none covers bound q by gelu's distance to relu: spreadfam.gelu_bound).

SiLU, softplus, ELU (no closed kernel): K(q1, q2, c) = sum_k a_k(q1) a_k(q2) r^k, r = c/sqrt(q1 q2), with each
Hermite coefficient a_k, k <= terms + 2, and E2 = E[phi^2] a one-dimensional integral valid for every variance of a
ball (mehler.coefficients: the box's q and p sides, or the midpoint's), the tails by Cauchy-Schwarz with Bessel's T_N
(mehler.pair, which also gives Price's dK/dc and dK/dq1, dK/dq2, their tails' weights falling for |r| <= (N+2)/(N+3),
else Rejected).  The family's points have rho = (p/(n-1) - q)/((n-2) q) and r = -sqrt(p/q)/(n-1) inside (-1, 1)
(the wedge), where K is smooth (a non-degenerate Gaussian pair; phi of Gaussian growth), so these are h's and DK's
partials; a = E2(q), d = E2(p), d_cluster = dE2/dq = E[Z phi phi'(sqrt q Z)]/sqrt q (Stein).  h is affine-linear in
(q, p, a, b, c, d) (spreadfam.family_h), so J(X) is family_h at the partials (jacobian), for every activation."""
from __future__ import annotations

from flint import arb, arb_series, ctx

from . import mehler, twopoint
from .base import Q, Rejected, ball
from .spreadfam import KERNELS, _span, family_h, gelu, h12
from .twopoint import _lower, _upper, all_blocks, radius


BOX = {"gelu": (gelu,), "erf": KERNELS["erf"], "sin": KERNELS["sin"]}


def family(name, n, w, q, p):
    """h(q, p) = (q' - q, p' - p) with BOX's kernels."""
    return h12(name, n, w, q, p, BOX)


def kernel_partials(name, n, q, p, alpha=0, terms=0):
    """twopoint.all_blocks' seven partials of K at the family's state with balls q, p (cluster pairs at rho q = (p/(n-1)
    - q)/(n-2), cross x = -p/(n-1)): d_cluster = d/dq K(q, q, q) (all three move), d_odd the same at p; c_cc, q_cc =
    dK/dc, dK/dq1 at (q, q, rho q); c_co, q_co_cluster, q_co_odd = dK/dc, dK/dq1, dK/dq2 at (q, p, x).  MEHLER's:
    the series (_mehler)."""
    if name in MEHLER:
        return _mehler(name, alpha, terms, n, q, p)[1]
    K, t = BOX[name][0], lambda v: arb_series([v, 1], prec=2)
    d = lambda v: v.coeffs()[1]            # noqa: E731
    c, x = (p / (n - 1) - q) / (n - 2), -p / (n - 1)
    return {"d_cluster": d(K(t(q), t(q), t(q))), "d_odd": d(K(t(p), t(p), t(p))), "c_cc": d(K(q, q, t(c))),
            "q_cc": d(K(t(q), q, c)), "c_co": d(K(q, p, t(x))), "q_co_cluster": d(K(t(q), p, x)),
            "q_co_odd": d(K(q, t(p), x))}


def jacobian(n, w, k):
    """J[i][j] = dh_i/dx_j, (x_0, x_1) = (q, p), from the seven partials ``k`` by the chain rule (family_h is linear):
    a = K(q, q, q) moves by d_cluster dq; b = K(q, q, (p/(n-1) - q)/(n-2)) by (2 q_cc - c_cc/(n-2)) dq + c_cc dp/((n-1)
    (n-2)) (dK/dq1 = dK/dq2 at equal variances); c = K(q, p, -p/(n-1)) by q_co_cluster dq + (q_co_odd - c_co/(n-1)) dp;
    d = K(p, p, p) by d_odd dp."""
    dq = family_h(n, w, arb(1), arb(0), k["d_cluster"], 2 * k["q_cc"] - k["c_cc"] / (n - 2), k["q_co_cluster"], arb(0))
    dp = family_h(n, w, arb(0), arb(1), arb(0), k["c_cc"] / ((n - 1) * (n - 2)), k["q_co_odd"] - k["c_co"] / (n - 1),
                  k["d_odd"])
    return [[dq[0], dp[0]], [dq[1], dp[1]]]


# SiLU, softplus, ELU: no closed kernel; Mehler's series over variance balls (_mehler)
# (variances up to MEHLER_TOP: softplus's integrals slow down with sqrt q, 14 s for 63 coefficients at q = 80, 95 s
# at 10^4; items.work prices them by it)
MEHLER, MEHLER_TOP, TOL, _DATA = ("silu", "softplus", "elu"), 1000, 2.0 ** -60, {}


def _data(name, alpha, qb, terms):
    """(a_0 .. a_(terms+2), Bessel's T, qb), E2 = E[phi(c Z)^2] and dE2/dq = E[Z phi phi'(c Z)]/c (Stein), c = sqrt q,
    valid for every q of the ball qb > 0 (mehler.coefficients, twopoint.expectation; cached per ball)."""
    key = (name, alpha, qb.mid().man_exp(), qb.rad().man_exp(), terms, ctx.prec)
    if key not in _DATA:
        row, a = twopoint.row(name), twopoint._alpha(name, alpha)
        g0, g1 = twopoint._grow(row, "phi", a)
        coef, e2 = mehler.coefficients(lambda t, side, an: row[0][side][0](t, a, an),
                                       arb.max(g0, g1 * qb.sqrt().upper()), qb, terms + 3, TOL)
        c = qb.sqrt()
        de2 = twopoint.expectation(name, alpha, [("phi", c), ("dphi", c)], TOL, 1) / c
        if len(_DATA) > 256:
            _DATA.clear()
        _DATA[key] = ((coef, mehler.bessel(coef, e2), qb), e2, de2)
    return _DATA[key]


def _mehler(name, alpha, terms, n, q, p):
    """((a, b, c, d), the seven partials) at balls q, p > 0 of the wedge by Mehler's series (mehler.pair) at the cluster
    correlation rho = (p/(n-1) - q)/((n-2) q) and the cross one r = -sqrt(p/q)/(n-1): a = E2(q), d = E2(p)."""
    (A, ea, da), (P, ed, dd) = _data(name, alpha, q, terms), _data(name, alpha, p, terms)
    b, cb, qb, _ = mehler.pair(A, A, (p / (n - 1) - q) / ((n - 2) * q))
    c, cc, q1, q2 = mehler.pair(A, P, -(p / q).sqrt() / (n - 1))
    return (ea, b, c, ed), {"d_cluster": da, "d_odd": dd, "c_cc": cb, "q_cc": qb, "c_co": cc, "q_co_cluster": q1,
                            "q_co_odd": q2}


def state(name, alpha, terms, n, w, q, p, jac=True):
    """(h(q, p), J, or None without ``jac``) at balls q, p: BOX's closed kernels, or MEHLER's series."""
    if name in MEHLER:
        vals, k = _mehler(name, alpha, terms, n, q, p)
        return family_h(n, w, q, p, *vals), jacobian(n, w, k) if jac else None
    return family(name, n, w, q, p), jacobian(n, w, kernel_partials(name, n, q, p)) if jac else None


def check_spread_box(item):
    """The fact of a spread-box item {activation (gelu, erf, sin; silu, softplus, elu with terms), alpha (0; elu's >
    0), weight_var, n, prec, q_lo, q_hi, p_lo, p_hi, Y[, terms]}: the symmetric family of RC + phi at n has exactly one
    fixed point in the box, a spread-cluster one, and the spectral radius of DF there is in the fact's [radius_lo,
    radius_hi] (every block: the module docstring)."""
    name, n, w, prec, Y = item["activation"], item["n"], Q(item["weight_var"]), item["prec"], item["Y"]
    lo, hi = [Q(item["q_lo"]), Q(item["p_lo"])], [Q(item["q_hi"]), Q(item["p_hi"])]
    alpha, terms = Q(item["alpha"]), item.get("terms", 0)
    if name not in BOX and name not in MEHLER or name != "elu" and alpha != 0 or name == "elu" and not alpha > 0 or \
            name in MEHLER and (type(terms) is not int or not 1 <= terms <= mehler.MAX_TERMS - 3 or
                                not max(hi) <= MEHLER_TOP) or \
            type(n) is not int or not 3 <= n <= 64 or not 0 < w <= 100 or \
            type(prec) is not int or not 64 <= prec <= 512 or not (0 < lo[0] < hi[0] and 0 < lo[1] < hi[1]) or \
            not (hi[1] < lo[0] or lo[1] > hi[0]) or not hi[1] < (n - 1) ** 2 * lo[0] or \
            len(Y) != 2 or any(not isinstance(r, list) or len(r) != 2 for r in Y):
        raise Rejected("a spread-box item: gelu, erf or sin, or silu, softplus or elu with terms in 1..%d and q_hi, "
                       "p_hi <= %d (elu: alpha > 0, else 0), 3 <= n <= 64, 0 < weight_var <= 100, prec in 64..512, "
                       "a box 0 < q_lo < q_hi, 0 < p_lo < p_hi < (n-1)^2 q_lo off the simplex line p = q (p_hi < q_lo "
                       "or p_lo > q_hi), Y 2 x 2"
                       % (mehler.MAX_TERMS - 3, MEHLER_TOP))
    with ctx.workprec(prec):
        wb, m = ball(w), [ball((a + b) / 2) for a, b in zip(lo, hi)]
        X, Yb = [_span(a, b) for a, b in zip(lo, hi)], [[ball(Q(v)) for v in r] for r in Y]
        hm = state(name, alpha, terms, n, wb, m[0], m[1], jac=False)[0]
        J = state(name, alpha, terms, n, wb, X[0], X[1])[1]          # J[i][j] = dh_i/dx_j over X
        for i in range(2):
            k = m[i] - Yb[i][0] * hm[0] - Yb[i][1] * hm[1] + sum(
                (int(i == j) - Yb[i][0] * J[0][j] - Yb[i][1] * J[1][j]) * (X[j] - m[j]) for j in range(2))
            if not (k > ball(lo[i]) and k < ball(hi[i])):
                raise Rejected("spread-box: the Krawczyk operator is not inside the box (coordinate %d)" % i)
        ends = [radius(M) for M in all_blocks(None, None, n, w, None, partials=kernel_partials(
            name, n, *X, alpha, terms)).values()]
        radius_lo, radius_hi = max(_lower(e[0]) for e in ends), max(_upper(e[1]) for e in ends)
    return {"fact": "spread-box", "activation": name, "alpha": alpha, "weight_var": w, "n": n, "q": lo[:1] + hi[:1],
            "p": lo[1:] + hi[1:], "radius_lo": radius_lo, "radius_hi": radius_hi}
