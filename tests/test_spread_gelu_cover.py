"""GELU's spread-none covers (trusted/spreadfam.py, gelu_bound, m_piece, the "B" and "Z" leaves; docs/spread.md):
the two lemmas that bound the region against floats and mpmath, a cover that refutes, and forgeries (relabelled
items, a rho partition missing a piece or claiming too large a delta, a square below the derived bound, "Z" and "B"
leaves where their lemmas do not reach, a tree over the price)."""
from __future__ import annotations

import copy
import math
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as SC
from bnverify.trusted import spreadfam as S
from bnverify.trusted.base import Q

W, N = F(5, 2), 3         # the cheap genuine cover: some 2,000 cells, 2 s to find, 0.5 s to check


def _kap(r):
    r = np.clip(r, -1, 1)
    return r / 2 + (np.sqrt(1 - r * r) - r * np.arccos(r)) / (2 * np.pi)


def _gelu_K(q1, q2, c):
    s = (1 + q1) * (1 + q2)
    return (c + 2 / np.pi * (c * np.arcsin(c / np.sqrt(s)) + (q1 * q2 + c * c - c * c * (q1 / (1 + q1) + q2 / (1 + q2)))
                             / np.sqrt(s - c * c))) / 4


def _diag(K, n, w, q, p):
    """(T_11, T_nn) of the family at (q, p) in floats for a kernel K(q1, q2, c)."""
    rho = (p / ((n - 1) * q) - 1) / (n - 2)
    return S.family_h(n, w, 0, 0, K(q, q, q), K(q, q, rho * q), K(q, p, -p / (n - 1)), K(p, p, p))


def _relu_K(q1, q2, c):
    return np.sqrt(q1 * q2) * _kap(c / np.sqrt(q1 * q2))


def _z_bound(w):
    return math.pi * (1 - math.sqrt(w) / 2) ** 2 / (6 * w)


@pytest.fixture(scope="module")
def cover():
    it = SC.search_item("gelu", N, W)
    assert it is not None and set(it) >= {"delta", "rho"}
    return it


def _check(it):
    return trusted.items.check_item(copy.deepcopy(it))


def _rejected(it, match=None):
    with pytest.raises(trusted.Rejected, match=match):
        S.check_spread_none(copy.deepcopy(it))


def _forged(n, w, deltas, cuts, scale=F(1), bound_scale=F(1), name="gelu", omega=S.OMEGA, depth=SC.DEPTH):
    """An item of ``name`` (gelu; silu in tests/test_spread_silu_cover.py, with its OMEGA_SILU and depth) whose tree
    the search builds for the square and bounds that ``deltas`` and ``omega`` give, times ``scale`` and
    ``bound_scale`` (a tree that covers what it is asked to, so that only the kernel's own derivation refuses it)."""
    bs = [w * omega ** 2 / d ** 2 * bound_scale for d in deltas]
    bound = (cuts, bs, max(bs))
    top = (n - 1) ** 2 * bound[2] / bound_scale * scale
    t = SC.tree(name, n, w, top=top, order=SC.GELU_ORDER, bound=bound, depth=depth)
    assert t is not None
    return {"type": "spread-none", "activation": name, "alpha": "0", "weight_var": str(w), "n": n, "prec": 128,
            "top": str(top), "tree": t, "delta": [str(d) for d in deltas], "rho": [str(c) for c in cuts]}


def _region(it):
    return [F(d) for d in it["delta"]], [F(c) for c in it["rho"]]


# ---------------------------------------------------------------- the lemmas
def test_omega_is_below_its_bound():
    """omega = max_t t Phi(-t) (mpmath: the root of Phi(-t) = t N(t)) is 0.16997..., below OMEGA = 0.171, and gelu -
    relu = -|t| Phi(-|t|) takes values in [-omega, 0]."""
    mpmath.mp.dps = 30
    t = mpmath.findroot(lambda t: mpmath.ncdf(-t) - t * mpmath.npdf(t), 0.75)
    omega = t * mpmath.ncdf(-t)
    assert 0.16997 < omega < 0.16998 and omega < mpmath.mpf(S.OMEGA.numerator) / S.OMEGA.denominator
    x = np.linspace(-20, 20, 400001)
    psi = x * 0.5 * np.array([math.erfc(-v / math.sqrt(2)) for v in x]) - np.maximum(x, 0)
    assert psi.max() <= 1e-15 and psi.min() >= -float(omega) - 1e-12


