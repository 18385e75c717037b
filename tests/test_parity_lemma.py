"""The parity lemma (bnverify/trusted/twopoint.py, ``grows`` and ``lemma``): phi = o + e, o odd, e even; for a centred
Gaussian pair the cross term E[(o(x) - o(y))(e(x) - e(y))] vanishes, so E[(phi(x) - phi(y))^2] >= E[(o(x) - o(y))^2] >=
E[(x - y)^2]/4 when o' >= 1/2.  GELU, SiLU and softplus have o(t) = t/2 (phi(t) - phi(-t) = t) and e strictly
increasing in |t| (strict unless y = +-x); ELU has o' = (1 + alpha e^-|t|)/2 > 1/2.  With RC every distance of the
image is at least sigma_w^2/4 times its own: at sigma_w^2 >= 4 no two-point, simplex or spread-cluster state with
S != 0 is fixed, at any n.  Checked here against mpmath (phi written here), a float 2-D
Gauss-Hermite rule, a finite-width layer, and the real fixed points just below the edge (sigma_w^2 = 39/10)."""
import copy
import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import gaussfloat
from bnverify import trusted
from bnverify.trusted import twopoint as T

PHI = {"gelu": lambda t: t * mpmath.ncdf(t), "silu": lambda t: t / (1 + mpmath.exp(-t)),
       "softplus": lambda t: mpmath.log1p(mpmath.exp(t)), "elu": lambda t: t if t > 0 else mpmath.expm1(t),
       "elu-1/100": lambda t: t if t > 0 else mpmath.expm1(t) / 100, "elu-3": lambda t: t if t > 0 else 3 * mpmath.expm1(t)}
PHI_NP = {"gelu": lambda t: t * (1 + np.vectorize(__import__("math").erf)(t / np.sqrt(2))) / 2,
          "silu": lambda t: t / (1 + np.exp(-t)), "softplus": lambda t: np.logaddexp(0, t),
          "elu": lambda t: np.where(t > 0, t, np.expm1(np.minimum(t, 0))),
          "elu-3": lambda t: np.where(t > 0, t, 3 * np.expm1(np.minimum(t, 0)))}
EVEN = sorted(k for k, v in T.PARITY.items() if v == "even")
FAMILY = ["gelu", "silu", "softplus", "elu", "elu-1/100", "elu-3"]       # elu-A: elu at alpha = A


def _claim(act, w, n="8", state="two-point", prop="fixed-point", **params):
    act, _, alpha = act.partition("-")
    dom = {"n": n, "alpha": alpha or "1"} if act == "elu" else {"n": n}
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": dom,
            "params": dict(state=state, **params) if state else params, "weight_var": w}


# ---------------------------------------------------------------- the lemma's premises, independently
def test_the_table():
    assert T.PARITY == {"gelu": "even", "silu": "even", "softplus": "even", "elu": "odd"}


@pytest.mark.parametrize("name", EVEN)
def test_phi_minus_its_mirror_is_t_and_the_even_part_increases(name):
    phi = PHI[name]
    with mpmath.workdps(40):
        ts = [mpmath.mpf(k) / 7 for k in range(1, 200)]
        for t in ts:
            assert abs(phi(t) - phi(-t) - t) < mpmath.mpf(10) ** -35
        e = [(phi(t) + phi(-t)) / 2 for t in [mpmath.mpf(0)] + ts]
        assert all(b > a for a, b in zip(e, e[1:]))


@pytest.mark.parametrize("name", ["elu", "elu-1/100", "elu-3"])
def test_elu_s_odd_part_is_steeper_than_one_half(name):
    """o(p) - o(q) > (p - q)/2 for p > q (o' = (1 + alpha e^-|t|)/2), 40 digits."""
    phi = PHI[name]
    with mpmath.workdps(40):
        o = lambda t: (phi(t) - phi(-t)) / 2       # noqa: E731
        ts = [mpmath.mpf(k) / 5 for k in range(-150, 151)]
        for a, b in zip(ts, ts[1:]):
            assert o(b) - o(a) > (b - a) / 2


