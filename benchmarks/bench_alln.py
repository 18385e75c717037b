"""Every n at once against one n at a time: the attractor, and the simplex state.

Measured in one run (machines are noisy; compare the ratios):
1. the per-n baseline: one n of the attractor claim (existence, uniqueness, spectral radius
   < 1) through properties.check -- classification, Krawczyk box, block spectra and the trusted
   kernel's re-check -- at a few sampled n after a warm-up, and its extrapolation to n = 7..B
   (a quadratic fit in n, as when the kernel's blocks were dense; they are class patterns now);
2. the all-n proof: bnverify.derive.alln.certify_branch(16) (Krawczyk boxes on t in [0, 1/16]) and
   its trusted re-check;
3. the same claim for n in 7..B, B = 10^3, 10^4, 10^5 and every n, through properties.check
   (per-n boxes for 7..15 plus the branch, kernel-checked), with the ratio to the
   extrapolated per-n time;
4. the simplex state: one n per n (certify_simplex + kernel) at the sampled n against its
   all-n proof (bnverify.derive.simplex_alln, two t-boxes, kernel-checked) for n >= 3;
5. one n at a time at any n (issue 24): the attractor and the simplex state at n = 100, 12345,
   10^6 (--any), search and kernel timed apart, with the digits of each enclosure, and the whole
   command `bnverify attractor --n 1000000` (wall and CPU seconds, a fresh process).

6. leaky ReLU (issue 24 item 2): `bnverify attractor --n 7..` for ReLU, for leaky ReLU at one
   slope and over the slope range [0, 1) (fresh processes, wall and CPU), and the range's
   branch item alone (31 boxes + 9 points at t = 1/n: derive and trusted re-check).

7. the classification and the basins for every n >= 7 (issue 24 item 4): the classification
   item (derive/classify_alln.py: 41 columns, charts L2 and U2) searched and re-checked by the
   trusted kernel, against the per-n route (curve.classify + basin covers) at sampled n
   extrapolated to 7..64; and `bnverify basins --n 7..` in a fresh process.

Physical floor: the all-n proof is a few hundred evaluations of G in arb (about 0.3 ms each
at 128 bits); the per-n boxes below n = 16 dominate the range times.

Run:  python benchmarks/bench_alln.py [--sample 8,16,32,64] [--tops 1000,10000,100000] [--any 100,12345,1000000]
      python benchmarks/bench_alln.py --only-any      (item 5 alone)
      python benchmarks/bench_alln.py --only-leaky    (item 6 alone)
      python benchmarks/bench_alln.py --only-classify (item 7 alone)
"""
from __future__ import annotations

import argparse
import math
import resource
import subprocess
import sys
import time
from fractions import Fraction

import numpy as np

from bnverify.claims import properties, spec, sweep
from bnverify.derive import alln, simplex_alln
from bnverify.derive import states
from bnverify.core.activations import Activation
from bnverify.trusted import alln as talln



RELU = Activation("relu")


def claim(n):
    return spec.claim_from_dict({"id": "bench", "title": "bench", "statement": "bench",
                                   "property": "attractor-stable", "expect": "proved",
                                   "model": {"stages": "rc,relu"}, "domain": {"n": n},
                                   "params": {"relation": "<", "bound": "1"}}, "bench")


def per_n(n):
    """The per-n pipeline of `bnverify attractor --n N` (n <= 64): search, then kernel check."""
    return sweep.checked_state(states.certify_attractor(n, RELU), "attractor", RELU)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", default="8,16,32,64")
    ap.add_argument("--tops", default="1000,10000,100000")
    ap.add_argument("--any", default="100,12345,1000000")
    ap.add_argument("--only-any", action="store_true")
    ap.add_argument("--only-leaky", action="store_true")
    ap.add_argument("--only-classify", action="store_true")
    a = ap.parse_args()
    classify()
    if a.only_classify:
        return
    leaky()
    if a.only_leaky:
        return
    any_n([int(x) for x in a.any.split(",")])
    if a.only_any:
        return
    sample = [int(x) for x in a.sample.split(",")]
    times = []
    print("per-n baseline (one n: search + trusted re-check)")
    per_n(8)                                            # warm-up: imports, flint, caches
    for n in sample:
        t0 = time.perf_counter()
        v = per_n(n)
        times.append(time.perf_counter() - t0)
        print("  n = %-6d %-8s %.3f s" % (n, v.status, times[-1]))
    coef = np.polyfit(sample, times, 2)

    def per_n_total(top):
        ns = np.arange(7, top + 1, dtype=float)
        return float(np.maximum(np.polyval(coef, ns), min(times)).sum())

    t0 = time.perf_counter()
    boxes, failed = alln.certify_branch(16)
    t_branch = time.perf_counter() - t0
    item = {"type": "all-n-branch", "n_from": 16, "alpha": "0/1", "prec": 128, "boxes": boxes}
    t0 = time.perf_counter()
    talln.check_branch(item)
    t_check = time.perf_counter() - t0
    print("all-n branch: %d boxes in %.3f s (failed %d), trusted re-check %.3f s"
          % (len(boxes), t_branch, len(failed), t_check))
    print("%-12s %-8s %10s %16s %8s" % ("range", "status", "seconds", "per-n (extrap.)", "ratio"))
    for top in [int(x) for x in a.tops.split(",")] + [None]:
        r = "7..%s" % (top or "")
        t0 = time.perf_counter()
        v = properties.check(claim(r))
        dt = time.perf_counter() - t0
        base = per_n_total(top) if top else float("inf")
        print("%-12s %-8s %10.2f %16.0f %8s" % (r, v.status, dt, base,
                                                "%.0fx" % (base / dt) if top else "-"))
    simplex(sample)


