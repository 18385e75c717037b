"""The soundness corpus: false statements must never come out "proved", true ones should.

Default run (fast): the corpus's shape, its claim files, and a representative subset of the
cases (every 3rd of the cheap ones, flag form; file-only cases in file form), one test per
case.  ``-m slow``: every case, in both forms (what ``tally.py --form both`` runs).  The cases
run through ``bnverify.cli.main`` in this process (tally.run_case_in_process: the same argv and
the same reading of exit code and JSON as the subprocess), since a Python start-up per case
was most of the time; a few run as subprocesses of the installed CLI as well, which must agree.
"""
from __future__ import annotations

import re
import tomllib

import pytest

import tally  # noqa: E402 - pytest puts this folder (it has no __init__.py) on sys.path

CASES = tally.load_corpus()
PER_N = {"attractor-exists", "attractor-stable", "attractor-threshold", "fold-bracket", "finite-width-lyapunov",
         "basin"}


SMOOTH = ("gelu", "silu", "tanh", "erf", "elu", "softplus", "sigmoid", "sin")


def heavy(case):
    """Certified per-n searches (attractor, simplex, fold), the two-point family of a non-homogeneous
    activation (brackets, covers: integrals in balls; tests/test_twopoint.py and its red teams run them)
    and simulations: seconds each."""
    fl = tally.parse_args(case["args"])
    smooth = any(a in str(fl.get("stages", "")).split(",") for a in SMOOTH) and fl.get("state") == "two-point"
    return fl.get("property") in PER_N or fl.get("state") in ("attractor", "simplex") or smooth


def subset(cases, every=3):
    cheap = [c for c in cases if not heavy(c)]
    return cheap[::every]


def _form(case):
    return "file" if case.get("file_only") else "flag"


def _run(cases, workdir, form=None):
    """Every run of the cases in this process, in corpus order (claim files written into
    ``workdir``): in ``form`` ("flag", "file" or "both"), by default each case's own (:func:`_form`)."""
    return [tally.run_case_in_process(c, f, workdir) for c in cases
            for f in tally.forms_of(c, form or _form(c))]


def _ids(cases):
    return [c["id"] for c in cases]


def _fail_lines(results):
    t = tally.tally(results)
    lines = [tally.tally_line(t)]
    lines += ["UNSOUND (a false statement was proved): %s" % tally._show(r) for r in t["unsound"]]
    lines += ["TRUE CASE NOT PROVED: %s: %s (%s)" % (tally._show(r), r["verdict"], r.get("reason"))
              for r in t["not_proved"]]
    return t, lines


# ---------------------------------------------------------------- the corpus itself
def test_corpus_shape():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    false = [c for c in CASES if c["truth"] == "false"]
    true = [c for c in CASES if c["truth"] == "true"]
    assert len(false) >= 100 and len(true) >= 50, (len(false), len(true))
    assert len(false) + len(true) == len(CASES), "truth must be 'false' or 'true'"
    for c in CASES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c["id"]), c["id"]
        assert isinstance(c["why"], str) and c["why"].strip() and "\n" not in c["why"], c["id"]
        assert isinstance(c["args"], list) and all(isinstance(a, str) for a in c["args"]), c["id"]
        assert set(c) <= {"id", "truth", "why", "args", "usage_error", "file_only"}, c["id"]
        tally.parse_args(c["args"])
    for c in CASES:
        if c.get("usage_error"):
            assert c["truth"] == "false", c["id"]


def test_corpus_coverage():
    from bnverify.claims.properties import PROPERTIES

    flags = [tally.parse_args(c["args"]) for c in CASES]
    props = {f.get("property") for f in flags}
    missing = set(PROPERTIES) - props
    assert not missing, "properties without a case: %s" % sorted(missing)
    assert {"configuration", "two-point", "attractor", "simplex"} <= {f.get("state") for f in flags}
    assert {"<", "<=", ">", ">="} <= {f.get("relation") for f in flags}
    stages = {f.get("stages") for f in flags}
    assert {"rc,relu", "rc,rs,relu", "relu", "rc,tanh", "rc,identity", "rc,leaky_relu"} <= stages
    alphas = {f.get("alpha") for f in flags if f.get("stages", "").endswith("leaky_relu")}
    assert len(alphas) >= 5, alphas
    for truth in ("false", "true"):
        assert {f.get("property") for f, c in zip(flags, CASES) if c["truth"] == truth} >= {
            "invariant-configuration", "fixed-point", "norm-ratio-limit", "orthogonal-outlier",
            "spectral-radius", "jacobian-spectrum", "attractor-exists", "attractor-stable",
            "attractor-threshold", "fold-bracket"}


