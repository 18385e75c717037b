"""Mutation testing of the trusted checker (bnverify/trusted/).

    .venv/bin/python tests/mutation/run.py [--jobs N] [--json] [--only ID ...] [--tests PATH ...]
                                           [--head] [--no-baseline] [--keep] [--timeout S]

Each mutant of ``mutants.toml`` (file, exact old text, new text, why; ``equivalent`` says why
no test can tell it apart) is applied to a COPY of the repository in a temporary directory,
never to this checkout.  A snapshot is taken once, at the start (the working tree without
.venv, .git and caches, or with ``--head`` the last commit, ``git archive HEAD``), so that
edits made to the checkout during a run do not leak into it; every mutant (and the
baseline) gets its own copy of the snapshot.  The killing tests run in the copy with
PYTHONPATH pointing at it, and the copy gets a ``.venv/bin/bnverify`` that runs
``python -m bnverify`` from the copy, so the soundness corpus (tests/soundness/tally.py runs
``ROOT/.venv/bin/bnverify``) runs the mutant too.  Both are verified before the tests run.

A mutant is *killed* when the tests fail (or time out), *survived* when they pass.  An old
text that does not occur exactly once is a harness error, never a survivor; so is a copy
whose unmutated tests (the baseline) do not pass.  The kill rate counts the mutants that
are not marked equivalent.  Exit status: 0 every such mutant killed, 1 some survived,
2 harness error.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MUTANTS = HERE / "mutants.toml"
TESTS = ["tests/test_trusted.py", "tests/test_forgery.py", "tests/test_forgery_redteam.py",
         "tests/test_soundness_pass3.py", "tests/test_redteam_pass3.py", "tests/test_directions.py",
         "tests/test_rs_response.py", "tests/test_redteam_pass4.py", "tests/test_leaky_range.py",
         "tests/test_bsb1_goal.py", "tests/test_classify_alln.py", "tests/test_redteam_classify.py",
         "tests/test_twopoint.py", "tests/test_redteam_twopoint.py", "tests/test_redteam_twopoint2.py",
         "tests/test_redteam_simplex.py", "tests/test_redteam_none.py",
         "tests/test_after_activation.py", "tests/test_rs_then_nl.py", "tests/test_rs_on.py",
         "tests/test_redteam_simplex_cover.py", "tests/test_formula_kernel.py",
         "tests/test_abs.py", "tests/test_roots.py", "tests/test_redteam_formula.py", "tests/test_redteam_abs.py",
         "tests/test_redteam_roots.py", "tests/test_spread_kernel.py", "tests/test_spread_cover.py",
         "tests/test_redteam_spread.py", "tests/test_spread_radius.py", "tests/test_redteam_radius3.py",
         "tests/soundness/test_corpus.py",
         # the two-point's straddling near-zero bound (twopoint._near_zero, the straddle-* mutants)
         "tests/test_redteam_straddle.py", "tests/test_redteam_final.py",
         # the scale that grows (grow items), the parity lemma, n = 3's point for tanh and sigmoid
         "tests/test_grow.py", "tests/test_redteam_grow.py", "tests/test_parity_lemma.py",
         "tests/test_redteam_parity.py", "tests/test_redteam_trace.py", "tests/test_spread_point_odd.py",
         "tests/test_redteam_odd3.py", "tests/test_redteam_flat.py",
         # the spread-none covers of tanh and sigmoid (spreadfam.py's ODD branch)
         "tests/test_spread_odd_cover.py", "tests/test_redteam_odd4.py",
         # spread-box: Krawczyk in the symmetric family (trusted/spreadbox.py)
         "tests/test_spread_box.py", "tests/test_redteam_box.py", "tests/test_spread_blocks.py",
         # gelu's spread-none covers (spreadfam.gelu_bound, m_piece, the B and Z leaves) and the threshold
         "tests/test_spread_gelu_cover.py", "tests/test_redteam_gelu_cover.py",
         # the D and g leaves of spread-none covers, elu's integral price (spreadfam-diff-*, rtcells-*)
         "tests/test_spread_diff_leaf.py", "tests/test_redteam_cells.py",
         # two-point roots far out: the bracket's cap, softplus's t > 0 branch
         "tests/test_far_roots.py",
         # the stage ablation's trusted goals (trusted/stages.py) are attacked in test_decompose
         "tests/test_decompose.py::test_proved_rows_are_the_kernels_goal_and_recheck_from_their_certificates",
         "tests/test_decompose.py::test_relabelled_and_tampered_row_certificates_are_rejected",
         "tests/test_trusted.py::test_stages_twin"]
KEYS = {"id", "file", "old", "new", "why", "equivalent"}
IGNORE = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", ".hypothesis",
                                "*.egg-info", "*.pyc")


class HarnessError(Exception):
    pass


def python():
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


# ---------------------------------------------------------------- the mutants
def load_mutants(path=MUTANTS):
    """The list of mutants (dicts), checked for shape (HarnessError otherwise)."""
    with open(path, "rb") as f:
        mutants = tomllib.load(f).get("mutant", [])
    seen = set()
    for m in mutants:
        if not isinstance(m, dict) or not {"id", "file", "old", "new", "why"} <= set(m) or set(m) - KEYS:
            raise HarnessError("mutant %r: needs id, file, old, new, why (and perhaps equivalent)" % (m,))
        if not all(isinstance(m[k], str) for k in m) or not m["why"].strip() or m["old"] == m["new"]:
            raise HarnessError("mutant %s: fields are strings, why is given, new differs from old" % m["id"])
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", m["id"]) or m["id"] in seen:
            raise HarnessError("mutant id %r is malformed or repeated" % m["id"])
        if not re.fullmatch(r"bnverify/trusted/[a-z_]+\.py", m["file"]):
            raise HarnessError("mutant %s: %s is not a file of bnverify/trusted/" % (m["id"], m["file"]))
        seen.add(m["id"])
    return mutants


def occurrences(m, root=ROOT):
    return (Path(root) / m["file"]).read_text(encoding="utf-8").count(m["old"])


def mutate(m, root):
    """Apply a mutant in the copy at root (HarnessError unless its old text occurs once)."""
    p = Path(root) / m["file"]
    text = p.read_text(encoding="utf-8")
    if text.count(m["old"]) != 1:
        raise HarnessError("mutant %s: its old text occurs %d times in %s (must be exactly once)"
                           % (m["id"], text.count(m["old"]), m["file"]))
    p.write_text(text.replace(m["old"], m["new"]), encoding="utf-8")


# ---------------------------------------------------------------- the copy
def snapshot(dest, head=False):
    """The repository as it is now (working tree, or HEAD) at dest."""
    dest = Path(dest)
    if head:
        dest.mkdir(parents=True)
        arch = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"],
                              capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=arch, check=True)
    else:
        shutil.copytree(ROOT, dest, ignore=IGNORE)
    return dest


def make_copy(dest, source):
    """A copy of the snapshot at dest, with a bnverify wrapper of its own."""
    dest = Path(dest)
    shutil.copytree(source, dest, ignore=IGNORE)
    wrapper = dest / ".venv" / "bin" / "bnverify"
    wrapper.parent.mkdir(parents=True, exist_ok=True)
    wrapper.write_text("#!/bin/sh\nPYTHONPATH='%s' exec '%s' -m bnverify \"$@\"\n" % (dest, python()))
    wrapper.chmod(0o755)
    return dest


def environment(copy):
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    return env


def verify_copy(copy):
    """The copy's bnverify is the one imported, and tally runs the copy's wrapper."""
    probe = ("import sys, bnverify; sys.path.insert(0, 'tests/soundness'); import tally; "
             "print(bnverify.__file__); print(tally.executable()[0])")
    out = subprocess.run([python(), "-c", probe], cwd=copy, env=environment(copy), capture_output=True,
                         text=True, timeout=120)
    lines = out.stdout.split()
    if out.returncode != 0 or len(lines) != 2:
        raise HarnessError("cannot import bnverify in the copy: %s" % (out.stderr.strip()[-500:],))
    imported, exe = (Path(x).resolve() for x in lines)
    if not imported.is_relative_to(Path(copy).resolve()):
        raise HarnessError("the copy imports %s, not its own bnverify" % imported)
    if exe != (Path(copy) / ".venv" / "bin" / "bnverify").resolve():
        raise HarnessError("tally.executable() runs %s, not the copy's wrapper" % exe)
    return str(imported)


def run_tests(copy, tests, timeout):
    """(status, seconds, first failure, output tail): killed / survived / timeout."""
    # slow tests marked "mutation" too: long for every run of the suite, but they kill mutants
    cmd = [python(), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", "not slow or mutation", *tests]
    t = time.monotonic()
    try:
        out = subprocess.run(cmd, cwd=copy, env=environment(copy), capture_output=True, text=True,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - t, None, ""
    secs = time.monotonic() - t
    text = out.stdout + out.stderr
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", text, re.M)
    if out.returncode == 0:
        return "survived", secs, None, ""
    if out.returncode == 5:
        raise HarnessError("no tests collected: %s" % " ".join(tests))
    return "killed", secs, failed[0] if failed else "pytest exit %d" % out.returncode, "\n".join(
        text.strip().splitlines()[-15:])


def run_one(m, source, tests, timeout, keep=False):
    """The result of one mutant (m None: the baseline, unmutated) on a copy of source."""
    tmp = Path(tempfile.mkdtemp(prefix="bnverify-mut-"))
    copy = tmp / "repo"
    name = m["id"] if m else "baseline"
    try:
        make_copy(copy, source)
        if m:
            mutate(m, copy)
        imported = verify_copy(copy)
        status, secs, by, tail = run_tests(copy, tests, timeout)
        return {"id": name, "file": m["file"] if m else None, "status": status, "seconds": round(secs, 1),
                "killed_by": by, "equivalent": m.get("equivalent") if m else None,
                "why": m["why"] if m else None, "imported": imported, "tail": tail}
    except HarnessError as e:
        return {"id": name, "status": "harness-error", "error": str(e), "equivalent": m and m.get("equivalent")}
    except Exception as e:              # noqa: BLE001 - a harness bug is reported, never a survivor
        return {"id": name, "status": "harness-error", "error": "%s: %s" % (type(e).__name__, e),
                "equivalent": m and m.get("equivalent")}
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- the run
def summary(results):
    real = [r for r in results if not r.get("equivalent")]
    killed = [r for r in real if r["status"] in ("killed", "timeout")]
    return {"mutants": len(results), "non_equivalent": len(real), "killed": len(killed),
            "kill_rate": round(len(killed) / len(real), 4) if real else None,
            "survived": [r["id"] for r in real if r["status"] == "survived"],
            "equivalent": [r["id"] for r in results if r.get("equivalent")],
            "equivalent_but_killed": [r["id"] for r in results if r.get("equivalent") and r["status"] == "killed"],
            "harness_errors": [r["id"] for r in results if r["status"] == "harness-error"]}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=1, help="mutants run in parallel (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--only", nargs="+", metavar="ID", help="run these mutants only")
    p.add_argument("--tests", nargs="+", default=TESTS, metavar="PATH", help="killing tests (default: %s)"
                   % " ".join(TESTS))
    p.add_argument("--head", action="store_true", help="copy the last commit, not the working tree")
    p.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    p.add_argument("--keep", action="store_true", help="keep the temporary copies")
    p.add_argument("--timeout", type=float, default=900, help="seconds per mutant (default 900)")
    p.add_argument("--list", action="store_true", help="list the mutants and exit")
    a = p.parse_args(argv)
    if a.jobs < 1:
        p.error("--jobs must be at least 1")
    return a


def main(argv=None):
    args = parse_args(argv)
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, flush=True))
    try:
        mutants = load_mutants()
    except (HarnessError, tomllib.TOMLDecodeError) as e:
        print("harness error: %s" % e, file=sys.stderr)
        return 2
    if args.only:
        unknown = set(args.only) - {m["id"] for m in mutants}
        if unknown:
            print("harness error: no mutants %s" % ", ".join(sorted(unknown)), file=sys.stderr)
            return 2
        mutants = [m for m in mutants if m["id"] in args.only]
    if args.list:
        for m in mutants:
            print("%-32s %-26s %s%s" % (m["id"], m["file"], m["why"], "  [equivalent]" if m.get("equivalent") else ""))
        return 0
    t0 = time.monotonic()
    snap = Path(tempfile.mkdtemp(prefix="bnverify-mut-snapshot-"))
    try:
        source = snapshot(snap / "repo", args.head)
        return run(args, mutants, source, say, t0)
    finally:
        shutil.rmtree(snap, ignore_errors=True)


def run(args, mutants, source, say, t0):
    bad = [(m["id"], occurrences(m, source)) for m in mutants if occurrences(m, source) != 1]
    if bad:
        for i, k in bad:
            print("harness error: mutant %s: its old text occurs %d times (must be exactly once)" % (i, k),
                  file=sys.stderr)
        return 2
    baseline = None
    if not args.no_baseline:
        say("baseline (no mutant): %s" % " ".join(args.tests))
        baseline = run_one(None, source, args.tests, args.timeout, args.keep)
        say("  %s in %.1fs (bnverify from %s)" % ("passed" if baseline["status"] == "survived" else
                                                 baseline["status"], baseline.get("seconds", 0),
                                                 baseline.get("imported", "?")))
        if baseline["status"] != "survived":
            detail = baseline.get("error") or "%s\n%s" % (baseline.get("killed_by"), baseline.get("tail"))
            print("harness error: the unmutated tests do not pass: %s" % detail, file=sys.stderr)
            return 2
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futures = {ex.submit(run_one, m, source, args.tests, args.timeout, args.keep): m for m in mutants}
        for f in concurrent.futures.as_completed(futures):
            r = f.result()
            results.append(r)
            say("%-13s %-32s %7.1fs  %s" % (r["status"] + (" (equiv.)" if r.get("equivalent") else ""), r["id"],
                                            r.get("seconds", 0), r.get("killed_by") or r.get("error") or ""))
    order = {m["id"]: i for i, m in enumerate(mutants)}
    results.sort(key=lambda r: order[r["id"]])
    s = summary(results)
    s["seconds"] = round(time.monotonic() - t0, 1)
    if args.json:
        print(json.dumps({"summary": s, "baseline": baseline, "results": results}, indent=1))
    else:
        say("")
        say("killed %d of %d non-equivalent mutants (%.1f%%); %d equivalent (%s); %.0fs"
            % (s["killed"], s["non_equivalent"], 100 * (s["kill_rate"] or 0), len(s["equivalent"]),
               ", ".join(s["equivalent"]) or "none", s["seconds"]))
        for r in results:
            if r["status"] == "survived" and not r.get("equivalent"):
                say("SURVIVED %s (%s): %s" % (r["id"], r["file"], r["why"]))
            if r["status"] == "harness-error":
                say("HARNESS ERROR %s: %s" % (r["id"], r["error"]))
            if r.get("equivalent") and r["status"] == "killed":
                say("NOT EQUIVALENT %s: marked equivalent but killed by %s" % (r["id"], r["killed_by"]))
    if s["harness_errors"]:
        return 2
    return 1 if s["survived"] else 0


if __name__ == "__main__":
    sys.exit(main())
