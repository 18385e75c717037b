"""The README's tour is run as written (issue 25: the README and the tool disagreed): every line
parses with today's grammar, the quick ones run and exit as documented, the long ones with
-m slow; every example in a command's --help parses too."""
import re
import shlex
from pathlib import Path

import pytest

from bnverify import cli

ROOT = Path(__file__).resolve().parents[1]
QUICK = {"jacobian", "check", "rank", "kernel", "basins", "simulate"}       # seconds each; the rest: -m slow


def tour():
    """[(argv, line)] of the README's tour, comments dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").split("## A tour of the commands", 1)[1]
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    out = []
    for line in block.splitlines():
        argv = shlex.split(line, comments=True)
        if argv:
            assert argv[0] == "bnverify", line
            out.append((argv[1:], line))
    return out


def help_examples():
    """[(command, argv)] of every 'bnverify ...' example in the commands' --help."""
    out = []
    for mod in cli.COMMANDS:
        text = getattr(mod, "DESCRIPTION", "")
        for m in re.finditer(r"^\s*(?:examples?:\s*)?bnverify ([^\n]*?)(?:\s{2,}[#(].*)?$", text, re.M):
            line = m.group(1).split("  #")[0].rstrip(" \\")
            if "|" in line or "&&" in line or ">" in line:
                continue
            out.append((mod.NAME, shlex.split(line)))
    return out


def _quick(argv):
    return argv[0] in QUICK or argv == ["simplex", "--n", "3.."]


def test_every_tour_line_parses_with_todays_grammar():
    parser = cli.build_parser()
    lines = tour()
    assert len(lines) >= 15
    for argv, line in lines:
        parser.parse_args(argv)             # a stale flag exits 2 here


def test_every_help_example_parses():
    parser = cli.build_parser()
    examples = help_examples()
    assert {name for name, _ in examples} >= {"verify", "check", "attractor", "phase", "lyapunov", "basins"}
    for name, argv in examples:
        assert argv[0] == name, (name, argv)
        parser.parse_args(argv)


def _run(argv, run_cli):
    code, out, err = run_cli(*argv)
    if argv[0] == "check":          # the tour's check line: leaky ReLU's two-point state is unstable
        assert code == 0 and "proved" in out and "> 1" in out, err
    else:
        assert code == 0, (argv, err[-800:])


@pytest.mark.parametrize("argv", [a for a, _ in tour() if _quick(a)], ids=" ".join)
def test_quick_tour_lines_run_as_the_readme_says(argv, run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)             # --plot FILE lands here
    _run(argv, run_cli)


@pytest.mark.slow
def test_the_whole_tour_runs_in_order(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)             # verify --report out, then check-cert out/certificates
    for argv, _ in tour():
        _run(argv, run_cli)


def doc_commands():
    """[(file, argv)] of every 'bnverify ...' line in a code block of the README and docs/."""
    out = []
    for path in [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md")):
        blocks = re.findall(r"```(?:bash|sh|console|text)?\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
        for block in blocks:
            for line in block.splitlines():
                line = line.strip().lstrip("$ ")
                if line.startswith("bnverify ") and not re.search(r"[|>&]|\.\.\.$", line):
                    out.append((path.name, shlex.split(line, comments=True)[1:]))
    return out


def test_every_documented_command_parses():
    parser = cli.build_parser()
    found = doc_commands()
    assert len(found) > 20
    bad = []
    for name, argv in found:
        try:
            parser.parse_args(argv)
        except SystemExit:
            bad.append((name, " ".join(argv)))
    assert not bad, bad
