"""Red team (fresh eyes) on ELU's spread-none covers (trusted/spreadfam.py, alpha 1): genuine ELU spread-cluster points
(the kernel's own spread-boxes, docs/spread.md: sigma_w^2 = 5/2, n = 10 and 11/4, n = 8) that no leaf may exclude, the
lemmas checked at those real points, an independent kernel (closed-form conditional expectation, one-dimensional
Gauss-Legendre split at the kink: neither Mehler's series nor the project's quadrature) against the cells' balls and
as a ground-truth scan of the family, forgeries of the stored cover and of its certificate, and the CLI's wording."""
from __future__ import annotations

import copy
import json
import math
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.claims.properties import spread_cover as SC
from bnverify.trusted import spreadfam as S
from bnverify.trusted.base import Q, ball

COVER = Path(__file__).parent / "data" / "elu_2_3_spread_none.json"
# ELU(1) spread-cluster fixed points the kernel proves (spread-box, docs/spread.md): (w, n, q, p)
POINTS = [(F(5, 2), 10, 41.352331, 351.58938), (F(11, 4), 8, 178.59763, 693.34962)]


@pytest.fixture(scope="module")
def cover():
    return json.loads(COVER.read_text())


# ---------------------------------------------------------------- an independent float kernel for ELU(alpha)
_XG, _WG = np.polynomial.legendre.leggauss(160)


def _elu(x, al=1.0):
    return np.where(x > 0, x, al * np.expm1(np.minimum(x, 0)))


def _ndtr(x):
    return 0.5 * np.vectorize(math.erfc)(-np.asarray(x, float) / math.sqrt(2))


def _cond(m, s, al):
    """E[elu(Y)] for Y ~ N(m, s^2), s > 0: m Phi(m/s) + s N(m/s) + al (e^(m + s^2/2) Phi(-m/s - s) - Phi(-m/s))."""
    z = m / s
    pos = m * _ndtr(z) + s * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    u = -z - s          # e^(m + s^2/2) Phi(u) as e^(m + s^2/2 - u^2/2) erfcx(-u/sqrt 2)/2 where u < 0 (no overflow)
    ex = np.where(u < 0, np.exp(np.minimum(m + s * s / 2 - u * u / 2, 700)) * np.vectorize(_erfcx)(np.maximum(-u, 0) / math.sqrt(2)) / 2,
                  np.exp(np.minimum(m + s * s / 2, 700)) * _ndtr(u))
    return pos + al * (ex - _ndtr(-z))


def _erfcx(x):
    return math.exp(x * x) * math.erfc(x) if x < 25 else 1 / (x * math.sqrt(math.pi)) * (1 - 1 / (2 * x * x))


def K(q1, q2, c, al=1.0):
    """E[elu(X) elu(Y)], X ~ N(0, q1), Y | X ~ N(c X/q1, q2 - c^2/q1): 160-point Gauss-Legendre on each side of x = 0."""
    sd, s2, tot = math.sqrt(q1), max(q2 - c * c / q1, 0.0), 0.0
    for lo, hi in ((-11.0, 0.0), (0.0, 11.0)):
        z = (_XG + 1) * (hi - lo) / 2 + lo
        wt = _WG * (hi - lo) / 2 * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        m = c / q1 * sd * z
        g = _cond(m, math.sqrt(s2), al) if s2 > 1e-14 * q2 else _elu(m, al)
        tot += float((wt * _elu(sd * z, al) * g).sum())
    return tot


def family(n, w, q, rho, al=1.0):
    """(q', c') of w C K(S) C at the family's S (cluster variance q, correlation rho, odd point's p, x = -p/(n-1))."""
    p = (n - 1) * q * (1 + (n - 2) * rho)
    a, b, c, d = K(q, q, q, al), K(q, q, rho * q, al), K(q, p, -p / (n - 1), al), K(p, p, p, al)
    mc, mo = (a + (n - 2) * b + c) / n, ((n - 1) * c + d) / n
    g = ((n - 1) * mc + mo) / n
    return w * (a - 2 * mc + g), w * (b - 2 * mc + g)


