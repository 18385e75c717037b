"""Per-n sweeps through a ``concurrent.futures`` executor, the threshold n of a sweep,
and the fold bracketed in real n by classification at both ends.
"""
from __future__ import annotations

from fractions import Fraction

from ..core.activations import Activation
from ..core.verdict import INCONCLUSIVE, PROVED, REFUTED, Verdict, stopwatch
from .balls import _frac_str
from .curve import classify
from .states import certify_attractor, certify_simplex


class InlineExecutor:
    """A concurrent.futures-style executor that runs each job at submit time, in process."""

    def submit(self, fn, *a, **kw):
        from concurrent.futures import Future

        f = Future()
        try:
            f.set_result(fn(*a, **kw))
        except BaseException as e:      # delivered by f.result(), as a pool would
            f.set_exception(e)
        return f

    def shutdown(self, wait=True):
        pass


def _default_executor():
    from ..parallel import default_jobs, process_pool

    return InlineExecutor() if default_jobs() == 1 else process_pool()


def sweep(fn, ns, act, executor=None, progress=None, **kw):
    """[fn(n, act, **kw) for n in ns] through a concurrent.futures Executor (local processes
    by default; pass e.g. a Dask executor to spread a long sweep).  ``progress(done, total,
    verdict)`` is called as results arrive."""
    from concurrent.futures import as_completed

    ns = list(ns)
    own = executor is None
    ex = _default_executor() if own else executor
    try:
        futs = {ex.submit(fn, n, act, **kw): n for n in ns}
        out = {}
        for k, f in enumerate(as_completed(futs), 1):
            out[futs[f]] = f.result()
            if progress:
                progress(k, len(ns), out[futs[f]])
    finally:
        if own:
            ex.shutdown()
    return [out[n] for n in ns]


def attractor_sweep(ns, act=Activation("relu"), executor=None, progress=None, prec=128):
    return sweep(certify_attractor, ns, act, executor, progress, prec=prec)


def simplex_sweep(ns, act=Activation("relu"), executor=None, progress=None, prec=128):
    return sweep(certify_simplex, ns, act, executor, progress, prec=prec)


def threshold(verdicts):
    """From per-n attractor verdicts (consecutive n, any order): the smallest n0 such that
    the attractor is proved for every n >= n0 in the list, and whether every n < n0 in the
    list is proved absent (refuted).  Returns (n0 or None, all_below_refuted)."""
    by_n = sorted(((v.evidence.get("n"), v) for v in verdicts), key=lambda p: int(p[0]))
    n0 = None
    for n, v in reversed(by_n):
        if v.status != PROVED:
            break
        n0 = int(n)
    below = [v for n, v in by_n if n0 is None or int(n) < n0]
    return n0, all(v.status == REFUTED for v in below)


def locate_fold(n_lo, n_hi, act=Activation("relu"), prec=128):
    """Bracket the fold (saddle-node) in real n: at n_hi the reduction curve has solutions
    besides the simplex and O_n (isolated and certified); at n_lo it has none (proved by
    :func:`classify`).  n_lo, n_hi: Fractions (dyadic ones are exact in arb)."""
    n_lo, n_hi = Fraction(n_lo), Fraction(n_hi)
    with stopwatch() as t:
        lo = classify(n_lo, act, prec)
        hi = classify(n_hi, act, prec)
    kinds = lambda v: [f["kind"] for f in v.evidence["fixed_points"]]
    ev = {"n_lo": _frac_str(n_lo), "n_hi": _frac_str(n_hi), "at_n_lo": lo.evidence["fixed_points"],
          "at_n_hi": hi.evidence["fixed_points"],
          "statement": "at n_lo the only symmetric fixed points are the simplex and O_n; at n_hi "
                       "two more exist (a saddle and the spread-cluster state), so they are born "
                       "in a fold at some n in (n_lo, n_hi)"}
    ok = (lo.status == PROVED and hi.status == PROVED and "root" not in kinds(lo)
          and kinds(hi).count("root") == 2)
    if ok:
        return Verdict(PROVED, "classification at both ends", ev, t(),
                       {"kind": "fold", "at_n_lo": lo.certificate, "at_n_hi": hi.certificate})
    return Verdict(INCONCLUSIVE, "classification at both ends", dict(ev, reason="bracket not certified"), t())
