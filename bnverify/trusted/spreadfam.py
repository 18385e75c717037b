"""No spread-cluster fixed point in the symmetric family of RC + erf, sin, tanh, sigmoid, gelu or silu at one n (erf,
sin, gelu: closed dual kernels, erf's arcsine, sin's e^(-(q1+q2)/2) sinh c, gelu's by parts; tanh, sigmoid, silu:
Mehler's series, below), by a quadtree cover of the (q, p) square (docs/spread.md, Certified).

In S = sigma_w^2 C G C: cluster variance q, odd variance p = (n-1) q s, s = 1 + (n-2) rho, cross covariance
x = -p/(n-1); a = K(q, q, q), b = K(q, q, rho q), c = K(q, p, x), d = K(p, p, p).  A fixed point off rho = 1 with
q > 0 solves G1 = w (a - b)/(1 - rho) - q = 0 (q'(1 - rho') = w (a - b)) and G2 = q' - q = 0, q' = w (a - 2 r1/n +
t/n^2), r1 = a + (n-2) b + c, t = (n-1) (r1 + c) + d; on rho = 1, (a - b)/(1 - rho) is q dK/dc at some c in
[rho q, q] (mean value; the limit at rho = 1).  |phi - phi(0)| <= B (1; sigmoid 1/2) gives q, p <= 4 B^2 w at a
fixed point (|phi_i - mean| <= 2B): the square's side top >= 4 B^2 w (side()).
A leaf of the cover (preorder string, "4" splits a cell into (q lo, p lo), (q lo, p hi), (q hi, p lo), (q hi, p hi)):
"O" p > (n-1)^2 q on the cell (no state); "S" w E[phi'(sqrt q Z)]^2 > 1 (then G1 >= w a_1^2 - q > 0: Mehler's terms
are a_k^2 (1 + rho + .. + rho^(k-1)) >= 0); "1" / "2" G1 / G2 of one sign in balls; "g" (Mehler's activations) G1
of one sign in balls, the direct test alone (it reads the coefficients of the cell's q side only, and is priced so); "D" G1 - G2 of one sign by the
mean value form where rho < 1 on the cell (G1 = G2 = 0 at a fixed point; near a simplex fixed point whose transverse
multiplier is near 1 the curves G1 = 0 and G2 = 0 nearly touch, and their difference, 0 along the whole simplex line,
has a small gradient); "X" G2 changes sign along the diagonal p = q (the simplex line, where G1 = G2: a simplex
fixed point) and the interval Jacobian of (G1, G2) has a determinant without 0, so (mean value theorem per row) the cell holds no other zero; "U" (unstable) the family map
(q, p) -> (q', p') has det(J - I) < 0 on the cell, so at any fixed point there J has a real eigenvalue > 1 (its
characteristic polynomial is negative at 1), an eigenvalue of DT(S) too (S is linear in (q, p) and the family is
invariant): a cover with a "U" leaf shows no *stable* spread-cluster fixed point (n = 3's {v, -v, 0} for odd phi).
n = 3's point itself (check_spread_point) for erf and sin from these kernels, for tanh and sigmoid (ODD) from
one-dimensional Gaussian integrals (odd_edge).

gelu (closed kernel, unbounded: no 4w).  X ~ N(0, S) with 1^T S 1 = 0, so sum_i X_i = 0 a.s.; T(S)_ii = w E[(phi_i -
phibar)^2] (phi_i = phi(X_i), phibar their mean), || || the L2 norm, sigma = sqrt w; at a fixed point T_11 = q, T_nn = p.
Large scale: phi = relu + psi, psi(t) = -|t| Phi(-|t|) in [-omega, 0], omega = max_t t Phi(-t) <= OMEGA (gelu_bound
checks it), so |psi_i - psibar| <= omega pointwise and (Minkowski) |sqrt T_phi(S)_ii - sqrt T_relu(S)_ii| <= sigma
omega.  relu's T is homogeneous: T_relu(S)_11 = q Q1(rho), T_relu(S)_nn = q Qn(rho) (family_h at q = 1, p = P0 =
(n-1)(1 + (n-2) rho), relu's kernel sqrt(q1 q2) kappa(c/sqrt(q1 q2))), and p = q P0.  So at a fixed point with q > 0
sqrt q |1 - sqrt Q1| <= sigma omega and sqrt q |sqrt P0 - sqrt Qn| <= sigma omega: if m(rho) = max of the two
|.|'s >= delta_i on piece i of the item's partition of the family's whole rho range [-1/(n-2), 1] (m_piece in balls:
Q1 <= (1 - delta)^2 or >= (1 + delta)^2, or Qn <= (sqrt P0 - delta)^2 with sqrt P0 > delta, or Qn >= (sqrt P0 +
delta)^2), then a fixed point with rho in piece i has q <= w omega^2/delta_i^2 = b_i, and p <= (n-1)^2 q <= (n-1)^2
max b_i <= top (checked); "B" leaves: q0 > b_i for every piece meeting the cell's rho range [rho(q1, p0), rho(q0,
p1)] (rho rises with p, falls with q; found by bisection, and where more than 64 pieces meet it the largest b_i
of all).  Small scale: phi(t) = t/2 + e(t), e(t) = t (Phi(t) - 1/2), |e(t)| <= t^2/sqrt(2 pi) (Phi' <= 1/sqrt(2 pi)); phi_i - phibar = X_i/2 + e_i -
ebar (sum X = 0) and ||e_j|| <= sqrt(E X_j^4)/sqrt(2 pi) = sqrt(3) q_j/sqrt(2 pi), so with M = max(q, p) = E X_i^2 for
some i, sqrt M = sigma ||phi_i - phibar|| gives |1 - sigma/2| sqrt M <= 2 sigma sqrt(3) M/sqrt(2 pi): M = 0 (the
collapsed S = 0, q = 0: no spread-cluster point) or M >= pi (1 - sigma/2)^2/(6 w); "Z" leaves: max(q1, p1) below
that.  "S" is never shown (E[phi'(sqrt q Z)] = 1/2: w/4 < 1 below the parity lemma); n = 3 has no invariant edge
(gelu is not odd): no spread-point.  G1 up to rho = 1 by dK/dc as for erf (a series division by a ball around 0 in
gelu's sqrt(s - c^2): not shown).

silu (gelu's two lemmas, ODD's series below).  Large scale: psi = silu - relu = -|t|/(1 + e^|t|) in [-omega, 0], omega =
max_t t/(1 + e^t) ~ 0.27846 <= OMEGA_SILU = 7/25 (REGION's check: t/(1 + e^t) <= (t_k + h)/(1 + e^t_k) on [t_k, t_k +
h], h = 1/256, k h < 8; beyond 8 t/(1 + e^t) <= t e^-t <= 8 e^-8), the rest as gelu's.  Small scale: silu(t) = t/2 +
e(t), e(t) = t (s(t) - 1/2) = (t/2) tanh(t/2) (s the logistic), |e(t)| <= t^2/4 (|tanh x| <= |x|); with |e| <= C t^2
gelu's steps give M = 0 or M >= (1 - sigma/2)^2/(12 C^2 w) (gelu C^2 = 1/(2 pi), silu 1/16).  Cells: Mehler's series
below with psi = silu (phi(0) = 0: no constant to remove) and every k: silu(x) - silu(-x) = x, so its odd part is x/2
(a_1 = sqrt q/2, a_k = 0 for odd k >= 3) and its even part (x/2) tanh(x/2) gives the even k's integrals; each step
below holds for every k (Bessel, Mehler for |r| <= 1, h_0 = 0 and h_k in [0, min(k, 1/(1 - |rho|))], M = sum k a_k^2,
the partials).  Where p's ball holds 0: |c| <= |a_0(q) a_0(p)| + |r| sqrt(E2(q) E2(p)), 0 <= a_0(p) = E[e(sqrt p Z)] <=
p/4, E2(p) <= D^2 p.  Tails by |silu(x)| <= D |x|, D = 11/10 >= sup |silu'| ~ 1.09984.  No "S" (E[silu'(sqrt q Z)] =
1/2, silu' - 1/2 odd), no "U", no spread-point (not odd).

elu (alpha = 1 only: the item's alpha; gelu's two lemmas with elu's constants, ODD's series with every k).  Large scale:
psi = elu - relu = e^t - 1 on t < 0, 0 on t >= 0, in (-1, 0], omega = 1 <= OMEGA_ELU = 1 (REGION's check), the rest as
gelu's.  Small scale: elu's slope at 0 is 1, not 1/2: elu(t) = t + e(t), e = 0 on t >= 0 and e^t - 1 - t = e^xi t^2/2 in
[0, t^2/2] on t < 0 (xi in [t, 0]); with phi = lam t + e, |e| <= C t^2 gelu's steps read |1 - lam sigma| sqrt M <= 2
sqrt(3) sigma C M, so M = 0 or M >= (1 - lam sigma)^2/(12 C^2 w) (REGION's lam: 1/2, elu's 1; elu C = 1/2:
(1 - sigma)^2/(3 w), nothing at w = 1, where the collapse lemma decides).  For alpha != 1, elu'(0-) = alpha != 1 makes
e linear near 0 (|e| ~ |1 - alpha| |t|): no such lemma, no cover.  Cells: psi = elu (phi(0) = 0), every k (elu(x) -
elu(-x) = x + 1 - e^-x on x >= 0, not linear); _even's integrands on [0, L] take the x >= 0 forms (x +- (e^-x - 1))/2,
entire, so the kink at 0 is only the path's end; elu is C^1, |elu'| <= 1 = D, so Stein's and Parseval's steps hold;
on the edge a_0(p) = E[e(sqrt p Z)] in [0, E[X^2; X < 0]/2] = [0, p/4].  N = 7.  G1's tail beyond N (every MEH
activation): h_k(rho) = (1 - rho^k)/(1 - rho) and |rho^k| <= |rho|^(N+1) for k > N, so sum_(k>N) a_k^2 h_k is in T (1 +-
|rho|^(N+1))/(1 - rho), T = E2 - sum_(k<=N) a_k^2 (Parseval; a ball), where |rho| < 1: G1's ball is intersected with
that (elu's a_k^2 fall like k^(-7/2) only: [0, T_N/(1 - |rho|)] left G1 some 1e-3 wide beside n = 3's simplex point).

tanh and sigmoid (ODD; no "U" leaves).  psi = phi - phi(0) is odd (sigmoid - 1/2 = tanh(x/2)/2) and w C K_phi C =
w C K_psi C exactly (odd_edge), so G1, G2 are psi's.  With a_k(q) = E[psi(sqrt q Z) He_k(Z)]/sqrt(k!) (0 for even k)
and r the correlation, Mehler: K(q1, q2, r) = sum_k a_k(q1) a_k(q2) r^k, and with T_N(q) = E2(q) - sum_(k<=N) a_k^2 >=
0 (Bessel; E2 = E[psi^2]), |sum_(k>N)| <= |r|^(N+1) sqrt(T_N(q1) T_N(q2)) for |r| <= 1 (Cauchy-Schwarz).  Each
a_k, E2, E2' = E[Z psi psi'(sqrt q Z)]/sqrt q (Stein) and M = q E[psi'(sqrt q Z)^2] = sum_k k a_k^2 (Parseval: the
Hermite coefficients of sqrt q psi'(sqrt q Z) are sqrt(k) a_k) is a one-dimensional integral over a ball of q's,
valid for every q in it (_coef); the arguments are balls of the cell, the cell's r and rho clipped to [-1, 1]
(a family point's; the leaf speaks of those only).  a = E2(q), d = E2(p); G1 = w sum_k a_k^2 h_k(rho) - q, h_k =
1 + rho + .. + rho^(k-1) = (1 - rho^k)/(1 - rho) in [0, min(k, 1/(1 - |rho|))] for |rho| <= 1, so the tail beyond N
is in [0, min(M - sum_(k<=N) k a_k^2, T_N/(1 - |rho|))]: no division by 1 - rho up to the two-point line; b = a -
(1 - rho) (that sum) met with b's own series.  Where p's ball holds 0: |c| <= |r| sqrt(E2(q) E2(p)) (odd k only,
|r| = sqrt(p/q)/(n-1) <= 1), E2(p) <= D^2 p (D = sup |psi'|), d in [0, D^2 p].  The "S" leaf at the cell's q1
alone: phi' is even and falls in |x|, so
E[phi'(sqrt q Z)] falls with q.  Partials (arb_series, first order; "X" and the mean value form about the cell's
corner, whose variances' coefficients serve every cell sharing it) at |r| <= (N+1)/(N+2) only: dK/dr = sum k a_k a_k
r^(k-1), tail <= (N+2) |r|^(N+1) sqrt(T_(N+1) T_(N+1)); dK/dq1 at fixed r = sum a_k'(q1) a_k(q2) r^k with a_k' =
(sqrt((k+1)(k+2)) a_(k+2) + k a_k)/(2q) (d/dq E[psi(sqrt q Z) He_k] = E[psi'(sqrt q Z) Z He_k]/(2 sqrt q), Z He_k =
He_(k+1) + k He_(k-1) and E[psi'(cZ) He_j] = E[psi(cZ) He_(j+1)]/c), tail <= |r|^(N+1) ((N+3) sqrt(T_(N+2)(q1)
T_N(q2)) + (N+1) sqrt(T_N(q1) T_N(q2)))/(2 q1) ((k+2) |r|^k, k |r|^k, j |r|^(j-1) fall beyond N at |r| <= (N+1)/(N+2))."""
from __future__ import annotations

