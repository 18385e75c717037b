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
from concurrent.futures import ProcessPoolExecutor


def default_jobs(cap=2):
    """Workers when none are asked for: the cpu count, at most ``cap``."""
    return max(1, min(cap, os.cpu_count() or 1))


def process_pool(jobs=None):
    """A ProcessPoolExecutor with ``jobs`` workers (default: min(2, cpu count))."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=jobs or default_jobs(), mp_context=ctx)
