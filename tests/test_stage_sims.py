"""lyapunov, phase and endstate (issue 12): the spread rate against its closed form as the
width grows and the seeds multiply, stacked seeds against a per-seed loop, determinism,
the end state against the certified attractor, and one-line usage errors."""

import numpy as np
import pytest

from bnverify.sim import lyapunov
from bnverify.core.activations import Activation
from bnverify.sim import decompose as simd
from bnverify.sim import endstate, lyapunov_rate

RELU = Activation("relu")


# ---------------------------------------------------------------- lyapunov
def test_lyapunov_json_and_determinism(cli_json):
    argv = ("lyapunov", "--n", 8, "--width", 64, "--layers", 30, "--seeds", 4)
    doc = cli_json(*argv)
    assert doc == cli_json(*argv)
    assert {"rate", "ci", "infinite_width", "quantity", "width", "n"} <= set(doc)
    assert doc["ci"][0] < doc["rate"] < doc["ci"][1] and doc["width"] == 64 and doc["n"] == 8
    assert np.isclose(doc["infinite_width"], 0.5 * np.log(64 / 50))         # mu = n^2/(n^2-2n+2)


def test_rate_approaches_the_closed_form_as_the_width_grows():
    """n = 8: the finite-width bias at width 32 is larger than at 1024, whose interval holds
    the closed form log(mu)/2 (the README's table, smaller)."""
    small = lyapunov.rate(RELU, 8, 32, 100, 16, base_seed=1)
    large = lyapunov.rate(RELU, 8, 1024, 100, 16, base_seed=1)
    target = large["infinite_width"]
    assert large["ci"][0] <= target <= large["ci"][1]
    assert abs(large["rate"] - target) < abs(small["rate"] - target)


def test_interval_shrinks_with_the_seeds():
    """4x the seeds: the t interval about halves (sqrt(4), and a smaller t quantile)."""
    few = lyapunov.rate(RELU, 8, 128, 60, 8, base_seed=2)
    many = lyapunov.rate(RELU, 8, 128, 60, 32, base_seed=2)
    ratio = (few["ci"][1] - few["ci"][0]) / (many["ci"][1] - many["ci"][0])
    assert 1.4 < ratio < 4


def test_stacked_seeds_equal_a_per_seed_loop():
    stacked = lyapunov_rate.spread_rates(RELU, 6, 64, 20, 5, 3)
    loop = np.array([lyapunov_rate.spread_rates(RELU, 6, 64, 20, [s], 3)[0] for s in range(5)])
    assert np.allclose(stacked, loop, rtol=1e-10, atol=1e-13)
    a = simd.run_model(["rc", "relu"], 6, 64, 30, 4, keep_cosines=0)
    b = [simd.run_model(["rc", "relu"], 6, 64, 30, [s], keep_cosines=0) for s in range(4)]
    assert a["end_class"] == [r["end_class"][0] for r in b]
    assert a["reached"] == [r["reached"][0] for r in b]


def test_finite_width_claim_runs_the_same_code():
    v = lyapunov.exponent_verdict(RELU, 6, widths=(64,), layers=20, seeds=4, seed=0)
    direct = lyapunov_rate.spread_rates(RELU, 6, 64, 20, 4, 0)
    assert np.isclose(v.evidence["per_width"][0]["mean"], direct.mean())


# ---------------------------------------------------------------- phase
def test_phase_json_plot_and_determinism(tmp_path, cli_json):
    argv = ("phase", "--n-grid", "4..8", "--width", "32..64", "--depth", 40, "--seeds", 3, "--jobs", 1)
    png = tmp_path / "phase.png"
    doc = cli_json(*argv, "--plot", png)
    assert png.stat().st_size > 1000
    again = cli_json(*argv)
    assert doc["cells"] == again["cells"]
    assert doc["n"] == [4, 8] and doc["width"] == [32, 64] and len(doc["cells"]) == 4
    for c in doc["cells"]:
        assert 0 <= c["odd_point"] <= 1 and 0 <= c["simplex"] <= 1
        assert c["odd_point_ci"][0] <= c["odd_point"] <= c["odd_point_ci"][1]
        assert np.isclose(sum(c["fractions"].values()), 1)
    rs = cli_json("phase", "--n", "4", "--width", "32", "--depth", 40, "--seeds", 3, "--jobs", 1,
                  "--stages", "rc,rs,relu")
    assert rs["stages"] == ["rc", "rs", "relu"]


