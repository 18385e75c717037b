"""The spread-cluster state of RC + a non-homogeneous activation in the trusted kernel
(kernel.py, _g_spread_smooth): where the collapse lemma holds (sigma_w^2 L^2 < 1, or = 1 for the
table's strict rows) every pairwise distance shrinks, so attractor-exists and attractor-stable are
refuted at every n and attractor-threshold's value "none" is proved; anywhere else the goal stays
undecided (Rejected), never proved or refuted without evidence."""
import copy
import json
from fractions import Fraction

import numpy as np
import pytest

from bnverify import trusted
from bnverify.core.activations import activation
from bnverify.derive import spread


def _claim(prop="attractor-exists", act="tanh", n="3..64", w="1", params=None, alpha=None):
    d = {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n},
         "params": params or {}, "weight_var": w}
    if alpha is not None:
        d["domain"]["alpha"] = alpha
    return d


COLLAPSED = [("tanh", "1", None), ("tanh", "1/2", None), ("sin", "1", None), ("sigmoid", "16", None),
             ("sigmoid", "3", None), ("erf", "3/4", None), ("softplus", "1", None), ("elu", "1", "1"),
             ("elu", "1", "1/2"), ("elu", "1/4", "2")]
OPEN = [("tanh", "2", None), ("tanh", "1001/1000", None), ("sin", "2", None), ("sigmoid", "17", None),
        ("erf", "1", None), ("erf", "4/5", None), ("softplus", "201/100", None), ("elu", "1", "2"),
        ("elu", "1/3", "2"), ("gelu", "201/100", None), ("silu", "3", None), ("gelu", "39/10", None),
        ("formula:tanh(x)", "1", None), ("formula:x*erf(x)", "1", None)]
TRACE = [("gelu", "2"), ("gelu", "1"), ("gelu", "1/4"), ("silu", "2"), ("silu", "1")]


@pytest.mark.parametrize("act,w,alpha", COLLAPSED)
def test_collapse_decides_every_attractor_property(act, w, alpha):
    for prop, params, want in (("attractor-exists", {}, "refuted"), ("attractor-stable", {}, "refuted"),
                               ("attractor-stable", {"relation": "<=", "bound": "2"}, "refuted"),
                               ("attractor-threshold", {"value": 7}, "refuted"),
                               ("attractor-threshold", {"value": "3"}, "refuted"),
                               ("attractor-threshold", {"value": "none"}, "proved")):
        v, st, why = trusted.decide(_claim(prop, act, w=w, params=params, alpha=alpha))
        assert v == want, (prop, params, v)
        assert "spread-cluster fixed point in the symmetric family" in st and "every pairwise distance" in why
        L2 = {"tanh": 1, "sin": 1, "sigmoid": Fraction(1, 16), "softplus": 1, "erf": None,
              "elu": max(1, Fraction(alpha or 0)) ** 2}[act]
        assert ("sigma_w^2 L^2 = 1" in why) == (L2 is not None and Fraction(w) * L2 == 1)
    # every n at once: the lemma has no n in it
    assert trusted.decide(_claim(act=act, n="3..", w=w, alpha=alpha))[0] == "refuted"


@pytest.mark.parametrize("act,w,alpha", OPEN)
def test_outside_the_regime_nothing_is_decided(act, w, alpha):
    for prop, params in (("attractor-exists", {}), ("attractor-stable", {}),
                         ("attractor-threshold", {"value": 7}), ("attractor-threshold", {"value": "none"})):
        with pytest.raises(trusted.Rejected, match="outside the lemmas' regimes"):
            trusted.decide(_claim(prop, act, w=w, params=params, alpha=alpha))


@pytest.mark.parametrize("act,w", TRACE)
def test_the_trace_lemma_decides_gelu_and_silu(act, w):
    """GELU and SiLU at sigma_w^2 <= 2: phi(t) = t g(t), g(t) + g(-t) = 1, 0 < g < 1, so E[phi^2] < s/2 and the trace of
    T(S) = sigma_w^2 C K(S) C falls below tr S for every S != 0: no fixed point with a spread, two-point or simplex
    state, at any n, without evidence."""
    for prop, params, want in (("attractor-exists", {}, "refuted"), ("attractor-stable", {}, "refuted"),
                               ("attractor-stable", {"relation": "<=", "bound": "2"}, "refuted"),
                               ("attractor-threshold", {"value": 7}, "refuted"),
                               ("attractor-threshold", {"value": "none"}, "proved")):
        v, st, why = trusted.decide(_claim(prop, act, w=w, params=params))
        assert v == want and "tr T(S) <= sigma_w^2 tr K_phi(S)" in why and "sigma_w^2 <= 2" in why, (prop, v, why)
    for state in ("two-point", "simplex"):
        claim = dict(_claim("fixed-point", act, n="5..9", w=w), params={"state": state})
        v, st, why = trusted.decide(claim)
        assert v == "refuted" and "no %s fixed point at any n" % state in why
    assert trusted.decide(_claim(act=act, n="3..", w=w))[0] == "refuted"


