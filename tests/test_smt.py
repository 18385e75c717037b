"""z3 decisions for every n: the sympy -> z3 translation, proofs by unsat negation, refutations
only through exactly confirmed models, and the configuration's spectrum from bnverify.symbolic."""
import json
from fractions import Fraction

import pytest
import sympy as sp
import z3

from bnverify import smt
from bnverify.kernels import BadInput

N = sp.Symbol("n", integer=True, positive=True)
ALPHA = sp.Symbol("alpha", nonnegative=True)


@pytest.fixture
def relu_spectrum():
    """The closed forms written out here (the production path takes them from symbolic.py)."""
    lam = N ** 2 - 2 * N + 2
    return {"eigenvalues": [{"value": sp.Integer(0), "multiplicity": N, "mode": "zero"},
                            {"value": N / lam, "multiplicity": N - 2, "mode": "standard"},
                            {"value": N ** 2 / lam, "multiplicity": (N - 1) * (N - 2) / 2,
                             "mode": "spread"}]}


def _z3_value(expr, point):
    """A translated term evaluated by z3 at a point (a model with the auxiliaries solved)."""
    tr = smt.Translation(False)
    t = tr(expr)
    s = z3.Solver()
    s.add(*tr.side)
    s.add(*[tr.var(sp.Symbol(k)) == z3.RealVal(str(v)) for k, v in point.items()])
    assert s.check() == z3.sat
    return s.model().eval(t)


def _value(expr, point):
    return Fraction(_z3_value(expr, point).as_fraction())


@pytest.mark.parametrize("expr,point", [
    (N ** 2 / (N ** 2 - 2 * N + 2), {"n": 5}),
    ((N - 1) * (N - 2) / 2 - 3 / (N + 1) ** 2, {"n": 4}),
    (N * (ALPHA ** 2 + 1) / (1 + ALPHA * N), {"n": 7, "alpha": Fraction(1, 3)}),
    (sp.sqrt(N + 1) / 2 - 1 / sp.sqrt(N), {"n": 3}),
])
def test_translation_agrees_with_sympy(expr, point):
    subs = {s: sp.Rational(str(point[str(s)])) for s in expr.free_symbols}
    want = expr.subs(subs)
    if want.is_Rational:
        assert _value(expr, point) == Fraction(str(want))
    else:   # algebraic: compare numerically to many digits
        got = _z3_value(expr, point)
        approx = Fraction(got.approx(30).as_fraction()) if not z3.is_rational_value(got) else Fraction(got.as_fraction())
        assert abs(approx - Fraction(str(sp.N(want, 40)))) < Fraction(1, 10 ** 25)


def test_unsupported_expressions_are_refused():
    with pytest.raises(smt.Unsupported):
        smt.Translation(False)(sp.acos(1 / N))
    with pytest.raises(smt.Unsupported):
        smt.Translation(False)(N ** sp.Rational(1, 3))


def test_decide_proves_and_keeps_smtlib():
    v = smt.decide(N ** 2 / (N ** 2 - 2 * N + 2), ">", 1)
    assert v.status == "proved"
    c = v.certificate
    assert c["kind"] == "smt" and c["expected"] == "unsat" and c["z3_version"] == z3.get_version_string()
    assert all("(check-sat)" in t for t in c["smtlib"])
    assert smt.recheck(json.loads(json.dumps(c)))


def test_decide_refutes_only_with_an_exact_counterexample():
    v = smt.decide(N / (N ** 2 - 2 * N + 2), ">", sp.Rational(1, 2))
    assert v.status == "refuted"
    n0 = int(v.evidence["counterexample"]["n"])
    assert n0 >= 3 and Fraction(n0, n0 ** 2 - 2 * n0 + 2) <= Fraction(1, 2)
    # true for real n near 3, false only for integers? (n-5)/(n+1) < 0 fails from n = 5 on
    assert smt.recheck(json.loads(json.dumps(v.certificate)))
    forged = dict(v.certificate, point={"n": "3"})           # 3/5 > 1/2: not a counterexample
    assert not smt.recheck(forged)
    v = smt.decide((N - 5) / (N + 1), "<", 0)
    assert v.status == "refuted" and int(v.evidence["counterexample"]["n"]) >= 5


def test_integer_n_matters():
    # for real n in [3, 4) the claim fails, for integers it holds: the integer query decides
    expr = (N - sp.Rational(7, 2)) ** 2
    assert smt.decide(expr, ">=", sp.Rational(1, 4)).status == "proved"


def test_undefined_somewhere_is_not_proved():
    v = smt.decide(1 / (N - 4), "<", 10)
    assert v.status == "inconclusive" and "nonzero" in v.evidence["reason"]


def test_alpha_domain():
    assert smt.decide(ALPHA ** 2 - 2 * ALPHA + 1, ">", 0).status == "proved"      # (1-alpha)^2, alpha < 1
    v = smt.decide(ALPHA * N, "<", 3)
    assert v.status == "refuted"
    pt = v.evidence["counterexample"]
    assert Fraction(pt["alpha"]) * int(pt["n"]) >= 3 and 0 <= Fraction(pt["alpha"]) < 1


def test_prove_all_n_with_a_fixture_spectrum(relu_spectrum):
    v = smt.prove_all_n("relu", spectrum=relu_spectrum)
    assert v.status == "proved"
    rel = {r["mode"]: (r["vs_1"], r["vs_minus_1"]) for r in v.evidence["eigenvalues"]}
    assert rel == {"zero": ("<", ">"), "standard": ("<", ">"), "spread": (">", ">")}
    assert v.evidence["stable_region"]["status"] == "empty"
    assert smt.recheck(v.certificate)


def test_prove_all_n_relu_from_symbolic():
    v = smt.prove_all_n("relu")
    assert v.status == "proved"
    assert v.evidence["linearly_unstable_everywhere"]
    spread = [r for r in v.evidence["eigenvalues"] if r["vs_1"] == ">"]
    assert len(spread) == 1 and sp.simplify(
        sp.sympify(spread[0]["value"]).subs(sp.Symbol("n"), N) - N ** 2 / (N ** 2 - 2 * N + 2)) == 0
    json.dumps(v.certificate)
    assert smt.recheck(v.certificate)


def test_leaky_relu_is_nowhere_stable():
    v = smt.configuration_stability("leaky_relu")
    assert v.status == "refuted"
    assert "alpha" in v.evidence["domain"]
    assert v.evidence["stable_region"]["status"] == "empty"
    assert smt.recheck(v.certificate)


def test_bad_relation():
    with pytest.raises(BadInput):
        smt.decide(N, "=<", 1)
