"""Certified enclosures against independent computations: mpmath at 50 digits (quadrature of
the Gaussian expectation, orthant probabilities, interval arithmetic, exact sympy evaluated to
60 digits), float iteration of the map, and a dense float Jacobian without the symmetry split."""
import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from bnverify.core import arith, gram, symmetry
from bnverify.derive import symbolic
from bnverify.derive import balls, curve, spectra, states, sweeps
from bnverify.core.activations import Activation
from bnverify.errors import BadInput
from bnverify.core.symmetry import SymState

RELU = Activation("relu")
LEAKY = Activation("leaky_relu", Fraction(1, 10))
B128 = lambda: arith.get("ball", prec=128)          # noqa: E731  (sets flint's precision too)


# ---------------------------------------------------------------- mpmath references (50 digits)
def _mp_kappa(act, rho):
    """E[phi(y1) phi(y2)], unit variances, correlation rho, by 1-D quadrature: conditionally on
    y1 = y, y2 = rho y + s z with s = sqrt(1 - rho^2), and
    E[phi(mu + s z)] = alpha mu + (1 - alpha) (mu Phi(mu/s) + s phi(mu/s))."""
    al = mpmath.mpf(act.slope.numerator) / act.slope.denominator
    rho = mpmath.mpf(rho)
    s = mpmath.sqrt(1 - rho * rho)
    phi = lambda t: t if t > 0 else al * t                      # noqa: E731

    def inner(y):
        mu = rho * y
        if s == 0:
            return phi(mu)
        return al * mu + (1 - al) * (mu * mpmath.ncdf(mu / s) + s * mpmath.npdf(mu / s))
    f = lambda y: phi(y) * inner(y) * mpmath.npdf(y)            # noqa: E731
    return mpmath.quad(f, [-mpmath.inf, 0, mpmath.inf])


def _mp_dkappa(act, rho):
    """Price's theorem: E[phi'(y1) phi'(y2)] from the orthant probabilities
    P(++) = P(--) = 1/4 + asin(rho)/(2 pi), P(+-) = P(-+) = 1/4 - asin(rho)/(2 pi)."""
    al = mpmath.mpf(act.slope.numerator) / act.slope.denominator
    p = mpmath.mpf(1) / 4 + mpmath.asin(mpmath.mpf(rho)) / (2 * mpmath.pi)
    return (1 + al * al) * p + 2 * al * (mpmath.mpf(1) / 2 - p)


def _contains(ball, value, slack=Fraction(1, 10 ** 45)):
    lo, hi = balls.enclosure(ball)
    v = Fraction(mpmath.nstr(value, 60, strip_zeros=False)) if not isinstance(value, Fraction) else value
    return lo - slack <= v <= hi + slack


def _in_bounds(pair, value, slack=Fraction(1, 10 ** 40)):
    v = value if isinstance(value, Fraction) else Fraction(mpmath.nstr(value, 60, strip_zeros=False))
    return Fraction(pair[0]) - slack <= v <= Fraction(pair[1]) + slack


RHOS = ["-1", "-0.7", "-1/6", "0", "0.3", "0.999", "1"]


@pytest.mark.parametrize("act", [RELU, LEAKY], ids=["relu", "leaky"])
@pytest.mark.parametrize("rho", RHOS)
def test_kernel_balls_contain_50_digit_values(act, rho):
    with mpmath.workdps(50):
        _kernel_case(act, rho)


def _kernel_case(act, rho):
    ctx = B128()
    r = ctx.const(Fraction(rho))
    q = Fraction(rho)
    k, dk = _mp_kappa(act, mpmath.mpf(q.numerator) / q.denominator), _mp_dkappa(act, mpmath.mpf(q.numerator) / q.denominator)
    assert _contains(act.kappa(r, ctx), k)
    assert _contains(act.dkappa(r, ctx), dk)
    assert _contains(act.kappa_perp(r, ctx), k - mpmath.mpf(q.numerator) / q.denominator * dk)
    if abs(q) == 1:      # the boundary: finite one-sided derivative, kappa_perp exactly 0
        assert act.kappa_perp(r, ctx).contains(0) and act.dkappa(r, ctx).is_finite()


def _iv_mid(x):
    """The exact midpoint of an mpmath interval, as a Fraction."""
    def frac(t):
        sign, man, exp, _ = t
        v = Fraction(int(man)) * Fraction(2) ** int(exp)
        return -v if sign else v
    a, b = x._mpi_
    return (frac(a) + frac(b)) / 2


