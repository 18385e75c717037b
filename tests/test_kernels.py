"""Kernels and the Gram map against independent computations: Monte Carlo, four arithmetics
evaluated from the same formula and compared with sympy's 50-digit values, finite differences."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

from bnverify.core import arith, gram
from bnverify.core.activations import Activation
from bnverify.core.stages import parse_stages
from bnverify.errors import BadInput

FLOAT = arith.FLOAT
ACTS = [Activation("relu"), Activation("leaky_relu", Fraction(3, 10)), Activation("identity")]
ACT_IDS = ["relu", "leaky_relu_0.3", "identity"]
RHOS = [-1.0, -0.7, -0.3, 0.0, 0.4, 0.9, 1.0]
N_MC = 10**6


def _phi(act, x):
    """phi written out here, independently of Activation.phi."""
    slope = float(act.slope)
    return np.where(x > 0, x, slope * x)


def _dphi(act, x):
    return np.where(x > 0, 1.0, float(act.slope))


def _gaussian_pair(rho, a, b, seed):
    z = np.random.default_rng(seed).standard_normal((2, N_MC))
    y1 = np.sqrt(a) * z[0]
    y2 = np.sqrt(b) * (rho * z[0] + np.sqrt(max(0.0, 1 - rho * rho)) * z[1])
    return y1, y2


def _within_5_sigma(samples, value, slack=1e-12):
    mean = samples.mean()
    err = samples.std() / np.sqrt(len(samples))
    assert abs(mean - value) <= 5 * err + slack, (mean, value, err)


@pytest.mark.parametrize("act", ACTS, ids=ACT_IDS)
@pytest.mark.parametrize("rho", RHOS)
def test_kappa_matches_monte_carlo(act, rho):
    a, b = 2.0, 0.5
    y1, y2 = _gaussian_pair(rho, a, b, seed=[17, int(1000 * (rho + 1))])
    _within_5_sigma(_phi(act, y1) * _phi(act, y2) / np.sqrt(a * b), float(act.kappa(rho, FLOAT)))


@pytest.mark.parametrize("act", ACTS, ids=ACT_IDS)
@pytest.mark.parametrize("rho", [-0.8, 0.0, 0.5, 0.95])
def test_dkappa_matches_monte_carlo(act, rho):
    # Price's theorem: d/drho E[phi(y1) phi(y2)] = E[phi'(y1) phi'(y2)] for unit variances
    y1, y2 = _gaussian_pair(rho, 1.0, 1.0, seed=[18, int(1000 * (rho + 1))])
    _within_5_sigma(_dphi(act, y1) * _dphi(act, y2), float(act.dkappa(rho, FLOAT)))


@pytest.mark.parametrize("act", ACTS, ids=ACT_IDS)
def test_kappa_one_is_second_moment(act):
    y, _ = _gaussian_pair(1.0, 1.0, 1.0, seed=19)
    _within_5_sigma(_phi(act, y) ** 2, float(act.kappa_one(FLOAT)))


# ---------------------------------------------------------------- the Gram map in four arithmetics
def _random_gram(n, seed, denominator=7):
    """G = X^T X / denominator with small-integer X, as rational strings; every point off the
    batch mean (C G C has a positive diagonal) so the kernel is defined."""
    rng = np.random.default_rng(seed)
    while True:
        X = rng.integers(-3, 4, size=(n + 2, n))
        G = X.T @ X
        C = np.eye(n) * n - 1
        if np.all(np.diagonal(C @ G @ C) > 0):
            return [[str(Fraction(int(g), denominator)) for g in row] for row in G]


def _configuration_gram(n, ratio2="9/4"):
    """Gram of O_n: cluster entries 1, odd-cluster 0, odd diagonal ratio^2.  C G C has
    correlations exactly +-1."""
    G = [["1"] * n for _ in range(n)]
    for j in range(n - 1):
        G[j][n - 1] = G[n - 1][j] = "0"
    G[n - 1][n - 1] = ratio2
    return G


MATRICES = [("random4", _random_gram(4, 1)), ("random5", _random_gram(5, 2)),
            ("config5", _configuration_gram(5))]


def _exact_values(G, act, stages):
    ex = arith.get("exact")
    H = gram.F(ex.array(G), act, ex, stages=stages)
    return [[sympy.N(h, 50) for h in row] for row in H]


def _all_arithmetics(G, act, stages):
    out = {"float": gram.F(FLOAT.array([[float(Fraction(g)) for g in row] for row in G]),
                           act, FLOAT, stages=stages)}
    for name, kw in (("ball", {"prec": 128}), ("interval", {"dps": 30})):
        ctx = arith.get(name, **kw)
        out[name] = gram.F(ctx.array(G), act, ctx, stages=stages)
    return out


SLACK = mpmath.mpf("1e-45")  # the 50-digit reference is itself rounded


# without RC the configuration has no +-1 correlations to stress, so only the random ones
CASES = [(name, G, st) for name, G in MATRICES for st in (("rc",), ())
         if st or not name.startswith("config")]


@pytest.mark.parametrize("act", ACTS, ids=ACT_IDS)
@pytest.mark.parametrize("name,G,stages", CASES,
                         ids=["%s-%s" % (c[0], ",".join(c[2]) or "plain") for c in CASES])
def test_gram_map_agrees_in_four_arithmetics(name, G, stages, act):
    truth = _exact_values(G, act, stages)
    res = _all_arithmetics(G, act, stages)
    n = len(G)
    with mpmath.workdps(60):
        for j in range(n):
            for k in range(n):
                t = mpmath.mpf(str(truth[j][k]))
                assert abs(res["float"][j, k] - float(t)) <= 1e-12 * (1 + abs(float(t)))
                b = res["ball"][j, k]
                assert b.is_finite() and not b.is_nan(), (j, k, b)
                lo, hi = (mpmath.mpf(x.mid().str(60, radius=False)) for x in (b.lower(), b.upper()))
                assert lo - SLACK <= t <= hi + SLACK, (j, k, b, t)
                iv = res["interval"][j, k]
                lo, hi = mpmath.mpf(iv._mpi_[0]), mpmath.mpf(iv._mpi_[1])
                assert lo - SLACK <= t <= hi + SLACK, (j, k, iv, t)


def test_ball_enclosures_are_tight_on_random_matrices():
    """Containment alone would accept [+/- inf]: at 128 bits the balls must also be narrow."""
    act = ACTS[0]
    res = _all_arithmetics(MATRICES[0][1], act, ("rc",))
    assert max(float(b.rad()) for b in res["ball"].ravel()) < 1e-30


def test_configuration_values_by_hand():
    """O_5, |u|^2 = 9/4, under RC: the centred points are (v - u)/5 (cluster) and
    4(u - v)/5 (odd), so Sigma_cc = 13/100, Sigma_oo = 16*13/100 and their correlation is -1.
    Hence F_cc = A 13/100 with A = (1 + alpha^2)/2, F_co = kappa(-1) 4*13/100 = -alpha 13/25
    (0 for relu: the odd point stays orthogonal) and F_oo = A 16*13/100."""
    ex = arith.get("exact")
    for act, alpha in ((ACTS[0], 0), (ACTS[1], sympy.Rational(3, 10))):
        H = gram.F(ex.array(_configuration_gram(5)), act, ex)
        A = (1 + alpha**2) / 2
        want_cc, want_co, want_oo = A * sympy.Rational(13, 100), -alpha * sympy.Rational(13, 25), \
            A * sympy.Rational(16 * 13, 100)
        for j in range(4):
            assert sympy.simplify(H[j, 4] - want_co) == 0
            for k in range(4):
                assert sympy.simplify(H[j, k] - want_cc) == 0
        assert sympy.simplify(H[4, 4] - want_oo) == 0


def test_exact_context_refuses_floats():
    with pytest.raises(TypeError):
        arith.get("exact").array([[1.5]])


@pytest.mark.parametrize("act", ACTS, ids=ACT_IDS)
@pytest.mark.parametrize("stages", [("rc",), ()], ids=["rc", "plain"])
def test_dF_matches_central_differences(act, stages):
    rng = np.random.default_rng(7)
    n = 5
    for _ in range(3):
        X = rng.standard_normal((12, n))
        G = X.T @ X / 12
        H = rng.standard_normal((n, n))
        H = H + H.T
        h = 1e-6
        fd = (gram.F(G + h * H, act, FLOAT, stages=stages)
              - gram.F(G - h * H, act, FLOAT, stages=stages)) / (2 * h)
        np.testing.assert_allclose(gram.dF(G, H, act, FLOAT, stages=stages), fd,
                                   rtol=1e-6, atol=1e-7)


def test_parse_stages():
    assert parse_stages("rc,relu") == (("rc",), Activation("relu"))
    assert parse_stages("rc,rs,relu")[0] == ("rc", "rs")
    with pytest.raises(BadInput):          # another order is not silently rewritten
        parse_stages("relu,rs,rc")
    assert parse_stages("leaky_relu", "3/10")[1].alpha == Fraction(3, 10)
    for bad in ("rc,foo", "", "relu,tanh", "rc,rc,relu"):
        with pytest.raises(BadInput):
            parse_stages(bad)
    with pytest.raises(BadInput):
        parse_stages("leaky_relu", "1")
    with pytest.raises(BadInput):
        parse_stages("relu", "0.2")
