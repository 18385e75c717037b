"""Finite-width growth rate of the spread inside the cluster at the configuration O_n.

At width d the exact configuration stays exact (identical points have identical images),
so the question is how a small spread of the cluster evolves.  Its tangent dynamics under
RC + phi follows from the rank-one identity ``Z C = w s^T``, ``w = W (u - v)`` (see
:mod:`bnverify.derive.symbolic`), W of variance sigma_w^2 / d:

    base point:   v' = phi(-w/n),   u' = phi((n-1) w/n)
    spread:       dX'_j = phi'(-w/n) o (W dX_j)    for zero-sum cluster perturbations dX_j

(the batch mean of a zero-sum spread is 0, so centring leaves it alone).  For a positively
homogeneous phi (relu, leaky_relu, identity, abs) this is ``v' = phi(-w)/n``, the base point
may be rescaled every layer, and sigma_w^2 changes nothing.  For any other phi (gelu, tanh, a
formula, ...) the base point is that phi's own two-point state: v' and u' need not be
orthogonal, its scale is part of the state and is never rescaled, and sigma_w^2 matters.  The quantity is
the spread ``|x_j - x_k| / |x_j|`` of two cluster points, to first order ``|dX_j - dX_k| /
|v|``; its log growth per layer is estimated Benettin-style on one pair (``dX_1 = t/2``,
``dX_2 = -t/2``, the rest 0: zero-sum, renormalised every layer), averaged over ``layers``
layers after ``burn`` layers, per seed.  One pair draws 2 columns of ``W M`` per layer
instead of n: 8x fewer normals at n = 16, with the same spread of the estimates across
seeds (the shared factor |v'| dominates it).  For the ReLU family, as d -> infinity it tends
to ``log(mu)/2`` with mu the spread eigenvalue of the scale-free Gram linearization (Gram
entries are quadratic in the spread); :func:`bnverify.sim.lyapunov.rate` sets the two side by
side (for other phi there is no closed-form mu here, and it says so).

W is fresh every layer and never formed: the rows of ``W M`` are iid ``N(0, M^T M / d)``, so
``W M = Xi R`` with Xi standard normal and ``R^T R = M^T M / d`` (:func:`bnverify.sim.model.gram_root`).
Seed s draws Xi from ``default_rng([base_seed, s, 1])`` and its initial spread from
``default_rng([base_seed, s, 0])``, so its rate is the same in a stack of any size.

Floating point and sampling: the result corroborates, it never proves.
"""
from __future__ import annotations

import numpy as np

from . import model
from ..core import activations
from ..errors import BadInput

QUANTITY = ("log growth per layer of the spread |x_j - x_k| / |x_j| of two cluster points, "
            "linearized at O_n (tangent dynamics, W fresh every layer)")
MIN_WIDTH = 32
STAGES = (("rc",),)


def check_model(stages, act):
    """The variants whose tangent dynamics at O_n is written here: RC then any activation.
    Anything else is a usage error naming the reason."""
    if tuple(stages) not in STAGES:
        if "rs" in stages:
            raise BadInput("--stages %s: with RS the infinite-width map has no linearization at O_n "
                           "(claim rs-linearization: the spread grows like sqrt(eps)); the spread rate "
                           "is defined for rc and one activation" % ",".join(tuple(stages) + (act.name,)))
        raise BadInput("--stages %s: the configuration O_n is the RC model's (stages must be rc and one "
                       "activation)" % ",".join(tuple(stages) + (act.name,)))


def closed_family():
    """The activations whose infinite-width spread eigenvalue is in closed form (the ReLU family)."""
    return activations.names(lambda k: k.stage and k.slope is not None)


def _draw(rng, rngs, buf):
    if rngs is None:
        return rng.standard_normal(buf.shape)
    return model.fill_normals(rngs, buf)


