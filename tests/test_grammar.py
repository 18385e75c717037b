"""One grammar across the commands (issue 25): the model is --stages everywhere (older spellings
still accepted), depth is --depth, --n A..B is every integer, an unknown option is reported by
its command with the nearest option, and a claim given by flags is corrected in flags, not in
the claim file's fields."""
import re

import pytest

from bnverify import cli

MODEL_COMMANDS = ["check", "simulate", "decompose", "lyapunov", "phase", "endstate", "jacobian", "attractor",
                  "simplex", "rank", "gram-starts", "basins"]


def _help(run_cli, name):
    code, out, _ = run_cli(name, "--help")
    assert code == 0
    return out


@pytest.mark.parametrize("name", MODEL_COMMANDS)
def test_every_model_command_takes_stages(name, run_cli):
    assert re.search(r"^\s+--stages\b", _help(run_cli, name), re.M)


@pytest.mark.parametrize("mod", cli.COMMANDS, ids=lambda m: m.NAME)
def test_depth_is_depth_everywhere(mod, run_cli):
    """A command that counts layers calls the count --depth (--layers only as the older spelling)."""
    out = _help(run_cli, mod.NAME)
    if "--layers" in out:
        assert re.search(r"--depth L, --layers L", out), out


def test_older_spellings_are_the_same_run(cli_json):
    small = ("--n", "6", "--width", "32", "--seeds", "2")
    assert cli_json("lyapunov", *small, "--layers", "10") == cli_json("lyapunov", *small, "--depth", "10")
    assert cli_json("basins", "--n", "5", "--activation", "leaky_relu", "--alpha", "1/10")["fixed_points"] == \
        cli_json("basins", "--n", "5", "--stages", "rc,leaky_relu", "--alpha", "1/10")["fixed_points"]
    a = cli_json("gram-starts", "--n", "4", "--starts", "3", "--layers", "50")
    assert a == cli_json("gram-starts", "--n", "4", "--starts", "3", "--depth", "50")


def test_stages_in_rank_basins_decompose_endstate(cli_json, run_cli):
    assert cli_json("rank", "--n", "4", "--width", "2", "--seeds", "2", "--stages", "relu")["activation"] == "relu"
    code, _, err = run_cli("rank", "--stages", "rc,relu")          # rc has no meaning for the lemma
    assert code == 2 and "give --stages relu" in err and err.startswith("bnverify rank: error: ")
    code, _, err = run_cli("basins", "--n", "5", "--stages", "relu")
    assert code == 2 and "give --stages rc,relu" in err
    code, _, err = run_cli("basins", "--n", "5", "--stages", "rc,relu", "--activation", "relu")
    assert code == 2 and "not both" in err
    small = ("--n", "2", "--width", "2", "--depth", "1", "--seeds", "1", "--jobs", "1")
    doc = cli_json("decompose", *small, "--stages", "rc,relu")
    assert [r["stages"] for r in doc["rows"]] == [[], ["rc"], ["relu"], ["rc", "relu"]] and doc["stages"] == ["rc", "relu"]
    assert len(cli_json("decompose", *small)["rows"]) == 8
    doc = cli_json("endstate", "--n", "7", "--width", "8", "--depth", "4", "--seeds", "2", "--stages", "rc,leaky_relu",
                   "--alpha", "1/10")
    assert doc["stages"] == ["rc", "leaky_relu"] and doc["alpha"] == "1/10"


def test_an_unknown_option_names_its_command_and_the_nearest_option(run_cli):
    code, _, err = run_cli("simulate", "--stagez", "rc,relu")
    assert code == 2 and err.startswith("bnverify simulate: error: unrecognized arguments: --stagez rc,relu")
    assert "did you mean --stages?" in err
    code, _, err = run_cli("simulate", "--sed", "3")
    assert code == 2 and "did you mean --seed?" in err
    code, _, err = run_cli("verify", "stray")
    assert code == 2 and err.startswith("bnverify verify: error: ") and "bnverify verify --help" in err


@pytest.mark.parametrize("flags,says", [
    (["--stages", "rc,leaky_relu"], "--alpha"),
    (["--stages", "rc,relu", "--relation", "<", "--bound", "x"], "--bound"),
    (["--stages", "rc,relu", "--relation", "<", "--bound", "1", "--state", "foo"], "--state"),
    (["--stages", "rc,relu"], "--relation"),
])
def test_flag_errors_name_flags_not_claim_fields(flags, says, run_cli):
    code, _, err = run_cli("check", "--n", "3..", "--property", "spectral-radius", *flags)
    assert code == 2 and says in err and not re.search(r"\b(model|domain|params)\.", err) and "field" not in err, err


# ---------------------------------------------------------------- progress: stderr only, never in --json's stdout
@pytest.mark.parametrize("argv", [
    ["endstate", "--n", "7", "--width", "8..16", "--depth", "4", "--seeds", "2"],
    ["phase", "--n", "4..5", "--width", "8", "--depth", "2", "--seeds", "1", "--jobs", "1"],
    ["decompose", "--n", "2", "--width", "2", "--depth", "1", "--seeds", "1", "--jobs", "1"],
    ["simulate", "--n", "4", "--width", "8", "--depth", "20", "--seeds", "2"],
])
def test_progress_goes_to_stderr_when_asked_and_never_into_json(argv, run_cli, monkeypatch):
    import json

    from bnverify.commands import output

    monkeypatch.setattr(output.Progress, "AFTER", 0.0)
    monkeypatch.setattr(output.Progress, "EVERY", 0.0)
    code, out, err = run_cli(*argv, "--json", "--progress")
    assert code == 0 and json.loads(out) and argv[0] + ":" in err and "/" in err, err
    code, out, err = run_cli(*argv, "--json")          # stderr is not a terminal here: nothing
    assert code == 0 and json.loads(out) and err == "", err


def test_report_from_a_file_tells_its_progress(run_cli, tmp_path, monkeypatch):
    from bnverify.commands import output
    from bnverify.report import figures

    monkeypatch.setattr(output.Progress, "AFTER", 0.0)
    monkeypatch.setattr(figures, "all_figures", lambda rows, skip=(), progress=None: [])     # seconds each
    results = tmp_path / "results.json"
    results.write_text('{"claims": [{"id": "stability-naive", "verdict": "inconclusive"}]}')
    code, out, err = run_cli("report", tmp_path / "r", "--from", results, "--progress")
    assert code == 0 and "report: re-checking certificate 1/1: stability-naive" in err
    assert out.strip() == "wrote %s" % (tmp_path / "r" / "index.html")
