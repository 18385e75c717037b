"""User formulas in the trusted kernel (bnverify/trusted/formula.py, twopoint.row): phi(x) = 'tanh(x)'
against the named tanh, 'x*erf(x)' against an independent mpmath computation of S(s) at the bracket's
ends, forged items and certificates (another formula, the named activation, sigma_w^2, n, state),
hostile formulas (never a traceback, a hang or a false "proved"), and the reader's bounds."""
import copy
from fractions import Fraction

import mpmath
import pytest
from flint import acb, arb, ctx

import bnverify as bnv
from bnverify import trusted
from bnverify.claims import certificate
from bnverify.trusted import formula as TF
from bnverify.trusted import twopoint as T

XERF = "formula:x*erf(x)"


def _claim(act, n="6", w="2", prop="fixed-point", state="two-point", **params):
    return {"property": prop, "stages": ["rc"], "activation": act, "domain": {"n": n},
            "params": dict(state=state, **params), "weight_var": w}


def _file_claim(text, n="6", w="2", prop="fixed-point", state="two-point", **params):
    return {"id": "f", "title": "t", "statement": "s", "property": prop, "expect": "proved",
            "model": {"stages": "rc", "activation": {"formula": text}, "weight_var": w}, "domain": {"n": n},
            "params": dict(state=state, **params)}


@pytest.fixture(scope="module")
def xerf():
    """The certificate of 'x*erf(x)' at sigma_w^2 = 2, n = 6 (two-point fixed point): the search's own."""
    r = bnv.check(_file_claim("x*erf(x)"))
    assert r.verdict.status == "proved", r.verdict
    return r.verdict.certificate


# ---------------------------------------------------------------- the same function, two names
@pytest.mark.parametrize("state", ["two-point", "simplex"])
def test_formula_tanh_is_the_tables_tanh(state):
    with ctx.workprec(128):
        for s in (Fraction(1, 3), Fraction(5, 2)):
            a = T.distance(state, "tanh", Fraction(0), 5, Fraction(2), T.ball(s))
            b = T.distance(state, "formula:tanh(x)", Fraction(0), 5, Fraction(2), T.ball(s))
            assert a.overlaps(b) and a.rad() < 1e-12 and b.rad() < 1e-12, (a, b)
        S = arb.union(T.ball(Fraction(6, 10)), T.ball(Fraction(601, 1000)))
        named, mine = (T.all_blocks(k, Fraction(0), 6, Fraction(2), S, 2.0 ** -40, state) for k in
                       ("tanh", "formula:tanh(x)"))
        assert all(x.overlaps(y) for comp in named for r1, r2 in zip(named[comp], mine[comp]) for x, y in zip(r1, r2))


def test_formula_tanh_verdicts_match_the_named_one():
    for prop, params in (("fixed-point", {}), ("spectral-radius", {"relation": ">", "bound": "1"})):
        named = bnv.check({"id": "t", "title": "t", "statement": "s", "property": prop, "expect": "proved",
                           "model": {"stages": "rc,tanh", "weight_var": "2"}, "domain": {"n": "5"},
                           "params": dict(state="two-point", **params)})
        mine = bnv.check(_file_claim("tanh(x)", n="5", prop=prop, **params))
        assert named.verdict.status == mine.verdict.status == "proved"
        ok, why = trusted.check(mine.verdict.certificate)
        assert ok, why
    # where the named tanh is refuted by its table's Lipschitz lemma, the formula has none: inconclusive
    mine = bnv.check(_file_claim("tanh(x)", n="5", w="1"))
    assert mine.verdict.status == "inconclusive" and "lemma" in str(mine.verdict.evidence.get("reason"))


# ---------------------------------------------------------------- x*erf(x) against mpmath
def _mp_S(n, w, s):
    """S(s) = E[(phi((n-1) lam Z/n) - phi(-lam Z/n))^2], phi(t) = t erf(t), by mpmath at 40 digits."""
    with mpmath.workdps(40):
        lam = mpmath.sqrt(mpmath.mpf(w) * mpmath.mpf(s.numerator) / s.denominator)
        phi = lambda t: t * mpmath.erf(t)                      # noqa: E731
        f = lambda z: (phi((n - 1) * lam * z / n) - phi(-lam * z / n)) ** 2 * mpmath.npdf(z)   # noqa: E731
        return mpmath.quad(f, [-mpmath.inf, -4, 0, 4, mpmath.inf])


