"""The spread-none item (bnverify/trusted/spreadfam.py): a quadtree cover of the symmetric family of RC + erf or
sin in (q, p), beyond the collapse lemma.  G1 and G2 in balls against an independent mpmath computation (the
two-dimensional Gaussian integrals, not the closed kernels), covers found and re-checked, forged and relabelled
covers refused, and the fixed point off the lines at n = 3 ({v, -v, 0}: rho = -1/(n-2)) never covered by cells
that exclude it, only by "U" cells where every fixed point is unstable (which decide stable states only)."""
import json
import math
import time
from fractions import Fraction

import mpmath
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as C
from bnverify.trusted import spreadfam as S
from test_spread_kernel import _claim


def cover_cells(item):
    """{index in the tree: (q0, q1, p0, p1)} for every leaf of a spread-none item, in the checker's order (its walk,
    written again here for the tests)."""
    cells, stack = {}, [(Fraction(0), Fraction(item["top"]), Fraction(0), Fraction(item["top"]))]
    for i, ch in enumerate(item["tree"]):
        q0, q1, p0, p1 = stack.pop()
        qm, pm = (q0 + q1) / 2, (p0 + p1) / 2
        if ch == "4":
            stack += [(qm, q1, pm, p1), (qm, q1, p0, pm), (q0, qm, pm, p1), (q0, qm, p0, pm)]
        else:
            cells[i] = (q0, q1, p0, p1)
    return cells


@pytest.fixture(scope="module")
def erf5():
    return C.item("erf", 5, 2)


def _K_mp(name, q1, q2, c):
    """E[phi(x) phi(y)] by a one-dimensional mpmath integral: y = (c/q1) x + s Z', and the inner expectation in
    closed form, E[sin(u + s Z')] = sin(u) e^(-s^2/2), E[erf(u + s Z')] = erf(u / sqrt(1 + 2 s^2)) (not the
    checker's arcsine and sinh kernels)."""
    s2 = max(q2 - c * c / q1, 0)
    inner = {"sin": lambda u: mpmath.sin(u) * mpmath.exp(-s2 / 2),
             "erf": lambda u: mpmath.erf(u / mpmath.sqrt(1 + 2 * s2))}[name]
    phi = {"sin": mpmath.sin, "erf": mpmath.erf}[name]
    return mpmath.quad(lambda z: phi(mpmath.sqrt(q1) * z) * inner(c / mpmath.sqrt(q1) * z) * mpmath.npdf(z),
                       [-mpmath.inf, -4, 0, 4, mpmath.inf])


@pytest.mark.parametrize("name", ["erf", "sin"])
@pytest.mark.parametrize("n,q,rho", [(4, 0.7, 0.3), (7, 1.9, -0.1), (12, 0.3, 0.9), (30, 0.05, -0.03)])
def test_g12_against_mpmath(name, n, q, rho):
    w = 2
    with mpmath.workdps(18):        # the integrals agree with 25 digits' to 4e-17 here; the test's bound is 1e-12
        q, rho = mpmath.mpf(q), mpmath.mpf(rho)
        p = (n - 1) * q * (1 + (n - 2) * rho)
        K = lambda a, b, c: _K_mp(name, a, b, c)      # noqa: E731
        a, b, c, d = K(q, q, q), K(q, q, rho * q), K(q, p, -p / (n - 1)), K(p, p, p)
        g1 = w * (a - b) / (1 - rho) - q
        r1 = a + (n - 2) * b + c
        g2 = w * (a - 2 * r1 / n + ((n - 1) * (r1 + c) + d) / n ** 2) - q
    with ctx.workprec(128):
        got = S.g12(name, n, arb(w), arb(mpmath.nstr(q, 30)), arb(mpmath.nstr(p, 30)))
    for mine, truth in zip(got, (g1, g2)):
        assert mine.rad() < 1e-15 and abs(float(mine.mid()) - float(truth)) < 1e-12, (mine, truth)


