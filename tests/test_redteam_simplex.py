"""Red team of the simplex state of RC + a non-homogeneous activation (bnverify/trusted/mehler.py,
the simplex parts of bnverify/trusted/twopoint.py, the simplex-bracket item's work in items.py).

Reference numbers below come from an independent computation that shares no code with bnverify:
mpmath (15 digits) nested one-dimensional quadratures of E[phi(x)^2] and E[phi(x) phi(y)] (the
inner one split at phi's kink), central differences (h = 1e-5) for dE2/dq, dK/dc and dK/dq1, the
full n x n linear map E -> DK(S)[w C E C] on symmetric matrices assembled entry by entry and its
eigenvalues by numpy (no Hermite series, no blocks).  The slow test recomputes one of them."""
import copy
import json
import time
from fractions import Fraction

import mpmath
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.trusted import items, kernel, mehler as M, twopoint as T
from bnverify.trusted.base import ball

TANH3 = {"type": "simplex-bracket", "activation": "tanh", "alpha": "0", "weight_var": "2", "n": 3,
         "lo": "3338211267/7389706876", "hi": "7980397580/17665987571", "prec": 128}
# (item, the independent spectral radius at the bracket's midpoint)
BRACKETS = [
    (TANH3, 0.7715868676631359),
    (dict(TANH3, activation="sigmoid", weight_var="100", lo="22371/99878", hi="564577/2520571"), 0.5987591688202029),
    (dict(TANH3, activation="elu", alpha="2", weight_var="1", n=4, lo="29524/17241", hi="39421/23009"),
     0.9736946425697999),
    (dict(TANH3, activation="sin", weight_var="3", n=6, lo="9128124731/17003271394", hi="4118390329/7671467075"),
     0.8122883796569957),
    # GELU at sigma_w^2 = 67/20, n = 3 has two simplex fixed points (S(s)/s rises from w/4 past 1, then
    # falls to relu's 0.297 w < 1); the float search finds only the first, the second is at s = 21.64
    (dict(TANH3, activation="gelu", weight_var="67/20", lo="5462572797/12315548887", hi="4607617597/10388024428"),
     1.0392695086482884),
    (dict(TANH3, activation="gelu", weight_var="67/20", lo="3188994428031/147402920000",
          hi="3190589323969/147402920000"), 0.995633164978527),
]


def _claim(prop="fixed-point", act="tanh", n="3", w="2", state="simplex", **params):
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n},
            "params": dict(state=state, **params), "weight_var": w}


# ---------------------------------------------------------------- cost
def test_a_steep_or_oscillating_item_is_over_the_budget_before_any_arithmetic():
    """sin at weight_var 100, s ~ 10^4 (q ~ 6.7e5): its Hermite integrals took 84 s at 128 bits
    (43 s at 64) under the old work weight of some 0.4 s; now its work is over CERT_WORK."""
    steep = dict(TANH3, activation="sin", weight_var="100", lo="9990", hi="9999", prec=64)
    assert items.work(steep) > kernel.CERT_WORK
    t = time.process_time()
    with pytest.raises(trusted.Rejected, match="over the budget"):
        trusted.decide(_claim(act="sin", w="100"), [steep])
    assert time.process_time() - t < 2
    # 64 bits cost as much as 128 (the integrals' tolerance is 2^-60 at any precision)
    assert items.work(dict(TANH3, prec=64)) == items.work(TANH3) < items.work(dict(TANH3, prec=256))
    # the variance's price: 1 + isqrt(ceil(w hi))/2 (tanh3: w hi < 1; sigmoid at w = 100, s = 0.224: 3)
    assert items.work(dict(TANH3, weight_var="100", hi="1/4")) == 3 * items.work(TANH3)
    assert items.work(dict(TANH3, weight_var="100", hi="16")) == 21 * items.work(TANH3)
    # the legitimate n = 3..8 (tanh, sigma_w^2 = 2) stays well inside the budget
    assert sum(items.work(dict(TANH3, n=n)) for n in range(3, 9)) < kernel.CERT_WORK / 4


# ---------------------------------------------------------------- Mehler's tails
def _coef(name, q, count, alpha=Fraction(0)):
    br, growth = T.TABLE[name][0], T.TABLE[name][1]
    a = ball(alpha)
    g = arb.max(T._const(growth[0], a), T._const(growth[1], a) * ball(q).sqrt())
    return M.coefficients(lambda t, side, *_: br[side][0](t, a), g, ball(q), count, 2.0 ** -60)


