"""Run claims through a :class:`concurrent.futures.Executor`, with progress on stderr.

``run(claims)`` uses local processes (``jobs`` of them; ``jobs=1`` runs in this process);
pass any Executor instead, e.g. Dask's ``Client(...).get_executor()``, to spread a sweep over
a cluster.  A claim whose property works per batch size (``Property.per_n``) and has a finite
range of n is split into one job per n, and the per-n verdicts are combined into one verdict
(a bundle certificate) in this process, as soon as its last job is in.  Identical jobs (equal
``registry.job_key``, e.g. the attractor at n = 9 for two claims) run once.  Different jobs
that search the same evidence (equal ``jobs.search_key``: the all-n classification item of
three catalogue claims) run in one task, one after the other in one worker, so the search and
the kernel's re-check of the item are done once there.  The jobs of claims that are not split
are submitted first, then those of the split claims, most jobs first.
"""
from __future__ import annotations

import json
import sys
import traceback
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass

from .properties import jobs as split, registry, road     # split: run() has its own jobs (a count)
from ..errors import BadInput
from ..parallel import default_jobs, process_pool
from ..core.verdict import INCONCLUSIVE, Verdict


@dataclass
class Result:
    claim: object
    verdict: Verdict

    @property
    def ok(self):
        return self.verdict.status == self.claim.expect

    def row(self):
        return {"id": self.claim.id, "verdict": self.verdict.status, "expect": self.claim.expect,
                "method": self.verdict.method, "seconds": round(self.verdict.seconds, 3), "ok": self.ok}

    def to_dict(self):
        """The result as data: the claim's id and statement, the verdict with its evidence,
        whether the trusted kernel checked it, and the certificate (or None)."""
        return {"id": self.claim.id, "title": self.claim.title, "statement": self.claim.statement,
                "expect": self.claim.expect, "ok": self.ok, **self.verdict.to_json(),
                "checked": bool(self.verdict.evidence.get("checked")),
                "certificate": self.verdict.certificate}

    def to_json(self, indent=1):
        return json.dumps(self.to_dict(), indent=indent, default=str)

    def _repr_html_(self):
        return "<div>%s%s</div>" % (self.claim._repr_html_(), self.verdict._repr_html_())

    def __repr__(self):
        """One line (the whole result is in to_json() and, in Jupyter, the table)."""
        return "Result(%s: %s%s, %s, %.2f s)" % (
            self.claim.id, self.verdict.status, "" if self.ok else " (expected %s)" % self.claim.expect,
            self.verdict.method if len(self.verdict.method) <= 60 else self.verdict.method[:57] + "...",
            self.verdict.seconds)


def run_group(claims):
    """run_one on each claim, in this one process (jobs with one search key: the search is kept
    for the process, see ``jobs.search_key``).  Top level, so it pickles."""
    return [run_one(c) for c in claims]


def run_one(claim):
    """Check one claim (or one per-n piece); never raises.  Top level, so it pickles."""
    try:
        return road.check(claim)
    except BadInput as e:
        return Verdict(INCONCLUSIVE, claim.property, {"reason": "bad input: %s" % e}, subject=claim.id)
    except Exception as e:          # a bug must not sink a whole run: report it as undecided
        return Verdict(INCONCLUSIVE, claim.property,
                       {"reason": "internal error: %s: %s" % (type(e).__name__, e),
                        "traceback": traceback.format_exc(limit=6)}, subject=claim.id)


class Progress:
    """One status line per finished job on stderr (rewritten in place on a terminal), in the
    order the jobs were planned: a job that finishes early waits for the ones before it, so the
    per-n lines of a claim come out in the order of n."""

    def __init__(self, total, stream=None, enabled=True):
        self.total, self.done, self.stream, self.enabled = total, 0, stream or sys.stderr, enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.waiting, self.next = {}, 0

    def __call__(self, label, verdict, index=None):
        """Report the job ``index`` (its place in the plan; None: the next one)."""
        index = self.next if index is None else index
        self.waiting[index] = (label, verdict)
        while self.next in self.waiting:
            self._line(*self.waiting.pop(self.next))
            self.next += 1

    def _line(self, label, verdict):
        self.done += 1
        if not self.enabled:
            return
        line = "[%*d/%d] %-44s %-12s %6.2fs" % (len(str(self.total)), self.done, self.total, label,
                                                verdict.status, verdict.seconds)
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def job_label(claim, unit, n_units, shared=()):
    """What a progress line is about: the claim, and for one job of several the sub-check (when
    the job checks another property than the claim, e.g. attractor-threshold's attractor-stable
    job at each n) and its n; ``shared``: the other claims that use this same job."""
    if n_units == 1:
        out = claim.id
    else:
        n = str(unit.n)
        where = "n>=%s (all n at once)" % n[:-2] if n.endswith("..") else "n=%s" % n
        sub = "" if unit.property == claim.property else " " + unit.property
        out = "%s:%s %s" % (claim.id, sub, where)
    if shared:
        out += " (also %s)" % ", ".join(shared)
    return out


