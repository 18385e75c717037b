"""Rank growth under the infinite-width kernel (issue 13, item 4) -- the untrusted side.

* :func:`series` -- kappa's power series: kappa(rho) = B + (1+alpha)^2/4 rho + sum_{k>=1} e_{2k}
  rho^{2k}, ``e_{2k} = B binom(2k-2, k-1) / (4^{k-1} (2k-1) 2k)``, B = (1-alpha)^2/(2 pi)
  (:func:`coefficient`), compared with sympy's series of the kernel bnverify.core.activations computes.
* :func:`counterexample` -- exact point sets (rational coordinates) and null vectors of K(Sigma):
  the evidence the trusted kernel (bnverify/trusted/rank.py) re-checks for the false readings.
* :func:`kernel_eigenvalues` -- the spectrum of K(Sigma) in mpmath at 50 digits (tests).
* :func:`plane_batches` -- three plane batches with their infinite-width ranks (``bnverify rank``; the
  finite-width ranks are sampled in bnverify.sim.ranks).

Why antipodal pairs matter (docs/rank.md): phi(t) - phi(-t) = (1 + alpha) t for leaky ReLU, so
the features of a pair x, -x differ by a linear function of w, and three pairs in a plane give
a linear dependence among six features: K(Sigma) is singular with no two points positively
collinear.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..core import arith, gram
from ..core.activations import leaky

HYPOTHESES = ("nonzero", "no-positive-collinear", "pairs-independent", "no-collinear")


def coefficient(j, alpha=Fraction(0)):
    """The exact coefficient of rho^j in kappa's series (sympy; pi symbolic)."""
    import sympy
    a = sympy.Rational(alpha.numerator, alpha.denominator)
    _, B = leaky(alpha).constants(arith.get("exact"))
    if j == 0:
        return B
    if j == 1:
        return (1 + a) ** 2 / 4
    if j % 2:
        return sympy.Integer(0)
    k = j // 2
    return B * sympy.binomial(2 * k - 2, k - 1) / (4 ** (k - 1) * (2 * k - 1) * 2 * k)


def series(order, alpha=Fraction(0)):
    """sympy's series of kappa (as bnverify.core.activations writes it, exact context) to rho^order,
    as a list of coefficients, with the closed forms beside it: (series, closed)."""
    import sympy
    rho = sympy.Symbol("rho")
    k = leaky(alpha).kappa(rho, arith.get("exact"))
    poly = sympy.series(k, rho, 0, order + 1).removeO()
    got = [sympy.nsimplify(sympy.expand(poly).coeff(rho, j)) if j else poly.subs(rho, 0) for j in range(order + 1)]
    return got, [coefficient(j, alpha) for j in range(order + 1)]


def _q(x):
    return str(Fraction(x))


def counterexample(hypothesis, n, alpha=Fraction(0)):
    """A kernel-null evidence item: n points satisfying ``hypothesis`` (and no stronger one the
    construction can avoid) whose K(Sigma) has an exact null vector, or None if this
    construction has none (e.g. no-collinear with a non-linear activation: the lemma).

    - nonzero: x and 2 x (positively collinear): rows of K proportional;
    - identity (alpha = 1): K = Sigma; three points in a plane, (1,0), (0,1), (1,1);
    - no-positive-collinear: three antipodal pairs +-(1,0), +-(0,1), +-(1,1) (n >= 6);
    - abs (alpha = -1, kappa even): one antipodal pair +-(1,0), K(x, .) = K(-x, .): null (1, -1), for
      no-positive-collinear and pairs-independent.
    Further points lie on fresh axes e_3, e_4, ...: nonzero, collinear with nothing, and the
    null vector, zero there, stays null (K is the Gram matrix of the features)."""
    if hypothesis == "nonzero":
        core, null = [(1, 0), (2, 0)], [2, -1]
    elif alpha == 1 and n >= 3:
        core, null = [(1, 0), (0, 1), (1, 1)], [1, 1, -1]
    elif alpha == -1 and hypothesis in ("no-positive-collinear", "pairs-independent"):
        core, null = [(1, 0), (-1, 0)], [1, -1]
    elif hypothesis == "no-positive-collinear" and n >= 6:
        core = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1)]
        null = [1, -1, 1, -1, -1, 1]
    else:
        return None
    extra = n - len(core)
    dim = 2 + extra
    pts = [list(p) + [0] * extra for p in core] + [[int(i == 2 + j) for i in range(dim)] for j in range(extra)]
    return {"type": "kernel-null", "alpha": _q(alpha), "points": [[_q(v) for v in p] for p in pts],
            "null": [_q(v) for v in null] + ["0"] * extra}


def kernel_eigenvalues(P, alpha=Fraction(0), dps=50):
    """Eigenvalues of K(Sigma) (bnverify.core.gram.kernel) for the rows of P (numbers), mpmath at
    ``dps`` digits, ascending."""
    import mpmath
    with mpmath.workdps(dps):
        ctx = arith.get("mp", dps=dps)
        X = np.array([[ctx.const(Fraction(v)) if isinstance(v, (int, Fraction)) else ctx.const(v)
                       for v in row] for row in P], dtype=object)
        S = X.dot(X.T)
        # a zero point has a zero row: the kernel is taken on the others (it needs S_jj > 0)
        live = [j for j in range(len(X)) if S[j, j] != 0]
        K = np.full(S.shape, ctx.const(0), dtype=object)
        K[np.ix_(live, live)] = gram.kernel(S[np.ix_(live, live)], leaky(alpha), ctx)
        return sorted(mpmath.eigsy(mpmath.matrix(K.tolist()), eigvals_only=True))


def plane_batches(n):
    """Three batches of n points in the plane (columns), each with its infinite-width rank by the
    lemma (docs/rank.md; leaky ReLU with alpha < 1): the centred two-point batch (-w/n n-1 times,
    (n-1) w/n): rank 2; n directions no two collinear: n; n//2 antipodal pairs (and one lone point
    if n is odd): the pairs' directions span the plane, so n - (pairs - 2) for pairs >= 2."""
    t = np.arange(n)
    pairs = n // 2

    def circle(angles):
        return np.vstack([np.cos(angles), np.sin(angles)])
    half = circle(np.pi * (t[:pairs] + 0.5) / max(pairs, 1))
    lone = [circle(np.array([np.pi / (4 * max(pairs, 1))]))] if n % 2 else []
    return {"two-point": (np.outer([1.0, 0.0], np.r_[-np.ones(n - 1) / n, (n - 1) / n]), 2),
            "plane": (circle(np.pi * (t + 0.5) / n), n),
            "antipodal-pairs": (np.hstack([half, -half] + lone), n - max(0, pairs - 2))}
