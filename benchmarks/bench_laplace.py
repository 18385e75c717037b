"""Issue 23, item 7, in one run: the time of one certified evaluation of the RS Gram map V(Sigma)
(RC + RS + ReLU, 15 digits, generic Sigma) at n = 4, 8, 16 by the vector route (one
Gauss-Legendre rule for all entries, error bound from analyticity on Re s > 0), beside a float
Gauss-Laguerre evaluation in r = log s (Yang et al.'s notebook's method, tests/test_laplace.py),
with the ratio; the first (entrywise acb.integral) route for comparison (``--old``: 42 s at
n = 16); then the wall time of ``bnverify simplex --stages rc,rs,relu --n 3..64`` (default
--check-to 16, --jobs 2).

    python benchmarks/bench_laplace.py [--old]

Process seconds for single evaluations (the machine is shared: wall time says less), wall
seconds for the command.  Targets: <= 0.5 s at n <= 16, <= 60 s for the command."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from bnverify.core import laplace  # noqa: E402
from test_laplace import gauss_laguerre  # noqa: E402


def generic(n):
    return [[Fraction(2) if i == j else Fraction(1, 2 + i + j) for j in range(n)] for i in range(n)]


def main(old=False):
    print("certified V(Sigma), RC + RS + relu, 15 digits, generic Sigma (process seconds)")
    print("%4s  %10s  %6s  %6s  %10s  %12s  %7s  %10s" % ("n", "certified", "pieces", "nodes", "max rad",
                                                         "float GL", "ratio", "entrywise"))
    for n in (4, 8, 16):
        res = laplace.gram(generic(n), 0, rc=True, digits=15)
        assert res["route"] == "vector"
        rad = max(float(v.rad()) for row in res["V"] for v in row)
        t0 = time.process_time()
        for _ in range(10):
            gauss_laguerre(generic(n), 0.0, 100)
        tf = (time.process_time() - t0) / 10
        told = "%8.2f s" % laplace.gram(generic(n), 0, digits=15, route="entrywise")["seconds"] if old else "-"
        print("%4d  %8.3f s  %6d  %6d  %10.1e  %10.4f s  %7.0f  %10s" % (
            n, res["seconds"], res["pieces"], res["nodes"], rad, tf, res["seconds"] / tf, told))
    eye = [[Fraction(int(i == j)) for j in range(16)] for i in range(16)]
    print("BSB1 Sigma = I at n = 16: %.3f s" % laplace.gram(eye, 0, digits=15)["seconds"])
    cmd = [sys.executable, "-m", "bnverify", "simplex", "--stages", "rc,rs,relu", "--n", "3..64", "--jobs", "2",
           "--json"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("bnverify simplex --stages rc,rs,relu --n 3..64 (check to 16, 2 jobs): %.1f s wall"
          % (time.perf_counter() - t0))


if __name__ == "__main__":
    main(old="--old" in sys.argv[1:])
