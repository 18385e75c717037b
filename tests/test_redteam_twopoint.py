"""Red team of the two-point family (bnverify/trusted/twopoint.py and its wiring): the kernel's
facts against an independent mpmath computation (own phi/phi' formulas, 40 digits), the pair
block's eigenvalue against a one-sided finite difference of the two-point kernel at correlation
1, forged items and certificates, and the defects found (each test failed before its fix):

- a root where S crosses s upwards (GELU, softplus at sigma_w^2 = 3) was "not a bracket", though
  intermediate values need only opposite signs, and the search offers such brackets;
- a bracket of any width was accepted: wide scale balls cost up to 50 times the item's price and
  the proved reason showed "odd cosine nan";
- the collapse lemma's reason claimed |phi'| < L off a null set for ELU with alpha <= 1, where
  phi' = 1 = L on t > 0 (the refutation stands: p and q straddle 0);
- ELU could not be stated from the command line (--alpha 1/2 became alpha 0 in the claim, which
  the kernel refused; --alpha >= 1 was refused as a leaky slope).
"""
import copy
import json
import time
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from flint import arb, ctx

from bnverify import trusted
from bnverify.core.activations import Activation, activation
from bnverify.derive import twopoint as D
from bnverify.trusted import twopoint as T
from test_twopoint import _claim        # the claim builder the two files share (pytest puts tests/ on sys.path)


# ---------------------------------------------------------------- an independent model (mpmath)
def _mpa(a):
    return mpmath.mpf(a.numerator) / a.denominator


def _phi(name, a):
    a = _mpa(Fraction(a))
    return {"tanh": mpmath.tanh, "sin": mpmath.sin, "erf": mpmath.erf,
            "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
            "softplus": lambda t: mpmath.log1p(mpmath.exp(t)) if t < 30 else t + mpmath.log1p(mpmath.exp(-t)),
            "gelu": lambda t: t * mpmath.ncdf(t), "silu": lambda t: t / (1 + mpmath.exp(-t)),
            "elu": lambda t: t if t > 0 else a * mpmath.expm1(t)}[name]


def _dphi(name, a):
    a = _mpa(Fraction(a))
    sg = lambda t: 1 / (1 + mpmath.exp(-t))
    return {"tanh": lambda t: 1 / mpmath.cosh(t) ** 2, "sin": mpmath.cos,
            "erf": lambda t: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-t * t),
            "sigmoid": lambda t: sg(t) * (1 - sg(t)), "softplus": sg,
            "gelu": lambda t: mpmath.ncdf(t) + t * mpmath.npdf(t), "silu": lambda t: sg(t) * (1 + t * (1 - sg(t))),
            "elu": lambda t: mpmath.mpf(1) if t > 0 else a * mpmath.exp(t)}[name]


def _E(f):
    return mpmath.quad(lambda z: f(z) * mpmath.npdf(z), [-mpmath.inf, -8, -2, -0.5, 0, 0.5, 2, 8, mpmath.inf])


def _truth(name, a, n, w, s):
    """(S(s) - s, odd cosine, norm ratio, mu) at 40 digits from the definitions."""
    phi, d = _phi(name, a), _dphi(name, a)
    with mpmath.workdps(40):
        s = _mpa(Fraction(s))
        lam = mpmath.sqrt(_mpa(Fraction(w)) * s)
        A = _E(lambda z: phi(lam * z / n) ** 2)
        B = _E(lambda z: phi((n - 1) * lam * z / n) ** 2)
        X = _E(lambda z: phi(-lam * z / n) * phi((n - 1) * lam * z / n))
        mu = _mpa(Fraction(w)) * _E(lambda z: d(lam * z / n) ** 2)
        return A + B - 2 * X - s, X / mpmath.sqrt(A * B), mpmath.sqrt(B / A), mu


def _act(name, a):
    return Activation(name, Fraction(a)) if name == "elu" else activation(name)


SLOW = pytest.mark.slow
CASES = [("tanh", 0, Fraction(101, 100), 5), ("elu", 5, Fraction(1, 10), 6), pytest.param("sin", 0, 2, 7, marks=SLOW),
         pytest.param("erf", 0, 100, 40, marks=SLOW), pytest.param("sigmoid", 0, 100, 6, marks=SLOW),
         pytest.param("elu", 1, 2, 9, marks=SLOW), pytest.param("gelu", 0, 3, 5, marks=SLOW),
         pytest.param("softplus", 0, 3, 5, marks=SLOW)]


