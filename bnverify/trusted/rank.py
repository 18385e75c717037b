"""Trusted: when is the kernel matrix K(Sigma) of leaky ReLU(alpha) positive definite, and the rank
growth of the two-point batch (docs/rank.md).  Exact throughout (sympy); relu is alpha = 0,
identity alpha = 1.  Twin: bnverify.derive.rank (series, kernel matrices, counterexamples).

Checked here:

* ``series_facts``: kappa(rho) = A rho + B (sqrt(1-rho^2) - rho acos rho) has kappa(0) = B,
  kappa'(0) = (1+alpha)^2/4 and kappa'' = B f, f = (1-rho^2)^(-1/2); f solves (1-rho^2) f' = rho f,
  f(0) = 1, so its Taylor coefficients obey (j+1) a_{j+1} = j a_{j-1} with a_1 = 0, which the
  closed form a_{2m} = binom(2m, m)/4^m > 0 satisfies.  Hence the series of kappa on [-1, 1] is
  B + (1+alpha)^2/4 rho + sum_{k>=1} B a_{2k-2}/((2k)(2k-1)) rho^{2k}: every even coefficient
  > 0 iff B > 0 (alpha < 1), every odd one from rho^3 on zero.
* ``kernel-null`` items {alpha, points, null}: K(Sigma) null = 0 exactly, null != 0, for points
  with integer coordinates below 2^64 in size (sympy factors the products S_jj S_kk under the square
  roots: 16 points of 1000-bit or of 20-digit p/q coordinates ran for many minutes); the hypothesis the points satisfy is computed here (HYPOTHESES).

Taken from outside (docs/rank.md): the Schur product theorem and the Vandermonde argument that
make e_1 > 0 and e_{2k} > 0 for all k give a positive definite K(Sigma) for nonzero points with
distinct directions whose antipodal pairs have linearly independent directions; with e_1 = 0 (abs,
alpha = -1) the even terms alone (Vandermonde in <w, x_j>^2, distinct for a generic w when no two
points are collinear) give it for pairwise non-collinear points.
"""
from __future__ import annotations

from .base import Q, Rejected, alpha_in, zero

# weakest first; a point set satisfying one satisfies every earlier one
HYPOTHESES = ("nonzero", "no-positive-collinear", "pairs-independent", "no-collinear")
WORDS = {"nonzero": "no point is zero",
         "no-positive-collinear": "no point is zero and no two are positively collinear (x_j = c x_k, c > 0)",
         "pairs-independent": "no point is zero, no two are positively collinear, and the directions "
                              "of the antipodal pairs (x_j = c x_k, c < 0) are linearly independent",
         "no-collinear": "no point is zero and no two are collinear"}
MAX_POINTS = 16
# the converse: hypotheses under which K(Sigma) is singular, and the null vector each one gives
SINGULAR = {"positive-collinear": ("two of the points are positively collinear (x_k = c x_j, c > 0)",
                                   "c e_j - e_k"),
            "pairs-dependent": ("no two are positively collinear (so the antipodal pairs are disjoint) and "
                                "some antipodal pairs x_l- = -c_l x_l+ (c_l > 0) have linearly dependent "
                                "directions: sum_l z_l x_l+ = 0 with z != 0",
                                "sum_l z_l (e_{l+} - e_{l-}/c_l) (not 0)")}


def _AB(a):
    import sympy
    return (1 + a ** 2) / 2, (1 - a) ** 2 / (2 * sympy.pi)


def kappa(r, A, B):
    """kappa(r) = A r + B (sqrt(1 - r^2) - r acos r), sympy (the twin of model.kappa)."""
    import sympy
    return A * r + B * (sympy.sqrt(1 - r ** 2) - r * sympy.acos(r))


def series_facts():
    """The exact checks of the module docstring, for a symbolic alpha; Rejected if one fails.
    Then e_1 = (1+alpha)^2/4 > 0, and every even coefficient has the sign of B = (1-alpha)^2/(2 pi):
    positive for alpha != 1, zero for the identity."""
    import sympy
    r, m, a = sympy.Symbol("rho"), sympy.Symbol("m", integer=True, nonnegative=True), sympy.Symbol("alpha")
    A, B = _AB(a)
    k, f = kappa(r, A, B), 1 / sympy.sqrt(1 - r ** 2)
    closed = sympy.binomial(2 * m, m) / 4 ** m
    checks = [k.subs(r, 0) - B, sympy.diff(k, r).subs(r, 0) - (1 + a) ** 2 / 4,
              sympy.diff(k, r, 2) - B * f, (1 - r ** 2) * sympy.diff(f, r) - r * f, f.subs(r, 0) - 1,
              closed.subs(m, 0) - 1,
              sympy.gammasimp(closed.subs(m, m + 1) / closed) - sympy.Rational(1, 2) * (2 * m + 1) / (m + 1)]
    if not all(sympy.simplify(c) == 0 for c in checks):
        raise Rejected("the series of kappa did not check")
    return True


