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
        ("erf", "1", None), ("erf", "4/5", None), ("softplus", "2", None), ("elu", "1", "2"),
        ("elu", "1/3", "2"), ("gelu", "1", None), ("silu", "1", None), ("gelu", "1/4", None),
        ("formula:tanh(x)", "1", None)]


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
        with pytest.raises(trusted.Rejected, match="collapse lemma's regime"):
            trusted.decide(_claim(prop, act, w=w, params=params, alpha=alpha))


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


def test_the_command_line(run_cli):
    code, out, _ = run_cli("check", "--stages", "rc,tanh", "--weight-var", "1", "--n", "3..64",
                           "--property", "attractor-exists")
    assert code == 1 and "refuted" in out and "every pairwise distance shrinks" in out
    code, out, _ = run_cli("check", "--stages", "rc,tanh", "--weight-var", "1", "--n", "3..64",
                           "--property", "attractor-threshold", "--value", "none")
    assert code == 0 and "proved" in out
    code, out, _ = run_cli("check", "--stages", "rc,tanh", "--weight-var", "2", "--n", "3..4",
                           "--property", "attractor-exists")
    assert code == 3 and "collapse lemma's regime" in out
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