@pytest.mark.parametrize("name,a,w,n", CASES)
def test_the_kernels_fact_against_an_independent_computation(name, a, w, n):
    """The bracket changes sign in the independent model too; the kernel's balls for the odd
    cosine and the norm ratio contain the 40-digit values at lo, and its spectral radius (every
    block) is at least the pair eigenvalue mu (an eigenvalue) there."""
    act = _act(name, a)
    lo, hi = D.bracket(act, n, w)
    f = T.check_bracket(D.item(act, n, w, lo, hi))
    d_lo, cos, ratio, mu = _truth(name, a, n, w, lo)
    d_hi = _truth(name, a, n, w, hi)[0]
    assert d_lo * d_hi < 0
    for shown, want in zip(f["shown"], (cos, ratio)):
        assert arb(shown).overlaps(arb(mpmath.nstr(want, 30))), (name, shown, want)
    assert f["radius"][0] <= f["radius"][1] and f["radius"][1] >= Fraction(str(mpmath.nstr(mu, 30))) - Fraction(1, 10 ** 20)


@pytest.mark.parametrize("name,a", [("tanh", 0), ("elu", Fraction(1, 2)), ("elu", 1), ("gelu", 0), ("sin", 0)])
def test_the_pair_eigenvalue_is_the_one_sided_derivative_at_correlation_one(name, a):
    """mu / sigma_w^2 = E[phi'(x)^2] is d/dc E[phi(x) phi(y)] at c = Var x = Var y from below
    (x, y jointly Gaussian, covariance c): a finite difference of the two-point kernel (2-D
    Gauss-Hermite, floats)."""
    act = _act(name, a)
    var = 0.7
    z, wz = np.polynomial.hermite_e.hermegauss(160)
    wz = wz / wz.sum()
    Z1, Z2 = np.meshgrid(z, z, indexing="ij")
    W = np.outer(wz, wz)

    def k(rho):
        x = np.sqrt(var) * Z1
        y = np.sqrt(var) * (rho * Z1 + np.sqrt(1 - rho * rho) * Z2)
        return float((act.phi(x) * act.phi(y) * W).sum())

    fd1, fd4 = ((k(1.0) - k(1 - eps)) / (var * eps) for eps in (1e-4, 4e-4))
    fd = 2 * fd1 - fd4          # ELU's kink: an error ~ sqrt(eps) (halved from 4e-4 to 1e-4); smooth: ~ eps
    d = _dphi(name, a)
    want = float(_E(lambda t: d(mpmath.sqrt(var) * t) ** 2))
    assert abs(fd - want) < 2e-3 * max(1, want), (fd, want)


# ---------------------------------------------------------------- defects (failed before the fixes)
@pytest.mark.parametrize("name,w,n", [("gelu", 3, 5), pytest.param("softplus", 3, 5, marks=SLOW)])
def test_an_upward_crossing_is_a_bracket(name, w, n):
    """S(lo) < lo and S(hi) > hi (independently) is a root by intermediate values: proved."""
    act = activation(name)
    lo, hi = D.bracket(act, n, w)
    assert _truth(name, 0, n, w, lo)[0] < 0 < _truth(name, 0, n, w, hi)[0]
    v, _, why = trusted.decide(_claim(act=name, n=str(n), w=str(w)), [D.item(act, n, w, lo, hi)])
    assert v == "proved" and "opposite signs" in why


def test_a_wide_bracket_is_refused_and_a_genuine_one_is_cheap():
    """A genuine bracket (relative width 1e-15) re-checks in well under its price's time; one of
    relative width above 1/1024 is refused before any integral (it costs up to 50 times more and
    shows no cosines)."""
    act = activation("erf")
    lo, hi = D.bracket(act, 40, 100)
    t = time.process_time()
    T.check_bracket(D.item(act, 40, 100, lo, hi, prec=64))
    assert time.process_time() - t < 0.5
    for wide in (lo * (1 + Fraction(1, 1000)), lo * 46):
        t = time.process_time()
        with pytest.raises(trusted.Rejected, match="wider than"):
            T.check_bracket(D.item(act, 40, 100, lo / 10 if wide > 2 * lo else lo, wide, prec=64))
        assert time.process_time() - t < 0.05
    f = T.check_bracket(D.item(act, 40, 100, lo, lo * (1 + Fraction(1, 1025)), prec=64))
    assert "nan" not in " ".join(f["shown"])


