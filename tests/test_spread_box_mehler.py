"""spread-box by Mehler's series (trusted/spreadbox.py, MEHLER: silu, softplus, elu; issue 22): SiLU's stable
spread-cluster point at sigma_w^2 = 5/2, n = 8 (and 9) proved, its spectral radius enclosed.

Independent of the checker: the kernel K(q1, q2, c) = E[phi(X) phi(Y)] by a two-dimensional composite Gauss-Legendre
rule in floats (numpy, 1024 nodes a side, 256 at variances up to 5, no Hermite coefficient), its partials by
central differences; the fixed point as a root of the FULL n x n map T(S) = w C K(S) C (every entry checked) and its
spectral radius from a dense DT(S*) on all n(n+1)/2 symmetric directions (numpy, no S_(n-1) blocks).  GELU run
through the Mehler route against its closed kernel (values and the seven partials)."""
import functools
import math
from fractions import Fraction as F

import numpy as np
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as SC
from bnverify.trusted import mehler
from bnverify.trusted import spreadbox as B
from bnverify.trusted.base import ball

# SC.box_item("silu", 8, 5/2, 2.18808, 0.69835625) (the float search's point; Newton moves it to q 2.2083, p 79.834)
SILU8 = {"type": "spread-box", "activation": "silu", "alpha": "0", "weight_var": "5/2", "n": 8, "prec": 128,
         "q_lo": "2371114511671842020926611/1073741824000000000000000",
         "q_hi": "94844580643535478739061/42949672960000000000000",
         "p_lo": "8572144831549004821019751/107374182400000000000000",
         "p_hi": "342885793900634752995201/4294967296000000000000",
         "Y": [["1155500144118937/125000000000000", "-689722429422147/500000000000000"],
               ["1972269621831429/2500000000000", "-289045048927989/8000000000000"]], "terms": 60}


# SC.box_item("elu", 10, 5/2, 41.2168, -0.0075, alpha=1): the float search's point (not confirmed by its finer
# quadrature) moved to q 41.352, p 351.59; spectral radius of DF 1.02472 (unstable)
ELU10 = {"type": "spread-box", "activation": "elu", "alpha": "1", "weight_var": "5/2", "n": 10, "prec": 128,
         "q_lo": "4440172686982128496287657/107374182400000000000000",
         "q_hi": "177606907810103784845807/4294967296000000000000",
         "p_lo": "3775162248511620905836359/10737418240000000000000",
         "p_hi": "151006490221736342485409/429496729600000000000",
         "Y": [["-2112090445658897/100000000000000", "4125765853171553/2500000000000000"],
               ["-6184857662602393/20000000000000", "2436908001310659/50000000000000"]], "terms": 60}


def _rejected(it):
    with pytest.raises(trusted.Rejected):
        trusted.items.check_item(it)


@functools.lru_cache(maxsize=None)
def _fact():
    return trusted.items.check_item(SILU8)


# ---------------------------------------------------------------- the kernel, written again (floats)
def _phi(name, x):
    if name == "silu":
        return x / (1 + np.exp(-x))
    if name == "softplus":
        return np.logaddexp(0, x)
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))          # elu, alpha 1


@functools.lru_cache(maxsize=None)
def _nodes(a, b, m):
    """Composite Gauss-Legendre on [a, b]: m panels of 16 nodes."""
    t, wt = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(a, b, m + 1)
    return (np.concatenate([(x + y) / 2 + (y - x) / 2 * t for x, y in zip(edges, edges[1:])]),
            np.concatenate([(y - x) / 2 * wt for x, y in zip(edges, edges[1:])]))


def _density(z):
    return np.exp(-z * z / 2) / np.sqrt(2 * np.pi)


