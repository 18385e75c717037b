"""The simplex state of RC + a non-homogeneous activation (bnverify/trusted/twopoint.py with
bnverify/trusted/mehler.py, the kernel's; bnverify/derive/twopoint.py and
bnverify/claims/properties/two_point.py, the search): Mehler's series against closed forms, the
product rule and mpmath; the fixed point and every block of DF against the full n x n float map
(iterated, and its dense Jacobian) and against finite-width networks; the goals; forgeries."""
import copy
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.claims.properties import two_point as search
from bnverify.core import dual_kernel
from bnverify.core.activations import activation
from bnverify.derive import infinite_width, twopoint as D
from bnverify.trusted import mehler as M, twopoint as T
from bnverify.trusted.base import ball
from test_twopoint import _claim as two_point_claim     # noqa: E402 - pytest puts tests/ on sys.path


def _series(name, q, r, alpha=Fraction(0), tol=2.0 ** -60):
    br, growth = T.TABLE[name][0], T.TABLE[name][1]
    a = ball(alpha)
    g = arb.max(T._const(growth[0], a), T._const(growth[1], a) * ball(q).sqrt())
    coef, e2 = M.coefficients(lambda t, side, *_: br[side][0](t, a), g, ball(q), M.terms(r, tol) + 3, tol)
    return M.series(coef, e2, ball(r), ball(q)), e2


@pytest.mark.parametrize("name,q,r", [("sin", Fraction(1, 3), Fraction(-1, 2)), ("erf", Fraction(2), Fraction(-1, 3)),
                                      ("gelu", Fraction(3, 2), Fraction(-1, 7)), ("tanh", Fraction(1), Fraction(-1, 2)),
                                      ("elu", Fraction(2), Fraction(-1, 4))])
def test_mehler_against_the_dual_kernel(name, q, r):
    """K, dK/dc, dK/dq1 and E[phi^2] of the kernel's series overlap bnverify kernel's enclosures (closed
    forms for sin, erf, gelu; the Gauss-Legendre Mehler route for tanh and elu), and are narrow."""
    with ctx.workprec(128):
        (K, Kc, Kq), e2 = _series(name, q, r, Fraction(1) if name == "elu" else Fraction(0))
        v = dual_kernel.kernel(activation(name), q, q, r * q, digits=20)["values"]
        for mine, theirs in ((K, v["K"]), (Kc, v["dK_dc"]), (Kq, v["dK_dq1"]), (e2, v["Ex2"])):
            assert mine.overlaps(theirs) and mine.rad() < 1e-15, (name, mine, theirs)


@pytest.mark.slow
def test_mehler_against_mpmath_two_dimensional_quadrature():          # mpmath's 2-D quadrature: 35 s
    """tanh at q = 3/2, r = -1/2: K = E[tanh(x) tanh(y)] by mpmath's 2-D quadrature at 30 digits (it
    agrees to some 1e-17: the quadrature's own error)."""
    q, r = Fraction(3, 2), Fraction(-1, 2)
    with ctx.workprec(128):
        (K, _, _), _ = _series("tanh", q, r)
    with mpmath.workdps(30):
        sq, rr = mpmath.sqrt(mpmath.mpf(3) / 2), mpmath.mpf(r.numerator) / r.denominator
        f = lambda z1, z2: (mpmath.tanh(sq * z1) * mpmath.tanh(sq * (rr * z1 + mpmath.sqrt(1 - rr ** 2) * z2))  # noqa: E731
                            * mpmath.npdf(z1) * mpmath.npdf(z2))
        ref = mpmath.quad(f, [-mpmath.inf, 0, mpmath.inf], [-mpmath.inf, 0, mpmath.inf])
    assert abs(mpmath.mpf(K.str(30, radius=False)) - ref) < 1e-16 and K.rad() < 1e-20