@pytest.mark.parametrize("name,alpha", [("tanh", Fraction(0)), ("elu", Fraction(1, 2)),
                                        pytest.param("softplus", Fraction(0), marks=pytest.mark.slow)])
def test_short_series_enclose_the_long_one(name, alpha):
    """Cut after 3..9 coefficients, each of K, dK/dc, dK/dq1 (a ball whose radius is the Bessel tail)
    contains the 60-term value at r = -1/2 (the largest correlation it allows, n = 3): the tails
    are bounds, with their factors |r|^(N+1), N+2, N+3 and T_N, T_(N+1), T_(N+2)."""
    q, r = Fraction(3, 2), ball(Fraction(-1, 2))
    with ctx.workprec(128):
        a, e2 = _coef(name, q, 60, alpha)
        full = M.series(a, e2, r, ball(q))
        assert all(v.rad() < 1e-15 for v in full)
        tight = 0
        for count in range(3, 10):
            short = M.series(a[:count], e2, r, ball(q))
            for s, f in zip(short, full):
                assert s.contains(f.mid()), (name, count, s, f)
                tight += s.rad() < 4 * abs(float((s - f).mid())) + 1e-30      # the tail is not slack by 4x
        assert tight >= 3, tight


def test_the_series_needs_three_coefficients_and_a_small_correlation():
    with ctx.workprec(64):
        for r in (Fraction(-51, 100), Fraction(1, 2) + Fraction(1, 10 ** 30)):
            with pytest.raises(trusted.Rejected, match="1/2"):
                M.series([arb(1)] * 4, arb(4), ball(r), arb(1))
        M.series([arb(1)] * 4, arb(4), ball(Fraction(1, 2)), arb(1))         # |r| = 1/2 itself is allowed
        with pytest.raises(trusted.Rejected):
            M.series([arb(1)] * 2, arb(4), ball(Fraction(-1, 2)), arb(1))


# ---------------------------------------------------------------- partials and radius, independently
def test_partials_at_elu_alpha_2_against_mpmath_differences():
    """ELU with alpha = 2: phi' jumps at 0 (2 to 1), so phi'' has a point mass; dK/dq1 from a_(k+2)
    (the heat equation dp/dq1 = p_xx/2 on the density needs no derivative of phi) agrees with
    central differences of an independent mpmath K.  n = 4, w = 1, s = 1.71285788944491."""
    with ctx.workprec(128):
        p = T._simplex_partials("elu", Fraction(2), 4, Fraction(1), ball(Fraction("1.71285788944491")), 2.0 ** -60)
    ref = {"d_cluster": 0.744882922787, "c_cc": 0.97369464257, "q_cc": 0.0423797825805}
    for key, v in ref.items():
        assert abs(float(p[key].mid()) - v) < 3e-11 and p[key].rad() < 1e-14, (key, p[key], v)
    assert p["q_co_cluster"] is p["q_cc"] and p["c_co"] is p["c_cc"] and p["d_odd"] is p["d_cluster"]


@pytest.mark.parametrize("item,rho", BRACKETS[:1] + [pytest.param(*b, marks=pytest.mark.slow) for b in BRACKETS[1:]])
def test_the_kernels_radius_contains_the_independent_dense_jacobians(item, rho):
    fact = items.check_item(item)
    lo, hi = (float(x) for x in fact["radius"])
    assert fact["fact"] == "simplex-fixed" and lo <= rho <= hi and hi - lo < 0.05, (lo, rho, hi)


@pytest.mark.slow
def test_partials_against_mpmath_live():           # nested mpmath quadrature: some 60 s
    with mpmath.workdps(15):
        f = lambda t: t if t > 0 else 2 * (mpmath.exp(t) - 1)      # noqa: E731

        def K(q1, q2, c):
            a = c / mpmath.sqrt(q1)
            b = mpmath.sqrt(q2 - a * a)
            inner = lambda z1: mpmath.quad(lambda z2: f(a * z1 + b * z2) * mpmath.npdf(z2),      # noqa: E731
                                           [-mpmath.inf, -a * z1 / b, mpmath.inf])
            return mpmath.quad(lambda z1: f(mpmath.sqrt(q1) * z1) * inner(z1) * mpmath.npdf(z1),
                               [-mpmath.inf, 0, mpmath.inf])
        q = mpmath.mpf(1) * mpmath.mpf("1.71285788944491") * 3 / 4
        h = mpmath.mpf(10) ** -5
        kq = (K(q + h, q, -q / 3) - K(q - h, q, -q / 3)) / (2 * h)
    with ctx.workprec(128):
        p = T._simplex_partials("elu", Fraction(2), 4, Fraction(1), ball(Fraction("1.71285788944491")), 2.0 ** -60)
    assert abs(float(p["q_cc"].mid()) - float(kq)) < 1e-9


