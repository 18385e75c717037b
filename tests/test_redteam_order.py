"""Red team (rt-order) of issue 23 items 5 and 6: RS then NL within the symmetric family, and BN
after the activation (relu,rc by the conjugation lemma, relu,rc,rs's regular simplex).

Independent models are written here (numpy / mpmath), not taken from bnverify.  Defects are
xfail(strict=True) with the reason; the rest are independent checks that passed."""
import json
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest

from bnverify import trusted


# ---------------------------------------------------------------- an independent dense model
def _kernel(S, al):
    """Leaky ReLU(al)'s K(S), entrywise: sqrt(S_jj S_kk) kappa(rho), kappa(1) = A, kappa(-1) = -al."""
    d = np.sqrt(np.clip(np.diag(S), 0, None))
    R = np.outer(d, d)
    rho = np.clip(np.divide(S, R, out=np.zeros_like(S), where=R > 0), -1, 1)
    A, B = (1 + al * al) / 2, (1 - al) ** 2 / (2 * np.pi)
    return R * (A * rho + B * (np.sqrt(1 - rho ** 2) - rho * np.arccos(rho)))


def _C(n):
    return np.eye(n) - 1.0 / n


def _two_point(n, cos_odd, ratio):
    """n - 1 identical unit points and one odd point (cosine cos_odd to them, norm ratio)."""
    G = np.ones((n, n))
    G[:n - 1, n - 1] = G[n - 1, :n - 1] = cos_odd * ratio
    G[n - 1, n - 1] = ratio ** 2
    return G


def _is_ray(X, H):
    c = X[0, 0] / H[0, 0]
    return np.allclose(X, c * H, atol=1e-12), c


def _verdict(run_cli, *argv):
    code, out, err = run_cli("check", *argv, "--json")
    assert code in (0, 1, 3), err
    return json.loads(out)


# ---------------------------------------------------------------- (b) NL then RC: the map P is not injective
@pytest.mark.parametrize("al", [0.0, 0.5, 1.0])
def test_C_On_C_is_a_fixed_ray_of_NL_then_RC_for_every_slope(al):
    """Independent: F'(H) = C K(H) C fixes C O_n C (odd point anti-parallel, rank one) at every
    slope, identity included, while O_n itself is never a fixed ray of F' (its rows do not sum to 0).
    And C O_n C = C G_2pt C for every two-point state: the post-activation states coincide."""
    n = 5
    C = _C(n)
    On = _two_point(n, 0.0, 1.0)
    H = C @ On @ C
    ok, c = _is_ray(C @ _kernel(H, al) @ C, H)
    assert ok and c > 0
    assert not _is_ray(C @ _kernel(On, al) @ C, On)[0]
    H2 = C @ _two_point(n, -0.3, 2.0) @ C
    assert np.allclose(H2 / H2[0, 0], H / H[0, 0])
    assert np.isclose(H[0, n - 1] / np.sqrt(H[0, 0] * H[n - 1, n - 1]), -1)      # anti-parallel, not orthogonal


@pytest.mark.parametrize("argv", [("--stages", "identity,rc"), ("--stages", "leaky_relu,rc", "--alpha", "1/2")],
                         ids=["identity", "leaky-1/2"])
def test_post_activation_configuration_is_not_refuted(run_cli, argv):
    doc = _verdict(run_cli, *argv, "--n", "5", "--property", "fixed-point", "--state", "configuration")
    assert doc["verdict"] != "refuted", doc["evidence"].get("reason")


def test_post_activation_configuration_and_two_point_agree(run_cli):
    base = ("--stages", "leaky_relu,rc", "--alpha", "1/2", "--n", "5", "--property", "spectral-radius",
            "--relation", ">", "--bound", "1")
    two = _verdict(run_cli, *base, "--state", "two-point")
    conf = _verdict(run_cli, *base, "--state", "configuration")
    assert two["verdict"] == "proved"
    # the same post-activation Gram matrix: never refuted (inconclusive: O_n itself is not RC then NL's fixed
    # point, and the kernel carries only fixed rays of RC then NL)
    assert conf["verdict"] in (two["verdict"], "inconclusive"), conf["evidence"].get("reason")


