"""Red team of the two-point's straddling near-zero bound (bnverify/trusted/twopoint.py _near_zero, +1): the kernel's
threshold s_min against a bound written here in mpmath with the exact infima of phi' on each side (ELU: m- = alpha
e^-T, m+ = 1; GELU, SiLU, softplus: sampled), c = (((n-1) m+ + m-)^2 + ((n-1) m- + m+)^2)/(2 n^2) and the exact tail
E[Z^2; |Z| > R] = 2 (R N(R) + Q(R)), R = T n/((n-1) sqrt(w s_min)).  The kernel's m+- are lower bounds and its tail
an enclosure, so it may say +1 only where this bound B(s_min) = w c (1 - tail) > 1, and with 64 pieces a side it
does say +1 where B is comfortably above 1.  Where B(s_min) > 1, mpmath's S(s) > s at s_min and below.  The simplex
state at the same numbers keeps min(m+, m-)^2."""
from fractions import Fraction

import mpmath
import pytest
from flint import ctx

from bnverify.trusted import twopoint as T


def _mpf(x):
    x = Fraction(x)
    return mpmath.mpf(x.numerator) / x.denominator


def _dphi(name, a):
    return {"elu": lambda t: 1 if t > 0 else a * mpmath.exp(t),
            "gelu": lambda t: mpmath.ncdf(t) + t * mpmath.npdf(t),
            "silu": lambda t: (lambda s: s * (1 + t * (1 - s)))(1 / (1 + mpmath.exp(-t))),
            "softplus": lambda t: 1 / (1 + mpmath.exp(-t))}[name]


def _phi(name, a):
    return {"elu": lambda t: t if t > 0 else a * mpmath.expm1(t),
            "gelu": lambda t: t * mpmath.ncdf(t),
            "silu": lambda t: t / (1 + mpmath.exp(-t)),
            "softplus": lambda t: mpmath.log1p(mpmath.exp(t))}[name]


def _infs(name, a, t):
    """(m-, m+): ELU exact; the smooth ones sampled on 400 points a side (an upper estimate of the inf: the kernel's
    balls may only be lower)."""
    if name == "elu":
        return a * mpmath.exp(-t), mpmath.mpf(1)
    d = _dphi(name, a)
    return (min(d(-t * mpmath.mpf(i) / 400) for i in range(401)), min(d(t * mpmath.mpf(i) / 400) for i in range(401)))


def _B(name, a, n, w, t, s_min, state="two-point"):
    lo, hi = _infs(name, a, t)
    if state == "simplex":
        return w * min(lo, hi) ** 2
    c = (((n - 1) * hi + lo) ** 2 + ((n - 1) * lo + hi) ** 2) / (2 * n * n)
    R = t * n / ((n - 1) * mpmath.sqrt(w * s_min))
    return w * c * (1 - 2 * (R * mpmath.npdf(R) + mpmath.ncdf(-R)))


def _s_at(name, a, n, w, t, target):
    """s_min with B(s_min) = target (B falls as s_min rises), a Fraction."""
    lo, hi = mpmath.mpf(-16), mpmath.mpf(6)                 # bisection in log10 s: B(10^lo) > target > B(10^hi)
    assert _B(name, a, n, w, t, mpmath.mpf(10) ** lo) > target > _B(name, a, n, w, t, mpmath.mpf(10) ** hi)
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _B(name, a, n, w, t, mpmath.mpf(10) ** mid) > target else (lo, mid)
    return Fraction(mpmath.nstr(mpmath.mpf(10) ** ((lo + hi) / 2), 25))


def _S(name, a, n, w, s):
    f, lam = _phi(name, a), mpmath.sqrt(w * s)
    return mpmath.quad(lambda z: (f((n - 1) * lam * z / n) - f(-lam * z / n)) ** 2 * mpmath.npdf(z),
                       [-mpmath.inf, -6, -1, 0, 1, 6, mpmath.inf])


# (activation, alpha, n, w, T): w c near 0 from 1.02 to 1.5; ELU(3) has m- > m+ (the other side steeper)
CASES = [("elu", "1/100", 8, "14/5", "1/2"), ("elu", "1/100", 3, "3831/983", "1/10"), ("elu", "1/2", 8, "3", "1"),
         ("elu", "1/2", 3, "3", "1/2"), ("elu", "1/4", 1000, "21/10", "1/5"), ("elu", "3", 3, "3/10", "1/10"),
         ("elu", "3", 8, "1/4", "1/20"), ("elu", "3", 1000, "3/10", "1/10"), ("gelu", "0", 8, "9/2", "1/50"),
         ("silu", "0", 20, "9/2", "1/50"), ("softplus", "0", 5, "9/2", "1/5")]


@pytest.mark.parametrize("name,alpha,n,w,t", CASES)
def test_the_kernel_says_grow_only_where_the_bound_written_here_does(name, alpha, n, w, t):
    """At B(s_min) = 0.999 (the exact bound just below 1) the kernel's bound, no larger, is not above 1: never +1; at
    B(s_min) = 1.01 it is +1 (64 pieces a side are fine enough), and mpmath's S(s) > s there and below."""
    with mpmath.workdps(30):
        a, W, tt = _mpf(alpha), _mpf(w), _mpf(t)
        assert _B(name, a, n, W, tt, mpmath.mpf(10) ** -14) > mpmath.mpf("1.015")     # the case is inside the lemma
        below, above = _s_at(name, a, n, W, tt, mpmath.mpf("0.999")), _s_at(name, a, n, W, tt, mpmath.mpf("1.01"))
        with ctx.workprec(128):
            said = [T._near_zero(name, Fraction(alpha), n, Fraction(w), Fraction(t), s, "two-point")
                    for s in (below, above)]
        assert said == [0, 1], (said, float(below), float(above))
        for s in (_mpf(above), _mpf(above) / 7, _mpf(above) / 1000):
            assert _S(name, a, n, W, s) > s * mpmath.mpf("1.005"), s


@pytest.mark.parametrize("name,alpha,n,w,t", CASES)
def test_the_simplex_at_the_same_numbers_keeps_the_smaller_slope(name, alpha, n, w, t):
    """The simplex state: +1 only where w min(m+, m-)^2 > 1 (its tail only lowers it)."""
    with mpmath.workdps(30):
        a, W, tt = _mpf(alpha), _mpf(w), _mpf(t)
        s = Fraction(1, 10 ** 12)
        with ctx.workprec(128):
            said = T._near_zero(name, Fraction(alpha), n, Fraction(w), Fraction(t), s, "simplex")
        if said == 1:
            assert _B(name, a, n, W, tt, _mpf(s), "simplex") > 1