@pytest.mark.parametrize("state,n", [(("0.3", "-0.2", "13/2"), 7), (("1", "0", "36"), 7),
                                     (("1/2", "1/5", "1"), 4)])
def test_reduced_map_contains_interval_arithmetic_values(state, n):
    # mpmath iv at 50 digits is a second, independent rigorous arithmetic
    iv = arith.get("interval", dps=50)
    ref, _ = curve.reduced_image([iv.const(Fraction(v)) for v in state], n, RELU, iv)
    ctx = B128()
    got, _ = curve.reduced_image([ctx.const(Fraction(v)) for v in state], n, RELU, ctx)
    for g, r in zip(got, ref):
        assert _contains(g, _iv_mid(r))


def test_reduced_jacobian_matches_exact_finite_differences():
    # exact sympy image evaluated to 60 digits, central differences with step 1e-20
    ex = arith.get("exact")
    n, s0 = 7, [Fraction(3, 10), Fraction(-1, 5), Fraction(13, 2)]
    h = Fraction(1, 10 ** 20)

    def T(s):
        im = symmetry.image(SymState(1, *[ex.const(v) for v in s]), n, RELU, ex)
        return [mpmath.mpf(str((v / im.a).evalf(60))) for v in (im.o, im.x, im.b)]
    ctx = B128()
    J = curve.reduced_jacobian([ctx.const(v) for v in s0], n, RELU, ctx)
    with mpmath.workdps(60):
        _compare_columns(T, J, s0, h)


def _compare_columns(T, J, s0, h):
    for j in range(3):
        sp_, sm = list(s0), list(s0)
        sp_[j] += h
        sm[j] -= h
        fp, fm = T(sp_), T(sm)
        for i in range(3):
            fd = (fp[i] - fm[i]) / (2 * mpmath.mpf(1) / 10 ** 20)
            assert abs(Fraction(mpmath.nstr(fd, 50)) - balls.exact(J[i][j].mid())) < Fraction(1, 10 ** 30)
            assert J[i][j].rad() < 1e-30


def test_blocks_at_configuration_contain_the_exact_spectrum():
    # ball blocks at O_n (every correlation +-1: the one-sided boundary derivative) against the
    # closed forms of bnverify.derive.symbolic (sympy, exact)
    n = 6
    spec = symbolic.configuration_spectrum(RELU, n)
    exact_vals = sorted(Fraction(str(e["value"])) for e in spec["eigenvalues"])
    ctx = B128()
    lam = n * n - 2 * n + 2
    X = [ctx.const(1), ctx.const(0), ctx.const((n - 1) ** 2)]
    found = []
    for comp, (B, mult, _) in spectra.state_blocks(X, n, RELU, ctx).items():
        for e in spectra.eig_enclosures(B):
            assert e.imag.contains(0)
            found.append(e.real)
    for v in exact_vals:
        assert any(f.contains(ctx.const(v)) for f in found), v
    assert any(f.contains(ctx.const(Fraction(n * n, lam))) for f in found)


def test_bounds_round_outward():
    ctx = B128()
    third = ctx.const(1) / 3
    lo, hi = balls.bounds(third, digits=5)
    assert (lo, hi) == ("0.33333", "0.33334")
    lo, hi = balls.bounds(-third, digits=5)
    assert (lo, hi) == ("-0.33334", "-0.33333")
    assert balls.bounds(ctx.const(Fraction(5, 4))) == ["1.25", "1.25"]


def test_gershgorin_bound_on_a_known_matrix():
    ctx = B128()
    B = np.array([[ctx.const(Fraction(1, 2)), ctx.const(1)], [ctx.const(0), ctx.const(Fraction(1, 4))]],
                 dtype=object)
    lo, hi = spectra.gershgorin_radius(B, spectra.approx_eigvecs(B), ctx)
    assert lo <= Fraction(1, 2) <= hi and hi - lo < Fraction(1, 10 ** 12)


# ---------------------------------------------------------------- the attractor and the simplex
def _mp_root(n, act=RELU):
    """The spread-cluster solution of h(rho) = rho by bisection in mpmath iv (50 digits)."""
    iv = arith.get("interval", dps=50)
    g = lambda r: curve.curve(iv.const(r), n, act, iv) - iv.const(r)     # noqa: E731
    a, b = Fraction(1, 10), Fraction(9, 10)
    ga = g(a)
    assert ga.a > 0 and g(b).b < 0
    for _ in range(170):
        m = (a + b) / 2
        gm = g(m)
        if gm.a > 0:
            a = m
        elif gm.b < 0:
            b = m
        else:
            break
    return iv, (a + b) / 2