def _random_states(seed, spread):
    """(n, C, S) for 8 random centred PSD S at n = 3 and 5, scales e^U(-spread, spread)."""
    rng = np.random.default_rng(seed)
    for n in (3, 5):
        C = np.eye(n) - 1 / n
        for _ in range(8):
            A = rng.normal(size=(n, n)) * np.exp(rng.uniform(-spread, spread))
            yield n, C, C @ A @ A.T @ C


def _pair(S, i, j, x):
    """(X, Y) on the product grid x (x) x: x_i = M00 Z1, x_j = M10 Z1 + M11 Z2 with M M' = S's (i, j) block."""
    M = np.linalg.cholesky(np.array([[S[i, i], S[i, j]], [S[i, j], S[j, j]]]) + 1e-12 * np.eye(2))
    return M[0, 0] * x[:, None] + 0 * x[None, :], M[1, 0] * x[:, None] + M[1, 1] * x[None, :]


FLAT = [("softplus", "2"), ("softplus", "3/2"), ("softplus", "101/100")]


@pytest.mark.parametrize("act,w", FLAT)
def test_the_flat_lemma_decides_softplus(act, w):
    """softplus at 1 < sigma_w^2 <= 2 (past the Lipschitz lemma's 1): phi = t/2 + e, |e'| < 1/2, so every distance of the
    image is below sigma_w^2/2 times its own: every attractor property, the two-point and the simplex state, at every n,
    without evidence; the reason is this lemma's, not the Lipschitz one's."""
    for prop, params, want in (("attractor-exists", {}, "refuted"), ("attractor-stable", {}, "refuted"),
                               ("attractor-threshold", {"value": 7}, "refuted"),
                               ("attractor-threshold", {"value": "none"}, "proved")):
        v, st, why = trusted.decide(_claim(prop, act, n="3..", w=w, params=params))
        assert v == want and "|e'| < 1/2" in why and "sigma_w^2 L^2" not in why, (prop, v, why)
    for state in ("two-point", "simplex"):
        v, _, why = trusted.decide(dict(_claim("fixed-point", act, n="3..", w=w), params={"state": state}))
        assert v == "refuted" and "no %s fixed point with S != 0 at any n" % state in why


def test_the_flat_lemma_against_quadrature():
    """Independently (mpmath, numpy): e(t) = softplus(t) - t/2 is even with |e'| < 1/2, tending to 1/2 (the constant is
    sharp); and at random centred PSD S (n = 3, 5; 2-D Gauss-Hermite) every image distance at sigma_w^2 = 2 is below
    the pre-activations' own, while at 3 some grows."""
    import mpmath
    sp = lambda t: mpmath.log(1 + mpmath.exp(t))                     # noqa: E731
    for t in (mpmath.mpf("0.3"), mpmath.mpf(2), mpmath.mpf(17)):
        assert abs(sp(t) - sp(-t) - t) < mpmath.mpf(10) ** -12
        assert 0 < mpmath.diff(lambda u: sp(u) - u / 2, t) < mpmath.mpf(1) / 2
    assert mpmath.diff(lambda u: sp(u) - u / 2, mpmath.mpf(30)) > mpmath.mpf("0.4999")
    x, wts = np.polynomial.hermite_e.hermegauss(60)
    wts = wts / np.sqrt(2 * np.pi)
    grew = False
    for n, _, S in _random_states(5, 3):
        for i in range(n):
            for j in range(i + 1, n):
                D = S[i, i] + S[j, j] - 2 * S[i, j]                      # E[(x_i - x_j)^2]
                X, Y = _pair(S, i, j, x)
                d = np.sum(wts[:, None] * wts[None, :] * (np.logaddexp(0, X) - np.logaddexp(0, Y)) ** 2)
                assert 2 * d < D * (1 + 1e-9), (n, i, j, 2 * d / D)
                grew |= 3 * d > D
    assert grew


