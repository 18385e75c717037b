"""Trusted goal ``stage-fact``: a stage set's infinite-width fact (the exact rows of
``bnverify decompose``).

From the stage set alone (a subset of rc, rs, nl in this order: the claim's stages, plus nl
unless the activation is the identity), the slope alpha and the batch size n, :func:`goal`
derives the canonical statement and the numbers that decide it, all computed here.  A stage
set without a goal here (RC + NL and RC + RS + NL have the catalogue's claims; tanh; n <= 3 for
RS without RC) raises :class:`NoGoal`.

| stage set | obligation and what is computed here |
|---|---|
| none | F(G) = G: the identity's kernel constants, from the leaky formula at alpha = 1, are A = 1, B = 0 |
| rc | F(G) = C G C with C^2 = C: -2/n + n/n^2 + 1/n = 0 exactly (J^2 = n J) |
| nl, alpha < 1 (abs: -1) | f(rho) = rho + (B/A) g(rho), B/A > 0 exactly up to the factor 1/pi; the constant 4/c^2, c = (2 sqrt 2/3) B/A, as a ball in the statement |
| rc, rs | (l_i/l_j) h(l_j) - h(l_i) = 2t l_i (l_i - l_j)/((1+2t l_i)(1+2t l_j)), h(l) = l/(1+2tl), as a polynomial identity checked on a grid; the local factor (n-1)/(n+1) |
| rs, n >= 4 | E[1/chi^2_(n-1)] = 1/(n-3) (from Gamma(x+1) = x Gamma(x)); q grows by (n-1)/(n-3) |
| rs, nl, n >= 4, alpha < 1 | within the family: the weight's integrals 2/(n-1), 2/(n-3) (exact), B/A > 0, the change of variable's identity on a grid; the rate (n-3)/(n-1) |

RS then NL, within the family G = lam C + beta J/n (lam > 0, beta >= 0, r = beta/lam; docs/decompose.md):
with v = 1 + 2s in the Laplace representation of RS without RC, the next Gram matrix is in the family,
with d = G'_jj and o = G'_jk (j != k)

    d = (1/2) int_1^oo w(v) A dv = A (1 + r/(n-3)),   o = (1/2) int_1^oo w(v) kappa(c(v)) dv,
    w(v) = v^(-(n+1)/2) (n - 1 + r v) > 0,   c(v) = (r v - 1)/(r v + n - 1) in [rho, 1),

rho = (r - 1)/(r + n - 1) the input cosine.  So the output cosine o/d is a w-weighted mean of
f(c) = kappa(c)/kappa(1) = c + (B/A) g(c) > c >= rho (g > 0 on [-1, 1), as for NL alone): it exceeds
rho at every rho < 1, is continuous in rho, so rho_l increases to the only limit 1.  Near 1,
(n - 1 + r v)(1 - c(v)) = n and A - kappa(c) = A (1 - c) + O((1 - c)^(3/2)) give
d - o -> (n/2) A int_1^oo v^(-(n+1)/2) dv, hence (1 - rho')/(1 - rho) -> (n-3)/(n-1).  n <= 3: int w
diverges (E[1/chi^2_2] is infinite), the map is not finite.

Mathematics taken from outside (docs/decompose.md): the Gaussian integrals behind the RC + RS
map, acos > 0 on [-1, 1) (so g = sqrt(1 - rho^2) - rho acos rho > 0 there, g' = -acos; at alpha = -1, abs,
f(-1) = -alpha/A = 1), the series g(1 - s^2) = (2 sqrt 2/3) s^3 + O(s^5), the isotropy and
independence facts of the RS family, and the compactness step.  The untrusted twin is
bnverify.claims.decomposition, which derives each row in sympy.
"""
from __future__ import annotations

from fractions import Fraction
from itertools import product

from .base import NoGoal, Rejected


def _polynomial_identity_holds(p, degree, variables):
    """p (a function of Fractions) vanishes identically if it has degree <= ``degree`` in each
    variable and vanishes on the grid {0..degree}^variables (induction on the variables)."""
    return all(p(*map(Fraction, x)) == 0 for x in product(range(degree + 1), repeat=variables))


def _constants(a):
    """(A, B pi) of leaky ReLU(a): kappa(rho) = A rho + B (sqrt(1 - rho^2) - rho acos rho)."""
    return (1 + a * a) / 2, (1 - a) ** 2 / 2


def _nl_constant(ratio_pi):
    """(4/c^2, c) as 12-digit text, c = (2 sqrt 2/3) B/A, B/A = ratio_pi/pi (balls)."""
    from flint import arb, ctx
    with ctx.workprec(128):
        c = arb(2).sqrt() * 2 / 3 * (arb(ratio_pi.numerator) / ratio_pi.denominator) / arb.pi()
        return (4 / (c * c)).str(12, radius=False), c.str(12, radius=False)


