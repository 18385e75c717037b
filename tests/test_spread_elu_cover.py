"""ELU's spread-none covers (alpha 1; trusted/spreadfam.py: gelu_bound with OMEGA_ELU = 1, the "Z" leaf with elu's
slope 1 at 0 and C = 1/2, the cells by Mehler's series of every k, G1's tail by (1 +- |rho|^(N+1))/(1 - rho);
docs/spread.md): the lemmas against floats and mpmath, the coefficients and per-cell series against mpmath and a
two-dimensional quadrature, a stored cover (sigma_w^2 = 2, n = 3) that refutes, forgeries, and an independent float
scan of the full n x n map whose fixed points no leaf wrongly excludes."""
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
from flint import arb, ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as SC
from bnverify.trusted import spreadfam as S
from bnverify.trusted.base import Q

sys.path.insert(0, str(Path(__file__).parent))
from test_spread_box_mehler import _K as _quad         # noqa: E402  (a 2-D composite Gauss-Legendre rule, kink split)
from test_spread_gelu_cover import _forged as _gelu_forged     # noqa: E402
from test_spread_silu_cover import _cells_hold_the_quadrature, _diag, _relabels_refused, _relu_K     # noqa: E402

W, N = F(2), 3          # the stored genuine cover: 9,617 cells, some 3 to 10 s to check from an empty cache
COVER = Path(__file__).parent / "data" / "elu_2_3_spread_none.json"


def _elu(t):
    return np.where(t > 0, t, np.expm1(np.minimum(t, 0)))


def _elu_K(q1, q2, c):
    return _quad("elu", q1, q2, c)


def _z_bound(w):
    return (1 - math.sqrt(w)) ** 2 / (3 * w)          # (1 - lam sigma)^2/(12 C^2 w), lam = 1, C = 1/2


@pytest.fixture(scope="module")
def cover():
    return json.loads(COVER.read_text())


@pytest.fixture(scope="module")
def fact(cover):
    """The stored cover checked once (the later checks reuse the coefficient cache)."""
    return trusted.items.check_item(copy.deepcopy(cover))


def _rejected(it, match=None):
    with pytest.raises(trusted.Rejected, match=match):
        S.check_spread_none(copy.deepcopy(it))


def _forged(n, w, deltas, cuts, omega=None, bound_scale=F(1)):
    """An elu item built by the search for the square and bounds ``omega`` and ``deltas`` give (gelu's _forged)."""
    return dict(_gelu_forged(n, w, deltas, cuts, bound_scale=bound_scale, name="elu",
                             omega=S.OMEGA_ELU if omega is None else omega, depth=SC.GELU_DEPTH), alpha="1")


# ---------------------------------------------------------------- the lemmas
def test_elu_lemmas_in_floats():
    """elu - relu in (-1, 0] (omega = 1 = OMEGA_ELU); elu(t) - t in [0, t^2/2] (the "Z" lemma's C = 1/2 with slope 1;
    the edge's a_0(p) <= p/4); |elu'| <= 1; its odd part x + 1 - e^-x (x >= 0) is not linear."""
    t = np.linspace(-60, 60, 1200001)
    psi = _elu(t) - np.maximum(t, 0)
    assert psi.max() <= 0 and psi.min() >= -1 and psi.min() <= -1 + 1e-12      # sup - inf = 1 exactly (the limit)
    e = _elu(t) - t
    assert np.all(e >= 0) and np.all(e <= t * t / 2 + 1e-15)
    assert np.all(np.where(t > 0, 1.0, np.exp(np.minimum(t, 0))) <= 1)
    assert abs((_elu(np.array(2.0)) - _elu(np.array(-2.0))) - 2) > 0.8


def test_omega_elu_below_one_is_refused(cover, monkeypatch):
    """The kernel checks OMEGA_ELU >= 1 itself: 99/100 (below sup psi - inf psi = 1) is refused, and so is a tree built
    for the square silu's OMEGA would give elu (some 0.078 of the side)."""
    monkeypatch.setattr(S, "OMEGA_ELU", Q("99/100"))
    _rejected(cover, "one in")


def test_a_square_from_another_omega_is_refused(cover):
    _rejected(dict(cover, top=str(F(cover["top"]) * S.OMEGA_SILU ** 2)), "side top")


