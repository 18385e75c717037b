"""Every command's --json document has one documented shape (docs/schemas/COMMAND.json, JSON
Schema 2020-12), checked here with jsonschema on small runs: the same keys whatever the range
(attractor and simplex, per n and for every n), no key made of formula text."""
import json
import re
from pathlib import Path

import jsonschema
import pytest

from bnverify import cli

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "schemas"
PROOFS = ROOT / "proofs"

RUNS = {
    "verify": [["--only", "stability-naive", "--jobs", "1", "--quiet"]],
    "check": [[PROOFS / "stability-naive.toml"],
              ["--stages", "rc,relu", "--n", "3", "--property", "spectral-radius", "--relation", "<", "--bound", "1"],
              # inconclusive (no search: a spread-box never proves '<'): its evidence has no checked (red team)
              ["--stages", "rc,gelu", "--weight-var", "5/2", "--n", "8", "--property", "attractor-stable"]],
    "check-cert": None,
    "report": None,
    "simulate": [["--n", "6", "--width", "16", "--depth", "10", "--seeds", "2"],
                 ["--n", "6", "--width", "16", "--depth", "10", "--seeds", "2", "--stages", "rc,tanh", "--weight-var", "2"],
                 ["--n", "6", "--width", "16", "--depth", "40", "--seeds", "2", "--activation", "x*erf(x)"]],
    "decompose": [["--n", "2", "--width", "2", "--depth", "1", "--seeds", "1", "--jobs", "1"],
                  ["--n", "3", "--width", "4", "--depth", "2", "--seeds", "1", "--jobs", "1", "--stages", "rc",
                   "--activation", "x*erf(x)", "--weight-var", "3"]],
    "lyapunov": [["--n", "6", "--width", "32", "--depth", "10", "--seeds", "2"],
                 ["--n", "6", "--width", "32", "--depth", "10", "--seeds", "2", "--stages", "rc,leaky_relu"],
                 ["--n", "6", "--width", "32", "--depth", "10", "--seeds", "2", "--stages", "rc,sin", "--weight-var", "2"]],
    "phase": [["--n", "4", "--width", "8", "--depth", "2", "--seeds", "1", "--jobs", "1"],
              ["--n", "4", "--width", "8", "--depth", "2", "--seeds", "1", "--jobs", "1", "--stages", "rc,elu",
               "--alpha", "1/2", "--weight-var", "1/2"]],
    "endstate": [["--n", "7", "--width", "8", "--depth", "4", "--seeds", "2"],
                 ["--n", "5", "--width", "8", "--depth", "4", "--seeds", "2"],
                 ["--n", "7", "--width", "8", "--depth", "4", "--seeds", "2", "--stages", "rc,gelu", "--weight-var", "2"]],
    "jacobian": [["--symbolic"], ["--n", "5"], ["--n", "5", "--stages", "rc,tanh", "--weight-var", "2"],
                 ["--n", "4", "--stages", "rc,sin", "--weight-var", "2", "--state", "simplex"]],
    "attractor": [["--n", "7", "--jobs", "1"], ["--n", "7.."], ["--stages", "relu,rc", "--n", "7", "--jobs", "1"],
                  ["--stages", "rc,sigmoid", "--n", "3"],           # the float search's rows (test_spread_commands)
                  ["--stages", "rc,gelu", "--weight-var", "2", "--n", "3.."]],      # one row for every n (a lemma)
    "simplex": [["--n", "3..4", "--jobs", "1"], ["--n", "3.."], ["--stages", "relu,rc", "--n", "3..", "--jobs", "1"],
                ["--stages", "rc,rs,relu", "--n", "3..5", "--check-to", "3", "--jobs", "1"],
                ["--stages", "rc,sin", "--weight-var", "4", "--n", "8"],
                ["--stages", "rc,gelu", "--weight-var", "2", "--n", "3.."]],
    "rank": [["--n", "4", "--width", "2", "--seeds", "2"]],
    "gram-starts": [["--n", "4", "--starts", "3"]],
    "basins": [["--n", "5"], ["--n", "100.."], ["--stages", "rc,sigmoid", "--n", "3"]],
    "kernel": [["--activation", "relu", "--q1", "1", "--q2", "1", "--c", "1/2"]],
    "bsb1": [["--stages", "rc,rs,relu", "--n", "3..4", "--check-to", "3"]],
    "gradients": [["--stages", "rc,rs,relu", "--n", "3..5"], ["--stages", "rc,leaky_relu", "--alpha", "1/10", "--n", "3..4"]],
    "atlas": [["--activations", "relu,sigmoid", "--n", "4", "--weight-var", "2", "--width", "8", "--depth", "3",
               "--spread-n", "3", "--seeds", "2", "--starts", "1", "--jobs", "1", "--no-certified"]],       # certified: test_atlas
}


def schema(name):
    return json.loads((SCHEMAS / ("%s.json" % name)).read_text(encoding="utf-8"))


def test_every_command_has_a_schema():
    assert {p.stem for p in SCHEMAS.glob("*.json")} == {m.NAME for m in cli.COMMANDS} == set(RUNS)
    for p in SCHEMAS.glob("*.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads(p.read_text(encoding="utf-8")))


def _keys(s):
    for k, v in (s.get("properties") or {}).items():
        yield k
        yield from _keys(v)
    if isinstance(s.get("items"), dict):
        yield from _keys(s["items"])


@pytest.mark.parametrize("name", sorted(RUNS))
def test_no_key_is_formula_text(name):
    bad = [k for k in _keys(schema(name)) if re.search(r"[()/*+^= ]", k)]
    assert not bad, bad


@pytest.mark.parametrize("name", sorted(RUNS))
def test_json_matches_its_schema(name, cli_json, run_cli, tmp_path):
    runs = RUNS[name]
    if name == "check-cert":
        cert = tmp_path / "c.json"
        run_cli("check", PROOFS / "stability-naive.toml", "--cert", cert)
        runs = [[cert]]
    if name == "report":
        results = tmp_path / "results.json"
        results.write_text('{"claims": [{"id": "stability-naive", "verdict": "inconclusive"}]}')
        runs = [[tmp_path / "r", "--from", results]]
    keys = []
    for argv in runs:
        if name == "report":
            from bnverify.report import figures

            real = figures.all_figures
            figures.all_figures = lambda rows, skip=(), progress=None: []      # seconds each; not the shape
            try:
                doc = cli_json(name, *argv)
            finally:
                figures.all_figures = real
        elif name in ("check", "check-cert") or "rc,sigmoid" in argv:   # refuted: exit 1, inconclusive: 3
            code, out, err = run_cli(name, *argv, "--json")
            assert code in (0, 1, 3), err
            doc = json.loads(out)
        else:
            doc = cli_json(name, *argv)
        jsonschema.validate(doc, schema(name))
        keys.append(set(doc))
    if name in ("attractor", "simplex"):        # per n and for every n (and with rs): one shape (issue 25)
        assert all(k == keys[0] for k in keys), keys


def test_check_cert_gives_a_verdict_per_certificate(run_cli, tmp_path):
    cert = tmp_path / "c.json"
    run_cli("check", PROOFS / "stability-naive.toml", "--cert", cert)
    code, out, _ = run_cli("check-cert", cert, "--json")
    row = json.loads(out)["certificates"][0]
    assert code == 0 and row["ok"] and row["verdict"] == "refuted"
    code, out, _ = run_cli("check", PROOFS / "stability-naive.toml", "--json")
    doc = json.loads(out)
    assert doc["checked"] is True and doc["verdict"] == "refuted"
