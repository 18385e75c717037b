"""Pieces between an activation's kinks, and Gaussian tail bounds: the parts the integral
route (``dual_kernel``) and Mehler's series (``mehler``) share.

    int_{|t-m| >= L} C e^(beta|t|) |N(t; mu, s^2)| dt
        <= C e^(beta(|m|+delta)) e^(iota^2/(2 s^2)) e^(beta^2 s^2/2) erfc((L - delta - beta s^2)/(s sqrt 2))

for |Re mu - m| <= delta <= L and |Im mu| <= iota.
"""
from __future__ import annotations

import math
from fractions import Fraction

from flint import arb, fmpq

from . import formula as F


def exact(v):
    """The rational v as an arb (exact where binary allows, else a tight ball)."""
    v = Fraction(v)
    return arb(fmpq(v.numerator, v.denominator))


class Piecewise:
    """A formula compiled once per piece between its kinks (so each piece is analytic)."""

    def __init__(self, tree):
        self.tree, self.kinks, self._cache = tree, F.kinks(tree), {}

    def on(self, lo, hi):
        """The acb function on the piece holding the floats lo < hi (no kink between them)."""
        mid = Fraction((lo + hi) / 2)
        i = sum(1 for k in self.kinks if k < mid)
        if i not in self._cache:
            ks = self.kinks
            ref = (Fraction(0) if not ks else ks[0] - 1 if i == 0 else ks[-1] + 1 if i == len(ks)
                   else (ks[i - 1] + ks[i]) / 2)
            self._cache[i] = F.acb_function(F.resolve(self.tree, ref))
        return self._cache[i]


def exp_growth(tree, scale):
    """(C, beta) as arbs with |f(t)| <= C e^(beta |t|), the polynomial factor absorbed at
    ``scale`` (the standard deviation the tail is taken against)."""
    return F.growth(tree).exponential(1 / exact(scale) if not isinstance(scale, arb) else 1 / scale)


def tail(C, beta, s, L, m=arb(0), delta=arb(0), iota=arb(0)):
    """The tail bound of the module docstring (an arb upper bound)."""
    z = (L - delta - beta * s * s) / (s * arb(2).sqrt())
    return (C * (beta * (abs(m) + delta)).exp() * (iota * iota / (2 * s * s)).exp()
            * (beta * beta * s * s / 2).exp() * z.erfc()).upper()


def cutoff(C, beta, s, tol, m=0.0, delta=0.0, iota=0.0):
    """A float L with the tail bound below ``tol`` (chosen in floats; the bound is then
    computed rigorously)."""
    # log C in Arb: C itself may be past floats (the polynomial factor absorbed at scale 1e-3 costs
    # e^1000) while the cut-off it asks for is an ordinary number
    Cu = C.upper() if isinstance(C, arb) else arb(C)
    logC = float(Cu.log().upper()) if Cu > 0 else math.log(1e-300)
    lc = max(logC, math.log(1e-300)) + float(beta) * (abs(m) + delta) + iota * iota / (2 * s * s) \
        + float(beta) ** 2 * s * s / 2 - math.log(tol)
    z = math.sqrt(max(lc, 0.0)) + 1.0
    L = delta + float(beta) * s * s + s * math.sqrt(2) * z
    if not math.isfinite(L):        # e^(beta^2 s^2/2) past floats (q1 = 1e-6 against q2 = 1e6)
        raise CutoffOverflow("the Gaussian tail cut-off overflows floats (growth rate %.3g at scale %.3g)"
                             % (float(beta), s))
    return L


class CutoffOverflow(ArithmeticError):
    """No float cut-off: the growth bound against the scale overflows (the caller reports it
    as inconclusive, not as a traceback)."""


def breaks(lo, hi, kinks):
    """Piece ends as arbs: exact kinks, so adjacent pieces meet exactly."""
    pts = [(lo, arb(lo))] + [(float(k), exact(k)) for k in kinks if lo < float(k) < hi] + [(hi, arb(hi))]
    return [(a[0], b[0], a[1], b[1]) for a, b in zip(pts[:-1], pts[1:])]


