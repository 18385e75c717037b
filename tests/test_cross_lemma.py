"""The cross-term large-s lemma (trusted/twopoint.py _cross; docs/two-point.md "The cross-term lemma"): for
phi = relu - h with h even, of one sign and integrable (silu, gelu, softplus), S(s) = w c s - 2 k E[AB] + k E[B^2]
exactly and E[AB] lies in [-X, P] (h >= 0; softplus: [-P, X]) with P, X explicit and decreasing in s.
Checked here against independent mpmath integrals (E[AB] and the two-point S(s) at large s, the simplex's E[AB] by
conditioning on y, where E[relu(m + sigma W)] has a closed form), and the lemma's forgeries: another n, weight
variance, activation or state, s_big moved below its edge (covers whose cuts stop short of it: test_cover_grow.py)."""
import copy
import math
from fractions import Fraction

import mpmath
import pytest
from flint import ctx

from bnverify import trusted
from bnverify.trusted import twopoint as T

H_SIGN = {"silu": 1, "gelu": 1, "softplus": -1}
I_J = {"silu": (2, 1), "gelu": (0.4, 0.5), "softplus": (1, 1)}      # int t|h|, int |h| on (0, inf): the test's own
H_GAP = {"silu": math.exp(-1), "gelu": 1 / math.sqrt(2 * math.pi), "softplus": math.log(2)}


def h_mp(name, t):
    t = abs(t)
    if name == "silu":
        return t / (1 + mpmath.exp(t))
    if name == "gelu":
        return t * mpmath.ncdf(-t)
    return -mpmath.log(1 + mpmath.exp(-t))


def bounds(name, n, w, s, state):
    """(P, X), re-derived here in floats: the lemma's bounds on the same-point and cross terms of E[AB]."""
    I, J = I_J[name]
    if state == "simplex":
        q, r = w * s * (n - 1) / n, 1 / (n - 1)
        root = math.sqrt(2 * math.pi * q)
        return 2 * I / root, 2 * (r * I / root + math.sqrt(1 - r * r) * J / math.pi)
    lam = math.sqrt(w * s)
    root = lam * math.sqrt(2 * math.pi)
    return I * n * n / ((n - 1) * root), I * n * (n - 1 + 1 / (n - 1) ** 2) / root


def eab_mp(name, n, w, s, state):
    """E[AB] in mpmath: two-point one integral over Z; simplex 2 E[relu(x) h(x)] - 2 E[relu(x) h(y)], the second by
    conditioning on y (x = r y + sigma W, E[relu(m + sigma W)] = m Phi(m/sigma) + sigma N(m/sigma))."""
    relu = lambda t: max(t, 0)      # noqa: E731
    if state == "two-point":
        lam = mpmath.sqrt(w * s)
        p, q = lambda z: (n - 1) * lam * z / n, lambda z: -lam * z / n     # noqa: E731

        def f(z):
            return (relu(p(z)) - relu(q(z))) * (h_mp(name, p(z)) - h_mp(name, q(z))) * mpmath.npdf(z)
        return mpmath.quad(f, [-mpmath.inf, -1, 0, 1, mpmath.inf])
    sq = mpmath.sqrt(w * s * (n - 1) / n)
    r = -mpmath.mpf(1) / (n - 1)
    sig = sq * mpmath.sqrt(1 - r * r)
    same = mpmath.quad(lambda z: sq * z * h_mp(name, sq * z) * mpmath.npdf(z), [0, 1, mpmath.inf])
    er = lambda m: m * mpmath.ncdf(m / sig) + sig * mpmath.npdf(m / sig)     # noqa: E731
    cross = mpmath.quad(lambda z: er(r * sq * z) * h_mp(name, sq * z) * mpmath.npdf(z),
                        [-mpmath.inf, -1, 0, 1, mpmath.inf])
    return 2 * same - 2 * cross


@pytest.mark.parametrize("name", ["silu", "gelu", "softplus"])
@pytest.mark.parametrize("state", ["two-point", "simplex"])
@pytest.mark.parametrize("n,s", [(3, 50), (13, 1000), (13, 10 ** 5)])
def test_cross_term_lies_in_the_lemmas_interval(name, state, n, s):
    w = 3
    with mpmath.workdps(20):
        e = float(eab_mp(name, n, w, s, state))
    P, X = bounds(name, n, w, s, state)
    lo, hi = (-X, P) if H_SIGN[name] > 0 else (-P, X)
    assert lo <= e <= hi, (e, lo, hi)
    assert hi > 0 and lo < 0


