"""Issue 23 item 3: O_n and the odd point under RS.  The growth bounds against the response itself
(mpmath quadrature over the angle); the averaging lemma (two independent mpmath evaluations of the
RS map on the symmetric family, the ball integral, its trusted twin and Monte Carlo of the
definition); the kernel's basin goal with RS, and its forgeries."""
from __future__ import annotations

import contextlib
import io
import json
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from bnverify import cli, trusted
from bnverify.claims.certificate import rehash
from bnverify.core.activations import Activation
from bnverify.derive import basins as rc_basins
from bnverify.derive import rs as derive_rs
from bnverify.derive import rs_family
from bnverify.trusted import rs
from bnverify.trusted import items as trusted_items
from bnverify.trusted import rs_family as trusted_family

RELU = Activation("relu")


def _run(args):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = cli.main(args)
    return code, out.getvalue()


# ---------------------------------------------------------------- growth at O_n
@pytest.mark.parametrize("n, alpha", [(3, 0), pytest.param(8, 0, marks=pytest.mark.slow), (4, Fraction(1, 10))])
def test_growth_bounds_twin_and_the_response_itself(n, alpha):
    e0, a, b = (float(v) for v in rs.growth_bounds(n, sp.Rational(alpha)))
    f0, fa, fb = rs_family.growth_bounds(n, alpha)
    assert math.isclose(e0, f0, rel_tol=1e-12) and math.isclose(a, fa, rel_tol=1e-12) and math.isclose(b, fb, rel_tol=1e-12)
    act = Activation("leaky_relu", Fraction(alpha)) if alpha else RELU
    c0 = float(rs_family.growth_limit(n, alpha))
    assert a < c0 < b
    for eps in (e0, e0 / 100, e0 / 10 ** 4):
        ratio = derive_rs.spread_response_quadrature(act, n, eps, dps=15) / math.sqrt(eps)
        assert a <= ratio <= b, (eps, ratio)
    # the limit is the response's: at eps0/10^8 the quadrature is within 1 % of c0
    assert math.isclose(derive_rs.spread_response_quadrature(act, n, e0 / 10 ** 8, dps=15) / math.sqrt(e0 / 10 ** 8), c0,
                        rel_tol=1e-2)


@pytest.mark.parametrize("n", [3, 8, 40])
def test_the_exact_leading_value_for_relu(n):
    exact = rs_family.growth_limit_relu(n)
    assert math.isclose(float(exact), float(rs_family.growth_limit(n, 0)), rel_tol=1e-12)
    e0, a, b = rs.growth_bounds(n, sp.Integer(0))
    assert float(a) < float(exact) < float(b)


def test_growth_bounds_for_every_n_specialise_to_each_n():
    e0, a, b = rs.growth_bounds(None, sp.Integer(0))
    n = sp.Symbol("n")
    for k in (3, 6, 11):
        ek, ak, bk = rs.growth_bounds(k, sp.Integer(0))
        assert all(math.isclose(float(x.subs(n, k)), float(y), rel_tol=1e-12) for x, y in ((e0, ek), (a, ak), (b, bk)))


def test_a_wrong_growth_model_is_refused(monkeypatch):
    """A model whose odd point sits on the cluster (lambda = 0) fails the derivation's facts (the per-process
    caches of the true model's derivations emptied first)."""
    monkeypatch.setattr(rs, "rs_image", lambda n, alpha: (sp.Integer(1), sp.Integer(1), sp.Integer(1)))
    rs.unbounded_response.cache_clear(), rs.growth_bounds.cache_clear()
    with pytest.raises(trusted.Rejected):
        rs.growth_bounds(5, sp.Integer(0))


@pytest.mark.parametrize("stages, act", [(["rc"], "relu"), (["rs"], "relu"), ([], "relu"), (["rc", "rs"], "tanh")])
def test_models_without_the_rs_growth_have_no_goal(stages, act):
    """Without RS the map is C^1 at O_n (a spread eps comes out O(eps)); without RC, or tanh: not analysed."""
    claim = {"property": "rs-growth", "stages": stages, "activation": act, "domain": {"n": "3.."}, "params": {}}
    with pytest.raises(trusted.NoGoal):
        trusted.decide(claim)