def test_independent_kernel_against_mpmath():
    """The conditional mean's closed form against a one-dimensional mpmath integral, then K against mpmath's outer
    integral of that closed form (mpmath's own erfc and exp: the float code's overflow guards checked)."""
    import mpmath
    e = lambda t: t if t > 0 else mpmath.expm1(t)      # noqa: E731
    for m, s in ((0.7, 1.3), (-2.0, 0.4), (5.0, 3.0), (-30.0, 6.0)):
        v = mpmath.quad(lambda u: mpmath.npdf(u) * e(m + s * u), [-14, -m / s, 14])
        assert abs(float(_cond(np.array(m), s, 1.0)) - float(v)) < 1e-11 * (1 + abs(float(v)))
    ncdf = lambda x: mpmath.erfc(-x / mpmath.sqrt(2)) / 2     # noqa: E731
    cm = lambda m, s: m * ncdf(m / s) + s * mpmath.npdf(m / s) + mpmath.exp(m + s * s / 2) * ncdf(-m / s - s) - ncdf(-m / s)  # noqa
    for q1, q2, c in ((2.0, 3.0, -1.1), (40.0, 300.0, -100.0), (0.01, 0.02, 0.012)):
        s = mpmath.sqrt(q2 - c * c / q1)
        v = mpmath.quad(lambda z: mpmath.npdf(z) * e(mpmath.sqrt(q1) * z) * cm(c / mpmath.sqrt(q1) * z, s), [-12, 0, 12])
        assert abs(K(q1, q2, c) - float(v)) < 1e-10 * (1 + abs(float(v)))
    assert abs(K(5.0, 5.0, 5.0) - float(mpmath.quad(lambda z: mpmath.npdf(z) * e(math.sqrt(5) * z) ** 2, [-20, 0, 20]))) < 1e-10


@pytest.mark.parametrize("w, n, q, p", POINTS)
def test_known_points_are_fixed_points_of_the_independent_kernel(w, n, q, p):
    rho = (p / ((n - 1) * q) - 1) / (n - 2)
    qq, cc = family(n, float(w), q, rho)
    assert abs(qq - q) < 1e-5 * q and abs(cc - rho * q) < 1e-5 * q


# ---------------------------------------------------------------- genuine points: no leaf may exclude them
@pytest.mark.parametrize("w, n, q, p", POINTS)
@pytest.mark.parametrize("h", [F(1, 1000), F(1, 20), F(1, 2)])
def test_no_leaf_excludes_a_genuine_point(w, n, q, p, h):
    """Cells (relative half-width h) around a proved ELU(1) spread-cluster point: "1", "2", "X", "Z", "O", "S", "U"
    are never shown, whatever the corner the mean value form takes."""
    qf, pf = F(q).limit_denominator(10 ** 9), F(p).limit_denominator(10 ** 9)
    with ctx.workprec(128):
        for q0, q1, p0, p1 in ((qf * (1 - h), qf * (1 + h), pf * (1 - h), pf * (1 + h)),
                               (qf * (1 - h / 3), qf * (1 + 2 * h), pf * (1 - 2 * h), pf * (1 + h / 5))):
            for tag in "12XZOSU":
                assert not S._leaf(tag, "elu", n, w, q0, q1, p0, p1), (tag, q0, q1, p0, p1)


