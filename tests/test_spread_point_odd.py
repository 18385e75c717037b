"""n = 3's spread point {v, -v, 0} for tanh and sigmoid (phi - phi(0) odd, no closed kernel): trusted/spreadfam.py's
odd_edge (q' - q and DF's three non-zero eigenvalues on the edge p = 0 from one-dimensional Gaussian integrals),
check_spread_point's ODD branch (existence only: no "U" cell, the fact's unique False) and kernel.py's
_g_spread_smooth (a point proves, never refutes; "> bound <= 1" only from the enclosure when the point is not unique).

Independent of the checker: q* and the three eigenvalues by mpmath (30 digits, the docstring's formulas), and the full
6 x 6 DF of F(G) = K(w C G C) at G* = K(S*) by one-sided finite differences of a two-dimensional Gauss-Hermite rule
(numpy, no Price's theorem, no formula of odd_edge): S* is on the PSD cone's boundary, so each direction H is taken as
(H + shift) - shift with a shift w C that keeps S* + t (w C H C + shift) positive semidefinite for small t >= 0."""
import functools
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest
from flint import ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as SC
from bnverify.trusted import spreadfam as S
import test_spread_radius as spread_radius      # its claims and verdicts (pytest puts tests/ on sys.path)
from test_spread_radius import _verdict

CASES = [("tanh", 2), ("tanh", 4), ("sigmoid", 20), ("sigmoid", 32)]


def _claim(prop="spectral-radius", act="tanh", n="3", w="2", params=None):
    return spread_radius._claim(prop, act, n, w, params)


def _radius(rel, bound, **kw):
    return spread_radius._radius(rel, bound, claim=_claim, **kw)


@functools.lru_cache(maxsize=None)
def _item(name, w):
    return SC.point_item(name, 3, F(w))


# ---------------------------------------------------------------- mpmath, the docstring's formulas
def _psi(name):
    return {"tanh": (mpmath.tanh, lambda t: 1 - mpmath.tanh(t) ** 2),
            "sigmoid": (lambda t: mpmath.tanh(t / 2) / 2, lambda t: (1 - mpmath.tanh(t / 2) ** 2) / 4)}[name]


