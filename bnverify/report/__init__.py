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
import tempfile
import time
from pathlib import Path

from .. import files
from . import graph, html, provenance, reading
from . import figures as _figures

TITLE = "bnverify report: Batch Normalization Decomposed (arXiv 2412.02843)"


def _catalogue():
    from .. import claims

    try:
        return {c.id: c for c in claims.load_catalogue()}
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


def build(rows, skipped=(), prov=None, certificates=None, figure_skip=(), engine="auto"):
    """The report document (a dict; figures carry their PNG bytes and SVG text)."""
    t0 = time.perf_counter()
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
        skipped_rows.append({"id": cid, "title": c.title if c else cid, "how": how})
        claims.append(_claim_row({"id": cid, "verdict": "not run", "expect": c.expect if c else "",
                                  "method": "", "seconds": None, "evidence": {}, "how": how}, cat))
    for c in claims:
        c["used_by"] = [d["id"] for d in claims if c["id"] in d.get("uses", [])]
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
    decided = [c for c in claims if c["verdict"] != "not run"]
    agree = sum(c["verdict"] == c.get("expect") for c in decided)
    differ = [c["id"] for c in decided if c["verdict"] != c.get("expect")]
    line = "%d claims: %d as expected%s%s" % (
        len(decided), agree, (", %d not (%s)" % (len(differ), ", ".join(differ))) if differ else "",
        "; %d not run" % len(skipped_rows) if skipped_rows else "")
    svg, used_engine, notes = graph.svg(claims, engine=engine)
    figs = _figures.all_figures(decided, skip=figure_skip)
    prov = dict(prov or provenance.collect())
    doc = {"title": TITLE, "summary": {"total": len(decided), "as_expected": agree, "differ": differ,
                                        "not_run": len(skipped_rows), "line": line},
           "paper": reading.paper_links(claims), "claims": claims, "skipped": skipped_rows,
           "graph": {"engine": used_engine, "svg": svg, "refutation_edges": notes,
                     "edges": graph.edges_of(claims)},
           "figures": [vars(f) for f in figs], "provenance": prov}
    prov["report_seconds"] = round(time.perf_counter() - t0, 3)
    return doc


def markdown(doc):
    md = ["# " + doc["title"], "", doc["summary"]["line"] + ".", "",
          "Verdicts come from bnverify's runner and trusted checker. Eigenvalues are those of the scale-free "
          "dynamics (DF(G*)/c, the direction of G* dropped).", "", "## What the paper says, and what is verified", ""]
    by_id = {c["id"]: c for c in doc["claims"]}
    for p in doc["paper"]:
        md += ["> " + p["quote"], "", p["reading"], ""]
        md += ["* [`%s`](claims/%s.html) **%s**: %s" % (c, c, by_id[c]["verdict"], by_id[c]["title"]) for c in p["claims"]]
        md.append("")
    md += ["## Verdicts", "", "| id | verdict | expected | method | seconds |", "|---|---|---|---|---|"]
    for c in doc["claims"]:
        md.append("| %s | **%s** | %s | %s | %s |" % (c["id"], c["verdict"], c.get("expect", ""), c.get("method", ""),
                                                   "" if c.get("seconds") is None else "%.2f" % c["seconds"]))
    md += ["", "## Dependency graph", "", "![dependency graph](graph.svg)", ""]
    for user, used in doc["graph"]["refutation_edges"]:
        md.append("* `%s` uses the refutation of `%s`." % (user, used))
    md += ["", "## Figures", ""]
    for f in doc["figures"]:
        md += ["![%s](figures/%s.png)" % (f["title"], f["name"]), "", "**%s.** *%s.* %s" % (f["title"], f["source"], f["caption"]), ""]
    md += ["## Claims not run", ""]
    md += ["* `%s` (%s): `%s`" % (k["id"], k["title"], k["how"]) for k in doc["skipped"]] or ["None."]
    md += ["", "## Claims", ""]
    for c in doc["claims"]:
        md += ["### %s: %s" % (c["id"], c["title"]), "", " ".join((c.get("statement") or "").split()), ""]
        if c.get("latex"):
            md += ["$$%s$$" % c["latex"], ""]
        md += ["Verdict **%s** (expected %s) by %s. Uses: %s. Used by: %s." % (
            c["verdict"], c.get("expect", ""), c.get("method") or "-", ", ".join(c["uses"]) or "none",
            ", ".join(c["used_by"]) or "none"), ""]
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
    out["graph"] = {k: v for k, v in doc["graph"].items() if k != "svg"} | {"svg": "graph.svg"}
    return json.dumps(out, indent=1, default=str) + "\n"


def _write_tree(root, doc, certificates):
    root = Path(root)
    files.write_text(root / "index.html", html.index(doc))
    for c in doc["claims"]:
        files.write_text(root / "claims" / ("%s.html" % c["id"]), html.claim_page(c, doc))
    files.write_text(root / "report.md", markdown(doc))
    files.write_text(root / "report.json", as_json(doc))
    files.write_text(root / "graph.svg", doc["graph"]["svg"])
    for f in doc["figures"]:
        files.write_bytes(root / "figures" / ("%s.png" % f["name"]), f["png"])
        files.write_text(root / "figures" / ("%s.svg" % f["name"]), f["svg"])
    for cid, path in (certificates or {}).items():
        files.write_bytes(root / "certificates" / ("%s.json" % cid), Path(path).read_bytes())


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


def write(directory, rows, skipped=(), provenance=None, certificates=None, figure_skip=(), engine="auto"):
    """Build the report and write it into ``directory`` atomically; returns index.html's Path."""
    directory = Path(directory)
    doc = build(rows, skipped, provenance, certificates, figure_skip, engine)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=directory.parent, prefix=".%s.tmp-" % directory.name)
    try:
        _write_tree(tmp, doc, certificates)
        publish(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory / "index.html"


__all__ = ["write", "build", "markdown", "as_json", "publish", "TITLE"]
