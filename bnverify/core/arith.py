"""Arithmetic contexts: the same formula evaluated in float, exact, ball and interval arithmetic.

Like mpmath's ``fp``/``mp``/``iv`` contexts, every formula in :mod:`bnverify.core.kernels` and
:mod:`bnverify.core.gram` is written once against the small interface below:

``ctx.const(x)``     convert a Python int / str rational / Fraction / sympy number
``ctx.pi``           the constant pi
``ctx.sqrt(x)``      square root of a quantity that is mathematically >= 0
``ctx.acos(x)``      arccos on the closed interval [-1, 1]
``ctx.unit(x)``      clamp to [-1, 1]: used for correlations, which are in [-1, 1] by
                     Cauchy-Schwarz, so clamping a rounding overshoot is sound
``ctx.pos(x)``       clamp to [0, inf): used for quantities that are >= 0 mathematically
``ctx.array(rows)``  a 2-D numpy array holding the context's scalars

Matrices are numpy arrays: ``float64`` for :data:`FLOAT`, ``object`` arrays of sympy
expressions, flint ``arb`` balls or mpmath ``iv`` intervals for the others, so numpy's
broadcasting and sums are shared by all four arithmetics.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np


class Context:
    name = "abstract"

    def _map(self, f, x):
        if isinstance(x, np.ndarray):
            return np.frompyfunc(f, 1, 1)(x)
        return f(x)

    def array(self, rows):
        a = np.empty(np.shape(rows), dtype=object)
        for idx in np.ndindex(a.shape):
            a[idx] = self.const(np.asarray(rows, dtype=object)[idx])
        return a

    def sqrt(self, x):
        return self._map(self._sqrt, self.pos(x))

    def acos(self, x):
        return self._map(self._acos, self.unit(x))

    def unit(self, x):
        return self._map(self._unit, x)

    def pos(self, x):
        return self._map(self._pos, x)

    def decreasing(self, f, x):
        """f(x) for a function f known to be non-increasing: rigorous contexts evaluate it
        at the endpoints of each enclosure, which avoids the dependency blow-up of
        evaluating f's formula on a wide ball (f must map a scalar to a scalar)."""
        return self._map(lambda v: self._decreasing(f, v), x)

    def _decreasing(self, f, v):
        return f(v)


class FloatContext(Context):
    """IEEE double via numpy ufuncs (suggestive only: never used to prove)."""

    name = "float"
    pi = np.pi

    def const(self, x):
        if isinstance(x, str):
            return float(Fraction(x))
        return float(x)

    def array(self, rows):
        return np.asarray(rows, dtype=float)

    # object arrays (quotient layouts build them) are cast to float first
    def sqrt(self, x):
        return np.sqrt(np.maximum(np.asarray(x, dtype=float), 0.0))

    def acos(self, x):
        return np.arccos(np.clip(np.asarray(x, dtype=float), -1.0, 1.0))

    def unit(self, x):
        return np.clip(np.asarray(x, dtype=float), -1.0, 1.0)

    def pos(self, x):
        return np.maximum(np.asarray(x, dtype=float), 0.0)

    def decreasing(self, f, x):
        return f(x)


class ExactContext(Context):
    """sympy: exact rationals, algebraic numbers and symbols."""

    name = "exact"

    def __init__(self):
        import sympy

        self.sp = sympy
        self.pi = sympy.pi

    def const(self, x):
        if isinstance(x, float):
            raise TypeError("exact arithmetic refuses the float %r; pass a rational string" % x)
        if isinstance(x, Fraction):
            return self.sp.Rational(x.numerator, x.denominator)
        return self.sp.sympify(x, rational=True)

    def _sqrt(self, x):
        # factoring first lets sympy pull squares of non-negative factors out of the root
        # (sqrt((n-1)^2 q) = (n-1) sqrt(q) for a positive integer n), so that correlations
        # at the boundary simplify to exactly +-1
        return self.sp.sqrt(x if x.is_number else self.sp.factor(x))

    def _acos(self, x):
        return self.sp.acos(x)

    # Exact values are taken as they are: a correlation is in [-1, 1] by construction.
    def _unit(self, x):
        # Symbolic correlations (entries depending on n, alpha) are simplified so that the
        # boundary values +-1 are recognised and acos(+-1) evaluates exactly.
        return x if x.is_number else self.sp.factor(x)

    def _pos(self, x):
        return x