def _E(f):
    return mpmath.quad(lambda z: f(z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)


@functools.lru_cache(maxsize=None)
def _mp(name, w):
    """(q*, [w A'(q*), w E[(psi'(cZ) + 2k)^2]/9, w (A'(q*) + 2 k m1)/3]) at 30 digits."""
    psi, d = _psi(name)
    with mpmath.workdps(30):
        A = lambda q: _E(lambda z: psi(mpmath.sqrt(q) * z) ** 2)          # noqa: E731
        lo, hi = mpmath.mpf("1e-6"), mpmath.mpf(4 * w)
        with mpmath.workdps(15):    # the bisection only seeds findroot (to 2^-12 of the bracket), which solves at
            for _ in range(12):     # 30 digits: 15 digits and 12 halvings do (30 of them at 30 digits agree to 1e-36)
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if w * A(mid) > mid else (lo, mid)
        q = mpmath.findroot(lambda q: w * A(q) - q, (lo + hi) / 2)
        da = mpmath.diff(A, q)
        c, k = mpmath.sqrt(q), d(0)
        m1 = _E(lambda z: d(c * z))
        vals = [w * da, w * _E(lambda z: (d(c * z) + 2 * k) ** 2) / 9, w * (da + 2 * k * m1) / 3]
        return q, vals


# one tanh and one sigmoid case by default (2-3 s of mpmath each), the others with -m slow
@pytest.mark.parametrize("name,w", [c if c in (("tanh", 2), ("sigmoid", 32)) else pytest.param(*c, marks=pytest.mark.slow)
                                    for c in CASES])
def test_the_enclosures_hold_mpmaths_values(name, w):
    """The item's root bracket holds q*, each odd_edge ball one of mpmath's three values (A' by mpmath.diff, not
    Stein), the fact's radius their largest modulus, narrow (< 1e-8)."""
    it = _item(name, w)
    assert it is not None and "root_lo" in it
    q, vals = _mp(name, w)
    assert F(it["root_lo"]) < F(mpmath.nstr(q, 25)) < F(it["root_hi"])
    with ctx.workprec(128):
        mods = S.odd_edge(name, S.ball(F(w)), S._span(F(it["root_lo"]), F(it["root_hi"])), True)
    assert len(mods) == 3
    for m, v in zip(mods, vals):
        assert float(m.lower()) - 1e-15 <= abs(float(v)) <= float(m.upper()) + 1e-15, (m, v)
    fact = trusted.items.check_item(it)
    lo, hi = fact["radius"]
    top = max(abs(float(v)) for v in vals)
    assert lo <= F(top) <= hi and hi - lo < F(1, 10 ** 8) and fact["unique"] is False


def test_sigmoid_is_tanh_at_a_sixteenth():
    """sigmoid(x) - 1/2 = tanh(x/2)/2: the map at sigma_w^2 = 16 w in q is tanh's at w in q/4, so sigmoid at 32 has
    tanh at 2's eigenvalues and q* four times tanh's (the constant 1/2 cancels under C)."""
    t, s = trusted.items.check_item(_item("tanh", 2)), trusted.items.check_item(_item("sigmoid", 32))
    assert abs(float(t["radius"][0] - s["radius"][0])) < 1e-8
    assert abs(float(F(_item("sigmoid", 32)["root_lo"]) - 4 * F(_item("tanh", 2)["root_lo"]))) < 1e-8


# ---------------------------------------------------------------- the full map, independently
PHI = {"tanh": np.tanh, "sigmoid": lambda t: 1 / (1 + np.exp(-t))}


def _K(f, Sm, z, wt):
    """E[phi(x_i) phi(x_j)] for x ~ N(0, Sm) (each pair by a 2-D Gauss-Hermite rule)."""
    Z1, Z2 = np.meshgrid(z, z, indexing="ij")
    W2 = np.outer(wt, wt)
    out = np.zeros((3, 3))
    for i in range(3):
        for j in range(i, 3):
            a, b, c = Sm[i, i], Sm[j, j], Sm[i, j]
            if i == j:
                out[i, i] = np.dot(wt, f(np.sqrt(a) * z) ** 2)
                continue
            a, b = max(a, b), min(a, b)
            y = c / np.sqrt(a) * Z1 + np.sqrt(max(b - c * c / a, 0.0)) * Z2
            out[i, j] = out[j, i] = np.sum(W2 * f(np.sqrt(a) * Z1) * f(y))
    return out


def _full_df(name, w, q, h=1e-4):
    """DF of G -> K(w C G C) at G* = K(S*) on the six symmetric directions: DF[H] = DK(S*)[w C H C], each by a
    one-sided four-point difference along w C H C + shift minus the same along the shift (3 w C)."""
    from numpy.polynomial.hermite_e import hermegauss
    z, wt = hermegauss(240)
    wt = wt / wt.sum()
    f, C = PHI[name], np.eye(3) - 1 / 3
    Ss = q * np.array([[1., -1, 0], [-1, 1, 0], [0, 0, 0]])

    def dK(D):
        v = [_K(f, Ss + k * h * D, z, wt) for k in range(4)]
        return (-11 * v[0] + 18 * v[1] - 9 * v[2] + 2 * v[3]) / (6 * h)
    basis = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]
    shift = 3 * w * C
    base = dK(shift)
    J = np.zeros((6, 6))
    for col, (i, j) in enumerate(basis):
        H = np.zeros((3, 3))
        H[i, j] = H[j, i] = 1
        D = dK(w * C @ H @ C + shift) - base
        J[:, col] = [D[k, m] for k, m in basis]
    return J


@pytest.mark.parametrize("name,w", [("tanh", 2), ("sigmoid", 20)])
def test_the_radius_against_the_full_maps_finite_differences(name, w):
    """DF's six eigenvalues by finite differences of the full map: three near 0 and three moduli, each within 1e-5 of
    one of odd_edge's balls, the largest in the fact's radius to 1e-5."""
    it = _item(name, w)
    q, _ = _mp(name, w)
    ev = sorted(abs(np.linalg.eigvals(_full_df(name, w, float(q)))))
    assert max(ev[:3]) < 1e-3 and min(ev[3:]) > 0.1, ev
    with ctx.workprec(128):
        mods = S.odd_edge(name, S.ball(F(w)), S._span(F(it["root_lo"]), F(it["root_hi"])), True)
    for v, m in zip(ev[3:], sorted(float(m.mid()) for m in mods)):
        assert abs(v - m) < 1e-5, (ev, mods)
    lo, hi = trusted.items.check_item(it)["radius"]
    assert float(lo) - 1e-5 < ev[-1] < float(hi) + 1e-5


