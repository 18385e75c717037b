"""The third soundness pass (the red team of 2026-12-05): each class of defect it found, kept as
a test of its fix.

1. ``report --from`` showed a relabelled certificate as re-checked (the id is prose; the
   structure must be the catalogue claim's);
2. exact spectra at one n >= 5 were falsely refuted (compared as formulas in symbolic n);
3. non-integer multiplicities were proved (n/2 twice instead of n);
4. the trusted parser expanded degree-4096 polynomials (no budget on the degree);
5. a certificate with surplus branch items ran for minutes (no budget over the certificate);
7. the stage ablation's NL statement printed 4/c^2 as "c = ... = 44.41";
and a threshold equal to the domain's start says what it means there.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import time
from fractions import Fraction

import pytest

from bnverify import cli, trusted
from bnverify.claims.certificate import rehash
from bnverify.trusted.base import Rejected, parse


def _check(*args, cert=None):
    out = io.StringIO()
    argv = ["check", *args, "--jobs", "1", "--json"] + (["--cert", str(cert)] if cert else [])
    with contextlib.redirect_stdout(out):
        code = cli.main(argv)
    return code, json.loads(out.getvalue())


def _claim(prop, n, **params):
    return {"property": prop, "stages": ["rc"], "activation": "relu", "domain": {"n": n}, "params": params}


# ---------------------------------------------------------------- 2. spectra at one n
@pytest.mark.parametrize("n, spectrum", [
    ("5", [["0", "5"], ["5/17", "3"], ["25/17", "6"]]),
    ("1000000", [["0", "1000000"], ["1000000/999998000002", "999998"],
                 ["1000000000000/999998000002", "499998500001"]]),
])
def test_the_exact_spectrum_at_one_n_is_proved(n, spectrum):
    verdict, _, reason = trusted.decide(_claim("jacobian-spectrum", n, eigenvalues=spectrum))
    assert verdict == "proved", reason


def test_the_two_point_spectrum_at_one_n_is_proved_for_leaky_relu():
    claim = dict(_claim("jacobian-spectrum", "6", state="two-point",
                        eigenvalues=[["0", "6"], ["18/17", "10"], ["15/17", "4"]]),
                 activation="leaky_relu", domain={"n": "6", "alpha": "1/2"})
    assert trusted.decide(claim)[0] == "proved"
    claim["domain"]["n"] = "6..8"                     # the same numbers are wrong at n = 7
    verdict, _, reason = trusted.decide(claim)
    assert verdict == "refuted" and "n = 7" in reason


def test_a_wrong_spectrum_at_one_n_is_still_refuted_and_the_cli_agrees():
    code, doc = _check("--stages", "rc,relu", "--n", "5", "--property", "jacobian-spectrum",
                       "--eigenvalues", "0:5, 5/17:3, 25/17:5, 1:1")
    assert code == 1 and doc["verdict"] == "refuted"
    code, doc = _check("--stages", "rc,relu", "--n", "5", "--property", "jacobian-spectrum",
                       "--eigenvalues", "0:5, 5/17:3, 25/17:6")
    assert code == 0 and doc["verdict"] == "proved"


def test_an_irrational_spelling_of_a_true_eigenvalue_is_never_refuted():
    """sqrt(n^2) is n for n >= 5, but not as a rational function: undecided, never refuted."""
    claim = _claim("jacobian-spectrum", "5..", eigenvalues=[
        ["0", "n"], ["sqrt(n**2)/(n**2-2*n+2)", "n-2"], ["n**2/(n**2-2*n+2)", "(n-1)*(n-2)/2"]])
    try:
        verdict = trusted.decide(claim)[0]
    except (Rejected, trusted.NoGoal):
        verdict = "undecided"
    assert verdict != "refuted"


# ---------------------------------------------------------------- 3. multiplicities are integers
@pytest.mark.parametrize("n, mult", [("5..", "n/2"), ("5..20", "n/2"), ("3", "3/2"), ("7..", "(n**2+1)/3")])
def test_a_multiplicity_that_is_not_an_integer_is_never_proved(n, mult):
    claim = _claim("jacobian-spectrum", n, eigenvalues=[
        ["0", mult], ["0", mult], ["n/(n**2-2*n+2)", "n-2"], ["n**2/(n**2-2*n+2)", "(n-1)*(n-2)/2"]])
    with pytest.raises(Rejected, match="not an integer"):
        trusted.decide(claim)


def test_an_integer_valued_multiplicity_with_fractions_is_proved():
    """(n-1)(n-2)/2 has fractional coefficients and is an integer at every n: proved."""
    claim = _claim("jacobian-spectrum", "5..", eigenvalues=[
        ["0", "n"], ["n/(n**2-2*n+2)", "n-2"], ["n**2/(n**2-2*n+2)", "n**2/2 - 3*n/2 + 1"]])
    assert trusted.decide(claim)[0] == "proved"


# ---------------------------------------------------------------- 4. expressions within a budget
@pytest.mark.parametrize("text", ["((n+1)**64)**64 - ((n**2+2*n+1)**32)**64 + n - 1",
                                  "(n+1)**64*(n+2)**64", "+".join("(n+%d)**60" % k for k in range(40))])
def test_a_huge_polynomial_is_refused_before_any_algebra(text):
    t0 = time.process_time()
    with pytest.raises(Rejected, match="too large"):
        parse(text)
    claim = _claim("norm-ratio-limit", "5", value=text)
    cert = rehash({"format": trusted.FORMAT, "claim": claim, "verdict": "proved", "method": trusted.kernel.METHODS[0],
                   "statement": "", "evidence": [], "tools": {}})
    ok, why = trusted.check(cert)
    assert not ok and "too large" in why and time.process_time() - t0 < 5


def test_the_check_front_end_refuses_it_in_one_line(capsys):
    code = cli.main(["check", "--stages", "rc,relu", "--n", "5", "--property", "norm-ratio-limit",
                     "--value", "((n+1)**64)**64 - ((n**2+2*n+1)**32)**64 + n - 1"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------- 5. a budget over the certificate
@pytest.fixture(scope="module")
def branch_cert(tmp_path_factory):
    path = tmp_path_factory.mktemp("pass3") / "stable16.json"
    code, _ = _check("--stages", "rc,relu", "--n", "16..", "--property", "attractor-stable", cert=path)
    assert code == 0
    return json.loads(path.read_text())


def test_surplus_branch_items_are_refused_before_any_arithmetic(branch_cert):
    item = next(i for i in branch_cert["evidence"] if i["type"] == "all-n-branch")
    forged = copy.deepcopy(branch_cert)
    for k in range(17, 29):                         # twelve more valid-looking branches
        forged["evidence"].append(dict(copy.deepcopy(item), n_from=k))
    t0 = time.process_time()
    ok, why = trusted.check(rehash(forged))
    assert not ok and "second all-n-branch" in why and time.process_time() - t0 < 2


def test_the_work_budget_is_checked_before_any_arithmetic(branch_cert):
    """Distinct shapes, each within its own budget, but together far over the certificate's."""
    forged = copy.deepcopy(branch_cert)
    for n in range(3, 65):
        forged["evidence"].append({"type": "basin-cover", "n": n, "alpha": "0", "prec": 1024,
                                   "pieces": [["-1", "1", "up"]] * 600})
    t0 = time.process_time()
    ok, why = trusted.check(rehash(forged))
    assert not ok and "over the budget" in why and time.process_time() - t0 < 2


