"""SiLU's spread-none covers (trusted/spreadfam.py: gelu_bound with silu's OMEGA_SILU, the "B" and "Z" leaves with
silu's constants, the cells by Mehler's series of every k; docs/spread.md): the lemmas against mpmath and floats, the
per-cell series against a two-dimensional quadrature, a cover that refutes, and forgeries (relabelled items, a rho
partition claiming too much, a square from gelu's OMEGA, "Z" and "B" leaves beyond their lemmas, a tree over the
price)."""
from __future__ import annotations

import copy
import functools
import json
import math
import sys
from fractions import Fraction as F
from pathlib import Path

import mpmath
import numpy as np
import pytest
from flint import arb, arb_series, ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as SC
from bnverify.trusted import spreadfam as S
from bnverify.trusted.base import Q

sys.path.insert(0, str(Path(__file__).parent))
from test_spread_box_mehler import _K as _quad         # noqa: E402  (a 2-D composite Gauss-Legendre rule)
from test_spread_gelu_cover import _forged as _gelu_forged, _region     # noqa: E402

W, N = F(5, 2), 3         # the cheap genuine cover: some 5,000 cells, a few seconds to find and to check
SOFTPLUS_COVER = Path(__file__).parent / "data" / "softplus_5_2_n3_spread_none.json"
OMEGA_TRUE = 0.27846454276107379


def _silu(t):
    return t / (1 + np.exp(-t))


def _silu_K(q1, q2, c):
    return _quad("silu", q1, q2, c)


def _relu_K(q1, q2, c):
    r = np.clip(c / np.sqrt(q1 * q2), -1, 1)
    return np.sqrt(q1 * q2) * (r / 2 + (np.sqrt(1 - r * r) - r * np.arccos(r)) / (2 * np.pi))


def _diag(K, n, w, q, p):
    """(T_11, T_nn) of the family at (q, p) in floats for a kernel K(q1, q2, c)."""
    rho = (p / ((n - 1) * q) - 1) / (n - 2)
    return S.family_h(n, w, 0, 0, K(q, q, q), K(q, q, rho * q), K(q, p, -p / (n - 1)), K(p, p, p))


def _z_bound(w):
    return 4 * (1 - math.sqrt(w) / 2) ** 2 / (3 * w)          # (1 - sigma/2)^2/(12 C^2 w), C = 1/4


@pytest.fixture(scope="module")
def cover():
    it = SC.search_item("silu", N, W)
    assert it is not None and set(it) >= {"delta", "rho"}
    return it


def _rejected(it, match=None):
    with pytest.raises(trusted.Rejected, match=match):
        S.check_spread_none(copy.deepcopy(it))


def _forged(n, w, deltas, cuts, omega=None, bound_scale=F(1)):
    """A silu item (gelu's _forged with silu's OMEGA_SILU by default and GELU_DEPTH): only the kernel's own derivation
    refuses it."""
    return _gelu_forged(n, w, deltas, cuts, bound_scale=bound_scale, name="silu",
                        omega=S.OMEGA_SILU if omega is None else omega, depth=SC.GELU_DEPTH)


# ---------------------------------------------------------------- the lemmas
def test_omega_silu_is_below_its_bound():
    """omega = max_t t/(1 + e^t) (mpmath: the root of 1 + e^t = t e^t) is 0.278464..., below OMEGA_SILU = 0.28; silu
    - relu = -|t|/(1 + e^|t|) takes values in [-omega, 0]."""
    mpmath.mp.dps = 30
    t = mpmath.findroot(lambda t: 1 + mpmath.exp(t) - t * mpmath.exp(t), 1.3)
    omega = t / (1 + mpmath.exp(t))
    assert abs(omega - OMEGA_TRUE) < 1e-15 and omega < mpmath.mpf(S.OMEGA_SILU.numerator) / S.OMEGA_SILU.denominator
    x = np.linspace(-40, 40, 400001)
    psi = _silu(x) - np.maximum(x, 0)
    assert psi.max() <= 1e-15 and psi.min() >= -OMEGA_TRUE - 1e-12


def test_omega_silu_below_the_true_maximum_is_refused(cover, monkeypatch):
    """The kernel checks OMEGA_SILU itself (its grid on [0, 8] and t e^-t beyond): 0.278 < omega is refused, and
    gelu's OMEGA (0.171) is never silu's."""
    monkeypatch.setattr(S, "OMEGA_SILU", Q("278/1000"))
    _rejected(cover, "one in")