class BallContext(Context):
    """python-flint ``arb`` midpoint-radius balls; results contain the true value.

    flint has one process-wide working precision: creating a context sets it to ``prec``
    (a later context with fewer bits widens every later ball, never breaks containment)."""

    name = "ball"

    def __init__(self, prec=128):
        from flint import arb, ctx

        self.arb = arb
        self.prec = prec
        ctx.prec = prec

    @property
    def pi(self):
        return self.arb.pi()

    def const(self, x):
        if isinstance(x, self.arb):
            return x
        if isinstance(x, Fraction):
            return self.arb(x.numerator) / x.denominator
        if isinstance(x, float):
            return self.arb(x)  # exact binary value of the double
        if isinstance(x, str) and "/" in x:
            p, q = x.split("/")
            return self.arb(int(p)) / int(q)
        try:  # sympy Rational / Integer
            import sympy

            if isinstance(x, sympy.Basic):
                r = sympy.Rational(x)
                return self.arb(int(r.p)) / int(r.q)
        except (TypeError, ImportError):
            pass
        return self.arb(x)

    def _sqrt(self, x):
        return x.sqrt()

    def _acos(self, x):
        # acos(c) = 2 atan2(sqrt(1-c), sqrt(1+c)) stays finite on the closed interval,
        # where arb's acos returns NaN for a ball touching +-1.
        one = self.arb(1)
        return 2 * self.arb.atan2(((one - x).nonnegative_part()).sqrt(),
                                  ((one + x).nonnegative_part()).sqrt())

    def _unit(self, x):
        one = self.arb(1)
        if x.is_nan():
            return x
        if x.lower() >= 1:
            return one
        if x.upper() <= -1:
            return -one
        return x.intersection(self.arb("0 +/- 1")) if (x.upper() > 1 or x.lower() < -1) else x

    def _pos(self, x):
        return x.nonnegative_part()

    def _decreasing(self, f, v):
        if v.is_exact() or not v.is_finite():
            return f(v)
        return f(self.arb(v.upper())).union(f(self.arb(v.lower())))


class IntervalContext(Context):
    """mpmath ``iv`` intervals (an independent second rigorous arithmetic)."""

    name = "interval"

    def __init__(self, dps=30):
        from mpmath import iv

        self.iv = iv
        iv.dps = dps

    @property
    def pi(self):
        return self.iv.pi

    def const(self, x):
        iv = self.iv
        if isinstance(x, Fraction):
            return iv.mpf(x.numerator) / x.denominator
        if isinstance(x, str) and "/" in x:
            p, q = x.split("/")
            return iv.mpf(int(p)) / int(q)
        try:
            import sympy

            if isinstance(x, sympy.Basic):
                r = sympy.Rational(x)
                return iv.mpf(int(r.p)) / int(r.q)
        except (TypeError, ImportError):
            pass
        return iv.mpf(x)

    def _clamp(self, x, lo, hi):
        a, b = x.a, x.b
        a = a if lo is None or a > lo else self.iv.mpf(lo)
        b = b if hi is None or b < hi else self.iv.mpf(hi)
        if lo is not None and b < lo:
            b = self.iv.mpf(lo)
        if hi is not None and a > hi:
            a = self.iv.mpf(hi)
        return self.iv.mpf([a, b])

    def _sqrt(self, x):
        return self.iv.sqrt(x)

    def _acos(self, x):
        one = self.iv.mpf(1)
        return 2 * self.iv.atan2(self.iv.sqrt(self._pos(one - x)), self.iv.sqrt(self._pos(one + x)))

    def _unit(self, x):
        return self._clamp(x, -1, 1)

    def _pos(self, x):
        return self._clamp(x, 0, None)

    def _decreasing(self, f, v):
        lo, hi = f(self.iv.mpf(v.b)), f(self.iv.mpf(v.a))
        return self.iv.mpf([lo.a, hi.b])


FLOAT = FloatContext()


def get(name, **kw):
    """Context by name: 'float', 'exact', 'ball' (prec=bits), 'interval' (dps=digits)."""
    table = {"float": lambda: FLOAT, "exact": ExactContext, "ball": BallContext,
             "interval": IntervalContext}
    if name not in table:
        raise ValueError("unknown arithmetic %r (choose float, exact, ball, interval)" % name)
    return table[name](**kw) if kw else table[name]()