def _gram(P):
    return [[sum(x * y for x, y in zip(p, q)) for q in P] for p in P]


def level(P):
    """The index in HYPOTHESES of the strongest hypothesis the points P satisfy (-1: a zero point)."""
    import sympy
    S = _gram(P)
    if any(S[j][j] == 0 for j in range(len(P))):
        return -1
    pairs = []
    for j in range(len(P)):
        for k in range(j):
            if S[j][k] ** 2 == S[j][j] * S[k][k]:           # Cauchy-Schwarz equality: collinear
                if S[j][k] > 0:
                    return 0
                pairs.append(P[j])
    if not pairs:
        return 3
    return 2 if sympy.Matrix(pairs).rank() == len(pairs) else 1


def kernel_matrix(P, alpha):
    """K(Sigma), Sigma = P P^T for the rows of P (exact rationals): K_jj = A S_jj, K_jk =
    sqrt(S_jj S_kk) kappa(S_jk / sqrt(S_jj S_kk)) (sympy)."""
    import sympy
    A, B = _AB(sympy.Rational(alpha.numerator, alpha.denominator))
    S = [[sympy.Rational(v.numerator, v.denominator) for v in row] for row in _gram(P)]
    n = len(P)
    K = [[None] * n for _ in range(n)]
    for j in range(n):
        for k in range(n):
            d = sympy.sqrt(S[j][j] * S[k][k])
            K[j][k] = A * S[j][j] if j == k else d * kappa(S[j][k] / d, A, B)
    return K


def check_null(item):
    """A kernel-null item: the fact that K(Sigma) is singular at n points satisfying a hypothesis."""
    import sympy
    alpha = Q(item["alpha"])
    P = [[Q(v) for v in row] for row in item["points"]]
    x = [Q(v) for v in item["null"]]
    n = len(P)
    if not ((0 <= alpha <= 1 or alpha == -1) and 2 <= n <= MAX_POINTS and len(x) == n and any(x) and
            1 <= len(P[0]) <= MAX_POINTS and all(len(p) == len(P[0]) for p in P)):
        raise Rejected("a kernel-null item needs 2..%d points of one dimension, a null vector != 0 "
                       "and 0 <= alpha <= 1 or alpha = -1 (abs)" % MAX_POINTS)
    if not all(v.denominator == 1 and abs(v) < 2 ** 64 for p in P for v in p):    # sympy factors sqrt(S_jj S_kk)
        raise Rejected("a kernel-null item's coordinates are integers below 2^64 in size")   # (1000 bits: hours)
    K = kernel_matrix(P, alpha)
    for j in range(n):
        if not zero(sympy.expand(sum(K[j][k] * sympy.Rational(x[k].numerator, x[k].denominator)
                                     for k in range(n)))):
            raise Rejected("row %d of K(Sigma) null is not exactly zero" % j)
    return {"fact": "kernel-singular", "n": n, "alpha": alpha, "level": level(P)}


def definite_goal(c, Goal, need):
    """kernel-definite: for every n of the domain and every n points satisfying params.points,
    K_phi(Sigma) is positive definite (activation alone, no RC / RS)."""
    hyp = c.param("points")
    need(hyp in HYPOTHESES, "params.points is one of %s" % ", ".join(HYPOTHESES))
    need(c.stages == [] and c.activation in ("relu", "leaky_relu", "identity", "abs"),
         "kernel-definite is about K_phi alone: stages with no rc / rs, relu, leaky_relu, identity or abs")
    st = ("for %s and %s: for every Gram matrix Sigma of n points of any R^m of which %s, K_phi(Sigma) is "
          "positive definite" % (c.model_text(), c.domain_text(), WORDS[hyp]))
    want = HYPOTHESES.index(hyp)

    def against(f):
        return f["fact"] == "kernel-singular" and f["level"] >= want and alpha_in(c.alpha, f["alpha"]) and \
            c.n_lo <= f["n"] and (c.n_hi is None or f["n"] <= c.n_hi)

    def decide(facts):
        for f in facts:
            if against(f):
                return "refuted", ("K(Sigma) is singular at n = %d points satisfying the hypothesis "
                                   "(exact null vector, alpha = %s)" % (f["n"], f["alpha"]))
        identity_in = c.alpha[1] == 1 and not c.alpha[2]          # B = 0 only at alpha = 1
        pairs_ok = want >= 2 or want == 1 and c.n_hi is not None and c.n_hi <= 5
        if c.activation == "abs":       # kappa even (e_1 = 0): one antipodal pair x, -x has the null vector (1, -1)
            pairs_ok = want == 3
        if not identity_in and pairs_ok and series_facts():
            return "proved", ("kappa's series has e_1 >= 0 and every e_2k > 0 (exact); with distinct "
                              "directions and independent antipodal pairs%s (abs, e_1 = 0: none), Schur + Vandermonde "
                              "(docs/rank.md)" % (" (at most two pairs for n <= 5)" if want == 1 else ""))
        raise Rejected("no counterexample in the evidence, and %s" % (
            "the even coefficients vanish at alpha = 1 (B = 0)" if identity_in
            else "the hypothesis allows dependent antipodal pairs or collinear points"))
    return Goal(st, decide, against)