import bisect
import math

from flint import acb, arb, arb_series, ctx

from .base import Q, Rejected, ball, exact
from .mehler import bessel
from .model import kappa, kernel_constants
from .twopoint import expectation, row

MAX_LEAVES, MAX_DEPTH = 200_000, 48


def _sinh(c):
    return (c.exp() - (-c).exp()) / 2


def gelu(q1, q2, c):
    """E[gelu(x) gelu(y)] for (x, y) centred Gaussian with variances q1, q2 and covariance c (arbs or arb_series)."""
    s = (1 + q1) * (1 + q2)
    return (c + 2 / arb.pi() * (c * (c / s.sqrt()).asin() +
                                (q1 * q2 + c * c - c * c * (q1 / (1 + q1) + q2 / (1 + q2))) / (s - c * c).sqrt())) / 4


KERNELS = {"erf": (lambda q1, q2, c: 2 / arb.pi() * (2 * c / ((1 + 2 * q1).sqrt() * (1 + 2 * q2).sqrt())).asin(),
                   lambda q: 4 / (arb.pi() * (1 + 2 * q))),
           "sin": (lambda q1, q2, c: (-(q1 + q2) / 2).exp() * _sinh(c), lambda q: (-q).exp()),
           "gelu": (gelu, lambda q: arb(1) / 4)}        # E[gelu'(sqrt q Z)] = 1/2 at every q