# ---------------------------------------------------------------- goals: state words and the lemma
def test_the_collapse_reason_names_the_state_and_its_pairs():
    simplex = trusted.decide(_claim(w="1", n="3.."), [])
    two = trusted.decide(_claim(w="1", n="3..", state="two-point"), [])
    assert simplex[0] == two[0] == "refuted"
    assert "with positive probability" in simplex[2] and "E[(p - q)^2]/2 = sigma_w^2 s" in simplex[2]
    assert "simplex fixed point" in simplex[2] and "positive probability" not in two[2]
    assert "p - q = lam Z" in two[2] and "two-point fixed point" in two[2]
    # below 1 no strictness clause; ELU alpha = 2: L^2 = 4, w = 1/4 is the edge (phi' < 2 everywhere)
    assert "< 1 give" in trusted.decide(_claim(w="1/2", n="3.."), [])[2]
    elu = _claim(act="elu", w="1/4", n="3..")
    elu["domain"]["alpha"] = "2"
    assert trusted.decide(elu, [])[0] == "refuted"
    elu["weight_var"], elu["domain"]["n"] = "1/3", "3"          # past the edge: no lemma, no evidence, not decided
    with pytest.raises(trusted.Rejected):
        trusted.decide(elu, [])


def test_facts_are_named_by_their_state():
    fact = items.check_item(TANH3)
    assert fact["fact"] == "simplex-fixed"
    assert T._about(kernel.goal(_claim())[0], "simplex")(fact)
    assert not T._about(kernel.goal(_claim(state="two-point"))[0], "two-point")(fact)
    with pytest.raises(trusted.Rejected, match="says nothing"):         # a simplex item for the two-point claim
        trusted.decide(_claim(state="two-point"), [TANH3])
    with pytest.raises(trusted.Rejected, match="no simplex bracket for n = 4"):
        trusted.decide(_claim(n="3..4"), [TANH3])


@pytest.mark.parametrize("rel,bound,verdict", [("<", "1", "proved"), ("<=", "7716/10000", "proved"),
                                               (">", "7715/10000", "proved"), (">=", "1/2", "proved"),
                                               ("<", "7715/10000", None), (">", "7716/10000", None),
                                               ("<=", "1/2", None), (">=", "1", None)])
def test_every_relation_and_a_bracket_never_refutes(rel, bound, verdict):
    claim = _claim("spectral-radius", relation=rel, bound=bound)
    if verdict:
        assert trusted.decide(claim, [TANH3])[0] == verdict
    else:
        with pytest.raises(trusted.Rejected, match="not shown"):
            trusted.decide(claim, [TANH3])


# ---------------------------------------------------------------- forgeries through check-cert
@pytest.fixture(scope="module")
def tanh_cert(written_cert, tmp_path_factory):
    return written_cert(tmp_path_factory.mktemp("cert") / "good.json", "--stages", "rc,tanh", "--weight-var", "2",
                        "--n", "3", "--property", "fixed-point", "--state", "simplex")


@pytest.mark.parametrize("edit", ["weight_var", "state", "n", "activation", "item-weight_var", "item-type"])
def test_hand_edited_certificates_fail_with_one_line(edit, run_cli, tmp_path, tanh_cert):
    from bnverify.trusted.base import content_hash

    cert = copy.deepcopy(tanh_cert)
    if edit == "state":
        cert["claim"]["params"]["state"] = "two-point"
    elif edit == "n":
        cert["claim"]["domain"]["n"] = "4"
    elif edit.startswith("item-"):
        key = edit[5:]
        cert["evidence"][0][key] = "3" if key == "weight_var" else "two-point-bracket"
    else:
        cert["claim"][edit] = "3" if edit == "weight_var" else "erf"
    cert["hash"] = content_hash(cert)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cert))
    code, out, err = run_cli("check-cert", str(path))
    assert code == 1 and "Traceback" not in out + err and "FAIL" in out, out + err