@pytest.mark.parametrize("w, n, q, p", POINTS)      # gelu_region at n = 8, 10: some 0.8 s each
def test_b_lemma_holds_at_genuine_points(w, n, q, p):
    """The large-scale lemma at real points: sqrt(q) |1 - sqrt Q1(rho)| <= sigma omega (ReLU's Q1), so q <= b_i on the
    point's piece of the search's partition, and no "B" cell holds it (the points need omega >= 0.37: SiLU's 0.28
    would exclude them)."""
    rho = (p / ((n - 1) * q) - 1) / (n - 2)
    kap = lambda x: x / 2 + (math.sqrt(1 - x * x) - x * math.acos(x)) / (2 * math.pi)     # noqa: E731
    P0 = (n - 1) * (1 + (n - 2) * rho)
    Q1, Qn = S.family_h(n, float(w), 0, 0, 0.5, kap(rho), math.sqrt(P0) * kap(-math.sqrt(P0) / (n - 1)), P0 / 2)
    m = max(abs(1 - math.sqrt(Q1)), abs(math.sqrt(P0) - math.sqrt(Qn)))
    assert math.sqrt(q) * m <= math.sqrt(float(w)) * float(S.OMEGA_ELU)
    deltas, cuts = SC.gelu_region(n, w)
    item = {"rho": [str(c) for c in cuts], "delta": [str(d) for d in deltas]}
    with ctx.workprec(128):
        bound = S.gelu_bound(item, n, w, "elu")
        qf, pf = F(q).limit_denominator(10 ** 9), F(p).limit_denominator(10 ** 9)
        for h in (F(1, 1000), F(1, 10)):
            assert not S._leaf("B", "elu", n, w, qf * (1 - h), qf * (1 + h), pf * (1 - h), pf * (1 + h), bound)


# ---------------------------------------------------------------- forgeries of the item (each refused before arithmetic
# or at the first leaf: cheap)
def _refused(item, match=None):
    with pytest.raises(trusted.Rejected, match=match):
        trusted.items.check_item(copy.deepcopy(item))


def test_reverse_relabel_softplus_cover_onto_elu():
    """softplus's stored cover (sigma_w^2 = 5/2, n = 3) relabelled elu(1): its square is softplus's (OMEGA 7/10), below
    elu's (OMEGA 1); with the square moved to elu's range its first cells are not shown."""
    sp = json.loads((COVER.parent / "softplus_5_2_n3_spread_none.json").read_text())
    _refused(dict(sp, activation="elu", alpha="1"), "side top")
    low = (sp["n"] - 1) ** 2 * F(sp["weight_var"]) / min(F(d) for d in sp["delta"]) ** 2
    _refused(dict(sp, activation="elu", alpha="1", top=str(low)))


@pytest.mark.parametrize("alpha", ["1/2", "2", "0", "-1", "99/100", "101/100", "1.0", "1e0", "", " ", "x", "1/0"])
def test_alpha_other_than_exactly_one(cover, alpha):
    _refused(dict(cover, alpha=alpha))


@pytest.mark.parametrize("edit", [
    dict(top="0"), dict(top="1/1000000000000"), dict(top="10" * 999), dict(top="-5528012001800/29424942369"),
    dict(weight_var="0"), dict(weight_var="101"), dict(weight_var="2/0"), dict(n=2), dict(n=65), dict(n=True), dict(n=3.0),
    dict(prec=63), dict(prec=513), dict(prec=True), dict(tree=""), dict(tree="4" * 48), dict(tree="4" * 400_001),
    dict(tree=["4"]), dict(rho=[]), dict(delta=[]), dict(delta=["1"] * 75), dict(delta=["0"] * 75),
    dict(rho=["-1", "1"], delta=["1/2"]), dict(rho=["-1", "1"], delta=["1/10" + "0" * 1990])])
def test_malformed_or_empty_fields(cover, edit):
    _refused(dict(cover, **edit))