def test_the_elu_collapse_reason_is_the_straddling_argument():
    """ELU(1/2) at sigma_w^2 = 1: L = 1 and phi' = 1 on t > 0, so not |phi'| < L off a null set;
    the refutation holds because p, q straddle 0 (S(s) < s, independently, at several s)."""
    v, _, why = trusted.decide(_claim(act="elu", n="3..", w="1", alpha="1/2"), [])
    assert v == "refuted" and "off a null set" not in why and "straddle" in why
    for n in (3, 10):
        for s in ("1/100", "50"):
            assert _truth("elu", Fraction(1, 2), n, 1, Fraction(s))[0] < 0


def test_elu_from_the_command_line(run_cli):
    code, out, _ = run_cli("check", "--stages", "rc,elu", "--alpha", "1/2", "--n", "3..", "--property", "fixed-point",
                           "--state", "two-point")
    assert code == 1 and "refuted" in out and "elu(alpha = 1/2)" in out, out
    code, out, _ = run_cli("check", "--stages", "rc,elu", "--alpha", "5", "--weight-var", "1/10", "--n", "6",
                           "--property", "spectral-radius", "--state", "two-point", "--relation", ">", "--bound", "1",
                           "--jobs", "1")
    assert code == 0 and "proved" in out, out
    for bad in ("0", "101", "-1"):
        code, _, err = run_cli("check", "--stages", "rc,elu", "--alpha", bad, "--n", "3", "--property", "fixed-point",
                               "--state", "two-point")
        assert code == 2 and err.count("\n") == 1, (bad, err)
    code, _, err = run_cli("check", "--stages", "rc,leaky_relu", "--alpha", "3", "--n", "3", "--property",
                           "fixed-point", "--state", "two-point")
    assert code == 2 and "[0, 1)" in err


# ---------------------------------------------------------------- forgeries
@pytest.fixture(scope="module")
def elu6():
    act = Activation("elu", Fraction(5))
    lo, hi = D.bracket(act, 6, Fraction(1, 10))
    return D.item(act, 6, Fraction(1, 10), lo, hi)


@pytest.mark.parametrize("edit,why", [
    (dict(alpha="4"), "not a bracket|says nothing"),            # another alpha
    (dict(alpha="0"), "takes alpha > 0"),
    (dict(activation="tanh", alpha="0"), "not a bracket"),
    (dict(n="6"), "not of type|type"),
    (dict(n=6.0), "type"),
    (dict(prec=True), "out of range|type"),
    (dict(lo=5), "type|not a string"),
    (dict(lo="1/" + "7" * 400), "wider than|bits|too long|too large"),
    (dict(hi="100000001"), "need 0 < lo < hi"),         # relu - h: up to 10^8 (a root far out)
    (dict(activation="tanh", alpha="0", hi="10001"), "need 0 < lo < hi"),      # bounded: 10^4, no integral
    (dict(weight_var="1/" + "3" * 30), "not a bracket"),
    (dict(activation="abs"), "not in the two-point table"),
    (dict(activation="leaky_relu"), "not in the two-point table"),
    (dict(activation="__class__"), "not in the two-point table"),
])
def test_forged_elu_items(elu6, edit, why):
    bad = dict(elu6, **edit)
    with pytest.raises(trusted.Rejected, match=why):
        trusted.decide(_claim(act="elu", n="6", w="1/10", alpha="5"), [bad])


