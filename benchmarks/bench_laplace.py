"""Time of one certified evaluation of the RS Gram map V(Sigma) (RC + RS + ReLU, 15 digits) at
n = 4, 8, 16, beside a float Gauss-Laguerre evaluation in r = log s (Yang's notebook's method,
tests/test_laplace.py), and the BSB1 command's time per n.

    python benchmarks/bench_laplace.py

Sigma is a generic positive definite matrix (no symmetry to share integrals) and the BSB1
matrix with c = 0 (one diagonal and one off-diagonal integral)."""
from __future__ import annotations

import os
import sys
import time
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from bnverify.core import laplace  # noqa: E402
from bnverify.derive import bsb1  # noqa: E402
from test_laplace import gauss_laguerre  # noqa: E402


def generic(n):
    return [[Fraction(2) if i == j else Fraction(1, 2 + i + j) for j in range(n)] for i in range(n)]


def main():
    print("certified V(Sigma), RC + RS + relu, 15 digits (process seconds)")
    print("%4s  %12s  %12s  %12s  %8s" % ("n", "generic", "BSB1(c=0)", "float GL", "ratio"))
    for n in (4, 8, 16):
        t = laplace.gram(generic(n), 0, rc=True, digits=15)["seconds"]
        tb = laplace.gram([[Fraction(int(i == j)) for j in range(n)] for i in range(n)], 0, digits=15)["seconds"]
        t0 = time.process_time()
        for _ in range(10):
            gauss_laguerre(generic(n), 0.0, 100)
        tf = (time.process_time() - t0) / 10
        print("%4d  %10.3f s  %10.3f s  %10.4f s  %8.0f" % (n, t, tb, tf, t / tf))
    print("\nbsb1 per n (closed form + Laplace check), 15 digits")
    for n in (3, 8, 16, 32):
        print("  n = %2d  %.3f s" % (n, bsb1.certify(n, 0, 15)["seconds"]))
    t0 = time.process_time()
    for n in range(3, 65):
        bsb1.certify(n, 0, 15, check=False)
    print("  closed form only, n = 3..64: %.3f s in all" % (time.process_time() - t0))


if __name__ == "__main__":
    main()