def test_tiny_delta_square_cannot_be_split_down_to_the_simplex_point(cover):
    """A delta of 10^-1990 on one piece (m >= delta trivially) moves the square's side to some 10^3980: the corner
    cell below MAX_DEPTH halvings still holds the simplex point and is never shown (so no leaf sits at q ~ 10^3000,
    where one coefficient ball costs 20 times its price)."""
    deltas = list(cover["delta"])
    deltas[0] = "1/1" + "0" * 1990
    low = (cover["n"] - 1) ** 2 * F(cover["weight_var"]) / F(deltas[0]) ** 2
    tree = "4" * S.MAX_DEPTH + "1"
    _refused(dict(cover, delta=deltas, top=str(low), tree=tree), "not shown")


def test_edited_leaves_of_the_genuine_tree(cover):
    """Each leaf kind swapped into the genuine tree's first non-"4" positions (its "Z" and "O" cells by the axis q = 0)
    is refused (the check stops there); a lemma leaf for another ("O" to "Z": the cell is small enough for both) may
    hold and is not tried."""
    t = cover["tree"]
    idx = [k for k, c in enumerate(t) if c != "4"][:3]
    for i in idx:
        for tag in "12XSU4":
            if tag == t[i]:
                continue
            with pytest.raises(trusted.Rejected):
                trusted.items.check_item(dict(copy.deepcopy(cover), tree=t[:i] + tag + t[i + 1:]))


# ---------------------------------------------------------------- wording
def _undecided(activation, w, n, prop="attractor-exists", alpha=None):
    dom = {"n": str(n)}
    if alpha is not None:
        dom["alpha"] = alpha
    claim = {"property": prop, "stages": ["rc"], "activation": activation, "domain": dom, "params": {}, "weight_var": w}
    with pytest.raises(trusted.Rejected) as e:
        trusted.decide(claim, [])
    return str(e.value)


def test_undecided_message_promises_no_unstable_cells_for_mehler_covers():
    """ELU's (Mehler's) covers have no "U" cells, so an undecided attractor-exists at sigma_w^2 = 3, n = 3 must not say
    a cover there would have unstable cells and decide stable states only (erf's, with closed kernels, may)."""
    for act, alpha in (("elu", "1"), ("silu", None), ("tanh", None)):
        msg = _undecided(act, "3", 3, alpha=alpha)
        assert "not decided without a spread-none cover" in msg and "unstable cells" not in msg, msg
    assert "unstable cells" in _undecided("erf", "3", 3)
    assert "none exists for elu at this alpha" in _undecided("elu", "3", 3, alpha="1/2")


# ---------------------------------------------------------------- certificates edited and rehashed
@pytest.mark.slow       # each edit re-checks the cover (some 3 s warm)
def test_edited_certificates_are_refused(cover):
    from bnverify.claims import certificate
    claim = {"property": "attractor-exists", "stages": ["rc"], "activation": "elu", "domain": {"n": "3", "alpha": "1"},
             "params": {}, "weight_var": "2"}
    verdict, statement, _ = trusted.decide(claim, [copy.deepcopy(cover)])
    genuine = certificate.finish(claim, verdict, trusted.kernel.METHODS[1], statement, [cover])
    assert verdict == "refuted" and trusted.check(copy.deepcopy(genuine))[0]

    def edited(**kw):
        c = copy.deepcopy(genuine)
        for k, v in kw.items():
            c[k] = v
        return certificate.rehash(c)
    stable = dict(claim, property="attractor-stable")
    forged = [edited(verdict="proved"),
              edited(claim=dict(claim, domain={"n": "3", "alpha": "1/2"})),
              edited(claim=dict(claim, domain={"n": "3", "alpha": "2"})),
              edited(claim=dict(claim, domain={"n": "4", "alpha": "1"})),
              edited(claim=dict(claim, domain={"n": "3..4", "alpha": "1"})),
              edited(claim=dict(claim, weight_var="9/4")),
              edited(claim=dict(claim, activation="silu", domain={"n": "3"})),
              edited(claim=dict(claim, property="attractor-threshold", params={"value": "3"})),
              edited(claim=stable),             # a right verdict, the statement not the kernel's
              edited(evidence=[cover, cover]),
              edited(evidence=[dict(cover, alpha="1/2")]),
              edited(evidence=[dict(cover, weight_var="9/4")]),
              edited(method=trusted.kernel.METHODS[0])]
    for c in forged:
        ok, why = trusted.check(c)
        assert not ok, why
    # the same evidence for attractor-stable with its own statement is genuine (a cover with no U cell)
    v, st, _ = trusted.decide(stable, [copy.deepcopy(cover)])
    assert v == "refuted" and trusted.check(certificate.finish(stable, v, trusted.kernel.METHODS[1], st, [cover]))[0]