def test_genuine_items_relabelled_onto_other_claims(elu6):
    ok = _claim(act="elu", n="6", w="1/10", alpha="5")
    assert trusted.decide(ok, [elu6])[0] == "proved"
    for claim in (dict(ok, domain={"n": "6", "alpha": "4"}), dict(ok, weight_var="1/9"), dict(ok, stages=["rc", "rs"]),
                  dict(ok, params={"state": "configuration"}), dict(ok, params={"state": "attractor"}),
                  dict(ok, activation="leaky_relu", domain={"n": "6", "alpha": "1/2"}),
                  dict(ok, property="jacobian-spectrum", params={"state": "two-point", "eigenvalues": [["1", "1"]]}),
                  dict(ok, domain={"n": "5..6", "alpha": "5"})):
        with pytest.raises((trusted.Rejected, trusted.NoGoal)):
            trusted.decide(claim, [elu6])
    # two items for one n (the second one another genuine bracket) and an item for an n outside
    other = dict(elu6, lo=str(Fraction(elu6["lo"]) * (1 - Fraction(1, 10 ** 9))))
    with pytest.raises(trusted.Rejected):
        trusted.decide(ok, [elu6, other])
    # the spectral radius (every block): a radius < 10 exists, one > 100 is not shown
    for rel, bound in (("<", "10"), ("<=", "10")):
        assert trusted.decide(dict(ok, property="spectral-radius",
                                   params={"state": "two-point", "relation": rel, "bound": bound}), [elu6])[0] == "proved"
    with pytest.raises(trusted.Rejected, match="not shown"):
        trusted.decide(dict(ok, property="spectral-radius", params={"state": "two-point", "relation": ">",
                                                                     "bound": "100"}), [elu6])


def test_weight_var_field_on_claims():
    base = _claim(act="relu", n="3..", w="1", params={"state": "configuration"})
    assert trusted.decide(base, [])[0] in ("proved", "refuted")
    for w in ("2", "1/2"):
        with pytest.raises(trusted.NoGoal, match="only scales"):
            trusted.decide(dict(base, weight_var=w), [])
    for w in ("0", "-1", "101", "nan", "1e5", "", "1/0"):
        with pytest.raises(trusted.Rejected):
            trusted.decide(dict(_claim(), weight_var=w), [])
    with pytest.raises(trusted.Rejected):
        trusted.decide(dict(_claim(), weight_var=2), [])


def test_edited_certificates_fail_check_cert_in_one_line(tmp_path, run_cli):
    path = tmp_path / "c.json"
    code, out, _ = run_cli("check", "--stages", "rc,sin", "--weight-var", "2", "--n", "7", "--property",
                           "spectral-radius", "--state", "two-point", "--relation", ">", "--bound", "1",
                           "--jobs", "1", "--cert", path)
    assert code == 0, out
    cert = json.loads(path.read_text())
    assert cert["claim"]["weight_var"] == "2" and trusted.check(cert)[0]      # the genuine one re-checks
    item = cert["evidence"][0]
    edits = [lambda c: c["claim"].update(activation="tanh"), lambda c: c["claim"].update(weight_var="21/10"),
             lambda c: c["claim"]["params"].update(bound="3"), lambda c: c["claim"].update(stages=["rc", "rs"]),
             lambda c: c["evidence"][0].update(hi=str(Fraction(item["lo"]) * 2)),
             lambda c: c["evidence"][0].update(prec=4096), lambda c: c.update(verdict="refuted"),
             lambda c: c["evidence"].append(dict(item)), lambda c: c["evidence"][0].update(type="rs-cover"),
             lambda c: c["claim"]["domain"].update(n="7..8"), lambda c: c["claim"].pop("weight_var"),
             lambda c: c["evidence"].pop()]
    refused_by_check_cert(cert, edits, tmp_path, run_cli)


def refused_by_check_cert(cert, edits, tmp_path, run_cli):
    """Each edit of the certificate, re-hashed (certificate.finish), fails check-cert in one line,
    under 20 s, without a traceback."""
    from bnverify.claims.certificate import finish
    for i, edit in enumerate(edits):
        bad = copy.deepcopy(cert)
        edit(bad)
        bad = finish(bad["claim"], bad["verdict"], bad["method"], bad["statement"], bad["evidence"])
        p = tmp_path / "bad.json"
        p.write_text(json.dumps(bad))
        t = time.process_time()
        code, out, err = run_cli("check-cert", p)
        assert code != 0 and time.process_time() - t < 20, (i, out, err)
        assert "Traceback" not in out + err and (out + err).count("FAIL") == 1, (i, out, err)