@pytest.mark.slow
@pytest.mark.mutation
def test_the_growth_claim_and_its_forgeries(tmp_path):
    path = tmp_path / "g.json"
    assert _run(["check", "proofs/rs-growth.toml", "--cert", str(path)])[0] == 0
    cert = json.loads(path.read_text())
    assert trusted.check(cert)[0] and "sqrt(eps)" in cert["statement"]
    for edit in ({"stages": ["rc"]}, {"stages": ["rs"]}, {"stages": []}, {"activation": "tanh"},
                 {"domain": {"n": "2.."}}, {"activation": "leaky_relu", "domain": {"n": "3..", "alpha": "0..1/2"}},
                 {"activation": "leaky_relu", "domain": {"n": "3..", "alpha": "1/2"}},   # another alpha: another bound
                 {"domain": {"n": "5"}},                                             # one n: its own numbers
                 {"property": "rs-linearization"}):
        forged = json.loads(json.dumps(cert))
        forged["claim"].update(edit)
        assert not trusted.check(rehash(forged))[0], edit


# ---------------------------------------------------------------- the averaging lemma
@pytest.mark.parametrize("n, rho", [(4, 0.6), (9, -0.12)])
def test_averaging_lemma_and_the_ball_integral(n, rho):
    m = rs_family.mixture(rho, n, RELU, dps=15)
    assert abs(m["direct"] - m["average"]) < 1e-13
    assert abs(m["path"][0] - rho) < 1e-13 and abs(m["path"][1] - (-1 / (n - 1))) < 1e-5
    q = Fraction(rho).limit_denominator(10 ** 6)
    if abs(q - Fraction(rho)) > 0:
        m = rs_family.mixture(float(q), n, RELU, dps=15)
    h = rs_family.h_rs(q, q, n, 0)
    assert h.contains(float(m["direct"])) or abs(float(h.mid()) - float(m["direct"])) < 1e-14
    from flint import ctx
    with ctx.workprec(64):
        t = trusted_family.h_rs(q, q, n, Fraction(0), 64)
    assert t.overlaps(h) and t.rad() < 1e-9


def test_the_ball_integral_against_the_certified_laplace_map():
    """h_RS from laplace.gram (the generic certified RS map, on the exact Sigma(rho)) against the family's."""
    from bnverify.core import laplace
    n, rho = 5, Fraction(1, 3)
    q = 1 + (n - 2) * rho
    S = [[Fraction(1) if i == j else rho for j in range(n)] for i in range(n)]
    for i in range(n - 1):
        S[i][n - 1] = S[n - 1][i] = -q
    S[n - 1][n - 1] = (n - 1) * q
    V = laplace.gram(S, 0, rc=True, digits=12)["V"]
    h = rs_family.centred_correlation((V[0][0], V[0][1], V[0][n - 1], V[n - 1][n - 1]), n)
    assert h.overlaps(rs_family.h_rs(rho, rho, n, 0))


def test_the_family_map_against_monte_carlo():
    """The definition y = sqrt(n) Cz/|Cz|, z ~ N(0, Sigma(rho)), 4 * 10^5 samples, n = 6."""
    n, rho = 6, Fraction(1, 2)
    q = float(1 + (n - 2) * rho)
    G = np.full((n, n), float(rho))
    np.fill_diagonal(G, 1.0)
    G[-1, :] = G[:, -1] = -q
    G[-1, -1] = (n - 1) * q
    rng = np.random.default_rng(23)
    hs = []
    for _ in range(4):
        F = derive_rs.rs_gram_monte_carlo(G, RELU, 10 ** 5, rng)
        C = np.eye(n) - 1 / n
        S = C @ F @ C
        hs.append(S[0, 1] / S[0, 0])
    mean, se = np.mean(hs), np.std(hs, ddof=1) / 2
    h = float(rs_family.h_rs(rho, rho, n, 0).mid())
    assert abs(mean - h) < 5 * se + 1e-4, (mean, se, h)


def test_the_rs_map_has_no_other_fixed_point_on_a_grid():
    """h_RS - rho has the sign the basins say at points from both ends of the domain, n = 8 (balls)."""
    n = 8
    star = Fraction(-1, n - 1)
    for k in range(1, 40):
        rho = Fraction(-1, n - 2) + Fraction(k, 40) * (1 - Fraction(-1, n - 2))
        d = rs_family.h_rs(rho, rho, n, 0) - rs_family._ball(rho, 64)
        assert (d > 0) if rho < star else (d < 0), (rho, d)


