"""bnverify verify / check / check-cert: exit codes, JSON, reports, executors."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bnverify.claims import properties, runner, spec

PROOFS = Path(__file__).resolve().parents[1] / "proofs"
FAST = ["centering-rank-one", "invariance-relu", "stability-naive"]


def test_verify_only_json(run_cli):
    code, out, err = run_cli("verify", "--only", *FAST, "--json", "--jobs", "1")
    assert code == 0
    rows = json.loads(out)["claims"]
    assert [r["id"] for r in rows] == FAST
    assert {"id", "verdict", "expect", "method", "seconds"} <= set(rows[0])
    assert rows[2]["verdict"] == "refuted" == rows[2]["expect"]
    assert "stability-naive" in err                           # progress on stderr


def test_verify_table(run_cli):
    code, out, _ = run_cli("verify", "--only", "centering-rank-one", "--jobs", "1", "--quiet")
    assert code == 0 and out.splitlines()[0].split() == ["id", "verdict", "expect", "method", "seconds"]


@pytest.mark.parametrize("argv", [["--only", "no-such-claim"], ["--jobs", "0"], ["--jobs", "x"],
                                  ["--catalogue", "/nonexistent"]])
def test_verify_usage_errors(run_cli, argv):
    code, _, err = run_cli("verify", *argv)
    assert code == 2 and err.count("\n") == 1


def test_verify_exit_1_when_a_verdict_differs(tmp_path, run_cli):
    for name in ("centering-rank-one", "stability-naive", "invariance-relu", "gram-fixed-point",
                 "jacobian-spectrum"):
        shutil.copy(PROOFS / ("%s.toml" % name), tmp_path)
    text = (tmp_path / "stability-naive.toml").read_text()
    (tmp_path / "stability-naive.toml").write_text(text.replace('expect = "refuted"', 'expect = "proved"'))
    code, out, _ = run_cli("verify", "--catalogue", str(tmp_path), "--only", "stability-naive",
                           "centering-rank-one", "--jobs", "1", "--quiet")
    assert code == 1 and "differs" in out


def test_report_and_check_cert(tmp_path, run_cli, monkeypatch):
    from bnverify import report

    calls = []
    monkeypatch.setattr(report, "write", lambda d, rows, **kw: calls.append((d, rows)))   # figures are slow
    rep = tmp_path / "rep"
    code, _, _ = run_cli("verify", "--only", *FAST, "--jobs", "2", "--quiet", "--report", str(rep))
    assert code == 0
    assert len(calls) == 1 and [r["id"] for r in calls[0][1]] == FAST
    doc = json.loads((rep / "results.json").read_text())
    assert [r["id"] for r in doc["claims"]] == FAST
    certs = sorted((rep / "certificates").glob("*.json"))
    assert [p.stem for p in certs] == sorted(FAST)
    code, out, _ = run_cli("check-cert", str(rep / "certificates"))
    heads = [line[:4] for line in out.splitlines() if not line.startswith(" ")]      # a long one wraps, indented
    assert code == 0 and heads == ["ok  "] * 3 + ["3 ce"]
    cert = json.loads(certs[0].read_text())
    cert["verdict"] = "refuted" if cert["verdict"] == "proved" else "proved"
    certs[0].write_text(json.dumps(cert))
    code, out, _ = run_cli("check-cert", str(rep / "certificates"))
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert code == 1 and out.count("FAIL") == 1 and len(heads) == 4       # 3 certificates, a summary
    assert out.splitlines()[-1] == "3 certificates: 2 ok, 1 rejected"


def test_check_cert_usage(tmp_path, run_cli):
    assert run_cli("check-cert", str(tmp_path / "missing"))[0] == 2
    assert run_cli("check-cert", str(tmp_path))[0] == 2                 # no certificates
    (tmp_path / "junk.json").write_text("{not json")           # not JSON: a usage error
    assert run_cli("check-cert", str(tmp_path))[0] == 2
    (tmp_path / "junk.json").write_text("{}")                  # JSON, not a certificate: rejected
    assert run_cli("check-cert", str(tmp_path))[0] == 1


FLAGS = ["check", "--stages", "rc,relu", "--property", "spectral-radius", "--bound", "1"]


def test_check_exit_codes(run_cli, tmp_path):
    code, out, _ = run_cli(*FLAGS, "--n", "3..", "--relation", ">", "--json")
    assert code == 0 and json.loads(out)["verdict"] == "proved"
    assert {"verdict", "method", "evidence"} <= set(json.loads(out))
    cert = tmp_path / "c.json"
    code, out, _ = run_cli(*FLAGS, "--n", "3..20", "--relation", "<", "--cert", str(cert))
    assert code == 1 and "refuted" in out and "9/5" in out
    assert run_cli("check-cert", str(cert))[0] == 0
    code, out, _ = run_cli("check", "--stages", "rc,tanh", "--property", "spectral-radius",
                           "--n", "3..5", "--relation", "<", "--bound", "1", "--json")
    assert code == 3 and "closed forms are ReLU" in json.loads(out)["evidence"]["reason"]


@pytest.mark.parametrize("n", ["", "5..3", "2..5", "3..x", "1/2", "3.5", "-4"])
def test_check_bad_ranges(run_cli, n):
    code, out, err = run_cli(*FLAGS, "--n", n, "--relation", "<")
    assert code == 2 and out == "" and err.count("\n") == 1


@pytest.mark.parametrize("extra", [["--relation", "=<"], ["--relation", "<", "--alpha", "1/2"],
                                   ["--relation", "<", "--state", "somewhere"], []])
def test_check_bad_flags(run_cli, extra):
    code, _, err = run_cli(*FLAGS, "--n", "3..5", *extra)
    assert code == 2 and err.count("\n") == 1


def test_check_file(run_cli):
    code, out, _ = run_cli("check", str(PROOFS / "centering-rank-one.toml"))
    assert code == 0 and out.startswith("centering-rank-one: proved")
    assert run_cli("check", str(PROOFS / "centering-rank-one.toml"), "--n", "3")[0] == 2


def test_injected_executor():
    chosen = [c for c in spec.load_catalogue() if c.id in FAST]
    with ThreadPoolExecutor(2) as ex:
        results = runner.run(chosen, executor=ex, progress=False)
    assert [r.claim.id for r in results] == [c.id for c in chosen] and all(r.ok for r in results)


def test_per_n_claims_are_split_and_combined():
    c = spec.load_claim(PROOFS / "simplex-state.toml")
    c = c.__class__(**{**c.__dict__, "n": spec.IntRange(3, 5)})
    assert len(properties.units(c)) == 3
    (r,) = runner.run([c], jobs=1, progress=False)
    assert r.verdict.status == "proved" and r.verdict.evidence["checked"] is True
    assert sorted(i["n"] for i in r.verdict.certificate["evidence"]) == [3, 4, 5]
    assert r.verdict.evidence["per_n"] == {"3": "proved", "4": "proved", "5": "proved"}


def test_identical_jobs_run_once():
    import dataclasses
    import io

    att = dataclasses.replace(spec.load_claim(PROOFS / "attractor.toml"), n=spec.IntRange(7, 8))
    thr = dataclasses.replace(spec.load_claim(PROOFS / "attractor-threshold.toml"), n=spec.IntRange(5, 8))
    log = io.StringIO()
    a, t = runner.run([att, thr], jobs=1, stream=log)
    assert len(log.getvalue().splitlines()) == 4                 # n = 5..8, not 6 jobs
    assert a.ok and t.ok and t.verdict.evidence["per_n"]["6"] == "refuted"
    for r in (a, t):
        assert r.verdict.certificate["claim"]["id"] == r.claim.id


def test_console_script():
    out = subprocess.run([sys.executable, "-m", "bnverify", "check", "--stages", "rc,relu", "--n", "9..3",
                          "--property", "spectral-radius"], capture_output=True, text=True)
    assert out.returncode == 2 and "reversed" in out.stderr and "Traceback" not in out.stderr


def test_unsplit_jobs_go_first_and_results_match_one_process():
    """The pool gets the jobs of claims that are not split first (the split claims' many short
    per-n jobs fill the end), and each claim is combined when its last job is in: the results
    are those of a run in this process, in the order of the claims."""
    import dataclasses

    split = dataclasses.replace(spec.load_claim(PROOFS / "simplex-state.toml"), n=spec.IntRange(3, 4))
    whole = spec.load_claim(PROOFS / "stability-naive.toml")
    submitted = []

    class Recording(ThreadPoolExecutor):
        def submit(self, fn, job, *a, **kw):
            submitted.append((job.id, str(job.n)))
            return super().submit(fn, job, *a, **kw)

    with Recording(2) as ex:
        pooled = runner.run([split, whole], executor=ex, progress=False)
    alone = runner.run([split, whole], jobs=1, progress=False)
    assert submitted[0] == (whole.id, str(whole.n)) and len(submitted) == 3
    assert [r.claim.id for r in pooled] == [split.id, whole.id]
    for p, a in zip(pooled, alone):
        assert p.ok and (p.verdict.status, p.verdict.evidence.get("per_n")) == (a.verdict.status,
                                                                            a.verdict.evidence.get("per_n"))
        assert p.verdict.certificate["evidence"] == a.verdict.certificate["evidence"]


def test_check_reports_each_n_on_stderr_and_keeps_stdout_for_the_verdict(run_cli):
    """A claim checked one n at a time says each n as it is decided, on stderr only (--json's stdout parses);
    a claim of one job says nothing there."""
    argv = ("check", "--stages", "rc,relu", "--property", "attractor-stable", "--relation", "<", "--bound", "1")
    code, out, err = run_cli(*argv, "--n", "7..9", "--json")
    assert code == 0 and json.loads(out)["verdict"] == "proved"
    lines = err.splitlines()
    assert [line.split()[:3] for line in lines] == [["[%d/3]" % k, "command-line:", "n=%d" % (6 + k)]
                                                    for k in (1, 2, 3)], err
    assert all(line.split()[3] == "proved" for line in lines)
    code, out, err = run_cli(*argv, "--n", "7")
    assert code == 0 and err == ""
