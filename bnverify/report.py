"""The reviewer report: verdict table, claim dependency graph and figures, derived from the
catalogue's metadata and the verdicts (never written by hand).

``write(directory, rows)`` writes ``report.html`` (self-contained, figures embedded),
``report.md`` and the figures as PNG files.  ``rows`` are the runner's results: dicts with
``id``, ``title``, ``statement``, ``verdict``, ``expect``, ``method``, ``seconds``,
``evidence`` and ``uses``.
"""
from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import numpy as np

from . import files

COLOURS = {"proved": "#1a7f37", "refuted": "#cf222e", "inconclusive": "#9a6700"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# ---------------------------------------------------------------- figures
def fig_spectrum(ns=range(3, 41), alphas=(0, 0.1, 0.3)):
    """Eigenvalues of the scale-free linearization at O_n against n (closed forms)."""
    import sympy as sp

    from . import symbolic

    plt = _plt()
    spec = symbolic.configuration_spectrum(symbolic.symbolic_activation("leaky_relu"))
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for a, ls in zip(alphas, ("-", "--", ":")):
        for e in spec["eigenvalues"]:
            f = sp.lambdify(symbolic.N, e["value"].subs(symbolic.ALPHA, sp.Rational(a).limit_denominator(1000)))
            ys = [float(f(n)) for n in ns]
            label = ("spread mode" if "spread" in e["mode"] else "cluster-norm mode") + (" (alpha=%g)" % a)
            if max(abs(y) for y in ys) > 0:
                ax.plot(list(ns), ys, ls, label=label)
    ax.axhline(1, color="k", lw=0.8)
    ax.set_xlabel("batch size n")
    ax.set_ylabel("eigenvalue (scale-free, G* direction dropped)")
    ax.set_title("Linearization at the configuration O_n: the spread mode is > 1")
    ax.legend(fontsize=7)
    return fig


def fig_attractor(rows):
    """The spread-cluster state per n, from the certified enclosures of the 'attractor' claim."""
    plt = _plt()
    enc = next((r.get("evidence", {}).get("enclosures") for r in rows if r["id"] == "attractor"), None)
    if not enc:
        return None
    ns = sorted(int(k) for k in enc)
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.2))
    keys = ("cluster_cos", "odd_cos", "norm_ratio", "spectral_radius")
    widest = max(float(v[1]) - float(v[0]) for e in enc.values() for k, v in e.items() if k in keys)
    titles = ("cluster cosine", "odd-cluster cosine", "norm ratio", "spectral radius")
    for ax, key, title in zip(axes, keys, titles):
        pts = [(n, enc[str(n)][key]) for n in ns if key in enc[str(n)]]
        lo = [float(v[0]) for _, v in pts]
        hi = [float(v[1]) for _, v in pts]
        ax.plot([n for n, _ in pts], [(a + b) / 2 for a, b in zip(lo, hi)], "o-", ms=3)
        if key == "norm_ratio":
            ax.plot(ns, [n - 1 for n in ns], "k:", lw=0.8, label="n - 1 (at O_n)")
            ax.legend(fontsize=7)
        if key == "spectral_radius":
            ax.axhline(1, color="k", lw=0.8)
        ax.set_title(title)
        ax.set_xlabel("n")
    fig.suptitle("Certified spread-cluster attractor (ball-arithmetic enclosures; widest %.1e)" % widest)
    fig.tight_layout()
    return fig


def fig_rs_response(n=7):
    """RS: output spread against input spread; slope 1/2 means no linearization."""
    from . import rs
    from .kernels import Activation

    plt = _plt()
    act = Activation("relu")
    eps = np.logspace(-6, -1, 11)
    quad = [rs.spread_response_quadrature(act, n, e, dps=15) for e in eps]
    r = rs.spread_response(act, n)
    lb = [float(r["delta_out_lower_bound"].subs(rs.EPS, e)) for e in eps]
    fig, ax = plt.subplots(figsize=(5.4, 4))
    ax.loglog(eps, [2 * e / (1 + e) for e in eps], "k:", label="input spread (1 - cos)")
    ax.loglog(eps, quad, "o-", label="output spread, quadrature")
    ax.loglog(eps, lb, "--", label="proved lower bound")
    ax.set_xlabel("eps")
    ax.set_title("RC+RS+ReLU at O_%d: spread out ~ sqrt(eps in)" % n)
    ax.legend(fontsize=8)
    return fig


def fig_lyapunov(evidence):
    plt = _plt()
    rows = evidence.get("per_width") if evidence else None
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(5.4, 4))
    ws = [r["width"] for r in rows]
    ax.errorbar(ws, [r["mean"] for r in rows],
                yerr=[[r["mean"] - r["ci95"][0] for r in rows], [r["ci95"][1] - r["mean"] for r in rows]],
                fmt="o", capsize=3, label="finite width, 95% CI")
    ax.axhline(evidence["infinite_width_exponent"], color="k", lw=0.8, label="d -> infinity: log(mu)/2")
    ax.set_xscale("log")
    ax.set_xlabel("width d")
    ax.set_ylabel("Lyapunov exponent of the cluster spread")
    ax.legend(fontsize=8)
    return fig