@pytest.mark.parametrize("q", [F(3, 10), F(2), F(9)])
def test_coefficients_against_mpmath(q):
    """a_k (every k: elu's odd part is not linear), E2, M = q E[elu'^2] and dE2/dq = E[Z psi psi']/sqrt q against
    mpmath's quadrature (split at the kink), at a point ball and a wide one."""
    mpmath.mp.dps = 25
    c = mpmath.sqrt(mpmath.mpf(q.numerator) / q.denominator)
    f = lambda z: c * z if z > 0 else mpmath.expm1(c * z)                      # noqa: E731
    df = lambda z: 1 if z > 0 else mpmath.exp(c * z)                           # noqa: E731
    g = lambda h: mpmath.quad(lambda z: h(z) * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])     # noqa: E731
    with ctx.workprec(128):
        qb = arb(q.numerator) / q.denominator
        a, T, e2, de2, M = S._coef("elu", qb)
        for k in range(6):
            want = g(lambda z: f(z) * mpmath.hermite(k, z / mpmath.sqrt(2)) / mpmath.sqrt(2 ** k * mpmath.factorial(k)))
            assert abs(float(a[k].mid()) - float(want)) <= float(a[k].rad()) + 1e-15 and a[k].rad() < 1e-8
            assert k % 2 == 0 or abs(float(want)) > 1e-3 or k == 1      # odd k >= 3 are not 0 for elu
        for got, want in ((e2, g(lambda z: f(z) ** 2)), (M, q * g(lambda z: df(z) ** 2)),
                          (de2, g(lambda z: z * f(z) * df(z)) / c)):
            assert abs(float(got.mid()) - float(want)) <= float(got.rad()) + 1e-15
        assert all(t >= 0 for t in T) and T[7].overlaps(e2 - sum((x * x for x in a[:8]), arb(0)))
        wide = S._coef("elu", S._span(q, q * F(101, 100)))[0]
        assert all(wide[k].contains(a[k].mid()) for k in range(6))


@pytest.mark.parametrize("n", [3, 4, 8])
def test_large_scale_lemma_against_floats(n):
    """|sqrt T_elu(S)_ii - sqrt T_relu(S)_ii| <= sigma omega = sigma (Minkowski) at random family points."""
    rng, w = np.random.default_rng(21), 2.0
    for _ in range(20):
        q, rho = 10 ** rng.uniform(-2, 1.3), rng.uniform(-1 / (n - 2), 1 - 1e-6)
        p = (n - 1) * q * (1 + (n - 2) * rho)
        for a, b in zip(_diag(_elu_K, n, w, q, p), _diag(_relu_K, n, w, q, p)):
            assert abs(math.sqrt(max(a, 0)) - math.sqrt(max(b, 0))) <= math.sqrt(w) + 1e-7


def test_small_scale_lemma_against_floats():
    """|sqrt(T_ii/w) - sqrt(q_i)| <= 2 sqrt(3) M/2 at family points (M = max(q, p)): the "Z" inequality with elu's slope
    1 and C = 1/2; and it is sharp enough to matter: at small M the two sides are of order M."""
    rng, n, w = np.random.default_rng(22), 4, 2.0
    for _ in range(40):
        q, rho = 10 ** rng.uniform(-4, 0.5), rng.uniform(-1 / (n - 2), 1 - 1e-6)
        p = (n - 1) * q * (1 + (n - 2) * rho)
        M = max(q, p)
        for T, v in zip(_diag(_elu_K, n, w, q, p), (q, p)):
            assert abs(math.sqrt(max(T, 0) / w) - math.sqrt(v)) <= math.sqrt(3) * M + 1e-9


