"""The trusted checker's Hermite coefficients from one Gauss-Legendre node set (trusted/mehler.py, _legendre) against
its reference route (one acb.integral per coefficient, _gauss) and against mpmath at 40 digits, for every activation
whose Mehler series the checker reads (silu, softplus, elu at alpha 1 and 1/2, tanh, sigmoid) at variances from 1e-3
to 1000 and k up to 40: every ball holds the value and is tight (below 2^-58, the target 2^-60); a coarse target
shows the rule's error bound is what holds the value."""
from fractions import Fraction

import mpmath
import pytest
from flint import arb, ctx

from bnverify.trusted import mehler, twopoint
from bnverify.trusted.base import ball

ACTS = [("silu", 0), ("softplus", 0), ("elu", 1), ("elu", Fraction(1, 2)), ("tanh", 0), ("sigmoid", 0)]
QS = [Fraction(1, 1000), Fraction(1, 2), 1, 7, 80, 1000]


def _mp_phi(name, alpha, x):
    return {"silu": lambda: x / (1 + mpmath.exp(-x)), "softplus": lambda: mpmath.log1p(mpmath.exp(x)),
            "elu": lambda: x if x > 0 else alpha * mpmath.expm1(x), "tanh": lambda: mpmath.tanh(x),
            "sigmoid": lambda: 1 / (1 + mpmath.exp(-x))}[name]()


def _mp(name, alpha, q, k):
    """E[phi(sqrt q Z) He_k(Z)] / sqrt(k!) (k None: E[phi^2]) at 40 digits, over the whole line."""
    with mpmath.workdps(40):
        sq, al = mpmath.sqrt(mpmath.mpf(q.numerator) / q.denominator), mpmath.mpf(alpha.numerator) / alpha.denominator
        def g(z):
            v = _mp_phi(name, al, sq * z)
            h = v if k is None else \
                mpmath.hermite(k, z / mpmath.sqrt(2)) / mpmath.sqrt(2) ** k / mpmath.sqrt(mpmath.factorial(k))
            return v * h * mpmath.exp(-z * z / 2)
        cuts = [mpmath.mpf(c) for c in (-20, -7, -4, -2, -1, -0.25, -1 / 32, 0, 1 / 32, 0.25, 1, 2, 4, 7, 20)]
        return mpmath.quad(g, cuts) / mpmath.sqrt(2 * mpmath.pi)


def _phi(name, alpha):
    row, a = twopoint.row(name), twopoint._alpha(name, Fraction(alpha))
    g0, g1 = twopoint._grow(row, "phi", a)
    return (lambda t, side, an: row[0][side][0](t, a, an)), g0, g1


def _coef(name, alpha, q, count, fallback=None, tol=2.0 ** -60):
    phi, g0, g1 = _phi(name, alpha)
    qb = ball(Fraction(q))
    return mehler.coefficients(phi, arb.max(g0, g1 * qb.sqrt().upper()), qb, count, tol, fallback)


def _holds(x, v):
    return abs(float(x.mid()) - float(v)) <= float(x.rad()) + 1e-30 if abs(v) < 1e30 else False


# every activation once and every variance once (by default); the whole grid under -m slow (mpmath: 0.7 s a case)
DIAGONAL = [(n, a, QS[(i * 5) % 6]) for i, (n, a) in enumerate(ACTS)]
FULL = [pytest.param(n, a, q, marks=pytest.mark.slow) for n, a in ACTS for q in QS if (n, a, q) not in DIAGONAL]


TWO_LINES = DIAGONAL + [(n, a, QS[(i * 5 + 3) % 6]) for i, (n, a) in enumerate(ACTS)]     # every variance twice


@pytest.mark.parametrize("name,alpha,q", TWO_LINES + [pytest.param(n, a, q, marks=pytest.mark.slow) for n, a in ACTS
                                                     for q in QS if (n, a, q) not in TWO_LINES])
