"""Symbolic derivations checked against independent computations: dense exact Jacobians
without the symmetry split, float finite differences, and explicit finite-width layers."""
import json
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from flint import fmpq, fmpq_mat, fmpq_poly

from bnverify.cli import main
from bnverify.core import arith, gram
from bnverify.derive import symbolic
from bnverify.core.activations import Activation

RELU = Activation("relu")
LEAKY = Activation("leaky_relu", Fraction(1, 10))


def _fmpq(x):
    x = sp.Rational(x)
    return fmpq(int(x.p), int(x.q))


def _dense_charpoly(act, n):
    J, _ = symbolic.dense_jacobian(act, n)
    M = fmpq_mat(J.rows, J.cols, [_fmpq(v) for v in J])
    return M.charpoly()


# the symbolic spectra (symbolic n; for leaky ReLU symbolic alpha too) are derived once per module
# (0.8 s and 2.2 s each): the tests below evaluate them at many n
@pytest.fixture(scope="module")
def relu_spectrum():
    return symbolic.configuration_spectrum(RELU)


@pytest.fixture(scope="module")
def leaky_spectrum():
    return symbolic.configuration_spectrum(symbolic.symbolic_activation("leaky_relu"))


@pytest.mark.parametrize("n", range(3, 11))
def test_closed_form_spectrum_matches_dense_jacobian(n, relu_spectrum):
    """The closed forms (symbolic n, evaluated at n) times the dropped eigenvalue 1 must give
    exactly the characteristic polynomial of the full n(n+1)/2 exact Jacobian."""
    spec = relu_spectrum
    t = fmpq_poly([0, 1])
    expected = t - 1                       # the direction G* itself
    total = 1
    for e in spec["eigenvalues"]:
        mult = int(e["multiplicity"].subs(symbolic.N, n))
        expected *= (t - _fmpq(e["value"].subs(symbolic.N, n))) ** mult
        total += mult
    assert total == n * (n + 1) // 2
    assert _dense_charpoly(RELU, n) == expected


@pytest.mark.parametrize("n", [3, pytest.param(4, marks=pytest.mark.slow), 5, pytest.param(6, marks=pytest.mark.slow)])
def test_leaky_closed_form_matches_dense_jacobian(n, leaky_spectrum):
    spec = leaky_spectrum
    t = fmpq_poly([0, 1])
    expected = t - 1
    for e in spec["eigenvalues"]:
        v = e["value"].subs({symbolic.N: n, symbolic.ALPHA: sp.Rational(1, 10)})
        expected *= (t - _fmpq(v)) ** int(e["multiplicity"].subs(symbolic.N, n))
    assert _dense_charpoly(LEAKY, n) == expected


def test_concrete_n_agrees_with_symbolic(relu_spectrum):
    sym = relu_spectrum
    conc = symbolic.configuration_spectrum(RELU, 9)
    want = {sp.Rational(e["value"]): int(e["multiplicity"]) for e in conc["eigenvalues"]}
    got = {e["value"].subs(symbolic.N, 9): int(e["multiplicity"].subs(symbolic.N, 9)) for e in sym["eigenvalues"]}
    assert got == want


def test_fixed_point_in_ball_arithmetic():
    """F(G*) = c G* re-checked in arb on the dense matrix (no quotient layout)."""
    ball = arith.get("ball", prec=200)
    for act in (RELU, LEAKY):
        for n in (3, 7, 12):
            fp = symbolic.fixed_point(act, n)
            G = ball.array(fp["state"].dense(n, symbolic.EXACT))
            c = ball.const(fp["scale_factor"])
            R = gram.F(G, act, ball) - G * c
            # sqrt(1 - rho) at rho = 1 costs half the bits: radius ~ 2^-100 at 200 bits
            assert all(r.contains(0) and r.rad() < 1e-25 for r in R.ravel())


