"""A broad red team of the CLI and the checker (issues 21/22, helper rtall): hangs in check-cert, relabelled
certificates, output paths, bad input, false verdicts at the lemmas' edges.  The defects it found, each kept
here: stdout redirected into a full device (`bnverify check ... --json > /dev/full`) was an internal error
(exit 4) instead of a usage error; a non-UTF-8 --activation (a lone surrogate from argv) crashed the formula
reader; `report DIR --from BAD` left an empty DIR behind."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_outputs import run       # noqa: E402 - pytest puts tests/ on sys.path: (exit code, captured) of cli.main

ROOT = Path(__file__).resolve().parents[1]
PROOFS = ROOT / "proofs"


# ---------------------------------------------------------------- stdout that cannot be written
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_stdout_into_a_full_device_is_a_usage_error():
    """`> /dev/full`: one line naming the reason, exit 2, no 'internal error', no 'Exception ignored'."""
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "bnverify", "check", str(PROOFS / "centering-rank-one.toml"), "--json"], stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=120)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2, r.stderr
    assert lines == ["bnverify check: error: cannot write the output: No space left on device"], r.stderr


def test_an_oserror_that_is_not_about_output_is_still_a_bug(monkeypatch, capsys):
    """Only a full disk, a quota, a size limit or an I/O error are the user's place; the rest stays exit 4."""
    from bnverify.commands import check

    def boom(args):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(check, "run", boom)
    parser_code, (out, err) = run(["check", PROOFS / "centering-rank-one.toml"], capsys)
    assert parser_code == 4 and "internal error" in err, err


# ---------------------------------------------------------------- a formula that is not text
@pytest.mark.parametrize("text", ["x\udcff", "x\0"])
def test_a_formula_with_bytes_that_are_not_text(text, capsys):
    code, (out, err) = run(["check", "--stages", "rc", "--activation", text, "--n", "3", "--property",
                            "fixed-point", "--state", "two-point"], capsys)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "internal error" not in err, err