def test_post_activation_statement_names_the_post_state():
    def st(state):
        return trusted.goal({"property": "fixed-point", "stages": ["nl", "rc"], "activation": "relu",
                             "domain": {"n": "5"}, "params": {"state": state}})[1].statement
    simplex, conf = st("simplex"), st("configuration")
    assert "kappa(-1/(n-1))/kappa(1)" not in simplex or "geometry is G*'s" in simplex
    assert "orthogonal to them) is a fixed point" not in conf or "geometry is G*'s" in conf


# ---------------------------------------------------------------- (b) NL, RC, RS: the regular simplex
@pytest.mark.parametrize("n,al", [(3, 0.0), (3, 0.5), (4, 1.0), (6, 0.25)])
def test_regular_simplex_is_fixed_with_rs_after_the_activation(n, al):
    """Independent Monte Carlo of y = RS(C phi(z)), z ~ N(0, n/(n-1) C); and the kernel proves it."""
    rng = np.random.default_rng(11 + n)
    C = _C(n)
    z = rng.standard_normal((120_000, n)) @ C * np.sqrt(n / (n - 1))
    x = np.where(z > 0, z, al * z) @ C
    y = np.sqrt(n) * x / np.linalg.norm(x, axis=1, keepdims=True)
    assert np.allclose(y.T @ y / len(y), n / (n - 1) * C, atol=0.02)
    act = {0.0: "relu", 1.0: "identity"}.get(al, "leaky_relu")
    dom = {"n": str(n)} if act != "leaky_relu" else {"n": str(n), "alpha": str(Fraction(al))}
    c, g = trusted.goal({"property": "fixed-point", "stages": ["nl", "rc", "rs"], "activation": act,
                         "domain": dom, "params": {"state": "simplex"}})
    assert g.decide([])[0] == "proved" and "n/(n-1) C" in g.statement


# ---------------------------------------------------------------- (a) RS then NL within the family
def _image(n, r, al=0.0):
    """(d, o) = (G'_jj, G'_jk) by mpmath quadrature of the Laplace representation derived by hand
    (v = 1 + 2s, weight v^(-(n+1)/2) (n - 1 + r v), cosine (r v - 1)/(r v + n - 1)); sampled below."""
    A = (1 + al * al) / 2
    kap = lambda c: A * c + (1 - al) ** 2 / (2 * mp.pi) * (mp.sqrt(max(0, 1 - c * c)) - c * mp.acos(min(c, 1)))  # noqa
    w = lambda v: v ** (-mp.mpf(n + 1) / 2) * (n - 1 + r * v)                                        # noqa: E731
    c = lambda v: (r * v - 1) / (r * v + n - 1)                                                        # noqa: E731
    return (mp.quad(lambda v: w(v) * A, [1, 10, mp.inf]) / 2,
            mp.quad(lambda v: w(v) * kap(c(v)), [1, 10, 100, mp.inf]) / 2)


@pytest.mark.parametrize("n", [4, 7, 10])
def test_rs_then_relu_reduction_against_sampling_and_its_rate(n):
    mp.mp.dps = 20
    r = 0.3
    d, o = _image(n, mp.mpf(r))
    assert abs(d - (1 + r / (n - 3)) / 2) < 1e-12                       # A (1 + r/(n-3)), A = 1/2
    rng = np.random.default_rng(n)
    g = rng.standard_normal((300_000, n))
    x = g - g.mean(axis=1, keepdims=True)
    z = x + np.sqrt(r / n) * rng.standard_normal((len(g), 1))
    p = np.maximum(np.sqrt(n) * z / np.linalg.norm(x, axis=1, keepdims=True), 0)
    s = p[:, 0] * p[:, 1]
    assert abs(s.mean() - float(o)) < 5 * s.std() / np.sqrt(len(s)) + 1e-3
    R = mp.mpf(10) ** 6
    d, o = _image(n, R)
    ratio = (1 - o / d) / (n / (R + n - 1))
    assert abs(ratio - mp.mpf(n - 3) / (n - 1)) < 2e-3
    st = trusted.goal({"property": "stage-fact", "stages": ["rs"], "activation": "relu", "domain": {"n": str(n)},
                       "params": {}})[1].statement
    assert "shrinking by %s per layer" % Fraction(n - 3, n - 1) in st


