"""Ball-arithmetic helpers of the untrusted search: a context at a precision, exact
endpoints of a ball, outward-rounded decimal bounds, fractions and activations as JSON.
"""
from __future__ import annotations

from fractions import Fraction

from ..core import arith
from ..core.activations import Activation
from ..core.interval import outward_decimal


DIGITS = 20          # significant digits of the decimal bounds printed


QFLOAT = arith.FLOAT   # float search on quotient matrices (untrusted)


def ball(prec):
    """The ball context at ``prec`` bits (also sets flint's working precision)."""
    return arith.get("ball", prec=prec)


def _arb():
    from flint import arb
    return arb


def exact(x):
    """An exact arb point (no radius) or float as a Fraction."""
    if isinstance(x, float):
        return Fraction(x)
    man, exp = x.mid().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def ball_from(lo, hi, ctx):
    """A ball containing the exact interval [lo, hi] (Fractions)."""
    arb = _arb()
    mid = ctx.const((lo + hi) / 2)
    return arb(mid, ctx.const((hi - lo) / 2)) if hi > lo else mid


def enclosure(x):
    """(lo, hi) exact Fractions with x's ball inside [lo, hi]."""
    m, r = x.mid().man_exp(), x.rad().man_exp()
    mid = Fraction(int(m[0])) * Fraction(2) ** int(m[1])
    rad = Fraction(int(r[0])) * Fraction(2) ** int(r[1])
    return mid - rad, mid + rad


_decimal = outward_decimal         # q rounded outward to ``digits`` significant digits, as a string


def bounds(x, digits=DIGITS):
    """[lo, hi] decimal strings that are rigorous bounds of the ball (rounded outward)."""
    if x.is_nan() or not x.is_finite():
        return ["-inf", "inf"]
    lo, hi = enclosure(x)
    return [_decimal(lo, digits, up=False), _decimal(hi, digits, up=True)]


def _frac_str(q):
    q = Fraction(q)
    return "%d/%d" % (q.numerator, q.denominator)


def _fmt_act(act):
    return {"name": act.name, "alpha": _frac_str(act.alpha)}


def _act_from(d):
    return Activation(d["name"], Fraction(d["alpha"]))


def _n_value(n, ctx):
    """n as a Python int (integer n) or a ball (real n, for locating the fold)."""
    if isinstance(n, int):
        return n
    q = Fraction(n)
    return int(q) if q.denominator == 1 else ctx.const(q)
