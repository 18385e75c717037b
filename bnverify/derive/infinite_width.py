"""The infinite-width Gram map for ANY activation, in floating point (a suggestion, never a
proof): G -> K_phi(weight_var * C G C) with RC (C = I - 11^T/n), or without it.

K_phi(S)_jk = E[phi(x_j) phi(x_k)], (x_j, x_k) ~ N(0, [[S_jj, S_jk], [S_jk, S_kk]]), is
evaluated for every pair at once by the Gauss-Hermite product rule (the float rule that
neural-tangents' ``ElementwiseNumerical`` uses; its error for smooth phi is ~1e-7 at 40 nodes,
for the ReLU family ~1e-3, benchmarks/bench_kernel.py).  Certified values come from
:mod:`bnverify.core.dual_kernel` (``bnverify kernel``); the trusted kernel decides verdicts.

For a positively homogeneous phi (the ReLU family) the scale factors out and ``iterate``
normalizes each step (the scale-free dynamics); otherwise the scale is part of the state and
is tracked: it may collapse to 0, settle at a finite variance, or grow without bound (the
order/chaos picture of mean-field theory, Poole et al. 2016, here with RC).
"""
from __future__ import annotations

import functools
import math

import numpy as np

NODES = 40


@functools.lru_cache(maxsize=8)
def rule(nodes=NODES):
    """Gauss-Hermite nodes and weights for E[f(Z)], Z ~ N(0, 1) (cached: read-only arrays)."""
    with np.errstate(all="ignore"):     # numpy warns on its own intermediate overflow past ~300 nodes
        t, w = np.polynomial.hermite.hermgauss(nodes)
    t, w = t * math.sqrt(2), w / math.sqrt(math.pi)
    t.flags.writeable = w.flags.writeable = False
    return t, w


def pair_mean(q1, q2, c, f, g, nodes=NODES):
    """E[f(x) g(y)], (x, y) ~ N(0, [[q1, c], [c, q2]]), for arrays q1, q2, c (float), by the product
    rule on x = sqrt(q1) u, y = (c/q1) x + sqrt(q2 - c^2/q1) v (exact at correlation +-1)."""
    u, wu = rule(nodes)
    q1, q2, c = np.maximum(q1, 0.0), np.maximum(q2, 0.0), np.asarray(c, dtype=float)
    s1 = np.sqrt(q1)
    slope = np.divide(c, q1, out=np.zeros_like(c), where=q1 > 0)
    rest = np.sqrt(np.maximum(q2 - slope * c, 0.0))
    rest = np.where(q1 > 0, rest, np.sqrt(q2))
    x = s1[:, None] * u[None, :]                                    # (pairs, nodes)
    y = (slope * s1)[:, None, None] * u[None, :, None] + rest[:, None, None] * u[None, None, :]
    with np.errstate(over="ignore"):    # exp(-x) in silu / elu's unused branch overflows harmlessly
        fx, gy = f(x), g(y)
        if isinstance(gy, np.ndarray) and gy.dtype == np.float64 and gy.shape == y.shape and gy.flags.writeable:
            gy *= fx[:, :, None]            # in place: the (pairs, nodes, nodes) product is the rule's largest array
        else:
            gy = fx[:, :, None] * gy
        return np.einsum("a,b,iab->i", wu, wu, gy)


def kernel(S, act, nodes=NODES):
    """K_phi(S) (n x n) for a PSD S by the product rule on every pair j <= k (float)."""
    n = S.shape[0]
    j, k = np.triu_indices(n)
    vals = pair_mean(S[j, j], S[k, k], S[j, k], act.phi, act.phi, nodes)
    K = np.empty((n, n))
    K[j, k] = vals
    K[k, j] = vals
    return K


def gram_map(G, act, weight_var=1.0, rc=True, nodes=NODES):
    """One step G -> K_phi(weight_var C G C) (C the centring if ``rc``)."""
    S = G - G.mean(axis=0, keepdims=True) - G.mean(axis=1, keepdims=True) + G.mean() if rc else G
    return kernel(weight_var * S, act, nodes)


def iterate(G, act, weight_var=1.0, depth=200, rc=True, nodes=NODES):
    """(G_depth, info): the map applied ``depth`` times from G (fewer if the scale leaves the
    floats); info["log10_scale"][l] is log10 of the mean diagonal of G_l in the model's own
    scale.  A homogeneous phi is normalized each step (mean diagonal 1 afterwards), and its log
    scale is the sum of the per-step factors' logs from G_0's (0)."""
    m0 = float(np.mean(np.diag(G)))
    logs = [0.0 if act.homogeneous or not m0 > 0 else math.log10(m0)]
    for _ in range(depth):
        G = gram_map(G, act, weight_var, rc, nodes)
        m = float(np.mean(np.diag(G)))
        if act.homogeneous and m > 0:
            G = G / m
            logs.append(logs[-1] + math.log10(m))
        else:
            logs.append(math.log10(m) if m > 0 else -math.inf)
        if not (np.isfinite(G).all() and m > 1e-300) or m > 1e300:
            break
    return G, {"log10_scale": logs, "homogeneous": act.homogeneous}


def scale_verdict(logs, homogeneous, tail=20):
    """'collapses' / 'explodes' / 'finite' / 'drifting' from the log10 mean-variance path (a
    float suggestion); for a homogeneous phi the shape is scale-free and the scale factor per
    step is reported instead."""
    if homogeneous:
        return "scale-free"
    last = logs[-1]
    if not math.isfinite(last) or last < -12:
        return "collapses"
    if last > 12:
        return "explodes"
    recent = logs[-tail:]
    return "finite" if max(recent) - min(recent) < 1e-4 else "drifting"