def test_small_scale_constant():
    """silu(t) - t/2 = (t/2) tanh(t/2) in [0, t^2/4] (the "Z" lemma's C = 1/4 and the edge's a_0(p) <= p/4), and
    silu(x) - silu(-x) = x (its odd part x/2: a_1 = sqrt(q)/2, a_k = 0 for odd k >= 3); |silu'| <= 11/10."""
    t = np.linspace(-30, 30, 600001)
    e = _silu(t) - t / 2
    assert np.all(e >= -1e-15) and np.all(e <= t * t / 4 + 1e-15)
    assert np.allclose(_silu(t) - _silu(-t), t, atol=1e-12)
    s = 1 / (1 + np.exp(-t))
    assert np.abs(s * (1 + t * (1 - s))).max() < 1.0999
    with ctx.workprec(128):
        for q in (arb("0.3"), arb(2), arb(40)):
            a = S._coef("silu", q)[0]
            assert a[1].overlaps(q.sqrt() / 2) and all(a[k] == 0 for k in range(3, len(a), 2))


@pytest.mark.parametrize("n", [4, 8])
def test_large_scale_lemma_against_floats(n):
    """|sqrt T_silu(S)_ii - sqrt T_relu(S)_ii| <= sigma omega (Minkowski) at random family points (the quadrature
    kernel), i the cluster and the odd point."""
    rng, w = np.random.default_rng(11), 2.5
    for _ in range(25):
        q, rho = 10 ** rng.uniform(-2, 1.3), rng.uniform(-1 / (n - 2), 1 - 1e-6)
        p = (n - 1) * q * (1 + (n - 2) * rho)
        g, r = _diag(_silu_K, n, w, q, p), _diag(_relu_K, n, w, q, p)
        for a, b in zip(g, r):
            assert abs(math.sqrt(max(a, 0)) - math.sqrt(max(b, 0))) <= math.sqrt(w) * OMEGA_TRUE + 1e-7


def test_small_scale_lemma_against_floats():
    """|sqrt(T_ii/w) - sqrt(q_i)/2| <= 2 sqrt(3) M/4 at every family point (M = max(q, p)): the "Z" leaf's
    inequality with silu's C = 1/4."""
    rng, n, w = np.random.default_rng(12), 5, 2.5
    for _ in range(40):
        q, rho = 10 ** rng.uniform(-4, 0.5), rng.uniform(-1 / (n - 2), 1 - 1e-6)
        p = (n - 1) * q * (1 + (n - 2) * rho)
        M = max(q, p)
        for T, v in zip(_diag(_silu_K, n, w, q, p), (q, p)):
            assert abs(math.sqrt(max(T, 0) / w) - math.sqrt(v) / 2) <= 2 * math.sqrt(3) * M / 4 + 1e-9


def test_the_bound_holds_the_float_search_points():
    """SiLU's spread-cluster points at sigma_w^2 = 5/2 (the proved stable boxes, docs/spread.md: n = 8, q = 2.20827,
    p = 79.8343; n = 9, q = 9.00589, p = 283.5517) lie inside the region: q <= w OMEGA^2/delta^2 on their rho piece,
    p <= (n - 1)^2 times the largest, max(q, p) above the small-scale bound; and they are fixed points of the
    quadrature's family map (so the lemmas' inequalities hold there)."""
    for n, q, p in ((8, 2.2082724738, 79.834320), (9, 9.00589082, 283.55170)):
        rho = (p / ((n - 1) * q) - 1) / (n - 2)
        deltas, cuts = SC.gelu_region(n, W)
        i = next(i for i in range(len(deltas)) if cuts[i] <= rho <= cuts[i + 1])
        bound = float(W * S.OMEGA_SILU ** 2 / deltas[i] ** 2)
        top = (n - 1) ** 2 * float(W * S.OMEGA_SILU ** 2 / min(deltas) ** 2)
        assert q <= bound and p <= top and max(q, p) > _z_bound(2.5)
    n, q, p = 8, 2.2082724738, 79.834320
    g = _diag(_silu_K, n, 2.5, q, p)
    assert abs(g[0] / q - 1) < 1e-4 and abs(g[1] / p - 1) < 1e-4