@pytest.fixture(scope="module")
def attractor7():
    return states.certify_attractor(7, RELU)


def test_attractor_n7_is_proved_and_contains_50_digit_values(attractor7):
    v = attractor7
    assert v.status == "proved", v.evidence
    iv, rho = _mp_root(7)
    o, x, b = curve.curve_point(iv.const(rho), 7, RELU, iv)
    cc, oc, nr = curve.cosines([o, x, b], iv)
    for name, val in (("cluster_cos", cc), ("odd_cos", oc), ("norm_ratio", nr)):
        assert _in_bounds(v.evidence[name], _iv_mid(val), slack=Fraction(1, 10 ** 35)), name
    assert _in_bounds(v.evidence["centred_cluster_corr"], Fraction(rho), slack=Fraction(1, 10 ** 40))
    json.dumps(v.certificate)


def test_attractor_matches_float_iteration(attractor7):
    # iterate the float map from nearby starts: it converges into the certified state
    ev = attractor7.evidence
    for start in ([0.45, 0.2, 14.0], [0.5, 0.3, 15.5]):
        s = np.array(start)
        for _ in range(1500):
            T, _ = curve.reduced_image(list(s), 7, RELU, balls.QFLOAT)
            s = np.array([float(t) for t in T])
        for got, name in zip((s[0], s[1] / np.sqrt(s[2]), np.sqrt(s[2])), ("cluster_cos", "odd_cos", "norm_ratio")):
            lo, hi = (float(x) for x in ev[name])
            assert lo - 1e-9 <= got <= hi + 1e-9, name


def _dense_float_spectral_radius(state, n, act):
    """Spectral radius of DF(G)/c on all n(n+1)/2 symmetric directions, dense float, with the
    eigenvalue 1 of G's own direction removed (no symmetry reduction)."""
    G = state.dense(n, arith.FLOAT)
    c = gram.F(G, act, arith.FLOAT)[0, 0] / G[0, 0]
    idx = [(i, j) for i in range(n) for j in range(i, n)]
    J = np.zeros((len(idx), len(idx)))
    for col, (i, j) in enumerate(idx):
        H = np.zeros((n, n))
        H[i, j] = H[j, i] = 1.0
        D = gram.dF(G, H, act, arith.FLOAT)
        J[:, col] = [D[p, q] / c for p, q in idx]
    ev = np.linalg.eigvals(J)
    k = np.argmin(abs(ev - 1))
    return max(abs(np.delete(ev, k)))


def test_attractor_spectral_radius_matches_dense_float(attractor7):
    ev = attractor7.evidence
    o = float(Fraction(ev["cluster_cos"][0]))
    r = float(Fraction(ev["norm_ratio"][0]))
    x = float(Fraction(ev["odd_cos"][0])) * r
    rho = _dense_float_spectral_radius(SymState(1.0, o, x, r * r), 7, RELU)
    lo, hi = (float(Fraction(v)) for v in ev["spectral_radius"])
    assert lo - 1e-7 <= rho <= hi + 1e-7


def _trusted_fact(item):
    from bnverify.trusted import Rejected, items
    try:
        return items.check_item(json.loads(json.dumps(item)))
    except Rejected:
        return None


def test_krawczyk_record_rechecks_in_the_trusted_kernel_and_rejects_tampering(attractor7):
    from bnverify.claims.properties.states import krawczyk_item as _krawczyk_item

    item = _krawczyk_item(attractor7.certificate, Fraction(1))
    fact = _trusted_fact(item)
    assert fact["state"] == "spread-cluster" and fact["n"] == 7 and fact["radius_below"] == 1
    moved = json.loads(json.dumps(item))
    mm, me = moved["box"][0]["mid"]
    rm, re = moved["box"][0]["rad"]
    moved["box"][0]["mid"][0] = mm + 100 * rm * 2 ** (re - me)      # o's midpoint moved by 100 radii
    assert _trusted_fact(moved) is None
    wrong_y = json.loads(json.dumps(item))
    wrong_y["Y"][0][0] = "0/1"
    wrong_y["Y"][1][1] = "0/1"
    assert _trusted_fact(wrong_y) is None
    assert _trusted_fact(dict(item, n=8)) is None
    assert _trusted_fact(dict(item, bound="1/2")) is None