def test_omega_below_the_true_maximum_is_refused(cover, monkeypatch):
    """The kernel checks OMEGA itself (its grid on [0, 2] and Mills' bound beyond): 0.169 < omega is refused."""
    monkeypatch.setattr(S, "OMEGA", Q("169/1000"))
    _rejected(cover, "one in")


@pytest.mark.parametrize("n", [4, 8])
def test_large_scale_lemma_against_floats(n):
    """|sqrt T_gelu(S)_ii - sqrt T_relu(S)_ii| <= sigma omega (Minkowski) at random family points, i the cluster and
    the odd point; and relu's T is q times its value at q = 1 (homogeneity), as gelu_bound reads it."""
    rng, w = np.random.default_rng(1), 2.5
    omega = 0.16997120747940211
    for _ in range(200):
        q, rho = 10 ** rng.uniform(-3, 3), rng.uniform(-1 / (n - 2), 1 - 1e-9)
        p = (n - 1) * q * (1 + (n - 2) * rho)
        g, r = _diag(_gelu_K, n, w, q, p), _diag(_relu_K, n, w, q, p)
        for a, b in zip(g, r):
            assert abs(math.sqrt(a) - math.sqrt(max(b, 0))) <= math.sqrt(w) * omega + 1e-9
        r1 = _diag(_relu_K, n, w, 1.0, p / q)
        assert np.allclose([q * v for v in r1], r, rtol=1e-9, atol=1e-12)


def test_small_scale_lemma_against_floats():
    """||phi_i - phibar - X_i/2|| <= 2 sqrt(3) M/sqrt(2 pi) at every family point (M = max(q, p)), the inequality
    the "Z" leaf rests on, tested as |sqrt(T_ii/w) - sqrt(q_i)/2| <= 2 sqrt(3) M/sqrt(2 pi) (reverse triangle)."""
    rng, n, w = np.random.default_rng(2), 5, 2.5
    for _ in range(300):
        q, rho = 10 ** rng.uniform(-4, 1), rng.uniform(-1 / (n - 2), 1 - 1e-9)
        p = (n - 1) * q * (1 + (n - 2) * rho)
        M = max(q, p)
        for T, v in zip(_diag(_gelu_K, n, w, q, p), (q, p)):
            assert abs(math.sqrt(T / w) - math.sqrt(v) / 2) <= 2 * math.sqrt(3) * M / math.sqrt(2 * math.pi) + 1e-12


def test_the_bound_holds_the_float_search_points():
    """The float search's spread-cluster points (docs/spread.md) lie inside the region the lemmas leave: GELU at
    sigma_w^2 = 3, n = 8 (q = 1.068, rho = -0.14216; q = 33.5, rho = -0.12009) and at 5/2, n = 8 (the stable q =
    0.75946, rho = 0.65067): q <= w OMEGA^2/delta^2 and max(q, p) above the small-scale bound."""
    for w, n, points in ((F(3), 8, ((1.068, -0.14216), (33.5, -0.12009))), (F(5, 2), 8, ((0.75946, 0.65067),))):
        deltas, cuts = SC.gelu_region(n, w)
        for q, rho in points:
            p = (n - 1) * q * (1 + (n - 2) * rho)
            i = next(i for i in range(len(deltas)) if cuts[i] <= rho <= cuts[i + 1])     # its piece's bound
            bound = float(w * S.OMEGA ** 2 / deltas[i] ** 2)
            assert q <= bound and p <= (n - 1) ** 2 * bound and max(q, p) > _z_bound(float(w))
    # and at those points gelu is a fixed point of the family's float map, so the lemmas' inequalities hold there
    n, w = 8, 2.5
    q, rho = 0.75946, 0.65067
    p = (n - 1) * q * (1 + (n - 2) * rho)
    g, r = _diag(_gelu_K, n, w, q, p), _diag(_relu_K, n, w, q, p)
    assert abs(g[0] / q - 1) < 1e-3 and abs(g[1] / p - 1) < 1e-3
    assert abs(math.sqrt(q) - math.sqrt(r[0])) <= math.sqrt(w) * 0.16998


