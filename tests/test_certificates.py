"""Certificates: round trips through the trusted checker, and tampering with any field."""
from __future__ import annotations

import copy
import dataclasses
import json
from fractions import Fraction
from pathlib import Path

import pytest

from bnverify import certificate as C
from bnverify import checker, claims, properties
from bnverify.cli import main
from bnverify.ranges import IntRange

PROOFS = Path(__file__).resolve().parents[1] / "proofs"


def verdict_for(name, n=None):
    claim = claims.load_claim(PROOFS / ("%s.toml" % name))
    if n is not None:
        claim = claim.with_n(n)
    v = properties.check(claim)
    assert v.status == claim.expect, v.evidence
    return v


def narrowed(name, **fields):
    """A catalogue claim with some fields replaced (e.g. a shorter range of n)."""
    return dataclasses.replace(claims.load_claim(PROOFS / ("%s.toml" % name)), **fields)


def decided(claim, status):
    v = properties.check(claim)
    assert v.status == status, v.evidence
    return v.certificate


@pytest.fixture(scope="module")
def certs():
    """One certificate of each flavour, computed once."""
    return {"exact-identity": verdict_for("centering-rank-one").certificate,
            "spectrum-refuted": verdict_for("stability-naive").certificate,
            "smt": verdict_for("invariance-relu").certificate,
            "two-point": verdict_for("norm-ratio").certificate,
            "symmetric-state": verdict_for("attractor", 7).certificate,
            "blocks": verdict_for("jacobian-spectrum").certificate,
            "classification": decided(narrowed("attractor", n=IntRange(5, 5)), "refuted"),
            "threshold": decided(narrowed("attractor-threshold", n=IntRange(5, 8)), "proved"),
            "fold": decided(narrowed("attractor-fold", params={"lo": "6", "hi": "6.5"}), "proved")}


def leaves(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, path + (k,))
    elif isinstance(obj, list) and obj:
        for i, v in enumerate(obj):
            yield from leaves(v, path + (i,))
    else:
        yield path, obj


def altered(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.5
    if isinstance(value, str):
        return value + "1"
    return 0 if value is None else None


def set_at(cert, path, value):
    c = copy.deepcopy(cert)
    node = c
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return c


def test_round_trip_through_files(certs, tmp_path):
    for name, cert in certs.items():
        ok, msg = checker.check(cert)
        assert ok, (name, msg)
        path = C.write(cert, tmp_path / ("%s.json" % name))
        assert checker.check_file(path) == (True, msg)
    assert main(["check-cert", str(tmp_path)]) == 0


def test_claim_file_to_check_cert(tmp_path, capsys):
    out = tmp_path / "naive.json"
    assert main(["check", str(PROOFS / "stability-naive.toml"), "--cert", str(out)]) == 1
    assert main(["check-cert", str(out)]) == 0
    assert "ok" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["exact-identity", "spectrum-refuted", "smt", "two-point", "symmetric-state",
                                  "blocks", "classification", "threshold", "fold"])
def test_altering_any_leaf_is_rejected(certs, name):
    cert = certs[name]
    count = 0
    for path, value in leaves(cert):
        if name in ("threshold", "fold") and "intervals" in path and path[path.index("intervals") + 1] % 29:
            continue                    # every interval leaf is covered by "classification"
        ok, msg = checker.check(set_at(cert, path, altered(value)))
        assert not ok, "altering %s was not detected" % (path,)
        count += 1
    assert count > 10


def semantic(cert, path, value):
    """Alter a field and recompute the hash, so that only the semantic checks can object."""
    return C.rehash(set_at(cert, path, value))


