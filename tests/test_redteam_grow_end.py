"""Red team of covers that END with S(s) > s beyond s_big (the -grow item's large-s lemma, trusted/twopoint.py
check_cover with _large_s sign +1): a cover for phi = relu - h refutes "a two-point (simplex) fixed point with
spectral radius < 1 exists" when every root's radius is > 1, so a root it misses would be a false refutation.

Independent truth here is this file's own numpy code, not the kernel's: S(s) = E[(phi(p) - phi(q))^2] (two-point,
p = lam (n-1)/n Z, q = -lam/n Z, lam^2 = sigma_w^2 s) by the trapezoid rule on a fine Z grid, roots by sign changes on a
log grid from 1e-5 to 1e6 and bisection, and the spectral radius of the whole map G -> K_phi(sigma_w^2 C G C) on
symmetric n x n matrices from Price's theorem (dK_ij/dSig_ij = E[phi'(x_i) phi'(x_j)], dK_ij/dSig_ii =
E[phi''(x_i) phi(x_j)]/2, dK_ii/dSig_ii = E[phi'^2 + phi phi'']) on a 2-D grid.  Forgeries of the genuine SiLU
sigma_w^2 = 7/2, n = 8 cover: eps outside (0, 1), huge or tiny numbers, s_big past 10^6, malformed brackets, relabels
with the claim relabelled alike."""
import copy
import math
from fractions import Fraction

import numpy as np
import pytest

from bnverify import trusted
from bnverify.claims.properties import two_point as TP
from bnverify.core.activations import activation

from test_cover_grow import simplex_grow_cover     # noqa: E402  (the SiLU 7/2 simplex cover, n = 8)

W = Fraction(7, 2)


# ---------------------------------------------------------------- independent truth (float, this file's own)
def _sig(t):
    return 0.5 * (1 + np.tanh(t / 2))


def _acts(name, a=1.0):
    pdf = lambda t: np.exp(-t * t / 2) / math.sqrt(2 * math.pi)          # noqa: E731
    cdf = lambda t: 0.5 * (1 + np.vectorize(math.erf)(t / math.sqrt(2)))  # noqa: E731
    return {
        "silu": (lambda t: t * _sig(t), lambda t: _sig(t) + t * _sig(t) * (1 - _sig(t)),
                 lambda t: _sig(t) * (1 - _sig(t)) * (2 + t * (1 - 2 * _sig(t)))),
        "gelu": (lambda t: t * cdf(t), lambda t: cdf(t) + t * pdf(t), lambda t: pdf(t) * (2 - t * t)),
        "softplus": (lambda t: np.logaddexp(0, t), _sig, lambda t: _sig(t) * (1 - _sig(t))),
    }[name]


Z1 = np.linspace(-12, 12, 6001)
G1 = np.exp(-Z1 ** 2 / 2) / math.sqrt(2 * math.pi) * (Z1[1] - Z1[0])


def S_two(name, n, w, s):
    f = _acts(name)[0]
    lam = math.sqrt(w * s)
    return float(np.sum(G1 * (f(lam * (n - 1) / n * Z1) - f(-lam / n * Z1)) ** 2))


def roots_two(name, n, w, lo=1e-5, hi=1e6, N=500):
    ss = np.geomspace(lo, hi, N)
    g = [S_two(name, n, w, x) / x - 1 for x in ss]
    out = []
    for k in range(N - 1):
        if g[k] * g[k + 1] <= 0:
            a, b = ss[k], ss[k + 1]
            for _ in range(40):
                m = math.sqrt(a * b)
                if (S_two(name, n, w, m) / m - 1) * g[k] <= 0:
                    b = m
                else:
                    a = m
            out.append(math.sqrt(a * b))
    return out, g