def test_the_constant_cancels():
    """q' - q from odd_edge at sigmoid equals w E[(tanh(sqrt(q) Z / 2) / 2)^2] - q (mpmath), phi(0) = 1/2 gone."""
    for q in (F(1, 10), F(5, 2), F(7)):
        with ctx.workprec(128):
            got = S.odd_edge("sigmoid", S.ball(F(20)), S.ball(q))
        want = 20 * _E(lambda z: (mpmath.tanh(mpmath.sqrt(float(q)) * z / 2) / 2) ** 2) - float(q)
        assert abs(float(got.mid()) - float(want)) < 1e-12 and got.rad() < 1e-15


# ---------------------------------------------------------------- forgeries
def test_forgeries_are_refused():
    """Relabelled activation, weight_var, n; brackets without a sign change or outside the cell; non-odd activations
    and formulas; alpha: each Rejected, and no claim proved from it."""
    it = _item("tanh", 2)
    q0, q1, r0, r1 = (F(it[k]) for k in ("q_lo", "q_hi", "root_lo", "root_hi"))
    bad = [dict(it, activation="sigmoid"), dict(it, activation="erf"), dict(it, activation="sin"),
           dict(it, weight_var="3"), dict(it, weight_var="1"), dict(it, n=4), dict(it, alpha="1/2"),
           dict(it, root_lo=str(r1), root_hi=str(q1)), dict(it, root_lo=str(q0), root_hi=str(r0)),
           dict(it, root_lo=str(q0 - (q1 - q0)), root_hi=str(r1)), dict(it, root_lo=str(r0), root_hi=str(q1 + 1)),
           dict(it, root_lo=str(q1 + 1), root_hi=str(q1 + 2)), dict(it, root_lo=str(r1), root_hi=str(r0)),
           dict(it, q_lo=str(r1), q_hi=str(q1), root_lo=str(r1), root_hi=str(q1)),
           dict(it, q_lo=str(q0 / 2), q_hi=str(q0), p_hi=str(q0 / 2), root_lo=str(q0 / 2), root_hi=str(q0)),
           dict(it, q_lo=str(r0), q_hi=str(r1), root_lo=str(q0), root_hi=str(q1))]
    bad += [dict(it, activation=a) for a in ("gelu", "silu", "softplus", "elu", "relu", "formula:tanh(x)",
                                              "formula:tanh(x) + 1", "TANH", "tanh ")]
    for b in bad:
        with pytest.raises(trusted.Rejected):
            trusted.items.check_item(b)
        for claim in (_radius("<", 2, act=b["activation"], w=b["weight_var"]), _radius("<", 2),
                      _claim("attractor-exists", act=b["activation"], w=b["weight_var"], params={})):
            assert _verdict(claim, [b]) != "proved", (b, claim)
    # the sigmoid item is no tanh item, nor the w = 2 item one at 4
    for claim in (_radius("<", 2, act="sigmoid"), _radius("<", 2, w="4"), _radius("<", 2, n="4"),
                  _radius("<", 2, n="3..4"), dict(_radius("<", 2), stages=["rc", "rs"])):
        assert _verdict(claim, [it]) != "proved", claim


def test_a_wide_bracket_proves_no_instability_it_did_not_show():
    """tanh at sigma_w^2 = 1001/1000: a wide cell [10^-6, 1] (q' - q changes sign on it) as the bracket encloses the
    radius in some [0.7, 1.01]; without a "U" cell nothing shows an eigenvalue > 1, so radius > 1 is not proved from
    it (erf's unique point proves it), existence is."""
    it = _item("tanh", F(1001, 1000))
    wide = {k: v for k, v in dict(it, q_lo="1/1000000", q_hi="1", p_hi="1/2").items() if not k.startswith("root")}
    lo, hi = trusted.items.check_item(wide)["radius"]
    assert lo < 1 < hi
    w = "1001/1000"
    assert _verdict(_radius(">", 1, w=w), [wide]) == "inconclusive"
    assert _verdict(_radius(">", "1/2", w=w), [wide]) == "inconclusive" or lo > F(1, 2)
    assert _verdict(_radius(">", 1, w=w), [it]) == "proved"      # the narrow bracket's enclosure shows it
    assert _verdict(_claim("attractor-exists", w=w, params={}), [wide]) == "proved"


