"""The trusted checker's own model of the infinite-width dynamics (the README's model section), written
independently of bnverify.core; each function is paired with its untrusted twin below, and
tests/test_trusted.py evaluates every pair at the same points.

| trusted (here)                                | untrusted twin                                         |
|-----------------------------------------------|--------------------------------------------------------|
| kappa, kernel_constants                       | bnverify.core.kernels.kappa / Activation constants     |
| center                                        | bnverify.core.gram (C G C)                             |
| two_point_image                               | bnverify.derive.symbolic.fixed_point (one RC step)     |
| rs_image                                      | bnverify.derive.rs.fixed_point                         |
| pattern_blocks                                | bnverify.core.symmetry blocks at the configuration     |
| symmetric_gram, reduced_map, symmetric_blocks | bnverify.core.symmetry / derive                        |
| curve                                         | bnverify.derive.curve: the reduction curve h(rho)      |
| basins.check_basin_cover                      | bnverify.derive.basins (cover, segments, basins)       |
| gershgorin_bound                              | bnverify.derive.spectra: the block spectra             |
| alln.quantities                               | bnverify.derive.alln.branch (G, E, cosines in t = 1/n) |
| alln.stability_criteria                       | bnverify.derive.alln_stability.scaled (block margins)  |
| simplex.simplex_criteria                      | bnverify.derive.simplex_alln.criteria (closed forms)   |
| rank.kappa, rank.kernel_matrix (sympy)        | bnverify.core.kernels kappa, bnverify.core.gram.kernel |
| stages.goal (the rows' exact numbers)         | bnverify.claims.decomposition (the rows' derivations)  |

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
  n = 3: standard x2).  :func:`pattern_blocks` computes DF/c on one copy of each component
  for symbolic n (entries grouped by index class: cluster points 0..3, the rest R, the odd
  point) and CHECKS that the copy is invariant (DF of each basis matrix is, entry by entry,
  the combination the block says).  A component of the standard type built from a sum-zero
  cluster vector x is linear in x and the permutations of e_0 - e_1 span all such x, so its
  block has multiplicity n - 2; the pair type's multiplicity is (n-1)(n-4)/2 (the dimension of
  the S_{n-1} irreducible (n-3, 2)).  This representation theory is the one mathematical
  fact taken from outside; the dimension count n(n+1)/2 is re-checked.
"""
from __future__ import annotations

from fractions import Fraction

from .base import Q, Rejected, ball, zero

# ---------------------------------------------------------------- the model: rank-one case
def center(G):
    """C G C: G_jk - r_j/n - r_k/n + t/n^2 (r row sums, t the total)."""
    n = len(G)
    r = [sum(row) for row in G]
    t = sum(r)
    return [[G[j][k] - r[j] / n - r[k] / n + t / (n * n) for k in range(n)] for j in range(n)]


def factors(S, alpha):
    """f_jk = A if S_jk > 0 else alpha, after checking that every correlation is +-1."""
    n = len(S)
    if any(S[j][j] <= 0 for j in range(n)) or \
            any(S[j][k] * S[j][k] != S[j][j] * S[k][k] for j in range(n) for k in range(n)):
        raise Rejected("the centred Gram matrix is not rank one with positive diagonal")
    A = (1 + alpha * alpha) / 2
    return [[A if S[j][k] > 0 else alpha for k in range(n)] for j in range(n)]


def configuration(n, alpha):
    """G = K(s s^T), s = (-1/n, ..., -1/n, (n-1)/n): the configuration's Gram matrix."""
    s = [Fraction(-1, n)] * (n - 1) + [Fraction(n - 1, n)]
    S = [[sj * sk for sk in s] for sj in s]
    f = factors(S, alpha)
    return [[f[j][k] * S[j][k] for k in range(n)] for j in range(n)]


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


def _kernel_entry(S, j, k, A, B):
    if j == k:
        return A * S[j][j]
    d = (S[j][j] * S[k][k]).sqrt()
    rho = S[j][k] / d
    v = rho.v if isinstance(rho, Dual) else rho
    if not (v.is_finite() and v.lower() >= -1 and v.upper() <= 1):
        raise Rejected("a correlation is not certainly in [-1, 1] on the box")
    return d * kappa(rho, A, B)


def symmetric_gram(n, o, x, b):
    """Gram matrix of the symmetric state (cluster diagonal 1, off-diagonal o, cross x, odd b)."""
    G = [[1 if j == k else o for k in range(n)] for j in range(n)]
    for j in range(n - 1):
        G[j][n - 1] = G[n - 1][j] = x
    G[n - 1][n - 1] = b
    return G


