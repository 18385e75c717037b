"""The atlas's sampled and floating-point cells (bnverify atlas; docs/atlas.md): for one
activation, weight variance and n, where the RC + phi dynamics ends

* at finite width (``finite_width``): S networks of width d from Gaussian batches, the end
  state's geometry class (:mod:`.classes`) with 95% Wilson intervals, the odd point's cosine
  and norm ratio (median over the seeds that end in the odd-point class), and the scale:
  log10 of the mean squared entry of the last layer (networks of a non-homogeneous phi are
  not rescaled, so a collapse or a blow-up shows);
* at infinite width (``infinite_width``): the Gram map iterated in floating point
  (:mod:`bnverify.derive.infinite_width`) from the same batches' Gram matrices: the same
  classes and the scale's fate.

Both are samples or floating point: they suggest, never prove.  One (activation, weight
variance, n) is one job (top level, so it pickles for a process or Dask executor)."""
from __future__ import annotations

import math

import numpy as np

from ..derive import infinite_width
from . import classes, endstate, geometry, model


def _summary(G, logs):
    """Class fractions (with Wilson intervals) of a Gram stack and the odd-point medians."""
    idx = classes.classify(G=G)
    S = len(idx)
    out = {"fractions": {c: float(np.mean(idx == k)) for k, c in enumerate(classes.CLASSES)},
           "ci": {c: list(classes.wilson(int(np.sum(idx == k)), S)) for k, c in enumerate(classes.CLASSES)}}
    # the simplex state even where 'orthogonal' comes first (not a collapse into one direction)
    eq = classes.equiangular(G=G) & (idx != classes.CLASSES.index("collapse"))
    out["equiangular"] = float(np.mean(eq))
    out["equiangular_ci"] = list(classes.wilson(int(np.sum(eq)), S))
    odd = idx == classes.CLASSES.index("odd_point")
    co = endstate.coordinates(G)
    out["odd_cos"] = float(np.median(co[odd, 1])) if odd.any() else None
    out["norm_ratio"] = float(np.median(co[odd, 2])) if odd.any() else None
    out["log10_scale"] = float(np.median(logs))
    return out


def finite_width(act, weight_var, n, width, depth, seeds, base_seed=0):
    """The end of S = ``seeds`` networks of width ``width`` after ``depth`` layers (see the
    module docstring)."""
    ids = model.seed_ids(seeds)
    X = model.gaussian_batch(n, width, ids, base_seed)
    with np.errstate(over="ignore"):        # exp(-x) of silu / elu overflows harmlessly for very negative x
        for _, X in model.layers(X, depth, ("rc",), act, base_seed=base_seed, seeds=ids, weight_var=weight_var):
            pass
    ms = np.mean(np.square(X), axis=(1, 2))
    with np.errstate(divide="ignore"):
        logs = np.where(ms > 0, np.log10(np.where(ms > 0, ms, 1.0)), -math.inf)
    out = _summary(geometry.gram_stack(X), logs)
    out["scale"] = "scale-free" if act.homogeneous else verdict_of(out["log10_scale"])
    return out


def verdict_of(log10_scale):
    """The scale's fate from one end value (a finite-width run has no clean tail)."""
    return "collapses" if log10_scale < -12 else "explodes" if log10_scale > 12 else "finite"


def infinite_width_cell(act, weight_var, n, depth, starts, base_seed=0):
    """The float Gram map iterated from ``starts`` Gaussian batches' Gram matrices (width n)."""
    ids = model.seed_ids(starts)
    X = model.gaussian_batch(n, n, ids, base_seed)
    ends, verdicts, logs = [], [], []
    for G0 in geometry.gram_stack(X):
        G, info = infinite_width.iterate(G0, act, weight_var, depth)
        ends.append(G)
        logs.append(info["log10_scale"][-1])
        verdicts.append(infinite_width.scale_verdict(info["log10_scale"], info["homogeneous"]))
    out = _summary(np.array(ends), np.array(logs))
    out["scale"] = max(set(verdicts), key=verdicts.count)
    out["scale_votes"] = {v: verdicts.count(v) for v in sorted(set(verdicts))}
    return out


def cell(name, alpha, weight_var, n, width, depth, seeds, starts, base_seed=0):
    """One atlas cell (top level, so it pickles): the finite-width and the float
    infinite-width ends for activation ``name`` (``alpha`` its parameter or None)."""
    from ..core.activations import activation

    act = activation(name, alpha)
    return {"activation": name, "alpha": alpha, "weight_var": weight_var, "n": n,
            "finite_width": dict(finite_width(act, weight_var, n, width, depth, seeds, base_seed), width=width),
            "infinite_width": infinite_width_cell(act, weight_var, n, depth, starts, base_seed)}
