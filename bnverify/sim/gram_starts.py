"""Beyond the symmetric family (issue 13, item 3) -- SAMPLED, it never proves.

From random PSD starts ``G_0 = X^T X / tr`` (X an n x n standard Gaussian: a generic full-rank
Gram matrix, no symmetry) iterate the full n(n+1)/2-dimensional infinite-width Gram map in
float64, normalised each step: ``G <- F(G) / tr F(G)`` (bnverify.core.gram.F_scale_free).

Criteria, in this order:

``unconverged``  max |G_{t+1} - G_t| >= TOL (trace-normalised entries) after ``layers`` steps;
otherwise the limit's geometry class is that of bnverify.sim.classes (``odd_point``,
``simplex``, ``collapse``, ``orthogonal``, ``other``; its thresholds, CRITERIA there).  Beside
the class, ``symmetric``: the limit is S_{n-1}-symmetric up to relabelling (an odd point j --
the point whose cosines with the others have the smallest root mean square -- with the
cluster cosines, the odd-cluster cosines and the cluster norms each equal within SYM_TOL),
and its coordinates (cluster cosine, odd cosine, norm ratio |x_odd| / |x_cluster|), to set
beside the symmetric reduction's fixed points (bnverify attractor / simplex).

Fractions carry 95% Wilson intervals (bnverify.sim.classes.wilson).
"""
from __future__ import annotations

import numpy as np

from ..core import arith, gram, limits
from ..errors import BadInput
from ..core.activations import Activation, names
from . import classes

TOL = 1e-12
SYM_TOL = 1e-6
MAX_N = 64
MAX_STARTS = 10000
MAX_LAYERS = 100000
MAX_STEPS = 10 ** 7             # starts x layers per n: about 20 minutes at 0.1 ms a step
BUCKETS = ("unconverged",) + classes.CLASSES


def limit(G, act, layers, ctx=arith.get("float")):
    """(G_t, t, converged) iterating the scale-free map from G (float64, normalised)."""
    G = G / np.trace(G)
    for t in range(1, layers + 1):
        H = gram.F_scale_free(G, act, ctx)
        step = np.abs(H - G).max()
        G = H
        if step < TOL:
            return G, t, True
    return G, layers, False


def symmetric_coordinates(G):
    """(odd index, cluster cosine, odd cosine, norm ratio, deviation): the deviation is the largest
    spread (max - min) of the cluster cosines, the odd-cluster cosines and the relative cluster norms."""
    n = len(G)
    d = np.sqrt(np.diag(G))
    C = G / np.outer(d, d)
    off = ~np.eye(n, dtype=bool)
    j = int(np.argmin((np.where(off, C, 0.0) ** 2).sum(axis=1)))     # smallest root mean square
    rest = [k for k in range(n) if k != j]
    cl = C[np.ix_(rest, rest)][~np.eye(n - 1, dtype=bool)]
    od = C[j, rest]
    norms = d[rest] / d[rest].mean()
    dev = max(np.ptp(cl), np.ptp(od), np.ptp(norms))
    return j, float(cl.mean()), float(od.mean()), float(d[j] / d[rest].mean()), float(dev)


def run(n, starts, layers=20000, act=Activation("relu"), seed=0):
    """The table for one n: counts, fractions with Wilson intervals, median layers to converge,
    and the distinct limits (rounded to 5 digits) with how many starts reached each."""
    if not 3 <= n <= MAX_N:
        raise BadInput("n = %d outside 3..%d (a cluster and an odd point need n >= 3)" % (n, MAX_N))
    if not 1 <= starts <= MAX_STARTS:
        raise BadInput("starts %d outside 1..%d" % (starts, MAX_STARTS))
    if not 1 <= layers <= MAX_LAYERS:
        raise BadInput("layers %d outside 1..%d" % (layers, MAX_LAYERS))
    if not act.has_closed_kernel:
        raise BadInput("activation %s: gram-starts iterates the scale-free map G -> F(G)/tr F(G) of a homogeneous "
                       "activation (%s); for another the scale is part of the state (bnverify atlas's infinite-width "
                       "column iterates its map)" % (act, ", ".join(names(lambda k: k.slope is not None))))
    limits.guard_int(starts * layers, "starts x layers", MAX_STEPS)
    rng = np.random.default_rng([seed, n])
    buckets, steps, found = [], [], {}
    for _ in range(starts):
        X = rng.standard_normal((n, n))
        G, t, ok = limit(X.T @ X, act, layers)
        if not ok:
            buckets.append("unconverged")
            continue
        name = classes.CLASSES[int(classes.classify(G=G[None])[0])]
        buckets.append(name)
        steps.append(t)
        _, cc, oc, ratio, dev = symmetric_coordinates(G)
        key = (name, dev < SYM_TOL, round(cc, 5), round(oc, 5), round(ratio, 5))
        found[key] = found.get(key, 0) + 1
    rows = {}
    for b in BUCKETS:
        k = buckets.count(b)
        rows[b] = {"count": k, "fraction": k / starts, "ci": list(classes.wilson(k, starts))}
    lims = [{"class": c, "symmetric": bool(s), "cluster_cos": cc, "odd_cos": oc, "norm_ratio": r, "starts": m}
            for (c, s, cc, oc, r), m in sorted(found.items(), key=lambda kv: -kv[1])]
    return {"n": n, "starts": starts, "layers": layers, "classes": rows, "limits": lims,
            "median_layers": float(np.median(steps)) if steps else None}