def test_xerf_bracket_against_mpmath(xerf):
    (item,) = xerf["evidence"]
    lo, hi = Fraction(item["lo"]), Fraction(item["hi"])
    d_lo, d_hi = _mp_S(6, 2, lo) - mpmath.mpf(lo.numerator) / lo.denominator, \
        _mp_S(6, 2, hi) - mpmath.mpf(hi.numerator) / hi.denominator
    assert d_lo * d_hi < 0
    with ctx.workprec(128):
        for s in (lo, hi, Fraction(1, 3), Fraction(7, 2)):
            k = T.distance("two-point", XERF, Fraction(0), 6, Fraction(2), T.ball(s))
            assert k.overlaps(arb(mpmath.nstr(_mp_S(6, 2, s), 30))) and k.rad() < 1e-15, (s, k)
    ok, why = trusted.check(xerf)
    assert ok, why
    assert "x*erf(x)" in why


# ---------------------------------------------------------------- forgeries
def _rejected(claim, evidence):
    with pytest.raises((trusted.Rejected, trusted.NoGoal)):
        trusted.decide(claim, evidence)


@pytest.mark.parametrize("onto", ["formula:erf(x)*x", "formula:tanh(x)", "tanh", "erf", "formula:x*erf(x)*(1+1/10**6)"])
def test_item_for_one_formula_proves_nothing_for_another(xerf, onto):
    (item,) = xerf["evidence"]
    _rejected(_claim(onto), [item])                                  # the item as it is: about another phi
    if onto == "formula:erf(x)*x":      # the same function: relabelled, it is re-computed and is a bracket
        assert trusted.decide(_claim(onto), [dict(item, activation=onto)])[0] == "proved"
    else:
        _rejected(_claim(onto), [dict(item, activation=onto)])       # relabelled: re-checked, not a bracket
    assert trusted.decide(_claim(XERF), [item])[0] == "proved"


def test_item_relabelled_onto_another_model(xerf):
    (item,) = xerf["evidence"]
    _rejected(_claim(XERF, w="3"), [item])
    _rejected(_claim(XERF, w="3"), [dict(item, weight_var="3")])
    _rejected(_claim(XERF, n="7"), [item])
    _rejected(_claim(XERF, n="7"), [dict(item, n=7)])
    _rejected(_claim(XERF, n="5..6"), [item])                          # n = 5 without evidence
    _rejected(_claim(XERF, state="simplex"), [item])
    _rejected(_claim(XERF, state="simplex"), [dict(item, type="simplex-bracket")])
    _rejected(dict(_claim(XERF), stages=["rc", "rs"]), [item])


def test_certificate_relabelled_is_rejected(xerf):
    for edit in ({"activation": "formula:x*erf(x) "}, {"activation": "formula:erf(x)*x"},
                 {"activation": "erf"}, {"weight_var": "5/2"}, {"domain": {"n": "7"}},
                 {"params": {"state": "simplex"}}):
        cert = copy.deepcopy(xerf)
        cert["claim"].update(edit)
        ok, why = trusted.check(certificate.rehash(cert))
        assert not ok, (edit, why)


def test_no_bound_of_phi_prime_leaves_the_radius_undecided():
    """A formula with a jump (an if form whose branches differ at the kink): phi is fine for the fixed
    point, but Price's theorem needs phi absolutely continuous, so no radius."""
    text = "tanh(x) if x > 1/2 else tanh(x) - 1/100"
    assert TF.row(text)[2] is None and TF.row("x if x > 0 else tanh(x)")[2] is not None
    r = bnv.check(_file_claim(text, n="6", prop="spectral-radius", relation=">", bound="1"))
    assert r.verdict.status == "inconclusive", r.verdict
    assert "phi'" in str(r.verdict.evidence.get("reason"))