def radius_price(name, n, w, s, grid=None, state="two-point"):
    """The spectral radius of G -> K_phi(w C G C) at the two-point (simplex) fixed point of distance s (Price)."""
    f, d, dd = _acts(name)
    grid = grid or 2 * int(150 + 30 * math.sqrt(w * s)) + 1    # a step of 1/(2.5 lam) or finer: phi bends at t ~ 1
    X = np.linspace(-12, 12, grid)
    wt = np.exp(-X ** 2 / 2)
    wt /= wt.sum()
    A, B = np.meshgrid(X, X, indexing="ij")
    WW = np.outer(wt, wt)
    v = np.full(n, -1.0 / n)
    v[-1] = (n - 1) / n
    Sig = w * s * (np.outer(v, v) if state == "two-point" else np.eye(n) - np.ones((n, n)) / n)

    def pair(i, j):
        si, sj = math.sqrt(Sig[i, i]), math.sqrt(Sig[j, j])
        rho = max(-1.0, min(1.0, Sig[i, j] / (si * sj)))
        return si * A, sj * (rho * A + math.sqrt(max(0.0, 1 - rho * rho)) * B)

    idx = [(i, j) for i in range(n) for j in range(i, n)]
    D = {}
    for i, j in idx:
        xi, xj = pair(i, j)
        D[i, j] = ({(i, i): np.sum(WW * (d(xi) ** 2 + f(xi) * dd(xi)))} if i == j else
                   {(i, j): np.sum(WW * d(xi) * d(xj)), (i, i): np.sum(WW * dd(xi) * f(xj)) / 2,
                    (j, j): np.sum(WW * f(xi) * dd(xj)) / 2})
    C = np.eye(n) - np.ones((n, n)) / n
    M = np.zeros((len(idx), len(idx)))
    for col, (k, l) in enumerate(idx):
        E = np.zeros((n, n))
        E[k, l] = E[l, k] = 1
        dS = w * C @ E @ C
        for row, ij in enumerate(idx):
            M[row, col] = sum(val * dS[kk] for kk, val in D[ij].items())
    return float(max(abs(np.linalg.eigvals(M))))


def _claim(rel, bound="1", n=8, act="silu", w=W, state="two-point"):
    return {"property": "spectral-radius", "stages": ["rc"], "activation": act, "domain": {"n": str(n)},
            "params": {"state": state, "relation": rel, "bound": bound}, "weight_var": str(w)}


def _cover(act, n, w):
    bracket = TP.bracket_item(activation(act), n, w)
    return TP.cover_item(activation(act), n, w, bracket), bracket


@pytest.fixture(scope="module")
def silu8():
    return _cover("silu", 8, W)


def _agrees_with_truth(act, n, w, cover, bracket):
    """Every root of S(s) = s that this file finds lies in one of the fact's brackets, the radius there (Price) in
    the fact's range, and S(s) > s at and beyond the last cut (the grow end)."""
    fact = trusted.items.check_item(copy.deepcopy(cover))
    found, _ = roots_two(act, n, float(w))
    assert found, "no root found by the independent scan"
    brackets = [(float(Fraction(a)), float(Fraction(b))) for a, b in fact["s"]]
    for r in found:
        hit = [k for k, (a, b) in enumerate(brackets) if a * (1 - 1e-9) <= r <= b * (1 + 1e-9)]
        assert hit, "root %.10g outside every bracket %s" % (r, brackets)
        lo, hi = fact["radii"][hit[0]]
        rad = radius_price(act, n, float(w), r)
        assert float(lo) - 1e-3 <= rad <= float(hi) + 1e-3, (r, rad, lo, hi)
    s_big = float(Fraction(cover["above"][-1]))
    for s in (s_big, 10 * s_big, 1e4 * s_big):
        assert S_two(act, n, float(w), s) > s
    return fact


# ---------------------------------------------------------------- truth
def test_the_example_cover_misses_no_root_and_its_radius_is_right(silu8):
    """SiLU 7/2, n = 8: one root (0.122929), radius (Price, this file) 1.0990 in the kernel's [1.0607, 1.1278]."""
    cover, bracket = silu8
    fact = _agrees_with_truth("silu", 8, W, cover, bracket)
    assert len(fact["s"]) == 1 and trusted.decide(_claim("<"), [cover])[0] == "refuted"


@pytest.mark.slow
@pytest.mark.parametrize("act,w,n", [("silu", Fraction(3), 5), ("silu", Fraction(3), 12), ("silu", Fraction(13, 4), 8),
                                     ("gelu", Fraction(3), 5), ("gelu", Fraction(7, 2), 8),
                                     ("softplus", Fraction(3), 5), ("softplus", Fraction(7, 2), 8)])
def test_grow_ended_refutations_agree_with_independent_truth(act, w, n):
    """Claims the new end refutes (main left them inconclusive): the independent roots and radii agree."""
    cover, bracket = _cover(act, n, w)
    if cover is None:
        pytest.skip("no cover found (inconclusive, not wrong)")
    _agrees_with_truth(act, n, w, cover, bracket)
    assert trusted.decide(_claim("<", n=n, act=act, w=w), [cover, bracket])[0] == "refuted"
    assert trusted.decide(_claim(">", n=n, act=act, w=w), [cover, bracket])[0] == "proved"


# ---------------------------------------------------------------- forgeries of the genuine cover
def _rejected(item):
    with pytest.raises(trusted.Rejected):
        trusted.items.check_item(copy.deepcopy(item))


BIG = "1" + "0" * 1000