def test_m_piece_against_floats():
    """m_piece never shows m >= d where the float m is below d somewhere on the piece (a grid inside it)."""
    n, w = 6, F(5, 2)
    rng = np.random.default_rng(3)
    with ctx.workprec(128):
        for _ in range(300):
            a = F(float(rng.uniform(-1 / (n - 2), 1))).limit_denominator(10 ** 6)
            b = min(F(1), a + F(float(10 ** rng.uniform(-4, -1))).limit_denominator(10 ** 8))
            if not a < b:
                continue
            rho = np.linspace(float(a), float(b), 201)
            P0 = np.maximum((n - 1) * (1 + (n - 2) * rho), 0)
            Q1, Qn = S.family_h(n, float(w), 0, 0, 0.5, _kap(rho), np.sqrt(P0) * _kap(-np.sqrt(P0) / (n - 1)), P0 / 2)
            m = np.maximum(abs(1 - np.sqrt(Q1)), abs(np.sqrt(P0) - np.sqrt(Qn))).min()
            d = F(float(m) * 1.01).limit_denominator(10 ** 9)
            assert not S.m_piece(n, S.ball(w), S.ball(d), a, b)


# ---------------------------------------------------------------- a genuine cover
def test_cover_checks_and_refutes(cover):
    f = _check(cover)
    assert f["fact"] == "spread-none" and f["activation"] == "gelu" and f["n"] == N and not f["only_stable"]
    assert set(cover["tree"]) <= set("4" + SC.GELU_ORDER) and "Z" in cover["tree"] and "B" in cover["tree"]
    claim = {"property": "attractor-stable", "stages": ["rc"], "activation": "gelu", "domain": {"n": str(N)},
             "params": {}, "weight_var": str(W)}
    verdict, _, why = trusted.decide(claim, [cover])
    assert verdict == "refuted" and "gelu's" in why
    claim = dict(claim, property="attractor-exists")
    assert trusted.decide(claim, [cover])[0] == "refuted"
    claim = dict(claim, property="attractor-threshold", params={"value": "none"})
    assert trusted.decide(claim, [cover])[0] == "proved"


# ---------------------------------------------------------------- forgeries
def test_relabelled_items_are_refused(cover):
    # (relabelled to weight_var 2 it passes: a true fact there, the trace lemma's; the tree's signs hold at 2 too)
    for b in (dict(cover, weight_var="3"), dict(cover, weight_var="7/2"), dict(cover, n=4), dict(cover, activation="erf"),
              dict(cover, activation="sin"), dict(cover, alpha="1"), dict(cover, prec=32)):
        with pytest.raises(trusted.Rejected):
            trusted.items.check_item(copy.deepcopy(b))
    b = dict(cover)         # no partition, no delta
    del b["rho"]
    _rejected(b)
    b = dict(cover)
    del b["delta"]
    _rejected(b)


def test_partition_missing_a_piece_or_claiming_too_much(cover):
    cuts, deltas = cover["rho"], cover["delta"]
    for bad, ds in ((cuts[1:], deltas[1:]), (cuts[:-1], deltas[:-1]), (cuts[:2] + cuts[1:], deltas[:1] + deltas),
                    ([cuts[0], cuts[2], cuts[1]] + cuts[3:], deltas), (["-2"] + cuts[1:], deltas), (cuts, deltas[1:])):
        _rejected(dict(cover, rho=bad, delta=ds), "cuts from")
    deltas = cover["delta"]
    k = len(deltas) // 2
    for i in (0, k, len(deltas) - 1):
        _rejected(dict(cover, delta=deltas[:i] + [str(F(deltas[i]) * 2)] + deltas[i + 1:]), "not shown")
    for bad in (deltas[1:], deltas + ["1/100"], deltas[:k] + ["0"] + deltas[k + 1:], deltas[:k] + ["1"] + deltas[k + 1:]):
        _rejected(dict(cover, delta=bad), "one in")
    with pytest.raises(trusted.Rejected):
        trusted.items.check_item(dict(cover, delta=deltas[0]))      # a string: the old one-delta form


def test_square_below_the_derived_bound(cover):
    """top below (n-1)^2 w OMEGA^2/delta^2 (or above 8 times it) is refused, though the tree covers that square."""
    _rejected(dict(cover, top=str(F(cover["top"]) / 2)), "side top")
    _rejected(dict(cover, top=str(F(cover["top"]) * 3)), "side top")
    _rejected(_forged(N, W, *_region(cover), scale=F(3, 4)), "side top")
    _rejected(_forged(N, W, *_region(cover), scale=F(3, 4), bound_scale=F(3, 4)), "side top")


