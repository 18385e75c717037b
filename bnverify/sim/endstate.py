"""Finite width meets the certified attractor: where RC + phi networks end, in the
coordinates of the symmetric reduction (docs/decompose.md, "Finite width against the
attractor").

Per seed and recorded layer the odd point is the point of largest norm (at the attractor
it is n - 1 - O(1/n) times longer than a cluster point); then

    cluster cosine  the mean cosine over the pairs of the other n - 1 points
    odd cosine      the mean cosine between the odd point and the others
    norm ratio      the odd point's norm over the mean norm of the others

Each is averaged over the last ``last`` layers of the seed, and the seeds whose last layer
is in the odd-point class (:mod:`.classes`) are summarized by a mean with a 95% Student-t
interval.  Beside it: the certified attractor at the same n (Krawczyk box, re-checked by
the trusted kernel), and the gap between the two.  All seeds of one (n, width) run as one
stack with per-seed streams (:mod:`bnverify.sim.model`).

Floating point and sampling: the comparison corroborates, it never proves.
"""
from __future__ import annotations

import numpy as np

from . import geometry, model
from ..core.activations import Activation
from . import classes

QUANTITIES = ("cluster_cos", "odd_cos", "norm_ratio")


def coordinates(G):
    """(S, 3) array of (cluster cosine, odd cosine, norm ratio) of a Gram stack (S, n, n),
    the odd point being each seed's longest point."""
    S, n, _ = G.shape
    norms = geometry.column_norms(G=G)
    C = geometry.cosines(G=G)
    odd = norms.argmax(axis=1)
    rows = np.arange(S)
    mask = np.ones((S, n), dtype=bool)
    mask[rows, odd] = False                                   # the cluster's points
    pair = mask[:, :, None] & mask[:, None, :] & ~np.eye(n, dtype=bool)[None]
    cluster_cos = (C * pair).sum(axis=(1, 2)) / ((n - 1) * (n - 2))
    odd_cos = (C[rows, odd] * mask).sum(axis=1) / (n - 1)
    with np.errstate(invalid="ignore", divide="ignore"):    # a collapsed scale (phi(x) = x erf x): nan, not a warning
        ratio = norms[rows, odd] / ((norms * mask).sum(axis=1) / (n - 1))
    return np.stack([cluster_cos, odd_cos, ratio], axis=1)


def run(n, d, depth, seeds, last, *, base_seed=0, act=Activation("relu"), weight_var=1):
    """The per-seed end coordinates (S, 3), averaged over the last ``last`` layers, and the
    per-seed end classes, for RC + act from Gaussian batches (W of variance weight_var/d)."""
    if not 1 <= last <= depth:
        raise ValueError("last = %d must be in 1..depth" % last)
    ids = model.seed_ids(seeds)
    X = model.gaussian_batch(n, d, ids, base_seed)
    total = np.zeros((len(ids), 3))
    for ell, X in model.layers(X, depth, ("rc",), act, base_seed=base_seed, seeds=ids, weight_var=weight_var):
        if ell > depth - last:
            G = geometry.gram_stack(X)
            total += coordinates(G)
    return total / last, classes.classify(G=G)


def summary(per_seed, end_class):
    """Mean and 95% t interval of each quantity over the seeds that end in the odd-point
    class (None where fewer than two do)."""
    from .lyapunov import t_interval

    keep = end_class == classes.CLASSES.index("odd_point")
    out = {"seeds_used": int(keep.sum()), "seeds": int(len(keep))}
    for k, name in enumerate(QUANTITIES):
        x = per_seed[keep, k]
        out[name] = float(x.mean()) if len(x) else None
        out[name + "_ci"] = [float(v) for v in t_interval(x)] if len(x) > 1 else None
    return out


def compare(n, widths, depth, seeds, last, certified, *, base_seed=0, act=Activation("relu"), progress=None,
            weight_var=1):
    """One row per width: the finite-width summary, the certified attractor and the gap
    |mean - attractor midpoint| per quantity.  ``certified``: {quantity: [lo, hi]} of the
    attractor as the trusted kernel checked it (bnverify.claims.sweep.certified_attractor),
    or None where it is not proved; a simulation does not certify, so the caller supplies it."""
    box = certified
    rows = []
    for d in widths:
        per_seed, end = run(n, d, depth, seeds, last, base_seed=base_seed, act=act, weight_var=weight_var)
        row = dict({"n": n, "width": d}, **summary(per_seed, end))
        for name in QUANTITIES:
            if box is None or row[name] is None:
                row[name + "_gap"] = None
            else:
                row[name + "_gap"] = abs(row[name] - sum(box[name]) / 2)
        rows.append(row)
        if progress:
            progress(n, d)
    return {"n": n, "attractor": box, "rows": rows}


__all__ = ["QUANTITIES", "coordinates", "run", "summary", "compare"]
