"""Output paths (issue 20, class 6; issue 25, item 7): every file a command writes goes through
one check before the run and one writer after it (bnverify.files), so a path that cannot be
written is a usage error -- exit 2, one line naming the path and the reason, no traceback --
never an internal error; and a written file has the mode the user's umask gives."""
import json
import os
import stat
from pathlib import Path

import pytest

from bnverify import cli, files
from bnverify.commands import exits
from bnverify.errors import BadInput

PROOFS = Path(__file__).resolve().parents[1] / "proofs"

# every option that names a file a command writes, with the cheapest run that writes it
FILE_OUTPUTS = {
    "check --cert": (".json", lambda out: ["check", PROOFS / "gram-fixed-point.toml", "--cert", out]),
    "simplex --cert": (".json", lambda out: ["simplex", "--n", "3..", "--cert", out]),
    "attractor --cert": (".json", lambda out: ["attractor", "--n", "16..", "--cert", out]),
    "basins --plot": (".png", lambda out: ["basins", "--n", "3", "--plot", out]),
    "simulate --plot": (".png", lambda out: ["simulate", "--n", "4", "--width", "8", "--depth", "2", "--seeds", "2",
                                             "--plot", out]),
    "decompose --plot": (".svg", lambda out: ["decompose", "--n", "2", "--width", "2", "--depth", "1", "--seeds", "1",
                                              "--jobs", "1", "--plot", out]),
    "phase --plot": (".pdf", lambda out: ["phase", "--n", "3", "--width", "2", "--depth", "1", "--seeds", "1",
                                          "--jobs", "1", "--plot", out]),
    "atlas --plot": (".png", lambda out: ["atlas", "--activations", "tanh", "--n", "4", "--width", "8", "--depth", "2",
                                          "--seeds", "1", "--starts", "1", "--no-certified", "--jobs", "1", "--plot", out]),
    "endstate --plot": (".png", lambda out: ["endstate", "--n", "4", "--width", "8", "--depth", "4", "--seeds", "2",
                                             "--plot", out]),
}
# every option that names a folder a command writes into (a missing folder is made: documented)
DIR_OUTPUTS = {
    "verify --report": lambda out, tmp: ["verify", "--only", "centering-rank-one", "--jobs", "1", "--quiet",
                                         "--report", out],
    "report DIR": lambda out, tmp: ["report", out, "--from", _results_file(tmp)],
}


def _results_file(tmp):
    path = tmp / "results.json"
    path.write_text(json.dumps({"claims": [{"id": "centering-rank-one", "verdict": "inconclusive"}]}))
    return path


def test_every_writing_option_is_listed():
    """A command that declares --cert, --plot or --report, or writes into a DIR, is in the tables above."""
    import argparse

    declared = set()
    for mod in cli.COMMANDS:
        parser = argparse.ArgumentParser()
        mod.add_arguments(parser)
        for action in parser._actions:
            if set(action.option_strings) & {"--cert", "--plot", "--report"}:
                declared.add("%s %s" % (mod.NAME, action.option_strings[0]))
            elif action.dest == "dir":
                declared.add("%s DIR" % mod.NAME)
    assert declared == set(FILE_OUTPUTS) | set(DIR_OUTPUTS)


def run(argv, capsys):
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr()


def assert_one_line_usage_error(argv, capsys, *needles):
    code, (out, err) = run(argv, capsys)
    # progress lines (simplex, attractor) may come first; the error is the one line that ends stderr
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert code == exits.USAGE, (code, err[-500:])
    assert len(errors) == 1 and err.strip().splitlines()[-1] == errors[0], err
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def full(tmp_path):
    """A path ending in the suffix asked for that writes into /dev/full (every write: ENOSPC)."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")

    def make(suffix):
        link = tmp_path / ("full" + suffix)
        link.symlink_to("/dev/full")
        return link
    return make


@pytest.mark.parametrize("name", sorted(FILE_OUTPUTS))
def test_a_missing_folder(tmp_path, capsys, name):
    suffix, argv = FILE_OUTPUTS[name]
    path = tmp_path / "no-such-folder" / ("out" + suffix)
    assert_one_line_usage_error(argv(path), capsys, str(path), "does not exist")


@pytest.mark.parametrize("name", sorted(FILE_OUTPUTS))
def test_a_path_that_is_a_folder(tmp_path, capsys, name):
    suffix, argv = FILE_OUTPUTS[name]
    path = tmp_path / ("folder" + suffix)
    path.mkdir()
    assert_one_line_usage_error(argv(path), capsys, str(path), "is a directory")


@pytest.mark.parametrize("name", sorted(FILE_OUTPUTS))
def test_a_full_device(full, capsys, name):
    """The device is accepted before the run (it is written into, not replaced); the write at the end fails."""
    suffix, argv = FILE_OUTPUTS[name]
    path = full(suffix)
    assert_one_line_usage_error(argv(path), capsys, str(path), "No space left on device")


@pytest.mark.parametrize("name", sorted(DIR_OUTPUTS))
def test_a_folder_output_that_cannot_be_made(tmp_path, capsys, name):
    """Under a regular file, at a regular file, at a device: each refused before anything runs."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for path in (blocker / "report", blocker, Path("/dev/full")):
        assert_one_line_usage_error(DIR_OUTPUTS[name](path, tmp_path), capsys, str(path))


