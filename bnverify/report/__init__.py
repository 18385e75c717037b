"""The reviewer report, derived from the catalogue's metadata and the runner's verdicts (never
written by hand, and never recomputing a verdict).

``write(directory, rows, skipped=(), provenance=None, certificates=None)`` writes

* ``index.html``: self-contained (inline CSS, figures as data: URIs, MathML, no script, no
  network): the paper's sentences beside the claims that read them, the verdict table, the
  dependency graph (SVG, nodes link to claim pages), the figures, the claims not run and the
  provenance;
* ``claims/ID.html``: one page per claim (reading, model, verdict, evidence, trust, limits,
  uses / used by);
* ``report.md`` and ``report.json`` (the same content as data);
* ``figures/NAME.png`` and ``figures/NAME.svg``, ``graph.svg``;
* ``certificates/ID.json`` (copied from ``certificates`` = {id: path}, when given).

``write_run(directory, run)`` writes the report of a catalogue run
(:func:`bnverify.claims.catalogue.run_catalogue`, what ``verify --report`` and ``report`` do),
with the run's certificates and ``results.json`` (:func:`run_document`) beside it.

Everything is built in a temporary folder beside ``directory`` and then renamed into place
(the folder itself if it is new, else file by file with ``os.replace``), so an interrupted
run never leaves a half-written file.  ``rows``: the runner's result rows (dicts with ``id``,
``verdict``, ``expect``, ``method``, ``seconds``, ``evidence``, ``uses``, optionally
``claim`` = Claim.to_json(), ``latex``, ``certificate``).

Modules: :mod:`.figures` (matplotlib figures), :mod:`.graph` (dependency graph layout and SVG),
:mod:`.mathml` (LaTeX to MathML), :mod:`.reading` (paper sentences, trust, limits),
:mod:`.html` (pages), :mod:`.provenance` (versions, commit, machine).
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from .. import files
from . import graph, html, provenance, reading
from . import figures as _figures

TITLE = "bnverify report: Batch Normalization Decomposed (arXiv 2412.02843)"
# every file the report writes, for the help of verify --report
WRITES = ("index.html, claims/ID.html (one page per claim), report.md, report.json, figures/NAME.png and "
          "figures/NAME.svg, graph.svg (the dependency graph) and certificates/ID.json")


def _catalogue():
    from ..claims import spec

    try:
        return {c.id: c for c in spec.load_catalogue()}
    except Exception:           # a report from a results file must not depend on the catalogue
        return {}


def _claim_row(row, cat):
    r = dict(row)
    c = cat.get(r["id"])
    if c is not None:
        r.setdefault("claim", c.to_json())
        r.setdefault("latex", c.latex)
        r.setdefault("title", c.title)
        r.setdefault("statement", c.statement)
        r.setdefault("uses", list(c.uses))
        r.setdefault("methods", list(c.methods))
        r.setdefault("property", c.property)
        r.setdefault("full", c.full)
    r.setdefault("title", r["id"])
    r.setdefault("uses", [])
    r["checked_statement"] = (r.get("evidence") or {}).get("statement")
    return r


def summary(claims, not_run=0):
    """The one-line summary: "16 claims: 15 as expected, 1 not (id: refuted, expected proved);
    2 not run".  ``claims``: rows with id, verdict and expect (the claims that ran)."""
    off = [c for c in claims if c["verdict"] != c.get("expect")]
    line = "%d claim%s: %d as expected" % (len(claims), "" if len(claims) == 1 else "s", len(claims) - len(off))
    if off:
        line += ", %d not (%s)" % (len(off), ", ".join("%s: %s, expected %s" % (c["id"], c["verdict"], c.get("expect") or "nothing")
                                                   for c in off))
    if not_run:
        line += "; %d not run" % not_run
    return {"total": len(claims), "as_expected": len(claims) - len(off), "differ": [c["id"] for c in off],
            "not_run": not_run, "line": line}


