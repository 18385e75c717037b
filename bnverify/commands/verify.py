"""``bnverify verify``: run the claim catalogue and compare every verdict with its claim."""
from __future__ import annotations

import sys
from pathlib import Path

from .. import files, parallel, report
from ..claims import catalogue
from ..core import limits
from ..errors import BadInput
from ..report import pretty
from . import exits, options
from .output import Progress, say

NAME = "verify"
HELP = "run the claim catalogue; exit 0 iff every verdict is the expected one"
DESCRIPTION = """\
Check every claim of the catalogue (proofs/, installed as the package data bnverify/catalogue) and print one
row per claim: id, verdict (proved / refuted / inconclusive), expected verdict, method and
seconds.  Claims marked full = true (long checks) run only with --full or when named with
--only.  Progress goes to stderr.

exit status: 0 every verdict equals its claim's expect, 1 some differ, 2 usage error,
4 internal error.

examples:
  bnverify verify
  bnverify verify --only stability-naive gram-fixed-point --json
  bnverify verify --full --jobs 8 --report report/     (ends with: wrote report/index.html)
"""


def add_arguments(p):
    p.add_argument("--only", nargs="+", metavar="ID", help="run only these claim ids")
    p.add_argument("--full", action="store_true", help="also run the long claims (full = true)")
    options.add_jobs(p, "worker processes (default: min(4, CPUs)); 1 runs in this process")
    options.add_json(p, "print the results as JSON (the shape of the report's report.json) instead of a table")
    parallel.add_executor_arguments(p)
    p.add_argument("--report", metavar="DIR",
                   help="also write the reviewer report into DIR: results.json (the verdicts), " + report.WRITES
                        + "; see bnverify report --help and docs/report.md")
    p.add_argument("--catalogue", metavar="DIR", help="claim files to run (default: the built-in catalogue)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


SHORT_METHOD = 36          # a longer method is a footnote [k] under the table


def table(results):
    """The verdict table within the terminal's width; long methods as [k], listed below it."""
    notes = list(dict.fromkeys(r.verdict.method for r in results if len(r.verdict.method) > SHORT_METHOD))
    rows = [("id", "verdict", "expect", "method", "seconds", "")]
    for r in results:
        m = r.verdict.method
        rows.append((r.claim.id, r.verdict.status, r.claim.expect,
                     "[%d]" % (notes.index(m) + 1) if m in notes else m,
                     "%.2f" % r.verdict.seconds, "" if r.ok else "<-- differs"))
    lines = pretty.grid(rows)
    lines.insert(1, "  ".join("-" * max(len(row[i]) for row in rows) for i in range(5)))
    for k, m in enumerate(notes):
        lines += pretty.wrap(m, "[%d] " % (k + 1), " " * 4)
    return lines


def summary_line(results):
    """"16 claims: 15 as expected, 1 not (id: refuted, expected proved)"."""
    return report.summary([r.row() for r in results])["line"]


def show(run, only=False):
    """The table of a catalogue run, its summary line and the long claims it left out (unless
    ``only`` chose the claims)."""
    say(table(run.results), summary_line(run.results))
    if run.skipped and not only:
        say("(%d long claim%s skipped; run with --full: %s)"
              % (len(run.skipped), "" if len(run.skipped) == 1 else "s", ", ".join(c.id for c in run.skipped)))


def write_report(directory, run, progress=None):
    """--report DIR: the run's certificates, results.json and the report (report.write_run);
    a folder that cannot be written is a usage error.  Returns the run's document."""
    bar = Progress("report: figure", progress)
    try:
        return report.write_run(directory, run, bar)
    except OSError as e:
        raise BadInput("--report %s: cannot write: %s" % (directory, e.strerror or e))
    finally:
        bar.done()


def run(args):
    options.jobs(args.jobs)
    if args.catalogue is not None and (not args.catalogue.strip() or "\0" in args.catalogue):
        raise BadInput("--catalogue %s: not a folder name" % limits.show(args.catalogue))
    if args.report is not None:         # made before the run, so that a bad DIR fails at once
        files.check_output_dir(args.report, "--report")
    chosen, skipped = catalogue.choose(args.catalogue, args.only, args.full)    # before a cluster starts
    ex = parallel.executor_for(args, args.jobs)
    try:
        done = catalogue.run_catalogue(chosen, skipped, jobs=args.jobs, executor=ex, progress=not args.quiet)
    finally:
        if ex is not None:
            ex.shutdown()
    doc = write_report(args.report, done, False if args.quiet else None) if args.report else None
    if args.json:
        print(report.as_json(doc or report.run_document(done)), end="")
    else:
        show(done, args.only)
    if args.report:             # stdout is JSON's alone with --json
        print("wrote %s" % (Path(args.report) / "index.html"), file=sys.stderr if args.json else sys.stdout)
    return exits.OK if done.ok else exits.REFUTED
