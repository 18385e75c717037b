"""Spread-none covers for tanh and sigmoid (trusted/spreadfam.py's ODD branch: psi = phi - phi(0) odd, its Mehler
series over balls of variances, G1 by sum_k a_k^2 (1 + rho + .. + rho^(k-1)) with the tail q E[psi'^2] - sum k a_k^2).

Independent of the checker: K_psi(q1, q2, r) = E[psi(x) psi(y)] by mpmath's two-dimensional quadrature (30 digits,
Gauss-Legendre of degree 4: some 1e-16; y = r sqrt(q2/q1) x + s Z', the inner expectation a second quadrature), not
Mehler's series; the series' partials
against central differences of its own values; a stored cover (tanh, sigma_w^2 = 4, n = 4, the search's) re-checked
and refuting a claim; forged and relabelled covers refused; no cover at n = 3, where {v, -v, 0} exists; the price
(items.work) above the integrals a check computes."""
import copy
import functools
from fractions import Fraction as F

import mpmath
import pytest
from flint import arb, arb_series, ctx

from bnverify import trusted
from bnverify.claims.certificate import rehash
from bnverify.claims.properties import spread_cover as C
from bnverify.trusted import spreadfam as S
import _gauss
from test_spread_kernel import _claim

TREE44 = "4444SS4SS4SS4114114111111411114SS41111411114SS4SS41111411114SS41111411114SS4SS4SS41111411114SS41111411114SS4SS41111411114SS4111141111444444441111144114112222442241111142211411111422114224221124114222224441111111141111114221144111111114422114221111411111442211422111141111144422114221111442211422111111411111444422114221111442211422111111444241122114411224114221142211111144411422114221141142211422111144114221144221142211114114422114221111442211422111111111111114444X441142211241122111144411224112211441122411221111114444112221142211114221111114442211422111142211111144SS4SS4SS41111411114SS41111411114SS4SS41111411114SS41111411114SS4SS4SS41111411114SS41111411114SS4SS41111411114SS1144424241222111144221142222111144422224222222442222422222212114444222242222224422222222244222242222221111444SS4SS4SS114SS114SS4SS114SS114OO4SS4SS114SS114SS4SS114SS11444222242222224422224222222114442222422222244222242222221144OO4SS4SS114SS114SS4SS114SS114OO4OO4SS114SS114OO4SS114SS1144422224222222442222421222211444112241122224411224112222221111"
ITEM44 = {"type": "spread-none", "activation": "tanh", "alpha": "0", "weight_var": "4", "n": 4, "prec": 128,
          "top": "16", "tree": TREE44}

PSI = {"tanh": mpmath.tanh, "sigmoid": lambda t: mpmath.tanh(t / 2) / 2}


@functools.lru_cache(maxsize=None)
def _K_mp(name, q1, q2, r):
    """E[psi(x) psi(y)], x ~ N(0, q1), y ~ N(0, q2), correlation r: y = r sqrt(q2/q1) x + s Z', s^2 = q2 (1 - r^2)."""
    psi = PSI[name]
    with mpmath.workdps(30):
        q1, q2, r = (mpmath.mpf(x.numerator) / x.denominator if isinstance(x, F) else mpmath.mpf(x)
                     for x in (q1, q2, r))
        s, k = mpmath.sqrt(q2 * (1 - r * r)), r * mpmath.sqrt(q2)
        cuts = mpmath.linspace(-12, 12, 7)        # Gauss-Legendre of degree 4 on 6 pieces: some 1e-16 (degree 6 agrees)
        # the degree-4 sums alone (_gauss.gl: what quad(..., method="gauss-legendre", maxdegree=4) returns, without
        # its degrees 1-3 first; the three values here agree with quad's to 30 digits), the inner weights w npdf(u) once
        wu = [(w * mpmath.npdf(u), u) for u, w in _gauss.nodes(cuts, 4)]
        inner = lambda z: mpmath.fdot((c, psi(k * z + s * u)) for c, u in wu)         # noqa: E731
        return _gauss.gl(lambda z: psi(mpmath.sqrt(q1) * z) * inner(z) * mpmath.npdf(z), cuts, 4)