def g12(name, n, w, q, p):
    """(G1, G2) at arbs or arb_series q, p (the cell's balls)."""
    if name in MEH:
        return _g12_odd(name, n, w, q, p)
    K = KERNELS[name][0]
    rho = (p / ((n - 1) * q) - 1) / (n - 2)
    a, b, c, d = K(q, q, q), K(q, q, rho * q), K(q, p, -p / (n - 1)), K(p, p, p)
    if isinstance(rho, arb) and not rho < ball(Q("15/16")):      # near rho = 1: q dK/dc over [rho q, q]
        top = arb.union(rho, arb(1)) * q
        try:
            slope = K(q, q, arb_series([top, 1], prec=2)).coeffs()[1]
        except ValueError:      # gelu's series division by a ball around 0: not shown
            slope = arb("nan")
        g1 = w * q * slope - q
    else:
        g1 = w * (a - b) / (1 - rho) - q
    return g1, _g2(n, w, q, a, b, c, d)


def _g2(n, w, q, a, b, c, d):
    """G2 = q' - q from the four kernel values a = K(q, q, q), b (cluster pairs), c (cluster-odd), d (odd)."""
    r1 = a + (n - 2) * b + c
    return w * (a - 2 * r1 / n + ((n - 1) * (r1 + c) + d) / (n * n)) - q


def h12(name, n, w, q, p, kernels=KERNELS):
    """(q' - q, p' - p): the family map minus the identity (p' = the odd diagonal of w C K C)."""
    K = kernels[name][0]
    return family_h(n, w, q, p, K(q, q, q), K(q, q, (p / (n - 1) - q) / (n - 2)), K(q, p, -p / (n - 1)), K(p, p, p))


def family_h(n, w, q, p, a, b, c, d):
    """h12 from the four kernel values a = K(q, q, q), b (cluster pairs), c (cluster-odd), d (odd): linear in (q, p, a,
    b, c, d) together, so at their partials it gives h's."""
    t = (n - 1) * (a + (n - 2) * b + 2 * c) + d
    return w * (a - 2 * (a + (n - 2) * b + c) / n + t / (n * n)) - q, w * (d - 2 * ((n - 1) * c + d) / n + t / (n * n)) - p


def _partials(f, name, n, wb, qb, pb):
    """[[df_i/dq], [df_i/dp]] over the cell's balls (Taylor arithmetic in one variable at a time)."""
    return ([v.coeffs()[1] for v in f(name, n, wb, arb_series([qb, 1], prec=2), arb_series([pb], prec=2))],
            [v.coeffs()[1] for v in f(name, n, wb, arb_series([qb], prec=2), arb_series([pb, 1], prec=2))])


def _span(lo, hi):
    return arb.union(ball(lo), ball(hi))


def _sign(x):
    return 1 if x > 0 else -1 if x < 0 else 0


def _leaf(tag, name, n, w, q0, q1, p0, p1, bound=None):
    wb = ball(w)
    if tag == "O":
        return p0 > (n - 1) ** 2 * q1
    if tag == "B":          # gelu: q <= b_k at every spread-cluster fixed point with rho in piece k (gelu_bound)
        if bound is None or not q0 > 0:
            return False
        r0, r1 = (p0 / q1 / (n - 1) - 1) / (n - 2), (p1 / q0 / (n - 1) - 1) / (n - 2)    # pieces i..j-1 meet [r0, r1]
        i, j = max(0, bisect.bisect_left(bound[0], r0) - 1), bisect.bisect_right(bound[0], r1)
        return q0 > (max(bound[1][i:j], default=0) if j - i <= 64 else bound[2])    # beyond 64: the largest
    if tag == "Z":          # gelu, silu: max(q, p) = 0 or >= (1 - sqrt(w)/2)^2/(12 C^2 w) at a fixed point (docstring)
        return name in REGION and bool(ball(max(q1, p1)) < (1 - wb.sqrt() * REGION[name][3]) ** 2 / (12 * REGION[name][1]() * wb))
    if tag == "S" and name in ODD:      # E[phi'(sqrt q Z)] falls with q (phi' even, falling in |x|): q1 is the worst
        c, D = ball(q1).sqrt(), ball(PSI[name][2])
        return bool(wb * _even(lambda z: PSI[name][0](c * z), lambda z, y: y[3], lambda z, y: 0 * y[3],
                               ((D, 0), (0, 0)))[0] ** 2 > 1)
    if tag == "S":
        return name in KERNELS and bool(wb * KERNELS[name][1](_span(q0, q1)) > 1)     # silu, softplus: never
    if q0 <= 0:
        return False
    qb, pb = _span(q0, q1), _span(p0, p1)
    if tag == "g":          # Mehler's G1 in balls alone: from the q side's coefficients only (priced so)
        return name in MEH and _sign(_g12_odd(name, n, wb, qb, pb, True)[0]) != 0
    if tag in "12" and _sign((_g12_odd(name, n, wb, qb, pb, tag == "1") if name in MEH else
                              g12(name, n, wb, qb, pb))[int(tag) - 1]):
        return True         # else the mean value form about the centre, where rho < 1 on the cell (G1 smooth)
    t0, t1 = max(q0, p0), min(q1, p1)
    h2 = tag == "2" and name == "gelu"      # G2 = h12's first: its closed form smooth across rho = 1 where finite
    if tag not in ("12XD" if name in MEH else "12XUD") or not p1 < (n - 1) ** 2 * q0 and not h2 or tag == "X" and not t0 < t1:
        return False
    try:
        dq, dp = _partials(h12 if tag == "U" or h2 else g12, name, n, wb, qb, pb)
    except ValueError:          # a series division by a ball around 0: not shown
        return False
    if tag == "U":
        return bool(dq[0] * dp[1] - dp[0] * dq[1] < 0)
    if tag in "12D":        # "D": G1 - G2 (0 at a fixed point), its gradient small where G1 = 0, G2 = 0 nearly touch
        k, qm, pm = int(tag) - 1 if tag != "D" else 0, (q0 + q1) / 2, (p0 + p1) / 2
        if name in MEH:     # about the corner: its variances' coefficients serve every cell with that q0 or p0
            qm, pm = q0, p0
        if tag == "D":
            dq, dp = [dq[0] - dq[1]], [dp[0] - dp[1]]
        g = g12(name, n, wb, ball(qm), ball(pm))
        return _sign((g[0] - g[1] if tag == "D" else g[k]) + dq[k - h2] * (qb - ball(qm)) + dp[k - h2] * (
            pb - ball(pm))) != 0
    ends = [_sign(g12(name, n, wb, ball(t), ball(t))[1]) for t in (t0, t1)]
    return ends[0] * ends[1] == -1 and _sign(dq[0] * dp[1] - dp[0] * dq[1]) != 0


