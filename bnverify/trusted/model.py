"""The trusted checker's own model of the infinite-width dynamics (the README's model section), written
independently of bnverify.core; each function is paired with its untrusted twin below, and
tests/test_trusted.py evaluates every pair at the same points.

| trusted (here)                                | untrusted twin                                         |
|-----------------------------------------------|--------------------------------------------------------|
| kappa, kernel_constants                       | bnverify.core.activations: Activation.kappa, constants |
| center, kernel (on class patterns)            | bnverify.core.gram (C G C, K), dense                   |
| two_point_image                               | bnverify.derive.symbolic.fixed_point (one RC step)     |
| rs_image                                      | bnverify.derive.rs.fixed_point                         |
| pattern_blocks                                | bnverify.core.symmetry blocks at the configuration     |
| reduced_map, symmetric_blocks                 | bnverify.core.symmetry / derive                        |
| curve                                         | bnverify.derive.curve: the reduction curve h(rho)      |
| basins.check_basin_cover                      | bnverify.derive.basins (cover, segments, basins)       |
| gershgorin_bound                              | bnverify.derive.spectra: the block spectra             |
| alln.quantities                               | bnverify.derive.alln.branch (G, E, cosines in t = 1/n) |
| alln.stability_criteria                       | bnverify.derive.alln_stability.scaled (block margins)  |
| simplex.simplex_criteria                      | bnverify.derive.simplex_alln.criteria (closed forms)   |
| rank.kappa, rank.kernel_matrix (sympy)        | core.activations kappa, bnverify.core.gram.kernel      |
| stages.goal (the rows' exact numbers)         | bnverify.claims.decomposition (the rows' derivations)  |
| classify.lower (Psi, D, P, delta: charts L)   | bnverify.derive.classify_alln.lower                    |
| classify.partner_sign (F's Taylor model)      | bnverify.derive.classify_alln.partner_sign             |
| classify._rising_u, _head_image, _u2_ok       | classify_alln.monotone_u, head_image, chart_u2         |
| rs.growth_bounds (sympy)                      | bnverify.derive.rs_family.growth_bounds (float)        |
| rs_family.h_rs (the RS family integral)       | bnverify.derive.rs_family.h_rs                         |
| twopoint.TABLE (phi, phi' per branch)         | bnverify.core.activations (the registry's formulas)    |
| formula.parse, value, row (a user's phi)      | bnverify.core.formula (parse, diff, acb, growth)       |
| twopoint.image, all_blocks (two-point)        | bnverify.derive.twopoint.image; the dense float map    |
| mehler.coefficients (_legendre), series, pair | bnverify.core.mehler (Gauss-Legendre, Bernstein bounds)|
| twopoint.simplex_image, all_blocks (simplex)  | bnverify.derive.twopoint.simplex_distances; dense map  |
| spreadbox.gelu (GELU's closed dual kernel)    | bnverify.core.activations._gelu_K (test_spread_box.py) |

The map: F(G) = K(C G C), C = I - 11^T/n, K(S)_jj = A S_jj, K(S)_jk = sqrt(S_jj S_kk)
kappa(rho_jk), kappa(rho) = A rho + B (sqrt(1 - rho^2) - rho acos rho), A = (1 + alpha^2)/2,
B = (1 - alpha)^2/(2 pi): leaky ReLU(alpha); relu is alpha = 0 and identity alpha = 1 (B = 0).
Eigenvalues are those of the scale-free dynamics: DF(G)/c at F(G) = c G, without the
direction of G itself.

* Two-point states (exact).  A state with n-1 equal points: cluster entries a (diagonal =
  off-diagonal), cross x, odd diagonal b.  C G C = D s s^T, D = a - 2x + b, s = (-1/n, ...,
  -1/n, (n-1)/n), every correlation +-1, so F maps it to (A D/n^2, -alpha D (n-1)/n^2,
  A D (n-1)^2/n^2).  There kappa(+-1) = A, -alpha, kappa'(+1) = A, kappa'(-1) = alpha and
  kappa - rho kappa' = 0, so DF(G)[E] = f o (C E C) (Hadamard), f_jk = A within the cluster
  and at the odd point, alpha across (the one-sided derivatives: F is C^1 up to the edge of
  the PSD cone, whose tangent cone spans Sym_n).
* Symmetry.  DF commutes with permutations of the cluster, so it preserves the isotypic
  components of Sym_n under S_{n-1} (n >= 5: trivial x4, standard x3, pair x1; n = 4: no pair;
  n = 3: standard x2).  :func:`blocks` computes DF/c on one copy of each component, on class
  patterns (entries grouped by index class: cluster points 0..3, the rest R, the odd point),
  so one computation serves every n, symbolic (:func:`pattern_blocks`, exact) or as large as
  10^6 (:func:`symmetric_blocks`, balls), and CHECKS that the copy is invariant (DF of each basis matrix is, entry by entry,
  the combination the block says).  A component of the standard type built from a sum-zero
  cluster vector x is linear in x and the permutations of e_0 - e_1 span all such x, so its
  block has multiplicity n - 2; the pair type's multiplicity is (n-1)(n-4)/2 (the dimension of
  the S_{n-1} irreducible (n-3, 2)).  This representation theory is the one mathematical
  fact taken from outside; the dimension count 4 + 3(n-2) + (n-1)(n-4)/2 = n(n+1)/2 holds
  (tests/test_trusted.py).
"""
from __future__ import annotations

