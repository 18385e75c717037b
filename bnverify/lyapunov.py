"""Finite-width Lyapunov exponent of the cluster spread at the configuration.

At width d the exact configuration stays exact (identical points have identical images),
so the question is how a small spread of the cluster evolves.  Its tangent dynamics under
RC + phi (phi positively homogeneous) follows from the rank-one identity
``Z C = w s^T``, ``w = W (u - v)`` (see :mod:`bnverify.symbolic`):

    base point:   v' = phi(-w) / n,   u' = (n-1) phi(w) / n
    spread:       dX'_j = phi'(-w) o (W dX_j)      for zero-sum cluster perturbations dX_j

(the batch mean of a zero-sum spread is 0, so centring leaves it alone).  The exponent is
the average of ``log (|dX'|/|v'|) - log (|dX|/|v|)`` per layer, estimated Benettin-style
(the spread is renormalised every layer) over independent seeds, with a t confidence
interval.  As d -> infinity it tends to ``log(mu)/2`` with mu the spread eigenvalue of the
scale-free Gram linearization (Gram entries are quadratic in the spread).

Floating point and sampling: the result *corroborates*, it never proves.
"""
from __future__ import annotations

import math

import numpy as np

from . import model, symbolic
from .kernels import BadInput
from .verdict import INCONCLUSIVE, Verdict, stopwatch


def infinite_width_exponent(act, n):
    """log(mu)/2, mu the eigenvalue of the mode 'spread inside the cluster' at O_n (exact)."""
    spec = symbolic.configuration_spectrum(act, n)
    mus = [e["value"] for e in spec["eigenvalues"] if "spread inside the cluster" in e["mode"]]
    if len(mus) != 1:
        raise AssertionError("expected one spread eigenvalue, got %s" % mus)
    return 0.5 * math.log(float(mus[0])), mus[0]


def _rows_times(M, rng):
    """W M for W (d x d, i.i.d. N(0, 1/d)) without forming W: the rows of W M are i.i.d.
    N(0, M^T M / d), so W M = Xi R with Xi standard normal and R^T R = M^T M / d."""
    S, d, k = M.shape
    return rng.standard_normal((S, d, k)) @ model.gram_root(M)


def spread_exponents(act, n, d, layers, seeds, rng=None, burn=5):
    """Per-seed exponent estimates (array of length ``seeds``), all seeds in one batch.

    Needs d >= 32: with probability 2^-d per layer every w_i > 0 and the cluster is mapped
    to 0, where the spread is undefined (at d = 32 that is ~1e-10 per layer)."""
    if d < 32:
        raise BadInput("width %d is too small for the spread exponent (needs >= 32)" % d)
    rng = np.random.default_rng(0) if rng is None else rng
    v = np.zeros((seeds, d))
    u = np.zeros((seeds, d))
    v[:, 0] = 1.0
    u[:, 1] = n - 1.0
    k = n - 1
    T = rng.standard_normal((seeds, d, k))
    T -= T.mean(axis=2, keepdims=True)                  # zero-sum over the cluster
    T[:, :2, :] = 0                                      # start orthogonal to u and v
    T /= np.linalg.norm(T, axis=(1, 2), keepdims=True)
    a = float(act.slope)
    total = np.zeros(seeds)
    for layer in range(layers + burn):
        M = np.concatenate([(u - v)[:, :, None], T], axis=2)
        WM = _rows_times(M, rng)
        w, WT = WM[:, :, 0], WM[:, :, 1:]
        neg = np.where(w < 0, 1.0, a)                    # phi'(-w)
        v_new = act.phi(-w) / n
        u_new = (n - 1) * act.phi(w) / n
        T_new = neg[:, :, None] * WT
        growth = (np.log(np.linalg.norm(T_new, axis=(1, 2))) - np.log(np.linalg.norm(v_new, axis=1))
                  - np.log(np.linalg.norm(T, axis=(1, 2))) + np.log(np.linalg.norm(v, axis=1)))
        if layer >= burn:
            total += growth
        scale = np.linalg.norm(v_new, axis=1, keepdims=True)
        v, u = v_new / scale, u_new / scale
        T = T_new / np.linalg.norm(T_new, axis=(1, 2), keepdims=True)
    return total / layers


def t_interval(x, level=0.95):
    """Student-t confidence interval for the mean of the samples x."""
    from mpmath import mp

    x = np.asarray(x, dtype=float)
    m, s = x.mean(), x.std(ddof=1)
    # quantile of Student's t with len(x)-1 degrees of freedom, by bisection on its cdf
    df = len(x) - 1
    cdf = lambda t: float(mp.betainc(df / 2, 0.5, 0, df / (df + t * t), regularized=True))
    lo, hi = 0.0, 50.0
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) > 1 - level else (lo, mid)
    q = (lo + hi) / 2
    half = q * s / math.sqrt(len(x))
    return m - half, m + half


def exponent_verdict(act, n, widths=(64, 256, 1024), layers=200, seeds=16, seed=0):
    """Inconclusive by nature (sampling), with the evidence: per-width confidence intervals,
    the d -> infinity value, and whether the intervals approach it."""
    with stopwatch() as t:
        target, mu = infinite_width_exponent(act, n)
        rows = []
        for d in widths:
            est = spread_exponents(act, n, d, layers, seeds, np.random.default_rng([seed, d]))
            lo, hi = t_interval(est)
            rows.append({"width": d, "mean": float(est.mean()), "ci95": [lo, hi],
                         "contains_infinite_width": bool(lo <= target <= hi)})
        gaps = [abs(r["mean"] - target) for r in rows]
        approaching = all(g2 <= g1 + 1e-12 or r2["contains_infinite_width"]
                          for g1, g2, r2 in zip(gaps, gaps[1:], rows[1:]))
    return Verdict(INCONCLUSIVE, "finite-width simulation (tangent dynamics, t intervals)", {
        "reason": "sampling can corroborate, never prove",
        "infinite_width_exponent": target, "spread_eigenvalue": str(mu),
        "per_width": rows, "approaches_infinite_width": approaching,
        "n": n, "layers": layers, "seeds": seeds}, t())


__all__ = ["infinite_width_exponent", "spread_exponents", "t_interval", "exponent_verdict"]
