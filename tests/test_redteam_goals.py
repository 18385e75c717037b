"""Red-team findings (branch redteam21) against the new trusted goals stability-directions and
rs-linearization and the unified cover check base.edge_to_edge.  Each test was written failing
by the red team and is kept as the test of its fix (a direction named twice is refused)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bnverify.core import limits


# ---------------------------------------------------------------- (d) hang: stability-directions
def test_directions_duplicate_names_do_not_hang_check():
    """A claim file well inside MAX_CLAIM_BYTES (about 0.78 MB) whose params.decay repeats one
    name 60000 times: _g_directions loops over decay + grow inside every symmetry block (and the
    statement repeats each name's wording), doing a sympy matrix product per entry.  Measured:
    8000 repeats take 55 s, 60000 repeats > 100 s (killed).  check / check-cert must answer
    within 60 s on an input the documented limits accept (dedupe the names, or bound the list)."""
    decay = ["odd-angle"] * 60000
    text = ('id = "stability-directions"\nproperty = "stability-directions"\nexpect = "proved"\n'
            '[model]\nstages = "rc,relu"\n[domain]\nn_min = 3\n[params]\nstate = "configuration"\n'
            'decay = [%s]\ngrow = ["cluster-spread"]\n' % ", ".join('"%s"' % x for x in decay))
    assert len(text.encode()) < limits.MAX_CLAIM_BYTES
    code = textwrap.dedent("""
        from bnverify import trusted
        claim = {"property": "stability-directions", "stages": ["rc"], "activation": "relu",
                 "domain": {"n": "3.."},
                 "params": {"state": "configuration", "decay": ["odd-angle"] * 60000,
                            "grow": ["cluster-spread"]}}
        print(trusted.decide(claim)[0])
    """)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("trusted.decide on a 60000-name (0.78 MB, within MAX_CLAIM_BYTES) "
                    "stability-directions claim did not finish in 60 s")
    assert out.stdout.strip() in ("proved", ""), out.stderr[-500:]


@pytest.mark.slow
def test_directions_duplicate_names_do_not_hang_check_cert(tmp_path):
    """The same defect through check-cert: the shipped certificate of
    proofs/stability-directions.toml with params.decay = ["odd-angle"] * 60000, rehashed
    (0.78 MB, far under MAX_CERT_BYTES = 50 MB), kept `bnverify check-cert` busy > 75 s
    (killed by timeout, exit 124)."""
    import json

    from bnverify import cli
    from bnverify.claims.certificate import rehash
    import contextlib
    import io
    path = tmp_path / "d.json"
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["check", "proofs/stability-directions.toml", "--cert", str(path)]) == 0
    cert = json.loads(path.read_text())
    cert["claim"]["params"]["decay"] = ["odd-angle"] * 60000
    big = tmp_path / "big.json"
    big.write_text(json.dumps(rehash(cert)))
    assert big.stat().st_size < limits.MAX_CERT_BYTES
    try:
        subprocess.run([sys.executable, "-m", "bnverify", "check-cert", str(big)],
                       capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("bnverify check-cert on a 0.78 MB stability-directions certificate with 60000 "
                    "repeated direction names did not finish in 60 s")