def side(name):
    """4 B^2 with B = sup |phi - phi(0)| (sigmoid: 1/2, else 1): |phi_i - mean| <= 2B, so q, p <= 4 B^2 w at a fixed
    point."""
    return 1 if name == "sigmoid" else 4


def check_spread_none(item):
    """The fact of a spread-none item {activation, alpha (0), weight_var, n, prec, top, tree[, rho, delta]}: every cell
    of the quadtree over [0, top]^2 in (q, p), top >= 4w (a side the search may move the grid with; gelu: (n-1)^2 times
    the largest of gelu_bound's bounds from the item's rho and delta), is a leaf that holds no spread-cluster fixed
    point (only_stable: or, "U" leaves, none with every eigenvalue of modulus <= 1)."""
    name, n, w, prec, tree, top = (item["activation"], item["n"], Q(item["weight_var"]), item["prec"], item["tree"],
                                   Q(item["top"]))
    if name not in KERNELS and name not in MEH or Q(item["alpha"]) != (name == "elu") or type(n) is not int or not 3 <= n <= 64 or not 0 < w <= 100 or \
            type(prec) is not int or not 64 <= prec <= 512 or len(tree) > 2 * MAX_LEAVES:
        raise Rejected("a spread-none item: erf, sin, tanh, sigmoid, gelu, silu, softplus or elu (alpha 1; else 0), 3 <= n <= 64, 0 < weight_var <= 100, prec "
                       "in 64..512, a tree of at most %d leaves" % MAX_LEAVES)
    stack = [(0, Q("0"), top, Q("0"), top)]
    with ctx.workprec(prec):
        bound = gelu_bound(item, n, w, name) if name in REGION else None
        low = (n - 1) ** 2 * bound[2] if name in REGION else side(name) * w
        if not low <= top <= (8 * w if bound is None else 2 * low):
            raise Rejected("a spread-none item's square's side top in [4 weight_var (sigmoid: weight_var), 8 weight_var]; "
                           "gelu's, silu's in [%s, twice that] ((n-1)^2 weight_var OMEGA^2/delta^2)" % low)
        for i, tag in enumerate(tree):
            if not stack:
                raise Rejected("the tree goes on after its last cell (at %d)" % i)
            depth, q0, q1, p0, p1 = stack.pop()
            qm, pm = (q0 + q1) / 2, (p0 + p1) / 2
            if tag == "4" and depth < MAX_DEPTH:
                stack += [(depth + 1, *c) for c in ((qm, q1, pm, p1), (qm, q1, p0, pm), (q0, qm, pm, p1),
                                                    (q0, qm, p0, pm))]
            elif not _leaf(tag, name, n, w, q0, q1, p0, p1, bound):
                raise Rejected("cell q in [%s, %s], p in [%s, %s]: %r not shown" % (q0, q1, p0, p1, tag))
    if stack:
        raise Rejected("the tree ends with %d cells not covered" % len(stack))
    return {"fact": "spread-none", "activation": name, "alpha": Q(item["alpha"]), "weight_var": w, "n": n,
            "only_stable": "U" in tree}


OMEGA = Q("171/1000")       # >= sup psi - inf psi = max_t t Phi(-t) ~ 0.16997, psi = gelu - relu = -|t| Phi(-|t|)
OMEGA_SILU = Q("7/25")      # >= max_t t/(1 + e^t) ~ 0.27846, psi = silu - relu = -|t|/(1 + e^|t|)
OMEGA_SOFTPLUS = Q("7/10")  # >= log 2, psi = softplus - relu = log(1 + e^-|t|) in (0, log 2]
OMEGA_ELU = Q("1")          # >= alpha = 1, psi = elu - relu = e^t - 1 on t < 0, 0 on t >= 0: in (-1, 0]
# name: (its OMEGA, C^2 with |phi(t) - lam t| <= C t^2 (the "Z" lemma), OMEGA's check: True where not shown, lam)
REGION = {"gelu": (lambda: OMEGA, lambda: 1 / (2 * arb.pi()), lambda h: not (-arb(2)).exp() / (2 * arb.pi()).sqrt() < ball(
    OMEGA) or not all(h * (k + 1) * (h * k / arb(2).sqrt()).erfc() / 2 < ball(OMEGA) for k in range(1024)), arb(1) / 2),
          "silu": (lambda: OMEGA_SILU, lambda: arb(1) / 16, lambda h: not 8 * (-arb(8)).exp() < ball(OMEGA_SILU) or
                   not all(2 * h * (k + 1) / (1 + (2 * h * k).exp()) < ball(OMEGA_SILU) for k in range(2048)), arb(1) / 2),
          "softplus": (lambda: OMEGA_SOFTPLUS, lambda: arb(1) / 64, lambda h: not arb(2).log() < ball(OMEGA_SOFTPLUS), arb(1) / 2),
          "elu": (lambda: OMEGA_ELU, lambda: arb(1) / 4, lambda h: not arb(1) <= ball(OMEGA_ELU), arb(1))}   # alpha 1 only


