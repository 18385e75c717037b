"""No two-point or simplex fixed point at all, for the unbounded non-homogeneous activations (gelu,
silu, elu, softplus: phi = relu - h with h bounded; bnverify/trusted/twopoint.py's check_none, the
search's none_item): the lemmas against floats and mpmath, the verdicts, forgeries and the price."""
import copy
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from flint import ctx

from bnverify import trusted
from bnverify.claims.properties import two_point as search
from bnverify.core.activations import activation
from bnverify.derive import twopoint as D
from bnverify.trusted import twopoint as T


@pytest.fixture(scope="module")
def gelu5():
    return search.none_item(activation("gelu"), 5, Fraction(5, 2))      # above 2: the trace lemma does not decide


@pytest.fixture(scope="module")
def gelu5_simplex():
    return search.none_item(activation("gelu"), 5, Fraction(5, 2), "simplex")


def _claim(prop="fixed-point", act="gelu", n="5", w="5/2", state="two-point", **params):
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n},
            "params": dict(state=state, **params), "weight_var": w}


@pytest.mark.parametrize("name,alpha,lo,hi", [("gelu", 0, 0, 1 / math.sqrt(2 * math.pi)), ("silu", 0, 0, 1 / math.e),
                                              ("elu", 1, 0, 1), ("elu", 3, 0, 3), ("softplus", 0, -math.log(2), 0)])
def test_phi_is_relu_minus_a_bounded_h(name, alpha, lo, hi):
    """h = relu - phi lies in [lo, hi] (an interval of the table's length H) on a dense grid; the
    kernel's H is that length."""
    act = activation(name, str(alpha) if name == "elu" else None)
    t = np.linspace(-40, 40, 200001)
    h = np.maximum(t, 0) - act.phi(t)
    assert h.min() >= lo - 1e-12 and h.max() <= hi + 1e-12
    with ctx.workprec(64):
        assert abs(float(T.RELU_GAP[name](T.ball(Fraction(alpha))).mid()) - (hi - lo)) < 1e-12


def test_no_two_point_fixed_point_for_gelu_at_sigma_5_2(gelu5):
    """The kernel refutes 'a two-point fixed point exists' (and any spectral-radius claim about it) at
    n = 5; S(s) < s holds in mpmath below s_min, between the cuts and far beyond s_big."""
    v, _, why = trusted.decide(_claim(), [gelu5])
    assert v == "refuted" and "S(s) < s for every s > 0" in why
    assert trusted.decide(_claim("spectral-radius", relation="<", bound="1"), [gelu5])[0] == "refuted"
    phi = activation("gelu").mp(0)
    lo, hi = Fraction(gelu5["cuts"][0]), Fraction(gelu5["cuts"][-1])
    for s in (float(lo) / 100, float(lo) / 2, float((lo + hi) / 2), float(hi) * 3, float(hi) * 1000):
        with mpmath.workdps(20):
            lam = mpmath.sqrt(s * 5 / 2)
            S = mpmath.quad(lambda z: (phi(4 * lam * z / 5) - phi(-lam * z / 5)) ** 2 * mpmath.npdf(z),
                            [-mpmath.inf, 0, mpmath.inf])
        assert S < s, (s, S)


@pytest.mark.slow
def test_the_large_s_bound_holds_in_floats(gelu5, gelu5_simplex):
    """S(s) <= (1 + eps) w c s + k (1 + 1/eps) H^2 on s in [s_big, 10^4] (Gauss-Hermite, 120 nodes).  (-m slow: 4.5 s of Gauss-Hermite floats; the
    kernel refutations that use the bound stay by default.)"""
    act = activation("gelu")
    for item, state, k in ((gelu5, "two-point", 1.0), (gelu5_simplex, "simplex", 0.5)):
        n, w, eps = item["n"], float(Fraction(item["weight_var"])), float(Fraction(item["eps"]))
        with ctx.workprec(64):
            c = float(T._relu_slope(n, state).mid())
        ss = np.geomspace(float(Fraction(item["cuts"][-1])), 1e4, 60)
        S = (D.simplex_distances if state == "simplex" else D.distances)(act, n, w, ss)
        bound = (1 + eps) * w * c * ss + k * (1 + 1 / eps) / (2 * math.pi)
        assert np.all(S <= bound * (1 + 1e-9)) and np.all(S < ss)