def test_z_bound_reads_elu_slope():
    """The "Z" leaf at elu is (1 - sigma)^2/(3 w) (0.0286 at w = 2, 0.0112 at 3/2), not the slope-1/2 rows'
    (1 - sigma/2)^2/(12 C^2 w) with elu's C = 1/2 (0.0334 at 3/2): a cell between the two is refused at 3/2; nothing at
    w = 1 (sigma = 1: the bound is 0)."""
    with ctx.workprec(128):
        for w in (F(3, 2), F(2), F(5, 2)):
            h = F(_z_bound(float(w))).limit_denominator(10 ** 9)
            assert S._leaf("Z", "elu", 4, w, F(0), h * F(99, 100), F(0), h * F(99, 100))
            assert not S._leaf("Z", "elu", 4, w, F(0), h * F(101, 100), F(0), h / 2)
        half = F((1 - math.sqrt(1.5) / 2) ** 2 / (3 * 1.5)).limit_denominator(10 ** 9)
        assert half > 2 * F(_z_bound(1.5)) and not S._leaf("Z", "elu", 4, F(3, 2), F(0), half, F(0), half)
        assert not S._leaf("Z", "elu", 4, F(1), F(0), F(1, 10 ** 12), F(0), F(1, 10 ** 12))


# ---------------------------------------------------------------- the cells' series
def test_cell_g1_g2_hold_the_quadrature():
    """_g12_odd for elu over small cells holds the quadrature's G1, G2, near rho = 1, at the simplex line (where G1's
    ball is narrow now: the tail's (1 +- |rho|^(N+1))/(1 - rho)) and on the edge p = 0."""
    cells = _cells_hold_the_quadrature("elu", 4, 2.0, ((1.0, 3.0), (2.0, 17.9), (3.0, 0.01), (0.5, 4.4), (10.0, 40.0),
                                                      (3.1, 3.1)), ((4.0, 0.5), (30.0, 2.0)), 1e-7, 1e-7)
    assert all(p != q or h > 1e-6 or cell[0].rad() < 1e-4 for q, p, h, cell in cells)  # [0, T_N/(1 - |rho|)]: 1e-3


def test_g1_tail_holds_for_the_other_mehler_activations():
    """The tail's new enclosure is every MEH activation's: G1 at cells of silu and softplus holds the
    quadrature's (silu; softplus, whose psi = softplus - log 2 has the same a - b)."""
    n, w = 5, 2.5
    with ctx.workprec(128):
        for name in ("silu", "softplus"):
            for q, p in ((1.0, 3.0), (2.0, 1.5), (0.7, 9.0)):
                rho = (p / ((n - 1) * q) - 1) / (n - 2)
                K = functools.partial(_quad, name)
                a, b = K(q, q, q), K(q, q, rho * q)
                g1 = w * (a - b) / (1 - rho) - q
                cell = S._g12_odd(name, n, S.ball(F(w)), arb(repr(q), 1e-6), arb(repr(p), 1e-6), True)[0]
                assert abs(float(cell.mid()) - g1) <= float(cell.rad()) + 1e-7, (name, q, p, cell, g1)


# ---------------------------------------------------------------- the stored cover
@pytest.mark.slow       # some 10 to 20 s: the cover's check from an empty cache
def test_cover_checks_and_refutes(cover, fact):
    assert fact["fact"] == "spread-none" and fact["activation"] == "elu" and fact["alpha"] == 1 and not fact["only_stable"]
    assert set(cover["tree"]) <= set("4" + SC.GELU_ORDER) and "Z" in cover["tree"] and "B" in cover["tree"]
    claim = {"property": "attractor-stable", "stages": ["rc"], "activation": "elu", "domain": {"n": str(N), "alpha": "1"},
             "params": {}, "weight_var": str(W)}
    verdict, _, why = trusted.decide(claim, [cover])
    assert verdict == "refuted" and "elu's" in why
    assert trusted.decide(dict(claim, property="attractor-exists"), [cover])[0] == "refuted"
    th = dict(claim, property="attractor-threshold", params={"value": "none"})
    assert trusted.decide(th, [cover])[0] == "proved"
    assert trusted.decide(dict(th, params={"value": "3"}), [cover])[0] == "refuted"


@pytest.mark.slow
def test_cover_says_nothing_about_another_alpha_or_model(cover, fact):
    """The fact is elu(1)'s at sigma_w^2 = 2, n = 3: a claim at alpha 1/2, another sigma_w^2 or n, or silu is not
    decided by it (the goal ignores it, and then needs its own cover)."""
    base = {"property": "attractor-stable", "stages": ["rc"], "activation": "elu", "domain": {"n": "3", "alpha": "1"},
            "params": {}, "weight_var": "2"}
    assert trusted.decide(base, [cover])[0] == "refuted"
    for claim in (dict(base, domain={"n": "3", "alpha": "1/2"}), dict(base, weight_var="5/2"), dict(base, domain={"n": "4"}),
                  dict(base, activation="silu")):
        with pytest.raises(trusted.Rejected):
            trusted.decide(claim, [cover])