def gelu_bound(item, n, w, name="gelu"):
    """(cuts, [b_k], max b_k): q <= b_k = w OMEGA^2/delta_k^2 at every spread-cluster fixed point of gelu's family with
    rho in piece k, [cuts[k], cuts[k + 1]] (module docstring), from the item's rho partition of [-1/(n-2), 1] and its
    delta per piece (m >= delta there, in balls); OMEGA checked first (t Phi(-t) <= (t_k + h) Phi(-t_k) on [t_k, t_k +
    h], k h < 2; beyond 2 Mills' t Phi(-t) <= N(t) <= N(2), N the normal density; silu's (name): t/(1 + e^t) <= (t_k +
    h)/(1 + e^t_k) on [t_k, t_k + h], h = 1/256, k h < 8, beyond 8 t/(1 + e^t) <= t e^-t <= 8 e^-8)."""
    cuts, deltas, h = [Q(c) for c in item.get("rho", [])], [Q(d) for d in item.get("delta", [])], arb(1) / 512
    if len(deltas) != len(cuts) - 1 or not all(0 < d < 1 for d in deltas) or not 2 <= len(cuts) <= 4097 or \
            cuts[0] != Q("-1/%d" % (n - 2)) or cuts[-1] != 1 or any(a >= b for a, b in zip(cuts, cuts[1:])) or \
            REGION[name][2](h):
        raise Rejected("a silu or gelu spread-none item: rho, 2..4097 increasing cuts from -1/(n-2) to 1, and delta, one in (0, "
                       "1) per piece")
    for lo, hi, d in zip(cuts, cuts[1:], deltas):
        if not m_piece(n, ball(w), ball(d), lo, hi):
            raise Rejected("%s's rho piece [%s, %s]: |1 - sqrt Q1| or |sqrt P0 - sqrt Qn| >= %s not shown" % (name, lo, hi, d))
    om = REGION[name][0]()
    return cuts, [w * om ** 2 / d ** 2 for d in deltas], w * om ** 2 / min(deltas) ** 2


def m_piece(n, w, d, lo, hi):
    """m(rho) >= d on rho in [lo, hi] (w, d balls), in balls: relu at q = 1 has a = 1/2, b = kappa(rho), c = sqrt(P0)
    kappa(-sqrt(P0)/(n-1)), d = P0/2 (model.kappa: non-decreasing, through the ball's ends), Q1, Qn = family_h's."""
    A, B = kernel_constants(Q("0"))
    s = [ball((n - 1) * (1 + (n - 2) * x)).sqrt() for x in (lo, hi)]     # sqrt(P0) at the ends (exact >= 0, rising)
    s, P = arb.union(*s), arb.union(*(x * x for x in s))
    Q1, Qn = family_h(n, w, 0, 0, arb(1) / 2, kappa(_span(lo, hi), A, B), s * kappa(-s / (n - 1), A, B), P / 2)
    return bool(Q1 < (1 - d) ** 2 or Q1 > (1 + d) ** 2 or s > d and Qn < (s - d) ** 2 or Qn > (s + d) ** 2)


def moduli(name, w, qb):
    """Balls of the moduli of DF's non-zero eigenvalues at n = 3's {v, -v, 0} for q in qb (S = q [[1, -1, 0], [-1, 1,
    0], [0, 0, 0]], w a ball).  F = K o L and T = L o K, L(G) = w C G C, so DF(G*) = DK(S*) L and DT(S*) = L DK(S*) have
    one characteristic polynomial on the 6 symmetric directions; DT maps into V, the centred ones (3 at n = 3, each
    fixed by its diagonal), so its eigenvalues are those of DT on V and three zeros (DT is 0 on Sym/V).  K is analytic
    around S* (erf: |2c/sqrt((1+2q1)(1+2q2))| < 1; sin: entire) and the PSD cone has interior, so DF is that of the
    closed forms.  The swap of points 1, 2 fixes S* and T commutes with it, so V splits: the swap-even plane, the family
    (q, p) = (S11, S33), where DT is J (h12's partials + I at p = 0, its roots (t +- sqrt(t^2 - 4 det))/2), and the
    swap-odd line E = [[1, 0, -1], [0, -1, 1], [-1, 1, 0]]: at S* + eE, (T11 - T22)/2 = w ((K11 - K22) - 2 (K13 - K23))/6
    (C's rows), K11 - K22 = a(q + e) - a(q - e), K13 - K23 = k(e) - k(-e) with a(q) = K(q, q, q), k(e) = K(q + e, 0,
    -e), so E's eigenvalue is w (a'(q) - 2 k'(0))/3 (one series in e)."""
    dq, dp = _partials(h12, name, 3, w, qb, arb(0))
    t, d = 2 + dq[0] + dp[1], (1 + dq[0]) * (1 + dp[1]) - dp[0] * dq[1]
    r, e, K = acb(t * t - 4 * d).sqrt(), arb_series([0, 1], prec=2), KERNELS[name][0]
    odd = w * (K(qb + e, qb + e, qb + e).coeffs()[1] - 2 * K(qb + e, arb(0), -e).coeffs()[1]) / 3
    return [abs((t + r) / 2), abs((t - r) / 2), abs(odd)]


ODD = ("tanh", "sigmoid")       # phi - phi(0) odd, no closed kernel: n = 3's point from 1-D integrals (odd_edge)
MEH = ODD + ("silu", "softplus", "elu")    # spread-none cells by Mehler's series (_g12_odd); silu: psi = silu, every k


def odd_edge(name, w, qb, radius=False):
    """n = 3's edge p = 0 for phi in ODD from one-dimensional Gaussian integrals (twopoint.expectation), q in the
    ball qb > 0, w a ball: q' - q, or with ``radius`` the moduli of DF's three non-zero eigenvalues there.
    The constant: psi = phi - phi(0) is odd (tanh; sigmoid(x) - 1/2 = tanh(x/2)/2), K_phi = phi(0)^2 J + K_psi with
    J the all-ones matrix (E[psi(x)] = 0 for x ~ N(0, s)) and C J C = 0, so w C K_phi(S) C = w C K_psi(S) C exactly:
    the map is psi's.  For odd psi, K(q, 0, 0) = 0 and b = K(q, q, -q) = -a: q' = w A(q), A(q) = E[psi(sqrt q Z)^2] =
    E[phi(sqrt q Z)^2] - phi(0)^2, and p' = (2w/9)(a + b - 4c + 2d) (the odd point's centred variance) is 0 on the edge.
    DF: K is C^1 on the closed PSD cone with Price's partials dK/dc = E[psi'(x) psi'(y)], dK/dq1 = E[psi''(x) psi(y)]/2
    (continuous up to the boundary for smooth phi of Gaussian growth; the cone has interior, so they are DK's entries
    at S* too).  The family Jacobian at p = 0 is triangular (p' = 0 along the edge): its eigenvalues are dq'/dq = w
    A'(q), A'(q) = E[Z psi(cZ) psi'(cZ)]/c, c = sqrt q (Stein; = E[Z phi phi'(cZ)]/c, phi(0) E[Z psi'(cZ)] = 0, psi'
    even), and dp'/dp = (2w/9)(db/dp - 4 dc/dp + 2 dd/dp) with db/dp = (1/2) E[psi'(x) psi'(-x)] = m2/2, dc/dp =
    dK/dq2 - (1/2) dK/dc at (q, 0, 0) = -k m1/2 (dK/dq2 = E[psi(x) psi''(0)]/2 = 0), dd/dp = k^2, where k = phi'(0),
    m1 = E[phi'(cZ)], m2 = E[phi'(cZ)^2]: dp'/dp = w E[(phi'(cZ) + 2k)^2]/9.  The swap-odd one (moduli's docstring),
    w (A'(q) - 2 k'(0))/3 with k'(0) = dK/dq1 - dK/dc at (q, 0, 0) = -k m1: w (A'(q) + 2 k m1)/3."""
    c, z, a = qb.sqrt(), arb(0), Q("0")
    phi0, k = (row(name)[0][1][j](z, a, False) for j in (0, 1))
    if not radius:
        return w * (expectation(name, a, [("phi", c), ("phi", c)]) - phi0 * phi0) - qb
    da = expectation(name, a, [("phi", c), ("dphi", c)], zpow=1) / c
    m1, m2 = expectation(name, a, [("dphi", c)]), expectation(name, a, [("dphi", c), ("dphi", c)])
    return [abs(w * da), abs(w * (m2 + 4 * k * m1 + 4 * k * k) / 9), abs(w * (da + 2 * k * m1) / 3)]