def test_claim_files_are_valid_toml():
    for c in CASES:
        name, text = tally.claim_toml(c)
        d = tomllib.loads(text)
        assert name == d["id"] + ".toml"
        assert d["property"] == tally.parse_args(c["args"]).get("property", "")


def test_claim_files_load(tmp_path):
    """Every case that is not meant to be a usage error gives a claim file the loader accepts."""
    from bnverify.claims import spec

    bad = []
    for c in CASES:
        if c.get("usage_error"):
            continue
        name, text = tally.claim_toml(c)
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        try:
            spec.load_claim(p, {p.stem})
        except Exception as e:          # noqa: BLE001 - reported below
            bad.append("%s: %s" % (c["id"], e))
    assert not bad, "\n".join(bad)


# ---------------------------------------------------------------- running the cases
FALSE_SUBSET = [c for c in subset(CASES) if c["truth"] == "false"]
TRUE_SUBSET = [c for c in subset(CASES) if c["truth"] == "true"]


@pytest.mark.parametrize("case", FALSE_SUBSET, ids=_ids(FALSE_SUBSET))
def test_false_subset_never_proved(case, tmp_path):
    t, lines = _fail_lines(_run([case], tmp_path))
    assert t["false_proved"] == 0, "\n".join(lines)


@pytest.mark.parametrize("case", TRUE_SUBSET, ids=_ids(TRUE_SUBSET))
def test_true_subset_proved(case, tmp_path):
    t, lines = _fail_lines(_run([case], tmp_path))
    assert not t["not_proved"], "\n".join(lines)


def _first(truth, form, **flags):
    """The corpus's first cheap case with this truth that runs in ``form`` and has ``flags``."""
    return next(c for c in CASES if c["truth"] == truth and not heavy(c) and form in tally.forms_of(c, "both")
                and all(bool(c.get(k)) == v for k, v in flags.items()))


# the real command line, a subprocess per run: a true and a false case in each form, a usage error
INSTALLED = [(_first("true", "flag"), "flag"), (_first("false", "flag", usage_error=False), "flag"),
             (_first("true", "file", file_only=False), "file"), (_first("false", "file", file_only=True), "file"),
             (_first("false", "flag", usage_error=True), "flag")]


# by default a true case by flags, a false one from a file and the usage error (a subprocess each, 0.8 s, mostly
# bnverify's import: both forms and both truths through the installed command still); the false case by flags and
# the true one from a file under -m slow (the in-process runs above decide the subset's cases in their own forms)
_SLOW_INSTALLED = {1, 2}


@pytest.mark.parametrize("case, form", [pytest.param(c, f, marks=pytest.mark.slow) if k in _SLOW_INSTALLED else (c, f)
                                        for k, (c, f) in enumerate(INSTALLED)],
                         ids=["%s-%s" % (c["id"], f) for c, f in INSTALLED])
def test_the_installed_cli_agrees(case, form, tmp_path):
    """The subprocess gives the verdict the in-process run gives, and it is sound."""
    (run,) = tally.run_all([case], form, 1)
    assert run["verdict"] == tally.run_case_in_process(case, form, tmp_path)["verdict"], run
    if case.get("usage_error"):
        assert run["verdict"] == "usage-error", run
    elif case["truth"] == "true":
        assert run["verdict"] == "proved", run
    else:
        assert run["verdict"] in ("refuted", "inconclusive"), run


FALSE = [c for c in CASES if c["truth"] == "false"]
TRUE = [c for c in CASES if c["truth"] == "true"]


@pytest.mark.slow
@pytest.mark.parametrize("case", FALSE, ids=_ids(FALSE))
def test_full_corpus_false_never_proved(case, tmp_path):
    t, lines = _fail_lines(_run([case], tmp_path, "both"))
    assert t["false_proved"] == 0, "\n".join(lines)


@pytest.mark.slow
@pytest.mark.parametrize("case", TRUE, ids=_ids(TRUE))
def test_full_corpus_true_proved(case, tmp_path):
    t, lines = _fail_lines(_run([case], tmp_path, "both"))
    assert not t["not_proved"], "\n".join(lines)


@pytest.mark.slow
def test_usage_errors_exit_2(tmp_path):
    cases = [c for c in CASES if c.get("usage_error")]
    t = tally.tally(_run(cases, tmp_path, "both"))
    assert not t["not_usage_error"], "\n".join(
        "NOT A USAGE ERROR %s: %s" % (tally._show(r), r["verdict"]) for r in t["not_usage_error"])
