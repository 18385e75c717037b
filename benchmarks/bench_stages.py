"""Time the stage-decomposition simulations (issue 12): all seeds in one stack against a
plain loop over seeds, for lyapunov, decompose and phase, in one run.

    python benchmarks/bench_stages.py [--quick] [--reps 1]

Sizes (the issue's): lyapunov n = 16, width 1024, 400 layers, 32 seeds; decompose n = 8,
width 512, depth 200, 16 seeds (the 8 stage sets, simulation only); phase n = 4..32 x
width 64..1024, depth 300, 8 seeds per cell.  --quick divides widths by 4 and depths by 4
for a smoke run.  Both ways run in this one process (the ratio measures vectorization,
not worker processes); seed s draws from its own generators in both, so the benchmark also
checks that they give the same numbers.  The phase diagram's cells are independent jobs
that `bnverify phase` spreads over worker processes (--jobs); cells of different n and
width have different array shapes and are not stacked.  Wall and CPU time (summed over
threads) are printed: the machine may be shared.
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from bnverify.claims import decomposition
from bnverify.core.activations import Activation
from bnverify.sim import decompose as simd
from bnverify.sim import lyapunov_rate
from bnverify.sim import phase as simphase

RELU = Activation("relu")
GAUSSIAN = ("gaussian", None)


def timed(fn, reps):
    best = None
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        t = (time.perf_counter() - w, time.process_time() - c)
        best = t if best is None or t[0] < best[0] else best
    return out, best


def lyapunov_pair(n, d, layers, seeds):
    stacked = lambda: lyapunov_rate.spread_rates(RELU, n, d, layers, seeds, 0)
    loop = lambda: np.concatenate([lyapunov_rate.spread_rates(RELU, n, d, layers, [s], 0) for s in range(seeds)])
    return stacked, loop, lambda a, b: np.allclose(a, b, rtol=1e-10, atol=1e-12)


def _classes(results):
    return [(r["end_class"], r["reached"]) for r in results]


def decompose_pair(n, d, depth, seeds):
    models = [decomposition.model_stages(sub, RELU) for sub in decomposition.SUBSETS]
    every = max(1, depth // 200)
    stacked = lambda: _classes(simd.run_model(m, n, d, depth, seeds, GAUSSIAN, every=every, keep_cosines=0)
                               for m in models)

    def loop():
        out = []
        for m in models:
            per = [simd.run_model(m, n, d, depth, [s], GAUSSIAN, every=every, keep_cosines=0) for s in range(seeds)]
            out.append(([c for r in per for c in r["end_class"]], [x for r in per for x in r["reached"]]))
        return out
    return stacked, loop, lambda a, b: a == b


def phase_pair(ns, widths, depth, seeds):
    stages = ["rc", "relu"]
    stacked = lambda: [simphase.cell(stages, n, d, depth, seeds) for n in ns for d in widths]

    def loop():
        cells = []
        for n in ns:
            for d in widths:
                every = max(1, depth // 200)
                per = [simd.run_model(stages, n, d, depth, [s], GAUSSIAN, every=every, keep_cosines=0)
                       for s in range(seeds)]
                ends = [c for r in per for c in r["end_class"]]
                cells.append({"odd_point": ends.count("odd_point") / seeds, "simplex": ends.count("simplex") / seeds})
        return cells
    same = lambda a, b: all(np.isclose(x["odd_point"], y["odd_point"]) and np.isclose(x["simplex"], y["simplex"])
                            for x, y in zip(a, b))
    return stacked, loop, same


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="widths and depths divided by 4")
    ap.add_argument("--reps", type=int, default=1, help="best of R runs of each way (default 1)")
    a = ap.parse_args()
    q = 4 if a.quick else 1
    print("bench_stages: %s, %d cores, numpy %s, python %s%s" % (platform.machine(), os.cpu_count(), np.__version__,
                                                                 platform.python_version(), " (quick)" if a.quick else ""))
    cases = [
        ("lyapunov n=16 width=%d layers=%d seeds=32" % (1024 // q, 400 // q), lyapunov_pair(16, 1024 // q, 400 // q, 32)),
        ("decompose n=8 width=%d depth=%d seeds=16 (8 stage sets)" % (512 // q, 200 // q),
         decompose_pair(8, 512 // q, 200 // q, 16)),
        ("phase n=4..32 x width=%d..%d depth=%d seeds=8 (%d cells)" % (64 // q, 1024 // q, 300 // q, 20),
         phase_pair([4, 8, 16, 32], [w // q for w in (64, 128, 256, 512, 1024)], 300 // q, 8)),
    ]
    print("%-58s %16s %16s %8s %8s %s" % ("case", "stacked s (cpu)", "loop s (cpu)", "ratio", "cpu", "same"))
    for name, (stacked, loop, same) in cases:
        x, (ws, cs) = timed(stacked, a.reps)
        y, (wl, cl) = timed(loop, a.reps)
        print("%-58s %7.2f (%6.2f) %7.2f (%6.2f) %7.1fx %7.1fx %s" % (name, ws, cs, wl, cl, wl / ws, cl / cs,
                                                                      "yes" if same(x, y) else "NO"), flush=True)


if __name__ == "__main__":
    main()