# x -> psi's even part, odd part and their derivatives at x; sup |psi| (None: unbounded, then |psi(x)| <= D |x|); D =
# sup |psi'| (silu's max ~ 1.09984); silu(x) = x/2 + (x/2) tanh(x/2)
PSI = {"tanh": (lambda x: (lambda t: (0 * t, t, 0 * t, 1 - t * t))(x.tanh()), Q("1"), Q("1")),
       "sigmoid": (lambda x: (lambda t: (0 * t, t / 2, 0 * t, (1 - t * t) / 4))((x / 2).tanh()), Q("1/2"), Q("1/4")),
       "silu": (lambda x: (lambda t: (x * t / 2, x / 2, t / 2 + x * (1 - t * t) / 4, 0 * t + arb(1) / 2))((x / 2).tanh()),
                None, Q("11/10")),     # softplus - log 2 = x/2 + log cosh(x/2): its constant gone in C K C
       "softplus": (lambda x: (lambda t: (x / 2 + (1 + (-x).exp()).log() - arb(2).log(), x / 2, t / 2, 0 * t + arb(1) / 2))(
           (x / 2).tanh()), None, Q("1")),     # log cosh(x/2) = x/2 + log(1 + e^-x) - log 2 (Re x >= 0 on [0, L])
       "elu": (lambda x: (lambda u: ((x + u) / 2, (x - u) / 2, -u / 2, (2 + u) / 2))((-x).expm1()), None, Q("1"))}  # x >= 0
L_ODD, ODD_TOL, ODD_STEPS, _COEF = 10, 2.0 ** -30, 7, {}   # _COEF: (name, q-ball, prec) -> _coef's (cells' sides recur)