# ---------------------------------------------------------------- the examples of issue 20, as reported
def test_issue_examples(tmp_path, capsys):
    folder = tmp_path / "SOME_EXISTING_DIR.png"
    folder.mkdir()
    assert_one_line_usage_error(["basins", "--n", "3", "--plot", "/nonexistent-dir/b.png"], capsys,
                                "--plot /nonexistent-dir/b.png", "the folder /nonexistent-dir does not exist")
    assert_one_line_usage_error(["basins", "--n", "3", "--plot", folder], capsys, "is a directory")
    if os.path.exists("/dev/full"):
        for argv in (["simplex", "--n", "3..", "--cert", "/dev/full"],
                     ["attractor", "--n", "16..", "--cert", "/dev/full"]):
            assert_one_line_usage_error(argv, capsys, "--cert /dev/full: cannot write: No space left on device")


def test_a_plot_name_without_a_figure_suffix(capsys):
    assert_one_line_usage_error(["basins", "--n", "3", "--plot", "/dev/full"], capsys, ".png, .pdf, .svg")


# ---------------------------------------------------------------- the writer itself
def test_written_files_get_the_umask(tmp_path):
    """mkstemp's 0600 used to become the output's mode: a report others could not read."""
    old = os.umask(0o022)
    try:
        for path in (files.write_text(tmp_path / "a.json", "{}"), files.write_bytes(tmp_path / "b.png", b"x"),
                     files.write_text(tmp_path / "deep" / "c.md", "x", parents=True)):
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o644, path
        os.umask(0o077)
        assert stat.S_IMODE(os.stat(files.write_text(tmp_path / "d.json", "{}")).st_mode) == 0o600
        os.umask(0o022)
        assert stat.S_IMODE(os.stat(files.make_temp_dir(tmp_path, ".t-")).st_mode) == 0o755
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".") and not p.is_dir()) == []


def test_a_report_gets_the_umask(tmp_path, capsys, monkeypatch):
    """The report is built in a temporary folder and renamed into place: the folder too."""
    from bnverify.report import figures

    plt = figures._plt()

    def one_figure(rows, skip=(), progress=None):          # the figures' content is not the point here
        fig, ax = plt.subplots(figsize=(1, 1))
        return [figures.render(figures.Figure("line", "a line", "a caption", "exact", fig))]
    monkeypatch.setattr(figures, "all_figures", one_figure)
    old = os.umask(0o022)
    try:
        code, _ = run(["report", tmp_path / "out", "--from", _results_file(tmp_path)], capsys)
    finally:
        os.umask(old)
    assert code == exits.OK
    out = tmp_path / "out"
    for p in [out] + list(out.rglob("*")):
        assert stat.S_IMODE(os.stat(p).st_mode) == (0o755 if p.is_dir() else 0o644), p


def test_the_writer_names_the_option_and_the_path(tmp_path):
    with pytest.raises(BadInput, match=r"^--cert .*/missing/x\.json: the folder .* does not exist$"):
        files.write_text(tmp_path / "missing" / "x.json", "{}", flag="--cert")
    with pytest.raises(BadInput, match=r"^--plot .*: is a directory"):
        files.write_bytes(tmp_path, b"", flag="--plot")
    if os.path.exists("/dev/full"):
        with pytest.raises(BadInput, match=r"^/dev/full: cannot write: No space left on device$"):
            files.write_text("/dev/full", "x")
