"""Enclosures as values: :class:`Interval`, a closed interval [lo, hi] of the reals with exact
endpoints, the one form in which the Python API hands out an enclosure (bnverify.api); and
:func:`outward_decimal`, the rounding of an exact number to a decimal bound that every printed
enclosure uses.

An endpoint given as a decimal string, an integer, a Fraction or a float is kept exactly, as a
:class:`fractions.Fraction` (a float is the dyadic rational it is); an infinite one (the text
"inf", or a float) stays a float.  ``x in iv`` is exact for such numbers; a sympy expression is
compared at 50 digits (a numerical check, like the one that places a closed form inside its
enclosure in ``bnverify simplex``).  The repr shows each end rounded outward to 11 significant
digits, so it is still an enclosure: ``[0.86602540378, 0.86602540379]``.
"""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

DIGITS = 11             # significant digits of each end in the repr


def outward_decimal(q, digits, up):
    """q rounded outward (up or down) to ``digits`` significant decimal digits, as a string."""
    if q == 0:
        return "0"
    e = math.floor(math.log10(abs(q.numerator)) - math.log10(q.denominator)) - digits + 1
    scaled = q / Fraction(10) ** e if e >= 0 else q * Fraction(10) ** (-e)
    k = -((-scaled.numerator) // scaled.denominator) if up else scaled.numerator // scaled.denominator
    return format(Decimal(k).scaleb(e).normalize(), "f")


def _end(x, name):
    """An endpoint: a Fraction, or a float infinity."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        raise TypeError("an interval's %s is a number, not %r" % (name, x))
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, float):
        if math.isnan(x):
            raise ValueError("an interval's %s is a number, not nan" % name)
        return x if math.isinf(x) else Fraction(x)
    if isinstance(x, str):
        t = x.strip().lower()
        if t in ("inf", "+inf", "infinity", "-inf", "-infinity"):
            return -math.inf if t.startswith("-") else math.inf
        try:
            return Fraction(t)
        except (ValueError, ZeroDivisionError):
            raise ValueError("an interval's %s is a number, not %r" % (name, x)) from None
    if getattr(x, "is_Rational", False):        # sympy
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, Decimal):
        return Fraction(x) if x.is_finite() else _end(float(x), name)
    if hasattr(x, "numerator") and hasattr(x, "denominator"):      # numbers.Rational, numpy integers
        return Fraction(x)
    raise TypeError("an interval's %s is a number, not %s" % (name, type(x).__name__))


def _show(x, up):
    if isinstance(x, float):
        return "inf" if x > 0 else "-inf"
    if x == 0 or Fraction(1, 10 ** 6) <= abs(x) < 10 ** 12:
        return outward_decimal(x, DIGITS, up)
    d = Decimal(outward_decimal(x, DIGITS, up)).normalize()        # tiny or huge: scientific notation
    return format(d, ".%de" % (len(d.as_tuple().digits) - 1))


class Interval:
    """The closed interval [lo, hi]; ``lo`` and ``hi`` are exact (Fractions, or float
    infinities).  ``x in iv`` (x a number or an Interval: containment), ``iv.mid``,
    ``iv.rad``, ``float(iv)`` (the midpoint), ``iv == other``.  ``Interval.of([lo, hi])``
    reads the [lo, hi] pairs of the commands' JSON."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo, hi=None):
        lo = _end(lo, "lower end")
        hi = lo if hi is None else _end(hi, "upper end")
        if not lo <= hi:
            raise ValueError("[%s, %s] is empty: the lower end is above the upper end" % (lo, hi))
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    def __setattr__(self, name, value):
        raise AttributeError("an Interval is immutable")

    @classmethod
    def of(cls, pair):
        """The Interval of a [lo, hi] pair (decimal strings or numbers); None stays None."""
        if pair is None:
            return None
        if isinstance(pair, Interval):
            return pair
        lo, hi = pair
        return cls(lo, hi)

    @property
    def mid(self):
        """The midpoint: exact (a Fraction) when both ends are finite."""
        if isinstance(self.lo, Fraction) and isinstance(self.hi, Fraction):
            return (self.lo + self.hi) / 2
        return (float(self.lo) + float(self.hi)) / 2

    @property
    def rad(self):
        """Half the width: exact when both ends are finite."""
        if isinstance(self.lo, Fraction) and isinstance(self.hi, Fraction):
            return (self.hi - self.lo) / 2
        return math.inf

    @property
    def width(self):
        return 2 * self.rad

    def __float__(self):
        return float(self.mid)

    def __contains__(self, x):
        if isinstance(x, Interval):
            return self.lo <= x.lo and x.hi <= self.hi
        try:
            v = _end(x, "value")
        except TypeError:
            if not hasattr(x, "evalf"):
                raise
            v = _sympy_value(x)
        except ValueError:          # nan, or text that is not a number
            return False
        return self.lo <= v <= self.hi

    def __eq__(self, other):
        return isinstance(other, Interval) and (self.lo, self.hi) == (other.lo, other.hi)

    def __hash__(self):
        return hash((self.lo, self.hi))

    def __repr__(self):
        return "[%s, %s]" % (_show(self.lo, False), _show(self.hi, True))

    __str__ = __repr__

    def _repr_latex_(self):
        return "$%s$" % self.latex()

    def latex(self):
        """The interval in LaTeX (ends as in the repr)."""
        return r"\left[%s,\ %s\right]" % tuple(_latex_number(s) for s in repr(self)[1:-1].split(", "))


def _latex_number(text):
    if text in ("inf", "-inf"):
        return text.replace("inf", r"\infty")
    if "e" in text:
        m, e = text.split("e")
        return r"%s \cdot 10^{%d}" % (m, int(e))
    return text


def _sympy_value(x, digits=50):
    """A real sympy expression as a Fraction at ``digits`` digits (a numerical value)."""
    value = x.evalf(digits)
    if not value.is_real or not value.is_number:
        raise TypeError("%s is not a real number" % x)
    return Fraction(str(value))