def _pairs(name, q1, q2, c, nodes=120):
    """E over (x, y) ~ N(0, [[q1, c], [c, q2]]) of (phi(x) - phi(y))^2, (x - y)^2 and the cross term, by a float 2-D
    Gauss-Hermite rule (written here)."""
    t, wt = np.polynomial.hermite_e.hermegauss(nodes)
    wt = wt / wt.sum()
    W = wt[:, None] * wt[None, :]
    x = np.sqrt(q1) * t[:, None] + 0 * t[None, :]
    r = c / np.sqrt(q1 * q2)
    y = np.sqrt(q2) * (r * t[:, None] + np.sqrt(max(1 - r * r, 0)) * t[None, :])
    f = PHI_NP[name]
    ox, oy = (f(x) - f(-x)) / 2, (f(y) - f(-y)) / 2
    ex, ey = (f(x) + f(-x)) / 2, (f(y) + f(-y)) / 2
    return (float(np.sum(W * (f(x) - f(y)) ** 2)), float(np.sum(W * (x - y) ** 2)),
            float(np.sum(W * (ox - oy) * (ex - ey))))


@pytest.mark.parametrize("name", ["gelu", "silu", "softplus", "elu", "elu-3"])
@pytest.mark.parametrize("q1,q2,c", [(1, 1, -0.5), (2, 0.3, 0.2), (5, 5, 4.9), (0.1, 3, -0.5), (1, 4, 1.9)])
def test_the_cross_term_vanishes_and_the_bound_holds(name, q1, q2, c):
    d_phi, d, cross = _pairs(name, q1, q2, c)
    assert abs(cross) < 1e-10 * (1 + d)
    assert d_phi >= d / 4 * (1 + 1e-6)         # strictly: y is not +-x


def _S_two(name, n, w, s):
    """The two-point S(s) = E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2], lam^2 = w s, in float64 (tests/gaussfloat.py, 1e-14
    relative; at sigma_w^2 = 4 the margin S(s)/s - 1 is about s and more, 1e-4 at the smallest s below)."""
    act, _, alpha = name.partition("-")
    return mpmath.mpf(gaussfloat.two_point_S(act, n, float(w), float(s), Fraction(alpha or 1)))


@pytest.mark.parametrize("name", FAMILY)
def test_at_the_edge_the_two_point_distance_still_grows(name):
    """sigma_w^2 = 4: S(s) > s at every s tried (the even part's term), n = 3 and 1000."""
    with mpmath.workdps(20):
        for n in (3, 1000):
            for s in (mpmath.mpf(10) ** k for k in range(-4, 5)):
                assert _S_two(name, n, 4, s) > s * (1 + mpmath.mpf(10) ** -9), (n, s)


