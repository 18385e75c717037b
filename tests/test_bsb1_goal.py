"""Full batch normalization's symmetric (BSB1) state through the trusted kernel (issue 23): RC
alone's simplex evidence and the lemma of bnverify/trusted/simplex.py (RC + RS's eigenvalues are
0 and (n-1)/(n+1) times RC alone's at the simplex state), checked here against a dense
finite-difference Jacobian of an independent mpmath evaluation of the RS map."""
from fractions import Fraction

import mpmath
import pytest

from bnverify import trusted
from bnverify.claims import properties, spec
from bnverify.core import arith
from bnverify.core.activations import leaky
from bnverify.derive import simplex_alln


def claim(stages, n="3..", prop="spectral-radius", alpha=None, **params):
    model = {"stages": stages}
    if alpha is not None:
        model["alpha"] = alpha
    return properties.claim_json(spec.claim_from_dict(
        {"id": "x", "title": "x", "statement": "s", "property": prop, "expect": "proved", "model": model,
         "domain": {"n": n}, "params": params}, "test"))


@pytest.fixture(scope="module")
def branches():
    return {a: simplex_alln.branch_item(3, a)[0] for a in (Fraction(0), Fraction(1, 2))}


@pytest.mark.parametrize("alpha", [None, "1/2"])
def test_the_kernel_proves_full_bn_s_symmetric_state_stable_for_every_n(branches, alpha):
    item = branches[Fraction(alpha or 0)]
    stages = "rc,rs,relu" if alpha is None else "rc,rs,leaky_relu"
    status, statement, _ = trusted.decide(claim(stages, alpha=alpha, state="simplex", relation="<", bound="1"), [item])
    assert status == "proved" and "RC + RS" in statement and "(n-1)/(n+1)" in statement
    status, _, _ = trusted.decide(claim(stages, n="3..40", alpha=alpha, prop="fixed-point", state="simplex"), [item])
    assert status == "proved"


def test_what_the_lemma_does_not_give(branches):
    item = branches[Fraction(0)]
    with pytest.raises((trusted.Rejected, trusted.NoGoal)):        # a bound below 1 for every n
        trusted.decide(claim("rc,rs,relu", state="simplex", relation="<", bound="99/100"), [item])
    with pytest.raises(trusted.NoGoal):                             # the attractor: no lemma for RS
        trusted.decide(claim("rc,rs,relu", state="attractor", relation="<", bound="1"), [item])
    with pytest.raises(trusted.NoGoal):                             # RS alone
        trusted.decide(claim("rs,relu", state="simplex", relation="<", bound="1"), [item])
    with pytest.raises(trusted.Rejected):                           # another slope's branch
        trusted.decide(claim("rc,rs,leaky_relu", alpha="1/10", state="simplex", relation="<", bound="1"), [item])


@pytest.mark.parametrize("slope", [Fraction(0), Fraction(1, 2)])
def test_the_lemma_against_a_dense_mpmath_jacobian_at_n_3(slope):
    """n = 3: the RS map's dense 6 x 6 Jacobian at Sigma* (central differences of an mpmath
    quadrature of the Laplace integral, tests/test_bsb1_spectrum.py) has the eigenvalues 0 (four
    times) and (n-1)/(n+1) lam_S twice, lam_S RC alone's standard eigenvalue (a separate closed
    form, derive/simplex_alln.forms); a factor (n-1)/n instead would be far off."""
    import test_bsb1_spectrum as dense

    n = 3
    eig = sorted(float(mpmath.re(e)) for e in dense.dense_jacobian(n, mpmath.mpf(slope.numerator) / slope.denominator
                                                                  if slope else 0, dps=20))
    mp = arith.get("mp", dps=30)
    lam_S = float(simplex_alln.forms(mp.const(Fraction(1, n)), leaky(slope), mp)["lam_S"])
    want = sorted([0.0] * 4 + [(n - 1) / (n + 1) * lam_S] * 2)
    assert max(abs(g - w) for g, w in zip(eig, want)) < 1e-9, (eig, want)
    assert abs(eig[-1] - (n - 1) / n * lam_S) > 1e-2


def test_the_catalogue_claim_and_the_command(run_cli):
    code, out, _ = run_cli("check", "proofs/bsb1-stable.toml")
    assert code == 0 and "proved" in out
    code, out, _ = run_cli("check", "--stages", "rc,rs,relu", "--n", "3..", "--property", "spectral-radius",
                           "--state", "simplex", "--relation", "<", "--bound", "1")
    assert code == 0 and "rc_alone_radius_bounds" in out


# ---------------------------------------------------------------- the red team of the BSB1 goal (fresh helper session)
def test_per_n_bounds_below_one_carry_over_scaled(run_cli):
    """An RC-alone item with a Gershgorin bound r proves RC + RS's radius < (n-1)/(n+1) r: at
    n = 3 the true radius 0.3903 is proved below 1/2 (it was inconclusive, showing RC alone's 0.78
    as if it were the claim's); below 1/3 is false and stays unproved."""
    code, out, _ = run_cli("check", "--stages", "rc,rs,relu", "--n", "3", "--property", "spectral-radius",
                           "--state", "simplex", "--relation", "<", "--bound", "1/2")
    assert code == 0 and "rc_alone_spectral_radius" in out and "\n  spectral_radius" not in out
    code, out, _ = run_cli("check", "--stages", "rc,rs,relu", "--n", "3", "--property", "spectral-radius",
                           "--state", "simplex", "--relation", "<", "--bound", "1/3")
    assert code == 3


def test_rs_existence_needs_rc_alone_s_radius():
    """RC alone's Krawczyk box without V shows no RC eigenvalue 1, not that RS's I - DV is
    invertible: it does not prove the BSB1 state locally unique."""
    from bnverify.claims.properties import states

    c = spec.claim_from_dict({"id": "x", "title": "x", "statement": "s", "property": "fixed-point", "expect": "proved",
                              "model": {"stages": "rc,relu"}, "domain": {"n": "5"}, "params": {"state": "simplex"}}, "t")
    items, _ = states.search(c)
    assert items and "V" not in items[0]
    rc = properties.claim_json(c)
    assert trusted.decide(rc, items)[0] == "proved"
    with pytest.raises(trusted.Rejected):
        trusted.decide(dict(rc, stages=["rc", "rs"]), items)


def test_decide_raises_only_its_own_errors(branches):
    cj = claim("rc,rs,relu", state="simplex", relation="<", bound="1")
    with pytest.raises(trusted.Rejected):
        trusted.decide(dict(cj, domain={"n": "9" * 5000 + ".."}), [branches[Fraction(0)]])
    with pytest.raises(trusted.Rejected):
        trusted.decide(cj, [dict(branches[Fraction(0)], type=["simplex-branch"])])
    with pytest.raises(trusted.Rejected, match="the simplex state every n at once"):
        trusted.decide(cj, [])


def test_a_slope_range_for_the_simplex_state_says_why(run_cli):
    code, out, _ = run_cli("check", "--stages", "rc,rs,leaky_relu", "--alpha", "0..1/2", "--n", "3..",
                           "--property", "spectral-radius", "--state", "simplex", "--relation", "<", "--bound", "1")
    assert code == 3 and "certified at one slope" in out
    code, _, err = run_cli("simplex", "--stages", "rc,rs,relu", "--n", "3..")
    assert code == 2 and "bsb1-stable" in err