# ---------------------------------------------------------------- the cells' series
@pytest.mark.parametrize("q1,q2,r", [(1.0, 3.0, -0.4), (2.5, 2.5, 0.7), (0.3, 12.0, -0.9), (6.0, 6.0, 0.97),
                                     (20.0, 60.0, -0.55)])
def test_cell_series_holds_the_quadrature(q1, q2, r):
    """_okern's value (every k, the tail |r|^(N+1) sqrt(T_N T_N)) holds the 2-D quadrature's K at point balls; its
    partials (|r| <= (N+1)/(N+2)) hold central differences of the quadrature; over a small ball of variances the
    value still holds."""
    c = r * math.sqrt(q1 * q2)
    K = _silu_K(q1, q2, c)
    with ctx.workprec(128):
        b1, b2, br = arb(repr(q1)), arb(repr(q2)), arb(repr(r))
        v = S._okern("silu", b1, b2, br)
        assert v.rad() < 0.05 and abs(float(v.mid()) - K) <= float(v.rad()) + 1e-7, (v, K)
        wide = S._okern("silu", arb(repr(q1), 1e-3), b2, br)
        assert abs(float(wide.mid()) - K) <= float(wide.rad()) + 1e-7
        if abs(r) < 0.9:
            e = 1e-4
            dr = S._okern("silu", b1, b2, arb_series([br, 1], prec=2)).coeffs()[1]
            d1 = S._okern("silu", arb_series([b1, 1], prec=2), b2, br).coeffs()[1]
            fr = (_silu_K(q1, q2, (r + e) * math.sqrt(q1 * q2)) - _silu_K(q1, q2, (r - e) * math.sqrt(q1 * q2))) / (2 * e)
            f1 = (_silu_K(q1 + e, q2, r * math.sqrt((q1 + e) * q2)) -
                  _silu_K(q1 - e, q2, r * math.sqrt((q1 - e) * q2))) / (2 * e)
            for exact, diff in ((dr, fr), (d1, f1)):
                assert abs(float(exact.mid()) - diff) <= float(exact.rad()) + 1e-5, (exact, diff)


def _cells_hold_the_quadrature(name, n, w, points, edges, h0, slack):
    """_g12_odd for ``name`` over cells of half-width h0 and 1e-3 about ``points`` (q, p) holds the quadrature's G1, G2
    (to ``slack``), and over edge cells q x [0, p1] (``edges``: (q, p1)) G2 at p = p1, p1/2, p1/8; the interior
    cells [(q, p, h, (G1, G2))] for a caller's own checks (silu's and elu's tests)."""
    K, out = functools.partial(_quad, name), []
    with ctx.workprec(128):
        for q, p in points:
            rho = (p / ((n - 1) * q) - 1) / (n - 2)
            a, b, c, d = K(q, q, q), K(q, q, rho * q), K(q, p, -p / (n - 1)), K(p, p, p)
            truth = (w * (a - b) / (1 - rho) - q, S.family_h(n, w, q, p, a, b, c, d)[0])
            for h in (h0, 1e-3):
                cell = S._g12_odd(name, n, S.ball(F(w)), arb(repr(q), h), arb(repr(p), h))
                for ball_, x in zip(cell, truth):
                    assert abs(float(ball_.mid()) - x) <= float(ball_.rad()) + slack, (q, p, h, ball_, x)
                out.append((q, p, h, cell))
        for q, p1 in edges:
            edge = S._g12_odd(name, n, S.ball(F(w)), arb(repr(q), h0), S._span(F(0), F(p1)))
            for p in (p1, p1 / 2, p1 / 8):
                rho = (p / ((n - 1) * q) - 1) / (n - 2)
                g2 = S.family_h(n, w, q, p, K(q, q, q), K(q, q, rho * q), K(q, p, -p / (n - 1)), K(p, p, p))[0]
                assert abs(float(edge[1].mid()) - g2) <= float(edge[1].rad()) + slack, (q, p, edge[1], g2)
    return out


