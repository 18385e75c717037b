"""bnverify gradients (issue 23, item 4): the backward Gram map at the BSB1 state of RC + RS + phi
and RC + phi, exact closed forms in ball arithmetic (bnverify.derive.gradients), against
(a) Monte Carlo of J^T Pi J with J by central finite differences of the forward layer (a route
that shares nothing with the closed forms but the definition), (b) finite-width networks
(benchmarks/gradients_finite_width.py; slow), exact identity cases, and the CLI's conventions."""
import json
import math
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from flint import arb

from bnverify.derive import gradients as gr

ROOT = Path(__file__).resolve().parents[1]


def _contains(ball, q):
    q = Fraction(q)
    return ball.contains(arb(q.numerator) / q.denominator)


# ---------------------------------------------------------------- exact cases
@pytest.mark.parametrize("n", [4, 5, 6, 8, 11])
def test_identity_exact(n):
    """phi = identity: T(Pi) = m/(m-2) E[Q Pi Q], u uniform on the sphere of 1-perp (m = n - 1):
    mu_T = (m-1)/(m-2) = (n-2)/(n-3) (T(C) = m/(m-2) (1 - 1/m) C) and on traceless Pi
    mu_S = mu_P = (m^2-2)/(m^2-4) (E[u_a u_b u_c u_d] = (3 deltas)/(m(m+2))); RC alone: 1."""
    m = n - 1
    r = gr.rates(n, 1, "rc,rs")["eig"]
    assert _contains(r["trivial"], Fraction(n - 2, n - 3))
    assert _contains(r["standard"], Fraction(m * m - 2, m * m - 4))
    assert _contains(r["pair"], Fraction(m * m - 2, m * m - 4))
    for v in gr.rates(n, 1, "rc")["eig"].values():
        assert _contains(v, 1)


def test_n3_with_rs_refused():
    with pytest.raises(Exception, match="infinite"):
        gr.exact(3, 0, "rc,rs")
    assert set(gr.rates(3, 0, "rc")["eig"]) == {"trivial", "standard"}


# a sample of n in the default run (both ends, the smallest with every component, and a middle one); the rest is slow
@pytest.mark.parametrize("ns", [(4, 5, 8, 16), pytest.param((6, 7, 9, 10, 11, 12, 13, 14, 15), marks=pytest.mark.slow)])
@pytest.mark.parametrize("alpha", [0, Fraction(1, 10), 1])
def test_trivial_component_attains_the_radius(alpha, ns):
    for stages in ("rc,rs", "rc"):
        for n in ns:
            r = gr.rates(n, alpha, stages)
            assert r["from"] == ["trivial"] or alpha == 1 and "trivial" in r["from"], (stages, n, r)
            assert r["radius"].rad() < 1e-30


def test_relu_rates_and_limit():
    """Full BN explodes from above towards pi/(pi-1), RC alone from below; both > 1."""
    lim = math.pi / (math.pi - 1)
    bn = [float(gr.rates(n, 0, "rc,rs")["radius"].mid()) for n in (4, 8, 16, 32)]
    rc = [float(gr.rates(n, 0, "rc")["radius"].mid()) for n in (3, 4, 8, 16, 32)]
    assert bn == sorted(bn, reverse=True) and bn[-1] > lim and bn[-1] - lim < 0.06
    assert rc == sorted(rc) and 1 < rc[0] and rc[-1] < lim and lim - rc[-1] < 0.02
    assert abs(bn[0] - 3.0840609480877) < 1e-12 and abs(rc[0] - 1.3093869373681) < 1e-12


# ---------------------------------------------------------------- the Gaussian moments
def test_moments_against_monte_carlo():
    n = 5
    mo = gr.moments(n)
    rng = np.random.default_rng(1)
    g = rng.standard_normal((400000, n))
    g -= g.mean(axis=1, keepdims=True)          # g ~ N(0, C)
    rho = -1 / (n - 1)
    AS, SQ = math.asin(rho) / math.pi, math.sqrt(1 - rho * rho) / math.pi
    cases = [((), (0, 1)), ((0, 0), (0, 1)), ((0, 1), (0, 1)), ((2, 3), (0, 1)), ((0, 2), (0, 1)),
             ((0, 0, 1, 1), (0, 1)), ((0, 1, 2, 3), (0, 1)), ((0, 2, 2, 1), (0, 1)), ((0, 0, 0, 2), (0,)),
             ((2, 2, 3, 3), (0, 1)), ((0, 0, 0, 1), (0, 1))]
    for xs, S in cases:
        exact = mo.expect(xs, S).value(AS, SQ)
        f = np.prod([g[:, x] for x in xs], axis=0) if xs else np.ones(len(g))
        for s in S:
            f = f * (g[:, s] > 0)
        se = f.std() / math.sqrt(len(f))
        assert abs(f.mean() - exact) < 5 * se + 1e-12, (xs, S, f.mean(), exact, se)


# ---------------------------------------------------------------- (a) finite differences + Monte Carlo
def _sigma_star(n, alpha):
    A = (1 + alpha ** 2) / 2
    rho = -1 / (n - 1)
    kap = A * rho + (1 - alpha) ** 2 / (2 * math.pi) * (math.sqrt(1 - rho * rho) - rho * math.acos(rho))
    return A, kap, (A - kap) * np.eye(n) + kap * np.ones((n, n))


