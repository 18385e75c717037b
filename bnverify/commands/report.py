"""``bnverify report DIR``: the reviewer report, from a results file or by running the catalogue."""
from __future__ import annotations

import json
from pathlib import Path

from .. import files, report
from ..claims import catalogue
from ..core import limits
from ..errors import BadInput
from . import exits, options, verify
from .output import Progress, emit_json, say

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
    options.add_jobs(p, "worker processes when running")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    options.add_progress(p)
    options.add_json(p, 'print {"dir", "index", "files": [...], "summary"} instead of the table and "wrote ..."')


MAX_RESULTS_BYTES = 4 * limits.MAX_CERT_BYTES      # a results file holds every claim's evidence


def load_results(path, progress=None):
    """(rows, skipped ids, {id: certificate path}) from a results file; BadInput on any problem.
    ``progress`` (done, total, id) is told after each certificate is re-checked."""
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
    seen = set()
    for r in rows:          # certificates are found by id: every row of an id would be shown with its last one's
        if r["id"] in seen:
            raise BadInput("--from %s: claim %s appears twice" % (limits.show(str(path)), limits.show(r["id"])))
        seen.add(r["id"])
    certs = {}
    for r in rows:
        c = r.get("certificate")
        if isinstance(c, str) and (path.parent / c).is_file():
            certs[r["id"]] = path.parent / c
    from ..claims import spec
    catalogue = {c.id: c for c in spec.load_catalogue()}
    out = []
    for k, r in enumerate(rows):
        out.append(recheck(r, certs.get(r["id"]), catalogue))
        if progress:
            progress(k + 1, len(rows), r["id"])
    if progress:
        progress.done()
    return out, skipped, certs


def recheck(row, cert_path, catalogue):
    """A row read from a file says what it says; a decided verdict (proved / refuted) is shown
    only if its certificate re-checks in the trusted kernel, has this verdict and is about
    *the* claim the row's id names in the catalogue (its structure, not its id: a relabelled
    certificate is about another claim).  The statement shown is then the kernel's.
    Otherwise the row's verdict becomes 'unchecked', with the reason.  A re-checked row keeps
    nothing of the file's words: its method, evidence and expectation come from the certificate
    and the catalogue.  A verdict that is not one of the tool's own words is 'unchecked' too."""
    if row["verdict"] in ("inconclusive", "not run"):
        return row
    from .. import trusted
    from ..claims.properties.registry import stands_for

    why = None
    if row["verdict"] not in ("proved", "refuted"):
        why = "%s is not a verdict" % limits.show(repr(row["verdict"]))
    elif cert_path is None:
        why = "no certificate beside the results file"
    else:
        try:
            cert = json.loads(Path(cert_path).read_text(encoding="utf-8"))
            ok, msg = trusted.check(cert)
        except (OSError, ValueError, TypeError, AttributeError) as e:
            ok, msg, cert = False, "not a certificate: %s" % type(e).__name__, {}
        if not ok:
            why = "its certificate does not re-check: %s" % limits.show(str(msg))
        elif cert.get("verdict") != row["verdict"]:
            why = "its certificate says %s" % cert.get("verdict")
        elif row["id"] not in catalogue:
            why = "%s is not a claim of the catalogue, so nothing says what the row stands for" % row["id"]
        elif not stands_for(cert.get("claim"), catalogue[row["id"]]):
            why = ("its certificate is about another claim (%s: property, model, domain or params differ "
                   "from the catalogue's %s)" % (trusted_words(cert), row["id"]))
    expect = catalogue[row["id"]].expect if row["id"] in catalogue else None
    if why is None:
        head = "%s: %s (" % (cert["verdict"], cert["statement"])      # trusted.check's message
        reason = msg[len(head):-1] if msg.startswith(head) else ""
        return {"id": row["id"], "verdict": row["verdict"], "expect": expect, "ok": row["verdict"] == expect,
                "method": cert["method"], "seconds": None, "certificate": row.get("certificate"),
                "rechecked": True, "evidence": {"statement": cert["statement"], "reason": reason, "checked": True}}
    return {"id": row["id"], "verdict": "unchecked", "given": limits.show(str(row["verdict"])), "expect": expect,
            "ok": False, "method": "", "seconds": None, "evidence": {},
            "unchecked": "the file says %s, but %s" % (limits.show(str(row["verdict"])), why)}


def trusted_words(cert):
    c = cert.get("claim") or {}
    return limits.show("%s, %s, %s, n %s" % (c.get("property"), ",".join(map(str, c.get("stages") or [])),
                                             c.get("activation"), (c.get("domain") or {}).get("n")))


def written(directory, summary, code):
    """--json: what was written, relative to DIR, and the verdicts' summary."""
    d = Path(directory)
    return {"dir": str(d), "index": str(d / "index.html"), "exit": code, "summary": summary,
            "files": sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())}


def _missing(folder):
    """The folders of ``folder``'s path that do not exist yet (check_output_dir will make them)."""
    out = []
    while not folder.exists() and folder != folder.parent:
        out.append(folder)
        folder = folder.parent
    return out


def _remove_empty(folder, made):
    """Remove the folders check_output_dir made (``made``, innermost first) while empty."""
    try:
        for f in made:
            if any(f.iterdir()):
                return
            f.rmdir()
    except OSError:
        pass


def run(args):
    options.jobs(args.jobs)            # before DIR is made
    made = _missing(Path(str(args.dir)))
    files.check_output_dir(args.dir)
    if args.source is not None:
        asked = False if args.quiet else args.progress
        try:
            rows, skipped, certs = load_results(args.source, Progress("report: re-checking certificate", asked))
        except BaseException:       # a bad --from: leave no empty DIR behind
            _remove_empty(Path(str(args.dir)), made)
            raise
        bar = Progress("report: figure", asked)
        try:
            report.write(args.dir, rows, skipped=skipped, certificates=certs, progress=bar)
        except OSError as e:
            raise BadInput("%s: cannot write: %s" % (args.dir, e.strerror or e))
        finally:
            bar.done()
        summary = report.summary(rows, len(skipped))
        code = exits.OK
    else:                           # the catalogue, run as verify --report DIR runs it
        done = catalogue.run_catalogue(*catalogue.choose(full=args.full), jobs=args.jobs, progress=not args.quiet)
        summary = verify.write_report(args.dir, done, False if args.quiet else args.progress)["summary"]
        if not args.json:           # --json: one JSON document on stdout, with the summary
            verify.show(done)
        code = exits.OK if done.ok else exits.REFUTED
    if args.json:
        emit_json(written(args.dir, summary, code))
    else:
        say("wrote %s" % (Path(args.dir) / "index.html"))
    return code