def goal(stages, alpha, n):
    """(canonical statement, reason) of a stage set (tuple, model order) at slope alpha and
    batch size n; Rejected if a number computed here does not hold, NoGoal if there is no goal."""
    stages = tuple(stages)          # in the model's order: the kernel's Claim admits no other (STAGE_FORMS)
    if type(n) is not int or n < 2:
        raise Rejected("n = %r is not an integer >= 2" % (n,))
    a = Fraction(alpha)
    if stages == ():
        A, B_pi = _constants(Fraction(1))              # the identity is leaky ReLU(1)
        if (A, B_pi) != (1, 0):
            raise Rejected("the identity's kernel is not rho")
        return "for n = %d: F(G) = G for every Gram matrix G (no stage)" % n, "kappa(rho) = rho: A = 1, B = 0 (exact)"
    if stages == ("rc",):
        if Fraction(-2, n) + Fraction(n, n * n) + Fraction(1, n) != 0:
            raise Rejected("C^2 != C")
        return ("for n = %d: F(G) = C G C with C = I - 11^T/n and C^2 = C" % n,
                "C^2 = I - 2J/n + J^2/n^2 = C as J^2 = n J (exact)")
    if stages == ("nl",):
        if not a < 1:               # abs (alpha = -1) too: B/A > 0 is all the lemma uses
            raise NoGoal("NL alone: only leaky ReLU with alpha < 1 (relu: 0, abs: -1)")
        A, B_pi = _constants(a)                        # B = B_pi / pi
        if not B_pi / A > 0:
            raise Rejected("B/A is not positive")
        gap, c = _nl_constant(B_pi / A)
        which = "below 1" if -a != A else "in (-1, 1)"        # abs: kappa(-1) = -alpha = A = kappa(1)
        return ("for every n (here %d), NL = leaky ReLU(%s): every pairwise correlation %s increases to 1, "
                "and then l^2 (1 - rho_l) -> 4/c^2 = %s, where c = (2 sqrt 2/3) B/A = %s%s" % (
                    n, a, which, gap, c, "" if -a != A else "; an antipodal pair (-1) is at 1 after one layer"),
                "B/A = %s/pi > 0 (exact); 4/c^2 and c as 128-bit balls" % (B_pi / A))
    if stages == ("rc", "rs"):
        # times (1 + 2t li)(1 + 2t lj): li (1 + 2t li) - li (1 + 2t lj) - 2t li (li - lj) = 0
        identity = lambda t, li, lj: li * (1 + 2 * t * li) - li * (1 + 2 * t * lj) - 2 * t * li * (li - lj)  # noqa: E731
        if not _polynomial_identity_holds(identity, 2, 3):
            raise Rejected("the contraction identity fails")
        return ("for n = %d, RC + RS: F(G) = n E[z z^T/|z|^2] keeps the eigenvectors of C G C, shrinks every "
                "ratio of its unequal non-zero eigenvalues, and G -> n/(n-1) C (the regular simplex) from every "
                "start with C G C of rank n - 1; near it by the factor %s per layer" % (n, Fraction(n - 1, n + 1)),
                "the contraction identity (a polynomial identity, on a grid) and the local factor (exact)")
    if stages == ("rs",):
        if n < 4:
            raise NoGoal("RS alone at n = %d: E[1/chi^2_%d] is infinite" % (n, n - 1))
        x = Fraction(n - 1, 2)                   # Gamma(x - 1)/(2 Gamma(x)) = 1/(2 (x - 1))
        inv = 1 / (2 * (x - 1))
        return ("for n = %d, RS alone, from G = lam C + beta 11^T/n with lam > 0 and beta > 0: q = beta/lam grows "
                "by %s per layer and every pairwise cosine rises to 1" % (n, (n - 1) * inv),
                "E[1/chi^2_%d] = %s from Gamma(x + 1) = x Gamma(x) (exact)" % (n - 1, inv))
    if stages == ("rs", "nl"):
        if n < 4:
            raise NoGoal("RS then NL at n = %d: E[1/chi^2_%d] is infinite, the map is not finite" % (n, n - 1))
        if not a < 1:
            raise NoGoal("RS then NL: only leaky ReLU with alpha < 1 (relu: 0, abs: -1)")
        A, B_pi = _constants(a)
        if not B_pi / A > 0:
            raise Rejected("B/A is not positive")
        # int_1^oo v^-(k/2) dv = 2/(k - 2) for k > 2: k = n + 1 (the 1/v part) and k = n - 1 (the r v part)
        w1, w2 = Fraction(2, n - 1), Fraction(2, n - 3)
        if Fraction(1, 2) * ((n - 1) * w1) != 1:
            raise Rejected("d/A is not 1 + r/(n-3)")
        # (n - 1 + r v)(1 - c) = n with c = (r v - 1)/(r v + n - 1), times (r v + n - 1): a polynomial in (r, v)
        change = lambda r, v: (n - 1 + r * v) * ((r * v + n - 1) - (r * v - 1)) - n * (r * v + n - 1)  # noqa: E731
        if not _polynomial_identity_holds(change, 2, 2):
            raise Rejected("the change of variable's identity fails")
        rate = (n * w1 / 2) / (n * w2 / 2)
        return ("for n = %d, RS then NL = leaky ReLU(%s) without RC, within the family G = lam C + beta 11^T/n "
                "(lam > 0, beta >= 0; it holds the Gaussian batch G = I): the family is invariant and every start "
                "in it collapses, every pairwise cosine rising strictly to 1, 1 - cos shrinking by %s per layer "
                "in the limit; starts outside the family are not covered" % (n, a, rate),
                "the weight's integrals %s and %s (exact, finite as n >= 4), B/A = %s/pi > 0 (exact), the change "
                "of variable's identity (a polynomial identity, on a grid)" % (w1, w2, B_pi / A))
    raise NoGoal("no trusted goal for the stage set %s (RC + NL and RC + RS + NL: the catalogue's claims)"
                 % (",".join(stages) or "none"))
