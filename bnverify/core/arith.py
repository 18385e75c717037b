"""Arithmetic contexts: the same formula evaluated in float, exact, ball and interval arithmetic.

Like mpmath's ``fp``/``mp``/``iv`` contexts, every formula in :mod:`bnverify.core.activations` and
:mod:`bnverify.core.gram` is written once against the small interface below:

``ctx.const(x)``     convert a Python int / str rational / Fraction / sympy number
``ctx.pi``           the constant pi
``ctx.sqrt(x)``      square root of a quantity that is mathematically >= 0
``ctx.acos(x)``      arccos on the closed interval [-1, 1]
``ctx.unit(x)``      clamp to [-1, 1]: used for correlations, which are in [-1, 1] by
                     Cauchy-Schwarz, so clamping a rounding overshoot is sound
``ctx.pos(x)``       clamp to [0, inf): used for quantities that are >= 0 mathematically
``ctx.array(rows)``  a 2-D numpy array holding the context's scalars
``ctx.series(s, x)`` the even power series ``s`` (a :class:`PowerSeries`) at x: summed to the
                     working precision, or with a rigorous tail bound in balls

Matrices are numpy arrays: ``float64`` for :data:`FLOAT`, ``object`` arrays of sympy
expressions, flint ``arb`` balls, mpmath numbers or intervals, or :class:`Jet` s for the others,
so numpy's broadcasting and sums are shared by every arithmetic.  :class:`MpContext` (mpmath at
a number of digits) measures; :class:`JetContext` carries a derivative alongside each value
(forward mode over any other context), so a formula written once also gives its derivative.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np


def _exact_quotient(x, make):
    """A Fraction, "p/q" text or sympy rational as make(p) / q, rounded once by the context's division
    (make: arb, mpmath's mpf or iv.mpf); anything else as make(x)."""
    if isinstance(x, Fraction):
        return make(x.numerator) / x.denominator
    if isinstance(x, str) and "/" in x:
        p, q = x.split("/")
        return make(int(p)) / int(q)
    try:  # sympy Rational / Integer
        import sympy

        if isinstance(x, sympy.Basic):
            r = sympy.Rational(x)
            return make(int(r.p)) / int(r.q)
    except (TypeError, ImportError):
        pass
    return make(x)


@dataclass(frozen=True)
class PowerSeries:
    """sum_k coeff(k) x^(2k), coefficients exact (Fraction).  ``tail(X, K)`` bounds, for
    |x| <= X (an arb), both sum_(k>=K) |c_k| X^(2k) and sum_(k>=K) 2k |c_k| X^(2k-1) (inf where it
    cannot); ``radius``: the series is used only for |x| < radius."""

    name: str
    coeff: Callable
    tail: Callable
    radius: object = None


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

    def series(self, s, x):
        return self._series(s, x, False)[0]

    def _coeff(self, s, k):
        """The series' k-th coefficient in this context."""
        return self.const(s.coeff(k))

    def _eps(self):
        # a rigorous context must bound the rest of the series, which this sum does not
        raise NotImplementedError("no power series in %s arithmetic" % self.name)

    def _series(self, s, x, deriv):
        """(value, derivative or None), summed until the terms are below the working precision:
        no bound on the rest, so only for the contexts that measure (outside the radius the sum
        would never stop: a ValueError, as in balls)."""
        eps = self._eps()
        if s.radius is not None and not abs(x) < s.radius:
            raise ValueError("series %s outside |x| < %s" % (s.name, s.radius))
        total, p, x2, k = self.const(0), self.const(1), x * x, 0
        dtotal, dp = self.const(0), x
        while True:
            c = self._coeff(s, k)
            term = c * p
            total += term
            small = abs(term) < eps
            if deriv and k >= 1:
                dterm = 2 * k * c * dp
                dtotal += dterm
                dp = dp * x2
                small = small and abs(dterm) < eps
            if small and k > 2:
                return total, (dtotal if deriv else None)
            k, p = k + 1, p * x2


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

    def _eps(self):
        return 2.0 ** -60


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
        self._cache = {}

    @property
    def pi(self):
        return self.arb.pi()

    # one ball (the common case in the searches): the same functions as Context's, without
    # going through _map twice
    def sqrt(self, x):
        return x.nonnegative_part().sqrt() if isinstance(x, self.arb) else Context.sqrt(self, x)

    def pos(self, x):
        return x.nonnegative_part() if isinstance(x, self.arb) else Context.pos(self, x)

    def unit(self, x):
        return self._unit(x) if isinstance(x, self.arb) else Context.unit(self, x)

    def acos(self, x):
        return self._acos(self._unit(x)) if isinstance(x, self.arb) else Context.acos(self, x)

    def const(self, x):
        if isinstance(x, self.arb):
            return x
        if isinstance(x, float):
            return self.arb(x)  # exact binary value of the double
        return _exact_quotient(x, self.arb)

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

    K_MAX = 256

    def _series(self, s, x, deriv):
        """K terms and ``s.tail`` for the rest, K doubled until the tail is below 2^-prec (at
        K_MAX the wider, still rigorous, tail is used); ValueError outside the domain."""
        arb = self.arb
        X = abs(x).upper()
        if s.radius is not None and not X < s.radius:
            raise ValueError("series %s outside |x| < %s" % (s.name, s.radius))
        K = 8
        while True:
            bound = s.tail(X, K)
            if bound < arb(2) ** (-self.prec) or K >= self.K_MAX:
                break
            K *= 2
        if not bound.is_finite():
            raise ValueError("series %s: no tail bound at |x| <= %s" % (s.name, X))
        coeffs = self._coeffs(s, K)
        x2 = x * x
        total, p = arb(0), arb(1)
        dtotal, dp = arb(0), x
        for k in range(K):
            c = coeffs[k]
            total += c * p
            if deriv and k >= 1:
                dtotal += 2 * k * c * dp
                dp = dp * x2
            p = p * x2
        total += arb(0, bound)
        return total, (dtotal + arb(0, bound)) if deriv else None

    def _coeffs(self, s, K):
        have = self._cache.setdefault(s.name, [])
        while len(have) < K:
            have.append(self.const(s.coeff(len(have))))
        return have


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
        return _exact_quotient(x, self.iv.mpf)

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


class MpContext(Context):
    """mpmath numbers at ``dps`` digits: for measurement (suggests, never concludes).

    mpmath's precision is process-wide, like flint's: creating a context sets it."""

    name = "mp"

    def __init__(self, dps=50):
        import mpmath

        self.mp = mpmath.mp
        self.mp.dps = dps

    @property
    def pi(self):
        return self.mp.pi

    def const(self, x):
        return _exact_quotient(x, self.mp.mpf)

    def _sqrt(self, x):
        return self.mp.sqrt(x)

    def _acos(self, x):
        return self.mp.acos(x)

    def _unit(self, x):
        return max(min(x, self.mp.mpf(1)), self.mp.mpf(-1))

    def _pos(self, x):
        return x if x > 0 else self.mp.mpf(0)

    def _eps(self):
        return self.mp.mpf(2) ** (-self.mp.prec - 8)

    @property
    def _cache(self):
        """Values kept for the process at this precision (kappa's constants)."""
        return _MP_CACHES.setdefault(self.mp.prec, {})

    def _coeff(self, s, k):
        """Kept per (series, k, precision) for the process: the searches sum the same series
        thousands of times, each time from new contexts."""
        key = (s.name, s.coeff, k, self.mp.prec)
        if key not in _MP_COEFFS:
            _MP_COEFFS[key] = self.const(s.coeff(k))
        return _MP_COEFFS[key]


_MP_COEFFS = {}
_MP_CACHES = {}


class Jet:
    """A value and its derivative in one variable (forward mode): the series v + d e, e^2 = 0."""

    __slots__ = ("v", "d")

    def __init__(self, v, d):
        self.v, self.d = v, d

    def __repr__(self):
        return "Jet(%r, %r)" % (self.v, self.d)

    @staticmethod
    def _lift(o):
        return o if isinstance(o, Jet) else Jet(o, 0)

    def __add__(self, o):
        o = self._lift(o)
        return Jet(self.v + o.v, self.d + o.d)

    __radd__ = __add__

    def __neg__(self):
        return Jet(-self.v, -self.d)

    def __sub__(self, o):
        return self + (-self._lift(o))

    def __rsub__(self, o):
        return self._lift(o) - self

    def __mul__(self, o):
        o = self._lift(o)
        return Jet(self.v * o.v, self.d * o.v + self.v * o.d)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = self._lift(o)
        q = self.v / o.v
        return Jet(q, (self.d - q * o.d) / o.v)

    def __rtruediv__(self, o):
        return self._lift(o) / self

    def __pow__(self, k):
        out = Jet(1, 0) if k == 0 else self
        for _ in range(k - 1):
            out = out * self
        return out


def _zero(d):
    return (d == 0) is True            # certainly zero (balls and intervals answer for sure)


class JetContext(Context):
    """:class:`Jet` s over a base context: every formula written against ``ctx`` returns its
    value in the base arithmetic and its derivative in the variable made by :meth:`variable`.
    Clamps (``unit``, ``pos``) act on the value only: they are used where the quantity is in
    range mathematically, so its derivative is the one computed."""

    name = "jet"

    def __init__(self, base):
        self.base = base

    @property
    def _cache(self):
        """The base context's kept values (keys name the context: a jet's are its own)."""
        return getattr(self.base, "_cache", None)

    @property
    def pi(self):
        return Jet(self.base.pi, 0)

    def const(self, x):
        return x if isinstance(x, Jet) else Jet(self.base.const(x), 0)

    def variable(self, x):
        """x as the variable of differentiation (derivative 1)."""
        return Jet(x if isinstance(x, Jet) else self.base.const(x), self.base.const(1))

    # chain rule; a constant stays constant where f' is infinite (sqrt at 0, acos at +-1)
    def _sqrt(self, x):
        r = self.base.sqrt(x.v)
        return Jet(r, x.d if _zero(x.d) else x.d / (2 * r))

    def _acos(self, x):
        b = self.base
        return Jet(b.acos(x.v), x.d if _zero(x.d) else -x.d / (b.sqrt(1 - x.v) * b.sqrt(1 + x.v)))

    def _unit(self, x):
        return Jet(self.base.unit(x.v), x.d)

    def _pos(self, x):
        return Jet(self.base.pos(x.v), x.d)

    def series(self, s, x):
        if not isinstance(x, Jet):
            return self.base.series(s, x)
        value, deriv = self.base._series(s, x.v, True)
        return Jet(value, deriv * x.d)


class TaylorContext(Context):
    """Truncated Taylor series over balls (python-flint ``arb_series``, ``terms`` coefficients):
    :meth:`variable` makes x0 + e; a formula then returns its Taylor coefficients f^(k)(x0)/k!,
    k < terms, each enclosed for every point of the ball x0 (so over a ball x0 the last one bounds
    a Lagrange remainder).  Clamps act as the identity: they are used where the quantity is in
    range mathematically."""

    name = "taylor"

    def __init__(self, terms, prec=128):
        from flint import arb, arb_series, ctx

        self.arb, self.S, self.terms, self.prec = arb, arb_series, terms, prec
        ctx.prec = prec

    @property
    def pi(self):
        return self.S([self.arb.pi()], prec=self.terms)

    def const(self, x):
        if isinstance(x, self.S):
            return x
        return self.S([BallContext.const(self, x)], prec=self.terms)

    def variable(self, x):
        return self.S([BallContext.const(self, x), 1], prec=self.terms)

    def coeffs(self, f):
        """[f^(k)(x0)/k! for k < terms] as balls."""
        c = list(f.coeffs())
        return c + [self.arb(0)] * (self.terms - len(c))

    def _sqrt(self, x):
        return x.sqrt()

    def _acos(self, x):
        return x.acos()

    def _unit(self, x):
        return x

    def _pos(self, x):
        return x


FLOAT = FloatContext()


def get(name, **kw):
    """Context by name: 'float', 'exact', 'ball' (prec=bits), 'interval' (dps=digits), 'mp'
    (dps=digits), 'jet' (base=a context, or prec=bits for balls), 'taylor' (terms=, prec=)."""
    table = {"float": lambda: FLOAT, "exact": ExactContext, "ball": BallContext,
             "interval": IntervalContext, "mp": MpContext,
             "jet": lambda base=None, **k: JetContext(base or BallContext(**k)),
             "taylor": TaylorContext}
    if name not in table:
        raise ValueError("unknown arithmetic %r (choose float, exact, ball, interval, mp, jet, taylor)" % name)
    return table[name](**kw) if kw else table[name]()