def mc_eigenvalues(n, alpha, rs=True, N=100000, seed=0):
    """Monte Carlo of T(Pi)[e]/Pi[e] for the three probes, J by central differences of the layer."""
    rng = np.random.default_rng(seed)
    A, kap, Sig = _sigma_star(n, alpha)
    C = np.eye(n) - 1 / n

    def F(h):
        x = h @ C
        if rs:
            x = math.sqrt(n) * x / np.linalg.norm(x, axis=1, keepdims=True)
        return np.where(x > 0, x, alpha * x)

    h = rng.standard_normal((N, n)) @ np.linalg.cholesky(Sig).T
    J = np.empty((N, n, n))
    for k in range(n):
        e = np.zeros(n)
        e[k] = 1e-6
        J[:, :, k] = (F(h + e) - F(h - e)) / 2e-6
    scale = 1.0 if rs else n / ((A - kap) * (n - 1))
    out = {}
    for comp, (Pi, (a, b)) in gr.probes(n).items():
        P = np.array([[float(v) for v in r] for r in Pi])
        s = np.einsum("si,ij,sj->s", J[:, :, a], P, J[:, :, b]) * scale / float(Pi[a][b])
        out[comp] = (s.mean(), s.std() / math.sqrt(N))
    return out


# in the default run each slope (relu, leaky, abs) and both stage sets, abs with both; the other two: slow
@pytest.mark.parametrize("n,alpha,rs", [(8, 0, True), pytest.param(8, 0.1, True, marks=pytest.mark.slow), (6, -1, True),
                                        pytest.param(8, 0, False, marks=pytest.mark.slow), (5, 0.1, False), (4, -1, False)])
def test_closed_form_against_finite_difference_monte_carlo(n, alpha, rs):
    exact = gr.rates(n, Fraction(alpha).limit_denominator(100), "rc,rs" if rs else "rc")["eig"]
    for comp, (m, se) in mc_eigenvalues(n, alpha, rs, N=60000).items():
        v = float(exact[comp].mid())
        assert abs(m - v) < 5 * se + 1e-9, (comp, m, se, v)


# ---------------------------------------------------------------- (b) finite width
def _fw():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import gradients_finite_width as fw
    return fw


@pytest.mark.slow
@pytest.mark.parametrize("rs", [True, False])
def test_finite_width_networks(rs):
    """Width 1024, n = 8, 30 layers, 8 seeds: the certified rate inside the seeds' 95 % t-interval."""
    fw = _fw()
    rates = [fw.rate(fw.one_run(8, 1024, 30, s, 0.0, rs), 4) for s in range(8)]
    m, sd = np.mean(rates), np.std(rates, ddof=1)
    half = fw.T975[7] * sd / math.sqrt(8)
    v = float(gr.rates(8, 0, "rc,rs" if rs else "rc")["radius"].mid())
    assert abs(m - v) < half, (m, half, v)


def test_finite_width_small_smoke():
    """A narrow, shallow run grows (rate > 1) and is in the right range (fast)."""
    fw = _fw()
    r = fw.rate(fw.one_run(8, 256, 16, 0, 0.0, True), 3)
    assert 1.6 < r < 2.0


# ---------------------------------------------------------------- the command
def test_cli_text_and_json(run_cli):
    code, out, err = run_cli("gradients", "--stages", "rc,rs,relu", "--n", "3..5")
    assert code == 0 and "rate = inf" in out and "checked: false" in out
    assert max(len(l) for l in out.splitlines()) <= 120
    code, out, _ = run_cli("gradients", "--stages", "rc,relu", "--n", "3..4", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["status"] == "enclosed" and doc["checked"] is False
    assert all(r["status"] == "enclosed" and r["checked"] is False and r["rate"] for r in doc["rows"])
    lo, hi = (float(x) for x in doc["limit"])
    assert lo <= math.pi / (math.pi - 1) <= hi


@pytest.mark.parametrize("args,word", [
    (["--stages", "rs,relu"], "RS without RC"),
    (["--stages", "relu"], "without batch normalization"),
    (["--stages", "relu,rc,rs"], "in this order"),
    (["--stages", "rc,rs,gelu"], "not positively homogeneous"),
    (["--n", "2"], "n"),
    (["--n", "3..65"], "n"),
    (["--alpha", "x", "--stages", "rc,leaky_relu"], "not a number"),
    (["--prec", "8"], "prec"),
])
def test_bad_input_one_line(run_cli, args, word):
    code, out, err = run_cli("gradients", *args)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and word in err, err


def test_hand_derived_trivial_eigenvalue_and_its_limit():
    """trivial_closed (a separate derivation) overlaps the moment engine, and tends to
    A/(A - kappa(0)) (relu: pi/(pi-1)) like L + c/n: c ~ 1.5914 with RS, -0.3425 for RC alone."""
    for stages in ("rc,rs", "rc"):
        for alpha in (0, Fraction(1, 10), 1, -1):
            for n in (4, 9):
                assert gr.trivial_closed(n, alpha, stages).overlaps(gr.rates(n, alpha, stages)["eig"]["trivial"])
    L = math.pi / (math.pi - 1)
    for stages, c in (("rc,rs", 1.5914), ("rc", -0.3425)):
        assert abs(10 ** 5 * (float(gr.trivial_closed(10 ** 5, 0, stages).mid()) - L) - c) < 1e-3
