"""Parameter ranges as users type them: ``3..20``, ``3..`` (every n >= 3), ``5``; and for
the leaky slope ``0..1/2``, ``1/10``.

Integer ranges are closed, ``A..B`` with A <= B, or open above, ``A..``.  Rational ranges are
closed, ``A..B``, except that an upper end equal to the excluded limit (alpha = 1, which
would be the identity) means "up to but not including it": ``0..1`` is [0, 1).
Every malformed range raises :class:`BadInput` naming the value, for a one-line error.
Limits (see :mod:`bnverify.core.limits`): every integer of a range is at most ``limits.MAX_N``
(10^6) unless the caller gives another ``maximum``; a number's text has at most
``limits.MAX_NUMBER_CHARS`` characters and a decimal exponent of at most ``limits.MAX_EXPONENT``.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from . import limits
from ..errors import BadInput
from .limits import show


@dataclass(frozen=True)
class IntRange:
    """The integers lo..hi (hi None: every integer >= lo)."""

    lo: int
    hi: int | None = None

    @property
    def finite(self):
        return self.hi is not None

    def __contains__(self, n):
        return isinstance(n, int) and n >= self.lo and (self.hi is None or n <= self.hi)

    def __iter__(self):
        if self.hi is None:
            raise ValueError("cannot enumerate the unbounded range %s" % self)
        return iter(range(self.lo, self.hi + 1))

    def __len__(self):
        if self.hi is None:
            raise ValueError("the range %s is unbounded" % self)
        return self.hi - self.lo + 1

    def __str__(self):
        if self.hi is None:
            return "%d.." % self.lo
        return str(self.lo) if self.lo == self.hi else "%d..%d" % (self.lo, self.hi)


@dataclass(frozen=True)
class RatRange:
    """The rationals in [lo, hi], or [lo, hi) when hi_open."""

    lo: Fraction
    hi: Fraction
    hi_open: bool = False

    @property
    def point(self):
        return self.lo == self.hi and not self.hi_open

    def __contains__(self, x):
        x = Fraction(x)
        return self.lo <= x and (x < self.hi if self.hi_open else x <= self.hi)

    def __str__(self):
        if self.point:
            return _q(self.lo)
        return "%s..%s" % (_q(self.lo), _q(self.hi))


def _q(x):
    return str(x.numerator) if x.denominator == 1 else "%d/%d" % (x.numerator, x.denominator)


def _int(text, name, whole):
    t = text.strip()
    try:
        limits.int_text(t, "%s range %s" % (name, show(whole)))
    except limits.LimitError as e:
        raise BadInput(str(e))
    try:
        if t.lstrip("+-").isdigit() and t.isascii():           # str.isdigit and int() take other scripts' digits
            return int(t)
    except ValueError:
        pass
    raise BadInput("%s range %s: %s is not an integer" % (name, show(whole), show(t)))


def parse_int_range(text, name="n", minimum=2, allow_open=True, maximum=limits.MAX_N):
    """'3..20' | '3..' | '5' (or an int) -> IntRange, each element >= minimum and both ends
    <= maximum (an open range's lower end too)."""
    if isinstance(text, bool):
        raise BadInput("%s range %r is not a range" % (name, text))
    if isinstance(text, int):
        if text.bit_length() > 64:
            raise BadInput("%s range: %s is above the limit %s" % (name, limits._short_int(text),
                                                                limits._power(maximum)))
        text = str(text)
    if not isinstance(text, str):
        raise BadInput("%s range %s is not a string like '3..20'" % (name, show(text)))
    whole = text
    if not text.strip():
        raise BadInput("%s range is empty; give e.g. 3..20" % name)
    if ".." in text:
        a, _, b = text.partition("..")
        lo = _int(a, name, whole)
        if not b.strip():
            if not allow_open:
                raise BadInput("%s range %s has no upper end; give e.g. %d..%d" % (name, show(whole), lo, lo + 10))
            hi = None
        else:
            hi = _int(b, name, whole)
    else:
        lo = hi = _int(text, name, whole)
    if hi is not None and hi < lo:
        raise BadInput("%s range %s is reversed or empty (%s > %s)"
                       % (name, show(whole), limits._short_int(lo), limits._short_int(hi)))
    if lo < minimum:
        raise BadInput("%s range %s starts below %d" % (name, show(whole), minimum))
    top = lo if hi is None else hi
    if maximum is not None and top > maximum:
        raise BadInput("%s range %s: %s is above the limit %s" % (name, show(whole), limits._short_int(top),
                                                               limits._power(maximum)))
    return IntRange(lo, hi)


def _rat(text, name, whole):
    try:
        limits.guard_number(text.strip(), "%s range %s:" % (name, show(whole)) if text.strip() != whole.strip()
                            else "%s" % name)
        return Fraction(text.strip())
    except limits.LimitError as e:
        raise BadInput(str(e))
    except (ValueError, ZeroDivisionError):
        raise BadInput("%s range %s: %s is not a rational number" % (name, show(whole), show(text.strip())))


def parse_rat_range(text, name="alpha", lower=Fraction(0), upper=Fraction(1), upper_open=True):
    """'0..1/2' | '1/10' -> RatRange inside [lower, upper] (upper excluded if upper_open;
    a range ending exactly at an excluded upper limit is taken as half-open)."""
    if isinstance(text, (int, Fraction)) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or not text.strip():
        raise BadInput("%s range %s is not a string like '0..1/2'" % (name, show(text)))
    whole = text
    if ".." in text:
        a, _, b = text.partition("..")
        lo, hi = _rat(a, name, whole), _rat(b, name, whole)
    else:
        lo = hi = _rat(text, name, whole)
    if hi < lo:
        raise BadInput("%s range %s is reversed (%s > %s)" % (name, show(whole), show(str(lo)), show(str(hi))))
    if lo < lower or hi > upper:
        raise BadInput("%s range %s leaves [%s, %s%s" % (name, show(whole), lower, upper, ")" if upper_open else "]"))
    hi_open = upper_open and hi == upper
    if hi_open and lo == hi:
        raise BadInput("%s range %s is empty (%s is excluded)" % (name, show(whole), upper))
    return RatRange(lo, hi, hi_open)


MAX_WEIGHT_VAR = Fraction(100)


def parse_weight_var(text, name="weight variance"):
    """sigma_w^2 (W has iid N(0, sigma_w^2/d) entries): an exact rational in (0, 100], one message
    per mistake (not one number, not a rational, not finite, 0, negative, too large); the text is
    guarded before Fraction reads it (a huge exponent would take minutes)."""
    if isinstance(text, (int, Fraction)) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or ".." in text or not text.strip():
        raise BadInput("%s %s: give one rational, e.g. 2 or 1/2" % (name, show(text)))
    t = text.strip()
    try:
        limits.guard_number(t, name)
        w = Fraction(t)
    except limits.LimitError as e:
        raise BadInput(str(e))
    except (ValueError, ZeroDivisionError):
        if t.lower().lstrip("+-") in ("inf", "infinity", "nan"):
            raise BadInput("%s %s: the weight variance must be finite" % (name, show(t)))
        raise BadInput("%s %s: not a rational number (give e.g. 2 or 1/2)" % (name, show(t)))
    if w == 0:
        raise BadInput("%s %s: the weight variance must be > 0 (at 0 every layer is 0)" % (name, show(t)))
    if w < 0:
        raise BadInput("%s %s: a variance cannot be negative" % (name, show(t)))
    if w > MAX_WEIGHT_VAR:
        raise BadInput("%s %s: above %s, the largest weight variance taken" % (name, show(t), MAX_WEIGHT_VAR))
    return w