def fig_dependencies(rows):
    """The claims as a layered graph: an arrow from each used claim to its user."""
    plt = _plt()
    ids = [r["id"] for r in rows]
    uses = {r["id"]: [u for u in r.get("uses", []) if u in ids] for r in rows}
    depth = {}

    def level(i, seen=()):
        if i not in depth:
            depth[i] = 0 if not uses[i] or i in seen else 1 + max(level(u, seen + (i,)) for u in uses[i])
        return depth[i]

    for i in ids:
        level(i)
    layers = {}
    for i in ids:
        layers.setdefault(depth[i], []).append(i)
    pos = {i: (x, -d) for d, row in layers.items() for x, i in enumerate(row)}
    verdict = {r["id"]: r["verdict"] for r in rows}
    width = max(len(v) for v in layers.values())
    fig, ax = plt.subplots(figsize=(max(6, 2.2 * width), 1.3 * (len(layers) + 1)))
    for i, us in uses.items():
        for u in us:
            ax.annotate("", xy=pos[i], xytext=pos[u],
                        arrowprops=dict(arrowstyle="->", color="#888", shrinkA=14, shrinkB=14))
    for i, (x, y) in pos.items():
        ax.text(x, y, i, ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="round", fc="white", ec=COLOURS.get(verdict[i], "#555"), lw=2))
    ax.set_xlim(-0.7, width - 0.3)
    ax.set_ylim(-len(layers) + 0.4, 0.6)
    ax.axis("off")
    ax.set_title("Claims and the claims they use (border colour = verdict)")
    return fig


# ---------------------------------------------------------------- writing
def _png(fig, path):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    _plt().close(fig)
    data = buf.getvalue()
    Path(path).write_bytes(data)
    return base64.b64encode(data).decode()


def figures(rows, directory):
    """Make every figure that applies; returns [(name, caption, base64 png)]."""
    by_id = {r["id"]: r for r in rows}
    out = []
    makers = [
        ("dependencies", "Claim dependency graph.", lambda: fig_dependencies(rows)),
        ("spectrum", "Closed-form eigenvalues at O_n (relu and leaky ReLU); above 1 means unstable.",
         fig_spectrum),
        ("attractor", "The spread-cluster attractor, per n.", lambda: fig_attractor(rows)),
        ("rs_response", "RS variant: a spread eps becomes ~sqrt(eps); no linearization.", fig_rs_response),
        ("lyapunov", "Finite-width exponent of the cluster spread against the infinite-width value.",
         lambda: fig_lyapunov((by_id.get("finite-width") or {}).get("evidence"))),
    ]
    for name, caption, make in makers:
        fig = make()
        if fig is not None:
            out.append((name, caption, _png(fig, Path(directory) / (name + ".png"))))
    return out


def write(directory, rows, title="bnverify report: Batch Normalization Decomposed (arXiv 2412.02843)"):
    """Write report.html, report.md and the figures into ``directory``; returns the HTML path."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    figs = figures(rows, d)
    agree = sum(r["verdict"] == r["expect"] for r in rows)
    md = ["# " + title, "",
          "%d claims, %d with the expected verdict." % (len(rows), agree), "",
          "| id | verdict | expected | method | seconds |", "|---|---|---|---|---|"]
    for r in rows:
        md.append("| %s | **%s** | %s | %s | %.2f |" % (r["id"], r["verdict"], r["expect"], r["method"], r["seconds"]))
    md += [""]
    for r in rows:
        md += ["## %s: %s" % (r["id"], r.get("title", "")), "", r.get("statement", ""), "",
               "Verdict: **%s** by %s (uses: %s)." % (r["verdict"], r["method"], ", ".join(r.get("uses", [])) or "none"),
               "", "```json", json.dumps(r.get("evidence", {}), indent=1, default=str)[:4000], "```", ""]
    for name, caption, _ in figs:
        md += ["![%s](%s.png)" % (caption, name), "", caption, ""]
    files.write_text(d / "report.md", "\n".join(md))

    rows_html = "".join(
        "<tr><td><a href='#%s'>%s</a></td><td style='color:%s'><b>%s</b></td><td>%s</td><td>%s</td><td>%.2f</td></tr>"
        % (r["id"], r["id"], COLOURS.get(r["verdict"], "#000"), r["verdict"], r["expect"],
           html.escape(r["method"]), r["seconds"]) for r in rows)
    sections = "".join(
        "<h3 id='%s'>%s: %s</h3><p>%s</p><p>Verdict <b style='color:%s'>%s</b> by %s; uses %s.</p>"
        "<details><summary>evidence</summary><pre>%s</pre></details>"
        % (r["id"], r["id"], html.escape(r.get("title", "")), html.escape(r.get("statement", "")),
           COLOURS.get(r["verdict"], "#000"), r["verdict"], html.escape(r["method"]),
           ", ".join(r.get("uses", [])) or "none",
           html.escape(json.dumps(r.get("evidence", {}), indent=1, default=str)[:6000])) for r in rows)
    figs_html = "".join("<figure><img src='data:image/png;base64,%s' style='max-width:100%%'>"
                        "<figcaption>%s</figcaption></figure>" % (b64, html.escape(c)) for _, c, b64 in figs)
    page = ("<!doctype html><meta charset='utf-8'><title>%s</title>"
            "<style>body{font-family:sans-serif;max-width:1000px;margin:auto}td,th{padding:2px 8px}"
            "table{border-collapse:collapse}tr:nth-child(even){background:#f4f4f4}</style>"
            "<h1>%s</h1><p>%d claims, %d with the expected verdict. Eigenvalues are those of the "
            "scale-free dynamics (DF(G*)/c, the direction G* dropped).</p>"
            "<table><tr><th>id</th><th>verdict</th><th>expected</th><th>method</th><th>s</th></tr>%s</table>"
            "<h2>Figures</h2>%s<h2>Claims</h2>%s"
            % (html.escape(title), html.escape(title), len(rows), agree, rows_html, figs_html, sections))
    files.write_text(d / "report.html", page)
    return d / "report.html"


__all__ = ["write", "figures"]