# ---------------------------------------------------------------- ground truth: the covers' (w, n) have only the simplex
def _roots(n, w, qhi, nq=48, nr=40):
    """Zeros of (q'/q - 1, (q' - c')/(q (1 - rho)) - 1) over log q in [1e-3, qhi] and the family's rho range: sign-change
    cells polished by Newton (finite-difference Jacobian in (log q, rho))."""
    lo = -1.0 / (n - 2)
    G = lambda lq, r: (lambda qc: (qc[0] / math.exp(lq) - 1, (qc[0] - qc[1]) / (math.exp(lq) * (1 - r)) - 1))(  # noqa
        family(n, w, math.exp(lq), r))
    lqs, rs = np.linspace(math.log(1e-3), math.log(qhi), nq), np.linspace(lo, 1 - 1e-6, nr)
    V = np.array([[G(a, b) for b in rs] for a in lqs])
    out = []
    for i in range(nq - 1):
        for j in range(nr - 1):
            blk = V[i:i + 2, j:j + 2]
            if not all(blk[..., k].min() <= 0 <= blk[..., k].max() for k in (0, 1)):
                continue
            x = np.array([(lqs[i] + lqs[i + 1]) / 2, (rs[j] + rs[j + 1]) / 2])
            for _ in range(40):
                f = np.array(G(*x))
                J = np.array([(np.array(G(*(x + e))) - f) / 1e-7 for e in np.eye(2) * 1e-7]).T
                try:
                    x = x - np.linalg.solve(J, f)
                except np.linalg.LinAlgError:
                    break
                x[1] = min(max(x[1], lo), 1 - 1e-9)
                if max(abs(f)) < 1e-11:
                    break
            if max(abs(np.array(G(*x)))) < 1e-8:
                out.append((math.exp(x[0]), x[1]))
    return out


@pytest.mark.slow       # some 1.5 s per case
@pytest.mark.parametrize("w, n", [(2, 3), (2, 4), (9 / 4, 4), (5 / 2, 3), (5 / 2, 4), (3 / 2, 3), (7 / 2, 3), (7 / 2, 4)])
def test_independent_scan_of_covered_cases_finds_only_the_simplex(w, n):
    """Every (sigma_w^2, n) with a cover in docs/spread.md, over q up to 10^5 (the covers' squares reach 9 10^4 at 7/2):
    the simplex point only (none at 7/2, where the scale grows), never a spread-cluster one."""
    roots = _roots(n, w, 1e5, nq=64)
    assert roots or w == 7 / 2, "the simplex point is a zero too: the scan must see it"
    assert all(abs(r + 1 / (n - 1)) < 1e-6 for _, r in roots), roots


@pytest.mark.slow
def test_independent_scan_sees_a_genuine_point():
    """The scan is able to find a spread point: at sigma_w^2 = 5/2, n = 10 it finds the kernel's box's point."""
    roots = _roots(10, 2.5, 1e3, nq=40, nr=60)
    assert any(abs(q - 41.352331) < 1e-3 and abs(r + 1 / 9) > 1e-3 for q, r in roots), roots