def test_near_rho_one_the_mean_value_form_holds_the_limit():
    """At rho >= 15/16 G1 is q dK/dc over [rho q, q] (a ball): it holds the difference quotient, and at rho = 1
    the pair's limit q (w E[phi'(sqrt q Z)^2] - 1) (erf: E[phi'^2] = 4/(pi sqrt(1 + 4q)))."""
    n, q, w = 9, Fraction(3, 4), 2
    for rho in (Fraction(97, 100), Fraction(1)):
        p = (n - 1) * q * (1 + (n - 2) * rho)
        with ctx.workprec(128):
            g1 = S.g12("erf", n, arb(w), arb(q.numerator) / q.denominator, arb(p.numerator) / p.denominator)[0]
        with mpmath.workdps(25):
            qq = mpmath.mpf(3) / 4
            lim = qq * (w * 4 / (mpmath.pi * mpmath.sqrt(1 + 4 * qq)) - 1)
            if rho == 1:
                truth = lim
            else:
                r = mpmath.mpf(97) / 100
                a, b = _K_mp("erf", qq, qq, qq), _K_mp("erf", qq, qq, r * qq)
                truth = w * (a - b) / (1 - r) - qq
        assert g1.is_finite() and abs(float(g1.mid()) - float(truth)) <= float(g1.rad()) + 1e-15, (rho, g1, truth)


def test_a_cover_refutes_and_is_priced(erf5):
    it = erf5
    assert set(it["tree"]) <= set("4OS12X") and it["tree"].count("X") == 1
    f = trusted.kernel.check_item(it)
    assert f == {"fact": "spread-none", "activation": "erf", "alpha": 0, "weight_var": 2, "n": 5, "only_stable": False}
    v, st, why = trusted.decide(_claim(act="erf", n="5", w="2"), [it])
    assert v == "refuted" and "at n = 5 the symmetric family has no fixed point off" in why
    assert trusted.decide(_claim("attractor-threshold", act="erf", n="5", w="2", params={"value": "none"}),
                          [it])[0] == "proved"
    assert trusted.decide(_claim("attractor-threshold", act="erf", n="5..6", w="2", params={"value": 5}),
                          [it])[0] == "refuted"
    with pytest.raises(trusted.Rejected, match="every n of the domain"):         # n = 6 has no cover
        trusted.decide(_claim("attractor-threshold", act="erf", n="5..6", w="2", params={"value": "none"}), [it])
    assert trusted.kernel.work(it) == len(it["tree"]) * 128 * 3 // 2


def test_forged_and_relabelled_covers_are_refused(erf5):
    it = erf5
    t = it["tree"]
    bad = [dict(it, tree=t[:-1]), dict(it, tree=t + "1"), dict(it, tree=t.replace("X", "1", 1)),
           dict(it, tree=t.replace("2", "1", 1)),
           dict(it, tree=t.replace("S", "1", 1)), dict(it, tree=t.replace("4", "1", 1)),
           dict(it, n=6), dict(it, n=3), dict(it, weight_var="1"), dict(it, weight_var="3"),
           dict(it, activation="sin"), dict(it, activation="tanh"), dict(it, alpha="1"), dict(it, prec=32),
           dict(it, top="7"), dict(it, top="17")]
    for b in bad:
        with pytest.raises(trusted.Rejected):
            S.check_spread_none(b) if b["activation"] in S.KERNELS else trusted.kernel.check_item(b)
    # a "1" cell relabelled "2": some of them are G2's too (no harm), the first that is not is refused (the first 16
    # "1" cells here, 8 of them refused; the next 24 in test_relabelled_ones_further_on, slow)
    _relabel_ones(it, 0, 16)
    # a cover for n = 5 is no evidence for n = 6, for another weight variance or activation
    for claim in (_claim(act="erf", n="6", w="2"), _claim(act="erf", n="5", w="3"), _claim(act="sin", n="5", w="2")):
        with pytest.raises(trusted.Rejected):
            trusted.decide(claim, [it])


def _relabel_ones(it, start, stop):
    t = it["tree"]
    refused = 0
    for i in [i for i, ch in enumerate(t) if ch == "1"][start:stop]:
        try:
            S.check_spread_none(dict(it, tree=t[:i] + "2" + t[i + 1:]))
        except trusted.Rejected as e:
            refused += 1
            assert "'2' not shown" in str(e)
    assert refused > 0


@pytest.mark.slow
def test_relabelled_ones_further_on(erf5):
    _relabel_ones(erf5, 16, 40)


def test_a_huge_forged_cover_is_refused_at_once():
    it = {"type": "spread-none", "activation": "erf", "alpha": "0", "weight_var": "2", "n": 8, "prec": 512,
          "top": "8", "tree": "4" * 399_999 + "1"}
    t = time.time()
    with pytest.raises(trusted.Rejected, match="over the budget|at most"):
        trusted.decide(_claim(act="erf", n="8", w="2"), [it])
    assert time.time() - t < 1


