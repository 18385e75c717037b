"""``bnverify report DIR``: the reviewer report, from a results file or by running the catalogue."""
from __future__ import annotations

import json
from pathlib import Path

from .. import report
from ..claims import catalogue
from ..core import limits
from ..errors import BadInput
from . import verify

NAME = "report"
HELP = "write the reviewer report (index.html, claim pages, figures, report.md/.json, certificates)"
DESCRIPTION = """\
Write a reviewer-grade report into DIR: index.html (self-contained: inline CSS, embedded
figures, MathML formulas, no network), claims/ID.html per claim, report.md, report.json (the
same content as data), figures/NAME.png and figures/NAME.svg, graph.svg and certificates/ID.json.  Files are
built in a temporary folder and renamed into place, so an interrupted run leaves no
half-written file.  The verdicts are read, never recomputed: from --from FILE (the
results.json that `bnverify verify --report DIR` writes, or `verify --json` output), else by
running the catalogue as `bnverify verify --report DIR` does.  A proved or refuted row read
from a file is shown only if its certificate (DIR/certificates/ID.json beside the file)
re-checks in the trusted kernel and names that claim and verdict; otherwise it is shown as
'unchecked' with the reason (`verify --json` carries no certificates).  See docs/report.md.

exit status: 0 written (and, when the catalogue was run, every verdict as expected),
1 some verdict differs from its claim's expect, 2 usage error (missing, corrupt or non-UTF-8
results file, DIR not writable).

examples:
  bnverify report out/                          # run the default catalogue, then write out/
  bnverify verify --json > results.json && bnverify report out/ --from results.json
  bnverify report out/ --full --jobs 2          # include the long claims
"""


def add_arguments(p):
    p.add_argument("dir", metavar="DIR", help="folder to write (made if missing)")
    p.add_argument("--from", dest="source", metavar="FILE",
                   help="a results file: verify --json's output, or results.json or report.json of a report")
    p.add_argument("--full", action="store_true", help="when running the catalogue: also the long claims")
    p.add_argument("--jobs", type=int, default=None, metavar="J", help="worker processes when running")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--json", action="store_true",
                   help='print {"dir", "index", "files": [...], "summary"} instead of the table and "wrote ..."')


MAX_RESULTS_BYTES = 4 * limits.MAX_CERT_BYTES      # a results file holds every claim's evidence


def load_results(path):
    """(rows, skipped ids, {id: certificate path}) from a results file; BadInput on any problem."""
    path = Path(path)
    try:
        if path.exists() and not path.is_file():    # a FIFO blocks, a device never ends
            raise BadInput("--from %s: not a regular file" % limits.show(str(path)))
        with open(path, "rb") as f:
            raw = f.read(MAX_RESULTS_BYTES + 1)
    except OSError as e:
        raise BadInput("--from %s: cannot read: %s" % (limits.show(str(path)), e.strerror or e))
    if len(raw) > MAX_RESULTS_BYTES:
        raise BadInput("--from %s: larger than %d bytes: not a results file" % (limits.show(str(path)),
                                                                                MAX_RESULTS_BYTES))
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadInput("--from %s: not UTF-8 text" % limits.show(str(path)))
    except ValueError as e:
        raise BadInput("--from %s: not JSON: %s" % (limits.show(str(path)), e))
    rows = doc.get("claims") if isinstance(doc, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and isinstance(r.get("id"), str)
                                             and isinstance(r.get("verdict"), str) for r in rows):
        raise BadInput("--from %s: not a bnverify results file (no list 'claims' of rows with id and verdict)"
                       % limits.show(str(path)))
    skipped = doc.get("skipped") or []
    skipped = [k if isinstance(k, str) else k.get("id") for k in skipped if isinstance(k, (str, dict))]
    skipped += [r["id"] for r in rows if r["verdict"] == "not run" and r["id"] not in skipped]
    rows = [r for r in rows if r["verdict"] != "not run"]     # report.json lists the skipped claims too
    certs = {}
    for r in rows:
        c = r.get("certificate")
        if isinstance(c, str) and (path.parent / c).is_file():
            certs[r["id"]] = path.parent / c
    return [recheck(r, certs.get(r["id"])) for r in rows], skipped, certs


def recheck(row, cert_path):
    """A row read from a file says what it says; a decided verdict (proved / refuted) is shown
    only if its certificate re-checks in the trusted kernel and names this claim and verdict.
    Otherwise the row's verdict becomes 'unchecked', with the reason."""
    if row["verdict"] not in ("proved", "refuted"):
        return row
    from .. import trusted

    why = None
    if cert_path is None:
        why = "no certificate beside the results file"
    else:
        try:
            cert = json.loads(Path(cert_path).read_text(encoding="utf-8"))
            ok, msg = trusted.check(cert)
        except (OSError, ValueError, TypeError, AttributeError) as e:
            ok, msg, cert = False, "not a certificate: %s" % type(e).__name__, {}
        if not ok:
            why = "its certificate does not re-check: %s" % limits.show(str(msg))
        elif cert.get("verdict") != row["verdict"] or (cert.get("claim") or {}).get("id") != row["id"]:
            why = "its certificate is for %s %s" % ((cert.get("claim") or {}).get("id"), cert.get("verdict"))
    if why is None:
        return dict(row, rechecked=True)
    return dict(row, verdict="unchecked", given=row["verdict"], ok=False,
                unchecked="the file says %s, but %s" % (row["verdict"], why))


def _check_dir(d):
    if not d.strip() or "\0" in d:
        raise BadInput("%s: not a folder name" % limits.show(d))
    p = Path(d)
    try:
        p.mkdir(parents=True, exist_ok=True)
        probe = p / ".bnverify-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise BadInput("%s: cannot write there: %s" % (limits.show(d), e.strerror or e))


def written(directory, summary, code):
    """--json: what was written, relative to DIR, and the verdicts' summary."""
    d = Path(directory)
    return {"dir": str(d), "index": str(d / "index.html"), "exit": code, "summary": summary,
            "files": sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())}


def run(args):
    _check_dir(args.dir)
    if args.source is not None:
        rows, skipped, certs = load_results(args.source)
        try:
            report.write(args.dir, rows, skipped=skipped, certificates=certs)
        except OSError as e:
            raise BadInput("%s: cannot write: %s" % (args.dir, e.strerror or e))
        summary = report.summary(rows, len(skipped))
        code = 0
    else:                           # the catalogue, run as verify --report DIR runs it
        catalogue.check_jobs(args.jobs)
        done = catalogue.run_catalogue(*catalogue.choose(full=args.full), jobs=args.jobs, progress=not args.quiet)
        summary = verify.write_report(args.dir, done)["summary"]
        if not args.json:           # --json: one JSON document on stdout, with the summary
            verify.show(done)
        code = 0 if done.ok else 1
    if args.json:
        print(json.dumps(written(args.dir, summary, code), indent=1))
    else:
        print("wrote %s" % (Path(args.dir) / "index.html"))
    return code
