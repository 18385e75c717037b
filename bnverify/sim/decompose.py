"""Finite-width outcome of each stage set: where S seeds end, and when (docs/decompose.md).

For one model (stage list) the S seeds run as one stack (:func:`bnverify.sim.model.layers`);
every ``every`` layers each seed's batch is classified (:mod:`.classes`) and its pairwise
cosines are kept for the figure.  A seed *reaches* its end class at the first recorded
layer from which it stays in that class to the last layer.  Different stage sets are
independent jobs for a ``concurrent.futures`` executor; seed s of every job draws from
``default_rng([base_seed, s, stream])`` (:mod:`bnverify.sim.model`), so the numbers do not
depend on the executor or on how seeds are batched.
"""
from __future__ import annotations

import numpy as np

from . import geometry, model
from ..errors import BadInput
from ..core.activations import LINEAR, Activation
from ..core.stages import STAGES, parse_stages
from . import classes

STARTS = ("gaussian", "configuration", "clusters:K")


def parse_start(text, n):
    """'gaussian' | 'configuration' | 'clusters:K' -> (kind, K or None)."""
    t = str(text).strip().lower()
    if t in ("gaussian", "configuration"):
        return t, None
    if t.startswith("clusters:"):
        k = t.split(":", 1)[1]
        if not k.isdigit() or len(k) > 7:
            raise BadInput("--start %s: K in clusters:K must be a positive integer" % text)
        k = int(k)
        if not 1 <= k <= n:
            raise BadInput("--start %s: need 1 <= K <= n = %d" % (text, n))
        return "clusters", k
    raise BadInput("unknown start %r (choose gaussian, configuration or clusters:K)" % text)


def start_batch(start, n, d, seeds, base_seed=0):
    """The initial stack (S, d, n) for a parsed start (per-seed data streams)."""
    kind, k = start
    if kind == "gaussian":
        return model.gaussian_batch(n, d, seeds, base_seed)
    if kind == "configuration":
        return model.configuration_batch(n, d, seeds, ratio=1, rng=base_seed)
    return model.k_clusters_batch(n, d, k, seeds, rng=base_seed)


def model_of(stage_list, alpha=None, act=None):
    """(stages, Activation) of a stage list such as ['rc', 'relu'] ([] or ['rc']: no NL, the
    identity).  ``act``: the NL itself (a user formula has no name to parse), used when the
    list has an NL entry; else its name is parsed with ``alpha``."""
    if act is not None:
        norm = tuple(s for s in STAGES if s in stage_list)
        return norm, (act if len(norm) < len(stage_list) else Activation(LINEAR))
    text = ",".join(stage_list) if stage_list else LINEAR
    stages, act = parse_stages(text)
    if alpha is not None and act.takes_alpha:       # alpha is the NL's: rows without NL ignore it
        stages, act = parse_stages(text, alpha)
    return stages, act


def run_model(stage_list, n, d, depth, seeds, start=("gaussian", None), *, alpha=None, base_seed=0,
              every=1, keep_cosines=8, progress=None, act=None, weight_var=1):
    """One model (e.g. ['rc', 'relu']; [] is the linear layer; ``act``, ``alpha``: as for
    :func:`model_of`), W of variance weight_var/d: a dict with the tally of end classes
    (:func:`classes.tally`), per-seed end classes and layers-to-reach, the recorded layers,
    and the cosines (K, T, n, n) of the first K = ``keep_cosines`` seeds."""
    stages, act = model_of(stage_list, alpha, act)
    ids = model.seed_ids(seeds)
    X = start_batch(start, n, d, ids, base_seed)
    K = max(0, min(int(keep_cosines or 0), len(ids)))
    recorded, hist, cos = [0], [classes.classify(X)], [geometry.cosines(X[:K])] if K else []
    for ell, X in model.layers(X, depth, stages, act, base_seed=base_seed, seeds=ids, weight_var=weight_var):
        if ell % every == 0 or ell == depth:
            G = geometry.gram_stack(X)
            recorded.append(ell)
            hist.append(classes.classify(G=G))
            if K:
                cos.append(geometry.cosines(G=G[:K]))
        if progress:
            progress(ell)
    hist = np.array(hist)
    reach = classes.reached(hist, recorded)
    out = {"stages": list(stage_list), "finite_width": classes.tally(hist[-1], reach),
           "end_class": [classes.CLASSES[c] for c in hist[-1]], "reached": reach.tolist(),
           "layers": recorded}
    if K:
        out["cosines"] = np.stack(cos, axis=1)
    return out


def typical_seed(result):
    """Among the seeds whose cosines were kept, the first of the most frequent end class
    (the figure's trajectory); seed 0 if none of them ends in that class."""
    fr = result["finite_width"]["fractions"]
    mode = max(classes.CLASSES, key=lambda c: (fr[c], -classes.CLASSES.index(c)))
    kept = result["end_class"][:len(result.get("cosines", ()))]
    return kept.index(mode) if mode in kept else 0


def job(stage_list, n, d, depth, seeds, start, alpha, base_seed, every, plot, act=None, weight_var=1):
    """One stage set as an executor job (top level, so it pickles): run_model's dict with,
    for the figure, only the typical seed's pairwise cosines (T, n(n-1)/2)."""
    r = run_model(stage_list, n, d, depth, seeds, start, alpha=alpha, base_seed=base_seed,
                  every=every, keep_cosines=8 if plot else 0, act=act, weight_var=weight_var)
    if plot:
        s = typical_seed(r)
        iu = np.triu_indices(n, 1)
        r["typical"] = {"seed": s, "end_class": r["end_class"][s],
                        "pair_cosines": r["cosines"][s][:, iu[0], iu[1]]}
    r.pop("cosines", None)
    return r


__all__ = ["STARTS", "parse_start", "start_batch", "model_of", "run_model", "typical_seed", "job"]