@functools.lru_cache(maxsize=None)
def _K(name, q1, q2, c, L=11.0, panels=None):
    """E[phi(X) phi(Y)]: X = sqrt(q1) z1, Y = (c/sqrt q1) z1 + sqrt(q2 - c^2/q1) z2, z1, z2 independent N(0, 1); each
    variable's range split where its argument crosses 0 (ELU's kink), ``panels`` panels of 16 nodes for z1 and half as
    many on each side of the kink for z2: by default 64, 16 where both variances are at most 5 (there 16 and 64 agree to
    2e-16 relative for silu, softplus and elu: phi(sqrt(q) z) bends on a scale of 1/sqrt(q) only)."""
    if panels is None:
        panels = 16 if max(q1, q2) <= 5 else 64
    z1, w1 = _nodes(-L, L, panels)
    u, wu = _nodes(0.0, 1.0, panels // 2)
    s, a = math.sqrt(max(q2 - c * c / q1, 1e-300)), c / math.sqrt(q1)
    kink = np.clip(-a * z1 / s, -L, L)[:, None]                      # Y = 0 at z2 = kink
    z2 = np.concatenate([kink - (kink + L) * u, kink + (L - kink) * u], axis=1)
    w2 = np.concatenate([(kink + L) * wu, (L - kink) * wu], axis=1) * _density(z2)
    inner = (w2 * _phi(name, a * z1[:, None] + s * z2)).sum(axis=1)
    return float((w1 * _density(z1) * _phi(name, math.sqrt(q1) * z1)) @ inner)


def _partials(name, q1, q2, c, e=1e-5, panels=None):
    """(K, dK/dc, dK/dq1, dK/dq2) by central differences (one rule for all seven values)."""
    panels = panels or (16 if max(q1, q2) + e <= 5 else 64)
    d = lambda i: (_K(name, *[v + e * (j == i) for j, v in enumerate((q1, q2, c))], panels=panels) -     # noqa: E731
                   _K(name, *[v - e * (j == i) for j, v in enumerate((q1, q2, c))], panels=panels)) / (2 * e)
    return _K(name, q1, q2, c, panels=panels), d(2), d(0), d(1)


def _near(ball_, x, slack=1e-8):
    return abs(float(ball_.mid()) - x) <= float(ball_.rad()) + slack


@pytest.mark.parametrize("name", ["silu", "softplus", "elu"])
def test_the_series_and_its_partials_hold_the_quadrature(name):
    """mehler.pair over two variance balls (1 and 4, 40 terms) at r = -0.8 (the cross pair), 0.7 (cluster pairs) and
    0 holds the float quadrature's K, dK/dc, dK/dq1, dK/dq2, each ball narrower than 10^-6."""
    alpha = F(1) if name == "elu" else F(0)
    with ctx.workprec(128):
        one, e1, _ = B._data(name, alpha, ball(F(1)), 40)
        four, e4, _ = B._data(name, alpha, ball(F(4)), 40)
        assert _near(e1, _K(name, 1.0, 1.0, 1.0)) and _near(e4, _K(name, 4.0, 4.0, 4.0))
        for (A, qa), (P, qp), r in (((one, 1.0), (four, 4.0), -0.8), ((one, 1.0), (one, 1.0), 0.7),
                                    ((four, 4.0), (one, 1.0), 0.0)):
            got = mehler.pair(A, P, ball(F(repr(r))))
            want = _partials(name, qa, qp, r * math.sqrt(qa * qp))
            for g, x in zip(got, want):
                assert _near(g, x, 1e-7) and g.rad() < 1e-6, (name, r, g, x)


def test_a_short_series_is_wide_not_wrong():
    """Three terms at r = 0.8: the tail bound makes K's ball wide, and it still holds the quadrature's value."""
    with ctx.workprec(128):
        A = B._data("silu", F(0), ball(F(1)), 3)[0]
        got = mehler.pair(A, A, ball(F("0.8")))[0]
    assert got.rad() > 1e-4 and _near(got, _K("silu", 1.0, 1.0, 0.8), 0)


@pytest.mark.parametrize("q1,q2", [(80, 80), (80, 20), (F(1, 20), 80)])
def test_a_short_series_holds_the_partials_too(q1, q2):
    """Three terms at r = 0.8 and large variances (SiLU's coefficients fall slowly there, all tail terms of one sign):
    K and its three partials, tails weighted by j |r|^(j-1) and (k+2) |r|^k, hold the quadrature's values (q1 = 1/20:
    q1's remainders T_j fall like q1^j, dK/dq2's tail reads T_N(q1), not T_(N+2)(q1))."""
    with ctx.workprec(128):
        A, B2 = (B._data("silu", F(0), ball(F(q)), 3)[0] for q in (q1, q2))
        got = mehler.pair(A, B2, ball(F("0.8")))
    want = _partials("silu", float(q1), float(q2), 0.8 * math.sqrt(float(q1 * q2)))
    for g, x in zip(got, want):
        assert _near(g, x, 1e-9), (g, x)


def test_the_series_refuses_r_beyond_its_weights():
    """|r| > (N+2)/(N+3): the tails' weights need not fall; Rejected (no wrong ball)."""
    with ctx.workprec(128):
        A = B._data("silu", F(0), ball(F(1)), 3)[0]
        with pytest.raises(trusted.Rejected):
            mehler.pair(A, A, ball(F("0.9")))


def test_the_mehler_route_on_gelu_holds_the_closed_kernel():
    """GELU through _mehler (40 terms) at a family state (n = 5, q 0.72, p 2.48; rho -0.05, r -0.46): its four
    values and seven partials overlap the closed form's, and J from them is the closed map's."""
    n, q, p = 5, ball(F("0.7234")), ball(F("2.4771"))
    with ctx.workprec(128):
        vals, k = B._mehler("gelu", F(0), 40, n, q, p)
        closed = (B.gelu(q, q, q), B.gelu(q, q, (p / (n - 1) - q) / (n - 2)), B.gelu(q, p, -p / (n - 1)),
                  B.gelu(p, p, p))
        kc = B.kernel_partials("gelu", n, q, p)
        for a, b in zip(vals, closed):
            assert a.overlaps(b) and a.rad() < 1e-9, (a, b)
        for key in kc:
            assert k[key].overlaps(kc[key]) and k[key].rad() < 1e-9, (key, k[key], kc[key])
        J1, J2 = B.jacobian(n, ball(3), k), B.state("gelu", 0, 0, n, ball(3), q, p)[1]
        assert all(J1[i][j].overlaps(J2[i][j]) for i in range(2) for j in range(2))


# ---------------------------------------------------------------- the full map, written again
def _family(n, q, p):
    S = np.full((n, n), (p / (n - 1) - q) / (n - 2))
    S[: n - 1, n - 1] = S[n - 1, : n - 1] = -p / (n - 1)
    np.fill_diagonal(S, q)
    S[n - 1, n - 1] = p
    return S


def _T(name, n, w, S, panels=None):
    """w C K(S) C, K entrywise by the quadrature (rounded arguments: the family's repeated entries computed once)."""
    K = np.array([[_K(name, round(S[i, i], 14), round(S[j, j], 14), round(S[i, j], 14), panels=panels)
                   for j in range(n)] for i in range(n)])
    C = np.eye(n) - 1 / n
    return w * C @ K @ C


def _dense(name, n, w, q, p, panels=64):
    """DT(S) on the n(n+1)/2 symmetric directions H: w C DK(S)[H] C with DK's entries Price's partials (the
    quadrature's central differences): diagonal d/dq K(q, q, q) H_ii, off-diagonal Kc H_ij + Kq1 H_ii + Kq2 H_jj."""
    S = _family(n, q, p)
    C = np.eye(n) - 1 / n
    basis = [(i, j) for i in range(n) for j in range(i, n)]
    part = {}
    for i in range(n):
        for j in range(n):
            if i == j:
                e = 1e-5
                part[i, i] = (_K(name, S[i, i] + e, S[i, i] + e, S[i, i] + e, panels=panels) -
                              _K(name, S[i, i] - e, S[i, i] - e, S[i, i] - e, panels=panels)) / (2 * e)
            else:
                part[i, j] = _partials(name, S[i, i], S[j, j], S[i, j], panels=panels)[1:]
    M = np.zeros((len(basis), len(basis)))
    for col, (a, b) in enumerate(basis):
        H = np.zeros((n, n))
        H[a, b] = H[b, a] = 1
        D = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                D[i, j] = part[i, i] * H[i, i] if i == j else \
                    part[i, j][0] * H[i, j] + part[i, j][1] * H[i, i] + part[i, j][2] * H[j, j]
        T = w * C @ D @ C
        M[:, col] = [T[k, m] for k, m in basis]
    return max(abs(np.linalg.eigvals(M)))


@pytest.mark.slow
def test_silu_n8_box_holds_the_full_maps_root_and_radius():
    """The kernel's box holds the root of the full map (Newton in floats from the float search's point, T(S*) = S*
    in every entry to 1e-10) and [radius_lo, radius_hi] the dense DT(S*)'s spectral radius (to 1e-6).  The quadrature
    with 32 panels a side (at this point's variances 2.2 and 79.8 it agrees with 64 panels to 1e-15 relative, so the
    central differences' partials to some 3e-9: far inside both tolerances; a quarter of 64's work).  (-m slow: the full map at n = 8, 6 s;
    the Mehler series and its partials against the quadrature stay by default.)"""
    f = _fact()
    n, w, panels = 8, 2.5, 32
    x = np.array([2.18808, 7 * 2.18808 * (1 + 6 * 0.69835625)])

    def h(v):
        T = _T("silu", n, w, _family(n, *v), panels)
        return np.array([T[0, 0] - v[0], T[n - 1, n - 1] - v[1]])
    for _ in range(6):
        J = np.column_stack([(h(x + e) - h(x - e)) / 2e-6 for e in (np.array([1e-6, 0]), np.array([0, 1e-6]))])
        x = x - np.linalg.solve(J, h(x))
    q, p = x
    assert np.abs(_T("silu", n, w, _family(n, q, p), panels) - _family(n, q, p)).max() < 1e-10
    assert f["q"][0] - F(1, 10 ** 9) < F(q) < f["q"][1] + F(1, 10 ** 9)
    assert f["p"][0] - F(1, 10 ** 8) < F(p) < f["p"][1] + F(1, 10 ** 8)
    rad = _dense("silu", n, w, q, p, panels)
    assert float(f["radius_lo"]) - 1e-6 < rad < float(f["radius_hi"]) + 1e-6, (rad, f)
    assert 0.98 < float(f["radius_lo"]) <= float(f["radius_hi"]) < 0.985 and f["radius_hi"] - f["radius_lo"] < 1e-6


# ---------------------------------------------------------------- the kernel's decisions
def _claim(prop="attractor-stable", act="silu", n="8", w="5/2", params=None):
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n}, "params": params or {},
            "weight_var": w}