def test_no_simplex_fixed_point_for_gelu_at_sigma_5_2(gelu5_simplex):
    v, _, why = trusted.decide(_claim(state="simplex"), [gelu5_simplex])
    assert v == "refuted" and "no simplex fixed point" in why
    with pytest.raises(trusted.Rejected, match="says nothing"):          # not the two-point state's evidence
        trusted.decide(_claim(), [gelu5_simplex])


@pytest.mark.parametrize("edit,why", [
    (lambda c: c.update(T="3"), "small-s bound"),                       # sup |phi'| on [-3, 3] is 1.13 > 1
    (lambda c: c.update(eps="1000", cuts=c["cuts"][:3]), "large-s bound"),   # (1 + eps) w c >= 1, and the cross-term
    #                                                                     lemma (no eps) not yet true at the third cut
    (lambda c: c.update(cuts=c["cuts"][:2]), "large-s bound"),           # stops far short of s_big
    (lambda c: c.update(cuts=c["cuts"][1:]), "small-s bound"),           # s_min moved up past the lemma
    (lambda c: c.update(weight_var="4"), "bound|not shown"),            # gelu's scale grows at 4
    (lambda c: c.update(activation="tanh"), "no large-s lemma"),
    (lambda c: c.update(cuts=[c["cuts"][0], c["cuts"][0]] + c["cuts"][1:]), "must rise"),
    (lambda c: c.update(cuts=["0"] + c["cuts"]), "must rise"),
    (lambda c: c.update(alpha="1/2"), "takes no alpha"),
])
def test_forged_none_items_are_rejected(gelu5, edit, why):
    bad = copy.deepcopy(gelu5)
    edit(bad)
    with pytest.raises(trusted.Rejected, match=why):
        trusted.decide(_claim(act=bad["activation"], w=bad["weight_var"]), [bad])


def test_a_none_fact_of_another_model_says_nothing(gelu5):
    for claim in (_claim(n="6"), _claim(w="11/4"), _claim(act="silu"), _claim(state="simplex")):
        with pytest.raises(trusted.Rejected):
            trusted.decide(claim, [gelu5])


def test_gelu_where_its_scale_grows_gets_no_none_item():
    """At sigma_w^2 = 4 GELU's S(s) > s at large s (the scale grows): the search finds no item, and
    the kernel would not accept one (slope (1 + eps) w c >= 1)."""
    assert search.none_item(activation("gelu"), 5, 4) is None
    with ctx.workprec(64):
        assert not T._large_s("gelu", Fraction(0), 5, Fraction(4), Fraction(1, 100), Fraction(10 ** 5), "two-point")


def test_check_refutes_on_the_command_line(run_cli):
    code, out, _ = run_cli("check", "--stages", "rc,silu", "--weight-var", "201/100", "--n", "6", "--property",
                           "fixed-point", "--state", "two-point")
    assert code == 1 and "refuted" in out and "S(s) < s for every s > 0" in out


def test_a_thin_margin_gets_its_item_from_the_second_slack():
    """ELU(1/100) at sigma_w^2 = 34721/10000, n = 3: S(s)/s stays about 2 % below 1 (mpmath, written here); the
    search's float margin of 1 % on phi' ate it (no item, inconclusive: red team), a second pass at 0.1 % finds the
    none item, and the kernel accepts it."""
    act, w = activation("elu", "1/100"), Fraction(34721, 10000)
    item = search.none_item(act, 3, w)
    assert item is not None and trusted.items.check_item(copy.deepcopy(item))["fact"] == "two-point-none"
    assert trusted.decide(dict(_claim(act="elu", n="3", w=str(w)), domain={"n": "3", "alpha": "1/100"}), [item])[0] \
        == "refuted"
    elu = lambda t: t if t > 0 else mpmath.expm1(t) / 100          # noqa: E731
    with mpmath.workdps(20):
        for s in (mpmath.mpf(10) ** -6, 1, 100, 10 ** 4):
            lam = mpmath.sqrt(mpmath.mpf(34721) / 10000 * s)
            S = mpmath.quad(lambda z: (elu(2 * lam * z / 3) - elu(-lam * z / 3)) ** 2 * mpmath.npdf(z),
                            [-mpmath.inf, 0, mpmath.inf])
            assert S < s