def test_branches_moved_to_other_slopes_are_refused_by_the_budget(branch_cert):
    item = next(i for i in branch_cert["evidence"] if i["type"] == "all-n-branch")
    forged = copy.deepcopy(branch_cert)
    for k in range(2, 14):                          # twelve branches, each at its own slope
        forged["evidence"].append(dict(copy.deepcopy(item), alpha="1/%d" % k, prec=1024,
                                       boxes=item["boxes"] * 8))
    t0 = time.process_time()
    ok, why = trusted.check(rehash(forged))
    # since the leaky range's red team a goal takes one branch item whatever its slope: refused
    # before any arithmetic as a second item (it was the budget before)
    assert not ok and ("over the budget" in why or "second all-n-branch" in why) and time.process_time() - t0 < 2


def test_one_branch_item_is_weighed_by_its_boxes(branch_cert):
    """A branch box (a Taylor model in t) costs some 32 times a basin piece: one branch item of 40
    copies of its boxes at 1024 bits is over the budget, before any arithmetic (unweighted it would
    be 32 times cheaper, pass, and run for minutes)."""
    from bnverify.trusted.items import work
    forged = copy.deepcopy(branch_cert)
    item = next(i for i in forged["evidence"] if i["type"] == "all-n-branch")
    item.update(prec=1024, boxes=item["boxes"] * 40)
    assert len(item["boxes"]) * 1024 < trusted.kernel.CERT_WORK < work(item)
    t0 = time.process_time()
    ok, why = trusted.check(rehash(forged))
    assert not ok and "over the budget" in why and time.process_time() - t0 < 2


