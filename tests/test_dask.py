"""The Dask executor: a small sweep on a LocalCluster gives one process's results."""
from __future__ import annotations


import pytest

distributed = pytest.importorskip("distributed")

from bnverify import parallel
from bnverify.claims import runner, spec  # noqa: E402


def _claim():
    return spec.claim_from_dict({"id": "d", "title": "d", "statement": "d", "property": "attractor-exists",
                                   "expect": "proved", "model": {"stages": "rc,relu"},
                                   "domain": {"n": "7..9"}}, "test")


def test_local_cluster_equals_one_process():
    """The claim's per-n jobs on a LocalCluster of two workers give what one process gives (the process pool's own
    start-up, some 3 s, is tested in tests/test_api.py and tests/test_verify_cli.py, not here again)."""
    c = _claim()
    with parallel.DaskExecutor(jobs=2) as ex:
        (d,) = runner.run([c], executor=ex, progress=False)
    (p,) = runner.run([c], jobs=1, progress=False)
    assert d.verdict.status == p.verdict.status == "proved"
    assert d.verdict.evidence["per_n"] == p.verdict.evidence["per_n"]
    assert d.verdict.certificate["evidence"] == p.verdict.certificate["evidence"]


def test_cli_executor_flags(run_cli):
    code, _, err = run_cli("check", "--stages", "rc,relu", "--n", "7", "--property", "attractor-exists",
                           "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--executor dask" in err and err.count("\n") == 1


def test_simulate_seed_batches_equal_one_stack():
    """Seed batches through an executor give the one-stack result bit for bit (each seed has
    its own streams); Dask's executor is one such executor."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from bnverify.commands import simulate
    from bnverify.core.activations import Activation

    act = Activation("relu")
    one, traj1 = simulate.simulate(8, 32, 20, 5, ("rc",), act, every=10)
    with ThreadPoolExecutor(2) as ex:
        many, traj2 = simulate.simulate_batches(ex, 8, 32, 20, 5, ("rc",), act, 3, every=10)
    for f in ("odd_index", "norm_ratio", "max_abs_cos_odd", "min_cos_others"):
        assert np.array_equal(getattr(one, f), getattr(many, f)), f
    assert [e for e, _ in traj1] == [e for e, _ in traj2]


def test_simulate_cli_on_dask(cli_json):
    doc = cli_json("simulate", "--n", "8", "--width", "32", "--depth", "10", "--seeds", "4",
                   "--executor", "dask", "--jobs", "2")
    doc1 = cli_json("simulate", "--n", "8", "--width", "32", "--depth", "10", "--seeds", "4")
    assert doc["seeds"] == doc1["seeds"]