def _gelu_like(name):
    """phi for numpy arrays, by its own formula (math.erf; not the registry's)."""
    import math
    Phi = np.vectorize(lambda t: 0.5 * (1 + math.erf(t / math.sqrt(2))))
    return {"gelu": lambda t: t * Phi(t), "silu": lambda t: t / (1 + np.exp(-np.clip(t, -700, 700)))}[name]


@pytest.mark.parametrize("name", ["gelu", "silu"])
def test_the_trace_lemma_against_quadrature(name):
    """Independently: E[phi(sqrt(s) Z)^2] / s < 1/2 on s in [1e-4, 1e4] (mpmath), tending to 1/2 at large s; and the
    float map's trace tr(w C K(S) C) < tr S at random PSD S (n = 3, 5, 2-D Gauss-Hermite) at w = 2, while at w = 3 it
    exceeds tr S somewhere (the lemma stops at 2 for a reason)."""
    import mpmath
    f = {"gelu": lambda t: t * mpmath.ncdf(t), "silu": lambda t: t / (1 + mpmath.exp(-t))}[name]
    ratios = []
    for e in range(-4, 5):
        s = mpmath.mpf(10) ** e
        ratios.append(mpmath.quad(lambda z: f(mpmath.sqrt(s) * z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf]) / s)
    assert all(r < 0.5 for r in ratios) and ratios[-1] > 0.49
    phi = _gelu_like(name)
    x, wts = np.polynomial.hermite_e.hermegauss(40)
    wts = wts / np.sqrt(2 * np.pi)
    grew = False
    for n, C, S in _random_states(11, 3):
        K = np.zeros((n, n))                         # E[phi(x_i) phi(x_j)] by the product rule on (Z1, Z2)
        for i in range(n):
            for j in range(n):
                X, Y = _pair(S, i, j, x)
                K[i, j] = np.sum(wts[:, None] * wts[None, :] * phi(X) * phi(Y))
        for w, below in ((2.0, True), (3.0, False)):
            ratio = np.trace(w * C @ K @ C) / np.trace(S)
            if below:
                assert ratio < 1, (n, ratio)
            else:
                grew |= ratio > 1
    assert grew


def test_the_equality_case_names_its_strictness():
    """At sigma_w^2 L^2 = 1 the reason says why the shrinking is strict; below 1 it need not."""
    _, _, eq = trusted.decide(_claim(w="1"))
    _, _, lt = trusted.decide(_claim(w="1/2"))
    assert "sigma_w^2 L^2 = 1" in eq and "t < 0" in eq and "probability >= 1/2" in eq
    assert "sigma_w^2 L^2 < 1" in lt and "t < 0" not in lt


def test_other_models_and_values():
    """RC + RS, BN after phi and n = 2 have no goal here; "none" for ReLU has none (not the lemma's); a threshold
    outside the domain is still refused."""
    for bad in (dict(_claim(), stages=["rc", "rs"]), dict(_claim(), domain={"n": "2..5"}),
                _claim("attractor-threshold", "relu", n="3..6", params={"value": "none"})):
        with pytest.raises(trusted.NoGoal):
            trusted.decide(bad)
    with pytest.raises(trusted.NoGoal):
        trusted.decide(dict(_claim(), stages=["nl", "rc"]))
    with pytest.raises(trusted.NoGoal, match="integer n of the domain"):
        trusted.decide(_claim("attractor-threshold", params={"value": 99}))
    with pytest.raises((trusted.NoGoal, trusted.Rejected)):
        trusted.decide(_claim("attractor-threshold", params={"value": "None"}))


def test_the_lemma_against_the_float_family_map():
    """An independent look at the lemma's direction: the float family map's cluster distance
    q'(1 - rho') is below q(1 - rho) at random states for tanh at sigma_w^2 = 1 (the lemma), and
    above it somewhere at sigma_w^2 = 2 (where the kernel does not decide)."""
    rng = np.random.default_rng(5)
    for n in (3, 8):
        lo = -1 / (n - 2)
        q = np.exp(rng.uniform(np.log(1e-3), np.log(1e2), 300))
        rho = rng.uniform(lo, 0.999, 300)
        for w, shrink in ((1.0, True), (2.0, False)):
            qn, rn = spread.Family(activation("tanh"), n, w).map(q, rho)
            ratio = qn * (1 - rn) / (q * (1 - rho))
            assert np.all(ratio < 1) if shrink else np.any(ratio > 1)