def _full_map_mp(name, w, S3):
    """w C K(S) C for a 3 x 3 S with mpmath's one-dimensional integrals (not the checker's kernels)."""
    K = mpmath.matrix(3, 3)
    for i in range(3):
        for j in range(3):
            K[i, j] = _K_mp(name, S3[i, i], S3[j, j], S3[i, j]) if S3[i, i] > 0 and S3[j, j] > 0 else 0
    C = mpmath.eye(3) - mpmath.ones(3, 3) / 3
    return w * C * K * C


def _family(n, q, p):
    """S(q, p) at n = 3: cluster diagonal q, cluster off-diagonal (p/2 - q), cross -p/2, odd diagonal p."""
    return mpmath.matrix([[q, p / 2 - q, -p / 2], [p / 2 - q, q, -p / 2], [-p / 2, -p / 2, p]])


@pytest.mark.parametrize("name", ["erf", "sin"])
def test_h12_is_the_family_map_and_its_jacobian_the_full_maps(name):
    """h12 = (q' - q, p' - p) against the full 3 x 3 map by mpmath quadrature at an interior point, and at n = 3's
    {v, -v, 0} the family Jacobian's eigenvalues (arb partials) are eigenvalues of the full map's central-difference
    Jacobian on symmetric matrices (the family is invariant), one of them > 1."""
    w = 2
    with mpmath.workdps(20):
        q, p = mpmath.mpf("0.7"), mpmath.mpf("0.45")
        img = _full_map_mp(name, w, _family(3, q, p))
        truth = (img[0, 0] - q, img[2, 2] - p)
        assert abs(img[0, 1] - (img[2, 2] / 2 - img[0, 0])) < 1e-20        # the image is a family matrix again
    with ctx.workprec(128):
        got = S.h12(name, 3, arb(w), arb("0.7"), arb("0.45"))
    for mine, t in zip(got, truth):
        assert abs(float(mine.mid()) - float(t)) < 1e-12 + float(mine.rad()), (mine, t)
    a1 = {"erf": lambda q: 2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q)), "sin": lambda q: mpmath.exp(-q) * mpmath.sinh(q)}[name]
    with mpmath.workdps(20):
        qs = mpmath.findroot(lambda q: w * a1(q) - q, 0.9)
    with ctx.workprec(128):
        dq, dp = S._partials(S.h12, name, 3, arb(w), arb(mpmath.nstr(qs, 30)), arb(0))
        J = [[float(dq[0].mid()) + 1, float(dp[0].mid())], [float(dq[1].mid()), float(dp[1].mid()) + 1]]
    tr, det = J[0][0] + J[1][1], J[0][0] * J[1][1] - J[0][1] * J[1][0]
    fam = sorted([(tr - math.sqrt(tr * tr - 4 * det)) / 2, (tr + math.sqrt(tr * tr - 4 * det)) / 2])
    assert fam[1] > 1.5 and 0 < fam[0] < 1
    with mpmath.workdps(20):        # the family's Jacobian by forward differences of the quadrature map (p >= 0: PSD)
        h, base = mpmath.mpf("1e-12"), _full_map_mp(name, w, _family(3, qs, 0))
        cols = [_full_map_mp(name, w, _family(3, qs + h, 0)), _full_map_mp(name, w, _family(3, qs, h))]
        Jq = [[(cols[m][k, k] - base[k, k]) / h for m in range(2)] for k in (0, 2)]
    assert all(abs(Jq[i][j] - J[i][j]) < 1e-6 for i in range(2) for j in range(2)), (Jq, J)
    # and they are eigenvalues of the full map on symmetric 3 x 3 matrices: the closed kernels' analytic extension
    # in numpy (central differences across S_33 = 0, which the quadrature cannot take)
    import numpy as np
    k = {"erf": lambda a, b, c: 2 / np.pi * np.arcsin(2 * c / np.sqrt((1 + 2 * a) * (1 + 2 * b))),
         "sin": lambda a, b, c: np.exp(-(a + b) / 2) * np.sinh(c)}[name]
    Cn = np.eye(3) - 1 / 3

    def T(M):
        return w * Cn @ np.array([[k(M[i, i], M[j, j], M[i, j]) for j in range(3)] for i in range(3)]) @ Cn
    idx = [(i, j) for i in range(3) for j in range(i, 3)]
    S0, e, Jf = np.array([[float(qs), -float(qs), 0], [-float(qs), float(qs), 0], [0, 0, 0]]), 1e-7, np.zeros((6, 6))
    for m, (i, j) in enumerate(idx):
        E = np.zeros((3, 3))
        E[i, j] = E[j, i] = e
        D = (T(S0 + E) - T(S0 - E)) / (2 * e)
        Jf[:, m] = [D[a, b] for a, b in idx]
    full = np.linalg.eigvals(Jf)
    for lam in fam:
        assert min(abs(lam - full)) < 1e-6, (lam, full)


