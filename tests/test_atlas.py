"""The atlas (bnverify atlas): the float infinite-width map for any activation against closed
forms and an independent 1-D recursion, weight variance in the simulator, and the command."""
import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from bnverify.core.activations import activation
from bnverify.derive import infinite_width as iw
from bnverify.sim import atlas, model

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def closed(name, q1, q2, c):
    kind = activation(name).closed
    v = kind(Fraction(q1).limit_denominator(10 ** 12), Fraction(q2).limit_denominator(10 ** 12),
             Fraction(c).limit_denominator(10 ** 12))["K"]
    return float(v.mid())


@pytest.mark.parametrize("name,tol", [("erf", 1e-4), ("sin", 1e-7), ("gelu", 1e-5), ("relu", 1e-2), ("identity", 1e-12)])
def test_the_float_kernel_against_closed_forms(name, tol):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 7))
    S = X @ X.T / 7
    K = iw.kernel(S, activation(name))
    for j in range(5):
        for k in range(j, 5):
            want = S[j, k] if name == "identity" else closed(name, S[j, j], S[k, k], S[j, k])
            assert abs(K[j, k] - want) < tol * max(1, abs(want)), (name, j, k, K[j, k], want)
    assert np.allclose(K, K.T)


def test_rc_is_the_centring():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((6, 6))
    G = X @ X.T
    C = np.eye(6) - 1 / 6
    assert np.allclose(iw.gram_map(G, activation("identity"), 3.0), 3.0 * C @ G @ C)


def simplex_scale(name, weight_var, n, q0=1.0, steps=4000):
    """The simplex family's scale recursion, independently (mpmath, the closed form): with
    G = d I + e (11^T - I), C G C = (d - e) C, so q = weight_var (d - e)(n - 1)/n is every
    point's variance and q' = weight_var (n - 1)/n (V(q) - K(q, q, -q/(n - 1)))."""
    mpmath.mp.dps = 30
    if name == "erf":
        K = lambda a, b, c: 2 / mpmath.pi * mpmath.asin(2 * c / mpmath.sqrt((1 + 2 * a) * (1 + 2 * b)))  # noqa: E731
    else:
        K = lambda a, b, c: mpmath.exp(-(a + b) / 2) * mpmath.sinh(c)                                    # noqa: E731
    q = mpmath.mpf(q0)
    for _ in range(steps):
        q = weight_var * mpmath.mpf(n - 1) / n * (K(q, q, q) - K(q, q, -q / (n - 1)))
    return q


@pytest.mark.parametrize("name", ["erf", "sin"])
def test_the_infinite_width_end_is_the_simplex_at_the_recursions_scale(name):
    """At sigma_w^2 = 2 the float map from a Gaussian batch ends in the simplex state whose
    variance is the fixed point of the independent 1-D recursion (mpmath, closed form)."""
    n, wv = 8, 2.0
    q_star = float(simplex_scale(name, wv, n))
    assert q_star > 0.1
    rng = np.random.default_rng(3)
    X = rng.standard_normal((n, n))
    G, info = iw.iterate(X @ X.T / n, activation(name), wv, depth=300)
    S = wv * (G - G.mean(0) - G.mean(1)[:, None] + G.mean())        # the next pre-activation
    assert iw.scale_verdict(info["log10_scale"], False) == "finite"
    assert np.allclose(np.diag(S), q_star, rtol=1e-6)
    off = S[~np.eye(n, dtype=bool)] / q_star
    assert np.allclose(off, -1 / (n - 1), atol=1e-6)