def _E2_mp(name, q):
    with mpmath.workdps(30):
        return mpmath.quad(lambda z: PSI[name](mpmath.sqrt(q) * z) ** 2 * mpmath.npdf(z), [-12, 0, 12])


def _arb(x):
    return arb(mpmath.nstr(x, 40)) if not isinstance(x, F) else arb(x.numerator) / x.denominator


def _holds(ball, truth):
    return ball.is_finite() and abs(ball.mid() - _arb(truth)) <= ball.rad() + arb(10) ** -15     # the quadrature's


def test_the_series_holds_the_two_dimensional_integral():
    """K at r = -1/3 (sigmoid, unequal variances), and G1, G2 at n = 4 with rho = 0.97 (b near rho = 1, G1 by the
    rho-sum and its tail) and the cross correlation -0.99 (c near r = -1): each ball holds the mpmath value."""
    with ctx.workprec(128):
        assert _holds(S._okern("sigmoid", arb(1), arb(3), -arb(1) / 3), _K_mp("sigmoid", 1, 3, mpmath.mpf(-1) / 3))
        n, w, q, rho = 4, 2, F(1, 4), F(97, 100)
        p = (n - 1) * q * (1 + (n - 2) * rho)
        g1, g2 = S.g12("tanh", n, arb(w), _arb(q), _arb(p))
    with mpmath.workdps(30):
        rc = -mpmath.sqrt(mpmath.mpf(p.numerator) / p.denominator / q) / (n - 1)
        a, b = _E2_mp("tanh", mpmath.mpf(1) / 4), _K_mp("tanh", q, q, rho)
        c, d = _K_mp("tanh", q, p, rc), _E2_mp("tanh", mpmath.mpf(p.numerator) / p.denominator)
        Q = mpmath.mpf(1) / 4
        G1 = w * (a - b) / (1 - mpmath.mpf(97) / 100) - Q
        r1 = a + (n - 2) * b + c
        G2 = w * (a - 2 * r1 / n + ((n - 1) * (r1 + c) + d) / n ** 2) - Q
    assert float(rc) < -0.98
    assert _holds(g1, G1) and _holds(g2, G2), (g1, G1, g2, G2)
    assert g1.rad() < 1e-6 and g2.rad() < 1e-5


def test_the_partials_are_the_values_slopes():
    """dK/dq1 (at fixed r) and dK/dr from the series' first order against central differences of its values."""
    h = arb(2) ** -20
    with ctx.workprec(128):
        for name, q1, q2, r in (("tanh", arb(1) / 2, arb(2), -arb(1) / 3), ("sigmoid", arb(3), arb(1), arb(2) / 5)):
            dq = S._okern(name, arb_series([q1, 1], prec=2), q2, r).coeffs()[1]
            dr = S._okern(name, q1, q2, arb_series([r, 1], prec=2)).coeffs()[1]
            fq = (S._okern(name, q1 + h, q2, r) - S._okern(name, q1 - h, q2, r)) / (2 * h)
            fr = (S._okern(name, q1, q2, r + h) - S._okern(name, q1, q2, r - h)) / (2 * h)
            for exact, diff in ((dq, fq), (dr, fr)):
                assert abs(exact.mid() - diff.mid()) < 1e-8 + exact.rad() + diff.rad(), (name, exact, diff)
        with pytest.raises(ValueError):         # no partials beyond |r| = (N+1)/(N+2) (N = 19 at q = 1: 20/21)
            S._okern("tanh", arb(1), arb(1), arb_series([arb(99) / 100, 1], prec=2))


@pytest.fixture(scope="module")
def checked():
    """The stored cover's fact, checked from an empty cache, and the number of integrals that check computed."""
    calls, real = [], S._even
    S._even = lambda *a: calls.append(1) or real(*a)
    try:
        S._COEF.clear()
        fact = S.check_spread_none(ITEM44)
    finally:
        S._even = real
    return fact, len(calls)


