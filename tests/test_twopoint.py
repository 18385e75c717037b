"""The two-point family of RC + a non-homogeneous activation (bnverify/trusted/twopoint.py, the
kernel's; bnverify/derive/twopoint.py, the search): the trusted table against the registry's
formulas, its integrals against mpmath, the fixed points against the full n x n map and against
finite-width networks, the goals, and forgeries of the bracket item."""
import copy
import math
import re
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from flint import acb, arb, ctx

from bnverify import trusted
from bnverify.core.activations import Activation, activation
from bnverify.derive import infinite_width, twopoint as D
from bnverify.trusted import twopoint as T

NAMES = sorted(T.TABLE)
ALPHA = {"elu": [Fraction(1), Fraction(1, 2), Fraction(2)]}


def _acts():
    return [(name, a) for name in NAMES for a in ALPHA.get(name, [Fraction(0)])]


@pytest.mark.parametrize("name,alpha", _acts())
def test_the_table_is_the_registrys_formula(name, alpha):
    """phi and phi' of the trusted table against the registry's parsed formula and its derivative
    (mpmath, 30 digits) at points on both sides of 0."""
    act = Activation(name, alpha) if name == "elu" else Activation(name)
    phi, dphi = act.mp(0), act.mp(1)
    with mpmath.workdps(30), ctx.workprec(128):
        for t in ("-3.5", "-1", "-1/7", "1/9", "0.75", "2", "6"):
            x = Fraction(t)
            y = arb(x.numerator) / x.denominator
            branch = T.TABLE[name][0][1 if x > 0 else -1]
            got = [branch[i](acb(y), arb(alpha.numerator) / alpha.denominator).real for i in (0, 1)]
            want = [phi(mpmath.mpf(x.numerator) / x.denominator), dphi(mpmath.mpf(x.numerator) / x.denominator)]
            for g, w in zip(got, want):
                assert abs(float(g.mid()) - float(w)) < 1e-25 + 1e-25 * abs(float(w)), (name, t, g, w)