def test_the_series_refuses_correlations_it_does_not_bound():
    with ctx.workprec(64):
        coef = [arb(1), arb(0), arb(0), arb(0)]
        with pytest.raises(trusted.Rejected, match="1/2"):
            M.series(coef, arb(1), ball(Fraction(-2, 3)), arb(1))
        with pytest.raises(trusted.Rejected, match="certainly > 0"):
            M.coefficients(lambda t, side, *_: t, arb(1), arb(0, 1), 4, 2.0 ** -30)


def test_the_search_distance_is_the_float_gram_map():
    """derive.twopoint.simplex_distances against the n x n product rule at s I: E2 - K off its entries."""
    act, n, w, s = activation("tanh"), 6, 2.0, 0.7
    K = infinite_width.gram_map(s * np.eye(n), act, w, nodes=80)
    assert abs(D.simplex_distances(act, n, w, [s], nodes=80)[0] - (K[0, 0] - K[0, 1])) < 1e-8     # two float rules


@pytest.fixture(scope="module")
def tanh8():                    # n = 8: 22 Mehler terms (n = 3 takes 66, three times the time)
    act = activation("tanh")
    return search.simplex_bracket_item(act, 8, 2)


def _claim(prop="fixed-point", act="tanh", n="8", w="2", params=None, alpha=None):
    """test_twopoint's claim builder, the state simplex by default."""
    return two_point_claim(prop, act, n, w, {"state": "simplex"} if params is None else params, alpha)


def _dense(name, w, n, nodes=80, eps=1e-5):
    """(fixed point G, |eigenvalues| of DF there) from the full n x n float map: iterated from a
    perturbed batch (the simplex attracts where it is stable), central differences on e_ij."""
    act = activation(name)
    G = np.eye(n) * 2 + 0.01 * np.random.default_rng(0).standard_normal((n, n))
    G = (G + G.T) / 2
    F = lambda H: infinite_width.gram_map(H, act, float(w), nodes=nodes)      # noqa: E731
    for _ in range(300):
        G = F(G)
    idx = [(i, j) for i in range(n) for j in range(i, n)]
    cols = []
    for i, j in idx:
        E = np.zeros((n, n))
        E[i, j] = E[j, i] = 1
        D_ = (F(G + eps * E) - F(G - eps * E)) / (2 * eps)
        cols.append([D_[p, q] for p, q in idx])
    return G, np.sort(abs(np.linalg.eigvals(np.array(cols).T)))


@pytest.mark.parametrize("name,w,n", [pytest.param("tanh", 2, 3, marks=pytest.mark.slow), ("sin", 2, 5),
                                      pytest.param("erf", 2, 4, marks=pytest.mark.slow),
                                      pytest.param("elu", 2, 3, marks=pytest.mark.slow)])
