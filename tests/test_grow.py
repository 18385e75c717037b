"""The scale grows: two-point-grow and simplex-grow items (bnverify/trusted/twopoint.py's check_none with sign +1):
S(s) > s for every s > 0, so no fixed point of the state.  The reverse large-s lemma against an independent S(s)
written here (a one-dimensional Gaussian integral, float64 Gauss-Legendre: tests/gaussfloat.py), genuine items
accepted, forgeries refused, the claims refuted end to end and through the written certificate, true statements near the edge
never refuted.  GELU, SiLU, softplus and ELU at sigma_w^2 >= 4 need no item (the parity lemma, tests/test_parity_lemma.py):
their items are checked as items, and the claims that items decide are ELU's at 39/10."""
import copy
import json
import random
from fractions import Fraction

import mpmath
import pytest
from flint import ctx

import gaussfloat

from bnverify import trusted
from bnverify.claims.properties import two_point as search
from bnverify.core.activations import activation
from bnverify.trusted import twopoint as T


def _claim(act="gelu", n="8", w="8", state="two-point", prop="fixed-point", alpha=None, **params):
    dom = {"n": n} if alpha is None else {"n": n, "alpha": alpha}
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": dom,
            "params": dict(state=state, **params), "weight_var": w}


def _mpf(x):
    x = Fraction(x)
    return mpmath.mpf(x.numerator) / x.denominator


def S_mp(name, n, w, s, alpha=1):
    """The two-point S(s) = E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2], lam^2 = w s, Z ~ N(0, 1): one integral, in
    float64 (tests/gaussfloat.py, checked against mpmath there: the margins here are a percent and more), as an mpf."""
    return mpmath.mpf(gaussfloat.two_point_S(name, n, w, float(s), alpha))


H_MP = {"gelu": lambda a: 1 / mpmath.sqrt(2 * mpmath.pi), "silu": lambda a: mpmath.exp(-1), "elu": lambda a: a,
        "softplus": lambda a: mpmath.log(2)}


@pytest.fixture(scope="module")
def gelu8():
    return search.grow_item(activation("gelu"), 8, 8)


@pytest.fixture(scope="module")
def elu39():
    return search.grow_item(activation("elu", "1"), 8, Fraction(39, 10))


@pytest.fixture(scope="module")
def gelu8_simplex():
    return search.grow_item(activation("gelu"), 8, 8, "simplex")


@pytest.fixture(scope="module")
def elu39_simplex():
    return search.grow_item(activation("elu", "1"), 8, Fraction(39, 10), "simplex")


ELU39 = dict(act="elu", w="39/10", alpha="1")       # below the parity lemma's sigma_w^2 >= 4: the item decides


# ---------------------------------------------------------------- the reverse inequality and the lemma
def test_the_reverse_split_holds_and_is_sharp():
    """(a - b)^2 >= (1 - eps) a^2 - (1/eps - 1) b^2 for every eps in (0, 1), equality at b = eps a."""
    rng = random.Random(7)
    for _ in range(2000):
        a, b = Fraction(rng.randint(-10 ** 6, 10 ** 6), 997), Fraction(rng.randint(-10 ** 6, 10 ** 6), 991)
        eps = Fraction(rng.randint(1, 999), 1000)
        assert (a - b) ** 2 >= (1 - eps) * a * a - (1 / eps - 1) * b * b
        assert (a - eps * a) ** 2 == (1 - eps) * a * a - (1 / eps - 1) * (eps * a) ** 2


@pytest.mark.parametrize("name,alpha,n,w", [(c if c in (("gelu", 0, 8, 8), ("elu", 1, 8, 4)) else
                                             pytest.param(*c, marks=pytest.mark.slow))     # the rest: -m slow
                                            for c in [("gelu", 0, 8, 8), ("gelu", 0, 3, 8), ("elu", 1, 8, 4),
                                                      ("elu", 1, 8, 3), ("elu", 2, 5, 4), ("silu", 0, 8, 8),
                                                      ("softplus", 0, 8, 8)]])