def test_cell_g1_g2_hold_the_quadrature():
    """_g12_odd for silu (G1 without dividing by 1 - rho, G2 = q' - q) over small cells holds the quadrature's G1, G2 at
    the cells' points, near rho = 1 and near the edge p = 0 too (the edge's bound on c: c = sum_k a_k(q) a_k(p) r^k
    with its a_0 a_0 term), and the edge's c and d themselves."""
    n, edges = 5, ((4.0, 0.5), (40.0, 2.0))
    _cells_hold_the_quadrature("silu", n, 2.5, ((1.0, 3.0), (2.0, 31.9), (4.0, 0.002), (0.5, 7.9), (10.0, 40.0)),
                               edges, 1e-6, 1e-6)
    with ctx.workprec(128):
        for q, p1 in edges:
            qb = arb(repr(q), 1e-6)
            c, d = S._edge("silu", n, qb, S._span(F(0), F(p1)), S._coef("silu", qb)[0][0], S._oe2("silu", qb))
            for p in (p1, p1 / 2, p1 / 8):
                for ball_, x in ((c, _silu_K(q, p, -p / (n - 1))), (d, _silu_K(p, p, p))):
                    assert abs(float(ball_.mid()) - x) <= float(ball_.rad()) + 1e-9, (q, p, ball_, x)


# ---------------------------------------------------------------- a genuine cover
def test_cover_checks_and_refutes(cover):
    f = trusted.items.check_item(copy.deepcopy(cover))
    assert f["fact"] == "spread-none" and f["activation"] == "silu" and f["n"] == N and not f["only_stable"]
    assert set(cover["tree"]) <= set("4" + SC.GELU_ORDER + SC.G1_ALONE + SC.DIFF) and "Z" in cover["tree"] and "B" in cover["tree"]
    claim = {"property": "attractor-stable", "stages": ["rc"], "activation": "silu", "domain": {"n": str(N)},
             "params": {}, "weight_var": str(W)}
    verdict, _, why = trusted.decide(claim, [cover])
    assert verdict == "refuted" and "silu's" in why
    assert trusted.decide(dict(claim, property="attractor-exists"), [cover])[0] == "refuted"
    claim = dict(claim, property="attractor-threshold", params={"value": "none"})
    assert trusted.decide(claim, [cover])[0] == "proved"
    assert trusted.decide(dict(claim, params={"value": "3"}), [cover])[0] == "refuted"


def _relabels_refused(cover, edits):
    """The cover with each of ``edits`` (field: value) applied, and without its rho or its delta, is refused."""
    for e in edits:
        with pytest.raises(trusted.Rejected):
            trusted.items.check_item(copy.deepcopy(dict(cover, **e)))
    for key in ("rho", "delta"):
        _rejected({k: v for k, v in cover.items() if k != key})


def test_relabelled_items_are_refused(cover):
    _relabels_refused(cover, [{"weight_var": "3"}, {"weight_var": "11/4"}, {"n": 4}, {"n": 5}, {"activation": "gelu"},
                              {"activation": "softplus"}, {"activation": "elu"}, {"activation": "tanh"},
                              {"alpha": "1"}, {"prec": 32}])


def test_partition_missing_a_piece_or_claiming_too_much(cover):
    cuts, deltas = cover["rho"], cover["delta"]
    for bad, ds in ((cuts[1:], deltas[1:]), (cuts[:-1], deltas[:-1]), (cuts, deltas[1:])):
        _rejected(dict(cover, rho=bad, delta=ds), "cuts from")
    k = len(deltas) // 2
    for i in (0, k, len(deltas) - 1):
        _rejected(dict(cover, delta=deltas[:i] + [str(F(deltas[i]) * 2)] + deltas[i + 1:]), "not shown")


@pytest.mark.slow
def test_square_below_the_derived_bound(cover):
    """top below (n-1)^2 w OMEGA_SILU^2/delta^2 is refused, and so is a tree built for the square gelu's OMEGA
    would give silu (0.171 for 0.28: some 0.37 of the side)."""
    _rejected(dict(cover, top=str(F(cover["top"]) / 2)), "side top")
    _rejected(dict(cover, top=str(F(cover["top"]) * 3)), "side top")
    _rejected(_forged(N, W, *_region(cover), omega=S.OMEGA), "side top")


