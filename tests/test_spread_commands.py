"""attractor and basins with a non-homogeneous phi: the kernel's verdicts that exist, the float
search's finding, inconclusive (exit 3); the search's radii against the kernel's enclosures."""
import json
import re
from fractions import Fraction as F
from pathlib import Path

import jsonschema
import pytest

from bnverify.commands import atlas, spread_search
from bnverify.core import activations
from bnverify.derive import spread

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"


@pytest.mark.slow
def test_search_radii_against_the_kernel():
    """tanh, sigma_w^2 = 2, n = 5: the float search's full-dimension radii at the simplex and
    two-point states inside the trusted kernel's ball enclosures (widened by 1e-6: float)."""
    act = activations.activation("tanh")
    got = {p["state"]: p for p in spread.search(act, 5, 2.0)["points"]}
    simplex = atlas.simplex_cells("tanh", None, 2, [5])[0]
    mid, rad = re.search(r"\[([-0-9.e]+) \+/- ([0-9.e-]+)\]", simplex["geometry"]["radius"]).groups()
    assert abs(got["simplex"]["full_radius"] - float(mid)) <= float(rad) + 1e-6
    two = atlas.two_point_cells("tanh", None, 2, [5])[0]["unstable"]["reason"]
    mid, rad = re.search(r"at n = 5: \[([-0-9.e]+) \+/- ([0-9.e-]+)\]", two).groups()
    assert abs(got["two-point"]["full_radius"] - float(mid)) <= float(rad) + 1e-6


def test_rows_match_the_schema(monkeypatch):
    """A row with points (tanh) against docs/schemas/attractor.json's search row."""
    monkeypatch.setattr(spread, "GRID", (13, 16))
    rows = spread_search.rows(activations.activation("tanh"), 2, [4], certified=False)
    schema = json.loads((SCHEMAS / "attractor.json").read_text())
    jsonschema.validate(rows[0], schema["properties"]["results"]["items"]["anyOf"][1])
    assert {p["state"] for p in rows[0]["search"]["points"]} == {"simplex", "two-point"}
    assert rows[0]["status"] == "inconclusive" and "not certified" in rows[0]["reason"]


def test_attractor_non_homogeneous_is_inconclusive(run_cli, monkeypatch):
    """Outside the lemmas and without covers (elu(1/2) at sigma_w^2 = 201/100; softplus has covers since issue 22's
    SiLU work, elu(1) since its own) the spread-cluster state is only
    searched (a coarse grid here); inside the lemma (sigma_w^2 = 1) the kernel refutes it at every n
    (tests/test_spread_kernel.py).  (A per-n spread-none cover's row: tanh at 2, n = 4 in
    tests/test_spread_point_odd.py, sigmoid at 32 below, slow.)"""
    monkeypatch.setattr(spread, "GRID", (13, 16))
    code, out, err = run_cli("attractor", "--stages", "rc,elu", "--alpha", "1/2", "--n", "4", "--weight-var", "201/100",
                             "--json")
    assert code == 3, err
    doc = json.loads(out)
    assert doc["smallest_n"] is None
    assert doc["smallest_n_note"] == "none found in 4..4 (float search; not proved)"
    assert doc["results"][0]["status"] == "inconclusive"
    code, out, err = run_cli("attractor", "--stages", "rc,sigmoid", "--n", "3", "--json")
    row = json.loads(out)["results"][0]
    assert code == 0 and row["status"] == "refuted" and row["checked"] and row["search"] is None


@pytest.mark.slow
def test_attractor_sigmoid_cover_row(run_cli):
    """sigmoid at sigma_w^2 = 32 > 16 is refuted per n by a spread-none cover (Mehler's series,
    tests/test_spread_odd_cover.py): 7 s of the kernel's integrals (tanh at 2, n = 4's row, the same tree scaled, in
    the default run: tests/test_spread_point_odd.py)."""
    code, out, err = run_cli("attractor", "--stages", "rc,sigmoid", "--n", "4", "--weight-var", "32", "--json")
    row = json.loads(out)["results"][0]
    assert code == 0 and row["status"] == "refuted" and row["checked"] and row["search"] is None