def test_relabelled_certificates_fail(tmp_path, run_cli):
    """A kernel-checked refutation for tanh at sigma_w^2 = 1, relabelled to sigma_w^2 = 2, to gelu, to RC + RS, or
    to the verdict proved, fails check-cert (the lemma is the claim's own, never the certificate's)."""
    from bnverify.claims.certificate import finish
    c = _claim()
    v, st, _ = trusted.decide(c)
    cert = finish(c, v, trusted.kernel.METHODS[0], st, [])
    assert trusted.check(cert)[0]
    for edit in (lambda d: d["claim"].update(weight_var="2"), lambda d: d["claim"].update(activation="gelu"),
                 lambda d: d["claim"].update(activation="erf"), lambda d: d.update(verdict="proved"),
                 lambda d: d["claim"].update(stages=["rc", "rs"]),
                 lambda d: d["claim"].update(property="attractor-threshold", params={"value": "none"})):
        bad = copy.deepcopy(cert)
        edit(bad)
        bad = finish(bad["claim"], bad["verdict"], bad["method"], bad["statement"], bad["evidence"])
        assert not trusted.check(bad)[0]
        p = tmp_path / "bad.json"
        p.write_text(json.dumps(bad))
        code, out, err = run_cli("check-cert", p)
        assert code != 0 and "Traceback" not in out + err


def test_the_command_line(run_cli, monkeypatch):
    """(tanh at 2 on 3..4, n = 3's point and n = 4's cover: tests/test_spread_point_odd.py's test_the_command_line,
    beside the attractor table that needs the same cover.)"""
    from bnverify.derive import spread
    code, out, _ = run_cli("check", "--stages", "rc,tanh", "--weight-var", "1", "--n", "3..64",
                           "--property", "attractor-exists")
    assert code == 1 and "refuted" in out and "every pairwise distance shrinks" in out
    code, out, _ = run_cli("check", "--stages", "rc,tanh", "--weight-var", "1", "--n", "3..64",
                           "--property", "attractor-threshold", "--value", "none")
    assert code == 0 and "proved" in out
    monkeypatch.setattr(spread, "GRID", (13, 16))       # the float search's grid, coarse: the reason is the lemmas'
    code, out, _ = run_cli("check", "--stages", "rc,elu", "--alpha", "1/2", "--weight-var", "201/100", "--n", "3..4",   # no covers
                           # (elu's are at alpha 1 only)
                           "--property", "attractor-exists")
    assert code == 3 and "outside the lemmas' regimes" in out
    monkeypatch.undo()
    code, out, _ = run_cli("attractor", "--stages", "rc,tanh", "--weight-var", "1", "--n", "3..64", "--json")
    doc = json.loads(out)
    assert code == 0 and [r["status"] for r in doc["results"]] == ["refuted"] * 62
    assert all(r["checked"] and r["search"] is None for r in doc["results"]) and doc["smallest_n"] is None
    assert doc["smallest_n_note"].startswith("none in 3..64 (proved by the trusted kernel")
    code, out, _ = run_cli("attractor", "--stages", "rc,sigmoid", "--weight-var", "16", "--n", "5")
    assert code == 0 and "n = 5: refuted" in out and "smallest_n: none in 5 (proved" in out


def test_threshold_none_is_a_registry_value():
    from bnverify.claims import spec
    assert spec.PARAM_KINDS["threshold"]("none") == "none" and spec.PARAM_KINDS["threshold"]("7") == 7
    with pytest.raises(ValueError):
        spec.PARAM_KINDS["threshold"]("nothing")


def test_endstate_says_the_kernel_proves_there_is_no_attractor(cli_json):
    """endstate said 'no certified attractor' for GELU at sigma_w^2 = 2, where the trace lemma proves there is none
    (red team of the trace lemma); tanh at 2 (no lemma there) keeps the old note."""
    doc = cli_json("endstate", "--stages", "rc,gelu", "--weight-var", "2", "--n", "4", "--width", "8", "--depth", "2",
                   "--seeds", "2")
    assert doc["attractor_note"].startswith("no attractor for rc,gelu at sigma_w^2 = 2: the trusted kernel proves")
    doc = cli_json("endstate", "--stages", "rc,tanh", "--weight-var", "2", "--n", "4", "--width", "8", "--depth", "2",
                   "--seeds", "2")
    assert doc["attractor_note"].startswith("no certified attractor for rc,tanh")