def test_partition_that_skips_the_least_m():
    """A partition starting above the simplex's rho = -1/(n-1) = -1/2 at n = 3 (where m is least) claims a larger
    delta, a smaller bound, and a tree for it: refused for the missing piece alone."""
    n, w = N, W
    with ctx.workprec(128):
        lo = F(-2, 5)
        rho = np.linspace(-0.4, 1, 20001)
        P0 = (n - 1) * (1 + (n - 2) * rho)
        Q1, Qn = S.family_h(n, 2.5, 0, 0, 0.5, _kap(rho), np.sqrt(P0) * _kap(-np.sqrt(P0) / (n - 1)), P0 / 2)
        delta = F(float(np.maximum(abs(1 - np.sqrt(Q1)), abs(np.sqrt(P0) - np.sqrt(Qn))).min()) * 0.9).limit_denominator(
            10 ** 6)
        cuts, stack = [lo], [(lo, F(1))]
        while stack:
            a, b = stack.pop()
            if S.m_piece(n, S.ball(w), S.ball(delta), a, b):
                cuts.append(b)
            else:
                stack += [((a + b) / 2, b), (a, (a + b) / 2)]
    assert delta > min(SC.gelu_region(n, w)[0])
    _rejected(_forged(n, w, [delta] * (len(cuts) - 1), cuts), "cuts from")


def test_z_leaf_above_the_small_scale_bound(cover):
    """A "Z" cell [0, h]^2 is shown only for h below pi (1 - sigma/2)^2/(6 w) (0.00918 at 5/2): the first leaf of
    "4" * k + "Z" is the origin's cell at depth k."""
    top, mz = F(cover["top"]), _z_bound(2.5)
    k = next(k for k in range(60) if top / 2 ** k < 2 * mz)
    assert mz < top / 2 ** k
    _rejected(dict(cover, tree="4" * k + "Z"), "'Z' not shown")
    erf = SC.search_item("erf", 4, 2)           # "Z" is gelu's lemma: never erf's, however small the cell
    _rejected(dict(erf, tree="4" * 20 + "Z"), "'Z' not shown")
    with pytest.raises(trusted.Rejected) as e:           # one level down the origin's cell passes; the next cell not
        S.check_spread_none(dict(cover, tree="4" * (k + 1) + "Z"))
    assert "'Z' not shown" not in str(e.value)


def test_b_leaf_below_the_bound(cover):
    """"B" cells where q0 does not exceed w OMEGA^2/delta_i^2: a tree built for half that bound is refused; a cell
    is "B" only if q0 exceeds the bound of every piece its rho range [rho(q1, p0), rho(q0, p1)] meets."""
    _rejected(_forged(N, W, *_region(cover), bound_scale=F(1, 2)), "'B' not shown")
    n, mid = 5, F(1, 2)
    bound = ([F(-1, 3), mid, F(1)], [F(10), F(1)], F(10))          # rho <= 1/2: q <= 10; above: q <= 1
    rho = lambda q, p: (p / q / (n - 1) - 1) / (n - 2)          # noqa: E731
    with ctx.workprec(128):
        for q0, q1, p0, p1, shown in ((2, 3, 31, 32, True), (2, 3, 30, 31, False), (2, 3, 8, 9, False),
                                      (11, 12, 8, 9, True), (2, 3, 16, 25, False), (2, 3, 24, 26, False),
                                      (F(5, 2), 3, 29, 30, False)):
            q0, q1, p0, p1 = (F(x) for x in (q0, q1, p0, p1))
            assert S._leaf("B", "gelu", n, W, q0, q1, p0, p1, bound) == shown, (q0, q1, p0, p1)
            if shown:           # every family point of the cell has q above its own piece's bound
                assert all(q0 > (10 if rho(q, p) <= mid else 1) for q in (q0, q1) for p in (p0, p1))
        assert not S._leaf("B", "gelu", n, W, F(0), F(1), F(31), F(32), bound)
        # 100 pieces of [-1/3, 1], bound 1 but 10 on the last: a cell meeting all of them is "B" only above 10, one
        # meeting the first 64 or fewer above 1 (beyond 64 pieces the kernel reads the largest bound)
        cuts = [F(-1, 3) + F(4, 3) * k / 100 for k in range(101)]
        many = (cuts, [F(1)] * 99 + [F(10)], F(10))
        assert not S._leaf("B", "gelu", n, W, F(2), F(3), F(0), F(48), many)         # rho -1/3 .. 1: all of them
        assert S._leaf("B", "gelu", n, W, F(11), F(12), F(0), F(176), many)
        assert S._leaf("B", "gelu", n, W, F(2), F(3), F(12), F(13), many)            # rho 0 .. 0.08: a few
        wide = (cuts, [F(1)] * 30 + [F(10)] + [F(1)] * 69, F(10))
        assert not S._leaf("B", "gelu", n, W, F(2), F(3), F(0), F(48), wide)
        assert not S._leaf("B", "erf", n, W, F(2), F(3), F(31), F(32), None)