def test_a_formula_from_a_non_utf8_argv():
    """The real thing: bytes 0xff on the command line (Python gives a lone surrogate)."""
    r = subprocess.run([sys.executable.encode(), b"-m", b"bnverify", b"check", b"--stages", b"rc", b"--activation",
                        b"x\xff", b"--n", b"3", b"--property", b"fixed-point", b"--state", b"two-point"],
                       capture_output=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [b"bnverify check: error: --activation: formula: not UTF-8 text"]


# ---------------------------------------------------------------- report --from a bad file
def test_report_from_a_bad_file_leaves_no_folder(tmp_path, capsys):
    bad = tmp_path / "results.json"
    bad.write_bytes(b"\xff\xfe not json")
    out = tmp_path / "new" / "deeper"
    code, (_, err) = run(["report", out, "--from", bad], capsys)
    assert code == 2 and "not UTF-8" in err, err
    assert not (tmp_path / "new").exists()


def test_report_from_a_bad_file_keeps_an_existing_folder(tmp_path, capsys):
    bad = tmp_path / "results.json"
    bad.write_text("{}")
    (tmp_path / "mine").mkdir()
    code, (_, err) = run(["report", tmp_path / "mine" / "sub", "--from", bad], capsys)
    assert code == 2, err
    assert (tmp_path / "mine").is_dir() and not (tmp_path / "mine" / "sub").exists()


# ---------------------------------------------------------------- check-cert: kernel-null's exact algebra
def _null(points, null):
    return {"type": "kernel-null", "alpha": "0", "points": [[str(v) for v in p] for p in points],
            "null": [str(v) for v in null]}


def test_kernel_null_coordinates_are_small_integers():
    """16 points of 1000-bit integers (or of 20-digit p/q) in R^16: sympy factored the products S_jj S_kk under
    K(Sigma)'s square roots for many minutes, at a price of 4,096 of the 32,000,000 budget.  Refused at once now;
    a genuine x, 2x pair with 63-bit coordinates still proves the fact."""
    import time

    from bnverify.trusted import Rejected
    from bnverify.trusted.items import check_item
    big = 2 ** 64
    for points, null in [([[big, 0], [2 * big, 0]], [2, -1]), ([["1/2", 0], [1, 0]], [2, -1]),
                         ([[3 ** 631 + k * j for k in range(16)] for j in range(16)], [1] + [0] * 15)]:
        t = time.process_time()
        with pytest.raises(Rejected, match="integers below 2"):
            check_item(_null(points, null))
        assert time.process_time() - t < 1
    fact = check_item(_null([[2 ** 62, 1], [2 ** 63, 2]], [2, -1]))
    assert fact["fact"] == "kernel-singular" and fact["level"] == 0


# ---------------------------------------------------------------- report --from: one row per claim
def test_report_from_refuses_a_claim_twice(tmp_path, capsys):
    """Certificates are looked up by claim id: with two rows of one id, each was shown with the last row's
    certificate (a row whose own certificate was bogus could read 're-checked' beside a genuine one)."""
    import json
    (tmp_path / "certificates").mkdir()
    cert = tmp_path / "certificates" / "c.json"
    code, _ = run(["check", PROOFS / "centering-rank-one.toml", "--cert", cert], capsys)
    assert code == 0
    (tmp_path / "certificates" / "bogus.json").write_text("{}")
    rows = [{"id": "centering-rank-one", "verdict": "proved", "certificate": "certificates/bogus.json"},
            {"id": "centering-rank-one", "verdict": "proved", "certificate": "certificates/c.json"}]
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"claims": rows}))
    code, (_, err) = run(["report", tmp_path / "out", "--from", results], capsys)
    assert code == 2 and "appears twice" in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_report_from_one_row_with_its_certificate(tmp_path, capsys):
    """The genuine row alone is re-checked (a report's figures: some 20 s)."""
    import json
    (tmp_path / "certificates").mkdir()
    code, _ = run(["check", PROOFS / "centering-rank-one.toml", "--cert", tmp_path / "certificates" / "c.json"],
                  capsys)
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"claims": [{"id": "centering-rank-one", "verdict": "proved",
                                               "certificate": "certificates/c.json"}]}))
    code, (_, err) = run(["report", tmp_path / "out", "--from", results], capsys)
    assert code == 0, err
    shown = json.loads((tmp_path / "out" / "report.json").read_text())["claims"]
    assert [r.get("rechecked") for r in shown] == [True]


@pytest.mark.slow
def test_report_from_shows_a_relabelled_certificate_unchecked(tmp_path, capsys):
    """The certificate of centering-rank-one relabelled onto n = 3.. with its hash recomputed re-checks (the
    kernel proves that claim too) but is about another claim than the catalogue's: 'unchecked', never proved."""
    import json

    from bnverify.trusted import content_hash
    (tmp_path / "certificates").mkdir()
    cert = tmp_path / "certificates" / "c.json"
    code, _ = run(["check", PROOFS / "centering-rank-one.toml", "--cert", cert], capsys)
    doc = json.loads(cert.read_text())
    doc["claim"]["domain"]["n"] = "3.."
    doc["hash"] = content_hash(doc)
    cert.write_text(json.dumps(doc))
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"claims": [{"id": "centering-rank-one", "verdict": "proved",
                                               "certificate": "certificates/c.json"}]}))
    code, (_, err) = run(["report", tmp_path / "out", "--from", results], capsys)
    shown = json.loads((tmp_path / "out" / "report.json").read_text())["claims"]
    assert code == 0 and shown[0]["verdict"] == "unchecked", shown
    assert "about another claim" in shown[0]["unchecked"] or "does not re-check" in shown[0]["unchecked"]


# ---------------------------------------------------------------- an output path through a loop of symlinks
def test_an_output_path_through_a_symlink_loop(tmp_path, capsys):
    """Path.resolve raises RuntimeError on a loop of links: it was an internal error (exit 4)."""
    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    code, (_, err) = run(["check", PROOFS / "centering-rank-one.toml", "--cert", tmp_path / "a.json"], capsys)
    assert code == 2 and "loop of symlinks" in err and "internal error" not in err, err
    from bnverify import files
    from bnverify.errors import BadInput
    with pytest.raises(BadInput, match="loop of symlinks"):
        files.write_text(tmp_path / "a.json", "x", flag="--cert")
