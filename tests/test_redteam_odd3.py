"""Red team (rtodd) of n = 3's spread point {v, -v, 0} for tanh and sigmoid (trusted/spreadfam.py: odd_edge,
check_spread_point's ODD branch; kernel.py: _g_spread_smooth's ``shown``) and of the parity lemma for ELU
(trusted/twopoint.py: PARITY, grows, lemma).

Independent of the checker and of tests/test_spread_point_odd.py: q* by a sign scan and mpmath.findroot of
w (E[phi(sqrt(q) Z)^2] - phi(0)^2) - q, and the full 6 x 6 DF of F(G) = K(w C G C) on symmetric 3 x 3 matrices at
S* = diag-block(q [[1, -1], [-1, 1]], 0) from Price's theorem written here (dK_ii/dS_ii = E[phi'^2 + phi phi''],
dK_ij/dS_ii = E[phi''(x_i) phi(x_j)]/2, dK_ij/dS_ij = E[phi'(x_i) phi'(x_j)], x_1 = -x_2 = sqrt(q) Z, x_3 = 0), its
eigenvalues by numpy."""
import functools
import json
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest

from bnverify import trusted
from bnverify.claims.properties import spread_cover as SC


def _claim(prop="spectral-radius", act="tanh", n="3", w="2", rel="<", bound="2", params=None, alpha=None):
    params = {"state": "attractor", "relation": rel, "bound": str(bound)} if params is None else params
    dom = {"n": n} if alpha is None else {"n": n, "alpha": alpha}
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": dom, "params": params, "weight_var": w}


def _verdict(claim, items):
    try:
        return trusted.decide(claim, items)[0]
    except (trusted.Rejected, trusted.NoGoal):
        return "inconclusive"


@functools.lru_cache(maxsize=None)
def _item(name, w):
    return SC.point_item(name, 3, F(w))


def _acts(name):
    if name == "tanh":
        t = mpmath.tanh
        return t, lambda x: 1 - t(x) ** 2, lambda x: -2 * t(x) * (1 - t(x) ** 2)
    s = lambda x: 1 / (1 + mpmath.exp(-x))                                   # noqa: E731
    return s, lambda x: s(x) * (1 - s(x)), lambda x: s(x) * (1 - s(x)) * (1 - 2 * s(x))


def _E(g):
    return mpmath.quad(lambda z: g(z) * mpmath.exp(-z * z / 2), [-mpmath.inf, -5, 0, 5, mpmath.inf]) / \
        mpmath.sqrt(2 * mpmath.pi)


@functools.lru_cache(maxsize=None)
def _truth(name, w):
    """(every root q* > 0 of q' - q on [1e-12, 8w] by a log-grid sign scan, the full DF's moduli at the first)."""
    f, d1, d2 = _acts(name)
    w = mpmath.mpf(F(w).numerator) / F(w).denominator
    with mpmath.workdps(20):
        g = lambda q: w * (_E(lambda z: f(mpmath.sqrt(q) * z) ** 2) - f(0) ** 2) - q      # noqa: E731
        qs = [mpmath.mpf(10) ** (k / 4) for k in range(-48, int(4 * mpmath.log10(8 * w)) + 2)]
        vals = [g(q) for q in qs]
        roots = [mpmath.findroot(g, (qs[i], qs[i + 1]), solver="anderson")
                 for i in range(len(qs) - 1) if vals[i] * vals[i + 1] < 0]
        c = mpmath.sqrt(roots[0])
        X = [lambda z: c * z, lambda z: -c * z, lambda z: 0 * z]
        D = {}
        for i in range(3):
            for j in range(i, 3):
                xi, xj = X[i], X[j]
                D[i, j] = {(i, i): _E(lambda z: d1(xi(z)) ** 2 + f(xi(z)) * d2(xi(z)))} if i == j else {
                    (i, i): _E(lambda z: d2(xi(z)) * f(xj(z))) / 2, (j, j): _E(lambda z: f(xi(z)) * d2(xj(z))) / 2,
                    (i, j): _E(lambda z: d1(xi(z)) * d1(xj(z)))}
        basis = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]
        C = np.eye(3) - 1 / 3
        M = np.zeros((6, 6))
        for col, (k, l) in enumerate(basis):
            H = np.zeros((3, 3))
            H[k, l] = H[l, k] = 1
            dS = float(w) * C @ H @ C
            for row, ij in enumerate(basis):
                M[row, col] = sum(float(v) * dS[a, b] for (a, b), v in D[ij].items())
        return [float(r) for r in roots], sorted(abs(np.linalg.eigvals(M)))


