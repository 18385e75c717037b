"""The report's HTML pages: ``index.html`` and one ``claims/ID.html`` per claim, built from the
report document (see bnverify.report).  Self-contained: inline CSS, figures as data: URIs,
mathematics as MathML, no script and no network reference."""
from __future__ import annotations

import base64
import html
import json
import re

from ..core import activations
from . import mathml, pretty, reading
from .graph import COLOURS, FILL

E = html.escape

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:0 auto;padding:1em 1.5em;
 color:#1f2328;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:3px 9px;text-align:left;vertical-align:top}
tr:nth-child(even){background:#f6f8fa}th{background:#eaeef2}
.badge{display:inline-block;padding:0 .5em;border-radius:1em;font-weight:600;font-size:.9em;border:1.5px solid}
.proved{color:#1a7f37;background:#dafbe1;border-color:#1a7f37}.refuted{color:#cf222e;background:#ffebe9;border-color:#cf222e}
.inconclusive{color:#9a6700;background:#fff8c5;border-color:#9a6700}.notrun{color:#57606a;background:#eaeef2;border-color:#6e7781}
.unchecked{color:#8250df;background:#fbefff;border-color:#8250df}
blockquote{border-left:4px solid #8c959f;margin:.6em 0;padding:.2em 1em;background:#f6f8fa;font-style:italic}
figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #d0d7de}figcaption{font-size:.92em;color:#424a53}
.src{font-variant:small-caps;font-weight:600}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em}
pre.wrap{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:.6em;max-height:30em;overflow:auto}
details{margin:.4em 0}summary{cursor:pointer;color:#0969da}
dl.ev{margin:.2em 0 .2em 1em}dl.ev dt{font-weight:600;margin-top:.3em}dl.ev dd{margin-left:1.2em}
math{font-size:1.08em}.formula{margin:.6em 0;font-size:1.1em;overflow-x:auto;overflow-y:hidden;padding:.3em 0}
.scroll{overflow-x:auto}.method{font-size:.8em;color:#57606a;margin-top:.2em}.verdicts td:first-child,.verdicts td:last-child{white-space:nowrap}.inline-kv span{margin-right:.9em;white-space:nowrap}
.graph{overflow-x:auto}.graph svg{max-width:100%;height:auto}.note{font-size:.92em;margin:.2em 0 .6em 1em}.meta td:first-child{font-weight:600;white-space:nowrap}
nav a{margin-right:1em}
"""


BADGES = ("proved", "refuted", "inconclusive", "unchecked", "not run")


def badge(verdict):
    """A verdict's badge; its CSS class only from the tool's own words (a file's text is escaped)."""
    v = verdict or "not run"
    return "<span class='badge %s'>%s</span>" % (v.replace(" ", "") if v in BADGES else "other", E(v))


def page(title, body, depth=0):
    return ("<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>%s</title><style>%s</style></head><body>%s</body></html>\n" % (E(title), CSS, body))


def all_rows(doc):
    """The claims that ran, then those that did not (verdict "not run"): every claim with a page."""
    return list(doc["claims"]) + list(doc.get("skipped") or [])


def claim_link(cid, prefix="claims/"):
    return "<a href='%s%s.html'><code>%s</code></a>" % (prefix, E(cid), E(cid))


# ------------------------------------------------------------------ evidence
_EXPR_KEYS = {"closed_form", "formula", "value", "eigenvalue", "c", "scale"}
NOTE_CHARS = 80             # a longer text in a table's column is written under the table


def _is_interval(v):
    return (isinstance(v, list) and len(v) == 2 and all(mathml.is_number(x) for x in v)
            and not all(isinstance(x, (int, float)) for x in v))


def evidence(v, key=None, depth=0):
    """Evidence as HTML: enclosures as intervals, closed forms as formulas, per-n tables,
    SMT-LIB text and long values in collapsible blocks."""
    if key is not None and "smt" in str(key).lower():
        texts = v if isinstance(v, list) else [v]
        blocks = "".join("<pre class='wrap'>%s</pre>" % E(t if isinstance(t, str) else json.dumps(t, indent=1))
                         for t in texts)
        return "<details><summary>SMT-LIB (%d quer%s)</summary>%s</details>" % (
            len(texts), "y" if len(texts) == 1 else "ies", blocks)
    if key == "traceback":
        return "<details><summary>traceback</summary><pre class='wrap'>%s</pre></details>" % E(str(v))
    if _is_interval(v):
        return mathml.interval(*v)
    if isinstance(v, dict):
        if v and len(v) > 1 and all(isinstance(x, dict) for x in v.values()):
            cols = list(dict.fromkeys(k for x in v.values() for k in x))
            # a column of prose (a note on one row) would stretch its row into a blank band, and a column
            # of one row among several widens the table for one cell: both are written under the table
            notes = [c for c in cols
                     if any(isinstance(x.get(c), str) and len(x[c]) > NOTE_CHARS for x in v.values())
                     or len(v) >= 3 and sum(c in x for x in v.values()) == 1]
            cols = [c for c in cols if c not in notes]
            if len(cols) <= 8 and all(not isinstance(y, dict) for x in v.values() for y in x.values()):
                head = "<tr><th>%s</th>%s</tr>" % (E(str(key or "")), "".join("<th>%s</th>" % E(c) for c in cols))
                body = "".join("<tr><td>%s</td>%s</tr>" % (E(str(k)), "".join(
                    "<td>%s</td>" % evidence(x.get(c, ""), c, depth + 1) for c in cols)) for k, x in v.items())
                below = "".join("<p class='note'><b>%s, %s:</b> %s</p>" % (E(str(k)), E(c), evidence(x[c], c, depth + 1))
                                for c in notes for k, x in v.items() if c in x)
                return "<div class='scroll'><table>%s%s</table></div>%s" % (head, body, below)
        if v and all(not isinstance(x, (dict, list)) for x in v.values()) and len(v) > 6:
            return "<div class='inline-kv'>%s</div>" % "".join(
                "<span><b>%s</b>: %s</span>" % (E(str(k)), evidence(x, k, depth + 1)) for k, x in v.items())
        items = "".join("<dt>%s</dt><dd>%s</dd>" % (E(str(k)), evidence(x, k, depth + 1)) for k, x in v.items())
        return "<dl class='ev'>%s</dl>" % items
    if isinstance(v, list):
        if not v:
            return "<i>none</i>"
        inner = "<ol>%s</ol>" % "".join("<li>%s</li>" % evidence(x, None, depth + 1) for x in v)
        if len(v) > 12 or len(json.dumps(v, default=str)) > 2000:
            return "<details><summary>%d items</summary>%s</details>" % (len(v), inner)
        return inner
    if isinstance(v, bool) or v is None:
        return "<code>%s</code>" % E(json.dumps(v))
    if isinstance(v, (int, float)):
        return "<code>%s</code>" % E(repr(v))
    s = str(v)
    if key in _EXPR_KEYS and re.fullmatch(r"[0-9a-zA-Z_+\-*/(). ]+", s) and re.search(r"[a-z*/]", s):
        return "<span title='%s'>%s</span>" % (E(pretty.formula(s)), mathml.expr(s))     # the text on hover
    if len(s) > 600:
        return "<details><summary>%s...</summary><pre class='wrap'>%s</pre></details>" % (E(s[:120]), E(s))
    return E(pretty.formula(s))         # sympy's text quoted in prose, in reader's notation (n^2, not n**2)


# ------------------------------------------------------------------ notation
# one meaning per symbol, in the verdicts, the claim pages and docs/notation.md (a test keeps them equal)
NOTATION = [
    (r"n", "batch size (n - 1 cluster points and one odd point)"),
    (r"d", "width; d \u2192 \u221e is the infinite-width Gram dynamics"),
    (r"\alpha", "leaky ReLU slope, 0 \u2264 \u03b1 < 1 (ReLU: \u03b1 = 0)"),
    (r"C = I_n - \tfrac{1}{n}\mathbf{1}\mathbf{1}^\top", "recentering (RC)"),
    (r"G,\ F(G)", "Gram matrix X\u1d40X/d and its image after one layer at infinite width"),
    (r"\rho", "a correlation, always: \u03a3_jk/\u221a(\u03a3_jj \u03a3_kk); in the basins, the cluster correlation "
               "of C G C"),
    (r"\kappa(\rho)", "the activation's normalized dual kernel"),
    (r"c", "the scale factor of a fixed point: F(G*) = c G*"),
    (r"r(\cdot)", "spectral radius: the largest modulus of an eigenvalue \u03bb of the scale-free "
                   "linearization DF(G*)/c, the direction of G* itself dropped"),
    (r"\lambda,\ \mu", "eigenvalues of that linearization (\u03bc: of one perturbation direction)"),
    (r"O_n,\ G^*", "the configuration (odd point orthogonal to the cluster) and its Gram matrix"),
    (r"G^\dagger_n", "the spread-cluster attractor at n"),
    (r"t = 1/n", "the variable of the all-n proofs"),
]


def notation():
    """The legend: each symbol's one meaning."""
    rows = "".join("<tr><td>%s</td><td>%s</td></tr>" % (mathml.tex(sym), E(text)) for sym, text in NOTATION)
    return ("<h2 id='notation'>Notation</h2><p>Each symbol means one thing throughout the report "
            "(docs/notation.md):</p><table class='meta'>%s</table>" % rows)


# ------------------------------------------------------------------ index
def index(doc):
    claims = all_rows(doc)
    prov = doc["provenance"]
    s = doc["summary"]
    out = ["<h1>%s</h1>" % E(doc["title"]),
           "<nav><a href='#paper'>Paper and verdicts</a><a href='#table'>Verdicts</a><a href='#notation'>Notation</a><a href='#graph'>Dependency "
           "graph</a><a href='#figures'>Figures</a><a href='#skipped'>Not run</a><a href='#provenance'>Provenance</a>"
           "<a href='report.md'>report.md</a><a href='report.json'>report.json</a></nav>",
           "<p><b>%s</b>. Verdicts come from bnverify's runner and its trusted checker; the report recomputes "
           "none of them. Eigenvalues are those of the scale-free dynamics: of DF(G*)/c, the direction of G* "
           "itself dropped.</p>" % E(s["line"]),
           "<h2 id='paper'>What the paper says, and what is verified</h2>",
           "<p>The paper's body is not available to us; these are the abstract's sentences. Each is linked to "
           "the claims that state it precisely.</p>"]
    by_id = {c["id"]: c for c in claims}
    for p in doc["paper"]:
        rows = "".join("<li>%s %s &mdash; %s</li>" % (badge(by_id[c]["verdict"]), claim_link(c), E(by_id[c]["title"]))
                       for c in p["claims"])
        out.append("<blockquote>%s</blockquote><p>%s</p><ul>%s</ul>" % (E(p["quote"]), E(p["reading"]), rows))
    # three columns, so that the table fits the page at 1280 px: the claim (and its certificate), the
    # statement (and the method), the verdict (and what was expected, and the time)
    out.append("<h2 id='table'>Verdicts</h2><div class='scroll'><table class='verdicts'><tr><th>claim</th>"
               "<th>statement</th><th>verdict</th></tr>")
    for c in claims:
        formula = mathml.tex(c.get("latex")) if c.get("latex") else E(c["title"])
        cert = "<div class='method'><a href='%s'>certificate</a></div>" % E(c["certificate"]) \
            if c.get("certificate") else ""
        mark = "" if c.get("ok", True) or c["verdict"] == "not run" else " &#9888; differs"
        method = "<div class='method'>%s</div>" % E(c["method"]) if c.get("method") else ""
        seconds = "" if c.get("seconds") is None else "<br>%.2f s" % c["seconds"]
        out.append("<tr><td>%s%s</td><td>%s%s</td><td>%s<div class='method'>expected %s%s%s</div></td></tr>"
                   % (claim_link(c["id"]), cert, formula, method, badge(c["verdict"]), E(c.get("expect") or ""),
                      mark, seconds))
    out.append("</table></div>")
    out.append(notation())
    g = doc["graph"]
    out.append("<h2 id='graph'>Dependency graph</h2><p>An arrow runs from a claim to each claim that uses it; "
               "click a node to open the claim. Layout: %s.</p><div class='graph'>%s</div>"
               % (E(g["engine"]), g["svg"]))
    for user, used in g["refutation_edges"]:
        out.append("<p>The dashed edge %s &rarr; %s: %s uses the refutation of %s (it builds on the fact that "
                   "%s's reading is false).</p>" % (claim_link(used), claim_link(user), claim_link(user),
                                                     claim_link(used), claim_link(used)))
    out.append("<h2 id='figures'>Figures</h2>")
    for f in doc["figures"]:
        out.append("<figure id='fig-%s'><img alt='%s' src='data:image/png;base64,%s'><figcaption><b>%s.</b> "
                   "<span class='src'>%s.</span> %s (<a href='figures/%s.svg'>SVG</a>, <a href='figures/%s.png'>PNG</a>)"
                   "</figcaption></figure>" % (E(f["name"]), E(f["title"]), base64.b64encode(f["png"]).decode(),
                                               E(f["title"]), E(f["source"]), E(f["caption"]), E(f["name"]), E(f["name"])))
    out.append("<h2 id='skipped'>Claims not run</h2>")
    if doc["skipped"]:
        out.append("<p>These claims of the catalogue have no verdict in this report. Long claims (<code>full = "
                   "true</code>) are left out of the default run; each has its page, and the command shown runs "
                   "it.</p><table><tr><th>claim</th><th>title</th><th>why not run</th><th>run with</th></tr>")
        for k in doc["skipped"]:
            out.append("<tr><td>%s</td><td>%s</td><td>%s</td><td><code>%s</code></td></tr>"
                       % (claim_link(k["id"]), E(k["title"]), E(k.get("why", "")), E(k["how"])))
        out.append("</table>")
    else:
        out.append("<p>None: every claim of the catalogue was run.</p>")
    out.append("<h2 id='provenance'>Provenance</h2>" + provenance_table(prov, claims))
    return page(doc["title"], "\n".join(out))


def provenance_table(prov, claims=()):
    rows = [("bnverify", prov.get("bnverify")), ("git commit", prov.get("git_commit") or "none (not a git checkout)"),
            ("date (UTC)", prov.get("date")), ("python", prov.get("python")),
            ("libraries", ", ".join("%s %s" % (k, v or "absent") for k, v in (prov.get("libraries") or {}).items())),
            ("machine", prov.get("machine")), ("command", prov.get("command")),
            ("verification time", "%.2f s (sum over claims)" % sum(c.get("seconds") or 0 for c in claims)),
            ("each claim's time", ", ".join("%s %.2f s" % (c["id"], c["seconds"]) for c in claims
                                            if c.get("seconds") is not None) or "none run")]
    if prov.get("report_seconds") is not None:
        rows.append(("report time", "%.2f s" % prov["report_seconds"]))
    return "<table class='meta'>%s</table>" % "".join("<tr><td>%s</td><td>%s</td></tr>" % (E(k), E(str(v)))
                                                       for k, v in rows)


# ------------------------------------------------------------------ claim pages
def claim_page(c, doc):
    by_id = {x["id"]: x for x in all_rows(doc)}
    up = "../"
    link = lambda i: claim_link(i, "") + " " + badge(by_id[i]["verdict"]) if i in by_id else "<code>%s</code>" % E(i)
    out = ["<nav><a href='../index.html'>&larr; report</a><a href='../index.html#graph'>graph</a></nav>",
           "<h1><code>%s</code>: %s</h1>" % (E(c["id"]), E(c["title"])),
           "<p>Verdict %s (expected %s) by %s%s.</p>" % (
               badge(c["verdict"]), E(c.get("expect") or ""), E(c.get("method") or "&mdash;"),
               "" if c.get("seconds") is None else ", in %.2f s" % c["seconds"])]
    if c.get("unchecked"):
        out.append("<p>%s <b>Not shown as decided:</b> %s.</p>" % (badge("unchecked"), E(c["unchecked"])))
    if c.get("latex"):
        out.append("<div class='formula'>%s</div>" % mathml.tex(c["latex"], display=True))
    papers = [p for p in doc["paper"] if c["id"] in p["claims"]]
    out.append("<h2>Reading</h2>")
    for p in papers:
        out.append("<blockquote>%s</blockquote>" % E(p["quote"]))
    out.append("<p>%s</p>" % E(pretty.formula(" ".join((c.get("statement") or "").split()))))
    if c.get("checked_statement"):
        out.append("<p><b>Statement checked</b> (generated from the structured claim by the trusted checker): "
                   "%s</p>" % E(pretty.formula(c["checked_statement"])))
    claim = c.get("claim") or {}
    model = " + ".join([s.upper() for s in claim.get("stages", [])] + [claim.get("activation", "?")])
    rows = [("model variant", E(model)), ("domain", E(", ".join("%s in %s" % kv for kv in (claim.get("domain") or {}).items()
                                 if kv[0] != "alpha" or activations.takes_alpha(claim.get("activation"))))),
            ("property", "<code>%s</code> %s" % (E(c.get("property") or claim.get("property", "")),
                                               E(" ".join("%s=%s" % kv for kv in (claim.get("params") or {}).items()
                                                          if kv[0] != "eigenvalues"))))]
    eig = (claim.get("params") or {}).get("eigenvalues")
    if eig:
        rows.append(("eigenvalues (multiplicity)", ", ".join("%s &times; %s" % (mathml.expr(v), mathml.expr(m))
                                                            for v, m in eig)))
    rows.append(("methods", E(", ".join(c.get("methods") or []))))
    out.append("<table class='meta'>%s</table>" % "".join("<tr><td>%s</td><td>%s</td></tr>" % r for r in rows))
    why = reading.for_every_n(c, by_id)
    if why:
        out.append("<h2>Why, for every n</h2><p>The trusted kernel refutes the claim with one witness (its reason "
                   "below); the reason holds for every n of the domain. The spectrum proved in %s has the "
                   "eigenvalue</p><div class='formula'>%s</div><p>so the spectral radius exceeds the bound for "
                   "every n (computed exactly from that claim's closed form).</p>"
                   % (link(why["uses"]), mathml.tex(why["latex"], display=True)))
    out.append("<h2>Evidence</h2>")
    out.append(evidence(c.get("evidence") or {}) if c.get("evidence") else "<p>None (not run).</p>")
    out.append("<h2>What the verdict trusts</h2><ul>%s</ul>" % "".join("<li>%s</li>" % E(t) for t in c["trusts"]))
    if c.get("certificate"):
        out.append("<p>Certificate: <a href='%s%s'>%s</a>; re-check it with <code>bnverify check-cert %s</code>.</p>"
                   % (up, E(c["certificate"]), E(c["certificate"]), E(c["certificate"])))
    out.append("<h2>Limits</h2><ul>%s</ul>" % "".join("<li>%s</li>" % E(t) for t in c["limits"]))
    out.append("<h2>Uses</h2><p>%s</p>" % (", ".join(link(u) for u in c.get("uses", [])) or "none"))
    out.append("<h2>Used by</h2><p>%s</p>" % (", ".join(link(u) for u in c.get("used_by", [])) or "none"))
    if c["verdict"] == "not run" and c.get("how"):
        out.append("<p>Not run in this report (%s); run it with <code>%s</code>.</p>"
                   % (E(c.get("why") or "left out"), E(c["how"])))
    return page("%s — bnverify" % c["id"], "\n".join(out), depth=1)


__all__ = ["index", "claim_page", "evidence", "badge", "CSS", "COLOURS", "FILL"]