@pytest.mark.parametrize("name, path, value", [
    ("spectrum-refuted", ("verdict",), "proved"),
    ("spectrum-refuted", ("claim", "params", "bound"), "2"),
    ("spectrum-refuted", ("claim", "params", "relation"), ">="),
    ("spectrum-refuted", ("claim", "domain", "n"), "4.."),
    ("spectrum-refuted", ("items", 0, "n"), 4),
    ("spectrum-refuted", ("items", 0, "alpha"), "1/10"),
    ("spectrum-refuted", ("items", 0, "bound"), "2"),
    ("spectrum-refuted", ("items", 0, "rel"), "<"),
    ("spectrum-refuted", ("items", 0, "eigenvalues", -1, 0), "2"),
    ("spectrum-refuted", ("items", 0, "eigenvalues", 0, 1), 2),
    ("spectrum-refuted", ("items", 0, "decisive"), False),
    ("spectrum-refuted", ("kind",), "smt"),
    ("spectrum-refuted", ("format",), "bnverify-certificate/0"),
    ("exact-identity", ("verdict",), "refuted"),
    ("exact-identity", ("items", 0, "rhs"), "(-1/n)*(u + v)"),
    ("exact-identity", ("items", 1, "lhs"), "u - ((n - 1)*v + u)/(n + 1)"),
    ("smt", ("items", 1, "result"), "sat"),
    ("smt", ("items", 1, "smtlib"), "(assert (= 1 2"),
    ("two-point", ("claim", "params", "value"), "n"),
    ("two-point", ("items", -1, "root"), "n + 1"),
    ("two-point", ("items", 0, "c"), "1"),
    ("blocks", ("items", 0, "blocks", 0, "copies"), "n - 1"),
    ("blocks", ("items", 0, "blocks", 0, "eigenvalues", 0, 0), "n/(n**2 - 2*n + 3)"),
    ("blocks", ("items", 0, "eigenvalues", 0, 1), "n + 1"),
    ("blocks", ("items", 0, "where", "n"), "2.."),
    ("blocks", ("items", 1, "decisive"), False),
    ("symmetric-state", ("parts", 0, "items", 0, "bound"), "9/10"),
    ("symmetric-state", ("parts", 0, "items", 0, "Y", 0, 0), "0"),
    ("symmetric-state", ("parts", 0, "items", 0, "state"), "simplex"),
    ("symmetric-state", ("parts", 0, "items", 0, "n"), 8),
])
def test_semantic_checks_catch_rehashed_edits(certs, name, path, value):
    cert = certs[name]
    if path[0] == "parts":            # the attractor at one n is a plain certificate, wrap it
        cert = C.finish(cert["claim"], cert["verdict"], cert["method"], C.bundle([cert], "one n"))
        inner = C.rehash(set_at(cert["parts"][0], path[2:], value))
        bad = C.rehash(set_at(cert, ("parts", 0), inner))
    else:
        bad = semantic(cert, path, value)
    ok, msg = checker.check(bad)
    assert not ok, "edit of %s passed the semantic checks" % (path,)


def _first(cert, kind):
    """Index of the first interval of a kind in a classification certificate's item."""
    return next(i for i, iv in enumerate(cert["items"][0]["intervals"]) if iv[2] == kind)


@pytest.mark.parametrize("edit", ["verdict", "roots", "kind", "gap", "drop-first", "drop-last", "n", "alpha",
                                  "state", "prec", "how", "subject"])
def test_classification_semantic_edits(certs, edit):
    cert = certs["classification"]
    item = ("items", 0)
    ivs = cert["items"][0]["intervals"]
    k = _first(cert, "excluded")
    bad = {"verdict": (("verdict",), "proved"),
           "roots": (item + ("roots",), 1),
           "kind": (item + ("intervals", k, 2), "root"),
           "gap": (item + ("intervals", 3, 0), ivs[2][0]),
           "drop-first": (item + ("intervals",), ivs[1:]),
           "drop-last": (item + ("intervals",), ivs[:-1]),
           "n": (item + ("n",), "6"),
           "alpha": (item + ("alpha",), "1/10"),
           "state": (item + ("state",), "simplex"),
           "prec": (item + ("prec",), 16),
           "how": (item + ("intervals", k, 3), "guess"),
           "subject": (("claim", "params"), {"relation": "<", "bound": "1", "state": "simplex"})}[edit]
    if edit == "subject":              # absence of the spread cluster says nothing about the simplex
        claim = dict(cert["claim"], property="spectral-radius", params=bad[1])
        ok, msg = checker.check(C.rehash(dict(cert, claim=claim)))
    else:
        ok, msg = checker.check(semantic(cert, *bad))
    assert not ok, "edit %s passed the semantic checks" % edit


def test_classification_refutes_existence_and_stability(certs):
    cert = certs["classification"]
    assert checker.check(cert)[0] and cert["claim"]["property"] == "attractor-stable"
    exists = dict(cert["claim"], property="attractor-exists", params={})
    assert checker.check(C.rehash(dict(cert, claim=exists)))[0]
    for domain in ({"n": "6..9", "alpha": "0"}, {"n": "5", "alpha": "1/10"}):   # not at a point of the domain
        assert not checker.check(C.rehash(dict(cert, claim=dict(exists, domain=domain))))[0]