def test_the_scale_collapses_where_phi_prime_squared_times_sigma_is_below_one():
    """gelu: phi'(0) = 1/2, so at sigma_w^2 = 1 the variance shrinks like 4^-l near 0; tanh at
    sigma_w^2 = 1 (critical) decays slowly; erf at sigma_w^2 = 1 > pi/4 keeps a finite variance."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 6))
    G0 = X @ X.T / 6
    _, gelu = iw.iterate(G0, activation("gelu"), 1.0, depth=120)
    assert iw.scale_verdict(gelu["log10_scale"], False) == "collapses"
    _, erf = iw.iterate(G0, activation("erf"), 1.0, depth=300)
    assert iw.scale_verdict(erf["log10_scale"], False) == "finite"
    _, relu = iw.iterate(G0, activation("relu"), 1.0, depth=5)
    assert iw.scale_verdict(relu["log10_scale"], True) == "scale-free"


def test_weight_variance_scales_the_pre_activation():
    X = model.gaussian_batch(5, 32, 2, 0)
    one = model.propagate(X, 1, ("rc",), activation("identity"), rescale_each=False)
    four = model.propagate(X, 1, ("rc",), activation("identity"), rescale_each=False, weight_var=4.0)
    assert np.allclose(four, 2 * one)
    tanh_one = model.propagate(X, 1, ("rc",), activation("tanh"))
    assert np.allclose(tanh_one, np.tanh(one))


def test_a_cell_agrees_between_widths_and_infinite_width():
    """RC + ReLU at n = 8: most Gaussian starts end in a class with an odd point or the other
    fixed points; the finite-width odd point's cosine is near the certified attractor's (0.04 at
    n = 8: within sampling error), and the norm ratio near 5.1."""
    c = atlas.cell("relu", None, 1.0, 8, 1024, 200, 16, 1)
    fin = c["finite_width"]
    assert fin["scale"] == "scale-free" and c["infinite_width"]["scale"] == "scale-free"
    assert fin["fractions"]["odd_point"] > 0.3
    assert abs(fin["odd_cos"] - 0.04) < 0.08 and abs(fin["norm_ratio"] - 5.10) < 0.6


def test_the_command(cli_json, run_cli, tmp_path):
    doc = cli_json("atlas", "--activations", "relu,sin", "--n", "8", "--weight-var", "2", "--width", "64",
                   "--seeds", "4", "--depth", "30", "--starts", "1", "--plot", tmp_path / "a.png")
    import jsonschema

    from bnverify.commands import atlas as command
    jsonschema.validate(doc, json.loads((ROOT / "docs" / "schemas" / "atlas.json").read_text(encoding="utf-8")))
    labels = [r["label"] for r in doc["rows"]]
    assert labels == ["relu, any sigma_w^2", "sin, sigma_w^2 = 2"] and command.DEFAULT_ACTIVATIONS[0] == "relu"
    relu, sin = doc["rows"]
    assert relu["certified"]["attractor_every_n"]["status"] == "proved"
    assert relu["certified"]["smallest_n"]["status"] == "proved"
    cell = sin["certified"]["two_point"][0]         # the kernel's two-point cells of a non-homogeneous phi
    assert cell["n"] == 8 and cell["fixed_point"]["status"] == "proved" and cell["unstable"]["status"] == "proved"
    assert "spectral radius > 1" in cell["unstable"]["statement"]
    sx = sin["certified"]["simplex"][0]              # its simplex state: a stable fixed point (radius 0.9215)
    assert sx["n"] == 8 and sx["fixed_point"] == sx["stable"] == "proved" and "0.921" in sx["geometry"]["radius"]
    assert sin["cells"][0]["infinite_width"]["scale"] in ("finite", "drifting")
    assert (tmp_path / "a.png").stat().st_size > 1000
    code, out, _ = run_cli("atlas", "--activations", "tanh", "--n", "8", "--width", "32", "--seeds", "2",
                           "--depth", "10", "--starts", "1", "--no-certified")
    assert code == 0 and "tanh, sigma_w^2 = 1" in out and max(len(line) for line in out.splitlines()) <= 120


@pytest.mark.parametrize("argv,words", [
    (["--activations", "swish"], "unknown activation"),
    (["--weight-var", "0"], "positive rational"),
    (["--weight-var", "1..2"], "one positive rational"),
    (["--n", "2"], "below 3"),
    (["--alpha", "1/2", "--activations", "relu"], "only leaky_relu"),
    (["--alpha", "0..1/2"], "one value"),
    (["--width", "1"], "--width 1"),
])
def test_bad_input(run_cli, argv, words):
    code, _, err = run_cli("atlas", *argv)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1, err


def test_each_activation_keeps_its_own_parameter(run_cli):
    """elu's alpha defaults to 1 and leaky_relu's slope to 1/10 in one atlas; --alpha gives one value
    that every activation with a parameter must take (elu 3: yes; leaky_relu 3: no)."""
    code, out, _ = run_cli("atlas", "--activations", "elu,leaky_relu", "--weight-var", "2", "--n", "4", "--seeds", "2",
                           "--width", "32", "--depth", "5", "--starts", "1", "--no-certified")
    assert code == 0 and "elu(1), sigma_w^2 = 2" in out and "leaky_relu(1/10), any sigma_w^2" in out
    code, out, _ = run_cli("atlas", "--activations", "elu", "--alpha", "3", "--n", "4", "--seeds", "2", "--width", "32",
                           "--depth", "5", "--starts", "1", "--no-certified")
    assert code == 0 and "elu(3)" in out
    code, _, err = run_cli("atlas", "--activations", "elu,leaky_relu", "--alpha", "3", "--n", "4")
    assert code == 2 and "leaky_relu's range" in err and err.count("\n") == 1