# ---------------------------------------------------------------- the kernel's basin goal with RS
def _claim(n, state="simplex", basin="[left-end, configuration)", stages=("rc", "rs"), alpha=None):
    d = {"property": "basin", "stages": list(stages), "activation": "relu" if alpha is None else "leaky_relu",
         "domain": {"n": str(n)}, "params": {"state": state, "basin": basin}}
    if alpha is not None:
        d["domain"]["alpha"] = str(alpha)
    return d


@pytest.fixture(scope="module")
def rc_cover7():
    return rc_basins.basins(7, RELU, rates=False).certificate


@pytest.fixture(scope="module")
def rc_cover4():
    return rc_basins.basins(4, RELU, rates=False).certificate


def test_rs_basins_below_the_fold_from_rc_alone(rc_cover4):
    assert trusted.decide(_claim(4), [rc_cover4])[0] == "proved"
    # another state, another basin: refuted from the same facts
    assert trusted.decide(_claim(4, "attractor", "(partner, configuration)"), [rc_cover4])[0] == "refuted"
    assert trusted.decide(_claim(4, "simplex", "[left-end, partner)"), [rc_cover4])[0] == "refuted"
    assert trusted.decide(_claim(4, "configuration", "{configuration}"), [rc_cover4])[0] == "proved"


def test_rs_basins_leaky_below_the_fold():
    cover = rc_basins.basins(5, Activation("leaky_relu", Fraction(1, 10)), rates=False).certificate
    claim = _claim(5, alpha="1/10")
    assert trusted.decide(claim, [cover])[0] == "proved"
    with pytest.raises(trusted.Rejected):                  # the cover's slope is not the claim's
        trusted.decide(_claim(5, alpha="1/5"), [cover])


def _honest_piece(n=7):
    a, b = Fraction(0), Fraction(1, 128)
    assert rs_family.h_rs(a, b, n, 0) < rs_family._ball(a, 64)
    return {"type": "rs-cover", "n": n, "alpha": "0", "prec": 64, "pieces": [["0", "1/128"]]}


def test_rs_cover_item_alone_is_checked_and_says_where():
    fact = trusted_items.check_item(_honest_piece())
    assert fact == {"fact": "rs-below", "n": 7, "alpha": 0, "lo": 0, "hi": Fraction(1, 128)}


def test_forgeries_of_the_rs_basin_goal(rc_cover7, rc_cover4):
    piece = _honest_piece()
    # above the fold, RC alone's cover alone does not decide RC + RS (the lemma leaves (partner, attractor))
    with pytest.raises(trusted.Rejected, match="do not decide"):
        trusted.decide(_claim(7), [rc_cover7])
    # an honest rs-cover that does not reach from the partner to the attractor decides nothing
    with pytest.raises(trusted.Rejected, match="do not decide"):
        trusted.decide(_claim(7), [rc_cover7, piece])
    # RS evidence offered to an RC-only claim says nothing about it
    with pytest.raises(trusted.Rejected, match="says nothing"):
        trusted.decide(_claim(7, "attractor", "(partner, configuration)", stages=("rc",)), [rc_cover7, piece])
    # relabelled onto another n or slope: re-checked there, or about nothing the goal uses
    for edit in ({"n": 8}, {"alpha": "1/10"}, {"n": 4}):
        with pytest.raises(trusted.Rejected):
            trusted.decide(_claim(edit.get("n", 7), alpha=edit.get("alpha")) if "alpha" in edit else
                           _claim(7), [rc_cover7, dict(piece, **edit)])
    # another n's RC cover for this n's claim
    with pytest.raises(trusted.Rejected):
        trusted.decide(_claim(7), [rc_cover4])
    # a piece through the BSB1 point, left of it, reaching O_n or beyond the domain, and a wide piece
    # whose midpoint's image lies below it while its right end's does not
    for pieces in ([["-1/6", "-1/7"]], [["1/2", "1"]], [["-1/4", "-1/5"]], [["3/10", "99/100"]]):
        with pytest.raises(trusted.Rejected):
            trusted_items.check_item(dict(piece, pieces=pieces))
    # a piece near the BSB1 point whose midpoint's image lies below it and its right end's above
    # (h_RS(-47/300 + 3/1000) < -47/300 < h_RS(-47/300 + 6/1000)): the remainder of the mean-value form
    with pytest.raises(trusted.Rejected, match="not shown"):
        trusted_items.check_item(dict(piece, pieces=[["-47/300", "-113/750"]]))
    # gaps, overlaps, a precision or n out of range
    for bad in ({"pieces": [["0", "1/256"], ["1/128", "1/64"]]}, {"prec": 32}, {"prec": 10 ** 6}, {"n": 2}, {"n": 65}):
        with pytest.raises(trusted.Rejected):
            trusted_items.check_item(dict(piece, **bad))