def _verdict(claim, items):
    try:
        return trusted.decide(claim, items)[0]
    except (trusted.Rejected, trusted.NoGoal):
        return "inconclusive"


def test_silu_n8_is_a_stable_attractor_and_no_more():
    """attractor-stable and attractor-exists proved; radius < 0.983 proved (0.98269..), radius < 0.9826 and > 0.99
    never proved (nor refuted: a point proves, never refutes); the box proves nothing at another n or for softplus."""
    _fact()
    assert _verdict(_claim(), [SILU8]) == "proved"
    assert _verdict(_claim("attractor-exists"), [SILU8]) == "proved"
    radius = lambda rel, b: _claim("spectral-radius", params={"state": "attractor", "relation": rel,  # noqa: E731
                                                              "bound": b})
    assert _verdict(radius("<", "983/1000"), [SILU8]) == "proved"
    assert _verdict(radius(">", "98/100"), [SILU8]) == "proved"
    for rel, b in (("<", "9826/10000"), (">", "99/100"), ("<=", "98/100")):
        assert _verdict(radius(rel, b), [SILU8]) == "inconclusive", (rel, b)
    assert _verdict(_claim(n="9"), [SILU8]) == "inconclusive"
    assert _verdict(_claim(act="softplus"), [SILU8]) == "inconclusive"
    assert _verdict(_claim(w="12/5"), [SILU8]) == "inconclusive"