@pytest.mark.parametrize("argv, message", [
    (["attractor", "--stages", "rc,tanh", "--weight-var", "2", "--n", "3.."], "none holds for tanh at sigma_w^2 = 2"),
    (["attractor", "--stages", "rc,tanh", "--weight-var", "2", "--n", "3..65"], "per n, this command goes up to n = 64"),
    (["attractor", "--stages", "rc,erf", "--weight-var", "2", "--n", "3.."], "give e.g. 3..13"),
    (["simplex", "--stages", "rc,tanh", "--weight-var", "2", "--n", "3.."], "no bnverify check --n 3.. decides"),
    (["simplex", "--stages", "rc,tanh", "--weight-var", "2", "--n", "995..1005"], "up to n = 1000: give e.g. 990..1000"),
    (["attractor", "--stages", "tanh,rc", "--n", "3"], "RC then the activation"),
    (["attractor", "--stages", "rc,tanh", "--n", "7", "--fold", "6.1..6.2"], "--fold"),
    (["attractor", "--stages", "rc,relu", "--n", "7", "--weight-var", "2"], "only scales"),
    (["basins", "--stages", "rc,tanh", "--n", "7", "--plot", "x.png"], "two-dimensional"),
    (["basins", "--stages", "rc,relu", "--n", "7", "--weight-var", "2"], "only scales"),
    (["basins", "--stages", "rc,tanh", "--n", "7", "--weight-var", "0"], "weight-var"),
])
def test_bad_input_is_one_line(run_cli, argv, message):
    code, out, err = run_cli(*argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_atlas_smallest_n_column(cli_json, monkeypatch):
    """Where a collapse lemma decides (sigmoid at sigma_w^2 = 1, gelu at 2) the column is the kernel's, certified, with
    no float search; elsewhere (tanh at 2, a coarse grid here) the float search's, not certified."""
    monkeypatch.setattr(spread, "GRID", (13, 16))
    searched = []
    orig = spread.cell
    monkeypatch.setattr(spread, "cell", lambda *a: searched.append(a) or orig(*a))
    doc = cli_json("atlas", "--activations", "relu,sigmoid,gelu,tanh", "--n", "4", "--weight-var", "1,2", "--width",
                   "8", "--depth", "3", "--seeds", "2", "--starts", "1", "--jobs", "1", "--no-certified",
                   "--spread-n", "3..4")
    rows = {(r["activation"], r["weight_var"]): r for r in doc["rows"]}
    assert rows[("relu", None)]["spread_search"] is None          # the ReLU family's column is the kernel's
    for key in (("sigmoid", "1"), ("sigmoid", "2"), ("gelu", "1"), ("gelu", "2"), ("tanh", "1")):
        s = rows[key]["spread_search"]
        assert s["certified"] is True and s["note"].startswith("none in 3..4 (proved by the trusted kernel"), key
    s = rows[("tanh", "2")]["spread_search"]
    assert s["certified"] is False and "float search; not proved" in s["note"] and s["smallest_n_found"] == 3
    assert sorted((a[0], a[2]) for a in searched) == [("tanh", 2.0), ("tanh", 2.0)]


@pytest.mark.slow
def test_atlas_reports_a_found_spread_point(cli_json):
    doc = cli_json("atlas", "--activations", "gelu", "--n", "8", "--weight-var", "3", "--width", "8",
                   "--depth", "3", "--seeds", "2", "--starts", "1", "--jobs", "1", "--no-certified",
                   "--spread-n", "8")
    s = doc["rows"][0]["spread_search"]
    assert s["smallest_n_found"] == 8 and "not proved" in s["note"]


def test_a_lemma_range_is_at_most_a_thousand_rows(run_cli):
    """The red team's 3..1000000 (48 s, 600 MB of JSON: a reason per row): one row, the kernel's one verdict on the
    whole range (issue 22); at most 1000 n, a row per n."""
    code, out, err = run_cli("attractor", "--stages", "rc,gelu", "--weight-var", "2", "--n", "3..1000000", "--json")
    rows = json.loads(out)["results"]
    assert code == 0 and len(rows) == 1 and rows[0]["n"] == 3 and rows[0]["n_last"] == 1000000, err
    code, out, err = run_cli("attractor", "--stages", "rc,gelu", "--weight-var", "2", "--n", "3..1002", "--json")
    assert code == 0 and len(json.loads(out)["results"]) == 1000


@pytest.mark.parametrize("command, argv, reason", [
    ("simplex", ["--stages", "rc,gelu", "--weight-var", "2"], "tr T(S) <="),             # the trace lemma
    ("simplex", ["--stages", "rc,silu", "--weight-var", "3/2"], "tr T(S) <="),
    ("simplex", ["--stages", "rc,tanh", "--weight-var", "1"], "sigma_w^2 L^2 = 1"),      # the Lipschitz lemma
    ("attractor", ["--stages", "rc,gelu", "--weight-var", "2"], "tr T(S) <="),
    ("attractor", ["--stages", "rc,tanh"], "sigma_w^2 L^2 = 1"),
])
def test_an_open_range_where_a_lemma_decides_is_one_row(run_cli, monkeypatch, command, argv, reason):
    """Issue 22: bnverify simplex --stages rc,gelu --weight-var 2 --n 3.. was a usage error ('no upper end') though
    the kernel decides every n there.  One row for the whole range, the kernel's verdict on one claim (checked, the
    collapse reason), in text and JSON, exit 0; the claim run is the kernel's, never the command's word."""
    from bnverify.claims import properties

    seen = []
    real = properties.check
    monkeypatch.setattr(properties, "check", lambda claim, *a, **k: seen.append(str(claim.n)) or real(claim, *a, **k))
    code, out, err = run_cli(command, *argv, "--n", "3..", "--json")
    assert code == 0, err
    rows = json.loads(out)["results"]
    assert len(rows) == 1 and rows[0]["n"] == 3 and rows[0]["n_last"] is None and rows[0]["checked"] is True
    assert rows[0]["status"] == "refuted" and reason in rows[0]["reason"]
    assert seen and set(seen) == {"3.."}                # claims on the whole range only, decided by the kernel
    code, out, err = run_cli(command, *argv, "--n", "3..")
    assert code == 0, err
    assert "n = 3..: refuted" in out if command == "attractor" else "\n3..  " in out and "n=3..:" in out


def test_the_simplex_cert_of_a_whole_range_row(run_cli, tmp_path):
    """--cert with a non-homogeneous phi's simplex rows was silently ignored (no file, exit 0).  For the whole-range
    row it is the kernel's verdict's certificate (check-cert re-checks it); per n it is refused, naming the claim."""
    cert = tmp_path / "c.json"
    code, out, err = run_cli("simplex", "--stages", "rc,gelu", "--weight-var", "2", "--n", "3..", "--cert", cert)
    assert code == 0 and cert.exists(), err
    code, out, err = run_cli("check-cert", cert)
    assert code == 0 and "1 ok" in out and "refuted" in out, out + err
    code, out, err = run_cli("simplex", "--stages", "rc,sin", "--weight-var", "2", "--n", "3", "--cert", cert)
    assert code == 2 and "bnverify check --stages rc,sin --weight-var 2 --n 3 --property fixed-point" in err, err


def test_the_api_reads_a_whole_range_row():
    """bnv.simplex / bnv.attractor: the whole-range row says its range (n_range), and so does the result's repr."""
    from bnverify import api as bnv

    s = bnv.simplex(stages="rc,gelu", weight_var="2", n="3..")
    assert [(r.n, r.n_range, r.status) for r in s.rows] == [(3, "3..", "refuted")] and "n=3..:" in repr(s)
    a = bnv.attractor(stages="rc,gelu", weight_var="2", n="3..1000000")
    assert a.rows[0].n_range == "3..1000000" and "n=3..1000000" in repr(a)
    assert bnv.simplex(stages="rc,gelu", weight_var="2", n="3").rows[0].n_range is None


def test_no_lemma_no_range_claim(monkeypatch):
    """spread_verdicts.none_claim runs no claim where no lemma holds (the kernel proves the value none by a lemma only;
    the range's per-n jobs would float-search, and box, every n: silu at 201/100 on 3..65 took some 130 s before the
    attractor command's cap error); where a lemma holds it is the kernel's proved verdict."""
    from bnverify.claims import properties
    from bnverify.commands import spread_verdicts
    from bnverify.core.activations import activation
    real = properties.check
    monkeypatch.setattr(properties, "check", lambda c: pytest.fail("a claim ran: %s" % c.id))
    assert spread_verdicts.none_claim(activation("silu"), F(201, 100), "3..65") is None
    monkeypatch.setattr(properties, "check", real)
    assert spread_verdicts.none_claim(activation("silu"), F(2), "3..65").status == "proved"
