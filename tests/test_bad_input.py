"""Bad input: one line on stderr, exit 2, never a traceback, a hang or a silent answer.

Each case runs the command line in-process (``run_cli``, tests/conftest.py), so a traceback would show as an
exception here; the hypothesis tests throw random text at the same entry points.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bnverify.claims import spec
from bnverify.core import limits, ranges
from bnverify.errors import BadInput

CHECK = ["check", "--stages", "rc,relu"]


def assert_usage_error(run_cli, argv, needle=None):
    code, out, err = run_cli(*argv)
    assert code == 2, (code, out[-300:], err[-300:])
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[:600]
    assert "Traceback" not in err and "internal error" not in err
    assert len(lines[0]) <= 600, lines[0][:200]
    if needle:
        assert needle in lines[0], lines[0]
    return lines[0]


def file_with(tmp_path, name, data):
    p = tmp_path / name
    (p.write_bytes if isinstance(data, bytes) else p.write_text)(data)
    return str(p)


# ---------------------------------------------------------------- files
@pytest.mark.parametrize("name,data,needle", [
    ("bin.toml", bytes(range(256)) * 8, "not UTF-8"),
    ("latin.toml", "id = \"caf\xe9\"\n".encode("latin-1"), "not UTF-8"),
    ("deep.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("big.toml", "x = \"" + "a" * (limits.MAX_CLAIM_BYTES + 10) + "\"\n", "larger than"),
    ("bad.toml", "id = = 3\n", "not valid TOML"),
    ("hugeint.toml", "id = \"x\"\nn = " + "9" * 5000 + "\n", None),
    ("empty.toml", "", None),
])
def test_claim_files(tmp_path, name, data, needle, run_cli):
    assert_usage_error(run_cli, ["check", file_with(tmp_path, name, data)], needle)


def test_claim_file_is_a_directory(tmp_path, run_cli):
    d = tmp_path / "d.toml"
    d.mkdir()
    assert_usage_error(run_cli, ["check", str(d)], "directory")


def test_claim_file_missing(tmp_path, run_cli):
    assert_usage_error(run_cli, ["check", str(tmp_path / "nope.toml")])


@pytest.mark.parametrize("name,data,needle", [
    ("bin.json", bytes(range(256)) * 8, "not UTF-8"),
    ("deep.json", "[" * 100000 + "]" * 100000, "nested too deeply"),
    ("nan.json", '{"format": NaN}', "not JSON"),
    ("trunc.json", '{"format": "bnverify-certificate/2", "claim": {', "not JSON"),
    ("hugeint.json", '{"x": ' + "9" * 10000 + "}", "not JSON"),
])
def test_certificate_files(tmp_path, name, data, needle, run_cli):
    assert_usage_error(run_cli, ["check-cert", file_with(tmp_path, name, data)], needle)


def test_certificate_json_but_not_a_certificate_is_rejected(tmp_path, run_cli):
    """A JSON document that is not a certificate is checked and rejected (exit 1), not proved."""
    for doc in ([], {}, {"format": "bnverify-certificate/2"}, "x", 3, {"claim": [1] * 10}):
        p = file_with(tmp_path, "c.json", json.dumps(doc))
        code, out, err = run_cli("check-cert", p)
        assert code == 1 and out.startswith("FAIL"), (doc, code, out, err)
        assert "Traceback" not in err


# ---------------------------------------------------------------- flags
@pytest.mark.parametrize("extra,needle", [
    (["--n", "3..", "--property", "norm-ratio-limit", "--value", "+".join(["n"] * 20000)], "characters"),
    (["--n", "3..", "--property", "norm-ratio-limit", "--value", "(" * 3000 + "n" + ")" * 3000], None),
    (["--n", "3..", "--property", "norm-ratio-limit", "--value", "n**n**n**n**n"], "bits"),
    (["--n", "3..", "--property", "norm-ratio-limit", "--value", "10**10**10"], "bits"),
    (["--n", "3..", "--property", "norm-ratio-limit", "--value", "__import__('os')"], None),
    (["--n", "3..99999999999999999999999999", "--property", "invariant-configuration"], "limit"),
    (["--n", "3.." + "9" * 5000, "--property", "invariant-configuration"], "digits"),
    (["--n", "7..x", "--property", "invariant-configuration"], "not an integer"),
    (["--n", "..7", "--property", "invariant-configuration"], None),
    (["--n", "20..3", "--property", "invariant-configuration"], "reversed"),
    (["--n", "3..100000", "--property", "attractor-stable", "--relation", "<", "--bound", "1/2"], "at most 1000"),
    (["--n", "3", "--property", "spectral-radius", "--state", "configuration", "--relation", "<",
      "--bound", "1" * 100000], "characters"),
    (["--n", "3", "--property", "spectral-radius", "--state", "configuration", "--relation", "<",
      "--bound", "1e999999"], None),
    (["--n", "3", "--property", "jacobian-spectrum", "--state", "configuration",
      "--eigenvalues", "(" * 3000], None),
])
def test_check_flags(run_cli, extra, needle):
    assert_usage_error(run_cli, CHECK + extra, needle)


def test_alpha_exponent(run_cli):
    assert_usage_error(run_cli, ["check", "--stages", "rc,leaky_relu", "--alpha", "1e-99999999", "--n", "3",
                                 "--property", "invariant-configuration"], "exponent")


@pytest.mark.parametrize("argv,needle", [
    (["simulate", "--n", "100000", "--width", "100000", "--depth", "100000"], "limit"),
    (["simulate", "--n", "10", "--width", "1000000", "--depth", "1000000", "--seeds", "100000"], None),
    (["attractor", "--n", "7..x"], None),
    (["attractor", "--n", "9..7"], None),
    (["verify", "--jobs", "100000"], "at most"),
    (["verify", "--report", "\0x"], None),
    (["check-cert", ""], None),
    (["jacobian", "--n", "9" * 5000], None),
])
def test_other_commands(run_cli, argv, needle):
    assert_usage_error(run_cli, argv, needle)


def test_internal_error_is_one_line(run_cli, monkeypatch):
    """A bug escaping a command is one line and exit 4, not a traceback (unless asked for)."""
    from bnverify.commands import check

    def boom(args):
        raise ZeroDivisionError("synthetic")

    monkeypatch.delenv("BNVERIFY_TRACEBACK", raising=False)
    monkeypatch.setattr(check, "run", boom)
    code, out, err = run_cli("check", "--stages", "rc,relu", "--n", "3", "--property", "invariant-configuration")
    assert code == 4 and err.strip().count("\n") == 0 and "ZeroDivisionError" in err, err


# ---------------------------------------------------------------- fuzzing
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.text(max_size=300))
def test_fuzz_int_range(text):
    try:
        r = ranges.parse_int_range(text, "n", minimum=3)
    except BadInput as e:
        assert "\n" not in str(e).strip()
        return
    assert r.lo >= 3 and (r.hi is None or r.lo <= r.hi <= limits.MAX_N)


@pytest.mark.parametrize("text", ["３", "3..２０", "٣", "५..7"])
def test_other_scripts_digits_are_not_batch_sizes(text):
    """int() reads '３' (full width) and '٣' (Arabic-Indic) as 3; --weight-var refuses them, and so does --n now."""
    with pytest.raises(BadInput, match="is not an integer"):
        ranges.parse_int_range(text, "n", minimum=3)


@FUZZ
@given(st.text(max_size=300))
def test_fuzz_rat_range(text):
    try:
        r = ranges.parse_rat_range(text)
    except BadInput:
        return
    assert 0 <= r.lo <= r.hi <= 1


@FUZZ
@given(st.text(alphabet="n alpha0123456789+-*/().e_xsqrt", max_size=120))
def test_fuzz_expression_guard_then_parse(text):
    """The guard passes or refuses; whatever it passes parses (or is refused) quickly."""
    from bnverify.trusted import base

    try:
        limits.guard_expression(text)
    except limits.ExpressionTooLarge:
        return
    try:
        base.parse(text)
    except base.Rejected:
        pass


@FUZZ
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.floats(),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                    max_leaves=30))
def test_fuzz_claim_table(data):
    """Any parsed TOML-like table is a claim or a one-line ClaimError / BadInput."""
    table = {"id": "fuzz", "statement": "s", "property": "invariant-configuration",
             "model": {"stages": ["rc", "relu"]}, "domain": {"n": "3"}}
    if isinstance(data, dict):
        table.update(data)
    else:
        table["params"] = data
    try:
        spec.check_sizes(table, "fuzz")
        spec.check_limits(spec.claim_from_dict(table, "fuzz"))
    except (spec.ClaimError, BadInput) as e:
        assert "Traceback" not in str(e)


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_claim_bytes(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("f") / "fuzz.toml"
    p.write_bytes(data)
    try:
        spec.load_claim(p, {"fuzz"})
    except (spec.ClaimError, BadInput):
        pass


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_certificate_bytes(tmp_path_factory, data):
    from bnverify import trusted
    from bnverify.commands import check_cert

    p = tmp_path_factory.mktemp("c") / "fuzz.json"
    p.write_bytes(data)
    try:
        doc = check_cert.load(p)
    except BadInput:
        return
    ok, msg = trusted.check(doc)
    assert not ok



def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    """Ctrl-C while an output is written: neither the file nor a temporary is left behind,
    and an earlier complete file is kept as it was."""
    import os

    from bnverify import files

    target = tmp_path / "out" / "report.md"
    with pytest.raises(BadInput, match="does not exist"):       # a missing folder is not made up
        files.write_text(target, "complete\n")
    files.write_text(target, "complete\n", parents=True)

    def interrupted(src, dst):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_text(target, "half")
    with pytest.raises(KeyboardInterrupt):
        files.write_text(tmp_path / "out" / "new.json", "{")
    assert target.read_text() == "complete\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.md"]


def test_a_fifo_or_a_device_is_not_a_results_file(tmp_path, run_cli):
    """`report --from` opened a FIFO (blocked forever) and read /dev/zero to the end (never)."""
    import os

    fifo = tmp_path / "results.json"
    os.mkfifo(fifo)
    for source in (str(fifo), "/dev/zero"):
        assert_usage_error(run_cli, ["report", str(tmp_path / "out"), "--from", source], "not a regular file")


def test_an_output_path_that_is_a_fifo_or_a_link_is_written_not_replaced(tmp_path):
    """The atomic rename replaced whatever the path named: `check --cert /dev/null` as root put a
    regular file in place of /dev/null (for every process), a FIFO became a file, a symlink was
    replaced by a file.  A FIFO (here; a device alike) is written into, a link's target replaced."""
    import os
    import stat
    import threading

    from bnverify import files

    fifo = tmp_path / "cert.json"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, encoding="utf-8").read()), daemon=True)
    reader.start()
    files.write_text(fifo, "{}\n")
    reader.join(5)
    assert got == ["{}\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    target, link = tmp_path / "real.json", tmp_path / "link.json"
    target.write_text("old")
    link.symlink_to(target)
    files.write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


@pytest.mark.parametrize("flag,value", [("--weight-var", "4_0"), ("--weight-var", "\u0664"), ("--alpha", "1_0/100"),
                                        ("--bound", "1\u0660")])
def test_numbers_are_ascii_digits(flag, value, run_cli):
    """Fraction reads '4_0' as 40 and Arabic-Indic digits as 0-9: a number must be written with 0-9 (red team)."""
    args = {"--stages": "rc,leaky_relu" if flag == "--alpha" else "rc,gelu", "--weight-var": "2", "--n": "8",
            "--property": "spectral-radius", "--state": "two-point", "--relation": "<", "--bound": "1"}
    args[flag] = value
    code, out, err = run_cli("check", *[x for kv in args.items() for x in kv])
    assert code == 2 and "digits 0-9" in err and "Traceback" not in err and "\n" not in err.strip(), (code, out, err)