def _moved_points(n, act, rng, eps, Y):
    """Points of the configuration (Gram G*) moved along Y by eps: a PSD-preserving curve."""
    fp = symbolic.fixed_point(act, n)
    G = np.array(fp["state"].dense(n, symbolic.EXACT), dtype=float)
    w, V = np.linalg.eigh(G)
    X = (V * np.sqrt(np.clip(w, 0, None))).T        # X^T X = G
    X = np.vstack([X, np.zeros((n, n))])            # room for new directions
    Xe = X + eps * Y
    return Xe.T @ Xe, X.T @ Y + Y.T @ X, float(fp["scale_factor"])


@pytest.mark.parametrize("act", [RELU, LEAKY], ids=["relu", "leaky"])
def test_jacobian_against_central_differences(act):
    rng = np.random.default_rng(3)
    n = 6
    f = arith.FLOAT
    Y = rng.normal(size=(2 * n, n))
    Gp, Gdot, _ = _moved_points(n, act, rng, 1e-4, Y)
    Gm, _, _ = _moved_points(n, act, rng, -1e-4, Y)
    G0, _, _ = _moved_points(n, act, rng, 0.0, Y)
    fd = (gram.F(Gp, act, f) - gram.F(Gm, act, f)) / 2e-4
    lin = gram.dF(G0, Gdot, act, f)
    # F is C^1 but not C^2 at the boundary rho = +-1: the error is O(eps^(1/2)), not O(eps^2)
    assert np.max(np.abs(fd - lin)) < 0.05 * np.max(np.abs(lin))
    # and at an interior point the agreement is tight
    X = rng.normal(size=(n + 2, n))
    G = X.T @ X
    H = rng.normal(size=(n, n))
    H = H + H.T
    fd = (gram.F(G + 1e-6 * H, act, f) - gram.F(G - 1e-6 * H, act, f)) / 2e-6
    assert np.allclose(fd, gram.dF(G, H, act, f), atol=1e-6)


@pytest.mark.parametrize("stages", [("rc",), ("rc", "rs")], ids=["rc", "rc+rs"])
@pytest.mark.parametrize("act", [RELU, LEAKY, Activation("identity")], ids=["relu", "leaky", "identity"])
def test_invariance_formulas_match_one_explicit_layer(stages, act):
    rng = np.random.default_rng(11)
    for n, d in ((3, 5), (7, 64), (12, 300)):
        inv = symbolic.invariance(stages, act if act is not LEAKY else symbolic.symbolic_activation("leaky_relu"))
        assert inv["holds"]
        subs = {symbolic.N: n, symbolic.ALPHA: sp.Rational(1, 10)}
        fv = sp.lambdify(inv["variable"], inv["v_prime"].subs(subs), "numpy")
        fu = sp.lambdify(inv["variable"], inv["u_prime"].subs(subs), "numpy")
        v, u = rng.normal(size=d), rng.normal(size=d)
        X = np.column_stack([v] * (n - 1) + [u])
        W = rng.normal(size=(d, d)) / np.sqrt(d)
        Z = W @ X
        Z = Z - Z.mean(axis=1, keepdims=True)
        if "rs" in stages:
            Z = Z / Z.std(axis=1, keepdims=True)
        Z = act.phi(Z)
        w = W @ (u - v)
        assert np.allclose(Z[:, : n - 1], np.asarray(fv(w), dtype=float)[:, None], atol=1e-10)
        assert np.allclose(Z[:, n - 1], np.asarray(fu(w), dtype=float), atol=1e-10)
        if act.name == "relu":
            assert abs(Z[:, 0] @ Z[:, n - 1]) < 1e-10


def test_norm_ratio_limit_is_n_minus_1():
    for stages in (("rc",), ("rc", "rs")):
        for act in (RELU, symbolic.symbolic_activation("leaky_relu")):
            lim = symbolic.norm_ratio(stages, act)["limit"]
            assert sp.simplify(lim - (symbolic.N - 1)) == 0