def test_the_spectral_goal_at_n_4_and_elu_one_alpha(elu6):
    """n = 4 has no zero-sum pattern inside a cluster of three, but the trivial and standard
    blocks decide it (radius 1.69 for tanh at sigma_w^2 = 2); ELU over a range of alpha has no goal
    (the lemma's L = max(1, alpha) varies)."""
    act = activation("tanh")
    item = D.item(act, 4, 2, *D.bracket(act, 4, 2))
    sr = {"state": "two-point", "relation": ">", "bound": "1"}
    assert trusted.decide(_claim(n="4"), [item])[0] == "proved"
    assert trusted.decide(_claim("spectral-radius", n="4", params=sr), [item])[0] == "proved"
    with pytest.raises(trusted.Rejected, match="not shown"):
        trusted.decide(_claim("spectral-radius", n="4", params=dict(sr, bound="17/10")), [item])
    for alpha in ("1/2..3", "0", "101"):
        with pytest.raises(trusted.Rejected, match="elu needs one alpha|alpha"):
            trusted.decide(_claim(act="elu", n="3..", w="1/4", alpha=alpha), [])


def test_the_tail_is_in_the_ball():
    """The expectation's ball is at least as wide as the Gaussian mass beyond |Z| = 12 of the
    integrand's growth bound (mpmath): the tail is added, not dropped."""
    with ctx.workprec(128):
        got = T.expectation("gelu", Fraction(0), [("phi", arb(3)), ("phi", arb(-5))])
    with mpmath.workdps(30):
        m = 15                      # growth (0, 1): max(0, 1 * 3) * max(0, 1 * 5)
        tail = 2 * mpmath.quad(lambda z: m * (1 + z) ** 2 * mpmath.npdf(z), [12, mpmath.inf])
    assert float(got.rad()) >= float(tail) > 0


def test_a_certificate_over_the_work_budget_is_refused_before_any_integral():
    items = [dict(type="two-point-bracket", activation="tanh", alpha="0", weight_var="2", n=k, lo="1", hi="2",
                  prec=512) for k in range(3, 23)]
    t = time.process_time()
    with pytest.raises(trusted.Rejected, match="over the budget"):
        trusted.decide(_claim(n="3..22"), items)
    assert time.process_time() - t < 1


def test_every_goal_for_every_activation_stage_form_and_state():
    """decide() raises only NoGoal / Rejected, and gives a verdict for a non-piecewise activation
    only where the kernel analyses it (invariance's counterexample, the two-point goals).  Params
    are each property's own (an empty dict where it has none: tests/test_twopoint.py's sweep put
    a state there, so a goal without params was refused before its decide ran)."""
    K = trusted.kernel
    allowed = {"invariant-configuration", "fixed-point", "spectral-radius"}
    values = {"state": None, "relation": ">", "bound": "0", "value": "0", "eigenvalues": [["1", "1"]], "lo": "6",
              "hi": "7", "basin": "[simplex, partner)", "points": "nonzero", "decay": [], "grow": []}
    for prop in K.GOALS:
        keys = K.PARAMS.get(prop, "").split()
        for act in sorted(set(K.ACTIVATIONS) - set(K.PIECEWISE) - {"abs"}):     # the piecewise ones and abs
            # (tests/test_abs.py): their own tests
            for stages in K.STAGE_FORMS:
                for state in (K.STATES if "state" in keys else (None,)):
                    params = {k: (state if k == "state" else values[k]) for k in keys}
                    claim = {"property": prop, "stages": list(stages), "activation": act, "domain": {"n": "3..5"},
                             "params": params, "weight_var": "2" if act in T.TABLE else "1"}
                    if act in ("leaky_relu", "elu"):
                        claim["domain"]["alpha"] = "1/2"
                    try:
                        v = trusted.decide(claim, [])[0]
                    except (trusted.NoGoal, trusted.Rejected):
                        continue
                    if prop.startswith("attractor-"):       # the collapse lemma (tests/test_spread_kernel.py)
                        assert list(stages) == ["rc"] and T.collapses(act, Fraction(claim["domain"].get(
                            "alpha", "0")), Fraction(claim["weight_var"])), (prop, act, stages, v)
                        continue
                    assert prop in allowed, (prop, act, stages, state, v)
