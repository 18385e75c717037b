"""Geometry classes of a batch, from its pairwise cosines (scale-free), many seeds at once.

For a batch with cosines ``cos_jk`` and norms ``|x_j|`` the class is the first that holds,
in this order (docs/decompose.md, "Geometry classes"):

``collapse``    every pairwise cosine > 1 - COLLAPSE_GAP (one direction)
``orthogonal``  the root mean square of the pairwise cosines is < ORTHOGONAL_COS
``odd_point``   n >= 3 and some point j has root-mean-square |cos_jk| < ODD_COS over the
                other points k, while the mean cosine between the other points exceeds
                its largest |cos_jk| by at least CLUSTER_MARGIN (one cluster, one odd point)
``simplex``     equiangular with equal norms: the pairwise cosines deviate from their mean
                by < SIMPLEX_SPREAD (root mean square), and the norms' coefficient of
                variation is < SIMPLEX_NORMS (the symmetric state)
``other``       anything else, e.g. points collinear with mixed signs, or a zero point

Root mean squares rather than maxima: at width d each cosine fluctuates by about
1/sqrt(d), and the maximum over n^2/2 pairs would make the class depend on n and d.
The thresholds are wide enough for the sampling noise of width >= 64 (cosines fluctuate
like 1/sqrt(width)) and narrow enough to separate the states the infinite-width dynamics
has (the RC + ReLU attractor at n = 8 has cluster cosine 0.58 and odd cosine 0.04; the
simplex state there has every cosine 0.25).
"""
from __future__ import annotations

import numpy as np

from . import geometry

CLASSES = ("collapse", "orthogonal", "odd_point", "simplex", "other")
COLLAPSE_GAP = 0.01
ORTHOGONAL_COS = 0.1
ODD_COS = 0.12
CLUSTER_MARGIN = 0.2
SIMPLEX_SPREAD = 0.1
SIMPLEX_NORMS = 0.1

CRITERIA = {
    "collapse": "every pairwise cosine > %g" % (1 - COLLAPSE_GAP),
    "orthogonal": "root mean square of the pairwise cosines < %g" % ORTHOGONAL_COS,
    "odd_point": "one point's cosines with the others have root mean square < %g, and the mean "
                 "cosine between the others exceeds its largest |cosine| by >= %g"
                 % (ODD_COS, CLUSTER_MARGIN),
    "simplex": "pairwise cosines within %g of their mean (root mean square) and the norms' "
               "coefficient of variation < %g" % (SIMPLEX_SPREAD, SIMPLEX_NORMS),
    "other": "none of the above (checked in this order)",
}


def classify(X=None, G=None):
    """Class index into CLASSES per seed (int array of shape (S,)) of a stack X (S, d, n) or
    a Gram stack G (S, n, n); see the module docstring."""
    G = geometry._as_gram(X, G)
    S, n, _ = G.shape
    norms = geometry.column_norms(G=G)
    C = geometry.cosines(G=G)
    off = ~np.eye(n, dtype=bool)
    pairs = C[:, off]                                     # (S, n(n-1)) every ordered pair
    zero = (norms <= 0).any(axis=1)
    collapse = pairs.min(axis=1) > 1 - COLLAPSE_GAP
    orthogonal = np.sqrt(np.mean(pairs ** 2, axis=1)) < ORTHOGONAL_COS
    odd = np.zeros(S, dtype=bool)
    if n >= 3:
        A = np.where(off[None], np.abs(C), 0.0)
        worst = A.max(axis=2)                             # (S, n): max_k |cos_jk| per candidate j
        rms = np.sqrt((A ** 2).sum(axis=2) / (n - 1))
        total = np.where(off[None], C, 0.0).sum(axis=(1, 2))       # sum over ordered pairs
        row = np.where(off[None], C, 0.0).sum(axis=2)                # sum_k cos_jk
        m = (n - 1) * (n - 2)                             # ordered pairs among the others
        mean_others = (total[:, None] - 2 * row) / m
        odd = ((rms < ODD_COS) & (mean_others >= worst + CLUSTER_MARGIN)).any(axis=1)
    simplex = equiangular(G=G)
    out = np.full(S, CLASSES.index("other"))
    for name, hit in reversed((("collapse", collapse), ("orthogonal", orthogonal),
                               ("odd_point", odd), ("simplex", simplex))):
        out[hit & ~zero] = CLASSES.index(name)
    return out


def equiangular(X=None, G=None):
    """Per seed: the simplex class's criterion alone (equal cosines and equal norms), whatever
    the common cosine; ``classify`` tests 'orthogonal' first, which takes an equiangular state
    whose common cosine is small (the simplex state's -1/(n-1)-like cosines from n of about 11)."""
    G = geometry._as_gram(X, G)
    n = G.shape[1]
    norms = geometry.column_norms(G=G)
    pairs = geometry.cosines(G=G)[:, ~np.eye(n, dtype=bool)]
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = norms.std(axis=1) / norms.mean(axis=1)
    return (pairs.std(axis=1) < SIMPLEX_SPREAD) & (cv < SIMPLEX_NORMS)


def wilson(k, m, z=1.959963984540054):
    """Wilson score interval (95% by default) for a binomial fraction k/m."""
    if m == 0:
        return (0.0, 1.0)
    p = k / m
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
    # at k = 0 and k = m the bound is exactly p (rounding would leave it a hair off)
    lo = 0.0 if k == 0 else max(0.0, float(centre - half))
    hi = 1.0 if k == m else min(1.0, float(centre + half))
    return (lo, hi)


def reached(history, layers_recorded):
    """For class histories (T, S) recorded at ``layers_recorded`` (length T, increasing), the
    layer from which each seed stays in its final class to the end (int array (S,))."""
    history = np.asarray(history)
    final = history[-1]
    same = history == final[None]
    # last recorded index where the class differs from the final one; reached just after it
    differs = ~same
    last_diff = np.where(differs.any(axis=0), history.shape[0] - 1 - np.argmax(differs[::-1], axis=0), -1)
    idx = last_diff + 1
    return np.asarray(layers_recorded)[idx]


def tally(final, reach):
    """Fractions, Wilson intervals and median layers-to-reach per class, as JSON data."""
    S = len(final)
    fractions, ci, median = {}, {}, {}
    for c, name in enumerate(CLASSES):
        hit = final == c
        k = int(hit.sum())
        fractions[name] = k / S
        ci[name] = list(wilson(k, S))
        median[name] = float(np.median(reach[hit])) if k else None
    return {"fractions": fractions, "ci": ci, "median_layers": median, "seeds": S}
