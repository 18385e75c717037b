"""The claim catalogue, run: :func:`choose` loads the catalogue and picks the claims to run,
:func:`run_catalogue` runs them and returns the run as data (each claim's result with its
verdict, evidence and certificate, the claims left out, the time taken).  ``bnverify verify``
prints a run and ``bnverify report`` renders one; neither command runs the other."""
from __future__ import annotations

import time
from dataclasses import dataclass

from . import runner, spec
from ..core import limits
from ..errors import BadInput


def check_jobs(jobs):
    """``jobs``: None (the runner's default) or 1 .. limits.MAX_JOBS worker processes, with the
    message every command gives (bnverify.commands.options.jobs calls this)."""
    if jobs is not None and not 1 <= jobs <= limits.MAX_JOBS:
        raise BadInput("--jobs %d: need at least 1 and at most %d workers" % (jobs, limits.MAX_JOBS))


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


def choose(directory=None, only=None, full=False):
    """(chosen, skipped): the claims of the catalogue in ``directory`` (default: the built-in one)
    to run, the ids ``only`` names, else every claim that is not ``full`` unless ``full`` is
    set (:func:`spec.select`), and the others.  BadInput on a bad catalogue or an unknown id."""
    claims = spec.load_catalogue(directory)
    chosen = spec.select(claims, only, full)
    return chosen, [c for c in claims if c not in chosen]


def run_catalogue(chosen, skipped=(), jobs=None, executor=None, progress=True):
    """Run the chosen claims (:func:`choose`) through the runner (``jobs`` local processes, or
    ``executor``; progress on stderr): the run as a :class:`CatalogueRun`."""
    check_jobs(jobs)
    t0 = time.monotonic()
    results = runner.run(list(chosen), executor=executor, jobs=jobs, progress=progress)
    return CatalogueRun(results, list(skipped), time.monotonic() - t0)