def reduced_map(s, n, A, B):
    """(T(s), F_a): T(o, x, b) = (F_o, F_x, F_b) / F_a, F = K(C G C)."""
    S = center(symmetric_gram(n, *s))
    Fa = _kernel_entry(S, 0, 0, A, B)
    return [_kernel_entry(S, j, k, A, B) / Fa for j, k in ((0, 1), (0, n - 1), (n - 1, n - 1))], Fa


def basis(component, n):
    """Basis matrices of one copy of a component, and the entries giving coordinates in it.
    Cluster 0..n-2, odd point n-1; x = e_0 - e_1, y = e_2 - e_3 (sum-zero cluster vectors).
    trivial: I_c, O_c (11^T - I on the cluster), X (cluster-odd), E (odd diagonal);
    standard: diag(x), x1^T + 1x^T off the diagonal (absent for n = 3), cross x;
    pair: x y^T + y x^T (n >= 5)."""
    od = n - 1
    cl = range(n - 1)
    x = [1, -1] + [0] * (n - 2)
    y = [0, 0, 1, -1] + [0] * (n - 4)

    def mat(f):
        return [[f(j, k) for k in range(n)] for j in range(n)]
    if component == "trivial":
        return ([mat(lambda j, k: int(j == k and j in cl)), mat(lambda j, k: int(j != k and j in cl and k in cl)),
                 mat(lambda j, k: int((j == od) != (k == od))), mat(lambda j, k: int(j == k == od))],
                [(0, 0), (0, 1), (0, od), (od, od)])
    if component == "standard":
        D = mat(lambda j, k: x[j] if j == k and j in cl else 0)
        O = mat(lambda j, k: x[j] + x[k] if j != k and j in cl and k in cl else 0)
        X = mat(lambda j, k: x[j] if k == od and j in cl else x[k] if j == od and k in cl else 0)
        return ([D, X], [(0, 0), (0, od)]) if n == 3 else ([D, O, X], [(0, 0), (0, 2), (0, od)])
    return [mat(lambda j, k: x[j] * y[k] + y[j] * x[k])], [(0, 2)]


def symmetric_blocks(s, n, A, B):
    """{component: block of DF(G_s)/c}, c = F(G_s)_00; the trivial block is taken on the
    quotient by the direction g = (1, o, x, b) of G_s itself (eigenvalue 1, dropped)."""
    G = symmetric_gram(n, *s)
    _, c = reduced_map(s, n, A, B)
    out = {}
    for comp in ["trivial", "standard"] + (["pair"] if n >= 5 else []):
        mats, reads = basis(comp, n)
        cols = []
        for E in mats:
            S = center([[Dual(G[j][k], (E[j][k],)) for k in range(n)] for j in range(n)])
            cols.append([_kernel_entry(S, j, k, A, B).g[0] / c for j, k in reads])
        M = [list(row) for row in zip(*cols)]
        if comp == "trivial":          # basis (E1, E2, E3, g): keep the leading 3 x 3 block
            g = [1] + list(s)
            M = [[M[i][j] - g[i] / g[3] * M[3][j] for j in range(3)] for i in range(3)]
        out[comp] = M
    return out


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


# ---------------------------------------------------------------- pattern matrices, symbolic n
def _classes(n):
    """Index classes of the cluster (points 0..3 and the rest R) and their sizes."""
    import sympy

    if n == 3:
        cl = ["0", "1"]
    elif n == 4:
        cl = ["0", "1", "2"]
    else:
        cl = ["0", "1", "2", "3", "R"]
    size = {c: 1 for c in cl + ["o"]}
    if "R" in size:
        size["R"] = n - 5
    return cl, {k: sympy.sympify(v) for k, v in size.items()}


def _keys(cl):
    every = cl + ["o"]
    return [(i, j) for i in every for j in every] + ([("R", "R", "d")] if "R" in cl else [])


def _pattern(cl, f):
    """Pattern matrix: entry (i, j) for classes i, j (off the diagonal when i == j == 'R'),
    and (R, R, 'd') the diagonal inside R.  f(i, j, diagonal)."""
    return {k: f(k[0], k[1], len(k) == 3 or (k[0] == k[1] and k[0] != "R")) for k in _keys(cl)}


