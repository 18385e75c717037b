"""Finite-width growth rate of the spread inside the cluster at the configuration O_n.

At width d the exact configuration stays exact (identical points have identical images),
so the question is how a small spread of the cluster evolves.  Its tangent dynamics under
RC + phi (phi positively homogeneous: relu, leaky_relu, identity) follows from the
rank-one identity ``Z C = w s^T``, ``w = W (u - v)`` (see :mod:`bnverify.derive.symbolic`):

    base point:   v' = phi(-w) / n,   u' = (n-1) phi(w) / n
    spread:       dX'_j = phi'(-w) o (W dX_j)      for zero-sum cluster perturbations dX_j

(the batch mean of a zero-sum spread is 0, so centring leaves it alone).  The quantity is
the spread ``|x_j - x_k| / |x_j|`` of two cluster points, to first order ``|dX_j - dX_k| /
|v|``; its log growth per layer is estimated Benettin-style on one pair (``dX_1 = t/2``,
``dX_2 = -t/2``, the rest 0: zero-sum, renormalised every layer), averaged over ``layers``
layers after ``burn`` layers, per seed.  One pair draws 2 columns of ``W M`` per layer
instead of n: 8x fewer normals at n = 16, with the same spread of the estimates across
seeds (the shared factor |v'| dominates it).  As d -> infinity it tends to
``log(mu)/2`` with mu the spread eigenvalue of the scale-free Gram linearization (Gram
entries are quadratic in the spread); :func:`bnverify.sim.lyapunov.rate` sets the two side by side.

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
    """The variants whose tangent dynamics at O_n is written here: RC then a positively
    homogeneous activation.  Anything else is a usage error naming the reason."""
    if tuple(stages) not in STAGES:
        if "rs" in stages:
            raise BadInput("--stages %s: with RS the infinite-width map has no linearization at O_n "
                           "(claim rs-linearization: the spread grows like sqrt(eps)); the spread rate "
                           "is defined for rc with %s"
                           % (",".join(stages + (act.name,)), activations.spoken(_leaky_family())))
        raise BadInput("--stages %s: the configuration O_n is the RC model's (stages must be rc and one "
                       "activation)" % ",".join(tuple(stages) + (act.name,)))
    if act.slope is None:
        raise BadInput("--stages: activation %s has no closed-form spread eigenvalue (choose %s)"
                       % (act.name, ", ".join(_leaky_family())))


def _leaky_family():
    """The models' activations whose tangent dynamics is written here: leaky ReLUs of any slope."""
    return activations.names(lambda k: k.stage and k.slope is not None)


def _draw(rng, rngs, buf):
    if rngs is None:
        return rng.standard_normal(buf.shape)
    return model.fill_normals(rngs, buf)


def spread_rates(act, n, d, layers, seeds, rng=0, burn=5):
    """Per-seed rate estimates (one per seed of ``seeds``: a count S, or seed indices), all
    seeds in one batch.

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
    with model.single_thread_blas():
        return _iterate(act, n, rng, rngs, T, v, u, layers, burn) / layers


def _iterate(act, n, rng, rngs, T, v, u, layers, burn):
    """The tangent dynamics' summed log growth per seed (see :func:`spread_rates`)."""
    S, d, k = T.shape
    total = np.zeros(S)
    M = np.empty((S, d, k + 1))
    Xi = np.empty((S, d, k + 1))
    for layer in range(layers + burn):
        M[:, :, 0] = u - v
        M[:, :, 1:] = T
        WM = np.matmul(_draw(rng, rngs, Xi), model.gram_root(M))
        w, WT = WM[:, :, 0], WM[:, :, 1:]
        neg = act.dphi(-w)                              # phi'(-w)
        v_new = act.phi(-w) / n
        u_new = (n - 1) * act.phi(w) / n
        T_new = neg[:, :, None] * WT
        t_norm = np.linalg.norm(T_new, axis=(1, 2))
        v_norm = np.linalg.norm(v_new, axis=1)
        if layer >= burn:                                # |T| = |v| = 1 on entry
            total += np.log(t_norm) - np.log(v_norm)
        v, u = v_new / v_norm[:, None], u_new / v_norm[:, None]
        T = T_new / t_norm[:, None, None]
    return total


__all__ = ["QUANTITY", "check_model", "spread_rates"]