import functools
import types
from fractions import Fraction

from .base import Q, Rejected, ball, zero

# ---------------------------------------------------------------- the model: rank-one case
def rs_image(n, alpha):
    """RC + RS + phi at a rank-one centred Gram (Sigma = D s s^T): a neuron's row is
    y = sign(g) sqrt(n) s/|s|, i.e. -+1/sqrt(n-1) on the cluster and +-sqrt(n-1) at the odd
    point, each sign with probability 1/2; phi(t) = t (t > 0), alpha t (t < 0)."""
    import sympy

    r = sympy.sqrt(n - 1)                                 # > 0 for n >= 2
    # (cluster, odd) entries: g > 0 gives (-1/r, r), g < 0 gives (1/r, -r); phi scales the
    # negative entry of each pair by alpha
    phi = [(-alpha / r, r), (1 / r, -alpha * r)]
    return tuple(sum(p[i] * p[j] for p in phi) / 2 for i, j in ((0, 0), (0, 1), (1, 1)))


# ---------------------------------------------------------------- the model: symmetric states
class Dual:
    """Forward-mode derivative over arb balls: value v and gradient g."""

    __slots__ = ("v", "g")

    def __init__(self, v, g):
        self.v, self.g = v, tuple(g)

    def _lift(self, o):
        return o if isinstance(o, Dual) else Dual(o, (0,) * len(self.g))

    def __add__(self, o):
        o = self._lift(o)
        return Dual(self.v + o.v, (a + b for a, b in zip(self.g, o.g)))

    def __neg__(self):
        return Dual(-self.v, (-a for a in self.g))

    def __sub__(self, o):
        return self + (-self._lift(o))

    def __rsub__(self, o):
        return self._lift(o) - self

    def __mul__(self, o):
        o = self._lift(o)
        return Dual(self.v * o.v, (a * o.v + self.v * b for a, b in zip(self.g, o.g)))

    def __truediv__(self, o):
        o = self._lift(o)
        q = self.v / o.v
        return Dual(q, ((a - q * b) / o.v for a, b in zip(self.g, o.g)))

    def __rtruediv__(self, o):
        return self._lift(o) / self

    __radd__, __rmul__ = __add__, __mul__

    def sqrt(self):
        r = self.v.sqrt()
        return Dual(r, (a / (2 * r) for a in self.g))


def kernel_constants(alpha):
    """(A, B) as balls at the current precision."""
    from flint import arb
    a = ball(alpha)
    return (1 + a * a) / 2, (1 - a) * (1 - a) / (2 * arb.pi())