@pytest.mark.parametrize("name", ["erf", "sin"])
def test_n3_is_covered_by_unstable_cells_which_decide_stable_states_only(name):
    """n = 3: no cover without "U" cells (the fixed point {v, -v, 0} is real), one with them; its fact says
    only_stable and the kernel uses it for attractor-stable (radius < bound <= 1) and the threshold, never for
    attractor-exists or a bound above 1 or a relation '>'."""
    it = C.item(name, 3, 2)
    assert it is not None and "U" in it["tree"] and C.item(name, 3, 2, unstable=False) is None
    assert trusted.kernel.check_item(it)["only_stable"] is True
    v, st, why = trusted.decide(_claim("attractor-stable", act=name, n="3", w="2"), [it])
    assert v == "refuted" and "no stable fixed point" in why and "eigenvalue > 1" in why
    assert trusted.decide(_claim("attractor-stable", act=name, n="3", w="2", params={"relation": "<=", "bound": "1"}),
                          [it])[0] == "refuted"
    assert trusted.decide(_claim("attractor-threshold", act=name, n="3", w="2", params={"value": "none"}),
                          [it])[0] == "proved"
    assert trusted.decide(_claim("attractor-threshold", act=name, n="3..4", w="2", params={"value": 3}),
                          [it])[0] == "refuted"
    for claim in (_claim(act=name, n="3", w="2"),
                  _claim("attractor-stable", act=name, n="3", w="2", params={"bound": "2"}),
                  _claim("attractor-stable", act=name, n="3", w="2", params={"relation": ">", "bound": "1"})):
        with pytest.raises(trusted.Rejected, match="not decided without a spread-none cover"):
            trusted.decide(claim, [it])


def test_a_u_cell_where_a_fixed_point_is_stable_is_refused(erf5):
    """The simplex fixed point is stable in the family: its cell relabelled "U" (and every "1" / "2" leaf near it)
    is refused; "U" on the whole square, or outside the wedge, too."""
    t = erf5["tree"]
    with pytest.raises(trusted.Rejected, match="'U' not shown"):
        S.check_spread_none(dict(erf5, tree=t.replace("X", "U")))
    with pytest.raises(trusted.Rejected, match="'U' not shown"):
        S.check_spread_none(dict(erf5, tree="U"))
    F = Fraction
    with ctx.workprec(128):
        assert not S._leaf("U", "erf", 5, F(2), F(1), F(2), F(33), F(40))            # outside the wedge
        assert not S._leaf("U", "erf", 5, F(2), F(0), F(1, 64), F(0), F(1, 64))      # q = 0 on the cell
        assert S._leaf("U", "erf", 3, F(2), F(7, 8), F(57, 64), F(0), F(1, 64))      # n = 3's point: q* = 0.8808
        # the test is on J - I = D(q' - q, p' - p), not on D(G1, G2): here det D(G1, G2) < 0 but not det(J - I)
        # (at a zero of both the signs agree, G = A (H) with det A > 0; this cell holds none)
        cell = (F(11, 4), F(23, 8), F(0), F(1, 8))
        dq, dp = S._partials(S.g12, "erf", 4, S.ball(2), S._span(*cell[:2]), S._span(*cell[2:]))
        assert dq[0] * dp[1] - dp[0] * dq[1] < 0 and not S._leaf("U", "erf", 4, F(2), *cell)


def test_n3_has_a_fixed_point_off_the_lines_and_no_cover():
    """At n = 3 an odd phi has the fixed point {v, -v, 0} (rho = -1 = -1/(n-2), p = 0, q = w E[phi(sqrt q Z)^2]): a
    zero of G1 and G2 on the family's edge.  The search finds no cover, and a forged tree fails at the cell holding it."""
    with ctx.workprec(128):
        q = mpmath.findroot(lambda q: 2 * 2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q)) - q, 0.9)
        g = S.g12("erf", 3, arb(2), arb(str(q)), arb(0))
    assert all(abs(float(x.mid())) < 1e-12 for x in g)
    assert C.tree("erf", 3, 2, depth=14) is None
    assert C.tree("sin", 3, 2, depth=14) is None