@pytest.mark.parametrize("key,value", [("n", 9), ("n", 7), ("weight_var", "12/5"), ("weight_var", "3"),
                                       ("activation", "gelu"), ("activation", "elu"), ("alpha", "1"),
                                       ("terms", 3), ("terms", 0), ("terms", 198), ("terms", "60"), ("terms", True),
                                       ("prec", 32)])
def test_a_relabelled_or_short_box_is_rejected(key, value):
    """The box relabelled onto another n, weight_var, gelu, elu (alpha 0: no alpha given) or with too short a series
    (3 terms: the tails swamp Krawczyk's test) or a malformed count: Rejected (the series' data cached per ball)."""
    _fact()
    _rejected(dict(SILU8, **{key: value}))


@pytest.mark.slow
def test_the_silu_box_relabelled_onto_softplus_or_elu_is_rejected():
    _rejected(dict(SILU8, activation="softplus"))
    _rejected(dict(SILU8, activation="elu", alpha="1"))


def test_a_box_around_no_zero_is_rejected():
    """The box moved by 1% in q (20 terms: the data cheap) holds no zero: Krawczyk's operator leaves it."""
    lo, hi = F(SILU8["q_lo"]) * F(101, 100), F(SILU8["q_hi"]) * F(101, 100)
    _rejected(dict(SILU8, q_lo=str(lo), q_hi=str(hi), terms=20))


