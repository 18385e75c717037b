"""Claim files: the catalogue, its packaged copy, and one-line errors for malformed files."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from bnverify.claims import properties, spec
from bnverify.errors import BadInput
from bnverify.core.ranges import IntRange, parse_int_range, parse_rat_range

ROOT = Path(__file__).resolve().parents[1]
PROOFS = ROOT / "proofs"
CATALOGUE_ROWS = ["centering-rank-one", "invariance-relu", "invariance-rs", "norm-ratio",
               "gram-fixed-point", "jacobian-spectrum", "stability-naive", "stability-directions",
               "attractor", "simplex-state", "rs-linearization", "leaky-relu", "finite-width"]
REFINEMENTS = ["attractor-threshold", "attractor-fold",    # the attractor row's "smallest n"
               "rs-fixed-point",                           # the RS row: its value at O_n
               "attractor-leaky",                          # the attractor row with a slope
               "basin-attractor", "basin-simplex",         # global dynamics of the reduction (issue 13)
               "basin-attractor-all", "basin-simplex-leaky",
               "classification",                           # every n >= 7: exactly four fixed points (issue 24)
               "kernel-definite", "kernel-definite-antipodal", "rank-growth",   # rank growth (issue 13)
               "kernel-singular",                          # the rank lemma's converse (issue 24)
               "bsb1-stable",                              # full BN's symmetric state (issue 23)
               "rs-growth", "rs-basins", "rs-basins-7",    # O_n and the odd point under RS (issue 23)
               "invariance-smooth", "two-point-collapse", "two-point-tanh", "two-point-stable",
               "simplex-tanh", "spread-collapse",    # other activations (issue 22)
               "abs-two-point"]   # abs, the leaky ReLU of slope -1

GOOD = '''
id = "{id}"
title = "a title"
statement = "a statement"
property = "spectral-radius"
expect = "refuted"
uses = []

[model]
stages = "rc,relu"

[domain]
n_min = 3

[params]
relation = "<"
bound = "1"
'''


def write(tmp_path, text, name="my-claim"):
    p = tmp_path / ("%s.toml" % name)
    p.write_text(text.format(id=name))
    return p


def test_catalogue_has_every_row():
    ids = [c.id for c in spec.load_catalogue(PROOFS)]
    assert sorted(ids) == sorted(CATALOGUE_ROWS + REFINEMENTS)
    assert ids.index("jacobian-spectrum") < ids.index("stability-naive")   # uses come first


def test_one_catalogue_on_disk():
    """proofs/ is the only copy in the checkout, and the one the package reads."""
    assert spec.CATALOGUE.resolve() == PROOFS.resolve()
    assert not (Path(spec.__file__).parent / "catalogue").exists()
    assert sorted(p.name for p in PROOFS.iterdir() if p.is_file()) == sorted(p.name for p in PROOFS.glob("*.toml"))


@pytest.mark.slow
def test_the_wheel_installs_the_catalogue(tmp_path):
    """A wheel built from this checkout carries proofs/*.toml as bnverify/catalogue/."""
    import subprocess
    import sys
    import zipfile
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(tmp_path), str(PROOFS.parent)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("bnverify-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    want = {"bnverify/catalogue/" + p.name for p in PROOFS.glob("*.toml")}
    assert want <= names and not any(n.endswith("conftest.py") for n in names)


def test_every_claim_is_well_formed():
    for c in spec.load_catalogue():
        assert c.source.endswith(c.id + ".toml")
        assert c.expect in ("proved", "refuted", "inconclusive")
        assert c.property in properties.PROPERTIES
        assert c.statement and c.title and c.latex


def test_schema_documents_every_property():
    text = (ROOT / "docs" / "claims-schema.md").read_text()
    for name in properties.PROPERTIES:
        assert "`%s`" % name in text
    assert "field" in spec.__doc__ and "[domain]" in spec.__doc__


def test_good_file_loads(tmp_path):
    c = spec.load_claim(write(tmp_path, GOOD))
    assert c.n == IntRange(3, None) and c.params["bound"] == Fraction(1) and c.alpha.point


@pytest.mark.parametrize("edit, field", [
    (lambda t: t.replace('title = "a title"\n', ""), "title"),                       # missing field
    (lambda t: t.replace('expect = "refuted"', "expect = 3"), "expect"),             # wrong type
    (lambda t: t.replace('expect = "refuted"', 'expect = "true"'), "expect"),        # bad value
    (lambda t: t.replace('"spectral-radius"', '"spectral-radiance"'), "property"),   # unknown property
    (lambda t: t.replace("n_min = 3", 'n = "9..3"'), "domain.n"),                    # reversed range
    (lambda t: t.replace("n_min = 3", 'n = "3..x"'), "domain.n"),                    # not an integer
    (lambda t: t.replace("n_min = 3", 'n = ""'), "domain.n"),                        # empty range
    (lambda t: t.replace("n_min = 3", "n_min = 1"), "domain.n_min"),                 # below the minimum
    (lambda t: t.replace("n_min = 3", 'n_min = 3\nn = "3..5"'), "domain.n"),         # both forms
    (lambda t: t.replace("uses = []", 'uses = ["no-such-claim"]'), "uses"),          # unknown uses
    (lambda t: t.replace('bound = "1"', "bound = 1.5"), "params.bound"),             # float bound
    (lambda t: t.replace('relation = "<"', 'relation = "=<"'), "params.relation"),   # bad relation
    (lambda t: t.replace('relation = "<"\n', ""), "params.relation"),               # missing param
    (lambda t: t + 'colour = "red"\n', "params.colour"),                             # unknown param
    (lambda t: t.replace("[model]", 'colour = "red"\n[model]'), "colour"),           # unknown field
    (lambda t: t.replace('"rc,relu"', '"rc,swish"'), "model.stages"),             # unknown stage
    (lambda t: t.replace('"rc,relu"', '"rc,leaky_relu"'), "model.alpha"),            # alpha missing
    (lambda t: t.replace('stages = "rc,relu"', 'stages = "rc,relu"\nalpha = "1/2"'), "model.alpha"),
    (lambda t: t.replace('"rc,relu"', '"rc,leaky_relu"').replace("n_min = 3", 'n_min = 3\nalpha = "1/2..1/4"'),
     "domain.alpha"),
    (lambda t: t.replace('id = "{id}"', 'id = "other"'), "id"),                      # id != file name
    (lambda t: t.replace("[domain]", "[domain\n"), "(syntax)"),                      # not TOML
])
def test_malformed_file_gives_one_line_naming_file_and_field(tmp_path, edit, field):
    path = write(tmp_path, edit(GOOD))
    with pytest.raises(spec.ClaimError) as e:
        spec.load_claim(path, known_ids={"jacobian-spectrum"})
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith(str(path) + ": field '%s'" % field), msg


def test_catalogue_errors(tmp_path):
    write(tmp_path, GOOD.replace("uses = []", 'uses = ["b"]'), "a")
    write(tmp_path, GOOD.replace("uses = []", 'uses = ["a"]'), "b")
    with pytest.raises(spec.ClaimError, match="field 'uses': cycle"):
        spec.load_catalogue(tmp_path)
    (tmp_path / "b.toml").write_text(GOOD.format(id="b").replace("uses = []", 'uses = ["zz"]'))
    with pytest.raises(spec.ClaimError, match="b.toml: field 'uses': unknown claim id 'zz'"):
        spec.load_catalogue(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInput, match="no \\*.toml"):
        spec.load_catalogue(tmp_path / "empty")
    with pytest.raises(BadInput, match="not a directory"):
        spec.load_catalogue(tmp_path / "nothing-here")


def test_cli_reports_a_malformed_file_in_one_line(tmp_path, run_cli):
    path = write(tmp_path, GOOD.replace("n_min = 3", 'n = "7..5"'))
    code, _, err = run_cli("check", path)
    assert code == 2
    err = err.strip()
    assert err.count("\n") == 0 and str(path) in err and "domain.n" in err


def test_select():
    import dataclasses
    cat = spec.load_catalogue()
    cat = [dataclasses.replace(c, full=True) if c.id == "basin-attractor" else c for c in cat]
    assert "basin-attractor" not in [c.id for c in spec.select(cat)]          # a full claim runs only when asked
    assert "basin-attractor" in [c.id for c in spec.select(cat, full=True)]
    assert "finite-width" in [c.id for c in spec.select(cat)]                 # under 15 s: by default
    assert [c.id for c in spec.select(cat, ["basin-attractor"])] == ["basin-attractor"]
    with pytest.raises(BadInput, match="unknown claim id 'nope'"):
        spec.select(cat, ["nope"])


def test_display():
    c = spec.load_claim(PROOFS / "stability-naive.toml")
    assert "stability-naive" in c._repr_html_() and "refuted" in c._repr_html_()
    latex = c._repr_latex_()
    assert latex.startswith(r"$\textbf{stability-naive}$") and latex.count("$") == 4 and r"r\left(DF" in latex
    assert c.to_json()["domain"] == {"n": "3..", "alpha": "0"}


# ---------------------------------------------------------------- ranges
@pytest.mark.parametrize("text, lo, hi", [("3..20", 3, 20), ("3..", 3, None), ("5", 5, 5), (" 4 .. 6 ", 4, 6)])
def test_int_ranges(text, lo, hi):
    assert parse_int_range(text) == IntRange(lo, hi)


@pytest.mark.parametrize("text", ["", "..", "3..2", "1..4", "a..4", "3.5..4", "3...4", "2e1", "3..4..5"])
def test_bad_int_ranges(text):
    with pytest.raises(BadInput) as e:
        parse_int_range(text, "n", 2)
    assert "\n" not in str(e.value)


def test_int_range_cannot_be_open_when_forbidden():
    with pytest.raises(BadInput, match="no upper end"):
        parse_int_range("3..", "width", 1, allow_open=False)


@given(st.integers(2, 500), st.integers(0, 500))
def test_int_range_round_trip(lo, extra):
    r = parse_int_range("%d..%d" % (lo, lo + extra))
    assert parse_int_range(str(r)) == r and len(r) == extra + 1 and lo + extra in r and lo - 1 not in r


def test_rat_ranges():
    r = parse_rat_range("0..1")
    assert r.hi_open and Fraction(99, 100) in r and 1 not in r
    r = parse_rat_range("1/10..1/2")
    assert not r.hi_open and Fraction(1, 2) in r and str(r) == "1/10..1/2"
    assert parse_rat_range("1/10").point
    for bad in ("1/2..1/3", "0..2", "-1..0", "x", "1", "1/0"):
        with pytest.raises(BadInput):
            parse_rat_range(bad)


def test_claim_items_run_themselves():
    """`-k ID` runs that claim alone (no run-everything-first): one item, one claim's jobs."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PROOFS),
                          "-k", "gram-fixed-point", "-x"], capture_output=True, text=True, timeout=300,
                         cwd=ROOT)
    assert out.returncode == 0 and "1 passed" in out.stdout, out.stdout[-1500:]


def test_runner_cache_runs_a_shared_job_once(monkeypatch):
    from bnverify.claims import runner
    calls = []
    real = runner.run_one
    monkeypatch.setattr(runner, "run_one", lambda c: calls.append(c.id) or real(c))
    cache = {}
    c = spec.load_claim(PROOFS / "norm-ratio.toml")
    first = runner.run([c], jobs=1, progress=False, cache=cache)[0]
    again = runner.run([c], jobs=1, progress=False, cache=cache)[0]
    assert calls == ["norm-ratio"] and first.verdict.status == again.verdict.status == "proved"


SHARED_SEARCH = ("classification", "basin-attractor", "basin-attractor-all")


def test_the_jobs_that_search_alike_have_one_search_key():
    """classification, basin-attractor and basin-attractor-all are different jobs that search
    the same all-n classification item; basin-simplex and rs-basins at each n = 3..6 search RC
    alone's basin cover there (basin-simplex-leaky's covers are at another slope, rs-basins-7's
    per-n jobs have no RC-alone partner)."""
    from bnverify.claims.properties import jobs
    keys = {}
    for c in spec.load_catalogue():
        for u in jobs.units(c):
            k = jobs.search_key(u)
            if k is not None:
                keys.setdefault(k, set()).add(c.id)
    shared = {k: ids for k, ids in keys.items() if len(ids) > 1}
    want = {("basin-cover", n, "relu", "0"): {"basin-simplex", "rs-basins"} for n in range(3, 7)}
    want[("classification-branch", 7)] = set(SHARED_SEARCH)
    assert shared == want
    assert keys[("basin-cover", 7, "leaky_relu", "1/10")] == {"basin-simplex-leaky"}


def test_jobs_that_share_a_search_run_in_one_task(monkeypatch):
    """The runner submits the three classification-search jobs as ONE task (run_group: one
    worker, one after the other), every other job alone; the verdicts stay each claim's own."""
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from bnverify.claims import runner
    from bnverify.core.verdict import INCONCLUSIVE, Verdict
    ran, submitted = [], []
    monkeypatch.setattr(runner, "run_one", lambda c: ran.append((c.id, threading.get_ident())) or
                        Verdict(INCONCLUSIVE, c.property, {"reason": "test"}, subject=c.id))

    class Recording(ThreadPoolExecutor):
        def submit(self, fn, arg, *a, **kw):
            submitted.append((fn.__name__, [c.id for c in arg] if isinstance(arg, list) else [arg.id]))
            return super().submit(fn, arg, *a, **kw)

    claims = [c for c in spec.load_catalogue() if c.id in SHARED_SEARCH + ("norm-ratio", "attractor-leaky")]
    with Recording(2) as ex:
        results = runner.run(claims, executor=ex, progress=False)
    groups = [ids for fn, ids in submitted if fn == "run_group"]
    assert groups == [list(SHARED_SEARCH)] and len(submitted) == 3
    assert len({t for i, t in ran if i in SHARED_SEARCH}) == 1
    assert [r.claim.id for r in results] == [c.id for c in claims]
    assert all(r.verdict.subject == r.claim.id and r.verdict.status == INCONCLUSIVE for r in results)


def test_the_classification_search_is_kept_for_the_process(monkeypatch):
    """branches.classification_item searches once per n0 and hands out copies (a caller that
    modifies its item does not change the next caller's)."""
    from bnverify.claims.properties import branches
    calls = []
    monkeypatch.setattr(branches, "_SEARCHED", {})
    monkeypatch.setattr(branches.classify_alln, "classification_item",
                        lambda n0: calls.append(n0) or {"type": "classification-branch", "n_from": n0, "columns": [1]})
    a = branches.classification_item(7)
    a["columns"].append(2)
    b = branches.classification_item(7)
    branches.classification_item(8)
    assert calls == [7, 8] and b == {"type": "classification-branch", "n_from": 7, "columns": [1]}


def test_a_threshold_on_n_from_16_is_decided_as_a_threshold():
    """attractor-threshold with n >= 16 runs ONE job, attractor-stable on the same range; its
    verdict used to be taken as the claim's, so '--n 16..20 --value 17' (false: the attractor
    is stable at 16) came out proved, with an attractor-stable certificate.  The kernel must
    decide the threshold itself from the job's evidence."""
    from bnverify import trusted
    from bnverify.claims import runner

    def threshold(value):
        return spec.claim_from_dict(
            {"id": "threshold-%d" % value, "title": "t", "statement": "s", "property": "attractor-threshold",
             "expect": "refuted", "model": {"stages": "rc,relu"}, "domain": {"n": "16..20"},
             "params": {"value": value}}, "<test>")
    cache = {}
    false, true = (runner.run([threshold(v)], jobs=1, progress=False, cache=cache)[0].verdict for v in (17, 16))
    assert false.status == "refuted" and "n = 16 < 17" in false.evidence["reason"], false.evidence
    assert true.status == "proved", true.evidence
    for v, value in ((false, 17), (true, 16)):
        assert v.certificate["claim"]["property"] == "attractor-threshold"
        assert v.certificate["claim"]["params"] == {"value": value}
        assert trusted.check(v.certificate)[0]


def test_attractor_search_classifies_only_when_the_box_does_not_decide(monkeypatch):
    """At n = 9 the float candidate's Krawczyk box decides the attractor claim; at n = 5 no
    spread state exists, and the classification of the family is the evidence (refuted)."""
    from bnverify.claims.properties import road
    from bnverify.derive import states

    claim = spec.load_claim(PROOFS / "attractor.toml")
    real, calls = states.classify, []
    monkeypatch.setattr(states, "classify", lambda n, *a: calls.append(n) or real(n, *a))
    v = road.check(claim.with_n(9))
    assert v.status == "proved" and calls == [] and v.certificate["evidence"][0]["type"] == "symmetric-state"
    v = road.check(claim.with_n(5))
    assert v.status == "refuted" and calls == [5] and v.certificate["evidence"][0]["type"] == "classification"
