"""``bnverify verify``: run the claim catalogue and compare every verdict with its claim."""
from __future__ import annotations

from pathlib import Path

from .. import files, parallel
from ..claims import certificate, runner, spec
from ..core import limits
from .report import WRITES
from ..errors import BadInput
from . import exits, options

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
  bnverify verify --full --jobs 8 --report report/
"""


def add_arguments(p):
    p.add_argument("--only", nargs="+", metavar="ID", help="run only these claim ids")
    p.add_argument("--full", action="store_true", help="also run the long claims (full = true)")
    options.add_jobs(p, "worker processes (default: min(4, CPUs)); 1 runs in this process")
    options.add_json(p, "print the results as JSON (the shape of the report's report.json) instead of a table")
    parallel.add_executor_arguments(p)
    p.add_argument("--report", metavar="DIR",
                   help="also write the reviewer report into DIR: results.json (the verdicts), " + WRITES
                        + "; see bnverify report --help and docs/report.md")
    p.add_argument("--catalogue", metavar="DIR", help="claim files to run (default: the built-in catalogue)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def table(results):
    rows = [("id", "verdict", "expect", "method", "seconds", "")]
    for r in results:
        rows.append((r.claim.id, r.verdict.status, r.claim.expect, r.verdict.method,
                     "%.2f" % r.verdict.seconds, "" if r.ok else "<-- differs"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row[:5], widths)) + ("  " + row[5] if row[5] else "")
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def summary_line(results):
    """"16 claims: 15 as expected, 1 not (id: refuted, expected proved)"."""
    from ..report import summary

    return summary([r.row() for r in results])["line"]


def result_rows(results):
    """One row per result: the runner's row, the claim as data and the evidence."""
    return [dict(r.row(), title=r.claim.title, statement=r.claim.statement, property=r.claim.property,
                 uses=list(r.claim.uses), methods=list(r.claim.methods), latex=r.claim.latex,
                 claim=r.claim.to_json(), evidence=r.verdict.evidence) for r in results]


def results_doc(results, skipped=(), rows=None, certificates=None):
    """The report document as data (bnverify.report.document: title, summary, paper, claims,
    skipped, graph, figures, provenance), without drawings: what verify --json prints and
    DIR/results.json holds, the same shape as the report's report.json."""
    from .. import report

    rows = result_rows(results) if rows is None else rows
    return report.document(rows, [c.id for c in skipped], certificates=certificates)


def write_report(directory, results, skipped=()):
    """DIR/certificates/<id>.json and DIR/results.json; then the reviewer report
    ``bnverify.report.write`` (index.html, claim pages, figures, report.md, report.json; see
    docs/report.md).  Returns the results document."""
    from .. import report

    directory = Path(directory)
    (directory / "certificates").mkdir(parents=True, exist_ok=True)
    rows = result_rows(results)
    certs = {}
    for r, row in zip(results, rows):
        if r.verdict.certificate is not None:
            path = certificate.write(r.verdict.certificate, directory / "certificates" / ("%s.json" % r.claim.id))
            row["certificate"] = str(path.relative_to(directory))
            certs[r.claim.id] = path
    doc = results_doc(results, skipped, rows, certs)
    files.write_text(directory / "results.json", report.as_json(doc))
    report.write(directory, rows, skipped=[c.id for c in skipped], certificates=certs)
    return doc


def run(args):
    options.jobs(args.jobs)
    if args.catalogue is not None and (not args.catalogue.strip() or "\0" in args.catalogue):
        raise BadInput("--catalogue %s: not a folder name" % limits.show(args.catalogue))
    if args.report is not None:         # made before the run, so that a bad DIR fails at once
        files.check_output_dir(args.report, "--report")
    catalogue = spec.load_catalogue(args.catalogue)
    chosen = spec.select(catalogue, args.only, args.full)
    skipped = [c for c in catalogue if c not in chosen]
    ex = parallel.executor_for(args, args.jobs)
    try:
        results = runner.run(chosen, executor=ex, jobs=args.jobs, progress=not args.quiet)
    finally:
        if ex is not None:
            ex.shutdown()
    doc = None
    if args.report:
        try:
            doc = write_report(args.report, results, skipped)
        except OSError as e:
            raise BadInput("--report %s: cannot write: %s" % (args.report, e.strerror or e))
    if args.json:
        from .. import report

        print(report.as_json(doc or results_doc(results, skipped)), end="")
    else:
        print(table(results))
        print(summary_line(results))
        if skipped and not args.only:
            print("(%d long claim%s skipped; run with --full: %s)"
                  % (len(skipped), "" if len(skipped) == 1 else "s", ", ".join(c.id for c in skipped)))
    return exits.OK if all(r.ok for r in results) else exits.REFUTED
