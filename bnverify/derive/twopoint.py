"""The two-point family and the simplex state of RC + any activation, searched (untrusted; the
trusted kernel's bnverify/trusted/twopoint.py decides).

n-1 equal points and one odd point, at distance s = |u - v|^2, are centred by RC onto one line;
one layer with weight variance w gives the Gram entries (a', x', b') of
K_phi(w C G C) on the quotient (two cluster representatives and the odd point; C G C has rank
one, so every pair is perfectly correlated and each entry is a one-dimensional expectation),
and the next distance S(s) = a' + b' - 2 x'.  A two-point fixed point of the map is a root
s > 0 of S(s) = s.  The scan is in floating point (the Gram map of
:mod:`bnverify.derive.infinite_width`), the refinement in mpmath quadrature split at phi's kinks.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np

from . import infinite_width

GRID = (1e-3, 1e4, 240)       # the scan of s: log-spaced, from, to, points
FAR = (1e8, 80)               # the two-point scan goes on past GRID's end, log-spaced, to 1e8 in 80 more points: a
#                               root can lie far out where w c, S(s)/s's limit at infinity (ReLU's), is just below 1
#                               (softplus at 201/100, n = 1000: s near 5e4; ELU(2) at 5/2, n = 8: near 1.2e4); floats,
#                               a millisecond.  The simplex scan stops at GRID's end (its kernel check, Mehler's series,
#                               grows in cost with sqrt(s)).


def scan(state="two-point", grid=GRID):
    """The points s of the float scan of S(s) - s, increasing: GRID, and for the two-point state FAR after it."""
    ss = np.exp(np.linspace(math.log(grid[0]), math.log(grid[1]), grid[2]))
    if state == "simplex":
        return ss
    return np.concatenate([ss, np.exp(np.linspace(math.log(grid[1]), math.log(FAR[0]), FAR[1] + 1))[1:]])


def scan_range(state="two-point"):
    """(first, last) s of the scan, for messages."""
    return GRID[0], GRID[1] if state == "simplex" else FAR[0]


def _line(n):
    return np.array([-1.0 / n, -1.0 / n, (n - 1.0) / n])


def image(act, n, w, s, nodes=80):
    """(a', x', b') in floating point: K_phi(w s v v^T) on the quotient, v the centred line."""
    v = _line(n)
    K = infinite_width.kernel(float(w) * float(s) * np.outer(v, v), act, nodes)
    return K[0, 0], K[0, 2], K[2, 2]


def distance(act, n, w, s, nodes=80):
    a, x, b = image(act, n, w, s, nodes)
    return a + b - 2 * x


def _mp_distance(act, n, w, s, mpmath):
    phi = act.mp(0)
    lam = mpmath.sqrt(mpmath.mpf(w.numerator) / w.denominator * s)
    cl, od = lam / n, lam * (n - 1) / n
    pts = [-mpmath.inf] + sorted(set([mpmath.mpf(0)] + [mpmath.mpf(float(k)) / od for k in act.kinks] +
                                     [-mpmath.mpf(float(k)) / cl for k in act.kinks])) + [mpmath.inf]
    f = lambda z: (phi(od * z) - phi(-cl * z)) ** 2 * mpmath.npdf(z)
    return mpmath.quad(f, pts)


def distances(act, n, w, ss, nodes=120):
    """S(s) at every s of the array ``ss`` at once: E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2], the
    expectation by the Gauss-Hermite rule (floats; the rank-one image above, one entry combination)."""
    z, wz = infinite_width.rule(nodes)
    lam = np.sqrt(float(w) * np.asarray(ss, dtype=float))[:, None] * z[None, :]
    with np.errstate(all="ignore"):
        d = act.phi((n - 1) * lam / n) - act.phi(-lam / n)
    return (d * d) @ wz


def far_distances(act, n, w, ss, per=24):
    """S(s) as :func:`distances`, for large s: a composite Gauss-Legendre rule on |Z| <= 12 with panel ends at 0,
    +-1, 2, 4, 8, 12, at +-2^k/od, +-2^k/cl (k = -3 .. 6; od = (n-1) lam/n and cl = lam/n, phi's scales) and at
    +-|kink|/od, +-|kink|/cl (both signs: the odd point's and the cluster's kinks alike, a formula's off 0): the
    Gauss-Hermite rule's nodes lie some 0.2 apart near 0, where phi(od Z) bends within 1/od (1e-4 at s = 10^8), and
    its error grew to some 1e-7 s, so sign changes of S(s) - s within that were noise or misplaced (softplus at
    1000002/499001, n = 1000: a root between 10^7 and 10^8 left out, "keeps one sign").  This rule's error is near
    float rounding (1e-15 s; mpmath, tests/test_far_roots.py)."""
    x, wx = np.polynomial.legendre.leggauss(per)
    out = []
    for s in np.asarray(ss, dtype=float):
        lam = math.sqrt(float(w) * s)
        od, cl = lam * (n - 1) / n, lam / n
        ends = {0.0, 1.0, 2.0, 4.0, 8.0, 12.0} | {2.0 ** k / c for c in (od, cl) for k in range(-3, 7)}
        ends |= {abs(float(k)) / c for k in act.kinks for c in (od, cl)}      # a formula's kinks off 0
        ends = sorted(e for e in ends if e <= 12)
        a, b = np.array(ends[:-1]), np.array(ends[1:])
        z = ((a + b) / 2)[:, None] + ((b - a) / 2)[:, None] * x[None, :]
        wz = ((b - a) / 2)[:, None] * wx[None, :] * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        z, wz = np.concatenate([z.ravel(), -z.ravel()]), np.concatenate([wz.ravel(), wz.ravel()])
        with np.errstate(all="ignore"):
            d = act.phi(od * z) - act.phi(-cl * z)
        out.append(float((d * d) @ wz))
    return np.array(out)


def simplex_distances(act, n, w, ss, nodes=120):
    """The simplex state's S(s) at every s of ``ss``: G = s I + b J has C G C = s C, so every pair
    (x, y) of pre-activations has variances q = w s (n-1)/n and correlation r = -1/(n-1), and the
    image's s is E[phi(x)^2] - E[phi(x) phi(y)] = E[(phi(x) - phi(y))^2]/2 (tensor Gauss-Hermite rule)."""
    z, wz = infinite_width.rule(nodes)
    r = -1.0 / (n - 1)
    q = float(w) * np.asarray(ss, dtype=float) * (n - 1) / n
    sq = np.sqrt(q)[:, None, None]
    x = sq * z[None, :, None]
    y = sq * (r * z[None, :, None] + math.sqrt(1 - r * r) * z[None, None, :])
    with np.errstate(all="ignore"):
        d = act.phi(x) - act.phi(y)
    return np.einsum("sij,i,j->s", d * d, wz, wz) / 2


FAR_TRUST = 1e-12     # past GRID's end a sign change counts where |S(s) - s| > FAR_TRUST s at one end at least: the
#                       far rule's (far_distances) error is some 3e-15 s (mpmath, s = 10^4 .. 10^8); the Gauss-Hermite
#                       rule's was some 1e-7 s (softplus, n = 8, sigma_w^2 c = 1: S(s) - s near -0.02 from 10^5 on, the
#                       rule's values 1e-15 s either side of 0), too coarse for roots where S(s)/s nears 1 slowly


@functools.lru_cache(maxsize=256)
def roots(act, n, w, grid=GRID, state="two-point"):
    """Pairs of floats around each sign change of S(s) - s on the scan (the roots' neighbourhoods), a tuple; scanned
    once per arguments in a process (about 0.5 s for the simplex: the count of roots, each root's bracket search and
    an undecided claim's reason all read it)."""
    ss = scan(state, grid)
    d = (simplex_distances if state == "simplex" else distances)(act, n, w, ss) - ss
    far = ss > grid[1]
    if far.any():                                   # past GRID's end: the far rule (the kinks' scales resolved)
        d[far] = far_distances(act, n, w, ss[far]) - ss[far]
    return tuple((ss[i], ss[i + 1]) for i in range(len(ss) - 1) if np.isfinite(d[i]) and np.isfinite(d[i + 1])
                 and d[i] * d[i + 1] < 0 and (ss[i + 1] <= grid[1] or max(abs(d[i]), abs(d[i + 1])) > FAR_TRUST * ss[i]))


@functools.lru_cache(maxsize=256)
def bracket(act, n, w, digits=20, rel=Fraction(1, 10 ** 15), which=0):
    """(lo, hi) rationals around the root number ``which`` (from 0, in s) of S(s) = s on the scan, or
    None when the scan has no such sign change.  The root is narrowed on the float rule (bisection),
    then refined in mpmath quadrature split at phi's kinks (the float rule is poor near a kink, and for
    tanh's poles only good to 1e-10).  Searched once per arguments in a process (a second or so each;
    a claim's fixed point and spectral radius, the atlas and the simplex table ask for the same one)."""
    import mpmath

    found = roots(act, n, Fraction(w))
    if len(found) <= which:
        return None
    a, b = found[which]
    rule = far_distances if b > GRID[1] else lambda *args: distances(*args, nodes=200)
    f = lambda s: rule(act, n, w, [s])[0] - s       # noqa: E731
    fa = f(a)
    for _ in range(40):
        m = (a + b) / 2
        if (f(m) > 0) == (fa > 0):
            a = m
        else:
            b = m
    with mpmath.workdps(digits):
        g = lambda s: _mp_distance(act, n, Fraction(w), s, mpmath) - s
        c = _secant(g, mpmath.mpf((a + b) / 2), mpmath)
        try:
            if c is None:
                c = mpmath.findroot(g, (mpmath.mpf(a), mpmath.mpf(b)), solver="secant")
        except (ValueError, ZeroDivisionError):     # far out (S(s) ~ s ~ 1e6) 20 digits miss findroot's absolute
            c = mpmath.findroot(g, (mpmath.mpf(a), mpmath.mpf(b)), solver="secant", verify=False)   # tolerance
            if not (mpmath.isfinite(c) and a / 2 < c < 2 * b):
                c = mpmath.mpf((a + b) / 2)
        c = Fraction(str(mpmath.nstr(c, 25)))
    return c * (1 - rel), c * (1 + rel)


def _secant(g, m, mpmath, h=Fraction(1, 10 ** 9), close=Fraction(1, 10 ** 17), steps=8):
    """The root of g near the float root m by the secant method from m and m (1 + h), stopped once a step moves
    the point less than ``close`` relative: the secant converges superlinearly, so that point's error is then far
    below ``close`` (the bracket asks for 1e-15).  Three of g's evaluations (an mpmath quadrature each, 0.1 s) from
    a float root good to 1e-8, where mpmath's findroot from the float bisection's ends took 6 to 9 (it stops a step
    later and evaluates its answer again).  None where it does not settle in ``steps`` steps (findroot then)."""
    x0, x1 = m, m * (1 + mpmath.mpf(h.numerator) / h.denominator)
    f0, f1 = g(x0), g(x1)
    tol = mpmath.mpf(close.numerator) / close.denominator
    for _ in range(steps):
        if not f1 - f0:
            return None
        x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
        if not (mpmath.isfinite(x2) and x2 > 0):
            return None
        if abs(x2 - x1) <= abs(x1) * tol:
            return x2
        x0, f0, x1, f1 = x1, f1, x2, g(x2)
    return None


@functools.lru_cache(maxsize=256)
def simplex_root(act, n, w, which=0):
    """A float root of the simplex state's S(s) = s (the sign change number ``which``, from 0, bisected
    on the float rule), or None; the bracket around it is made and refined against the kernel's
    evaluator (bnverify.claims.properties.two_point).  Once per arguments in a process, as :func:`bracket`."""
    found = roots(act, n, Fraction(w), state="simplex")
    if len(found) <= which:
        return None
    a, b = found[which]
    f = lambda s: simplex_distances(act, n, w, [s])[0] - s      # noqa: E731
    fa = f(a)
    for _ in range(50):
        m = (a + b) / 2
        a, b = (m, b) if (f(m) > 0) == (fa > 0) else (a, m)
    return (a + b) / 2


def item(act, n, w, lo, hi, prec=128, state="two-point"):
    """The evidence item the trusted kernel re-checks (bnverify/trusted/twopoint.py)."""
    return {"type": state + "-bracket", "activation": act.kernel_name, "alpha": str(Fraction(act.alpha)),
            "weight_var": str(Fraction(w)), "n": n, "lo": str(lo), "hi": str(hi), "prec": prec}
