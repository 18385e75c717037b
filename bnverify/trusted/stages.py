"""Trusted goals for the stage ablation's exact rows (``bnverify decompose``).

From a row's structure alone -- the stage set (a subset of rc, rs, nl, in this order), the
activation's slope alpha and the batch size n -- :func:`goal` derives the obligation, its
canonical statement and the numbers that decide it, computed here; :func:`check` accepts a
certificate only if it is of the goal's kind, for the same n, and its numbers are the
goal's.  A stage set without a goal here (RC + NL and RC + RS + NL go through the claim
kernel; RS + NL, tanh, n <= 3 for RS alone) raises :class:`NoGoal`.

| stage set | obligation and what is computed here |
|---|---|
| none | F(G) = G: the identity's kernel constants, from the leaky formula at alpha = 1, are A = 1, B = 0 exactly |
| rc | F(G) = C G C with C^2 = C: -2/n + n/n^2 = -1/n exactly (J^2 = n J) |
| nl, 0 <= alpha < 1 | f(rho) = rho + (B/A) g(rho), B/A > 0 exactly up to the factor 1/pi; the constant 4/c^2, c = (2 sqrt 2/3) B/A, as a ball |
| rc, rs | (l_i/l_j) h(l_j) - h(l_i) = 2t l_i (l_i - l_j)/((1+2t l_i)(1+2t l_j)), h(l) = l/(1+2tl), as a polynomial identity checked on a grid; the local factor (n-1)/(n+1) |
| rs, n >= 4 | E[1/chi^2_(n-1)] = 1/(n-3) (from Gamma(x+1) = x Gamma(x)); q grows by (n-1)/(n-3) |

Mathematics taken from outside, as in the module table of decomposition.py: the
Gaussian integrals behind the RC + RS map, acos > 0 on [-1, 1), the series
g(1 - s^2) = (2 sqrt 2/3) s^3 + O(s^5) (re-derived by bnverify.claims.decomposition.recheck in
sympy), the isotropy and independence facts of the RS family, and the compactness step.
"""
from __future__ import annotations

from fractions import Fraction
from itertools import product

from .base import Rejected, dyadic

ORDER = ("rc", "rs", "nl")


class NoGoal(Exception):
    """No obligation here for this stage set."""


def _polynomial_identity_holds(p, degree, variables):
    """p (a function of Fractions) vanishes identically if it has degree <= ``degree`` in each
    variable and vanishes on the grid {0..degree}^variables (induction on the variables)."""
    return all(p(*map(Fraction, x)) == 0 for x in product(range(degree + 1), repeat=variables))


def _constants(a):
    """(A, B pi) of leaky ReLU(a): kappa(rho) = A rho + B (sqrt(1 - rho^2) - rho acos rho)."""
    return (1 + a * a) / 2, (1 - a) ** 2 / 2


def goal(stages, alpha, n):
    """(kind, canonical statement, {name: exact value}) for a stage set (tuple, model order)."""
    stages = tuple(stages)
    if any(s not in ORDER for s in stages) or list(stages) != sorted(stages, key=ORDER.index):
        raise Rejected("stages %s are not a subset of rc, rs, nl in this order" % (stages,))
    if type(n) is not int or n < 2:
        raise Rejected("n = %r is not an integer >= 2" % (n,))
    a = Fraction(alpha) if alpha is not None else None
    if "nl" in stages and a == 1:                  # the identity: the row without NL
        stages = tuple(s for s in stages if s != "nl")
    if stages == ():
        A, B_pi = _constants(Fraction(1))              # the identity is leaky ReLU(1)
        return "identity-map", "for n = %d: F(G) = G for every Gram matrix G (no stage)" % n, {"A": A, "B_pi": B_pi}
    if stages == ("rc",):
        return ("centring-projection", "for n = %d: F(G) = C G C with C = I - 11^T/n and C^2 = C" % n,
                {"C2_minus_C_coefficient": Fraction(-2, n) + Fraction(n, n * n) + Fraction(1, n)})
    if stages == ("nl",):
        if a is None or not 0 <= a < 1:
            raise NoGoal("NL alone: only leaky ReLU with 0 <= alpha < 1 (relu: alpha = 0)")
        A, B_pi = _constants(a)                        # B = B_pi / pi
        return ("nl-collapse", "for every n (here %d), NL = leaky ReLU(%s): every pairwise correlation "
                "increases to 1, and l^2 (1 - rho_l) -> 4/c^2" % (n, a),
                {"B_over_A_times_pi": B_pi / A})
    if stages == ("rc", "rs"):
        return ("centred-rescaling", "for n = %d, RC + RS: F(G) = n E[z z^T/|z|^2] keeps the eigenvectors "
                "of C G C, shrinks every ratio of its unequal non-zero eigenvalues, and G -> C from every "
                "start of rank n - 1; near C by the factor %s per layer" % (n, Fraction(n - 1, n + 1)),
                {"local_factor": Fraction(n - 1, n + 1)})
    if stages == ("rs",):
        if n < 4:
            raise NoGoal("RS alone at n = %d: E[1/chi^2_%d] is infinite" % (n, n - 1))
        x = Fraction(n - 1, 2)                   # Gamma(x - 1)/(2 Gamma(x)) = 1/(2 (x - 1))
        inv = 1 / (2 * (x - 1))
        return ("uncentred-rescaling", "for n = %d, RS alone, from G = lam C + beta 11^T/n: q = beta/lam grows "
                "by %s per layer and every pairwise cosine rises to 1" % (n, (n - 1) * inv),
                {"inverse_chi2_mean": inv, "q_step": (n - 1) * inv})
    raise NoGoal("no trusted goal for the stage set %s" % (",".join(stages) or "none"))


