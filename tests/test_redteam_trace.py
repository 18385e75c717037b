"""Red team on the trace lemma (commit 7c784a5: GELU and SiLU at sigma_w^2 <= 2 have no fixed point but S = 0).

The mathematics is checked here with mpmath and numpy alone (not the project's kernels): E[phi(x)^2] < s/2 for
x ~ N(0, s) at every scale, tr(C K C) <= tr K for PSD K, and the lemma's edge 2 is sharp (the two-point state's
threshold in sigma_w^2 falls towards 2 as n grows, so just above 2 a fixed point exists at large n, and the kernel
must not refute it).  Then the kernel's verdicts at the edge and around it (rational spellings of 2, alpha,
stages, a formula equal to GELU), relabelled certificates, and the command line (exit codes, the texts that
said "nothing is proved" or "the kernel decides the two-point and simplex states only" where it now decides the
spread-cluster state too, and the docs' "collapses up to about 2.9", false at n = 8)."""
import copy
import json
from fractions import Fraction

import numpy as np
import pytest

from bnverify import trusted
from bnverify.trusted.base import content_hash

HALF_ACTS = ("gelu", "silu")


def _phi_mp(name):
    import mpmath
    return {"gelu": lambda t: t * mpmath.ncdf(t), "silu": lambda t: t / (1 + mpmath.exp(-t))}[name]


def _phi_np(name):
    import math
    erf = np.vectorize(math.erf)
    return {"gelu": lambda t: t * 0.5 * (1 + erf(t / math.sqrt(2))),
            "silu": lambda t: t / (1 + np.exp(-np.clip(t, -700, 700)))}[name]


def _claim(prop, act="gelu", w="2", n="3..", stages=("rc",), **params):
    return {"property": prop, "stages": list(stages), "activation": act, "domain": {"n": n}, "params": params,
            "weight_var": w}


# ---------------------------------------------------------------- (1) the mathematics, independently
@pytest.mark.parametrize("name", HALF_ACTS)
def test_second_moment_is_below_half_at_every_scale(name):
    """E[phi(sqrt(s) Z)^2]/s < 1/2 from s = 1e-12 (ratio 1/4: phi ~ t/2) to s = 1e16 (ratio -> 1/2, the gap
    decaying like 1/s: the constant is sharp), in 30-digit quadrature."""
    import mpmath
    f = _phi_mp(name)
    with mpmath.workdps(30):
        gaps = []
        for e in range(-12, 17, 2):
            s = mpmath.mpf(10) ** e
            r = mpmath.quad(lambda z: f(mpmath.sqrt(s) * z) ** 2 * mpmath.npdf(z), [-mpmath.inf, -5, 0, 5, mpmath.inf]) / s
            gaps.append(mpmath.mpf(1) / 2 - r)
    assert all(g > 0 for g in gaps), gaps
    assert abs(gaps[0] - mpmath.mpf(1) / 4) < 1e-6 and gaps[-1] < 1e-20


@pytest.mark.parametrize("name", HALF_ACTS)
def test_pointwise_pair_inequality(name):
    """phi(t)^2 + phi(-t)^2 < t^2 for t != 0 (g + g(-.) = 1, 0 < g < 1; the gap t^2 2 g (1 - g) is below 40
    digits past |t| ~ 13), phi(t) - phi(-t) = t, and phi(0) = 0: the S = 0 state is fixed."""
    import mpmath
    f = _phi_mp(name)
    with mpmath.workdps(40):
        for t in [mpmath.mpf(10) ** e for e in range(-20, 2)] + [mpmath.mpf(v) for v in (0.3, 1.7, 12)]:
            assert f(t) ** 2 + f(-t) ** 2 < t ** 2, t
            assert abs(f(t) - f(-t) - t) < mpmath.mpf(10) ** -35 * max(1, t)
        assert f(mpmath.mpf(0)) == 0


def test_centring_does_not_raise_the_trace():
    """tr(C K C) = tr K - 1'K1/n <= tr K for PSD K, at random PSD K of rank 1..n (and = when K 1 = 0)."""
    rng = np.random.default_rng(7)
    for n in (3, 4, 9, 40):
        C = np.eye(n) - 1 / n
        for rank in (1, 2, n):
            A = rng.normal(size=(n, rank)) * np.exp(rng.uniform(-4, 4))
            K = A @ A.T
            assert np.trace(C @ K @ C) <= np.trace(K) * (1 + 1e-12)
            assert abs(np.trace(C @ K @ C) - (np.trace(K) - K.sum() / n)) <= 1e-9 * np.trace(K)
        K = C @ K @ C
        assert abs(np.trace(C @ K @ C) - np.trace(K)) <= 1e-9 * np.trace(K)