def test_the_lower_bound_holds_at_every_s_against_quadrature(name, alpha, n, w):
    """S(s) >= (1 - eps) w c s - (1/eps - 1) H^2 (the float S, mpmath's c and H) at s from 1e-3 to 1e6, eps in (0, 1)."""
    with mpmath.workdps(30):
        c = mpmath.mpf((n - 1) ** 2 + 1) / (2 * n * n)
        H = H_MP[name](_mpf(alpha))
        for s in [mpmath.mpf(10) ** k for k in range(-3, 7)]:
            S = S_mp(name, n, w, s, alpha)
            for eps in (mpmath.mpf(1) / 100, mpmath.mpf(1) / 4, mpmath.mpf(3) / 4):
                assert S >= (1 - eps) * w * c * s - (1 / eps - 1) * H * H, (s, eps)


@pytest.mark.parametrize("item_name", ["gelu8", "elu39"])
def test_an_accepted_item_is_true_in_quadrature(item_name, request):
    """Every cut, the midpoints between, and s far beyond s_big: S(s) > s (the float S, margins of a percent and more)."""
    item = request.getfixturevalue(item_name)
    name, n, w, alpha = item["activation"], item["n"], Fraction(item["weight_var"]), Fraction(item["alpha"])
    cuts = [Fraction(c) for c in item["cuts"]]
    with mpmath.workdps(30):
        pts = cuts[::3] + [(a + b) / 2 for a, b in zip(cuts[::5], cuts[1::5])] + [cuts[-1] * 10 ** k for k in (1, 3, 5)]
        for s in pts:
            s = _mpf(s)
            assert S_mp(name, n, w, s, alpha or 1) > s, s


@pytest.mark.parametrize("name,alpha,n,w,eps", [("gelu", 0, 8, 8, Fraction(1, 20)),
                                                ("softplus", 0, 5, 8, Fraction(1, 3)),
                                                ("elu", 1, 8, Fraction(13, 5), Fraction(1, 200))])
def test_reverse_large_s_holds_just_past_its_edge_and_not_before(name, alpha, n, w, eps):
    """At eps the exact edge is s* = (1/eps - 1) H^2/((1 - eps) w c - 1): the lemma at 1.001 s*, not at 0.999 s*."""
    with mpmath.workdps(40):
        c = mpmath.mpf((n - 1) ** 2 + 1) / (2 * n * n)
        H, e = H_MP[name](_mpf(alpha)), _mpf(eps)
        edge = (1 / e - 1) * H * H / ((1 - e) * _mpf(w) * c - 1)
    edge = Fraction(str(mpmath.nstr(edge, 30)))
    with ctx.workprec(128):
        assert T._eps_bound(name, Fraction(alpha), n, Fraction(w), eps, edge * Fraction(1001, 1000), "two-point", 1)
        assert not T._eps_bound(name, Fraction(alpha), n, Fraction(w), eps, edge * Fraction(999, 1000), "two-point", 1)
        # and the collapse side (sign -1) never holds where w c > 1
        assert not T._eps_bound(name, Fraction(alpha), n, Fraction(w), eps, edge * 10, "two-point", -1)


@pytest.mark.parametrize("eps", [Fraction(-1, 2), Fraction(0), Fraction(1), Fraction(3, 2), Fraction(-3)])
def test_reverse_large_s_needs_eps_in_0_1(eps):
    with ctx.workprec(128):
        assert not T._eps_bound("elu", Fraction(1), 8, Fraction(2), eps, Fraction(1, 2), "two-point", 1)
        assert not T._eps_bound("gelu", Fraction(0), 8, Fraction(8), eps, Fraction(10 ** 5), "two-point", 1)


