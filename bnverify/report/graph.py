"""The claim dependency graph as SVG, derived from each claim's ``uses``: one node per claim,
coloured by verdict and linking to its page; an arrow from each used claim down to its user.

Layout: graphviz ``dot`` when it is on PATH (``dot -Tplain`` gives positions and edge splines),
otherwise :func:`layered_layout`: longest-path layers, a dummy node wherever an edge skips a
layer, and barycenter sweeps (Sugiyama's heuristic) to reduce crossings.  Both layouts are
drawn by the same :func:`svg`, so the picture does not depend on which one ran.  An edge into
a refuted claim is dashed: the user builds on the refutation (e.g. the attractor exists
because the configuration is *not* stable)."""
from __future__ import annotations

import html
import shutil
import subprocess

COLOURS = {"proved": "#1a7f37", "refuted": "#cf222e", "inconclusive": "#9a6700", "not run": "#6e7781"}
FILL = {"proved": "#dafbe1", "refuted": "#ffebe9", "inconclusive": "#fff8c5", "not run": "#eaeef2"}
NODE_H, CHAR_W, X_GAP, Y_GAP = 30, 7.2, 24, 70


def edges_of(nodes):
    """[(used, user)] for the ``uses`` that name a node of the graph."""
    ids = {n["id"] for n in nodes}
    return [(u, n["id"]) for n in nodes for u in n.get("uses", []) if u in ids and u != n["id"]]


def _width(label):
    return max(80, CHAR_W * len(label) + 20)


def _layers(ids, edges):
    preds = {i: [u for u, v in edges if v == i] for i in ids}
    depth = {}

    def d(i, stack=()):
        if i not in depth:
            depth[i] = 0 if not preds[i] or i in stack else 1 + max(d(p, stack + (i,)) for p in preds[i])
        return depth[i]

    for i in ids:
        d(i)
    return depth


def crossings(order, segs):
    """Number of crossing pairs among segments between consecutive layers."""
    pos = {v: k for layer in order for k, v in enumerate(layer)}
    total = 0
    for a in range(len(segs)):
        for b in range(a + 1, len(segs)):
            (p, q), (r, s) = segs[a], segs[b]
            if _layer_of(order, p) != _layer_of(order, r):
                continue
            if (pos[p] - pos[r]) * (pos[q] - pos[s]) < 0:
                total += 1
    return total


def _layer_of(order, v):
    for k, layer in enumerate(order):
        if v in layer:
            return k
    return -1


def layered_layout(nodes, sweeps=8):
    """Positions {id: (x, y)} (centres, pixels) and edge polylines {(u, v): [(x, y), ...]}."""
    ids = [n["id"] for n in nodes]
    edges = edges_of(nodes)
    depth = _layers(ids, edges)
    nlayers = 1 + max(depth.values(), default=0)
    order = [[i for i in ids if depth[i] == k] for k in range(nlayers)]
    chains, segs = {}, []
    for u, v in edges:                       # split long edges with dummy nodes
        chain = [u]
        for k in range(depth[u] + 1, depth[v]):
            dummy = ("dummy", u, v, k)
            order[k].append(dummy)
            chain.append(dummy)
        chain.append(v)
        chains[(u, v)] = chain
        segs += list(zip(chain, chain[1:]))
    up = {}
    down = {}
    for p, q in segs:
        down.setdefault(p, []).append(q)
        up.setdefault(q, []).append(p)

    def bary(layer, ref, nbrs):
        pos = {v: k for k, v in enumerate(ref)}
        keyed = []
        for k, v in enumerate(layer):
            ns = [pos[w] for w in nbrs.get(v, []) if w in pos]
            keyed.append((sum(ns) / len(ns) if ns else k, k, v))
        return [v for _, _, v in sorted(keyed, key=lambda t: (t[0], t[1]))]

    best = [list(layer) for layer in order]
    best_c = crossings(best, segs)
    for s in range(sweeps):
        if s % 2 == 0:
            for k in range(1, nlayers):
                order[k] = bary(order[k], order[k - 1], up)
        else:
            for k in range(nlayers - 2, -1, -1):
                order[k] = bary(order[k], order[k + 1], down)
        c = crossings(order, segs)
        if c < best_c:
            best, best_c = [list(layer) for layer in order], c
    order = best
    label = {n["id"]: n["id"] for n in nodes}
    wid = lambda v: _width(label[v]) if v in label else 10
    rows = [sum(wid(v) for v in layer) + X_GAP * (len(layer) - 1) for layer in order]
    total = max(rows, default=0)
    pos = {}
    for k, layer in enumerate(order):
        x = (total - rows[k]) / 2
        for v in layer:
            pos[v] = (x + wid(v) / 2, k * Y_GAP + NODE_H / 2)
            x += wid(v) + X_GAP
    lines = {e: [pos[v] for v in chain] for e, chain in chains.items()}
    return {i: pos[i] for i in ids}, lines, best_c


