"""The simplex for every n >= 3 (bnverify.derive.simplex_alln): the S_n eigenvalue closed forms against
the trusted model's S_{n-1} blocks (characteristic polynomials), against the definitions and
the per-n certificates, the arb check on t in [0, 1/3], wrong formulas that must fail, and the
large-n limit."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy

from bnverify.core import arith
from bnverify.core.activations import Activation, leaky
from bnverify.derive import simplex_alln as sa
from bnverify.trusted import model as tm

ALPHAS = [Fraction(0), Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)]


def _arb_consts(alpha):
    from flint import arb
    al = arb(alpha.numerator) / alpha.denominator
    pi = arb.pi()
    return al, pi, (1 + al * al) / 2, (1 - al) * (1 - al) / (2 * pi)


def _closed_arb(n, alpha, forms=sa.forms):
    from flint import arb
    return forms(arb(1) / n, leaky(alpha), arith.get("ball", prec=128))


def _expected_charpolys(n, lS, lP):
    """S_{n-1} blocks from the S_n eigenvalues (trivial 3x3 after the quotient by G*: one copy
    of each S_n standard piece and the S_n trivial 0; standard: S_n standard x2 + the pair)."""
    from flint import arb, arb_poly
    x = arb_poly([0, 1])
    out = {"trivial": x * x * (x - lS),
           "standard": x * (x - lS) * (x - lP) if n >= 4 else x * (x - lS)}
    if n >= 5:
        out["pair"] = x - lP
    return out


def _dense(n, alpha):
    from flint import arb, ctx
    ctx.prec = 128
    _, pi, A, B = _arb_consts(alpha)
    r = arb(-1) / (n - 1)
    cs = tm.kappa(r, A, B) / A
    return tm.symmetric_blocks((cs, cs, arb(1)), n, A, B)


def _agree(p, q, tol=mpmath.mpf(10) ** -25):
    P, Q = p.coeffs(), q.coeffs()
    assert len(P) == len(Q)
    for a, b in zip(P, Q):
        d = a - b
        assert abs(d).upper() < tol, (p, q)


@pytest.mark.parametrize("n", list(range(3, 41)))
@pytest.mark.parametrize("alpha", [Fraction(0), Fraction(1, 10), Fraction(1, 2)])
def test_closed_forms_match_symmetric_blocks(n, alpha):
    from flint import arb_mat, ctx
    ctx.prec = 128
    f = _closed_arb(n, alpha)
    dense = _dense(n, alpha)
    want = _expected_charpolys(n, f["lam_S"], f["lam_P"])
    assert set(dense) == set(want)
    for comp, M in dense.items():
        _agree(arb_mat(M).charpoly(), want[comp])


@pytest.mark.parametrize("n", [3, 4, 5, 7, 16, 40, 1000, 10 ** 6])
@pytest.mark.parametrize("alpha", ALPHAS)
def test_closed_forms_match_definitions(n, alpha):
    m = sa.measure(n, alpha, 50)
    lS, lP = sa.eigenvalues_direct(n, alpha, 50)
    assert abs(m["lam_S"] - lS) < mpmath.mpf(10) ** -40
    assert abs(m["lam_P"] - lP) < mpmath.mpf(10) ** -40


@pytest.mark.parametrize("n", [3, 4, 9])
def test_measure_inside_per_n_certificate(n):
    from bnverify.derive.states import certify_simplex
    v = certify_simplex(n)
    lo, hi = (Fraction(x) for x in v.evidence["spectral_radius"])
    r = sa.measure(n)["radius"]
    mpmath.mp.dps = 50
    assert mpmath.mpf(lo.numerator) / lo.denominator - mpmath.mpf(10) ** -30 <= r
    assert r <= mpmath.mpf(hi.numerator) / hi.denominator + mpmath.mpf(10) ** -30


@pytest.mark.parametrize("alpha", ALPHAS + [Fraction(99, 100)])
def test_check_passes_for_every_n_from_3(alpha):
    from flint import arb
    boxes, ok = sa.certify_simplex_all_n(alpha, 3)
    assert ok
    ends = [(Fraction(b["t"][0]), Fraction(b["t"][1])) for b in boxes]
    assert ends[0][0] == 0 and ends[-1][1] == Fraction(1, 3)
    assert all(a[1] == b[0] for a, b in zip(ends, ends[1:]))
    for lo, hi in ends:                 # re-evaluate every criterion on its box
        T = (arb(lo.numerator) / lo.denominator).union(arb(hi.numerator) / hi.denominator)
        assert all(v > 0 for v in sa.criteria(T, alpha, 128).values())
    assert all(b["radius_upper"] <= 1 for b in boxes)


def _flip_k1(t, act, ctx):                    # kappa' = A + B acos(rho): sign flipped
    f = sa.forms(t, act, ctx)
    A, B = act.constants(ctx)
    k1 = A + B * f["a"]
    return dict(f, k1=k1, lam_P=k1 / f["c"])


def _flip_margin(t, act, ctx):                # m_S with -pi/2 in place of pi/2
    f = sa.forms(t, act, ctx)
    _, B = act.constants(ctx)
    m = B * (f["a"] - ctx.pi - ctx.sqrt(1 - 2 * t) / (1 - t)) / f["c"]
    return dict(f, m_S=m, lam_S=1 - t * m)


@pytest.mark.parametrize("wrong", [_flip_k1, _flip_margin])
def test_wrong_formula_fails(wrong):
    from flint import arb_mat
    _, ok = sa.certify_simplex_all_n(Fraction(0), 3, max_depth=12, forms=wrong)
    assert not ok
    # and it disagrees with the trusted dense blocks
    f = _closed_arb(7, Fraction(0), wrong)
    want = _expected_charpolys(7, f["lam_S"], f["lam_P"])
    got = {c: arb_mat(M).charpoly() for c, M in _dense(7, Fraction(0)).items()}
    with pytest.raises(AssertionError):
        for c in got:
            _agree(got[c], want[c])


def test_limit_matches_mpmath_at_a_million():
    n = 10 ** 6
    for alpha in ALPHAS:
        L = sa.limit(alpha)
        m = sa.measure(n, alpha, 50)
        assert L["radius"] == 1
        assert abs(m["radius"] - 1) < mpmath.mpf(10) ** -5
        # 1 - radius = m_S(0) / n + O(1/n^2); lam_P = lam_P(0) + O(1/n)
        assert abs((1 - m["radius"]) * n - mpmath.mpf(sympy.N(L["m_S"], 40))) < 10.0 / n
        assert abs(m["lam_P"] - mpmath.mpf(sympy.N(L["lam_P"], 40))) < 10.0 / n
        assert m["lam_P"] < m["lam_S"]


def test_limit_is_the_closed_form_at_zero():
    t, al = sympy.symbols("t alpha", nonnegative=True)
    f = sa.forms(t, Activation("leaky_relu", al), arith.ExactContext())
    L = sa.limit(al)
    assert sympy.simplify(f["m_S"].subs(t, 0) - L["m_S"]) == 0
    assert sympy.simplify(f["lam_P"].subs(t, 0) - L["lam_P"]) == 0
    assert sympy.simplify(sa.limit(0)["m_S"] - (sympy.pi - 2) / (2 * (sympy.pi - 1))) == 0