@pytest.mark.parametrize("n", [3, 4, 7, 20])
def test_simplex_value_and_spectrum(n):
    v = states.certify_simplex(n, RELU)
    assert v.status == "proved"
    with mpmath.workdps(50):
        ref = _mp_kappa(RELU, mpmath.mpf(-1) / (n - 1)) / _mp_kappa(RELU, 1)
        ref = Fraction(mpmath.nstr(ref, 55, strip_zeros=False))
    assert _in_bounds(v.evidence["simplex_cos"], ref)
    assert _in_bounds(v.evidence["cluster_cos"], ref) and _in_bounds(v.evidence["odd_cos"], ref)
    from bnverify.claims.properties.states import krawczyk_item as _krawczyk_item
    assert _trusted_fact(_krawczyk_item(v.certificate, Fraction(1)))["state"] == "simplex"
    c = float(ref)
    rho = _dense_float_spectral_radius(SymState(1.0, c, c, 1.0), n, RELU)
    lo, hi = (float(Fraction(x)) for x in v.evidence["spectral_radius"])
    assert lo - 1e-7 <= rho <= hi + 1e-7


# ---------------------------------------------------------------- the symmetric family
def test_absence_below_threshold_and_certificate():
    v = states.certify_attractor(5, RELU)
    assert v.status == "refuted"
    kinds = [f["kind"] for f in v.evidence["symmetric_family"]["fixed_points"]]
    assert kinds == ["simplex", "configuration"]
    from bnverify.claims.properties.states import classification_item as _classification_item
    item = _classification_item(v.certificate)
    assert _trusted_fact(item)["spread_cluster_states"] == 0
    gap = dict(item, intervals=item["intervals"][:10] + item["intervals"][11:])
    assert _trusted_fact(gap) is None
    lied = json.loads(json.dumps(item))
    k = next(i for i, iv in enumerate(lied["intervals"]) if iv[2] == "simplex")
    lied["intervals"][k][2] = "excluded"
    assert _trusted_fact(lied) is None


def test_classification_n7_finds_four_solutions_consistent_with_float():
    v = curve.classify(7, RELU)
    assert v.status == "proved"
    fps = v.evidence["fixed_points"]
    assert [f["kind"] for f in fps] == ["simplex", "root", "root", "configuration"]
    assert [f["stable_in_family"] for f in fps] == [True, False, True, False]
    floats = states._float_roots(7, RELU)
    for f, r in zip([fp for fp in fps if fp["kind"] == "root"], [r for r in floats if r > -0.16]):
        assert float(f["rho"][0]) - 1e-9 <= r <= float(f["rho"][1]) + 1e-9
    from bnverify.claims.properties.states import classification_item as _classification_item
    assert _trusted_fact(_classification_item(v.certificate))["spread_cluster_states"] == 2


def test_leaky_attractor_shares_the_relu_geometry(attractor7):
    # C K_alpha C = ((1+a)/2)^2 Sigma + ((1-a)/2)^2 C K_abs C: the solutions of h(rho) = rho,
    # hence the norm ratio, do not depend on alpha; the cosines and the spectrum do
    v = states.certify_attractor(7, LEAKY)
    assert v.status == "proved"
    a, b = (Fraction(x) for x in v.evidence["norm_ratio"])
    c, d = (Fraction(x) for x in attractor7.evidence["norm_ratio"])
    assert a <= d and c <= b
    assert Fraction(v.evidence["odd_cos"][1]) < 0 < Fraction(attractor7.evidence["odd_cos"][0])


def test_fold_is_bracketed():
    v = sweeps.locate_fold(Fraction("6.107"), Fraction("6.108"), RELU)
    assert v.status == "proved", v.evidence
    assert [f["kind"] for f in v.evidence["at_n_lo"]] == ["simplex", "configuration"]


def test_threshold_logic_and_bad_n():
    with pytest.raises(BadInput):
        states.certify_attractor(2)
    with pytest.raises(BadInput):
        states.certify_simplex(3.5)
    vs = sweeps.attractor_sweep([5, 6, 7, 8], RELU, executor=sweeps.InlineExecutor())
    assert [v.status for v in vs] == ["refuted", "refuted", "proved", "proved"]
    assert sweeps.threshold(vs) == (7, True)


@pytest.mark.slow
def test_sweep_to_64():
    vs = sweeps.attractor_sweep(range(3, 65), RELU)
    assert sweeps.threshold(vs) == (7, True)
    for v in vs:
        from bnverify.claims.properties.states import (classification_item as _classification_item,
                                                       krawczyk_item as _krawczyk_item)
        if v.status == "proved":
            assert _trusted_fact(_krawczyk_item(v.certificate, Fraction(1)))["state"] == "spread-cluster"
        else:
            assert _trusted_fact(_classification_item(v.certificate))["spread_cluster_states"] == 0