def test_relabelled_items_are_refused(cover):
    _relabels_refused(cover, [{"weight_var": "5/2"}, {"weight_var": "3/2"}, {"n": 4}, {"n": 5}, {"activation": "silu"},
                              {"activation": "gelu"}, {"activation": "softplus"}, {"activation": "tanh"}, {"alpha": "0"},
                              {"alpha": "1/2"}, {"alpha": "2"}, {"prec": 32}])


def test_leaves_that_say_nothing_and_malformed_items(cover):
    """A tree of one leaf ("1", "2", "X", "Z", "B", "U", "S") over the whole square, "U" or "S" at a cell of the genuine
    tree (no det(J - I) test and no "S" for elu; its first leaf) and malformed fields are refused."""
    for t in "12XZBUS":
        _rejected(dict(cover, tree=t), "not shown")
    i = next(k for k, t in enumerate(cover["tree"]) if t != "4")      # the first leaf (the check stops there)
    for t in "US":
        _rejected(dict(cover, tree=cover["tree"][:i] + t + cover["tree"][i + 1:]), "not shown")
    for b in (dict(cover, n="3"), dict(cover, tree=123), dict(cover, weight_var="two"), dict(cover, delta="1/2"),
              dict(cover, top="-1")):
        with pytest.raises((trusted.Rejected, ValueError, TypeError)):
            trusted.items.check_item(copy.deepcopy(b))


@pytest.mark.slow       # two full checks
def test_a_tree_cut_short_or_run_on(cover):
    _rejected(dict(cover, tree=cover["tree"][:-1]), "not covered")
    _rejected(dict(cover, tree=cover["tree"] + "1"), "goes on")


def test_partition_claiming_too_much(cover):
    cuts, deltas = cover["rho"], cover["delta"]
    _rejected(dict(cover, rho=cuts[1:], delta=deltas[1:]), "cuts from")
    k = len(deltas) // 2
    _rejected(dict(cover, delta=deltas[:k] + [str(F(deltas[k]) * 2)] + deltas[k + 1:]), "not shown")


@pytest.mark.slow       # the search builds the forged tree (some 10 s)
def test_b_leaf_below_the_bound():
    """"B" cells where q0 does not exceed w OMEGA_ELU^2/delta_i^2: a tree built for half that bound is refused."""
    deltas, cuts = SC.gelu_region(N, W)
    _rejected(_forged(N, W, deltas, cuts, bound_scale=F(1, 2)), "'B' not shown")


def test_price(cover):
    """elu's price: its cells and rho pieces as silu's, its integrals (N + 6 per variance ball, every k: (N + 7)//2
    calls) read off the tree; the stored cover is within one certificate's budget."""
    assert trusted.items.work(cover) == 128 * ((len(cover["tree"]) + len(cover["rho"]) + 128) * 3 // 2 +
                                               10 * S.odd_integrals(cover))
    assert trusted.items.work(cover) <= trusted.kernel.CERT_WORK
    silu = dict(cover, activation="silu", alpha="0")
    assert S.odd_integrals(cover) > S.odd_integrals(silu) * 6 // 5     # 7 calls per ball against silu's 4 or 5


def test_search_only_at_alpha_one():
    from bnverify.core.activations import Activation
    assert SC.searched(Activation("elu", F(1)), F(2)) and not SC.searched(Activation("elu", F(1, 2)), F(2))
    assert not SC.searched(Activation("elu", F(1)), F(1)) and not SC.searched(Activation("elu", F(1)), F(4))
    claim = {"property": "attractor-stable", "stages": ["rc"], "activation": "elu", "domain": {"n": "4", "alpha": "1/2"},
             "params": {}, "weight_var": "2"}
    with pytest.raises(trusted.Rejected, match="none exists for elu at this alpha"):
        trusted.decide(claim, [])
    with pytest.raises(trusted.Rejected) as e:
        trusted.decide(dict(claim, domain={"n": "4", "alpha": "1"}), [])
    assert "none exists" not in str(e.value)