@pytest.mark.parametrize("name,w", [("tanh", "3/2"), pytest.param("tanh", 16, marks=pytest.mark.slow), ("sigmoid", 17),
                                    pytest.param("sigmoid", 100, marks=pytest.mark.slow)])     # -m slow: the far ends
def test_the_point_and_its_radius_against_price_written_here(name, w):
    """One root along the edge, inside the item's bracket; the full 6 x 6 DF has three zero eigenvalues and its
    spectral radius inside the fact's enclosure."""
    roots, mods = _truth(name, w)
    it = _item(name, w)
    assert len(roots) == 1 and F(it["root_lo"]) < F(roots[0]) < F(it["root_hi"])
    assert max(mods[:3]) < 1e-9
    lo, hi = trusted.items.check_item(it)["radius"]
    assert float(lo) - 1e-9 <= mods[-1] <= float(hi) + 1e-9


def test_sigmoid_needs_more_than_sixteen():
    """|sigmoid(p) - sigmoid(q)| < |p - q|/4: no point at or below 16 (the collapse lemma refutes), one just above."""
    assert _verdict(_claim("attractor-exists", act="sigmoid", w="16", params={}), []) == "refuted"
    assert _verdict(_claim("attractor-exists", act="sigmoid", w="1601/100", params={}), [_item("sigmoid", "1601/100")]) \
        == "proved"


def test_a_root_bracket_beside_the_root_is_refused():
    """root_lo..root_hi must hold a sign change itself: a bracket beside the root encloses another q's radius."""
    it = _item("tanh", 2)
    q0, q1, r0, r1 = (F(it[k]) for k in ("q_lo", "q_hi", "root_lo", "root_hi"))
    for lo, hi in ((q0, (q0 + r0) / 2), ((r1 + q1) / 2, q1)):
        bad = dict(it, root_lo=str(lo), root_hi=str(hi))
        with pytest.raises(trusted.Rejected):
            trusted.items.check_item(bad)
        assert _verdict(_claim(rel="<", bound=2), [bad]) == "inconclusive"


def test_the_reason_claims_no_uniqueness_for_tanh():
    """No U cell is tested for tanh and sigmoid: the reason says 'in the root bracket', never 'the cell's only one'."""
    for name, w in (("tanh", "2"), ("sigmoid", "20")):
        v, _, why = trusted.decide(_claim(act=name, w=w, rel=">", bound="1"), [_item(name, w)])
        assert v == "proved" and "in the root bracket" in why and "only one" not in why and "U" not in why.split()


@pytest.mark.parametrize("name,w", [("tanh", 2), ("sigmoid", 20)])
def test_the_exact_ends_of_the_enclosure(name, w):
    """< / <= at hi, > / >= at lo: only the non-strict ones prove; a bound past an end proves nothing."""
    it = _item(name, w)
    lo, hi = trusted.items.check_item(it)["radius"]
    eps = F(1, 10 ** 30)
    want = {("<", hi): "inconclusive", ("<=", hi): "proved", ("<", hi + eps): "proved", ("<=", hi - eps): "inconclusive",
            (">", lo): "inconclusive", (">=", lo): "proved", (">", lo - eps): "proved", (">=", lo + eps): "inconclusive",
            ("<", lo): "inconclusive", (">", hi): "inconclusive"}
    for (rel, b), v in want.items():
        assert _verdict(_claim(act=name, w=str(w), rel=rel, bound=b), [it]) == v, (rel, b)


def test_a_wide_bracket_does_not_prove_above_one():
    """Not unique: '> 1' only from the enclosure's lower end; a bracket whose enclosure starts below 1 proves '>= lo'
    and nothing above."""
    wide = dict(_item("tanh", 2), q_lo="1/1000", q_hi="16", p_hi="1/1000", root_lo="1/1000", root_hi="16")
    lo, hi = trusted.items.check_item(wide)["radius"]
    assert lo < 1 < hi
    for rel, b in ((">", 1), (">=", 1), (">", F(99, 100)), (">", lo), ("<", hi), ("<", 2)):
        assert _verdict(_claim(rel=rel, bound=b), [wide]) == "inconclusive", (rel, b)
    assert _verdict(_claim(rel=">=", bound=lo), [wide]) == "proved"


def test_no_range_of_n_from_one_point():
    it = _item("tanh", 2)
    for n in ("3..4", "3..", "4"):
        for prop, params in (("spectral-radius", None), ("attractor-exists", {}), ("fixed-point", {"state": "attractor"})):
            assert _verdict(_claim(prop, n=n, params=params), [it]) != "proved", (n, prop)