def test_z_leaf_above_the_small_scale_bound(cover):
    """A "Z" cell [0, h]^2 is shown only for h below 4 (1 - sigma/2)^2/(3 w) (0.0234 at 5/2)."""
    top, mz = F(cover["top"]), _z_bound(2.5)
    k = next(k for k in range(60) if top / 2 ** k < 2 * mz)
    assert mz < top / 2 ** k
    _rejected(dict(cover, tree="4" * k + "Z"), "'Z' not shown")
    with pytest.raises(trusted.Rejected) as e:           # one level down the origin's cell passes; the next not
        S.check_spread_none(dict(cover, tree="4" * (k + 1) + "Z"))
    assert "'Z' not shown" not in str(e.value)
    with ctx.workprec(128):             # gelu's constant pi/6 < 4/3 would pass a larger cell: silu reads its own
        h = F(_z_bound(2.5) * 1.5).limit_denominator(10 ** 9)
        assert not S._leaf("Z", "silu", N, W, F(0), h, F(0), h)
        assert S._leaf("Z", "silu", N, W, F(0), h / 2, F(0), h / 2)


def test_b_leaf_below_the_bound(cover):
    """"B" cells where q0 does not exceed w OMEGA_SILU^2/delta_i^2: a tree built for half that bound is refused."""
    _rejected(_forged(N, W, *_region(cover), bound_scale=F(1, 2)), "'B' not shown")


def test_tree_over_the_price(cover):
    """silu's price: its cells (3/2 each per bit), its rho pieces and OMEGA's grid (128), and its integrals (10 per
    bit each, weighted, read off the tree); a tree over the budget is refused before any arithmetic."""
    assert trusted.items.work(cover) == 128 * ((len(cover["tree"]) + len(cover["rho"]) + 128) * 3 // 2 +
                                               10 * S.odd_integrals(cover))
    claim = {"property": "attractor-stable", "stages": ["rc"], "activation": "silu", "domain": {"n": str(N)},
             "params": {}, "weight_var": str(W)}
    full = lambda d: "1" if d == 0 else "4" + full(d - 1) * 4          # noqa: E731
    big = dict(cover, tree=full(8), prec=256)           # 65,536 cells of depth 8 at 256 bits
    assert trusted.items.work(big) > trusted.kernel.CERT_WORK
    with pytest.raises(trusted.Rejected, match="over the budget"):
        trusted.decide(claim, [big])


def test_a_deep_tree_is_priced_at_once():
    """A tree of nested "4"s is priced (odd_integrals) down to the kernel's MAX_DEPTH only: 40,000 nested cells once
    took minutes in exact 2^-40000 sides (tanh's and sigmoid's items as well), now well under a second."""
    import time
    for name, w, top in (("silu", "5/2", "100"), ("tanh", "4", "16")):
        it = {"type": "spread-none", "activation": name, "alpha": "0", "weight_var": w, "n": 4, "prec": 128,
              "top": top, "tree": "4" * 40000 + "1" * 120001}
        start = time.process_time()
        assert trusted.items.work(it) > 0
        assert time.process_time() - start < 3
        with pytest.raises(trusted.Rejected):
            S.check_spread_none(it)


def test_no_spread_point_for_silu():
    it = {"type": "spread-point", "activation": "silu", "alpha": "0", "weight_var": "5/2", "n": 3, "prec": 128,
          "q_lo": "1", "q_hi": "2", "p_hi": "1/2"}
    with pytest.raises(trusted.Rejected, match="spread-point item"):
        trusted.items.check_item(it)
    assert SC.point_item("silu", 3, W) is None


@pytest.mark.slow
def test_check_refutes_end_to_end():
    """properties.check: attractor-stable refuted at silu 5/2, n = 3, its method text silu's; the certificate
    re-checks.  (-m slow: the search runs again, 4 s; the
    module's cover fixture is the same search, checked by test_cover_checks_and_refutes.)"""
    from bnverify.claims import properties, spec
    data = {"id": "x", "title": "x", "property": "attractor-stable", "expect": "refuted", "statement": "x",
            "model": {"stages": "rc,silu", "weight_var": "5/2"}, "domain": {"n": "3"}, "params": {}}
    v = properties.check(spec.claim_from_dict(data, "test"))
    assert v.status == "refuted" and "silu's, softplus's or elu's kernel" in v.method, (v.status, v.method)
    assert [it["type"] for it in v.certificate["evidence"]] == ["spread-none"]
    assert trusted.check(v.certificate)[0]