@pytest.mark.parametrize("eps", ["0", "-1/10", "1", "2", "1/" + BIG, "9" * 1000 + "/" + BIG, None])
def test_an_eps_outside_what_the_grow_lemma_needs_is_refused(silu8, eps):
    """eps must lie in (0, 1) and be large enough for s_big (1 - 10^-1000: slope (1 - eps) w c < 1; 10^-1000:
    (1/eps - 1) H^2 far above s_big); a missing eps reads as 0."""
    cover = copy.deepcopy(silu8[0])
    if eps is None:
        cover.pop("eps")
    else:
        cover["eps"] = eps
    _rejected(cover)


@pytest.mark.parametrize("eps", [0.14, ["1/7"], {"p": 1}, True])
def test_a_mistyped_eps_is_refused(silu8, eps):
    _rejected(dict(copy.deepcopy(silu8[0]), eps=eps))


@pytest.mark.parametrize("s_big", [BIG, str(10 ** 6 + 1), "4", "1/" + BIG])
def test_an_s_big_past_the_cap_or_below_the_cuts_is_refused(silu8, s_big):
    cover = copy.deepcopy(silu8[0])
    cover["above"][-1] = s_big
    _rejected(cover)


def test_a_cover_ending_where_the_grow_lemma_does_not_yet_hold_is_refused(silu8):
    """Cut the pieces at s = 4 (the lemma with the item's eps needs s_big > 4.72): the large-s check refuses."""
    cover = copy.deepcopy(silu8[0])
    above = [c for c in cover["above"] if Fraction(c) < 4] + ["4"]
    cover["above"] = above
    n_pieces = len(cover["below"]) + len(above) - 2
    cover["slopes"] = [i for i in cover.get("slopes", []) if i < n_pieces]
    with pytest.raises(trusted.Rejected, match="large-s"):
        trusted.items.check_item(cover)


@pytest.mark.parametrize("brackets", [[["1"]], [[[[["1"]]]]], [["1", 2]], "ab", {"a": 1}, [None], [["1", "2", "3"]]])
def test_malformed_brackets_are_refused_not_a_crash(silu8, brackets):
    _rejected(dict(copy.deepcopy(silu8[0]), brackets=brackets))


@pytest.mark.parametrize("field,value", [("T", BIG), ("T", "1/" + BIG), ("T", "-1"), ("weight_var", BIG),
                                         ("n", True), ("n", "8"), ("n", 10 ** 7), ("prec", 63), ("slopes", [10 ** 1000]),
                                         ("slopes", None), ("alpha", "1/2"), ("below", "12")])
def test_odd_values_are_refused(silu8, field, value):
    _rejected(dict(copy.deepcopy(silu8[0]), **{field: value}))


@pytest.mark.parametrize("field,value", [("n", 5), ("n", 9), ("weight_var", "3"), ("weight_var", "4"),
                                         ("activation", "gelu"), ("activation", "softplus")])
def test_a_relabelled_cover_is_refused_for_its_own_claim(silu8, field, value):
    """The claim relabelled alike (so the kernel's relevance test passes): the pieces or lemmas fail at the new
    parameters (n = 5, w = 3: the grow lemma at the item's s_big; n = 9: a piece; w = 4, gelu: near 0)."""
    bad = dict(copy.deepcopy(silu8[0]), **{field: value})
    claim = _claim("<", n=bad["n"], act=bad["activation"], w=Fraction(bad["weight_var"]))
    with pytest.raises(trusted.Rejected):
        trusted.decide(claim, [bad])


def test_the_cover_as_a_simplex_cover_is_refused(silu8):
    bad = dict(copy.deepcopy(silu8[0]), type="simplex-cover")
    with pytest.raises(trusted.Rejected):
        trusted.items.check_item(bad)


# ---------------------------------------------------------------- true claims stay proved
@pytest.mark.slow
def test_silu_3_n12_simplex_stable_root_still_proved():
    """The second simplex root (s = 235.135) is stable: "a simplex fixed point with radius < 1" stays proved."""
    from bnverify.cli import main
    try:
        code = main(["check", "--stages", "rc,silu", "--weight-var", "3", "--n", "12", "--property", "spectral-radius",
                     "--state", "simplex", "--relation", "<", "--bound", "1"])
    except SystemExit as e:
        code = e.code
    assert code == 0


@pytest.mark.parametrize("rel,bound,verdicts", [("<", "21/20", {"refuted"}), ("<", "11/10", {"proved", "inconclusive"}),
                                                (">", "6/5", {"refuted"}), (">", "109/100", {"proved", "inconclusive"}),
                                                (">=", "1", {"proved"}), ("<=", "1", {"refuted"})])
def test_bounds_near_the_radius_follow_the_independent_one(silu8, rel, bound, verdicts):
    """The root's radius is 1.09904 (this file's Price Jacobian; the kernel's enclosure over the cover's bracket is
    [1.0607, 1.1278]): a true claim (radius < 11/10, > 109/100) is never refuted, a false one never proved."""
    cover, bracket = silu8
    try:
        v = trusted.decide(_claim(rel, bound), [cover, bracket])[0]
    except trusted.Rejected:
        v = "inconclusive"
    assert v in verdicts