# ---------------------------------------------------------------- genuine items
def test_genuine_items_are_accepted(gelu8, elu39, gelu8_simplex, elu39_simplex):
    for item, state in ((gelu8, "two-point"), (elu39, "two-point"), (gelu8_simplex, "simplex"),
                        (elu39_simplex, "simplex")):
        assert item is not None and item["type"] == state + "-grow"
        fact = trusted.items.check_item(copy.deepcopy(item))
        assert fact["fact"] == state + "-grow" and fact["n"] == 8
    v, st, why = trusted.decide(_claim(**ELU39), [elu39])
    assert v == "refuted" and "S(s) > s for every s > 0" in why and "grows without bound" in why
    assert "no two-point fixed point" in why
    v, _, why = trusted.decide(_claim(state="simplex", **ELU39), [elu39_simplex])
    assert v == "refuted" and "no simplex fixed point" in why
    v, _, _ = trusted.decide(_claim(prop="spectral-radius", relation="<", bound="1", **ELU39), [elu39])
    assert v == "refuted"
    with pytest.raises(trusted.Rejected, match="no two-point bracket"):      # the item is the evidence
        trusted.decide(_claim(**ELU39), [])


def test_a_range_of_n_is_refuted_by_one_n(elu39):
    assert trusted.decide(_claim(n="5..10", **ELU39), [elu39])[0] == "refuted"


# ---------------------------------------------------------------- forgeries
def _rejected_or_not_refuted(claim, item):
    try:
        return trusted.decide(claim, [item])[0] != "refuted"
    except (trusted.Rejected, trusted.NoGoal):
        return True


@pytest.mark.parametrize("edit", ["turn-back", "unsorted", "s-big-small", "eps-0", "eps-1", "eps-neg", "eps-big",
                                  "no-first-cut", "s-min-big", "tanh", "elu-w2", "elu-w5/2", "type-none"])
def test_forged_grow_items_are_refused(elu39, edit):
    """ELU(1) at 39/10, n = 8 (at 4 and above the parity lemma decides); at 2 and 5/2 a real fixed point exists."""
    bad, claim = copy.deepcopy(elu39), _claim(**ELU39)
    if edit == "turn-back":
        bad["cuts"] = bad["cuts"][:2] + bad["cuts"]
    elif edit == "unsorted":
        bad["cuts"][1], bad["cuts"][2] = bad["cuts"][2], bad["cuts"][1]
    elif edit == "s-big-small":
        bad["cuts"] = bad["cuts"][:3]
    elif edit.startswith("eps"):
        bad["eps"] = {"eps-0": "0", "eps-1": "1", "eps-neg": "-1/2", "eps-big": "3/2"}[edit]
    elif edit == "no-first-cut":
        bad["cuts"] = bad["cuts"][1:]
        bad["T"] = "1/10"
        bad["cuts"][0] = "10"           # s_min far above where the lemma holds
    elif edit == "s-min-big":
        bad["cuts"] = ["1"] + [c for c in bad["cuts"] if Fraction(c) > 1]
    elif edit == "tanh":
        bad["activation"], bad["alpha"], claim = "tanh", "0", _claim("tanh", w="4")
    elif edit.startswith("elu-w"):
        bad["weight_var"] = claim["weight_var"] = edit[len("elu-w"):]
    else:
        bad["type"] = "two-point-none"
    assert _rejected_or_not_refuted(claim, bad), edit


@pytest.mark.parametrize("w", ["2", "3"])
def test_a_grow_item_where_s_falls_below_is_refused(w):
    """GELU at 2 and 3, n = 8: S(s) < s near 0 (w/4 < 1): the search finds no grow item, a hand-made one fails."""
    assert search.grow_item(activation("gelu"), 8, Fraction(w)) is None
    forged = {"type": "two-point-grow", "activation": "gelu", "alpha": "0", "weight_var": w, "n": 8, "prec": 128,
              "T": "1/100", "eps": "1/10", "cuts": ["1/1000", "1", "10", "100", "1000"]}
    with pytest.raises(trusted.Rejected):
        trusted.items.check_item(forged)