def test_tree_over_the_price(cover):
    """gelu's cells are priced twice erf's (and its rho pieces and OMEGA's grid beside): a tree over the budget is
    refused before any arithmetic."""
    claim = {"property": "attractor-stable", "stages": ["rc"], "activation": "gelu", "domain": {"n": str(N)},
             "params": {}, "weight_var": str(W)}
    big = dict(cover, tree="4" * 30000 + "O" * 90001)
    assert trusted.items.work(big) > trusted.kernel.CERT_WORK
    assert trusted.items.work(cover) == (len(cover["tree"]) * 2 + len(cover["rho"]) + 64) * 128 * 3 // 2
    assert trusted.items.work(dict(cover, rho=cover["rho"] * 100)) > trusted.items.work(cover) + 300 * 192
    with pytest.raises(trusted.Rejected, match="over the budget"):
        trusted.decide(claim, [big])


def test_no_spread_point_for_gelu():
    """gelu is not odd: n = 3's edge p = 0 is not invariant, so a spread-point item for gelu is refused though q' - q
    may change sign along it; and the search does not try one."""
    # at 39/10, q' - q changes sign along p = 0 near q = 0.1515 and det(J - I) < 0 on a cell there, as for erf's
    # point: for gelu that is no fixed point (p' != 0 on the edge), and the item is refused for its activation
    q = F("0.15151181550858384")
    h = q / 64
    it = {"type": "spread-point", "activation": "gelu", "alpha": "0", "weight_var": "39/10", "n": 3, "prec": 128,
          "q_lo": str(q - h), "q_hi": str(q + h), "p_hi": str(h)}
    with ctx.workprec(128):
        w = F(39, 10)
        ends = [S.h12("gelu", 3, S.ball(w), S.ball(x), arb(0))[0] for x in (q - h, q + h)]
        assert ends[0] < 0 < ends[1] and S._leaf("U", "gelu", 3, w, q - h, q + h, F(0), h)
        assert not S.h12("gelu", 3, S.ball(w), S.ball(q), arb(0))[1].contains(0)      # p' - p != 0 on the edge
    with pytest.raises(trusted.Rejected, match="spread-point item"):
        trusted.items.check_item(it)
    assert SC.point_item("gelu", 3, F(3)) is None


def test_check_refutes_end_to_end():
    """properties.check (the search, the kernel, the certificate re-checked): attractor-stable refuted at gelu 5/2,
    n = 3, its method text gelu's; the certificate re-checks; the threshold value none on 3..3 proved."""
    from bnverify.claims import properties, spec

    def run(prop, params=None):
        data = {"id": "x", "title": "x", "property": prop, "expect": "refuted", "statement": "x",
                "model": {"stages": "rc,gelu", "weight_var": "5/2"}, "domain": {"n": "3"}, "params": params or {}}
        return properties.check(spec.claim_from_dict(data, "test"))
    v = run("attractor-stable")
    assert v.status == "refuted" and "gelu's closed dual kernel" in v.method, (v.status, v.method)
    assert [it["type"] for it in v.certificate["evidence"]] == ["spread-none"]
    assert trusted.check(v.certificate)[0]
    assert run("attractor-threshold", {"value": "none"}).status == "proved"


