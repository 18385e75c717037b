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