def _number(cert, key):
    v = cert.get(key)
    if not isinstance(v, str) or len(v) > 200:
        raise Rejected("certificate field %s is not a short number" % key)
    try:
        return Fraction(v)
    except (ValueError, ZeroDivisionError):
        raise Rejected("certificate field %s = %r is not an exact rational" % (key, v))


def check(stages, alpha, n, cert):
    """The canonical statement if the certificate proves the goal of (stages, alpha, n);
    raises Rejected otherwise (NoGoal where there is no goal)."""
    from flint import arb, ctx

    kind, statement, numbers = goal(stages, alpha, n)
    if not isinstance(cert, dict) or cert.get("kind") != kind:
        raise Rejected("the certificate is not of kind %s" % kind)
    if "n" in cert and cert["n"] != n:
        raise Rejected("the certificate is about n = %r, the goal about n = %d" % (cert["n"], n))
    if kind == "identity-map":
        if cert.get("kappa_identity") != "rho" or numbers["A"] != 1 or numbers["B_pi"] != 0:
            raise Rejected("the identity's kernel is not rho")
    elif kind == "centring-projection":
        if numbers["C2_minus_C_coefficient"] != 0:
            raise Rejected("C^2 != C")
    elif kind == "nl-collapse":
        ratio_pi = numbers["B_over_A_times_pi"]
        if ratio_pi <= 0:
            raise Rejected("B/A is not positive")
        ball = cert.get("limit_l2_gap")
        if not isinstance(ball, dict) or set(ball) != {"mid", "rad"}:
            raise Rejected("limit_l2_gap is not a ball")
        with ctx.workprec(128):
            mid = dyadic(ball["mid"])
            rad = dyadic(ball["rad"])
            c = arb(2).sqrt() * 2 / 3 * (arb(ratio_pi.numerator) / ratio_pi.denominator) / arb.pi()
            mine = 4 / (c * c)
            theirs = arb(mid.numerator) / mid.denominator + arb(0, arb(rad.numerator) / rad.denominator)
            if rad < 0 or not theirs.overlaps(mine) or rad > Fraction(1, 10 ** 20) * abs(mid):
                raise Rejected("the constant 4/c^2 is not the goal's")
            statement += " = %s, where c = (2 sqrt 2/3) B/A = %s" % (mine.str(12, radius=False),
                                                                     c.str(12, radius=False))
    elif kind == "centred-rescaling":
        # times (1 + 2t li)(1 + 2t lj): li (1 + 2t li) - li (1 + 2t lj) - 2t li (li - lj) = 0
        identity = lambda t, li, lj: li * (1 + 2 * t * li) - li * (1 + 2 * t * lj) - 2 * t * li * (li - lj)
        if not _polynomial_identity_holds(identity, 2, 3):
            raise Rejected("the contraction identity fails")
        if _number(cert, "local_factor") != numbers["local_factor"]:
            raise Rejected("the local factor is not %s" % numbers["local_factor"])
    elif kind == "uncentred-rescaling":
        for key in ("inverse_chi2_mean", "q_step"):
            if _number(cert, key) != numbers[key]:
                raise Rejected("%s is not %s" % (key, numbers[key]))
    return statement


__all__ = ["NoGoal", "goal", "check"]
