"""The Dask executor: a small sweep on a LocalCluster gives the process pool's results."""
from __future__ import annotations

import json

import pytest

distributed = pytest.importorskip("distributed")

from bnverify import claims, cli, parallel, runner  # noqa: E402


def _claim():
    return claims.claim_from_dict({"id": "d", "title": "d", "statement": "d", "property": "attractor-exists",
                                   "expect": "proved", "model": {"stages": "rc,relu"},
                                   "domain": {"n": "7..9"}}, "test")


def test_local_cluster_equals_process_pool():
    c = _claim()
    with parallel.DaskExecutor(jobs=2) as ex:
        (d,) = runner.run([c], executor=ex, progress=False)
    (p,) = runner.run([c], jobs=2, progress=False)
    assert d.verdict.status == p.verdict.status == "proved"
    assert d.verdict.evidence["per_n"] == p.verdict.evidence["per_n"]
    assert d.verdict.certificate["evidence"] == p.verdict.certificate["evidence"]


def test_cli_executor_flags(capsys):
    code = cli.main(["check", "--stages", "rc,relu", "--n", "7", "--property", "attractor-exists",
                     "--scheduler", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == 2 and "--executor dask" in err and err.count("\n") == 1
