"""Finite-width Lyapunov exponent of the cluster spread at the configuration.

At width d the exact configuration stays exact (identical points have identical images),
so the question is how a small spread of the cluster evolves.  Its tangent dynamics under
RC + phi follows from the rank-one identity ``Z C = w s^T``, ``w = W (u - v)`` (see
:mod:`bnverify.derive.symbolic`; for a phi that is not positively homogeneous the base point
is that phi's own two-point state, :mod:`bnverify.sim.lyapunov_rate`):

    base point:   v' = phi(-w/n),   u' = phi((n-1) w/n)
    spread:       dX'_j = phi'(-w/n) o (W dX_j)    for zero-sum cluster perturbations dX_j

(the batch mean of a zero-sum spread is 0, so centring leaves it alone).  The exponent is
the average of ``log (|dX'|/|v'|) - log (|dX|/|v|)`` per layer, estimated Benettin-style
(the spread is renormalised every layer) over independent seeds, with a t confidence
interval; the simulation itself is :mod:`bnverify.sim.lyapunov_rate`, this module keeps the
infinite-width value, the rate beside it (:func:`rate`, behind ``bnverify lyapunov``) and the
claim's verdict.  For the ReLU family, as d -> infinity it tends to ``log(mu)/2`` with mu the
spread eigenvalue of the scale-free Gram linearization (Gram entries are quadratic in the
spread); for another phi that value is not computed here, and :func:`rate` says so.

Floating point and sampling: the result *corroborates*, it never proves.
"""
from __future__ import annotations

import math

import numpy as np

from . import lyapunov_rate
from ..core import activations
from ..derive import symbolic
from ..core.verdict import INCONCLUSIVE, Verdict, stopwatch


def infinite_width_exponent(act, n):
    """log(mu)/2, mu the eigenvalue of the mode 'spread inside the cluster' at O_n (exact)."""
    spec = symbolic.configuration_spectrum(act, n)
    mus = [e["value"] for e in spec["eigenvalues"] if "spread inside the cluster" in e["mode"]]
    if len(mus) != 1:
        raise AssertionError("expected one spread eigenvalue, got %s" % mus)
    return 0.5 * math.log(float(mus[0])), mus[0]


def spread_exponents(act, n, d, layers, seeds, rng=None, burn=5):
    """Per-seed exponent estimates (array of length ``seeds``), all seeds in one batch:
    :func:`bnverify.sim.lyapunov_rate.spread_rates` (``rng``: a Generator, or a base seed for
    per-seed streams; default Generator seed 0)."""
    return lyapunov_rate.spread_rates(act, n, d, layers, seeds,
                                      np.random.default_rng(0) if rng is None else rng, burn)


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
            est = lyapunov_rate.spread_rates(act, n, d, layers, seeds, seed)
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
        "quantity": lyapunov_rate.QUANTITY, "seed_streams": "numpy default_rng([%d, s, stream]) per seed s" % seed,
        "n": n, "layers": layers, "seeds": seeds}, t())


def rate(act, n, d, layers, seeds, base_seed=0, burn=5, weight_var=1):
    """The rate's mean over seeds with its 95% t interval, beside the d -> infinity value
    where it is known in closed form (the ReLU family; else None, and ``infinite_width_note``
    says why): the ``bnverify lyapunov`` JSON document (without options)."""
    est = lyapunov_rate.spread_rates(act, n, d, layers, seeds, base_seed, burn, weight_var)
    lo, hi = t_interval(est) if len(est) > 1 else (float("-inf"), float("inf"))
    if act.has_closed_kernel:
        target, mu = infinite_width_exponent(act, n)
        target, mu, note = float(target), str(mu), None
    else:
        target = mu = None
        note = ("no infinite-width value for %s: the spread eigenvalue is in closed form for %s only (positively "
                "homogeneous, so at every sigma_w^2); for this phi the scale is part of the state and the "
                "infinite-width linearization at its two-point state is not computed here" % (
                    act.text or act.name, activations.spoken(lyapunov_rate.closed_family())))
    return {"rate": float(est.mean()), "ci": [float(lo), float(hi)], "infinite_width": target,
            "spread_eigenvalue": mu, "infinite_width_note": note, "quantity": lyapunov_rate.QUANTITY,
            "width": int(d), "n": int(n), "layers": int(layers), "seeds": int(seeds),
            "per_seed": [float(x) for x in est]}


__all__ = ["infinite_width_exponent", "spread_exponents", "t_interval", "exponent_verdict", "rate"]
