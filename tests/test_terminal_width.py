"""Every command's text output fits a terminal: no line over 120 columns by default, and no
line over $COLUMNS when that is smaller (issue 25: verify printed 200 columns, decompose 855,
jacobian --symbolic 386, attractor 297, basins 279, check-cert 577)."""
from pathlib import Path

import pytest

from bnverify import cli
from bnverify.report import pretty

PROOFS = Path(__file__).resolve().parents[1] / "proofs"

# each command's default invocation, made small where the default takes long (the layout, not
# the numbers, is under test); check-cert gets the certificate check --cert writes
ARGS = {
    "verify": ["--only", "stability-naive", "simplex-state", "kernel-definite-antipodal", "--jobs", "1", "--quiet"],
    "check": [PROOFS / "stability-naive.toml"],
    "check-cert": None,
    "report": None,
    "simulate": ["--depth", "50"],
    "decompose": ["--n", "2", "--width", "2", "--depth", "1", "--seeds", "1", "--jobs", "1"],
    "lyapunov": ["--n", "8", "--width", "64", "--depth", "20", "--seeds", "2"],
    "phase": ["--n", "4..8", "--width", "8..16", "--depth", "4", "--seeds", "2", "--jobs", "1"],
    "endstate": ["--n", "8", "--width", "16", "--depth", "10", "--seeds", "2"],
    "jacobian": ["--symbolic"],
    "attractor": ["--n", "7..8", "--jobs", "1"],
    "simplex": ["--n", "3.."],
    "rank": [],
    "gram-starts": ["--n", "7", "--starts", "10"],
    "basins": ["--n", "7"],
    "atlas": ["--activations", "identity,tanh", "--n", "4", "--width", "8", "--depth", "2", "--seeds", "2",
              "--starts", "1", "--jobs", "1"],
    "kernel": ["--activation", "gelu", "--q1", "1", "--q2", "2", "--c", "1/2"],
    "bsb1": ["--stages", "rc,rs,relu", "--n", "3..5", "--check-to", "3"],
    "gradients": ["--stages", "rc,rs,relu", "--n", "3..16"],
}


def widest(text):
    return max((len(line) for line in text.splitlines()), default=0)


def test_every_command_is_measured():
    assert set(ARGS) == {m.NAME for m in cli.COMMANDS}


@pytest.fixture(scope="module")
def certificate(run_cli, tmp_path_factory):
    path = tmp_path_factory.mktemp("cert") / "naive.json"
    code, _, err = run_cli("check", PROOFS / "stability-naive.toml", "--cert", path)
    assert code == 1 and path.is_file(), err
    return path


@pytest.mark.parametrize("name", sorted(ARGS))
def test_default_output_fits_120_columns(name, run_cli, certificate, tmp_path, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    args = {"check-cert": [certificate], "report": [tmp_path / "r", "--from", tmp_path / "none.json"]}.get(name)
    if name == "report":            # a results file with one claim: the report's own lines (no figures)
        from bnverify.report import figures

        monkeypatch.setattr(figures, "all_figures", lambda rows, skip=(), progress=None: [])
        (tmp_path / "none.json").write_text('{"claims": [{"id": "stability-naive", "verdict": "inconclusive"}]}')
    code, out, err = run_cli(name, *(args if args is not None else ARGS[name]))
    assert code in (0, 1, 3), err[-500:]
    assert out.strip()
    assert widest(out) <= 120, "%s: %d columns:\n%s" % (name, widest(out), max(out.splitlines(), key=len))


@pytest.mark.parametrize("argv", [["jacobian", "--symbolic"], ["check", PROOFS / "stability-naive.toml"],
                                  ["basins", "--n", "7"], ["attractor", "--n", "7", "--jobs", "1"]])
def test_output_honours_a_narrower_terminal(argv, run_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run_cli(*argv)
    assert code in (0, 1), err[-500:]
    assert widest(out) <= 80, max(out.splitlines(), key=len)


def test_columns_stay_between_80_and_120(monkeypatch):
    for given, expected in (("200", 120), ("100", 100), ("40", 80)):
        monkeypatch.setenv("COLUMNS", given)
        assert pretty.columns() == expected


def test_grid_wraps_the_widest_cells_and_keeps_every_word():
    rows = [["id", "text"], ["a", "one two three four five six seven eight nine ten " * 3]]
    lines = pretty.grid(rows, width=40)
    assert max(map(len, lines)) <= 40 and len(lines) > 2
    assert " ".join(" ".join(lines).split()) == " ".join(" ".join(" ".join(r) for r in rows).split())
    assert pretty.grid(rows[:1]) == ["id  text"]
