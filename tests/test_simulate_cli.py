"""``bnverify simulate``: bad input gives one line and exit 2; --json and --plot work."""
import json
import subprocess
import sys

import pytest


SMALL = ["simulate", "--n", "5", "--width", "16", "--depth", "6", "--seeds", "3"]

BAD = [
    (["--n", "1"], "--n 1"),
    (["--width", "0"], "--width 0"),
    (["--depth", "-1"], "--depth -1"),
    (["--seeds", "0"], "--seeds 0"),
    (["--every", "0"], "--every 0"),
    (["--stages", "rc,swish"], "swish"),
    (["--stages", "rc,leaky_relu", "--alpha", "1.5"], "1.5"),
    (["--stages", "rc,leaky_relu", "--alpha", "-0.1"], "-0.1"),
    (["--stages", "rc,relu", "--alpha", "0.2"], "0.2"),
    (["--sampler", "exact"], "exact"),
    (["--seed", "-4"], "-4"),
    (["--n", "x"], "'x'"),
    (["--seeds", "100", "--width", "100000", "--n", "1000"], "width 100000"),
    (["--plot", "/nonexistent-dir/p.png"], "/nonexistent-dir/p.png"),
    (["--plot", "p.xyz"], "p.xyz"),
]


@pytest.mark.parametrize("extra,named", BAD, ids=[b[1] for b in BAD])
def test_bad_input_one_line_exit_2(extra, named, run_cli):
    code, out, err = run_cli(*SMALL, *extra)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert named in err and "Traceback" not in err


def test_bad_input_in_a_subprocess():
    p = subprocess.run([sys.executable, "-m", "bnverify", "simulate", "--n", "1"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1 and "--n 1" in p.stderr
    assert "Traceback" not in p.stderr


def test_json_document(run_cli):
    code, out, err = run_cli(*SMALL, "--every", "2", "--json", "--stages", "rc,leaky_relu", "--alpha", "1/4")
    assert code == 0
    doc = json.loads(out)
    assert doc["params"]["n"] == 5 and doc["params"]["alpha"] == "1/4"
    assert [r["seed"] for r in doc["seeds"]] == [0, 1, 2]
    for r in doc["seeds"]:
        assert isinstance(r["odd_index"], int) and 0 <= r["odd_index"] < 5
        assert r["norm_ratio"] >= 1 and 0 <= r["max_abs_cos_odd"] <= 1
        assert -1 <= r["min_cos_others"] <= 1
    assert [t["depth"] for t in doc["trajectory"]] == [0, 2, 4, 6]
    assert doc["trajectory"][-1]["seeds"] == doc["seeds"]
    assert err == ""


def test_json_without_every_has_no_trajectory(cli_json):
    doc = cli_json(*SMALL, "--sampler", "weights")
    assert "trajectory" not in doc and len(doc["seeds"]) == 3


def test_seed_is_reproducible_across_stack_sizes(cli_json):
    three = cli_json(*SMALL, "--seed", "3")["seeds"]
    five = cli_json(*SMALL[:-1], "5", "--seed", "3")["seeds"]
    assert five[:3] == three


def test_table_and_plot(tmp_path, run_cli):
    png = tmp_path / "run.png"
    code, out, _ = run_cli(*SMALL, "--depth", "40", "--plot", png)
    assert code == 0
    assert "norm ratio" in out and "of 3 seeds" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_line_only_on_a_terminal(capsys, monkeypatch):
    from bnverify.commands.output import Progress

    monkeypatch.setattr(Progress, "AFTER", 0.0)
    p = Progress("simulate: layer")
    assert not p.on                                    # pytest's stderr is no terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    p = Progress("simulate: layer")
    p(4, 10)
    p.done()
    err = capsys.readouterr().err
    assert err.startswith("\rsimulate: layer 4/10") and err.endswith("\n")


def test_depth_zero(cli_json):
    assert len(cli_json(*SMALL[:6], "0", "--seeds", "3")["seeds"]) == 3