@pytest.mark.parametrize("name,alpha", _acts())
def test_growth_lipschitz_and_derivative_bounds_hold_on_a_dense_grid(name, alpha):
    """The table's constants against an independent float scan: |phi| <= f0 + f1 |t|, |phi'| <= the
    bound, phi'^2 <= L^2 (where a lemma is claimed), and the bound near its sup for the Lipschitz ones."""
    act = Activation(name, alpha) if name == "elu" else Activation(name)
    t = np.linspace(-40, 40, 400001)
    with np.errstate(all="ignore"):
        p, dp = act.phi(t), act.dphi(t)
    _, growth, dbound, lip2, _ = T.TABLE[name]
    big = max(1.0, float(alpha))
    f0, f1 = (big if g == "A" else float(Fraction(g)) for g in growth)
    assert np.all(np.abs(p) <= f0 + f1 * np.abs(t) + 1e-12)
    d = big if dbound == "A" else float(Fraction(dbound))
    assert np.all(np.abs(dp) <= d + 1e-12)
    if lip2 is not None:
        L2 = 4 / math.pi if lip2 == "4/pi" else big ** 2 if lip2 == "A^2" else float(Fraction(lip2))
        assert np.max(dp ** 2) <= L2 + 1e-12 and np.max(dp ** 2) > L2 * (1 - 1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_expectations_against_mpmath_quadrature(name):
    """E[phi(c1 Z) phi(-c2 Z)] and E[phi'(c Z)^2] in balls against mpmath's quad at 30 digits
    (split at 0), at scales from small to large (30 and 40 digits' values agree to 1e-31 relative for all eight
    activations; the balls are some 1e-17 wide)."""
    alpha = Fraction(1, 2) if name == "elu" else Fraction(0)
    act = Activation(name, alpha) if name == "elu" else Activation(name)
    phi, dphi = act.mp(0), act.mp(1)
    for c1, c2 in ((Fraction(1, 8), Fraction(7, 8)), (Fraction(3, 2), Fraction(5, 2))):
        with ctx.workprec(128):
            got = T.expectation(name, alpha, [("phi", arb(c1.numerator) / c1.denominator),
                                              ("phi", -arb(c2.numerator) / c2.denominator)])
            gd = T.expectation(name, alpha, [("dphi", arb(c1.numerator) / c1.denominator)] * 2)
        with mpmath.workdps(30):
            a, b = mpmath.mpf(c1.numerator) / c1.denominator, mpmath.mpf(c2.numerator) / c2.denominator
            want = mpmath.quad(lambda z: phi(a * z) * phi(-b * z) * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
            wd = mpmath.quad(lambda z: dphi(a * z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
        for g, w in ((got, want), (gd, wd)):
            assert g.rad() < 1e-17 * max(1e-3, abs(float(g.mid())))
            assert g.overlaps(arb(mpmath.nstr(w, 35))), (name, g, w)


def test_the_search_image_is_the_float_gram_map_of_the_centred_line():
    """derive.twopoint.distances (one-dimensional rule) against the full n x n float Gram map of a
    two-point batch (the product rule of derive.infinite_width), at n = 6."""
    act, n, w = activation("gelu"), 6, 2
    for s in (0.3, 2.0, 7.0):
        # a two-point batch at distance s: cluster points v = 0, odd point u with |u|^2 = s
        G = np.zeros((n, n))
        G[n - 1, n - 1] = s
        K = infinite_width.gram_map(G, act, w, nodes=60)
        dist = K[0, 0] + K[n - 1, n - 1] - 2 * K[0, n - 1]
        assert abs(D.distances(act, n, w, [s], nodes=60)[0] - dist) < 1e-9 * max(1, dist)
        assert abs(K[0, 0] - K[0, 1]) < 1e-12           # the cluster stays one point


@pytest.fixture(scope="module")
def tanh8():
    act = activation("tanh")
    lo, hi = D.bracket(act, 8, 2)
    return act, lo, hi, D.item(act, 8, 2, lo, hi)


def test_a_bracket_is_searched_once_per_arguments(tanh8, monkeypatch):
    """The search is kept per process: asked again (w as an int or a Fraction), the same bracket, with no
    quadrature; other arguments are searched anew; the simplex item comes as a copy the caller may edit."""
    from bnverify.claims.properties import two_point as search

    act, lo, hi, _ = tanh8
    calls = []
    real = D._mp_distance
    monkeypatch.setattr(D, "_mp_distance", lambda *a: calls.append(a[3]) or real(*a))
    assert D.bracket(act, 8, 2) == D.bracket(act, 8, Fraction(2)) == (lo, hi) and calls == []
    other = D.bracket(act, 7, 2)
    searched = len(calls)
    assert searched and other != (lo, hi) and D.bracket(act, 7, 2) == other and len(calls) == searched
    item = search.simplex_bracket_item(act, 8, 2)
    item["lo"] = "0"
    assert search.simplex_bracket_item(act, 8, 2)["lo"] != "0"


@pytest.mark.parametrize("name,w", [("tanh", 2), pytest.param("erf", 1, marks=pytest.mark.slow), ("sin", 2), ("elu", 2)])
def test_the_fixed_point_against_the_full_map_iterated(name, w):       # erf's float map: 6 s, under -m slow
    """Within the two-point family the fixed point attracts (tanh, erf, sin, ELU at n = 8): the full
    8 x 8 float map (the product rule of derive.infinite_width) iterated from a two-point batch
    ends at the bracketed distance (ELU's kink limits the float rule to about 0.4 %)."""
    act, n = activation(name), 8
    lo, _ = D.bracket(act, n, w)
    G = np.zeros((n, n))
    G[n - 1, n - 1] = 1.0
    for _ in range(150):
        G = infinite_width.gram_map(G, act, float(w), nodes=80)
    s = G[0, 0] + G[n - 1, n - 1] - 2 * G[0, n - 1]
    assert abs(s - float(lo)) < (1e-2 if act.kinks else 1e-6) * float(lo), (name, s, float(lo))


@pytest.mark.parametrize("name,w", [("tanh", 2), ("sin", 2)])
def test_the_fixed_point_against_finite_width_networks(name, w):
    """Networks of width 20 000 (bnverify.sim.model, W drawn, RC, phi), 8 of them, one layer from a
    batch whose Gram matrix is the certified fixed point: the new distance |u' - v'|^2/d and the odd
    cosine average to the fixed point's within four standard errors (finite width: samples)."""
    from bnverify.sim import model

    act, n, d = activation(name), 8, 20_000
    lo, hi = D.bracket(act, n, w)
    a, x, b = D.image(act, n, w, float(lo), 120)          # the fixed point's Gram entries (floats)
    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.standard_normal((d, 2)))
    z1, z2 = Q[:, 0] * math.sqrt(d), Q[:, 1] * math.sqrt(d)
    v, u = math.sqrt(a) * z1, x / math.sqrt(a) * z1 + math.sqrt(b - x * x / a) * z2
    X = np.stack([np.column_stack([v] * (n - 1) + [u])] * 8)
    dist, cos = [], []
    for _, Y in model.layers(X, 1, ("rc",), act, base_seed=5, weight_var=float(w)):
        for net in Y:
            gv, gu = net[:, 0], net[:, n - 1]
            dist.append(np.mean((gu - gv) ** 2))
            cos.append(gv @ gu / np.sqrt((gv @ gv) * (gu @ gu)))
    s, c = float(lo), x / math.sqrt(a * b)
    for vals, want in ((dist, s), (cos, c)):
        assert abs(np.mean(vals) - want) < 4 * np.std(vals) / math.sqrt(len(vals)) + 1e-9, (name, vals, want)


def _claim(prop="fixed-point", act="tanh", n="8", w="2", params=None, alpha=None):
    d = {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n},
         "params": {"state": "two-point"} if params is None else params, "weight_var": w}
    if alpha is not None:
        d["domain"]["alpha"] = alpha
    return d


def test_goals_proved_and_refuted(tanh8):
    *_, item = tanh8
    assert trusted.decide(_claim(), [item])[0] == "proved"
    sr = dict(state="two-point", relation=">", bound="1")
    v, st, why = trusted.decide(_claim("spectral-radius", params=sr), [item])
    assert v == "proved" and "spectral radius > 1" in st and "every block" in why
    # where the Lipschitz lemma holds there is no two-point fixed point, at every n
    for act, w in (("tanh", "1"), ("sin", "1"), ("sigmoid", "15"), ("erf", "3/4"), ("softplus", "1")):
        assert trusted.decide(_claim(act=act, n="3..", w=w), [])[0] == "refuted", act
    assert trusted.decide(_claim(act="elu", n="3..", w="1/4", alpha="2"), [])[0] == "refuted"
    # the trace lemma: GELU and SiLU at w <= 2 (tr T(S) < tr S)
    for act, w in (("gelu", "2"), ("silu", "1")):
        v, _, why = trusted.decide(_claim(act=act, n="3..", w=w), [])
        assert v == "refuted" and "tr T(S)" in why, act
    # no lemma there (GELU above 2: L^2 w > 1 and the trace lemma's edge; erf at w = 1 has a fixed point): not
    # refuted without evidence
    for act, w in (("gelu", "201/100"), ("erf", "1"), ("elu", "1/3")):
        with pytest.raises(trusted.Rejected):
            trusted.decide(_claim(act=act, n="3..4", w=w, alpha="2" if act == "elu" else None), [])


def test_a_bound_the_radius_does_not_meet_is_not_proved(tanh8):
    *_, item = tanh8
    with pytest.raises(trusted.Rejected, match="not shown"):
        trusted.decide(_claim("spectral-radius", params=dict(state="two-point", relation=">", bound="2")), [item])
    with pytest.raises(trusted.Rejected, match="not shown"):       # a bracket proves; refuting needs a cover
        trusted.decide(_claim("spectral-radius", params=dict(state="two-point", relation="<", bound="1")), [item])
    # a radius below 2 is shown at this bracket (1.94), and "there is one with radius < 2" proved
    assert trusted.decide(_claim("spectral-radius", params=dict(state="two-point", relation="<", bound="2")),
                          [item])[0] == "proved"


@pytest.mark.parametrize("field,value,why", [
    ("activation", "erf", "not a bracket"),          # tanh's bracket is not erf's
    ("weight_var", "4", "not a bracket"),
    ("n", 9, "not a bracket"),
    ("alpha", "1/2", "takes no alpha"),
    ("lo", None, "not a bracket"),                   # lo moved past the root
    ("hi", None, "need 0 < lo < hi"),
    ("prec", 10 ** 6, "outside 1..4096"),
    ("prec", 32, "out of range"),
    ("n", 2, "out of range"),
    ("lo", "0", "need 0 < lo"),
    ("lo", "1e5", "exact rational"),
    ("weight_var", "-2", "need 0 <"),
])
def test_forged_bracket_items_are_rejected(tanh8, field, value, why):
    act, lo, hi, item = tanh8
    bad = copy.deepcopy(item)
    if value is None:
        value = str(hi * 2) if field == "lo" else str(lo / 2)
        if field == "lo":                           # past the root, narrow (a wide one is refused first)
            bad["hi"] = str(hi * 2 * (1 + Fraction(1, 2000)))
    bad[field] = value
    with pytest.raises(trusted.Rejected, match=why):
        trusted.decide(_claim(), [bad])


@pytest.mark.parametrize("name,n,w", [("erf", 8, 2), ("tanh", 9, 2), ("tanh", 8, 4), ("sin", 8, 2)])
def test_genuine_evidence_of_another_model_says_nothing(name, n, w):
    act = activation(name)
    item = D.item(act, n, w, *D.bracket(act, n, w))
    assert trusted.decide(_claim(act=name, n=str(n), w=str(w)), [item])[0] == "proved"
    with pytest.raises(trusted.Rejected, match="says nothing"):
        trusted.decide(_claim(), [item])        # tanh, n = 8, sigma_w^2 = 2


def test_relabelled_claims_reject_the_evidence(tanh8):
    *_, item = tanh8
    for claim in (_claim(act="erf"), _claim(w="3"), _claim(n="9"), _claim(n="7..8")):
        with pytest.raises(trusted.Rejected):
            trusted.decide(claim, [item])
    with pytest.raises((trusted.NoGoal, trusted.Rejected)):     # the evidence offered for a homogeneous model
        trusted.decide(_claim(act="relu", w="1", n="8"), [dict(item, activation="relu")])
    with pytest.raises(trusted.Rejected, match="second"):
        trusted.decide(_claim(), [item, dict(item)])


def test_check_collapse_and_bad_weight_variances(run_cli):
    code, out, _ = run_cli("check", "--stages", "rc,tanh", "--n", "3..", "--property", "fixed-point",
                           "--state", "two-point")
    assert code == 1 and "refuted" in out and "scale collapses" in out
    for bad in ("0", "-1", "abc", "1/0", "1e999999", "nan", "101"):
        code, _, err = run_cli("check", "--stages", "rc,tanh", "--weight-var", bad, "--n", "3", "--property",
                               "fixed-point", "--state", "two-point")
        assert code == 2 and err.count("\n") == 1 and "--weight-var" in err, (bad, err)


def test_homogeneous_models_with_another_weight_variance_are_inconclusive(run_cli):
    code, out, _ = run_cli("check", "--stages", "rc,relu", "--weight-var", "2", "--n", "3..", "--property",
                           "fixed-point", "--state", "configuration")
    assert code == 3 and "only scales" in out


@pytest.mark.parametrize("name", NAMES + ["abs"])
def test_every_property_is_decided_or_refused_never_a_crash(name):
    """Every goal for every new activation: a verdict, NoGoal or Rejected, nothing else."""
    for prop in trusted.kernel.GOALS:
        params = {"state": "two-point", "relation": ">", "bound": "1", "value": "0", "eigenvalues": [],
                  "lo": "6", "hi": "7", "basin": "[simplex, partner)", "points": "nonzero"}
        params = {k: v for k, v in params.items() if k in trusted.kernel.PARAMS.get(prop, "").split()}
        for stages in (["rc"], ["rc", "rs"], [], ["nl", "rc"]):
            claim = dict(_claim(prop, name, "3..5", "1", params, "1" if name == "elu" else None), stages=stages)
            try:
                trusted.decide(claim, [])
            except (trusted.NoGoal, trusted.Rejected):
                pass


# ---------------------------------------------------------------- every root in one bracket
@pytest.fixture(scope="module")
def cover8():
    from bnverify.claims.properties import two_point as TP

    item = TP.cover_item(activation("tanh"), 8, 2)
    assert item is not None
    return item


def _lt():
    return _claim("spectral-radius", params=dict(state="two-point", relation="<", bound="1"))


def test_a_cover_refutes_stability(cover8):
    v, st, why = trusted.decide(_lt(), [cover8])
    assert v == "refuted" and "every root" in why and "spectral radius < 1" in st
    # with <= and a bound at the pair eigenvalue's level it is not refuted
    with pytest.raises(trusted.Rejected):
        trusted.decide(_claim("spectral-radius", params=dict(state="two-point", relation="<=", bound="2")), [cover8])


def test_the_cover_against_mpmath_and_its_lemmas(cover8):
    """S(s) - s > 0 below the bracket and < 0 above it, at points between the cuts and below s_min
    (mpmath quadrature, independent of the kernel's integrals)."""
    act = activation("tanh")
    lo, hi = Fraction(cover8["lo"]), Fraction(cover8["hi"])
    s_min = Fraction(cover8["below"][0])
    with mpmath.workdps(25):
        for s in [s_min / 1000, s_min / 7, s_min, (s_min + lo) / 2, lo, hi, (hi + 4) / 2, 4, 9, 100]:
            d = D._mp_distance(act, 8, Fraction(2), mpmath.mpf(s.numerator) / s.denominator, mpmath) - \
                mpmath.mpf(s.numerator) / s.denominator
            assert (d > 0) == (s <= lo), (s, d)


@pytest.mark.parametrize("edit,why", [
    (lambda it: it.update(below=it["below"][:-1]), "do not run"),                   # stops short of lo
    (lambda it: it.update(above=it["above"][:-1] + ["3"]), "do not run"),            # stops short of osc^2 = 4
    (lambda it: it.update(below=[it["below"][0]] + it["below"][2:]), "not shown"),   # a piece too long? or still fine
    (lambda it: it.update(below=["1/4"] + [c for c in it["below"] if Fraction(c) > Fraction(1, 4)]), "small-s"),
    (lambda it: it.update(T="0"), "T outside"),
    (lambda it: it.update(lo=it["above"][1], below=it["below"] + [it["above"][1]]), "not shown|do not run"),
    (lambda it: it.update(activation="erf"), "not shown|small-s"),
    (lambda it: it.update(activation="gelu"), "small-s"),        # gelu has a cover now (relu - h): its lemma fails here
    (lambda it: it.update(alpha="1/2"), "do not run|takes no alpha"),
    (lambda it: it.update(below=it["below"][::-1]), "do not run"),
])
def test_forged_covers_are_rejected(cover8, edit, why):
    bad = copy.deepcopy(cover8)
    edit(bad)
    try:
        trusted.decide(_lt(), [bad])
    except trusted.Rejected as e:
        assert re.search(why, str(e)) or "says nothing" in str(e), str(e)
    else:
        # a shortened first piece may still be a valid cover: then it must still be true, i.e. refuted
        assert why == "not shown" and trusted.decide(_lt(), [bad])[0] == "refuted"


def test_a_cover_of_another_model_says_nothing(cover8):
    for claim in (dict(_lt(), weight_var="4"), dict(_lt(), domain={"n": "9"}), dict(_lt(), activation="erf")):
        with pytest.raises(trusted.Rejected, match="says nothing|not shown"):
            trusted.decide(claim, [cover8])


def test_sin_needs_t_below_pi_over_2():
    from bnverify.claims.properties import two_point as TP

    item = TP.cover_item(activation("sin"), 6, 2)
    assert trusted.decide(_claim("spectral-radius", act="sin", n="6",
                                 params=dict(state="two-point", relation="<", bound="1")), [item])[0] == "refuted"
    with pytest.raises(trusted.Rejected, match="T outside"):
        trusted.decide(_claim("spectral-radius", act="sin", n="6", params=dict(state="two-point", relation="<",
                                                                               bound="1")), [dict(item, T="8/5")])


# ---------------------------------------------------------------- every block, against a dense Jacobian
def _dense_radius(name, w, n, nodes=80, eps=1e-5):
    """The spectral radius of DF at the two-point fixed point from the full n x n float map
    (derive.infinite_width, the product rule): one-sided second-order differences along PSD
    directions e_i e_i^T and (e_i + e_j)(e_i + e_j)^T, which span the symmetric matrices."""
    act = activation(name)
    lo, hi = D.bracket(act, n, w)
    a, x, b = D.image(act, n, w, float((lo + hi) / 2), nodes)
    G = np.full((n, n), a)
    G[:n - 1, n - 1] = G[n - 1, :n - 1] = x
    G[n - 1, n - 1] = b
    F = lambda H: infinite_width.gram_map(H, act, w, nodes=nodes)       # noqa: E731
    F0 = F(G)
    dF = lambda E: (-3 * F0 + 4 * F(G + eps * E) - F(G + 2 * eps * E)) / (2 * eps)     # noqa: E731
    idx = [(i, j) for i in range(n) for j in range(i, n)]
    unit = lambda *ks: sum((np.outer(np.eye(n)[k], np.eye(n)[k]) for k in ks), np.zeros((n, n)))  # noqa: E731
    cols = []
    for i, j in idx:
        if i == j:
            D_ = dF(unit(i))
        else:
            v = np.eye(n)[i] + np.eye(n)[j]
            D_ = dF(np.outer(v, v)) - dF(unit(i)) - dF(unit(j))
        cols.append([D_[p, q] for p, q in idx])
    return np.linalg.eigvals(np.array(cols).T), (lo, hi)


@pytest.mark.parametrize("name,w,n", [("tanh", 2, 3), ("tanh", 2, 4), ("erf", 1, 4), ("sin", 2, 6)])
def test_every_block_against_the_dense_jacobian(name, w, n):
    """The whole spectrum: the kernel's block eigenvalues with their multiplicities against the dense
    float Jacobian's n(n+1)/2 eigenvalues, and the radius."""
    ev, (lo, hi) = _dense_radius(name, w, n)
    dense = max(abs(ev))
    with ctx.workprec(128):
        low, up = T._radius(name, Fraction(0), n, Fraction(w), lo, hi)
        S = arb.union(T.ball(lo), T.ball(hi))
        mult = {"trivial": 1, "standard": n - 2, "pair": (n - 1) * (n - 4) // 2}
        mine = [complex(float(e.real.mid()), float(e.imag.mid())) for comp, M in
                T.all_blocks(name, Fraction(0), n, Fraction(w), S).items() for e in T.eigenvalues(M)
                for _ in range(mult[comp])]
    assert float(low) - 1e-7 < dense < float(up) + 1e-7 and float(up - low) < 1e-8
    key = lambda z: (round(z.real, 5), round(abs(z.imag), 5))        # noqa: E731
    assert len(mine) == len(ev) == n * (n + 1) // 2
    assert all(abs(a - b) < 1e-5 for a, b in zip(sorted(mine, key=key), sorted(ev, key=key))), (mine, ev)


def test_n_3_and_4_are_decided_by_the_trivial_and_standard_blocks():
    for n in (3, 4):
        act = activation("tanh")
        item = D.item(act, n, 2, *D.bracket(act, n, 2))
        v, _, why = trusted.decide(_claim("spectral-radius", n=str(n), params=dict(state="two-point", relation=">",
                                                                                    bound="1")), [item])
        assert v == "proved" and "every block" in why


def test_jacobian_for_a_non_homogeneous_activation(cli_json, run_cli):
    """bnverify jacobian --n N --stages rc,PHI: every eigenvalue of DF(G*) as a ball, multiplicities
    adding up to n(n+1)/2, the radius the dense Jacobian gives, and the kernel's refutation of
    stability."""
    doc = cli_json("jacobian", "--n", "4", "--stages", "rc,tanh", "--weight-var", "2")
    assert doc["multiplicities_complete"] and doc["weight_var"] == "2"
    assert sum(e["multiplicity"] for e in doc["eigenvalues"]) == 10
    top = max(float(e["value"].strip("[]").split("+/-")[0]) for e in doc["eigenvalues"])
    dense = max(abs(_dense_radius("tanh", 2, 4)[0]))
    assert abs(top - dense) < 1e-6
    assert doc["stability_verdict"]["verdict"] == "refuted" and doc["stability_verdict"]["checked"]
    for bad, why in ((["--symbolic", "--stages", "rc,tanh"], "give --n"), (["--n", "8", "--stages", "rc,tanh"], "no two-point"),
                     (["--n", "8", "--weight-var", "2"], "only scales")):
        code, _, err = run_cli("jacobian", *bad)
        assert code == 2 and why in err and err.count("\n") == 1, (bad, err)


@pytest.mark.parametrize("w,state,fate", [("1", "two-point", "collapses"), ("5", "simplex", "grows")])
def test_jacobian_says_why_there_is_no_fixed_point(run_cli, w, state, fate):
    """Where a lemma of the kernel shows there is no fixed point (GELU: the trace lemma at sigma_w^2 <= 2, the
    parity lemma at >= 4), jacobian says so in one line, and check refutes the fixed point."""
    code, _, err = run_cli("jacobian", "--n", "5", "--stages", "rc,gelu", "--weight-var", w, "--state", state)
    assert code == 2 and err.count("\n") == 1 and "the scale %s at every n" % fate in err, err
    code, out, _ = run_cli("check", "--stages", "rc,gelu", "--weight-var", w, "--n", "5", "--property", "fixed-point",
                           "--state", state)
    assert code == 1 and "refuted" in out