def _two_point_sup(phi, n, lams, x, wt):
    a, b = (n - 1) / n, 1 / n
    return max(np.sum(wt * (phi(a * lam * x) - phi(-b * lam * x)) ** 2) / lam ** 2 for lam in lams)


@pytest.mark.parametrize("name", HALF_ACTS)
def test_two_point_threshold_falls_towards_two(name):
    """S(s)/s = sigma_w^2 h(lam), h(lam) = E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2]/lam^2 (lam^2 = sigma_w^2 s):
    sup h < 1/2 at every n (so nothing at sigma_w^2 <= 2, the lemma), but it tends to 1/2, so the threshold
    1/sup h falls to 2: above 2.4 at n = 8 is false for the two-point state, and 201/100 has a fixed point at
    n = 1000 (Gauss-Hermite, 200 nodes; independent of the project's kernels)."""
    x, wt = np.polynomial.hermite_e.hermegauss(200)
    wt = wt / np.sqrt(2 * np.pi)
    phi = _phi_np(name)
    lams = np.exp(np.linspace(np.log(1e-2), np.log(200), 500))
    sups = {n: _two_point_sup(phi, n, lams, x, wt) for n in (3, 5, 8, 64, 1000)}
    assert all(v < 0.5 for v in sups.values()), sups
    assert sups[3] < sups[5] < sups[8] < sups[64] < sups[1000]
    assert 1 / sups[8] < 2.5 and 1 / sups[1000] < Fraction(201, 100), sups      # fixed points exist there


# ---------------------------------------------------------------- (2) the kernel at the edge and around it
PROPS = [("attractor-exists", {}), ("attractor-stable", {}), ("attractor-stable", {"relation": ">", "bound": "1"}),
         ("attractor-stable", {"relation": ">=", "bound": "0"}), ("attractor-threshold", {"value": 1000}),
         ("fixed-point", {"state": "two-point"}), ("fixed-point", {"state": "simplex"}),
         ("spectral-radius", {"state": "two-point", "relation": ">", "bound": "0"}),
         ("spectral-radius", {"state": "simplex", "relation": "<", "bound": "100"})]


@pytest.mark.parametrize("act", HALF_ACTS)
@pytest.mark.parametrize("w", ["2", "4/2", "20/10", "1", "1/1000000", "199999999/100000000"])
def test_every_state_claim_refuted_at_or_below_two(act, w):
    """Every claim that a state with s > 0 (or a spread) is fixed is false there: refuted, at an open domain too;
    'value none' proved."""
    for prop, params in PROPS:
        for n in ("3..", "1000", "1000..1000000"):
            v, _, why = trusted.decide(_claim(prop, act, w, n, **params))
            assert v == "refuted" and "tr T(S) <= sigma_w^2 tr K_phi(S)" in why, (prop, params, n, v)
    assert trusted.decide(_claim("attractor-threshold", act, w, value="none"))[0] == "proved"


@pytest.mark.parametrize("act", HALF_ACTS)
@pytest.mark.parametrize("w", ["201/100", "200000001/100000000", "5/2", "399/100"])
def test_just_above_two_nothing_without_evidence(act, w):
    """Above 2 (and below the parity lemma's 4) no lemma decides: the kernel asks for evidence (never refutes from
    the claim alone); its message names the regimes (it said 'sigma_w^2 L^2 <= 1' only, though gelu at sigma_w^2 =
    2 is decided)."""
    for prop, params in PROPS:
        with pytest.raises((trusted.Rejected, trusted.NoGoal)):
            trusted.decide(_claim(prop, act, w, "3..64", **params))
    for params in ({"value": "none"}, {"value": 7}):
        with pytest.raises(trusted.Rejected, match=r"sigma_w\^2 L\^2 <= 1; gelu, silu, softplus: sigma_w\^2 <= 2; parity: "
                                                   r"gelu, silu, softplus, elu: sigma_w\^2 >= 4"):
            trusted.decide(_claim("attractor-threshold", act, w, "3..64", **params))