def _even(t, f, g, tails):
    """(E[f(Z, t(Z))], E[g(Z, t(Z))]) for f, g even in Z and real on the real line (analytic near it; t computed once
    per point): twice the integral of f + i g over [0, L_ODD] (its real and imaginary parts: one integral for two),
    each plus its tail: ``tails`` = ((m, j) for f, for g) with |f| <= m |Z|^j (j 0, 1 or 2) for |Z| > L, whose
    E[m |Z|^j; |Z| > L] is m erfc(L/sqrt 2) (j = 0), 2 m N(L) (j = 1, N the normal density) or m (2 L N(L) + erfc(L/sqrt
    2)) (j = 2)."""
    v = acb.integral(lambda z, an: (lambda y: (-z * z / 2).exp() * (f(z, y) + acb(0, 1) * g(z, y)))(t(z)), 0, L_ODD,
                     abs_tol=ODD_TOL, rel_tol=ODD_TOL, eval_limit=100_000)
    L, out = arb(L_ODD), []
    for part, (m, j) in zip((v.real, v.imag), tails):
        tail = m * (2 * L ** (j // 2) * (-L * L / 2).exp() / (2 * arb.pi()).sqrt() * (j > 0) + (L / arb(2).sqrt()).erfc() *
                    (j != 1))
        out.append(2 * part / (2 * arb.pi()).sqrt() + arb(0, tail.upper()))
        if not out[-1].is_finite():
            raise Rejected("a Gaussian integral of psi did not come out a finite real ball")
    return out


def _terms(name, top):
    """The series' last index N (odd) for variances up to ``top`` (a float): more terms where psi(sqrt q Z)'s
    coefficients decay slowly (large q; sigmoid's psi is tanh(x/2)/2); silu 7 (its covers' cells are as many with 7 as
    with 39 terms at n = 4, sigma_w^2 = 5/2, the integrals a fifth).  Only the work: every tail is bounded."""
    return 7 if name in REGION else 11 + 4 * min(ODD_STEPS, max(1, int(top / (1 if name == "tanh" else 4)) + 1))


def odd_integrals(item):
    """How many one-dimensional integrals check_spread_none computes for an ODD item at most, weighted by their
    steepness (1 + min(3, isqrt(q)/4): 1 to 5 ms each, measured, q from 0 to 800), read off its tree before any
    arithmetic (items.work's price): (N + 12) // 4 (two at once) for each distinct variance ball a leaf's tests ask
    for (the cell's q and p sides, its corner's q0 and p0, an "X" cell's ends t0, t1; a "g" leaf's q side alone), one
    per "S" leaf.  elu's (its integrands entire on [0, L]): 1 + max(b/2, b - 32)/4 with b the bit length of q, no cap
    (CPU, alone, [q, 2q] balls: 0.6 ms at q <= 1, 0.9 at 10^3, 1.9 at 10^5, 3.3 at 10^10, 4.2 at 10^15, 34 at 10^100,
    54 at 10^300 per integral; priced 0.8 ms times the weight: 1.3 to 2 times the cost).  No cell below
    MAX_DEPTH (the check splits none there: a "4" of 40,000 nested cells priced in exact 2^-40000 sides took minutes)."""
    keys, u, top = set(), 1 << MAX_DEPTH, Q(item["top"])      # sides in units of top / 2^MAX_DEPTH: integers
    stack = [(0, 0, u, 0, u)]
    for tag in item["tree"]:
        if not stack:
            break
        d, q0, q1, p0, p1 = stack.pop()
        qm, pm = (q0 + q1) // 2, (p0 + p1) // 2
        if tag == "4" and d < MAX_DEPTH:
            stack += [(d + 1, *c) for c in ((qm, q1, pm, p1), (qm, q1, p0, pm), (q0, qm, pm, p1), (q0, qm, p0, pm))]
        elif tag in "12XD":
            keys.update([(q0, q1), (p0, p1)] + ([(q0, q0), (p0, p0)] if tag != "X" else
                                                [(max(q0, p0),) * 2, (min(q1, p1),) * 2]))
        elif tag in "gS":
            keys.add((q0, q1) if tag == "g" else ("S", q1))
    v, elu = {k1: min(top, top * k1 / u) for k1 in {k[1] for k in keys if k[0] != "S"}}, item["activation"] == "elu"
    steep = {k1: (lambda b: max(b // 2, b - 32))(math.ceil(q).bit_length()) if elu else min(12, math.isqrt(max(0, math.ceil(min(q, 1000))))) for k1, q in v.items()}
    return sum(1 if k[0] == "S" else (_terms(item["activation"], float(min(v[k[1]], 1000))) + 12 - 5 * elu) // (
        2 if elu else 4) * (4 + steep[k[1]]) // 4 for k in keys)


def _coef(name, qb):
    """Over the ball qb > 0 (valid for every q in it): a = [a_0 .. a_(N+2)] (a_k = 0 for even k: psi odd; silu: its
    odd part is x/2 (silu(x) - silu(-x) = x), so a_1 = sqrt q/2 and a_k = 0 for odd k >= 3, the even k integrals of its
    even part (x/2) tanh(x/2)), T = [T_0 .. T_(N+2)] (upper bounds, >= 0), E2 = E[psi(c Z)^2], its q-derivative E[Z
    psi psi'(c Z)]/c and M = q E[psi'(c Z)^2] = sum_k k a_k^2 (c = sqrt q).  Each an even integrand (_even: psi's
    parts, the cross terms odd); the tails by |psi| <= B (silu: <= D |x|), |psi'| <= D and, for a_k, Cauchy-Schwarz
    with E[He_k(Z)^2] = k!: |E[psi He_k; |Z| > L]|/sqrt(k!) <= sqrt(E[psi^2; |Z| > L])."""
    key = (name, qb.mid().man_exp(), qb.rad().man_exp(), ctx.prec)
    if key not in _COEF:
        psi, B, D = PSI[name]
        c, root2, D, L, odd = qb.sqrt(), arb(2).sqrt(), ball(D), arb(L_ODD), name in ODD
        if B is not None:       # E[m |Z|^j; |Z| > L] bounds (_even's tails) of psi^2 and |Z psi psi'|; a_k's tail
            B = ball(B)
            sq, zd, at = (B * B, 0), (B * D, 1), B * (L / root2).erfc().sqrt()
        else:                   # |psi(c z)| <= C |z|, C = D sqrt(q)
            C = D * arb(c.upper())
            sq, zd = (C * C, 2), (C * D, 2)
            at = C * (2 * L * (-L * L / 2).exp() / (2 * arb.pi()).sqrt() + (L / root2).erfc()).sqrt()
        N, zero = _terms(name, float(qb.upper())), (lambda z, y: 0 * y[0], (0, 0))
        ks = range(1, N + 3, 2) if odd else range(0, N + 3, 2 - (name == "elu"))
        jobs = [(lambda z, y, k=k, s=(arb(2) ** k * arb.fac_ui(k)).sqrt(): (z / root2).hermite_h(k) * y[k % 2] / s,
                 (0, 0)) for k in ks]      # He_k(z)/sqrt(k!) = H_k(z/sqrt 2)/sqrt(2^k k!); y = psi's parts at c z
        jobs += [(lambda z, y: y[0] ** 2 + y[1] ** 2, sq), (lambda z, y: y[2] ** 2 + y[3] ** 2, (D * D, 0)),
                 (lambda z, y: z * (y[0] * y[2] + y[1] * y[3]), zd)]
        jobs += [zero] * (len(jobs) % 2)
        out = []
        for (f, t), (g, u) in zip(jobs[::2], jobs[1::2]):      # two at once, psi(c z) once per point
            out += _even(lambda z: psi(c * z), f, g, (t, u))
        a = [arb(0)] * (N + 3)
        for i, k in enumerate(ks):
            a[k] = out[i] + arb(0, at.upper())
        if not odd and name != "elu":
            a[1] = c / 2
        e2, m, de2 = out[len(ks):len(ks) + 3]
        T = bessel(a, e2)
        de2 /= c
        if len(_COEF) > 8192:
            _COEF.clear()
        _COEF[key] = (a, T, e2, de2, qb * m)
    return _COEF[key]


def _ks(name, N):
    """The k <= N whose a_k may be non-zero: odd k for psi odd, every k for silu."""
    return range(1, N + 1, 2) if name in ODD else range(N + 1)


def _pows(x, m):
    """[1, x, .., x^m] by products (arb's x ** k is nan for a ball holding 0: silu's k = 0 term, rho near 0)."""
    out = [arb(1)]
    for _ in range(m):
        out.append(out[-1] * x)
    return out


def _val(x):
    return (x.coeffs() + [arb(0), arb(0)])[:2] if isinstance(x, arb_series) else (x, arb(0))


def _tail(bound):
    return arb(0, arb(bound).upper())


def _okern(name, q1, q2, r):
    """K_psi at variances q1, q2 and correlation r (arbs, |r| <= 1 on the family's points: the caller clips r), by
    Mehler's series with the tail |r|^(N+1) sqrt(T_N(q1) T_N(q2)); for arb_series (first order) with the partials
    at |r| <= (N+1)/(N+2) (else ValueError: not shown)."""
    (v1, d1), (v2, d2), (rv, dr) = _val(q1), _val(q2), _val(r)
    (a1, T1, _, _, _), (a2, T2, _, _, _) = _coef(name, v1), _coef(name, v2)
    N = min(len(a1), len(a2)) - 3
    R = arb(abs(rv).upper())
    rp = _pows(rv, N + 1)
    K = sum((a1[k] * a2[k] * rp[k] for k in _ks(name, N)), arb(0)) + _tail(R ** (N + 1) * (T1[N] * T2[N]).sqrt())
    if not any(isinstance(x, arb_series) for x in (q1, q2, r)):
        return K
    if not R <= arb(N + 1) / (N + 2):      # the tails' weights k |r|^k, (k + 2) |r|^k, j |r|^(j-1) fall beyond N
        raise ValueError("|r| > (N+1)/(N+2): no partials")
    dk = lambda a, q: [(arb((k + 1) * (k + 2)).sqrt() * a[k + 2] + k * a[k]) / (2 * q) for k in range(N + 1)]  # noqa
    e1, e2 = dk(a1, v1), dk(a2, v2)
    Kq1 = sum((e1[k] * a2[k] * rp[k] for k in range(N + 1)), arb(0)) + _tail(
        R ** (N + 1) * ((N + 3) * (T1[N + 2] * T2[N]).sqrt() + (N + 1) * (T1[N] * T2[N]).sqrt()) / (2 * v1))
    Kq2 = sum((a1[k] * e2[k] * rp[k] for k in range(N + 1)), arb(0)) + _tail(
        R ** (N + 1) * ((N + 3) * (T2[N + 2] * T1[N]).sqrt() + (N + 1) * (T1[N] * T2[N]).sqrt()) / (2 * v2))
    Kr = sum((k * a1[k] * a2[k] * rp[k - 1] for k in range(1, N + 2)), arb(0)) + _tail(
        (N + 2) * R ** (N + 1) * (T1[N + 1] * T2[N + 1]).sqrt())
    return arb_series([K, Kq1 * d1 + Kq2 * d2 + Kr * dr], prec=2)


def _oe2(name, q):
    (v, dv), (_, _, e2, de2, _) = _val(q), _coef(name, _val(q)[0])
    return arb_series([e2, de2 * dv], prec=2) if isinstance(q, arb_series) else e2


def _clip(x, lo, hi):
    try:
        return x.intersection(arb.union(arb(lo), arb(hi)))
    except ValueError:          # no point of the family in the cell
        return arb("nan")


def _g12_odd(name, n, w, q, p, only_g1=False):
    """g12 for phi in ODD (psi's kernel: odd_edge), arbs or arb_series (then |rho|, |r| <= (N+1)/(N+2) and p > 0, else
    ValueError)."""
    series = isinstance(q, arb_series) or isinstance(p, arb_series)
    rho, rc = (p / ((n - 1) * q) - 1) / (n - 2), -(p / q).sqrt() / (n - 1)
    a, b = _oe2(name, q), None
    if series:
        if not _val(p)[0] > 0:
            raise ValueError("p not > 0")
        b = _okern(name, q, q, rho)
        c, d = _okern(name, q, p, rc), _oe2(name, p)
        g1 = w * (a - b) / (1 - rho) - q
    else:
        rho = _clip(rho, -1, 1)
        if not rho.is_finite():         # no point of the family in the cell: nothing shown
            return rho, rho
        A, T, E2, _, M = _coef(name, q)
        N = len(A) - 3
        h = lambda k, rp=_pows(rho, N): sum(rp[:k], arb(0))   # noqa: E731
        top = abs(rho).upper()
        tail = arb(M - sum((k * A[k] * A[k] for k in _ks(name, N)), arb(0))).upper()
        if top < 1:
            tail = min(tail, (T[N] / (1 - arb(top))).upper())
        G = sum((A[k] * A[k] * h(k) for k in _ks(name, N)), arb(0))
        G, near = G + arb.union(arb(0), arb(max(tail, 0))), G + (E2 - sum((A[k] * A[k] for k in _ks(name, N)), arb(0))) * (
            1 + arb(0, 1) * _pows(arb(top), N + 1)[-1]) / (1 - rho) if top < 1 else None     # h_k, k > N: (1 +- |rho|^(N+1))/(1 - rho)
        G = G.intersection(near) if near is not None and G.overlaps(near) else G     # both hold G1's sum: they meet
        g1 = w * G - q
        if only_g1:
            return g1, None
        b = _clip(_okern(name, q, q, rho), (a - (1 - rho) * G).lower(), (a - (1 - rho) * G).upper())
        if p > 0:                       # rc clipped to [-1, 0] (a nan where no family point: nothing shown)
            c, d = _okern(name, q, p, _clip(rc, -1, 0)), _oe2(name, p)
        else:
            c, d = _edge(name, n, q, p, A[0], a)
    return g1, _g2(n, w, q, a, b, c, d)


def _edge(name, n, q, p, a0, a):
    """(c, d) for p in [0, p1] (p's ball holding 0): |c| <= |a_0(q) a_0(p)| + |r| sqrt(E2(q) E2(p)), |r| = sqrt(p/q)/(n-1),
    E2(p) <= D^2 p, d = E2(p) in [0, D^2 p1] (|a_0(p)| <= p/4: silu's (x/2) tanh(x/2) <= x^2/4; 0 for odd psi)."""
    lip, top_p = ball(PSI[name][2]), arb(p.upper())
    return arb(0, (abs(a0) * top_p / 4 + lip * top_p * (a / q).sqrt() / (n - 1)).upper()), arb.union(arb(0), lip * lip * top_p)


def check_spread_point(item):
    """The fact of a spread-point item {activation, alpha (0), weight_var, n (3), prec, q_lo, q_hi, p_hi[, root_lo,
    root_hi]}: at n = 3 the edge p = 0 is invariant for odd phi (erf, sin: K(q, 0, 0) = 0 and b = K(q, q, -q) = -a, so
    t = 0, p' = 0 and q' = w a), so q' - q of opposite signs at (q_lo, 0) and (q_hi, 0) gives a fixed point {v, -v, 0}
    on the cell [q_lo, q_hi] x [0, p_hi]; "U" there (det(J - I) < 0) makes it the cell's only zero (the mean value
    theorem per row, as for "X") and unstable (an eigenvalue > 1).  A sign change on [root_lo, root_hi] inside
    [q_lo, q_hi] (else that bracket itself) puts it there: its spectral radius of DF in the fact's [lo, hi] (moduli).
    For ODD (tanh, sigmoid: odd_edge) the two sign changes alone: a fixed point exists in the root bracket, with its
    radius in [lo, hi]; no "U" test, so the fact's unique is False (it need be neither alone nor unstable)."""
    name, n, w, prec = item["activation"], item["n"], Q(item["weight_var"]), item["prec"]
    q0, q1, p1 = Q(item["q_lo"]), Q(item["q_hi"]), Q(item["p_hi"])
    r0, r1 = (Q(item["root_lo"]), Q(item["root_hi"])) if "root_lo" in item or "root_hi" in item else (q0, q1)
    odd = name in ODD
    if name not in ("erf", "sin") and not odd or Q(item["alpha"]) != 0 or n != 3 or not 0 < w <= 100 or \
            type(prec) is not int or not 64 <= prec <= 512 or not 0 < q0 < q1 <= 8 * w or not 0 < p1 <= q1 - q0 or \
            not q0 <= r0 < r1 <= q1:
        raise Rejected("a spread-point item: erf, sin, tanh or sigmoid, n = 3, 0 < weight_var <= 100, prec in 64..512, "
                       "0 < q_lo < q_hi <= 8 weight_var, 0 < p_hi <= q_hi - q_lo, q_lo <= root_lo < root_hi <= q_hi")
    with ctx.workprec(prec):
        ends = [_sign(odd_edge(name, ball(w), ball(q)) if odd else h12(name, n, ball(w), ball(q), arb(0))[0])
                for q in (q0, q1, r0, r1)]
        if ends[0] * ends[1] != -1 or ends[2] * ends[3] != -1 or \
                not odd and not _leaf("U", name, n, w, q0, q1, Q("0"), p1):
            raise Rejected("spread-point: q' - q does not change sign along the edge p = 0 (on [q_lo, q_hi] and [root_lo, "
                           "root_hi]), or det(J - I) < 0 is not shown on the cell")
        mods = odd_edge(name, ball(w), _span(r0, r1), True) if odd else moduli(name, ball(w), _span(r0, r1))
        radius = [max(exact(m.lower()) for m in mods), max(exact(m.upper()) for m in mods)]
    return {"fact": "spread-point", "activation": name, "alpha": Q("0"), "weight_var": w, "n": n, "radius": radius,
            "unique": not odd}