def test_the_tools_own_certificates_stay_well_under_the_budget(branch_cert):
    from bnverify.trusted.items import work
    assert sum(work(i) for i in branch_cert["evidence"]) < trusted.kernel.CERT_WORK / 10


# ---------------------------------------------------------------- 7. the NL row's constants
@pytest.mark.parametrize("alpha", [Fraction(0), Fraction(1, 10)])
def test_the_nl_rows_printed_constants_are_their_formulas(alpha):
    """The kernel's statement of decompose's NL row, for ReLU (c = 2 sqrt 2/(3 pi), 4/c^2 =
    9 pi^2/2) and a leaky slope (B/A = (1 - alpha)^2/(pi (1 + alpha^2)))."""
    import re

    import mpmath

    from bnverify.claims import decomposition as D
    from bnverify.core.activations import Activation

    act = Activation("leaky_relu", alpha) if alpha else Activation("relu")
    row = D.checked(("nl",), act, 8)
    assert row["verdict"] == "proved", row
    m = re.search(r"4/c\^2 = ([0-9.]+), where c = \(2 sqrt 2/3\) B/A = ([0-9.]+)", row["statement"])
    assert m, row["statement"]
    a = mpmath.mpf(alpha.numerator) / alpha.denominator
    c = 2 * mpmath.sqrt(2) / 3 * (1 - a) ** 2 / (mpmath.pi * (1 + a ** 2))
    assert abs(mpmath.mpf(m.group(2)) - c) < 1e-10
    assert abs(mpmath.mpf(m.group(1)) - 4 / c ** 2) < 1e-8 * (4 / c ** 2)
    if not alpha:
        assert abs(mpmath.mpf(m.group(1)) - 9 * mpmath.pi ** 2 / 2) < 1e-8


# ---------------------------------------------------------------- a threshold at the domain's start
def test_a_threshold_at_the_domains_start_says_so():
    _, g = trusted.goal(_claim("attractor-threshold", "16..40", value=16))
    assert "smallest n of the domain" in g.statement and "no n below it" in g.statement
    _, g = trusted.goal(_claim("attractor-threshold", "3..40", value=7))
    assert "smallest n with this property" in g.statement