def spread_rates(act, n, d, layers, seeds, rng=0, burn=5, weight_var=1):
    """Per-seed rate estimates (one per seed of ``seeds``: a count S, or seed indices), all
    seeds in one batch, W of variance weight_var / d.

    ``rng``: a base seed (per-seed streams, see the module docstring) or one
    numpy Generator for the whole stack.  Needs d >= 32: with probability 2^-d per layer
    every w_i > 0 and the cluster is mapped to 0, where the spread is undefined."""
    if d < MIN_WIDTH:
        raise BadInput("width %d is too small for the spread rate (needs >= %d)" % (d, MIN_WIDTH))
    if n < 3:
        raise BadInput("n = %d: a cluster spread needs n >= 3" % n)
    ids = model.seed_ids(seeds)
    S = len(ids)
    # one pair: dX_1 = t/2, dX_2 = -t/2 (zero-sum), so |x_1 - x_2| = |t|; T holds t
    if isinstance(rng, np.random.Generator):
        rngs = None
        T = rng.standard_normal((S, d, 1))
    else:
        rngs = model.seed_rngs(rng, ids, model.WEIGHT_STREAM)
        T = model.fill_normals(model.seed_rngs(rng, ids, model.DATA_STREAM), np.empty((S, d, 1)))
    v = np.zeros((S, d))
    u = np.zeros((S, d))
    v[:, 0] = 1.0
    u[:, 1] = n - 1.0
    T[:, :2, :] = 0                                      # start orthogonal to u and v
    T /= np.linalg.norm(T, axis=(1, 2), keepdims=True)
    if not act.homogeneous:     # the scale is the state's: start at O_n with unit entries, |u| = |v| = sqrt(d)
        v *= np.sqrt(d)
        u *= np.sqrt(d) / (n - 1.0)
    with model.single_thread_blas():
        return _iterate(act, n, rng, rngs, T, v, u, layers, burn, weight_var) / layers


def _iterate(act, n, rng, rngs, T, v, u, layers, burn, weight_var=1):
    """The tangent dynamics' summed log growth per seed (see :func:`spread_rates`)."""
    S, d, k = T.shape
    total = np.zeros(S)
    M = np.empty((S, d, k + 1))
    Xi = np.empty((S, d, k + 1))
    v_norm = np.linalg.norm(v, axis=1)
    sigma_w = float(weight_var) ** 0.5
    for layer in range(layers + burn):
        M[:, :, 0] = u - v
        M[:, :, 1:] = T
        WM = np.matmul(_draw(rng, rngs, Xi), model.gram_root(M))
        if sigma_w != 1:
            WM *= sigma_w
        w, WT = WM[:, :, 0], WM[:, :, 1:]
        v_new = act.phi(-w / n)                         # the cluster point, centred: -w/n
        u_new = act.phi((n - 1) * w / n)
        T_new = act.dphi(-w / n)[:, :, None] * WT
        t_norm = np.linalg.norm(T_new, axis=(1, 2))
        new_norm = np.linalg.norm(v_new, axis=1)
        if not (np.all(new_norm > 0) and np.all(np.isfinite(new_norm)) and np.all(t_norm > 0)):
            raise BadInput("layer %d: the cluster point or its spread is %s in floating point at width %d (phi = %s, "
                           "sigma_w^2 = %s: the scale %s); the spread rate is undefined there" % (
                               (layer + 1,) + (("0", d, act.text or act.name, weight_var, "collapsed")
                                               if np.all(np.isfinite(new_norm)) else
                                               ("not finite", d, act.text or act.name, weight_var, "overflowed"))))
        if layer >= burn:                                # |T| = 1 on entry
            total += np.log(t_norm) - np.log(new_norm / v_norm)
        if act.homogeneous:                             # the scale factors out: keep |v| = 1
            v, u, v_norm = v_new / new_norm[:, None], u_new / new_norm[:, None], np.ones(S)
        else:
            v, u, v_norm = v_new, u_new, new_norm
        T = T_new / t_norm[:, None, None]
    return total


__all__ = ["QUANTITY", "check_model", "spread_rates"]