def test_a_genuine_spread_fixed_point_blocks_the_cover(monkeypatch):
    """A kernel with a spread-cluster fixed point by construction (erf's kernel with G1 shifted so that its zero
    crosses G2's off the diagonal) leaves the search without a cover: never refuted by mistake."""
    with ctx.workprec(128):
        q0 = arb("1.3")
        g1, g2 = S.g12("erf", 6, arb(2), q0, arb("0.9"))
    orig = S.g12

    def shifted(name, n, w, q, p):
        a, b = orig(name, n, w, q, p)
        return a - g1, b - g2           # both vanish at (1.3, 0.9), rho -0.215 off both lines (simplex -0.2)
    monkeypatch.setattr(S, "g12", shifted)
    assert C.tree("erf", 6, 2, depth=12) is None


def test_erf_at_one_beyond_the_lemma_n4():
    """erf at sigma_w^2 = 1 (4/pi > 1: outside the lemma): covered at n = 4, whose family's zero of (G1, G2) sits at
    p = -0.0008, just outside the edge p = 0."""
    it = C.item("erf", 4, 1)
    assert it is not None and trusted.decide(_claim(act="erf", n="4", w="1"), [it])[0] == "refuted"
    assert math.isfinite(len(it["tree"]))


@pytest.mark.slow
@pytest.mark.parametrize("name,w", [("erf", 2), ("sin", 2), ("erf", 1)])
def test_every_n_4_to_16(name, w):
    for n in range(4, 17):
        it = C.item(name, n, w)
        assert it is not None and trusted.decide(_claim(act=name, n=str(n), w=str(w)), [it])[0] == "refuted", n


def test_the_leaf_tests_mean_what_they_say():
    """Each leaf test at its edges (erf, sigma_w^2 = 2, n = 5; simplex fixed point at q = p = 0.8661): "O" only
    beyond the wedge p <= (n-1)^2 q; "X" needs both the simplex fixed point in the cell (G2's sign change on the
    diagonal) and a regular interval Jacobian."""
    F, w, n = Fraction, Fraction(2), 5
    with ctx.workprec(128):
        assert S._leaf("O", "erf", n, w, F(1), F(2), F(33), F(40)) and not S._leaf("O", "erf", n, w, F(1), F(2), F(31), F(40))
        assert not S._leaf("O", "erf", n, w, F(1), F(2), F(5), F(6))          # (n-1) q < p < (n-1)^2 q: inside
        assert S._leaf("X", "erf", n, w, F(27, 32), F(7, 8), F(27, 32), F(7, 8))
        sign = [S._sign(S.g12("erf", n, arb(2), S.ball(t), S.ball(t))[1]) for t in (F(3, 4), F(1))]
        assert sign == [1, -1] and not S._leaf("X", "erf", n, w, F(3, 4), F(1), F(3, 4), F(1))   # Jacobian not regular
        lo, hi = F(7, 8), F(7, 8) + F(1, 256)                                   # regular, but no fixed point inside
        dq = [v.coeffs()[1] for v in S.g12("erf", n, arb(2), S.arb_series([S._span(lo, hi), 1], prec=2),
                                           S.arb_series([S._span(lo, hi)], prec=2))]
        dp = [v.coeffs()[1] for v in S.g12("erf", n, arb(2), S.arb_series([S._span(lo, hi)], prec=2),
                                           S.arb_series([S._span(lo, hi), 1], prec=2))]
        assert S._sign(dq[0] * dp[1] - dp[0] * dq[1]) != 0 and not S._leaf("X", "erf", n, w, lo, hi, lo, hi)
        assert S._leaf("S", "erf", n, F(1), F(0), F(1, 16), F(0), F(1))   # w (E phi')^2 = 4/(pi (1 + 2q)) > 1: q < 0.137
        assert not S._leaf("S", "erf", n, F(1), F(0), F(1, 4), F(0), F(1))


