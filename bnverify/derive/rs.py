"""The RS variant (RC, then RS, then phi) near the configuration.

At infinite width a neuron's centred pre-activations over the batch are ``z ~ N(0, Sigma)``,
``Sigma = C G C``; RS turns them into ``y = sqrt(n) z / |z|`` (population std |z|/sqrt(n)),
and the next Gram matrix is ``F_RS(G) = E[phi(y) phi(y)^T]``: 0-homogeneous in G, with no
closed form for a general G.  Where Sigma has rank one it is explicit, and there:

1. **Fixed point** (:func:`fixed_point`): F_RS(G*) is proportional to the same G* as
   without RS (norm ratio n - 1, odd-cluster cosine -2 alpha/(1 + alpha^2)).
2. **No linearization** (:func:`spread_response`): push two cluster points apart,
   ``G(eps) = G* + eps e e^T`` with ``e = e_1 - e_2`` (PSD for eps >= 0).  Their cosine
   deficit goes in as ``delta_in = 2 eps / (1 + eps)`` and comes out at least
   ``delta_out >= (k/pi) (psi0 - k atan(sigma/k)) / (1 - k^2)``,
   ``k = sqrt(2 eps / (lambda |s|^2))``, ``sigma = 1/sqrt(n(n-1))``, ``psi0 = atan(sigma)``.
   So ``delta_out / delta_in -> infinity`` as eps -> 0: F_RS is not differentiable (not
   even Lipschitz) at G*; the spread grows like sqrt(eps), faster than any linear rate.

Derivation of 2 (each step checked by sympy in :func:`spread_response`):
``z = sqrt(lambda) g s + sqrt(eps) h e`` with g, h independent N(0, 1) and s ⟂ e.  In the
orthonormal pair (s/|s|, e/|e|) the coordinates (sqrt(lambda)|s| g, sqrt(2 eps) h) have the
angular-central-Gaussian angle density ``p(psi) = k / (2 pi (k^2 cos^2 psi + sin^2 psi))``,
and ``y = sqrt(n) (cos psi s/|s| + sin psi e/|e|)``.  On |psi - pi| <= psi0 both y_1 and y_2
are positive (|tan x| <= sigma < sqrt(2) sigma), so phi acts as the identity there and
``(phi(y_1) - phi(y_2))^2 = 2 n sin^2 psi``; elsewhere the square is >= 0.  Finally
``E[phi(y_1)^2] <= E[y_1^2] <= n`` and delta_out = E[(phi(y_1) - phi(y_2))^2] / (2 E[phi(y_1)^2]).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from . import symbolic
from .symbolic import ALPHA, N, _CLUSTER

EPS = sp.Symbol("epsilon", positive=True)
_X = sp.Symbol("x", real=True)
_K = sp.Symbol("k", positive=True)


def fixed_point(act, n=N):
    """Exact F_RS(G*) from the per-neuron values (v'_i, u'_i) of the rank-one layer, averaged
    over the sign of w_i (+ and - equally likely); compared with G* of the RC map."""
    inv = symbolic.invariance(("rc", "rs"), act, n)
    t = inv["variable"]
    vals = [(inv["v_prime"].subs(t, sgn), inv["u_prime"].subs(t, sgn)) for sgn in (1, -1)]
    a = sp.simplify(sum(v * v for v, _ in vals) / 2)
    x = sp.simplify(sum(v * u for v, u in vals) / 2)
    b = sp.simplify(sum(u * u for _, u in vals) / 2)
    star = symbolic.fixed_point(act, n)["state"]
    c = a / star.a
    residual = [sp.simplify(x - c * star.x), sp.simplify(b - c * star.b)]
    return {"cluster_diag": a, "cross": x, "odd_diag": b, "scale_factor": sp.simplify(c),
            "residual": residual, "holds": all(r == 0 for r in residual)}


def spread_response(act, n=N):
    """Lower bound on the output spread for input spread eps (see the module docstring),
    with sympy checks of the derivation's steps and of the limit."""
    n = sp.sympify(n)
    star = symbolic.fixed_point(act, n if n != N else N)["state"]
    s2 = (n - 1) / n                                   # |s|^2
    lam = sp.factor(star.a + star.b - 2 * star.x)      # |u - v|^2 at G*
    sigma = 1 / sp.sqrt(n * (n - 1))
    psi0 = sp.atan(sigma)
    k = sp.sqrt(2 * EPS / (lam * s2))
    density = _K / (2 * sp.pi * (_K ** 2 * sp.cos(_X) ** 2 + sp.sin(_X) ** 2))
    antideriv = (_X - _K * sp.atan(sp.tan(_X) / _K)) / (1 - _K ** 2)
    checks = {
        # the antiderivative of sin^2 x / (k^2 cos^2 x + sin^2 x) on |x| < pi/2
        "antiderivative": sp.simplify(sp.diff(antideriv, _X) - sp.sin(_X) ** 2 /
                                      (_K ** 2 * sp.cos(_X) ** 2 + sp.sin(_X) ** 2)) == 0,
        # s and e = e_1 - e_2 are orthogonal, and y_1, y_2 > 0 where |tan x| <= sigma
        "cluster_coordinate": sp.simplify(-1 / n / sp.sqrt(s2) + sigma) == 0,
        # |tan x| <= sigma = tan(psi0) implies |tan x| < sqrt(2) sigma because sigma > 0
        "positive_region": bool(sp.sqrt(2) > 1) and sp.simplify(sigma.subs(N, _CLUSTER + 1)).is_positive,
    }
    # density normalisation: over a half period the mass is 1/2 (the ACG density), exactly:
    # the antiderivative of p is atan(tan(x)/k)/(2 pi), whose jump over (-pi/2, pi/2) is 1/2
    checks["density"] = sp.simplify(sp.diff(sp.atan(sp.tan(_X) / _K) / (2 * sp.pi), _X) - density) == 0
    window = 2 * n * (antideriv.subs(_X, psi0) - antideriv.subs(_X, -psi0))
    num_lb = window * _K / (2 * sp.pi)                  # <= E[(phi(y_1) - phi(y_2))^2]
    out_lb_k = sp.simplify(num_lb / (2 * n))            # <= delta_out, as a function of k < 1
    # delta_in = 2 eps/(1 + eps) <= 2 eps = k^2 lambda |s|^2, and k atan(sigma/k) <= k pi/2,
    # 1/(1 - k^2) >= 1, so for 0 < k < 1:
    #   delta_out / delta_in >= (psi0 - k pi/2) / (pi k lambda |s|^2)  ->  infinity as k -> 0.
    ratio_lb_k = (psi0 - _K * sp.pi / 2) / (sp.pi * _K * lam * s2)
    M = sp.Symbol("M", positive=True)
    k_for_M = sp.simplify(psi0 / (sp.pi / 2 + sp.pi * M * lam * s2))   # ratio >= M for k <= this
    checks["chain"] = sp.simplify(out_lb_k - _K * (psi0 - _K * sp.atan(sigma / _K)) / (sp.pi * (1 - _K ** 2))) == 0
    checks["ratio_at_k_for_M"] = sp.simplify(ratio_lb_k.subs(_K, k_for_M) - M) == 0
    positive = {"lambda": symbolic.compare_to(lam, 0) == ">", "psi0": True, "|s|^2": True}
    return {"lambda": lam, "k": k, "psi0": psi0, "delta_in": 2 * EPS / (1 + EPS),
            "delta_out_lower_bound": out_lb_k.subs(_K, k),
            "ratio_lower_bound": ratio_lb_k.subs(_K, k), "k_for_ratio_M": k_for_M,
            "sqrt_coefficient": sp.simplify(k / sp.sqrt(EPS) * psi0 / sp.pi),
            "checks": checks, "positivity": positive,
            "holds": all(checks.values()) and all(positive.values())}