def document(rows, skipped=(), prov=None, certificates=None):
    """The report as data, without the drawings: what ``verify --json`` prints and what
    report.json holds (``build`` adds the graph's SVG and the figures).  Keys: title, summary,
    paper, claims (the rows that ran, each with its claim, evidence, trusts, limits, uses /
    used_by), skipped (rows of the same shape with verdict "not run", and how / why), graph
    ({edges, refutation_edges, engine, svg}), figures, provenance."""
    cat = _catalogue()
    claims = [_claim_row(r, cat) for r in rows]
    ran = {c["id"] for c in claims}
    skipped_rows = []
    for k in skipped:
        cid = k if isinstance(k, str) else k.get("id")
        if cid in ran:
            continue
        c = cat.get(cid)
        how = "bnverify verify --only %s" % cid
        why = ("long (full = true): left out of the default run; bnverify verify --full runs every long claim"
               if c is not None and c.full else "not selected in this run")
        skipped_rows.append(_claim_row({"id": cid, "verdict": "not run", "expect": c.expect if c else "",
                                        "method": "", "seconds": None, "evidence": {}, "how": how, "why": why},
                                       cat))
    nodes = claims + skipped_rows
    for c in nodes:
        c["used_by"] = [d["id"] for d in nodes if c["id"] in d.get("uses", [])]
        cert = None
        path = (certificates or {}).get(c["id"])
        if path:
            try:
                cert = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                cert = None
            c["certificate"] = "certificates/%s.json" % c["id"]
        elif c.get("certificate"):
            c["certificate"] = str(c["certificate"])
        c["trusts"] = reading.trusts(c, cert)
        c["limits"] = reading.limits(c)
    verdict = {c["id"]: c["verdict"] for c in nodes}
    edges = graph.edges_of(nodes)
    prov = dict(prov or provenance.collect())
    prov.setdefault("report_seconds", None)
    return {"title": TITLE, "summary": summary(claims, len(skipped_rows)),
            "paper": reading.paper_links(nodes), "claims": claims, "skipped": skipped_rows,
            "graph": {"edges": edges, "refutation_edges": [(v, u) for u, v in edges if verdict[u] == "refuted"],
                      "engine": None, "svg": None},
            "figures": [], "provenance": prov}


def build(rows, skipped=(), prov=None, certificates=None, figure_skip=(), engine="auto", progress=None):
    """The report document with its drawings: the graph's SVG and the figures (PNG bytes and
    SVG text); ``provenance.report_seconds`` is the time this took."""
    t0 = time.perf_counter()
    doc = document(rows, skipped, prov, certificates)
    svg, used_engine, notes = graph.svg(html.all_rows(doc), engine=engine)
    doc["graph"].update(engine=used_engine, svg=svg, refutation_edges=notes)
    doc["figures"] = [vars(f) for f in _figures.all_figures(doc["claims"], skip=figure_skip, progress=progress)]
    doc["provenance"]["report_seconds"] = round(time.perf_counter() - t0, 3)
    return doc


def markdown(doc):
    md = ["# " + doc["title"], "", doc["summary"]["line"] + ".", "",
          "Verdicts come from bnverify's runner and trusted checker. Eigenvalues are those of the scale-free "
          "dynamics (DF(G*)/c, the direction of G* dropped). Notation: rho is always a correlation, r(.) the "
          "spectral radius (docs/notation.md).", "", "## What the paper says, and what is verified", ""]
    by_id = {c["id"]: c for c in html.all_rows(doc)}
    for p in doc["paper"]:
        md += ["> " + p["quote"], "", p["reading"], ""]
        md += ["* [`%s`](claims/%s.html) **%s**: %s" % (c, c, by_id[c]["verdict"], by_id[c]["title"]) for c in p["claims"]]
        md.append("")
    md += ["## Verdicts", "", "| id | verdict | expected | method | seconds |", "|---|---|---|---|---|"]
    for c in html.all_rows(doc):
        md.append("| %s | **%s** | %s | %s | %s |" % (c["id"], c["verdict"], c.get("expect") or "", c.get("method", ""),
                                                   "" if c.get("seconds") is None else "%.2f" % c["seconds"]))
    md += ["", "## Dependency graph", "", "![dependency graph](graph.svg)", ""]
    for user, used in doc["graph"]["refutation_edges"]:
        md.append("* `%s` uses the refutation of `%s`." % (user, used))
    md += ["", "## Figures", ""]
    for f in doc["figures"]:
        md += ["![%s](figures/%s.png)" % (f["title"], f["name"]), "", "**%s.** *%s.* %s" % (f["title"], f["source"], f["caption"]), ""]
    md += ["## Claims not run", ""]
    md += ["* `%s` (%s): %s; run it with `%s`" % (k["id"], k["title"], k.get("why", "not run"), k["how"])
           for k in doc["skipped"]] or ["None: every claim of the catalogue was run."]
    md += ["", "## Claims", ""]
    for c in html.all_rows(doc):
        md += ["### %s: %s" % (c["id"], c["title"]), "", " ".join((c.get("statement") or "").split()), ""]
        if c.get("latex"):
            md += ["$$%s$$" % c["latex"], ""]
        md += ["Verdict **%s** (expected %s) by %s. Uses: %s. Used by: %s." % (
            c["verdict"], c.get("expect") or "", c.get("method") or "-", ", ".join(c["uses"]) or "none",
            ", ".join(c["used_by"]) or "none"), ""]
        why = reading.for_every_n(c, by_id)
        if why:
            md += ["Why, for every n (from the closed-form spectrum of `%s`): %s." % (why["uses"], why["text"]), ""]
        md += ["Trusts: " + " ".join(c["trusts"]), "", "Limits: " + " ".join(c["limits"]), ""]
    md += ["## Provenance", ""]
    p = doc["provenance"]
    for k in ("bnverify", "git_commit", "date", "python", "machine", "command", "report_seconds"):
        md.append("* %s: %s" % (k, p.get(k)))
    md.append("* libraries: " + ", ".join("%s %s" % kv for kv in (p.get("libraries") or {}).items()))
    return "\n".join(md) + "\n"