# ---------------------------------------------------------------- the large-s lemma's two bounds, numerically
H = {"silu": math.exp(-1), "gelu": 1 / math.sqrt(2 * math.pi), "softplus": math.log(2)}


def S_simplex(name, n, w, s, grid=601):
    """E[(phi(x) - phi(y))^2]/2, x, y ~ N(0, q), cov -q/(n-1), q = w s (n-1)/n: x - y and x + y are independent."""
    f = _acts(name)[0]
    q = w * s * (n - 1) / n
    su, sv = math.sqrt(2 * q * n / (n - 1)), math.sqrt(2 * q * (n - 2) / (n - 1))
    X = np.linspace(-12, 12, grid)
    wt = np.exp(-X ** 2 / 2)
    wt /= wt.sum()
    U, V = np.meshgrid(su * X, sv * X, indexing="ij")
    return float(np.sum(np.outer(wt, wt) * (f((U + V) / 2) - f((V - U) / 2)) ** 2) / 2)


@pytest.mark.parametrize("act", ["silu", "gelu", "softplus"])
@pytest.mark.parametrize("state,n", [("two-point", 3), ("two-point", 8), ("two-point", 60), ("simplex", 3),
                                     ("simplex", 8)])
def test_the_large_s_bounds_hold_numerically(act, state, n):
    """(1 - eps) w c s - k (1/eps - 1) H^2 <= S(s) <= (1 + eps) w c s + k (1 + 1/eps) H^2 with the kernel's c
    (_relu_slope) and H (RELU_GAP), k = 1 (two-point) or 1/2 (simplex), at eps 1/10, 1/2, 9/10 and s from 10^-2 to
    10^4: this file's S against the lemma both -grow and -none covers end on."""
    from bnverify.trusted import twopoint as T
    w = 3.5
    c = float(T._relu_slope(n, state).mid())
    h = float(T.RELU_GAP[act](T.ball(0)).mid())
    assert abs(h - H[act]) < 1e-12
    k = 1 if state == "two-point" else 0.5
    for s in np.geomspace(1e-2, 1e4, 13 if state == "two-point" else 7):
        S = S_two(act, n, w, s) if state == "two-point" else S_simplex(act, n, w, s)
        for eps in (0.1, 0.5, 0.9):
            assert (1 - eps) * w * c * s - k * (1 / eps - 1) * h * h <= S * (1 + 1e-9) + 1e-12, (s, eps, S)
            assert S <= (1 + eps) * w * c * s + k * (1 + 1 / eps) * h * h, (s, eps, S)
    assert abs((S_two(act, n, w, 1e4) if state == "two-point" else S_simplex(act, n, w, 1e4)) / (w * c * 1e4) - 1) < 0.02


@pytest.mark.slow
def test_a_grow_ended_simplex_cover_misses_no_root():
    """SiLU 7/2, n = 8, simplex (the cover the kernel accepts but the search does not send, over the budget): this
    file's roots of E[(phi(x) - phi(y))^2]/2 = s on a log grid (one, s = 0.16173) lie in its bracket, with the
    whole map's radius (1.0844) in the kernel's range; S(s) > s at s_big and beyond."""
    from bnverify.trusted import twopoint as T
    n = 8
    cover = simplex_grow_cover(n)
    fact = T.check_cover(copy.deepcopy(cover), "simplex")
    ss = np.geomspace(1e-5, 1e6, 300)
    g = [S_simplex("silu", n, 3.5, x, grid=1201) / x - 1 for x in ss]
    found = [math.sqrt(a * b) for a, b, ga, gb in zip(ss, ss[1:], g, g[1:]) if ga * gb <= 0]
    assert len(found) == 1 and len(fact["s"]) == 1
    a, b = (float(Fraction(x)) for x in fact["s"][0])
    assert a / 1.04 <= found[0] <= b * 1.04         # the grid's step is 7 %: refine in the bracket
    for lo_, hi_ in ((a / 1.04, a), (b, b * 1.04)):
        assert (S_simplex("silu", n, 3.5, lo_, grid=1201) - lo_) * (S_simplex("silu", n, 3.5, hi_, grid=1201) - hi_) > 0
    rad = radius_price("silu", n, 3.5, (a + b) / 2, state="simplex")
    assert float(fact["radii"][0][0]) - 1e-3 <= rad <= float(fact["radii"][0][1]) + 1e-3
    s_big = float(Fraction(cover["above"][-1]))
    assert all(S_simplex("silu", n, 3.5, x) > x for x in (s_big, 10 * s_big, 100 * s_big))