def spread_response_quadrature(act, n, eps, dps=30):
    """delta_out(eps) itself by 1-D quadrature over the angle psi (mpmath; suggestive only),
    for comparison with the lower bound and with Monte Carlo."""
    import mpmath as mp

    mp.mp.dps = dps
    star = symbolic.fixed_point(act, n)["state"]
    lam = float(star.a + star.b - 2 * star.x) if not star.x.free_symbols else None
    s2 = mp.mpf(n - 1) / n
    k = mp.sqrt(2 * mp.mpf(eps) / (lam * s2))
    sig = 1 / mp.sqrt(n * (n - 1))
    a = float(act.slope)
    phi = (lambda v: v if v > 0 else a * v)

    def at(p):
        """(y_1, y_2, density) at angle p, each cosine, sine and root once (at quad's working precision)."""
        c, s, root_n, root_2 = mp.cos(p), mp.sin(p), mp.sqrt(n), mp.sqrt(2)
        return (root_n * (-sig * c + s / root_2), root_n * (-sig * c - s / root_2),
                k / (2 * mp.pi * (k ** 2 * c ** 2 + s ** 2)))

    def m11(p):
        y1, _, d = at(p)
        return phi(y1) ** 2 * d

    def d12(p):
        y1, y2, d = at(p)
        return (phi(y1) - phi(y2)) ** 2 * d

    pts = [0, mp.pi / 2, mp.pi, 3 * mp.pi / 2, 2 * mp.pi]
    pts = sorted(set(pts + [mp.pi + d for d in (-4 * k, -k, k, 4 * k)] + [d for d in (k, 4 * k)]
                     + [2 * mp.pi - d for d in (k, 4 * k)]))
    return float(mp.quad(d12, pts) / (2 * mp.quad(m11, pts)))