# ---------------------------------------------------------------- hostile formulas
HOSTILE = ["exp(exp(x))", "1/x", "log(x)", "sqrt(x)", "x**-1", "exp(x)", "x**2", "x**(1/2)",
           "(" * 60 + "x" + ")" * 60, "-" * 1500 + "x", "+".join(["x"] * 900), "1e400*x", "10**400*x",
           "__import__('os').system('true')", "x.real", "lambda: x", "[x]", "x if x == 0 else 1", "y",
           "exp(x)(1)", "max(x)", "erf(x, x)", "9" * 1990 + "*x", "sqrt(-1-x**2)", "log(-abs(x)-1)",
           "+".join(["tanh(x)"] * 90)]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_formula_in_the_kernel(text):
    """The kernel's reader refuses it (Rejected), or its row has no growth bound (no goal), or a
    value: never an exception of another kind, never a proof without a bracket."""
    claim = _claim("formula:" + text)
    try:
        verdict = trusted.decide(claim, [])
    except (trusted.Rejected, trusted.NoGoal):
        return
    assert verdict[0] != "proved"


@pytest.mark.parametrize("text", ["exp(exp(x))", "-" * 1500 + "x", "__import__('os')"])
def test_hostile_formula_on_the_command_line(text, run_cli):
    """In process (the CLI path's own subprocess case: tests/test_redteam_formula.py's 1/0)."""
    code, out, err = run_cli("check", "--stages", "rc", "--activation=" + text, "--weight-var", "2", "--n", "6",
                             "--property", "fixed-point", "--state", "two-point")
    assert code in (2, 3), (code, out, err)
    assert "Traceback" not in err + out
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err


# ---------------------------------------------------------------- the reader's rules
def test_growth_rules_are_sound_at_points():
    """|phi(t)| <= f0 + f1 |t| and lo <= phi <= hi, phi' likewise, at many points (acb, tight)."""
    for text in ["x*erf(x)", "x/(1+exp(-x))", "x if x > 0 else exp(x) - 1", "x*(1 + erf(x/sqrt(2)))/2",
                 "abs(sin(3*x)) - 2", "max(x, 0) - min(x/4, 0)", "sqrt(1 + abs(x))", "log(2 + tanh(x))",
                 "1/(1 + exp(-x))", "x*exp(-x**2)", "cos(x)**3 - x/(1 + x**2)", "0 if x < -1/2 else x"]:
        e, x = TF.parse(text), TF.Bound(None, None, (arb(0), arb(1)))
        for i in (0, 1):
            try:
                b = TF.value(e, x, False, i)[i]
            except trusted.Rejected:
                continue
            for k in range(-60, 61):
                t = Fraction(k, 4)
                v = TF.value(e, acb(T.ball(t)), False, True)[i].real
                if v.rad() > 1e-9:          # phi' at a kink: the union of both sides
                    continue
                if b.f is not None:
                    assert v.abs_upper() <= (b.f[0] + b.f[1] * abs(float(t))).upper() + 1e-12 or not v.is_finite(), \
                        (text, i, t, v, b.f)
                if b.lo is not None:
                    assert not v < b.lo, (text, i, t)
                if b.hi is not None:
                    assert not v > b.hi, (text, i, t)


def test_kinks_report_non_analytic_on_balls_that_straddle():
    f = TF.row("x if x > 1/2 else 0")[0][1][0]
    ball = acb(arb("0.5 +/- 0.01"))
    assert not f(ball, 0, True).is_finite()                      # acb.integral then bisects
    assert f(ball, 0, False).real.contains(0) and f(ball, 0, False).real.contains(arb("0.505"))
    assert f(acb(arb("0.6 +/- 0.01")), 0, True).is_finite()
    # a kink at t0 = 1/2 inside the integrals' z-pieces: the kernel's S(s) against mpmath split there
    with ctx.workprec(128), mpmath.workdps(30):
        s, n, w = Fraction(3, 2), 5, Fraction(2)
        k = T.distance("two-point", "formula:x if x > 1/2 else 0", Fraction(0), n, w, T.ball(s))
        lam = mpmath.sqrt(mpmath.mpf(3))
        phi = lambda t: t if t > 0.5 else 0                      # noqa: E731
        a, b = lam * (n - 1) / n, lam / n
        f2 = lambda z: (phi(a * z) - phi(-b * z)) ** 2 * mpmath.npdf(z)       # noqa: E731
        ref = mpmath.quad(f2, [-mpmath.inf, -mpmath.mpf(1) / 2 / b, 0, mpmath.mpf(1) / 2 / a, mpmath.inf])
        assert k.overlaps(arb(mpmath.nstr(ref, 25))) and k.rad() < 1e-12, (k, ref)