# ---------------------------------------------------------------- the kernel's decisions
@pytest.mark.parametrize("name,w", [("tanh", 2), ("sigmoid", 20)])
def test_the_decisions(name, w):
    """radius < hi + 1e-9 and > lo - 1e-9 proved, < lo and > hi not (inconclusive, never refuted), < 1 not; existence
    and the fixed point proved; the threshold never from a point; the reason says no uniqueness cell."""
    it = _item(name, w)
    lo, hi = trusted.items.check_item(it)["radius"]
    e = F(1, 10 ** 9)
    for rel, b in (("<", hi + e), ("<=", hi), (">", lo - e), (">=", lo), (">", 1)):
        assert _verdict(_radius(rel, b, act=name, w=str(w)), [it]) == "proved", (rel, b)
    for rel, b in (("<", lo), ("<", hi - e), (">", hi), ("<", 1), ("<=", 1), ("<", (lo + hi) / 2)):
        assert _verdict(_radius(rel, b, act=name, w=str(w)), [it]) == "inconclusive", (rel, b)
    for prop in ("attractor-exists", "fixed-point"):
        params = {} if prop == "attractor-exists" else {"state": "attractor"}
        v, st, why = trusted.decide(_claim(prop, act=name, w=str(w), params=params), [it])
        assert v == "proved" and "only one" not in why and "one-dimensional Gaussian integrals" in why, why
    for claim in (_claim("attractor-threshold", act=name, w=str(w), params={"value": 3}),
                  _claim("attractor-threshold", act=name, w=str(w), params={"value": "none"})):
        assert _verdict(claim, [it]) != "proved"


def test_no_point_where_the_scale_collapses():
    """tanh at sigma_w^2 <= 1, sigmoid at <= 16: no item is found; the collapse lemma refutes existence (true: no
    spread-cluster fixed point) and no radius claim is proved."""
    for name, w in (("tanh", 1), ("tanh", F(1, 2)), ("sigmoid", 16), ("sigmoid", 8)):
        assert SC.point_item(name, 3, F(w)) is None
        assert _verdict(_claim("attractor-exists", act=name, w=str(w), params={}), []) == "refuted"
        assert _verdict(_radius("<", 100, act=name, w=str(w)), []) != "proved"


def test_the_command_line(run_cli):
    """bnverify check: tanh at 2 radius < 1.626 proved (exit 0), < 1.6259 inconclusive (exit 3); sigmoid at 20 the
    same around 1.16343278; existence at tanh 2 proved (on 3..4 refuted at n = 4), at tanh 1 refuted (the collapse
    lemma)."""
    def base(act, w):
        return ("check", "--stages", "rc," + act, "--weight-var", w, "--n", "3", "--property", "spectral-radius",
                "--state", "attractor", "--relation", "<", "--bound")
    for act, w, above, below in (("tanh", "2", "1.626", "1.6259"), ("sigmoid", "20", "1.16343279", "1.16343278")):
        code, out, err = run_cli(*base(act, w), above)
        assert code == 0 and "proved" in out and "one-dimensional Gaussian integrals" in out, out + err
        assert "only one" not in out
        code, out, err = run_cli(*base(act, w), below)
        assert code == 3 and "never refutes" in out, out + err
    code, out, err = run_cli("check", "--stages", "rc,tanh", "--weight-var", "2", "--n", "3", "--property",
                             "attractor-exists")
    assert code == 0 and "proved" in out, out + err
    code, out, err = run_cli("check", "--stages", "rc,tanh", "--weight-var", "1", "--n", "3", "--property",
                             "attractor-exists")
    assert "refuted" in out and "Traceback" not in out + err, out + err


@pytest.mark.slow
def test_the_command_line_on_3_to_4(run_cli):
    """On 3..4: n = 3's point {v, -v, 0} exists, n = 4 has a spread-none cover (Mehler's series): refuted; bnverify
    attractor's n = 4 row is refuted by that kernel-checked cover, with no float search and no point.  (The n = 4
    cover's search and check, some 5 s, under -m slow: tests/test_spread_odd_cover.py checks a stored tanh cover,
    tests/test_spread_cover.py::test_the_command_line the per-n covers end to end.)"""
    import json

    code, out, err = run_cli("check", "--stages", "rc,tanh", "--weight-var", "2", "--n", "3..4", "--property",
                             "attractor-exists")
    assert code == 1 and "3: proved" in out and "4: refuted" in out, out + err
    code, out, err = run_cli("attractor", "--stages", "rc,tanh", "--weight-var", "2", "--n", "3..4", "--json")
    r3, r4 = json.loads(out)["results"]
    assert "{v, -v, 0}" in r3["reason"] and "{v, -v, 0}" not in r4["reason"] and "point" not in r4
    assert r4["status"] == "refuted" and r4["checked"] and r4["search"] is None     # n = 4's spread-none cover


