"""What the test files share: the command line, run in this process (``run_cli``, and ``cli_json``
for a command's --json document)."""
import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from bnverify import cli

# text output is laid out for the terminal's width (COLUMNS, at most 120): pytest-xdist's workers
# set COLUMNS=80, a plain run none; the tests read it at one width (a test may set its own)
os.environ["COLUMNS"] = "120"
# the suite's two pytest workers already fill two cores: a command's own pool (forkserver workers that import
# bnverify again) would only add its start-up; tests of the pools ask for --jobs 2, an executor or their own env
os.environ["BNVERIFY_JOBS"] = "1"


def _run_cli(*argv):
    """(exit code, stdout, stderr) of one bnverify command run in this process through
    ``cli.main`` (arguments may be paths or numbers); argparse's own exits (its usage errors,
    --help) give their SystemExit code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as e:
            code = e.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def run_cli():
    """The runner :func:`_run_cli` (session-wide: it keeps no state, and module fixtures use it)."""
    return _run_cli


@pytest.fixture(scope="session")
def cli_json(run_cli):
    """The JSON document a command prints with --json (appended here); its exit code must be 0."""
    def run_json(*argv):
        code, out, err = run_cli(*argv, "--json")
        assert code == 0, err[-2000:]
        return json.loads(out)
    return run_json


@pytest.fixture(scope="session")
def written_cert(run_cli):
    """``written_cert(path, *check_args, code=0)``: the certificate ``bnverify check *check_args --cert path``
    writes, as a dict; the command must exit with ``code``."""
    def write(path, *args, code=0):
        got, out, err = run_cli("check", *args, "--cert", str(path))
        assert got == code, out + err
        return json.loads(Path(path).read_text())
    return write


@pytest.fixture(autouse=True)
def _mpmath_precision():
    """mpmath's working precision is global: a test that sets mp.dps must not change the next one's."""
    import mpmath

    dps = mpmath.mp.dps
    yield
    mpmath.mp.dps = dps