def _center_pattern(P, cl, size, n):
    every = cl + ["o"]
    r = {}
    for i in every:
        r[i] = sum(size[j] * P[(i, j)] for j in every if not (i == j == "R"))
        if i == "R":
            r[i] += P[("R", "R", "d")] + (size["R"] - 1) * P[("R", "R")]
    t = sum(size[i] * r[i] for i in every)
    return {k: P[k] - r[k[0]] / n - r[k[1]] / n + t / n ** 2 for k in P}


def _L(P, cl, size, n, alpha, c):
    """DF(G*)[P] / c = f o (C P C) / c at the two-point state."""
    A = (1 + alpha ** 2) / 2
    CP = _center_pattern(P, cl, size, n)
    return {k: (alpha if (k[0] == "o") != (k[1] == "o") else A) * v / c for k, v in CP.items()}


def _basis_patterns(comp, cl):
    """(basis matrices of one copy, entries read as coordinates): cf. :func:`basis`."""
    x = {"0": 1, "1": -1}
    y = {"2": 1, "3": -1}
    X_, Y_ = (lambda i: x.get(i, 0)), (lambda i: y.get(i, 0))
    cluster = lambda i: i != "o"                                          # noqa: E731
    if comp == "trivial":
        return ([_pattern(cl, lambda i, j, d: int(d and cluster(i))),
                 _pattern(cl, lambda i, j, d: int(not d and cluster(i) and cluster(j))),
                 _pattern(cl, lambda i, j, d: int((i == "o") != (j == "o"))),
                 _pattern(cl, lambda i, j, d: int(i == j == "o"))],
                [("0", "0"), ("0", "1"), ("0", "o"), ("o", "o")])
    if comp == "standard":
        D = _pattern(cl, lambda i, j, d: X_(i) if d and cluster(i) else 0)
        O = _pattern(cl, lambda i, j, d: X_(i) + X_(j) if not d and cluster(i) and cluster(j) else 0)
        X = _pattern(cl, lambda i, j, d: X_(i) if j == "o" and cluster(i) else X_(j) if i == "o" and cluster(j) else 0)
        if len(cl) == 2:
            return [D, X], [("0", "0"), ("0", "o")]
        return [D, O, X], [("0", "0"), ("0", "2"), ("0", "o")]
    return [_pattern(cl, lambda i, j, d: X_(i) * Y_(j) + Y_(i) * X_(j))], [("0", "2")]


def multiplicity(comp, n):
    """Copies of a block's eigenvalues: trivial 1 (after the quotient by G*), standard n - 2,
    pair (n-1)(n-4)/2."""
    return {"trivial": 1, "standard": n - 2, "pair": (n - 1) * (n - 4) / 2}[comp]


def pattern_blocks(n, alpha, rs=False):
    """{component: sympy Matrix of DF(G*)/c on one copy} at the two-point fixed point; n a
    symbol (meaning every n >= 5) or 3, 4, or any integer.  Rejected if a copy is not
    invariant (the model would then be wrong)."""
    import sympy

    if rs:
        raise Rejected("the RS map has no linearization at a two-point state")
    st, c = two_point_fixed(n, alpha)
    cl, size = _classes(n if not isinstance(n, int) or n <= 4 else 5)
    if isinstance(n, int) and n > 4:
        size["R"] = sympy.Integer(n - 5)
    G = _pattern(cl, lambda i, j, d: st[0] if i != "o" and j != "o" else st[2] if i == j == "o" else st[1])
    comps = ["trivial", "standard"] + (["pair"] if "3" in cl else [])
    out = {}
    for comp in comps:
        mats, reads = _basis_patterns(comp, cl)
        cols = []
        for E in mats:
            LE = _L(E, cl, size, n, alpha, c)
            col = [sympy.cancel(LE[r]) for r in reads]
            back = {k: sum(cf * M[k] for cf, M in zip(col, mats)) for k in LE}
            if not all(zero(sympy.sympify(LE[k] - back[k])) for k in LE):
                raise Rejected("the %s copy is not invariant: the model is inconsistent" % comp)
            cols.append(col)
        M = sympy.Matrix(cols).T
        if comp == "trivial":           # quotient by the direction g of G* (eigenvalue 1)
            g = [G[r] for r in reads]
            LG = _L(G, cl, size, n, alpha, c)
            if not all(zero(sympy.sympify(LG[k] - G[k])) for k in G):
                raise Rejected("G* is not fixed by the scale-free linearization")
            M = sympy.Matrix(3, 3, lambda i, j: sympy.cancel(M[i, j] - g[i] / g[3] * M[3, j]))
        out[comp] = M
    return out
