"""The one place that makes local process pools.

Workers are started by a fresh server process ("forkserver"; "spawn" where that is not
available), never forked from the caller: z3 and flint keep native state that does not
survive a fork of a process that has used them (z3 segfaulted in forked pytest workers).
Any ``concurrent.futures.Executor`` (a thread pool, Dask's ``client.get_executor()``) can be
passed wherever a pool is taken instead.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import types
from concurrent.futures import ProcessPoolExecutor


def default_jobs(cap=2):
    """Workers when none are asked for: $BNVERIFY_JOBS if it is set (1 runs every job in this process, no pool),
    else the cpu count, at most ``cap``."""
    env = os.environ.get("BNVERIFY_JOBS")
    if env is not None:
        if not (env.isascii() and env.isdigit() and 1 <= int(env) <= 64):
            from .errors import BadInput
            raise BadInput("BNVERIFY_JOBS=%r: a number of workers, 1..64" % env[:20])
        return int(env)
    return max(1, min(cap, os.cpu_count() or 1))


def process_pool(jobs=None):
    """A ProcessPoolExecutor with ``jobs`` workers (default: min(2, cpu count)) that never
    re-import the caller's ``__main__`` (see :class:`LibraryPool`)."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return LibraryPool(max_workers=jobs or default_jobs(), mp_context=ctx)


class LibraryPool(ProcessPoolExecutor):
    """Workers for bnverify's own top-level functions, safe to create from a plain script.

    A "spawn" or "forkserver" worker normally re-runs the caller's main script to find
    functions defined there; a script that calls ``bnverify.verify()`` without an
    ``if __name__ == "__main__":`` guard would then start pools inside its own workers and
    die with BrokenProcessPool.  The jobs bnverify submits are functions of bnverify, so the
    main script is not needed: while a worker is started (the pool starts them inside
    ``submit``), ``__main__.__spec__`` names ``__main__`` itself, the case in which
    multiprocessing's preparation of a worker skips re-importing it (``spawn.prepare`` with
    ``init_main_from_name == "__main__"``; tests/test_api.py runs such a script).  Functions defined in a script's
    ``__main__`` cannot be submitted to this pool."""

    def submit(self, fn, /, *args, **kwargs):
        main = sys.modules.get("__main__")
        if main is None:
            return super().submit(fn, *args, **kwargs)
        saved = getattr(main, "__spec__", None)
        main.__spec__ = types.SimpleNamespace(name="__main__")
        try:
            return super().submit(fn, *args, **kwargs)
        finally:
            main.__spec__ = saved


EXECUTORS = ("process", "dask")


class DaskExecutor:
    """Dask's ``concurrent.futures`` executor on a ``distributed.Client``: the scheduler at
    ``address``, or a LocalCluster of ``jobs`` single-threaded worker processes.  Shutting it
    down closes the client (and the cluster it started)."""

    def __init__(self, address=None, jobs=None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError("--executor dask needs the optional extra: pip install 'bnverify[dask]'")
        self.cluster = None
        if address:
            self.client = Client(address, timeout=30)
        else:
            self.cluster = LocalCluster(n_workers=jobs or default_jobs(), threads_per_worker=1,
                                        processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
        self._ex = self.client.get_executor(pure=False)

    def submit(self, fn, *args, **kwargs):
        return self._ex.submit(fn, *args, **kwargs)

    def map(self, fn, *iterables, **kwargs):
        return self._ex.map(fn, *iterables, **kwargs)

    def shutdown(self, wait=True, **_):
        self._ex.shutdown(wait=wait)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()


def add_executor_arguments(p):
    """--executor process|dask and --scheduler ADDRESS, for commands that fan jobs out."""
    p.add_argument("--executor", choices=EXECUTORS, default="process",
                   help="where independent jobs run: local worker processes (default) or Dask "
                        "(pip install 'bnverify[dask]'); with dask and no --scheduler a LocalCluster "
                        "of --jobs workers is started")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="with --executor dask: a running scheduler, e.g. tcp://10.0.0.5:8786")


def executor_for(args, jobs):
    """The executor the command-line options ask for: None means the caller's own default
    (a local process pool); a DaskExecutor for --executor dask.  The caller shuts it down."""
    kind = getattr(args, "executor", "process")
    if getattr(args, "scheduler", None) and kind != "dask":
        from .errors import BadInput
        raise BadInput("--scheduler needs --executor dask")
    if kind != "dask":
        return None
    try:
        return DaskExecutor(getattr(args, "scheduler", None), jobs)
    except RuntimeError as e:
        from .errors import BadInput
        raise BadInput(str(e))
    except OSError as e:
        from .errors import BadInput
        raise BadInput("--scheduler %s: cannot connect: %s" % (args.scheduler, e))