def _forged_root(name, w):
    """A bracket [lo, hi] where the kernel's own odd_edge (w E[phi^2] - phi(0)^2 - q) changes sign, for a phi with
    phi - phi(0) not odd: no fixed point follows (the edge p = 0 is not invariant), so its item must be refused."""
    def g(q):
        with ctx.workprec(128):
            return float(S.odd_edge(name, S.ball(F(w)), S.ball(q)).mid())
    lo, hi = F(1, 100), 4 * F(w)
    assert g(lo) * g(hi) < 0, (name, g(lo), g(hi))
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (g(mid) > 0) == (g(lo) > 0) else (lo, mid)
    return lo, hi


@pytest.mark.parametrize("name,w", [("gelu", 3), ("silu", 3)])
def test_a_sign_change_for_a_phi_that_is_not_odd_is_refused(name, w):
    """GELU, SiLU at sigma_w^2 = 3 (outside the trace lemma): the kernel's integral w E[phi^2] - phi(0)^2 - q does change sign, but the item is refused
    (only tanh and sigmoid take the one-dimensional path) and proves nothing."""
    lo, hi = _forged_root(name, w)
    it = {"type": "spread-point", "activation": name, "alpha": "0", "weight_var": str(w), "n": 3, "prec": 128,
          "q_lo": str(lo), "q_hi": str(hi), "p_hi": str(hi - lo)}
    with pytest.raises(trusted.Rejected):
        trusted.items.check_item(it)
    assert _verdict(_claim("attractor-exists", act=name, w=str(w), params={}), [it]) != "proved"


def test_the_point_is_priced_as_its_integrals():
    """A tanh or sigmoid point costs what a two-point bracket does (some ten integrals), not erf's closed forms."""
    for name, w in (("tanh", 2), ("sigmoid", 20)):
        it = _item(name, w)
        assert trusted.items.work(it) == it["prec"] * trusted.items.SIZED["two-point-bracket"][1]
    assert trusted.items.work(dict(_item("tanh", 2), activation="erf")) < 1000 * _item("tanh", 2)["prec"]


def test_attractor_shows_the_checked_point(run_cli, monkeypatch):
    """bnverify attractor, tanh at 2, n = 3: the float-search row carries the kernel-checked point (its q bracket
    around mpmath's q*, the radius enclosure rounded outward; valid against the schema); the words say so (n = 4's
    row, refuted by a spread-none cover: test_the_command_line_on_3_to_4, -m slow)."""
    import json
    from pathlib import Path

    import jsonschema

    from bnverify.derive import spread
    monkeypatch.setattr(spread, "GRID", (13, 16))       # the float search's grid, coarse: it finds the same point here
    code, out, err = run_cli("attractor", "--stages", "rc,tanh", "--weight-var", "2", "--n", "3", "--json")
    assert code == 3, err[-2000:]                  # undecided: no stable state shown or refuted
    doc = json.loads(out)
    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "schemas" / "attractor.json").read_text())
    jsonschema.validate(doc, schema)
    r3, = doc["results"]
    # the row's reason and the smallest-n note say the kernel checked the point (they said 'not certified here' /
    # 'float search; not proved' only; red team)
    assert r3["reason"].startswith("n = 3's point {v, -v, 0} exists (unstable: spectral radius of DF in [1.6259")
    assert "not certified here" in r3["reason"] and "the float search" in r3["reason"]
    assert "kernel-checked: n = 3's point {v, -v, 0} exists" in doc["smallest_n_note"]
    q, vals = _mp("tanh", 2)
    assert r3["point"]["checked"] is True and r3["point"]["q"][0] < float(q) < r3["point"]["q"][1]
    lo, hi = r3["point"]["spectral_radius"]
    assert lo <= max(abs(float(v)) for v in vals) <= hi and hi - lo < 1e-8
    assert r3["status"] == "inconclusive"          # the point is unstable; stability of some state is not decided