def test_a_wide_box_needs_the_jacobian_over_the_box():
    """q in [2, 2.42], p in [76, 84] around SiLU n = 8's zero (20 terms): J over the box is wide, Krawczyk's operator
    leaves it (the midpoint's Jacobian alone would pass it: no mean value form)."""
    with pytest.raises(trusted.Rejected, match="Krawczyk"):
        trusted.items.check_item(dict(SILU8, q_lo="2", q_hi="121/50", p_lo="76", p_hi="84", terms=20))


def test_a_mehler_box_beyond_its_variances_or_budget_is_rejected():
    """q_hi, p_hi above 1000 are refused before any integral; softplus is priced by its steepness; 197 terms at 512
    bits are over the certificate's budget (items.work, before any arithmetic); 120 or 197 terms, or 60 at 512 bits,
    are within it (every coefficient of a ball from one Gauss-Legendre node set: 2 s at 197 terms)."""
    with pytest.raises(trusted.Rejected, match="p_hi <= 1000"):          # inside the wedge, off the line
        trusted.items.check_item(dict(SILU8, q_lo="1000", q_hi="1001", p_lo="2000", p_hi="2001", terms=1))
    assert trusted.items.work(dict(SILU8, activation="softplus")) > trusted.items.work(SILU8)
    with pytest.raises(trusted.Rejected, match="budget"):     # the longest series at 512 bits
        trusted.decide(_claim(), [dict(SILU8, prec=512, terms=197)])
    for more in (dict(terms=120), dict(terms=197), dict(prec=512)):
        assert trusted.items.work(dict(SILU8, **more)) < trusted.kernel.CERT_WORK


@pytest.mark.slow
def test_silu_n9_box_from_the_float_search():
    """n = 9: the float search's point (q 8.81, rho 0.42; Newton moves it to q 9.006, p 283.6) gives a box; radius in
    [0.9857, 0.9859], attractor-stable proved."""
    it = SC.box_item("silu", 9, F(5, 2), 8.81304, 0.41985691)
    f = trusted.items.check_item(it)
    assert 0.9857 < float(f["radius_lo"]) <= float(f["radius_hi"]) < 0.9859
    assert _verdict(_claim(n="9"), [it]) == "proved"


