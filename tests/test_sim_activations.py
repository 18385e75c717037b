"""The five simulators (simulate, phase, endstate, lyapunov, decompose) take every registered
activation and a user formula, and the weight variance sigma_w^2 (--weight-var): W iid
N(0, sigma_w^2/d).  For a positively homogeneous phi sigma_w^2 only scales (the same geometry);
for tanh it changes the scale, checked against a network written out here in plain numpy."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from bnverify.core import activations
from bnverify.core.activations import Activation

STAGE_ACTS = activations.names(lambda k: k.stage)
FORMULA = "x*erf(x) + x"            # not in the registry, not homogeneous, no collapse of the scale
SIMULATORS = ("simulate", "phase", "endstate", "lyapunov", "decompose")
TINY = {
    "simulate": ["--n", "4", "--width", "16", "--depth", "3", "--seeds", "2"],
    "phase": ["--n", "4", "--width", "8", "--depth", "2", "--seeds", "1", "--jobs", "1"],
    "endstate": ["--n", "4", "--width", "8", "--depth", "3", "--seeds", "2"],
    "lyapunov": ["--n", "4", "--width", "32", "--depth", "3", "--seeds", "2"],
    "decompose": ["--n", "3", "--width", "4", "--depth", "2", "--seeds", "1", "--jobs", "1"],
}


def test_every_stage_activation_is_registered_here():
    assert set(STAGE_ACTS) == {"relu", "leaky_relu", "identity", "abs", "gelu", "silu", "tanh", "erf", "elu",
                               "softplus", "sigmoid", "sin"}


@pytest.mark.parametrize("name", STAGE_ACTS)
@pytest.mark.parametrize("command", ("simulate", "phase", "endstate", "lyapunov"))
def test_every_activation_runs(command, name, cli_json):
    doc = cli_json(command, *TINY[command], "--stages", "rc," + name, "--weight-var", "2")
    stages = doc["params"]["stages"] + [doc["params"]["activation"]] if command == "simulate" else doc["stages"]
    assert stages == ["rc", name]
    assert (doc["params"] if command == "simulate" else doc)["weight_var"] == "2"


@pytest.mark.parametrize("name", [a for a in STAGE_ACTS if Activation(a).slope is None])
def test_decompose_takes_every_activation(name, cli_json):
    """(The ReLU family's rows go through the catalogue: tests/test_decompose.py.)"""
    doc = cli_json("decompose", *TINY["decompose"], "--stages", "rc," + name)
    assert doc["stages"] == ["rc", name] and [r["stages"] for r in doc["rows"]] == [[], ["rc"], [name], ["rc", name]]
    nl = [r["infinite_width"] for r in doc["rows"] if name in r["stages"]]
    assert all(f["verdict"] == "inconclusive" and f["evidence"]["reason"] for f in nl)


@pytest.mark.parametrize("command", SIMULATORS)
def test_a_user_formula_enters_beside_the_normalizing_stages(command, cli_json, run_cli):
    stages = ["--stages", "rc,rs" if command == "decompose" else "rc"]
    doc = cli_json(command, *TINY[command], *stages, "--activation", FORMULA)
    assert (doc["params"] if command == "simulate" else doc)["formula"] == FORMULA
    code, out, err = run_cli(command, *TINY[command], *stages, "--activation", FORMULA, "--alpha", "1/2")
    assert code == 2 and not out and len(err.strip().splitlines()) == 1 and "not a formula" in err


@pytest.mark.parametrize("command", SIMULATORS)
def test_a_formula_with_an_unknown_token_is_one_line_naming_it(command, run_cli):
    code, out, err = run_cli(command, *TINY[command], "--activation", "x*foo(x)")
    assert code == 2 and not out and len(err.strip().splitlines()) == 1 and "'foo'" in err, err
    code, out, err = run_cli(command, *TINY[command], "--stages", "rc,relu", "--activation", "x*erf(x)")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not both" in err, err


@pytest.mark.parametrize("value,says", [("0", "must be > 0"), ("-1", "cannot be negative"), ("inf", "finite"),
                                        ("nan", "finite"), ("abc", "not a rational"), ("1e99999", "exponent")])
@pytest.mark.parametrize("command", SIMULATORS)
def test_a_bad_weight_variance_is_one_line(command, value, says, run_cli):
    code, out, err = run_cli(command, *TINY[command], "--weight-var=" + value)
    assert code == 2 and not out and len(err.strip().splitlines()) == 1 and says in err and "--weight-var" in err, err


def test_elu_takes_any_positive_alpha_and_leaky_relu_keeps_its_range(cli_json, run_cli):
    doc = cli_json("simulate", *TINY["simulate"], "--stages", "rc,elu", "--alpha", "1/2")
    assert doc["params"]["activation"] == "elu" and doc["params"]["alpha"] == "1/2"
    assert cli_json("simulate", *TINY["simulate"], "--stages", "rc,elu", "--alpha", "3")["params"]["alpha"] == "3"
    assert cli_json("simulate", *TINY["simulate"], "--stages", "rc,elu")["params"]["alpha"] == "1"
    for stages, alpha, says in (("rc,elu", "0", "(0, 100]"), ("rc,elu", "-1/2", "(0, 100]"),
                                ("rc,leaky_relu", "1", "[0, 1)"), ("rc,tanh", "1/2", "parameter")):
        code, _, err = run_cli("simulate", *TINY["simulate"], "--stages", stages, "--alpha=" + alpha)
        assert code == 2 and len(err.strip().splitlines()) == 1 and says in err, err


@pytest.mark.parametrize("name", ["silu", "softplus", "sigmoid", "elu", "gelu", "tanh", "erf"])
def test_float_phi_is_finite_and_right_far_out(name):
    """At |x| = 1000 the formula read literally overflows (exp(1000)); the registered float forms
    give the right values and derivatives, with no floating-point warning."""
    act = Activation(name)
    f, df = act.mp(0), act.mp(1)             # mpmath: no overflow at these x
    xs = np.array([-1000.0, -40.0, 40.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):     # underflow to 0 is right
        y, dy = act.phi(xs), act.dphi(xs)
    assert np.isfinite(y).all() and np.isfinite(dy).all()
    with mpmath.workdps(60):                 # log(1 + e^-40) needs more than 15 digits
        want, dwant = [float(f(mpmath.mpf(x))) for x in xs], [float(df(mpmath.mpf(x))) for x in xs]
    assert np.allclose(y, want, rtol=1e-13, atol=1e-300) and np.allclose(dy, dwant, rtol=1e-13, atol=1e-300)


def test_an_overflowing_formula_stops_in_one_line(run_cli):
    code, out, err = run_cli("simulate", "--n", "4", "--width", "16", "--depth", "200", "--seeds", "2",
                             "--activation", "x*exp(x)", "--weight-var", "4")
    assert code == 2 and not out and len(err.strip().splitlines()) == 1 and "not finite" in err, err


@pytest.mark.parametrize("command", SIMULATORS)
def test_help_lists_every_registered_activation_and_the_weight_variance(command, run_cli):
    code, out, _ = run_cli(command, "--help")
    text = " ".join(out.split())
    assert code == 0 and "--weight-var" in text and "sigma_w^2" in text
    assert all(name in text for name in STAGE_ACTS), [n for n in STAGE_ACTS if n not in text]


# ---------------------------------------------------------------- sigma_w^2: scale only, or dynamics
def _numpy_network(stages, phi, n, d, depth, weight_var, base_seed, seed):
    """The model written out: X_0 iid N(0, 1) and W iid N(0, weight_var/d) drawn literally from the
    streams the simulator documents (default_rng([base, s, 0]) and [base, s, 1]), RC, phi; no
    rescaling.  Returns the Gram matrices X^T X / d of every layer."""
    X = np.random.default_rng([base_seed, seed, 0]).standard_normal((d, n))
    g = np.random.default_rng([base_seed, seed, 1])
    out = []
    for _ in range(depth):
        Z = np.sqrt(weight_var / d) * (g.standard_normal((d, d)) @ X)
        if "rc" in stages:
            Z = Z - Z.mean(axis=1, keepdims=True)
        X = phi(Z)
        out.append(X.T @ X / d)
    return out


def _geometry(G):
    nr = np.sqrt(np.diag(G))
    return G / np.outer(nr, nr), nr / nr.mean()


def test_relu_is_scale_free_in_the_weight_variance(cli_json):
    """relu: sigma_w^2 = 4 and 1 give the same geometry, seed for seed (the simulator and the
    numpy network); the numpy network's scale is 2^depth times larger, as homogeneity says."""
    args = ("--n", "6", "--width", "32", "--depth", "12", "--seeds", "3", "--sampler", "weights")
    one, four = (cli_json("simulate", *args, "--weight-var", w)["seeds"] for w in ("1", "4"))
    for a, b in zip(one, four):
        assert a["odd_index"] == b["odd_index"]
        for key in ("norm_ratio", "max_abs_cos_odd", "min_cos_others"):
            assert abs(a[key] - b[key]) <= 1e-9 * max(1, abs(a[key])), key
    relu = lambda z: np.maximum(z, 0)           # noqa: E731
    G1 = _numpy_network(("rc",), relu, 6, 32, 12, 1.0, 0, 0)[-1]
    G4 = _numpy_network(("rc",), relu, 6, 32, 12, 4.0, 0, 0)[-1]
    (C1, r1), (C4, r4) = _geometry(G1), _geometry(G4)
    assert np.allclose(C1, C4, atol=1e-12) and np.allclose(r1, r4, atol=1e-12)
    assert np.isclose(np.trace(G4) / np.trace(G1), 4.0 ** 12, rtol=1e-9)
    ratio = r1.max() / np.delete(r1, r1.argmax()).mean()      # the simulator's norm ratio, seed 0
    assert abs(ratio - one[0]["norm_ratio"]) <= 1e-9 * ratio


def test_tanh_feels_the_weight_variance(cli_json):
    """tanh: the scale (the mean square of an entry) at sigma_w^2 = 4 is the numpy network's,
    and not the one at sigma_w^2 = 1 (nothing is rescaled: the scale is the state)."""
    n, d, depth = 5, 24, 8
    args = ("--n", str(n), "--width", str(d), "--depth", str(depth), "--seeds", "2", "--sampler", "weights",
            "--stages", "rc,tanh")
    for w in (1, 4):
        doc = cli_json("simulate", *args, "--weight-var", str(w))
        assert doc["params"]["rescaled_each_layer"] is False
        for s in (0, 1):
            G = _numpy_network(("rc",), np.tanh, n, d, depth, float(w), 0, s)[-1]
            assert abs(doc["seeds"][s]["scale"] - np.trace(G) / n) <= 1e-10
            C, r = _geometry(G)
            odd = int(np.argmax(r))
            assert doc["seeds"][s]["odd_index"] == odd
            assert abs(doc["seeds"][s]["max_abs_cos_odd"] - np.abs(np.delete(C[odd], odd)).max()) <= 1e-10
    s1, s4 = (cli_json("simulate", *args, "--weight-var", w)["seeds"][0]["scale"] for w in ("1", "4"))
    assert s4 > 3 * s1          # the tanh map q -> E[tanh(sqrt(sigma_w^2 q) Z)^2]: larger, not the same


def test_lyapunov_rate_scale_free_for_relu_and_not_for_tanh(cli_json):
    small = ("--n", "6", "--width", "32", "--depth", "20", "--seeds", "3")
    one, four = (cli_json("lyapunov", *small, "--weight-var", w) for w in ("1", "4"))
    assert np.allclose(one["per_seed"], four["per_seed"], rtol=1e-9, atol=1e-12)
    assert one["infinite_width"] == four["infinite_width"] and one["spread_eigenvalue"] == "18/13"
    t1, t4 = (cli_json("lyapunov", *small, "--stages", "rc,tanh", "--weight-var", w) for w in ("1", "4"))
    assert not np.allclose(t1["per_seed"], t4["per_seed"], rtol=1e-3)
    assert t1["infinite_width"] is None and t1["spread_eigenvalue"] is None
    assert "closed form" in t1["infinite_width_note"] and "relu" in t1["infinite_width_note"]


def test_lyapunov_tangent_dynamics_of_a_smooth_phi_is_its_derivative():
    """The spread rate of a non-homogeneous phi against a finite difference of the network
    itself: two cluster points a small t apart, pushed through the exact layer (RC then phi)
    with the same W; their log separation per layer matches the tangent dynamics."""
    from bnverify.sim import lyapunov_rate, model

    act, n, d, layers = Activation("tanh"), 5, 48, 6
    rate = lyapunov_rate.spread_rates(act, n, d, layers, [0], 7, burn=0, weight_var=2)[0]
    # the same draws as the simulator (seed 0 of base 7): Xi per layer, the initial spread
    g = model.seed_rngs(7, [0], model.WEIGHT_STREAM)[0]
    t = model.seed_rngs(7, [0], model.DATA_STREAM)[0].standard_normal((d, 1))[:, 0]
    t[:2] = 0
    t /= np.linalg.norm(t)
    v, u = np.sqrt(d) * np.eye(d)[0], np.sqrt(d) / (n - 1) * (n - 1) * np.eye(d)[1]
    eps, total = 1e-7, 0.0
    for _ in range(layers):
        M = np.stack([u - v, t], axis=1)
        R = model.gram_root(M[None])[0]
        WM = np.sqrt(2.0) * (g.standard_normal((d, 2)) @ R)          # the law of W [u - v, t], W ~ N(0, 2/d)
        w, wt = WM[:, 0], WM[:, 1]
        a, b = np.tanh(-w / n + eps * wt / 2), np.tanh(-w / n - eps * wt / 2)   # two cluster points, centred
        v_new, u_new = np.tanh(-w / n), np.tanh((n - 1) * w / n)
        spread = (a - b) / eps
        total += np.log(np.linalg.norm(spread) / np.linalg.norm(v_new) * np.linalg.norm(v))
        v, u, t = v_new, u_new, spread / np.linalg.norm(spread)
    assert abs(total / layers - rate) < 1e-6


def test_decompose_marks_the_rows_the_weight_variance_moves(cli_json):
    doc = cli_json("decompose", *TINY["decompose"], "--stages", "rc,rs,tanh", "--weight-var", "2")
    moved = {",".join(r["stages"]) for r in doc["rows"] if "sigma_w^2 = 1" in r["infinite_width"]["evidence"].get(
        "reason", "")}
    assert moved == {"tanh", "rc,tanh"}
    assert "tanh, rc,tanh" in doc["weight_var_note"] and doc["weight_var"] == "2"
    same = cli_json("decompose", *TINY["decompose"], "--stages", "rc,rs,tanh")
    for a, b in zip(doc["rows"], same["rows"]):
        if ",".join(a["stages"]) not in moved:
            assert a["infinite_width"]["verdict"] == b["infinite_width"]["verdict"]


def test_endstate_without_a_certified_attractor_says_so(cli_json):
    doc = cli_json("endstate", "--n", "7", "--width", "8", "--depth", "4", "--seeds", "2", "--stages", "rc,gelu",
                   "--weight-var", "3")           # at 2 the kernel proves there is none (tests/test_spread_kernel.py)
    assert doc["attractor_note"] and "rc,relu" in doc["attractor_note"]
    assert all(t["attractor"] is None for t in doc["tables"])
    relu = [cli_json("endstate", "--n", "7", "--width", "8", "--depth", "4", "--seeds", "2", "--weight-var", w)
            for w in ("1", "4")]
    assert relu[0]["attractor_note"] is None and relu[0]["tables"][0]["attractor"] == relu[1]["tables"][0]["attractor"]
    assert Fraction(relu[1]["weight_var"]) == 4
