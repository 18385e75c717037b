"""Stability for every n >= 16 at once (bnverify.derive.alln_stability): the closed-form blocks
against the trusted model's dense symmetric_blocks, the sympy identities behind the analytic
(t-divided) forms, the arb check on the real branch boxes, and the wrong claims that must fail
(flipped margin, wrong power of t)."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from bnverify.core import arith
from bnverify.derive import alln
from bnverify.derive import alln_stability as st
from bnverify.trusted import model as tm


@pytest.fixture(scope="module")
def boxes16():
    boxes, failed = alln.certify_branch(16)
    assert not failed
    return boxes


def _root(n, dps=50):
    v = alln.measure(n, dps)["v"]
    mpmath.mp.dps = dps
    return v


def _dense_blocks(v, n, lib):
    from flint import arb, ctx
    ctx.prec = 200
    s = [arb(mpmath.nstr(x, 55)) for x in st.state(v, n, lib)]
    return tm.symmetric_blocks(s, n, arb(1) / 2, 1 / (2 * arb.pi()))


@pytest.mark.parametrize("n", list(range(7, 41)))
def test_closed_form_blocks_match_symmetric_blocks(n):
    """(a) every entry of the L . P closed forms equals the dense n x n computation at the
    fixed point, and the eigenvalues of the reduced (scaled) forms are the blocks' spectra."""
    lib = arith.get("mp", dps=50)
    v = _root(n)
    mine = st.blocks(v, n, lib)
    dense = _dense_blocks(v, n, lib)
    assert set(mine) == set(dense)
    for comp in mine:
        for i, row in enumerate(mine[comp]):
            for j, x in enumerate(row):
                ref = dense[comp][i][j]
                assert abs(x - mpmath.mpf(ref.mid().str(40, radius=False))) < mpmath.mpf(10) ** -30 \
                    * (1 + abs(x)), (comp, i, j)
    # the reduced forms: the 3x3 blocks' char. polynomials are l^2 (l - mu_T), l (l^2 - tau l + delta)
    sp = st.spectra(v, n, lib)
    mpmath.mp.dps = 50
    for comp, want in (("trivial", [sp["trivial"]]), ("standard", list(sp["standard"])),
                       ("pair", [sp["pair"]])):
        E, _ = mpmath.eig(mpmath.matrix(mine[comp]))
        E = sorted(E, key=lambda e: -abs(e))
        for k, w in enumerate(want):
            assert abs(E[k] - w) < mpmath.mpf(10) ** -25, (comp, E, want)
        for e in E[len(want):]:
            assert abs(e) < mpmath.mpf(10) ** -25, (comp, E)


def test_trivial_eigenvalue_is_the_slope_of_the_reduction():
    """mu_T = h'(rho*) = 1 - t G_v / (lam v sinc(theta)) (alln's equation at its root)."""
    lib = arith.get("mp", dps=50)
    for n in (16, 100, 1000):
        v = _root(n)
        t = mpmath.mpf(1) / n
        Gv = mpmath.diff(lambda vv: alln.branch(vv, t, lib)["G"], v)
        a = st.atoms(v, t, lib)
        slope = 1 - t * Gv / (a["lam"] * v * a["sinc"])
        assert abs(st.spectra(v, n, lib)["trivial"] - slope) < mpmath.mpf(10) ** -30


def test_sympy_identities():
    """The t-divided forms are identities of the reduced blocks (no approximation)."""
    diffs = st.verify_scaled_forms()
    assert diffs and all(d == 0 for d in diffs.values()), diffs


def test_leading_order_is_one():
    """At t = 0 (v = 3 pi) every margin coefficient is 1: m_P = m_T = Q = 1, delta/t -> 1."""
    lib = arith.get("mp", dps=50)
    s = st.scaled(3 * lib.pi, lib.const(0), lib)
    for k in ("m_P", "m_T", "Q"):
        assert abs(s[k] - 1) < mpmath.mpf(10) ** -40, (k, s[k])
    assert abs(s["a"] - 3 - 3 / mpmath.sqrt(2)) < mpmath.mpf(10) ** -40
    assert abs(s["b"] + 2) < mpmath.mpf(10) ** -40