@pytest.mark.parametrize("stages", [["rs"], ["rs", "rc"], []])
def test_other_stage_orders_have_no_rs_basin(stages, rc_cover4):
    with pytest.raises((trusted.NoGoal, trusted.Rejected)):
        trusted.decide(_claim(4, stages=stages), [rc_cover4])


def test_the_averaging_lemma_needs_rc_alones_exact_basins():
    f = {"fact": "basins", "n": 7, "alpha": 0, "basins": dict(rs.ONLY_TWO, partner="{partner}")}
    assert rs.rs_basins(f) is None
    f4 = dict(f, basins=dict(rs.FOUR), pieces={"partner": (Fraction(-1, 8), Fraction(-1, 9)),
                                                 "attractor": (Fraction(1, 4), Fraction(1, 3))})
    assert rs.rs_basins(f4) is None
    near = {"fact": "rs-below", "n": 7, "alpha": 0, "lo": Fraction(-1, 8), "hi": Fraction(1, 3)}
    assert rs.rs_basins(f4, [near])["basins"] == rs.ONLY_TWO
    for edit in ({"lo": Fraction(-1, 9)}, {"hi": Fraction(1, 4)}, {"n": 8}, {"alpha": Fraction(1, 10)}):
        assert rs.rs_basins(f4, [dict(near, **edit)]) is None, edit


@pytest.mark.slow
def test_rs_basins_above_the_fold_proved_and_rechecked(tmp_path):
    path = tmp_path / "b7.json"
    code, _ = _run(["check", "--stages", "rc,rs,relu", "--n", "7", "--property", "basin", "--state", "simplex",
                    "--basin", "[left-end, configuration)", "--cert", str(path)])
    assert code == 0
    cert = json.loads(path.read_text())
    assert trusted.check(cert)[0]
    types = [i["type"] for i in cert["evidence"]]
    assert types == ["basin-cover", "rs-cover"]
    forged = json.loads(json.dumps(cert))
    forged["claim"]["stages"] = ["rc"]                     # RS's evidence relabelled onto RC alone
    assert not trusted.check(rehash(forged))[0]
    forged = json.loads(json.dumps(cert))
    forged["evidence"][1]["pieces"] = forged["evidence"][1]["pieces"][:-3]   # short of the attractor
    assert not trusted.check(rehash(forged))[0]


def test_finite_width_networks_from_near_o_n_end_at_bsb1():
    """Corroboration (sampling): n = 8 (where RC alone has a spread-cluster attractor), a start 10^-3
    from O_n, width 512, 30 RC + RS + ReLU layers: every cosine ends near c* = kappa(-1/7)/kappa(1)."""
    n, d = 8, 512
    c_star = (math.sqrt(1 - 1 / 49) + (math.pi - math.acos(-1 / 7)) * (-1 / 7)) / math.pi    # 2 kappa(-1/7)
    for seed in range(2):
        rng = np.random.default_rng(seed)
        v, u = rng.standard_normal(d), rng.standard_normal(d)
        u -= u @ v / (v @ v) * v
        X = np.stack([v + 1e-3 * rng.standard_normal(d) for _ in range(n - 1)] + [u * np.sqrt(v @ v / (u @ u))], axis=1)
        for _ in range(30):
            Z = rng.standard_normal((d, d)) / np.sqrt(d) @ X
            Z -= Z.mean(1, keepdims=True)
            X = np.maximum(Z / Z.std(1, keepdims=True), 0)
        G = X.T @ X
        cos = G / np.sqrt(np.outer(np.diag(G), np.diag(G)))
        off = cos[~np.eye(n, dtype=bool)]
        assert abs(off.mean() - c_star) < 0.03 and abs(cos[:n - 1, n - 1].mean() - c_star) < 0.05, (seed, off.mean())


def test_a_cover_that_does_not_close_is_inconclusive_with_its_reason(monkeypatch):
    """The search's reason is evidence beside the road's own (a clash of the two was an internal error)."""
    monkeypatch.setattr(rs_family, "cover", lambda *a, **k: None)
    code, out = _run(["check", "--stages", "rc,rs,relu", "--n", "7", "--property", "basin", "--state", "simplex",
                      "--basin", "[left-end, configuration)", "--jobs", "1"])
    assert code == 3 and "internal error" not in out and "did not close" in out, out