def test_leaky_odd_cosine_closed_form():
    fp = symbolic.fixed_point(symbolic.symbolic_activation("leaky_relu"))
    # against an independent Monte Carlo estimate of E[phi(g) phi(-g)] / E[phi(g)^2]
    g = np.random.default_rng(0).normal(size=2_000_000)
    a = 0.3
    phi = lambda x: np.where(x > 0, x, a * x)
    mc = np.mean(phi(g) * phi(-g)) / np.mean(phi(g) ** 2)
    assert abs(float(fp["odd_cos"].subs(symbolic.ALPHA, sp.Rational(3, 10))) - mc) < 5e-3


def test_stability_statement_is_decided_exactly(relu_spectrum, leaky_spectrum):
    for spectrum in (relu_spectrum, leaky_spectrum):
        summ = symbolic.stability_summary(spectrum)
        assert summ["linearly_unstable"] is True
        grows = [p for p in summ["per_eigenvalue"] if p["relation_to_1"] == ">"]
        assert len(grows) == 1 and "spread inside the cluster" in grows[0]["mode"]
    # the positivity certificate says nothing it cannot show
    assert symbolic.compare_to(symbolic.N - 5, 0) is None


def test_jacobian_cli_json(cli_json):
    out = cli_json("jacobian", "--symbolic")
    n = sp.Symbol("n")
    vals = {sp.simplify(sp.sympify(e["value"]) - n ** 2 / (n ** 2 - 2 * n + 2)) == 0 for e in out["eigenvalues"]}
    assert True in vals
    total = sum(sp.sympify(e["multiplicity"]) for e in out["eigenvalues"])
    assert sp.simplify(total - (n * (n + 1) / 2 - 1)) == 0
    out = cli_json("jacobian", "--n", "6")
    assert sum(e["multiplicity"] for e in out["eigenvalues"]) == 20


@pytest.mark.parametrize("alpha", [None, "0", "1/10", "1/2"])
def test_jacobian_names_the_state_it_linearizes_at(alpha, capsys):
    """Issue 20, class 8: with alpha = 1/10 the text was headed 'Configuration O_n', showed the odd
    cosine -20/101 and ended 'The configuration is a linearly UNSTABLE fixed point'.  The odd
    point's cosine is -2 alpha/(1 + alpha^2) (kappa(-1)/kappa(1) of the leaky kernel, written out
    here); the state is O_n only where that is 0, else the two-point state."""
    argv = ["jacobian", "--n", "6"] + ([] if alpha is None else ["--stages", "rc,leaky_relu", "--alpha", alpha])
    a = Fraction(alpha or 0)
    cos = -2 * a / (1 + a * a)
    name = "O_n" if cos == 0 else "the two-point state"
    assert main(argv) == 0
    text = capsys.readouterr().out
    first, last = text.splitlines()[0], [x for x in text.splitlines() if "UNSTABLE" in x][0]
    assert first.startswith("Linearization at %s: " % name), first
    assert ("orthogonal to them" if cos == 0 else "at cosine %s to them" % cos) in first, first
    assert last.strip().startswith(name[0].upper() + name[1:] + " is a linearly UNSTABLE fixed point"), last
    assert cos == 0 or "O_n" not in text
    assert main(argv + ["--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["state"] == name and Fraction(doc["fixed_point"]["odd_cos"]) == cos
    assert doc["stability"].startswith(name[0].upper() + name[1:])


def test_jacobian_symbolic_alpha_names_both_states(capsys):
    assert main(["jacobian", "--symbolic", "--stages", "rc,leaky_relu", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "the two-point state (O_n at alpha = 0)"
    assert main(["jacobian", "--symbolic", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "O_n"


@pytest.mark.parametrize("argv", [["--n", "2"], ["--n", "5", "--stages", "rc,leaky_relu", "--alpha", "1"],
                                  ["--n", "5", "--stages", "rc,bogus"], ["--n", "5", "--stages", "rc,rs,relu"]])
def test_jacobian_bad_input(argv, run_cli):
    code, _, err = run_cli("jacobian", *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