def test_a_cover_is_checked_and_refutes(checked):
    assert trusted.kernel.check_item(ITEM44) == checked[0] == {"fact": "spread-none", "activation": "tanh", "alpha": 0,
                                                               "weight_var": 4, "n": 4, "only_stable": False}
    v, st, why = trusted.decide(_claim("attractor-stable", act="tanh", n="4", w="4"), [ITEM44])
    assert v == "refuted" and "no fixed point off" in why
    assert trusted.decide(_claim("attractor-exists", act="tanh", n="4", w="4"), [ITEM44])[0] == "refuted"
    assert trusted.decide(_claim("attractor-threshold", act="tanh", n="4", w="4", params={"value": "none"}),
                          [ITEM44])[0] == "proved"


def test_forged_and_relabelled_covers_are_refused(checked):
    t = TREE44
    first = lambda ch: t.index(ch)            # noqa: E731
    bad = [dict(ITEM44, tree=t[:-1]), dict(ITEM44, tree=t + "1"),
           dict(ITEM44, tree=t[:first("1")] + "O" + t[first("1") + 1:]),
           dict(ITEM44, tree=t[:first("2")] + "S" + t[first("2") + 1:]),
           dict(ITEM44, tree=t[:first("X")] + "2" + t[first("X") + 1:]),
           dict(ITEM44, tree=t.replace("4", "1", 1)), dict(ITEM44, tree="4" + t[1:] + "S"),
           dict(ITEM44, n=5), dict(ITEM44, weight_var="3"), dict(ITEM44, activation="erf"),
           dict(ITEM44, activation="sigmoid"), dict(ITEM44, alpha="1/10"), dict(ITEM44, top="15"),
           dict(ITEM44, top="33"), dict(ITEM44, activation="softplus"), dict(ITEM44, tree="S"),
           dict(ITEM44, tree="4" + "S" * 4)]
    for b in bad:
        with pytest.raises(trusted.Rejected):
            S.check_spread_none(b)
    with pytest.raises(trusted.Rejected, match="gelu spread-none item: rho"):
        S.check_spread_none(dict(ITEM44, activation="gelu"))       # no rho partition: no bound on gelu's q
    for top in ("15", "4", "65"):           # tanh's square holds [0, 4w]^2 (sigmoid's [0, w]^2), at most 8w
        with pytest.raises(trusted.Rejected, match="top in"):
            S.check_spread_none(dict(ITEM44, top=top))
    with pytest.raises(trusted.Rejected, match="top in"):
        S.check_spread_none(dict(ITEM44, activation="sigmoid", weight_var="32", top="31"))
    for claim in (_claim(act="tanh", n="5", w="4"), _claim(act="tanh", n="4", w="2"), _claim(act="sigmoid", n="4",
                                                                                          w="4")):
        with pytest.raises(trusted.Rejected):
            trusted.decide(claim, [ITEM44])


def test_no_cover_where_a_spread_point_exists():
    """n = 3, tanh at sigma_w^2 = 2: {v, -v, 0} exists (spread-point), so no tree of the kernel's tests closes the
    cells around it (the search gives up at its depth limit) and the search returns none."""
    assert C.point_item("tanh", 3, 2) is not None
    assert C.tree("tanh", 3, 2, depth=9) is None
    why = []
    assert C.search_item("tanh", 3, 2, unstable=True, why=why) is None and "none with them for tanh" in why[0]


def test_the_price_covers_the_integrals(checked):
    """items.work charges ODD_INTEGRAL per bit for every integral odd_integrals counts off the tree, which is at
    least what a check computes from an empty cache; the stored cover is within one certificate's budget."""
    assert 0 < checked[1] <= S.odd_integrals(ITEM44)
    assert trusted.items.work(ITEM44) == 128 * (len(TREE44) * 3 // 2 + trusted.items.ODD_INTEGRAL *
                                                S.odd_integrals(ITEM44))
    assert trusted.items.work(ITEM44) <= trusted.kernel.CERT_WORK
    assert S.odd_integrals(dict(ITEM44, tree="4" * 21 + "2" * 64)) > S.odd_integrals(dict(ITEM44, tree="4" + "2" * 4))