def as_json(doc):
    """report.json: the document without the image bytes (the figures are files beside it)."""
    out = dict(doc)
    out["figures"] = [{k: v for k, v in f.items() if k not in ("png", "svg", "fig")}
                      | {"png": "figures/%s.png" % f["name"], "svg": "figures/%s.svg" % f["name"]}
                      for f in doc["figures"]]
    out["graph"] = dict(doc["graph"], svg="graph.svg" if doc["graph"].get("svg") else None)
    return json.dumps(out, indent=1, default=str) + "\n"


def _write_tree(root, doc, certificates):
    root = Path(root)
    files.write_text(root / "index.html", html.index(doc), parents=True)
    for c in html.all_rows(doc):
        files.write_text(root / "claims" / ("%s.html" % c["id"]), html.claim_page(c, doc), parents=True)
    files.write_text(root / "report.md", markdown(doc), parents=True)
    files.write_text(root / "report.json", as_json(doc), parents=True)
    files.write_text(root / "graph.svg", doc["graph"]["svg"], parents=True)
    for f in doc["figures"]:
        files.write_bytes(root / "figures" / ("%s.png" % f["name"]), f["png"], parents=True)
        files.write_text(root / "figures" / ("%s.svg" % f["name"]), f["svg"], parents=True)
    for cid, path in (certificates or {}).items():
        files.write_bytes(root / "certificates" / ("%s.json" % cid), Path(path).read_bytes(), parents=True)


def publish(tmp, directory):
    """Move the finished tree ``tmp`` to ``directory``: one rename if it is new, else each file by
    os.replace (atomic per file); the folder ``tmp`` is removed."""
    tmp, directory = Path(tmp), Path(directory)
    if not directory.exists():
        os.rename(tmp, directory)
        return
    for src in sorted(p for p in tmp.rglob("*") if p.is_file()):
        dst = directory / src.relative_to(tmp)
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
    shutil.rmtree(tmp, ignore_errors=True)


def write(directory, rows, skipped=(), provenance=None, certificates=None, figure_skip=(), engine="auto",
          progress=None):
    """Build the report and write it into ``directory`` atomically; returns index.html's Path.
    ``progress``: (done, total, figure name) before each figure."""
    directory = Path(directory)
    doc = build(rows, skipped, provenance, certificates, figure_skip, engine, progress)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = files.make_temp_dir(directory.parent, ".%s.tmp-" % directory.name)
    try:
        _write_tree(tmp, doc, certificates)
        publish(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory / "index.html"


def run_document(run, rows=None, certificates=None):
    """The document (:func:`document`, without drawings) of a catalogue run
    (:class:`bnverify.claims.catalogue.CatalogueRun`): what ``verify --json`` prints and
    DIR/results.json holds, the same shape as report.json."""
    return document(run.rows() if rows is None else rows, [c.id for c in run.skipped], certificates=certificates)


def write_run(directory, run, progress=None):
    """DIR/certificates/<id>.json and DIR/results.json of a catalogue run, then the report
    (:func:`write`, told ``progress``).  Returns the run's document."""
    from ..claims import certificate

    directory = Path(directory)
    (directory / "certificates").mkdir(parents=True, exist_ok=True)
    rows, certs, paths = run.rows(), run.certificates(), {}
    for row in rows:
        cert = certs.get(row["id"])
        if cert is not None:
            path = certificate.write(cert, directory / "certificates" / ("%s.json" % row["id"]))
            row["certificate"] = str(path.relative_to(directory))
            paths[row["id"]] = path
    doc = run_document(run, rows, paths)
    files.write_text(directory / "results.json", as_json(doc))
    write(directory, rows, skipped=[c.id for c in run.skipped], certificates=paths, progress=progress)
    return doc


__all__ = ["write", "build", "document", "summary", "markdown", "as_json", "publish", "run_document", "write_run",
           "TITLE", "WRITES"]
