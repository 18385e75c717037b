"""The simplex state for every n at once, end to end: the trusted twin (bnverify/trusted/simplex.py)
against the trusted dense S_{n-1} blocks and against its untrusted twin (bnverify/derive/simplex_alln.py),
the kernel's goal for open and long ranges, the command line, and variants that must not be
proved."""
from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import pytest
import sympy

from bnverify.claims import properties, spec
from bnverify.derive import simplex_alln as sa
from bnverify.trusted import simplex as ts
from test_simplex_alln import _agree, _closed_arb, _dense, _expected_charpolys

ALPHAS = [Fraction(0), Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)]


def _trusted_eigenvalues(n, alpha):
    from flint import arb, ctx
    with ctx.workprec(128):
        t = arb(1) / n
        q = ts.simplex_criteria(t, alpha)
        return 1 - t * q["standard_margin"], (q["c"] - q["pair_below_1"]) / q["c"]


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7, 11, 20, 40])
@pytest.mark.parametrize("alpha", ALPHAS[:3])
def test_trusted_twin_matches_the_dense_blocks(n, alpha):
    from flint import arb_mat, ctx
    lS, lP = _trusted_eigenvalues(n, alpha)
    ctx.prec = 128
    dense = _dense(n, alpha)
    want = _expected_charpolys(n, lS, lP)
    for comp, M in dense.items():
        _agree(arb_mat(M).charpoly(), want[comp])


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("t", [Fraction(0), Fraction(1, 1000), Fraction(1, 7), Fraction(1, 3)])
def test_twins_agree(alpha, t):
    """The table of twins: the same five criteria, written twice, agree to 1e-30."""
    from flint import arb, ctx
    with ctx.workprec(128):
        T = arb(t.numerator) / t.denominator
        mine, twin = ts.simplex_criteria(T, alpha), sa.criteria(T, alpha)
    assert set(mine) == set(twin)
    for k in mine:
        assert abs(mine[k] - twin[k]) < arb(10) ** -30, k


def test_a_wrong_twin_is_caught():
    """A twin with kappa' = A + B acos (sign flipped) disagrees with the dense blocks."""
    from flint import arb_mat, ctx

    def flipped(t, act, ctx):
        f = sa.forms(t, act, ctx)
        A, B = act.constants(ctx)
        return dict(f, lam_P=(A + B * f["a"]) / f["c"])
    f = _closed_arb(9, Fraction(0), flipped)
    ctx.prec = 128
    want = _expected_charpolys(9, f["lam_S"], f["lam_P"])
    with pytest.raises(AssertionError):
        for comp, M in _dense(9, Fraction(0)).items():
            _agree(arb_mat(M).charpoly(), want[comp])


def _claim(n="3..", stages="rc,relu", alpha=None, prop="spectral-radius", weight_var=None, **params):
    model = {"stages": stages}
    if alpha is not None:
        model["alpha"] = alpha
    if weight_var is not None:
        model["weight_var"] = weight_var
    p = {"state": "simplex", "relation": "<", "bound": "1"} if prop == "spectral-radius" else {"state": "simplex"}
    p.update(params)
    return spec.claim_from_dict({"id": "s", "title": "s", "statement": "s", "property": prop,
                                   "expect": "proved", "model": model, "domain": {"n": n},
                                   "params": p}, "test")


@pytest.mark.parametrize("kw", [{}, {"stages": "rc,leaky_relu", "alpha": "1/10"},
                                {"stages": "rc,leaky_relu", "alpha": "99/100"}, {"n": "5..1000000"},
                                {"prop": "fixed-point"}, {"bound": "2", "relation": "<="}])
def test_every_n_is_proved_and_checked(kw):
    v = properties.check(_claim(**kw))
    assert v.status == "proved", v.evidence
    assert v.evidence["checked"] and "the all-n branch" in v.evidence["reason"]
    item = v.certificate["evidence"][0]
    assert item["type"] == "simplex-branch" and Fraction(item["boxes"][-1]["t"][1]) == Fraction(1, item["n_from"])


@pytest.mark.parametrize("kw, why", [
    ({"bound": "99/100"}, "no bound below 1"),
    ({"stages": "rc,gelu", "weight_var": "201/100"}, "gelu"),    # no lemma (just beyond the trace lemma's 2), no
    # bracket for an open range (tanh at 1, gelu at <= 2: refuted, the scale collapses; below)
    ({"stages": "rs,relu"}, "rs"),              # RS alone (RC + RS: full BN's BSB1 lemma, test_bsb1_goal.py)
    ({"stages": "relu"}, "no rc"),
    ({"relation": ">"}, "lower bound"),
])
def test_variants_are_not_proved(kw, why):
    v = properties.check(_claim(**kw))
    assert v.status == "inconclusive", (why, v.status, v.evidence)


def test_where_the_scale_collapses_the_simplex_state_is_refuted():
    for stages in ("rc,gelu", "rc,tanh"):
        v = properties.check(_claim(stages=stages))
        assert v.status == "refuted" and "the scale collapses" in v.evidence["reason"], (stages, v.evidence)


def test_asymptotic_coefficient_against_a_million():
    a = sa.asymptotics()["stability_margin"]
    assert a["agrees"] and a["power"] == 1
    lo, hi = (mpmath.mpf(x) for x in a["coefficient"])
    mpmath.mp.dps = 40
    n = 10 ** 6
    m = sa.measure(n)
    assert lo <= (1 - m["radius"]) * n + 5.0 / n and (1 - m["radius"]) * n - 5.0 / n <= hi
    assert abs(float(sympy.N(sympy.sympify(a["closed_form"], locals={"pi": sympy.pi}))) - float(lo)) < 1e-15


def test_cli_open_range_json(run_cli):
    code, out, _ = run_cli("simplex", "--n", "3..", "--json")
    doc = json.loads(out)
    assert code == 0
    sm = doc["summary"]
    assert sm["range"] == [3, None] and sm["proved"] == "all" and sm["failed"] == [] and sm["checked"]
    assert "seconds" in sm and "t = 1/n" in sm["method"]
    ns = [b["n"] for b in doc["boxes"]]
    assert ns[0][0] == 3 and ns[-1][1] is None
    assert all(a[1] == b[0] for a, b in zip(ns, ns[1:]))          # t-box edges are shared n
    assert all(0 < b["radius_upper"] <= 1 for b in doc["boxes"])
    assert doc["asymptotics"]["stability_margin"]["closed_form"]


def test_cli_long_range_counts_every_n(run_cli):
    code, out, _ = run_cli("simplex", "--n", "10..100000", "--json", "--stages", "rc,leaky_relu", "--alpha", "1/4")
    sm = json.loads(out)["summary"]
    assert code == 0 and sm["range"] == [10, 100000] and sm["proved"] == 99991


def test_check_takes_long_all_n_ranges(run_cli):
    """A range beyond the per-n limit is not refused when an all-n branch covers it."""
    code, out, _ = run_cli("check", "--stages", "rc,relu", "--n", "3..100000", "--property", "spectral-radius",
                           "--state", "simplex", "--relation", "<", "--bound", "1", "--json")
    assert code == 0 and json.loads(out)["verdict"] == "proved"
    code, _, _ = run_cli("check", "--stages", "rc,relu", "--n", "16..100000", "--property", "attractor-exists")
    assert code == 0
    code, _, err = run_cli("check", "--stages", "rc,relu", "--n", "3..100000", "--property", "spectral-radius",
                           "--state", "simplex", "--relation", "<", "--bound", "1/2")
    assert code == 2 and "one n at a time" in err