def test_phase_n_range_is_every_integer_as_everywhere(cli_json, run_cli):
    """--n A..B means every integer in phase too (it was the geometric grid, now --n-grid)."""
    small = ("--width", "8", "--depth", 2, "--seeds", 1, "--jobs", 1)
    assert cli_json("phase", "--n", "4..6", *small)["n"] == [4, 5, 6]
    assert cli_json("phase", "--n", "4,9", *small)["n"] == [4, 9]
    assert cli_json("phase", "--n-grid", "4..9", *small)["n"] == [4, 8, 9]
    code, _, err = run_cli("phase", "--n", "4..40", *small)
    assert code == 2 and "--n-grid 4..40" in err


# ---------------------------------------------------------------- endstate
def test_coordinates_of_an_exact_symmetric_state():
    """A Gram matrix built from (cluster cos, odd cos, norm ratio) gives them back."""
    n, cc, oc, r = 9, 0.6, 0.04, 5.5
    G = np.full((n, n), cc)
    np.fill_diagonal(G, 1.0)
    G[0, 1:] = G[1:, 0] = oc * r
    G[0, 0] = r * r
    assert np.allclose(endstate.coordinates(G[None])[0], [cc, oc, r])


def test_endstate_against_the_certified_attractor(cli_json):
    doc = cli_json("endstate", "--n", "16", "--width", "256", "--depth", 150, "--seeds", 4)
    t = doc["tables"][0]
    box = t["attractor"]
    # the box's midpoint is a fixed point of the float Gram map F(G) = K(C G C) (another route)
    from bnverify.core import gram
    from bnverify.core.arith import FloatContext

    n, (cc, oc, r) = 16, (sum(box[q]) / 2 for q in endstate.QUANTITIES)
    G = np.full((n, n), cc)
    np.fill_diagonal(G, 1.0)
    G[0, 1:] = G[1:, 0] = oc * r
    G[0, 0] = r * r
    H = gram.F(G, RELU, FloatContext())
    assert np.allclose(H / H[1, 1], G, atol=1e-9)
    row = t["rows"][0]
    assert row["seeds_used"] >= 3
    assert row["cluster_cos_gap"] < 0.1 and row["odd_cos_gap"] < 0.02 and row["norm_ratio_gap"] < 1.5
    assert cli_json("endstate", "--n", "5", "--width", "64", "--depth", 20, "--seeds", 2)["tables"][0]["attractor"] is None


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("argv", [
    ("decompose", "--n", "1"), ("decompose", "--activation", "softmax"), ("decompose", "--start", "uniform"),
    ("decompose", "--width", "0"), ("decompose", "--depth", "-1"), ("decompose", "--start", "clusters:x"),
    ("phase", "--n", "4..8", "--width", "64", "--depth", "10", "--seeds", "2", "--stages", "rc,bn"),
    ("phase", "--n", "1..8", "--width", "64", "--depth", "10", "--seeds", "2"),
    ("phase", "--n", "4..8", "--width", "0..64", "--depth", "10", "--seeds", "2"),
    ("phase", "--n", "4..8", "--width", "64", "--depth", "0", "--seeds", "2"),
    ("lyapunov", "--n", "8", "--width", "-4", "--layers", "10", "--seeds", "4"),
    ("lyapunov", "--n", "8", "--width", "64", "--layers", "0", "--seeds", "4"),
    ("lyapunov", "--n", "1", "--width", "64", "--layers", "10", "--seeds", "4"),
    ("lyapunov", "--n", "8", "--width", "64", "--layers", "10", "--seeds", "4", "--stages", "rc,swish"),
    ("endstate", "--n", "1"), ("endstate", "--n", "8,x"), ("endstate", "--width", "0..64"),
    ("endstate", "--depth", "0"), ("endstate", "--depth", "10", "--last", "20"),
])
def test_bad_input_is_one_line_and_exit_2(argv, run_cli):
    code, out, err = run_cli(*argv)
    assert code == 2 and not out
    assert len(err.strip().splitlines()) == 1 and "error" in err
