"""``bnverify verify`` and ``bnverify verify --full`` on this machine: wall and CPU seconds,
and each claim's seconds.

Each command runs as a user runs it (the installed ``bnverify``, in a subprocess, with
``--json --quiet``).  Its CPU time is that of its whole process tree (the command, the
forkserver, the worker processes), sampled with psutil while it runs: the workers are not
children the command waits for, so the OS's rusage of the command misses them.  Printed per
command: wall and CPU seconds, CPU / wall (how many cores the run kept busy), the target and
wall / target, the load average before and after (other programs on the machine stretch the
wall time, hardly the CPU time), then each claim's seconds (the sum of its jobs' times, as
``verify`` prints them; a job two claims share counts for both) and its share of the sum.

With ``--against DIR`` (a checkout of another commit, e.g. ``git worktree add /tmp/old
<commit>``) each command first runs with DIR's bnverify on the path, then with this one, and
the ratios this / DIR of wall and CPU time are printed: both measured in the same run, under
the same load.

With ``--tests`` the README's test command (``python -m pytest -n 2``, in the checkout, or with
``--against`` in both) is timed too, against its target of 3 minutes; ``--pytest-args`` replaces
its arguments (one string: e.g. one file, to try the option).

Run:  python benchmarks/bench_verify.py [--skip-full] [--jobs 2] [--top 12] [--against DIR] [--tests]
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time

TARGETS = {"verify": 15.0, "verify --full": 60.0, "tests": 180.0}   # seconds on 2 cores (issue 21, item 7)
TEST_COMMAND = ["-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"]


def tree_cpu(pid, stop, out, every=0.05):
    """Fill out[pid'] with the user + system seconds of pid and its descendants until ``stop``."""
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        try:
            procs = [root] + root.children(recursive=True)
        except psutil.NoSuchProcess:
            break
        for p in procs:
            try:
                t = p.cpu_times()
                out[p.pid] = max(out.get(p.pid, 0.0), t.user + t.system)
            except psutil.NoSuchProcess:
                pass
        time.sleep(every)


def timed(argv, cwd=None, env=None):
    """(wall seconds, CPU seconds of the process tree or None, exit code, stdout) of argv."""
    cpu, stop = {}, threading.Event()
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=cwd, env=env)
    try:
        import psutil  # noqa: F401
        sampler = threading.Thread(target=tree_cpu, args=(proc.pid, stop, cpu), daemon=True)
        sampler.start()
    except ImportError:
        sampler = None
    out, _ = proc.communicate()
    wall = time.monotonic() - t0
    stop.set()
    if sampler is not None:
        sampler.join()
    return wall, (sum(cpu.values()) if cpu else None), proc.returncode, out


def run_tests(path, args):
    """The README's test command in the checkout ``path``: (wall, CPU, pytest's last line)."""
    wall, cpu, code, out = timed([sys.executable] + TEST_COMMAND + args, cwd=path,
                                 env=dict(os.environ, PYTHONPATH=path))
    last = (out.strip().splitlines() or ["(no output)"])[-1]
    if code not in (0, 1):
        raise SystemExit("pytest in %s exited with %d: %s" % (path, code, last))
    return wall, cpu, last


def run(args, path=None):
    """(wall seconds, CPU seconds or None, the JSON document) of ``bnverify <args>``, with the
    bnverify of the checkout ``path`` first on the path if given."""
    exe = shutil.which("bnverify") or os.path.join(os.path.dirname(sys.executable), "bnverify")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([path] + ([os.environ["PYTHONPATH"]]
                                                                if os.environ.get("PYTHONPATH") else []))) \
        if path else None
    wall, cpu, code, out = timed([exe] + args + ["--json", "--quiet"], env=env)
    if code != 0:
        raise SystemExit("bnverify %s exited with %d" % (" ".join(args), code))
    return wall, cpu, json.loads(out)