def test_an_elu_box_answers_for_its_own_alpha():
    """ELU(1) at 5/2, n = 10: the point exists, radius in [1.0247, 1.0248] (> 1 proved, stability never); the box
    relabelled alpha 1/2 is rejected, and the genuine box proves nothing for a claim at alpha 1/2 (the goal matches
    the fact's alpha)."""
    f = trusted.items.check_item(ELU10)
    assert f["alpha"] == 1 and 1.0247 < float(f["radius_lo"]) <= float(f["radius_hi"]) < 1.0248
    claim = lambda prop, a, params=None: {"property": prop, "stages": ["rc"], "activation": "elu",  # noqa: E731
                                          "domain": {"n": "10", "alpha": a}, "params": params or {},
                                          "weight_var": "5/2"}
    assert _verdict(claim("attractor-exists", "1"), [ELU10]) == "proved"
    assert _verdict(claim("spectral-radius", "1", {"state": "attractor", "relation": ">", "bound": "1"}),
                    [ELU10]) == "proved"
    assert _verdict(claim("attractor-stable", "1"), [ELU10]) == "inconclusive"
    assert _verdict(claim("attractor-exists", "1/2"), [ELU10]) == "inconclusive"
    _rejected(dict(ELU10, alpha="1/2"))


@pytest.mark.slow
@pytest.mark.parametrize("n,q,rho,lo,hi", [(5, 3.7957, -0.2313, 1.05299, 1.05300), (8, 3.0638, -0.1507, 1.06061, 1.06062)])
def test_softplus_points_exist_unstable(n, q, rho, lo, hi):
    """softplus at 7/2: the float search's points boxed (radius > 1): attractor-exists proved, stability never."""
    it = SC.box_item("softplus", n, F(7, 2), q, rho)
    f = trusted.items.check_item(it)
    assert lo < float(f["radius_lo"]) <= float(f["radius_hi"]) < hi
    assert _verdict(_claim("attractor-exists", "softplus", str(n), "7/2"), [it]) == "proved"
    assert _verdict(_claim("attractor-stable", "softplus", str(n), "7/2"), [it]) == "inconclusive"


def test_attractor_and_atlas_rows_take_mehler_boxes(monkeypatch):
    """commands/spread_verdicts.boxes (the attractor and atlas rows) admits silu, softplus and elu: SiLU's n = 8 box
    makes a stable kernel-checked row; an ELU point is boxed at the activation's own alpha (it was asked for alpha 0,
    which the kernel refuses for elu)."""
    from bnverify.commands import spread_verdicts
    from bnverify.core.activations import activation
    asked = []
    monkeypatch.setattr(SC, "box_item", lambda *a, **k: asked.append((a, k)) or (SILU8 if a[0] == "silu" else None))
    point = {"state": "spread", "q": 2.2, "rho": 0.7, "full_radius": 0.98}
    got = spread_verdicts.boxes(activation("silu"), F(5, 2), 8, [point])
    assert len(got) == 1 and got[0]["stable"] and got[0]["checked"] and 0.98 < got[0]["spectral_radius_hi"] < 0.983
    assert spread_verdicts.boxes(activation("elu", F(1, 2)), F(5, 2), 10, [point]) == []
    assert asked[-1][1]["alpha"] == F(1, 2) and asked[-1][0][:3] == ("elu", 10, F(5, 2))


@pytest.mark.slow
def test_softplus_n5_and_n6_fit_one_certificate():
    """box_item takes the shortest series whose tail weight is below 2^-60 at the point's correlations (softplus at
    7/2: |r| <= 0.28, some 30 terms): with 60 terms each, the n = 5 and n = 6 boxes were over a certificate's budget
    together (32.5 million) and `check --n 5..6` was inconclusive though each n was proved."""
    its = [SC.box_item("softplus", n, F(7, 2), q, rho) for n, q, rho in ((5, 3.7957, -0.2313), (6, 3.5359, -0.2063))]
    assert all(it is not None and it["terms"] < 60 for it in its)
    assert sum(trusted.items.work(it) for it in its) <= trusted.kernel.CERT_WORK
    assert _verdict(_claim("attractor-exists", "softplus", "5..6", "7/2"), its) == "proved"


def _elu_E(al, f1, f2, q1, q2, c, L=11.0):
    """E[f1(X) f2(Y)] for ELU(al)'s pieces, (X, Y) as in _K (the same kink-split rule, any two functions)."""
    z1, w1 = _nodes(-L, L, 64)
    u, wu = _nodes(0.0, 1.0, 32)
    s, a = math.sqrt(q2 - c * c / q1), c / math.sqrt(q1)
    kink = np.clip(-a * z1 / s, -L, L)[:, None]
    z2 = np.concatenate([kink - (kink + L) * u, kink + (L - kink) * u], axis=1)
    w2 = np.concatenate([(kink + L) * wu, (L - kink) * wu], axis=1) * _density(z2)
    inner = (w2 * f2(a * z1[:, None] + s * z2)).sum(axis=1)
    return float((w1 * _density(z1) * f1(math.sqrt(q1) * z1)) @ inner)