def test_the_fixed_point_and_every_block_against_the_full_map(name, w, n):
    """The full map iterated lands on the bracketed s (it is stable there); the kernel's block
    eigenvalues with their multiplicities are the dense float Jacobian's n(n+1)/2 moduli."""
    G, dense = _dense(name, w, n)
    act = activation(name)
    item = search.simplex_bracket_item(act, n, w)
    lo, hi = Fraction(item["lo"]), Fraction(item["hi"])
    s = G[0, 0] - G[0, 1]
    assert float(lo) * (1 - 1e-3) < s < float(hi) * (1 + 1e-3) and np.ptp(np.diag(G)) < 1e-9
    alpha = Fraction(act.alpha) if act.takes_alpha else Fraction(0)
    with ctx.workprec(128):             # the blocks at the float map's s (a point): the bracket's ball is wider
        S = ball(Fraction(s))
        mult = {"trivial": 1, "standard": n - 2, "pair": (n - 1) * (n - 4) // 2}
        mine = np.sort([abs(complex(float(e.real.mid()), float(e.imag.mid())))
                        for comp, B in T.all_blocks(name, alpha, n, Fraction(w), S, state="simplex").items()
                        for e in T.eigenvalues(B) for _ in range(mult[comp])])
    assert len(mine) == len(dense) == n * (n + 1) // 2
    # ELU's kink leaves the float rule some 1e-3 off (derive.twopoint's docstring)
    assert np.allclose(mine, dense, atol=3e-3 if act.kinks else 1e-6), (mine, dense)


def test_the_fixed_point_against_finite_width_networks():
    """Width 20 000, 8 networks, one RC + tanh layer (sigma_w^2 = 2) from a batch whose Gram matrix is
    the certified simplex state at n = 4: the new s (a diagonal minus an off-diagonal entry, per
    unit width) averages to the bracket's within four standard errors."""
    from bnverify.sim import model

    act, n, d, w = activation("tanh"), 4, 20_000, 2
    item = search.simplex_bracket_item(act, n, w)
    s = float(Fraction(item["lo"]))
    rng = np.random.default_rng(7)
    Q, _ = np.linalg.qr(rng.standard_normal((d, n)))
    X = np.stack([Q * math.sqrt(d * s)] * 8)           # Gram s I per unit width (G's J part drops under RC)
    vals = []
    for _, Y in model.layers(X, 1, ("rc",), act, base_seed=11, weight_var=float(w)):
        for net in Y:
            g = net.T @ net / d
            vals.append(np.mean(np.diag(g)) - np.mean(g[~np.eye(n, dtype=bool)]))
    assert abs(np.mean(vals) - s) < 4 * np.std(vals) / math.sqrt(len(vals)) + 1e-9, (vals, s)


def test_goals_proved_refuted_and_left_open(tanh8):
    sr = lambda rel, b: dict(state="simplex", relation=rel, bound=b)         # noqa: E731
    assert trusted.decide(_claim(), [tanh8])[0] == "proved"
    v, st, why = trusted.decide(_claim("spectral-radius", params=sr("<", "1")), [tanh8])
    assert v == "proved" and "spectral radius < 1" in st and "every block" in why and "simplex" in st
    # a bound the radius (0.96318) does not meet is not proved; nothing refutes without a cover of every root
    for rel, b in (("<", "19/20"), (">", "1"), ("<=", "963/1000")):
        with pytest.raises(trusted.Rejected, match="not shown"):
            trusted.decide(_claim("spectral-radius", params=sr(rel, b)), [tanh8])
    for rel, b in ((">", "1/2"), (">=", "96/100"), ("<=", "964/1000")):
        assert trusted.decide(_claim("spectral-radius", params=sr(rel, b)), [tanh8])[0] == "proved", (rel, b)
    # the Lipschitz lemma: no simplex fixed point at every n
    for act, w in (("tanh", "1"), ("sin", "1"), ("sigmoid", "15"), ("softplus", "1")):
        v, _, why = trusted.decide(_claim(act=act, n="3..", w=w), [])
        assert v == "refuted" and "simplex" in why, act
    v, _, why = trusted.decide(_claim(act="gelu", n="3..", w="2"), [])      # the trace lemma (w <= 2)
    assert v == "refuted" and "tr T(S)" in why and "no simplex fixed point" in why
    with pytest.raises(trusted.Rejected):               # no lemma, no evidence: not decided
        trusted.decide(_claim(act="gelu", n="3", w="201/100"), [])


@pytest.mark.parametrize("field,value,why", [
    ("activation", "erf", "not a bracket"),
    ("weight_var", "4", "not a bracket"),
    ("n", 9, "not a bracket"),
    ("alpha", "1/2", "takes no alpha"),
    ("type", "two-point-bracket", "not a bracket"),     # the simplex's numbers read as a two-point bracket
    ("hi", None, "need 0 < lo < hi"),
    ("prec", 32, "out of range"),
])
def test_forged_simplex_items_are_rejected(tanh8, field, value, why):
    bad = copy.deepcopy(tanh8)
    bad[field] = str(Fraction(tanh8["lo"]) / 2) if value is None else value
    claim = _claim(params={"state": "two-point"}) if field == "type" else _claim()
    with pytest.raises(trusted.Rejected, match=why):
        trusted.decide(claim, [bad])


def test_evidence_of_another_state_or_model_says_nothing(tanh8):
    """A genuine simplex bracket does not prove the two-point state, nor another n, sigma_w^2 or
    activation; a genuine two-point bracket does not prove the simplex state."""
    for claim in (_claim(params={"state": "two-point"}), _claim(n="9"), _claim(w="3"), _claim(act="erf"),
                  _claim(n="7..8")):
        with pytest.raises(trusted.Rejected):
            trusted.decide(claim, [tanh8])
    act = activation("tanh")
    two = D.item(act, 8, 2, *D.bracket(act, 8, 2))
    with pytest.raises(trusted.Rejected, match="says nothing"):
        trusted.decide(_claim(), [two])
    wide = dict(tanh8, lo=str(Fraction(tanh8["lo"]) * Fraction(99, 100)))
    with pytest.raises(trusted.Rejected, match="wider"):
        trusted.decide(_claim(), [wide])


def test_check_and_json_on_the_command_line(run_cli):
    import json

    code, out, _ = run_cli("check", "--stages", "rc,tanh", "--weight-var", "2", "--n", "8", "--property",
                           "spectral-radius", "--state", "simplex", "--relation", "<", "--bound", "1", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["verdict"] == "proved" and "Mehler" in doc["method"], doc
    code, out, _ = run_cli("check", "--stages", "rc,sin", "--n", "3..", "--property", "fixed-point",
                           "--state", "simplex")
    assert code == 1 and "refuted" in out and "collapses" in out      # exit 1: refuted


def test_the_simplex_command_for_a_non_homogeneous_activation(cli_json, run_cli):
    """bnverify simplex --stages rc,PHI --weight-var S2: per n the kernel's verdicts and enclosures
    (the geometry of the same bracket); sigma_w^2 with a homogeneous phi refused, and open ranges where no collapse
    lemma decides every n (where one does: one row, tests/test_spread_commands.py)."""
    doc = cli_json("simplex", "--stages", "rc,sin", "--weight-var", "2", "--n", "4..5")       # sin: 0.4 s per n
    rows = doc["results"]
    assert [r["status"] for r in rows] == ["proved", "proved"] and [r["stable"] for r in rows] == ["proved"] * 2
    lo, hi = (float(x) for x in rows[0]["spectral_radius"])
    assert abs(lo - 0.957493) < 1e-6 and hi - lo < 1e-6 and doc["weight_var"] == "2"
    assert all(abs(float(x) + 0.305932025) < 1e-8 for x in rows[0]["simplex_cos"])
    code, out, _ = run_cli("simplex", "--stages", "rc,sin", "--n", "3")       # sigma_w^2 = 1: the scale collapses
    assert code == 0 and "refuted" in out and "collapses" in out
    for argv, why in ((("--stages", "rc,relu", "--weight-var", "2", "--n", "3"), "only scales"),
                      (("--stages", "rc,tanh", "--weight-var", "2", "--n", "3.."), "none holds for tanh"),
                      (("--stages", "rc,rs,tanh", "--n", "3"), "RC then the activation"),
                      (("--stages", "rc,tanh", "--weight-var", "2", "--n", "3..2000"), "up to n = 1000")):
        code, _, err = run_cli("simplex", *argv)
        assert code == 2 and why in err and "Traceback" not in err, (argv, err)


def test_jacobian_at_the_simplex_state(cli_json, run_cli):
    """bnverify jacobian --state simplex: every eigenvalue as a ball, multiplicities adding up to
    n(n+1)/2, the same moduli as the dense float Jacobian (sin, n = 5), the kernel's verdict."""
    doc = cli_json("jacobian", "--n", "5", "--stages", "rc,sin", "--weight-var", "2", "--state", "simplex")
    assert doc["multiplicities_complete"] and doc["stability_verdict"]["verdict"] == "proved"
    assert doc["state"].startswith("the simplex fixed point") and doc["fixed_point"]["norm_ratio"] == "1"
    mine = np.sort([abs(float(arb(e["value"]).mid())) for e in doc["eigenvalues"] for _ in range(e["multiplicity"])])
    _, dense = _dense("sin", 2, 5)
    assert np.allclose(mine, dense, atol=1e-6), (mine, dense)
    code, _, err = run_cli("jacobian", "--n", "5", "--state", "simplex")
    assert code == 2 and "bnverify simplex" in err


# ---------------------------------------------------------------- every root in one bracket (bounded phi)
@pytest.fixture(scope="module")
def cover8(tanh8):
    return search.cover_item(activation("tanh"), 8, 2, tanh8, state="simplex")


def test_a_cover_refutes_what_the_one_root_does_not_have(tanh8, cover8):
    """Every simplex fixed point lies in the cover's bracket, where the radius is 0.96318: 'a simplex
    fixed point with radius > 1' and '... < 19/20' are refuted; '< 1' still proved."""
    sr = lambda rel, b: _claim("spectral-radius", params=dict(state="simplex", relation=rel, bound=b))  # noqa: E731
    for rel, b in ((">", "1"), ("<", "19/20"), (">=", "97/100")):
        v, _, why = trusted.decide(sr(rel, b), [cover8, tanh8])
        assert v == "refuted" and "every root" in why, (rel, b, why)
    assert trusted.decide(sr("<", "1"), [cover8, tanh8])[0] == "proved"
    assert cover8["type"] == "simplex-cover" and Fraction(cover8["above"][-1]) >= 2      # osc^2/2 for tanh


def test_the_simplex_small_s_lemma_against_mpmath(cover8):
    """At s_min the lemma's bound w phi'(T)^2 (1 - 2 sqrt 6 sqrt Q(T/sqrt(w s_min))) exceeds 1, and the
    true S(s)/s (mpmath, 2-D) exceeds the bound at s_min and below it."""
    T, s_min, w, n = Fraction(cover8["T"]), Fraction(cover8["below"][0]), 2, 8
    with mpmath.workdps(20):
        R = mpmath.mpf(T.numerator) / T.denominator / mpmath.sqrt(w * mpmath.mpf(s_min.numerator) / s_min.denominator)
        bound = w * (1 - mpmath.tanh(float(T)) ** 2) ** 2 * (1 - 2 * mpmath.sqrt(6) * mpmath.sqrt(mpmath.ncdf(-R)))
        assert bound > 1
        for s in (float(s_min), float(s_min) / 10):
            S = D.simplex_distances(activation("tanh"), n, w, [s], nodes=80)[0]
            assert S / s > bound, (s, S / s, bound)


@pytest.mark.parametrize("edit,why", [
    (lambda c: c.update(above=c["above"][:-1] + [str(Fraction(19, 10))]), "osc"),          # short of osc^2/2 = 2
    (lambda c: c.update(T="3"), "small-s bound"),                                         # phi'(3)^2 w < 1
    (lambda c: c.update(below=[str(Fraction(c["below"][1]) * 2)] + c["below"][1:]), "do not run"),
    (lambda c: c.update(below=[c["below"][0], c["below"][-1]], slopes=[i - len(c["below"]) + 2 for i in c.get(
        "slopes", []) if i >= len(c["below"]) - 1]), "not shown >"),     # one wide piece (slopes kept in step)
    (lambda c: c.update(type="two-point-cover"), "do not run"),                           # two-point: osc^2 = 4
    (lambda c: c.update(weight_var="3"), "not shown|do not run|small-s"),
])
def test_forged_simplex_covers_are_rejected(tanh8, cover8, edit, why):
    bad = copy.deepcopy(cover8)
    edit(bad)
    claim = _claim("spectral-radius", params=dict(state="simplex", relation=">", bound="1"))
    if bad["type"] == "two-point-cover":
        claim["params"]["state"] = "two-point"
    with pytest.raises(trusted.Rejected, match=why):
        trusted.decide(claim, [bad, tanh8] if bad["type"] == "simplex-cover" else [bad])


def test_a_simplex_cover_is_priced_by_its_pieces(cover8):
    """Narrow pieces need the series at 2^-60: a cover of them costs more than the genuine one."""
    wide = dict(cover8, slopes=[])             # the pieces' price alone (slope pieces are priced apart)
    narrow = copy.deepcopy(wide)
    lo = Fraction(narrow["below"][0])
    narrow["below"] = [str(lo + (Fraction(narrow["below"][-1]) - lo) * k / 400) for k in range(401)]
    assert trusted.items.work(narrow) > 2 * trusted.items.work(wide) > 0


def test_the_api_reads_the_simplex_rows():
    import bnverify as bnv

    r = bnv.simplex(stages="rc,sin", weight_var="2", n="4")
    row = r.row(4)
    assert r.weight_var == "2" and row.status == row.stable == "proved"
    assert abs(float(row.s.lo) - 0.512728) < 1e-6 and abs(float(row.squared_norm.hi) - 0.3926146) < 1e-6


@pytest.mark.slow          # 7 s: every width fails first (the float rule is 1 % off at sigma_w^2 = 100)
def test_the_search_falls_back_to_the_scans_own_pair():
    """tanh at sigma_w^2 = 100, n = 3: the float root is 1 % off, wider than any width tried; the
    scan's own pair of points brackets the root in balls, and the bisection narrows it to 1e-8."""
    item = search.simplex_bracket_item(activation("tanh"), 3, 100)
    assert item is not None and Fraction(item["hi"]) / Fraction(item["lo"]) - 1 < Fraction(1, 10 ** 7)
    assert trusted.decide(_claim(n="3", w="100"), [item])[0] == "proved"


def test_the_ball_grid_looks_for_its_own_root_nearest_first():
    """_ball_grid: sign changes of the kernel's evaluator on a log grid about float root ``which``, nearest first,
    never past the geometric midpoint to a neighbouring float root (a sign function stands in for the balls)."""
    found = [(0.97, 1.04), (142.8, 152.8), (9347.8, 10000.0)]
    roots = [230, 1.0, 9700]                     # where the "balls" change sign (the float rule was off at s ~ 150)

    def sign_for(true_root, calls):
        def sign(s):
            calls.append(s)
            return 1 if s < true_root else -1
        return sign
    calls = []
    first = next(search._ball_grid(sign_for(roots[0], calls), found, 1))
    assert first[0] < 230 < first[1] and first[1] / first[0] < 1.2
    assert all(12 < c < 1200 for c in calls)           # between the midpoints to roots 0 and 2
    assert list(search._ball_grid(sign_for(2000, []), found, 1)) == []      # 2000: past the midpoint to root 2
    assert list(search._ball_grid(sign_for(0.5, []), found, 1)) == []       # root 0's side of the midpoint
    pairs = list(search._ball_grid(sign_for(1.1, []), found, 0))
    assert len(pairs) == 1 and pairs[0][0] < 1.1 < pairs[0][1]


@pytest.mark.slow          # 25 s: the second root's balls at s ~ 235 (Mehler's series at variance ~ 650)
def test_a_stable_simplex_root_the_float_rule_put_forty_percent_off(cli_json):
    """SiLU at sigma_w^2 = 3, n = 12: the scan's second sign change sits near s = 148, the true root (balls) near
    235; the ball grid brackets it and its spectral radius (0.998) proves the existential claim, which the first
    root (s ~ 1.02, radius 1.056) alone left inconclusive."""
    out = cli_json("check", "--stages", "rc,silu", "--weight-var", "3", "--n", "12", "--property", "spectral-radius",
                   "--state", "simplex", "--relation", "<", "--bound", "1")
    assert out["verdict"] == "proved" and 235 < float(Fraction(out["evidence"]["s"][0])) < 235.2
