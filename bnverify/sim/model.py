"""The finite-width network of the README's model section, run for many seeds at once.

A *stack* is a float array ``X`` of shape ``(S, d, n)``: S independent networks (seeds),
width d, batch size n; ``X[s, :, j]`` is data point j of seed s.  One layer is

    Z = W X,   W_ik iid N(0, sigma_w^2/d), fresh every layer (sigma_w^2 = weight_var, default 1)
    RC (optional):  Z <- Z C,  C = I - 11^T/n          (each row minus its batch mean)
    RS (optional):  each row divided by its population std over the batch
                    (1/n; a row whose std is exactly 0 is set to 0 -- after RC it is 0)
    X' = phi(Z)     entrywise

and all S networks advance in one batched numpy computation.

Two samplers draw the same law of Z given X:

``"weights"``  draws W literally: d*d normals and a d x d by d x n product per layer and seed.
``"gram"``     (default) uses that the rows of W X are independent, row i being
               ``w_i^T X`` with ``w_i ~ N(0, I/d)``, hence ``N(0, G)`` with ``G = X^T X / d``.
               So ``Z = Xi R`` with Xi a d x n matrix of iid N(0, 1) and R any n x n matrix
               with ``R^T R = G`` has exactly the law of ``W X`` (given X; W is fresh, so
               layers stay independent given the past): the rows of Xi R are iid
               ``N(0, R^T R)``.  R comes from a batched Cholesky factorization, with an
               eigh fallback for singular G (see :func:`gram_root`).  Cost: d*n normals
               and O(d n^2) flops, d/n times cheaper than the weights sampler.  The two agree in
               law, not path by path: the same seed gives different networks.

Rescaling.  Over hundreds of layers the scale drifts geometrically (under/overflow), while
every summary we read is scale-free.  So after each layer each seed's X is multiplied by a
positive number making the mean squared column norm 1: ``sum_j |x_j|^2 = n``.  This changes
nothing downstream whenever the layer is positively homogeneous in X (relu, leaky_relu,
identity, abs) or contains RS (whose output does not depend on the input scale); for the
same reason sigma_w^2 then only scales each layer and leaves every summary unchanged.  For
other activations (tanh, gelu, a formula, ... without RS) the scale is part of the state:
rescaling would change the model, so it is not done there, and sigma_w^2 changes the
dynamics.  A layer whose values are not finite (a formula such as x*exp(x) overflowing) stops
the run with a one-line error naming the layer, never a warning or a silent nan.

Seeds.  Seed s of a run with base seed b draws its weights (or Xi) from
``np.random.default_rng([b, s, 1])`` and its initial batch from
``np.random.default_rng([b, s, 0])``, one generator per seed.  So seed s gives the same
network whether it runs alone or in a stack of any size: the batched linear algebra
(stacked matmul, Cholesky, reductions along contiguous rows) does per seed exactly what
it does for one seed, bit for bit (checked up to n = 64, d = 1024, 500 layers).  Results
are bitwise reproducible only with the same numpy/BLAS, though: the weights sampler's
paths separate from last-bit perturbations by about 10% per layer (RC + ReLU), so
another machine may end a long run in a different, equally distributed state.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..core.activations import Activation
from ..errors import BadInput

SAMPLERS = ("gram", "weights")
DATA_STREAM, WEIGHT_STREAM = 0, 1


# ---------------------------------------------------------------- seeds
def seed_ids(seeds):
    """``seeds`` as a tuple of seed indices: an int S means 0..S-1."""
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise BadInput("seeds %d: need at least one seed" % seeds)
        return tuple(range(int(seeds)))
    ids = tuple(int(s) for s in seeds)
    if not ids:
        raise BadInput("no seeds given")
    if min(ids) < 0:
        raise BadInput("seed index %d is negative" % min(ids))
    return ids


def seed_rngs(base_seed, seeds, stream):
    """One generator per seed: ``default_rng([base_seed, s, stream])``."""
    if int(base_seed) < 0:
        raise BadInput("base seed %d is negative" % base_seed)
    return [np.random.default_rng([int(base_seed), s, stream]) for s in seed_ids(seeds)]


_POOL = None
_THREADED_FILL = 1 << 15     # below this many normals per seed, threads cost more than they save


def fill_normals(rngs, out):
    """out[s] <- iid N(0, 1) from generator rngs[s], for every seed s.

    numpy's generators release the GIL while filling an array, so for large stacks the
    seeds are filled in parallel threads (numpy's documented multithreaded-generation
    pattern); each seed still draws from its own generator, so the values do not depend
    on the threading."""
    global _POOL
    if len(rngs) > 1 and out[0].size >= _THREADED_FILL and (os.cpu_count() or 1) > 1:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=min(os.cpu_count(), 8),
                                       thread_name_prefix="bnverify-rng")
        list(_POOL.map(lambda s: rngs[s].standard_normal(out=out[s]), range(len(rngs))))
    else:
        for s, g in enumerate(rngs):
            g.standard_normal(out=out[s])
    return out


def _normals(rng, seeds, shape, stream):
    """A (S,) + shape stack of N(0, 1): per-seed streams if rng is an int base seed,
    else drawn from the one Generator rng."""
    ids = seed_ids(seeds)
    if isinstance(rng, np.random.Generator):
        return rng.standard_normal((len(ids),) + shape)
    return fill_normals(seed_rngs(rng, ids, stream), np.empty((len(ids),) + shape))


# ---------------------------------------------------------------- batches
def _check_nd(n, d):
    if n < 2:
        raise BadInput("batch size n = %d: need n >= 2" % n)
    if d < 1:
        raise BadInput("width d = %d: need d >= 1" % d)


def gaussian_batch(n, d, seeds, rng=0):
    """(S, d, n) with iid N(0, 1) entries.  ``rng``: base seed (per-seed streams) or a Generator."""
    _check_nd(n, d)
    return _normals(rng, seeds, (d, n), DATA_STREAM)


def configuration_batch(n, d, seeds, ratio=1, rng=None):
    """The configuration O_n: columns 0..n-2 equal a unit vector v (the cluster), the LAST
    column is ``ratio * u`` with u a unit vector orthogonal to v (the odd point).
    ``rng=None``: v = e_1, u = e_2 for every seed; else a random orthonormal pair per seed
    (base seed or Generator)."""
    _check_nd(n, d)
    if d < 2:
        raise BadInput("width d = %d: the configuration needs d >= 2" % d)
    S = len(seed_ids(seeds))
    if rng is None:
        V = np.zeros((S, d, 2))
        V[:, 0, 0] = V[:, 1, 1] = 1.0
    else:
        V, _ = np.linalg.qr(_normals(rng, seeds, (d, 2), DATA_STREAM))
    X = np.repeat(V[:, :, :1], n, axis=2)
    X[:, :, -1] = float(ratio) * V[:, :, 1]
    return X


def k_clusters_batch(n, d, k, seeds, spread=0.1, rng=0):
    """k clusters: point j lies near centre j mod k, ``x_j = c_{j mod k} + spread g_j / sqrt(d)``
    with unit centres c of random direction and g_j ~ N(0, I_d) (so |noise| ~ spread)."""
    _check_nd(n, d)
    if not 1 <= k <= n:
        raise BadInput("k = %d clusters: need 1 <= k <= n = %d" % (k, n))
    raw = _normals(rng, seeds, (d, k + n), DATA_STREAM)
    centres = raw[:, :, :k] / np.linalg.norm(raw[:, :, :k], axis=1, keepdims=True)
    return centres[:, :, np.arange(n) % k] + float(spread) * raw[:, :, k:] / np.sqrt(d)


# ---------------------------------------------------------------- one layer
def _as_stack(X):
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[None]
    if X.ndim != 3:
        raise ValueError("expected a stack of shape (S, d, n), got %s" % (X.shape,))
    return X


def gram_root(X):
    """R (S, n, n) with R^T R = X^T X / d for each seed.

    R = L^T from the Cholesky factor G = L L^T: a smooth function of G, so the sampled path
    depends smoothly on X.  (An eigh root diag(sqrt w) V^T is equally valid in law, but its
    eigenvectors swing with tiny changes of G when eigenvalues are close, which multiplied
    rounding differences by about 5 per layer in our runs.)  A seed whose G is numerically
    singular (e.g. the configuration O_n, or RC without a non-linearity) falls back to the
    eigh root with rounding-level negative eigenvalues clipped to 0; the choice is made per
    seed, so a seed's root does not depend on the other seeds of the stack."""
    d = X.shape[1]
    G = np.matmul(X.transpose(0, 2, 1), X) / d
    try:
        return np.linalg.cholesky(G).transpose(0, 2, 1)
    except np.linalg.LinAlgError:
        return np.stack([_root_one(g) for g in G])