def test_the_lemma_does_not_leak_to_other_models():
    """BN after phi, RC + RS, a formula equal to GELU, alpha given to gelu, n = 2: not the lemma's map or claim."""
    for stages in (("nl", "rc"), ("rc", "rs"), ("nl", "rc", "rs"), ()):
        for prop, params in PROPS[:1] + PROPS[5:7]:
            with pytest.raises((trusted.Rejected, trusted.NoGoal)):
                trusted.decide(_claim(prop, "gelu", "2", "3..", stages, **params))
    for f in ("formula:x*erf(x/sqrt(2))/2+x/2", "formula:x/(1+exp(-x))"):
        for prop, params in PROPS[:1] + PROPS[5:7]:
            with pytest.raises((trusted.Rejected, trusted.NoGoal)):
                trusted.decide(_claim(prop, f, "2", "3..8", **params))
    bad = _claim("fixed-point", "gelu", "2", "3..", state="two-point")
    bad["domain"]["alpha"] = "1"
    with pytest.raises(trusted.Rejected, match="alpha"):
        trusted.decide(bad)
    with pytest.raises(trusted.NoGoal, match="n >= 3"):
        trusted.decide(_claim("fixed-point", "gelu", "2", "2..", state="two-point"))
    assert not trusted.twopoint.collapses("gelu", Fraction(0), Fraction(201, 100))
    with pytest.raises(trusted.Rejected):
        trusted.twopoint.collapses("silu", Fraction(1), Fraction(1))


# ---------------------------------------------------------------- (3) relabelled certificates
def test_relabelled_lemma_certificates(run_cli, tmp_path):
    """A certificate with no evidence (the lemma's) re-checks only for its own claim: relabelled to 201/100, to erf,
    tanh, a formula, other stages, with the statement recomputed too, it is rejected."""
    path = tmp_path / "g2.json"
    code, _, err = run_cli("check", "--stages", "rc,gelu", "--weight-var", "2", "--n", "3..", "--property",
                           "attractor-threshold", "--value", "none", "--cert", str(path))
    assert code == 0, err
    base = json.loads(path.read_text())
    assert base["evidence"] == [] and trusted.check(base)[0]
    for key, value in (("weight_var", "201/100"), ("weight_var", "3"), ("activation", "erf"),
                       ("activation", "tanh"), ("activation", "formula:x*erf(x/sqrt(2))/2+x/2"),
                       ("stages", ["rc", "rs"]), ("stages", ["nl", "rc"])):
        c = copy.deepcopy(base)
        c["claim"][key] = value
        c["hash"] = content_hash(c)
        assert not trusted.check(c)[0], (key, value)
        try:                                   # the kernel's own statement for the relabelled claim
            c["statement"] = trusted.decide(c["claim"], [])[1]
        except (trusted.Rejected, trusted.NoGoal):
            continue
        c["hash"] = content_hash(c)
        assert not trusted.check(c)[0], (key, value)
    flipped = dict(copy.deepcopy(base), verdict="refuted")
    flipped["hash"] = content_hash(flipped)
    assert not trusted.check(flipped)[0]


# ---------------------------------------------------------------- (4) the command line
@pytest.mark.parametrize("w,state,code", [("2", "two-point", 1), ("2.0", "simplex", 1), ("4/2", "two-point", 1),
                                          ("20/10", "simplex", 1), ("1", "two-point", 1)])
def test_check_exit_codes_at_the_edge(run_cli, w, state, code):
    got, out, err = run_cli("check", "--stages", "rc,silu", "--weight-var", w, "--n", "3..", "--property",
                            "fixed-point", "--state", state)
    assert got == code and "refuted" in out and "tr T(S)" in out, (out, err)


def test_check_proves_a_two_point_state_just_above_the_edge(run_cli):
    """The lemma's 2 is sharp: at sigma_w^2 = 201/100 and n = 1000 GELU has a two-point fixed point (proved, exit 0),
    and at 5/2 it has one at n = 8 (the docs said the scale collapses up to about 2.9)."""
    for w, n in (("201/100", "1000"), ("5/2", "8")):
        code, out, err = run_cli("check", "--stages", "rc,gelu", "--weight-var", w, "--n", n, "--property",
                                 "fixed-point", "--state", "two-point")
        assert code == 0 and "proved" in out, (w, n, out, err)