def test_a_genuine_spread_fixed_point_blocks_the_cover(monkeypatch):
    """tanh's G1 and G2 shifted so that both vanish at (q, p) = (1.3, 0.9), rho -0.215 at n = 6 (off both lines: the
    simplex's is -0.2): no leaf test closes any dyadic cell holding that point (sides 8/2^2 .. 8/2^11 of the square
    [0, 8]^2), while unshifted one of them does (the test is not vacuous)."""
    with ctx.workprec(128):
        g1, g2 = S.g12("tanh", 6, arb(2), arb("1.3"), arb("0.9"))
    orig = S._g12_odd

    def cells():
        for d in range(2, 12):
            h = F(8, 2 ** d)
            q0, p0 = F(13, 10) // h * h, F(9, 10) // h * h
            yield q0, q0 + h, p0, p0 + h

    def closed():
        with ctx.workprec(128):
            return [any(S._leaf(t, "tanh", 6, F(2), *c) for t in "OS12XgD") for c in cells()]
    assert any(closed())

    def shifted(name, n, w, q, p, only_g1=False):
        a, b = orig(name, n, w, q, p, only_g1)
        return a - g1, None if b is None else b - g2
    monkeypatch.setattr(S, "_g12_odd", shifted)
    assert not any(closed())


def test_p_near_zero_the_ball_holds_the_points():
    """A ball of p holding 0 (the family's edge p = 0): c and d by |c| <= |r| sqrt(E2(q) E2(p)), E2(p) <= D^2 p.  The
    cell's G2 (q a point) holds G2 at points of the ball (each the series', held against mpmath above)."""
    with ctx.workprec(128):
        for name, n, w, q, top in (("tanh", 4, 2, F(1, 2), F(1, 64)), ("sigmoid", 6, 32, F(3, 2), F(1, 64)),
                                   ("tanh", 4, 2, F(1, 2), F(1, 10 ** 6)), ("tanh", 4, 2, F(1, 8), F(1, 10 ** 4))):
            cell = S.g12(name, n, arb(w), _arb(q), arb.union(arb(0), _arb(top)))[1]
            assert cell.is_finite() and cell.rad() < 0.05
            for p in (top, top / 3, top / 10 ** 6):
                point = S.g12(name, n, arb(w), _arb(q), _arb(p))[1]
                assert point.rad() < 1e-7 and cell.contains(point), (name, p, cell, point)


def test_edited_certificates_are_refused():
    """The stored cover (tanh, sigma_w^2 = 4, n = 4) in a certificate refuting attractor-exists, edited and rehashed:
    relabelled, re-tagged, out-of-range fields; every one refused, none raising (red team, tests/test_redteam_odd4.py;
    here its integrals are the module's)."""
    claim = _claim(act="tanh", n="4", w="4")
    verdict, statement, _ = trusted.decide(claim, [ITEM44])
    assert verdict == "refuted"
    base = rehash({"format": trusted.kernel.FORMAT, "claim": claim, "verdict": verdict,
                   "method": trusted.kernel.METHODS[1], "statement": statement, "evidence": [ITEM44], "tools": {}})
    # the unedited certificate passes: each edit below is refused for what it edits (with the method "x" every
    # one was refused for the method alone, before its item was read)
    ok, why = trusted.kernel.check(base)
    assert ok and why.startswith("refuted: " + statement), why
    t = ITEM44["tree"]
    edits = [dict(tree=t.replace("1", "U", 1)), dict(tree=t.replace("S", "s", 1)), dict(tree=list(t)),
             dict(n=True), dict(n="4"), dict(n=3), dict(activation="sin"), dict(activation="silu"),
             dict(weight_var="4.0"), dict(weight_var="nan"), dict(alpha="0.0"), dict(top="1e9"), dict(prec=True),
             dict(prec=128.0), dict(prec=513), dict(extra=1), dict(tree="4" * 49 + "S"), dict(tree="4" * 400001)]
    for e in edits:
        cert = copy.deepcopy(base)
        cert["evidence"][0].update(e)
        ok, why = trusted.kernel.check(rehash(cert))
        assert not ok and "Traceback" not in why and "method" not in why, (e, why)
