"""E[f(Z)] for Z ~ N(0, 1) in float64, for the tests' cross-checks: Gauss-Legendre (160 nodes) on each piece of
[-12, 12] between the cuts (a kink of f at a cut costs nothing), written here apart from the package's quadratures.
The normal mass beyond |Z| = 12 is below 2e-33, so an integrand of polynomial growth loses nothing float64 sees;
on smooth pieces the rule is exact to about 1e-14 relative (tests/test_gaussfloat.py checks it against mpmath).
Written for checks whose margins are far above that: where a verdict turns on 1e-10, use mpmath."""
import math
from fractions import Fraction

import numpy as np

_erf = np.vectorize(math.erf, otypes=[float])

_X, _W = np.polynomial.legendre.leggauss(160)
CUTS = (-12.0, -6.0, -2.0, 0.0, 2.0, 6.0, 12.0)


def expect(f, cuts=CUTS):
    """E[f(Z)] for a numpy-vectorized f, split at ``cuts`` (their ends [-12, 12])."""
    total = 0.0
    for a, b in zip(cuts, cuts[1:]):
        z = (b - a) / 2 * _X + (a + b) / 2
        total += (b - a) / 2 * float(np.sum(_W * f(z) * np.exp(-z * z / 2)))
    return total / np.sqrt(2 * np.pi)


def phi(name, alpha=1.0):
    """The activation in numpy, from its definition (not the package's registry)."""
    return {"gelu": lambda t: t * (1 + _erf(t / math.sqrt(2))) / 2,
            "silu": lambda t: t / (1 + np.exp(-np.clip(t, -700, 700))),
            "softplus": lambda t: np.logaddexp(0.0, t),
            "elu": lambda t: np.where(t > 0, t, alpha * np.expm1(np.minimum(t, 0.0)))}[name]


def two_point_S(name, n, w, s, alpha=1.0):
    """The two-point S(s) = E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2], lam^2 = w s (w, s, alpha: numbers or strings
    such as "5/2")."""
    f, lam = phi(name, float(Fraction(alpha))), np.sqrt(float(Fraction(w)) * float(Fraction(s)))
    return expect(lambda z: (f((n - 1) * lam * z / n) - f(-lam * z / n)) ** 2)