# ---------------------------------------------------------------- the small-scale lemma at real points near sigma_w^2 = 1
def _simplex_q(n, w):
    """The simplex fixed point's q by bisection of q' - q on the simplex line (rho = -1/(n-1)), q in [1e-8, 10]."""
    r = -1 / (n - 1)
    f = lambda q: family(n, w, q, r)[0] - q     # noqa: E731
    lo, hi = 1e-8, 10.0
    assert f(lo) > 0 > f(hi)
    for _ in range(80):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
    return lo


@pytest.mark.parametrize("w", [F(21, 20), F(6, 5), F(3, 2)])
def test_z_lemma_at_simplex_points_near_one(w):
    """A fixed point with S != 0 has M >= (1 - sigma)^2/(3 w) (elu's "Z" lemma): the simplex point, which tends to 0 as
    sigma_w^2 -> 1, keeps above it (some 20 times), and no "Z" cell around it is shown."""
    n = 3
    q = _simplex_q(n, float(w))
    zb = (1 - math.sqrt(w)) ** 2 / (3 * float(w))
    assert q > zb
    qf = F(q).limit_denominator(10 ** 12)
    with ctx.workprec(128):
        assert not S._leaf("Z", "elu", n, w, qf * F(99, 100), qf * F(101, 100), qf * F(99, 100), qf * F(101, 100))


def test_partials_hold_finite_differences():
    """The mean value form's partials (series in q and in p) against central differences of the independent kernel."""
    n, w = 4, F(5, 2)
    q0, p0, h = F(7), F(20), F(1, 64)
    with ctx.workprec(128):
        dq, dp = S._partials(S.g12, "elu", n, ball(w), S._span(q0, q0 + h), S._span(p0, p0 + h))

    def g(q, p):
        rho = (p / ((n - 1) * q) - 1) / (n - 2)
        qq, cc = family(n, float(w), q, rho)
        return np.array([(qq - cc) / (1 - rho) - q, qq - q])
    q, p, e = float(q0 + h / 2), float(p0 + h / 3), 1e-4
    gq, gp = (g(q + e, p) - g(q - e, p)) / (2 * e), (g(q, p + e) - g(q, p - e)) / (2 * e)
    for k in range(2):
        for b, v in ((dq[k], gq[k]), (dp[k], gp[k])):
            assert b.is_finite() and float(b.lower()) - 1e-6 <= v <= float(b.upper()) + 1e-6, (k, v, b.str(8))


@pytest.mark.parametrize("n, w, q, rho", [(3, F(2), F(3), F(9, 10)), (4, F(5, 2), F(20), F(3, 4)), (3, F(2), F(1, 2), F(1, 2)),
                                          (5, F(3, 2), F(7), F(19, 20)), (3, F(7, 2), F(60), F(-9, 10))])
def test_cells_g1_g2_hold_the_independent_kernel(n, w, q, rho):
    """Narrow cells (q, rho) off the lines, rho up to 0.95 (G1's tail beyond N matters there): the balls of G1 and G2
    hold the independent kernel's values at the cell's corners and centre."""
    p = (n - 1) * q * (1 + (n - 2) * rho)
    h = q / 4096
    with ctx.workprec(128):
        g1, g2 = S._g12_odd("elu", n, ball(w), S._span(q, q + h), S._span(p, p + h))
    assert g1.is_finite() and g2.is_finite() and g1.rad() < 1e-1 * (1 + abs(float(g1.mid())))     # not vacuous
    for dq, dp in ((0, 0), (h, h), (h / 2, h / 3), (0, h), (h, 0)):
        qq_, pp_ = float(q + dq), float(p + dp)
        r = (pp_ / ((n - 1) * qq_) - 1) / (n - 2)
        qq, cc = family(n, float(w), qq_, r)
        t1, t2 = (qq - cc) / (1 - r) - qq_, qq - qq_
        for b, v in ((g1, t1), (g2, t2)):
            assert float(b.lower()) - 1e-9 * (1 + abs(v)) <= v <= float(b.upper()) + 1e-9 * (1 + abs(v)), (v, b.str(12))