# ---------------------------------------------------------------- an independent float scan
def _full_T(n, w, q, p):
    """T(S) = w C K(S) C on the whole n x n S of the family point (q, p), K from the 2-D quadrature."""
    rho = (p / ((n - 1) * q) - 1) / (n - 2)
    Sm = np.full((n, n), rho * q)
    np.fill_diagonal(Sm, q)
    Sm[:, -1] = Sm[-1, :] = -p / (n - 1)
    Sm[-1, -1] = p
    K = np.array([[_elu_K(float(Sm[i, i]), float(Sm[j, j]), float(Sm[i, j])) for j in range(n)] for i in range(n)])
    C = np.eye(n) - 1 / n
    return w * C @ K @ C


def _residual(n, w, x):
    """(log T_11/q, log T_nn/p) at (log q, t), rho = lo + (1 - lo) t, lo = -1/(n-2)."""
    q, lo = math.exp(x[0]), -1 / (n - 2)
    p = (n - 1) * q * (1 + (n - 2) * (lo + (1 - lo) * x[1]))
    T = _full_T(n, w, q, p)
    assert np.allclose(T[:-1, :-1], T[0, 0] * np.eye(n - 1) + T[0, 1] * (1 - np.eye(n - 1)), atol=1e-9)   # a family point
    return np.array([math.log(T[0, 0] / q), math.log(T[-1, -1] / p)])


def _roots(n, w, grid):
    out = []
    for x in grid:
        x = np.array(x, dtype=float)
        for _ in range(40):
            f = _residual(n, w, x)
            if np.max(abs(f)) < 1e-11:
                if not any(np.allclose(x, y, atol=1e-6) for y in out):
                    out.append(x)
                break
            J = np.column_stack([(_residual(n, w, x + e) - _residual(n, w, x - e)) / 2e-6 for e in np.eye(2) * 1e-6])
            step, lam = np.linalg.solve(J, f), 1.0
            while lam > 1e-3 and not (1e-9 < (x - lam * step)[1] < 1 - 1e-12 and np.max(abs(_residual(
                    n, w, x - lam * step))) < np.max(abs(f))):
                lam /= 2
            if lam <= 1e-3:
                break
            x = x - lam * step
    lo = -1 / (n - 2)
    return [(math.exp(a), lo + (1 - lo) * t) for a, t in out]


def _leaves_at(it, q, p):
    top = F(it["top"])
    stack, out = [(F(0), top, F(0), top)], []
    for tag in it["tree"]:
        q0, q1, p0, p1 = stack.pop()
        qm, pm = (q0 + q1) / 2, (p0 + p1) / 2
        if tag == "4":
            stack += [(qm, q1, pm, p1), (qm, q1, p0, pm), (q0, qm, pm, p1), (q0, qm, p0, pm)]
        elif q0 <= q <= q1 and p0 <= p <= p1:
            out.append(tag)
    return out


@pytest.mark.slow       # Newton on the quadrature's full map, and the cover's check
def test_genuine_fixed_points_sit_in_honest_leaves(cover, fact):
    """The fixed points of the full 3 x 3 map at sigma_w^2 = 2 that Newton finds from a few seeds (the simplex point q =
    3.085419, the two-point point q = 1.173807 on p = 4q; docs/spread.md) lie in leaves that do not exclude them: the
    simplex one in the "X" cell (its uniqueness cell), the two-point one in a leaf other than "2" (G2 = q' - q
    vanishes there; G1 does not)."""
    roots = _roots(3, 2.0, [(math.log(3.0), 0.25)])
    simplex = [r for r in roots if abs(r[1] + 0.5) < 1e-6]
    assert len(simplex) == 1 and abs(simplex[0][0] - 3.085419) < 1e-5, roots
    lo, hi = 0.5, 3.0           # the two-point line rho = 1 (t = 1, p = 4q): bisection of T_11/q - 1 there
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _full_T(3, 2.0, mid, 4 * mid)[0, 0] > mid else (lo, mid)
    T = _full_T(3, 2.0, lo, 4 * lo)
    assert abs(lo - 1.173807) < 1e-5 and abs(T[-1, -1] / (4 * lo) - 1) < 1e-8 and abs(T[0, 0] / lo - 1) < 1e-8
    assert _leaves_at(cover, F(simplex[0][0]), F(simplex[0][0])) == ["X"]
    tags = _leaves_at(cover, F(lo), F(4 * lo))
    assert tags and "2" not in tags and "X" not in tags


