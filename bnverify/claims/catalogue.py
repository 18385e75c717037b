"""The claim catalogue, run: :func:`run_catalogue` loads the claims, runs the chosen ones and
returns the run as data (each claim's result with its verdict, evidence and certificate, the
claims left out, the time taken).  ``bnverify verify`` prints a run and ``bnverify report``
renders one; neither command runs the other."""
from __future__ import annotations

import time
from dataclasses import dataclass

from . import runner, spec
from ..core import limits
from ..errors import BadInput


def check_jobs(jobs):
    """``jobs``: None (the runner's default) or 1 .. limits.MAX_JOBS worker processes."""
    if jobs is not None and not 1 <= jobs <= limits.MAX_JOBS:
        raise BadInput("--jobs must be a positive integer of at most %d, not %d" % (limits.MAX_JOBS, jobs))


@dataclass
class CatalogueRun:
    results: list           # runner.Result of each claim that ran, in catalogue order
    skipped: list           # the catalogue's claims that did not run
    seconds: float          # wall time of the run

    @property
    def ok(self):
        """True iff every verdict is the one its claim expects."""
        return all(r.ok for r in self.results)

    def rows(self):
        """One row per result: the runner's row, the claim as data and the evidence."""
        return [dict(r.row(), title=r.claim.title, statement=r.claim.statement, property=r.claim.property,
                     uses=list(r.claim.uses), methods=list(r.claim.methods), latex=r.claim.latex,
                     claim=r.claim.to_json(), evidence=r.verdict.evidence) for r in self.results]

    def certificates(self):
        """{claim id: certificate} of every decided verdict."""
        return {r.claim.id: r.verdict.certificate for r in self.results if r.verdict.certificate is not None}


def run_catalogue(directory=None, only=None, full=False, jobs=None, executor=None, progress=True):
    """Run the catalogue of ``directory`` (default: the built-in one): the claims ``only`` names,
    else every claim that is not ``full`` unless ``full`` is set (:func:`spec.select`), through
    the runner (``jobs`` local processes, or ``executor``; progress on stderr)."""
    check_jobs(jobs)
    claims = spec.load_catalogue(directory)
    chosen = spec.select(claims, only, full)
    t0 = time.monotonic()
    results = runner.run(chosen, executor=executor, jobs=jobs, progress=progress)
    return CatalogueRun(results, [c for c in claims if c not in chosen], time.monotonic() - t0)