ALPHAS = ("1/100", "1", "3", "100")


def _elu(t, a):
    return np.where(t > 0, t, a * np.expm1(np.minimum(t, 0)))


@pytest.mark.parametrize("alpha", ALPHAS)
def test_elu_at_four_every_distance_grows_in_floats(alpha):
    """S(s) > s at sigma_w^2 = 4 for the two-point and simplex states (Gauss-Hermite), and o' > 1/2."""
    a = float(F(alpha))
    z, wt = np.polynomial.hermite_e.hermegauss(160)
    wt = wt / wt.sum()
    Z1, Z2 = np.meshgrid(z, z, indexing="ij")
    W2 = np.outer(wt, wt)
    for n in (3, 8, 1000):
        for s in np.logspace(-6, 4, 60):
            lam = np.sqrt(4 * s)
            assert np.dot(wt, (_elu((n - 1) * lam * z / n, a) - _elu(-lam * z / n, a)) ** 2) > 1.05 * s
            v, c = 2 * s * (1 - 1 / n), -2 * s / n
            x, y = np.sqrt(v) * Z1, c / np.sqrt(v) * Z1 + np.sqrt(v - c * c / v) * Z2
            assert np.sum(W2 * (_elu(x, a) - _elu(y, a)) ** 2) > 1.05 * s
    t = np.linspace(-40, 40, 8001)
    o = (_elu(t, a) - _elu(-t, a)) / 2
    assert np.all(np.diff(o) / np.diff(t) > 0.5 - 1e-12)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_elu_at_exactly_four_is_refuted_with_no_evidence(alpha):
    for state in ("two-point", "simplex"):
        assert _verdict(_claim("fixed-point", act="elu", w="4", n="3..", params={"state": state}, alpha=alpha), []) \
            == "refuted"
    assert _verdict(_claim("attractor-exists", act="elu", w="4", n="3..", params={}, alpha=alpha), []) == "refuted"
    assert _verdict(_claim("attractor-exists", act="elu", w="399/100", n="3", params={}, alpha=alpha), []) \
        == "inconclusive"


CLAIM = '''id = "tanh-point"
title = "tanh at 2, n = 3: the point {v, -v, 0} has spectral radius above 1"
statement = """
RC + tanh with weight variance 2 at n = 3 has a spread-cluster fixed point {v, -v, 0} whose spectral radius of DF
exceeds 1.
"""
latex = "\\\\rho(DF) > 1"
property = "spectral-radius"
expect = "proved"
methods = ["arb"]
order = 1

[model]
stages = "rc,tanh"
weight_var = "2"

[domain]
n = "3"

[params]
state = "attractor"
relation = ">"
bound = "1"
'''


@pytest.mark.slow           # 34 s (verify on a catalogue, then report); test_redteam_parity's --from test is the fast one
def test_a_report_from_a_catalogue_of_ones_own(run_cli, tmp_path):
    """verify --catalogue DIR --report R, then report --from R/results.json: a row whose id is not in the installed
    catalogue is shown unchecked (nothing says what it stands for), with no expectation, and no internal error."""
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "tanh-point.toml").write_text(CLAIM)
    code, out, err = run_cli("verify", "--catalogue", str(tmp_path / "cat"), "--report", str(tmp_path / "r"), "--quiet")
    assert code == 0 and "tanh-point" in out, err[-2000:]
    code, out, err = run_cli("report", str(tmp_path / "out"), "--from", str(tmp_path / "r" / "results.json"), "--quiet")
    assert code == 0 and "internal error" not in err, err[-2000:]
    md = (tmp_path / "out" / "report.md").read_text()
    assert "tanh-point: unchecked, expected nothing" in md and "expected None" not in md
    assert "is not a claim of the catalogue" in (tmp_path / "out" / "claims" / "tanh-point.html").read_text()


def test_atlas_names_the_kernel_checked_point(run_cli):
    """atlas --spread-n from 3 for tanh: the float search's note gains the kernel-checked n = 3 point (it said only
    'float search; not proved' beside a point the kernel checks; red team)."""
    code, out, err = run_cli("atlas", "--activations", "tanh", "--weight-var", "2", "--n", "4", "--spread-n", "3..3",
                             "--seeds", "1", "--width", "16", "--depth", "3", "--starts", "1", "--json")
    assert code == 0, err
    note = json.loads(out)["rows"][0]["spread_search"]["note"]
    assert "kernel-checked: n = 3's point {v, -v, 0} exists (unstable: spectral radius of DF in [1.6259" in note, note