def _ends(r, f):
    """f(r) for a non-decreasing f on [-1, 1]: the hull of f at the ends of the ball r, cut to
    [-1, 1] (the caller makes sure that the true values lie there; NaN if r is not finite)."""
    from flint import arb

    if not r.is_finite():
        return arb("nan")
    lo, hi = max(r.lower(), arb(-1)), min(r.upper(), arb(1))
    return f(min(lo, hi)).union(f(max(lo, hi)))


def kappa(r, A, B):
    """kappa(r) = A r + B (sqrt(1 - r^2) - r acos r) and, for a :class:`Dual`, kappa'(r) =
    A - B acos r, for a correlation r in [-1, 1].  Both are non-decreasing (kappa' >= A - B pi =
    alpha >= 0, and acos decreases), so balls go through their ends: tight near |r| = 1, where
    the formula is ill-conditioned, and no cancellation in the derivative."""
    if isinstance(r, Dual):
        d = _ends(r.v, lambda p: A - B * p.acos())
        return Dual(kappa(r.v, A, B), (g * d for g in r.g))
    return _ends(r, lambda p: A * p + B * (((1 - p) * (1 + p)).sqrt() - p * p.acos()))


# ---------------------------------------------------------------- class patterns: any n at the cost of n = 6
def classes(n):
    """The batch's index classes and their sizes: cluster points 0..3 and the rest R (n - 5
    points; n a symbol means every n >= 5), fewer for n = 3, 4, 5; the odd point o."""
    cl = {3: ["0", "1"], 4: ["0", "1", "2"], 5: ["0", "1", "2", "3"]}.get(n, ["0", "1", "2", "3", "R"])
    size = dict.fromkeys(cl + ["o"], 1)
    if "R" in size:
        size["R"] = n - 5
    return cl, size


def pattern(cl, f):
    """A matrix invariant under the permutations of R, as {(i, j): entry} for classes i, j
    ((R, R) off the diagonal) and (R, R, 'd') for R's diagonal; f(i, j, on the diagonal)."""
    every = cl + ["o"]
    keys = [(i, j) for i in every for j in every] + ([("R", "R", "d")] if "R" in cl else [])
    return {k: f(k[0], k[1], len(k) == 3 or k[0] == k[1] != "R") for k in keys}


def _diag(P, i):
    return P[("R", "R", "d")] if i == "R" else P[(i, i)]


def center(P, cl, size, n):
    """C P C: P_jk - r_j/n - r_k/n + t/n^2 (r the row sums, t the total)."""
    every = cl + ["o"]
    r = {i: sum(size[j] * P[(i, j)] for j in every if not i == j == "R") for i in every}
    if "R" in r:
        r["R"] += _diag(P, "R") + (size["R"] - 1) * P[("R", "R")]
    t = sum(size[i] * r[i] for i in every)
    return {k: P[k] - r[k[0]] / n - r[k[1]] / n + t / n ** 2 for k in P}


def kernel(S, A, B):
    """K(S): A S_jj on the diagonal, sqrt(S_jj S_kk) kappa(rho_jk) off it."""
    out = {}
    for k, v in S.items():
        if len(k) == 3 or k[0] == k[1] != "R":
            out[k] = A * v
            continue
        d = (_diag(S, k[0]) * _diag(S, k[1])).sqrt()
        rho = v / d
        r = rho.v if isinstance(rho, Dual) else rho
        if not (r.is_finite() and r.lower() >= -1 and r.upper() <= 1):
            raise Rejected("a correlation is not certainly in [-1, 1] on the box")
        out[k] = d * kappa(rho, A, B)
    return out


