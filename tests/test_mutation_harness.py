"""The mutation harness (tests/mutation/run.py) and its mutants (tests/mutation/mutants.toml):
well formed, every old text occurs exactly once in the current source and its mutant still
compiles (fast); under ``-m slow``, two mutants go through the harness and are killed."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
spec = importlib.util.spec_from_file_location("mutation_run", HERE / "mutation" / "run.py")
run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run)

MUTANTS = run.load_mutants()


def test_mutants_are_well_formed():
    assert len(MUTANTS) >= 25
    ids = [m["id"] for m in MUTANTS]
    assert len(ids) == len(set(ids))
    for m in MUTANTS:
        assert set(m) <= run.KEYS and {"id", "file", "old", "new", "why"} <= set(m), m["id"]
        assert m["old"] != m["new"] and m["why"].strip(), m["id"]
        assert (ROOT / m["file"]).parent == ROOT / "bnverify" / "trusted", m["id"]
        assert "equivalent" not in m or m["equivalent"].strip(), m["id"]
    files = {m["file"] for m in MUTANTS}
    assert {"bnverify/trusted/%s.py" % f for f in ("kernel", "base", "items", "model", "smt")} <= files
    equivalent = [m for m in MUTANTS if m.get("equivalent")]
    assert len(equivalent) <= len(MUTANTS) // 5, "mostly equivalent mutants test nothing"


@pytest.mark.parametrize("m", MUTANTS, ids=[m["id"] for m in MUTANTS])
def test_old_text_occurs_exactly_once_and_the_mutant_compiles(m):
    text = (ROOT / m["file"]).read_text(encoding="utf-8")
    assert text.count(m["old"]) == 1, "%s: the source changed; update mutants.toml" % m["id"]
    compile(text.replace(m["old"], m["new"]), m["file"], "exec")


def test_a_bad_mutant_is_a_harness_error_not_a_survivor(tmp_path):
    bad = {"id": "x", "file": "bnverify/trusted/kernel.py", "old": "no such text", "new": "", "why": "."}
    (tmp_path / "bnverify" / "trusted").mkdir(parents=True)
    (tmp_path / "bnverify" / "trusted" / "kernel.py").write_text("a = 1\n")
    with pytest.raises(run.HarnessError, match="exactly once"):
        run.mutate(bad, tmp_path)
    r = run.run_one(bad, ROOT, ["tests/test_forgery.py"], timeout=60)
    assert r["status"] == "harness-error" and "exactly once" in r["error"]


@pytest.mark.slow
def test_two_mutants_are_killed_through_the_harness():
    out = subprocess.run([sys.executable, str(HERE / "mutation" / "run.py"), "--json", "--jobs", "2",
                          "--no-baseline", "--only", "unknown-spectrum-state", "method-unchecked",
                          "--tests", "tests/test_forgery.py"], capture_output=True, text=True, timeout=900)
    doc = json.loads(out.stdout)
    assert out.returncode == 0, out.stderr
    assert {r["id"]: r["status"] for r in doc["results"]} == {"unknown-spectrum-state": "killed",
                                                               "method-unchecked": "killed"}
    assert doc["summary"]["kill_rate"] == 1
    for r in doc["results"]:                 # the copy's bnverify ran, not this checkout's
        assert not Path(r["imported"]).is_relative_to(ROOT), r["imported"]
        assert r["killed_by"].startswith("tests/test_forgery.py::")