def _root_one(G):
    try:
        return np.linalg.cholesky(G).T
    except np.linalg.LinAlgError:
        w, V = np.linalg.eigh(G)
        return np.sqrt(np.maximum(w, 0.0))[:, None] * V.T


class Buffers:
    """Scratch arrays reused from layer to layer.  Fresh multi-megabyte arrays every layer
    cost page faults (glibc hands large blocks back to the kernel), which made a stack of
    seeds slower than a loop over them."""

    def __init__(self):
        self._arrays = {}

    def get(self, name, shape):
        a = self._arrays.get(name)
        if a is None or a.shape != shape:
            a = self._arrays[name] = np.empty(shape)
        return a


def linear(X, rngs, sampler="gram", buffers=None):
    """Z = W X for each seed (W iid N(0, 1/d)), drawn by the given sampler; one generator
    per seed.  Z lives in ``buffers`` (overwritten by the next call) when given."""
    S, d, n = X.shape
    if len(rngs) != S:
        raise ValueError("%d generators for %d seeds" % (len(rngs), S))
    buffers = buffers or Buffers()
    Z = buffers.get("Z", (S, d, n))
    if sampler == "gram":
        Xi = fill_normals(rngs, buffers.get("Xi", (S, d, n)))
        return np.matmul(Xi, gram_root(X), out=Z)
    if sampler == "weights":
        # one d x d matrix at a time: a stack of S weight matrices can be gigabytes
        W = buffers.get("W", (d, d))
        for s, g in enumerate(rngs):
            g.standard_normal(out=W)
            np.matmul(W, X[s], out=Z[s])
        Z *= 1.0 / np.sqrt(d)
        return Z
    raise BadInput("unknown sampler %r (choose %s)" % (sampler, ", ".join(SAMPLERS)))