def test_measured_margin_times_n_tends_to_one():
    lib = arith.get("mp", dps=40)
    for n, lo, hi in ((64, 1.0, 1.01), (1024, 1.0, 1.002)):
        v = _root(n, 40)
        sp = st.spectra(v, n, lib)
        r = max(abs(sp["pair"]), abs(sp["trivial"]), abs(sp["standard"][0]))
        assert abs(sp["trivial"]) == r            # the trivial block leads
        assert lo < (1 - r) * n < hi


def test_check_passes_on_the_branch_boxes(boxes16):
    """(b) spectral radius < 1 on every box of alln.certify_branch(16)."""
    ev, ok = st.certify_stability(boxes16)
    assert ok and len(ev) == len(boxes16)
    assert all(e["failed"] is None and e["pieces"] >= 1 for e in ev)
    assert all(min(e["min_lower"].values()) > 0 for e in ev)
    # the boxes cover [0, 1/16] without gaps
    ends = [(Fraction(e["t"][0]), Fraction(e["t"][1])) for e in ev]
    assert ends[0][0] == 0 and ends[-1][1] == Fraction(1, 16)
    assert all(a[1] == b[0] for a, b in zip(ends, ends[1:]))


@pytest.mark.parametrize("flip,power", [(-1, 1), (1, 0), (1, 2)])
def test_check_fails_on_wrong_claims(boxes16, flip, power):
    """(c) the flipped margin fails everywhere; the wrong power of t fails on the box at t = 0
    (power 0: the undivided margin contains 0; power 2: unbounded)."""
    ev, ok = st.certify_stability(boxes16[:1], flip=flip, power=power, max_depth=3)
    assert not ok and ev[0]["failed"] is not None


def test_check_fails_off_the_branch():
    """A v-ball around a wrong v (not the root: there the blocks are not DF's) must not be
    accepted as a branch box: the interval-Newton contraction finds no root."""
    lib = arith.get("ball", prec=128)
    V = lib.arb(lib.const(Fraction(12)), lib.const(Fraction(1, 100)))
    with pytest.raises(ArithmeticError):
        st._contract(V, Fraction(1, 64), Fraction(1, 32), lib)


def test_contraction_keeps_the_root(boxes16):
    lib = arith.get("ball", prec=128)
    box = boxes16[len(boxes16) // 2]
    lo, hi, V = st._box_balls(box, lib)
    mid = (lo + hi) / 2
    W = st._contract(V, lo, mid, lib)
    assert W.rad() <= V.rad()
    for t in (lo, (lo + mid) / 2, mid):
        if t == 0:
            continue
        root = _root(int(1 / t)) if (1 / t).denominator == 1 else \
            mpmath.findroot(lambda vv: alln.branch(vv, mpmath.mpf(t.numerator) / t.denominator,
                                                   arith.get("mp", dps=40))["G"], 3 * mpmath.pi)
        assert W.contains(lib.arb(mpmath.nstr(root, 30)))


# slow: a sympy series to t^3 (9.3 s); the margin's leading term is checked fast elsewhere
@pytest.mark.slow
def test_margin_series():
    """Exact second-order coefficients: margin = t + t^2 - (81 pi^2/20) t^3 (trivial block)."""
    import sympy as sp

    s = st.margin_series()
    pi = sp.pi
    assert [sp.simplify(x - y) for x, y in zip(s["v"], [3 * pi, -3 * pi, 9 * pi ** 3 / 20])] == [0] * 3
    want = {"m_P": [1, 1, 9 * pi ** 2 / 20], "m_T": [1, 1, -81 * pi ** 2 / 20],
            "Q": [1, 0, -3 - 81 * pi ** 2 / 20], "delta_t": [1, 1, 9 * sp.sqrt(2) * pi ** 2 / 2 - 1]}
    for k, w in want.items():
        assert [sp.simplify(x - y) for x, y in zip(s[k], w)] == [0] * 3, (k, s[k])
    # against the measurement at n = 1024: (1 - radius) n = 1 + t - (81 pi^2/20) t^2 + O(t^3)
    row = st.measure_table((1024,), 40)[0]
    t = 1 / 1024
    assert abs(float(row["margin_n"]) - (1 + t - 81 * float(pi) ** 2 / 20 * t * t)) < 400 * t ** 3