def test_a_negative_eps_would_hide_a_real_fixed_point():
    """ELU at sigma_w^2 = 2, n = 8 has a two-point fixed point (proved below); with eps = -1/2 the reverse lemma's
    constant -(1/eps - 1) H^2 = +3 H^2 would put S(s) > s beyond any s_big: the kernel refuses eps <= 0."""
    act, w, one = activation("elu", "1"), Fraction(2), Fraction(1)
    T0, s_min = search._near_zero(act, 8, w, "two-point", one, 1)          # S(s) > s near 0 at sigma_w^2 = 2 too
    cuts = search._cuts("elu", 8, w, Fraction(s_min * 0.99).limit_denominator(10 ** 6), Fraction(1, 2), 1,
                        "two-point", one)
    forged = {"type": "two-point-grow", "activation": "elu", "alpha": "1", "weight_var": "2", "n": 8, "prec": 128,
              "T": str(T0), "eps": "-1/2", "cuts": [str(c) for c in cuts]}
    with pytest.raises(trusted.Rejected, match="large-s"):
        trusted.items.check_item(forged)
    assert _rejected_or_not_refuted(_claim("elu", w="2", alpha="1"), forged)


@pytest.mark.parametrize("relabel", ["activation", "weight_var", "n", "alpha", "state", "state-type"])
def test_a_fact_serves_only_its_own_claim(elu39, relabel):
    """The fact is the checker's (computed from the item); the claim about another phi, sigma_w^2, n, alpha or state
    is not refuted by it."""
    item, claim = copy.deepcopy(elu39), _claim(**ELU39)
    if relabel == "activation":
        claim = _claim("tanh", w="4")
    elif relabel == "weight_var":
        claim = _claim("elu", w="2", alpha="1")
    elif relabel == "n":
        claim = _claim(n="9", **ELU39)
    elif relabel == "alpha":
        claim = _claim("elu", w="4", alpha="1/2")
    elif relabel == "state":
        claim = _claim(state="simplex", **ELU39)
    else:
        item["type"] = "simplex-grow"       # the two-point cuts read as the simplex state's, for the two-point claim
    assert _rejected_or_not_refuted(claim, item), relabel


def test_the_simplex_fact_does_not_refute_the_two_point_claim(elu39_simplex):
    assert _rejected_or_not_refuted(_claim(**ELU39), elu39_simplex)


# ---------------------------------------------------------------- end to end
@pytest.mark.parametrize("args", [
    ["rc,elu", "39/10", "8", "two-point"], ["rc,elu", "39/10", "8", "simplex"],
    pytest.param(["rc,elu", "39/10", "8..9", "two-point"], marks=pytest.mark.slow)])
def test_the_cli_refutes_and_the_certificate_rechecks(args, run_cli, tmp_path):
    stages, w, n, state = args
    cert = tmp_path / "c.json"
    code, out, err = run_cli("check", "--stages", stages, "--weight-var", w, "--n", n, "--property", "fixed-point",
                             "--state", state, "--cert", str(cert))
    assert code == 1 and "refuted" in out and "grows without bound" in out, out + err
    doc = json.loads(cert.read_text())
    assert trusted.check(doc)[0], trusted.check(doc)
    assert doc["evidence"] and all(i["type"] == state + "-grow" for i in doc["evidence"])
    code, out, err = run_cli("check-cert", str(cert))
    assert code == 0, out + err


@pytest.mark.parametrize("args,want", [
    (["rc,gelu", "4", "8", "two-point"], "refuted"),           # w phi'(0)^2 = 1: the parity lemma's edge (S(s) > s)
    (["rc,gelu", "3", "8", "two-point"], "proved"),            # a real fixed point
    (["rc,elu", "2", "8", "two-point"], "proved"),             # S/s: 2 near 0, w c = 0.78 at infinity
    (["rc,elu", "5/2", "8", "two-point"], "proved")])          # w c = 0.977: a root far out
def test_true_statements_near_the_edge_are_not_refuted(args, want, run_cli):
    stages, w, n, state = args
    code, out, err = run_cli("check", "--stages", stages, "--weight-var", w, "--n", n, "--property", "fixed-point",
                             "--state", state)
    assert out.split(":")[1].split()[0] == want, out + err


