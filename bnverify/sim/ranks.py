"""Finite-width rank of phi(W X) -- SAMPLED: W of shape (width, 2) with i.i.d. N(0, 1/2) entries,
X one of the plane batches of bnverify.derive.rank.plane_batches.  The rank is numpy's matrix_rank with
its default tolerance, sigma_max * max(width, n) * eps (float64 eps = 2.2e-16); at infinite width
the rank is the lemma's (docs/rank.md), and at width d it is at most min(d, that)."""
from __future__ import annotations

import numpy as np

from ..derive import rank
from ..errors import BadInput

MAX_N = 64
MAX_WIDTH = 4096
MAX_SEEDS = 1000


def ranks(n, widths, seeds, act, seed=0):
    """Per input and width: the infinite-width rank, min(width, it), and the sampled ranks' min,
    median and max over ``seeds`` draws of W, with the fraction of draws reaching min(width, it)."""
    if not 2 <= n <= MAX_N:
        raise BadInput("n = %d outside 2..%d" % (n, MAX_N))
    if not widths or min(widths) < 1 or max(widths) > MAX_WIDTH:
        raise BadInput("widths %s outside 1..%d" % (widths, MAX_WIDTH))
    if not 1 <= seeds <= MAX_SEEDS:
        raise BadInput("seeds %d outside 1..%d" % (seeds, MAX_SEEDS))
    rng = np.random.default_rng(seed)
    out = {}
    for name, (X, infinite) in rank.plane_batches(n).items():
        rows = []
        for d in widths:
            got = [int(np.linalg.matrix_rank(act.phi(rng.normal(0, np.sqrt(0.5), (d, 2)) @ X)))
                   for _ in range(seeds)]
            cap = min(d, infinite)
            rows.append({"width": d, "bound": cap, "min": min(got), "median": float(np.median(got)),
                         "max": max(got), "reached": sum(g == cap for g in got) / seeds})
        out[name] = {"infinite_width_rank": infinite, "rows": rows}
    return out