# ---------------------------------------------------------------- softplus: the same route, psi = softplus - log 2
def test_softplus_lemmas_and_coefficients():
    """softplus - relu = log(1 + e^-|t|) in (0, log 2], log 2 < OMEGA_SOFTPLUS = 7/10; softplus(t) - log 2 - t/2 = log
    cosh(t/2) in [0, t^2/8] (the "Z" constant C = 1/8; the edge's a_0(p) <= p/8 <= p/4); its odd part is x/2; the
    coefficients of psi = softplus - log 2 (a_0, a_2, E2, by the form x/2 + log(1 + e^-x) - log 2 on [0, L]) against
    mpmath, at point balls and wide ones."""
    t = np.linspace(-60, 60, 600001)
    sp = np.logaddexp(0, t)
    gap = sp - np.maximum(t, 0)
    assert gap.min() >= 0 and gap.max() <= math.log(2) + 1e-15 < 0.7
    e = sp - math.log(2) - t / 2
    assert np.all(e >= -1e-12) and np.all(e <= t * t / 8 + 1e-12)
    assert np.allclose(sp - np.logaddexp(0, -t), t, atol=1e-9)
    mpmath.mp.dps = 20
    with ctx.workprec(128):
        for q in (1, 20, 300):
            f = lambda z: mpmath.log(1 + mpmath.exp(mpmath.sqrt(q) * z)) - mpmath.log(2)      # noqa: E731
            a, _, e2, _, _ = S._coef("softplus", arb(q))
            for got, want in ((a[0], mpmath.quad(lambda z: f(z) * mpmath.npdf(z), [-14, 0, 14])),
                              (a[2], mpmath.quad(lambda z: f(z) * (z * z - 1) * mpmath.npdf(z), [-14, 0, 14]) / mpmath.sqrt(2)),
                              (e2, mpmath.quad(lambda z: f(z) ** 2 * mpmath.npdf(z), [-14, 0, 14]))):
                assert abs(float(got.mid()) - float(want)) <= float(got.rad()) + 1e-12, (q, got, want)
            wide = S._coef("softplus", S._span(F(q), F(q) * F(101, 100)))[0][0]
            assert wide.contains(a[0].mid())
    deltas, cuts = SC.gelu_region(3, W)         # the kernel checks log 2 < OMEGA_SOFTPLUS: a genuine partition
    region = {"rho": [str(c) for c in cuts], "delta": [str(d) for d in deltas]}
    with ctx.workprec(128):
        assert S.gelu_bound(region, 3, W, "softplus")[2] == W * F(7, 10) ** 2 / min(deltas) ** 2
        with pytest.raises(trusted.Rejected, match="one in"):
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(S, "OMEGA_SOFTPLUS", Q("69/100"))
                S.gelu_bound(region, 3, W, "softplus")


@pytest.mark.slow
def test_softplus_cover_refutes_and_is_softplus_own():
    """A softplus cover at sigma_w^2 = 5/2, n = 3 (no point there: float search) checks and refutes attractor-exists;
    relabelled to silu, gelu or another sigma_w^2 it is refused.  The cover is the search's, stored (tests/data: its
    search takes 5 s, silu's runs in the module's fixture; test_softplus_search_finds_the_cover, -m slow, searches
    it again)."""
    it = json.loads(SOFTPLUS_COVER.read_text())
    f = trusted.items.check_item(copy.deepcopy(it))
    assert f["activation"] == "softplus" and not f["only_stable"]
    claim = {"property": "attractor-exists", "stages": ["rc"], "activation": "softplus", "domain": {"n": "3"},
             "params": {}, "weight_var": str(W)}
    assert trusted.decide(claim, [it])[0] == "refuted"
    for b in (dict(it, activation="silu"), dict(it, activation="gelu"), dict(it, weight_var="3"), dict(it, n=4)):
        with pytest.raises(trusted.Rejected):
            trusted.items.check_item(copy.deepcopy(b))


@pytest.mark.slow
def test_softplus_search_finds_the_cover():
    """The search at softplus, 5/2, n = 3 still finds a cover, which the kernel accepts."""
    it = SC.search_item("softplus", 3, W)
    assert it is not None and trusted.items.check_item(copy.deepcopy(it))["activation"] == "softplus"