@pytest.mark.parametrize("edit", ["value-up", "value-down", "drop-part", "repeat-part", "refuted"])
def test_threshold_semantic_edits(certs, edit):
    cert = certs["threshold"]
    assert [p["verdict"] for p in cert["parts"]] == ["refuted", "refuted", "proved", "proved"]
    claim, parts = cert["claim"], cert["parts"]
    bad = {"value-up": dict(cert, claim=dict(claim, params={"value": 8})),
           "value-down": dict(cert, claim=dict(claim, params={"value": 6})),
           "drop-part": dict(cert, parts=parts[:1] + parts[2:]),
           "repeat-part": dict(cert, parts=[parts[0], parts[2], parts[2], parts[3]]),
           "refuted": dict(cert, verdict="refuted")}[edit]
    assert not checker.check(C.rehash(bad))[0]


@pytest.mark.parametrize("params", [{"lo": "6.5", "hi": "6"}, {"lo": "6", "hi": "6.4"}, {"lo": "6.1", "hi": "6.5"},
                                    {"lo": "6", "hi": "7.5"}, {"lo": "6", "hi": "6.5e0"}])
def test_fold_semantic_edits(certs, params):
    cert = certs["fold"]
    assert not checker.check(C.rehash(dict(cert, claim=dict(cert["claim"], params=params))))[0]
    assert not checker.check(C.rehash(dict(cert, items=cert["items"][::-1][:1])))[0]


def test_checker_curve_agrees_with_certify():
    """The checker's closed-form curve (row sums, real n) against certify's (bnverify.gram's
    centring on quotient matrices and bnverify.kernels), at integer and real n."""
    from flint import ctx as fctx

    from bnverify import arith, certify
    from bnverify.kernels import Activation

    c = arith.get("ball", prec=128)
    for name, alpha in (("relu", Fraction(0)), ("leaky_relu", Fraction(1, 10))):
        act = Activation(name, alpha)
        for n in (3, 5, 8, Fraction(61, 10)):
            for rho in (Fraction(-1, 1) / (n - 2) + Fraction(1, 1000), Fraction(-1, 7), Fraction(1, 3), Fraction(1)):
                theirs = certify.curve(c.const(rho), n if isinstance(n, int) else c.const(n), act, c)
                with fctx.workprec(128):
                    A, B = checker.kernel_constants(alpha)
                    ours = checker.curve(checker._ball(rho), checker._ball(Fraction(n)), A, B)
                assert (ours - theirs).contains(0) and abs(float((ours - theirs).mid())) < 1e-25, (n, rho)


def test_smt_tamper_that_changes_the_statement(certs):
    cert = certs["smt"]
    text = cert["items"][1]["smtlib"]
    weaker = text.replace("(assert (not (= ", "(assert (not (= 1 ", 1).replace(" 0)))", ")))", 1)
    assert weaker != text
    assert not checker.check(semantic(cert, ("items", 1, "smtlib"), weaker))[0]


# ---------------------------------------------------------------- the checker's parts
def synthetic(items, verdict="proved", rel=">", bound="1", n="5", kind="exact"):
    claim = {"id": "synthetic", "statement": "s", "property": "spectral-radius", "stages": ["rc"],
             "activation": "relu", "domain": {"n": n, "alpha": "0"},
             "params": {"relation": rel, "bound": bound}}
    return C.finish(claim, verdict, "test", C.payload(kind, items, "test"))


def test_enclosure_item():
    from flint import arb, ctx

    with ctx.workprec(200):
        value = (arb(-1) / 4).acos() * 2
    item = C.enclosure("2*acos(-1/(n - 1))", {"n": 5}, value, 200, ">", Fraction(1), decisive=True)
    cert = synthetic([item], kind="enclosure")
    assert checker.check(cert)[0]
    assert not checker.check(semantic(cert, ("items", 0, "ball", "mid", 0), item["ball"]["mid"][0] + 2 ** 20))[0]
    assert not checker.check(semantic(cert, ("items", 0, "inputs", "n"), "6"))[0]
    assert not checker.check(semantic(cert, ("items", 0, "bound"), "4"))[0]