@pytest.mark.slow
@pytest.mark.mutation
def test_the_command_line(run_cli):
    """check and attractor for erf / sin beyond the lemma: per-n covers refute; n = 3 (a fixed point off the lines)
    is proved to exist (a spread-point item), never refuted."""
    code, out, _ = run_cli("check", "--stages", "rc,erf", "--weight-var", "2", "--n", "4..5", "--property",
                           "attractor-threshold", "--value", "none", "--json")
    doc = json.loads(out)           # the reason in full (the text output shortens a long one)
    assert code == 0 and doc["verdict"] == "proved" and "spreadfam" in doc["evidence"]["reason"]
    code, out, _ = run_cli("check", "--stages", "rc,erf", "--weight-var", "2", "--n", "3", "--property",
                           "attractor-exists")
    assert code == 0 and "proved" in out and "{v, -v, 0}" in out
    assert "quadtree covers" in out and "Krawczyk" not in out          # the method says what was re-checked
    code, out, _ = run_cli("attractor", "--stages", "rc,sin", "--weight-var", "2", "--n", "4..5", "--json")
    doc = json.loads(out)
    assert code == 0 and [r["status"] for r in doc["results"]] == ["refuted", "refuted"]
    assert doc["smallest_n_note"].startswith("none in 4..5 (per n, kernel-checked spread-none covers")
    import jsonschema
    from pathlib import Path
    jsonschema.validate(doc, json.loads((Path(__file__).parents[1] / "docs/schemas/attractor.json").read_text()))


@pytest.mark.parametrize("name", ["erf", "sin"])
def test_n3_point_exists_and_is_unstable(name):
    """A spread-point item: q' - q changes sign along n = 3's invariant edge p = 0 and det(J - I) < 0 on the cell, so
    {v, -v, 0} exists there, alone, with an eigenvalue > 1: attractor-exists and 'radius > bound <= 1' proved at
    n = 3, and 'radius < 3' (its narrow root bracket's enclosure, erf 1.946, sin 1.619); nothing about stability
    below 1 or 3/2, a radius > 2, the threshold, or other n.  The cell holds the root of w E[phi(sqrt q Z)^2] = q
    computed independently (mpmath quadrature)."""
    it = C.point_item(name, 3, 2)
    assert it is not None and trusted.kernel.check_item(it)["fact"] == "spread-point"
    with mpmath.workdps(20):        # the root to 1e-19 (30 digits give the same 25 digits); the cell is 3 % wide
        qs = mpmath.findroot(lambda q: 2 * _K_mp(name, q, q, q) - q, 0.85)
    assert Fraction(it["q_lo"]) < Fraction(str(qs)) < Fraction(it["q_hi"])
    v, st, why = trusted.decide(_claim(act=name, n="3", w="2"), [it])
    assert v == "proved" and "{v, -v, 0}" in why and "eigenvalue > 1" in why
    for params in ({"relation": ">", "bound": "1"}, {"relation": ">=", "bound": "1/2"}, {"relation": "<", "bound": "3"}):
        assert trusted.decide(_claim("attractor-stable", act=name, n="3", w="2", params=params), [it])[0] == "proved"
    for claim in (_claim("attractor-stable", act=name, n="3", w="2", params={"relation": ">", "bound": "2"}),
                  _claim("attractor-stable", act=name, n="3", w="2"),
                  _claim("attractor-stable", act=name, n="3", w="2", params={"relation": "<", "bound": "3/2"}),
                  _claim("attractor-threshold", act=name, n="3", w="2", params={"value": "none"}),
                  _claim("attractor-threshold", act=name, n="3..4", w="2", params={"value": 3}),
                  _claim(act=name, n="3..4", w="2"), _claim(act=name, n="3", w="3"), _claim(act=name, n="4", w="2")):
        with pytest.raises(trusted.Rejected):
            trusted.decide(claim, [it])


@pytest.mark.parametrize("name, w", [("erf", "79/100"), ("erf", "7853982/10000000"), ("erf", "785398163398/10^12"),
                                     ("sin", "10000001/10000000"), ("sin", "1000000000001/10^12")])
