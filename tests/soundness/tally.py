"""Run the soundness corpus through the installed ``bnverify check`` and tally the verdicts.

    python tests/soundness/tally.py [--jobs J] [--only-false] [--form flag|file|both] [--json]

Every case of ``corpus.toml`` is run as a subprocess of the CLI (``.venv/bin/bnverify`` of
this checkout, else ``bnverify`` on PATH), in its flag form (``bnverify check ARGS --json``)
and/or its file form (``bnverify check FILE.toml --json``, the claim written by
:func:`claim_toml`).  A run that exceeds the per-case timeout (60 s) counts as inconclusive.
Counts are per run (case x form); cases marked ``file_only`` run in the file form only.
The tests (test_corpus.py) run the same arguments through ``bnverify.cli.main`` in their own
process (:func:`run_case_in_process`), read by the same :func:`classify`.

Prints, exactly::

    false proved 0/F · true proved T/N · inconclusive I

then one ``UNSOUND`` line per false statement that came out proved, one ``NOT PROVED`` line
per true statement that did not, and ``NOT A USAGE ERROR`` lines for cases that must be
rejected (exit 2) but were not.  Exit status 1 iff a false statement was proved.
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
CORPUS = HERE / "corpus.toml"
TIMEOUT = 60.0
EXIT = {0: "proved", 1: "refuted", 3: "inconclusive", 2: "usage-error"}

# flags of the corpus -> where the file form puts them
_LIST_FLAGS = {"decay", "grow"}                 # repeatable, gathered into a list
_PARAM_FLAGS = {"relation", "bound", "state", "value", "eigenvalues", "lo", "hi", "layers", "seeds", "basin", "points"}
_INT_PARAMS = {"layers", "seeds"}


# ---------------------------------------------------------------- the corpus
def load_corpus(path=CORPUS):
    """The list of cases (dicts: id, truth, why, args, usage_error?, file_only?)."""
    with open(path, "rb") as f:
        return tomllib.load(f)["case"]


def parse_args(args):
    """Flag list -> {flag: value} (repeatable flags -> list).  ValueError on anything else."""
    out, i = {}, 0
    while i < len(args):
        a = args[i]
        if not a.startswith("--") or i + 1 >= len(args):
            raise ValueError("expected '--flag value' at %r in %r" % (a, args))
        key, val = a[2:], args[i + 1]
        if key in _LIST_FLAGS:
            out.setdefault(key, []).append(val)
        elif key in out:
            raise ValueError("flag --%s given twice in %r" % (key, args))
        else:
            out[key] = val
        i += 2
    return out


def flag_argv(args):
    """'--flag value' pairs as '--flag=value', so that a value starting with '-' (-4/5) is not
    read as a flag, the way a user types it."""
    return ["%s=%s" % (args[i], args[i + 1]) for i in range(0, len(args), 2)]


def claim_dict(case):
    """The claim (schema of docs/claims-schema.md) that the case's flags describe."""
    fl = parse_args(case["args"])
    known = {"stages", "activation", "alpha", "weight-var", "n", "property", "width"} | _PARAM_FLAGS | _LIST_FLAGS
    unknown = set(fl) - known
    if unknown:
        raise ValueError("case %s: flags with no file form: %s" % (case["id"], sorted(unknown)))
    cid = "soundness-" + case["id"]
    model, domain, params = {}, {}, {}
    if "stages" in fl:
        model["stages"] = fl["stages"]
    if "activation" in fl:                          # a user formula beside stages of rc / rs only
        model["activation"] = {"formula": fl["activation"]}
    if "alpha" in fl:
        (domain if ".." in fl["alpha"] else model)["alpha"] = fl["alpha"]
    if "weight-var" in fl:
        model["weight_var"] = fl["weight-var"]
    if "n" in fl:
        domain["n"] = fl["n"]
    if "width" in fl:
        domain["width"] = fl["width"]
    prop = fl.get("property", "")
    for k in sorted(_PARAM_FLAGS | _LIST_FLAGS):
        if k not in fl:
            continue
        v = fl[k]
        if k == "eigenvalues":
            v = [[p.split(":", 1)[0].strip(), p.split(":", 1)[1].strip()] if ":" in p else [p.strip()]
                 for p in v.split(",") if p.strip()]
        elif k in _INT_PARAMS or (k == "value" and prop == "attractor-threshold" and re.fullmatch(r"\d+", v)):
            v = int(v)
        params[k] = v
    d = {"id": cid,
         "title": "soundness corpus case %s" % case["id"],
         "statement": case["why"],
         "property": prop,
         "expect": "proved" if case["truth"] == "true" else "refuted",
         "model": model, "domain": domain}
    if params:
        d["params"] = params
    return d


