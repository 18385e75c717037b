"""Red team of the parity lemma (trusted/twopoint.py, ``grows`` and ``lemma``): its edge from below (every sigma_w^2
in (3.6, 4) has real two-point fixed points at every n >= 3, so no rational just below 4 may be refuted), n = 2 (at
sigma_w^2 = 4 the two points are always opposite and every distance is kept: a continuum of two-point fixed points,
which only the goals' n >= 3 keeps from the lemma), the edge's reasons per state, and the commands' words (growth,
not collapse).  phi and the Gaussian integrals are written here (mpmath), not taken from the package."""
import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from bnverify import trusted
from bnverify.trusted import twopoint as T

PHI = {"gelu": lambda t: t * (1 + mpmath.erf(t / mpmath.sqrt(2))) / 2, "silu": lambda t: t / (1 + mpmath.exp(-t)),
       "softplus": lambda t: mpmath.log(1 + mpmath.exp(t))}


def _claim(act, w, n, state="two-point", prop="fixed-point", **params):
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n},
            "params": dict(state=state, **params) if state else params, "weight_var": str(w)}


def _S_over_s(name, n, w, s):
    """The two-point S(s)/s = E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2]/s, lam^2 = w s."""
    phi, lam = PHI[name], mpmath.sqrt(w * s)
    return mpmath.quad(lambda z: (phi((n - 1) * lam * z / n) - phi(-lam * z / n)) ** 2 * mpmath.npdf(z),
                       [-mpmath.inf, -5, 0, 5, mpmath.inf]) / s


@pytest.mark.parametrize("name", sorted(PHI))
def test_just_below_the_edge_a_fixed_point_exists_and_nothing_is_refuted(name):
    """sigma_w^2 = 4 - 10^-4: S(s)/s < 1 near 0 (it tends to w/4) and > 1 far out (the ReLU-like tail), n = 3 and
    1000: a real two-point fixed point.  So no rational below 4, however close, may reach the lemma."""
    w = mpmath.mpf(39999) / 10000
    with mpmath.workdps(30):
        for n in (3, 1000):
            assert _S_over_s(name, n, w, mpmath.mpf(10) ** -8) < 1 < _S_over_s(name, n, w, mpmath.mpf(100)), n
    for k in (1, 4, 6, 12, 40):
        w = 4 - Fraction(1, 10 ** k)
        assert not T.grows(name, w)
        for state in ("two-point", "simplex"):
            with pytest.raises(trusted.Rejected):          # undecided without evidence, never refuted
                trusted.decide(_claim(name, w, "3", state), [])
        with pytest.raises(trusted.Rejected):
            trusted.decide(_claim(name, w, "3..8", None, "attractor-threshold", value="none"), [])
    assert T.grows(name, Fraction(4)) and T.grows(name, 4 + Fraction(1, 10 ** 40))


@pytest.mark.parametrize("name", sorted(PHI))
def test_n_2_at_the_edge_keeps_every_distance_and_reaches_no_lemma(name):
    """n = 2: the centred points are lam Z/2 and -lam Z/2, and phi(t) - phi(-t) = t gives S(s) = w s/4 = s at
    sigma_w^2 = 4 for every s: every two-point state's image is a two-point fixed point.  The goals need n >= 3."""
    with mpmath.workdps(30):
        for s in (mpmath.mpf(1) / 1000, 1, 50):
            assert abs(_S_over_s(name, 2, 4, s) - 1) < mpmath.mpf(10) ** -20
    for n in ("2", "2..", "2..9"):
        for state in ("two-point", "simplex"):
            with pytest.raises(trusted.NoGoal):
                trusted.decide(_claim(name, 4, n, state), [])
            with pytest.raises(trusted.NoGoal):
                trusted.decide(_claim(name, 4, n, state, "spectral-radius", relation="<", bound="1"), [])


@pytest.mark.parametrize("name", sorted(PHI))
def test_at_the_edge_each_state_says_why_it_is_not_half_and_half(name):
    why = {state: trusted.decide(_claim(name, 4, "3..", state), [])[2] for state in ("two-point", "simplex")}
    why["spread-cluster"] = trusted.decide(_claim(name, 4, "3..", None, "attractor-exists"), [])[2]
    assert "it would need n - 1 = 1" in why["two-point"]
    assert "its cosine -1/(n-1) is not -1" in why["simplex"]
    assert "pairwise opposite are two, and the odd point" in why["spread-cluster"]
    assert all("not a %s state" % state in text for state, text in why.items())