def report(name, wall, cpu, doc, load0, load1, top):
    rows = sorted(doc["claims"], key=lambda r: -r["seconds"])
    total = sum(r["seconds"] for r in rows)
    print("bnverify %s: wall %.1f s, CPU %s (CPU / wall %s), target %.0f s (wall / target %.2f); "
          "load average %.2f before, %.2f after; %d claims, %d as expected"
          % (name, wall, "%.1f s" % cpu if cpu is not None else "n/a (no psutil)",
             "%.2f" % (cpu / wall) if cpu is not None else "n/a", TARGETS[name], wall / TARGETS[name],
             load0, load1, len(rows), sum(r["ok"] for r in rows)))
    if top:
        print("  %-28s %9s %7s" % ("claim (slowest first)", "seconds", "share"))
        for r in rows[:top]:
            print("  %-28s %9.2f %6.1f%%" % (r["id"], r["seconds"], 100 * r["seconds"] / total if total else 0))
        print("  %-28s %9.2f" % ("sum over claims", total))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-full", action="store_true", help="only bnverify verify")
    ap.add_argument("--jobs", type=int, default=None, help="passed to verify (default: its own)")
    ap.add_argument("--top", type=int, default=12, help="claims listed per command (the slowest)")
    ap.add_argument("--against", metavar="DIR", help="also run DIR's bnverify (another checkout) and "
                    "print the ratios this / DIR")
    ap.add_argument("--tests", action="store_true", help="also time the README's test command "
                    "(python -m pytest -n 2) in the checkout (and in DIR with --against)")
    ap.add_argument("--pytest-args", default="", metavar="ARGS",
                    help="arguments for that pytest run instead of the whole suite, one string "
                         "(--pytest-args='tests/test_claims.py -k search')")
    a = ap.parse_args()
    extra = ["--jobs", str(a.jobs)] if a.jobs else []
    print("machine: %d CPUs, python %s" % (os.cpu_count() or 0, sys.version.split()[0]))
    walls = {}
    for name in ["verify"] + ([] if a.skip_full else ["verify --full"]):
        got = {}
        for who, path in ([("against", os.path.abspath(a.against))] if a.against else []) + [("this", None)]:
            load0 = os.getloadavg()[0]
            wall, cpu, doc = run(name.split() + extra, path)
            got[who] = (wall, cpu)
            print("\n[%s]" % (path or "this checkout"))
            report(name, wall, cpu, doc, load0, os.getloadavg()[0], a.top)
        walls[name] = got["this"][0]
        if a.against:
            (w0, c0), (w1, c1) = got["against"], got["this"]
            print("\n%s, this / %s: wall %.2f, CPU %s" % (name, a.against, w1 / w0,
                                                        "%.2f" % (c1 / c0) if c0 and c1 else "n/a"))
    if len(walls) == 2:
        print("\nverify --full / verify (wall): %.2f" % (walls["verify --full"] / walls["verify"]))
    if a.tests:
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        got = {}
        for who, path in ([("against", os.path.abspath(a.against))] if a.against else []) + [("this", here)]:
            load0 = os.getloadavg()[0]
            wall, cpu, last = run_tests(path, shlex.split(a.pytest_args))
            got[who] = (wall, cpu)
            print("\n[%s] python %s %s: wall %.1f s, CPU %s, target %.0f s (wall / target %.2f); load average "
                  "%.2f before, %.2f after; %s" % (path, " ".join(TEST_COMMAND), a.pytest_args, wall,
                                                   "%.1f s" % cpu if cpu is not None else "n/a", TARGETS["tests"],
                                                   wall / TARGETS["tests"], load0, os.getloadavg()[0], last))
        if a.against:
            (w0, c0), (w1, c1) = got["against"], got["this"]
            print("\ntests, this / %s: wall %.2f, CPU %s" % (a.against, w1 / w0,
                                                            "%.2f" % (c1 / c0) if c0 and c1 else "n/a"))


if __name__ == "__main__":
    main()