def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)        # a valid TOML basic string
    if isinstance(v, list):
        return "[%s]" % ", ".join(_toml_value(x) for x in v)
    if isinstance(v, dict):
        return "{%s}" % ", ".join("%s = %s" % (k, _toml_value(x)) for k, x in v.items())
    raise TypeError(v)


def claim_toml(case):
    """(file name, TOML text) of the case's claim file."""
    d = claim_dict(case)
    lines = ["%s = %s" % (k, _toml_value(d[k])) for k in ("id", "title", "statement", "property", "expect")]
    for table in ("model", "domain", "params"):
        if table in d:
            lines += ["", "[%s]" % table] + ["%s = %s" % (k, _toml_value(v)) for k, v in d[table].items()]
    return d["id"] + ".toml", "\n".join(lines) + "\n"


# ---------------------------------------------------------------- running
def executable():
    for cand in (ROOT / ".venv" / "bin" / "bnverify",):
        if cand.exists():
            return [str(cand)]
    found = shutil.which("bnverify")
    if found:
        return [found]
    return [sys.executable, "-m", "bnverify"]


def forms_of(case, form):
    """The forms a case runs in: file_only cases have no flag form."""
    want = ("flag", "file") if form == "both" else (form,)
    return [f for f in want if not (f == "flag" and case.get("file_only"))]


def check_argv(case, form, workdir):
    """The arguments after ``bnverify`` of one run: the flag form, or the claim file (written
    into ``workdir``) for the file form."""
    if form == "flag":
        return ["check"] + flag_argv(case["args"]) + ["--json"]
    name, text = claim_toml(case)
    path = Path(workdir) / name
    path.write_text(text, encoding="utf-8")
    return ["check", str(path), "--json"]


def run_case(case, form, exe=None, workdir=None, timeout=TIMEOUT):
    """One run as a subprocess of the installed CLI: a dict with id, form, truth, verdict
    (proved | refuted | inconclusive | usage-error | error), exit code, reason and seconds.
    A timeout is inconclusive."""
    exe = exe or executable()
    workdir = workdir if workdir is not None else tempfile.mkdtemp(prefix="bnv-soundness-")
    cmd = exe + check_argv(case, form, workdir)
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=str(ROOT),
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return dict(_run_of(case, form), verdict="inconclusive", exit=None, reason="timeout after %g s" % timeout,
                    seconds=round(time.monotonic() - t0, 2))
    return classify(case, form, p.returncode, p.stdout, p.stderr, time.monotonic() - t0)


def run_case_in_process(case, form, workdir, timeout=TIMEOUT):
    """The same run through ``bnverify.cli.main`` in this process (stdout and stderr captured),
    classified as :func:`run_case` classifies the subprocess: what the tests run, without a
    Python start-up per case.  A run cannot be stopped here, but one that took longer than
    ``timeout`` counts as inconclusive, as the subprocess's timeout does.  Not thread-safe (it
    redirects sys.stdout)."""
    import contextlib
    import io

    from bnverify import cli

    argv = check_argv(case, form, workdir)
    out, err = io.StringIO(), io.StringIO()
    t0 = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as e:         # argparse's own usage errors
            code = e.code
    seconds = time.monotonic() - t0
    if seconds > timeout:
        return dict(_run_of(case, form), verdict="inconclusive", exit=code, seconds=round(seconds, 2),
                    reason="took %.1f s, over the timeout of %g s" % (seconds, timeout))
    return classify(case, form, code, out.getvalue(), err.getvalue(), seconds)


def _run_of(case, form):
    return {"id": case["id"], "form": form, "truth": case["truth"], "why": case["why"],
            "args": case["args"], "usage_error": bool(case.get("usage_error"))}


def classify(case, form, returncode, stdout, stderr, seconds):
    """The run's verdict from its exit code and its JSON, soundness first: proved if either
    says so; a usage error by exit code 2; else the verdict they agree on ("error" if not)."""
    res = dict(_run_of(case, form), seconds=round(seconds, 2), exit=returncode)
    verdict, reason = None, None
    try:
        j = json.loads(stdout)
        verdict = j.get("verdict")
        reason = (j.get("evidence") or {}).get("reason")
    except (ValueError, AttributeError):
        pass
    by_exit = EXIT.get(returncode)
    if "proved" in (verdict, by_exit):
        final = "proved"
    elif by_exit == "usage-error":
        final = "usage-error"
        reason = (stderr.strip().splitlines() or [""])[-1][:300]
    elif verdict in ("refuted", "inconclusive") and by_exit in (verdict, None):
        final = verdict
    elif by_exit in ("refuted", "inconclusive") and verdict is None:
        final = by_exit
    else:
        final = "error"
        reason = "exit %s, verdict %r: %s" % (returncode, verdict, (stderr.strip().splitlines() or [""])[-1][:300])
    res["verdict"], res["reason"] = final, reason
    return res


