"""Red team of the two-point's straddling near-zero bound (bnverify/trusted/twopoint.py _near_zero, +1): the kernel's
threshold s_min against a bound written here in mpmath with the exact infima of phi' on each side (ELU: m- = alpha
e^-T, m+ = 1; GELU, SiLU, softplus: sampled), c = (((n-1) m+ + m-)^2 + ((n-1) m- + m+)^2)/(2 n^2) and the exact tail
E[Z^2; |Z| > R] = 2 (R N(R) + Q(R)), R = T n/((n-1) sqrt(w s_min)).  The kernel's m+- are lower bounds and its tail
an enclosure, so it may say +1 only where this bound B(s_min) = w c (1 - tail) > 1, and with 64 pieces a side it
does say +1 where B is comfortably above 1.  Where B(s_min) > 1, S(s) > s at s_min and below (S in float64,
tests/gaussfloat.py).  The simplex
state at the same numbers keeps min(m+, m-)^2."""
import functools
from fractions import Fraction

import mpmath
import pytest
from flint import ctx

import gaussfloat
from bnverify.trusted import twopoint as T


def _mpf(x):
    x = Fraction(x)
    return mpmath.mpf(x.numerator) / x.denominator


def _dphi(name, a):
    return {"elu": lambda t: 1 if t > 0 else a * mpmath.exp(t),
            "gelu": lambda t: mpmath.ncdf(t) + t * mpmath.npdf(t),
            "silu": lambda t: (lambda s: s * (1 + t * (1 - s)))(1 / (1 + mpmath.exp(-t))),
            "softplus": lambda t: 1 / (1 + mpmath.exp(-t))}[name]


@functools.lru_cache(maxsize=None)                 # the bisections below ask 120 times for the same (name, a, t)
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
    """The two-point S(s) in float64 (tests/gaussfloat.py; the margins asked below are half a percent and more)."""
    return mpmath.mpf(gaussfloat.two_point_S(name, n, float(w), float(s), float(a)))


# (activation, alpha, n, w, T): w c near 0 from 1.02 to 1.5; ELU(3) has m- > m+ (the other side steeper)
CASES = [("elu", "1/100", 8, "14/5", "1/2"), ("elu", "1/100", 3, "3831/983", "1/10"), ("elu", "1/2", 8, "3", "1"),
         ("elu", "1/2", 3, "3", "1/2"), ("elu", "1/4", 1000, "21/10", "1/5"), ("elu", "3", 3, "3/10", "1/10"),
         ("elu", "3", 8, "1/4", "1/20"), ("elu", "3", 1000, "3/10", "1/10"), ("gelu", "0", 8, "9/2", "1/50"),
         ("silu", "0", 20, "9/2", "1/50"), ("softplus", "0", 5, "9/2", "1/5")]


@pytest.mark.parametrize("name,alpha,n,w,t", CASES)
def test_the_kernel_says_grow_only_where_the_bound_written_here_does(name, alpha, n, w, t):
    """At B(s_min) = 0.999 (the exact bound just below 1) the kernel's bound, no larger, is not above 1: never +1; at
    B(s_min) = 1.01 it is +1 (64 pieces a side are fine enough), and S(s) > s there and below."""
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


# ---------------------------------------------------------------- the same mix above: S(s) < s near 0
@functools.lru_cache(maxsize=None)
def _sups(name, a, t):
    """(M-, M+): sup |phi'| on each side; ELU exact (alpha on the left: alpha e^t rises to alpha at 0-), the smooth
    ones sampled (a lower estimate: the kernel's balls may only be higher)."""
    if name == "elu":
        return a, mpmath.mpf(1)
    d = _dphi(name, a)
    return (max(abs(d(-t * mpmath.mpf(i) / 400)) for i in range(401)),
            max(abs(d(t * mpmath.mpf(i) / 400)) for i in range(401)))


def _B_up(name, a, n, w, t, s_min):
    """w (c_M + L^2 tail): c_M = (((n-1) M+ + M-)^2 + ((n-1) M- + M+)^2)/(2 n^2), L = sup |phi'| (ELU max(1, alpha))."""
    lo, hi = _sups(name, a, t)
    L = {"elu": max(1, a), "gelu": mpmath.mpf(5) / 4, "silu": mpmath.mpf(5) / 4, "softplus": 1}[name]
    c = (((n - 1) * hi + lo) ** 2 + ((n - 1) * lo + hi) ** 2) / (2 * n * n)
    R = t * n / ((n - 1) * mpmath.sqrt(w * s_min))
    return w * (c + L * L * 2 * (R * mpmath.npdf(R) + mpmath.ncdf(-R)))


def _s_up(name, a, n, w, t, target):
    lo, hi = mpmath.mpf(-16), mpmath.mpf(6)                 # B_up rises with s_min
    assert _B_up(name, a, n, w, t, mpmath.mpf(10) ** lo) < target < _B_up(name, a, n, w, t, mpmath.mpf(10) ** hi)
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _B_up(name, a, n, w, t, mpmath.mpf(10) ** mid) < target else (lo, mid)
    return Fraction(mpmath.nstr(mpmath.mpf(10) ** ((lo + hi) / 2), 25))


