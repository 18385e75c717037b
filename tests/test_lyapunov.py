"""Finite-width spread exponent: tangent dynamics against an explicit nonlinear network,
and the estimate against the exact infinite-width value."""
import numpy as np

from bnverify.sim import lyapunov
from bnverify.core.activations import Activation

RELU = Activation("relu")


def _explicit_growth(n, d, layers, rng, delta=1e-7):
    """Spread growth measured on the real layer (explicit W, RC, ReLU) from a tiny spread."""
    v = np.zeros(d); v[0] = 1
    u = np.zeros(d); u[1] = n - 1
    P = rng.standard_normal((d, n - 1)); P -= P.mean(axis=1, keepdims=True); P[:2] = 0
    X = np.column_stack([v + delta * P[:, j] / np.linalg.norm(P) for j in range(n - 1)] + [u])
    logs = []
    for _ in range(layers):
        clus = X[:, : n - 1]
        s0 = np.linalg.norm(clus - clus.mean(axis=1, keepdims=True)) / np.linalg.norm(clus.mean(axis=1))
        Z = (rng.standard_normal((d, d)) / np.sqrt(d)) @ X
        Z = np.maximum(Z - Z.mean(axis=1, keepdims=True), 0)
        clus = Z[:, : n - 1]
        s1 = np.linalg.norm(clus - clus.mean(axis=1, keepdims=True)) / np.linalg.norm(clus.mean(axis=1))
        logs.append(np.log(s1 / s0))
        m = clus.mean(axis=1, keepdims=True)     # renormalise the spread back to delta
        X = np.column_stack([m + (clus - m) * (delta * np.linalg.norm(m) / np.linalg.norm(clus - m)), Z[:, -1]])
        X /= np.linalg.norm(m)
    return np.mean(logs)


def test_tangent_dynamics_matches_explicit_network():
    n, d = 6, 128
    rng = np.random.default_rng(2)
    explicit = np.mean([_explicit_growth(n, d, 60, rng) for _ in range(12)])
    tangent = lyapunov.spread_exponents(RELU, n, d, 60, 12, np.random.default_rng(3)).mean()
    target, _ = lyapunov.infinite_width_exponent(RELU, n)
    assert abs(explicit - tangent) < 0.03
    assert abs(explicit - target) < 0.03


def test_exponent_interval_brackets_infinite_width_value():
    target, mu = lyapunov.infinite_width_exponent(RELU, 8)
    assert np.isclose(target, 0.5 * np.log(64 / 50))
    est = lyapunov.spread_exponents(RELU, 8, 256, 200, 16, np.random.default_rng(7))
    se = est.std(ddof=1) / np.sqrt(len(est))
    assert abs(est.mean() - target) < 3.5 * se          # a 99.9% two-sided test
    lo, hi = lyapunov.t_interval(est)
    assert hi - lo < 0.02


def test_t_interval_quantile():
    # 16 samples: t_{0.975, 15} = 2.131
    x = np.array([0.0] * 8 + [1.0] * 8)
    lo, hi = lyapunov.t_interval(x)
    s = x.std(ddof=1)
    assert np.isclose((hi - lo) / 2, 2.1314 * s / 4, rtol=1e-3)


def test_verdict_is_never_proved():
    v = lyapunov.exponent_verdict(RELU, 6, widths=(32, 128), layers=40, seeds=8)
    assert v.status == "inconclusive" and "per_width" in v.evidence