def test_one_finite_width_layer_grows_every_distance():
    """Width 20,000, n = 4 points, GELU at sigma_w^2 = 5: each pair's distance after RC then phi is >= 5/4 of the
    RC'd one (Monte Carlo: the infinite-width bound less 5 % for sampling)."""
    rng = np.random.default_rng(3)
    d, n, w = 20_000, 4, 5.0
    X = rng.standard_normal((d, n)) * np.array([1.0, 0.5, 2.0, 1.5])
    Z = rng.standard_normal((d, d // 10)) @ X[: d // 10] * np.sqrt(w / (d // 10))
    Z = Z - Z.mean(axis=1, keepdims=True)
    Y = PHI_NP["gelu"](Z)
    for i in range(n):
        for j in range(i + 1, n):
            before = np.mean((Z[:, i] - Z[:, j]) ** 2)
            after = np.mean((Y[:, i] - Y[:, j]) ** 2)
            assert after >= before / 4 * 0.95, (i, j, after / before)


# ---------------------------------------------------------------- the kernel's verdicts
@pytest.mark.parametrize("name", FAMILY)
@pytest.mark.parametrize("w", ["4", "41/10", "100"])
def test_every_state_is_refuted_with_no_evidence(name, w):
    for state in ("two-point", "simplex"):
        for n in ("3", "8", "3.."):
            v, _, why = trusted.decide(_claim(name, w, n, state), [])
            assert v == "refuted" and "grows without bound" in why and "no %s fixed point" % state in why
        v, _, _ = trusted.decide(_claim(name, w, "8", state, "spectral-radius", relation="<", bound="1"), [])
        assert v == "refuted"
    assert trusted.decide(_claim(name, w, "3..", None, "attractor-exists"), [])[0] == "refuted"
    v, _, why = trusted.decide(_claim(name, w, "3..64", None, "attractor-threshold", value="none"), [])
    assert v == "proved" and "spread-cluster" in why
    assert ("= 4 makes every two points equal or opposite" in why) == (w == "4" and not name.startswith("elu"))
    assert ("= 4 and o' > 1/2" in why) == (w == "4" and name.startswith("elu"))


@pytest.mark.parametrize("name,w", [("gelu", "39/10"), ("silu", "399/100"), ("softplus", "3"), ("elu", "399/100"),
                                    ("tanh", "4"), ("tanh", "100"), ("sigmoid", "50"), ("erf", "5"), ("sin", "5")])
def test_below_the_edge_or_another_phi_no_lemma(name, w):
    """Without evidence these stay undecided: the lemma is for gelu, silu, softplus, elu at sigma_w^2 >= 4 only."""
    assert not T.grows(name, Fraction(w))
    with pytest.raises(trusted.Rejected):
        trusted.decide(_claim(name, w), [])


def test_a_formula_twin_of_gelu_gets_no_lemma():
    assert not T.grows("formula:x*(1 + erf(x/sqrt(2)))/2", Fraction(5))


@pytest.mark.parametrize("args", [["rc,gelu", "39/10", "two-point"], ["rc,gelu", "39/10", "simplex"],
                                  pytest.param(["rc,silu", "39/10", "two-point"], marks=pytest.mark.slow),
                                  pytest.param(["rc,softplus", "39/10", "two-point"], marks=pytest.mark.slow),
                                  ["rc,elu", "5/2", "two-point"], ["rc,tanh", "4", "two-point"]])     # -m slow: silu, softplus
def test_real_fixed_points_just_below_the_edge_are_proved(args, run_cli):
    """sigma_w^2 = 39/10, n = 8: S(s)/s rises from w/4 < 1 near 0 to w c > 1 far out: a fixed point, proved (ELU(1)
    at 5/2 and tanh at 4 too; ELU(1) at 39/10 grows, by an item: the lemma's 4 is not ELU's edge)."""
    stages, w, state = args
    code, out, err = run_cli("check", "--stages", stages, "--weight-var", w, "--n", "8", "--property", "fixed-point",
                             "--state", state)
    assert code == 0 and out.split(":")[1].split()[0] == "proved", out + err


def test_the_certificate_carries_no_evidence_and_relabels_fail(run_cli, tmp_path):
    cert = tmp_path / "g4.json"
    code, out, err = run_cli("check", "--stages", "rc,gelu", "--weight-var", "4", "--n", "3..", "--property",
                             "fixed-point", "--state", "two-point", "--cert", str(cert))
    assert code == 1 and "grows without bound" in out, out + err
    doc = json.loads(cert.read_text())
    assert doc["evidence"] == [] and trusted.check(doc)[0]
    for claim in ({"activation": "tanh"}, {"activation": "erf"}, {"activation": "sin"},
                  {"weight_var": "39/10"}, {"weight_var": "3"}, {"stages": ["rc", "rs"]}):
        for restate in (False, True):
            d = copy.deepcopy(doc)
            d["claim"].update(claim)
            if restate:
                try:
                    d["statement"] = trusted.kernel.goal(d["claim"])[1].statement
                except (trusted.Rejected, trusted.NoGoal):
                    pass
            d["hash"] = trusted.base.content_hash(d)
            ok, why = trusted.check(d)
            assert not ok and "\n" not in why, (claim, why)
