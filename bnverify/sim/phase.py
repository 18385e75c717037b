"""The (n, width) phase diagram: per grid cell, the fraction of seeds ending in the odd-point
state and in the simplex-like state (:mod:`.classes`), with 95% Wilson intervals, and the
median layer from which the odd point stays (docs/decompose.md).  Each cell is one job for
a ``concurrent.futures`` executor; its seeds run as one stack with per-seed streams, so a
cell's numbers do not depend on the executor."""
from __future__ import annotations

from . import decompose


def cell(stage_list, n, d, depth, seeds, alpha=None, base_seed=0, act=None, weight_var=1):
    """One grid cell (top level, so it pickles): n, width, the odd-point and simplex
    fractions with intervals, the median layers to the odd point, all five fractions
    (``act``, ``weight_var``: as for :func:`.decompose.run_model`)."""
    every = max(1, depth // 200)
    r = decompose.run_model(stage_list, n, d, depth, seeds, alpha=alpha, base_seed=base_seed,
                            every=every, keep_cosines=0, act=act, weight_var=weight_var)
    fw = r["finite_width"]
    return {"n": n, "width": d, "odd_point": fw["fractions"]["odd_point"], "odd_point_ci": fw["ci"]["odd_point"],
            "simplex": fw["fractions"]["simplex"], "simplex_ci": fw["ci"]["simplex"],
            "median_layers_odd_point": fw["median_layers"]["odd_point"], "fractions": fw["fractions"]}


def grid(stage_list, ns, widths, depth, seeds, executor, *, alpha=None, base_seed=0, progress=None, act=None,
         weight_var=1):
    """Every (n, width) cell through ``executor``; cells in row order (n outer, width inner)."""
    futures = [executor.submit(cell, list(stage_list), n, d, depth, seeds, alpha, base_seed, act, weight_var)
               for n in ns for d in widths]
    out = []
    for k, f in enumerate(futures):
        out.append(f.result())
        if progress:
            progress(k + 1, len(futures))
    return out


__all__ = ["cell", "grid"]