def normalize_stages(Z, stages):
    """RC then RS along the batch axis (last axis), in place; see the module docstring."""
    if "rc" in stages:
        Z -= Z.mean(axis=2, keepdims=True)
    if "rs" in stages:
        sd = Z.std(axis=2, keepdims=True)
        np.divide(Z, sd, out=Z, where=sd > 0)
        Z *= sd > 0
    return Z


def layer(X, stages, act, rngs, sampler="gram", buffers=None, weight_var=1.0):
    """One layer ``phi(RS(RC(W X)))`` of every seed (no rescaling), W with entries of variance
    weight_var / d; a new array."""
    Z = linear(_as_stack(X), rngs, sampler, buffers)
    if weight_var != 1:
        Z *= float(weight_var) ** 0.5
    Z = normalize_stages(Z, stages)
    out = act.phi(Z)
    return out.copy() if np.shares_memory(out, Z) else out


def rescale(X, buffers=None):
    """Each seed's X times a positive number making sum_j |x_j|^2 = n (an all-zero X stays 0)."""
    S, _, n = X.shape
    # a contiguous per-seed row sum: einsum's summation order depends on S, and this
    # dynamics amplifies last-bit differences (see the module docstring)
    sq = np.square(X, out=(buffers or Buffers()).get("Z", X.shape))
    ss = sq.reshape(S, -1).sum(axis=1)
    f = np.divide(n, ss, out=np.zeros_like(ss), where=ss > 0)
    X *= np.sqrt(f)[:, None, None]
    return X


def scale_free(stages, act):
    """Whether rescaling X between layers leaves the model unchanged (see module docstring)."""
    return "rs" in stages or act.homogeneous


# ---------------------------------------------------------------- many layers
def layers(X, depth, stages, act, *, sampler="gram", base_seed=0, seeds=None, rescale_each=None, weight_var=1.0):
    """Iterate ``(l, X_l)`` for l = 1..depth, starting from the stack X = X_0 (BLAS on one
    thread meanwhile: :func:`single_thread_blas`).

    ``seeds``: the seed indices of the stack's networks (default 0..S-1); seed s draws its
    weights from ``default_rng([base_seed, s, 1])``.  ``rescale_each`` (default: exactly when
    :func:`scale_free`) rescales each layer's output as in the module docstring.
    ``weight_var``: W's entries have variance weight_var / d (1: the model's default).  Each
    yielded X is a new array."""
    X = _as_stack(X)
    if depth < 0:
        raise BadInput("depth %d is negative" % depth)
    if sampler not in SAMPLERS:
        raise BadInput("unknown sampler %r (choose %s)" % (sampler, ", ".join(SAMPLERS)))
    ids = seed_ids(X.shape[0] if seeds is None else seeds)
    if len(ids) != X.shape[0]:
        raise ValueError("%d seed ids for a stack of %d" % (len(ids), X.shape[0]))
    rngs = seed_rngs(base_seed, ids, WEIGHT_STREAM)
    do_rescale = scale_free(stages, act) if rescale_each is None else rescale_each
    buffers = Buffers()
    # without rescaling (or with phi read from a formula) a layer may overflow
    watch = not do_rescale or act.kind.numpy is None
    with single_thread_blas():
        for ell in range(1, depth + 1):
            X = layer(X, stages, act, rngs, sampler, buffers, weight_var)
            if watch and not np.isfinite(X).all():
                raise BadInput("layer %d of %s has values that are not finite (phi = %s overflows at this scale; "
                               "sigma_w^2 = %s)" % (ell, ",".join(tuple(stages) + (act.name,)), act.formula,
                                                    weight_var))
            if do_rescale:
                rescale(X, buffers)
            yield ell, X


def single_thread_blas():
    """A context in which BLAS runs on one thread.  A layer's products are small (d x n by
    n x n); with OpenBLAS's own threads beside the seed-filling threads and the worker
    processes, 2 cores were oversubscribed and a phase-diagram cell ran 13x slower
    (benchmarks/bench_stages.py)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def propagate(X, depth, stages, act, **kw):
    """X after ``depth`` layers (keyword arguments as for :func:`layers`)."""
    X = _as_stack(X)
    for _, X in layers(X, depth, stages, act, **kw):
        pass
    return X


__all__ = ["Activation", "SAMPLERS", "seed_ids", "seed_rngs", "fill_normals", "gaussian_batch",
           "configuration_batch", "k_clusters_batch", "gram_root", "Buffers", "linear",
           "normalize_stages", "layer", "rescale", "scale_free", "layers", "propagate"]