def singular_goal(c, Goal, need):
    """kernel-singular (the converse of kernel-definite): points satisfying params.points make
    K_phi(Sigma) singular, with a null vector built from the hypothesis.  K(x, y) = |x| |y|
    kappa(cos), so (positive-collinear) K(c x, y) = c K(x, y) for every y: row k = c row j;
    (pairs-dependent) K(x, y) - K(-c x, y)/c = |x| |y| (kappa(rho) - kappa(-rho)) and
    kappa(rho) - kappa(-rho) = (1 + alpha)^2 rho / 2 (checked here), i.e. (1 + alpha)^2 <x, y>/2,
    linear in x: the combination's rows sum to (1 + alpha)^2 <sum_l z_l x_l+, y>/2 = 0."""
    import sympy
    hyp = c.param("points")
    need(hyp in SINGULAR, "params.points is one of %s" % ", ".join(SINGULAR))
    need(c.stages == [] and c.activation in ("relu", "leaky_relu", "identity", "abs"),
         "kernel-singular is about K_phi alone: stages with no rc / rs, relu, leaky_relu, identity or abs")
    st = ("for %s and %s: for every Gram matrix Sigma of n nonzero points of any R^m of which %s, K_phi(Sigma) "
          "is singular: the vector %s is in its kernel" % (c.model_text(), c.domain_text(), *SINGULAR[hyp]))
    r, a, cc, X, Y = sympy.Symbol("rho"), sympy.Symbol("alpha"), *sympy.symbols("c X Y", positive=True)
    A, B = _AB(a)

    def decide(_facts):
        if hyp == "positive-collinear":     # |c x| = c |x| and cos(c x, y) = cos(x, y); at y = x: kappa(1) = A
            ok = zero((cc * X) * Y * kappa(r, A, B) - cc * (X * Y * kappa(r, A, B))) and \
                zero(kappa(sympy.Integer(1), A, B) - A)
        else:
            odd = (kappa(r, A, B) - kappa(-r, A, B)).subs(sympy.acos(-r), sympy.pi - sympy.acos(r))
            ok = zero(sympy.expand(odd - (1 + a) ** 2 * r / 2))         # acos(-rho) = pi - acos(rho)
        if not ok:
            raise Rejected("the null vector's identity did not check")
        return "proved", ("exact (sympy): %s" % ("K is positively homogeneous in each point" if hyp ==
                                                  "positive-collinear" else
                                                  "kappa(rho) - kappa(-rho) = (1 + alpha)^2 rho/2, linear"))
    return Goal(st, decide)


def growth_goal(c, Goal, need, show):
    """rank-growth: one RC + phi layer maps the Gram matrix of n-1 copies of v and one u != v
    (C G C = |u-v|^2 s s^T, rank one) to K(C G C) of rank two."""
    import sympy
    need(c.stages == ["rc"] and c.activation in ("relu", "leaky_relu", "identity", "abs"),
         "rank-growth is decided for one RC + relu / leaky_relu / identity / abs layer")
    st = ("for %s and %s: for every Gram matrix G of n-1 copies of a point v and one point u != v, "
          "C G C has rank one and K_phi(C G C) has rank two" % (c.model_text(), c.domain_text()))
    n, al = sympy.Symbol("n"), sympy.Symbol("alpha")

    def decide(_facts):
        A, B = _AB(al)
        sc, so = -1 / n, (n - 1) / n              # C G C = D s s^T, D = |u - v|^2 > 0
        # K(D s s^T) = D (|s_j s_k| kappa(sign(s_j s_k))): two distinct rows, its rank is that of
        # the 2 x 2 block of one cluster point and the odd point
        k1, km1 = kappa(sympy.Integer(1), A, B), kappa(sympy.Integer(-1), A, B)
        det = sympy.factor((sc * sc * k1) * (so * so * k1) - (sc * so * km1) ** 2)
        if c.alpha_point is not None:
            det = det.subs(al, sympy.Rational(c.alpha_point.numerator, c.alpha_point.denominator))
        if zero(det):
            return "refuted", "det of the 2 x 2 block is %s = 0 exactly: K(C G C) has rank one" % det
        show(det, ">", c)
        return "proved", "C G C = |u - v|^2 s s^T; the 2 x 2 block of K has det %s > 0 on the domain" % det
    return Goal(st, decide)