def test_a_cover_that_starts_above_a_real_root_is_refused():
    """GELU at sigma_w^2 = 3, n = 8 has a two-point fixed point (s near 0.176): pieces from just above it to s_big all
    show S(s) > s and the reverse lemma holds beyond; only (0, s_min] fails (S(s) < s near 0, w/4 < 1)."""
    act, w, zero = activation("gelu"), Fraction(3), Fraction(0)
    root = Fraction(search.bracket_item(act, 8, w)["hi"])
    eps, s_big = search._tail(act, 8, w, "two-point", zero, 1)
    cuts = search._cuts("gelu", 8, w, (root * Fraction(11, 10)).limit_denominator(1000), s_big, 1, "two-point", zero)
    forged = {"type": "two-point-grow", "activation": "gelu", "alpha": "0", "weight_var": "3", "n": 8, "prec": 128,
              "T": "1/10", "eps": str(eps), "cuts": [str(c) for c in cuts]}
    with pytest.raises(trusted.Rejected, match="small-s"):
        trusted.items.check_item(forged)
    assert _rejected_or_not_refuted(_claim(w="3"), forged)


def test_the_reason_is_the_growth_and_the_price_is_the_none_items(gelu8, gelu8_simplex, elu39):
    """A grow fact is named -grow (its reason: S(s) > s, the scale grows, never the collapse's words), and a grow
    item costs what the same item as -none does (the same pieces and lemmas)."""
    assert trusted.items.check_item(copy.deepcopy(gelu8))["fact"] == "two-point-grow"
    why = trusted.decide(_claim(**ELU39), [elu39])[2]
    assert "S(s) > s" in why and "collapses" not in why and "S(s) < s" not in why
    for item in (gelu8, gelu8_simplex):
        none = dict(item, type=item["type"].replace("-grow", "-none"))
        assert trusted.items.work(item) == trusted.items.work(none) > 10 ** 5


def test_the_atlas_says_the_scale_grows():
    """atlas's cell text followed the kernel's reason: a grow refutation is not called a collapse."""
    from bnverify.commands import atlas
    cells = atlas.two_point_cells("gelu", None, Fraction(8), [8])
    assert atlas._two_point_text(cells[0]) == "n = 8: no two-point fixed point (the scale grows), refuted"
    assert atlas._simplex_text({"n": 8, "fixed_point": "refuted", "stable": "refuted", "reason": "collapses"}) == \
        "n = 8: no simplex fixed point (the scale collapses), refuted"


def _simplex_S(name, alpha, n, w, s):
    """The simplex state's S(s) = E[(phi(x) - phi(y))^2]/2, x, y ~ N(0, q) at correlation r = -1/(n-1), q = w s (n-1)/n:
    y = r x + sqrt(1 - r^2) x', a 2-D Gauss-Hermite rule (numpy's, 160 nodes a side; floats, written here)."""
    import numpy as np
    t, wt = np.polynomial.hermite_e.hermegauss(160)
    wt = wt / wt.sum()
    phi = {"gelu": lambda v: v * (1 + np.vectorize(__import__("math").erf)(v / np.sqrt(2))) / 2,
           "elu": lambda v: np.where(v > 0, v, alpha * np.expm1(np.minimum(v, 0)))}[name]
    q, r = float(w) * s * (n - 1) / n, -1 / (n - 1)
    x = np.sqrt(q) * t[:, None]
    y = np.sqrt(q) * (r * t[:, None] + np.sqrt(1 - r * r) * t[None, :])
    return float(np.sum(wt[:, None] * wt[None, :] * (phi(x) - phi(y)) ** 2) / 2)


def test_accepted_simplex_items_are_true_in_floats(gelu8_simplex):
    elu = search.grow_item(activation("elu", "2"), 3, 4, "simplex")
    for item in (gelu8_simplex, elu):
        assert trusted.items.check_item(copy.deepcopy(item))["fact"] == "simplex-grow"
        name, n, w, alpha = item["activation"], item["n"], Fraction(item["weight_var"]), float(Fraction(item["alpha"]))
        cuts = [float(Fraction(c)) for c in item["cuts"]]
        for s in cuts[::2] + [cuts[-1] * 10 ** k for k in (1, 2, 3)]:
            assert _simplex_S(name, alpha, n, w, s) > s * (1 + 1e-6), (name, s)