def test_attractor_with_the_lemma(run_cli):
    """Any finite range the lemma decides: every row refuted and marked lemma, exit 0; just above 2 the per-n cap
    holds again (exit 2); --cert points at the claim that has a certificate instead of saying nothing is proved."""
    code, out, err = run_cli("attractor", "--stages", "rc,silu", "--weight-var", "20/10", "--n", "60..70", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert [r["n"] for r in doc["results"]] == list(range(60, 71))
    assert all(r["status"] == "refuted" and r["lemma"] is True and r["checked"] for r in doc["results"])
    assert doc["smallest_n_note"].startswith("none in 60..70 (proved by the trusted kernel")
    code, _, err = run_cli("attractor", "--stages", "rc,silu", "--weight-var", "201/100", "--n", "3..65")
    assert code == 2 and "up to n = 64" in err
    code, _, err = run_cli("attractor", "--stages", "rc,gelu", "--weight-var", "2", "--n", "3..5", "--cert", "x.json")
    assert code == 2 and "nothing is proved" not in err and "--value none --cert FILE" in err, err
    for stages in ("gelu,rc", "rc,rs,gelu"):
        code, _, err = run_cli("attractor", "--stages", stages, "--weight-var", "2", "--n", "3..5")
        assert code == 2, (stages, err)


@pytest.mark.slow
@pytest.mark.mutation
def test_basins_names_the_lemma(run_cli, monkeypatch):
    """basins at GELU, sigma_w^2 = 2: its reason said the kernel decides the two-point and simplex states only;
    it proves there is no spread-cluster fixed point at any n."""
    from bnverify.derive import spread
    monkeypatch.setattr(spread, "GRID", (13, 16))        # the float search's grid, coarse: the reason is the point
    code, out, err = run_cli("basins", "--stages", "rc,gelu", "--weight-var", "2", "--n", "7", "--json")
    assert code == 3, err
    doc = json.loads(out)
    assert "two-point and simplex states only" not in doc["reason"]
    assert "proves that no spread-cluster fixed point exists at any n" in doc["reason"] and "tr T(S)" in doc["reason"]
    code, out, err = run_cli("basins", "--stages", "rc,gelu", "--weight-var", "201/100", "--n", "3", "--json")
    assert code == 3 and "proves that no" not in json.loads(out)["reason"]


def test_attractor_lemma_document_has_the_documented_shape(run_cli):
    """The lemma's rows (field lemma) against docs/schemas/attractor.json, which now names the field."""
    import jsonschema
    from pathlib import Path
    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "schemas" / "attractor.json").read_text())
    assert "lemma" in json.dumps(schema)
    code, out, err = run_cli("attractor", "--stages", "rc,gelu", "--weight-var", "1", "--n", "3..5", "--json")
    assert code == 0, err
    jsonschema.validate(json.loads(out), schema)


# ---------------------------------------------------------------- found on the way: elu's alpha, formulas
def test_models_of_elu_and_a_formula():
    """spec.model_of read elu's slope (None: elu has none), so attractor with elu exited 4 (TypeError) before any
    lemma; atlas's cells put a Fraction where the claim table wants text, so `bnverify atlas` with elu (the default
    list) exited 2; a formula became the stage 'rc,formula' (basins --activation FORMULA exited 2)."""
    from bnverify.claims import spec
    from bnverify.commands import atlas
    from bnverify.core.activations import activation
    assert spec.model_of(activation("elu", Fraction(1, 2))) == {"stages": "rc,elu", "alpha": "1/2"}
    assert spec.model_of(activation("leaky_relu", Fraction(1, 10))) == {"stages": "rc,leaky_relu", "alpha": "1/10"}
    assert spec.model_of(activation("x*erf(x)")) == {"stages": "rc", "activation": {"formula": "x*erf(x)"}}
    for name, alpha in (("elu", Fraction(1)), ("elu", Fraction(3, 2)), ("gelu", None), ("x*erf(x)", None)):
        c = atlas._claim(name, alpha, "fixed-point", "4", {"state": "two-point"}, Fraction(2))
        assert c.activation == activation(name, alpha) and c.weight_var == 2


@pytest.mark.parametrize("alpha", [None, "1/2"])
def test_attractor_with_elu_does_not_crash(run_cli, alpha):
    """ELU at sigma_w^2 = 1 (L = max(1, alpha) = 1, strict): the Lipschitz lemma decides every n, exit 0."""
    code, out, err = run_cli("attractor", "--stages", "rc,elu", *(["--alpha", alpha] if alpha else []),
                             "--weight-var", "1", "--n", "3..5", "--json")
    assert code == 0, err
    assert all(r["status"] == "refuted" and r["lemma"] for r in json.loads(out)["results"])


@pytest.mark.slow
def test_atlas_and_basins_with_elu_and_a_formula(run_cli):
    code, out, err = run_cli("atlas", "--activations", "elu", "--alpha", "1/2", "--weight-var", "2", "--n", "4",
                             "--width", "8", "--depth", "2", "--seeds", "1", "--starts", "1", "--jobs", "1")
    assert code == 0 and "elu(1/2), sigma_w^2 = 2  [certified: n = 4: two-point fixed point exists" in out, err
    code, out, err = run_cli("basins", "--activation", "x*erf(x)", "--stages", "rc", "--weight-var", "1", "--n", "4")
    assert code == 3 and "kernel: two-point: fixed point" in out, err