NO_RULE = ["exp(x)", "x**2", "x*x", "log(x)", "log(abs(x))", "sqrt(x)", "sqrt(sin(x))", "sqrt(cos(x) + 1/2)",
           "sqrt(tanh(x)**3 + 1/2)", "1/x", "1/abs(x)", "x**-2", "1/(x + 1)", "exp(exp(x))", "log(1 + exp(x))",
           "x*exp(x)", "1/sin(x)", "1/(1 - exp(-x))"]
RULES = {"x*erf(x)": ((0, 1), (1, "2/sqrt(pi)")), "tanh(x)": ((1, 0), (1, 0)), "1/(1 + exp(-x))": ((1, 0), None),
         "x if x > 0 else exp(x) - 1": ((1, 1), (1, 0)), "abs(x)": ((0, 1), (1, 0)), "max(x, 0)": ((0, 1), (1, 0)),
         "sqrt(abs(x))": (("1/2", "1/2"), None), "sqrt(1 + abs(x))": ((1, "1/2"), ("1/2", 0)),
         "0 if x < -1/2 else x": ((0, 1), None)}


def _arb(v):
    return 2 / arb.pi().sqrt() if v == "2/sqrt(pi)" else T.ball(Fraction(v))


def test_rules_refuse_what_has_no_linear_bound_and_give_the_rest():
    for text in NO_RULE:
        assert TF.row(text)[1] is None, text
    for text, (g, dg) in RULES.items():
        _, mine, dmine, lip, strict = TF.row(text)
        assert lip is None and strict is False
        for want, got in ((g, mine), (dg, dmine)):
            if want is None:
                assert got is None, text
            else:
                assert all(not x < _arb(w) and x - _arb(w) < 1e-12 for w, x in zip(want, got)), (text, got)


def test_claim_files_name_a_formula(tmp_path):
    from bnverify.claims import spec
    from bnverify.errors import BadInput
    body = '''id = "{id}"
title = "t"
statement = "s"
property = "fixed-point"
expect = "proved"
[model]
stages = "{stages}"
weight_var = "2"
activation = {act}
[domain]
n = "6"
[params]
state = "two-point"
'''
    p = tmp_path / "ok.toml"
    p.write_text(body.format(id="ok", stages="rc", act='{formula = "x*erf(x)"}'))
    c = spec.Claim.from_toml(p)
    assert c.activation.kernel_name == XERF and spec.Claim.to_json(c)["activation"] == XERF
    for i, (stages, act) in enumerate([("rc,tanh", '{formula = "x*erf(x)"}'), ("rc", '"x*erf(x)"'),
                                       ("rc", '{formula = "tanh"}'), ("rc", '{formula = "y"}'),
                                       ("rc", '{formula = "x", alpha = "1"}'), ("relu,rc", '{formula = "x"}')]):
        p = tmp_path / ("bad%d.toml" % i)
        p.write_text(body.format(id="bad%d" % i, stages=stages, act=act))
        with pytest.raises(BadInput) as e:
            spec.Claim.from_toml(p)
        assert "model." in str(e.value) and "\n" not in str(e.value), str(e.value)


def test_twin_of_core_formula():
    """The kernel's reader and core/formula.py (its twin) give the same phi and phi' at points."""
    import numpy as np
    from bnverify.core.activations import activation
    ts = np.linspace(-5, 5, 41) + 1 / 7
    for text in ["x*erf(x)", "x/(1 + exp(-x))", "x if x > 0 else exp(x) - 1", "abs(sin(3*x)) - 2", "max(x, 0)",
                 "min(x, x/4)", "sqrt(1 + abs(x))", "log(2 + tanh(x))", "0 if x < -1/2 else x", "cos(x)**3 - x**-2"]:
        act = activation(text)
        phi, dphi = TF.row(text)[0][1]
        with ctx.workprec(64):
            mine = [(float(phi(acb(t), 0).real.mid()), float(dphi(acb(t), 0).real.mid())) for t in ts]
        np.testing.assert_allclose([m[0] for m in mine], act.phi(ts), rtol=1e-9, atol=1e-12, err_msg=text)
        np.testing.assert_allclose([m[1] for m in mine], act.dphi(ts), rtol=1e-9, atol=1e-12, err_msg=text)
