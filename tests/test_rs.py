"""The RS variant near the configuration: exact values at rank one, and the square-root
response that rules out a linearization, against quadrature and Monte Carlo."""
import numpy as np
import pytest
import sympy as sp

from bnverify.derive import rs, symbolic
from bnverify.core.activations import Activation

RELU = Activation("relu")


def test_rs_fixed_point_is_the_same_configuration():
    for act in (RELU, symbolic.symbolic_activation("leaky_relu")):
        fp = rs.fixed_point(act)
        assert fp["holds"]


def test_rs_fixed_point_against_monte_carlo():
    n = 6
    G = np.zeros((n, n))
    G[: n - 1, : n - 1] = 1
    G[-1, -1] = (n - 1) ** 2
    K = rs.rs_gram_monte_carlo(G, RELU, 200_000, np.random.default_rng(1))
    fp = rs.fixed_point(RELU, n)
    assert np.isclose(K[0, 0], float(fp["cluster_diag"]), rtol=1e-2)
    assert np.isclose(K[-1, -1], float(fp["odd_diag"]), rtol=1e-2)
    assert abs(K[0, -1]) < 1e-9


@pytest.mark.slow
@pytest.mark.parametrize("n", [4, 7])
def test_sqrt_response_bound_below_quadrature_and_monte_carlo(n):
    r = rs.spread_response(RELU, n)
    assert r["holds"]
    rng = np.random.default_rng(5)
    G = np.zeros((n, n))
    G[: n - 1, : n - 1] = 1
    G[-1, -1] = (n - 1) ** 2
    e = np.zeros(n)
    e[0], e[1] = 1, -1
    for eps in (1e-2, 1e-3):
        quad = rs.spread_response_quadrature(RELU, n, eps)
        lb = float(r["delta_out_lower_bound"].subs(rs.EPS, eps))
        assert 0 < lb <= quad
        K = rs.rs_gram_monte_carlo(G + eps * np.outer(e, e), RELU, 400_000, rng)
        mc = 1 - K[0, 1] / np.sqrt(K[0, 0] * K[1, 1])
        assert abs(mc - quad) < 0.05 * quad
    # the response really is of order sqrt(eps): delta_out/sqrt(eps) settles, delta_out/eps blows up
    q3, q5 = (rs.spread_response_quadrature(RELU, n, e) for e in (1e-3, 1e-5))
    assert 0.5 < (q5 / 1e-5 ** 0.5) / (q3 / 1e-3 ** 0.5) < 2
    assert q5 / 1e-5 > 5 * q3 / 1e-3


def test_symbolic_n_bound_holds():
    r = rs.spread_response(RELU)
    assert r["holds"]
    M = sp.Symbol("M", positive=True)
    k7 = r["k_for_ratio_M"].subs({symbolic.N: 7, M: 100})
    assert 0 < float(k7) < 1


def test_rs_fixed_point_claim_is_certified_and_tamper_evident(tmp_path, run_cli):
    import json

    from bnverify.claims.certificate import rehash

    cert = tmp_path / "rs.json"
    assert run_cli("check", "--stages", "rc,rs,leaky_relu", "--alpha", "0..1", "--n", "3..",
                   "--property", "fixed-point", "--state", "two-point", "--cert", cert)[0] == 0
    assert run_cli("check-cert", cert)[0] == 0
    # O_n itself (orthogonal odd point) is not fixed once alpha > 0
    assert run_cli("check", "--stages", "rc,rs,leaky_relu", "--alpha", "0..1", "--n", "3..",
                   "--property", "fixed-point", "--state", "configuration")[0] == 1
    # relabel the certificate onto the RC map (no RS) and re-hash: the statement no longer matches
    forged = json.loads(cert.read_text())
    forged["claim"]["stages"] = ["rc"]
    cert.write_text(json.dumps(rehash(forged)))
    assert run_cli("check-cert", cert)[0] != 0
