"""Collect the claim catalogue as pytest items, one per ``proofs/*.toml`` (this file sits at the
top, not in proofs/, because proofs/ is also the installed package bnverify.catalogue), named by claim id
(after pytest's documented example of non-Python test files).

An item passes iff the tool's verdict equals the claim's ``expect`` and, when decided, has
passed the trusted kernel; a mismatch fails with the verdict and its evidence.  ``full =
true`` claims are marked ``slow`` (skipped by default; ``-m slow`` runs them).  Each item
runs its own claim when it runs (so ``-x``, ``-k ID`` and ``pytest -n 2`` behave), through the
runner with a session-wide cache of jobs: the per-n jobs two claims share run once.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bnverify.claims import runner, spec
from bnverify.errors import BadInput

HERE = Path(__file__).resolve().parent / "proofs"


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".toml" and file_path.parent == HERE:
        return ClaimFile.from_parent(parent, path=file_path)


class ClaimFile(pytest.File):
    def collect(self):
        known = {p.stem for p in HERE.glob("*.toml")}
        try:
            claim = spec.load_claim(self.path, known)
        except BadInput as e:
            raise self.CollectError(str(e))
        item = ClaimItem.from_parent(self, name=claim.id, claim=claim)
        if claim.full:
            item.add_marker(pytest.mark.slow)
        yield item


@pytest.hookimpl(optionalhook=True)           # pytest-xdist's hook
def pytest_xdist_make_scheduler(config, log):
    """Under ``--dist loadfile`` (the default here) the catalogue's files are one unit of work,
    run by one worker: claims share work across files (the per-n attractor jobs of attractor and
    attractor-threshold, the all-n classification search of classification, basin-attractor and
    basin-attractor-all, RC alone's basin covers for basin-simplex and rs-basins), and a worker
    does it once for all of them (the session's job cache, the searches kept per process)."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class CatalogueTogether(LoadFileScheduling):
        def _split_scope(self, nodeid):
            scope = super()._split_scope(nodeid)
            return "proofs/*.toml" if scope.startswith("proofs/") and scope.endswith(".toml") else scope

        def _assign_work_unit(self, node):
            if not getattr(self, "_longest_first", False):      # once, before the first unit goes out
                self._longest_first = True
                order = sorted(self.workqueue, key=lambda s: -LONG.get(s, 0.05 * len(self.workqueue[s])))
                for scope in order:
                    self.workqueue.move_to_end(scope)
            super()._assign_work_unit(node)
    return CatalogueTogether(config, log)


# Seconds a unit of work took (one run on 2 busy cores; a scheduling hint only): the longest go out first, so
# that the two workers end together rather than one finishing a long file alone.  Others: 0.05 s per test.
LONG = {"proofs/*.toml": 52, "tests/test_report.py": 30, "tests/test_spread_cover.py": 21, "tests/test_rs_on.py": 22,
        "tests/test_forgery.py": 15, "tests/test_spread_odd_cover.py": 15, "tests/test_spread_silu_cover.py": 12,
        "tests/test_symbolic.py": 13, "tests/test_spread.py": 13, "tests/test_trusted_legendre.py": 11,
        "tests/test_cover_grow.py": 11, "tests/test_outputs.py": 11, "tests/test_redteam_kernel_hi.py": 8}


class VerdictMismatch(Exception):
    pass


_JOBS = {}          # job key -> Verdict, shared by the items of this session (runner cache)


def _verdict(item):
    """The item's own claim, run now; per-n jobs another item already ran are reused.  Under
    pytest-xdist the workers already use the cores: a claim's jobs run in this process rather
    than in a process pool of its own (which would start and import bnverify in two more)."""
    jobs = 1 if os.environ.get("PYTEST_XDIST_WORKER") else None
    return runner.run([item.claim], jobs=jobs, progress=False, cache=_JOBS)[0].verdict


class ClaimItem(pytest.Item):
    def __init__(self, *, claim, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim

    def runtest(self):
        v = _verdict(self)
        if v.status != self.claim.expect:
            raise VerdictMismatch(v)
        if v.status != "inconclusive" and v.evidence.get("checked") is not True:
            raise VerdictMismatch(v)          # a decided verdict must have passed the kernel

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, VerdictMismatch):
            v = excinfo.value.args[0]
            return "\n".join([
                "claim %s (%s)" % (self.claim.id, self.claim.source),
                "  statement: %s" % self.claim.statement,
                "  expected:  %s" % self.claim.expect,
                "  verdict:   %s by %s in %.2fs" % (v.status, v.method, v.seconds),
                "  evidence:  %s" % json.dumps(v.evidence, default=str)[:2000]])
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, "claim: %s" % self.name