# ---------------------------------------------------------------- 1. report --from and relabelling
def test_report_from_refuses_a_certificate_relabelled_onto_another_claim(tmp_path, capsys):
    """A genuine certificate of 'radius at O_n > 1 for n >= 3', its id renamed stability-naive
    and rehashed, beside a results file that says stability-naive is proved: 'unchecked'."""
    from bnverify.commands.report import load_results

    d = tmp_path / "r"
    (d / "certificates").mkdir(parents=True)
    code, doc = _check("--stages", "rc,relu", "--n", "3..", "--property", "spectral-radius", "--state",
                       "configuration", "--relation", ">", "--bound", "1", cert=d / "genuine.json")
    assert code == 0 and doc["verdict"] == "proved"
    cert = json.loads((d / "genuine.json").read_text())
    assert trusted.check(cert)[0]
    cert["claim"]["id"] = "stability-naive"
    (d / "certificates" / "stability-naive.json").write_text(json.dumps(rehash(cert)))
    assert trusted.check(rehash(cert))[0]              # the kernel is right: it is a true statement
    results = d / "results.json"
    results.write_text(json.dumps({"claims": [{
        "id": "stability-naive", "verdict": "proved", "expect": "proved", "method": "x",
        "certificate": "certificates/stability-naive.json",
        "evidence": {"statement": "spectral radius < 1"}, "statement": "spectral radius < 1"}]}))
    rows, _, _ = load_results(results)
    assert rows[0]["verdict"] == "unchecked" and not rows[0].get("rechecked")
    assert "another claim" in rows[0]["unchecked"]


def test_report_from_shows_the_kernels_statement_for_a_genuine_row(tmp_path):
    from bnverify.claims import runner, spec
    from bnverify.claims.certificate import write
    from bnverify.commands.report import load_results

    claim = next(c for c in spec.load_catalogue() if c.id == "stability-naive")
    v = runner.run([claim], progress=False)[0].verdict
    d = tmp_path / "r"
    (d / "certificates").mkdir(parents=True)
    write(v.certificate, d / "certificates" / "stability-naive.json")
    results = d / "results.json"
    results.write_text(json.dumps({"claims": [{
        "id": "stability-naive", "verdict": "refuted", "expect": "refuted", "method": "x",
        "certificate": "certificates/stability-naive.json", "statement": "words of the file",
        "evidence": {"statement": "words of the file"}}]}))
    rows, _, _ = load_results(results)
    assert rows[0]["rechecked"] is True and "statement" not in rows[0]
    assert rows[0]["evidence"]["statement"] == v.certificate["statement"]


def test_a_spectrum_with_an_extra_eigenvalue_is_never_proved():
    """The identity in n matches the kernel's spectrum one-to-one, with nothing left over."""
    claim = _claim("jacobian-spectrum", "5..", eigenvalues=[
        ["0", "n"], ["n/(n**2-2*n+2)", "n-2"], ["n**2/(n**2-2*n+2)", "(n-1)*(n-2)/2"], ["2", "1"]])
    assert trusted.decide(claim)[0] == "refuted"


def test_an_irrational_spelling_at_one_n_is_proved_not_refuted():
    """5/17 written sqrt(2)*sqrt(2)*5/34: evaluated as a ball it is never 'certainly different'
    from 5/17, and sympy shows the identity."""
    claim = _claim("jacobian-spectrum", "5", eigenvalues=[["0", "5"], ["sqrt(2)*sqrt(2)*5/34", "3"], ["25/17", "6"]])
    assert trusted.decide(claim)[0] == "proved"


def test_a_multiplicity_undefined_at_an_n_of_the_domain_is_never_proved():
    """(n^2 - 9)/(n - 3) - (n + 3) + (n-1)(n-2)/2 is (n-1)(n-2)/2 except at n = 3, where it is 0/0:
    the claim says nothing there, so it is not proved (its continuous extension is not read)."""
    claim = _claim("jacobian-spectrum", "3..5", eigenvalues=[
        ["0", "n"], ["n/(n**2-2*n+2)", "n-2"], ["n**2/(n**2-2*n+2)", "(n**2-9)/(n-3) - (n+3) + (n-1)*(n-2)/2"]])
    with pytest.raises(Rejected, match="undefined"):
        trusted.decide(claim)
    claim["domain"]["n"] = "4..5"                 # defined there: proved
    assert trusted.decide(claim)[0] == "proved"