def test_the_point_just_above_the_lemma_edge(run_cli, name, w):
    """Issue 22: just above the collapse lemma's edge (w phi'(0)^2 = 1: erf at pi/4 = 0.78539816339..., sin at 1) the
    point {v, -v, 0} sits at small q on the edge p = 0, where q = w E[phi(sqrt q Z)^2] (erf: w (2/pi) asin(2q/(1 +
    2q)); sin: w (1 - e^(-2q))/2), q ~ (w 4/pi - 1)/2 for erf, w - 1 for sin (2.3e-8 for erf at 0.7853982, 3.5e-13 at 0.785398163398).
    The scan used to start at q = 1e-6 and found nothing there (inconclusive); it scans down now.  The root is
    computed independently (mpmath, 50 digits, both the closed form and a quadrature of the expectation) and lies in
    the kernel-checked cell; the command line proves attractor-exists."""
    w = Fraction(w.replace("10^12", str(10 ** 12)))
    with mpmath.workdps(50):
        W = mpmath.mpf(w.numerator) / w.denominator
        edge = ((lambda q: W * 2 / mpmath.pi * mpmath.asin(2 * q / (1 + 2 * q)) - q) if name == "erf" else
                (lambda q: W * (1 - mpmath.exp(-2 * q)) / 2 - q))
        guess = (W * 4 / mpmath.pi - 1) / 2 if name == "erf" else W - 1
        qs = mpmath.findroot(edge, (guess / 2, guess * 2), solver="illinois")
        phi = mpmath.erf if name == "erf" else mpmath.sin
        mean = W * mpmath.quad(lambda z: phi(mpmath.sqrt(qs) * z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
        assert qs > 0 and abs(mean - qs) < qs * mpmath.mpf(10) ** -20
    it = C.point_item(name, 3, w)
    assert it is not None and Fraction(it["q_lo"]) < Fraction(mpmath.nstr(qs, 40)) < Fraction(it["q_hi"])
    code, out, err = run_cli("check", "--stages", "rc,%s" % name, "--weight-var", str(w), "--n", "3", "--property",
                             "attractor-exists", "--json")
    assert code == 0 and json.loads(out)["verdict"] == "proved", out + err


def test_no_point_just_below_the_lemma_edge(run_cli):
    """erf at 785398163397/10^12 < pi/4: the collapse lemma holds (w 4/pi < 1), there is no point, and none is
    found; the kernel refutes attractor-exists."""
    w = Fraction(785398163397, 10 ** 12)
    assert C.point_item("erf", 3, w) is None
    code, out, _ = run_cli("check", "--stages", "rc,erf", "--weight-var", str(w), "--n", "3", "--property",
                           "attractor-exists", "--json")
    assert code == 1 and json.loads(out)["verdict"] == "refuted"


def test_forged_point_items_are_refused():
    """A cell beside the root, a relabelled weight variance or activation, n = 4 (whose edge is not invariant),
    malformed cells: refused by the checker."""
    it = C.point_item("erf", 3, 2)
    lo, hi = Fraction(it["q_lo"]), Fraction(it["q_hi"])
    bad = [dict(it, q_lo=str(hi), q_hi=str(2 * hi - lo)), dict(it, q_lo=str(2 * lo - hi), q_hi=str(lo)),
           dict(it, weight_var="3"), dict(it, weight_var="1"), dict(it, activation="sin"), dict(it, activation="tanh"),
           dict(it, n=4), dict(it, n=5), dict(it, alpha="1"), dict(it, q_lo="0"), dict(it, p_hi=str(2 * (hi - lo))),
           dict(it, p_hi="0"), dict(it, q_lo=str(hi), q_hi=str(lo)), dict(it, prec=32), dict(it, q_hi="17")]
    for b in bad:
        with pytest.raises(trusted.Rejected):
            S.check_spread_point(b) if b["activation"] in S.KERNELS else trusted.kernel.check_item(b)
    # n = 4: q' - q along p = 0 changes sign at q = 0.8518 and det(J - I) < 0 around it, but the edge is not
    # invariant there (p' - p != 0): that sign change is no fixed point, and the item is refused for its n
    q, h = Fraction("0.8518005247780414"), Fraction("0.8518005247780414") / 64
    with ctx.workprec(128):
        ends = [S._sign(S.h12("erf", 4, S.ball(2), S.ball(x), arb(0))[0]) for x in (q - h, q + h)]
        assert ends == [1, -1] and S._leaf("U", "erf", 4, Fraction(2), q - h, q + h, Fraction(0), h)
        assert abs(float(S.h12("erf", 4, S.ball(2), S.ball(q), arb(0))[1].mid())) > 1e-3
    with pytest.raises(trusted.Rejected, match="n = 3"):
        S.check_spread_point(dict(it, n=4, q_lo=str(q - h), q_hi=str(q + h), p_hi=str(h)))


def test_the_search_stops_at_its_time_limit():
    """erf at sigma_w^2 = 100, n = 64 took 116 s to cover: with a limit of 1 s the search gives up (None) soon after,
    and the claim stays inconclusive with that reason."""
    t = time.monotonic()
    assert C.item("erf", 64, 100, seconds=0.3) is None
    assert time.monotonic() - t < 6


@pytest.mark.slow
@pytest.mark.mutation
def test_a_cover_over_the_budget_is_not_searched(monkeypatch):
    """Issue 22: bnverify attractor --stages rc,sin --weight-var 100 --n 3 took 98 to 126 s: a cover without unstable
    cells cannot exist at n = 3 (the point {v, -v, 0} does), and one with them needs some 308,000 cells (the full
    tree, 75 s), over one certificate's budget (166,666), on every grid.  Now the point skips the first order and
    the estimate (``size``: 294,000 here) the second, in a few seconds; the reason says so.  A choice of what to
    search only: the kernel never sees an estimate."""
    grown = []
    real = C.tree
    monkeypatch.setattr(C, "tree", lambda *a, **k: grown.append(k.get("order")) or real(*a, **k))
    monkeypatch.setattr(C, "_FOUND", {})            # searched here, not the covers other tests found
    t, why = time.monotonic(), []
    assert C.item("sin", 3, 100, why=why) is None
    assert time.monotonic() - t < 20 and grown == [], grown
    assert "{v, -v, 0} exists" in why[0] and "over one certificate's budget of 166,666" in why[1], why
    # where a cover exists it is still found: n = 3 with "U" cells only (no tree without them is grown), n = 4 as before
    it = C.item("erf", 3, 2)
    assert it is not None and "U" in it["tree"] and grown == [C.ORDER + C.UNSTABLE]
    assert C.item("erf", 4, 2) is not None


def test_a_found_cover_is_kept_for_the_process(monkeypatch):
    """A cover found is searched once per arguments (w as an int or a Fraction): asked again, no tree is grown, the
    reasons the search gave come again, and the item is a copy the caller may edit; a None is never kept."""
    grown = []
    real = C.tree
    monkeypatch.setattr(C, "tree", lambda *a, **k: grown.append(k.get("order")) or real(*a, **k))
    monkeypatch.setattr(C, "_FOUND", {})
    first, why = C.item("erf", 3, 2, why=[]), []
    assert grown == [C.ORDER + C.UNSTABLE]
    again = C.item("erf", 3, Fraction(2), why=why)
    assert again == first and grown == [C.ORDER + C.UNSTABLE] and "{v, -v, 0} exists" in why[0]
    again["tree"] = "1"
    assert C.item("erf", 3, 2)["tree"] == first["tree"]
    assert C.item("erf", 3, 2, unstable=False) is None and C.item("erf", 3, 2, unstable=False) is None
    assert grown == [C.ORDER + C.UNSTABLE] and len(C._FOUND) == 1      # None: no tree (the point), and not kept


@pytest.mark.parametrize("name, n, w, cells", [("erf", 4, 2, 2005), ("sin", 3, 2, 1097), ("erf", 3, 2, 1865)])
def test_the_size_estimate(name, n, w, cells):
    """The estimate against the true tree's length (docs/spread.md's figures): within a factor 2 on these small
    trees (its runs are Monte Carlo: heavy-tailed where a few deep cells make the tree, as at erf's n = 63, where it
    errs low, so that no tree within the budget is skipped: every n = 4..64 of erf and sin at sigma_w^2 = 2 is
    estimated below 11,000)."""
    order, memo = C.ORDER + (C.UNSTABLE if n == 3 else ""), {}     # the estimate reads the tree's leaf answers
    assert len(C.tree(name, n, w, order=order, memo=memo)) == cells
    assert cells / 2 < C.size(name, n, w, 4 * w, order, memo=memo) < 2 * cells
    if name == "erf" and n == 4:        # 179,525 cells on the first grid, 121,189 on a moved one: searched
        assert C.size("erf", 63, 2, 8, C.ORDER, limit=C.OVER * C.MAX_CELLS) < C.MAX_CELLS


@pytest.mark.slow           # 5 s; test_a_cover_over_the_budget_is_not_searched checks the skip itself
def test_the_attractor_command_at_a_large_weight_variance(run_cli):
    """sin at sigma_w^2 = 100, n = 3 (issue 22): the row inconclusive, as before, in seconds, not minutes; the claim's
    search says why no cover was searched."""
    t = time.monotonic()
    code, out, err = run_cli("attractor", "--stages", "rc,sin", "--weight-var", "100", "--n", "3", "--json")
    assert code == 3 and json.loads(out)["results"][0]["status"] == "inconclusive", err
    code, out, err = run_cli("check", "--stages", "rc,sin", "--weight-var", "100", "--n", "3", "--property",
                             "attractor-stable", "--json")
    assert code == 3 and "over one certificate's budget" in json.loads(out)["evidence"]["search"], out
    assert time.monotonic() - t < 60