# ---------------------------------------------------------------- orders
@pytest.mark.parametrize("stages", ["rs,rc,relu", "relu,rs", "rc,relu,rs", "relu,rs,rc", "rs,relu,rc"])
def test_bad_orders_are_one_line_usage_errors(run_cli, stages):
    code, out, err = run_cli("check", "--stages", stages, "--n", "5", "--property", "fixed-point")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


# ---------------------------------------------------------------- (b) what the tests and the corpus say
def test_post_activation_norm_ratio_is_exactly_n_minus_1_at_every_width():
    """phi then RC on a two-point batch (cluster v, odd u, any W, any width): v' = (phi(Wv) - phi(Wu))/n,
    u' = -(n - 1) v', so ||u'||/||v'|| = n - 1 exactly; the post claim norm-ratio-limit = n - 1 is true."""
    rng = np.random.default_rng(5)
    for n, d, al in ((2, 3, 0.0), (5, 17, 0.0), (9, 64, 0.3)):
        v, u = rng.standard_normal(d), rng.standard_normal(d)
        X = np.column_stack([v] * (n - 1) + [u])
        Z = rng.standard_normal((d, d)) @ X
        Y = np.where(Z > 0, Z, al * Z) @ _C(n)
        assert np.isclose(np.linalg.norm(Y[:, -1]) / np.linalg.norm(Y[:, 0]), n - 1)


def test_corpus_after_norm_ratio_states_a_false_value():
    """The case 'after-norm-ratio' was labelled false while its statement (n - 1) is true; it now
    states n, which is false (the ratio is exactly n - 1, test above)."""
    import pathlib
    import tomllib
    cases = tomllib.loads((pathlib.Path(__file__).parent / "soundness" / "corpus.toml").read_text())["case"]
    case = next(c for c in cases if c["id"] == "after-norm-ratio")
    assert case["truth"] == "false" and case["args"][-1] == "n", case


def test_zero_eigenvalues_agree_at_the_attractor_too(cli_json):
    """tests/test_after_activation.py says 'At the spread attractor (n = 7) the zero eigenvalues differ in
    number': with the 20-digit enclosures now printed, F and F' both have 7 (AB and BA, one charpoly)."""
    import test_after_activation as T
    n = 7
    row = cli_json("attractor", "--stages", "relu,rc", "--n", str(n), "--jobs", "1")["results"][0]
    F, Fp, C = T._maps(n)
    G = T._attractor(row, n)
    c = F(G)[0, 0] / G[0, 0]
    a = np.linalg.eigvals(T._jacobian(F, G) / c)
    b = np.linalg.eigvals(T._jacobian(Fp, C @ G @ C) / c)
    assert sum(abs(a) < 1e-5) == sum(abs(b) < 1e-5) == 7
    assert np.allclose(np.sort_complex(a), np.sort_complex(b), atol=1e-5)


@pytest.mark.parametrize("act", ["identity", "tanh"])
def test_refusal_names_the_order_typed(run_cli, act):
    code, out, err = run_cli("simplex", "--stages", act + ",rc", "--n", "4", "--jobs", "1")
    assert code == 2
    assert "rc," + act not in err, err


def test_post_activation_asymptotics_are_marked_or_the_post_states(cli_json):
    doc = cli_json("attractor", "--stages", "relu,rc", "--n", "7..", "--jobs", "1")
    post = doc["results"][-1]["post_state"]["odd_cos"]
    assert float(post[1]) < -0.9                                   # the post state's odd point: anti-parallel
    text = json.dumps(doc["asymptotics"])
    assert "G*" in text or "pre-activation" in text