def basis_patterns(comp, cl):
    """Basis patterns of one copy of a component, and the entries read as coordinates in it.
    x = e_0 - e_1, y = e_2 - e_3 (sum-zero cluster vectors).  trivial: D (cluster diagonal),
    O (cluster off-diagonal), X (cross), B (odd diagonal); standard: diag(x), x1^T + 1x^T off
    the diagonal (absent for n = 3), cross x; pair: x y^T + y x^T (n >= 5)."""
    x, y = {"0": 1, "1": -1}, {"2": 1, "3": -1}
    X_, Y_ = (lambda i: x.get(i, 0)), (lambda i: y.get(i, 0))
    cluster = lambda i: i != "o"                                          # noqa: E731
    if comp == "trivial":
        return ([pattern(cl, lambda i, j, d: int(d and cluster(i))),
                 pattern(cl, lambda i, j, d: int(not d and cluster(i) and cluster(j))),
                 pattern(cl, lambda i, j, d: int((i == "o") != (j == "o"))),
                 pattern(cl, lambda i, j, d: int(i == j == "o"))],
                [("0", "0"), ("0", "1"), ("0", "o"), ("o", "o")])
    if comp == "standard":
        D = pattern(cl, lambda i, j, d: X_(i) if d and cluster(i) else 0)
        O = pattern(cl, lambda i, j, d: X_(i) + X_(j) if not d and cluster(i) and cluster(j) else 0)
        X = pattern(cl, lambda i, j, d: X_(i) if j == "o" and cluster(i) else X_(j) if i == "o" and cluster(j) else 0)
        if len(cl) == 2:
            return [D, X], [("0", "0"), ("0", "o")]
        return [D, O, X], [("0", "0"), ("0", "2"), ("0", "o")]
    return [pattern(cl, lambda i, j, d: X_(i) * Y_(j) + Y_(i) * X_(j))], [("0", "2")]


def blocks(G, L, cl, same, quotient=True):
    """{component: matrix of the linear map L (pattern -> pattern) on one copy}: coordinates read
    off the copy's entries, and CHECKED to give L(E) back entry by entry (same(a, b): a = b; the
    model would otherwise be wrong); the trivial block on the quotient by G's own direction."""
    out = {}
    for comp in ["trivial", "standard"] + (["pair"] if "3" in cl else []):
        mats, reads = basis_patterns(comp, cl)
        cols = []
        for E in mats:
            LE = L(E)
            col = [LE[r] for r in reads]
            if not all(same(LE[k], sum(cf * M[k] for cf, M in zip(col, mats))) for k in LE):
                raise Rejected("the %s copy is not invariant: the model is inconsistent" % comp)
            cols.append(col)
        M = [list(row) for row in zip(*cols)]
        if comp == "trivial" and quotient:     # basis (D, O, X, B) and g = G's coordinates: keep 3 x 3
            g = [G[r] for r in reads]
            M = [[M[i][j] - g[i] / g[3] * M[3][j] for j in range(3)] for i in range(3)]
        out[comp] = M
    return out


def symmetric_state(cl, s):
    """The symmetric state (cluster diagonal 1, off-diagonal o, cross x, odd diagonal b)."""
    o, x, b = s
    return pattern(cl, lambda i, j, d: b if i == j == "o" else x if "o" in (i, j) else 1 if d else o)


def reduced_map(s, n, A, B):
    """(T(s), F_a): T(o, x, b) = (F_o, F_x, F_b) / F_a, F = K(C G C)."""
    cl, size = classes(n)
    F = kernel(center(symmetric_state(cl, s), cl, size, n), A, B)
    return [F[k] / F[("0", "0")] for k in (("0", "1"), ("0", "o"), ("o", "o"))], F[("0", "0")]


def symmetric_blocks(s, n, A, B):
    """{component: block of DF(G_s)/c}, c = F(G_s)_00 (balls; trivial block modulo G_s)."""
    cl, size = classes(n)
    G = symmetric_state(cl, s)
    _, c = reduced_map(s, n, A, B)

    def L(E):
        S = center({k: Dual(G[k], (E[k],)) for k in G}, cl, size, n)
        return {k: v.g[0] / c for k, v in kernel(S, A, B).items()}
    return blocks(G, L, cl, lambda a, b: (a - b).contains(0))