@pytest.mark.parametrize("al", [F(1, 2), F(3)])
def test_elu_away_from_alpha_one_holds_the_quadrature(al):
    """ELU(alpha), alpha != 1: phi' jumps at 0 (alpha to 1), so Price's dK/dq1 = E[phi'' phi]/2 carries a point mass
    (1 - alpha) delta (the series reads it through E[phi He_(k+2)]); against Stein's form (E[X phi'(X) phi(Y)] - c
    E[phi' phi'])/(2 q1) by quadrature (no derivative of phi taken), over balls of variances 2 +- 1/1000 and 5 +-
    1/1000 at the balls' corners, r = -0.6, and dE2/dq = E[Z phi phi'(sqrt q Z)]/sqrt q."""
    a = float(al)
    phi = lambda t: np.where(t > 0, t, a * np.expm1(np.minimum(t, 0)))          # noqa: E731
    dphi = lambda t: np.where(t > 0, 1.0, a * np.exp(np.minimum(t, 0)))         # noqa: E731
    with ctx.workprec(128):
        (A, e2, de2), (P, _, _) = (B._data("elu", al, ball(F(q)) + arb(0, ball(F(1, 1000))), 30)[:3] for q in (2, 5))
        c = -0.6 * math.sqrt(10)
        got = mehler.pair(A, P, ball(F(repr(c))) / (A[2] * P[2]).sqrt())
    for q1 in (2 - 1e-3, 2 + 1e-3):
        for q2 in (5 - 1e-3, 5 + 1e-3):
            kc = _elu_E(a, dphi, dphi, q1, q2, c)
            want = (_elu_E(a, phi, phi, q1, q2, c), kc,
                    (_elu_E(a, lambda x: x * dphi(x), phi, q1, q2, c) - c * kc) / (2 * q1),
                    (_elu_E(a, phi, lambda y: y * dphi(y), q1, q2, c) - c * kc) / (2 * q2))
            for g, x in zip(got, want):
                assert _near(g, x, 1e-9), (al, q1, q2, g, x)
    z, wz = _nodes(-11.0, 11.0, 64)
    for q in (2 - 1e-3, 2, 2 + 1e-3):
        s = math.sqrt(q)
        assert _near(e2, float(wz @ (_density(z) * phi(s * z) ** 2)), 1e-9)
        assert _near(de2, float(wz @ (_density(z) * z * phi(s * z) * dphi(s * z))) / s, 1e-9)


@pytest.mark.slow
def test_the_attractor_command_boxes_mehler_points():
    """`bnverify attractor` (spread_verdicts.boxes) boxes SiLU's, softplus's and ELU's points as `check` does: SiLU at
    5/2, n = 8 stable (the row proved), ELU(1/2) at 5/2, n = 10 unstable with its own alpha (radius 1.02442, not
    ELU(1)'s); before, only gelu, erf and sin were tried and the SiLU row read inconclusive, "not proved"."""
    from bnverify.commands import spread_verdicts
    from bnverify.core import activations
    got = spread_verdicts.boxes(activations.activation("silu"), F(5, 2), 8,
                                [{"state": "spread", "q": 2.18808, "rho": 0.69835625}])
    assert len(got) == 1 and got[0]["stable"] and 0.98268 < got[0]["spectral_radius_lo"] < 0.98270
    got = spread_verdicts.boxes(activations.activation("elu", F(1, 2)), F(5, 2), 10,
                                [{"state": "spread", "q": 7.0286, "rho": (51.498 / 9 / 7.0286 - 1) / 8}])
    assert len(got) == 1 and not got[0]["stable"] and 1.02442 < got[0]["spectral_radius_lo"] < 1.02443