def test_legendre_holds_the_reference(name, alpha, q, monkeypatch):
    """Every coefficient to k = 40 and E2 by the node set alone (no fallback), each ball below 2^-58; a_0, a_1, a_40
    meet the reference route's (one acb.integral each)."""
    ctx.prec = 128
    try:
        with monkeypatch.context() as m:
            m.setattr(mehler, "_gauss", lambda *a: pytest.fail("fell back to acb.integral"))
            a, e2 = _coef(name, alpha, q, 41)
        assert all(v.rad() < 2.0 ** -58 for v in a + [e2])
        phi, _, _ = _phi(name, alpha)
        sq, root2 = ball(Fraction(q)).sqrt(), arb(2).sqrt()
        for k in (0, 1, 40):
            ref = mehler._gauss(lambda z, side, an: (z / root2).hermite_h(k) * phi(z * sq, side, an), 2.0 ** -60) / \
                (arb(2) ** k * arb.fac_ui(k)).sqrt()
            assert a[k].overlaps(ref), (k, a[k], ref)
    finally:
        ctx.prec = 53


@pytest.mark.parametrize("name,alpha,q", DIAGONAL + FULL)
def test_legendre_holds_mpmath(name, alpha, q):
    """a_1, a_40 and E2 hold mpmath's values at 40 digits (the whole line)."""
    ctx.prec = 128
    try:
        a, e2 = _coef(name, alpha, q, 41)
        for k in (1, 40):
            assert _holds(a[k], _mp(name, Fraction(alpha), Fraction(q), k)), (k, a[k])
        assert _holds(e2, _mp(name, Fraction(alpha), Fraction(q), None)), e2
    finally:
        ctx.prec = 53


def test_a_coarse_target_is_held_by_the_error_bound():
    """At a target of 2^-8 the rule takes few nodes and its error is visible: the balls still hold mpmath's values (the
    integrals over |Z| <= 16: what lies beyond is below 1e-50 here)."""
    ctx.prec = 128
    try:
        for name, alpha, q in (("silu", 0, 7), ("elu", Fraction(1, 2), 1)):
            phi, _, _ = _phi(name, alpha)
            a, e2 = mehler._legendre(phi, ball(Fraction(q)).sqrt(), 12, 2.0 ** -8)    # coefficients(): _gauss there
            for k in (1, 11):
                assert _holds(a[k], _mp(name, Fraction(alpha), Fraction(q), k)), (name, k, a[k])
            assert any(v.rad() > 1e-12 for v in a)      # the bound, not the tail, sets the radius here
    finally:
        ctx.prec = 53


def test_a_variance_ball_keeps_high_coefficients_tight():
    """Over a ball of variances (a Krawczyk box's side) a_40's radius follows the ball's width, not P_40's growth."""
    ctx.prec = 128
    try:
        phi, g0, g1 = _phi("silu", 0)
        qb = arb("2.2082") + arb(0, 3e-7)
        a, _ = mehler.coefficients(phi, arb.max(g0, g1 * qb.sqrt().upper()), qb, 41, 2.0 ** -60)
        b, _ = mehler.coefficients(phi, arb.max(g0, g1 * qb.sqrt().upper()), qb, 41, 2.0 ** -60, True)
        assert all(x.overlaps(y) and x.rad() < 2 * y.rad() + 2.0 ** -58 for x, y in zip(a, b))
    finally:
        ctx.prec = 53


def test_a_piece_the_rule_cannot_close_falls_back(monkeypatch):
    """No node count allowed (MAX_NODES 1): _legendre gives None and the reference route answers, the same values."""
    ctx.prec = 128
    try:
        phi, g0, g1 = _phi("tanh", 0)
        monkeypatch.setattr(mehler, "MAX_NODES", 1)
        assert mehler._legendre(phi, arb(1), 5, 2.0 ** -60) is None
        a, _ = _coef("tanh", 0, 1, 5)
        assert _holds(a[1], _mp("tanh", Fraction(0), Fraction(1), 1)) and a[1].rad() < 2.0 ** -58
    finally:
        ctx.prec = 53