def run(claims, executor: Executor | None = None, jobs=None, progress=True, stream=None, cache=None):
    """Check every claim; a list of :class:`Result` in the order of ``claims``.  ``cache``: a
    dict {job key: Verdict} shared between runs (read, and filled with the jobs run here), so
    that claims checked one at a time still run a shared per-n job once."""
    jobs = default_jobs(4) if jobs is None else jobs
    if not isinstance(jobs, int) or jobs < 1:
        raise BadInput("--jobs must be a positive integer, not %r" % (jobs,))
    plan = [(c, split.units(c)) for c in claims]
    flat = [(i, k, u) for i, (_, units) in enumerate(plan) for k, u in enumerate(units)]
    done = {} if cache is None else cache
    jobs_by_key = {}                # identical jobs of different claims run once
    for i, k, u in flat:
        key = registry.job_key(u)
        if key not in done:
            jobs_by_key.setdefault(key, (i, k, u))
    todo = list(jobs_by_key.values())
    tick = Progress(len(todo), stream, progress)
    sharing = {}
    for i, k, u in flat:
        sharing.setdefault(registry.job_key(u), []).append(plan[i][0].id)

    def label(i, u):
        c = plan[i][0]
        others = [x for x in dict.fromkeys(sharing[registry.job_key(u)]) if x != c.id]
        return job_label(c, u, len(plan[i][1]), others)

    place = {id(u): j for j, (_, _, u) in enumerate(todo)}
    results = [None] * len(plan)
    waiting, left = {}, []          # job key -> claims waiting for it; jobs each claim waits for
    for i, (c, units) in enumerate(plan):
        keys = {registry.job_key(u) for u in units} - set(done)
        left.append(len(keys))
        for key in keys:
            waiting.setdefault(key, []).append(i)
        if not keys:
            results[i] = _result(c, units, done)

    def finished(u, v):
        """A job's verdict is in: a claim whose last job it was is decided now, while the
        workers go on with the other jobs (not all at the end, one after the other)."""
        key = registry.job_key(u)
        done[key] = v
        for i in waiting.pop(key, ()):
            left[i] -= 1
            if not left[i]:
                results[i] = _result(*plan[i], done)

    if executor is None and (jobs == 1 or len(todo) <= 1):
        for i, k, u in todo:
            v = run_one(u)
            tick(label(i, u), v, place[id(u)])
            finished(u, v)
    else:
        own = executor is None
        ex = executor or process_pool(jobs)
        # the jobs of claims that are not split go first: the per-n jobs of the split claims are
        # many and short, and fill the workers' time at the end (a long job submitted last
        # would run alone).  Among split claims, those with most jobs go first: combining one
        # takes the kernel time in proportion, and it then overlaps the other claims' jobs.
        # Progress still comes in the planned order.
        first = sorted(todo, key=lambda j: (len(plan[j[0]][1]) > 1, -len(plan[j[0]][1])))
        tasks = {}                  # jobs with one search key go to one worker, in one task
        for j in first:
            sk = split.search_key(j[2])
            tasks.setdefault(id(j) if sk is None else sk, []).append(j)
        try:
            futures = {(ex.submit(run_one, group[0][2]) if len(group) == 1 else
                        ex.submit(run_group, [u for _, _, u in group])): group for group in tasks.values()}
            for f in as_completed(futures):
                group = futures[f]
                try:
                    vs = f.result()
                    vs = [vs] if len(group) == 1 else vs
                except Exception as e:      # a worker killed mid-run: undecided, never proved
                    vs = [Verdict(INCONCLUSIVE, u.property, {"reason": "the job's worker failed: %s: %s"
                                                             % (type(e).__name__, e)}, subject=u.id)
                          for _, _, u in group]
                for (i, k, u), v in zip(group, vs):
                    tick(label(i, u), v, place[id(u)])
                    finished(u, v)
        finally:
            if own:
                ex.shutdown()
    return results


def _result(c, units, done):
    """The claim's Result from its jobs' verdicts (``done``: job key -> verdict)."""
    parts = [split.adopt(u, done[registry.job_key(u)]) for u in units]
    # a single job is the claim's verdict only if it IS the claim: attractor-threshold on
    # n >= 16 runs one attractor-stable job, and the kernel must still decide the threshold
    if len(units) == 1 and registry.job_key(units[0]) == registry.job_key(c):
        v = parts[0]
    else:
        try:
            v = road.combine(c, parts, units)
        except Exception as e:
            v = Verdict(INCONCLUSIVE, c.property, {"reason": "internal error combining per-n "
                                                   "verdicts: %s: %s" % (type(e).__name__, e)})
        v.seconds = sum(p.seconds for p in parts)
    v.subject = c.id
    return Result(c, v)