def gershgorin_bound(M, V):
    """An upper bound (arb) on the spectral radius of every matrix in the ball matrix M:
    max_i sum_j |(V^-1 M V)_ij|, V exact complex rationals [[re, im], ...]."""
    from flint import acb, acb_mat, arb

    k = len(M)
    W = acb_mat([[acb(ball(Q(re)), ball(Q(im))) for re, im in row] for row in V])
    if W.nrows() != k or W.ncols() != k:
        raise Rejected("V has the wrong size")
    P = W.inv() * acb_mat([[acb(v) for v in row] for row in M]) * W
    return max(sum((abs(P[i, j]) for j in range(k)), arb(0)) for i in range(k))


# ---------------------------------------------------------------- the model: the reduction curve
def _sqrtpos(x):
    """sqrt(max(x, 0)) (for a Dual, of its value): x is known to be >= 0 where it matters."""
    if isinstance(x, Dual):
        r = x.v.nonnegative_part().sqrt()
        return Dual(r, (a / (2 * r) for a in x.g))
    return x.nonnegative_part().sqrt()


def curve(r, n, A, B):
    """h(rho) for real n >= 3: the cluster correlation of C K(Sigma) C, Sigma(rho) = (1, rho,
    -q, (n-1) q), q = 1 + (n-2) rho in [0, n-1] on rho's domain [-1/(n-2), 1] (n a ball).
    Sigma's cross correlation is -u, u = sqrt(q/(n-1)) in [0, 1], so K(Sigma) = (A, kappa(rho),
    (n-1) u kappa(-u), A (n-1) q).  Centring a symmetric state (a, o, x, b): with r = a +
    (n-2) o + x (a cluster row sum) and t = (n-1) r + (n-1) x + b the total, C G C has
    a + t/n^2 - 2 r/n on the cluster diagonal and o + t/n^2 - 2 r/n off it.  (h is not
    differentiable at q = 0: there u' is infinite and derivative arguments fail.)"""
    q = 1 + (n - 2) * r
    u = _sqrtpos(q / (n - 1))
    a, o, x, b = A, kappa(r, A, B), (n - 1) * u * kappa(-u, A, B), A * (n - 1) * q
    rc = a + (n - 2) * o + x
    shift = ((n - 1) * rc + (n - 1) * x + b) / (n * n) - 2 * rc / n
    return (o + shift) / (a + shift)


def _signed(x):
    return 1 if x > 0 else -1 if x < 0 else 0


def interval_holds(lo, hi, kind, how, n, A, B):
    """Does the interval [lo, hi] of rho have the recorded kind?  g = h - id.
    excluded: g != 0 on it, by ``how``: 'natural' (the enclosure of g), 'mean-value'
      (g(m) + g'(X)(X - m)) or 'monotone' (g' != 0 and g of one strict sign at both ends);
    root: g' != 0, g of opposite strict signs at the ends (exactly one solution, interior);
    simplex: g' != 0 and the interval holds -1/(n-1), a solution by the S_n symmetry of
      Sigma(-1/(n-1)) ~ C (only that one);
    configuration: hi = 1 and g' != 0: rho = 1 (O_n, Sigma rank one) is the only solution.
    Derivative arguments need the interval inside the domain (lo >= -1/(n-2))."""
    nb = ball(n)
    g = lambda r: curve(r, nb, A, B) - r             # noqa: E731
    X = ball(lo).union(ball(hi))
    if kind == "excluded" and how == "natural":
        return _signed(g(X)) != 0
    if lo < Fraction(-1) / (n - 2):
        return False
    dg = curve(Dual(X, (1,)), nb, A, B).g[0] - 1
    if kind == "excluded" and how == "mean-value":
        m = ball((lo + hi) / 2)
        return _signed(g(m) + dg * (X - m)) != 0
    if _signed(dg) == 0:
        return False
    ends = _signed(g(ball(lo))) * _signed(g(ball(hi)))
    simplex = Fraction(-1) / (n - 1)
    if kind == "excluded" and how == "monotone":
        return ends == 1
    if kind == "root":
        return ends == -1 and not lo <= simplex <= hi and hi < 1
    if kind == "simplex":
        return lo <= simplex <= hi and g(ball(simplex)).contains(0)
    return kind == "configuration" and hi == 1 and g(ball(hi)).contains(0)