def run_all(cases, form="both", jobs=None, timeout=TIMEOUT, progress=None):
    """Run every (case, form) in parallel; results in corpus order."""
    exe = executable()
    jobs = jobs or min(4, os.cpu_count() or 2)
    todo = [(c, f) for c in cases for f in forms_of(c, form)]
    with tempfile.TemporaryDirectory(prefix="bnv-soundness-") as tmp:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futs = [pool.submit(run_case, c, f, exe, tmp, timeout) for c, f in todo]
            out = []
            for i, fu in enumerate(futs):
                out.append(fu.result())
                if progress:
                    progress(i + 1, len(futs), out[-1])
    return out


# ---------------------------------------------------------------- the tally
def tally(results):
    false_runs = [r for r in results if r["truth"] == "false"]
    true_runs = [r for r in results if r["truth"] == "true"]
    return {
        "false_proved": sum(r["verdict"] == "proved" for r in false_runs),
        "false_total": len(false_runs),
        "true_proved": sum(r["verdict"] == "proved" for r in true_runs),
        "true_total": len(true_runs),
        "inconclusive": sum(r["verdict"] == "inconclusive" for r in results),
        "unsound": [r for r in false_runs if r["verdict"] == "proved"],
        "not_proved": [r for r in true_runs if r["verdict"] != "proved"],
        "not_usage_error": [r for r in results if r["usage_error"] and r["verdict"] != "usage-error"],
        "errors": [r for r in results if r["verdict"] == "error"],
    }


def tally_line(t):
    return "false proved %d/%d · true proved %d/%d · inconclusive %d" % (
        t["false_proved"], t["false_total"], t["true_proved"], t["true_total"], t["inconclusive"])


def _show(r):
    return "%s [%s] %s -- %s" % (r["id"], r["form"], " ".join(r["args"]), r["why"])


def report(results):
    t = tally(results)
    lines = [tally_line(t)]
    lines += ["UNSOUND %s" % _show(r) for r in t["unsound"]]
    lines += ["NOT PROVED %s: %s%s" % (_show(r), r["verdict"], " (%s)" % r["reason"] if r.get("reason") else "")
              for r in t["not_proved"]]
    lines += ["NOT A USAGE ERROR %s: %s" % (_show(r), r["verdict"]) for r in t["not_usage_error"]]
    lines += ["ERROR %s: %s" % (_show(r), r.get("reason")) for r in t["errors"]
              if r["truth"] == "false"]          # true-case errors are already NOT PROVED lines
    return t, "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=None, metavar="J", help="parallel runs (default min(4, CPUs))")
    ap.add_argument("--only-false", action="store_true", help="run the false statements only")
    ap.add_argument("--form", choices=("flag", "file", "both"), default="both")
    ap.add_argument("--json", action="store_true", help="print the tally and every run as JSON")
    ap.add_argument("--timeout", type=float, default=TIMEOUT, help="per-run timeout in s (default 60)")
    ap.add_argument("--only", nargs="+", metavar="ID", help="run these case ids only")
    ap.add_argument("--corpus", default=str(CORPUS), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.jobs is not None and a.jobs < 1:
        ap.error("--jobs must be positive")
    cases = load_corpus(a.corpus)
    if a.only_false:
        cases = [c for c in cases if c["truth"] == "false"]
    if a.only:
        missing = set(a.only) - {c["id"] for c in cases}
        if missing:
            ap.error("unknown case ids: %s" % ", ".join(sorted(missing)))
        cases = [c for c in cases if c["id"] in set(a.only)]

    def progress(i, n, r):
        if not a.json and sys.stderr.isatty():
            sys.stderr.write("\r%d/%d %-60s" % (i, n, r["id"][:60]))
            sys.stderr.flush()
    t0 = time.monotonic()
    results = run_all(cases, a.form, a.jobs, a.timeout, progress)
    if sys.stderr.isatty() and not a.json:
        sys.stderr.write("\r%s\r" % (" " * 80))
    t, text = report(results)
    if a.json:
        print(json.dumps({"line": tally_line(t), "seconds": round(time.monotonic() - t0, 1),
                          **{k: v for k, v in t.items() if not isinstance(v, list)},
                          "unsound": [(r["id"], r["form"]) for r in t["unsound"]],
                          "not_proved": [(r["id"], r["form"], r["verdict"]) for r in t["not_proved"]],
                          "not_usage_error": [(r["id"], r["form"]) for r in t["not_usage_error"]],
                          "runs": results}, indent=1))
    else:
        print(text)
    return 1 if t["false_proved"] else 0


if __name__ == "__main__":
    sys.exit(main())