def test_positive_test_accepts_truths_and_refuses_falsehoods():
    where = {"n": "3..", "alpha": "0..1"}
    good = C.positive("n**2*(1 + alpha**2)/((1 + alpha**2)*(1 + (n - 1)**2) + 4*alpha*(n - 1))", ">", "1", where)
    assert checker.check_positive(good) == where
    for lhs, rel in [("n/(n**2 - 2*n + 2)", ">"), ("n - 4", ">"), ("alpha", ">"), ("alpha - 1", ">=")]:
        with pytest.raises(checker.Rejected):
            checker.check_positive(C.positive(lhs, rel, "0" if "alpha" in lhs or lhs == "n - 4" else "1", where))
    assert checker.check_positive(C.positive("alpha", ">=", "0", where))
    with pytest.raises(checker.Rejected):            # closed upper end 1/2 is checked too
        checker.check_positive(C.positive("1/2 - alpha", ">", "0", {"n": "3..", "alpha": "0..1/2"}))


@pytest.mark.parametrize("text", ["__import__('os')", "n.real", "n[0]", "0.1 + n", "lambda: 1",
                                  "exp(n)", "n**n", "n if n else 1", "'a'"])
def test_expression_parser_refuses(text):
    with pytest.raises(checker.Rejected):
        checker.parse(text)


def test_coverage():
    assert checker.covers([{"n": "3..4"}, {"n": "5.."}], {"n": "3..", "alpha": "0"})
    assert not checker.covers([{"n": "3..4"}, {"n": "6.."}], {"n": "3..", "alpha": "0"})
    assert not checker.covers([{"n": "3..", "alpha": "0..1/2"}], {"n": "3..", "alpha": "0..1"})
    assert checker.covers([{"n": "3..", "alpha": "0..1"}], {"n": "4..9", "alpha": "1/10"})


# ---------------------------------------------------------------- independent computations agree
def test_checker_model_agrees_with_symbolic_fixed_point():
    import sympy

    from bnverify import symbolic

    for name, alpha in (("relu", Fraction(0)), ("leaky_relu", Fraction(1, 10))):
        st = symbolic.fixed_point(symbolic.symbolic_activation(name))["state"]
        for n in (3, 4, 7):
            G = checker.configuration(n, alpha)
            sub = {symbolic.N: n, symbolic.ALPHA: sympy.Rational(alpha.numerator, alpha.denominator)}
            a = G[0][0]
            assert G[0][1] == a                                    # two-point: cluster identical
            assert Fraction(str(sympy.nsimplify(st.x.subs(sub)))) == G[0][n - 1] / a
            assert Fraction(str(st.b.subs(sub))) == G[n - 1][n - 1] / a


def test_checker_spectrum_agrees_with_dense_exact_jacobian():
    import sympy

    from bnverify import symbolic

    J, _ = symbolic.dense_jacobian(symbolic.symbolic_activation("relu"), 4)
    eig = {Fraction(str(k)): v for k, v in J.eigenvals().items()}
    eig[Fraction(1)] -= 1                                        # the direction of G* itself
    eig = {k: v for k, v in eig.items() if v}
    item = C.configuration_spectrum(4, 0, sorted(eig.items()))
    assert checker.check_configuration_spectrum(item)


def test_checker_reduced_map_agrees_with_certify():
    from flint import arb

    from bnverify import arith, certify
    from bnverify.kernels import Activation

    s = [Fraction(9, 10), Fraction(-1, 20), Fraction(30)]
    ctx = arith.get("ball", prec=128)
    theirs, _ = certify.reduced_image([ctx.const(v) for v in s], 8, Activation("relu"), ctx)
    from flint import ctx as fctx

    with fctx.workprec(128):
        A, B = checker.kernel_constants(Fraction(0))
        ours, _ = checker.reduced_map([arb(v.numerator) / v.denominator for v in s], 8, A, B)
    for x, y in zip(ours, theirs):
        assert (x - y).contains(0) and abs(float((x - y).mid())) < 1e-25


def test_existence_alone_does_not_prove_stability(certs):
    """Dropping the spectral bound from a Krawczyk fact leaves a valid existence proof, which
    must not pass for the claim 'spectral radius < 1'."""
    cert = copy.deepcopy(certs["symmetric-state"])
    item = cert["items"][0]
    for key in ("rel", "bound", "V"):
        item.pop(key)
    assert checker.check_symmetric_state(item)                 # the fact itself still holds
    ok, msg = checker.check(C.rehash(cert))
    assert not ok and "does not give the claim" in msg