def _layer(H, w, phi, rng, width):
    Z = rng.standard_normal((width, H.shape[0])) @ H * np.sqrt(w / H.shape[0])
    return phi(Z - Z.mean(axis=1, keepdims=True))


def test_finite_width_two_point_and_simplex_batches_spread_at_nine_halves():
    """Width 4,000, n = 5, sigma_w^2 = 9/2: from a two-point and from a simplex batch every pair's distance after one
    layer is at least 9/8 of its own less 5 % for sampling (SiLU and softplus; GELU in test_parity_lemma)."""
    rng = np.random.default_rng(7)
    width, n = 4000, 5
    v, u = rng.standard_normal(width), rng.standard_normal(width)
    E = rng.standard_normal((width, n))
    phis = {"silu": lambda x: x / (1 + np.exp(-np.clip(x, -700, 700))), "softplus": lambda x: np.logaddexp(0, x)}
    for H in (np.stack([v] * (n - 1) + [u], axis=1), E - E.mean(axis=1, keepdims=True)):
        for name, phi in phis.items():
            Y = _layer(H, 4.5, phi, rng, width)
            for i in range(n):
                for j in range(i + 1, n):
                    before = np.mean((H[:, i] - H[:, j]) ** 2)
                    if before > 0:
                        assert np.mean((Y[:, i] - Y[:, j]) ** 2) >= 1.125 * before * 0.95, (name, i, j)


# ---------------------------------------------------------------- the commands' words
def test_endstate_says_the_scale_grows_where_the_parity_lemma_decides(run_cli):
    """endstate's note said "(the scale collapses)" for GELU at sigma_w^2 = 5, where every distance grows."""
    code, out, err = run_cli("endstate", "--stages", "rc,gelu", "--weight-var", "5", "--n", "4", "--width", "16",
                             "--depth", "3", "--seeds", "2", "--json")
    note = json.loads(out)["attractor_note"]
    assert code == 0 and "grows without bound" in note and "collapses" not in note, out + err
    code, out, err = run_cli("endstate", "--stages", "rc,tanh", "--n", "4", "--width", "16", "--depth", "3",
                             "--seeds", "2", "--json")
    assert "the scale collapses" in json.loads(out)["attractor_note"], out + err


def test_simplex_names_the_parity_lemma_for_an_open_range(run_cli):
    """The one row of an open range said "(a collapse lemma, no per-n evidence)" for softplus at sigma_w^2 = 4."""
    code, out, err = run_cli("simplex", "--stages", "rc,softplus", "--weight-var", "4", "--n", "3..")
    assert code == 0 and "the parity lemma: the scale grows" in out and "collapse lemma" not in out, out + err
    code, out, err = run_cli("simplex", "--stages", "rc,tanh", "--weight-var", "1", "--n", "3..")
    assert code == 0 and "(a collapse lemma, no per-n evidence)" in out, out + err


def test_report_from_a_row_outside_the_catalogue_is_unchecked_not_a_crash(tmp_path, run_cli, monkeypatch):
    """A results file with a row whose id is no claim of the catalogue (verify --catalogue DIR --report R) made
    `report --from` exit 4 (html.escape(None): the row's expect is None); it is shown unchecked."""
    from bnverify.report import figures

    monkeypatch.setattr(figures, "all_figures", lambda rows, skip=(), progress=None: [])
    code, out, err = run_cli("check", "--stages", "rc,gelu", "--weight-var", "4", "--n", "3..", "--property",
                             "fixed-point", "--state", "two-point", "--cert", str(tmp_path / "g.json"))
    assert code == 1, out + err
    (tmp_path / "certificates").mkdir()
    (tmp_path / "g.json").rename(tmp_path / "certificates" / "par-gelu4.json")
    row = {"id": "par-gelu4", "title": "GELU at 4", "statement": "a two-point fixed point", "verdict": "refuted",
           "expect": "refuted", "method": "trusted kernel (exact / SMT / ball)", "seconds": 0.1, "evidence": {},
           "uses": [], "certificate": "certificates/par-gelu4.json"}
    (tmp_path / "results.json").write_text(json.dumps({"claims": [row], "skipped": []}))
    code, out, err = run_cli("report", str(tmp_path / "o"), "--from", str(tmp_path / "results.json"), "--json")
    assert code == 0, out + err
    doc = json.loads((tmp_path / "o" / "report.json").read_text())
    (shown,) = [c for c in doc["claims"] if c["id"] == "par-gelu4"]
    assert shown["verdict"] == "unchecked" and "not a claim of the catalogue" in shown["unchecked"]