# w c_M near 0 from 0.4 to 0.98 while w max(M+, M-)^2 > 1 (before: never -1); ELU(3) has M- = 3 > M+
UP = [("elu", "1/100", 3, "3/2", "1/10"), ("elu", "1/100", 8, "2", "1/2"), ("elu", "1/2", 20, "3/2", "1"),
      ("elu", "1/10", 1000, "19/10", "1/5"), ("elu", "3", 3, "1/5", "1/10"), ("elu", "3", 8, "1/8", "1/20"),
      ("softplus", "0", 5, "7/2", "1/5")]


@pytest.mark.parametrize("name,alpha,n,w,t", UP)
def test_the_kernel_says_collapse_only_where_the_bound_written_here_does(name, alpha, n, w, t):
    """At B_up(s_min) = 1.001 the kernel does not say -1; at 0.99 it does (where w max(M+, M-)^2 > 1, a bound of the
    larger slope alone never could), and S(s) < s there and below."""
    with mpmath.workdps(30):
        a, W, tt = _mpf(alpha), _mpf(w), _mpf(t)
        assert W * max(_sups(name, a, tt)) ** 2 > 1 > _B_up(name, a, n, W, tt, mpmath.mpf(10) ** -14) + mpmath.mpf("0.015")
        over, under = _s_up(name, a, n, W, tt, mpmath.mpf("1.001")), _s_up(name, a, n, W, tt, mpmath.mpf("0.99"))
        with ctx.workprec(128):
            said = [T._near_zero(name, Fraction(alpha), n, Fraction(w), Fraction(t), s, "two-point")
                    for s in (over, under)]
            simplex = T._near_zero(name, Fraction(alpha), n, Fraction(w), Fraction(t), under, "simplex")
        assert said == [0, -1] and simplex != -1, (said, simplex, float(over), float(under))
        for s in (_mpf(under), _mpf(under) / 7, _mpf(under) / 1000):
            assert _S(name, a, n, W, s) < s * mpmath.mpf("0.995"), s


def test_elu_below_one_collapses_where_its_slopes_mix():
    """ELU(1/100) at sigma_w^2 = 3/2: S(s)/s from 0.42 (n = 3) to 0.75 (n = 1000), never 1 (mpmath): refuted with a
    two-point-none item (before: inconclusive, sup phi' = 1 gave w > 1 near 0); the simplex state is not decided so."""
    from bnverify import trusted
    from bnverify.claims.properties import two_point as search
    from bnverify.core.activations import activation
    for n in (3, 8, 1000):
        item = search.none_item(activation("elu", "1/100"), n, Fraction(3, 2))
        assert item is not None and trusted.items.check_item(dict(item))["fact"] == "two-point-none"
        claim = {"property": "fixed-point", "stages": ["rc"], "activation": "elu", "domain": {"n": str(n), "alpha": "1/100"},
                 "params": {"state": "two-point"}, "weight_var": "3/2"}
        assert trusted.decide(claim, [item])[0] == "refuted"
        with mpmath.workdps(20):
            for s in (Fraction(1, 10 ** 6), Fraction(1), Fraction(10 ** 4)):
                assert _S("elu", mpmath.mpf(1) / 100, n, mpmath.mpf(3) / 2, _mpf(s)) < _mpf(s) * mpmath.mpf("0.8")
        relabelled = dict(item, type="simplex-none")
        with pytest.raises(trusted.Rejected):
            trusted.items.check_item(relabelled)


def test_the_search_reads_each_side_without_zero():
    """ELU(3) at sigma_w^2 = 1/5, n = 3: S(s)/s from 0.82 near 0 down (w c_relu = 1/18 at infinity), a collapse; the
    float phi'(0) is the left branch's 3, which read on the right side made the search's mix 1.84 and found no item."""
    from bnverify import trusted
    from bnverify.claims.properties import two_point as search
    from bnverify.core.activations import activation
    item = search.none_item(activation("elu", "3"), 3, Fraction(1, 5))
    assert item is not None and trusted.items.check_item(dict(item))["fact"] == "two-point-none"
    # and the sup up to 0 itself: at T = 3 the grid's last point left of 0 has 2 e^(-3/128) < 2/1.01 (ELU(2) at 1/3,
    # n = 20: an item the kernel refused, the search saying S(s) < s all the same)
    item = search.none_item(activation("elu", "2"), 20, Fraction(1, 3))
    assert item is not None and trusted.items.check_item(dict(item))["fact"] == "two-point-none"
    with mpmath.workdps(20):
        for s in (Fraction(1, 10 ** 6), Fraction(1), Fraction(100)):
            assert _S("elu", mpmath.mpf(3), 3, mpmath.mpf(1) / 5, _mpf(s)) < _mpf(s) * mpmath.mpf("0.83")