# ---------------------------------------------------------------- two-point states, exact
def two_point_image(a, x, b, n, alpha, rs=False):
    """F of the two-point state (a, x, b) as (a', x', b') (sympy; n, alpha symbols or numbers).
    With RS (C G C rank one) the image does not depend on the state: :func:`rs_image`."""
    if rs:
        return rs_image(n, alpha)
    A, D = (1 + alpha ** 2) / 2, a - 2 * x + b
    return (A * D / n ** 2, -alpha * D * (n - 1) / n ** 2, A * D * (n - 1) ** 2 / n ** 2)


def two_point_fixed(n, alpha, rs=False):
    """The two-point fixed point up to scale (the image of any two-point state) and c."""
    import sympy

    st = rs_image(n, alpha) if rs else ((1 + alpha ** 2) / 2, -alpha * (n - 1), (1 + alpha ** 2) / 2 * (n - 1) ** 2)
    img = two_point_image(*st, n, alpha, rs)
    c = sympy.cancel(img[0] / st[0])
    if not all(zero(sympy.sympify(i - c * s)) for i, s in zip(img, st)):
        raise Rejected("the two-point state is not mapped to a multiple of itself")
    return st, c


# ---------------------------------------------------------------- two-point states: blocks for symbolic n
def multiplicity(comp, n):
    """Copies of a block's eigenvalues: trivial 1 (after the quotient by G*), standard n - 2,
    pair (n-1)(n-4)/2."""
    return {"trivial": 1, "standard": n - 2, "pair": (n - 1) * (n - 4) / 2}[comp]


@functools.lru_cache(maxsize=64)
def pattern_blocks(n, alpha, rs=False):
    """{component: immutable sympy Matrix of DF(G*)/c on one copy} at the two-point fixed point; n a
    symbol (meaning every n >= 5) or an integer >= 3.  DF(G*)[E] = f o (C E C), f = A within
    the cluster and at the odd point, alpha across.  Rejected if a copy is not invariant.  A pure
    function of (n, alpha), kept once per process: the goals of one claim ask for it many times."""
    import sympy

    if rs:
        raise Rejected("the RS map has no linearization at a two-point state")
    n = sympy.sympify(n)
    st, c = two_point_fixed(n, alpha)
    cl, size = classes(n)
    syms = sorted(n.free_symbols | sympy.sympify(alpha).free_symbols, key=str)
    K = sympy.QQ.frac_field(*syms) if syms else sympy.QQ      # exact rational functions of n, alpha: canonical
    to = lambda e: K.from_sympy(sympy.sympify(e))            # noqa: E731
    size, nK, aK, cK = {i: to(v) for i, v in size.items()}, to(n), to(alpha), to(c)
    G = pattern(cl, lambda i, j, d: to(st[2] if i == j == "o" else st[1] if "o" in (i, j) else st[0]))
    A = (1 + aK ** 2) / 2

    def L(P):
        return {k: (aK if (k[0] == "o") != (k[1] == "o") else A) * v / cK for k, v in center(P, cl, size, nK).items()}

    def same(a, b):
        return K.convert(a - b) == K.zero                    # exact in K (never equal by mistake)
    if not all(same(v, G[k]) for k, v in L(G).items()):
        raise Rejected("G* is not fixed by the scale-free linearization")
    return types.MappingProxyType({comp: sympy.ImmutableMatrix([[sympy.cancel(K.to_sympy(K.convert(x))) for x in row]
                                                                for row in M])
                                   for comp, M in blocks(G, L, cl, same).items()})