# ---------------------------------------------------------------- the two-point's near-zero bound, side by side
@pytest.mark.parametrize("alpha,n,w", [("1/2", 8, 3), ("1/100", 8, Fraction(3, 2)), ("1/4", 3, 3), ("3", 8, 2),
                                       ("1/2", 1000, Fraction(5, 2))])
def test_the_straddling_near_zero_bound_is_true_in_quadrature(alpha, n, w):
    """_near_zero's +1 for the two-point state (|phi(p) - phi(q)| >= m+ |p| + m- |q|: p, q straddle 0) only where
    the float S(s) > s at s_min and below; and where the slopes' mix gives w c > 1 it does say +1 (ELU(1/2) at 3,
    n = 8: m- = 1/2 alone would give w/4 < 1)."""
    said = 0
    for t in ("1/50", "1/5", "1"):
        for s_min in (Fraction(1, 10 ** 6), Fraction(1, 10 ** 3)):
            with ctx.workprec(128):
                v = T_near(alpha, n, w, t, s_min)
            if v == 1:
                said += 1
                with mpmath.workdps(30):
                    for s in (s_min, s_min / 100):
                        assert S_mp("elu", n, w, _mpf(s), Fraction(alpha)) > _mpf(s), (t, s)
    with mpmath.workdps(30):
        near = S_mp("elu", n, w, mpmath.mpf(10) ** -8, Fraction(alpha)) / mpmath.mpf(10) ** -8
    assert (said > 0) == (near > mpmath.mpf("1.05")), (said, near)


def T_near(alpha, n, w, t, s_min):
    return T._near_zero("elu", Fraction(alpha), n, Fraction(w), Fraction(t), s_min, "two-point")


def test_elu_below_one_half_grows_where_its_slopes_mix():
    """ELU(1/2) at sigma_w^2 = 3, n = 8: S(s)/s falls from 1.79 to 1.18 (mpmath), so the scale grows; refuted by a
    grow item (before: inconclusive, inf phi' = 1/2 gave w/4 < 1 near 0).  At n = 3 S(s)/s dips to 0.84: a real
    fixed point, proved, and the n = 8 item relabelled to n = 3 is refused."""
    act = activation("elu", "1/2")
    item = search.grow_item(act, 8, Fraction(3))
    assert item is not None and trusted.items.check_item(copy.deepcopy(item))["fact"] == "two-point-grow"
    claim = _claim("elu", w="3", alpha="1/2")
    assert trusted.decide(claim, [item])[0] == "refuted"
    bad = dict(copy.deepcopy(item), n=3)
    assert _rejected_or_not_refuted(_claim("elu", n="3", w="3", alpha="1/2"), bad)
    with mpmath.workdps(30):
        for s in (mpmath.mpf(10) ** -6, 1, 100, 10 ** 4):
            assert S_mp("elu", 8, 3, mpmath.mpf(s), Fraction(1, 2)) > s
        assert S_mp("elu", 3, 3, mpmath.mpf(100), Fraction(1, 2)) < 100


def test_the_simplex_near_zero_bound_keeps_the_smaller_slope():
    """The simplex state's pairs need not straddle 0: its near-zero bound is min(m+, m-)^2.  ELU(1/100) at 3, n = 8:
    S(s)/s near 0 is 0.994 (a float 2-D rule), and the kernel never says S(s) > s there (the straddle mix would: 1.18)."""
    assert _simplex_S("elu", 0.01, 8, 3, 1e-6) / 1e-6 < 0.999
    with ctx.workprec(128):
        for t in ("1/50", "1/5", "1"):
            assert T._near_zero("elu", Fraction(1, 100), 8, Fraction(3), Fraction(t), Fraction(1, 10 ** 6),
                                "simplex") != 1