@pytest.mark.slow
@pytest.mark.parametrize("n", [3, 4])
def test_independent_scan_finds_no_spread_point(n):
    """Newton on the full n x n map from a grid of seeds (q in [0.03, 150], the whole rho range) at sigma_w^2 = 2 finds
    only points on the simplex and two-point lines (some 5 minutes per n): what the covers prove."""
    grid = [(a, t) for a in np.linspace(math.log(0.03), math.log(150), 8) for t in np.linspace(0.02, 0.98, 8)]
    roots = _roots(n, 2.0, grid)
    assert roots and all(abs(r + 1 / (n - 1)) < 1e-6 or abs(r - 1) < 1e-6 for _, r in roots), roots


@pytest.mark.slow
def test_attractor_row_says_why_there_is_no_cover(monkeypatch, run_cli):
    """bnverify attractor: a searched row of an activation with covers carries the cover search's reason (over one
    certificate's budget at elu 2, n = 5: the row said only "inconclusive (search 1.1 s)", check said why; red team
    rtelu).  The kernel's verdict is stood in for (the real cover search prices 13,061 cells: 15 s)."""
    from bnverify.commands import spread_verdicts
    from bnverify.core.verdict import INCONCLUSIVE, Verdict
    why = "no spread-none cover at n = 5: a cover of 13,061 cells costs 43,633,664, over one certificate's budget"
    monkeypatch.setattr(spread_verdicts, "stable_claim", lambda act, w, k: Verdict(INCONCLUSIVE, "x", {"search": why}))
    code, out, err = run_cli("attractor", "--stages", "rc,elu", "--weight-var", "2", "--n", "5", "--json")
    row = json.loads(out)["results"][0]
    assert code == 3 and row["cover"] == why and row["status"] == "inconclusive", err
    code, out, err = run_cli("attractor", "--stages", "rc,elu", "--weight-var", "2", "--n", "5")
    assert code == 3 and "  cover: no spread-none cover at n = 5" in out, out + err


def test_a_trees_price_only_grows_so_a_prefix_over_budget_ends_the_search():
    """The search stops growing a tree once a prefix's price passes the budget (spread_cover.tree's ``price``): sound
    only if no cover extending the prefix costs less.  Every prefix of the stored cover (each 512 symbols, as the
    search reads them) is priced at most the whole cover's, and the prices never fall."""
    item = json.loads(COVER.read_text())
    t = item["tree"]
    prices = [trusted.items.work(dict(item, tree=t[:k])) for k in list(range(512, len(t), 512)) + [len(t)]]
    assert len(prices) > 3 and prices == sorted(prices) and prices[-1] == trusted.items.work(item), prices


def test_the_search_stops_at_the_first_prefix_over_budget(monkeypatch):
    """tree() with a price: OverBudget at the first check past the budget (1,024 symbols, then every 512), not after
    the whole tree (tanh at sigma_w^2 = 2, n = 15: 5,120 of 8,789 cells, half the search).  Leaf tests stood in for:
    a cell closes at depth 7, so the whole tree has (4^8 - 1)/3 = 21,845 symbols."""
    monkeypatch.setattr(SC, "_leaf", lambda memo, tag, name, n, w, q0, q1, p0, p1, bound=None:
                        (q1 - q0) <= F(8) / 2 ** 7 and tag == "1")
    whole = SC.tree("elu", 3, 2)
    assert whole is not None and len(whole) == 21845
    seen = []
    monkeypatch.setattr(trusted.kernel, "CERT_WORK", 1000)
    with pytest.raises(SC.OverBudget) as e:
        SC.tree("elu", 3, 2, price=lambda t: seen.append(len(t)) or len(t) - 500)
    assert seen == [1024, 1536] and e.value.cells == 1536 and e.value.cost == 1036
    assert SC.tree("elu", 3, 2, price=lambda t: 0) == whole        # within budget: the same tree