@pytest.mark.parametrize("name,n,s", [("silu", 13, 10 ** 3), ("silu", 13, 10 ** 5), ("gelu", 5, 10 ** 4),
                                      ("softplus", 8, 10 ** 4)])
def test_the_lemma_bounds_the_two_point_S_in_mpmath(name, n, s):
    """S(s) = E[(phi(p) - phi(q))^2] by mpmath (phi = relu - h, written out): within [w c s - 2P', w c s + 2X' + H^2]
    (P', X' the sign-aware ends of E[AB]'s interval)."""
    w = 3
    c = ((n - 1) ** 2 + 1) / (2 * n * n)
    with mpmath.workdps(20):
        lam = mpmath.sqrt(w * s)
        phi = lambda t: max(t, 0) - h_mp(name, t)       # noqa: E731
        S = float(mpmath.quad(lambda z: (phi((n - 1) * lam * z / n) - phi(-lam * z / n)) ** 2 * mpmath.npdf(z),
                              [-mpmath.inf, -1, 0, 1, mpmath.inf]))
    P, X = bounds(name, n, w, s, "two-point")
    up, down = (P, X) if H_SIGN[name] > 0 else (X, P)           # E[AB] <= up, -E[AB] <= down
    assert w * c * s - 2 * up <= S <= w * c * s + 2 * down + H_GAP[name] ** 2, (S, w * c * s)


@pytest.mark.parametrize("s", [10 ** 3, 10 ** 4])
def test_the_lemma_bounds_the_kernels_simplex_S(s):
    """silu 3, n = 13, simplex: the kernel's own S(s) (Mehler's series in balls) above w c s - P (k = 1/2, 2k = 1)."""
    n, w = 13, Fraction(3)
    with ctx.workprec(128):
        S = T.distance("simplex", "silu", Fraction(0), n, w, T.ball(Fraction(s)))
        c = float((T.ball(w) * T._relu_slope(n, "simplex")).mid())
    P, _ = bounds("silu", n, 3, s, "simplex")
    assert float(S.lower()) >= c * s - P and S > s


def _edge(name, n, w, state, sign):
    """The least s_big (a rational within 1e-6) where the kernel's _cross holds, by bisection."""
    lo, hi = Fraction(1, 1000), Fraction(10 ** 6)
    with ctx.workprec(128):
        assert T._cross(name, n, w, hi, state, sign)
        while hi - lo > hi * Fraction(1, 10 ** 6):
            m = (lo + hi) / 2
            lo, hi = (lo, m) if T._cross(name, n, w, m, state, sign) else (m, hi)
    return hi


def test_silu_3_n13_simplex_edge_matches_the_hand_formula():
    """(w c - 1) s = P(s) = 2 I/sqrt(2 pi q): the float root of the test's own formula, against the kernel's edge."""
    n, w = 13, 3
    with ctx.workprec(128):
        c = float((T.ball(Fraction(w)) * T._relu_slope(n, "simplex")).mid())
    f = lambda s: (c - 1) * s - bounds("silu", n, w, s, "simplex")[0]      # noqa: E731
    a, b = 10.0, 10 ** 6
    for _ in range(100):
        m = (a + b) / 2
        a, b = (a, m) if f(m) > 0 else (m, b)
    edge = _edge("silu", n, Fraction(w), "simplex", 1)
    assert abs(float(edge) / b - 1) < 1e-4 and 800 < b < 900


@pytest.mark.parametrize("relabel", [dict(n=12), dict(w=Fraction(29, 10)), dict(name="elu"), dict(state="two-point"),
                                     dict(sign=-1), dict(s=Fraction(99, 100))])
def test_the_cross_lemma_does_not_transfer(relabel):
    """Holding at silu 3, n = 13, simplex, grow, just past its edge: not at n = 12 (w c < 1), w = 29/10, elu (its h
    does not decay: no such lemma; the eps lemma's s_big is 1.7e8), the two-point state's own edge, the collapse side,
    or s_big at 0.99 of the edge."""
    edge = _edge("silu", 13, Fraction(3), "simplex", 1)
    args = dict(name="silu", n=13, w=Fraction(3), state="simplex", sign=1, s=Fraction(1))
    with ctx.workprec(128):
        assert T._large_s("silu", Fraction(0), 13, Fraction(3), Fraction(1, 2), edge, "simplex", 1)
        args.update(relabel)
        s = edge * args.pop("s")
        name = args.pop("name")
        ok = T._large_s(name, Fraction(1) if name == "elu" else Fraction(0), args["n"], args["w"], Fraction(1, 2), s,
                        args["state"], args["sign"])
    if relabel == dict(state="two-point"):
        assert ok == (s >= _edge("silu", 13, Fraction(3), "two-point", 1))
    else:
        assert not ok