def dot_layout(nodes):
    """The same result from graphviz ``dot -Tplain``, or None if dot is missing or fails."""
    exe = shutil.which("dot")
    if not exe:
        return None
    q = lambda s: '"%s"' % s.replace('"', r"\"")
    lines = ["digraph G {", "rankdir=TB; nodesep=0.35; ranksep=0.6;",
             "node [shape=box, fixedsize=true, height=%.3f];" % (NODE_H / 72)]
    for n in nodes:
        lines.append("%s [width=%.3f];" % (q(n["id"]), _width(n["id"]) / 72))
    for u, v in edges_of(nodes):
        lines.append("%s -> %s;" % (q(u), q(v)))
    lines.append("}")
    try:
        out = subprocess.run([exe, "-Tplain"], input="\n".join(lines), capture_output=True, text=True,
                             timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode:
        return None
    pos, polys, height = {}, {}, 0.0
    for line in out.stdout.splitlines():
        f = _plain_fields(line)
        if not f:
            continue
        if f[0] == "graph":
            height = float(f[3]) * 72
        elif f[0] == "node":
            pos[f[1]] = (float(f[2]) * 72, height - float(f[3]) * 72)
        elif f[0] == "edge":
            k = int(f[3])
            pts = [(float(f[4 + 2 * j]) * 72, height - float(f[5 + 2 * j]) * 72) for j in range(k)]
            polys[(f[1], f[2])] = pts
    if set(pos) != {n["id"] for n in nodes}:
        return None
    return pos, polys, None


def _plain_fields(line):
    out, cur, quoted = [], "", False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == " " and not quoted:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def layout(nodes, engine="auto"):
    """(positions, edge paths, engine name): ``dot`` if available (engine "auto" or "dot"),
    else the pure-Python layered layout."""
    if engine in ("auto", "dot"):
        got = dot_layout(nodes)
        if got is not None:
            return got[0], got[1], "graphviz dot"
    pos, lines, _ = layered_layout(nodes)
    return pos, lines, "layered layout (barycenter crossing reduction)"


ARROW_GAP = 16          # at most this far apart, the arrowheads entering one node side by side


def spread_heads(pos, paths, bezier):
    """The edge paths with the arrowheads entering a node side by side on its top edge, in the
    order of their sources (left to right), instead of on one point (dot ends every edge at the
    node's top centre, where their heads overlapped); each head touches the node."""
    out = dict(paths)
    into = {}
    for (u, v) in paths:
        into.setdefault(v, []).append(u)
    for v, users in into.items():
        users.sort(key=lambda u: (pos[u][0], u))
        x, y = pos[v]
        m = len(users)
        step = min(ARROW_GAP, (_width(v) - 24) / max(1, m - 1))
        for k, u in enumerate(users):
            pts = list(out[(u, v)])
            nx = x + (k - (m - 1) / 2) * step if m > 1 else pts[-1][0]
            dx = nx - pts[-1][0]
            if bezier:
                pts[-1] = (nx, y - NODE_H / 2)
                pts[-2] = (pts[-2][0] + dx, pts[-2][1])
            else:                       # the layered layout's paths end at the node's centre
                pts[-1] = (nx, pts[-1][1])
            out[(u, v)] = pts
    return out


def svg(nodes, href="claims/%s.html", engine="auto"):
    """(svg text, engine, notes): the graph with a legend; ``notes`` explain the dashed edges."""
    pos, paths, used = layout(nodes, engine)
    paths = spread_heads(pos, paths, bezier=used == "graphviz dot")
    verdict = {n["id"]: n.get("verdict", "not run") for n in nodes}
    title = {n["id"]: n.get("title", "") for n in nodes}
    ys = [p[1] for p in pos.values()] or [0]
    pad = 12
    minx = min(x - _width(i) / 2 for i, (x, _) in pos.items()) - pad if pos else 0
    maxx = max(x + _width(i) / 2 for i, (x, _) in pos.items()) + pad if pos else 100
    miny, maxy = min(ys) - NODE_H / 2 - pad, max(ys) + NODE_H / 2 + pad
    legend_h = 46
    W, H = max(maxx - minx, 520), maxy - miny + legend_h
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="depgraph" role="img" '
           'viewBox="%.1f %.1f %.1f %.1f" width="%.0f" height="%.0f" font-family="sans-serif" '
           'font-size="12">' % (minx, miny, W, H, W, H),
           "<title>Claim dependency graph</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#57606a"/>'
           '</marker></defs>']
    notes = []
    for (u, v), pts in sorted(paths.items()):
        dashed = verdict.get(u) == "refuted"
        if dashed:
            notes.append((v, u))
        d = _path(pts, bezier=used == "graphviz dot")
        out.append('<path class="edge%s" d="%s" fill="none" stroke="%s" stroke-width="1.4"%s '
                   'marker-end="url(#arrow)"><title>%s uses %s%s</title></path>'
                   % (" refutation" if dashed else "", d, COLOURS["refuted"] if dashed else "#57606a",
                      ' stroke-dasharray="6 4"' if dashed else "", html.escape(v), html.escape(u),
                      " (its refutation)" if dashed else ""))
    for i, (x, y) in pos.items():
        w = _width(i)
        v = verdict[i]
        out.append('<a class="node" href="%s"><title>%s: %s (%s)</title>'
                   '<rect x="%.1f" y="%.1f" width="%.1f" height="%d" rx="6" fill="%s" stroke="%s" '
                   'stroke-width="2"/><text x="%.1f" y="%.1f" text-anchor="middle" fill="#1f2328">%s</text></a>'
                   % (html.escape(href % i), html.escape(i), html.escape(title[i]), v, x - w / 2,
                      y - NODE_H / 2, w, NODE_H, FILL.get(v, "#fff"), COLOURS.get(v, "#555"), x, y + 4,
                      html.escape(i)))
    ly = maxy + 14
    lx = minx + pad
    for v in ("proved", "refuted", "inconclusive", "not run"):
        out.append('<rect x="%.1f" y="%.1f" width="14" height="14" rx="3" fill="%s" stroke="%s" '
                   'stroke-width="2"/><text x="%.1f" y="%.1f">%s</text>'
                   % (lx, ly, FILL[v], COLOURS[v], lx + 20, ly + 11, v))
        lx += 110
    out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.4" '
               'stroke-dasharray="6 4"/><text x="%.1f" y="%.1f">uses a refutation</text>'
               % (lx, ly + 7, lx + 30, ly + 7, COLOURS["refuted"], lx + 36, ly + 11))
    out.append("</svg>")
    return "\n".join(out), used, notes


def _path(pts, bezier):
    if bezier and len(pts) >= 4 and (len(pts) - 1) % 3 == 0:
        d = "M%.1f,%.1f" % pts[0]
        for k in range(1, len(pts), 3):
            d += " C%.1f,%.1f %.1f,%.1f %.1f,%.1f" % (pts[k] + pts[k + 1] + pts[k + 2])
        return d
    (x0, y0), (x1, y1) = pts[0], pts[-1]
    pts = [(x0, y0 + NODE_H / 2)] + list(pts[1:-1]) + [(x1, y1 - NODE_H / 2)]
    return "M" + " L".join("%.1f,%.1f" % p for p in pts)


__all__ = ["svg", "layout", "layered_layout", "dot_layout", "crossings", "edges_of", "COLOURS"]