def test_threshold_from_a_box_and_covers():
    """attractor-threshold value t is proved by a stable spread-box at t and spread-none covers at every smaller n
    of the domain (gelu 5/2: the stable box at n = 8, q = 0.75946); without a cover below t, or with a box whose
    radius is not below 1 (gelu 3, n = 5: 1.028), it is not; a cover at t refutes t."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from test_redteam_box import _claim, _stable

    def verdict(claim, items):
        try:
            return trusted.decide(claim, items)[0]
        except (trusted.Rejected, trusted.NoGoal):
            return "inconclusive"
    box = _stable()
    assert verdict(_claim("attractor-threshold", n="8", value="8"), [box]) == "proved"
    q0, q1, p0, p1 = (F(box[k]) for k in ("q_lo", "q_hi", "p_lo", "p_hi"))
    qm, pm = (q0 + q1) / 2, (p0 + p1) / 2          # relative half-width 2^-12: radius in [0.93, 1.29], not below 1
    wide = dict(box, q_lo=str(qm - qm / 4096), q_hi=str(qm + qm / 4096), p_lo=str(pm - pm / 4096),
                p_hi=str(pm + pm / 4096))
    f = trusted.items.check_item(wide)
    assert f["radius_lo"] < 1 < f["radius_hi"]
    assert verdict(_claim("attractor-threshold", n="8", value="8"), [wide]) == "inconclusive"
    assert verdict(_claim("attractor-threshold", n="8..9", value="8"), [box]) == "proved"
    assert verdict(_claim("attractor-threshold", n="7..8", value="8"), [box]) == "inconclusive"
    assert verdict(_claim("attractor-threshold", n="8..9", value="9"), [box]) == "refuted"       # 8 is stable
    assert verdict(_claim("attractor-threshold", n="8..9", value="9"), [wide]) == "inconclusive"  # not shown stable
    from test_spread_box import _item
    unstable = _item("gelu", 3, 5)          # gelu 3, n = 5: the unstable point, radius 1.028
    assert trusted.items.check_item(unstable)["radius_lo"] > 1
    assert verdict(_claim("attractor-threshold", n="5", value="5", w="3"), [unstable]) == "inconclusive"
    c3 = SC.search_item("gelu", 3, W)
    assert verdict(_claim("attractor-threshold", n="3..3", value="3"), [c3]) == "refuted"


@pytest.mark.slow           # some 100 s: n = 7's cover (54,000 cells)
def test_threshold_eight_at_five_halves():
    """gelu at sigma_w^2 = 5/2 on 7..8: n = 7's cover and n = 8's stable box prove the threshold 8."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from test_redteam_box import _claim, _stable
    c7 = SC.search_item("gelu", 7, W)
    assert c7 is not None
    assert trusted.decide(_claim("attractor-threshold", n="7..8", value="8"), [c7, _stable()])[0] == "proved"


def test_g2_across_the_two_point_line_never_hides_a_zero():
    """gelu's "2" cells across rho = 1 use the mean value form of q' - q (h12's first row): around gelu's two-point
    fixed point at 5/2, n = 8 (G2 = 0 on the line p = 49 q) every cell across the line where G2 changes sign on a
    grid of its points is refused, and some cells near it, where it does not, are shown."""
    n, w = 8, F(5, 2)
    with ctx.workprec(128):
        g2 = lambda q, p: S.h12("gelu", n, S.ball(w), S.ball(q), S.ball(p))[0]        # noqa: E731
        lo, hi = F(1, 2), F(2)             # the two-point fixed point at q = 0.8725 (another at 0.0429)
        assert g2(lo, 49 * lo) * g2(hi, 49 * hi) < 0
        for _ in range(50):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if (g2(mid, 49 * mid) > 0) == (g2(lo, 49 * lo) > 0) else (lo, mid)
        q = (lo + hi) / 2
        rng, refused, shown = np.random.default_rng(5), 0, 0
        for _ in range(150):
            h = q * F(float(10 ** rng.uniform(-4, -1))).limit_denominator(10 ** 6)
            q0 = q + h * F(float(rng.uniform(-1, 0))).limit_denominator(1000)
            p0 = 49 * q0 + 49 * h * F(float(rng.uniform(-1, 0.5))).limit_denominator(1000)
            if not p0 < 49 * (q0 + h) and p0 + h > 49 * q0:
                continue
            signs = {float(g2(q0 + h * i / 4, p0 + h * j / 4).mid()) > 0 for i in range(5) for j in range(5)}
            ok = S._leaf("2", "gelu", n, w, q0, q0 + h, p0, p0 + h)
            if len(signs) == 2:
                assert not ok, (q0, p0, h)
                refused += 1
            shown += ok
        assert refused > 10 and shown > 10, (refused, shown)