def classify():
    """Item 7: the classification and basins for every n >= 7 against per n."""
    from bnverify.derive import basins, classify_alln, curve
    from bnverify.trusted import classify as tclassify

    print("classification and basins, every n >= 7 at once (item 7)")
    t0 = time.perf_counter()
    item = classify_alln.classification_item(7)
    t_search = time.perf_counter() - t0
    t0 = time.perf_counter()
    tclassify.check_classification(item)
    t_check = time.perf_counter() - t0
    print("  item: %d columns, %d + %d chart boxes; search %.2f s, trusted re-check %.2f s"
          % (len(item["columns"]), sum(len(c[2]) for c in item["l2"]), sum(len(c[2]) for c in item["u2"]),
             t_search, t_check))
    per = []
    for n in (8, 32, 64):
        t0 = time.perf_counter()
        curve.classify(n, RELU)
        basins.basins(n, RELU, rates=False)
        per.append(time.perf_counter() - t0)
        print("  per n = %-3d classification + basin cover (search only) %.2f s" % (n, per[-1]))
    est = float(np.mean(per)) * 58
    print("  per n over 7..64 (58 n, mean of the samples, search only): about %.0f s; ratio %.1fx"
          % (est, est / (t_search + t_check)))
    t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "bnverify", "basins", "--n", "7.."], check=True, capture_output=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("  bnverify basins --n 7..: %.2f s wall, %.2f s CPU (fresh process)"
          % (time.perf_counter() - t0, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime))


def simplex(sample):
    print("simplex state: per n (Krawczyk + Gershgorin + kernel) against every n >= 3 at once")
    times = []
    for n in sample:
        t0 = time.perf_counter()
        v = sweep.checked_state(states.certify_simplex(n, RELU), "simplex", RELU)
        times.append(time.perf_counter() - t0)
        print("  n = %-6d %-8s %.3f s" % (n, v.status, times[-1]))
    t0 = time.perf_counter()
    item, failed, boxes = simplex_alln.branch_item(3)
    t_search = time.perf_counter() - t0
    c = spec.claim_from_dict({"id": "bench", "title": "bench", "statement": "bench",
                                "property": "spectral-radius", "expect": "proved",
                                "model": {"stages": "rc,relu"}, "domain": {"n": "3.."},
                                "params": {"state": "simplex", "relation": "<", "bound": "1"}}, "bench")
    t0 = time.perf_counter()
    v = properties.check(c)
    t_all = time.perf_counter() - t0
    print("  every n >= 3: %s, %d boxes, search %.3f s, search + kernel %.3f s; "
          "one per-n proof (n = %d) takes %.0fx as long" % (v.status, len(boxes), t_search, t_all,
                                                           sample[-1], times[-1] / t_all))


def digits(bounds):
    """Significant digits of an enclosure [lo, hi]: -log10(width / |midpoint|)."""
    lo, hi = (Fraction(b) for b in bounds)
    if hi == lo:
        return float("inf")
    return -math.log10((hi - lo) / abs(lo + hi) * 2)


def any_n(ns):
    """Item 5: per-n enclosures at large n, search and kernel timed apart."""
    print("one n at a time (search: bnverify.derive.states; kernel: sweep.checked_state)")
    sweep.checked_state(states.certify_attractor(100, RELU), "attractor", RELU)      # warm-up
    fields = {"attractor": ("cluster_cos", "odd_cos", "norm_ratio", "spectral_radius"),
              "simplex": ("simplex_cos", "spectral_radius")}
    for state, fn in (("attractor", states.certify_attractor), ("simplex", states.certify_simplex)):
        for n in ns:
            t0 = time.perf_counter()
            v = fn(n, RELU)
            t1 = time.perf_counter()
            out = sweep.checked_state(v, state, RELU)
            t2 = time.perf_counter()
            dig = ", ".join("%s %.0f" % (f, digits(out.evidence[f])) for f in fields[state])
            print("  %-9s n = %-8d %-7s search %.3f s  kernel %.3f s  digits: %s"
                  % (state, n, out.status, t1 - t0, t2 - t1, dig))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bnverify.cli", "attractor", "--n", str(ns[-1]), "--json"],
                   check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    print("  bnverify attractor --n %d: %.2f s wall, %.2f s CPU (a fresh process: start-up included)"
          % (ns[-1], wall, cpu))


def command(*argv):
    """(wall, CPU) seconds of one bnverify command in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bnverify.cli", *argv], check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def leaky():
    """Item 6: the attractor for every n >= 7, ReLU against leaky ReLU (one slope, a range)."""
    from bnverify.derive import alln_evidence
    from bnverify.trusted import items

    print("every n >= 7, fresh processes (search + trusted kernel)")
    for extra in ([], ["--stages", "rc,leaky_relu", "--alpha", "1/10"], ["--stages", "rc,leaky_relu", "--alpha", "0..1"]):
        wall, cpu = command("attractor", "--n", "7..", "--json", *extra)
        print("  bnverify attractor --n 7.. %-40s %.2f s wall, %.2f s CPU" % (" ".join(extra), wall, cpu))
    t0 = time.perf_counter()
    item, failed = alln_evidence.branch_item(16, "0..1", points_from=7)
    t1 = time.perf_counter()
    items.check_item(item)
    t2 = time.perf_counter()
    print("  the range's branch item: %d boxes, derive %.2f s, trusted re-check %.3f s"
          % (len(item["boxes"]), t1 - t0, t2 - t1))


if __name__ == "__main__":
    main()
