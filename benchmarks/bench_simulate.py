"""Time the finite-width simulation: all seeds in one stack against one seed at a time.

    python benchmarks/bench_simulate.py [--n 64] [--width 1024] [--depth 500] [--seeds 16]
                                        [--weights-depth 40] [--reps 3] [--no-small]

Both ways run the same networks (seed s draws from its own generator), so the benchmark
also checks that they end with bit-identical batches.  The 'weights' sampler draws a
d x d matrix per layer and seed and is timed over --weights-depth layers (500 layers take
minutes); compare the per-layer figures.  Each time is the best of --reps runs, the two
ways interleaved, since a shared machine makes single timings noisy; CPU time (summed
over threads) is printed too, as it suffers less from other processes.  A second, small
problem (n = 16, width 256, 64 seeds: the phenomenon's size) shows where stacking pays:
when per-seed arrays are small, the stack saves Python and numpy call overhead; when they
are large (the main case) both ways are bound by drawing the normals, which the stack
spreads over threads (see bnverify.sim.model.fill_normals).
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from bnverify.sim import model
from bnverify.core.stages import parse_stages


def stacked(n, d, depth, seeds, stages, act, sampler, base=0):
    X0 = model.gaussian_batch(n, d, seeds, base)
    return model.propagate(X0, depth, stages, act, sampler=sampler, base_seed=base)


def one_at_a_time(n, d, depth, seeds, stages, act, sampler, base=0):
    out = []
    for s in range(seeds):
        X0 = model.gaussian_batch(n, d, [s], base)
        out.append(model.propagate(X0, depth, stages, act, sampler=sampler, base_seed=base,
                                   seeds=[s])[0])
    return np.stack(out)


def best_of(reps, *a):
    """Best wall and CPU (all threads) seconds of each way, and whether they agree bit for bit."""
    wall = {"stacked": [], "one-by-one": []}
    cpu = {"stacked": [], "one-by-one": []}
    results = {}
    for _ in range(reps):
        for name, f in (("stacked", stacked), ("one-by-one", one_at_a_time)):
            t0, c0 = time.perf_counter(), time.process_time()
            results[name] = f(*a)
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    same = bool(np.array_equal(results["stacked"], results["one-by-one"]))
    return ({k: min(v) for k, v in wall.items()}, {k: min(v) for k, v in cpu.items()}, same)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--width", type=int, default=1024)
    p.add_argument("--depth", type=int, default=500)
    p.add_argument("--seeds", type=int, default=16)
    p.add_argument("--weights-depth", type=int, default=40)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--stages", default="rc,relu")
    p.add_argument("--no-small", action="store_true", help="skip the small problem")
    a = p.parse_args()
    stages, act = parse_stages(a.stages)
    print("bench_simulate: %s; numpy %s, %s, %d CPUs, best of %d"
          % (a.stages, np.__version__, platform.machine(), os.cpu_count() or 1, a.reps))
    cases = [(a.n, a.width, a.seeds, "gram", a.depth),
             (a.n, a.width, a.seeds, "weights", a.weights_depth)]
    if not a.no_small:
        cases += [(16, 256, 64, "gram", 300), (16, 256, 64, "weights", 50)]
    print("%4s %6s %5s %-8s %6s | %-26s | %-26s | %s" % (
        "n", "width", "seeds", "sampler", "depth", "wall s: stacked, 1-by-1, ratio",
        "CPU s: stacked, 1-by-1, ratio", "ms/layer (stacked wall), same result"))
    for n, d, S, sampler, depth in cases:
        wall, cpu, same = best_of(a.reps, n, d, depth, S, stages, act, sampler)
        print("%4d %6d %5d %-8s %6d | %8.2f %8.2f %8.2f | %8.2f %8.2f %8.2f | %8.2f %s" % (
            n, d, S, sampler, depth, wall["stacked"], wall["one-by-one"],
            wall["one-by-one"] / wall["stacked"], cpu["stacked"], cpu["one-by-one"],
            cpu["one-by-one"] / cpu["stacked"], 1e3 * wall["stacked"] / max(depth, 1), same),
            flush=True)
    if a.weights_depth < a.depth:
        print("(the weights sampler ran %d layers, not %d: it costs about d/n = %d times more per "
              "layer than the gram sampler; times scale linearly with depth)"
              % (a.weights_depth, a.depth, a.width // a.n))


if __name__ == "__main__":
    main()
