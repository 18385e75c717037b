"""Scale-free summaries of a batch's geometry, for a stack of seeds at once.

Everything here is a function of the Gram matrices ``G = X^T X`` of a stack X of shape
(S, d, n) (column j = data point j), so it applies equally to a Gram stack (S, n, n), e.g.
one produced by the infinite-width map :func:`bnverify.core.gram.F`.  For each seed:

    norms_j        = sqrt(G_jj)
    cos_jk         = G_jk / (norms_j norms_k)     (0 when either point is 0)
    odd            = argmax_j norms_j             (the first one on ties)
    norm_ratio     = norms_odd / mean_{j != odd} norms_j      (inf if the others are all 0)
    max_abs_cos_odd = max_{j != odd} |cos_{odd, j}|
    min_cos_others = min_{j != k, both != odd} cos_jk          (1 when n = 2: no pair)
    scale          = mean_j |x_j|^2 / d, the mean square of an entry (the infinite-width Gram
                     diagonal's mean; d = 1 for a Gram stack given as G)
    zero_points    = how many points are exactly 0 (a scale that collapsed below the floats:
                     such a seed's cosines and norm ratio say nothing, and it is no outlier)

The configuration O_n with odd point u of norm r |v| has odd = n-1, norm_ratio = r (if r > 1),
max_abs_cos_odd = 0, min_cos_others = 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FIELDS = ("odd_index", "norm_ratio", "max_abs_cos_odd", "min_cos_others", "scale", "zero_points")


def gram_stack(X):
    """G = X^T X per seed, shape (S, n, n) (a 2-D X is one seed)."""
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[None]
    return np.matmul(X.transpose(0, 2, 1), X)


def _as_gram(X=None, G=None):
    if (X is None) == (G is None):
        raise TypeError("give exactly one of X (S, d, n) and G (S, n, n)")
    if G is None:
        return gram_stack(X)
    G = np.asarray(G, dtype=float)
    return G[None] if G.ndim == 2 else G


def column_norms(X=None, G=None):
    """|x_j| per seed, shape (S, n)."""
    G = _as_gram(X, G)
    return np.sqrt(np.maximum(np.diagonal(G, axis1=1, axis2=2), 0.0))


def cosines(X=None, G=None):
    """cos(x_j, x_k) per seed, shape (S, n, n); a zero point has cosine 0 with everything."""
    G = _as_gram(X, G)
    nr = column_norms(G=G)
    dd = nr[:, :, None] * nr[:, None, :]
    C = np.divide(G, dd, out=np.zeros_like(G), where=dd > 0)
    return np.clip(C, -1.0, 1.0)


@dataclass(frozen=True)
class Summary:
    """Per-seed summaries (arrays of shape (S,)); see the module docstring."""

    odd_index: np.ndarray
    norm_ratio: np.ndarray
    max_abs_cos_odd: np.ndarray
    min_cos_others: np.ndarray
    scale: np.ndarray
    zero_points: np.ndarray

    def __len__(self):
        return len(self.odd_index)

    def seed(self, s):
        """Seed s's summary as plain Python numbers."""
        return {"odd_index": int(self.odd_index[s]), "norm_ratio": float(self.norm_ratio[s]),
                "max_abs_cos_odd": float(self.max_abs_cos_odd[s]),
                "min_cos_others": float(self.min_cos_others[s]), "scale": float(self.scale[s]),
                "zero_points": int(self.zero_points[s])}

    def outlier(self, ratio_above, cos_below):
        """Boolean (S,): one point with norm ratio > ratio_above and |cos| < cos_below with
        every other point, and no point exactly 0."""
        return (self.norm_ratio > ratio_above) & (self.max_abs_cos_odd < cos_below) & (self.zero_points == 0)


def summarize(X=None, G=None):
    """The :class:`Summary` of a stack X (S, d, n) or of a Gram stack G (S, n, n)."""
    d = 1 if X is None else np.shape(X)[-2]
    G = _as_gram(X, G)
    S, n, _ = G.shape
    nr = column_norms(G=G)
    C = cosines(G=G)
    odd = np.argmax(nr, axis=1)
    rows = np.arange(S)
    others = np.ones((S, n), dtype=bool)
    others[rows, odd] = False
    mean_others = np.where(others, nr, 0.0).sum(axis=1) / (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(mean_others > 0, nr[rows, odd] / np.where(mean_others > 0, mean_others, 1),
                         np.inf)
    max_cos = np.where(others, np.abs(C[rows, odd, :]), 0.0).max(axis=1)
    pair = others[:, :, None] & others[:, None, :] & ~np.eye(n, dtype=bool)[None]
    min_cos = np.where(pair, C, np.inf).min(axis=(1, 2))
    min_cos = np.where(np.isfinite(min_cos), min_cos, 1.0)
    return Summary(odd, ratio, max_cos, min_cos, np.diagonal(G, axis1=1, axis2=2).mean(axis=1) / d, (nr == 0).sum(axis=1))