def test_softplus_sign_is_the_other_side():
    """softplus's h <= 0: the grow side bounds E[AB] by X, not P; its edge at w = 201/100, n = 1000 two-point (w c =
    1.003 > 1) lies far beyond the one with P, and at P's edge the kernel refuses."""
    n, w = 1000, Fraction(201, 100)
    edge = _edge("softplus", n, w, "two-point", 1)
    c = float(w) * ((n - 1) ** 2 + 1) / (2 * n * n)
    s_p = next(s for s in (10.0 ** (k / 20) for k in range(200)) if (c - 1) * s > 2 * bounds("softplus", n, 2.01, s,
                                                                                                   "two-point")[0])
    assert float(edge) > 2 * s_p
    with ctx.workprec(128):
        assert not T._cross("softplus", n, w, Fraction(s_p).limit_denominator(10 ** 6), "two-point", 1)


def test_a_none_cover_ends_with_the_cross_lemma_only_from_its_edge():
    """gelu at 5/2, n = 5, two-point (no fixed point: S(s) < s): the collapse side's edge (w c < 1); below it neither
    lemma at eps 1/2."""
    n, w = 5, Fraction(5, 2)
    edge = _edge("gelu", n, w, "two-point", -1)
    with ctx.workprec(128):
        assert T._large_s("gelu", Fraction(0), n, w, Fraction(1, 2), edge, "two-point", -1)
        assert not T._large_s("gelu", Fraction(0), n, w, Fraction(1, 2), edge * Fraction(9, 10), "two-point", -1)


@pytest.mark.parametrize("name,n,w,state", [("gelu", 5, 2.5, "two-point"), ("silu", 20, 2.5, "simplex"),
                                            ("softplus", 8, 2.5, "two-point"), ("softplus", 8, 2.5, "simplex")])
def test_the_collapse_side_edge_matches_the_hand_formula(name, n, w, state):
    """(1 - w c) s = 2 k (X or P) + k H^2 (h >= 0: X; softplus: P), the test's own floats, against the kernel's edge."""
    with ctx.workprec(128):
        c = float((T.ball(Fraction(w)) * T._relu_slope(n, state)).mid())
    k = 0.5 if state == "simplex" else 1.0
    end = 1 if H_SIGN[name] > 0 else 0
    f = lambda s: (1 - c) * s - 2 * k * bounds(name, n, w, s, state)[end] - k * H_GAP[name] ** 2  # noqa: E731
    a, b = 1e-3, 1e6
    for _ in range(200):
        m = math.sqrt(a * b)
        a, b = (a, m) if f(m) > 0 else (m, b)
    edge = _edge(name, n, Fraction(w), state, -1)
    assert abs(float(edge) / b - 1) < 1e-4, (float(edge), b)


@pytest.mark.parametrize("name,n,w,state", [("gelu", 5, Fraction(7, 2), "two-point"),
                                            ("softplus", 1000, Fraction(201, 100), "two-point"),
                                            ("silu", 13, Fraction(3), "simplex"),
                                            ("softplus", 30, Fraction(3), "simplex")])
def test_the_grow_side_edge_matches_the_hand_formula(name, n, w, state):
    with ctx.workprec(128):
        c = float((T.ball(w) * T._relu_slope(n, state)).mid())
    if c <= 1:
        pytest.skip("w c <= 1")
    k = 0.5 if state == "simplex" else 1.0
    f = lambda s: (c - 1) * s - 2 * k * bounds(name, n, float(w), s, state)[0 if H_SIGN[name] > 0 else 1]  # noqa: E731
    a, b = 1e-3, 1e6
    for _ in range(200):
        m = math.sqrt(a * b)
        a, b = (a, m) if f(m) > 0 else (m, b)
    edge = _edge(name, n, w, state, 1)
    assert abs(float(edge) / b - 1) < 1e-4, (float(edge), b)