def rs_gram_monte_carlo(G, act, samples, rng):
    """F_RS(G) by Monte Carlo over z ~ N(0, C G C) (float; corroboration only)."""
    n = G.shape[0]
    C = np.eye(n) - 1.0 / n
    S = C @ G @ C
    w, V = np.linalg.eigh(S)
    R = V * np.sqrt(np.clip(w, 0, None))
    z = rng.standard_normal((samples, n)) @ R.T
    y = np.sqrt(n) * z / np.linalg.norm(z, axis=1, keepdims=True)
    py = act.phi(y)
    return py.T @ py / samples


__all__ = ["fixed_point", "spread_response", "spread_response_quadrature", "rs_gram_monte_carlo",
           "ALPHA", "EPS"]


# ---------------------------------------------------------------- RS then phi, without RC: the symmetric family
def family_image(act, n, r, dps=20):
    """RS then phi without RC on the family G = C + r J/n (lam = 1, beta = r >= 0; the map is
    0-homogeneous), through the Laplace representation with v = 1 + 2s (docs/decompose.md):

        d = G'_jj = (1/2) int_1^oo w(v) kappa(1) dv = kappa(1) (1 + r/(n-3)),
        o = G'_jk = (1/2) int_1^oo w(v) kappa(c(v)) dv,
        w(v) = v^(-(n+1)/2) (n - 1 + r v),   c(v) = (r v - 1)/(r v + n - 1).

    Returns (d, o, r') as mpmath numbers, r' = beta'/lam' = (d + (n-1) o)/(d - o).  Quadrature in
    mpmath (a float suggestion: the trusted row does not use these numbers); n >= 4."""
    from mpmath import mp, mpf, quad, inf

    from ..core.arith import MpContext

    if n < 4:
        raise ValueError("n = %d: E[1/chi^2_%d] is infinite" % (n, n - 1))
    with mp.workdps(dps):
        ctx = MpContext(dps)
        r = mpf(r)
        w = lambda v: v ** (-mpf(n + 1) / 2) * (n - 1 + r * v)          # noqa: E731
        c = lambda v: (r * v - 1) / (r * v + n - 1)                       # noqa: E731
        kap = lambda x: act.kappa(min(mpf(1), max(mpf(-1), x)), ctx)    # noqa: E731
        o = quad(lambda v: w(v) * kap(c(v)), [1, 2, 10, 100, inf]) / 2
        d = act.kappa_one(ctx) * (1 + r / (n - 3))
        return +d, +o, (d + (n - 1) * o) / (d - o)


def family_orbit(act, n, r0, layers, dps=20, stop=None):
    """The cosines (r - 1)/(r + n - 1) along at most ``layers`` steps of :func:`family_image`
    from r0 (ending after the first cosine above ``stop``, when given)."""
    r, out = r0, []
    for _ in range(layers):
        r = family_image(act, n, r, dps)[2]
        out.append(float((r - 1) / (r + n - 1)))
        if stop is not None and out[-1] > stop:
            break
    return out
